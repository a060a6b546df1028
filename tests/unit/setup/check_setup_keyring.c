/* setup's keyring steps (core/setup/setup_keyring.c) in a scratch root
 * without systemd: the password as a root-only file (sealing needs systemd
 * to run the unit, so it is not tried and no child is started) and the
 * unit step's manual recipe. With systemd they run end to end in
 * tests/e2e/setup.bats. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "fixture.h"
#include "setup.h"
#include "unit.h"

static char root[96];
static const char *saved[] = { "DOKKU_SYSTEM_USER", "DOKKU_ROOT", "DOKKU_LIB_ROOT",
			       "DOKKU_REGISTRY_PKGDATADIR", NULL };
static char *values[8];
static struct dr_setup s;

static void mk(const char *rel)
{
	char path[4300];
	struct dr_err e = { 0 };

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_msg(dr_mkdir_p(path, 0755, &e) == 0, "%s", e.msg);
}

static void setup(void)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				     "dokku:x:1001:1002::/home/dokku:/bin/bash\n";
	struct dr_err e = { 0 };
	char path[160];

	unit_world_setup();
	for (int i = 0; saved[i]; i++) {
		const char *v = getenv(saved[i]);

		values[i] = v ? strdup(v) : NULL;
		unsetenv(saved[i]);
	}
	unit_path(root, sizeof(root), "root");
	ck_assert_int_eq(mkdir(root, 0755), 0);
	mk("etc");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	unit_write(path, passwd, strlen(passwd), 0644);
	setenv("DOKKU_REGISTRY_PKGDATADIR", "/opt/dr", 1);
	memset(&s, 0, sizeof(s));
	s.root = root;
	ck_assert_msg(dr_setup_init(&s, &e) == 0, "%s", e.msg);
}

static void teardown(void)
{
	for (int i = 0; saved[i]; i++) {
		if (values[i])
			setenv(saved[i], values[i], 1);
		else
			unsetenv(saved[i]);
		free(values[i]);
		values[i] = NULL;
	}
	unit_world_teardown();
}

/* runs step with stdout captured; its result in *rc, the output returned */
static char *run_step(int (*step)(struct dr_setup *, struct dr_err *), struct dr_err *e, int *rc)
{
	unit_capture_begin(1);
	*rc = step(&s, e);
	return unit_capture_end(1);
}

static void expect_out(char *got, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect_out(char *got, const char *fmt, ...)
{
	char want[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	ck_assert_str_eq(got, want);
	free(got);
}

static void expect_file(const char *path, const char *want)
{
	char *got = unit_read(path, NULL);

	ck_assert_msg(got != NULL, "%s is missing", path);
	ck_assert_str_eq(got, want);
	free(got);
}


static char *pw_lines(void)
{
	return unit_read(s.pw_file, NULL);
}

START_TEST(password_generated)
{
	struct dr_err e = { 0 };
	char *pw;
	int rc;

	ck_assert_int_eq(s.have_systemd, 0);
	expect_out(run_step(dr_setup_password, &e, &rc),
		   "-----> keyring password: written to %s (root-only, mode 0600)\n", s.pw_file);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(s.changed, 1);
	ck_assert_int_eq(unit_mode(s.pw_file), 0600);
	ck_assert_int_eq(unit_mode(s.etc_dir), 0711);
	/* one line: 32 random bytes in base64 and a newline */
	pw = pw_lines();
	ck_assert_uint_eq(strlen(pw), 45);
	ck_assert_uint_eq(strcspn(pw, "\n"), 44);
	ck_assert_uint_eq(strspn(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="), 44);
	ck_assert_int_eq(pw[44], '\n');
	/* nothing sealed, no drop-in */
	ck_assert_int_eq(access(s.cred_file, F_OK), -1);
	ck_assert_int_eq(access(s.dropin, F_OK), -1);
	free(pw);
}
END_TEST

START_TEST(password_from_file)
{
	static const char given[] = "s3cret pass\nsecond line\n";
	struct dr_err e = { 0 };
	char path[160];
	int rc;

	unit_path(path, sizeof(path), "given");
	unit_write(path, given, strlen(given), 0600);
	s.password_file = path;
	expect_out(run_step(dr_setup_password, &e, &rc),
		   "-----> keyring password: written to %s (root-only, mode 0600)\n", s.pw_file);
	ck_assert_msg(rc == 0, "%s", e.msg);
	expect_file(s.pw_file, "s3cret pass\n");
	ck_assert_int_eq(unit_mode(s.pw_file), 0600);
	/* the operator's file is left as it was */
	expect_file(path, given);
}
END_TEST

START_TEST(password_file_empty)
{
	static const char *const empty[] = { "", "\n", "\nsecond line\n" };
	struct dr_err e = { 0 };
	char path[160], want[400];
	int rc;

	unit_path(path, sizeof(path), "given");
	s.password_file = path;
	snprintf(want, sizeof(want), "keyring password: %s is empty: its first line is the keyring password",
		 path);
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		unit_write(path, empty[i], strlen(empty[i]), 0600);
		expect_out(run_step(dr_setup_password, &e, &rc), "%s", "");
		ck_assert_int_eq(rc, DR_EINVAL);
		ck_assert_str_eq(e.msg, want);
		ck_assert_int_eq(access(s.pw_file, F_OK), -1);
	}
	ck_assert_int_eq(s.changed, 0);
}
END_TEST

START_TEST(password_keyring_without_password)
{
	struct dr_err e = { 0 };
	char want[9000];
	int rc;

	mk("home/dokku/.local/share/keyrings");
	unit_write(s.keyring_file, "GnomeKeyring\n", 13, 0600);
	expect_out(run_step(dr_setup_password, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_EINVAL);
	snprintf(want, sizeof(want),
		 "keyring password: a keyring exists (%s) but no password file: pass its password with "
		 "--password-file FILE, or move the keyring away to start afresh", s.keyring_file);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(access(s.pw_file, F_OK), -1);
	ck_assert_int_eq(access(s.etc_dir, F_OK), -1);
	/* with the password given, it goes ahead */
	{
		char path[160];

		unit_path(path, sizeof(path), "given");
		unit_write(path, "old\n", 4, 0600);
		s.password_file = path;
		expect_out(run_step(dr_setup_password, &e, &rc),
			   "-----> keyring password: written to %s (root-only, mode 0600)\n", s.pw_file);
		ck_assert_int_eq(rc, 0);
		expect_file(s.pw_file, "old\n");
	}
}
END_TEST

START_TEST(password_existing_kept)
{
	struct dr_err e = { 0 };
	char path[160];
	int rc;

	mk("etc/dokku-registry");
	unit_write(s.pw_file, "kept\n", 5, 0600);
	/* even with another password offered: the keyring already uses this one */
	unit_path(path, sizeof(path), "given");
	unit_write(path, "other\n", 6, 0600);
	s.password_file = path;
	expect_out(run_step(dr_setup_password, &e, &rc),
		   "-----> keyring password: already in %s (root-only, LoadCredential=)\n", s.pw_file);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.changed, 0);
	expect_file(s.pw_file, "kept\n");
	s.dry_run = 1;
	expect_out(run_step(dr_setup_password, &e, &rc),
		   "-----> (dry run) keyring password: already in %s (root-only, LoadCredential=)\n",
		   s.pw_file);
}
END_TEST

START_TEST(password_dry_run)
{
	struct dr_err e = { 0 };
	int rc;

	s.dry_run = 1;
	expect_out(run_step(dr_setup_password, &e, &rc),
		   "-----> (dry run) keyring password: would generate a password for %s\n", s.pw_file);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(access(s.etc_dir, F_OK), -1);
	s.password_file = "/nonexistent/given";
	expect_out(run_step(dr_setup_password, &e, &rc),
		   "-----> (dry run) keyring password: would take the password from %s\n", s.pw_file);
	ck_assert_int_eq(s.changed, 0);
}
END_TEST

START_TEST(unit_without_systemd)
{
	struct dr_err e = { 0 };
	int rc;

	expect_out(run_step(dr_setup_unit, &e, &rc),
		   "-----> keyring unit: systemd is not running here: cannot enable dokku-keyring.service\n"
		   "       Start the keyring by hand (as root), then run setup again:\n"
		   "         install -d -m 0700 -o dokku -g 1002 %s/run/dokku-keyring\n"
		   "         sudo -u dokku -H env RUNTIME_DIRECTORY=%s/run/dokku-keyring "
		   "KEYRING_PASSWORD_FILE=<a copy of %s readable by dokku> \\\n"
		   "           /usr/lib/dokku-registry/keyring-session &\n",
		   root, root, s.pw_file);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.incomplete, 1);
	ck_assert_int_eq(s.changed, 0);
	/* each run counts it again (setup exits 3 while it is so) */
	{
		char *out = run_step(dr_setup_unit, &e, &rc);

		ck_assert_int_eq(strncmp(out, "-----> keyring unit: systemd is not running here", 48), 0);
		free(out);
	}
	ck_assert_int_eq(s.incomplete, 2);
}
END_TEST

Suite *setup_keyring_suite(void)
{
	Suite *su = suite_create("setup_keyring");
	TCase *tc = tcase_create("steps");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, password_generated);
	tcase_add_test(tc, password_from_file);
	tcase_add_test(tc, password_file_empty);
	tcase_add_test(tc, password_keyring_without_password);
	tcase_add_test(tc, password_existing_kept);
	tcase_add_test(tc, password_dry_run);
	tcase_add_test(tc, unit_without_systemd);
	suite_add_tcase(su, tc);
	return su;
}
