#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "template/template.h"
#include "vectors.h"

/* The API (core/template.h): Dokku's error prefixes and the bounds we add,
 * and the examples from the issue end to end. The engine's vectors live in
 * one suite per core/template/gotmpl_*.c file (check_gotmpl_*.c). */
static const struct gt_vector vectors[] = {
	/* the examples */
	{ "team/{{ printf \"%s-web\" .AppName }}", "team/my-app-web", NULL },
	{ "{{ if eq .AppName \"x\" }}a{{ else }}b{{ end }}", "b", NULL },
	{ "{{ .AppName | len }}", "6", NULL },
	{ "registry.example.com/{{ slice .AppName 0 2 }}/{{ .AppName }}", "registry.example.com/my/my-app", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

/* Dokku's wrapping of Parse and Execute errors, and the bounds we add. */
START_TEST(test_wrapping)
{
	struct dr_err e = { 0 };
	char *out = NULL, *big;

	ck_assert_int_eq(dr_template_render("dokku/{{ APP }}", "a", &out, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to parse image-repo-template: template: template:1: function \"APP\" not defined");
	ck_assert_int_eq(dr_template_render("{{ .Foo }}", "a", &out, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to execute image-repo-template: template: template:1:3: executing \"template\" at "
				"<.Foo>: can't evaluate field Foo in type registry.templateData");
	ck_assert_int_eq(dr_template_render("t/{{ .AppName | printf \"%s-x\" }}", "a", &out, &e), 0);
	ck_assert_str_eq(out, "t/a-x");
	free(out);
	big = malloc(GT_MAX_INPUT + 2);
	memset(big, 'a', GT_MAX_INPUT + 1);
	big[GT_MAX_INPUT + 1] = '\0';
	ck_assert_int_eq(dr_template_render(big, "a", &out, &e), DR_EINVAL);
	free(big);
	ck_assert_int_eq(dr_template_render("{{range 100000}}{{range 100}}{{end}}{{end}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "execution longer than"));
	ck_assert_int_eq(dr_template_render("{{define \"r\"}}{{if 1}}{{with 1}}{{range 1}}{{template \"r\" (print (len \"a\"))}}"
					    "{{end}}{{end}}{{end}}{{end}}{{template \"r\"}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "exceeded maximum"));
	ck_assert_int_eq(dr_template_render("{{range 2000}}{{printf \"%40s\" \"x\"}}{{end}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "output longer than 65536 bytes"));
	/* a NUL byte: the output is refused whole (never cut short into another
	 * repository's name), an error text shows it as \x00 */
	ck_assert_int_eq(dr_template_render("r/{{printf \"a%cb\" 0}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(e.msg, "Unable to execute image-repo-template: the output has a NUL byte, which no image "
				"repository can hold: r/a\\x00b");
	ck_assert_int_eq(dr_template_render("{{range \"a\\x00b\"}}{{end}}", "a", &out, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to execute image-repo-template: template: template:1:8: executing \"template\" "
				"at <\"a\\x00b\">: range can't iterate over a\\x00b");
	/* a template from a backup or a property cannot redraw the terminal */
	ck_assert_int_eq(dr_template_render("{{range \"\x1b[2K\r\"}}{{end}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_null(strchr(e.msg, '\x1b'));
	ck_assert_ptr_null(strchr(e.msg, '\r'));
	ck_assert_ptr_nonnull(strstr(e.msg, "range can't iterate over \\e[2K\\r"));
}
END_TEST

Suite *template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	tcase_add_test(tc, test_wrapping);
	suite_add_tcase(s, tc);
	return s;
}
