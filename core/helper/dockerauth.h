/* Credentials for a registry the way Docker resolves them for one config
 * dir: credHelpers[host] -> `docker-credential-<h> get`, else credsStore,
 * else the plaintext auths[host] entry (auth, username/password,
 * identitytoken). The helper runs with DOCKER_CONFIG set to the dir, so
 * docker-credential-dokku answers with an app's own entries. */
#ifndef DR_DOCKERAUTH_H
#define DR_DOCKERAUTH_H

#include <stddef.h>

#include "base/err.h"

struct dr_dockerauth {
	char *username;
	char *secret;      /* password, or the identity token */
	size_t secret_len;
	int token;         /* secret is an identity token */
	char *source;      /* "docker-credential-<h>" or "config.json" */
};

/* DR_ENOTFOUND when the dir has nothing for server (anonymous). A helper
 * that fails is an error naming it. */
int dr_dockerauth_resolve(const char *config_dir, const char *server, struct dr_dockerauth *out,
			  struct dr_err *e);
void dr_dockerauth_wipe(struct dr_dockerauth *a);

/* The registries config_dir/config.json has a login or a helper for (keys
 * of auths and credHelpers), as Docker auth keys (Hub:
 * https://index.docker.io/v1/), de-duplicated, appended to *keys (a
 * NULL-terminated malloc'd vector; free with dr_strv_free). */
int dr_dockerauth_registries(const char *config_dir, char ***keys, struct dr_err *e);

#endif
