#include <string.h>

#include "base/err.h"
#include "unit.h"

START_TEST(test_fail_sets_and_returns)
{
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_fail(&e, DR_ELOCKED, "collection %s is locked", "login"), DR_ELOCKED);
	ck_assert_int_eq(e.code, DR_ELOCKED);
	ck_assert_str_eq(e.msg, "collection login is locked");
	ck_assert_int_eq(dr_fail(NULL, DR_EIO, "ignored"), DR_EIO);
	dr_err_clear(&e);
	ck_assert_int_eq(e.code, DR_OK);
	ck_assert_str_eq(e.msg, "");
}
END_TEST

START_TEST(test_long_message_truncated)
{
	struct dr_err e = { 0 };
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dr_fail(&e, DR_EIO, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), sizeof(e.msg) - 1);
}
END_TEST

START_TEST(test_wrap_own_message)
{
	struct dr_err e = { 0 };

	dr_fail(&e, DR_EIO, "inner %s", "cause");
	dr_fail(&e, DR_ETLS, "outer: %s", e.msg);
	ck_assert_int_eq(e.code, DR_ETLS);
	ck_assert_str_eq(e.msg, "outer: inner cause");
}
END_TEST

START_TEST(test_unavailable_classes)
{
	ck_assert(dr_err_is_unavailable(DR_ENOBUS));
	ck_assert(dr_err_is_unavailable(DR_ENOPROVIDER));
	ck_assert(dr_err_is_unavailable(DR_ETIMEOUT));
	ck_assert(dr_err_is_unavailable(DR_ELOCKED));
	ck_assert(!dr_err_is_unavailable(DR_ENOTFOUND));
	ck_assert(!dr_err_is_unavailable(DR_EINVAL));
	ck_assert(!dr_err_is_unavailable(DR_OK));
}
END_TEST

START_TEST(test_oom)
{
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_oom(&e), DR_EIO);
	ck_assert_int_eq(e.code, DR_EIO);
	ck_assert_str_eq(e.msg, "out of memory");
	ck_assert_int_eq(dr_oom(NULL), DR_EIO);
}
END_TEST

Suite *err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("err");

	tcase_add_test(tc, test_fail_sets_and_returns);
	tcase_add_test(tc, test_long_message_truncated);
	tcase_add_test(tc, test_unavailable_classes);
	tcase_add_test(tc, test_wrap_own_message);
	tcase_add_test(tc, test_oom);
	suite_add_tcase(s, tc);
	return s;
}
