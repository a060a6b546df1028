#include <stdio.h>
#include <string.h>

#include "push/push.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* More of docker's reference grammar than the basic table below:
 * separators, where a host ends, defaults. NULL host: refused. */
static const struct {
	const char *in, *host, *repo, *tag;
} refs[] = {
	{ "a__b/c", "docker.io", "a__b/c", "latest" },
	{ "a___b", NULL, NULL, NULL },
	{ "a._b", NULL, NULL, NULL },
	{ "a-_b", NULL, NULL, NULL },
	{ "a-.b", NULL, NULL, NULL },
	{ "a.-b", NULL, NULL, NULL },
	{ "a---b.c_d", "docker.io", "library/a---b.c_d", "latest" },
	{ "_a", NULL, NULL, NULL },
	{ "a_", NULL, NULL, NULL },
	{ "host:5000", "docker.io", "library/host", "5000" }, /* no slash: a tag, not a port */
	{ "a:b", "docker.io", "library/a", "b" },
	{ "docker.io/library/alpine", "docker.io", "library/alpine", "latest" },
	{ "index.docker.io/library/alpine", "docker.io", "library/alpine", "latest" },
	{ "registry-1.docker.io/x/y", "registry-1.docker.io", "x/y", "latest" },
	{ "Reg.Example.com/app", "Reg.Example.com", "app", "latest" },
	{ "localhost/a/b", "localhost", "a/b", "latest" },
	{ "localhostx/a", "docker.io", "localhostx/a", "latest" }, /* not a host: no dot, no port */
	{ "team.x/app:v.1-2_3", "team.x", "app", "v.1-2_3" },
	{ "h:1/app:_tag", "h:1", "app", "_tag" },
	{ "h:1/app:.tag", NULL, NULL, NULL },
	{ "h:1/app:ta g", NULL, NULL, NULL },
	{ "h:1/app:t@g", NULL, NULL, NULL },
	{ "h:1/", NULL, NULL, NULL },
	{ "/app", NULL, NULL, NULL },
	{ "h:1/a/b/c/d/e/f", "h:1", "a/b/c/d/e/f", "latest" },
	{ "a@b@sha256:" D64, NULL, NULL, NULL },
	{ "@sha256:" D64, NULL, NULL, NULL },
};

START_TEST(test_grammar)
{
	struct dr_image_ref r;
	struct dr_err e = { 0 };
	int rc = dr_image_ref_parse(refs[_i].in, &r, &e);

	if (!refs[_i].host) {
		ck_assert_msg(rc == DR_EINVAL, "\"%s\" accepted as %s/%s:%s", refs[_i].in, r.host,
			      r.repo, r.tag);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", refs[_i].in, e.msg);
	ck_assert_str_eq(r.host, refs[_i].host);
	ck_assert_str_eq(r.repo, refs[_i].repo);
	ck_assert_str_eq(r.tag, refs[_i].tag);
	ck_assert_str_eq(r.digest, "");
}
END_TEST

/* input -> exact message */
static const struct {
	const char *in, *msg;
} errors[] = {
	{ "", "invalid image reference \"\"" },
	{ "h:1/app@sha256:abc", "invalid digest in image reference \"h:1/app@sha256:abc\"" },
	{ "h:1/app@SHA256:" D64, "invalid digest in image reference \"h:1/app@SHA256:" D64 "\"" },
	{ "h:1/app:-x", "invalid tag \"-x\" in image reference \"h:1/app:-x\"" },
	{ "h:1/app:", "invalid tag \"\" in image reference \"h:1/app:\"" },
	{ "h:1/App", "invalid repository name \"App\" in image reference \"h:1/App\" "
		     "(lower case letters, digits and . _ - / only)" },
	{ "h:1/a//b", "invalid repository name \"a//b\" in image reference \"h:1/a//b\" "
		      "(lower case letters, digits and . _ - / only)" },
	{ "UP", "invalid repository name \"UP\" in image reference \"UP\" "
		"(lower case letters, digits and . _ - / only)" },
};

START_TEST(test_errors)
{
	struct dr_image_ref r;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_image_ref_parse(errors[_i].in, &r, &e), DR_EINVAL);
	ck_assert_int_eq(e.code, DR_EINVAL);
	ck_assert_str_eq(e.msg, errors[_i].msg);
	ck_assert_int_eq(dr_image_ref_parse(errors[_i].in, &r, NULL), DR_EINVAL);
}
END_TEST

START_TEST(test_null)
{
	struct dr_image_ref r;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_image_ref_parse(NULL, &r, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "invalid image reference \"\"");
}
END_TEST

static char *repeat(char *buf, size_t n, char c)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_limits)
{
	struct dr_image_ref r;
	struct dr_err e = { 0 };
	char part[1100], in[1200];

	/* tag: 128 characters at most */
	snprintf(in, sizeof(in), "h:1/app:%s", repeat(part, 128, 't'));
	ck_assert_int_eq(dr_image_ref_parse(in, &r, &e), 0);
	ck_assert_uint_eq(strlen(r.tag), 128);
	snprintf(in, sizeof(in), "h:1/app:%s", repeat(part, 129, 't'));
	ck_assert_int_eq(dr_image_ref_parse(in, &r, &e), DR_EINVAL);
	ck_assert(strncmp(e.msg, "invalid tag \"ttt", 16) == 0);
	/* repository path: 255 characters at most */
	snprintf(in, sizeof(in), "h:1/%s", repeat(part, 255, 'r'));
	ck_assert_int_eq(dr_image_ref_parse(in, &r, &e), 0);
	ck_assert_uint_eq(strlen(r.repo), 255);
	snprintf(in, sizeof(in), "h:1/%s", repeat(part, 256, 'r'));
	ck_assert_int_eq(dr_image_ref_parse(in, &r, &e), DR_EINVAL);
	ck_assert(strncmp(e.msg, "repository name too long in \"h:1/rrr", 36) == 0);
	/* on docker.io "library/" counts: 247 + 8 fit, 248 + 8 do not */
	ck_assert_int_eq(dr_image_ref_parse(repeat(part, 247, 'r'), &r, &e), 0);
	ck_assert_uint_eq(strlen(r.repo), 255);
	ck_assert_int_eq(dr_image_ref_parse(repeat(part, 248, 'r'), &r, &e), DR_EINVAL);
	ck_assert(strncmp(e.msg, "repository name too long in \"rrr", 32) == 0);
	/* registry host: under 260 characters */
	snprintf(in, sizeof(in), "%s.io/app", repeat(part, 256, 'h'));
	ck_assert_int_eq(dr_image_ref_parse(in, &r, &e), 0);
	ck_assert_uint_eq(strlen(r.host), 259);
	snprintf(in, sizeof(in), "%s.io/app", repeat(part, 257, 'h'));
	ck_assert_int_eq(dr_image_ref_parse(in, &r, &e), DR_EINVAL);
	ck_assert(strncmp(e.msg, "registry name too long in \"hhh", 30) == 0);
	/* the whole reference: under 1024 bytes */
	ck_assert_int_eq(dr_image_ref_parse(repeat(part, 1023, 'a'), &r, &e), DR_EINVAL);
	ck_assert_int_eq(dr_image_ref_parse(repeat(part, 1024, 'a'), &r, &e), DR_EINVAL);
	ck_assert(strncmp(e.msg, "invalid image reference \"aaa", 28) == 0);
	ck_assert_uint_lt(strlen(e.msg), sizeof(e.msg)); /* cut, still terminated */
}
END_TEST

/* parse -> format -> parse gives the same reference */
static const char *const trips[] = {
	"alpine", "team/app:1", "127.0.0.1:5000/e2e/app:v1", "[::1]:5000/a/b:c",
	"h:1/app@sha256:" D64, "h:1/app:t@sha256:" D64, "index.docker.io/x",
};

START_TEST(test_round_trip)
{
	struct dr_image_ref a, b;
	char out[700];

	ck_assert_int_eq(dr_image_ref_parse(trips[_i], &a, NULL), 0);
	dr_image_ref_format(&a, out, sizeof(out));
	ck_assert_int_eq(dr_image_ref_parse(out, &b, NULL), 0);
	ck_assert_str_eq(a.host, b.host);
	ck_assert_str_eq(a.repo, b.repo);
	ck_assert_str_eq(a.tag, b.tag);
	ck_assert_str_eq(a.digest, b.digest);
}
END_TEST

START_TEST(test_format)
{
	struct dr_image_ref r;
	char out[700], small[12];

	ck_assert_int_eq(dr_image_ref_parse("h:1/app:t@sha256:" D64, &r, NULL), 0);
	dr_image_ref_format(&r, out, sizeof(out));
	ck_assert_str_eq(out, "h:1/app:t@sha256:" D64);
	ck_assert_int_eq(dr_image_ref_parse("index.docker.io/x", &r, NULL), 0);
	dr_image_ref_format(&r, out, sizeof(out));
	ck_assert_str_eq(out, "docker.io/library/x:latest");
	/* a small buffer gets a terminated prefix */
	memset(small, 'Z', sizeof(small));
	dr_image_ref_format(&r, small, sizeof(small));
	ck_assert_str_eq(small, "docker.io/l");
}
END_TEST

/* The first table (from check_push.c): reference -> host, repo, tag,
 * digest; host NULL: must be rejected */
static const struct {
	const char *in, *host, *repo, *tag, *digest;
} basic_refs[] = {
	{ "alpine", "docker.io", "library/alpine", "latest", "" },
	{ "alpine:3.19", "docker.io", "library/alpine", "3.19", "" },
	{ "docker.io/alpine", "docker.io", "library/alpine", "latest", "" },
	{ "index.docker.io/alpine:edge", "docker.io", "library/alpine", "edge", "" },
	{ "docker.io/team/app:1", "docker.io", "team/app", "1", "" },
	{ "team/app", "docker.io", "team/app", "latest", "" },
	{ "127.0.0.1:5000/e2e/app:v1", "127.0.0.1:5000", "e2e/app", "v1", "" },
	{ "localhost/app", "localhost", "app", "latest", "" },
	{ "localhost:5000/a/b/c:t_1.x-y", "localhost:5000", "a/b/c", "t_1.x-y", "" },
	{ "ghcr.io/org/app", "ghcr.io", "org/app", "latest", "" },
	{ "[::1]:5000/app:2", "[::1]:5000", "app", "2", "" },
	{ "reg.example.com/a__b/c-d--e.f:tag", "reg.example.com", "a__b/c-d--e.f", "tag", "" },
	{ "reg:5000/app@sha256:" D64, "reg:5000", "app", "", "sha256:" D64 },
	{ "reg:5000/app:1@sha256:" D64, "reg:5000", "app", "1", "sha256:" D64 },
	{ "", NULL, NULL, NULL, NULL },
	{ "UPPER/app", NULL, NULL, NULL, NULL },
	{ "reg:5000/App", NULL, NULL, NULL, NULL },
	{ "reg:5000/app:", NULL, NULL, NULL, NULL },
	{ "reg:5000/app:-x", NULL, NULL, NULL, NULL },
	{ "reg:5000/app:a/b", NULL, NULL, NULL, NULL },
	{ "reg:5000//app", NULL, NULL, NULL, NULL },
	{ "reg:5000/app/", NULL, NULL, NULL, NULL },
	{ "reg:5000/a..b", NULL, NULL, NULL, NULL },
	{ "reg:5000/a-", NULL, NULL, NULL, NULL },
	{ "reg:5000/app@sha256:abc", NULL, NULL, NULL, NULL },
	{ "reg:5000/app@md5:" D64, NULL, NULL, NULL, NULL },
	{ "reg:5000/app:" "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890", NULL, NULL, NULL, NULL },
};

START_TEST(test_basic_grammar)
{
	struct dr_image_ref r;
	struct dr_err e = { 0 };
	int rc = dr_image_ref_parse(basic_refs[_i].in, &r, &e);

	if (!basic_refs[_i].host) {
		ck_assert_msg(rc == DR_EINVAL, "%s accepted", basic_refs[_i].in);
		ck_assert_int_eq(e.code, DR_EINVAL);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", basic_refs[_i].in, e.msg);
	ck_assert_str_eq(r.host, basic_refs[_i].host);
	ck_assert_str_eq(r.repo, basic_refs[_i].repo);
	ck_assert_str_eq(r.tag, basic_refs[_i].tag);
	ck_assert_str_eq(r.digest, basic_refs[_i].digest);
}
END_TEST

START_TEST(test_basic_format)
{
	struct dr_image_ref r;
	char out[512];

	ck_assert_int_eq(dr_image_ref_parse("alpine", &r, NULL), 0);
	dr_image_ref_format(&r, out, sizeof(out));
	ck_assert_str_eq(out, "docker.io/library/alpine:latest");
	ck_assert_int_eq(dr_image_ref_parse("h:1/a@sha256:" D64, &r, NULL), 0);
	dr_image_ref_format(&r, out, sizeof(out));
	ck_assert_str_eq(out, "h:1/a@sha256:" D64);
}
END_TEST

Suite *push_ref_suite(void)
{
	Suite *s = suite_create("push_ref");
	TCase *tc = tcase_create("refs");

	tcase_add_loop_test(tc, test_grammar, 0, (int)(sizeof(refs) / sizeof(refs[0])));
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(errors) / sizeof(errors[0])));
	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_limits);
	tcase_add_loop_test(tc, test_round_trip, 0, (int)(sizeof(trips) / sizeof(trips[0])));
	tcase_add_test(tc, test_format);
	tcase_add_loop_test(tc, test_basic_grammar, 0, (int)(sizeof(basic_refs) / sizeof(basic_refs[0])));
	tcase_add_test(tc, test_basic_format);
	suite_add_tcase(s, tc);
	return s;
}
