/* Where the helper's credentials for a server live: one interface with
 * get/store/erase/list (docker-credential-helpers' model), implemented by
 * the keyring (the Secret Service, one scope) and by a chained helper
 * (docker-credential-<name>, answering for the hosts it is mapped to).
 *
 * get, store and erase produce the protocol answer itself (stdout's bytes
 * and exit status): a chained helper's answer is relayed as it is, byte for
 * byte, which a decode and re-encode would not keep. */
#ifndef DR_CREDSTORE_H
#define DR_CREDSTORE_H

#include <stddef.h>

#include "base/err.h"
#include "helper/config.h"
#include "helper/protocol.h"
#include "keyring/keyring.h"

/* What the helper prints on stdout (out, len; may be empty) and its exit
 * status. out may hold a secret: dr_credstore_answer_free wipes it. */
struct dr_credstore_answer {
	char *out;
	size_t len;
	int status;
};

void dr_credstore_answer_free(struct dr_credstore_answer *a);

struct dr_credstore;

/* Each returns 0 with *a filled, or an error in e (the helper prints e->msg,
 * exit status 1). DR_ENOTFOUND: get found nothing. */
struct dr_credstore_ops {
	int (*get)(const struct dr_credstore *s, const char *server,
		   struct dr_credstore_answer *a, struct dr_err *e);
	/* c: the decoded, validated request; payload: the request as read */
	int (*store)(const struct dr_credstore *s, const struct dr_creds *c, const char *payload,
		     size_t payload_len, struct dr_credstore_answer *a, struct dr_err *e);
	int (*erase)(const struct dr_credstore *s, const char *server,
		     struct dr_credstore_answer *a, struct dr_err *e);
	/* every entry the store holds, in out (dr_list_free it) */
	int (*list)(const struct dr_credstore *s, struct dr_list *out, struct dr_err *e);
};

struct dr_credstore {
	const struct dr_credstore_ops *ops;
	/* the chained helper's name (docker-credential-<helper>); NULL for the keyring */
	const char *helper;
	/* chained: the deadline of one call */
	unsigned timeout_ms;
	/* keyring: where, and which Dokku app (NULL: the global entries) */
	struct dr_keyring_opts keyring;
	const char *scope;
};

/* The keyring's entries for scope (NULL: global). o and scope are borrowed. */
void dr_credstore_keyring(struct dr_credstore *s, const struct dr_keyring_opts *o,
			  const char *scope);
/* docker-credential-<helper>, each call within timeout_ms. helper is borrowed. */
void dr_credstore_chained(struct dr_credstore *s, const char *helper, unsigned timeout_ms);
/* The store responsible for server under c: the chained helper of its most
 * specific pattern, else (also for a pattern mapped to "dokku") the keyring
 * for scope. c and scope are borrowed. */
void dr_credstore_for(struct dr_credstore *s, const struct dr_config *c, const char *server,
		      const char *scope);

/* Appends to list the entries of every chained helper of c (each helper
 * once; none mapped to "dokku"), one after another, as `list` answers after
 * the keyring's own. A helper that fails is skipped with a line on stderr;
 * before each is run, on_helper (may be NULL) is told its name. */
void dr_credstore_list_chained(const struct dr_config *c, struct dr_list *list,
			       void (*on_helper)(const char *helper));

#endif
