#include "kube/kube_secret.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

/* base64 into a json string; every intermediate copy is wiped */
static json_t *base64_string(const void *data, size_t len)
{
	gchar *b64 = g_base64_encode(data, len);
	json_t *s = b64 ? json_string(b64) : NULL;

	if (b64) {
		explicit_bzero(b64, strlen(b64));
		g_free(b64);
	}
	return s;
}

int dr_kube_auths_add(json_t *auths, const char *key, const char *username, const char *secret,
		      size_t secret_len, int token, struct dr_err *e)
{
	json_t *entry = json_object(), *pw = NULL, *auth = NULL;
	size_t ulen = strlen(username), n = ulen + 1 + secret_len;
	char *pair;

	if (!entry)
		return dr_oom(e);
	if (token) {
		json_object_set_new(entry, "identitytoken", json_stringn(secret, secret_len));
		return json_object_set_new(auths, key, entry) ? dr_oom(e) : 0;
	}
	pair = malloc(n);
	if (!pair) {
		json_decref(entry);
		return dr_oom(e);
	}
	memcpy(pair, username, ulen);
	pair[ulen] = ':';
	memcpy(pair + ulen + 1, secret, secret_len);
	auth = base64_string(pair, n);
	explicit_bzero(pair, n);
	free(pair);
	pw = json_stringn(secret, secret_len);
	if (!auth || !pw) {
		/* a secret with invalid UTF-8 cannot go into JSON */
		json_decref(auth);
		json_decref(pw);
		json_decref(entry);
		return dr_fail(e, DR_EINVAL, "the password for %s is not valid UTF-8", key);
	}
	json_object_set_new(entry, "username", json_string(username));
	json_object_set_new(entry, "password", pw);
	json_object_set_new(entry, "auth", auth);
	return json_object_set_new(auths, key, entry) ? dr_oom(e) : 0;
}

json_t *dr_kube_secret_build(const char *name, const char *ns, const char *app,
			     const json_t *auths, struct dr_err *e)
{
	json_t *cfg = json_pack("{s:O}", "auths", auths), *secret = NULL, *data;
	size_t len = cfg ? json_dumpb(cfg, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS) : 0;
	char *text = len ? malloc(len) : NULL;

	if (text && json_dumpb(cfg, text, len, JSON_COMPACT | JSON_SORT_KEYS) == len) {
		data = base64_string(text, len);
		secret = data ? json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}, s:{s:s}}, s:s, s:{s:o}}",
					  "apiVersion", "v1", "kind", "Secret", "metadata",
					  "name", name, "namespace", ns,
					  "labels", DR_KUBE_MANAGED_BY_LABEL, DR_KUBE_MANAGER,
					  "annotations", DR_KUBE_APP_ANNOTATION, app,
					  "type", DR_KUBE_SECRET_TYPE,
					  "data", ".dockerconfigjson", data)
			      : NULL;
	}
	if (text) {
		explicit_bzero(text, len);
		free(text);
	}
	json_decref(cfg);
	if (!secret)
		dr_fail(e, DR_EIO, "cannot build the Secret for %s", app);
	return secret;
}

static int rfc1123(const char *s, size_t max, int dots)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int edge = i == 0 || i == n - 1 || (dots && (s[i - 1] == '.' || s[i + 1] == '.'));

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if ((c == '-' || (dots && c == '.')) && !edge)
			continue;
		return 0;
	}
	return 1;
}

int dr_kube_name_valid(const char *name)
{
	return rfc1123(name, 253, 1);
}

int dr_kube_namespace_valid(const char *ns)
{
	return rfc1123(ns, 63, 0);
}

enum dr_kube_owner dr_kube_secret_owner(const char *body, size_t len, const char *app)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	json_t *meta = json_object_get(root, "metadata");
	const char *by = json_string_value(
		json_object_get(json_object_get(meta, "labels"), DR_KUBE_MANAGED_BY_LABEL));
	const char *for_app = json_string_value(
		json_object_get(json_object_get(meta, "annotations"), DR_KUBE_APP_ANNOTATION));
	enum dr_kube_owner owner = DR_KUBE_NOT_OURS;

	if (by && strcmp(by, DR_KUBE_MANAGER) == 0)
		owner = for_app && strcmp(for_app, app) == 0 ? DR_KUBE_OURS : DR_KUBE_OTHER_APP;
	json_decref(root);
	return owner;
}
