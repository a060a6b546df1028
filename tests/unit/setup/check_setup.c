/* dr_setup_init (core/setup/setup.c) with a scratch root: the dokku user
 * from root/etc/passwd, every path under the root, systemd detected by
 * root/run/systemd/system. The steps themselves need systemd and run end to
 * end in tests/e2e/setup.bats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "setup/setup.h"
#include "unit.h"

static char root[64];
static const char *saved[] = { "DOKKU_SYSTEM_USER", "DOKKU_ROOT", "DOKKU_LIB_ROOT",
			       "DOKKU_REGISTRY_PKGDATADIR", NULL };
static char *values[8];

static void mk(const char *rel)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	ck_assert_int_eq(system(cmd), 0);
}

static void setup(void)
{
	char path[128];
	FILE *f;

	for (int i = 0; saved[i]; i++) {
		const char *v = getenv(saved[i]);

		values[i] = v ? strdup(v) : NULL;
		unsetenv(saved[i]);
	}
	snprintf(root, sizeof(root), "/tmp/dr-unit-setup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mk("etc");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("root:x:0:0:root:/root:/bin/bash\n"
	      "dokku:x:1001:1002::/home/dokku:/bin/bash\n"
	      "deploy:x:1005:1006::/srv/deploy:/bin/sh\n", f);
	fclose(f);
}

static void teardown(void)
{
	char cmd[128];

	for (int i = 0; saved[i]; i++) {
		if (values[i])
			setenv(saved[i], values[i], 1);
		else
			unsetenv(saved[i]);
		free(values[i]);
		values[i] = NULL;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static void expect_path(const char *got, const char *rel)
{
	char want[4300];

	snprintf(want, sizeof(want), "%s%s", root, rel);
	ck_assert_str_eq(got, want);
}

START_TEST(test_paths_under_the_root)
{
	struct dr_setup s = { .root = root };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_setup_init(&s, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(s.user, "dokku");
	ck_assert_uint_eq(s.uid, 1001);
	ck_assert_uint_eq(s.gid, 1002);
	expect_path(s.home, "/home/dokku");
	expect_path(s.pw_file, "/etc/dokku-registry/keyring-password");
	expect_path(s.cred_file, "/etc/dokku-registry/keyring-password.cred");
	expect_path(s.dropin, "/etc/systemd/system/dokku-keyring.service.d/50-sealed-password.conf");
	expect_path(s.ready, "/run/dokku-keyring/ready");
	ck_assert_int_eq(strncmp(s.bus, "unix:path=", 10), 0);
	expect_path(s.bus + 10, "/run/dokku-keyring/bus");
	expect_path(s.keyring_file, "/home/dokku/.local/share/keyrings/login.keyring");
	expect_path(s.helper_cfg, "/home/dokku/.config/docker-credential-dokku/config.json");
	expect_path(s.plugin_link, "/var/lib/dokku/plugins/available/registry");
	expect_path(s.core_plugin, "/var/lib/dokku/core-plugins/available/registry");
	/* the package's data dir depends on PREFIX at build time */
	ck_assert_int_eq(strncmp(s.shim_dir, root, strlen(root)), 0);
	ck_assert_str_eq(s.shim_dir + strlen(s.shim_dir) - strlen("/share/dokku-registry/dokku-plugin"),
			 "/share/dokku-registry/dokku-plugin");
	ck_assert_int_eq(s.have_systemd, 0);
	/* what the children and core's Dokku code read */
	expect_path(getenv("DOKKU_ROOT"), "/home/dokku");
	expect_path(getenv("DOKKU_LIB_ROOT"), "/var/lib/dokku");
}
END_TEST

START_TEST(test_other_user_datadir_and_systemd)
{
	struct dr_setup s = { .root = root };
	struct dr_err e = { 0 };
	char def[4200];

	ck_assert_int_eq(dr_setup_init(&s, &e), 0);
	snprintf(def, sizeof(def), "%s", s.shim_dir);
	setenv("DOKKU_SYSTEM_USER", "deploy", 1);
	setenv("DOKKU_REGISTRY_PKGDATADIR", "/opt/dr", 1);
	mk("run/systemd/system");
	ck_assert_int_eq(dr_setup_init(&s, &e), 0);
	ck_assert_str_eq(s.user, "deploy");
	ck_assert_uint_eq(s.uid, 1005);
	expect_path(s.home, "/srv/deploy");
	expect_path(s.shim_dir, "/opt/dr/dokku-plugin");
	ck_assert_int_eq(s.have_systemd, 1);
	/* a relative data dir is not taken */
	setenv("DOKKU_REGISTRY_PKGDATADIR", "opt/dr", 1);
	ck_assert_int_eq(dr_setup_init(&s, &e), 0);
	ck_assert_str_eq(s.shim_dir, def);
}
END_TEST

START_TEST(test_no_such_user_or_passwd)
{
	struct dr_setup s = { .root = root };
	struct dr_err e = { 0 };
	char want[256];

	setenv("DOKKU_SYSTEM_USER", "nobody-here", 1);
	ck_assert_int_eq(dr_setup_init(&s, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, "there is no user nobody-here (install Dokku first, or set DOKKU_SYSTEM_USER)");
	unsetenv("DOKKU_SYSTEM_USER");
	snprintf(want, sizeof(want), "%s/etc/passwd", root);
	ck_assert_int_eq(remove(want), 0);
	ck_assert_int_eq(dr_setup_init(&s, &e), DR_ENOTFOUND);
	ck_assert_msg(strstr(e.msg, want) && strstr(e.msg, "No such file or directory"), "%s", e.msg);
}
END_TEST

Suite *setup_suite(void)
{
	Suite *s = suite_create("setup");
	TCase *tc = tcase_create("init");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_paths_under_the_root);
	tcase_add_test(tc, test_other_user_datadir_and_systemd);
	tcase_add_test(tc, test_no_such_user_or_passwd);
	suite_add_tcase(s, tc);
	return s;
}
