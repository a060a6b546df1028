#include "vectors.h"

/* Vectors for gotmpl_parse.c: the parser: control structure, define/block, undefined functions,
 * error line numbers. From Go's documented behaviour (pkg.go.dev text/template and fmt, and the
 * facts in Go's exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* if / else if / else / with */
	{ "{{if}}{{end}}", NULL, "template: template:1: missing value for if" },
	{ "{{if true}}", NULL, "template: template:1: unexpected EOF" },
	{ "{{end}}", NULL, "template: template:1: unexpected {{end}}" },
	{ "{{else}}", NULL, "template: template:1: unexpected {{else}}" },
	{ "{{if true}}a{{else}}b{{else}}c{{end}}", NULL, "template: template:1: expected end; found {{else}}" },
	{ "{{if true}}{{end x}}", NULL, "template: template:1: unexpected \"x\" in end" },
	/* range */
	{ "{{break}}", NULL, "template: template:1: {{break}} outside {{range}}" },
	{ "{{continue}}", NULL, "template: template:1: {{continue}} outside {{range}}" },
	{ "{{range 2}}{{break 1}}{{end}}", NULL, "template: template:1: unexpected \"1\" in {{break}}" },
	{ "{{range $i, 3}}{{end}}", NULL, "template: template:1: range can only initialize variables" },
	/* define / template / block */
	{ "{{define \"B\"}}({{.}}){{end}}{{block \"B\" .AppName}}[{{.}}]{{end}}", NULL,
	  "template: template:1: template: multiple definition of template \"B\"" },
	{ "{{template .AppName}}", NULL, "template: template:1: unexpected \".AppName\" in template clause" },
	{ "{{define x}}{{end}}", NULL, "template: template:1: unexpected \"x\" in define clause" },
	{ "{{define \"x\"}}a{{else}}b{{end}}", NULL, "template: template:1: unexpected {{else}} in define clause" },
	{ "{{block \"b\"}}{{end}}", NULL, "template: template:1: missing value for block clause" },
	{ "{{if true}}{{define \"x\"}}{{end}}{{end}}", NULL, "template: template:1: unexpected <define> in command" },
	/* functions that do not exist */
	{ "dokku/{{ APP }}", NULL, "template: template:1: function \"APP\" not defined" },
	{ "{{ upper .AppName }}", NULL, "template: template:1: function \"upper\" not defined" },
	{ "a\n{{ b }}", NULL, "template: template:2: function \"b\" not defined" },
	/* multi-line */
	{ "{{if true}}\n{{.Foo}}{{end}}", NULL,
	  "template: template:2:2: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "line1\nline2 {{ }}", NULL, "template: template:2: missing value for command" },
	/* more lexer and parser corners */
	{ "{{if false}}{{else with 1}}{{.}}{{end}}", NULL, "template: template:1: unexpected <with> in input" },
	{ "{{range 1}}{{else if true}}{{end}}", NULL, "template: template:1: unexpected <if> in input" },
	{ "{{nil.AppName}}", NULL, "template: template:1: unexpected . after term \"nil\"" },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_parse_suite(void)
{
	Suite *s = suite_create("gotmpl_parse");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
