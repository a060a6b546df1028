/* Docker credentials in a Secret Service collection, laid out as upstream's
 * docker-credential-secretservice lays them out (schema io.docker.Credentials,
 * attributes label/server/username/docker_cli) plus our own dokku_key
 * (canonical registry key) and dokku_scope (absent for global entries).
 * Never unlocks, never prompts: a locked collection is DR_ELOCKED. */
#ifndef DR_KEYRING_H
#define DR_KEYRING_H

#include <stddef.h>

#include "base/creds.h"
#include "base/err.h"
#include "keyring/collection.h"

/* scope NULL is the global entry; out->server_url is left NULL. */
int dr_keyring_get(struct dr_keyring *kr, const char *server, const char *scope,
		   struct dr_creds *out, struct dr_err *e);
int dr_keyring_store(struct dr_keyring *kr, const struct dr_creds *c,
		     const char *scope, struct dr_err *e);
/* 0 also when nothing matched. */
int dr_keyring_erase(struct dr_keyring *kr, const char *server, const char *scope,
		     struct dr_err *e);
/* Attributes only: no secret is loaded. */
int dr_keyring_list(struct dr_keyring *kr, const char *scope, struct dr_list *out,
		    struct dr_err *e);

#endif
