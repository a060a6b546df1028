/* dokku-registry's own per-app directory (core/dokku/own_dir.c) in the
 * test's world: removal of whatever the directory holds without following
 * links, copies of regular files only (no temp files, no dot files, 0600),
 * names Dokku never gives an app refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dokku/own_dir.h"
#include "fixture.h"
#include "unit.h"

/* $DOKKU_LIB_ROOT/config/dokku-registry[/rel] into out */
static const char *own(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/config/%s%s%s", unit_dokku_lib_root(), DR_OWN_DIR_NAME, rel ? "/" : "",
		 rel ? rel : "");
	return out;
}

static void mkdirs(const char *rel)
{
	char p[512], cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", own(p, sizeof(p), rel));
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *rel, const char *value, mode_t mode)
{
	char p[512];

	unit_write(own(p, sizeof(p), rel), value, strlen(value), mode);
}

static void assert_value(const char *rel, const char *want)
{
	char p[512];
	char *v = unit_read(own(p, sizeof(p), rel), NULL);

	ck_assert_msg(v != NULL, "%s is missing", rel);
	ck_assert_str_eq(v, want);
	free(v);
}

static int exists(const char *rel)
{
	char p[512];
	struct stat st;

	return lstat(own(p, sizeof(p), rel), &st) == 0;
}

START_TEST(test_remove_tree_no_links_followed)
{
	char p[512], outside[256];
	struct dr_err e = { 0 };

	mkdirs("a1/sub/deeper");
	put("a1/push-engine", "native", 0600);
	put("a1/sub/deeper/file", "x", 0600);
	unit_path(outside, sizeof(outside), "outside");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	unit_path(p, sizeof(p), "outside/kept");
	unit_write(p, "kept", 4, 0600);
	ck_assert_int_eq(symlink(outside, own(p, sizeof(p), "a1/link")), 0);
	mkdirs("a2");
	put("a2/push-engine", "docker", 0600);
	mkdirs("--global");
	put("--global/push-engine", "native", 0600);

	ck_assert_int_eq(dr_own_dir_remove("a1", &e), 0);
	ck_assert(!exists("a1"));
	unit_path(p, sizeof(p), "outside/kept");
	ck_assert_int_eq(unit_mode(p), 0600);
	assert_value("a2/push-engine", "docker");
	assert_value("--global/push-engine", "native");
	/* missing: nothing to do */
	ck_assert_int_eq(dr_own_dir_remove("a1", &e), 0);
	ck_assert_int_eq(dr_own_dir_remove("never", &e), 0);
}
END_TEST

START_TEST(test_remove_app_dir_is_a_link)
{
	char p[512], outside[256];
	struct dr_err e = { 0 };

	mkdirs(NULL);
	unit_path(outside, sizeof(outside), "outside");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	unit_path(p, sizeof(p), "outside/push-engine");
	unit_write(p, "keep", 4, 0600);
	ck_assert_int_eq(symlink(outside, own(p, sizeof(p), "a1")), 0);
	ck_assert_int_eq(dr_own_dir_remove("a1", &e), 0);
	ck_assert(!exists("a1"));
	unit_path(p, sizeof(p), "outside/push-engine");
	ck_assert_int_eq(unit_mode(p), 0600);
}
END_TEST

START_TEST(test_copy_regular_files_only)
{
	char p[512];
	struct dr_err e = { 0 };

	mkdirs("a1");
	put("a1/push-engine", "native", 0644);
	put("a1/push-compress", "zstd", 0600);
	put("a1/push-engine.tmpAb12Cd", "torn", 0600);
	put("a1/.hidden", "h", 0600);
	mkdirs("a1/subdir");
	mkdirs("a2");
	put("a2/push-engine", "docker", 0644);
	put("a2/own", "kept", 0600);
	umask(077);
	ck_assert_int_eq(dr_own_dir_copy("a1", "a2", &e), 0);
	ck_assert_int_eq(dr_own_dir_copy("a1", "a3", &e), 0);
	umask(022);
	assert_value("a2/push-engine", "native");
	assert_value("a2/push-compress", "zstd");
	assert_value("a2/own", "kept");
	ck_assert_int_eq(unit_mode(own(p, sizeof(p), "a2/push-engine")), 0600);
	ck_assert(!exists("a2/push-engine.tmpAb12Cd"));
	ck_assert(!exists("a2/.hidden"));
	ck_assert(!exists("a2/subdir"));
	ck_assert_int_eq(unit_mode(own(p, sizeof(p), "a3")), 0755);
	assert_value("a3/push-engine", "native");
	/* the source stays */
	assert_value("a1/push-engine", "native");
	/* no source dir: nothing made */
	ck_assert_int_eq(dr_own_dir_copy("never", "a4", &e), 0);
	ck_assert(!exists("a4"));
}
END_TEST

START_TEST(test_move)
{
	struct dr_err e = { 0 };

	mkdirs("old");
	put("old/push-engine", "native", 0600);
	ck_assert_int_eq(dr_own_dir_move("old", "new", &e), 0);
	assert_value("new/push-engine", "native");
	ck_assert(!exists("old"));
}
END_TEST

START_TEST(test_names_refused)
{
	static const char *const bad[] = { "--global", "..", ".", "a/b", "", "Upper" };
	struct dr_err e = { 0 };

	mkdirs("--global");
	put("--global/push-engine", "native", 0600);
	mkdirs("a1");
	put("a1/push-engine", "docker", 0600);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(dr_own_dir_remove(bad[i], &e), DR_EINVAL);
		ck_assert_int_eq(dr_own_dir_copy("a1", bad[i], &e), DR_EINVAL);
		ck_assert_int_eq(dr_own_dir_copy(bad[i], "a1", &e), DR_EINVAL);
		ck_assert_int_eq(dr_own_dir_move(bad[i], "a2", &e), DR_EINVAL);
	}
	assert_value("--global/push-engine", "native");
	assert_value("a1/push-engine", "docker");
	ck_assert(!exists("a2"));
}
END_TEST

START_TEST(test_base_is_a_link)
{
	char p[512], outside[256];
	struct dr_err e = { 0 };

	unit_path(outside, sizeof(outside), "outside");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	unit_path(p, sizeof(p), "outside/a1");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	unit_path(p, sizeof(p), "outside/a1/push-engine");
	unit_write(p, "keep", 4, 0600);
	snprintf(p, sizeof(p), "%s/config", unit_dokku_lib_root());
	mkdir(p, 0755);
	ck_assert_int_eq(symlink(outside, own(p, sizeof(p), NULL)), 0);
	ck_assert_int_eq(dr_own_dir_remove("a1", &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "symbolic link"));
	ck_assert_int_eq(dr_own_dir_copy("a1", "a2", &e), DR_EINVAL);
	unit_path(p, sizeof(p), "outside/a1/push-engine");
	ck_assert_int_eq(unit_mode(p), 0600);
	unit_path(p, sizeof(p), "outside/a2");
	ck_assert_int_eq(unit_mode(p), -1);
}
END_TEST

Suite *own_dir_suite(void)
{
	Suite *s = suite_create("own_dir");
	TCase *tc = tcase_create("own_dir");

	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_remove_tree_no_links_followed);
	tcase_add_test(tc, test_remove_app_dir_is_a_link);
	tcase_add_test(tc, test_copy_regular_files_only);
	tcase_add_test(tc, test_move);
	tcase_add_test(tc, test_names_refused);
	tcase_add_test(tc, test_base_is_a_link);
	suite_add_tcase(s, tc);
	return s;
}
