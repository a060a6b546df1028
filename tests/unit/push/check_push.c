/* push.c and push_retry.c: what is decided before any network: stopping
 * (a signal, or a worker's failure), the interruptible sleep, and the
 * checks dr_push makes on its arguments before opening the source or
 * asking for credentials.
 * A whole push goes to a real docker-registry in the e2e tests. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "push/push_int.h"
#include "unit.h"

static long elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000L + (b.tv_nsec - a->tv_nsec) / 1000000L;
}

START_TEST(test_should_stop)
{
	struct dr_push_ctx c = { 0 };

	dr_push_signal = 0;
	ck_assert_int_eq(dr_push_should_stop(&c), 0);
	c.failed = 1;
	ck_assert_int_eq(dr_push_should_stop(&c), 1);
	c.failed = 0;
	dr_push_interrupt(SIGTERM);
	ck_assert_int_eq(dr_push_signal, SIGTERM);
	ck_assert_int_eq(dr_push_should_stop(&c), 1);
	dr_push_signal = 0;
}
END_TEST

/* A sleep lasts its time unless stopped, and a stopped push does not sleep. */
START_TEST(test_sleep)
{
	struct dr_push_ctx c = { 0 };
	struct timespec t0;

	dr_push_signal = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(dr_push_sleep(&c, 100), 0);
	ck_assert_int_ge(elapsed_ms(&t0), 100);
	c.failed = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(dr_push_sleep(&c, 5000), -1);
	ck_assert_int_lt(elapsed_ms(&t0), 1000);
	c.failed = 0;
	dr_push_interrupt(SIGINT);
	ck_assert_int_eq(dr_push_sleep(&c, 5000), -1);
	dr_push_signal = 0;
}
END_TEST

/* Extra tags are checked before the source is opened (the source here
 * does not exist: reaching it would be a different error). */
static const struct {
	const char *tag;
	const char *msg; /* NULL: accepted (then the missing source fails) */
} tags[] = {
	{ "v1.2", NULL },
	{ "a:b", "invalid tag \"a:b\"" },
	{ "a/b", "invalid tag \"a/b\"" },
	{ "-x", "invalid tag \"-x\"" },
	{ "", "invalid tag \"\"" },
	{ "UPPER_ok.1-2", NULL },
};

START_TEST(test_extra_tags)
{
	const char *extra[] = { tags[_i].tag };
	struct dr_push_opts o = { .extra_tags = extra, .nextra = 1, .quiet = 1 };
	struct dr_push_result res;
	struct dr_err e = { 0 };
	int rc = dr_push("oci:/nonexistent/dr-unit-push", "127.0.0.1:1/app:1", &o, &res, &e);

	if (tags[_i].msg) {
		ck_assert_int_eq(rc, DR_EINVAL);
		ck_assert_str_eq(e.msg, tags[_i].msg);
	} else {
		ck_assert_int_ne(rc, 0);
		ck_assert_ptr_null(strstr(e.msg, "invalid tag"));
	}
	ck_assert_int_eq(res.uploaded + res.skipped + res.mounted, 0);
	ck_assert_int_eq(res.signal, 0);
}
END_TEST

/* A destination that is not a reference fails first. */
START_TEST(test_bad_dest)
{
	struct dr_push_opts o = { .quiet = 1 };
	struct dr_push_result res;
	struct dr_err e = { 0 }, want = { 0 };
	struct dr_image_ref ref;

	ck_assert_int_eq(dr_push("oci:/nonexistent/dr-unit-push", "127.0.0.1:1/App", &o, &res, &e),
			 DR_EINVAL);
	/* the reference parser's own message */
	ck_assert_int_eq(dr_image_ref_parse("127.0.0.1:1/App", &ref, &want), DR_EINVAL);
	ck_assert_str_eq(e.msg, want.msg);
}
END_TEST

Suite *push_suite(void)
{
	Suite *s = suite_create("push");
	TCase *t = tcase_create("before the network");

	tcase_add_test(t, test_should_stop);
	tcase_add_test(t, test_sleep);
	tcase_add_loop_test(t, test_extra_tags, 0, (int)(sizeof(tags) / sizeof(tags[0])));
	tcase_add_test(t, test_bad_dest);
	suite_add_tcase(s, t);
	return s;
}
