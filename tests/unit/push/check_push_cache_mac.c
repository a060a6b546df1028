/* push_cache.c and push_cache_key.c: compressed.json's entries are used
 * only when their HMAC under this user's key verifies; edited, swapped,
 * MAC-less entries and another key's are present but refused (-1); the
 * same for the entries naming the layer a classic save's v1 id held. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "push/push_int.h"
#include "fixture.h"
#include "unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define HOST "127.0.0.1:5000"

static char cache_dir[256];

static void cache_setup(void)
{
	unit_world_setup();
	unit_path(cache_dir, sizeof(cache_dir), "cache/dokku-registry");
}

#define UD1 "sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define UD2 "sha256:a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"

/* dr_blob_cache_compressed of a freshly opened cache; digest into out */
static int zlookup(const char *host, const char *ud, char *out, long long *size)
{
	struct dr_blob_cache *c = dr_blob_cache_open(host);
	int found = dr_blob_cache_compressed(c, ud, "gzip-4", out, size);

	dr_blob_cache_free(c);
	return found;
}

/* compressed.json rewritten by f (the host's map) */
static void zedit(void (*f)(json_t *map))
{
	char zfile[300], *text;
	json_t *root;

	snprintf(zfile, sizeof(zfile), "%s/compressed.json", cache_dir);
	text = unit_read(zfile, NULL);
	root = json_loads(text, 0, NULL);
	free(text);
	ck_assert_ptr_nonnull(root);
	f(json_object_get(json_object_get(root, "hosts"), HOST));
	text = json_dumps(root, JSON_COMPACT);
	unit_write(zfile, text, strlen(text), 0600);
	free(text);
	json_decref(root);
}

static void edit_digest(json_t *map)
{
	json_object_set_new(json_object_get(map, UD1 " gzip-4"), "digest", json_string(D2));
}

static void edit_size(json_t *map)
{
	json_object_set_new(json_object_get(map, UD1 " gzip-4"), "size", json_integer(1001));
}

static void swap_entries(json_t *map)
{
	json_t *a = json_incref(json_object_get(map, UD1 " gzip-4"));

	json_object_set(map, UD1 " gzip-4", json_object_get(map, UD2 " gzip-4"));
	json_object_set_new(map, UD2 " gzip-4", a);
}

static void drop_macs(json_t *map)
{
	const char *k;
	json_t *v;

	json_object_foreach(map, k, v)
		json_object_del(v, "mac");
}

static void (*const tampers[])(json_t *) = { edit_digest, edit_size, swap_entries, drop_macs };

static void two_entries(void)
{
	struct dr_blob_cache *c;

	unsetenv("XDG_STATE_HOME");
	c = dr_blob_cache_open(HOST);
	dr_blob_cache_add_compressed(c, UD1, "gzip-4", D1, 1000);
	dr_blob_cache_add_compressed(c, UD2, "gzip-4", D2, 2000);
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
}

START_TEST(test_compressed_verified)
{
	char out[DR_DIGEST_MAX], key[300];
	long long size = 0;

	unsetenv("XDG_STATE_HOME");
	two_entries();
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 1);
	ck_assert_str_eq(out, D1);
	ck_assert_int_eq(size, 1000);
	ck_assert_int_eq(zlookup(HOST, UD2, out, &size), 1);
	ck_assert_int_eq(size, 2000);
	/* no entry; another setting; another host: nothing */
	ck_assert_int_eq(zlookup(HOST, D1, out, &size), 0);
	ck_assert_int_eq(zlookup("ghcr.io", UD1, out, &size), 0);
	/* the key: outside the cache directory, 0600 in a 0700 directory */
	unit_path(key, sizeof(key), "home/.local/state/dokku-registry/cache.key");
	ck_assert_int_eq(unit_mode(key), 0600);
	unit_path(key, sizeof(key), "home/.local/state/dokku-registry");
	ck_assert_int_eq(unit_mode(key), 0700);
	{
		char *list = unit_ls(cache_dir);

		ck_assert_str_eq(list, "compressed.json");
		free(list);
	}
}
END_TEST

START_TEST(test_compressed_tampered)
{
	char out[DR_DIGEST_MAX] = "";
	long long size = 0;

	two_entries();
	zedit(tampers[_i]);
	/* present, but not to be used */
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), -1);
	ck_assert_str_eq(out, "");
	/* the other entry: untouched by the first two edits */
	ck_assert_int_eq(zlookup(HOST, UD2, out, &size), _i >= 2 ? -1 : 1);
	if (_i < 2)
		ck_assert_str_eq(out, D2);
}
END_TEST

/* another key (another user or machine wrote the cache; a new key): no
 * entry verifies; a key file that holds no key is replaced */
START_TEST(test_compressed_other_key)
{
	char out[DR_DIGEST_MAX], key[300];
	long long size = 0;

	two_entries();
	unit_path(key, sizeof(key), "home/.local/state/dokku-registry/cache.key");
	ck_assert_int_eq(unlink(key), 0);
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), -1);
	ck_assert_int_eq(unit_mode(key), 0600);
	two_entries();
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 1);
	unit_write(key, "not a key\n", 10, 0600);
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), -1);
	two_entries();
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 1);
}
END_TEST

/* The MAC is HMAC-SHA256 over the documented fields: an entry signed by
 * Python's hmac module with a known key verifies (the fuzz corpus's
 * signed.json is the same entry). */
START_TEST(test_compressed_known_mac)
{
	static const char key[] = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n";
	static const char doc[] =
		"{\"version\":1,\"hosts\":{\"127.0.0.1:5000\":{\"sha256:0123456789abcdef0123456789"
		"abcdef0123456789abcdef0123456789abcdef gzip-6\":{\"digest\":\"sha256:fedcba98765432"
		"10fedcba9876543210fedcba9876543210fedcba9876543210\",\"size\":99,\"mac\":\"93fa441d"
		"0e2539b94a0a2ac1150ebec9a40266bd72b894dde2298013638b48cb\"}}}}";
	char path[300], out[DR_DIGEST_MAX];
	struct dr_blob_cache *c;
	long long size = 0;

	unsetenv("XDG_STATE_HOME");
	unit_path(path, sizeof(path), "home/.local");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	unit_path(path, sizeof(path), "home/.local/state");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	unit_path(path, sizeof(path), "home/.local/state/dokku-registry");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	unit_path(path, sizeof(path), "home/.local/state/dokku-registry/cache.key");
	unit_write(path, key, strlen(key), 0600);
	mkdir(cache_dir, 0700);
	snprintf(path, sizeof(path), "%s/compressed.json", cache_dir);
	unit_write(path, doc, strlen(doc), 0600);
	c = dr_blob_cache_open("127.0.0.1:5000");
	ck_assert_int_eq(dr_blob_cache_compressed(c, "sha256:0123456789abcdef0123456789abcdef0123456789"
						  "abcdef0123456789abcdef", "gzip-6", out, &size), 1);
	ck_assert_str_eq(out, "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	ck_assert_int_eq(size, 99);
	dr_blob_cache_free(c);
}
END_TEST

/* XDG_STATE_HOME; neither it nor HOME: compressed.json unused, not written */
START_TEST(test_compressed_no_key)
{
	char out[DR_DIGEST_MAX], key[300];
	struct dr_blob_cache *c;
	long long size = 0;

	unit_path(key, sizeof(key), "state");
	setenv("XDG_STATE_HOME", key, 1);
	c = dr_blob_cache_open(HOST);
	dr_blob_cache_add_compressed(c, UD1, "gzip-4", D1, 1000);
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	unit_path(key, sizeof(key), "state/dokku-registry/cache.key");
	ck_assert_int_eq(unit_mode(key), 0600);
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 1);
	setenv("XDG_STATE_HOME", "relative", 1);
	unsetenv("HOME");
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 0);
	c = dr_blob_cache_open(HOST);
	dr_blob_cache_add_compressed(c, UD2, "gzip-4", D2, 1000);
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	/* with the key again: nothing was written meanwhile */
	unit_path(key, sizeof(key), "state");
	setenv("XDG_STATE_HOME", key, 1);
	ck_assert_int_eq(zlookup(HOST, UD2, out, &size), 0);
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 1);
	unsetenv("XDG_STATE_HOME");
}
END_TEST

/* ---- "<v1 id> v1-layer": which layer a classic save's directory held ---- */

#define V1 "sha256:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
#define V1_KEY V1 " v1-layer"

static int v1lookup(const char *host, const char *v1, char *out)
{
	struct dr_blob_cache *c = dr_blob_cache_open(host);
	int found = dr_blob_cache_v1_layer(c, v1, out);

	dr_blob_cache_free(c);
	return found;
}

/* a v1 entry and a compressed one, saved together */
static void v1_entries(void)
{
	struct dr_blob_cache *c;

	unsetenv("XDG_STATE_HOME");
	c = dr_blob_cache_open(HOST);
	dr_blob_cache_add_v1_layer(c, V1, UD1);
	dr_blob_cache_add_compressed(c, UD1, "gzip-4", D1, 1000);
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
}

START_TEST(test_v1_layer_verified)
{
	char out[DR_DIGEST_MAX] = "";
	long long size = 0;

	v1_entries();
	ck_assert_int_eq(v1lookup(HOST, V1, out), 1);
	ck_assert_str_eq(out, UD1);
	/* beside the compressed entry, which still verifies */
	ck_assert_int_eq(zlookup(HOST, UD1, out, &size), 1);
	ck_assert_str_eq(out, D1);
	/* another id, another host: nothing */
	ck_assert_int_eq(v1lookup(HOST, UD1, out), 0);
	ck_assert_int_eq(v1lookup("ghcr.io", V1, out), 0);
}
END_TEST

static void v1_edit_layer(json_t *map)
{
	json_object_set_new(json_object_get(map, V1_KEY), "diff_id", json_string(UD2));
}

static void v1_drop_mac(json_t *map)
{
	json_object_del(json_object_get(map, V1_KEY), "mac");
}

/* a compressed entry's MAC moved onto the v1 entry */
static void v1_borrow_mac(json_t *map)
{
	json_object_set(json_object_get(map, V1_KEY), "mac",
			json_object_get(json_object_get(map, UD1 " gzip-4"), "mac"));
}

/* the v1 entry under another v1 id */
static void v1_move(json_t *map)
{
	json_object_set(map, UD2 " v1-layer", json_object_get(map, V1_KEY));
	json_object_del(map, V1_KEY);
}

static void v1_not_digest(json_t *map)
{
	json_object_set_new(json_object_get(map, V1_KEY), "diff_id", json_integer(7));
}

static void (*const v1_tampers[])(json_t *) = { v1_edit_layer, v1_drop_mac, v1_borrow_mac,
						v1_move, v1_not_digest };

START_TEST(test_v1_layer_tampered)
{
	char out[DR_DIGEST_MAX] = "";

	v1_entries();
	zedit(v1_tampers[_i]);
	ck_assert_int_eq(v1lookup(HOST, _i == 3 ? UD2 : V1, out), -1);
	ck_assert_str_eq(out, "");
	if (_i == 3)
		ck_assert_int_eq(v1lookup(HOST, V1, out), 0);
}
END_TEST

Suite *push_cache_mac_suite(void)
{
	Suite *s = suite_create("push_cache_mac");
	TCase *tc = tcase_create("mac");

	tcase_add_checked_fixture(tc, cache_setup, unit_world_teardown);
	tcase_add_test(tc, test_compressed_verified);
	tcase_add_loop_test(tc, test_compressed_tampered, 0,
			    (int)(sizeof(tampers) / sizeof(tampers[0])));
	tcase_add_test(tc, test_compressed_other_key);
	tcase_add_test(tc, test_compressed_no_key);
	tcase_add_test(tc, test_compressed_known_mac);
	tcase_add_test(tc, test_v1_layer_verified);
	tcase_add_loop_test(tc, test_v1_layer_tampered, 0,
			    (int)(sizeof(v1_tampers) / sizeof(v1_tampers[0])));
	suite_add_tcase(s, tc);
	return s;
}
