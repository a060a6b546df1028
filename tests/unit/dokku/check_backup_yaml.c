/* go-yaml v3's scalar styles (core/dokku/backup_yaml.c): how Dokku's
 * yaml.Marshal writes each value after "value: ", and that every vector
 * reads back unchanged through the recipe parser. Moved unchanged from
 * check_backup_recipe.c. */
#include <stdlib.h>
#include <string.h>

#include "dokku/backup.h"
#include "dokku/backup_recipe.h"
#include "recipe_emit.h"
#include "unit.h"

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

Suite *backup_yaml_suite(void)
{
	Suite *s = suite_create("backup_yaml");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, scalar_styles, 0, (int)(sizeof(scalars) / sizeof(scalars[0])));
	tcase_add_test(tc, round_trip);
	suite_add_tcase(s, tc);
	return s;
}
