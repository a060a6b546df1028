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

#include "base/atomicfile.h"
#include "fixture.h"
#include "setup/setup.h"
#include "setup_fixture.h"
#include "unit.h"


static char *pw_lines(void)
{
	return unit_read(setup_ctx.pw_file, NULL);
}

START_TEST(password_generated)
{
	struct dr_err e = { 0 };
	char *pw;
	int rc;

	ck_assert_int_eq(setup_ctx.have_systemd, 0);
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
		   "-----> keyring password: written to %s (root-only, mode 0600)\n", setup_ctx.pw_file);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(setup_ctx.changed, 1);
	ck_assert_int_eq(unit_mode(setup_ctx.pw_file), 0600);
	ck_assert_int_eq(unit_mode(setup_ctx.etc_dir), 0711);
	/* one line: 32 random bytes in base64 and a newline */
	pw = pw_lines();
	ck_assert_uint_eq(strlen(pw), 45);
	ck_assert_uint_eq(strcspn(pw, "\n"), 44);
	ck_assert_uint_eq(strspn(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="), 44);
	ck_assert_int_eq(pw[44], '\n');
	/* nothing sealed, no drop-in */
	ck_assert_int_eq(access(setup_ctx.cred_file, F_OK), -1);
	ck_assert_int_eq(access(setup_ctx.dropin, F_OK), -1);
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
	setup_ctx.password_file = path;
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
		   "-----> keyring password: written to %s (root-only, mode 0600)\n", setup_ctx.pw_file);
	ck_assert_msg(rc == 0, "%s", e.msg);
	setup_expect_file(setup_ctx.pw_file, "s3cret pass\n");
	ck_assert_int_eq(unit_mode(setup_ctx.pw_file), 0600);
	/* the operator's file is left as it was */
	setup_expect_file(path, given);
}
END_TEST

START_TEST(password_file_empty)
{
	static const char *const empty[] = { "", "\n", "\nsecond line\n" };
	struct dr_err e = { 0 };
	char path[160], want[400];
	int rc;

	unit_path(path, sizeof(path), "given");
	setup_ctx.password_file = path;
	snprintf(want, sizeof(want), "keyring password: %s is empty: its first line is the keyring password",
		 path);
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		unit_write(path, empty[i], strlen(empty[i]), 0600);
		setup_expect_out(setup_run_step(dr_setup_password, &e, &rc), "%s", "");
		ck_assert_int_eq(rc, DR_EINVAL);
		ck_assert_str_eq(e.msg, want);
		ck_assert_int_eq(access(setup_ctx.pw_file, F_OK), -1);
	}
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

START_TEST(password_keyring_without_password)
{
	struct dr_err e = { 0 };
	char want[9000];
	int rc;

	setup_mk("home/dokku/.local/share/keyrings");
	unit_write(setup_ctx.keyring_file, "GnomeKeyring\n", 13, 0600);
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_EINVAL);
	snprintf(want, sizeof(want),
		 "keyring password: a keyring exists (%s) but no password file: pass its password with "
		 "--password-file FILE, or move the keyring away to start afresh", setup_ctx.keyring_file);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(access(setup_ctx.pw_file, F_OK), -1);
	ck_assert_int_eq(access(setup_ctx.etc_dir, F_OK), -1);
	/* with the password given, it goes ahead */
	{
		char path[160];

		unit_path(path, sizeof(path), "given");
		unit_write(path, "old\n", 4, 0600);
		setup_ctx.password_file = path;
		setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
			   "-----> keyring password: written to %s (root-only, mode 0600)\n", setup_ctx.pw_file);
		ck_assert_int_eq(rc, 0);
		setup_expect_file(setup_ctx.pw_file, "old\n");
	}
}
END_TEST

START_TEST(password_existing_kept)
{
	struct dr_err e = { 0 };
	char path[160];
	int rc;

	setup_mk("etc/dokku-registry");
	unit_write(setup_ctx.pw_file, "kept\n", 5, 0600);
	/* even with another password offered: the keyring already uses this one */
	unit_path(path, sizeof(path), "given");
	unit_write(path, "other\n", 6, 0600);
	setup_ctx.password_file = path;
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
		   "-----> keyring password: already in %s (root-only, LoadCredential=)\n", setup_ctx.pw_file);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 0);
	setup_expect_file(setup_ctx.pw_file, "kept\n");
	setup_ctx.dry_run = 1;
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
		   "-----> (dry run) keyring password: already in %s (root-only, LoadCredential=)\n",
		   setup_ctx.pw_file);
}
END_TEST

START_TEST(password_dry_run)
{
	struct dr_err e = { 0 };
	int rc;

	setup_ctx.dry_run = 1;
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
		   "-----> (dry run) keyring password: would generate a password for %s\n", setup_ctx.pw_file);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(access(setup_ctx.etc_dir, F_OK), -1);
	setup_ctx.password_file = "/nonexistent/given";
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
		   "-----> (dry run) keyring password: would take the password from %s\n", setup_ctx.pw_file);
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

START_TEST(unit_without_systemd)
{
	struct dr_err e = { 0 };
	int rc;

	setup_expect_out(setup_run_step(dr_setup_unit, &e, &rc),
		   "-----> keyring unit: systemd is not running here: cannot enable dokku-keyring.service\n"
		   "       Start the keyring by hand (as root), then run setup again:\n"
		   "         install -d -m 0700 -o dokku -g 1002 %s/run/dokku-keyring\n"
		   "         sudo -u dokku -H env RUNTIME_DIRECTORY=%s/run/dokku-keyring "
		   "KEYRING_PASSWORD_FILE=<a copy of %s readable by dokku> \\\n"
		   "           /usr/lib/dokku-registry/keyring-session &\n",
		   setup_root, setup_root, setup_ctx.pw_file);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.incomplete, 1);
	ck_assert_int_eq(setup_ctx.changed, 0);
	/* each run counts it again (setup exits 3 while it is so) */
	{
		char *out = setup_run_step(dr_setup_unit, &e, &rc);

		ck_assert_int_eq(strncmp(out, "-----> keyring unit: systemd is not running here", 48), 0);
		free(out);
	}
	ck_assert_int_eq(setup_ctx.incomplete, 2);
}
END_TEST

/* whether a keyring exists is asked as the dokku user: a link from its
 * keyrings into a root-only directory does not tell root's answer */
START_TEST(password_keyring_link_not_followed_by_root)
{
	char dir[4300], target[4400];
	struct dr_err e = { 0 };
	int rc;

	setup_mk("root/private");
	snprintf(dir, sizeof(dir), "%s/root/private", setup_root);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	snprintf(target, sizeof(target), "%s/login.keyring", dir);
	unit_write(target, "GnomeKeyring\n", 13, 0600);
	setup_mk("home/dokku/.local/share/keyrings");
	ck_assert_int_eq(symlink(target, setup_ctx.keyring_file), 0);
	setup_give("home/dokku");
	setup_expect_out(setup_run_step(dr_setup_password, &e, &rc),
			 "-----> keyring password: written to %s (root-only, mode 0600)\n", setup_ctx.pw_file);
	ck_assert_msg(rc == 0, "%s", e.msg);
}
END_TEST

Suite *setup_keyring_suite(void)
{
	Suite *su = suite_create("setup_keyring");
	TCase *tc = tcase_create("steps");

	tcase_add_checked_fixture(tc, setup_world_begin, setup_world_end);
	tcase_add_test(tc, password_generated);
	tcase_add_test(tc, password_from_file);
	tcase_add_test(tc, password_file_empty);
	tcase_add_test(tc, password_keyring_without_password);
	tcase_add_test(tc, password_keyring_link_not_followed_by_root);
	tcase_add_test(tc, password_existing_kept);
	tcase_add_test(tc, password_dry_run);
	tcase_add_test(tc, unit_without_systemd);
	suite_add_tcase(su, tc);
	return su;
}
