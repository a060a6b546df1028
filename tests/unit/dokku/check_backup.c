/* Dokku's backup triggers for our properties (core/dokku/backup.c) in a
 * scratch DOKKU_LIB_ROOT and scope dir: export as a recipe slice, import
 * back (all or nothing), credential tasks of Dokku's own plugin never
 * written, and the logins file. Checked fixture: dr_props_base() caches the
 * root per process (see check_plugin_props.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dokku/backup.h"
#include "dokku/properties.h"
#include "unit.h"

static char dir[64];
static char scope[128];

static void setup(void)
{
	char root[128];

	snprintf(dir, sizeof(dir), "/tmp/dr-unit-backup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(root, sizeof(root), "%s/lib", dir);
	setenv("DOKKU_LIB_ROOT", root, 1);
	ck_assert_msg(strncmp(dr_props_base(), "/var/lib/dokku", 14) != 0, "real properties base");
	snprintf(scope, sizeof(scope), "%s/scope", dir);
	ck_assert_int_eq(mkdir(scope, 0700), 0);
}

static void teardown(void)
{
	char cmd[128];

	unsetenv("DOKKU_LIB_ROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
	char *buf = calloc(1, 8192);
	FILE *f = fopen(path, "r");

	ck_assert_msg(f != NULL, "%s", path);
	ck_assert_uint_lt(fread(buf, 1, 8191, f), 8191);
	fclose(f);
	return buf;
}

static void expect_prop(const char *app, const char *prop, const char *want)
{
	struct dr_err e = { 0 };
	char *v = NULL;

	ck_assert_int_eq(dr_prop_get(app, prop, &v, &e), 0);
	ck_assert_str_eq(v ? v : "", want);
	free(v);
}

static void write_slice(const char *yaml)
{
	char cfg[160], *path = dr_backup_recipe_path(scope);
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/config", scope);
	mkdir(cfg, 0755);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(yaml, f);
	fclose(f);
	free(path);
}

START_TEST(test_paths)
{
	char *p = dr_backup_recipe_path("/s"), *l = dr_backup_logins_path("/s");

	ck_assert_str_eq(p, "/s/config/registry.yml");
	ck_assert_str_eq(l, "/s/data/registry/logins.json");
	free(p);
	free(l);
}
END_TEST

START_TEST(test_export_then_import)
{
	struct dr_err e = { 0 };
	struct dr_backup_import imp;
	struct stat st;
	char *path = dr_backup_recipe_path(scope), *yaml, *pdir, *junk;

	ck_assert_int_eq(dr_prop_set("app1", "server", "ghcr.io", &e), 0);
	ck_assert_int_eq(dr_prop_set("app1", "push-on-release", "true", &e), 0);
	ck_assert_int_eq(dr_prop_set("app1", "config.json", "{\"auths\":{}}", &e), 0);
	/* a temp/foreign dot file is no property */
	pdir = dr_props_dir("app1");
	ck_assert_int_ge(asprintf(&junk, "%s/.server.tmpAbCdEf", pdir), 0);
	fclose(fopen(junk, "w"));
	ck_assert_int_eq(dr_backup_props_export("app1", scope, &e), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	yaml = slurp(path);
	ck_assert_str_eq(yaml,
			 "- name: registry properties\n"
			 "  tasks:\n"
			 "    - dokku_registry_property:\n"
			 "        app: app1\n"
			 "        property: push-on-release\n"
			 "        value: \"true\"\n"
			 "    - dokku_registry_property:\n"
			 "        app: app1\n"
			 "        property: server\n"
			 "        value: ghcr.io\n");
	free(yaml);
	/* into another app */
	ck_assert_int_eq(dr_backup_props_import("app2", scope, &imp, &e), 0);
	ck_assert_uint_eq(imp.applied, 2);
	ck_assert_uint_eq(imp.credential_tasks, 0);
	expect_prop("app2", "server", "ghcr.io");
	expect_prop("app2", "push-on-release", "true");
	dr_login_recs_free(&imp.logins);
	free(junk);
	free(pdir);
	free(path);
}
END_TEST

START_TEST(test_export_nothing)
{
	struct dr_err e = { 0 };
	struct dr_backup_import imp;
	char *path = dr_backup_recipe_path(scope);

	ck_assert_int_eq(dr_backup_props_export("no-props", scope, &e), 0);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* a missing slice imports as nothing */
	ck_assert_int_eq(dr_backup_props_import("no-props", scope, &imp, &e), 0);
	ck_assert_uint_eq(imp.applied, 0);
	free(path);
}
END_TEST

START_TEST(test_import_absent_and_credentials)
{
	struct dr_err e = { 0 };
	struct dr_backup_import imp;
	char *v = NULL;

	ck_assert_int_eq(dr_prop_set("app3", "image-repo", "old", &e), 0);
	write_slice("- name: registry properties\n"
		    "  tasks:\n"
		    "    - dokku_registry_property:\n"
		    "        app: app3\n"
		    "        property: image-repo\n"
		    "        state: absent\n"
		    "    - dokku_registry_property:\n"
		    "        app: app3\n"
		    "        property: server\n"
		    "        value: reg.example.com\n"
		    "    - dokku_registry_property:\n"
		    "        app: app3\n"
		    "        property: config.json\n"
		    "        value: '{\"auths\":{\"reg.example.com\":{\"auth\":\"Ym9iOnB3\"}}}'\n");
	ck_assert_msg(dr_backup_props_import("app3", scope, &imp, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(imp.applied, 2);
	ck_assert_uint_eq(imp.credential_tasks, 1);
	ck_assert_uint_eq(imp.credential_line, 13); /* its property line */
	ck_assert_uint_eq(imp.logins.n, 1);
	ck_assert_str_eq(imp.logins.v[0].server, "reg.example.com");
	ck_assert_str_eq(imp.logins.v[0].username, "bob");
	dr_login_recs_free(&imp.logins);
	expect_prop("app3", "image-repo", "");
	expect_prop("app3", "server", "reg.example.com");
	/* the docker config with the secret was not written */
	ck_assert_int_eq(dr_prop_get("app3", "config.json", &v, &e), 0);
	ck_assert_msg(v == NULL || v[0] == '\0', "config.json written: %s", v);
	free(v);
}
END_TEST

START_TEST(test_bad_slice_changes_nothing)
{
	struct dr_err e = { 0 };
	struct dr_backup_import imp;
	char *path = dr_backup_recipe_path(scope), want[512];

	write_slice("- name: registry properties\n"
		    "  tasks:\n"
		    "    - dokku_registry_property:\n"
		    "        app: app4\n"
		    "        property: server\n"
		    "        value: first.example.com\n"
		    "    - dokku_registry_property:\n"
		    "        app: app4\n"
		    "        property: ../../escape\n"
		    "        value: x\n");
	ck_assert_int_eq(dr_backup_props_import("app4", scope, &imp, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "%s: line 9: \"../../escape\" is not a registry property", path);
	ck_assert_str_eq(e.msg, want);
	expect_prop("app4", "server", "");
	free(path);
}
END_TEST

/* what the write or a reader would refuse is refused before the first
 * task is applied: a name over NAME_MAX (with the temp file's suffix), a
 * value over the 64 KiB every property reader stops at */
START_TEST(test_limits_checked_before_any_write)
{
	struct dr_err e = { 0 };
	struct dr_backup_import imp;
	char *path = dr_backup_recipe_path(scope), want[1024], name[300], *big, *yaml;
	size_t n;

	ck_assert_int_eq(dr_prop_set("app5", "server", "old.example.com", &e), 0);
	memset(name, 'p', sizeof(name));
	for (int k = 0; k < 3; k++) {
		/* 0: a name of DR_PROP_NAME_MAX + 1 bytes, 1: an absent one of 256
		 * (a delete of it would fail too), 2: a value one byte over */
		size_t nlen = k == 0 ? DR_PROP_NAME_MAX + 1 : k == 1 ? 256 : 5;
		size_t vlen = k == 2 ? DR_PROP_LIMIT + 1 : 1;

		name[nlen] = '\0';
		big = malloc(vlen + 1);
		memset(big, 'v', vlen);
		big[vlen] = '\0';
		n = strlen(big) + strlen(name) + 512;
		yaml = malloc(n);
		snprintf(yaml, n,
			 "- name: registry properties\n"
			 "  tasks:\n"
			 "    - dokku_registry_property:\n"
			 "        app: app5\n"
			 "        property: server\n"
			 "        value: new.example.com\n"
			 "    - dokku_registry_property:\n"
			 "        app: app5\n"
			 "        property: %s\n"
			 "        %s: %s\n",
			 name, k == 1 ? "state" : "value", k == 1 ? "absent" : big);
		write_slice(yaml);
		ck_assert_int_ne(dr_backup_props_import("app5", scope, &imp, &e), 0);
		/* nothing was written: the first task neither */
		expect_prop("app5", "server", "old.example.com");
		if (k < 2)
			snprintf(want, sizeof(want), "%s: line 9: the property name \"%.40s...\" is %zu bytes "
				 "long, over the %d a property file may have", path, name, nlen, DR_PROP_NAME_MAX);
		else
			snprintf(want, sizeof(want), "%s: line 9: the value of ppppp is %d bytes, over the %d "
				 "bytes a property may hold (every reader stops there)", path, DR_PROP_LIMIT + 1,
				 DR_PROP_LIMIT);
		ck_assert_str_eq(e.msg, want);
		name[nlen] = 'p';
		free(big);
		free(yaml);
	}
	/* at the limits: imported, and read back whole */
	name[DR_PROP_NAME_MAX] = '\0';
	big = malloc(DR_PROP_LIMIT + 1);
	memset(big, 'v', DR_PROP_LIMIT);
	big[DR_PROP_LIMIT] = '\0';
	n = strlen(big) + 1024;
	yaml = malloc(n);
	snprintf(yaml, n,
		 "- name: registry properties\n"
		 "  tasks:\n"
		 "    - dokku_registry_property:\n"
		 "        app: app5\n"
		 "        property: %s\n"
		 "        value: %s\n",
		 name, big);
	write_slice(yaml);
	ck_assert_msg(dr_backup_props_import("app5", scope, &imp, &e) == 0, "%s", e.msg);
	expect_prop("app5", name, big);
	free(big);
	free(yaml);
	free(path);
}
END_TEST

START_TEST(test_logins_round_trip)
{
	struct dr_login_recs l = { 0 }, back = { 0 };
	struct dr_err e = { 0 };
	char *json, *user;

	ck_assert_int_eq(dr_login_recs_add(&l, "z.example.com", "zed", &e), 0);
	ck_assert_int_eq(dr_login_recs_add(&l, "a.example.com:5000", NULL, &e), 0);
	json = dr_login_recs_emit(&l);
	/* sorted by server, a user name only when known */
	ck_assert_str_eq(json, "{\n  \"logins\": [\n    {\n      \"server\": \"a.example.com:5000\"\n    },\n"
			       "    {\n      \"server\": \"z.example.com\",\n      \"username\": \"zed\"\n    }\n  ]\n}\n");
	ck_assert_int_eq(dr_login_recs_parse(json, strlen(json), "logins.json", &back, &e), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.v[1].username, "zed");
	ck_assert_ptr_null(back.v[0].username);
	dr_login_recs_free(&back);
	ck_assert_int_ne(dr_login_recs_parse("[]", 2, "logins.json", &back, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "logins.json"));
	free(json);
	dr_login_recs_free(&l);
	user = dr_basic_auth_username("Ym9iOnB3"); /* bob:pw */
	ck_assert_str_eq(user, "bob");
	free(user);
	ck_assert_ptr_null(dr_basic_auth_username("bm9jb2xvbg==")); /* nocolon */
	ck_assert_ptr_null(dr_basic_auth_username("!!!"));
}
END_TEST

Suite *backup_suite(void)
{
	Suite *s = suite_create("backup");
	TCase *tc = tcase_create("backup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_export_then_import);
	tcase_add_test(tc, test_export_nothing);
	tcase_add_test(tc, test_import_absent_and_credentials);
	tcase_add_test(tc, test_bad_slice_changes_nothing);
	tcase_add_test(tc, test_limits_checked_before_any_write);
	tcase_add_test(tc, test_logins_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
