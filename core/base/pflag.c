#include "base/pflag.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Go's quoting (strconv.Quote, strconv.QuoteRune) ---- */

/* One UTF-8 sequence at s (n bytes left) as Go's decoder reads it: its
 * width, or 0 for a byte that starts no valid sequence (Go's RuneError of
 * width 1: overlong forms, surrogates and truncated sequences included). */
static size_t utf8_width(const unsigned char *s, size_t n, gunichar *r)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t w;

	if (s[0] < 0x80) {
		*r = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		w = 2;
		*r = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		w = 3;
		*r = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		w = 4;
		*r = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < w || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < w; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xbf))
			return 0;
		*r = (*r << 6) | (s[i] & 0x3f);
	}
	return w;
}

/* unicode.IsPrint: letters, marks, numbers, punctuation, symbols, and the
 * ASCII space (no other space, no control or format character) */
static int go_is_print(gunichar r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7f;
	switch (g_unichar_type(r)) {
	case G_UNICODE_CONTROL:
	case G_UNICODE_FORMAT:
	case G_UNICODE_UNASSIGNED:
	case G_UNICODE_PRIVATE_USE:
	case G_UNICODE_SURROGATE:
	case G_UNICODE_LINE_SEPARATOR:
	case G_UNICODE_PARAGRAPH_SEPARATOR:
	case G_UNICODE_SPACE_SEPARATOR:
		return 0;
	default:
		return 1;
	}
}

/* the escape Go writes for a rune it does not print as is */
static void put_escaped(FILE *f, gunichar r, char quote)
{
	static const char named[] = "\a" "a" "\b" "b" "\f" "f" "\n" "n" "\r" "r" "\t" "t" "\v" "v";
	const char *p;

	if (r == (gunichar)quote || r == '\\') {
		fprintf(f, "\\%c", (char)r);
		return;
	}
	p = r && r < 0x80 ? memchr(named, (int)r, sizeof(named) - 1) : NULL;
	if (p && (p - named) % 2 == 0)
		fprintf(f, "\\%c", p[1]);
	else if (r < ' ' || r == 0x7f)
		fprintf(f, "\\x%02x", (unsigned)r);
	else if (r < 0x10000)
		fprintf(f, "\\u%04x", (unsigned)r);
	else
		fprintf(f, "\\U%08x", (unsigned)r);
}

/* Closes a memstream and hands over its text, or NULL when it failed. */
static char *stream_text(FILE *f, char **text)
{
	if (fclose(f) != 0) {
		free(*text);
		return NULL;
	}
	return *text;
}

char *dr_go_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputc('"', f);
	while (n > 0) {
		gunichar r = 0;
		size_t w = utf8_width(p, n, &r);

		if (w == 0) {
			fprintf(f, "\\x%02x", p[0]);
			w = 1;
		} else if (r != '"' && r != '\\' && go_is_print(r)) {
			fwrite(p, 1, w, f);
		} else {
			put_escaped(f, r, '"');
		}
		p += w;
		n -= w;
	}
	fputc('"', f);
	return stream_text(f, &text);
}

char *dr_go_quote_rune(unsigned char c)
{
	char *text = NULL, utf8[8];
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputc('\'', f);
	if (c != '\'' && c != '\\' && go_is_print(c))
		fwrite(utf8, 1, (size_t)g_unichar_to_utf8(c, utf8), f);
	else
		put_escaped(f, c, '\'');
	fputc('\'', f);
	return stream_text(f, &text);
}

/* ---- usage text (FlagUsagesWrapped(0)) ---- */

static int by_name(const void *a, const void *b)
{
	const struct dr_pflag *x = *(const struct dr_pflag *const *)a;
	const struct dr_pflag *y = *(const struct dr_pflag *const *)b;

	return strcmp(x->name, y->name);
}

static int default_is_zero(const struct dr_pflag *fl)
{
	if (!fl->def || !fl->def[0])
		return 1;
	if (fl->type == DR_PFLAG_BOOL)
		return strcmp(fl->def, "false") == 0;
	if (fl->type == DR_PFLAG_INT)
		return strcmp(fl->def, "0") == 0;
	return 0;
}

/* The flag's column: "  -x, --name type" or "      --name type" (UnquoteUsage
 * takes the type from `back quotes` in the help text, else from the value).
 * malloc'd. */
static char *left_column(const struct dr_pflag *fl)
{
	const char *usage = fl->usage ? fl->usage : "";
	const char *q1 = strchr(usage, '`'), *q2 = q1 ? strchr(q1 + 1, '`') : NULL;
	const char *type = fl->type == DR_PFLAG_STRING ? " string" : fl->type == DR_PFLAG_INT ? " int" : "";
	char flag[8] = "    ", *out;
	int n;

	if (fl->shorthand)
		snprintf(flag, sizeof(flag), "-%c, ", fl->shorthand);
	if (q2)
		n = asprintf(&out, "  %s--%s %.*s", flag, fl->name, (int)(q2 - q1 - 1), q1 + 1);
	else
		n = asprintf(&out, "  %s--%s%s", flag, fl->name, type);
	return n < 0 ? NULL : out;
}

/* The help text with its back quotes dropped and the default appended;
 * newlines indented to the help column, as wrap() does with no width. */
static void write_right(FILE *f, const struct dr_pflag *fl, size_t column)
{
	const char *usage = fl->usage ? fl->usage : "";
	const char *q1 = strchr(usage, '`'), *q2 = q1 ? strchr(q1 + 1, '`') : NULL;
	char *quoted;

	for (const char *p = usage; *p; p++) {
		if (q2 && (p == q1 || p == q2))
			continue;
		if (*p == '\n')
			fprintf(f, "\n%*s", (int)column, "");
		else
			fputc(*p, f);
	}
	if (default_is_zero(fl))
		return;
	if (fl->type == DR_PFLAG_STRING) {
		quoted = dr_go_quote(fl->def);
		fprintf(f, " (default %s)", quoted ? quoted : "\"\"");
		free(quoted);
	} else {
		fprintf(f, " (default %s)", fl->def);
	}
}

char *dr_pflag_flag_usages(const struct dr_pflag *flags, size_t nflags)
{
	const struct dr_pflag **sorted = calloc(nflags + 1, sizeof(*sorted));
	char **left = calloc(nflags + 1, sizeof(*left));
	size_t n = 0, maxlen = 0, len;
	char *text = NULL;
	FILE *f = NULL;
	int ok = sorted && left;

	for (size_t i = 0; ok && i < nflags; i++) {
		if (!flags[i].hidden)
			sorted[n++] = &flags[i];
	}
	if (ok && n > 1)
		qsort(sorted, n, sizeof(*sorted), by_name);
	/* pflag's maxlen counts the separator it puts after the left column */
	for (size_t i = 0; ok && i < n; i++) {
		left[i] = left_column(sorted[i]);
		ok = left[i] != NULL;
		if (ok && strlen(left[i]) + 1 > maxlen)
			maxlen = strlen(left[i]) + 1;
	}
	if (ok)
		f = open_memstream(&text, &len);
	for (size_t i = 0; f && i < n; i++) {
		/* Println(left, spacing, right): a space between operands */
		fprintf(f, "%s %*s ", left[i], (int)(maxlen - strlen(left[i])), "");
		write_right(f, sorted[i], maxlen + 2);
		fputc('\n', f);
	}
	for (size_t i = 0; left && i < n; i++)
		free(left[i]);
	free(left);
	free(sorted);
	return f ? stream_text(f, &text) : NULL;
}

char *dr_pflag_usage(const struct dr_pflag_set *s)
{
	char *lines = dr_pflag_flag_usages(s->flags, s->nflags), *out;

	if (!lines)
		return NULL;
	if (asprintf(&out, "Usage of %s:\n%s", s->name, lines) < 0)
		out = NULL;
	free(lines);
	return out;
}

/* ---- parsing (FlagSet.Parse with interspersed arguments) ---- */

static int fail_msg(struct dr_pflag_set *s, struct dr_err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_msg(struct dr_pflag_set *s, struct dr_err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	free(s->error);
	va_start(ap, fmt);
	n = vasprintf(&s->error, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->error = NULL;
		return dr_oom(e);
	}
	return dr_fail(e, DR_EINVAL, "%s", s->error);
}

/* strconv.ParseBool */
static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
			*out = strcmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

static int set_value(struct dr_pflag_set *s, struct dr_pflag *fl, const char *v,
		     struct dr_err *e)
{
	char *qv, *qname, name[128];
	int b = 0, rc;

	if (fl->type != DR_PFLAG_BOOL) {
		if (fl->value)
			*fl->value = v;
		return 0;
	}
	if (parse_bool(v, &b) == 0) {
		if (fl->set)
			*fl->set = b;
		return 0;
	}
	/* InvalidValueError, with strconv's own error as the cause */
	if (fl->shorthand)
		snprintf(name, sizeof(name), "-%c, --%s", fl->shorthand, fl->name);
	else
		snprintf(name, sizeof(name), "--%s", fl->name);
	qv = dr_go_quote(v);
	qname = dr_go_quote(name);
	if (qv && qname)
		rc = fail_msg(s, e, "invalid argument %s for %s flag: strconv.ParseBool: parsing %s: invalid syntax",
			      qv, qname, qv);
	else
		rc = dr_oom(e);
	free(qv);
	free(qname);
	return rc;
}

/* `--name`, `--name=v` or `--name v`; *i moves past a consumed value */
static int parse_long(struct dr_pflag_set *s, int argc, char **argv, int *i, struct dr_err *e)
{
	const char *arg = argv[*i], *name = arg + 2, *eq;
	struct dr_pflag *fl = NULL;
	size_t n;

	if (name[0] == '-' || name[0] == '=')
		return fail_msg(s, e, "bad flag syntax: %s", arg);
	eq = strchr(name, '=');
	n = eq ? (size_t)(eq - name) : strlen(name);
	for (size_t k = 0; k < s->nflags && !fl; k++) {
		if (strlen(s->flags[k].name) == n && strncmp(s->flags[k].name, name, n) == 0)
			fl = &s->flags[k];
	}
	if (!fl && n == 4 && strncmp(name, "help", 4) == 0)
		return DR_PFLAG_HELP;
	if (!fl)
		return fail_msg(s, e, "unknown flag: --%.*s", (int)n, name);
	if (eq)
		return set_value(s, fl, eq + 1, e);
	if (fl->type == DR_PFLAG_BOOL)
		return set_value(s, fl, "true", e);
	if (*i + 1 < argc)
		return set_value(s, fl, argv[++*i], e);
	return fail_msg(s, e, "flag needs an argument: --%.*s", (int)n, name);
}

static int fail_short(struct dr_pflag_set *s, struct dr_err *e, const char *what,
		      const char *shorts)
{
	char *q = dr_go_quote_rune((unsigned char)shorts[0]);
	int rc = q ? fail_msg(s, e, "%s: %s in -%s", what, q, shorts)
		   : dr_oom(e);

	free(q);
	return rc;
}

/* `-abc`: each letter a flag; a letter with a value takes the rest of the
 * group (`-fvalue`, `-f=value`) or, last in the group, the next argument */
static int parse_short(struct dr_pflag_set *s, int argc, char **argv, int *i, struct dr_err *e)
{
	const char *shorts = argv[*i] + 1;

	while (*shorts) {
		struct dr_pflag *fl = NULL;
		int rc;

		/* go test's -test.v flags are let through untouched */
		if (strncmp(shorts, "test.", 5) == 0)
			return 0;
		for (size_t k = 0; k < s->nflags && !fl; k++) {
			if (s->flags[k].shorthand && s->flags[k].shorthand == shorts[0])
				fl = &s->flags[k];
		}
		if (!fl && shorts[0] == 'h')
			return DR_PFLAG_HELP;
		if (!fl)
			return fail_short(s, e, "unknown shorthand flag", shorts);
		if (shorts[1] == '=' && shorts[2]) {
			return set_value(s, fl, shorts + 2, e);
		} else if (fl->type == DR_PFLAG_BOOL) {
			rc = set_value(s, fl, "true", e);
			if (rc)
				return rc;
			shorts++;
		} else if (shorts[1]) {
			return set_value(s, fl, shorts + 1, e);
		} else if (*i + 1 < argc) {
			return set_value(s, fl, argv[++*i], e);
		} else {
			return fail_short(s, e, "flag needs an argument", shorts);
		}
	}
	return 0;
}

int dr_pflag_parse(struct dr_pflag_set *s, int argc, char **argv, struct dr_err *e)
{
	int rc = 0;

	s->nargs = 0;
	s->error = NULL;
	s->args = calloc((size_t)(argc > 0 ? argc : 0) + 1, sizeof(char *));
	if (!s->args)
		return dr_oom(e);
	for (int i = 0; i < argc && rc == 0; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0') {
			s->args[s->nargs++] = argv[i];
		} else if (a[1] == '-' && a[2] == '\0') {
			while (++i < argc)
				s->args[s->nargs++] = argv[i];
		} else if (a[1] == '-') {
			rc = parse_long(s, argc, argv, &i, e);
		} else {
			rc = parse_short(s, argc, argv, &i, e);
		}
	}
	return rc;
}

void dr_pflag_set_free(struct dr_pflag_set *s)
{
	free(s->args);
	free(s->error);
	s->args = NULL;
	s->error = NULL;
	s->nargs = 0;
}
