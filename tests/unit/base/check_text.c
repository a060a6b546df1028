#include <stdlib.h>
#include <string.h>

#include "base/text.h"
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

/* input (with its length: NULs inside) -> dr_text_safe result */
static const struct {
	const char *in;
	size_t len;
	const char *out;
} safes[] = {
#define S(lit, out) { lit, sizeof(lit) - 1, out }
	S("", ""),
	S("registry.example.com: unauthorized", "registry.example.com: unauthorized"),
	S("DOMAIN\\user", "DOMAIN\\user"),       /* a backslash stays */
	S("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xb3", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xb3"),
	/* the hostile backup's user name: redraw the line, then a command */
	S("\x1b[2K\rbob ; curl x | sh #", "\\e[2K\\rbob ; curl x | sh #"),
	S("a\nb\tc", "a\\nb\\tc"),
	S("\x01\x07\x08\x7f", "\\x01\\x07\\x08\\x7f"),
	S("a\0b", "a\\x00b"),
	/* C1 controls: CSI U+009B, NEL U+0085 */
	S("\xc2\x9b" "31m\xc2\x85", "\\u009b31m\\u0085"),
	/* bidi overrides and isolates, zero-width, separators, BOM */
	S("\xe2\x80\xae" "exe.txt", "\\u202eexe.txt"),
	S("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069"),
	S("\xe2\x80\x8b\xe2\x80\x8f\xd8\x9c", "\\u200b\\u200f\\u061c"),
	S("\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf", "\\u2028\\u2029\\ufeff"),
	/* invalid UTF-8: each byte */
	S("\xff\xfe", "\\xff\\xfe"),
	S("x\xc3", "x\\xc3"),                     /* cut short */
	S("\xc0\xaf", "\\xc0\\xaf"),               /* overlong '/' */
	S("\xed\xa0\x80", "\\xed\\xa0\\x80"),      /* a surrogate */
	S("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"), /* beyond U+10FFFF */
	S("\x80" "a", "\\x80a"),
#undef S
};

START_TEST(test_safe)
{
	char out[256];
	size_t n = dr_text_safe(safes[_i].in, safes[_i].len, out, sizeof(out));

	ck_assert_str_eq(out, safes[_i].out);
	ck_assert_uint_eq(n, strlen(out));
}
END_TEST

/* a small buffer gets whole characters and whole escapes only */
START_TEST(test_safe_truncates_at_boundaries)
{
	char out[8];

	dr_text_safe("abcd\x1b" "ef", 7, out, 6);
	ck_assert_str_eq(out, "abcd"); /* "\e" would not fit */
	dr_text_safe("abcd\xc3\xa9", 6, out, 6);
	ck_assert_str_eq(out, "abcd");
	dr_text_safe("abcd\xc3\xa9", 6, out, 7);
	ck_assert_str_eq(out, "abcd\xc3\xa9");
	ck_assert_uint_eq(dr_text_safe("x", 1, out, 1), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* the worst case fits what dr_text_safe_dup allocates */
START_TEST(test_safe_dup)
{
	char in[301], *out;

	memset(in, 0x01, 300);
	in[300] = '\0';
	out = dr_text_safe_dup(in);
	ck_assert_uint_eq(strlen(out), 1200);
	free(out);
	out = dr_text_safe_dup("\xe2\x80\xae");
	ck_assert_str_eq(out, "\\u202e");
	free(out);
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
	tc = tcase_create("safe");
	tcase_add_loop_test(tc, test_safe, 0, (int)(sizeof(safes) / sizeof(safes[0])));
	tcase_add_test(tc, test_safe_truncates_at_boundaries);
	tcase_add_test(tc, test_safe_dup);
	suite_add_tcase(s, tc);
	return s;
}
