/* The recipe slice against go-yaml v3's bytes. The expected texts are
 * what Dokku's BackupWriteRecipe (yaml.Marshal of []BackupPlay) writes:
 * indent 4 with go-yaml's "- " rule (keys just inside a dash at +2, the
 * rest at the next multiple of 4), no document marker, no line folding,
 * and strings double quoted when they would read back as another type. */
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "backup_recipe.h"
#include "unit.h"

#define PLAY "registry properties"
#define TASK "dokku_registry_property"

static char *emit(const struct dr_recipe *r)
{
	struct dr_err e = { 0 };
	char *out = NULL;
	size_t len = 0;

	ck_assert_msg(dr_recipe_emit(r, PLAY, TASK, &out, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

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

/* value -> how go-yaml v3 writes it after "value: " */
static const struct {
	const char *in;
	const char *out;
} scalars[] = {
	{ "ghcr.io", "ghcr.io" },
	{ "dokku/{{ .AppName }}", "dokku/{{ .AppName }}" },
	{ "{{ .AppName }}", "'{{ .AppName }}'" },
	{ "latest,stable", "latest,stable" },
	{ "org/app:tag", "org/app:tag" },
	{ "a: b", "'a: b'" },
	{ "a #b", "'a #b'" },
	{ " lead", "' lead'" },
	{ "trail ", "'trail '" },
	{ "- x", "'- x'" },
	{ "it's", "it's" },
	{ "'q'", "'''q'''" },
	{ "*star", "'*star'" },
	{ "héllo wörld", "héllo wörld" },
	/* would read back as something else: double quoted */
	{ "true", "\"true\"" },
	{ "False", "\"False\"" },
	{ "null", "\"null\"" },
	{ "~", "\"~\"" },
	{ "yes", "\"yes\"" },
	{ "off", "\"off\"" },
	{ "Y", "\"Y\"" },
	{ "7", "\"7\"" },
	{ "-3", "\"-3\"" },
	{ "+3", "\"+3\"" },
	{ "007", "\"007\"" },
	{ "089", "\"089\"" },
	{ "0x1F", "\"0x1F\"" },
	{ "0o17", "\"0o17\"" },
	{ "0b101", "\"0b101\"" },
	{ "1_000", "\"1_000\"" },
	{ "1.5", "\"1.5\"" },
	{ "1e3", "\"1e3\"" },
	{ ".5", "\".5\"" },
	{ ".inf", "\".inf\"" },
	{ "-.Inf", "\"-.Inf\"" },
	{ ".NaN", "\".NaN\"" },
	{ "1:20", "\"1:20\"" },
	{ "190:20:30.15", "\"190:20:30.15\"" },
	{ "2024-01-02", "\"2024-01-02\"" },
	{ "2024-1-2", "\"2024-1-2\"" },
	{ "2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\"" },
	{ "2001-12-14 21:59:43.10", "\"2001-12-14 21:59:43.10\"" },
	{ "18446744073709551615", "\"18446744073709551615\"" },
	{ "99999999999999999999", "\"99999999999999999999\"" },
	/* strings all the same */
	{ "1e400", "1e400" },
	{ "0xFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFF" },
	{ "2024-13-01", "2024-13-01" },
	{ "2023-02-29", "2023-02-29" },
	{ "1.2.3", "1.2.3" },
	{ "v1", "v1" },
	{ "-", "'-'" },
	{ ".", "." },
	{ "yesno", "yesno" },
	{ "0x", "0x" },
	{ "1:60", "1:60" },
	{ "<<", "<<" },
	/* newlines: literal blocks at column 12, with go-yaml's hints */
	{ "a\nb", "|-\n            a\n            b" },
	{ "a\n", "|\n            a" },
	{ "a\n\nb", "|-\n            a\n\n            b" },
	{ " a\nb", "|4-\n             a\n            b" },
	{ "a \nb", "\"a \\nb\"" },
	/* not UTF-8: base64 under !!binary */
	{ "\xff\xfe", "!!binary //4=" },
	/* control characters are escaped */
	{ "a\tb", "\"a\\tb\"" },
	{ "bell\a", "\"bell\\a\"" },
};

START_TEST(scalar_styles)
{
	struct dr_err e = { 0 };
	char *out = NULL;

	ck_assert_msg(dr_yaml_scalar(scalars[_i].in, 8, &out, &e) == 0, "%s", e.msg);
	ck_assert_msg(strcmp(out, scalars[_i].out) == 0, "%s: got [%s], want [%s]", scalars[_i].in,
		      out, scalars[_i].out);
	free(out);
}
END_TEST

/* every scalar vector survives emit -> parse unchanged */
START_TEST(round_trip)
{
	struct dr_recipe r = { 0 }, back = { 0 };
	struct dr_err e = { 0 };
	size_t n = sizeof(scalars) / sizeof(scalars[0]);
	char *out;

	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(dr_recipe_add(&r, "app1", 0, "p", scalars[i].in, NULL, &e), 0);
	ck_assert_int_eq(dr_recipe_add(&r, "app1", 0, "keep", "x\n\n", NULL, &e), 0);
	out = emit(&r);
	/* a "|+" block leaves the document open: go-yaml ends it with "..." */
	ck_assert_msg(strlen(out) > 4 && strcmp(out + strlen(out) - 4, "...\n") == 0, "%s", out);
	ck_assert_msg(dr_recipe_parse(out, strlen(out), "r.yml", TASK, &back, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(back.n, n + 1);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(back.tasks[i].value, scalars[i].in);
		ck_assert_str_eq(back.tasks[i].app, "app1");
	}
	ck_assert_str_eq(back.tasks[n].value, "x\n\n");
	free(out);
	dr_recipe_free(&r);
	dr_recipe_free(&back);
}
END_TEST

START_TEST(parse_reading_rules)
{
	static const char doc[] =
		"# a comment\n"
		"---\n"
		"- name: registry properties\n"
		"  other: [ignored, {deep: [1, 2]}]\n"
		"  tasks:\n"
		"  - dokku_registry_property: {global: yes, property: server, value: 5000}\n"
		"  - dokku_registry_property:\n"
		"      property: a\n"
		"      value: null\n"
		"      unknown: key\n"
		"  - dokku_registry_property:\n"
		"      property: b\n"
		"      value: 'null'\n"
		"      state: absent\n"
		"  - dokku_registry_property:\n"
		"      value: no property\n"
		"  - dokku_registry_property:\n"
		"  - ~\n"
		"- tasks:\n"
		"- ~\n"
		"...\n"
		"--- second document is not read\n";
	struct dr_recipe r = { 0 };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_recipe_parse(doc, strlen(doc), "r.yml", TASK, &r, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_int_eq(r.tasks[0].global, 1);
	ck_assert_str_eq(r.tasks[0].property, "server");
	ck_assert_str_eq(r.tasks[0].value, "5000");
	ck_assert_uint_eq(r.tasks[0].line, 6);
	ck_assert_str_eq(r.tasks[1].value, "");
	ck_assert_str_eq(r.tasks[2].value, "null");
	ck_assert_str_eq(r.tasks[2].state, "absent");
	ck_assert_str_eq(r.tasks[3].property, "");
	dr_recipe_free(&r);
	/* empty input and a null document: no tasks, no error */
	ck_assert_int_eq(dr_recipe_parse("", 0, "r.yml", TASK, &r, &e), 0);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_int_eq(dr_recipe_parse("~\n", 2, "r.yml", TASK, &r, &e), 0);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

static const struct {
	const char *doc;
	const char *msg;
} bad[] = {
	{ "tasks: []\n", "r.yml: line 1: a recipe must be a list of plays" },
	{ "- 5\n", "r.yml: line 1: a play must be a mapping" },
	{ "- tasks: x\n", "r.yml: line 1: tasks must be a list" },
	{ "- tasks: [x]\n", "r.yml: line 1: a task must be a mapping" },
	{ "- tasks:\n  - other_task: {}\n",
	  "r.yml: line 2: unexpected task \"other_task\" (expected dokku_registry_property)" },
	{ "- tasks:\n  - dokku_registry_property: [1]\n",
	  "r.yml: line 2: dokku_registry_property must be a mapping" },
	{ "- tasks:\n  - dokku_registry_property: {value: {a: b}}\n",
	  "r.yml: line 2: value must be a string" },
	{ "- tasks:\n  - dokku_registry_property: {global: 2}\n",
	  "r.yml: line 2: global must be true or false, not \"2\"" },
	{ "- tasks: []\n  tasks: []\n", "r.yml: line 2: mapping key \"tasks\" already defined" },
	{ "- {tasks: &t []}\n- {tasks: *t}\n", "r.yml: line 2: aliases are not supported here" },
	{ "- tasks:\n  - dokku_registry_property: {value: !!binary '***'}\n",
	  "r.yml: line 2: value is not valid !!binary" },
	{ "- tasks:\n  - dokku_registry_property: {property: x\n",
	  "r.yml: line 3: did not find expected ',' or '}' (while parsing a flow mapping on line 2)" },
	{ "- tasks:\n\t- x\n",
	  "r.yml: line 2: found character that cannot start any token (while scanning for the next token on line 2)" },
};

START_TEST(parse_errors)
{
	struct dr_recipe r = { 0 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_recipe_parse(bad[_i].doc, strlen(bad[_i].doc), "r.yml", TASK, &r, &e),
			 DR_EINVAL);
	ck_assert_str_eq(e.msg, bad[_i].msg);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_ptr_null(r.tasks);
}
END_TEST

START_TEST(parse_limit)
{
	struct dr_recipe r = { 0 };
	struct dr_err e = { 0 };
	size_t n = DR_RECIPE_LIMIT + 1;
	char *big = malloc(n);

	ck_assert_ptr_nonnull(big);
	memset(big, '#', n);
	ck_assert_int_eq(dr_recipe_parse(big, n, "r.yml", TASK, &r, &e), DR_ETOOBIG);
	free(big);
}
END_TEST

START_TEST(logins_emit_parse)
{
	struct dr_login_recs l = { 0 }, back = { 0 };
	struct dr_err e = { 0 };
	char *json;

	ck_assert_int_eq(dr_login_recs_add(&l, "quay.io", NULL, &e), 0);
	ck_assert_int_eq(dr_login_recs_add(&l, "docker.io", "alice", &e), 0);
	json = dr_login_recs_emit(&l);
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
	free(json);
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
	tcase_add_loop_test(tc, scalar_styles, 0, (int)(sizeof(scalars) / sizeof(scalars[0])));
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, parse_reading_rules);
	tcase_add_loop_test(tc, parse_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, parse_limit);
	tcase_add_test(tc, logins_emit_parse);
	suite_add_tcase(s, tc);
	return s;
}
