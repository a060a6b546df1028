/* The client side of the credential-helper protocol: runs
 * docker-credential-<name> the way docker/cli does (no shell, request on
 * stdin, answer on stdout, stderr to the user), with a timeout and an
 * output cap. */
#ifndef DR_CREDHELPER_H
#define DR_CREDHELPER_H

#include "base/creds.h"
#include "base/err.h"
#include "base/exec.h"
#include "helper/protocol.h"

#define DR_OWN_HELPER "dokku"
#define DR_HELPER_TIMEOUT_MS 30000u
/* stdout of a helper: an answer is a few hundred bytes; a flood is stopped */
#define DR_CREDHELPER_OUTPUT_LIMIT (1024u * 1024u)

/* Runs `docker-credential-<helper> <action>` in its own process group (all
 * of it killed at the deadline), input on stdin, stdout captured (1 MiB cap)
 * and trimmed into r->out, stderr passed through; r->status is its exit
 * status. Over the cap it is stopped (DR_ETOOBIG, "too much output"). Once
 * it has exited, its answer is taken after a short grace even when
 * something it started still holds stdout open (that is killed). config_dir: exported as DOCKER_CONFIG (NULL: inherited). */
int dr_credhelper_exec(const char *helper, const char *action, const char *config_dir,
		       const void *input, size_t input_len, unsigned timeout_ms,
		       struct dr_exec_result *r, struct dr_err *e);

/* config_dir: exported to the helper as DOCKER_CONFIG (NULL: inherited). */
int dr_credhelper_store(const char *helper, const char *config_dir,
			const struct dr_creds *c, struct dr_err *e);
/* DR_ENOTFOUND for the protocol's not-found answer; out->server_url set to server. */
int dr_credhelper_get(const char *helper, const char *config_dir, const char *server,
		      struct dr_creds *out, struct dr_err *e);
/* dr_credhelper_get with its own deadline instead of DR_HELPER_TIMEOUT_MS. */
int dr_credhelper_get_within(const char *helper, const char *config_dir, const char *server,
			     unsigned timeout_ms, struct dr_creds *out, struct dr_err *e);
int dr_credhelper_erase(const char *helper, const char *config_dir, const char *server,
			struct dr_err *e);
int dr_credhelper_list(const char *helper, const char *config_dir, struct dr_list *out,
		       struct dr_err *e);

#endif
