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
#include "setup_fixture.h"
#include "unit.h"

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

	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", setup_ctx.home);
	ck_assert_int_eq(dr_mkdir_p(dir, 0700, &e), 0);
	unit_write(setup_ctx.helper_cfg, text, strlen(text), mode);
}

START_TEST(helper_config_new_file)
{
	struct dr_err e = { 0 };
	char want[4400], dir[4300];
	int rc;

	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc),
		   "-----> helper config: wrote %s: \"bus\": \"unix:path=%s/run/dokku-keyring/bus\"\n",
		   setup_ctx.helper_cfg, setup_root);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(setup_ctx.changed, 1);
	snprintf(want, sizeof(want), "{\n  \"bus\": \"%s\"\n}\n", setup_ctx.bus);
	setup_expect_file(setup_ctx.helper_cfg, want);
	ck_assert_int_eq(unit_mode(setup_ctx.helper_cfg), 0600);
	expect_owner(setup_ctx.helper_cfg);
	/* the directories it made are the dokku user's, and private */
	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", setup_ctx.home);
	ck_assert_int_eq(unit_mode(dir), 0700);
	expect_owner(dir);
	expect_owner(setup_ctx.home);
}
END_TEST

START_TEST(helper_config_merge_keeps_keys)
{
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	write_cfg("{\"zone\": 1, \"collection\": \"login\", \"bus\": \"unix:path=/elsewhere\"}", 0644);
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc),
		   "-----> helper config: updated %s: \"bus\": \"%s\"\n", setup_ctx.helper_cfg, setup_ctx.bus);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(setup_ctx.changed, 1);
	snprintf(want, sizeof(want), "{\n  \"bus\": \"%s\",\n  \"collection\": \"login\",\n  \"zone\": 1\n}\n",
		 setup_ctx.bus);
	setup_expect_file(setup_ctx.helper_cfg, want);
	/* a file that held credentials' settings ends up 0600 whatever it was */
	ck_assert_int_eq(unit_mode(setup_ctx.helper_cfg), 0600);
	expect_owner(setup_ctx.helper_cfg);
}
END_TEST

START_TEST(helper_config_already_set)
{
	struct dr_err e = { 0 };
	char text[4400];
	int rc;

	snprintf(text, sizeof(text), "{\"bus\":\"%s\",\"x\":true}", setup_ctx.bus);
	write_cfg(text, 0640);
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc),
		   "-----> helper config: %s already uses %s\n", setup_ctx.helper_cfg, setup_ctx.bus);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 0);
	setup_expect_file(setup_ctx.helper_cfg, text);
	ck_assert_int_eq(unit_mode(setup_ctx.helper_cfg), 0640);
}
END_TEST

START_TEST(helper_config_not_an_object)
{
	static const char *const bad[] = { "[1, 2]", "{\"bus\":", "\"text\"" };
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	snprintf(want, sizeof(want), "helper config: %s is not a JSON object; fix or remove it",
		 setup_ctx.helper_cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_cfg(bad[i], 0600);
		setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc), "%s", "");
		ck_assert_int_eq(rc, DR_EINVAL);
		ck_assert_str_eq(e.msg, want);
		setup_expect_file(setup_ctx.helper_cfg, bad[i]);
	}
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

START_TEST(helper_config_dry_run)
{
	struct dr_err e = { 0 };
	int rc;

	setup_ctx.dry_run = 1;
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc),
		   "-----> (dry run) helper config: would set \"bus\": \"%s\" in %s\n", setup_ctx.bus, setup_ctx.helper_cfg);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 0);
	ck_assert_int_eq(access(setup_ctx.home, F_OK), -1);
	/* an existing file is left as it is too */
	write_cfg("{\"a\":1}", 0644);
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc),
		   "-----> (dry run) helper config: would set \"bus\": \"%s\" in %s\n", setup_ctx.bus, setup_ctx.helper_cfg);
	setup_expect_file(setup_ctx.helper_cfg, "{\"a\":1}");
	ck_assert_int_eq(unit_mode(setup_ctx.helper_cfg), 0644);
}
END_TEST

static void expect_link(const char *target)
{
	char buf[4300];
	ssize_t n = readlink(setup_ctx.plugin_link, buf, sizeof(buf) - 1);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, target);
}

/* Dokku's layout: plugins/available, the core plugin and our shim */
static void dokku_layout(void)
{
	setup_mk("var/lib/dokku/plugins/available");
	setup_mk("var/lib/dokku/core-plugins/available/registry");
	setup_mk("opt/dr/dokku-plugin");
	setup_mk("opt/dr/dokku-plugin-guard");
	setup_mk("var/lib/dokku/plugins/enabled");
}

/* registry-guard enabled as `plugn enable` does it */
static void expect_guard(void)
{
	char buf[4300];
	ssize_t n = readlink(setup_ctx.guard_link, buf, sizeof(buf) - 1);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, setup_ctx.guard_dir);
	n = readlink(setup_ctx.guard_enabled, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, setup_ctx.guard_link);
}

START_TEST(plugin_no_plugin)
{
	struct dr_err e = { 0 };
	int rc;

	dokku_layout();
	setup_ctx.no_plugin = 1;
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc), "-----> plugin: left alone (--no-plugin)\n");
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(access(setup_ctx.plugin_link, F_OK), -1);
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

START_TEST(plugin_no_dokku)
{
	struct dr_err e = { 0 };
	int rc;

	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: no Dokku in %s/var/lib/dokku: skipped (install Dokku, then run setup again)\n",
		   setup_root);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 0);
	ck_assert_int_eq(setup_ctx.incomplete, 0);
}
END_TEST

START_TEST(plugin_shim_missing)
{
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	setup_mk("var/lib/dokku/plugins/available");
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_ENOTFOUND);
	snprintf(want, sizeof(want),
		 "plugin: the plugin shim %s/opt/dr/dokku-plugin is missing (reinstall dokku-registry)", setup_root);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(access(setup_ctx.plugin_link, F_OK), -1);
}
END_TEST

START_TEST(plugin_not_a_link)
{
	struct dr_err e = { 0 };
	char want[4400], *names;
	int rc;

	dokku_layout();
	setup_mk("var/lib/dokku/plugins/available/registry");
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_EINVAL);
	snprintf(want, sizeof(want), "plugin: %s is not a link; left alone (see README.packaging.md)",
		 setup_ctx.plugin_link);
	ck_assert_str_eq(e.msg, want);
	ck_assert(dr_is_dir(setup_ctx.plugin_link));
	snprintf(want, sizeof(want), "%s/var/lib/dokku/plugins/available", setup_root);
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
	ck_assert_int_eq(symlink(setup_ctx.shim_dir, setup_ctx.plugin_link), 0);
	/* linked by an older setup, without the guard: the guard is added */
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: %s already points at %s (registry-guard enabled again)\n",
		   setup_ctx.plugin_link, setup_ctx.shim_dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 1);
	expect_guard();
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc), "-----> plugin: %s already points at %s\n",
		   setup_ctx.plugin_link, setup_ctx.shim_dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 1);
	expect_link(setup_ctx.shim_dir);
}
END_TEST

START_TEST(plugin_relink)
{
	struct dr_err e = { 0 };
	char avail[4300], *names;
	int rc;

	dokku_layout();
	ck_assert_int_eq(symlink(setup_ctx.core_plugin, setup_ctx.plugin_link), 0);
	setup_ctx.dry_run = 1;
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc),
		   "-----> (dry run) plugin: would point %s at %s (was %s) and enable registry-guard\n",
		   setup_ctx.plugin_link, setup_ctx.shim_dir, setup_ctx.core_plugin);
	ck_assert_int_eq(rc, 0);
	expect_link(setup_ctx.core_plugin);
	setup_ctx.dry_run = 0;
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: %s now points at %s (was %s; `dokku-registry setup --undo` restores it); "
		   "registry-guard puts it back after a Dokku install from source\n",
		   setup_ctx.plugin_link, setup_ctx.shim_dir, setup_ctx.core_plugin);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(setup_ctx.changed, 1);
	expect_link(setup_ctx.shim_dir);
	expect_guard();
	/* no temp link left behind */
	snprintf(avail, sizeof(avail), "%s/var/lib/dokku/plugins/available", setup_root);
	names = unit_ls(avail);
	ck_assert_str_eq(names, "registry registry-guard");
	free(names);
	/* a missing link is made */
	ck_assert_int_eq(unlink(setup_ctx.plugin_link), 0);
	setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc),
		   "-----> plugin: %s now points at %s (was missing; `dokku-registry setup --undo` restores it); "
		   "registry-guard puts it back after a Dokku install from source\n",
		   setup_ctx.plugin_link, setup_ctx.shim_dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.changed, 2);
	expect_link(setup_ctx.shim_dir);
}
END_TEST

START_TEST(undo_plugin)
{
	struct dr_err e = { 0 };
	char want[4400];
	int rc;

	dokku_layout();
	/* not ours: nothing to undo */
	ck_assert_int_eq(symlink(setup_ctx.core_plugin, setup_ctx.plugin_link), 0);
	setup_expect_out(setup_run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> plugin: %s is not the dokku-registry shim: nothing to undo\n", setup_ctx.plugin_link);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(unlink(setup_ctx.plugin_link), 0);
	setup_expect_out(setup_run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> plugin: %s is not the dokku-registry shim: nothing to undo\n", setup_ctx.plugin_link);
	ck_assert_int_eq(access(setup_ctx.plugin_link, F_OK), -1);
	/* ours: back to Dokku's own plugin, the guard gone first */
	ck_assert_int_eq(symlink(setup_ctx.shim_dir, setup_ctx.plugin_link), 0);
	ck_assert_int_eq(symlink(setup_ctx.guard_dir, setup_ctx.guard_link), 0);
	ck_assert_int_eq(symlink(setup_ctx.guard_link, setup_ctx.guard_enabled), 0);
	setup_ctx.dry_run = 1;
	setup_expect_out(setup_run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> (dry run) plugin: would point %s back at %s\n", setup_ctx.plugin_link, setup_ctx.core_plugin);
	expect_link(setup_ctx.shim_dir);
	setup_ctx.dry_run = 0;
	setup_expect_out(setup_run_step(dr_setup_undo_plugin, &e, &rc),
		   "-----> plugin: %s points at Dokku's own plugin again (%s); the keyring is left as it is\n",
		   setup_ctx.plugin_link, setup_ctx.core_plugin);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(setup_ctx.changed, 1);
	expect_link(setup_ctx.core_plugin);
	ck_assert_int_eq(access(setup_ctx.guard_link, F_OK), -1);
	ck_assert_int_eq(access(setup_ctx.guard_enabled, F_OK), -1);
	/* Dokku's plugin gone: refused, the shim stays */
	ck_assert_int_eq(unlink(setup_ctx.plugin_link), 0);
	ck_assert_int_eq(symlink(setup_ctx.shim_dir, setup_ctx.plugin_link), 0);
	ck_assert_int_eq(rmdir(setup_ctx.core_plugin), 0);
	setup_expect_out(setup_run_step(dr_setup_undo_plugin, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_ENOTFOUND);
	snprintf(want, sizeof(want), "plugin: Dokku's own plugin %s is missing: reinstall dokku",
		 setup_ctx.core_plugin);
	ck_assert_str_eq(e.msg, want);
	expect_link(setup_ctx.shim_dir);
}
END_TEST

static void write_docker_cfg(const char *rel, const char *json)
{
	char path[4400];

	setup_mk(rel);
	snprintf(path, sizeof(path), "%s/%s/config.json", setup_root, rel);
	unit_write(path, json, strlen(json), 0600);
}

START_TEST(migrate_skips)
{
	struct dr_err e = { 0 };
	int rc;

	setup_ctx.no_migrate = 1;
	setup_expect_out(setup_run_step(dr_setup_migrate, &e, &rc), "-----> migrate: skipped (--no-migrate)\n");
	ck_assert_int_eq(rc, 0);
	setup_ctx.no_migrate = 0;
	/* nothing anywhere, then only logins in the helper and an empty auth */
	setup_expect_out(setup_run_step(dr_setup_migrate, &e, &rc),
		   "-----> migrate: no plaintext credentials in %s/.docker or any app\n", setup_ctx.home);
	ck_assert_int_eq(rc, 0);
	write_docker_cfg("home/dokku/.docker", "{\"credsStore\":\"dokku\",\"auths\":{\"ghcr.io\":{}}}");
	write_docker_cfg("var/lib/dokku/config/registry/app1",
			 "{\"auths\":{\"quay.io\":{\"auth\":\"\",\"identitytoken\":\"\"}}}");
	setup_expect_out(setup_run_step(dr_setup_migrate, &e, &rc),
		   "-----> migrate: no plaintext credentials in %s/.docker or any app\n", setup_ctx.home);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.incomplete, 0);
	/* plaintext but no systemd here: waits for the keyring, no child */
	write_docker_cfg("home/dokku/.docker", "{\"auths\":{\"ghcr.io\":{\"auth\":\"dTpw\"}}}");
	write_docker_cfg("var/lib/dokku/config/registry/app2",
			 "{\"auths\":{\"quay.io\":{\"identitytoken\":\"tok\"}}}");
	setup_expect_out(setup_run_step(dr_setup_migrate, &e, &rc),
		   "-----> migrate: skipped: 2 config file(s) with plaintext credentials wait for the "
		   "keyring (start it, then run setup again)\n");
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.incomplete, 1);
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

Suite *setup_dokku_suite(void)
{
	Suite *su = suite_create("setup_dokku");
	TCase *tc = tcase_create("steps");

	tcase_add_checked_fixture(tc, setup_world_begin, setup_world_end);
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
