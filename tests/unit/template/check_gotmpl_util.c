#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template/gotmpl.h"
#include "unit.h"

/* Direct tests of gotmpl_util.c: the arena and its bound, gt_die's unwind,
 * growable strings, UTF-8, strconv.Quote/Unquote and Go's truth; plus the
 * output bound at its exact edge through gt_render. */

START_TEST(test_arena)
{
	struct gt_ctx c = { 0 };
	char *a, *b, *d;

	if (setjmp(c.jb))
		ck_abort_msg("arena died: %s", c.err);
	a = gt_alloc(&c, 1);
	b = gt_alloc(&c, 3);
	ck_assert_uint_eq((uintptr_t)a % _Alignof(max_align_t), 0);
	ck_assert_uint_eq((uintptr_t)b % _Alignof(max_align_t), 0);
	ck_assert_ptr_ne(a, b);
	d = gt_strndup(&c, "dokku/app", 5);
	ck_assert_str_eq(d, "dokku");
	/* a request bigger than a block gets its own block */
	memset(gt_alloc(&c, 100000), 'x', 100000);
	ck_assert_uint_ge(c.used_total, 100000 + 16384);
	gt_free_all(&c);
	ck_assert_ptr_null(c.blocks);
	ck_assert_uint_eq(c.used_total, 0);
}
END_TEST

START_TEST(test_arena_bound)
{
	struct gt_ctx c = { 0 };
	volatile int died = 0;

	if (setjmp(c.jb)) {
		died = 1;
	} else {
		gt_alloc(&c, 16);
		gt_alloc(&c, GT_MAX_ARENA);
	}
	ck_assert_int_eq(died, 1);
	ck_assert_str_eq(c.err, "template: out of memory (more than 33554432 bytes)");
	/* the block taken before the refusal is still owned by the arena */
	ck_assert_ptr_nonnull(c.blocks);
	gt_free_all(&c);
}
END_TEST

START_TEST(test_die)
{
	struct gt_ctx c = { 0 };
	volatile int reached = 0;

	if (setjmp(c.jb) == 0) {
		gt_die(&c, "template: template:%d: %s", 3, "unexpected EOF");
		reached = 1;
	}
	ck_assert_int_eq(reached, 0);
	ck_assert_str_eq(c.err, "template: template:3: unexpected EOF");
}
END_TEST

START_TEST(test_str)
{
	struct gt_ctx c = { 0 };
	struct gt_str b = { 0 };
	char big[600];

	if (setjmp(c.jb))
		ck_abort_msg("died: %s", c.err);
	gt_puts(&c, &b, "", 0);
	ck_assert_str_eq(b.s, "");
	for (int i = 0; i < 100; i++)
		gt_putc(&c, &b, (char)('a' + i % 26));
	ck_assert_uint_eq(b.len, 100);
	ck_assert_int_eq(b.s[100], '\0');
	ck_assert_int_eq(b.s[26], 'a');
	gt_printf(&c, &b, "|%d|%s", -42, "x");
	ck_assert_str_eq(b.s + 100, "|-42|x");
	/* gt_printf formats through a 512-byte buffer: longer text is cut */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	b.len = 0;
	gt_printf(&c, &b, "%s", big);
	ck_assert_uint_eq(b.len, 511);
	gt_free_all(&c);
}
END_TEST

START_TEST(test_utf8)
{
	struct gt_ctx c = { 0 };
	struct gt_str b = { 0 };
	size_t w;

	ck_assert_uint_eq(gt_utf8_decode("A", 1, &w), 'A');
	ck_assert_uint_eq(w, 1);
	ck_assert_uint_eq(gt_utf8_decode("\xc3\xa9", 2, &w), 0xE9);
	ck_assert_uint_eq(w, 2);
	ck_assert_uint_eq(gt_utf8_decode("\xe2\x82\xac", 3, &w), 0x20AC);
	ck_assert_uint_eq(w, 3);
	ck_assert_uint_eq(gt_utf8_decode("\xf0\x9f\x98\x80", 4, &w), 0x1F600);
	ck_assert_uint_eq(w, 4);
	/* Go's errors: U+FFFD of width 1 */
	ck_assert_uint_eq(gt_utf8_decode("\xc0\x80", 2, &w), 0xFFFD);
	ck_assert_uint_eq(w, 1);
	ck_assert_uint_eq(gt_utf8_decode("\xe0\x80\xaf", 3, &w), 0xFFFD); /* overlong */
	ck_assert_uint_eq(w, 1);
	ck_assert_uint_eq(gt_utf8_decode("\xed\xa0\x80", 3, &w), 0xFFFD); /* surrogate */
	ck_assert_uint_eq(w, 1);
	ck_assert_uint_eq(gt_utf8_decode("\xc3", 1, &w), 0xFFFD); /* truncated */
	ck_assert_uint_eq(w, 1);
	ck_assert_uint_eq(gt_utf8_decode("\xf5\x80\x80\x80", 4, &w), 0xFFFD);
	ck_assert_uint_eq(gt_utf8_decode("", 0, &w), 0xFFFD);

	if (setjmp(c.jb))
		ck_abort_msg("died: %s", c.err);
	gt_utf8_put(&c, &b, 0xE9);
	gt_utf8_put(&c, &b, 0x1F600);
	gt_utf8_put(&c, &b, 0xD800); /* not encodable: U+FFFD as Go writes it */
	ck_assert_str_eq(b.s, "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
	ck_assert_int_eq(gt_is_letter('a'), 1);
	ck_assert_int_eq(gt_is_letter(0xC4), 1);
	ck_assert_int_eq(gt_is_letter(0xD7), 0);
	ck_assert_int_eq(gt_is_letter('_'), 0);
	ck_assert_int_eq(gt_is_print(' '), 1);
	ck_assert_int_eq(gt_is_print(0x7F), 0);
	ck_assert_int_eq(gt_is_print(0xA0), 0);
	ck_assert_int_eq(gt_is_print(0xE9), 1);
	gt_free_all(&c);
}
END_TEST

START_TEST(test_quote)
{
	struct gt_ctx c = { 0 };
	struct gt_str b = { 0 };
	const char in[] = "a\"\\\n\x01\xc3\xa9\xff\x7f\xf0\x9f\x98\x80";

	if (setjmp(c.jb))
		ck_abort_msg("died: %s", c.err);
	gt_quote(&c, &b, in, sizeof(in) - 1, -1, 0);
	ck_assert_str_eq(b.s, "\"a\\\"\\\\\\n\\x01\xc3\xa9\\xff\\x7f\xf0\x9f\x98\x80\"");
	b.len = 0;
	gt_quote(&c, &b, in, sizeof(in) - 1, -1, 1); /* %+q: ASCII only */
	ck_assert_str_eq(b.s, "\"a\\\"\\\\\\n\\x01\\u00e9\\xff\\x7f\\U0001f600\"");
	b.len = 0;
	gt_quote(&c, &b, "abc", 3, 2, 0); /* %.2q */
	ck_assert_str_eq(b.s, "\"ab\"");
	gt_free_all(&c);
}
END_TEST

START_TEST(test_unquote)
{
	struct gt_ctx c = { 0 };
	char *out;
	size_t len;
	uint32_t r = 0;

	if (setjmp(c.jb))
		ck_abort_msg("died: %s", c.err);
	ck_assert_int_eq(gt_unquote(&c, "\"a\\tb\\x41\\101\\u00e9\"", 20, &out, &len, NULL), 0);
	ck_assert_str_eq(out, "a\tbAA\xc3\xa9");
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(gt_unquote(&c, "\"\\xff\"", 6, &out, &len, NULL), 0); /* a byte in "…" stays a byte */
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq((unsigned char)out[0], 0xFF);
	ck_assert_int_eq(gt_unquote(&c, "`a\r\\n`", 6, &out, &len, NULL), 0); /* raw: \r dropped */
	ck_assert_str_eq(out, "a\\n");
	ck_assert_int_eq(gt_unquote(&c, "'\xc3\xa9'", 4, &out, &len, &r), 0);
	ck_assert_uint_eq(r, 0xE9);
	ck_assert_int_eq(gt_unquote(&c, "'\\''", 4, &out, &len, &r), 0);
	ck_assert_uint_eq(r, '\'');
	/* strconv's refusals */
	ck_assert_int_eq(gt_unquote(&c, "'ab'", 4, &out, &len, &r), -1);
	ck_assert_int_eq(gt_unquote(&c, "''", 2, &out, &len, &r), -1);
	ck_assert_int_eq(gt_unquote(&c, "\"\\q\"", 4, &out, &len, NULL), -1);
	ck_assert_int_eq(gt_unquote(&c, "\"a\nb\"", 5, &out, &len, NULL), -1);
	ck_assert_int_eq(gt_unquote(&c, "\"ab'", 4, &out, &len, NULL), -1);
	ck_assert_int_eq(gt_unquote(&c, "`a`b`", 5, &out, &len, NULL), -1);
	ck_assert_int_eq(gt_unquote(&c, "\"", 1, &out, &len, NULL), -1);
	ck_assert_int_eq(gt_unquote(&c, "xax", 3, &out, &len, NULL), -1);
	gt_free_all(&c);
}
END_TEST

START_TEST(test_truth)
{
	struct gt_val v;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(gt_truth(&v), 0); /* V_INVALID: nil */
	v.k = V_MISSING;
	ck_assert_int_eq(gt_truth(&v), 0);
	v.k = V_BOOL;
	ck_assert_int_eq(gt_truth(&v), 0);
	v.b = 1;
	ck_assert_int_eq(gt_truth(&v), 1);
	v.k = V_INT;
	ck_assert_int_eq(gt_truth(&v), 0);
	v.i = -1;
	ck_assert_int_eq(gt_truth(&v), 1);
	v.k = V_UINT8;
	ck_assert_int_eq(gt_truth(&v), 0);
	v.u = 1;
	ck_assert_int_eq(gt_truth(&v), 1);
	v.k = V_COMPLEX;
	ck_assert_int_eq(gt_truth(&v), 0);
	v.im = 1;
	ck_assert_int_eq(gt_truth(&v), 1);
	v.k = V_FLOAT;
	ck_assert_int_eq(gt_truth(&v), 0);
	v.f = 0.5;
	ck_assert_int_eq(gt_truth(&v), 1);
	v.k = V_STRING;
	v.s = "";
	ck_assert_int_eq(gt_truth(&v), 0);
	v.slen = 1;
	ck_assert_int_eq(gt_truth(&v), 1);
	memset(&v, 0, sizeof(v));
	v.k = V_STRUCT;
	ck_assert_int_eq(gt_truth(&v), 1);
}
END_TEST

/* The output bound at its edge: GT_MAX_OUTPUT bytes render, one more fails. */
START_TEST(test_output_bound)
{
	struct gt_result r;
	const char *fits = "{{range 8192}}12345678{{end}}";
	const char *over = "{{range 8192}}12345678{{end}}x";

	ck_assert_int_eq(gt_render(fits, strlen(fits), "a", &r), 0);
	ck_assert_uint_eq(strlen(r.out), GT_MAX_OUTPUT);
	ck_assert_uint_eq(r.out_len, GT_MAX_OUTPUT);
	free(r.out);
	ck_assert_int_ne(gt_render(over, strlen(over), "a", &r), 0);
	ck_assert_ptr_null(r.out);
	ck_assert_int_eq(r.is_parse, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "output longer than 65536 bytes"));
}
END_TEST

Suite *gotmpl_util_suite(void)
{
	Suite *s = suite_create("gotmpl_util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, test_arena);
	tcase_add_test(tc, test_arena_bound);
	tcase_add_test(tc, test_die);
	tcase_add_test(tc, test_str);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_unquote);
	tcase_add_test(tc, test_truth);
	tcase_add_test(tc, test_output_bound);
	suite_add_tcase(s, tc);
	return s;
}
