/* Credentials for a push (push_int.h): resolved as docker does for one
 * config dir (core/dockerauth.c), with "nothing stored" meaning an
 * anonymous push, as in docker. */
#include "push/push_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/dockerauth.h"

static char *default_dir(void)
{
	const char *env = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *dir = NULL;

	if (env && *env)
		return strdup(env);
	if (asprintf(&dir, "%s/.docker", home && *home ? home : ".") < 0)
		return NULL;
	return dir;
}

int dr_push_credentials(const char *config_dir, const char *host, char **user, char **secret,
			struct dr_err *e)
{
	struct dr_dockerauth a;
	char *dir = config_dir ? strdup(config_dir) : default_dir();
	int rc;

	*user = *secret = NULL;
	if (!dir)
		return dr_oom(e);
	/* the helper sees the same DOCKER_CONFIG docker would give it, so ours
	 * picks an app's own entries */
	rc = dr_dockerauth_resolve(dir, host, &a, e);
	if (rc == 0) {
		*user = a.username;
		*secret = a.secret;
		a.username = a.secret = NULL;
	} else if (rc == DR_ENOTFOUND) {
		rc = 0; /* docker goes on anonymously */
	}
	dr_dockerauth_wipe(&a);
	free(dir);
	return rc;
}
