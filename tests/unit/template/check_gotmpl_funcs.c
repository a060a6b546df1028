#include "vectors.h"

/* Vectors for gotmpl_funcs.c: the built-in functions: and/or/not, comparisons, len/index/slice,
 * html/js/urlquery, call. From Go's documented behaviour (pkg.go.dev text/template and fmt, and
 * the facts in Go's exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* and, or, not */
	{ "{{and 1 0 2}}", "0", NULL },
	{ "{{and 1 2 3}}", "3", NULL },
	{ "{{or 0 \"\" \"x\" 4}}", "x", NULL },
	{ "{{or 0 \"\"}}", "", NULL },
	{ "{{and .AppName \"b\"}}", "b", NULL },
	{ "{{or .AppName .Foo}}", "my-app", NULL },
	{ "{{and false .Foo}}", "false", NULL },
	{ "{{not 0}} {{not .AppName}} {{not \"\"}}", "true false true", NULL },
	{ "{{not nil}}", "true", NULL },
	{ "{{and nil 1}}", "<no value>", NULL },
	{ "{{and}}", NULL, "template: template:1:2: executing \"template\" at <and>: wrong number of args for and: want at least 1 got 0" },
	{ "{{not 1 2}}", NULL, "template: template:1:2: executing \"template\" at <not>: wrong number of args for not: want 1 got 2" },
	{ "{{1 | not}}", "false", NULL },
	/* comparisons */
	{ "{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}} {{eq true true}} {{eq 1.5 1.5}}", "true false true true true", NULL },
	{ "{{eq .AppName \"x\" \"y\" \"my-app\"}}", "true", NULL },
	{ "{{ne 1 2}} {{ne \"a\" \"a\"}}", "true false", NULL },
	{ "{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 3}}", "true true false false", NULL },
	{ "{{lt \"a\" \"b\"}} {{gt \"b\" \"ab\"}} {{lt 1.5 2.5}}", "true true true", NULL },
	{ "{{eq nil nil}} {{eq .AppName nil}}", "true false", NULL },
	{ "{{eq (index .AppName 0) 109}}", "true", NULL },
	{ "{{lt (index .AppName 0) 110}}", "true", NULL },
	{ "{{eq 1 \"a\"}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison: int and string" },
	{ "{{eq 1.0 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq 1.0 1>: error calling eq: incompatible types for comparison: float64 and int" },
	{ "{{lt true false}}", NULL,
	  "template: template:1:2: executing \"template\" at <lt true false>: error calling lt: invalid type for comparison" },
	{ "{{lt 1i 2i}}", NULL,
	  "template: template:1:2: executing \"template\" at <lt 1i 2i>: error calling lt: invalid type for comparison" },
	{ "{{lt nil 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <lt nil 1>: error calling lt: invalid type for comparison" },
	{ "{{eq 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq 1>: error calling eq: missing argument for comparison" },
	{ "{{eq . .}}", "true", NULL },
	{ "{{eq . \"x\"}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq . \"x\">: error calling eq: incompatible types for comparison: registry.templateData and string" },
	{ "{{ne 1}}", NULL, "template: template:1:2: executing \"template\" at <ne>: wrong number of args for ne: want 2 got 1" },
	/* len, index, slice */
	{ "{{len .AppName}} {{len \"\"}} {{len \"é\"}}", "6 0 2", NULL },
	{ "{{len 3}}", NULL, "template: template:1:2: executing \"template\" at <len 3>: error calling len: len of type int" },
	{ "{{len .}}", NULL,
	  "template: template:1:2: executing \"template\" at <len .>: error calling len: len of type registry.templateData" },
	{ "{{index .AppName 0}} {{index .AppName 5}}", "109 112", NULL },
	{ "{{printf \"%c\" (index .AppName 1)}}", "y", NULL },
	{ "{{index .AppName}}", "my-app", NULL },
	{ "{{index .AppName 6}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName 6>: error calling index: reflect: string index out of range" },
	{ "{{index .AppName 7}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName 7>: error calling index: index out of range: 7" },
	{ "{{index .AppName -1}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName -1>: error calling index: index out of range: -1" },
	{ "{{index .AppName \"a\"}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName \"a\">: error calling index: cannot index slice/array with type string" },
	{ "{{index .AppName 0 0}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName 0 0>: error calling index: can't index item of type uint8" },
	{ "{{index . 0}}", NULL,
	  "template: template:1:2: executing \"template\" at <index . 0>: error calling index: can't index item of type registry.templateData" },
	{ "{{index nil 0}}", NULL,
	  "template: template:1:2: executing \"template\" at <index nil 0>: error calling index: index of untyped nil" },
	{ "{{slice .AppName 3}} {{slice .AppName 0 2}} {{slice .AppName}} {{slice .AppName 6}}", "app my my-app ", NULL },
	{ "{{slice .AppName 4 2}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice .AppName 4 2>: error calling slice: invalid slice index: 4 > 2" },
	{ "{{slice .AppName 0 7}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice .AppName 0 7>: error calling slice: index out of range: 7" },
	{ "{{slice .AppName 0 1 2}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice .AppName 0 1 2>: error calling slice: cannot 3-index slice a string" },
	{ "{{slice 3}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice 3>: error calling slice: can't slice item of type int" },
	/* html, js, urlquery */
	{ "{{html \"<a href='x'>&\\\"\"}}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;", NULL },
	{ "{{html 1 2}} {{html \"a\" \"b\"}} {{html nil}}", "1 2 ab &lt;no value&gt;", NULL },
	{ "{{js \"a'b\\\"c<d>e&f=g\\\\h\\n\"}}", "a\\'b\\\"c\\u003Cd\\u003Ee\\u0026f\\u003Dg\\\\h\\u000A", NULL },
	{ "{{js \"é\"}}", "é", NULL },
	{ "{{urlquery \"a b&c=d/é~\"}}", "a+b%26c%3Dd%2F%C3%A9~", NULL },
	{ "{{.AppName | urlquery}}", "my-app", NULL },
	/* call */
	{ "{{call .AppName}}", NULL,
	  "template: template:1:2: executing \"template\" at <call .AppName>: error calling call: non-function .AppName of type string" },
	{ "{{call nil}}", NULL, "template: template:1:2: executing \"template\" at <call nil>: error calling call: call of nil" },
	{ "{{call 1 2}}", NULL, "template: template:1:2: executing \"template\" at <call 1 2>: error calling call: non-function 1 of type int" },
	{ "{{call}}", NULL, "template: template:1:2: executing \"template\" at <call>: wrong number of args for call: want at least 1 got 0" },
	/* more lexer and parser corners */
	{ "{{len}}", NULL, "template: template:1:2: executing \"template\" at <len>: wrong number of args for len: want 1 got 0" },
	{ "{{print len}}", NULL, "template: template:1:8: executing \"template\" at <len>: wrong number of args for len: want 1 got 0" },
	{ "{{len.AppName}}", NULL, "template: template:1:2: executing \"template\" at <len>: wrong number of args for len: want 1 got 0" },
	{ "{{.AppName | call}}", NULL,
	  "template: template:1:13: executing \"template\" at <call>: error calling call: non-function my-app of type string" },
	{ "{{range (index .AppName 0 | len)}}{{end}}", NULL,
	  "template: template:1:28: executing \"template\" at <len>: error calling len: len of type uint8" },
	{ "{{ne 1 1.0}}", NULL,
	  "template: template:1:2: executing \"template\" at <ne 1 1.0>: error calling ne: incompatible types for comparison: int and float64" },
	{ "{{ge 2 (index \"a\" 0)}}", "false", NULL },
	{ "{{html .}}", "{my-app}", NULL },
	{ "{{js \"\\x01\"}}", "\\u0001", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_funcs_suite(void)
{
	Suite *s = suite_create("gotmpl_funcs");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
