/* Reading a recipe back (core/dokku/backup_parse.c): the reading rules,
 * the errors with their line numbers, and the size limit. Moved unchanged
 * from check_backup_recipe.c. */
#include <stdlib.h>
#include <string.h>

#include "dokku/backup.h"
#include "dokku/backup_recipe.h"
#include "unit.h"

#define TASK "dokku_registry_property"

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
	/* a "\0" escape would be cut off at the NUL by every reader */
	{ "- tasks:\n  - dokku_registry_property: {value: \"ab\\0cd\"}\n",
	  "r.yml: line 2: value holds a NUL byte, which a property cannot" },
	{ "- tasks:\n  - dokku_registry_property: {property: \"x\\0y\"}\n",
	  "r.yml: line 2: property holds a NUL byte, which a property cannot" },
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

Suite *backup_parse_suite(void)
{
	Suite *s = suite_create("backup_parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_reading_rules);
	tcase_add_loop_test(tc, parse_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, parse_limit);
	suite_add_tcase(s, tc);
	return s;
}
