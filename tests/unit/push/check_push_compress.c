/* push_compress.c: which layers are compressed on the fly, and a layer
 * compressed by an earlier push: found at the registry (HEAD) or mounted
 * from another repository, with the compressed blob's descriptor recorded
 * and no upload. The registry is the canned 127.0.0.1 server (canned.h);
 * uploads themselves are covered against docker-registry in tests/e2e. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "push/push_int.h"
#include "push_rig.h"
#include "unit.h"

#define UD "sha256:7777777777777777777777777777777777777777777777777777777777777777"
#define CD "sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define CD_HEX "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define CLOSE "Connection: close\r\n"

static const struct {
	enum dr_compression comp;
	const char *mt;
	int absent, foreign, yes;
} layers[] = {
	{ DR_COMPRESS_GZIP, DR_MT_DOCKER_LAYER, 0, 0, 1 },
	{ DR_COMPRESS_ZSTD, DR_MT_DOCKER_LAYER, 0, 0, 1 },
	{ DR_COMPRESS_GZIP, MT_OCI_LAYER, 0, 0, 1 },
	{ DR_COMPRESS_ZSTD, MT_OCI_LAYER, 0, 0, 1 },
	{ DR_COMPRESS_NONE, DR_MT_DOCKER_LAYER, 0, 0, 0 },
	{ DR_COMPRESS_NONE, MT_OCI_LAYER, 0, 0, 0 },
	/* already compressed, or not a layer */
	{ DR_COMPRESS_GZIP, DR_MT_DOCKER_LAYER_GZIP, 0, 0, 0 },
	{ DR_COMPRESS_ZSTD, "application/vnd.oci.image.layer.v1.tar+gzip", 0, 0, 0 },
	{ DR_COMPRESS_GZIP, "application/vnd.oci.image.layer.v1.tar+zstd", 0, 0, 0 },
	{ DR_COMPRESS_GZIP, DR_MT_DOCKER_CONFIG, 0, 0, 0 },
	{ DR_COMPRESS_GZIP, "application/vnd.oci.image.config.v1+json", 0, 0, 0 },
	{ DR_COMPRESS_GZIP, "application/vnd.oci.image.layer.v1.tarx", 0, 0, 0 },
	/* a foreign layer is never rewritten, an absent one never read */
	{ DR_COMPRESS_GZIP, DR_MT_DOCKER_LAYER, 0, 1, 0 },
	{ DR_COMPRESS_GZIP, DR_MT_DOCKER_LAYER, 1, 1, 0 },
	{ DR_COMPRESS_GZIP, MT_OCI_LAYER, 1, 0, 0 },
};

START_TEST(test_compresses)
{
	struct dr_blob b = { 0 };
	struct dr_image img = { .blobs = &b, .nblobs = 1 };
	struct dr_push_ctx c = { .img = &img, .compress = layers[_i].comp };

	snprintf(b.d.media_type, sizeof(b.d.media_type), "%s", layers[_i].mt);
	b.absent = layers[_i].absent;
	b.d.foreign = layers[_i].foreign;
	ck_assert_msg(dr_push_compresses(&c, 0) == layers[_i].yes, "%s", layers[_i].mt);
}
END_TEST

/* Layer UD, 10 KiB uncompressed, to compress with gzip-6 (push_rig.h):
 * its file is never opened, so nothing is uploaded. */
static void rig_start(struct push_rig *g, const char *const *answers, size_t n)
{
	push_rig_start(g, answers, n, UD, 10240);
	snprintf(g->blob.d.media_type, sizeof(g->blob.d.media_type), "%s", DR_MT_DOCKER_LAYER);
	g->blob.path = (char *)"blobs/sha256/not-there";
	g->c.compress = DR_COMPRESS_GZIP;
	g->c.level = 6;
	snprintf(g->c.setting, sizeof(g->c.setting), "gzip-6");
	pthread_mutex_init(&g->c.lock, NULL);
	g->c.cache = dr_blob_cache_open(g->host);
	ck_assert_ptr_nonnull(g->c.cache);
	g->c.prog = dr_progress_new(&g->img, DR_PROGRESS_PLAIN, 0, NULL);
}

/* What an earlier push left in the cache: lookups see only what was saved
 * before the cache was opened, so the rig's cache is opened again. */
static void earlier_push(struct push_rig *g, const char *setting, const char *repo)
{
	struct dr_blob_cache *prev = dr_blob_cache_open(g->host);

	dr_blob_cache_add_compressed(prev, UD, setting, CD, 4321);
	if (repo)
		dr_blob_cache_add(prev, CD, repo);
	dr_blob_cache_save(prev);
	dr_blob_cache_free(prev);
	dr_blob_cache_free(g->c.cache);
	g->c.cache = dr_blob_cache_open(g->host);
}

static void rig_stop(struct push_rig *g)
{
	dr_progress_free(g->c.prog);
	dr_blob_cache_free(g->c.cache);
	pthread_mutex_destroy(&g->c.lock);
	push_rig_stop(g);
}

START_TEST(test_compressed_before_exists)
{
	static const char *const answers[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 4321\r\nDocker-Content-Digest: " CD "\r\n" CLOSE "\r\n",
	};
	struct push_rig g;
	struct dr_err e = { 0 };
	char *out;

	rig_start(&g, answers, 1);
	earlier_push(&g, "gzip-6", NULL);
	unit_capture_begin(1);
	ck_assert_msg(dr_push_compressed_blob(&g.c, g.u.r, 0, &e) == 0, "%s", e.msg);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "777777777777: exists, as gzip-6 cdcdcdcdcdcd (4321 bytes)\n");
	free(out);
	ck_assert_uint_eq(g.srv.served, 1);
	ck_assert_str_eq(g.srv.requests[0], "HEAD /v2/app/blobs/" CD " HTTP/1.1");
	ck_assert_int_eq(g.outs[0].set, 1);
	ck_assert_str_eq(g.outs[0].digest, CD);
	ck_assert_int_eq(g.outs[0].size, 4321);
	ck_assert_uint_eq(g.c.skipped, 1);
	ck_assert_uint_eq(g.c.uploaded, 0);
	rig_stop(&g);
}
END_TEST

/* Not at the registry, but another repository has it: mounted. */
START_TEST(test_compressed_before_mounted)
{
	static const char *const answers[] = {
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n" CLOSE "\r\n",
		"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n" CLOSE "\r\n",
	};
	struct push_rig g;
	struct dr_err e = { 0 };
	char *out;

	rig_start(&g, answers, 2);
	earlier_push(&g, "gzip-6", "team/base");
	unit_capture_begin(1);
	ck_assert_msg(dr_push_compressed_blob(&g.c, g.u.r, 0, &e) == 0, "%s", e.msg);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "777777777777: mounted from team/base\n");
	free(out);
	ck_assert_str_eq(g.srv.requests[1], "POST /v2/app/blobs/uploads/?mount=sha256%3A" CD_HEX
					    "&from=team%2Fbase HTTP/1.1");
	ck_assert_int_eq(g.outs[0].set, 1);
	ck_assert_str_eq(g.outs[0].digest, CD);
	ck_assert_int_eq(g.outs[0].size, 4321);
	ck_assert_uint_eq(g.c.mounted, 1);
	rig_stop(&g);
}
END_TEST

/* What was made with another setting is not this push's blob: no HEAD of
 * it, the layer goes straight to a new upload (refused here, so nothing
 * is read or recorded). */
START_TEST(test_other_setting_not_reused)
{
	static const char *const answers[] = {
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n" CLOSE "\r\n",
	};
	struct push_rig g;
	struct dr_err e = { 0 };
	char *out, want[512];

	rig_start(&g, answers, 1);
	earlier_push(&g, "zstd-3", NULL);
	unit_capture_begin(1);
	ck_assert_int_eq(dr_push_compressed_blob(&g.c, g.u.r, 0, &e), DR_EIO);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "");
	free(out);
	snprintf(want, sizeof(want), "registry %s answered POST (start upload) of blob " UD
		 " with HTTP 400", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(g.srv.served, 1);
	ck_assert_str_eq(g.srv.requests[0], "POST /v2/app/blobs/uploads/ HTTP/1.1");
	ck_assert_int_eq(g.outs[0].set, 0);
	ck_assert_uint_eq(g.c.skipped + g.c.mounted + g.c.uploaded, 0);
	rig_stop(&g);
}
END_TEST

/* The size the cache names must be what the registry's HEAD gives: a 200
 * without Content-Length (or another one) is no "exists" for it. */
START_TEST(test_compressed_before_needs_length)
{
	static const char *const no_length[] = {
		"HTTP/1.1 200 OK\r\nDocker-Content-Digest: " CD "\r\n" CLOSE "\r\n",
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n" CLOSE "\r\n",
	};
	static const char *const other_length[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 4322\r\n" CLOSE "\r\n",
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n" CLOSE "\r\n",
	};
	struct push_rig g;
	struct dr_err e = { 0 };
	char *out;

	rig_start(&g, _i ? other_length : no_length, 2);
	earlier_push(&g, "gzip-6", NULL);
	unit_capture_begin(1);
	ck_assert_int_eq(dr_push_compressed_blob(&g.c, g.u.r, 0, &e), DR_EIO);
	out = unit_capture_end(1);
	free(out);
	ck_assert_uint_eq(g.srv.served, 2);
	ck_assert_str_eq(g.srv.requests[0], "HEAD /v2/app/blobs/" CD " HTTP/1.1");
	ck_assert_str_eq(g.srv.requests[1], "POST /v2/app/blobs/uploads/ HTTP/1.1");
	ck_assert_int_eq(g.outs[0].set, 0);
	ck_assert_uint_eq(g.c.skipped, 0);
	rig_stop(&g);
}
END_TEST

Suite *push_compress_suite(void)
{
	Suite *s = suite_create("push_compress");
	TCase *pure = tcase_create("pure"), *reuse = tcase_create("reuse");

	tcase_add_loop_test(pure, test_compresses, 0, (int)(sizeof(layers) / sizeof(layers[0])));
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(reuse, unit_world_setup, unit_world_teardown);
	tcase_add_test(reuse, test_compressed_before_exists);
	tcase_add_test(reuse, test_compressed_before_mounted);
	tcase_add_test(reuse, test_other_setting_not_reused);
	tcase_add_loop_test(reuse, test_compressed_before_needs_length, 0, 2);
	suite_add_tcase(s, reuse);
	return s;
}
