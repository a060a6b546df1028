/* imagesource_parse.c: digests, OCI index.json, manifests and indexes,
 * docker save's manifest.json (moved here from check_imagesource.c). */
#include <stdlib.h>
#include <string.h>

#include "image/imagesource.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

START_TEST(test_digest_valid)
{
	ck_assert(dr_digest_valid("sha256:" D64));
	ck_assert(dr_digest_valid("sha512:" D64 D64));
	ck_assert(!dr_digest_valid("sha256:" D64 "0"));
	ck_assert(!dr_digest_valid("sha256:0123"));
	ck_assert(!dr_digest_valid("SHA256:" D64));
	ck_assert(!dr_digest_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	ck_assert(!dr_digest_valid("md5:" D64));
	ck_assert(!dr_digest_valid(""));
	ck_assert(!dr_digest_valid(NULL));
}
END_TEST

static const char index_json[] =
	"{\"schemaVersion\":2,\"manifests\":["
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" D64 "\","
	"\"size\":10,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"sha256:" D64B "\","
	"\"size\":20,\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/x:2\","
	"\"org.opencontainers.image.ref.name\":\"2\"}}]}";

START_TEST(test_index_select)
{
	struct dr_descriptor d;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_oci_index_select(index_json, strlen(index_json), NULL, &d, &e), 0);
	ck_assert_str_eq(d.digest, "sha256:" D64);
	ck_assert_int_eq(d.size, 10);
	ck_assert_int_eq(dr_oci_index_select(index_json, strlen(index_json), "2", &d, &e), 0);
	ck_assert_str_eq(d.digest, "sha256:" D64B);
	ck_assert_str_eq(d.media_type, DR_MT_OCI_INDEX);
	ck_assert_int_eq(dr_oci_index_select(index_json, strlen(index_json),
					     "docker.io/library/x:2", &d, &e), 0);
	ck_assert_str_eq(d.digest, "sha256:" D64B);
	ck_assert_int_eq(dr_oci_index_select(index_json, strlen(index_json), "v9", &d, &e),
			 DR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"v9\""));
	ck_assert_int_eq(dr_oci_index_select("{\"manifests\":[]}", 16, NULL, &d, &e), DR_ENOTFOUND);
	ck_assert_int_eq(dr_oci_index_select("[]", 2, NULL, &d, &e), DR_EINVAL);
	ck_assert_int_eq(dr_oci_index_select("{", 1, NULL, &d, &e), DR_EINVAL);
	ck_assert_int_eq(dr_oci_index_select("{\"manifests\":[{\"digest\":\"sha256:12\",\"size\":1}]}",
					     48, NULL, &d, &e), DR_EINVAL);
}
END_TEST

static const char oci_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" D64 "\",\"size\":5},"
	"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" D64B "\",\"size\":7},"
	"{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"sha256:" D64 "\",\"size\":9}]}";

static const char docker_list[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
	"\"manifests\":[{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
	"\"digest\":\"sha256:" D64 "\",\"size\":3,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}}]}";

START_TEST(test_manifest_parse)
{
	struct dr_descriptor *refs;
	enum dr_doc_kind kind;
	char mt[160];
	size_t n;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_manifest_parse(oci_manifest, strlen(oci_manifest), NULL, &kind, mt,
					   sizeof(mt), &refs, &n, &e), 0);
	ck_assert_int_eq(kind, DR_DOC_MANIFEST);
	ck_assert_str_eq(mt, DR_MT_OCI_MANIFEST);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(refs[0].digest, "sha256:" D64);
	ck_assert_int_eq(refs[1].size, 7);
	ck_assert(!refs[1].foreign);
	ck_assert(refs[2].foreign);
	free(refs);

	ck_assert_int_eq(dr_manifest_parse(docker_list, strlen(docker_list), NULL, &kind, mt,
					   sizeof(mt), &refs, &n, &e), 0);
	ck_assert_int_eq(kind, DR_DOC_INDEX);
	ck_assert_str_eq(mt, DR_MT_DOCKER_LIST);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(refs[0].platform, "linux/arm/v7");
	free(refs);

	/* no mediaType anywhere: the shape decides */
	ck_assert_int_eq(dr_manifest_parse("{\"manifests\":[]}", 16, NULL, &kind, mt, sizeof(mt),
					   &refs, &n, &e), 0);
	ck_assert_int_eq(kind, DR_DOC_INDEX);
	ck_assert_str_eq(mt, DR_MT_OCI_INDEX);
	free(refs);
	/* the descriptor's type wins */
	ck_assert_int_eq(dr_manifest_parse(oci_manifest, strlen(oci_manifest), DR_MT_DOCKER_MANIFEST,
					   &kind, mt, sizeof(mt), &refs, &n, &e), 0);
	ck_assert_str_eq(mt, DR_MT_DOCKER_MANIFEST);
	free(refs);

	ck_assert_int_eq(dr_manifest_parse("{\"schemaVersion\":1,\"fsLayers\":[]}", 33, NULL, &kind,
					   mt, sizeof(mt), &refs, &n, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "schema 1"));
	ck_assert_int_eq(dr_manifest_parse("{\"mediaType\":\"text/plain\"}", 26, NULL, &kind, mt,
					   sizeof(mt), &refs, &n, &e), DR_EINVAL);
	ck_assert_int_eq(dr_manifest_parse("{\"layers\":[]}", 13, NULL, &kind, mt, sizeof(mt), &refs,
					   &n, &e), DR_EINVAL);
	ck_assert_int_eq(dr_manifest_parse("nope", 4, NULL, &kind, mt, sizeof(mt), &refs, &n, &e),
			 DR_EINVAL);
	ck_assert_ptr_null(refs);
}
END_TEST

START_TEST(test_docker_save_parse)
{
	static const char j[] = "[{\"Config\":\"a.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l1/layer.tar\"]},"
				"{\"Config\":\"b.json\",\"RepoTags\":[\"y:2\",\"y:3\"],\"Layers\":[\"l1/layer.tar\",\"l2/layer.tar\"]}]";
	struct dr_docker_save_entry d;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_docker_save_parse(j, strlen(j), NULL, &d, &e), 0);
	ck_assert_str_eq(d.config, "a.json");
	ck_assert_int_eq(d.nlayers, 1);
	dr_docker_save_entry_free(&d);
	ck_assert_int_eq(dr_docker_save_parse(j, strlen(j), "y:3", &d, &e), 0);
	ck_assert_str_eq(d.config, "b.json");
	ck_assert_int_eq(d.nlayers, 2);
	ck_assert_str_eq(d.layers[1], "l2/layer.tar");
	dr_docker_save_entry_free(&d);
	ck_assert_int_eq(dr_docker_save_parse(j, strlen(j), "z:1", &d, &e), DR_ENOTFOUND);
	ck_assert_int_eq(dr_docker_save_parse("{}", 2, NULL, &d, &e), DR_EINVAL);
	ck_assert_int_eq(dr_docker_save_parse("[{\"Config\":\"a\"}]", 16, NULL, &d, &e), DR_EINVAL);
	ck_assert_int_eq(dr_docker_save_parse("[{\"Config\":\"a\",\"Layers\":[1]}]", 29, NULL, &d, &e),
			 DR_EINVAL);
}
END_TEST
/* index.json -> exact error */
static const struct {
	const char *json, *ref, *msg;
	int code;
} index_errors[] = {
	{ "[]", NULL, "index.json is not an OCI index", DR_EINVAL },
	{ "{\"manifests\":{}}", NULL, "index.json is not an OCI index", DR_EINVAL },
	{ "{", NULL, "index.json is not an OCI index: string or '}' expected near end of file", DR_EINVAL },
	{ "{\"manifests\":[]}", NULL, "index.json lists no image", DR_ENOTFOUND },
	{ "{\"manifests\":[]}", "", "index.json lists no image", DR_ENOTFOUND },
	{ "{\"manifests\":[{\"size\":1}]}", "x", "no image named \"x\" in index.json", DR_ENOTFOUND },
	{ "{\"manifests\":[{\"size\":1}]}", NULL, "the index.json entry has no valid digest", DR_EINVAL },
	{ "{\"manifests\":[7]}", NULL, "the index.json entry has no valid digest", DR_EINVAL },
	{ "{\"manifests\":[{\"digest\":\"sha256:" D64 "\",\"size\":-1}]}", NULL,
	  "the index.json entry sha256:" D64 " has no valid size", DR_EINVAL },
	{ "{\"manifests\":[{\"digest\":\"sha256:" D64 "\",\"size\":\"10\"}]}", NULL,
	  "the index.json entry sha256:" D64 " has no valid size", DR_EINVAL },
	{ "{\"manifests\":[{\"digest\":\"sha256:" D64 "\"}]}", NULL,
	  "the index.json entry sha256:" D64 " has no valid size", DR_EINVAL },
};

START_TEST(test_index_errors)
{
	struct dr_descriptor d;
	struct dr_err e = { 0 };
	const char *j = index_errors[_i].json;

	ck_assert_int_eq(dr_oci_index_select(j, strlen(j), index_errors[_i].ref, &d, &e),
			 index_errors[_i].code);
	ck_assert_str_eq(e.msg, index_errors[_i].msg);
}
END_TEST

START_TEST(test_descriptor_fields)
{
	static const char j[] =
		"{\"manifests\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\","
		"\"digest\":\"sha256:" D64 "\",\"size\":0,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
		"{\"digest\":\"sha256:" D64B "\",\"size\":9007199254740993,\"platform\":{\"os\":\"linux\"},"
		"\"annotations\":{\"io.containerd.image.name\":\"b\"}}]}";
	struct dr_descriptor d;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_oci_index_select(j, strlen(j), NULL, &d, &e), 0);
	ck_assert_int_eq(d.size, 0);
	ck_assert_str_eq(d.platform, "linux/amd64");
	ck_assert_int_eq(d.foreign, 1); /* docker's foreign layers too */
	ck_assert_int_eq(dr_oci_index_select(j, strlen(j), "b", &d, &e), 0);
	ck_assert_str_eq(d.digest, "sha256:" D64B);
	ck_assert_int_eq(d.size, 9007199254740993LL); /* exact beyond 2^53 */
	ck_assert_str_eq(d.platform, "");             /* no architecture: none */
	ck_assert_str_eq(d.media_type, "");
	ck_assert_int_eq(d.foreign, 0);
}
END_TEST

Suite *imagesource_parse_suite(void)
{
	Suite *s = suite_create("imagesource_parse");
	TCase *pure = tcase_create("pure");

	tcase_add_test(pure, test_digest_valid);
	tcase_add_test(pure, test_index_select);
	tcase_add_test(pure, test_manifest_parse);
	tcase_add_test(pure, test_docker_save_parse);
	tcase_add_loop_test(pure, test_index_errors, 0,
			    (int)(sizeof(index_errors) / sizeof(index_errors[0])));
	tcase_add_test(pure, test_descriptor_fields);
	suite_add_tcase(s, pure);
	return s;
}
