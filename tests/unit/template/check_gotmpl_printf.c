/* Vectors for gotmpl_printf.c: Sprintf's format string (flags and width from
 * '*' arguments, explicit argument indexes, %%, and the MISSING, EXTRA,
 * NOVERB, BADWIDTH and BADINDEX forms); moved unchanged from the fmt table. */
#include "vectors.h"

static const struct gt_vector vectors[] = {
	{ "{{printf \"%*d|%-*d|%.*f\" 4 1 3 2 1 3.14159}}", "   1|2  |3.1", NULL },
	{ "{{printf \"%d %d\" 1}}", "1 %!d(MISSING)", NULL },
	{ "{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)", NULL },
	{ "{{printf \"x\" \"a\" 3}}", "x%!(EXTRA string=a, int=3)", NULL },
	{ "{{printf \"%\"}}", "%!(NOVERB)", NULL },
	{ "{{printf \"100%%\"}}", "100%", NULL },
	{ "{{printf \"%*d\" \"x\" 1}}", "%!(BADWIDTH)1", NULL },
	{ "{{\"%s!\" | printf}}", "%!s(MISSING)!", NULL },
	{ "{{printf \"%[2]d %[1]d|%[3]*.[2]*[1]f\" 12.0 2 6}}", "2 %!d(float64=12)| 12.00", NULL },
	{ "{{printf \"%[3]*.[2]*[1]f\" 12.0 2 6}}", " 12.00", NULL },
	{ "{{printf \"%[2]d %[1]d\" 11 22}}", "22 11", NULL },
	{ "{{printf \"%*[2]d\" 7}}", "%!d(BADINDEX)", NULL },
	{ "{{printf \"%[3]d|%*[2]d|%[1]5d\" 1 2}}", "%!d(BADINDEX)|2|%!d(BADINDEX)", NULL },
	{ "{{printf \"%[1]d\" 1 2}} {{printf \"%[2]d %d\" 1 2 3}}", "1 2 3", NULL },
	{ "{{printf \"%w\" 1}} {{printf \"%d%w\" 1 2}}", "%!w(int=1) 1%!w(int=2)", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

Suite *gotmpl_printf_suite(void)
{
	Suite *s = suite_create("gotmpl_printf");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	suite_add_tcase(s, tc);
	return s;
}
