#include "vectors.h"

/* Vectors for gotmpl_fmt.c: fmt: print, println, printf verbs, flags, width, precision, argument
 * indexes, %!verb forms. From Go's documented behaviour (pkg.go.dev text/template and fmt, and the
 * facts in Go's exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* print, println, printf */
	{ "{{print \"a\" \"b\"}} {{print 1 2}} {{print \"a\" 1 2 \"b\"}}", "ab 1 2 a1 2b", NULL },
	{ "{{println \"a\" 1}}", "a 1\n", NULL },
	{ "{{print nil}} {{print}}", "<nil> ", NULL },
	{ "{{print .}} {{print true 1.5}}", "{my-app} true 1.5", NULL },
	{ "{{printf \"%s|%v|%q\" .AppName .AppName .AppName}}", "my-app|my-app|\"my-app\"", NULL },
	{ "{{printf \"%d|%5d|%-5d|%05d|%+d|% d\" 42 42 42 -42 42 42}}", "42|   42|42   |-0042|+42| 42", NULL },
	{ "{{printf \"%x|%X|%o|%O|%b|%#x|%#o\" 255 255 8 8 5 255 8}}", "ff|FF|10|0o10|101|0xff|010", NULL },
	{ "{{printf \"%.3d|%8.3d|%.0d\" 7 7 0}}", "007|     007|", NULL },
	{ "{{printf \"%c|%q|%U|%#U\" 65 65 65 233}}", "A|'A'|U+0041|U+00E9 'é'", NULL },
	{ "{{printf \"%t|%v\" true false}}", "true|false", NULL },
	{ "{{printf \"%v|%.3g|%+.1f|%08.3f\" 2.5 3.14159 2.0 -3.14159}}", "2.5|3.14|+2.0|-003.142", NULL },
	{ "{{printf \"%v|%.1f\" 1+2i 1.5i}}", "(1+2i)|(0.0+1.5i)", NULL },
	{ "{{printf \"%x|%X|% x|%#x\" \"hi\" \"hi\" \"hi\" \"hi\"}}", "6869|6869|68 69|0x6869", NULL },
	{ "{{printf \"%q|%+q|%#q\" \"é\\n\" \"é\" \"a\"}}", "\"é\\n\"|\"\\u00e9\"|`a`", NULL },
	{ "{{printf \"%5s|%-5s|%.2s|%5.1s|\" \"ab\" \"ab\" \"abc\" \"xyz\"}}", "   ab|ab   |ab|    x|", NULL },
	{ "{{printf \"%v|%+v|%#v|%s|%d\" . . . . .}}",
	  "{my-app}|{AppName:my-app}|registry.templateData{AppName:\"my-app\"}|{my-app}|{%!d(string=my-app)}", NULL },
	{ "{{printf \"%T %T %T %T %T %T\" 1 1.5 \"s\" true . 1i}}", "int float64 string bool registry.templateData complex128",
	  NULL },
	{ "{{printf \"%d\" \"x\"}}", "%!d(string=x)", NULL },
	{ "{{printf \"%s\" 5}}", "%!s(int=5)", NULL },
	{ "{{printf \"%z\" 1}}", "%!z(int=1)", NULL },
	{ "{{printf \"%s|%v|%d\" nil nil nil}}", "%!s(<nil>)|<nil>|%!d(<nil>)", NULL },
	{ "{{printf}}", NULL,
	  "template: template:1:2: executing \"template\" at <printf>: wrong number of args for printf: want at least 1 got 0" },
	{ "{{printf 1}}", NULL, "template: template:1:9: executing \"template\" at <1>: expected string; found 1" },
	{ "{{printf nil}}", NULL, "template: template:1:9: executing \"template\" at <nil>: cannot assign nil to string" },
	{ "{{printf .}}", NULL,
	  "template: template:1:9: executing \"template\" at <.>: wrong type for value; expected string; got registry.templateData" },
	{ "{{.AppName | printf \"%s-%s\" \"x\"}}", "x-my-app", NULL },
	/* more lexer and parser corners */
	{ "{{\"a\" | len | printf \"%d\"}}", "1", NULL },
	{ "{{printf \"%08.3f|%-08d|%+.2e\" 3.14159 5 12345.678}}", "0003.142|5       |+1.23e+04", NULL },
	{ "{{printf \"%v %v\" 0.1 -0.0}}", "0.1 -0", NULL },
	{ "{{printf \"%05s|%05q\" \"ab\" \"c\"}}", "000ab|00\"c\"", NULL },
	{ "{{printf \"%x|%X|%#b\" -255 3000 5}}", "-ff|BB8|0b101", NULL },
	{ "{{printf \"%q\" 0x1F600}}", "'\xf0\x9f\x98\x80'", NULL },
	{ "{{printf \"%q|%q\" 10 39}}", "'\\n'|'\\''", NULL },
	{ "{{printf \"%s\" (slice .AppName 1 3)}}", "y-", NULL },
	{ "{{printf \"%v\" (index .AppName 0)}}", "109", NULL },
	{ "{{printf \"%T\" (index .AppName 0)}}", "uint8", NULL },
	{ "{{printf \"%#v|%#v|%#v\" (index \"m\" 0) 42 \"q\"}}", "0x6d|42|\"q\"", NULL },
	{ "{{printf \"%5z\" 1}}", "%!z(int=    1)", NULL },
	{ "{{printf \"%x|%X|%b\" 1.0 3.5 1.0}}", "0x1p+00|0X1.CP+01|4503599627370496p-52", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_fmt_suite(void)
{
	Suite *s = suite_create("gotmpl_fmt");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
