#include <string.h>

#include "text.h"
#include "unit.h"

/* input -> dr_trim result */
static const struct {
	const char *in, *out;
} trims[] = {
	{ "", "" },
	{ "x", "x" },
	{ " ", "" },
	{ " \t\n\v\f\r", "" },
	{ "  ghcr.io  ", "ghcr.io" },
	{ "\tfalse\n", "false" },
	{ "a b", "a b" },           /* inner space stays */
	{ " a \t b ", "a \t b" },
	{ "\n\nv1.2\r\n", "v1.2" },
	{ "\x80 \xff", "\x80 \xff" }, /* invalid UTF-8 is never space (no sign extension) */
	/* Go's unicode.IsSpace beyond ASCII, as TrimSpace strips it */
	{ "\xc2\xa0ghcr.io\xc2\xa0", "ghcr.io" },         /* U+00A0 no-break space */
	{ "\xc2\x85x\xc2\x85", "x" },                     /* U+0085 NEL */
	{ "\xe1\x9a\x80x", "x" },                         /* U+1680 */
	{ "\xe2\x80\x80x\xe2\x80\x8a", "x" },             /* U+2000, U+200A */
	{ "x\xe2\x80\xa8\xe2\x80\xa9", "x" },             /* U+2028, U+2029 */
	{ "\xe2\x80\xafx\xe2\x81\x9f", "x" },             /* U+202F, U+205F */
	{ "\xe3\x80\x80x\xe3\x80\x80 ", "x" },            /* U+3000 ideographic space */
	{ " \xc2\xa0 \xe3\x80\x80\t", "" },
	{ "a\xc2\xa0" "b", "a\xc2\xa0" "b" },                  /* inner: kept */
	/* look-alikes that are not space */
	{ "\xe2\x80\x8bx\xe2\x80\x8b", "\xe2\x80\x8bx\xe2\x80\x8b" }, /* U+200B zero width */
	{ "\xef\xbb\xbfx", "\xef\xbb\xbfx" },             /* BOM U+FEFF */
	{ "x\xc2", "x\xc2" },                               /* truncated sequence */
	{ "x\xa0", "x\xa0" },                               /* lone continuation byte */
	{ "\xe2\x80", "\xe2\x80" },
	{ "\xc3\xa9", "\xc3\xa9" },                         /* é */
};

START_TEST(test_trim)
{
	char buf[64];
	char *r;

	ck_assert_uint_lt(strlen(trims[_i].in), sizeof(buf));
	strcpy(buf, trims[_i].in);
	r = dr_trim(buf);
	ck_assert_ptr_eq(r, buf); /* in place, returns its argument */
	ck_assert_str_eq(buf, trims[_i].out);
}
END_TEST

/* the bytes after the new end are not touched beyond the terminator */
START_TEST(test_trim_in_place)
{
	char buf[] = "  abc  Z";

	buf[7] = '\0'; /* "  abc  " */
	dr_trim(buf);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(buf[3], '\0');
	ck_assert_int_eq(buf[7], '\0');
}
END_TEST

START_TEST(test_trim_long)
{
	static char buf[70000];

	memset(buf, ' ', sizeof(buf) - 1);
	buf[35000] = 'q';
	dr_trim(buf);
	ck_assert_str_eq(buf, "q");
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("trim");

	tcase_add_loop_test(tc, test_trim, 0, (int)(sizeof(trims) / sizeof(trims[0])));
	tcase_add_test(tc, test_trim_in_place);
	tcase_add_test(tc, test_trim_long);
	suite_add_tcase(s, tc);
	return s;
}
