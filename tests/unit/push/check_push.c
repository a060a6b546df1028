#include <stdlib.h>
#include <string.h>

#include "push.h"
#include "registry.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* reference -> host, repo, tag, digest; host NULL: must be rejected */
static const struct {
	const char *in, *host, *repo, *tag, *digest;
} refs[] = {
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

START_TEST(test_ref_parse)
{
	struct dr_image_ref r;
	struct dr_err e = { 0 };
	int rc = dr_image_ref_parse(refs[_i].in, &r, &e);

	if (!refs[_i].host) {
		ck_assert_msg(rc == DR_EINVAL, "%s accepted", refs[_i].in);
		ck_assert_int_eq(e.code, DR_EINVAL);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", refs[_i].in, e.msg);
	ck_assert_str_eq(r.host, refs[_i].host);
	ck_assert_str_eq(r.repo, refs[_i].repo);
	ck_assert_str_eq(r.tag, refs[_i].tag);
	ck_assert_str_eq(r.digest, refs[_i].digest);
}
END_TEST

START_TEST(test_ref_format)
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

/* Range / Content-Range values -> next offset; -1: rejected */
static const struct {
	const char *in;
	long long next;
} ranges[] = {
	{ "0-0", 0 },        /* distribution's answer for an empty session */
	{ "0-1", 2 },
	{ "0-1023", 1024 },
	{ "bytes=0-1023", 1024 },
	{ "bytes 0-1023/2048", 1024 },
	{ "bytes 0-1023/*", 1024 },
	{ " 0-99 ", 100 },
	{ "0-1099511627775", 1099511627776LL },
	{ "", -1 },
	{ "0", -1 },
	{ "0-", -1 },
	{ "-5", -1 },
	{ "1-5", -1 },       /* sessions always start at 0 */
	{ "0-5x", -1 },
	{ "0--1", -1 },
	{ "bytes=0-5/3", -1 },
	{ "0-99999999999999999999999", -1 },
};

START_TEST(test_range)
{
	long long next = -7;
	int rc = dr_range_next_offset(ranges[_i].in, &next);

	if (ranges[_i].next < 0) {
		ck_assert_msg(rc == DR_EINVAL, "\"%s\" accepted as %lld", ranges[_i].in, next);
		return;
	}
	ck_assert_msg(rc == 0, "\"%s\" rejected", ranges[_i].in);
	ck_assert_int_eq(next, ranges[_i].next);
}
END_TEST

/* dr_range_resume: have bytes sent, a blob of size; -1: impossible */
static const struct {
	const char *in;
	long long have, size, next;
} resumes[] = {
	{ "0-0", 0, 100, 0 },
	{ "0-49", 100, 100, 50 },
	{ "0-99", 100, 100, 100 },
	{ "0-49", 50, 100, 50 },
	{ "bytes=0-9", 100, 100, 10 },
	{ "0-99", 50, 100, -1 },                 /* more than was sent */
	{ "0-100", 200, 100, -1 },               /* past the blob */
	{ "0-9223372036854775806", 3000000, 3000000, -1 }, /* the review's case */
	{ "0-99999999", 3000000, 3000000, -1 },
	{ "garbage", 100, 100, -1 },
	{ "1-5", 100, 100, -1 },
	{ NULL, 100, 100, -1 },
};

START_TEST(test_range_resume)
{
	long long next = -7;
	int rc = dr_range_resume(resumes[_i].in, resumes[_i].have, resumes[_i].size, &next);

	if (resumes[_i].next < 0) {
		ck_assert_msg(rc == DR_EINVAL, "\"%s\" (%lld/%lld) accepted as %lld",
			      resumes[_i].in ? resumes[_i].in : "(null)", resumes[_i].have,
			      resumes[_i].size, next);
		ck_assert_int_eq(next, -7);
		return;
	}
	ck_assert_msg(rc == 0, "\"%s\" rejected", resumes[_i].in);
	ck_assert_int_eq(next, resumes[_i].next);
}
END_TEST

START_TEST(test_range_null)
{
	long long next;

	ck_assert_int_eq(dr_range_next_offset(NULL, &next), DR_EINVAL);
}
END_TEST

Suite *push_suite(void)
{
	Suite *s = suite_create("push");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_ref_parse, 0, (int)(sizeof(refs) / sizeof(refs[0])));
	tcase_add_test(tc, test_ref_format);
	tcase_add_loop_test(tc, test_range, 0, (int)(sizeof(ranges) / sizeof(ranges[0])));
	tcase_add_loop_test(tc, test_range_resume, 0, (int)(sizeof(resumes) / sizeof(resumes[0])));
	tcase_add_test(tc, test_range_null);
	suite_add_tcase(s, tc);
	return s;
}
