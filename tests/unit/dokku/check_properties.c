#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "dokku/properties.h"
#include "fixture.h"
#include "unit.h"

/* base/<app>/<prop> into out */
static const char *prop_file(char *out, size_t n, const char *app, const char *prop)
{
	snprintf(out, n, "%s/%s%s%s", dr_props_base(), app, prop ? "/" : "", prop ? prop : "");
	return out;
}

static void assert_get(const char *app, const char *prop, const char *want)
{
	struct dr_err e = { 0 };
	char *v = (char *)"unset";

	ck_assert_msg(dr_prop_get(app, prop, &v, &e) == 0, "%s/%s: %s", app, prop, e.msg);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, want);
	free(v);
}

START_TEST(test_paths)
{
	char want[256], *dir;

	snprintf(want, sizeof(want), "%s/config/registry", unit_dokku_lib_root());
	ck_assert_str_eq(dr_props_base(), want);
	dir = dr_props_dir("web");
	snprintf(want, sizeof(want), "%s/config/registry/web", unit_dokku_lib_root());
	ck_assert_str_eq(dir, want);
	free(dir);
	dir = dr_props_dir(DR_GLOBAL);
	snprintf(want, sizeof(want), "%s/config/registry/--global", unit_dokku_lib_root());
	ck_assert_str_eq(dir, want);
	free(dir);
}
END_TEST

START_TEST(test_missing_reads_empty)
{
	char p[512];

	assert_get("web", "server", "");
	assert_get(DR_GLOBAL, "server", "");
	/* reading creates nothing */
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "web", NULL)), -1);
	ck_assert_int_eq(unit_mode(dr_props_base()), -1);
}
END_TEST

/* Dokku's layout: raw value, no newline, 0600 files in 0755 dirs */
START_TEST(test_set_layout)
{
	struct dr_err e = { 0 };
	char p[512], *text;
	size_t len;

	umask(0077); /* the modes do not depend on the caller's umask */
	ck_assert_int_eq(dr_prop_set("web", "server", "ghcr.io", &e), 0);
	umask(0022);
	text = unit_read(prop_file(p, sizeof(p), "web", "server"), &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, 7);
	ck_assert_str_eq(text, "ghcr.io");
	free(text);
	ck_assert_int_eq(unit_mode(p), 0600);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "web", NULL)), 0755);
	ck_assert_int_eq(unit_mode(dr_props_base()), 0755);
	snprintf(p, sizeof(p), "%s/config", unit_dokku_lib_root());
	ck_assert_int_eq(unit_mode(p), 0755);
	assert_get("web", "server", "ghcr.io");
	/* no temp file left next to it */
	text = unit_ls(prop_file(p, sizeof(p), "web", NULL));
	ck_assert_str_eq(text, "server");
	free(text);
}
END_TEST

START_TEST(test_set_overwrite_unset)
{
	struct dr_err e = { 0 };
	char p[512];

	ck_assert_int_eq(dr_prop_set("web", "push-on-release", "true", &e), 0);
	ck_assert_int_eq(dr_prop_set("web", "push-on-release", "false", &e), 0);
	assert_get("web", "push-on-release", "false");
	/* values are kept raw: spaces and newlines are the readers' business */
	ck_assert_int_eq(dr_prop_set("web", "push-extra-tags", " a,b \n", &e), 0);
	assert_get("web", "push-extra-tags", " a,b \n");
	ck_assert_int_eq(dr_prop_set("web", "image-repo", "", &e), 0);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "web", "image-repo")), 0600);
	assert_get("web", "image-repo", "");
	ck_assert_int_eq(dr_prop_unset("web", "push-on-release", &e), 0);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "web", "push-on-release")), -1);
	assert_get("web", "push-on-release", "");
	/* unsetting what is not there is fine, also without the app dir */
	ck_assert_int_eq(dr_prop_unset("web", "push-on-release", &e), 0);
	ck_assert_int_eq(dr_prop_unset("nope", "server", &e), 0);
	/* app and global values are separate files */
	ck_assert_int_eq(dr_prop_set(DR_GLOBAL, "server", "quay.io", &e), 0);
	assert_get(DR_GLOBAL, "server", "quay.io");
	assert_get("web", "server", "");
}
END_TEST

/* app and property names become path components: no way out of the base */
static const char *const bad[] = { "", ".", "..", "a/b", "../x", "/abs" };

START_TEST(test_bad_components)
{
	struct dr_err e = { 0 };
	char want[128], *v = (char *)"x", *list;

	snprintf(want, sizeof(want), "invalid property path %s/server", bad[_i]);
	ck_assert_int_eq(dr_prop_get(bad[_i], "server", &v, &e), DR_EINVAL);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_prop_set(bad[_i], "server", "x", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_prop_unset(bad[_i], "server", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	snprintf(want, sizeof(want), "invalid property path web/%s", bad[_i]);
	ck_assert_int_eq(dr_prop_get("web", bad[_i], &v, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_prop_set("web", bad[_i], "x", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_prop_unset("web", bad[_i], &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	snprintf(want, sizeof(want), "invalid app name %s", bad[_i]);
	ck_assert_int_eq(dr_props_setup_app(bad[_i], &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_props_destroy(bad[_i], &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, want);
	/* nothing was written anywhere */
	list = unit_ls(unit_dokku_lib_root());
	ck_assert_str_eq(list, "");
	free(list);
}
END_TEST

START_TEST(test_read_limit)
{
	struct dr_err e = { 0 };
	static char big[DR_PROP_LIMIT + 1];
	char p[512], want[700], *v = (char *)"x";

	memset(big, 'r', sizeof(big));
	ck_assert_int_eq(dr_props_setup_app("web", &e), 0);
	unit_write(prop_file(p, sizeof(p), "web", "image-repo"), big, DR_PROP_LIMIT, 0600);
	unit_write(prop_file(p, sizeof(p), "web", "server"), big, sizeof(big), 0600);
	ck_assert_int_eq(dr_prop_get("web", "image-repo", &v, &e), 0);
	ck_assert_uint_eq(strlen(v), DR_PROP_LIMIT);
	free(v);
	ck_assert_int_eq(dr_prop_get("web", "server", &v, &e), DR_ETOOBIG);
	ck_assert_ptr_null(v);
	snprintf(want, sizeof(want), "cannot read %s: input too large: over %d bytes", p,
		 DR_PROP_LIMIT);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

/* the write refuses what it could not write or a reader could not read
 * back: a value over the read limit, a name over NAME_MAX less the temp
 * file's suffix; nothing is written */
START_TEST(test_write_limits)
{
	struct dr_err e = { 0 };
	static char big[DR_PROP_LIMIT + 2];
	char name[NAME_MAX + 2], want[700], *list;

	memset(big, 'w', DR_PROP_LIMIT + 1);
	ck_assert_int_eq(dr_prop_set("web", "server", big, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "the value of server is %d bytes, over the %d bytes a property may "
		 "hold (every reader stops there)", DR_PROP_LIMIT + 1, DR_PROP_LIMIT);
	ck_assert_str_eq(e.msg, want);
	memset(name, 'n', DR_PROP_NAME_MAX + 1);
	name[DR_PROP_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(dr_prop_set("web", name, "x", &e), DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "is 246 bytes long, over the 245") != NULL, "%s", e.msg);
	list = unit_ls(unit_dokku_lib_root());
	ck_assert_str_eq(list, "");
	free(list);
	/* at the limits: written and read back */
	big[DR_PROP_LIMIT] = '\0';
	name[DR_PROP_NAME_MAX] = '\0';
	ck_assert_msg(dr_prop_set("web", name, big, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(dr_prop_check("web", name, DR_PROP_LIMIT, &e), 0);
}
END_TEST

START_TEST(test_unreadable)
{
	struct dr_err e = { 0 };
	char p[512], *v;

	/* a directory where a property file should be */
	ck_assert_int_eq(dr_props_setup_app("web", &e), 0);
	ck_assert_int_eq(mkdir(prop_file(p, sizeof(p), "web", "server"), 0755), 0);
	ck_assert_int_eq(dr_prop_get("web", "server", &v, &e), DR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, p));
	ck_assert_int_eq(dr_prop_unset("web", "server", &e), DR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot remove "));
	/* the base is a file: set fails and says where */
	ck_assert_int_eq(dr_remove_tree(dr_props_base(), NULL), 0);
	unit_write(dr_props_base(), "", 0, 0644);
	ck_assert_int_ne(dr_prop_set("web", "server", "x", &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, dr_props_base()));
}
END_TEST

/* Reads are cached for the process; any write through properties.c drops
 * the cache. */
START_TEST(test_cache)
{
	struct dr_err e = { 0 };
	char p[512];

	ck_assert_int_eq(dr_prop_set("web", "server", "one", &e), 0);
	assert_get("web", "server", "one");
	assert_get("web", "image-repo", "");
	/* changed behind the cache's back: not seen yet */
	unit_write(prop_file(p, sizeof(p), "web", "server"), "two", 3, 0600);
	unit_write(prop_file(p, sizeof(p), "web", "image-repo"), "repo", 4, 0600);
	assert_get("web", "server", "one");
	assert_get("web", "image-repo", "");
	/* a write of anything, anywhere, drops it */
	ck_assert_int_eq(dr_prop_set("other", "server", "x", &e), 0);
	assert_get("web", "server", "two");
	assert_get("web", "image-repo", "repo");
	unit_write(prop_file(p, sizeof(p), "web", "server"), "three", 5, 0600);
	ck_assert_int_eq(dr_prop_unset("other", "server", &e), 0);
	assert_get("web", "server", "three");
	unit_write(prop_file(p, sizeof(p), "web", "server"), "four", 4, 0600);
	ck_assert_int_eq(dr_props_setup_app("new", &e), 0);
	assert_get("web", "server", "four");
}
END_TEST

START_TEST(test_setup_destroy)
{
	struct dr_err e = { 0 };
	char p[512];

	ck_assert_int_eq(dr_props_setup_app("web", &e), 0);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "web", NULL)), 0755);
	ck_assert_int_eq(dr_props_setup_app("web", &e), 0); /* again: fine */
	ck_assert_int_eq(dr_prop_set("web", "server", "ghcr.io", &e), 0);
	ck_assert_int_eq(mkdir(prop_file(p, sizeof(p), "web", "sub"), 0700), 0);
	ck_assert_int_eq(dr_props_destroy("web", &e), 0);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "web", NULL)), -1);
	assert_get("web", "server", "");
	ck_assert_int_eq(dr_props_destroy("web", &e), 0); /* gone already: fine */
	/* destroying one app leaves the others */
	ck_assert_int_eq(dr_prop_set("keep", "server", "x", &e), 0);
	ck_assert_int_eq(dr_props_destroy("web", &e), 0);
	assert_get("keep", "server", "x");
}
END_TEST

START_TEST(test_clone)
{
	static const char *const skip[] = { "config.json", NULL };
	struct dr_err e = { 0 };
	char p[512], *list;

	ck_assert_int_eq(dr_prop_set("old", "server", "ghcr.io", &e), 0);
	ck_assert_int_eq(dr_prop_set("old", "image-repo", "team/old", &e), 0);
	ck_assert_int_eq(dr_prop_set("old", "config.json", "{}", &e), 0);
	/* a world-readable file in the old dir: the copy is 0600 all the same */
	unit_write(prop_file(p, sizeof(p), "old", "extra"), "e", 1, 0644);
	ck_assert_int_eq(mkdir(prop_file(p, sizeof(p), "old", "subdir"), 0755), 0);
	ck_assert_int_eq(dr_props_clone("old", "new", skip, &e), 0);
	list = unit_ls(prop_file(p, sizeof(p), "new", NULL));
	ck_assert_str_eq(list, "extra image-repo server");
	free(list);
	ck_assert_int_eq(unit_mode(p), 0755);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "new", "extra")), 0600);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "new", "server")), 0600);
	assert_get("new", "server", "ghcr.io");
	assert_get("new", "image-repo", "team/old");
	assert_get("new", "config.json", "");
	/* the old app keeps everything */
	assert_get("old", "config.json", "{}");
	/* into an app that has values: the cloned ones overwrite, others stay */
	ck_assert_int_eq(dr_prop_set("third", "server", "quay.io", &e), 0);
	ck_assert_int_eq(dr_prop_set("third", "tag-version", "3", &e), 0);
	ck_assert_int_eq(dr_props_clone("old", "third", NULL, &e), 0);
	assert_get("third", "server", "ghcr.io");
	assert_get("third", "tag-version", "3");
	assert_get("third", "config.json", "{}");
	/* nothing to clone: no directory is made */
	ck_assert_int_eq(dr_props_clone("ghost", "fourth", NULL, &e), 0);
	ck_assert_int_eq(unit_mode(prop_file(p, sizeof(p), "fourth", NULL)), -1);
}
END_TEST

Suite *properties_suite(void)
{
	Suite *s = suite_create("properties");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_missing_reads_empty);
	tcase_add_test(tc, test_set_layout);
	tcase_add_test(tc, test_set_overwrite_unset);
	tcase_add_loop_test(tc, test_bad_components, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_read_limit);
	tcase_add_test(tc, test_write_limits);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_setup_destroy);
	tcase_add_test(tc, test_clone);
	suite_add_tcase(s, tc);
	return s;
}
