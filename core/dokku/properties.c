#include "dokku/properties.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"

#include <glib.h>

const char *dr_props_base(void)
{
	static char base[4096];
	const char *root;

	if (base[0])
		return base;
	root = getenv("DOKKU_LIB_ROOT");
	if (!root || !root[0])
		root = "/var/lib/dokku";
	snprintf(base, sizeof(base), "%s/config/registry", root);
	return base;
}

char *dr_props_dir(const char *app)
{
	size_t n = strlen(dr_props_base()) + strlen(app) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dr_props_base(), app);
	return p;
}

static char *prop_path(const char *app, const char *prop)
{
	size_t n = strlen(dr_props_base()) + strlen(app) + strlen(prop) + 3;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s/%s", dr_props_base(), app, prop);
	return p;
}

/* Reads are cached for the life of the process: a report of 1000 apps reads
 * every global property a thousand times otherwise. Any write through this
 * file drops the cache. */
static GHashTable *cache;

static void cache_drop(void)
{
	if (cache)
		g_hash_table_remove_all(cache);
}

static char *cache_key(const char *app, const char *prop)
{
	return g_strconcat(app, "/", prop, NULL);
}

/* Lists the app's property directory once: a property without a file reads
 * as "" from the cache, no failed open() per missing property. The marker
 * "<app>/" says the directory was listed. */
static void cache_scan(const char *app)
{
	char *marker = cache_key(app, ""), *dir;
	struct dirent *ent;
	DIR *d;

	if (g_hash_table_contains(cache, marker)) {
		g_free(marker);
		return;
	}
	g_hash_table_insert(cache, marker, g_strdup(""));
	dir = dr_props_dir(app);
	d = dir ? opendir(dir) : NULL;
	free(dir);
	if (!d)
		return;
	for (ent = readdir(d); ent; ent = readdir(d)) {
		if (ent->d_name[0] != '.')
			g_hash_table_insert(cache, g_strconcat(app, "/", ent->d_name, "!", NULL), NULL);
	}
	closedir(d);
}

/* 1 when the listed directory has no file for prop */
static int cache_known_missing(const char *app, const char *prop)
{
	char *present = g_strconcat(app, "/", prop, "!", NULL);
	int missing = !g_hash_table_contains(cache, present);

	g_free(present);
	return missing;
}

/* Property names and app names become path components. */
static int safe_component(const char *s)
{
	return s[0] && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

int dr_prop_check(const char *app, const char *prop, size_t value_len, struct dr_err *e)
{
	size_t name = strlen(prop), path = strlen(dr_props_base()) + strlen(app) + name + 2;

	if (!safe_component(app) || !safe_component(prop))
		return dr_fail(e, DR_EINVAL, "invalid property path %s/%s", app, prop);
	/* the atomic write's temp file is "<name>.tmpXXXXXX" in the same directory */
	if (name > DR_PROP_NAME_MAX)
		return dr_fail(e, DR_EINVAL, "the property name \"%.40s...\" is %zu bytes long, over the "
			       "%d a property file may have", prop, name, DR_PROP_NAME_MAX);
	if (path + DR_TEMP_SUFFIX_LEN >= PATH_MAX)
		return dr_fail(e, DR_EINVAL, "the path of property %.40s of %.40s would be over %d bytes",
			       prop, app, PATH_MAX);
	if (value_len > DR_PROP_LIMIT)
		return dr_fail(e, DR_EINVAL, "the value of %.60s is %zu bytes, over the %d bytes a "
			       "property may hold (every reader stops there)", prop, value_len, DR_PROP_LIMIT);
	return 0;
}

int dr_prop_get(const char *app, const char *prop, char **value, struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	char *path;
	int rc;

	char *key;
	const char *hit;

	*value = NULL;
	if (!safe_component(app) || !safe_component(prop))
		return dr_fail(e, DR_EINVAL, "invalid property path %s/%s", app, prop);
	if (!cache)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	key = cache_key(app, prop);
	hit = g_hash_table_lookup(cache, key);
	if (!hit) {
		cache_scan(app);
		if (cache_known_missing(app, prop))
			hit = "";
	}
	if (hit) {
		g_free(key);
		*value = strdup(hit);
		return *value ? 0 : dr_oom(e);
	}
	path = prop_path(app, prop);
	if (!path) {
		g_free(key);
		return dr_oom(e);
	}
	rc = dr_file_read(path, DR_PROP_LIMIT, &buf, e);
	free(path);
	if (rc && rc != DR_ENOTFOUND) {
		g_free(key);
		return rc;
	}
	*value = strdup(rc == DR_ENOTFOUND ? "" : buf.data);
	dr_buf_wipe(&buf);
	if (!*value) {
		g_free(key);
		return dr_oom(e);
	}
	g_hash_table_insert(cache, key, g_strdup(*value));
	return 0;
}

int dr_prop_set(const char *app, const char *prop, const char *value, struct dr_err *e)
{
	char *dir, *path;
	int rc;

	rc = dr_prop_check(app, prop, strlen(value), e);
	if (rc)
		return rc;
	cache_drop();
	dir = dr_props_dir(app);
	path = prop_path(app, prop);
	if (!dir || !path)
		rc = dr_oom(e);
	else
		rc = dr_mkdir_p(dir, 0755, e);
	if (rc == 0)
		rc = dr_file_write_atomic(path, value, strlen(value), 0600, e);
	free(dir);
	free(path);
	return rc;
}

int dr_prop_unset(const char *app, const char *prop, struct dr_err *e)
{
	char *path;
	int rc = 0;

	if (!safe_component(app) || !safe_component(prop))
		return dr_fail(e, DR_EINVAL, "invalid property path %s/%s", app, prop);
	cache_drop();
	path = prop_path(app, prop);
	if (!path)
		return dr_oom(e);
	if (unlink(path) != 0 && errno != ENOENT)
		rc = dr_fail(e, DR_EIO, "cannot remove %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

static int mkdir_0755(const char *dir, struct dr_err *e)
{
	return dr_mkdir_p(dir, 0755, e);
}

/* Runs fn on the app's property directory. */
static int on_app_dir(const char *app, int (*fn)(const char *dir, struct dr_err *e),
		      struct dr_err *e)
{
	char *dir;
	int rc;

	if (!safe_component(app))
		return dr_fail(e, DR_EINVAL, "invalid app name %s", app);
	cache_drop();
	dir = dr_props_dir(app);
	if (!dir)
		return dr_oom(e);
	rc = fn(dir, e);
	free(dir);
	return rc;
}

int dr_props_setup_app(const char *app, struct dr_err *e)
{
	return on_app_dir(app, mkdir_0755, e);
}

int dr_props_destroy(const char *app, struct dr_err *e)
{
	return on_app_dir(app, dr_remove_tree, e);
}

static int skipped(const char *name, const char *const *skip)
{
	for (size_t i = 0; skip && skip[i]; i++) {
		if (strcmp(name, skip[i]) == 0)
			return 1;
	}
	return 0;
}

static int copy_one(const char *from_dir, const char *to_dir, const char *name,
		    struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	char *from = NULL, *to = NULL;
	int rc = 0;

	if (asprintf(&from, "%s/%s", from_dir, name) < 0 ||
	    asprintf(&to, "%s/%s", to_dir, name) < 0) {
		free(from);
		return dr_oom(e);
	}
	if (dr_is_file(from)) {
		rc = dr_file_read(from, 16 * 1024 * 1024, &buf, e);
		if (rc == 0)
			rc = dr_file_write_atomic(to, buf.data, buf.len, 0600, e);
	}
	dr_buf_wipe(&buf);
	free(from);
	free(to);
	return rc;
}

int dr_props_clone(const char *old_app, const char *new_app, const char *const *skip,
		   struct dr_err *e)
{
	char *from = dr_props_dir(old_app), *to = dr_props_dir(new_app);
	struct dirent *ent;
	DIR *d;
	int rc = 0;

	if (!from || !to) {
		rc = dr_oom(e);
		goto out;
	}
	cache_drop();
	d = opendir(from);
	if (!d)
		goto out; /* nothing to clone */
	rc = dr_mkdir_p(to, 0755, e);
	for (ent = readdir(d); rc == 0 && ent; ent = readdir(d)) {
		if (ent->d_name[0] == '.' || skipped(ent->d_name, skip))
			continue;
		rc = copy_one(from, to, ent->d_name, e);
	}
	closedir(d);
out:
	free(from);
	free(to);
	return rc;
}
