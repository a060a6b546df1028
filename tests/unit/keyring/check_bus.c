/* The bounded session-bus connection (core/keyring/bus.c) against a real
 * private dbus-daemon and gnome-keyring-daemon (keyring_env.c): where the
 * bus is found, and how each way a provider fails maps to one DR_E* code:
 * no bus, no provider, a stuck provider (timeout) and one that died with the
 * call pending (DR_EGONE, not a timeout). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keyring/bus.h"
#include "keyring_env.h"
#include "keyring/keyring_items.h"
#include "unit.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ping through the bus to the provider: GetAll of the service properties. */
static int ping(struct dr_bus *b, struct dr_err *e)
{
	GVariant *r = dr_bus_call(b, DR_SECRETS_PATH, DR_IFACE_PROPS, "GetAll",
				  g_variant_new("(s)", DR_IFACE_SERVICE), "(a{sv})", e);

	if (!r)
		return e->code;
	g_variant_unref(r);
	return 0;
}

/* First in the suite: with CK_FORK=no GLib's shared connection would
 * otherwise already be up. */
START_TEST(test_no_bus_at_the_configured_address)
{
	struct dr_bus b;
	struct dr_err e = { 0 };
	char addr[160];

	snprintf(addr, sizeof(addr), "unix:path=%s/no-such-bus", kenv_dir());
	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, addr, 2000, &e), DR_ENOBUS);
	ck_assert_int_eq(e.code, DR_ENOBUS);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot connect to the D-Bus session bus at unix:path="));
	ck_assert_ptr_nonnull(strstr(e.msg, "no-such-bus"));
	dr_bus_close(&b);
}
END_TEST

START_TEST(test_no_bus_anywhere)
{
	struct dr_bus b;
	struct dr_err e = { 0 };
	char rt[] = "/tmp/dr-unit-nobus.XXXXXX";
	char *old_addr = g_strdup(getenv("DBUS_SESSION_BUS_ADDRESS"));
	char *old_rt = g_strdup(getenv("XDG_RUNTIME_DIR"));

	char user_bus[64];

	/* a runtime dir without a bus socket, and no address in the environment;
	 * a host with a real user bus would be found instead: nothing to test */
	snprintf(user_bus, sizeof(user_bus), "/run/user/%u/bus", (unsigned)getuid());
	if (access(user_bus, F_OK) == 0) {
		g_free(old_addr);
		g_free(old_rt);
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(rt));
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	setenv("XDG_RUNTIME_DIR", rt, 1);
	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, NULL, 2000, &e), DR_ENOBUS);
	ck_assert_ptr_nonnull(strstr(e.msg, "DBUS_SESSION_BUS_ADDRESS is unset and neither $XDG_RUNTIME_DIR/bus nor /run/user/"));
	dr_bus_close(&b);
	rmdir(rt);
	g_setenv("XDG_RUNTIME_DIR", old_rt ? old_rt : "", TRUE);
	if (old_addr)
		g_setenv("DBUS_SESSION_BUS_ADDRESS", old_addr, TRUE);
	g_free(old_addr);
	g_free(old_rt);
}
END_TEST

START_TEST(test_bus_found_in_xdg_runtime_dir)
{
	struct dr_bus b;
	struct dr_err e = { 0 };

	/* kenv put the socket at $XDG_RUNTIME_DIR/bus */
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, NULL, 3000, &e), 0);
	ck_assert_int_eq(ping(&b, &e), 0);
	/* the address found is what GLib's shared connection was made from */
	ck_assert_str_eq(getenv("DBUS_SESSION_BUS_ADDRESS"), kenv_bus_address());
	ck_assert_int_gt(dr_bus_remaining_ms(&b), 0);
	ck_assert_int_le(dr_bus_remaining_ms(&b), 3000);
	dr_bus_close(&b);
}
END_TEST

START_TEST(test_batch_of_many_calls)
{
	struct dr_bus b;
	struct dr_err e = { 0 };
	struct dr_bus_req reqs[300];

	/* more than a bus's 128 pending replies: the window keeps under it */
	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, kenv_bus_address(), 5000, &e), 0);
	memset(reqs, 0, sizeof(reqs));
	for (size_t i = 0; i < 300; i++) {
		reqs[i].path = DR_SECRETS_PATH;
		reqs[i].iface = DR_IFACE_SERVICE;
		reqs[i].method = "ReadAlias";
		reqs[i].args = g_variant_new("(s)", i % 2 ? "default" : "no-such-alias");
		reqs[i].reply_type = "(o)";
	}
	ck_assert_int_eq(dr_bus_call_batch(&b, reqs, 300, &e), 0);
	for (size_t i = 0; i < 300; i++) {
		const char *path;

		ck_assert_ptr_null(reqs[i].error);
		ck_assert_ptr_nonnull(reqs[i].reply);
		g_variant_get(reqs[i].reply, "(&o)", &path);
		ck_assert_str_eq(path, i % 2 ? "/org/freedesktop/secrets/collection/login" : "/");
	}
	dr_bus_reqs_clear(reqs, 300);
	dr_bus_close(&b);
}
END_TEST

START_TEST(test_remote_errors_are_mapped)
{
	struct dr_bus b;
	struct dr_err e = { 0 };
	GVariant *r;

	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, kenv_bus_address(), 3000, &e), 0);
	r = dr_bus_call(&b, "/org/freedesktop/secrets/collection/nosuch", DR_IFACE_PROPS, "Get",
			g_variant_new("(ss)", DR_IFACE_COLLECTION, "Label"), "(v)", &e);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(e.code, DR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "Get: no such object: "));
	dr_bus_close(&b);
}
END_TEST

START_TEST(test_stuck_provider_is_a_timeout)
{
	struct dr_bus b;
	struct dr_err e = { 0 };
	double t0;

	/* the 400 ms are one deadline for the whole handle, open included (a slow
	 * open, e.g. under valgrind, leaves less for the call): time both */
	t0 = now_s();
	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, kenv_bus_address(), 400, &e), 0);
	kenv_keyring_stall();
	ck_assert_int_eq(ping(&b, &e), DR_ETIMEOUT);
	ck_assert_double_lt(now_s() - t0, 2.0);
	ck_assert_double_ge(now_s() - t0, 0.3);
	ck_assert_ptr_nonnull(strstr(e.msg, "Secret Service did not answer within 0.4s (GetAll): is the keyring daemon stuck?"));
	dr_bus_close(&b);
	kenv_keyring_stop();
	ck_assert_int_eq(kenv_keyring_start(), 0);
}
END_TEST

static void *kill_later(void *arg)
{
	struct timespec ts = { 0, 300 * 1000000L };

	(void)arg;
	nanosleep(&ts, NULL);
	kill(kenv_keyring_pid(), SIGKILL);
	return NULL;
}

START_TEST(test_provider_killed_during_a_call_is_gone)
{
	struct dr_bus b;
	struct dr_err e = { 0 };
	pthread_t t;
	double t0;

	ck_assert_int_eq(dr_bus_open(&b, DR_SECRETS_NAME, kenv_bus_address(), 8000, &e), 0);
	/* stalled, so the call is surely pending when the daemon dies */
	kenv_keyring_stall();
	ck_assert_int_eq(pthread_create(&t, NULL, kill_later, NULL), 0);
	t0 = now_s();
	ck_assert_int_eq(ping(&b, &e), DR_EGONE);
	pthread_join(t, NULL);
	ck_assert_double_lt(now_s() - t0, 4.0);
	ck_assert_ptr_nonnull(strstr(e.msg, "the keyring provider went away during GetAll (it exited or left the bus; org.freedesktop.secrets)"));
	ck_assert_ptr_null(strstr(e.msg, "did not answer"));
	kenv_keyring_stop();
	/* and with nobody owning the name: no provider */
	ck_assert_int_eq(ping(&b, &e), DR_ENOPROVIDER);
	ck_assert_ptr_nonnull(strstr(e.msg, "no Secret Service provider on the session bus (org.freedesktop.secrets)"));
	dr_bus_close(&b);
	ck_assert_int_eq(kenv_keyring_start(), 0);
}
END_TEST

Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("bus");

	tcase_add_unchecked_fixture(tc, kenv_setup, kenv_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_no_bus_at_the_configured_address);
	tcase_add_test(tc, test_bus_found_in_xdg_runtime_dir);
	tcase_add_test(tc, test_batch_of_many_calls);
	tcase_add_test(tc, test_remote_errors_are_mapped);
	tcase_add_test(tc, test_stuck_provider_is_a_timeout);
	tcase_add_test(tc, test_provider_killed_during_a_call_is_gone);
	suite_add_tcase(s, tc);
	tc = tcase_create("nobus");
	tcase_add_test(tc, test_no_bus_anywhere);
	suite_add_tcase(s, tc);
	return s;
}
