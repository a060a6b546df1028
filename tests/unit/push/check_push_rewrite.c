/* push_rewrite.c: manifests and indexes after layers were compressed on
 * the fly. Each test builds the image as imagesource would hand it over
 * (blobs, children-first manifests) and checks the exact documents out. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push/push_int.h"
#include "unit.h"

#define H(c) #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	     #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	     #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	     #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c
#define CFG "sha256:" H(c)
#define L1 "sha256:" H(1)   /* uncompressed, compressed on the fly */
#define L2 "sha256:" H(2)   /* already gzip'd: left alone */
#define Z1 "sha256:" H(a)   /* what L1 became */
#define L3 "sha256:" H(3)

#define MT_DL "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DLG "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DCFG "application/vnd.docker.container.image.v1+json"
#define MT_DM "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DLIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OM "application/vnd.oci.image.manifest.v1+json"
#define MT_OI "application/vnd.oci.image.index.v1+json"
#define MT_OCFG "application/vnd.oci.image.config.v1+json"
#define MT_OL "application/vnd.oci.image.layer.v1.tar"
#define MT_OLG "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OLZ "application/vnd.oci.image.layer.v1.tar+zstd"

#define DOCKER_MANIFEST \
	"{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" MT_DM "\",\n" \
	"   \"config\": {\"mediaType\": \"" MT_DCFG "\", \"size\": 700, \"digest\": \"" CFG "\"},\n" \
	"   \"layers\": [\n" \
	"      {\"mediaType\": \"" MT_DL "\", \"size\": 10240, \"digest\": \"" L1 "\"},\n" \
	"      {\"mediaType\": \"" MT_DLG "\", \"size\": 300, \"digest\": \"" L2 "\"}\n   ]\n}\n"

#define OCI_MANIFEST \
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OM "\"," \
	"\"config\":{\"mediaType\":\"" MT_OCFG "\",\"digest\":\"" CFG "\",\"size\":700}," \
	"\"layers\":[{\"mediaType\":\"" MT_OL "\",\"digest\":\"" L1 "\",\"size\":10240," \
	"\"annotations\":{\"k\":\"v\"}}]}"

struct world {
	struct dr_image img;
	struct dr_blob blobs[4];
	struct dr_manifest mans[3];
	struct dr_layer_out outs[4];
	struct dr_push_ctx c;
};

static void sha256_of(const char *s, char *out)
{
	unsigned char md[32];
	unsigned int n = 0;

	ck_assert_int_eq(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL), 1);
	strcpy(out, "sha256:");
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

static void add_blob(struct world *w, const char *digest, long long size, const char *mt)
{
	struct dr_blob *b = &w->blobs[w->img.nblobs++];

	snprintf(b->d.digest, sizeof(b->d.digest), "%s", digest);
	b->d.size = size;
	snprintf(b->d.media_type, sizeof(b->d.media_type), "%s", mt);
}

static struct dr_manifest *add_manifest(struct world *w, const char *json, const char *mt,
					enum dr_doc_kind kind)
{
	struct dr_manifest *m = &w->mans[w->img.nmanifests++];

	m->data = strdup(json);
	m->len = strlen(json);
	m->media_type = strdup(mt);
	m->kind = kind;
	sha256_of(json, m->digest);
	return m;
}

static void world_init(struct world *w, enum dr_compression comp)
{
	memset(w, 0, sizeof(*w));
	w->img.blobs = w->blobs;
	w->img.manifests = w->mans;
	w->c.img = &w->img;
	w->c.outs = w->outs;
	w->c.compress = comp;
	add_blob(w, CFG, 700, MT_DCFG);
	add_blob(w, L1, 10240, MT_DL);
	add_blob(w, L2, 300, MT_DLG);
}

/* blob 1 (L1) became Z1 of 4321 bytes */
static void compressed_l1(struct world *w)
{
	snprintf(w->outs[1].digest, sizeof(w->outs[1].digest), "%s", Z1);
	w->outs[1].size = 4321;
	w->outs[1].set = 1;
}

static void world_free(struct world *w)
{
	for (size_t i = 0; i < w->img.nmanifests; i++) {
		free(w->mans[i].data);
		free(w->mans[i].media_type);
	}
}

static void assert_doc(const struct dr_manifest *m, const char *json, const char *mt)
{
	char want[DR_DIGEST_MAX];

	ck_assert_str_eq(m->data, json);
	ck_assert_uint_eq(m->len, strlen(json));
	ck_assert_str_eq(m->media_type, mt);
	sha256_of(json, want);
	ck_assert_str_eq(m->digest, want);
}

START_TEST(test_nothing_compressed)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;
	char *before;

	world_init(&w, DR_COMPRESS_GZIP);
	m = add_manifest(&w, DOCKER_MANIFEST, MT_DM, DR_DOC_MANIFEST);
	before = m->data;
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	ck_assert_ptr_eq(m->data, before); /* byte for byte, not re-serialised */
	assert_doc(m, DOCKER_MANIFEST, MT_DM);
	/* no outs array at all (compression off): the same */
	w.c.outs = NULL;
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	ck_assert_ptr_eq(m->data, before);
	world_free(&w);
}
END_TEST

START_TEST(test_docker_gzip)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;

	world_init(&w, DR_COMPRESS_GZIP);
	compressed_l1(&w);
	m = add_manifest(&w, DOCKER_MANIFEST, MT_DM, DR_DOC_MANIFEST);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	/* the key order kept, compact; config (and so its diff_ids) and the
	 * gzip'd layer as they were */
	assert_doc(m, "{\"schemaVersion\":2,\"mediaType\":\"" MT_DM "\","
		   "\"config\":{\"mediaType\":\"" MT_DCFG "\",\"size\":700,\"digest\":\"" CFG "\"},"
		   "\"layers\":[{\"mediaType\":\"" MT_DLG "\",\"size\":4321,\"digest\":\"" Z1 "\"},"
		   "{\"mediaType\":\"" MT_DLG "\",\"size\":300,\"digest\":\"" L2 "\"}]}", MT_DM);
	world_free(&w);
}
END_TEST

START_TEST(test_oci_gzip)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;

	world_init(&w, DR_COMPRESS_GZIP);
	compressed_l1(&w);
	m = add_manifest(&w, OCI_MANIFEST, MT_OM, DR_DOC_MANIFEST);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	assert_doc(m, "{\"schemaVersion\":2,\"mediaType\":\"" MT_OM "\","
		   "\"config\":{\"mediaType\":\"" MT_OCFG "\",\"digest\":\"" CFG "\",\"size\":700},"
		   "\"layers\":[{\"mediaType\":\"" MT_OLG "\",\"digest\":\"" Z1 "\",\"size\":4321,"
		   "\"annotations\":{\"k\":\"v\"}}]}", MT_OM);
	world_free(&w);
}
END_TEST

START_TEST(test_oci_zstd)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;

	world_init(&w, DR_COMPRESS_ZSTD);
	compressed_l1(&w);
	m = add_manifest(&w, OCI_MANIFEST, MT_OM, DR_DOC_MANIFEST);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	assert_doc(m, "{\"schemaVersion\":2,\"mediaType\":\"" MT_OM "\","
		   "\"config\":{\"mediaType\":\"" MT_OCFG "\",\"digest\":\"" CFG "\",\"size\":700},"
		   "\"layers\":[{\"mediaType\":\"" MT_OLZ "\",\"digest\":\"" Z1 "\",\"size\":4321,"
		   "\"annotations\":{\"k\":\"v\"}}]}", MT_OM);
	world_free(&w);
}
END_TEST

/* Docker's schema has no zstd layer: the whole manifest turns OCI */
START_TEST(test_docker_zstd_becomes_oci)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;

	world_init(&w, DR_COMPRESS_ZSTD);
	compressed_l1(&w);
	m = add_manifest(&w, DOCKER_MANIFEST, MT_DM, DR_DOC_MANIFEST);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	assert_doc(m, "{\"schemaVersion\":2,\"mediaType\":\"" MT_OM "\","
		   "\"config\":{\"mediaType\":\"" MT_OCFG "\",\"size\":700,\"digest\":\"" CFG "\"},"
		   "\"layers\":[{\"mediaType\":\"" MT_OLZ "\",\"size\":4321,\"digest\":\"" Z1 "\"},"
		   "{\"mediaType\":\"" MT_OLG "\",\"size\":300,\"digest\":\"" L2 "\"}]}", MT_OM);
	world_free(&w);
}
END_TEST

/* A list whose child turned OCI becomes an OCI index; an untouched child
 * keeps its descriptor, platform and all. */
START_TEST(test_list_follows_children)
{
	static const char other[] =
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DM "\","
		"\"config\":{\"mediaType\":\"" MT_DCFG "\",\"size\":700,\"digest\":\"" CFG "\"},"
		"\"layers\":[{\"mediaType\":\"" MT_DLG "\",\"size\":300,\"digest\":\"" L2 "\"}]}";
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *child, *keep, *list;
	char child_old[DR_DIGEST_MAX], keep_d[DR_DIGEST_MAX], json[4096], want[4096];

	world_init(&w, DR_COMPRESS_ZSTD);
	compressed_l1(&w);
	child = add_manifest(&w, DOCKER_MANIFEST, MT_DM, DR_DOC_MANIFEST);
	keep = add_manifest(&w, other, MT_DM, DR_DOC_MANIFEST);
	strcpy(child_old, child->digest);
	strcpy(keep_d, keep->digest);
	snprintf(json, sizeof(json),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_DLIST "\",\"manifests\":["
		 "{\"mediaType\":\"" MT_DM "\",\"size\":%zu,\"digest\":\"%s\","
		 "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		 "{\"mediaType\":\"" MT_DM "\",\"size\":%zu,\"digest\":\"%s\","
		 "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}}]}",
		 child->len, child_old, keep->len, keep_d);
	list = add_manifest(&w, json, MT_DLIST, DR_DOC_INDEX);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	ck_assert_str_eq(child->media_type, MT_OM);
	ck_assert_str_ne(child->digest, child_old);
	assert_doc(keep, other, MT_DM);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_OI "\",\"manifests\":["
		 "{\"mediaType\":\"" MT_OM "\",\"size\":%zu,\"digest\":\"%s\","
		 "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		 "{\"mediaType\":\"" MT_DM "\",\"size\":%zu,\"digest\":\"%s\","
		 "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}}]}",
		 child->len, child->digest, keep->len, keep_d);
	assert_doc(list, want, MT_OI);
	world_free(&w);
}
END_TEST

/* gzip keeps the child a Docker manifest: the list stays a Docker list,
 * only the child's digest and size change. */
START_TEST(test_list_gzip_stays_docker)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *child, *list;
	char json[2048], want[2048];

	world_init(&w, DR_COMPRESS_GZIP);
	compressed_l1(&w);
	child = add_manifest(&w, DOCKER_MANIFEST, MT_DM, DR_DOC_MANIFEST);
	snprintf(json, sizeof(json),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_DLIST "\",\"manifests\":["
		 "{\"mediaType\":\"" MT_DM "\",\"size\":%zu,\"digest\":\"%s\"}]}",
		 child->len, child->digest);
	list = add_manifest(&w, json, MT_DLIST, DR_DOC_INDEX);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	ck_assert_str_eq(child->media_type, MT_DM);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_DLIST "\",\"manifests\":["
		 "{\"mediaType\":\"" MT_DM "\",\"size\":%zu,\"digest\":\"%s\"}]}",
		 child->len, child->digest);
	assert_doc(list, want, MT_DLIST);
	world_free(&w);
}
END_TEST

/* A layer of another manifest (not compressed) leaves that one alone. */
START_TEST(test_unrelated_manifest_untouched)
{
	static const char doc[] =
		"{ \"schemaVersion\": 2, \"mediaType\": \"" MT_OM "\", \"layers\": "
		"[ {\"mediaType\": \"" MT_OL "\", \"digest\": \"" L3 "\", \"size\": 9} ] }";
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;

	world_init(&w, DR_COMPRESS_ZSTD);
	add_blob(&w, L3, 9, MT_OL);
	compressed_l1(&w);
	m = add_manifest(&w, doc, MT_OM, DR_DOC_MANIFEST);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), 0);
	assert_doc(m, doc, MT_OM);
	world_free(&w);
}
END_TEST

START_TEST(test_not_json)
{
	struct world w;
	struct dr_err e = { 0 };
	struct dr_manifest *m;
	char want[300];

	world_init(&w, DR_COMPRESS_GZIP);
	compressed_l1(&w);
	m = add_manifest(&w, "[1,2]", MT_DM, DR_DOC_MANIFEST);
	ck_assert_int_eq(dr_push_rewrite_manifests(&w.c, &w.img, &e), DR_EINVAL);
	ck_assert_int_eq(e.code, DR_EINVAL);
	snprintf(want, sizeof(want), "manifest %s is not JSON", m->digest);
	ck_assert_str_eq(e.msg, want);
	assert_doc(m, "[1,2]", MT_DM);
	world_free(&w);
}
END_TEST

Suite *push_rewrite_suite(void)
{
	Suite *s = suite_create("push_rewrite");
	TCase *tc = tcase_create("manifests");

	tcase_add_test(tc, test_nothing_compressed);
	tcase_add_test(tc, test_docker_gzip);
	tcase_add_test(tc, test_oci_gzip);
	tcase_add_test(tc, test_oci_zstd);
	tcase_add_test(tc, test_docker_zstd_becomes_oci);
	tcase_add_test(tc, test_list_follows_children);
	tcase_add_test(tc, test_list_gzip_stays_docker);
	tcase_add_test(tc, test_unrelated_manifest_untouched);
	tcase_add_test(tc, test_not_json);
	suite_add_tcase(s, tc);
	return s;
}
