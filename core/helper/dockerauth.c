#include "helper/dockerauth.h"

#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "base/serverurl.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"
#include "helper/preflight.h"
#include "helper/protocol.h"

#define MAX_REGISTRIES 256

static int take_str(char **dst, const char *s, struct dr_err *e)
{
	*dst = strdup(s);
	return *dst ? 0 : dr_oom(e);
}

/* auths[key]: identitytoken, username/password, or auth = base64(user:password) */
static int from_auths(json_t *entry, const char *server, struct dr_dockerauth *out,
		      struct dr_err *e)
{
	const char *idt = json_string_value(json_object_get(entry, "identitytoken"));
	const char *user = json_string_value(json_object_get(entry, "username"));
	const char *pw = json_string_value(json_object_get(entry, "password"));
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	guchar *raw = NULL;
	gsize len = 0;
	char *colon;
	int rc;

	if (idt && idt[0]) {
		out->token = 1;
		rc = take_str(&out->username, DR_TOKEN_USERNAME, e);
		if (rc == 0)
			rc = take_str(&out->secret, idt, e);
		out->secret_len = out->secret ? strlen(out->secret) : 0;
		return rc;
	}
	if (user && user[0] && pw && pw[0]) {
		rc = take_str(&out->username, user, e);
		if (rc == 0)
			rc = take_str(&out->secret, pw, e);
		out->secret_len = out->secret ? strlen(out->secret) : 0;
		return rc;
	}
	if (!auth || !auth[0])
		return dr_fail(e, DR_ENOTFOUND, "no credentials for %s", server);
	raw = g_base64_decode(auth, &len);
	colon = raw ? memchr(raw, ':', len) : NULL;
	if (!colon || colon == (char *)raw || memchr(raw, '\0', len)) {
		rc = dr_fail(e, DR_EINVAL, "the auths entry for %s in config.json is not "
			     "base64 \"user:password\"", server);
	} else {
		out->username = strndup((char *)raw, (size_t)(colon - (char *)raw));
		out->secret_len = len - (size_t)(colon - (char *)raw) - 1;
		out->secret = strndup(colon + 1, out->secret_len);
		rc = out->username && out->secret ? 0 : dr_oom(e);
	}
	if (raw) {
		explicit_bzero(raw, len);
		g_free(raw);
	}
	return rc;
}

int dr_dockerauth_resolve(const char *config_dir, const char *server, struct dr_dockerauth *out,
			  struct dr_err *e)
{
	struct dr_dockercfg cfg;
	struct dr_creds c = { 0 };
	char *key = dr_docker_auth_key(server);
	const char *helper;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!key)
		return dr_fail(e, DR_EINVAL, "not a registry address: %s", server);
	rc = dr_dockercfg_load(&cfg, config_dir, e);
	if (rc) {
		free(key);
		return rc;
	}
	helper = dr_dockercfg_helper_for(&cfg, server);
	if (helper) {
		rc = dr_credhelper_get(helper, config_dir, key, &c, e);
		if (rc == 0 && (!c.username || !c.secret || !c.secret_len))
			rc = dr_fail(e, DR_ENOTFOUND, "docker-credential-%s has an empty entry for %s",
				     helper, key);
		if (rc == 0) {
			out->token = strcmp(c.username, DR_TOKEN_USERNAME) == 0;
			out->username = c.username;
			out->secret = c.secret;
			out->secret_len = c.secret_len;
			c.username = c.secret = NULL;
			if (asprintf(&out->source, "docker-credential-%s", helper) < 0)
				out->source = NULL;
		} else if (rc != DR_ENOTFOUND) {
			rc = dr_fail(e, rc, "docker-credential-%s get %s: %s%s", helper, key, e ? e->msg : "",
				     strcmp(helper, DR_OWN_HELPER) == 0 ? dr_keyring_fix_suffix(e ? e->msg : NULL)
									 : "");
		}
		dr_creds_wipe(&c);
	} else {
		json_t *entry = dr_dockercfg_auth_entry(&cfg, server);

		rc = entry ? from_auths(entry, key, out, e)
			   : dr_fail(e, DR_ENOTFOUND, "no credentials for %s", key);
		if (rc == 0)
			out->source = strdup("config.json");
	}
	if (rc)
		dr_dockerauth_wipe(out);
	dr_dockercfg_free(&cfg);
	free(key);
	return rc;
}

void dr_dockerauth_wipe(struct dr_dockerauth *a)
{
	dr_str_wipe_free(a->username);
	if (a->secret) {
		explicit_bzero(a->secret, a->secret_len);
		dr_str_wipe_free(a->secret);
	}
	free(a->source);
	memset(a, 0, sizeof(*a));
}

static int add_key(char ***keys, const char *server, struct dr_err *e)
{
	char *key = dr_docker_auth_key(server), **grown;
	size_t n = 0;

	if (!key)
		return 0; /* not a registry address: docker could not use it either */
	while (*keys && (*keys)[n]) {
		if (strcmp((*keys)[n], key) == 0) {
			free(key);
			return 0;
		}
		n++;
	}
	if (n >= MAX_REGISTRIES) {
		free(key);
		return dr_fail(e, DR_ETOOBIG, "more than %d registries", MAX_REGISTRIES);
	}
	grown = realloc(*keys, (n + 2) * sizeof(char *));
	if (!grown) {
		free(key);
		return dr_oom(e);
	}
	grown[n] = key;
	grown[n + 1] = NULL;
	*keys = grown;
	return 0;
}

int dr_dockerauth_registries(const char *config_dir, char ***keys, struct dr_err *e)
{
	struct dr_dockercfg cfg;
	const char *names[] = { "auths", "credHelpers" }, *k;
	json_t *v;
	int rc = dr_dockercfg_load(&cfg, config_dir, e);

	for (size_t i = 0; rc == 0 && i < 2; i++) {
		json_t *o = json_object_get(cfg.root, names[i]);

		json_object_foreach(json_is_object(o) ? o : NULL, k, v) {
			rc = add_key(keys, k, e);
			if (rc)
				break;
		}
	}
	if (rc == 0 && !*keys) {
		*keys = calloc(1, sizeof(char *));
		if (!*keys)
			rc = dr_oom(e);
	}
	dr_dockercfg_free(&cfg);
	return rc;
}
