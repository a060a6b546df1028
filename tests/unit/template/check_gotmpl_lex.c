#include "vectors.h"

/* Vectors for gotmpl_lex.c: the lexer: text, comments, trim markers, string/char/bool literals and
 * its error texts. From Go's documented behaviour (pkg.go.dev text/template and fmt, and the facts
 * in Go's exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* comments and trim markers */
	{ "a{{/* c */}}b", "ab", NULL },
	{ "a {{- /* c */ -}} b", "ab", NULL },
	{ "a  {{- .AppName -}}  b", "amy-appb", NULL },
	{ "a \n\t{{- .AppName}}", "amy-app", NULL },
	{ "{{.AppName -}}\n x", "my-appx", NULL },
	{ "{{-3}}", "-3", NULL },
	{ "{{- 3 -}}", "3", NULL },
	{ "x {{/* a\nb */}} y", "x  y", NULL },
	{ "{{/* c */ }}", NULL, "template: template:1: comment ends before closing delimiter" },
	{ "{{/* c", NULL, "template: template:1: unclosed comment" },
	/* literals */
	{ "{{\"s\\tq\\u00e9\\x41\\101\"}}", "s\tqéAA", NULL },
	{ "{{`raw\\n`}}", "raw\\n", NULL },
	{ "{{'a'}}", "97", NULL },
	{ "{{'\\n'}}", "10", NULL },
	{ "{{'é'}}", "233", NULL },
	{ "{{true}} {{false}}", "true false", NULL },
	{ "{{\"\\q\"}}", NULL, "template: template:1: invalid syntax" },
	{ "{{\"abc}}", NULL, "template: template:1: unterminated quoted string" },
	{ "{{`abc}}", NULL, "template: template:1: unterminated raw quoted string" },
	{ "{{'a}}", NULL, "template: template:1: unterminated character constant" },
	{ "{{'ab'}}", NULL, "template: template:1: malformed character constant: 'ab'" },
	{ "{{''}}", NULL, "template: template:1: invalid syntax" },
	{ "{{'\\x41'}} {{'\\377'}} {{'\\u00e9'}} {{'\\''}}", "65 255 233 39", NULL },
	{ "{{'\\\"'}}", NULL, "template: template:1: invalid syntax" },
	{ "{{nil}}", NULL, "template: template:1:2: executing \"template\" at <nil>: nil is not a command" },
	/* pipelines and parentheses */
	{ "{{.AppName", NULL, "template: template:1: unclosed action" },
	{ "{{.AppName\n", NULL, "template: template:2: unclosed action started at template:1" },
	{ "{{.AppName}x}}", NULL, "template: template:1: bad character U+007D '}'" },
	{ "{{.App-Name}}", NULL, "template: template:1: bad character U+002D '-'" },
	{ "{{\x01}}", NULL, "template: template:1: unrecognized character in action: U+0001" },
	/* more lexer and parser corners */
	{ "{{-}}", NULL, "template: template:1: illegal number syntax: \"-\"" },
	{ "{{ .AppName }}\t{{- /* tab before the trim marker */}}", "my-app", NULL },
	{ "{{ .AppName\t-}}  x", "my-appx", NULL },
	{ "{{ .AppName -}}", "my-app", NULL },
	{ "{{if true}}\n{{/* x", NULL, "template: template:2: unclosed comment in action started at template:1" },
	{ "{{block \"b\" .}}\n{{/* x", NULL, "template: template:2: unclosed comment" },
	{ "{{with 1}}\n{{.AppName\n", NULL, "template: template:3: unclosed action started at template:2" },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_lex_suite(void)
{
	Suite *s = suite_create("gotmpl_lex");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
