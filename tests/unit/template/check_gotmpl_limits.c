#include <stdio.h>

#include "vectors.h"

/* The work bounds of one execution (gotmpl.h GT_MAX_STEPS, GT_MAX_TEXT,
 * GT_MAX_SCAN): templates far inside the size limits that used to take
 * seconds of CPU (string comparisons over megabytes, huge widths, nested
 * ranges, repeated string building, long variable and template lookups)
 * now stop with the bound's name; each of these rendered (or ran out of
 * memory after seconds) before the bounds existed. */
static const struct gt_vector vectors[] = {
	/* eq and lt over 300 kB strings, 60 times: 18 MB compared */
	{ "{{$t := printf \"%300000s\" \"b\"}}{{range 60}}{{if eq $t $t}}{{end}}{{end}}", NULL,
	  "template: template:1:54: executing \"template\" at <$t>: execution compared or scanned more than 16777216 bytes of text" },
	{ "{{$t := printf \"%300000s\" \"b\"}}{{$u := printf \"%300000s\" \"c\"}}{{range 60}}{{if lt $t $u}}{{end}}{{end}}",
	  NULL,
	  "template: template:1:85: executing \"template\" at <$u>: execution compared or scanned more than 16777216 bytes of text" },
	/* huge widths */
	{ "{{range 2}}{{$x := printf \"%600000d\" 1}}{{end}}", NULL,
	  "template: template:1:37: executing \"template\" at <1>: execution built more than 1048576 bytes of text" },
	{ "{{range 2}}{{$x := printf \"%-600000q\" \"a\"}}{{end}}", NULL,
	  "template: template:1:38: executing \"template\" at <\"a\">: execution built more than 1048576 bytes of text" },
	/* nested ranges: 160,000 iterations */
	{ "{{range 400}}{{range 400}}{{end}}{{end}}", NULL,
	  "template: template:1:26: executing \"template\" at <>: execution longer than 50000 steps" },
	/* repeated string building: 2 MB by doubling, and js's sixfold escapes */
	{ "{{$s := \"aaaaaaaaaaaaaaaa\"}}{{range 17}}{{$s = print $s $s}}{{end}}{{len $s}}", NULL,
	  "template: template:1:56: executing \"template\" at <$s>: execution built more than 1048576 bytes of text" },
	{ "{{$s := \"<<<<<<<<<<<<<<<<\"}}{{range 14}}{{$s = print $s $s}}{{end}}{{len (js $s)}}", NULL,
	  "template: template:1:77: executing \"template\" at <$s>: execution built more than 1048576 bytes of text" },
	/* a 900 kB format string of flags, read 20 times */
	{ "{{$f := printf \"%%%0900000d\" 0}}{{range 20}}{{printf $f | len}}{{end}}", NULL,
	  "template: template:1:53: executing \"template\" at <$f>: execution built more than 1048576 bytes of text" },
	/* inside the bounds: large but finite work still renders */
	{ "{{len (printf \"%500000s\" \"\")}}", "500000", NULL },
	{ "{{$t := printf \"%100000s\" \"b\"}}{{range 100}}{{if ne $t $t}}x{{end}}{{end}}ok", "ok", NULL },
	{ "{{range 200}}{{range 200}}{{end}}{{end}}ok", "ok", NULL },
};

GT_VECTOR_TEST(test_vector, vectors)

static void render_fails_with(const char *tmpl, const char *want)
{
	struct gt_result r;

	ck_assert_int_ne(gt_render(tmpl, strlen(tmpl), "my-app", &r), 0);
	ck_assert_int_eq(r.is_parse, 0);
	ck_assert_msg(strstr(r.err, want) != NULL, "got %s, want %s", r.err, want);
}

/* A variable declared before 1,000 others, read 200 times: every lookup
 * passes over the 1,000 (200,000 steps). */
START_TEST(test_variable_lookups)
{
	static char t[GT_MAX_INPUT];
	size_t n = 0;

	n += (size_t)snprintf(t + n, sizeof(t) - n, "{{$a := 1}}");
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "{{$v%d := 1}}", i);
	snprintf(t + n, sizeof(t) - n, "{{range 200}}{{if $a}}{{end}}{{end}}");
	ck_assert_uint_lt(strlen(t), GT_MAX_INPUT);
	render_fails_with(t, "at <$a>: execution longer than 50000 steps");
}
END_TEST

/* A template defined before 700 others, called 200 times. */
START_TEST(test_template_lookups)
{
	static char t[GT_MAX_INPUT];
	size_t n = 0;

	n += (size_t)snprintf(t + n, sizeof(t) - n, "{{define \"a\"}}{{end}}");
	for (int i = 0; i < 700; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "{{define \"%d\"}}{{end}}", i);
	snprintf(t + n, sizeof(t) - n, "{{range 200}}{{template \"a\"}}{{end}}");
	ck_assert_uint_lt(strlen(t), GT_MAX_INPUT);
	render_fails_with(t, "at <{{template \"a\"}}>: execution longer than 50000 steps");
}
END_TEST

Suite *gotmpl_limits_suite(void)
{
	Suite *s = suite_create("gotmpl_limits");
	TCase *tc = tcase_create("bounds");

	tcase_add_loop_test(tc, test_vector, 0, GT_NVECTORS(vectors));
	tcase_add_test(tc, test_variable_lookups);
	tcase_add_test(tc, test_template_lookups);
	suite_add_tcase(s, tc);
	return s;
}
