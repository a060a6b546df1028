#include "vectors.h"

/* Vectors for gotmpl_ptok.c: the token stream and pipeline construction: pipes, parentheses,
 * commands, declarations. From Go's documented behaviour (pkg.go.dev text/template and fmt, and
 * the facts in Go's exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* pipelines and parentheses */
	{ "{{.AppName | printf \"%s-web\"}}", "my-app-web", NULL },
	{ "{{.AppName | len}}", "6", NULL },
	{ "{{.AppName | printf \"%s/%s\" \"team\"}}", "team/my-app", NULL },
	{ "{{\"a\" | printf \"%s%s\" \"b\" | printf \"[%s]\"}}", "[ba]", NULL },
	{ "{{printf \"%d\" (len .AppName)}}", "6", NULL },
	{ "{{(printf \"%s\" .AppName)}}", "my-app", NULL },
	{ "{{(.)}}", "{my-app}", NULL },
	{ "{{(.).AppName}}", "my-app", NULL },
	{ "{{(print \"x\").Foo}}", NULL,
	  "template: template:1:9: executing \"template\" at <\"x\">: can't evaluate field Foo in type string" },
	{ "{{.AppName | .AppName}}", NULL,
	  "template: template:1:13: executing \"template\" at <.AppName>: AppName has arguments but cannot be invoked as function" },
	{ "{{.AppName 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <.AppName>: AppName has arguments but cannot be invoked as function" },
	{ "{{1 | 2}}", NULL, "template: template:1: non executable command in pipeline stage 2" },
	{ "{{.AppName | \"x\"}}", NULL, "template: template:1: non executable command in pipeline stage 2" },
	{ "{{\"x\" 1}}", NULL, "template: template:1:2: executing \"template\" at <\"x\">: can't give argument to non-function \"x\"" },
	{ "{{}}", NULL, "template: template:1: missing value for command" },
	{ "{{ }}", NULL, "template: template:1: missing value for command" },
	{ "{{(1}}", NULL, "template: template:1: unclosed left paren" },
	{ "{{1)}}", NULL, "template: template:1: unexpected \")\" in command" },
	{ "{{#}}", NULL, "template: template:1: unexpected \"#\" in command" },
	{ "{{.AppName.Foo}}", NULL,
	  "template: template:1:10: executing \"template\" at <.AppName.Foo>: can't evaluate field Foo in type string" },
	{ "{{\"x\".Foo}}", NULL, "template: template:1: unexpected . after term \"\\\"x\\\"\"" },
	{ "{{..AppName}}", NULL, "template: template:1: unexpected . after term \".\"" },
	/* variables */
	{ "{{if true}}{{$x := 1}}{{end}}{{$x}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{$x}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{$x, $y := 1}}", NULL, "template: template:1: too many declarations in command" },
	/* more lexer and parser corners */
	{ "{{with 1}}{{$y := 2}}{{end}}{{$y}}", NULL, "template: template:1: undefined variable \"$y\"" },
	{ "{{range $i := 2}}{{$i}}{{end}}{{$i}}", NULL, "template: template:1: undefined variable \"$i\"" },
	{ "{{define \"t\"}}{{$x}}{{end}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{$x := 1}}{{define \"t\"}}{{$x}}{{end}}", NULL, "template: template:1: undefined variable \"$x\"" },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_ptok_suite(void)
{
	Suite *s = suite_create("gotmpl_ptok");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
