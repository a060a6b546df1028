#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "image/imagesource_int.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char tmp[64];

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/dr-imgsrc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	dr_remove_tree(tmp, NULL);
}

/* ---- fixtures on disk ---- */

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(dr_file_write_atomic(path, data, len, 0644, NULL), 0);
}

/* A blob into DIR/blobs/sha256; its digest into out. */
static void put_blob(const char *dir, const char *data, size_t len, char *out)
{
	char name[256], sub[300];

	dr_sha256_digest(data, len, out);
	snprintf(sub, sizeof(sub), "%s/blobs/sha256", dir);
	ck_assert_int_eq(dr_mkdir_p(sub, 0755, NULL), 0);
	snprintf(name, sizeof(name), "blobs/sha256/%s", out + 7);
	write_file(dir, name, data, len);
}

/* An OCI layout with one manifest of one config and two layers. */
static void make_layout(const char *dir, char *man_digest, char *layer_digest)
{
	char cfg[DR_DIGEST_MAX], l2[DR_DIGEST_MAX], man[1024], idx[1024];
	const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
	char layer[70000];

	memset(layer, 'L', sizeof(layer));
	put_blob(dir, config, strlen(config), cfg);
	put_blob(dir, layer, sizeof(layer), layer_digest);
	put_blob(dir, "second", 6, l2);
	snprintf(man, sizeof(man), "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
		 "\"digest\":\"%s\",\"size\":%zu},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
		 "\"digest\":\"%s\",\"size\":6}]}", cfg, strlen(config), layer_digest, sizeof(layer), l2);
	put_blob(dir, man, strlen(man), man_digest);
	snprintf(idx, sizeof(idx), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}",
		 man_digest, strlen(man));
	write_file(dir, "index.json", idx, strlen(idx));
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
}

/* Reads a blob to its end; the result of the last read. */
static long drain(const struct dr_image *img, const struct dr_blob *b, struct dr_err *e)
{
	struct dr_blob_stream *s;
	char buf[4096];
	long n;

	ck_assert_int_eq(dr_blob_open(img, b, &s, e), 0);
	do
		n = dr_blob_read(s, buf, sizeof(buf), e);
	while (n > 0);
	dr_blob_close(s);
	return n;
}

START_TEST(test_oci_dir)
{
	char src[128], man[DR_DIGEST_MAX], layer[DR_DIGEST_MAX], path[512];
	struct dr_image *img;
	struct dr_err e = { 0 };
	FILE *f;

	make_layout(tmp, man, layer);
	snprintf(src, sizeof(src), "oci:%s", tmp);
	ck_assert_msg(dr_image_open(src, &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(img->nmanifests, 1);
	ck_assert_int_eq(img->nblobs, 3);
	ck_assert_str_eq(dr_image_top(img)->digest, man);
	ck_assert_str_eq(dr_image_top(img)->media_type, DR_MT_OCI_MANIFEST);
	for (size_t i = 0; i < img->nblobs; i++)
		ck_assert_int_eq(drain(img, &img->blobs[i], &e), 0);
	/* a flipped byte: refused at the end of the blob, digest named */
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", tmp, layer + 7);
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, 100, SEEK_SET);
	fputc('X', f);
	fclose(f);
	ck_assert_int_eq(drain(img, &img->blobs[1], &e), DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "is corrupt: read sha256:") && strstr(e.msg, layer), "%s", e.msg);
	dr_image_free(img);

	snprintf(src, sizeof(src), "oci:%s:v1", tmp);
	ck_assert_int_eq(dr_image_open(src, &img, &e), 0);
	dr_image_free(img);
	snprintf(src, sizeof(src), "oci:%s:nope", tmp);
	ck_assert_int_eq(dr_image_open(src, &img, &e), DR_ENOTFOUND);
	ck_assert_int_eq(dr_image_open("oci:/nonexistent/dir", &img, &e), DR_ENOTFOUND);
	ck_assert_int_eq(dr_image_open("docker:foo", &img, &e), DR_EINVAL);
	/* a missing layer is found before anything is pushed */
	ck_assert_int_eq(unlink(path), 0);
	snprintf(src, sizeof(src), "oci:%s", tmp);
	ck_assert_int_eq(dr_image_open(src, &img, &e), DR_ENOTFOUND);
	ck_assert_msg(strstr(e.msg, layer) != NULL, "%s", e.msg);
}
END_TEST

struct entry {
	const char *name;
	const char *data;
	size_t len;
	const char *symlink;
};

static void write_tar(const char *path, const struct entry *ents, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae;

	archive_write_set_format_pax_restricted(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_set_pathname(ae, ents[i].name);
		archive_entry_set_perm(ae, 0644);
		if (ents[i].symlink) {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, ents[i].symlink);
			archive_entry_set_size(ae, 0);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)ents[i].len);
		}
		archive_write_header(a, ae);
		if (!ents[i].symlink)
			archive_write_data(a, ents[i].data, ents[i].len);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
}

START_TEST(test_docker_archive)
{
	static char layer1[5000], layer2[300];
	char d1[DR_DIGEST_MAX], d2[DR_DIGEST_MAX], cfg[512], man[512], tar[128], src[160];
	struct dr_image *img;
	struct dr_err e = { 0 };

	memset(layer1, 'a', sizeof(layer1));
	memset(layer2, 'b', sizeof(layer2));
	dr_sha256_digest(layer1, sizeof(layer1), d1);
	dr_sha256_digest(layer2, sizeof(layer2), d2);
	snprintf(cfg, sizeof(cfg), "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\",\"%s\"]}}",
		 d1, d2, d1);
	/* the third layer repeats the first through a symlink, as docker does */
	snprintf(man, sizeof(man), "[{\"Config\":\"c.json\",\"RepoTags\":[\"e2e/x:1\"],"
		 "\"Layers\":[\"aa/layer.tar\",\"./bb/layer.tar\",\"cc/layer.tar\"]}]");
	{
		struct entry ents[] = {
			{ "aa/layer.tar", layer1, sizeof(layer1), NULL },
			{ "bb/layer.tar", layer2, sizeof(layer2), NULL },
			{ "cc/layer.tar", NULL, 0, "../aa/layer.tar" },
			{ "c.json", cfg, strlen(cfg), NULL },
			{ "manifest.json", man, strlen(man), NULL },
		};

		snprintf(tar, sizeof(tar), "%s/save.tar", tmp);
		write_tar(tar, ents, sizeof(ents) / sizeof(ents[0]));
	}
	snprintf(src, sizeof(src), "docker-archive:%s", tar);
	ck_assert_msg(dr_image_open(src, &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(img->nmanifests, 1);
	ck_assert_str_eq(dr_image_top(img)->media_type, DR_MT_DOCKER_MANIFEST);
	ck_assert_int_eq(img->nblobs, 3); /* config + two distinct layers */
	ck_assert_str_eq(img->blobs[1].d.digest, d1);
	ck_assert_str_eq(img->blobs[1].d.media_type, DR_MT_DOCKER_LAYER);
	ck_assert_ptr_nonnull(strstr(dr_image_top(img)->data, d2));
	for (size_t i = 0; i < img->nblobs; i++)
		ck_assert_int_eq(drain(img, &img->blobs[i], &e), 0);
	dr_image_free(img);
	snprintf(src, sizeof(src), "docker-archive:%s:e2e/x:1", tar);
	ck_assert_msg(dr_image_open(src, &img, &e) == 0, "%s", e.msg);
	dr_image_free(img);
	snprintf(src, sizeof(src), "docker-archive:%s:e2e/x:2", tar);
	ck_assert_int_eq(dr_image_open(src, &img, &e), DR_ENOTFOUND);

	/* a layer whose data no longer matches its diff_id */
	layer2[7] = 'X';
	{
		struct entry ents[] = {
			{ "manifest.json", man, strlen(man), NULL },
			{ "c.json", cfg, strlen(cfg), NULL },
			{ "aa/layer.tar", layer1, sizeof(layer1), NULL },
			{ "bb/layer.tar", layer2, sizeof(layer2), NULL },
			{ "cc/layer.tar", NULL, 0, "../aa/layer.tar" },
		};

		write_tar(tar, ents, sizeof(ents) / sizeof(ents[0]));
	}
	snprintf(src, sizeof(src), "docker-archive:%s", tar);
	ck_assert_msg(dr_image_open(src, &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(drain(img, &img->blobs[2], &e), DR_EINVAL);
	ck_assert_msg(strstr(e.msg, d2) && strstr(e.msg, "is corrupt"), "%s", e.msg);
	dr_image_free(img);
}
END_TEST

/* newer docker save: an OCI layout inside the tar */
START_TEST(test_oci_in_tar)
{
	char layout[128], man[DR_DIGEST_MAX], layer[DR_DIGEST_MAX], tar[128], src[160];
	char cmd[512];
	struct dr_image *img;
	struct dr_err e = { 0 };

	snprintf(layout, sizeof(layout), "%s/layout", tmp);
	ck_assert_int_eq(dr_mkdir_p(layout, 0755, NULL), 0);
	make_layout(layout, man, layer);
	snprintf(tar, sizeof(tar), "%s/oci.tar", tmp);
	snprintf(cmd, sizeof(cmd), "tar -C %s -cf %s .", layout, tar);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(src, sizeof(src), "docker-archive:%s", tar);
	ck_assert_msg(dr_image_open(src, &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(img->kind, DR_SRC_TAR);
	ck_assert_str_eq(dr_image_top(img)->digest, man);
	for (size_t i = 0; i < img->nblobs; i++)
		ck_assert_int_eq(drain(img, &img->blobs[i], &e), 0);
	dr_image_free(img);
}
END_TEST

Suite *imagesource_suite(void)
{
	Suite *s = suite_create("imagesource");
	TCase *files = tcase_create("files");

	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_oci_dir);
	tcase_add_test(files, test_docker_archive);
	tcase_add_test(files, test_oci_in_tar);
	suite_add_tcase(s, files);
	return s;
}
