#include "vectors.h"

/* Vectors for gotmpl_num.c: number literals (parse.newNumber, strconv syntax and overflow) and
 * float formatting. From Go's documented behaviour (pkg.go.dev text/template and fmt, and the
 * facts in Go's exec_test.go / parse_test.go / lex_test.go). */
static const struct gt_vector vectors[] = {
	/* literals */
	{ "{{1}} {{-7}} {{+4}}", "1 -7 4", NULL },
	{ "{{0x1F}} {{0o17}} {{0b101}} {{017}} {{1_000}}", "31 15 5 15 1000", NULL },
	{ "{{1.5}} {{1.0}} {{1e3}} {{.5}}", "1.5 1 1000 0.5", NULL },
	{ "{{1e6}} {{123456.0}} {{0.0001}} {{0.00001}}", "1e+06 123456 0.0001 1e-05", NULL },
	{ "{{0x1p4}} {{0x10}}", "16 16", NULL },
	{ "{{1i}} {{1+2i}} {{1.5-0.5i}}", "(0+1i) (1+2i) (1.5-0.5i)", NULL },
	{ "{{18446744073709551615}}", NULL,
	  "template: template:1:2: executing \"template\" at <18446744073709551615>: 18446744073709551615 overflows int" },
	{ "{{99999999999999999999}}", NULL, "template: template:1: integer overflow: \"99999999999999999999\"" },
	{ "{{08}}", NULL, "template: template:1: integer overflow: \"08\"" },
	{ "{{1__0}}", NULL, "template: template:1: illegal number syntax: \"1__0\"" },
	{ "{{3k}}", NULL, "template: template:1: bad number syntax: \"3k\"" },
	/* float formatting (strconv.FormatFloat) through printf */
	{ "{{printf \"%f|%.2f|%8.3f|%-8.1f|%e|%E|%g|%G\" 3.14159 3.14159 3.14159 2.5 1234.5678 0.00012 1e21 1e-7}}",
	  "3.141590|3.14|   3.142|2.5     |1.234568e+03|1.200000E-04|1e+21|1E-07", NULL },
	{ "{{printf \"%6.2v|%v|%v\" 3.14159 100000.0 1000000.0}}", "   3.1|100000|1e+06", NULL },
	{ "{{printf \"%#g|%#.3g|%#e|%#.0f|%#g\" 1.0 1.0 1.0 3.0 0.0}}", "1.00000|1.00|1.000000e+00|3.|0.00000", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_num_suite(void)
{
	Suite *s = suite_create("gotmpl_num");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
