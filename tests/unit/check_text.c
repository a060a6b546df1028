#include <string.h>

#include "../../core/text.h"
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
	{ "\xc2\xa0x\xc2\xa0", "\xc2\xa0x\xc2\xa0" }, /* UTF-8 no-break space is not ASCII space */
	{ "\x80 \xff", "\x80 \xff" }, /* high bytes are never space (no sign extension) */
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
