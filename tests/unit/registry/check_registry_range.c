/* registry_range.c: Range / Content-Range answers of an upload session and
 * where a resumed upload goes on. */
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "unit.h"

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

Suite *registry_range_suite(void)
{
	Suite *s = suite_create("registry_range");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_range, 0, (int)(sizeof(ranges) / sizeof(ranges[0])));
	tcase_add_loop_test(tc, test_range_resume, 0, (int)(sizeof(resumes) / sizeof(resumes[0])));
	tcase_add_test(tc, test_range_null);
	suite_add_tcase(s, tc);
	return s;
}
