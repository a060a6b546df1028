/* Credentials for a push (push_int.h), the way docker finds them in a
 * config.json: a credential helper first (credHelpers[host], then
 * credsStore), then the legacy plaintext auths entry. */
#include "push_int.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credhelper.h"
#include "dockerconfig.h"
#include "secmem.h"

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

/* auths[host]: "auth" (base64 user:password) or "identitytoken". */
static int from_auths(const struct dr_dockercfg *cfg, const char *host, char **user,
		      char **secret, struct dr_err *e)
{
	json_t *entry = dr_dockercfg_auth_entry(cfg, host);
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *idt = json_string_value(json_object_get(entry, "identitytoken"));
	guchar *raw;
	gsize len = 0;
	char *colon;

	if (idt && *idt) {
		*user = strdup(DR_IDENTITY_TOKEN_USER);
		*secret = strdup(idt);
		return *user && *secret ? 0 : dr_fail(e, DR_EIO, "out of memory");
	}
	if (!auth || !*auth)
		return 0;
	raw = g_base64_decode(auth, &len);
	colon = raw ? memchr(raw, ':', len) : NULL;
	if (colon && colon != (char *)raw && memchr(raw, '\0', len) == NULL) {
		*user = strndup((char *)raw, (size_t)(colon - (char *)raw));
		*secret = strndup(colon + 1, len - (size_t)(colon - (char *)raw) - 1);
	}
	if (raw) {
		explicit_bzero(raw, len);
		g_free(raw);
	}
	if (!colon)
		return dr_fail(e, DR_EINVAL, "the auths entry for %s in config.json is not "
			       "base64 \"user:password\"", host);
	return *user && *secret ? 0 : dr_fail(e, DR_EIO, "out of memory");
}

int dr_push_credentials(const char *config_dir, const char *host, char **user, char **secret,
			struct dr_err *e)
{
	struct dr_dockercfg cfg;
	struct dr_creds c = { 0 };
	char *dir = config_dir ? strdup(config_dir) : default_dir();
	char *server = dr_docker_auth_key(host);
	const char *helper;
	int rc;

	*user = *secret = NULL;
	if (!dir || !server) {
		free(dir);
		free(server);
		return dr_fail(e, DR_EIO, "out of memory");
	}
	rc = dr_dockercfg_load(&cfg, dir, e);
	helper = rc == 0 ? dr_dockercfg_helper_for(&cfg, host) : NULL;
	if (helper) {
		/* the helper sees the same DOCKER_CONFIG docker would give it,
		 * so ours picks an app's own entries */
		rc = dr_credhelper_get(helper, dir, server, &c, e);
		if (rc == 0 && c.username && *c.username && c.secret && *c.secret) {
			*user = c.username;
			*secret = c.secret;
			c.username = c.secret = NULL;
		}
		if (rc == DR_ENOTFOUND)
			rc = 0; /* docker goes on anonymously; a plaintext entry may exist */
		else if (rc)
			rc = dr_fail(e, rc, "cannot get credentials for %s: %s", host, e ? e->msg : "");
		dr_creds_wipe(&c);
	}
	if (rc == 0 && !*user)
		rc = from_auths(&cfg, host, user, secret, e);
	if (rc) {
		dr_str_wipe_free(*user);
		dr_str_wipe_free(*secret);
		*user = *secret = NULL;
	}
	dr_dockercfg_free(&cfg);
	free(dir);
	free(server);
	return rc;
}
