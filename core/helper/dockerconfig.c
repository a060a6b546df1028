#include "helper/dockerconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/secmem.h"
#include "base/serverurl.h"

int dr_dockercfg_load(struct dr_dockercfg *c, const char *dir, struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	json_error_t jerr;
	int rc;

	memset(c, 0, sizeof(*c));
	c->dir = strdup(dir);
	if (!c->dir || asprintf(&c->path, "%s/config.json", dir) < 0) {
		c->path = NULL;
		dr_dockercfg_free(c);
		return dr_oom(e);
	}
	rc = dr_file_read(c->path, DR_DOCKERCONFIG_LIMIT, &buf, e);
	if (rc == DR_ENOTFOUND) {
		c->root = json_object();
		return 0;
	}
	if (rc) {
		dr_dockercfg_free(c);
		return rc;
	}
	c->root = json_loadb(buf.data, buf.len, 0, &jerr);
	dr_buf_wipe(&buf); /* a legacy config may hold base64 passwords */
	if (!json_is_object(c->root)) {
		rc = dr_fail(e, DR_EINVAL, "%s is not a JSON object: %s", c->path,
			     c->root ? "wrong type" : jerr.text);
		dr_dockercfg_free(c);
		return rc;
	}
	return 0;
}

int dr_dockercfg_save(struct dr_dockercfg *c, struct dr_err *e)
{
	char *text;
	int rc;

	rc = dr_mkdir_p(c->dir, 0700, e);
	if (rc)
		return rc;
	text = json_dumps(c->root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return dr_fail(e, DR_EIO, "cannot encode %s", c->path);
	rc = dr_file_write_atomic(c->path, text, strlen(text), 0600, e);
	dr_wipe_free(text);
	return rc;
}

void dr_dockercfg_free(struct dr_dockercfg *c)
{
	json_decref(c->root);
	free(c->dir);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

char *dr_docker_auth_key(const char *server)
{
	char *key = NULL, *host;

	if (dr_serverurl_canonical(server, &key, NULL) != 0)
		return NULL;
	if (strcmp(key, DR_HUB_KEY) == 0 || strncmp(key, DR_HUB_KEY "/", 10) == 0) {
		free(key);
		return strdup(DR_HUB_INDEX);
	}
	host = dr_serverurl_key_host(key);
	free(key);
	return host;
}

char *dr_docker_helper_key(const char *server)
{
	char *key = NULL, *host;

	if (dr_serverurl_canonical(server, &key, NULL) != 0)
		return NULL;
	host = dr_serverurl_key_host(key);
	free(key);
	return host;
}

static json_t *child_object(json_t *root, const char *name)
{
	json_t *o = json_object_get(root, name);

	if (json_is_object(o))
		return o;
	o = json_object();
	json_object_set_new(root, name, o);
	return o;
}

int dr_dockercfg_use_helper(struct dr_dockercfg *c, const char *server, const char *helper,
			    int set_creds_store, struct dr_err *e)
{
	char *auth_key = dr_docker_auth_key(server);
	char *helper_key = dr_docker_helper_key(server);
	json_t *entry;
	int rc = 0;

	if (!auth_key || !helper_key) {
		rc = dr_fail(e, DR_EINVAL, "not a registry address: %s", server);
		goto out;
	}
	if (set_creds_store)
		json_object_set_new(c->root, "credsStore", json_string(helper));
	json_object_set_new(child_object(c->root, "credHelpers"), helper_key, json_string(helper));
	/* the marker docker writes for helper-held credentials; an email is
	 * all docker keeps in it */
	entry = json_object();
	{
		json_t *old = json_object_get(json_object_get(c->root, "auths"), auth_key);
		json_t *email = json_object_get(old, "email");

		if (json_is_string(email))
			json_object_set(entry, "email", email);
	}
	json_object_set_new(child_object(c->root, "auths"), auth_key, entry);
out:
	free(auth_key);
	free(helper_key);
	return rc;
}

/* Every auths key of the same registry (docker accepts several spellings). */
static void drop_auth_keys(json_t *auths, const char *server)
{
	char *want = dr_docker_auth_key(server);
	const char *key;
	json_t *v;
	void *tmp;

	if (!want || !json_is_object(auths)) {
		free(want);
		return;
	}
	json_object_foreach_safe(auths, tmp, key, v) {
		char *k = dr_docker_auth_key(key);

		if (k && strcmp(k, want) == 0)
			json_object_del(auths, key);
		free(k);
	}
	free(want);
}

void dr_dockercfg_forget(struct dr_dockercfg *c, const char *server)
{
	char *helper_key = dr_docker_helper_key(server);
	json_t *helpers = json_object_get(c->root, "credHelpers");

	drop_auth_keys(json_object_get(c->root, "auths"), server);
	if (helper_key && json_is_object(helpers))
		json_object_del(helpers, helper_key);
	free(helper_key);
}

int dr_dockercfg_has_auths(const struct dr_dockercfg *c)
{
	json_t *auths = json_object_get(c->root, "auths");

	return json_is_object(auths) && json_object_size(auths) > 0;
}

json_t *dr_dockercfg_auth_entry(const struct dr_dockercfg *c, const char *server)
{
	json_t *auths = json_object_get(c->root, "auths"), *v, *found = NULL;
	char *want = dr_docker_auth_key(server);
	const char *key;

	if (!want || !json_is_object(auths)) {
		free(want);
		return NULL;
	}
	json_object_foreach(auths, key, v) {
		char *k = dr_docker_auth_key(key);

		if (!found && k && strcmp(k, want) == 0)
			found = v;
		free(k);
	}
	free(want);
	return found;
}

const char *dr_dockercfg_helper_for(const struct dr_dockercfg *c, const char *server)
{
	json_t *helpers = json_object_get(c->root, "credHelpers");
	char *key = dr_docker_helper_key(server);
	json_t *v = key && json_is_object(helpers) ? json_object_get(helpers, key) : NULL;

	free(key);
	if (json_is_string(v))
		return json_string_value(v);
	v = json_object_get(c->root, "credsStore");
	return json_is_string(v) && json_string_value(v)[0] ? json_string_value(v) : NULL;
}
