/* core/pflag.c against spf13/pflag 1.0.10's own rules (flag.go:
 * FlagUsagesWrapped, UnquoteUsage, parseLongArg, parseSingleShortArg;
 * errors.go), worked out by hand from its source. */
#include <stdlib.h>
#include <string.h>

#include "base/pflag.h"
#include "unit.h"

/* Dokku's registry:login flag set (subcommands.go), declared out of order */
static struct dr_pflag login_flags[] = {
	{ .name = "password-stdin", .usage = "--password-stdin: read password from stdin" },
	{ .name = "global", .usage = "--global: login globally instead of per-app" },
};

START_TEST(usage_login)
{
	struct dr_pflag_set s = { "registry:login", login_flags, 2, NULL, 0, NULL };
	char *u = dr_pflag_usage(&s);

	/* sorted; help texts at maxlen + 2 where maxlen = longest left column + 1 */
	ck_assert_str_eq(u, "Usage of registry:login:\n"
			    "      --global           --global: login globally instead of per-app\n"
			    "      --password-stdin   --password-stdin: read password from stdin\n");
	free(u);
}
END_TEST

START_TEST(usage_report_string_default)
{
	struct dr_pflag f[] = {
		{ .name = "format", .type = DR_PFLAG_STRING, .def = "stdout", .usage = "format: [ stdout | json ]" },
	};
	struct dr_pflag_set s = { "registry:report", f, 1, NULL, 0, NULL };
	char *u = dr_pflag_usage(&s);

	ck_assert_str_eq(u, "Usage of registry:report:\n"
			    "      --format string   format: [ stdout | json ] (default \"stdout\")\n");
	free(u);
}
END_TEST

START_TEST(usage_types_shorthand_hidden)
{
	struct dr_pflag f[] = {
		{ .name = "jobs", .shorthand = 'j', .type = DR_PFLAG_INT, .def = "4", .usage = "parallel uploads" },
		{ .name = "zero", .type = DR_PFLAG_INT, .def = "0", .usage = "no default shown" },
		{ .name = "config", .type = DR_PFLAG_STRING, .usage = "read `dir` for credentials" },
		{ .name = "secret", .hidden = 1, .usage = "not listed" },
		{ .name = "on", .def = "true", .usage = "" },
		{ .name = "off", .def = "false", .usage = "two\nlines" },
		{ .name = "q", .type = DR_PFLAG_STRING, .def = "a\"b\n\xff", .usage = "quoted" },
	};
	char *u = dr_pflag_flag_usages(f, sizeof(f) / sizeof(f[0]));

	ck_assert_str_eq(u, "      --config dir   read dir for credentials\n"
			    "  -j, --jobs int     parallel uploads (default 4)\n"
			    "      --off          two\n"
			    "                     lines\n"
			    "      --on            (default true)\n"
			    "      --q string     quoted (default \"a\\\"b\\n\\xff\")\n"
			    "      --zero int     no default shown\n");
	free(u);
	u = dr_pflag_flag_usages(NULL, 0);
	ck_assert_str_eq(u, "");
	free(u);
	/* an empty help text still gets both separators (trailing spaces) */
	{
		struct dr_pflag one[] = { { .name = "x" } };

		u = dr_pflag_flag_usages(one, 1);
		ck_assert_str_eq(u, "      --x   \n");
		free(u);
	}
}
END_TEST

static const struct {
	const char *in;
	const char *out;
} quotes[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "tab\there", "\"tab\\there\"" },
	{ "\a\b\f\n\r\v\\\"", "\"\\a\\b\\f\\n\\r\\v\\\\\\\"\"" },
	{ "\x01\x1f\x7f", "\"\\x01\\x1f\\x7f\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },         /* printable UTF-8 stays */
	{ "\xc2\xa0", "\"\\u00a0\"" },                /* no-break space is not printable */
	{ "\xc2\x85", "\"\\u0085\"" },                /* C1 control */
	{ "\xe2\x80\xa8", "\"\\u2028\"" },            /* line separator */
	{ "\xef\xbb\xbf", "\"\\ufeff\"" },            /* BOM: format character */
	{ "\xf3\xa0\x80\x81", "\"\\U000e0001\"" },    /* tag character: format */
	{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" }, /* emoji stays */
	{ "\xff", "\"\\xff\"" },                      /* invalid bytes one by one */
	{ "\xc0\xaf", "\"\\xc0\\xaf\"" },             /* overlong */
	{ "\xed\xa0\x80", "\"\\xed\\xa0\\x80\"" },    /* surrogate */
	{ "\xe2\x82", "\"\\xe2\\x82\"" },             /* truncated */
};

START_TEST(go_quote)
{
	char *q = dr_go_quote(quotes[_i].in);

	ck_assert_str_eq(q, quotes[_i].out);
	free(q);
}
END_TEST

START_TEST(go_quote_rune)
{
	static const struct {
		unsigned char c;
		const char *out;
	} v[] = {
		{ 'x', "'x'" }, { '\'', "'\\''" }, { '\\', "'\\\\'" }, { '"', "'\"'" },
		{ '\n', "'\\n'" }, { 0x01, "'\\x01'" }, { 0x7f, "'\\x7f'" },
		{ 0x85, "'\\u0085'" }, { 0xa0, "'\\u00a0'" }, { 0xad, "'\\u00ad'" },
		{ 0xe9, "'\xc3\xa9'" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *q = dr_go_quote_rune(v[i].c);

		ck_assert_str_eq(q, v[i].out);
		free(q);
	}
}
END_TEST

/* what a parse of argv with the Dokku-like set below leaves behind */
struct outcome {
	const char *argv[6];
	int rc;
	const char *error;  /* pflag's message, or NULL */
	int global;         /* -1: untouched */
	const char *format; /* NULL: untouched */
	const char *args;   /* positionals joined with '|' */
};

static const struct outcome parses[] = {
	{ { "app", "--global", "server" }, 0, NULL, 1, NULL, "app|server" },
	{ { "--global=false", "a" }, 0, NULL, 0, NULL, "a" },
	{ { "--global=T", "--global=0", "--global=1" }, 0, NULL, 1, NULL, "" },
	{ { "--format", "json", "x" }, 0, NULL, -1, "json", "x" },
	{ { "--format=", "x" }, 0, NULL, -1, "", "x" },
	{ { "--format", "--global" }, 0, NULL, -1, "--global", "" },
	{ { "-f", "json" }, 0, NULL, -1, "json", "" },
	{ { "-fjson" }, 0, NULL, -1, "json", "" },
	{ { "-f=json" }, 0, NULL, -1, "json", "" },
	{ { "-gf", "json" }, 0, NULL, 1, "json", "" },
	{ { "-", "", "a" }, 0, NULL, -1, NULL, "-||a" },
	{ { "a", "--", "--global", "-x" }, 0, NULL, -1, NULL, "a|--global|-x" },
	{ { "-test.v", "a" }, 0, NULL, -1, NULL, "a" },
	{ { "--bogus" }, DR_EINVAL, "unknown flag: --bogus", -1, NULL, "" },
	{ { "--bogus=1", "x" }, DR_EINVAL, "unknown flag: --bogus", -1, NULL, "" },
	{ { "a", "-x" }, DR_EINVAL, "unknown shorthand flag: 'x' in -x", -1, NULL, "a" },
	{ { "-gxy" }, DR_EINVAL, "unknown shorthand flag: 'x' in -xy", 1, NULL, "" },
	{ { "-\xc3\xa9" }, DR_EINVAL, "unknown shorthand flag: '\xc3\x83' in -\xc3\xa9", -1, NULL, "" },
	{ { "---x" }, DR_EINVAL, "bad flag syntax: ---x", -1, NULL, "" },
	{ { "--=x" }, DR_EINVAL, "bad flag syntax: --=x", -1, NULL, "" },
	{ { "--format" }, DR_EINVAL, "flag needs an argument: --format", -1, NULL, "" },
	{ { "-f" }, DR_EINVAL, "flag needs an argument: 'f' in -f", -1, NULL, "" },
	{ { "-g=" }, DR_EINVAL, "unknown shorthand flag: '=' in -=", 1, NULL, "" },
	{ { "--global=maybe" }, DR_EINVAL,
	  "invalid argument \"maybe\" for \"-g, --global\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax",
	  -1, NULL, "" },
	{ { "--help", "--bogus" }, DR_PFLAG_HELP, NULL, -1, NULL, "" },
	{ { "-h" }, DR_PFLAG_HELP, NULL, -1, NULL, "" },
	{ { "--help=1" }, DR_PFLAG_HELP, NULL, -1, NULL, "" },
};

START_TEST(parse)
{
	const struct outcome *o = &parses[_i];
	int global = -1, argc = 0;
	const char *format = NULL;
	struct dr_pflag f[] = {
		{ .name = "global", .shorthand = 'g', .usage = "--global: set a global property", .set = &global },
		{ .name = "format", .shorthand = 'f', .type = DR_PFLAG_STRING, .def = "stdout",
		  .usage = "format: [ stdout | json ]", .value = &format },
	};
	struct dr_pflag_set s = { "t", f, 2, NULL, 0, NULL };
	struct dr_err e = { 0 };
	char joined[256] = "";
	int rc;

	while (o->argv[argc])
		argc++;
	rc = dr_pflag_parse(&s, argc, (char **)o->argv, &e);
	ck_assert_int_eq(rc, o->rc);
	if (o->error)
		ck_assert_str_eq(s.error, o->error);
	else
		ck_assert_ptr_null(s.error);
	ck_assert_int_eq(global, o->global);
	if (o->format)
		ck_assert_str_eq(format, o->format);
	else
		ck_assert_ptr_null(format);
	for (size_t i = 0; i < s.nargs; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, s.args[i]);
	}
	ck_assert_str_eq(joined, o->args);
	dr_pflag_set_free(&s);
}
END_TEST

START_TEST(parse_no_flags)
{
	char *argv[] = { (char *)"a", (char *)"--x", NULL };
	struct dr_pflag_set s = { "registry:helpers:set", NULL, 0, NULL, 0, NULL };
	struct dr_err e = { 0 };
	char *u;

	ck_assert_int_eq(dr_pflag_parse(&s, 2, argv, &e), DR_EINVAL);
	ck_assert_str_eq(s.error, "unknown flag: --x");
	u = dr_pflag_usage(&s);
	ck_assert_str_eq(u, "Usage of registry:helpers:set:\n");
	free(u);
	dr_pflag_set_free(&s);
	ck_assert_int_eq(dr_pflag_parse(&s, 0, argv, &e), 0);
	ck_assert_int_eq((int)s.nargs, 0);
	dr_pflag_set_free(&s);
}
END_TEST

Suite *pflag_suite(void)
{
	Suite *s = suite_create("pflag");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, usage_login);
	tcase_add_test(tc, usage_report_string_default);
	tcase_add_test(tc, usage_types_shorthand_hidden);
	tcase_add_loop_test(tc, go_quote, 0, sizeof(quotes) / sizeof(quotes[0]));
	tcase_add_test(tc, go_quote_rune);
	tcase_add_loop_test(tc, parse, 0, sizeof(parses) / sizeof(parses[0]));
	tcase_add_test(tc, parse_no_flags);
	suite_add_tcase(s, tc);
	return s;
}
