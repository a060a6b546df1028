#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/imagesource_int.h"
#include "fixture.h"
#include "unit.h"

static char tar[256];
static char layer1[3000], layer2[700], gz[64];
static char d1[DR_DIGEST_MAX], d2[DR_DIGEST_MAX], dgz[DR_DIGEST_MAX];

static void docker_setup(void)
{
	unit_world_setup();
	unit_path(tar, sizeof(tar), "save.tar");
	memset(layer1, '1', sizeof(layer1));
	memset(layer2, '2', sizeof(layer2));
	memset(gz, 'z', sizeof(gz));
	gz[0] = 0x1f;
	gz[1] = (char)0x8b;
	dr_sha256_digest(layer1, sizeof(layer1), d1);
	dr_sha256_digest(layer2, sizeof(layer2), d2);
	dr_sha256_digest(gz, sizeof(gz), dgz);
}

/* Reads blob b to its end (where its digest is checked): 0 or the error. */
static int read_blob(const struct dr_image *img, const struct dr_blob *b, struct dr_err *e)
{
	struct dr_blob_stream *s = NULL;
	char buf[4096];
	long n = 1;
	int rc = dr_blob_open(img, b, &s, e);

	while (rc == 0 && n > 0) {
		n = dr_blob_read(s, buf, sizeof(buf), e);
		if (n < 0)
			rc = (int)n;
	}
	dr_blob_close(s);
	return rc;
}

/* dr_docker_legacy_load on the tar, as dr_image_open would call it */
static int load(const char *ref, struct dr_image **out, struct dr_err *e)
{
	struct dr_image *img = calloc(1, sizeof(*img));
	int rc;

	ck_assert_ptr_nonnull(img);
	img->name = strdup("docker-archive:save");
	img->root = strdup(tar);
	img->kind = DR_SRC_TAR;
	rc = dr_docker_legacy_load(img, ref, e);
	if (rc) {
		dr_image_free(img);
		img = NULL;
	}
	*out = img;
	return rc;
}

static void make_tar(const char *manifest, const char *config, const char *l2_name)
{
	const struct unit_tar_entry ents[] = {
		UNIT_TAR_FILE("manifest.json", manifest, strlen(manifest)),
		UNIT_TAR_FILE("cfg.json", config, strlen(config)),
		UNIT_TAR_FILE("aa/layer.tar", layer1, sizeof(layer1)),
		UNIT_TAR_FILE(l2_name, layer2, sizeof(layer2)),
		UNIT_TAR_SYMLINK("same/layer.tar", "../aa/layer.tar"),
		UNIT_TAR_FILE("gz/layer.tar", gz, sizeof(gz)),
	};

	unit_write_tar(tar, ents, sizeof(ents) / sizeof(ents[0]), 0);
}

START_TEST(test_manifest_made)
{
	char config[600], manifest[300], want[2000], digest[DR_DIGEST_MAX], cd[DR_DIGEST_MAX];
	struct dr_image *img;
	struct dr_err e = { 0 };
	const struct dr_manifest *m;

	snprintf(config, sizeof(config), "{\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\","
		 "\"diff_ids\":[\"%s\",\"%s\",\"%s\"]}}", d1, d2, d1);
	/* the third layer is the first again, through a symlink (docker does that) */
	snprintf(manifest, sizeof(manifest), "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"app:1\"],"
		 "\"Layers\":[\"aa/layer.tar\",\"bb/layer.tar\",\"same/layer.tar\"]}]");
	make_tar(manifest, config, "bb/layer.tar");
	ck_assert_msg(load(NULL, &img, &e) == 0, "%s", e.msg);
	dr_sha256_digest(config, strlen(config), cd);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"mediaType\":\"" DR_MT_DOCKER_MANIFEST "\","
		 "\"config\":{\"mediaType\":\"" DR_MT_DOCKER_CONFIG "\",\"size\":%zu,\"digest\":\"%s\"},"
		 "\"layers\":[{\"mediaType\":\"" DR_MT_DOCKER_LAYER "\",\"size\":3000,\"digest\":\"%s\"},"
		 "{\"mediaType\":\"" DR_MT_DOCKER_LAYER "\",\"size\":700,\"digest\":\"%s\"},"
		 "{\"mediaType\":\"" DR_MT_DOCKER_LAYER "\",\"size\":3000,\"digest\":\"%s\"}]}",
		 strlen(config), cd, d1, d2, d1);
	ck_assert_uint_eq(img->nmanifests, 1);
	m = dr_image_top(img);
	ck_assert_str_eq(m->data, want);
	ck_assert_uint_eq(m->len, strlen(want));
	ck_assert_str_eq(m->media_type, DR_MT_DOCKER_MANIFEST);
	ck_assert_int_eq(m->kind, DR_DOC_MANIFEST);
	dr_sha256_digest(want, strlen(want), digest);
	ck_assert_str_eq(m->digest, digest);
	/* config first, then each layer once, in order */
	ck_assert_uint_eq(img->nblobs, 3);
	ck_assert_str_eq(img->blobs[0].d.digest, cd);
	ck_assert_str_eq(img->blobs[0].path, "cfg.json");
	ck_assert_str_eq(img->blobs[0].d.media_type, DR_MT_DOCKER_CONFIG);
	ck_assert_str_eq(img->blobs[1].d.digest, d1);
	ck_assert_str_eq(img->blobs[1].path, "aa/layer.tar");
	ck_assert_str_eq(img->blobs[2].d.digest, d2);
	ck_assert_int_eq(img->blobs[2].d.size, 700);
	dr_image_free(img);
}
END_TEST

/* gzip'd layers have no diff_id to check against; their type says gzip */
START_TEST(test_gzip_layer)
{
	char config[600], manifest[300];
	struct dr_image *img;
	struct dr_err e = { 0 };

	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"sha256:%064d\",\"%s\"]}}", 0, d2);
	snprintf(manifest, sizeof(manifest), "[{\"Config\":\"cfg.json\",\"Layers\":[\"gz/layer.tar\",\"bb/layer.tar\"]}]");
	make_tar(manifest, config, "bb/layer.tar");
	ck_assert_msg(load(NULL, &img, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(img->blobs[1].d.digest, dgz);
	ck_assert_str_eq(img->blobs[1].d.media_type, DR_MT_DOCKER_LAYER_GZIP);
	ck_assert_str_eq(img->blobs[2].d.media_type, DR_MT_DOCKER_LAYER);
	ck_assert_ptr_nonnull(strstr(dr_image_top(img)->data, DR_MT_DOCKER_LAYER_GZIP));
	dr_image_free(img);
}
END_TEST

START_TEST(test_select_by_tag)
{
	char config[600], manifest[400];
	struct dr_image *img;
	struct dr_err e = { 0 };

	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"%s\"]}}", d2);
	snprintf(manifest, sizeof(manifest),
		 "[{\"Config\":\"none.json\",\"RepoTags\":[\"a:1\"],\"Layers\":[]},"
		 "{\"Config\":\"cfg.json\",\"RepoTags\":[\"b:1\",\"b:2\"],\"Layers\":[\"bb/layer.tar\"]}]");
	make_tar(manifest, config, "bb/layer.tar");
	ck_assert_msg(load("b:2", &img, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(img->nblobs, 2);
	ck_assert_str_eq(img->blobs[1].d.digest, d2);
	dr_image_free(img);
	/* the first entry's config is not in the tar */
	ck_assert_int_eq(load(NULL, &img, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(img);
}
END_TEST

START_TEST(test_no_layers)
{
	struct dr_image *img;
	struct dr_err e = { 0 };

	make_tar("[{\"Config\":\"cfg.json\",\"Layers\":[]}]", "{\"rootfs\":{\"diff_ids\":[]}}",
		 "bb/layer.tar");
	ck_assert_msg(load(NULL, &img, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(img->nblobs, 1);
	ck_assert_ptr_nonnull(strstr(dr_image_top(img)->data, "\"layers\":[]"));
	dr_image_free(img);
}
END_TEST

START_TEST(test_errors)
{
	char config[600], want[600];
	struct dr_image *img;
	struct dr_err e = { 0 };
	const char *two = "[{\"Config\":\"cfg.json\",\"Layers\":[\"aa/layer.tar\",\"bb/layer.tar\"]}]";

	/* a layer that is not what its diff_id says: its digest is the diff_id,
	 * the mismatch shows when it is read (before anything commits it) */
	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"%s\",\"%s\"]}}", d1, dgz);
	make_tar(two, config, "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), 0);
	ck_assert_int_eq(img->nblobs, 3);
	ck_assert_str_eq(img->blobs[2].d.digest, dgz);
	ck_assert_int_eq(img->blobs[2].d.size, (long long)sizeof(layer2));
	ck_assert_int_eq(read_blob(img, &img->blobs[2], &e), DR_EINVAL);
	snprintf(want, sizeof(want), "blob %s in docker-archive:save is corrupt: read %s", dgz, d2);
	ck_assert_str_eq(e.msg, want);
	dr_image_free(img);
	/* no usable diff_id: the layer is hashed when the archive is opened */
	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"%s\",\"md5:x\"]}}", d1);
	make_tar(two, config, "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "blob md5:x in docker-archive:save is corrupt: read %s", d2);
	ck_assert_str_eq(e.msg, want);
	/* counts differ */
	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"%s\"]}}", d1);
	make_tar(two, config, "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "docker-archive:save: the config lists 1 layers, manifest.json 2");
	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"%s\",\"%s\",\"%s\"]}}", d1, d2, d2);
	make_tar(two, config, "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "docker-archive:save: the config lists 3 layers, manifest.json 2");
	/* a layer that is not in the tar */
	snprintf(config, sizeof(config), "{\"rootfs\":{\"diff_ids\":[\"%s\",\"%s\"]}}", d1, d2);
	make_tar(two, config, "elsewhere/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, "bb/layer.tar is missing in docker-archive:save");
	/* a config that is not JSON */
	make_tar(two, "not json", "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "docker-archive:save: config cfg.json is not JSON");
	make_tar(two, "[1]", "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	/* no manifest.json at all */
	{
		const struct unit_tar_entry ents[] = { UNIT_TAR_FILE("x", "y", 1) };

		unit_write_tar(tar, ents, 1, 0);
	}
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "docker-archive:save is not a docker save archive (no manifest.json)");
	/* a bad manifest.json: the parser's error */
	make_tar("{}", "{}", "bb/layer.tar");
	ck_assert_int_eq(load(NULL, &img, &e), DR_EINVAL);
	/* a tag that is not there */
	make_tar("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"a:1\"],\"Layers\":[]}]",
		 "{\"rootfs\":{\"diff_ids\":[]}}", "bb/layer.tar");
	ck_assert_int_eq(load("a:2", &img, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(img);
}
END_TEST

Suite *imagesource_docker_suite(void)
{
	Suite *s = suite_create("imagesource_docker");
	TCase *tc = tcase_create("legacy");

	tcase_add_checked_fixture(tc, docker_setup, unit_world_teardown);
	tcase_add_test(tc, test_manifest_made);
	tcase_add_test(tc, test_gzip_layer);
	tcase_add_test(tc, test_select_by_tag);
	tcase_add_test(tc, test_no_layers);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}
