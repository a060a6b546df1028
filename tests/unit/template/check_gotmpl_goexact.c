#include "vectors.h"

/* fmt as Go's fmt (print.go, format.go) formats for text/template's printf:
 * %w and %p are bad verbs that consume their argument, precisions and
 * widths have no cap of their own, the 0 flag pads strings with zeros (to
 * the left only), and a rune's %q has no '#' form. */
static const struct gt_vector vectors[] = {
	/* %w: Sprintf is not Errorf, the verb still takes its argument */
	{ "{{printf \"%v %w\" 1 2}}", "1 %!w(int=2)", NULL },
	{ "{{printf \"%w %v\" \"a\" 2}}", "%!w(string=a) 2", NULL },
	{ "{{printf \"%#w|%+w\" \"a\" .}}", "%!w(string=\"a\")|%!w(registry.templateData={AppName:my-app})", NULL },
	{ "{{printf \"%w\" nil}}|{{printf \"%w\"}}", "%!w(<nil>)|%!w(MISSING)", NULL },
	/* %p of the data value: no pointer, a bad verb about the whole struct */
	{ "{{printf \"%p\" .}}", "%!p(registry.templateData={my-app})", NULL },
	{ "{{printf \"%+p|%#p\" . .}}", "%!p(registry.templateData={my-app})|%!p(registry.templateData={my-app})", NULL },
	{ "{{printf \"%p|%p|%p\" 1 \"s\" true}}", "%!p(int=1)|%!p(string=s)|%!p(bool=true)", NULL },
	/* precision and zero padding past 150 digits */
	{ "{{printf \"%.151d\" 1 | len}}", "151", NULL },
	{ "{{printf \"%0200d\" -7 | len}}|{{slice (printf \"%0200d\" -7) 0 3}}", "200|-00", NULL },
	{ "{{printf \"%#.160x\" 255 | len}}", "162", NULL },
	{ "{{printf \"%.70U\" 65 | len}}", "72", NULL },
	{ "{{printf \"%.6U|%#.8U\" 65 0x263a}}", "U+000041|U+0000263A '\xe2\x98\xba'", NULL },
	/* floats: every digit of any precision (a double's value is exact) */
	{ "{{printf \"%.1200f\" 0.1 | len}}", "1202", NULL },
	{ "{{slice (printf \"%.1200f\" 0.1) 50 60}}", "1015625000", NULL },
	{ "{{printf \"%.400e\" 1.0 | len}}", "406", NULL },
	{ "{{printf \"%.70x\" 1.0 | len}}", "78", NULL },
	/* the 0 flag on strings: zeros on the left, spaces on the right */
	{ "{{printf \"|%05s|%-05s|\" \"a\" \"a\"}}", "|0000a|a    |", NULL },
	{ "{{printf \"%08q|%06x|%-6x|\" \"abc\" \"hi\" \"hi\"}}", "000\"abc\"|006869|6869  |", NULL },
	{ "{{printf \"%08v|%07.2s\" . \"abc\"}}", "{00my-app}|00000ab", NULL },
	/* a rune's %q is strconv.QuoteRune (ToASCII with +), whatever '#' says */
	{ "{{printf \"%#q|%+#q\" 92 233}}", "'\\\\'|'\\u00e9'", NULL },
	/* template names are byte strings: a NUL byte neither ends nor merges them */
	{ "{{define \"a\\x00b\"}}B{{end}}{{define \"a\\x00c\"}}C{{end}}{{template \"a\\x00c\"}}{{template \"a\\x00b\"}}", "CB",
	  NULL },
	{ "{{template \"a\\x00b\"}}", NULL,
	  "template: template:1:11: executing \"template\" at <{{template \"a\\x00b\"}}>: template \"a\\x00b\" not defined" },
	{ "{{define \"x\\x00y\"}}{{.Foo}}{{end}}{{template \"x\\x00y\" .}}", NULL,
	  "template: template:1:21: executing \"x\\x00y\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{define \"a\\x00b\"}}1{{end}}{{define \"a\\x00b\"}}2{{end}}", NULL,
	  "template: template:1: template: multiple definition of template \"a\\x00b\"" },
};

GT_VECTOR_TEST(test_vector, vectors)

static void render_bytes(const char *tmpl, size_t len, int want_rc, const char *want, size_t want_len)
{
	struct gt_result r;
	int rc = gt_render(tmpl, len, "my-app", &r);
	const char *got = rc == 0 ? r.out : r.err;
	size_t got_len = rc == 0 ? r.out_len : r.err_len;

	ck_assert_int_eq(rc, want_rc);
	ck_assert_msg(got_len == want_len && memcmp(got, want, want_len) == 0, "got %zu bytes [%s], want %zu [%s]",
		      got_len, got, want_len, want);
	free(r.out);
}

#define RENDER_BYTES(tmpl, rc, want) render_bytes(tmpl, sizeof(tmpl) - 1, rc, want, sizeof(want) - 1)

/* A NUL byte the template makes (or holds in a raw string) stays in the
 * output and in error texts, as in Go. */
START_TEST(test_nul_bytes)
{
	RENDER_BYTES("{{printf \"a%cb\" 0}}", 0, "a\0b");
	RENDER_BYTES("x\0y{{.AppName}}", 0, "x\0ymy-app");
	RENDER_BYTES("{{range \"a\\x00b\"}}{{end}}", -1,
		     "template: template:1:8: executing \"template\" at <\"a\\x00b\">: range can't iterate over a\0b");
	RENDER_BYTES("{{range `a\0b`}}{{end}}", -1,
		     "template: template:1:8: executing \"template\" at <`a\0b`>: range can't iterate over a\0b");
	RENDER_BYTES("{{\"a\\x00b\" | call}}", -1,
		     "template: template:1:13: executing \"template\" at <call>: error calling call: non-function a\0b of type string");
	RENDER_BYTES("{{if 1}}\0{{.Foo}}{{end}}", -1,
		     "template: template:1:11: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData");
}
END_TEST

Suite *gotmpl_goexact_suite(void)
{
	Suite *s = suite_create("gotmpl_goexact");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	tcase_add_test(tc, test_nul_bytes);
	suite_add_tcase(s, tc);
	return s;
}
