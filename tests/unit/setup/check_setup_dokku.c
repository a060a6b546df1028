/* setup's Dokku steps (core/setup/setup_dokku.c) in a scratch root: the
 * dokku user's helper config, the plugin link and its undo, and the
 * migrate step up to where it would start children (moving logins needs
 * the keyring unit and runs end to end in tests/e2e/setup.bats). Runs as
 * root (the steps chown to the dokku user from root/etc/passwd). */
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

static void expect_owner(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, 1001);
	ck_assert_uint_eq(st.st_gid, 1002);
}

static void write_cfg(const char *text, mode_t mode)
{
	char dir[4300];
	struct dr_err e = { 0 };

	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", s.home);
	ck_assert_int_eq(dr_mkdir_p(dir, 0700, &e), 0);
	unit_write(s.helper_cfg, text, strlen(text), mode);
}

START_TEST(helper_config_new_file)
{
	struct dr_err e = { 0 };
	char want[4400], dir[4300];
	int rc;

	expect_out(run_step(dr_setup_helper_config, &e, &rc),
		   "-----> helper config: wrote %s: \"bus\": \"unix:path=%s/run/dokku-keyring/bus\"\n",
		   s.helper_cfg, root);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(s.changed, 1);
	snprintf(want, sizeof(want), "{\n  \"bus\": \"%s\"\n}\n", s.bus);
	expect_file(s.helper_cfg, want);
	ck_assert_int_eq(unit_mode(s.helper_cfg), 0600);
	expect_owner(s.helper_cfg);
	/* the directories it made are the dokku user's, and private */
	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", s.home);
	ck_assert_int_eq(unit_mode(dir), 0700);
	expect_owner(dir);
	expect_owner(s.home);
}
END_TEST

START_TEST(helper_config_merge_keeps_keys)
{
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	write_cfg("{\"zone\": 1, \"collection\": \"login\", \"bus\": \"unix:path=/elsewhere\"}", 0644);
	expect_out(run_step(dr_setup_helper_config, &e, &rc),
		   "-----> helper config: updated %s: \"bus\": \"%s\"\n", s.helper_cfg, s.bus);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(s.changed, 1);
	snprintf(want, sizeof(want), "{\n  \"bus\": \"%s\",\n  \"collection\": \"login\",\n  \"zone\": 1\n}\n",
		 s.bus);
	expect_file(s.helper_cfg, want);
	/* a file that held credentials' settings ends up 0600 whatever it was */
	ck_assert_int_eq(unit_mode(s.helper_cfg), 0600);
	expect_owner(s.helper_cfg);
}
END_TEST

START_TEST(helper_config_already_set)
{
	struct dr_err e = { 0 };
	char text[4400];
	int rc;

	snprintf(text, sizeof(text), "{\"bus\":\"%s\",\"x\":true}", s.bus);
	write_cfg(text, 0640);
	expect_out(run_step(dr_setup_helper_config, &e, &rc),
		   "-----> helper config: %s already uses %s\n", s.helper_cfg, s.bus);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.changed, 0);
	expect_file(s.helper_cfg, text);
	ck_assert_int_eq(unit_mode(s.helper_cfg), 0640);
}
END_TEST

START_TEST(helper_config_not_an_object)
{
	static const char *const bad[] = { "[1, 2]", "{\"bus\":", "\"text\"" };
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	snprintf(want, sizeof(want), "helper config: %s is not a JSON object; fix or remove it",
		 s.helper_cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_cfg(bad[i], 0600);
		expect_out(run_step(dr_setup_helper_config, &e, &rc), "%s", "");
		ck_assert_int_eq(rc, DR_EINVAL);
		ck_assert_str_eq(e.msg, want);
		expect_file(s.helper_cfg, bad[i]);
	}
	ck_assert_int_eq(s.changed, 0);
}
END_TEST

START_TEST(helper_config_dry_run)
{
	struct dr_err e = { 0 };
	int rc;

	s.dry_run = 1;
	expect_out(run_step(dr_setup_helper_config, &e, &rc),
		   "-----> (dry run) helper config: would set \"bus\": \"%s\" in %s\n", s.bus, s.helper_cfg);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.changed, 0);
	ck_assert_int_eq(access(s.home, F_OK), -1);
	/* an existing file is left as it is too */
	write_cfg("{\"a\":1}", 0644);
	expect_out(run_step(dr_setup_helper_config, &e, &rc),
		   "-----> (dry run) helper config: would set \"bus\": \"%s\" in %s\n", s.bus, s.helper_cfg);
	expect_file(s.helper_cfg, "{\"a\":1}");
	ck_assert_int_eq(unit_mode(s.helper_cfg), 0644);
}
END_TEST

static void expect_link(const char *target)
{
	char buf[4300];
	ssize_t n = readlink(s.plugin_link, buf, sizeof(buf) - 1);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, target);
}

/* Dokku's layout: plugins/available, the core plugin and our shim */
static void dokku_layout(void)
{
	mk("var/lib/dokku/plugins/available");
	mk("var/lib/dokku/core-plugins/available/registry");
	mk("opt/dr/dokku-plugin");
}

START_TEST(plugin_no_plugin)
{
	struct dr_err e = { 0 };
	int rc;

	dokku_layout();
	s.no_plugin = 1;
	expect_out(run_step(dr_setup_plugin, &e, &rc), "-----> plugin: left alone (--no-plugin)\n");
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(access(s.plugin_link, F_OK), -1);
	ck_assert_int_eq(s.changed, 0);
}
END_TEST

START_TEST(plugin_no_dokku)
{
	struct dr_err e = { 0 };
	int rc;

	expect_out(run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: no Dokku in %s/var/lib/dokku: skipped (install Dokku, then run setup again)\n",
		   root);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.changed, 0);
	ck_assert_int_eq(s.incomplete, 0);
}
END_TEST

START_TEST(plugin_shim_missing)
{
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	mk("var/lib/dokku/plugins/available");
	expect_out(run_step(dr_setup_plugin, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_ENOTFOUND);
	snprintf(want, sizeof(want),
		 "plugin: the plugin shim %s/opt/dr/dokku-plugin is missing (reinstall dokku-registry)", root);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(access(s.plugin_link, F_OK), -1);
}
END_TEST

START_TEST(plugin_not_a_link)
{
	struct dr_err e = { 0 };
	char want[4400], *names;
	int rc;

	dokku_layout();
	mk("var/lib/dokku/plugins/available/registry");
	expect_out(run_step(dr_setup_plugin, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_EINVAL);
	snprintf(want, sizeof(want), "plugin: %s is not a link; left alone (see README.packaging.md)",
		 s.plugin_link);
	ck_assert_str_eq(e.msg, want);
	ck_assert(dr_is_dir(s.plugin_link));
	snprintf(want, sizeof(want), "%s/var/lib/dokku/plugins/available", root);
	names = unit_ls(want);
	ck_assert_str_eq(names, "registry");
	free(names);
}
END_TEST

START_TEST(plugin_already_linked)
{
	struct dr_err e = { 0 };
	int rc;

	dokku_layout();
	ck_assert_int_eq(symlink(s.shim_dir, s.plugin_link), 0);
	expect_out(run_step(dr_setup_plugin, &e, &rc), "-----> plugin: %s already points at %s\n",
		   s.plugin_link, s.shim_dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.changed, 0);
	expect_link(s.shim_dir);
}
END_TEST

START_TEST(plugin_relink)
{
	struct dr_err e = { 0 };
	char avail[4300], *names;
	int rc;

	dokku_layout();
	ck_assert_int_eq(symlink(s.core_plugin, s.plugin_link), 0);
	s.dry_run = 1;
	expect_out(run_step(dr_setup_plugin, &e, &rc),
		   "-----> (dry run) plugin: would point %s at %s (was %s)\n", s.plugin_link, s.shim_dir,
		   s.core_plugin);
	ck_assert_int_eq(rc, 0);
	expect_link(s.core_plugin);
	s.dry_run = 0;
	expect_out(run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: %s now points at %s (was %s; `dokku-registry setup --undo` restores it)\n",
		   s.plugin_link, s.shim_dir, s.core_plugin);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(s.changed, 1);
	expect_link(s.shim_dir);
	/* no temp link left behind */
	snprintf(avail, sizeof(avail), "%s/var/lib/dokku/plugins/available", root);
	names = unit_ls(avail);
	ck_assert_str_eq(names, "registry");
	free(names);
	/* a missing link is made */
	ck_assert_int_eq(unlink(s.plugin_link), 0);
	expect_out(run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: %s now points at %s (was missing; `dokku-registry setup --undo` restores it)\n",
		   s.plugin_link, s.shim_dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.changed, 2);
	expect_link(s.shim_dir);
}
END_TEST

START_TEST(undo_plugin)
{
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	dokku_layout();
	/* not ours: nothing to undo */
	ck_assert_int_eq(symlink(s.core_plugin, s.plugin_link), 0);
	expect_out(run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> plugin: %s is not the dokku-registry shim: nothing to undo\n", s.plugin_link);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(unlink(s.plugin_link), 0);
	expect_out(run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> plugin: %s is not the dokku-registry shim: nothing to undo\n", s.plugin_link);
	ck_assert_int_eq(access(s.plugin_link, F_OK), -1);
	/* ours: back to Dokku's own plugin */
	ck_assert_int_eq(symlink(s.shim_dir, s.plugin_link), 0);
	s.dry_run = 1;
	expect_out(run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> (dry run) plugin: would point %s back at %s\n", s.plugin_link, s.core_plugin);
	expect_link(s.shim_dir);
	s.dry_run = 0;
	expect_out(run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> plugin: %s points at Dokku's own plugin again (%s); the keyring is left as it is\n",
		   s.plugin_link, s.core_plugin);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(s.changed, 1);
	expect_link(s.core_plugin);
	/* Dokku's plugin gone: refused, the shim stays */
	ck_assert_int_eq(unlink(s.plugin_link), 0);
	ck_assert_int_eq(symlink(s.shim_dir, s.plugin_link), 0);
	ck_assert_int_eq(rmdir(s.core_plugin), 0);
	expect_out(run_step(dr_setup_undo_plugin, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_ENOTFOUND);
	snprintf(want, sizeof(want), "plugin: Dokku's own plugin %s is missing: reinstall dokku",
		 s.core_plugin);
	ck_assert_str_eq(e.msg, want);
	expect_link(s.shim_dir);
}
END_TEST

static void write_docker_cfg(const char *rel, const char *json)
{
	char path[4400];

	mk(rel);
	snprintf(path, sizeof(path), "%s/%s/config.json", root, rel);
	unit_write(path, json, strlen(json), 0600);
}

START_TEST(migrate_skips)
{
	struct dr_err e = { 0 };
	int rc;

	s.no_migrate = 1;
	expect_out(run_step(dr_setup_migrate, &e, &rc), "-----> migrate: skipped (--no-migrate)\n");
	ck_assert_int_eq(rc, 0);
	s.no_migrate = 0;
	/* nothing anywhere, then only logins in the helper and an empty auth */
	expect_out(run_step(dr_setup_migrate, &e, &rc),
		   "-----> migrate: no plaintext credentials in %s/.docker or any app\n", s.home);
	ck_assert_int_eq(rc, 0);
	write_docker_cfg("home/dokku/.docker", "{\"credsStore\":\"dokku\",\"auths\":{\"ghcr.io\":{}}}");
	write_docker_cfg("var/lib/dokku/config/registry/app1",
			 "{\"auths\":{\"quay.io\":{\"auth\":\"\",\"identitytoken\":\"\"}}}");
	expect_out(run_step(dr_setup_migrate, &e, &rc),
		   "-----> migrate: no plaintext credentials in %s/.docker or any app\n", s.home);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.incomplete, 0);
	/* plaintext but no systemd here: waits for the keyring, no child */
	write_docker_cfg("home/dokku/.docker", "{\"auths\":{\"ghcr.io\":{\"auth\":\"dTpw\"}}}");
	write_docker_cfg("var/lib/dokku/config/registry/app2",
			 "{\"auths\":{\"quay.io\":{\"identitytoken\":\"tok\"}}}");
	expect_out(run_step(dr_setup_migrate, &e, &rc),
		   "-----> migrate: skipped: 2 config file(s) with plaintext credentials wait for the "
		   "keyring (start it, then run setup again)\n");
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(s.incomplete, 1);
	ck_assert_int_eq(s.changed, 0);
}
END_TEST

Suite *setup_dokku_suite(void)
{
	Suite *su = suite_create("setup_dokku");
	TCase *tc = tcase_create("steps");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, helper_config_new_file);
	tcase_add_test(tc, helper_config_merge_keeps_keys);
	tcase_add_test(tc, helper_config_already_set);
	tcase_add_test(tc, helper_config_not_an_object);
	tcase_add_test(tc, helper_config_dry_run);
	tcase_add_test(tc, plugin_no_plugin);
	tcase_add_test(tc, plugin_no_dokku);
	tcase_add_test(tc, plugin_shim_missing);
	tcase_add_test(tc, plugin_not_a_link);
	tcase_add_test(tc, plugin_already_linked);
	tcase_add_test(tc, plugin_relink);
	tcase_add_test(tc, undo_plugin);
	tcase_add_test(tc, migrate_skips);
	suite_add_tcase(su, tc);
	return su;
}
