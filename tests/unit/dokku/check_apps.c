#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "dokku/apps.h"
#include "fixture.h"
#include "unit.h"

#define BAD_NAME "App name must begin with lowercase alphanumeric character, and may only " \
		 "contain lowercase alphanumerics, dots, and hyphens"

static void make_app_dir(const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", unit_dokku_root(), name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

/* name -> valid (Dokku's new rule ^[a-z0-9][a-z0-9.-]*$, or the old one
 * that also allows "_", as VerifyAppName accepts either) */
static const struct {
	const char *name;
	int valid;
} names[] = {
	{ "a", 1 },
	{ "0", 1 },
	{ "web-1.example", 1 },
	{ "a..b--", 1 },
	{ "old_app", 1 },   /* apps created before the new rule */
	{ "a_", 1 },
	{ "", 0 },
	{ "-a", 0 },
	{ ".a", 0 },
	{ "_a", 0 },
	{ "A", 0 },
	{ "aB", 0 },
	{ "a b", 0 },
	{ "a/b", 0 },
	{ "a:b", 0 },
	{ "caf\xc3\xa9", 0 },
	{ "--global", 0 },
};

START_TEST(test_name_valid)
{
	ck_assert_msg(dr_app_name_valid(names[_i].name) == names[_i].valid, "\"%s\"",
		      names[_i].name);
}
END_TEST

START_TEST(test_root)
{
	/* the fixture's DOKKU_ROOT; cached for the process */
	ck_assert_str_eq(dr_dokku_root(), unit_dokku_root());
	ck_assert_ptr_eq(dr_dokku_root(), dr_dokku_root());
}
END_TEST

START_TEST(test_verify_messages)
{
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_app_verify(NULL, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Please specify an app to run the command on");
	ck_assert_int_eq(dr_app_verify("", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Please specify an app to run the command on");
	ck_assert_int_eq(dr_app_verify("Web", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, BAD_NAME);
	ck_assert_int_eq(dr_app_verify("../etc", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, BAD_NAME);
	ck_assert_int_eq(dr_app_verify("_x", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, BAD_NAME);
	ck_assert_int_eq(dr_app_verify("web", &e), DR_ENOAPP);
	ck_assert_str_eq(e.msg, "App web does not exist");
	ck_assert_int_eq(e.code, DR_ENOAPP);
	ck_assert_int_eq(dr_app_verify("web", NULL), DR_ENOAPP);
}
END_TEST

START_TEST(test_verify_existing)
{
	struct dr_err e = { 0 };
	char p[512];

	make_app_dir("web");
	ck_assert_int_eq(dr_app_verify("web", &e), 0);
	/* an app named under the old rule still works, as in Dokku */
	make_app_dir("old_app");
	ck_assert_msg(dr_app_verify("old_app", &e) == 0, "%s", e.msg);
	/* a file of that name is not an app */
	snprintf(p, sizeof(p), "%s/ENV", unit_dokku_root());
	unit_write(p, "x", 1, 0644);
	ck_assert_int_eq(dr_app_verify("ENV", &e), DR_EINVAL);
	snprintf(p, sizeof(p), "%s/file", unit_dokku_root());
	unit_write(p, "x", 1, 0644);
	ck_assert_int_eq(dr_app_verify("file", &e), DR_ENOAPP);
	ck_assert_str_eq(e.msg, "App file does not exist");
	/* a symlink to a directory is followed (Go's os.Stat) */
	snprintf(p, sizeof(p), "%s/linked", unit_dokku_root());
	ck_assert_int_eq(symlink("web", p), 0);
	ck_assert_int_eq(dr_app_verify("linked", &e), 0);
	snprintf(p, sizeof(p), "%s/dangling", unit_dokku_root());
	ck_assert_int_eq(symlink("nowhere", p), 0);
	ck_assert_int_eq(dr_app_verify("dangling", &e), DR_ENOAPP);
}
END_TEST

static char *joined(char **apps, size_t n)
{
	size_t total = 1;
	char *out;

	for (size_t i = 0; i < n; i++)
		total += strlen(apps[i]) + 1;
	out = calloc(1, total);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, apps[i]);
	}
	return out;
}

START_TEST(test_list)
{
	struct dr_err e = { 0 };
	char **apps = (char **)1, p[512], *s;
	size_t n = 99;

	ck_assert_int_eq(dr_apps_list(&apps, &n, &e), 0);
	ck_assert_ptr_null(apps);
	ck_assert_uint_eq(n, 0);

	make_app_dir("web");
	make_app_dir("api");
	make_app_dir("c10");
	make_app_dir("c9");
	make_app_dir("old_app");
	make_app_dir(".ssh");        /* dot names are never apps */
	make_app_dir("Upper");       /* Dokku skips names starting upper case */
	make_app_dir("\xc3\x89t\xc3\xa9"); /* "Été": Go reads byte 0xc3 as U+00C3, upper */
	snprintf(p, sizeof(p), "%s/HOSTNAME", unit_dokku_root());
	unit_write(p, "dokku.me", 8, 0644);
	snprintf(p, sizeof(p), "%s/webhook", unit_dokku_root());
	unit_write(p, "x", 1, 0644);
	snprintf(p, sizeof(p), "%s/alias", unit_dokku_root());
	ck_assert_int_eq(symlink("web", p), 0);
	ck_assert_int_eq(dr_apps_list(&apps, &n, &e), 0);
	s = joined(apps, n);
	/* byte order, as Go's os.ReadDir */
	ck_assert_str_eq(s, "alias api c10 c9 old_app web");
	free(s);
	dr_apps_free(apps, n);
}
END_TEST

START_TEST(test_list_missing_root)
{
	char **apps;
	size_t n = 3;

	ck_assert_int_eq(dr_remove_tree(unit_dokku_root(), NULL), 0);
	ck_assert_int_eq(dr_apps_list(&apps, &n, NULL), 0);
	ck_assert_ptr_null(apps);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(dr_app_verify("web", NULL), DR_ENOAPP);
	dr_apps_free(NULL, 0);
}
END_TEST

START_TEST(test_list_many)
{
	char name[32], **apps;
	size_t n;

	for (int i = 299; i >= 0; i--) {
		snprintf(name, sizeof(name), "app%03d", i);
		make_app_dir(name);
	}
	ck_assert_int_eq(dr_apps_list(&apps, &n, NULL), 0);
	ck_assert_uint_eq(n, 300);
	ck_assert_str_eq(apps[0], "app000");
	ck_assert_str_eq(apps[150], "app150");
	ck_assert_str_eq(apps[299], "app299");
	dr_apps_free(apps, n);
}
END_TEST

Suite *apps_suite(void)
{
	Suite *s = suite_create("apps");
	TCase *pure = tcase_create("names");
	TCase *tc = tcase_create("root");

	tcase_add_loop_test(pure, test_name_valid, 0, (int)(sizeof(names) / sizeof(names[0])));
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_verify_messages);
	tcase_add_test(tc, test_verify_existing);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_list_missing_root);
	tcase_add_test(tc, test_list_many);
	suite_add_tcase(s, tc);
	return s;
}
