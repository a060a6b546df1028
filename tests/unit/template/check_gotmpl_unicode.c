#include "vectors.h"

/* Vectors for the Unicode tables (gotmpl_unicode.c) as Go uses them:
 * identifier characters (unicode.IsLetter, unicode.IsDigit: lex.go's
 * isAlphaNumeric), printability (strconv.IsPrint) in %q, %#U and js, and
 * spaces (unicode.IsSpace) in parse.IsEmptyTree. Unicode 15.0.0, as Go
 * 1.21 and later. Expected outputs follow Go's rules from the Unicode data:
 * U+0378, U+2065, U+323B0 are unassigned; U+0600 and U+E0001 are format
 * characters (Cf); U+1EC7, U+10D0, U+0E01, U+30000 are letters (Ll, Lo);
 * U+0661 is a decimal digit (Nd); U+00A0, U+0085, U+3000 are White_Space,
 * U+200B is not. */
static const struct gt_vector vectors[] = {
	/* letters and digits of every script are identifier characters */
	{ "{{$\xe1\xbb\x87 := 1}}{{$\xe1\xbb\x87}}", "1", NULL },
	{ "{{$\xe1\x83\x90 := 2}}{{$\xe1\x83\x90}}", "2", NULL },
	{ "{{$x\xd9\xa1 := 3}}{{$x\xd9\xa1}}", "3", NULL },
	{ "{{$\xe0\xb8\x81 := 4}}{{$\xe0\xb8\x81}}", "4", NULL },
	{ "{{$\xf0\xb0\x80\x80 := 5}}{{$\xf0\xb0\x80\x80}}", "5", NULL },
	{ "{{.x\xd9\xa1}}", NULL,
	  "template: template:1:2: executing \"template\" at <.x\xd9\xa1>: can't evaluate field x\xd9\xa1 in type registry.templateData" },
	/* an unassigned code point is no letter; a digit does not start an identifier */
	{ "{{$a\xcd\xb8 := 1}}", NULL, "template: template:1: bad character U+0378" },
	{ "{{\xd9\xa1}}", NULL, "template: template:1: unrecognized character in action: U+0661 '\xd9\xa1'" },
	/* unassigned and format code points are not printable */
	{ "{{printf \"%q\" \"\\u0378\"}}", "\"\\u0378\"", NULL },
	{ "{{printf \"%q\" \"\\u0600\"}}", "\"\\u0600\"", NULL },
	{ "{{printf \"%q\" \"\\U000E0001\"}}", "\"\\U000e0001\"", NULL },
	{ "{{printf \"%q\" \"\\U000323B0\"}}", "\"\\U000323b0\"", NULL },
	{ "{{printf \"%q\" \"\\u2065\"}}", "\"\\u2065\"", NULL },
	{ "{{printf \"%q\" 0x378}}", "'\\u0378'", NULL },
	{ "{{printf \"%#U|%#U\" 0x323B0 0x378}}", "U+323B0|U+0378", NULL },
	{ "{{js \"\\u0378\\u0600\"}}", "\\u0378\\u0600", NULL },
	/* assigned in Unicode 15.0 (CJK Extension H): printable */
	{ "{{printf \"%q|%#U\" \"\\U00031350\" 0x31350}}", "\"\xf0\xb1\x8d\x90\"|U+31350 '\xf0\xb1\x8d\x90'", NULL },
	/* a text of spaces only is an empty template, which a later define may replace */
	{ "{{define \"x\"}}\xc2\xa0{{end}}{{define \"x\"}}y{{end}}{{template \"x\"}}", "y", NULL },
	{ "{{define \"x\"}}\xe3\x80\x80\n{{end}}{{define \"x\"}}y{{end}}{{template \"x\"}}", "y", NULL },
	{ "{{define \"x\"}}\xc2\x85{{end}}{{define \"x\"}}y{{end}}{{template \"x\"}}", "y", NULL },
	{ "{{define \"x\"}}\xe2\x80\x8b{{end}}{{define \"x\"}}y{{end}}", NULL,
	  "template: template:1: template: multiple definition of template \"x\"" },
};

GT_VECTOR_TEST(test_vector, vectors)

/* The lookups agree with the tables' edges (spot checks of the generated data). */
START_TEST(test_lookups)
{
	ck_assert(gt_is_letter('a') && gt_is_letter(0xAA) && !gt_is_letter(0xD7) && !gt_is_letter('1'));
	ck_assert(gt_is_letter(0x4E00) && gt_is_letter(0x9FFF) && gt_is_letter(0x323AF) && !gt_is_letter(0x323B0));
	ck_assert(!gt_is_letter(0x10FFFF) && !gt_is_letter(0x110000));
	ck_assert(gt_is_digit('0') && gt_is_digit(0x0661) && !gt_is_digit(0x00B2) && !gt_is_digit('a'));
	ck_assert(gt_is_print(' ') && !gt_is_print(0xA0) && !gt_is_print(0xAD) && !gt_is_print(0x7F));
	ck_assert(gt_is_print(0xFFFD) && !gt_is_print(0xFEFF) && !gt_is_print(0xE000) && !gt_is_print(0xD800));
	ck_assert(gt_is_space('\t') && gt_is_space(0x85) && gt_is_space(0x3000) && !gt_is_space(0x200B));
	ck_assert(!gt_is_space(0x1C));
}
END_TEST

Suite *gotmpl_unicode_suite(void)
{
	Suite *s = suite_create("gotmpl_unicode");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	tcase_add_test(tc, test_lookups);
	suite_add_tcase(s, tc);
	return s;
}
