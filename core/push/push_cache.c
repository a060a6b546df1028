/* Which repositories of a registry hold which blobs (push_int.h), so a
 * push to a new repository can mount instead of upload. One small JSON
 * file, $XDG_CACHE_HOME/dokku-registry/blobs.json:
 *   {"version":1,"hosts":{"<host>":{"<digest>":["repo",...],...},...}}
 * bounded (oldest entries dropped first) and written atomically. It is a
 * hint only: a wrong entry costs one mount attempt that falls back to an
 * upload. Beside it, compressed.json maps "<layer digest> <setting>" to
 * the blob that compressing it made ({"digest","size","mac"}), per host, so
 * a re-push finds that blob without compressing again. That is more than a
 * hint: a wrong entry would make the manifest name another layer's blob,
 * so an entry is used only when its MAC verifies (push_cache_key.c) and the
 * registry's HEAD gives the size it names. Entries "<v1 id> v1-layer" say
 * which layer ({"diff_id","mac"}) a classic `docker save` held in that
 * directory, for the top layer, whose v1 id cannot be worked out before
 * its bytes arrive (imagesource_v1id.c covers the others). */
#include "push/push_int.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/secmem.h"

#define MAX_DIGESTS 4096  /* per host */
#define MAX_REPOS 4       /* per digest, most recent first */
#define MAX_HOSTS 16
#define FILE_MAX ((size_t)8 << 20)

struct dr_blob_cache {
	char *path;
	char *host;
	json_t *known; /* this host's map, as loaded */
	json_t *added; /* what this push learnt: digest -> [repo] */
	/* compressed.json: "<layer digest> <setting>" -> {digest, size} */
	char *zpath;
	json_t *zknown, *zadded;
	unsigned char key[DR_CACHE_KEY_LEN];
	int have_key;          /* else compressed.json is not used */
	pthread_mutex_t lock;
};

static char *cache_path(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *p = NULL;
	int n;

	if (x && *x == '/')
		n = asprintf(&p, "%s/dokku-registry/blobs.json", x);
	else if (home && *home)
		n = asprintf(&p, "%s/.cache/dokku-registry/blobs.json", home);
	else
		return NULL;
	return n < 0 ? NULL : p;
}

static json_t *load_file(const char *path)
{
	struct dr_buf buf = { 0 };
	json_t *root = NULL;

	if (path && dr_file_read(path, FILE_MAX, &buf, NULL) == 0)
		root = json_loadb(buf.data, buf.len, 0, NULL);
	dr_buf_wipe(&buf);
	if (!json_is_object(json_object_get(root, "hosts"))) {
		json_decref(root);
		root = json_pack("{s:i,s:{}}", "version", 1, "hosts");
	}
	return root;
}

/* this host's map in the file at path (an empty one when there is none) */
static json_t *host_map(const char *path, const char *host)
{
	json_t *root = load_file(path), *map;

	map = json_object_get(json_object_get(root, "hosts"), host);
	map = json_is_object(map) ? json_incref(map) : json_object();
	json_decref(root);
	return map;
}

/* compressed.json beside blobs.json */
static char *zcache_path(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *p = NULL;

	if (!slash || asprintf(&p, "%.*s/compressed.json", (int)(slash - path), path) < 0)
		return NULL;
	return p;
}

struct dr_blob_cache *dr_blob_cache_open(const char *host)
{
	struct dr_blob_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->path = cache_path();
	c->zpath = zcache_path(c->path);
	c->host = strdup(host);
	c->known = host_map(c->path, host);
	c->added = json_object();
	c->have_key = c->zpath && dr_cache_key_load(c->key) == 0;
	c->zknown = c->have_key ? host_map(c->zpath, host) : json_object();
	c->zadded = json_object();
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static int in_list(json_t *list, const char *repo)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		if (json_is_string(json_array_get(list, i)) &&
		    strcmp(json_string_value(json_array_get(list, i)), repo) == 0)
			return 1;
	}
	return 0;
}

int dr_blob_cache_source(struct dr_blob_cache *c, const char *digest, const char *not_repo,
			 char *out, size_t n)
{
	json_t *list;
	int found = 0;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->lock);
	list = json_object_get(c->known, digest);
	for (size_t i = 0; i < json_array_size(list) && !found; i++) {
		const char *r = json_string_value(json_array_get(list, i));

		if (r && strcmp(r, not_repo) != 0 && strlen(r) < n) {
			memcpy(out, r, strlen(r) + 1);
			found = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

void dr_blob_cache_add(struct dr_blob_cache *c, const char *digest, const char *repo)
{
	json_t *list;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	list = json_object_get(c->added, digest);
	if (!list) {
		list = json_array();
		json_object_set_new(c->added, digest, list);
	}
	if (!in_list(list, repo))
		json_array_append_new(list, json_string(repo));
	pthread_mutex_unlock(&c->lock);
}

static char *zkey(const char *udigest, const char *setting)
{
	char *k = NULL;

	return asprintf(&k, "%s %s", udigest, setting) < 0 ? NULL : k;
}

int dr_blob_cache_compressed(struct dr_blob_cache *c, const char *udigest, const char *setting,
			     char *out, long long *size)
{
	char *k = c && c->have_key ? zkey(udigest, setting) : NULL;
	char mac[DR_CACHE_MAC_HEX];
	json_t *v;
	const char *d;
	json_int_t n;
	int found = 0;

	if (!k)
		return 0;
	pthread_mutex_lock(&c->lock);
	v = json_object_get(c->zknown, k);
	d = json_string_value(json_object_get(v, "digest"));
	n = json_integer_value(json_object_get(v, "size"));
	if (v)
		found = -1;
	if (d && dr_digest_valid(d) && n > 0) {
		dr_cache_mac(c->key, c->host, udigest, setting, d, (long long)n, mac);
		if (dr_cache_mac_equal(mac, json_string_value(json_object_get(v, "mac")))) {
			snprintf(out, DR_DIGEST_MAX, "%s", d);
			*size = (long long)n;
			found = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	free(k);
	return found;
}

void dr_blob_cache_add_compressed(struct dr_blob_cache *c, const char *udigest,
				  const char *setting, const char *digest, long long size)
{
	char *k = c && c->have_key ? zkey(udigest, setting) : NULL;
	char mac[DR_CACHE_MAC_HEX];

	if (!k)
		return;
	dr_cache_mac(c->key, c->host, udigest, setting, digest, size, mac);
	pthread_mutex_lock(&c->lock);
	if (mac[0])
		json_object_set_new(c->zadded, k, json_pack("{s:s,s:I,s:s}", "digest", digest,
							    "size", (json_int_t)size, "mac", mac));
	pthread_mutex_unlock(&c->lock);
	free(k);
}

#define V1_KIND "v1-layer" /* the second half of those keys */

int dr_blob_cache_v1_layer(struct dr_blob_cache *c, const char *v1id, char *out)
{
	char *k = c && c->have_key ? zkey(v1id, V1_KIND) : NULL;
	char mac[DR_CACHE_MAC_HEX];
	const char *d;
	json_t *v;
	int found = 0;

	if (!k)
		return 0;
	pthread_mutex_lock(&c->lock);
	v = json_object_get(c->zknown, k);
	d = json_string_value(json_object_get(v, "diff_id"));
	if (v)
		found = -1;
	if (d && dr_digest_valid(d)) {
		dr_cache_mac_v1(c->key, c->host, v1id, d, mac);
		if (dr_cache_mac_equal(mac, json_string_value(json_object_get(v, "mac")))) {
			snprintf(out, DR_DIGEST_MAX, "%s", d);
			found = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	free(k);
	return found;
}

void dr_blob_cache_add_v1_layer(struct dr_blob_cache *c, const char *v1id, const char *diff_id)
{
	char *k = c && c->have_key ? zkey(v1id, V1_KIND) : NULL;
	char mac[DR_CACHE_MAC_HEX];

	if (!k)
		return;
	dr_cache_mac_v1(c->key, c->host, v1id, diff_id, mac);
	pthread_mutex_lock(&c->lock);
	if (mac[0])
		json_object_set_new(c->zadded, k, json_pack("{s:s,s:s}", "diff_id", diff_id, "mac",
							    mac));
	pthread_mutex_unlock(&c->lock);
	free(k);
}

/* digest -> repos with ours first; the entry moves to the end (newest). */
static void merge_entry(json_t *map, const char *digest, json_t *ours)
{
	json_t *old = json_object_get(map, digest), *list = json_copy(ours);

	for (size_t i = 0; i < json_array_size(old) && json_array_size(list) < MAX_REPOS; i++) {
		json_t *r = json_array_get(old, i);

		if (json_is_string(r) && !in_list(list, json_string_value(r)))
			json_array_append(list, r);
	}
	while (json_array_size(list) > MAX_REPOS)
		json_array_remove(list, json_array_size(list) - 1);
	json_object_del(map, digest);
	json_object_set_new(map, digest, list);
}

/* Drops the oldest keys of an object (insertion order) down to max. */
static void trim(json_t *obj, size_t max)
{
	while (json_object_size(obj) > max) {
		void *it = json_object_iter(obj);

		json_object_del(obj, json_object_iter_key(it));
	}
}

/* The file at path as it is now, with this host's map last (the most
 * recently used): root, and the map in *map. */
static json_t *load_for_merge(const char *path, const char *host, json_t **map)
{
	json_t *root = load_file(path), *hosts = json_object_get(root, "hosts");

	*map = json_object_get(hosts, host);
	if (!json_is_object(*map)) {
		*map = json_object();
		json_object_set_new(hosts, host, *map);
	} else {
		json_incref(*map);
		json_object_del(hosts, host);
		json_object_set_new(hosts, host, *map);
	}
	return root;
}

static void write_cache(const char *path, json_t *root)
{
	char *dir, *slash, *text;

	trim(json_object_get(root, "hosts"), MAX_HOSTS);
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	dir = strdup(path);
	slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	if (text && slash && dr_mkdir_p(dir, 0700, NULL) == 0)
		dr_file_write_atomic(path, text, strlen(text), 0600, NULL);
	free(text);
	free(dir);
}

void dr_blob_cache_save(struct dr_blob_cache *c)
{
	json_t *root, *map, *v;
	const char *key;

	if (!c || !c->path)
		return;
	/* what other pushes wrote since we loaded it wins, plus ours */
	if (json_object_size(c->added) > 0) {
		root = load_for_merge(c->path, c->host, &map);
		json_object_foreach(c->added, key, v)
			merge_entry(map, key, v);
		trim(map, MAX_DIGESTS);
		write_cache(c->path, root);
		json_decref(root);
	}
	if (c->zpath && json_object_size(c->zadded) > 0) {
		root = load_for_merge(c->zpath, c->host, &map);
		json_object_foreach(c->zadded, key, v) {
			json_object_del(map, key); /* to the end: the newest */
			json_object_set(map, key, v);
		}
		trim(map, MAX_DIGESTS);
		write_cache(c->zpath, root);
		json_decref(root);
	}
}

void dr_blob_cache_free(struct dr_blob_cache *c)
{
	if (!c)
		return;
	json_decref(c->known);
	json_decref(c->added);
	json_decref(c->zknown);
	json_decref(c->zadded);
	free(c->zpath);
	explicit_bzero(c->key, sizeof(c->key));
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c->host);
	free(c);
}
