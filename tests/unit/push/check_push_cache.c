#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "push/push_int.h"
#include "fixture.h"
#include "unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define HOST "127.0.0.1:5000"

static char cache_dir[256], cache_file[300];

static void cache_setup(void)
{
	unit_world_setup();
	unit_path(cache_dir, sizeof(cache_dir), "cache/dokku-registry");
	snprintf(cache_file, sizeof(cache_file), "%s/blobs.json", cache_dir);
}

static void write_cache(const char *text)
{
	mkdir(cache_dir, 0700);
	unit_write(cache_file, text, strlen(text), 0600);
}

static void assert_file(const char *want)
{
	char *text = unit_read(cache_file, NULL);

	ck_assert_msg(text != NULL, "%s is missing", cache_file);
	ck_assert_str_eq(text, want);
	free(text);
}

/* the repository the cache names for digest, other than not_repo; "" if none */
static const char *source(struct dr_blob_cache *c, const char *digest, const char *not_repo)
{
	static char out[256];

	out[0] = '\0';
	if (!dr_blob_cache_source(c, digest, not_repo, out, sizeof(out)))
		ck_assert_str_eq(out, "");
	return out;
}

START_TEST(test_empty)
{
	struct dr_blob_cache *c = dr_blob_cache_open(HOST);

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(source(c, D1, "x"), "");
	/* nothing learnt: nothing written, not even the directory */
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	ck_assert_int_eq(unit_mode(cache_dir), -1);
	/* NULL is an empty cache */
	ck_assert_int_eq(dr_blob_cache_source(NULL, D1, "x", (char[8]){ 0 }, 8), 0);
	dr_blob_cache_add(NULL, D1, "x");
	dr_blob_cache_save(NULL);
	dr_blob_cache_free(NULL);
}
END_TEST

START_TEST(test_save_format)
{
	struct dr_blob_cache *c = dr_blob_cache_open(HOST);

	dr_blob_cache_add(c, D1, "team/app");
	dr_blob_cache_add(c, D1, "team/app"); /* once */
	dr_blob_cache_add(c, D1, "team/web");
	dr_blob_cache_add(c, D2, "team/app");
	/* what this push learnt is not a source for itself yet */
	ck_assert_str_eq(source(c, D1, "other"), "");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	assert_file("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D1 "\":[\"team/app\",\"team/web\"],"
		    "\"" D2 "\":[\"team/app\"]}}}");
	ck_assert_int_eq(unit_mode(cache_file), 0600);
	ck_assert_int_eq(unit_mode(cache_dir), 0700);
	{
		char *list = unit_ls(cache_dir);

		ck_assert_str_eq(list, "blobs.json");
		free(list);
	}
	/* the next push knows */
	c = dr_blob_cache_open(HOST);
	ck_assert_str_eq(source(c, D1, "other/x"), "team/app");
	ck_assert_str_eq(source(c, D1, "team/app"), "team/web");
	ck_assert_str_eq(source(c, D2, "team/app"), "");
	dr_blob_cache_free(c);
	/* hosts are separate */
	c = dr_blob_cache_open("ghcr.io");
	ck_assert_str_eq(source(c, D1, "other/x"), "");
	dr_blob_cache_free(c);
}
END_TEST

START_TEST(test_source_buffer)
{
	struct dr_blob_cache *c;
	char out[9];

	write_cache("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D1 "\":[7,null,\"team/app\",\"t/a\"]}}}");
	c = dr_blob_cache_open(HOST);
	/* non-strings skipped; a name that does not fit is passed over */
	ck_assert_int_eq(dr_blob_cache_source(c, D1, "x", out, 8), 1);
	ck_assert_str_eq(out, "t/a");
	ck_assert_int_eq(dr_blob_cache_source(c, D1, "x", out, 9), 1);
	ck_assert_str_eq(out, "team/app");
	ck_assert_int_eq(dr_blob_cache_source(c, D1, "t/a", out, 8), 0);
	dr_blob_cache_free(c);
}
END_TEST

/* where the file lives */
START_TEST(test_location)
{
	struct dr_blob_cache *c;
	char home_file[300];

	unit_path(home_file, sizeof(home_file), "home/.cache/dokku-registry/blobs.json");
	/* a relative XDG_CACHE_HOME is ignored, as the XDG spec says */
	setenv("XDG_CACHE_HOME", "relative", 1);
	c = dr_blob_cache_open(HOST);
	dr_blob_cache_add(c, D1, "a/b");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	ck_assert_int_eq(unit_mode(home_file), 0600);
	unsetenv("XDG_CACHE_HOME");
	c = dr_blob_cache_open(HOST);
	ck_assert_str_eq(source(c, D1, "x"), "a/b");
	dr_blob_cache_free(c);
	/* neither: no cache at all, and no crash */
	unsetenv("HOME");
	c = dr_blob_cache_open(HOST);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(source(c, D1, "x"), "");
	dr_blob_cache_add(c, D2, "a/b");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
}
END_TEST

/* whatever the file holds, the cache opens (empty) and the next save
 * writes a good file */
static const char *const junk[] = {
	"", "garbage", "[]", "{\"hosts\":[]}", "{\"hosts\":{\"" HOST "\":[1]}}",
	"{\"hosts\":{\"" HOST "\":{\"" D1 "\":\"not a list\"}}}", "{\"version\":1,\"hosts\":null}",
};

START_TEST(test_junk_file)
{
	struct dr_blob_cache *c;

	write_cache(junk[_i]);
	c = dr_blob_cache_open(HOST);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(source(c, D1, "x"), "");
	dr_blob_cache_add(c, D2, "a/b");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	c = dr_blob_cache_open(HOST);
	ck_assert_str_eq(source(c, D2, "x"), "a/b");
	dr_blob_cache_free(c);
}
END_TEST

START_TEST(test_unreadable_file)
{
	struct dr_blob_cache *c;

	/* a directory where the file should be: no cache, nothing breaks */
	ck_assert_int_eq(mkdir(cache_dir, 0700), 0);
	ck_assert_int_eq(mkdir(cache_file, 0700), 0);
	c = dr_blob_cache_open(HOST);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(source(c, D1, "x"), "");
	dr_blob_cache_add(c, D1, "a/b");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	ck_assert_int_eq(unit_mode(cache_file) & 0777, 0700);
}
END_TEST

/* over the 8 MiB read limit: read as empty, replaced by the next save */
START_TEST(test_oversized_file)
{
	size_t n = ((size_t)8 << 20) + 16;
	char *big = malloc(n + 1);
	struct dr_blob_cache *c;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	memcpy(big, "{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D1 "\":[\"a/b\"]}}}",
	       strlen("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D1 "\":[\"a/b\"]}}}"));
	big[n] = '\0';
	write_cache(big);
	free(big);
	c = dr_blob_cache_open(HOST);
	ck_assert_str_eq(source(c, D1, "x"), "");
	dr_blob_cache_add(c, D2, "c/d");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	assert_file("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D2 "\":[\"c/d\"]}}}");
}
END_TEST

/* Two pushes at once: the second save merges with what the first wrote;
 * ours first, then the older repos, 4 at most. */
START_TEST(test_merge)
{
	struct dr_blob_cache *a = dr_blob_cache_open(HOST), *b = dr_blob_cache_open(HOST);

	dr_blob_cache_add(a, D1, "r1");
	dr_blob_cache_save(a);
	dr_blob_cache_add(b, D2, "r3");
	dr_blob_cache_add(b, D1, "r2");
	dr_blob_cache_save(b);
	assert_file("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D2 "\":[\"r3\"],\"" D1 "\":[\"r2\",\"r1\"]}}}");
	dr_blob_cache_free(a);
	dr_blob_cache_free(b);

	write_cache("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D1 "\":[\"a\",\"b\",\"c\",\"d\"],"
		    "\"" D2 "\":[\"x\"]}}}");
	a = dr_blob_cache_open(HOST);
	dr_blob_cache_add(a, D1, "e");
	dr_blob_cache_add(a, D1, "c");
	dr_blob_cache_save(a);
	dr_blob_cache_free(a);
	/* D1 is now the newest entry: last */
	assert_file("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D2 "\":[\"x\"],"
		    "\"" D1 "\":[\"e\",\"c\",\"a\",\"b\"]}}}");
	/* other hosts' entries are kept */
	a = dr_blob_cache_open("ghcr.io");
	dr_blob_cache_add(a, D2, "o/p");
	dr_blob_cache_save(a);
	dr_blob_cache_free(a);
	assert_file("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D2 "\":[\"x\"],"
		    "\"" D1 "\":[\"e\",\"c\",\"a\",\"b\"]},\"ghcr.io\":{\"" D2 "\":[\"o/p\"]}}}");
}
END_TEST

/* 4096 digests per host: the oldest go first */
START_TEST(test_trim_digests)
{
	json_t *root = json_pack("{s:i,s:{s:{}}}", "version", 1, "hosts", HOST), *map, *got;
	struct dr_blob_cache *c;
	char digest[80], *text;

	map = json_object_get(json_object_get(root, "hosts"), HOST);
	for (int i = 0; i < 4096; i++) {
		snprintf(digest, sizeof(digest), "sha256:%064d", i);
		json_object_set_new(map, digest, json_pack("[s]", "r"));
	}
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	write_cache(text);
	free(text);
	c = dr_blob_cache_open(HOST);
	snprintf(digest, sizeof(digest), "sha256:%064d", 4095);
	ck_assert_str_eq(source(c, digest, "x"), "r");
	dr_blob_cache_add(c, D1, "new");
	dr_blob_cache_add(c, D2, "new");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	text = unit_read(cache_file, NULL);
	root = json_loads(text, 0, NULL);
	free(text);
	map = json_object_get(json_object_get(root, "hosts"), HOST);
	ck_assert_uint_eq(json_object_size(map), 4096);
	snprintf(digest, sizeof(digest), "sha256:%064d", 0);
	ck_assert_ptr_null(json_object_get(map, digest));
	snprintf(digest, sizeof(digest), "sha256:%064d", 1);
	ck_assert_ptr_null(json_object_get(map, digest));
	snprintf(digest, sizeof(digest), "sha256:%064d", 2);
	ck_assert_ptr_nonnull(json_object_get(map, digest));
	got = json_object_get(map, D2);
	ck_assert_str_eq(json_string_value(json_array_get(got, 0)), "new");
	json_decref(root);
}
END_TEST

/* 16 hosts: the least recently pushed to goes */
START_TEST(test_trim_hosts)
{
	json_t *root = json_pack("{s:i,s:{}}", "version", 1, "hosts"), *hosts;
	struct dr_blob_cache *c;
	char host[32], *text;
	const char *key;
	json_t *v;
	int i = 0;

	hosts = json_object_get(root, "hosts");
	for (int h = 0; h < 16; h++) {
		snprintf(host, sizeof(host), "reg%02d:5000", h);
		json_object_set_new(hosts, host, json_pack("{s:[s]}", D1, "r"));
	}
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	write_cache(text);
	free(text);
	/* reg00 is used again: it becomes the newest, so reg01 is dropped */
	c = dr_blob_cache_open("reg00:5000");
	dr_blob_cache_add(c, D2, "r");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	c = dr_blob_cache_open("new:5000");
	dr_blob_cache_add(c, D2, "r");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	text = unit_read(cache_file, NULL);
	root = json_loads(text, JSON_PRESERVE_ORDER, NULL);
	free(text);
	hosts = json_object_get(root, "hosts");
	ck_assert_uint_eq(json_object_size(hosts), 16);
	ck_assert_ptr_null(json_object_get(hosts, "reg01:5000"));
	json_object_foreach(hosts, key, v) {
		if (i == 14)
			ck_assert_str_eq(key, "reg00:5000");
		if (i == 15)
			ck_assert_str_eq(key, "new:5000");
		i++;
	}
	ck_assert_ptr_nonnull(json_object_get(json_object_get(hosts, "reg00:5000"), D1));
	json_decref(root);
}
END_TEST

/* workers share one cache: adds and lookups from many threads at once */
struct worker {
	struct dr_blob_cache *c;
	int id;
};

#define THREADS 8
#define PER_THREAD 200

static void *work(void *arg)
{
	struct worker *w = arg;
	char digest[80], repo[32], out[64];

	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(digest, sizeof(digest), "sha256:%032d%032d", w->id, i);
		snprintf(repo, sizeof(repo), "t%d/r%d", w->id, i);
		dr_blob_cache_add(w->c, digest, repo);
		dr_blob_cache_source(w->c, D1, repo, out, sizeof(out));
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct dr_blob_cache *c;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	json_t *root, *map;
	char *text, digest[80];

	write_cache("{\"version\":1,\"hosts\":{\"" HOST "\":{\"" D1 "\":[\"seed\"]}}}");
	c = dr_blob_cache_open(HOST);
	for (int i = 0; i < THREADS; i++) {
		w[i].c = c;
		w[i].id = i;
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	text = unit_read(cache_file, NULL);
	root = json_loads(text, 0, NULL);
	free(text);
	map = json_object_get(json_object_get(root, "hosts"), HOST);
	ck_assert_uint_eq(json_object_size(map), THREADS * PER_THREAD + 1);
	for (int i = 0; i < THREADS; i++) {
		snprintf(digest, sizeof(digest), "sha256:%032d%032d", i, PER_THREAD - 1);
		ck_assert_uint_eq(json_array_size(json_object_get(map, digest)), 1);
	}
	json_decref(root);
}
END_TEST

Suite *push_cache_suite(void)
{
	Suite *s = suite_create("push_cache");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, cache_setup, unit_world_teardown);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_save_format);
	tcase_add_test(tc, test_source_buffer);
	tcase_add_test(tc, test_location);
	tcase_add_loop_test(tc, test_junk_file, 0, (int)(sizeof(junk) / sizeof(junk[0])));
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_oversized_file);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_trim_digests);
	tcase_add_test(tc, test_trim_hosts);
	tcase_add_test(tc, test_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
