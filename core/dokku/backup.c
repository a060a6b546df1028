/* The registry plugin's backup: properties to and from the recipe slice
 * (plugins/common/backup.go in Dokku), and the login records. */
#include "dokku/backup.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "base/atomicfile.h"
#include "dokku/properties.h"
#include "helper/dockerconfig.h"

/* Docker's config.json shares the app's property directory: it is a login,
 * not a setting, and never goes into the recipe. */
#define CREDENTIALS_FILE "config.json"

char *dr_backup_recipe_path(const char *scope_dir)
{
	char *p = NULL;

	if (asprintf(&p, "%s/config/%s.yml", scope_dir, DR_BACKUP_PLUGIN) < 0)
		return NULL;
	return p;
}

char *dr_backup_logins_path(const char *scope_dir)
{
	char *p = NULL;

	if (asprintf(&p, "%s/data/%s/logins.json", scope_dir, DR_BACKUP_PLUGIN) < 0)
		return NULL;
	return p;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The property names of dir: regular files, sorted bytewise as Go's
 * sort.Strings. Dot files are temp or foreign files, not properties. */
static int list_properties(const char *dir, GPtrArray *names, struct dr_err *e)
{
	struct dirent *ent;
	DIR *d = opendir(dir);

	if (!d)
		return 0; /* no directory, no properties (Dokku's PropertyGetAll) */
	for (ent = readdir(d); ent; ent = readdir(d)) {
		char *path = NULL;
		int file;

		if (ent->d_name[0] == '.' || strcmp(ent->d_name, CREDENTIALS_FILE) == 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, ent->d_name) < 0) {
			closedir(d);
			return dr_oom(e);
		}
		file = dr_is_file(path);
		free(path);
		if (file)
			g_ptr_array_add(names, g_strdup(ent->d_name));
	}
	closedir(d);
	if (names->len > 1)
		qsort(names->pdata, names->len, sizeof(char *), by_name);
	return 0;
}

static int write_recipe(const char *scope_dir, const struct dr_recipe *r, struct dr_err *e)
{
	char *path = dr_backup_recipe_path(scope_dir), *dir = NULL, *yaml = NULL;
	size_t len = 0;
	int rc;

	if (!path || asprintf(&dir, "%s/config", scope_dir) < 0) {
		free(path);
		return dr_oom(e);
	}
	rc = dr_recipe_emit(r, DR_BACKUP_PLAY, DR_BACKUP_TASK, &yaml, &len, e);
	if (rc == 0)
		rc = dr_mkdir_p(dir, 0755, e);
	if (rc == 0)
		rc = dr_file_write_atomic(path, yaml, len, 0600, e);
	free(yaml);
	free(dir);
	free(path);
	return rc;
}

int dr_backup_props_export(const char *app, const char *scope_dir, struct dr_err *e)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct dr_recipe r = { 0 };
	int global = strcmp(app, DR_GLOBAL) == 0, rc;
	char *dir = dr_props_dir(app);

	rc = dir ? list_properties(dir, names, e) : dr_oom(e);
	for (guint i = 0; rc == 0 && i < names->len; i++) {
		char *path = NULL;
		struct dr_buf value = { 0 };

		if (asprintf(&path, "%s/%s", dir, (char *)names->pdata[i]) < 0) {
			rc = dr_oom(e);
			break;
		}
		rc = dr_file_read(path, DR_PROP_LIMIT, &value, e);
		free(path);
		if (rc == DR_ENOTFOUND) {
			rc = 0; /* gone since the listing */
			continue;
		}
		if (rc == 0)
			rc = dr_recipe_add(&r, global ? NULL : app, global, names->pdata[i],
					   value.data ? value.data : "", NULL, e);
		dr_buf_wipe(&value);
	}
	if (rc == 0 && r.n > 0)
		rc = write_recipe(scope_dir, &r, e);
	dr_recipe_free(&r);
	g_ptr_array_free(names, TRUE);
	free(dir);
	return rc;
}

/* A recipe property becomes a file name in the app's directory: one path
 * component, which the write and every reader accept (checked for every
 * task before the first is applied: an import is all or nothing). */
static int check_task(const char *app, const char *path, const struct dr_recipe_task *t,
		      struct dr_err *e)
{
	const char *p = t->property;
	int absent = t->state && strcmp(t->state, "absent") == 0;

	if (!p[0] || strcmp(p, CREDENTIALS_FILE) == 0)
		return 0;
	if (strchr(p, '/') || p[0] == '.')
		return dr_fail(e, DR_EINVAL, "%s: line %zu: \"%.60s\" is not a registry property",
			       path, t->line, p);
	if (dr_prop_check(app, p, absent ? 0 : strlen(t->value), e) != 0)
		return dr_fail(e, DR_EINVAL, "%s: line %zu: %s", path, t->line, e->msg);
	return 0;
}

int dr_backup_props_import(const char *app, const char *scope_dir, struct dr_backup_import *out,
			   struct dr_err *e)
{
	char *path = dr_backup_recipe_path(scope_dir);
	struct dr_buf data = { 0 };
	struct dr_recipe r = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!path)
		return dr_oom(e);
	rc = dr_file_read(path, DR_RECIPE_LIMIT, &data, e);
	if (rc == DR_ENOTFOUND) {
		free(path);
		return 0;
	}
	if (rc == 0)
		rc = dr_recipe_parse(data.data, data.len, path, DR_BACKUP_TASK, &r, e);
	for (size_t i = 0; rc == 0 && i < r.n; i++)
		rc = check_task(app, path, &r.tasks[i], e);
	for (size_t i = 0; rc == 0 && i < r.n; i++) {
		const struct dr_recipe_task *t = &r.tasks[i];

		if (!t->property[0])
			continue; /* as Dokku: a task without a property does nothing */
		/* Dokku's own plugin exports the app's docker config with the
		 * properties; logins come back through the keyring, never a file */
		if (strcmp(t->property, CREDENTIALS_FILE) == 0) {
			if (out->credential_tasks++ == 0)
				out->credential_line = t->line;
			dr_login_recs_from_dockercfg(t->value, &out->logins);
			continue;
		}
		if (t->state && strcmp(t->state, "absent") == 0)
			rc = dr_prop_unset(app, t->property, e);
		else
			rc = dr_prop_set(app, t->property, t->value, e);
		if (rc == 0)
			out->applied++;
	}
	dr_recipe_free(&r);
	dr_buf_wipe(&data);
	free(path);
	return rc;
}

/* The user name of a plaintext auths value ("user:password" in base64);
 * the password part is wiped at once. */
char *dr_basic_auth_username(const char *b64)
{
	gsize n = 0;
	guchar *raw = g_base64_decode(b64, &n);
	char *colon = raw ? memchr(raw, ':', n) : NULL;
	char *user = colon ? strndup((char *)raw, (size_t)(colon - (char *)raw)) : NULL;

	if (raw)
		explicit_bzero(raw, n);
	g_free(raw);
	return user;
}

void dr_login_recs_from_dockercfg(const char *json, struct dr_login_recs *l)
{
	json_t *root = json_loads(json, 0, NULL), *entry;
	const char *key;

	json_object_foreach(json_object_get(root, "auths"), key, entry) {
		json_t *auth = json_object_get(entry, "auth");
		char *server = dr_docker_helper_key(key), *user = NULL;

		if (json_is_string(auth) && json_string_value(auth)[0])
			user = dr_basic_auth_username(json_string_value(auth));
		if (server)
			(void)dr_login_recs_add(l, server, user, NULL);
		free(server);
		free(user);
	}
	json_decref(root);
}

int dr_login_recs_add(struct dr_login_recs *l, const char *server, const char *username,
		      struct dr_err *e)
{
	struct dr_login_rec *grown;

	if (l->n >= DR_LOGINS_MAX)
		return dr_fail(e, DR_ETOOBIG, "more than %d logins", DR_LOGINS_MAX);
	grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return dr_oom(e);
	l->v = grown;
	l->v[l->n].server = strdup(server);
	l->v[l->n].username = username ? strdup(username) : NULL;
	l->n++;
	if (!l->v[l->n - 1].server || (username && !l->v[l->n - 1].username))
		return dr_oom(e);
	return 0;
}

void dr_login_recs_free(struct dr_login_recs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].server);
		free(l->v[i].username);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int by_server(const void *a, const void *b)
{
	const struct dr_login_rec *x = a, *y = b;

	return strcmp(x->server ? x->server : "", y->server ? y->server : "");
}

char *dr_login_recs_emit(struct dr_login_recs *l)
{
	json_t *root = json_object(), *list = json_array();
	char *text = NULL, *out = NULL;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_server);
	for (size_t i = 0; root && list && i < l->n; i++) {
		json_t *rec = json_object();

		json_object_set_new(rec, "server", json_string(l->v[i].server));
		if (l->v[i].username)
			json_object_set_new(rec, "username", json_string(l->v[i].username));
		json_array_append_new(list, rec);
	}
	if (root && list && json_object_set(root, "logins", list) == 0)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text && asprintf(&out, "%s\n", text) < 0)
		out = NULL;
	free(text);
	json_decref(list);
	json_decref(root);
	return out;
}

int dr_login_recs_parse(const char *data, size_t len, const char *name,
			struct dr_login_recs *out, struct dr_err *e)
{
	json_error_t jerr;
	json_t *root, *list, *rec;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > DR_LOGINS_LIMIT)
		return dr_fail(e, DR_ETOOBIG, "%s: more than %d bytes", name, DR_LOGINS_LIMIT);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return dr_fail(e, DR_EINVAL, "%s: line %d: %s", name, jerr.line, jerr.text);
	list = json_object_get(root, "logins");
	if (!json_is_array(list))
		rc = dr_fail(e, DR_EINVAL, "%s: \"logins\" must be a list", name);
	json_array_foreach(rc == 0 ? list : NULL, i, rec) {
		json_t *server = json_object_get(rec, "server"), *user = json_object_get(rec, "username");
		char *key = json_is_string(server) ? dr_docker_helper_key(json_string_value(server)) : NULL;

		if (!key || (user && !json_is_string(user)))
			rc = dr_fail(e, DR_EINVAL, "%s: login %zu is not a server and a user name",
				     name, i + 1);
		else
			rc = dr_login_recs_add(out, key, user ? json_string_value(user) : NULL, e);
		free(key);
		if (rc)
			break;
	}
	json_decref(root);
	if (rc)
		dr_login_recs_free(out);
	return rc;
}
