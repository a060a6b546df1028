#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "fixture.h"
#include "unit.h"

START_TEST(test_stdout_formats)
{
	char *out, *err;

	unit_capture_begin(1);
	unit_capture_begin(2);
	dr_log_info1("Setting %s to %d", "jobs", 4);
	dr_log_info2_quiet("App %s", "web");
	dr_log_verbose("detail");
	dr_log_verbose_quiet("%s", "");
	err = unit_capture_end(2);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "-----> Setting jobs to 4\n"
			      "=====> App web\n"
			      "       detail\n"
			      "       \n");
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
}
END_TEST

START_TEST(test_stderr_formats)
{
	char *out, *err;
	int rc;

	unit_capture_begin(1);
	unit_capture_begin(2);
	dr_log_warn("Deprecated %s", "flag");
	rc = dr_log_fail(20, "App %s does not exist", "nope");
	ck_assert_int_eq(dr_log_fail(0, "%s", "x"), 0);
	err = unit_capture_end(2);
	out = unit_capture_end(1);
	ck_assert_int_eq(rc, 20);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, " !     Deprecated flag\n"
			      " !     App nope does not exist\n"
			      " !     x\n");
	free(out);
	free(err);
}
END_TEST

START_TEST(test_quiet)
{
	char *out, *err;

	ck_assert_int_eq(dr_log_quiet(), 0);
	setenv("DOKKU_QUIET_OUTPUT", "", 1);
	ck_assert_int_eq(dr_log_quiet(), 0); /* set but empty is not quiet */
	setenv("DOKKU_QUIET_OUTPUT", "1", 1);
	ck_assert_int_eq(dr_log_quiet(), 1);
	unit_capture_begin(1);
	unit_capture_begin(2);
	dr_log_info2_quiet("hidden");
	dr_log_verbose_quiet("hidden");
	dr_log_info1("shown");
	dr_log_verbose("shown too");
	dr_log_warn("still warned");
	err = unit_capture_end(2);
	out = unit_capture_end(1);
	unsetenv("DOKKU_QUIET_OUTPUT");
	ck_assert_str_eq(out, "-----> shown\n       shown too\n");
	ck_assert_str_eq(err, " !     still warned\n");
	free(out);
	free(err);
}
END_TEST

/* stdout and stderr into one file keep the order they were written in,
 * as in a terminal or `2>&1` */
START_TEST(test_order)
{
	char *both;
	int saved_err;

	unit_capture_begin(1);
	saved_err = dup(2);
	dup2(1, 2);
	dr_log_info1("one");
	dr_log_warn("two");
	dr_log_verbose("three");
	dr_log_fail(1, "four");
	dup2(saved_err, 2);
	close(saved_err);
	both = unit_capture_end(1);
	ck_assert_str_eq(both, "-----> one\n !     two\n       three\n !     four\n");
	free(both);
}
END_TEST

/* longer than stdio's buffer: written whole, one newline */
START_TEST(test_long_line)
{
	static char big[20000];
	char *out;

	memset(big, 'x', sizeof(big) - 1);
	unit_capture_begin(1);
	dr_log_verbose("%s", big);
	out = unit_capture_end(1);
	ck_assert_uint_eq(strlen(out), 7 + sizeof(big) - 1 + 1);
	ck_assert(strncmp(out, "       xxx", 10) == 0);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	ck_assert_int_eq(out[strlen(out) - 2], 'x');
	free(out);
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("output");

	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_stdout_formats);
	tcase_add_test(tc, test_stderr_formats);
	tcase_add_test(tc, test_quiet);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_long_line);
	suite_add_tcase(s, tc);
	return s;
}
