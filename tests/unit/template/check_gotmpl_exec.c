#include "vectors.h"

/* Vectors for gotmpl_exec.c: execution: plain actions, fields, variables, if/with/range, template
 * calls. From Go's documented behaviour (pkg.go.dev text/template and fmt, and the facts in Go's
 * exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* text and plain actions */
	{ "", "", NULL },
	{ "plain/text", "plain/text", NULL },
	{ "{{.AppName}}", "my-app", NULL },
	{ "dokku/{{ .AppName }}", "dokku/my-app", NULL },
	{ "{{ .AppName }}-{{.AppName}}", "my-app-my-app", NULL },
	{ "{{.}}", "{my-app}", NULL },
	{ "{{$}}", "{my-app}", NULL },
	{ "{{$.AppName}}", "my-app", NULL },
	{ "{{\n.AppName\n}}", "my-app", NULL },
	{ "a}}b", "a}}b", NULL },
	/* fields */
	{ "{{.Foo}}", NULL,
	  "template: template:1:2: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{.appName}}", NULL,
	  "template: template:1:2: executing \"template\" at <.appName>: can't evaluate field appName in type registry.templateData" },
	{ "x\ny {{.Foo}}", NULL,
	  "template: template:2:4: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{with .AppName}}{{.AppName}}{{end}}", NULL,
	  "template: template:1:19: executing \"template\" at <.AppName>: can't evaluate field AppName in type string" },
	{ "{{template \"x\"}}{{define \"x\"}}[{{.AppName}}]{{end}}", "[<no value>]", NULL },
	{ "{{template \"x\"}}{{define \"x\"}}[{{.}}]{{end}}", "[<no value>]", NULL },
	/* variables */
	{ "{{$x := .AppName}}{{$x}}", "my-app", NULL },
	{ "{{$x := 1}}{{$x = 2}}{{$x}}", "2", NULL },
	{ "{{$x := \"a\"}}{{if true}}{{$x = \"b\"}}{{end}}{{$x}}", "b", NULL },
	{ "{{$x = 1}}", NULL, "template: template:1:7: executing \"template\" at <1>: undefined variable: $x" },
	{ "{{$x := .}}{{$x.AppName}}", "my-app", NULL },
	{ "{{$x := .AppName}}{{$x.Foo}}", NULL,
	  "template: template:1:22: executing \"template\" at <$x.Foo>: can't evaluate field Foo in type string" },
	{ "{{$x := 1}}{{$x 2}}", NULL,
	  "template: template:1:13: executing \"template\" at <$x>: can't give argument to non-function $x" },
	{ "{{$}}{{with 5}}{{$.AppName}}{{.}}{{end}}", "{my-app}my-app5", NULL },
	/* if / else if / else / with */
	{ "{{if eq .AppName \"x\"}}a{{else}}b{{end}}", "b", NULL },
	{ "{{if eq .AppName \"my-app\"}}a{{else}}b{{end}}", "a", NULL },
	{ "{{if eq .AppName \"a\"}}1{{else if eq .AppName \"my-app\"}}2{{else}}3{{end}}", "2", NULL },
	{ "{{if 0}}a{{else if \"\"}}b{{else if 0.0}}c{{else}}d{{end}}", "d", NULL },
	{ "{{if 1}}t{{end}}{{if \"x\"}}t{{end}}{{if .}}t{{end}}{{if 1i}}t{{end}}", "tttt", NULL },
	{ "{{if false}}t{{end}}{{if 0i}}t{{end}}", "", NULL },
	{ "{{with .AppName}}[{{.}}]{{end}}", "[my-app]", NULL },
	{ "{{with \"\"}}a{{else}}b{{end}}", "b", NULL },
	{ "{{with \"\"}}a{{else with 3}}{{.}}{{end}}", "3", NULL },
	{ "{{with $x := .AppName}}{{$x}}{{end}}", "my-app", NULL },
	/* range */
	{ "{{range 3}}{{.}}{{end}}", "012", NULL },
	{ "{{range $i := 3}}{{$i}},{{end}}", "0,1,2,", NULL },
	{ "{{range 0}}x{{else}}none{{end}}", "none", NULL },
	{ "{{range -2}}x{{else}}none{{end}}", "none", NULL },
	{ "{{range 5}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", "012", NULL },
	{ "{{range 5}}{{if eq . 1 3}}{{continue}}{{end}}{{.}}{{end}}", "024", NULL },
	{ "{{range $i, $e := 3}}{{end}}", NULL,
	  "template: template:1:18: executing \"template\" at <3>: can't use 3 to iterate over more than one variable" },
	{ "{{range .AppName}}{{.}}{{end}}", NULL,
	  "template: template:1:8: executing \"template\" at <.AppName>: range can't iterate over my-app" },
	{ "{{range true}}{{end}}", NULL, "template: template:1:8: executing \"template\" at <true>: range can't iterate over true" },
	{ "{{range 1.5}}{{end}}", NULL, "template: template:1:8: executing \"template\" at <1.5>: range can't iterate over 1.5" },
	{ "{{range 2}}{{$x := .}}{{$x}}{{end}}", "01", NULL },
	/* define / template / block */
	{ "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" .AppName}}", "<my-app>", NULL },
	{ "{{template \"T\" .}}{{define \"T\"}}{{.AppName}}{{end}}", "my-app", NULL },
	{ "{{block \"B\" .AppName}}[{{.}}]{{end}}", "[my-app]", NULL },
	{ "{{define \"template\"}}only{{end}}", "only", NULL },
	{ "{{define \"x\"}}{{end}}{{define \"x\"}}two{{end}}{{template \"x\"}}", "two", NULL },
	{ "{{template \"nope\"}}", NULL,
	  "template: template:1:11: executing \"template\" at <{{template \"nope\"}}>: template \"nope\" not defined" },
	{ "{{define \"T\"}}{{.Foo}}{{end}}{{template \"T\" .}}", NULL,
	  "template: template:1:16: executing \"T\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{define \"r\"}}{{template \"r\"}}{{end}}{{template \"r\"}}", NULL,
	  "template: template:1:25: executing \"r\" at <{{template \"r\"}}>: exceeded maximum template depth (100)" },
	/* more lexer and parser corners */
	{ "{{.\xc3\x84pp}}", NULL,
	  "template: template:1:2: executing \"template\" at <.\xc3\x84pp>: can't evaluate field \xc3\x84pp in type registry.templateData" },
	{ "{{$x := 1}}{{$x := 2}}{{$x}}", "2", NULL },
	{ "{{print (1) (2)}}", "1 2", NULL },
	{ "{{(nil).AppName}}", NULL, "template: template:1:3: executing \"template\" at <nil>: nil is not a command" },
	{ "{{template \"t\" 1}}{{define \"t\"}}{{$}}{{.}}{{end}}", "11", NULL },
	{ "{{range $i := (len \"ab\")}}{{$i}}{{end}}", "01", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_exec_suite(void)
{
	Suite *s = suite_create("gotmpl_exec");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
