/* Running children (core/exec.c) the way chained credential helpers are
 * run: a flood is stopped and reported, an answer is taken once the child
 * has exited even while something it started holds stdout open, and that
 * leftover is killed. Real /bin/sh children. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/exec.h"
#include "base/secmem.h"
#include "release_spy.h"
#include "unit.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* alive and not a zombie (an orphan waits for init to reap it) */
static int alive(int pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state != 0 && state != 'Z' && state != 'X';
}

static int run_sh(const char *script, unsigned timeout_ms, struct dr_exec_result *r,
		  struct dr_err *e)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct dr_exec x = { 0 };

	x.argv = argv;
	x.input = "";
	x.capture_stdout = 1;
	x.output_limit = 64 * 1024;
	x.timeout_ms = timeout_ms;
	x.own_group = 1;
	x.stop_on_overflow = 1;
	return dr_exec_run(&x, r, e);
}

START_TEST(test_flood_is_stopped_as_too_much_output)
{
	struct dr_exec_result r;
	struct dr_err e = { 0 };
	double t0 = now_s();

	ck_assert_int_eq(run_sh("yes flood", 10000, &r, &e), DR_ETOOBIG);
	ck_assert_msg(now_s() - t0 < 3.0, "took %.2fs", now_s() - t0);
	ck_assert_ptr_nonnull(strstr(e.msg, "too much output"));
	ck_assert_int_eq(r.timed_out, 0);
	dr_exec_result_free(&r);
}
END_TEST

START_TEST(test_answer_taken_while_grandchild_holds_stdout)
{
	struct dr_exec_result r;
	struct dr_err e = { 0 };
	char pidfile[] = "/tmp/dr-exec-pid-XXXXXX", script[256];
	double t0 = now_s();
	FILE *f;
	int fd = mkstemp(pidfile), gpid = 0;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(script, sizeof(script), "sleep 30 & echo $! >%s; echo '{\"Secret\":\"s\"}'; exit 0",
		 pidfile);
	ck_assert_int_eq(run_sh(script, 10000, &r, &e), 0);
	ck_assert_msg(now_s() - t0 < 2.0, "took %.2fs", now_s() - t0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_str_eq(r.out.data, "{\"Secret\":\"s\"}\n");
	f = fopen(pidfile, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &gpid), 1);
	fclose(f);
	unlink(pidfile);
	/* the leftover sleep got SIGKILL with the group */
	for (int i = 0; i < 100 && alive(gpid); i++)
		usleep(10000);
	ck_assert_msg(!alive(gpid), "grandchild %d still running", gpid);
	dr_exec_result_free(&r);
}
END_TEST

START_TEST(test_a_hang_is_still_a_timeout)
{
	struct dr_exec_result r;
	struct dr_err e = { 0 };
	double t0 = now_s();

	ck_assert_int_eq(run_sh("sleep 30", 300, &r, &e), DR_ETIMEOUT);
	ck_assert_msg(now_s() - t0 < 2.0, "took %.2fs", now_s() - t0);
	ck_assert_int_eq(r.timed_out, 1);
	dr_exec_result_free(&r);
}
END_TEST

/* Without stop_on_overflow (docker's own output), the child runs to its end. */
START_TEST(test_overflow_without_stop_drains)
{
	const char *argv[] = { "sh", "-c", "head -c 200000 /dev/zero; echo done >&2", NULL };
	struct dr_exec x = { 0 };
	struct dr_exec_result r;
	struct dr_err e = { 0 };

	x.argv = argv;
	x.capture_stdout = 1;
	x.capture_stderr = 1;
	x.output_limit = 1024;
	x.timeout_ms = 10000;
	ck_assert_int_eq(dr_exec_run(&x, &r, &e), DR_ETOOBIG);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err.data, "done\n");
	dr_exec_result_free(&r);
}
END_TEST

/* Every block the captured output outgrew, and the last one, reach the
 * release hook zeroed (it may be a password a chained helper printed). */
START_TEST(test_captured_output_is_wiped)
{
	struct dr_exec_result r;
	struct dr_err e = { 0 };
	size_t len;
	int rc, seen;

	/* the hook is put back before any assertion, so a failure cannot
	 * leave it installed for the next test (CK_FORK=no) */
	unit_release_spy_setup();
	rc = run_sh("i=0; while [ $i -lt 500 ]; do echo secret-secret-secret; i=$((i+1)); done",
		    10000, &r, &e);
	len = r.out.len;
	seen = r.out.data && strstr(r.out.data, "secret") != NULL;
	dr_exec_result_free(&r);
	unit_release_spy_teardown();
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(len, 500 * 21);
	ck_assert(seen);
	/* how many blocks it took depends on how the pipe was read */
	ck_assert_uint_ge(unit_released.blocks, 1);
	ck_assert_uint_eq(unit_released.dirty, 0);
	ck_assert_ptr_null(r.out.data);
}
END_TEST

Suite *exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc = tcase_create("children");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_flood_is_stopped_as_too_much_output);
	tcase_add_test(tc, test_answer_taken_while_grandchild_holds_stdout);
	tcase_add_test(tc, test_a_hang_is_still_a_timeout);
	tcase_add_test(tc, test_overflow_without_stop_drains);
	tcase_add_test(tc, test_captured_output_is_wiped);
	suite_add_tcase(s, tc);
	return s;
}
