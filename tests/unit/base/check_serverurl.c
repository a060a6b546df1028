#include <stdlib.h>
#include <string.h>

#include "base/serverurl.h"
#include "unit.h"

static const struct {
	const char *in;
	const char *key; /* NULL: not a registry address */
} vectors[] = {
	/* Docker Hub, every spelling clients use */
	{ "https://index.docker.io/v1/", "docker.io" },
	{ "https://index.docker.io/v1", "docker.io" },
	{ "docker.io", "docker.io" },
	{ "index.docker.io", "docker.io" },
	{ "registry-1.docker.io", "docker.io" },
	{ "https://registry-1.docker.io/", "docker.io" },
	{ "HTTPS://INDEX.DOCKER.IO/v1/", "docker.io" },
	{ "http://docker.io", "docker.io" },
	{ "  docker.io\n", "docker.io" },
	/* Hub paths stay significant */
	{ "https://index.docker.io/v1/access-token", "docker.io/v1/access-token" },
	{ "https://index.docker.io/v1//access-token", "docker.io/v1/access-token" },
	{ "https://index.docker.io/v1/refresh-token/", "docker.io/v1/refresh-token" },
	{ "docker.io/library", "docker.io/library" },
	/* ports are kept, hosts lower-cased, schemes dropped */
	{ "reg.example.com:5000", "reg.example.com:5000" },
	{ "https://reg.example.com:5000/", "reg.example.com:5000" },
	{ "HTTP://REG.Example.com:5000", "reg.example.com:5000" },
	{ "reg.example.com", "reg.example.com" },
	{ "https://reg.example.com", "reg.example.com" },
	{ "reg.example.com:443", "reg.example.com:443" },
	{ "docker.io:443", "docker.io:443" },
	{ "ghcr.io/", "ghcr.io" },
	{ "quay.io//org///repo/", "quay.io/org/repo" },
	{ "my_reg.local", "my_reg.local" },
	/* IPv6 */
	{ "[::1]:5000", "[::1]:5000" },
	{ "https://[::1]:5000/", "[::1]:5000" },
	{ "[FE80::1]", "[fe80::1]" },
	{ "127.0.0.1:5000", "127.0.0.1:5000" },
	/* garbage */
	{ "", NULL },
	{ "   ", NULL },
	{ "https://", NULL },
	{ "ftp://reg.example.com", NULL },
	{ "user@reg.example.com", NULL },
	{ "reg.example.com:0", NULL },
	{ "reg.example.com:65536", NULL },
	{ "reg.example.com:50a0", NULL },
	{ "reg.example.com:", NULL },
	{ ":5000", NULL },
	{ "[::1", NULL },
	{ "[]:5000", NULL },
	{ "[::g]:5000", NULL },
	{ "reg example.com", NULL },
	{ "reg.example.com/a b", NULL },
	{ "/just/a/path", NULL },
	{ "a:b:c", NULL },
};

START_TEST(test_canonical_vectors)
{
	char *key = NULL;
	struct dr_err e = { 0 };
	int rc = dr_serverurl_canonical(vectors[_i].in, &key, &e);

	if (vectors[_i].key) {
		ck_assert_msg(rc == 0, "%s: rejected: %s", vectors[_i].in, e.msg);
		ck_assert_str_eq(key, vectors[_i].key);
	} else {
		ck_assert_msg(rc == DR_EINVAL, "%s: accepted as %s", vectors[_i].in,
			      key ? key : "(null)");
		ck_assert_ptr_null(key);
	}
	free(key);
}
END_TEST

static int strv_has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (strcmp(v[i], s) == 0)
			return 1;
	}
	return 0;
}

START_TEST(test_aliases_hub)
{
	char **v = dr_serverurl_aliases("docker.io", 1);

	ck_assert_ptr_nonnull(v);
	ck_assert(strv_has(v, "https://index.docker.io/v1/"));
	ck_assert(strv_has(v, "docker.io"));
	ck_assert(strv_has(v, "index.docker.io"));
	ck_assert(strv_has(v, "registry-1.docker.io"));
	ck_assert(!strv_has(v, "https://index.docker.io/v1/access-token"));
	/* every alias folds back to the key it came from */
	for (size_t i = 0; v[i]; i++) {
		char *k = NULL;

		ck_assert_int_eq(dr_serverurl_canonical(v[i], &k, NULL), 0);
		ck_assert_str_eq(k, "docker.io");
		free(k);
	}
	dr_strv_free(v);
}
END_TEST

START_TEST(test_aliases_host)
{
	char **v = dr_serverurl_aliases("reg.example.com:5000", 1);

	ck_assert(strv_has(v, "reg.example.com:5000"));
	ck_assert(strv_has(v, "https://reg.example.com:5000"));
	ck_assert(strv_has(v, "https://reg.example.com:5000/"));
	ck_assert(strv_has(v, "http://reg.example.com:5000"));
	ck_assert(!strv_has(v, "reg.example.com"));
	dr_strv_free(v);
	/* the common set: what docker, podman and people store under */
	v = dr_serverurl_aliases("reg.example.com:5000", 0);
	ck_assert(strv_has(v, "reg.example.com:5000"));
	ck_assert(strv_has(v, "https://reg.example.com:5000"));
	ck_assert(!strv_has(v, "http://reg.example.com:5000"));
	dr_strv_free(v);
	v = dr_serverurl_aliases("docker.io", 0);
	ck_assert(strv_has(v, "https://index.docker.io/v1/"));
	ck_assert(strv_has(v, "docker.io"));
	ck_assert(!strv_has(v, "http://docker.io"));
	dr_strv_free(v);
	v = dr_serverurl_aliases("docker.io/v1/access-token", 1);
	ck_assert(strv_has(v, "https://index.docker.io/v1/access-token"));
	ck_assert(strv_has(v, "https://index.docker.io/v1//access-token"));
	ck_assert(!strv_has(v, "https://index.docker.io/v1/"));
	dr_strv_free(v);
}
END_TEST

START_TEST(test_key_host)
{
	char *h = dr_serverurl_key_host("[::1]:5000/x/y");

	ck_assert_str_eq(h, "[::1]:5000");
	free(h);
	h = dr_serverurl_key_host("docker.io");
	ck_assert_str_eq(h, "docker.io");
	free(h);
}
END_TEST

Suite *serverurl_suite(void)
{
	Suite *s = suite_create("serverurl");
	TCase *tc = tcase_create("canonical");

	tcase_add_loop_test(tc, test_canonical_vectors, 0,
			    (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, test_aliases_hub);
	tcase_add_test(tc, test_aliases_host);
	tcase_add_test(tc, test_key_host);
	suite_add_tcase(s, tc);
	return s;
}
