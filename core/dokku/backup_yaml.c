/* String scalars the way go-yaml v3 writes them. The style request follows
 * go-yaml's encoder (encode.go, stringv): plain unless the text would read
 * back as something other than a string, then double quoted; a literal
 * block when it holds a newline. libyaml's emitter then makes the final
 * choice (it may still pick single quotes or double quotes), as go-yaml's
 * emitter does, since go-yaml's emitter is a port of libyaml's. */
#include "dokku/backup_recipe.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <yaml.h>

/* go-yaml's isOldBool: YAML 1.1 booleans, quoted for older readers */
static int old_bool(const char *s)
{
	static const char *const words[] = {
		"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL,
	};

	for (size_t i = 0; words[i]; i++) {
		if (strcmp(s, words[i]) == 0)
			return 1;
	}
	return 0;
}

/* go-yaml's isBase60Float:
 * ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static int base60(const char *s)
{
	const char *p = s;
	int groups = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) || *p == '_')
		p++;
	while (*p == ':') {
		const char *start = ++p;

		while (isdigit((unsigned char)*p))
			p++;
		if (p == start || p - start > 2 || (p - start == 2 && start[0] > '5'))
			return 0;
		groups++;
	}
	if (!groups)
		return 0;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) || *p == '_')
			p++;
	}
	return *p == '\0';
}

/* go-yaml's resolve table: the names that read as null, bool, .inf, .nan */
static int in_resolve_map(const char *s)
{
	static const char *const names[] = {
		"true", "True", "TRUE", "false", "False", "FALSE",
		"", "~", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL,
	};

	for (size_t i = 0; names[i]; i++) {
		if (strcmp(s, names[i]) == 0)
			return 1;
	}
	return 0;
}

static int digit_in_base(char c, int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'z')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'Z')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

/* strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds: Go integer
 * literal syntax (0x, 0o, 0b, leading-0 octal), within 64 bits */
static int go_int(const char *s)
{
	const char *p = s;
	int neg = 0, sign = 0, base = 10;
	unsigned long long v = 0, limit;

	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		sign = 1;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p++;
	}
	if (!*p)
		return 0;
	/* unsigned without a sign; int64 range with one */
	limit = !sign ? ~0ULL : neg ? 1ULL << 63 : (1ULL << 63) - 1;
	for (; *p; p++) {
		int d = digit_in_base(*p, base);

		if (d < 0 || v > (limit - (unsigned)d) / (unsigned)base)
			return 0;
		v = v * (unsigned)base + (unsigned)d;
	}
	return 1;
}

/* go-yaml's yamlStyleFloat regexp and a ParseFloat without ErrRange:
 * ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int go_float(const char *s)
{
	const char *p = s;
	char *end;
	double d;

	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return 0;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	} else {
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++)
				;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return 0;
	errno = 0;
	d = strtod(s, &end);
	return !(errno == ERANGE && isinf(d));
}

/* n digits (1 or 2) of a time.Parse field, in [lo, hi] */
static int field(const char **p, int max_digits, int lo, int hi, int *out)
{
	int v = 0, n = 0;

	while (n < max_digits && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n > 0 && v >= lo && v <= hi;
}

static int days_in(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* go-yaml's parseTimestamp: "2006-1-2", "2006-1-2 15:4:5.999999999",
 * "2006-1-2T15:4:5.999999999Z07:00" (T or t) */
static int go_timestamp(const char *s)
{
	const char *p = s;
	int year, month, day, h, m, sec;
	char sep;

	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
	}
	year = atoi(s);
	p += 4;
	if (*p++ != '-' || !field(&p, 2, 1, 12, &month) || *p++ != '-' ||
	    !field(&p, 2, 1, 31, &day) || day > days_in(year, month))
		return 0;
	if (!*p)
		return 1;
	sep = *p++;
	if (sep != 'T' && sep != 't' && sep != ' ')
		return 0;
	if (!field(&p, 2, 0, 23, &h) || *p++ != ':' || !field(&p, 2, 0, 59, &m) ||
	    *p++ != ':' || !field(&p, 2, 0, 59, &sec))
		return 0;
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if (sep == ' ')
		return *p == '\0';
	if (*p == 'Z')
		return p[1] == '\0';
	if (*p != '+' && *p != '-')
		return 0;
	p++;
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
	       isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && p[5] == '\0';
}

int dr_yaml_go_quotes(const char *s)
{
	char *plain, *w;
	int number;

	if (old_bool(s) || base60(s) || in_resolve_map(s))
		return 1;
	if (s[0] == '.')
		return go_float(s);
	if (s[0] != '+' && s[0] != '-' && !isdigit((unsigned char)s[0]))
		return 0;
	if (go_timestamp(s))
		return 1;
	/* go-yaml drops every underscore before it tries the numbers */
	plain = strdup(s);
	if (!plain)
		return 1;
	w = plain;
	for (const char *r = s; *r; r++) {
		if (*r != '_')
			*w++ = *r;
	}
	*w = '\0';
	number = go_int(plain) || go_float(plain);
	free(plain);
	return number;
}

/* libyaml's output handler: appends to a GString */
static int to_gstring(void *data, unsigned char *buffer, size_t size)
{
	g_string_append_len(data, (const char *)buffer, (gssize)size);
	return 1;
}

/* Runs one event through the emitter; libyaml frees the event. */
static int emit(yaml_emitter_t *em, yaml_event_t *ev, int ok)
{
	return ok && yaml_emitter_emit(em, ev);
}

/* `v: <scalar>\n` through libyaml with go-yaml v3's settings (indent 4,
 * no line width, unicode). */
static int render(const char *s, const char *tag, yaml_scalar_style_t style, GString *out)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int implicit = tag == NULL, ok;

	if (!yaml_emitter_initialize(&em))
		return 0;
	yaml_emitter_set_output(&em, to_gstring, out);
	yaml_emitter_set_indent(&em, 4);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_unicode(&em, 1);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)"v", 1, 1, 1,
						 YAML_PLAIN_SCALAR_STYLE);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)s,
						 (int)strlen(s), implicit, implicit, style);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_mapping_end_event_initialize(&ev);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_document_end_event_initialize(&ev, 1);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_stream_end_event_initialize(&ev);
	ok = emit(&em, &ev, ok);
	ok = ok && yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	return ok;
}

/* go-yaml's encodeBase64: lines of 70, each ending in a newline when there
 * is more than one line's worth */
static char *go_base64(const char *s)
{
	gchar *b64 = g_base64_encode((const guchar *)s, strlen(s));
	size_t n = strlen(b64), lines = n / 70 + 1;
	GString *out = g_string_sized_new(n + lines);
	char *ret;

	for (size_t i = 0; i < n; i += 70) {
		g_string_append_len(out, b64 + i, (gssize)(n - i < 70 ? n - i : 70));
		if (lines > 1)
			g_string_append_c(out, '\n');
	}
	g_free(b64);
	ret = strdup(out->str);
	g_string_free(out, TRUE);
	return ret;
}

int dr_yaml_scalar(const char *s, int indent, char **out, struct dr_err *e)
{
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	const char *tag = NULL;
	char *binary = NULL;
	GString *doc = g_string_new(NULL), *res;
	int ok;

	*out = NULL;
	/* go-yaml writes text that is not UTF-8 as base64 under !!binary */
	if (!g_utf8_validate(s, -1, NULL)) {
		binary = go_base64(s);
		if (!binary) {
			g_string_free(doc, TRUE);
			return dr_oom(e);
		}
		s = binary;
		tag = DR_YAML_BINARY_TAG;
	}
	if (strchr(s, '\n'))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (!tag && dr_yaml_go_quotes(s))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	ok = render(s, tag, style, doc);
	free(binary);
	/* libyaml closes an open-ended ("|+") document with "..."; the recipe
	 * adds its own at the very end */
	if (ok && doc->len > 4 && strcmp(doc->str + doc->len - 4, "...\n") == 0)
		g_string_truncate(doc, doc->len - 4);
	if (!ok || doc->len < 4 || strncmp(doc->str, "v: ", 3) != 0 ||
	    doc->str[doc->len - 1] != '\n') {
		g_string_free(doc, TRUE);
		return dr_fail(e, DR_EINVAL, "cannot write a YAML scalar");
	}
	/* Drop "v: " and the final newline; a literal block's lines sit at
	 * column 4 here and at indent + 4 in the recipe. */
	res = g_string_new(NULL);
	for (size_t i = 3; i < doc->len - 1; i++) {
		g_string_append_c(res, doc->str[i]);
		if (doc->str[i] == '\n' && doc->str[i + 1] != '\n' && i + 1 < doc->len - 1) {
			for (int k = 0; k < indent; k++)
				g_string_append_c(res, ' ');
		}
	}
	g_string_free(doc, TRUE);
	*out = strdup(res->str);
	g_string_free(res, TRUE);
	return *out ? 0 : dr_oom(e);
}
