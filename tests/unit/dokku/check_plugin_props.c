/* Other plugins' properties (core/dokku/plugin_props.c) in a scratch
 * DOKKU_LIB_ROOT: Dokku's layout, app -> --global -> default, modes, and the
 * k3s scheduler check. dr_props_base() is computed once per process, so
 * with CK_FORK=no the root may be one an earlier suite set: every path is
 * derived from it, and the real /var/lib/dokku is refused. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dokku/plugin_props.h"
#include "dokku/plugn.h"
#include "dokku/properties.h"
#include "unit.h"

static char dir[64];
static char config_root[4096]; /* .../config */

static void setup(void)
{
	char root[128], *copy;

	snprintf(dir, sizeof(dir), "/tmp/dr-unit-pprops.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(root, sizeof(root), "%s/lib", dir);
	setenv("DOKKU_LIB_ROOT", root, 1);
	copy = strdup(dr_props_base());
	ck_assert_msg(strncmp(copy, "/var/lib/dokku", 14) != 0,
		      "properties base is the real %s", copy);
	snprintf(config_root, sizeof(config_root), "%s", dirname(copy));
	free(copy);
}

static void teardown(void)
{
	char cmd[128];

	unsetenv("DOKKU_LIB_ROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *path_of(const char *plugin, const char *app, const char *prop)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s/%s/%s", config_root, plugin, app, prop), 0);
	return p;
}

static char *read_file(const char *path)
{
	char *buf = calloc(1, 4096);
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_lt(fread(buf, 1, 4095, f), 4095);
	fclose(f);
	return buf;
}

START_TEST(test_set_get_unset_in_dokkus_layout)
{
	struct dr_err e = { 0 };
	struct stat st;
	char *v, *path = path_of("scheduler-k3s", "pp-app", "namespace"), *dirpath, *raw;

	ck_assert_int_eq(dr_plugin_prop_get("scheduler-k3s", "pp-app", "namespace", &v, &e), 0);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(dr_plugin_prop_set("scheduler-k3s", "pp-app", "namespace", "team-a", &e), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	raw = read_file(path);
	ck_assert_str_eq(raw, "team-a"); /* the raw value, no newline */
	free(raw);
	dirpath = strdup(path);
	ck_assert_int_eq(stat(dirname(dirpath), &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	free(dirpath);
	ck_assert_int_eq(dr_plugin_prop_get("scheduler-k3s", "pp-app", "namespace", &v, &e), 0);
	ck_assert_str_eq(v, "team-a");
	free(v);
	ck_assert_int_eq(dr_plugin_prop_unset("scheduler-k3s", "pp-app", "namespace", &e), 0);
	ck_assert_int_ne(stat(path, &st), 0);
	/* unsetting what is not there is fine */
	ck_assert_int_eq(dr_plugin_prop_unset("scheduler-k3s", "pp-app", "namespace", &e), 0);
	free(path);
}
END_TEST

START_TEST(test_value_is_trimmed)
{
	struct dr_err e = { 0 };
	char *v;

	ck_assert_int_eq(dr_plugin_prop_set("scheduler", "trim-app", "selected", "  k3s \n", &e), 0);
	ck_assert_int_eq(dr_plugin_prop_get("scheduler", "trim-app", "selected", &v, &e), 0);
	ck_assert_str_eq(v, "k3s");
	free(v);
}
END_TEST

START_TEST(test_computed_app_global_default)
{
	struct dr_err e = { 0 };
	char *v;

	ck_assert_int_eq(dr_plugin_prop_computed("cplug", "c-app", "p", "dflt", &v, &e), 0);
	ck_assert_str_eq(v, "dflt");
	free(v);
	ck_assert_int_eq(dr_plugin_prop_computed("cplug", "c-app", "p", NULL, &v, &e), 0);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(dr_plugin_prop_set("cplug", DR_GLOBAL, "p", "global", &e), 0);
	ck_assert_int_eq(dr_plugin_prop_computed("cplug", "c-app", "p", "dflt", &v, &e), 0);
	ck_assert_str_eq(v, "global");
	free(v);
	ck_assert_int_eq(dr_plugin_prop_set("cplug", "c-app", "p", "mine", &e), 0);
	ck_assert_int_eq(dr_plugin_prop_computed("cplug", "c-app", "p", "dflt", &v, &e), 0);
	ck_assert_str_eq(v, "mine");
	free(v);
	/* an empty app value falls through, as in Dokku */
	ck_assert_int_eq(dr_plugin_prop_set("cplug", "c-app", "p", "", &e), 0);
	ck_assert_int_eq(dr_plugin_prop_computed("cplug", "c-app", "p", "dflt", &v, &e), 0);
	ck_assert_str_eq(v, "global");
	free(v);
}
END_TEST

/* write FILE (mode 0755) under the scratch dir */
static void script(const char *rel, const char *body)
{
	char path[4096], cmd[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(body, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

/* The scheduler is asked through `plugn trigger scheduler-detect`: here a
 * plugn that runs enabled/<plugin>/<trigger> in glob order and a scheduler
 * plugin that answers as Dokku's does (plugins/scheduler/triggers.go,
 * TriggerSchedulerDetect: the app's `selected`, else the global one, else
 * docker-local). */
START_TEST(test_app_on_k3s)
{
	struct dr_err e = { 0 };
	char plugins[4096], path[8192], *old_path = strdup(getenv("PATH"));
	char body[8192];

	snprintf(plugins, sizeof(plugins), "%s/plugins", dir);
	setenv("PLUGIN_PATH", plugins, 1);
	/* no Dokku: the question fails and says why */
	ck_assert_int_eq(dr_app_on_k3s("k-app", &e), -1);
	ck_assert_msg(strstr(e.msg, "no Dokku here") != NULL, "%s", e.msg);
	script("bin/plugn", "#!/bin/sh\nh=$2; shift 2\nfor p in \"$PLUGIN_PATH\"/enabled/*; do\n"
			    "  [ -x \"$p/$h\" ] && { \"$p/$h\" \"$@\" || exit $?; }\ndone\nexit 0\n");
	snprintf(body, sizeof(body),
		 "#!/bin/sh\nc='%s/scheduler'\nif [ \"$1\" != --global ] && [ -s \"$c/$1/selected\" ]; "
		 "then cat \"$c/$1/selected\"; echo; exit; fi\n"
		 "if [ -s \"$c/--global/selected\" ]; then cat \"$c/--global/selected\"; echo; exit; fi\n"
		 "echo docker-local\n", config_root);
	script("plugins/enabled/scheduler/scheduler-detect", body);
	/* 20_events' hooks only log: they do not count as an answer */
	script("plugins/enabled/20_events/user-auth-app", "#!/bin/sh\n");
	ck_assert_int_eq(dr_plugn_trigger_exists("user-auth-app"), 0);
	ck_assert_int_eq(dr_plugn_trigger_exists("scheduler-detect"), 1);
	/* Dokku is here but plugn is not on PATH */
	setenv("PATH", "/nonexistent", 1);
	ck_assert_int_eq(dr_app_on_k3s("k-app", &e), -1);
	ck_assert_msg(strstr(e.msg, "plugn is not on PATH") != NULL, "%s", e.msg);
	snprintf(path, sizeof(path), "%s/bin:%s", dir, old_path);
	setenv("PATH", path, 1);

	ck_assert_int_eq(dr_app_on_k3s("k-app", &e), 0);
	ck_assert_int_eq(dr_plugin_prop_set("scheduler", DR_GLOBAL, "selected", "k3s", &e), 0);
	ck_assert_int_eq(dr_app_on_k3s("k-app", &e), 1);
	ck_assert_int_eq(dr_plugin_prop_set("scheduler", "k-app", "selected", "docker-local", &e), 0);
	ck_assert_int_eq(dr_app_on_k3s("k-app", &e), 0);
	ck_assert_int_eq(dr_app_on_k3s("other-app", &e), 1);
	ck_assert_int_eq(dr_plugin_prop_unset("scheduler", DR_GLOBAL, "selected", &e), 0);
	ck_assert_int_eq(dr_app_on_k3s("other-app", &e), 0);
	/* a trigger that fails is an error, not "docker-local" */
	script("plugins/enabled/scheduler/scheduler-detect", "#!/bin/sh\nexit 3\n");
	ck_assert_int_eq(dr_app_on_k3s("k-app", &e), -1);
	ck_assert_msg(strstr(e.msg, "scheduler-detect trigger failed") != NULL, "%s", e.msg);
	setenv("PATH", old_path, 1);
	free(old_path);
	unsetenv("PLUGIN_PATH");
}
END_TEST

START_TEST(test_unreadable_and_oversized)
{
	struct dr_err e = { 0 };
	char *v, *path = path_of("bigplug", "b-app", "p"), *big;

	big = malloc(70 * 1024 + 1);
	memset(big, 'x', 70 * 1024);
	big[70 * 1024] = '\0';
	ck_assert_int_eq(dr_plugin_prop_set("bigplug", "b-app", "p", big, &e), 0);
	ck_assert_int_eq(dr_plugin_prop_get("bigplug", "b-app", "p", &v, &e), DR_ETOOBIG);
	ck_assert_ptr_null(v);
	ck_assert_msg(strncmp(e.msg, "cannot read ", 12) == 0 && strstr(e.msg, path), "%s", e.msg);
	free(big);
	free(path);
}
END_TEST

Suite *plugin_props_suite(void)
{
	Suite *s = suite_create("plugin_props");
	TCase *tc = tcase_create("plugin_props");

	/* checked: the cached base must not leak into the runner (later suites) */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_set_get_unset_in_dokkus_layout);
	tcase_add_test(tc, test_value_is_trimmed);
	tcase_add_test(tc, test_computed_app_global_default);
	tcase_add_test(tc, test_app_on_k3s);
	tcase_add_test(tc, test_unreadable_and_oversized);
	suite_add_tcase(s, tc);
	return s;
}
