/* The client side of the credential-helper protocol (core/helper/
 * credhelper.c), against a stand-in helper script (fakehelper.c): what goes
 * on stdin and into DOCKER_CONFIG, how answers are read, and how a helper
 * that fails, hangs, floods or leaves a grandchild behind is reported. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/credhelper.h"
#include "fakehelper.h"
#include "unit.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void expect_file(const char *name, const char *want)
{
	char *got = fh_read(name);

	ck_assert_msg(got != NULL, "%s was not written", name);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_store_frames_json_on_stdin)
{
	struct dr_creds c = { (char *)"https://reg.example.com", (char *)"al\"ice", (char *)"p\0w", 3 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_credhelper_store("unitfake", "/cfg/dir", &c, &e), 0);
	expect_file("stdin.store",
		    "{\"ServerURL\":\"https://reg.example.com\",\"Username\":\"al\\\"ice\",\"Secret\":\"p\\u0000w\"}");
	expect_file("config.store", "/cfg/dir");
	expect_file("name.store", "docker-credential-unitfake");
}
END_TEST

START_TEST(test_store_not_utf8)
{
	struct dr_creds c = { (char *)"reg.example.com", (char *)"u", (char *)"\xff\xfe", 2 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_credhelper_store("unitfake", NULL, &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "credentials are not valid UTF-8");
	ck_assert_ptr_null(fh_read("stdin.store"));
}
END_TEST

START_TEST(test_get_reads_the_answer)
{
	struct dr_creds out;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_credhelper_get("unitfake", NULL, "reg.example.com:5000", &out, &e), 0);
	/* the server goes on stdin bare, no newline; DOCKER_CONFIG inherited */
	expect_file("stdin.get", "reg.example.com:5000");
	ck_assert_str_eq(out.server_url, "reg.example.com:5000");
	ck_assert_str_eq(out.username, "u1");
	ck_assert_uint_eq(out.secret_len, 3);
	ck_assert_mem_eq(out.secret, "p\0w", 3);
	dr_creds_wipe(&out);
}
END_TEST

START_TEST(test_get_not_found)
{
	struct dr_creds out;
	struct dr_err e = { 0 };

	fh_mode("notfound");
	ck_assert_int_eq(dr_credhelper_get("unitfake", NULL, "reg.example.com", &out, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, DR_MSG_NOT_FOUND);
	ck_assert_ptr_null(out.username);
	/* erase treats it as done */
	ck_assert_int_eq(dr_credhelper_erase("unitfake", NULL, "reg.example.com", &e), 0);
	expect_file("stdin.erase", "reg.example.com");
}
END_TEST

START_TEST(test_helper_failure_names_it)
{
	struct dr_creds out;
	struct dr_list l;
	struct dr_err e = { 0 };

	fh_mode("fail");
	ck_assert_int_eq(dr_credhelper_get("unitfake", NULL, "reg.example.com", &out, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake get failed (exit 3): boom: the vault is sealed");
	ck_assert_int_eq(dr_credhelper_erase("unitfake", NULL, "reg.example.com", &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake erase failed (exit 3): boom: the vault is sealed");
	ck_assert_int_eq(dr_credhelper_list("unitfake", NULL, &l, &e), DR_EIO);
	ck_assert_uint_eq(l.n, 0);
	fh_mode("silentfail");
	ck_assert_int_eq(dr_credhelper_get("unitfake", NULL, "reg.example.com", &out, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake get failed (exit 4): no message");
}
END_TEST

START_TEST(test_unreadable_answers)
{
	struct dr_creds out;
	struct dr_list l;
	struct dr_err e = { 0 };

	fh_mode("garbage");
	ck_assert_int_eq(dr_credhelper_get("unitfake", NULL, "r.example.com", &out, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake get: unreadable answer");
	ck_assert_int_eq(dr_credhelper_list("unitfake", NULL, &l, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake list: unreadable answer");
	fh_mode("badtype");
	ck_assert_int_eq(dr_credhelper_get("unitfake", NULL, "r.example.com", &out, &e), DR_EIO);
	ck_assert_ptr_null(out.username);
	ck_assert_ptr_null(out.secret);
}
END_TEST

START_TEST(test_list)
{
	struct dr_list l;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_credhelper_list("unitfake", "/x", &l, &e), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.servers[0], "a.example.com");
	ck_assert_str_eq(l.users[0], "ua");
	ck_assert_str_eq(l.servers[1], "b.example.com");
	ck_assert_str_eq(l.users[1], "ub");
	expect_file("stdin.list", "unused");
	dr_list_free(&l);
}
END_TEST

START_TEST(test_not_installed)
{
	struct dr_creds out;
	struct dr_err e = { 0 };
	char longname[300];

	/* an error, not the protocol's not-found: callers must not go on anonymously */
	ck_assert_int_eq(dr_credhelper_get("no-such-helper-xyz", NULL, "r.example.com", &out, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "credential helper docker-credential-no-such-helper-xyz is not installed (not on PATH)");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(dr_credhelper_get(longname, NULL, "r.example.com", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "credential helper name too long: aaaa"));
}
END_TEST

START_TEST(test_hang_is_a_timeout)
{
	struct dr_creds out;
	struct dr_err e = { 0 };
	double t0 = now_s();

	fh_mode("hang");
	ck_assert_int_eq(dr_credhelper_get_within("unitfake", NULL, "r.example.com", 300, &out, &e), DR_ETIMEOUT);
	ck_assert_double_lt(now_s() - t0, 3.0);
	ck_assert_str_eq(e.msg, "credential helper docker-credential-unitfake did not answer within 0.3s");
}
END_TEST

START_TEST(test_flood_is_too_much_output)
{
	struct dr_creds out;
	struct dr_err e = { 0 };
	double t0 = now_s();

	fh_mode("flood");
	ck_assert_int_eq(dr_credhelper_get_within("unitfake", NULL, "r.example.com", 10000, &out, &e), DR_ETOOBIG);
	ck_assert_double_lt(now_s() - t0, 8.0);
	ck_assert_str_eq(e.msg, "credential helper docker-credential-unitfake printed too much output (more than 1048576 bytes): stopped it");
}
END_TEST

START_TEST(test_answer_taken_when_a_grandchild_holds_stdout)
{
	struct dr_creds out;
	struct dr_err e = { 0 };
	double t0 = now_s();

	fh_mode("orphan");
	ck_assert_int_eq(dr_credhelper_get_within("unitfake", NULL, "r.example.com", 10000, &out, &e), 0);
	ck_assert_double_lt(now_s() - t0, 5.0);
	ck_assert_str_eq(out.username, "late");
	ck_assert_str_eq(out.secret, "s");
	dr_creds_wipe(&out);
}
END_TEST

Suite *credhelper_suite(void)
{
	Suite *s = suite_create("credhelper");
	TCase *tc = tcase_create("credhelper");

	tcase_add_checked_fixture(tc, fh_setup, fh_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_frames_json_on_stdin);
	tcase_add_test(tc, test_store_not_utf8);
	tcase_add_test(tc, test_get_reads_the_answer);
	tcase_add_test(tc, test_get_not_found);
	tcase_add_test(tc, test_helper_failure_names_it);
	tcase_add_test(tc, test_unreadable_answers);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_not_installed);
	tcase_add_test(tc, test_hang_is_a_timeout);
	tcase_add_test(tc, test_flood_is_too_much_output);
	tcase_add_test(tc, test_answer_taken_when_a_grandchild_holds_stdout);
	suite_add_tcase(s, tc);
	return s;
}
