/* The handle on one Secret Service collection: the connection to the bus,
 * the collection as configured (an alias, a label or an object path) and
 * as resolved, and the transfer session once a secret crosses. The
 * collection is resolved by the first request batch of every operation. */
#ifndef DR_KEYRING_COLLECTION_H
#define DR_KEYRING_COLLECTION_H

#include <stddef.h>

#include "base/err.h"
#include "keyring/bus.h"
#include "keyring/transport.h"

#define DR_SECRETS_NAME "org.freedesktop.secrets"
#define DR_SECRETS_PATH "/org/freedesktop/secrets"
#define DR_IFACE_SERVICE "org.freedesktop.Secret.Service"
#define DR_IFACE_COLLECTION "org.freedesktop.Secret.Collection"
#define DR_IFACE_ITEM "org.freedesktop.Secret.Item"
#define DR_IFACE_PROMPT "org.freedesktop.Secret.Prompt"
#define DR_IFACE_PROPS "org.freedesktop.DBus.Properties"

#define DR_SCHEMA "io.docker.Credentials"
#define DR_CREDS_LABEL "Docker Credentials"
/* a scope that matches every entry, global and per-app (for listing) */
#define DR_SCOPE_ALL "*"

struct dr_keyring {
	struct dr_bus bus;
	enum dr_transport transport;
	char *session_path;   /* the open transfer session, once one is needed */
	void *service;        /* SecretService, for the "dh" transport only */
	char name[256];       /* the collection as configured */
	char *coll_path;      /* its D-Bus object path */
};

struct dr_keyring_opts {
	const char *collection; /* alias, label or object path */
	const char *bus;        /* D-Bus address, NULL: the session bus */
	enum dr_transport transport;
	unsigned timeout_ms;    /* budget for everything done through the handle */
};

/* Connects and resolves the collection. */
int dr_keyring_open(struct dr_keyring *kr, const struct dr_keyring_opts *o,
		    struct dr_err *e);
void dr_keyring_close(struct dr_keyring *kr);

/* DR_ELOCKED, naming the collection and how to unlock it without a prompt */
int dr_keyring_locked_error(const struct dr_keyring *kr, struct dr_err *e);

/* The first batch of every operation also resolves the collection and, when
 * a secret will cross, opens the transfer session: up to 2 requests that
 * dr_keyring_prep puts at the start of reqs, checked by
 * dr_keyring_prep_finish once the batch is back. */
struct dr_prep {
	int alias_idx;
	int session_idx;
};
#define DR_PREP_MAX 2
size_t dr_keyring_prep(struct dr_keyring *kr, struct dr_bus_req *reqs, int want_session,
		       struct dr_prep *p);
int dr_keyring_prep_finish(struct dr_keyring *kr, struct dr_bus_req *reqs,
			   const struct dr_prep *p, struct dr_err *e);

#endif
