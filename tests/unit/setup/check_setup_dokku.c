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

#include "base/atomicfile.h"
#include "fixture.h"
#include "setup/setup.h"
#include "setup_fixture.h"
#include "unit.h"

static void expect_owner(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, SETUP_UID);
	ck_assert_uint_eq(st.st_gid, SETUP_GID);
}

static void write_cfg(const char *text, mode_t mode)
{
	char dir[4300];
	struct dr_err e = { 0 };

	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", setup_ctx.home);
	ck_assert_int_eq(dr_mkdir_p(dir, 0700, &e), 0);
	unit_write(setup_ctx.helper_cfg, text, strlen(text), mode);
	setup_give("home/dokku");
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
	ck_assert_int_eq(access(setup_ctx.helper_cfg, F_OK), -1);
	/* an existing file is left as it is too */
	write_cfg("{\"a\":1}", 0644);
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc),
		   "-----> (dry run) helper config: would set \"bus\": \"%s\" in %s\n", setup_ctx.bus, setup_ctx.helper_cfg);
	setup_expect_file(setup_ctx.helper_cfg, "{\"a\":1}");
	ck_assert_int_eq(unit_mode(setup_ctx.helper_cfg), 0644);
}
END_TEST

/* root/rel, a root-only (0700) directory holding a root-only file */
static void root_secret(const char *rel, const char *file, const char *text, char *path, size_t n)
{
	char dir[4300];

	snprintf(dir, sizeof(dir), "%s/%s", setup_root, rel);
	setup_mk(rel);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	snprintf(path, n, "%s/%s", dir, file);
	unit_write(path, text, strlen(text), 0600);
}

static void expect_root_file(const char *path, const char *text)
{
	struct stat st;

	setup_expect_file(path, text);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
}

/* config.json -> a root-only JSON file: its content must not land in a
 * file of the dokku user */
START_TEST(helper_config_link_to_root_file)
{
	static const char secret[] = "{\"bus\":\"unix:path=/x\",\"token\":\"s3cret-root-only\"}";
	char path[4400], dir[4300];
	struct dr_err e = { 0 };
	int rc;

	root_secret("etc/private", "secret.json", secret, path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", setup_ctx.home);
	ck_assert_int_eq(dr_mkdir_p(dir, 0700, &e), 0);
	ck_assert_int_eq(symlink(path, setup_ctx.helper_cfg), 0);
	setup_give("home/dokku");
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "is a symbolic link") != NULL, "%s", e.msg);
	expect_root_file(path, secret);
	ck_assert_int_eq(readlink(setup_ctx.helper_cfg, dir, sizeof(dir)), (ssize_t)strlen(path));
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

/* ~dokku/.config -> a root directory: nothing is created there */
START_TEST(helper_config_dir_link_to_root_dir)
{
	char etc[4300], link[4300], *names;
	struct dr_err e = { 0 };
	int rc;

	snprintf(etc, sizeof(etc), "%s/etc", setup_root);
	snprintf(link, sizeof(link), "%s/.config", setup_ctx.home);
	ck_assert_int_eq(symlink(etc, link), 0);
	setup_give("home/dokku");
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc), "%s", "");
	ck_assert_int_ne(rc, 0);
	ck_assert_msg(strstr(e.msg, "Permission denied") != NULL, "%s", e.msg);
	names = unit_ls(etc);
	ck_assert_str_eq(names, "passwd");
	free(names);
}
END_TEST

/* ~dokku/.config/docker-credential-dokku -> a root directory holding a
 * root-owned config.json: neither rewritten nor given away */
START_TEST(helper_config_dir_link_to_root_config)
{
	static const char cfg[] = "{\"bus\":\"unix:path=/system\"}";
	char path[4400], link[4300], dir[4300];
	struct dr_err e = { 0 };
	int rc;

	root_secret("etc/docker-credential-dokku", "config.json", cfg, path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s/etc/docker-credential-dokku", setup_root);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	snprintf(link, sizeof(link), "%s/.config", setup_ctx.home);
	ck_assert_int_eq(mkdir(link, 0700), 0);
	snprintf(link, sizeof(link), "%s/.config/docker-credential-dokku", setup_ctx.home);
	ck_assert_int_eq(symlink(dir, link), 0);
	setup_give("home/dokku");
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc), "%s", "");
	ck_assert_int_eq(rc, DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "belongs to uid 0") != NULL, "%s", e.msg);
	ck_assert_int_eq(chmod(path, 0600), 0);
	expect_root_file(path, cfg);
}
END_TEST

/* config.json is a FIFO nobody writes: refused at once, no hang */
START_TEST(helper_config_fifo)
{
	char dir[4300];
	struct dr_err e = { 0 };
	int rc;

	snprintf(dir, sizeof(dir), "%s/.config/docker-credential-dokku", setup_ctx.home);
	ck_assert_int_eq(dr_mkdir_p(dir, 0700, &e), 0);
	ck_assert_int_eq(mkfifo(setup_ctx.helper_cfg, 0600), 0);
	setup_give("home/dokku");
	alarm(10); /* the old code waited here forever */
	setup_expect_out(setup_run_step(dr_setup_helper_config, &e, &rc), "%s", "");
	alarm(0);
	ck_assert_int_eq(rc, DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
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

/* Dokku gives plugins/ and plugins/available to the dokku user: either one
 * swapped for a link to a root directory gets nothing from root */
START_TEST(plugin_dirs_are_links)
{
	static const char *const rels[] = { "var/lib/dokku/plugins", "var/lib/dokku/plugins/available" };
	char etc[2][4300], path[4300], *names;
	struct dr_err e = { 0 };
	int rc;

	dokku_layout();
	setup_mk("etc/x/available");
	snprintf(etc[0], sizeof(etc[0]), "%s/etc/x", setup_root);
	snprintf(etc[1], sizeof(etc[1]), "%s/etc/x/available", setup_root);
	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", setup_root, rels[i]);
		ck_assert_int_eq(dr_remove_tree(path, &e), 0);
		if (i == 1)
			setup_mk("var/lib/dokku/plugins");
		ck_assert_int_eq(symlink(etc[i], path), 0);
		setup_give("var/lib/dokku/plugins");
		setup_expect_out(setup_run_step(dr_setup_plugin, &e, &rc), "%s", "");
		ck_assert_int_eq(rc, DR_EINVAL);
		ck_assert_msg(strstr(e.msg, "is a symbolic link or not a directory; left alone") != NULL, "%s",
			      e.msg);
		setup_expect_out(setup_run_step(dr_setup_undo_plugin, &e, &rc), "%s", "");
		ck_assert_int_eq(rc, DR_EINVAL);
		names = unit_ls(etc[1]);
		ck_assert_str_eq(names, "");
		free(names);
		ck_assert_int_eq(unlink(path), 0);
	}
	ck_assert_int_eq(setup_ctx.changed, 0);
}
END_TEST

static void write_docker_cfg(const char *rel, const char *json)
{
	char path[4400];

	setup_mk(rel);
	snprintf(path, sizeof(path), "%s/%s/config.json", setup_root, rel);
	unit_write(path, json, strlen(json), 0600);
	setup_give("home/dokku");
	if (access(setup_ctx.lib_root, F_OK) == 0)
		setup_give("var/lib/dokku/config");
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

/* the scan for plaintext logins reads as the dokku user: a FIFO does not
 * hold it, a link to a root-only file is not read */
START_TEST(migrate_scan_as_the_user)
{
	static const char login[] = "{\"auths\":{\"ghcr.io\":{\"auth\":\"dTpw\"}}}";
	char path[4400], link[4400];
	struct dr_err e = { 0 };
	int rc;

	root_secret("etc/private", "config.json", login, path, sizeof(path));
	setup_mk("home/dokku/.docker");
	snprintf(link, sizeof(link), "%s/.docker/config.json", setup_ctx.home);
	ck_assert_int_eq(symlink(path, link), 0);
	setup_mk("var/lib/dokku/config/registry/app1");
	snprintf(link, sizeof(link), "%s/config/registry/app1/config.json", setup_ctx.lib_root);
	ck_assert_int_eq(mkfifo(link, 0600), 0);
	setup_give("home/dokku");
	setup_give("var/lib/dokku/config");
	alarm(10); /* the old scan waited on the FIFO forever */
	setup_expect_out(setup_run_step(dr_setup_migrate, &e, &rc),
			 "-----> migrate: no plaintext credentials in %s/.docker or any app\n", setup_ctx.home);
	alarm(0);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(setup_ctx.incomplete, 0);
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
	tcase_add_test(tc, helper_config_link_to_root_file);
	tcase_add_test(tc, helper_config_dir_link_to_root_dir);
	tcase_add_test(tc, helper_config_dir_link_to_root_config);
	tcase_add_test(tc, helper_config_fifo);
	tcase_add_test(tc, plugin_no_plugin);
	tcase_add_test(tc, plugin_no_dokku);
	tcase_add_test(tc, plugin_shim_missing);
	tcase_add_test(tc, plugin_not_a_link);
	tcase_add_test(tc, plugin_already_linked);
	tcase_add_test(tc, plugin_relink);
	tcase_add_test(tc, undo_plugin);
	tcase_add_test(tc, plugin_dirs_are_links);
	tcase_add_test(tc, migrate_skips);
	tcase_add_test(tc, migrate_scan_as_the_user);
	suite_add_tcase(su, tc);
	return su;
}
