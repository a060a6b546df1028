/* The recipe slice against go-yaml v3's bytes. The expected texts are
 * what Dokku's BackupWriteRecipe (yaml.Marshal of []BackupPlay) writes:
 * indent 4 with go-yaml's "- " rule (keys just inside a dash at +2, the
 * rest at the next multiple of 4), no document marker, no line folding,
 * and strings double quoted when they would read back as another type. */
#include <stdlib.h>
#include <string.h>

#include "dokku/backup.h"
#include "dokku/backup_recipe.h"
#include "recipe_emit.h"
#include "unit.h"

START_TEST(emit_app_and_global)
{
	struct dr_recipe r = { 0 };
	struct dr_err e = { 0 };
	char *out;

	ck_assert_int_eq(dr_recipe_add(&r, "app1", 0, "image-repo", "", NULL, &e), 0);
	ck_assert_int_eq(dr_recipe_add(&r, "app1", 0, "push-on-release", "true", NULL, &e), 0);
	ck_assert_int_eq(dr_recipe_add(&r, "app1", 0, "server", "ghcr.io", NULL, &e), 0);
	ck_assert_int_eq(dr_recipe_add(&r, NULL, 1, "tag-version", "12", "absent", &e), 0);
	out = emit(&r);
	ck_assert_str_eq(out,
			 "- name: registry properties\n"
			 "  tasks:\n"
			 "    - dokku_registry_property:\n"
			 "        app: app1\n"
			 "        property: image-repo\n"
			 "    - dokku_registry_property:\n"
			 "        app: app1\n"
			 "        property: push-on-release\n"
			 "        value: \"true\"\n"
			 "    - dokku_registry_property:\n"
			 "        app: app1\n"
			 "        property: server\n"
			 "        value: ghcr.io\n"
			 "    - dokku_registry_property:\n"
			 "        global: true\n"
			 "        property: tag-version\n"
			 "        value: \"12\"\n"
			 "        state: absent\n");
	free(out);
	dr_recipe_free(&r);
}
END_TEST

START_TEST(logins_emit_parse)
{
	struct dr_login_recs l = { 0 }, back = { 0 };
	struct dr_err e = { 0 };
	char *emitted;
	const char *json;

	ck_assert_int_eq(dr_login_recs_add(&l, "quay.io", NULL, &e), 0);
	ck_assert_int_eq(dr_login_recs_add(&l, "docker.io", "alice", &e), 0);
	json = emitted = dr_login_recs_emit(&l);
	ck_assert_str_eq(json, "{\n"
			       "  \"logins\": [\n"
			       "    {\n"
			       "      \"server\": \"docker.io\",\n"
			       "      \"username\": \"alice\"\n"
			       "    },\n"
			       "    {\n"
			       "      \"server\": \"quay.io\"\n"
			       "    }\n"
			       "  ]\n"
			       "}\n");
	ck_assert_int_eq(dr_login_recs_parse(json, strlen(json), "l.json", &back, &e), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.v[0].server, "docker.io");
	ck_assert_str_eq(back.v[0].username, "alice");
	ck_assert_ptr_null(back.v[1].username);
	free(emitted);
	dr_login_recs_free(&back);
	/* the Hub's index URL reads as docker.io */
	json = "{\"logins\":[{\"server\":\"https://index.docker.io/v1/\"}]}";
	ck_assert_int_eq(dr_login_recs_parse(json, strlen(json), "l.json", &back, &e), 0);
	ck_assert_str_eq(back.v[0].server, "docker.io");
	dr_login_recs_free(&back);
	json = "{\"logins\":[{\"server\":\"a\",\"username\":1}]}";
	ck_assert_int_eq(dr_login_recs_parse(json, strlen(json), "l.json", &back, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "l.json: login 1 is not a server and a user name");
	json = "{\"logins\":{}}";
	ck_assert_int_eq(dr_login_recs_parse(json, strlen(json), "l.json", &back, &e), DR_EINVAL);
	json = "{\"logins\":[],\n\"logins\":[]}";
	ck_assert_int_eq(dr_login_recs_parse(json, strlen(json), "l.json", &back, &e), DR_EINVAL);
	ck_assert_msg(strncmp(e.msg, "l.json: line 2: ", 16) == 0, "%s", e.msg);
	dr_login_recs_free(&l);
}
END_TEST

Suite *backup_recipe_suite(void)
{
	Suite *s = suite_create("backup_recipe");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, emit_app_and_global);
	tcase_add_test(tc, logins_emit_parse);
	suite_add_tcase(s, tc);
	return s;
}
