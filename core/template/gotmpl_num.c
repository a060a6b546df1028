/* Numbers: Go's literal syntax as parse.newNumber reads it (strconv's
 * ParseInt/ParseUint/ParseFloat rules, underscores included) and
 * strconv.FormatFloat for the verbs fmt uses. */
#include "template/gotmpl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* strconv's underscoreOK: '_' only between digits (or after a base prefix). */
static int underscore_ok(const char *s)
{
	char saw = '^';
	int hex = 0;
	size_t i = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && s[1] && strchr("bBoOxX", s[1])) {
		i = 2;
		saw = '0';
		hex = s[1] == 'x' || s[1] == 'X';
	}
	for (; s[i]; i++) {
		if ((s[i] >= '0' && s[i] <= '9') || (hex && hexval(s[i]) >= 0)) {
			saw = '0';
		} else if (s[i] == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
		} else {
			if (saw == '_')
				return 0;
			saw = '!';
		}
	}
	return saw != '_';
}

/* strconv.ParseUint(s, 0, 64) on an unsigned text; 0 ok, -1 syntax, -2 range. */
static int parse_uint0(const char *s, uint64_t *out)
{
	int base = 10, any = 0, under = 0;
	uint64_t v = 0;

	if (s[0] == '0' && s[1]) {
		if (s[1] == 'x' || s[1] == 'X')
			base = 16, s += 2;
		else if (s[1] == 'o' || s[1] == 'O')
			base = 8, s += 2;
		else if (s[1] == 'b' || s[1] == 'B')
			base = 2, s += 2;
		else
			base = 8, s += 1, any = 1;
	}
	for (; *s; s++) {
		int d = hexval(*s);

		if (*s == '_') {
			under = 1;
			continue;
		}
		if (d < 0 || d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -2;
		v = v * (uint64_t)base + (uint64_t)d;
		any = 1;
	}
	(void)under;
	if (!any)
		return -1;
	*out = v;
	return 0;
}

static int parse_float(const char *text, double *out)
{
	char buf[512], *end;
	size_t k = 0;
	int hex = 0;

	for (const char *p = text; *p && k < sizeof(buf) - 1; p++)
		if (*p != '_')
			buf[k++] = *p;
	buf[k] = '\0';
	if (strchr(text, '_') && !underscore_ok(text))
		return -1;
	{
		const char *p = buf + (buf[0] == '+' || buf[0] == '-');

		hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
		if (hex && !strpbrk(p, "pP"))
			return -1; /* Go wants the p exponent on hex floats */
		if (!hex && (strpbrk(p, "xXpP") || (p[0] == '0' && p[1] && strchr("oObB", p[1]))))
			return -1;
		if (!*p)
			return -1;
	}
	errno = 0;
	*out = strtod(buf, &end);
	if (*end || end == buf)
		return -1;
	if (errno == ERANGE && (*out > 1 || *out < -1))
		return -2;
	return 0;
}

int gt_parse_number(struct gt_ctx *c, const char *text, size_t len, int is_char, int is_complex,
		    struct gt_num *num, char *err, size_t errlen)
{
	char t[512];
	uint64_t u = 0;
	int64_t i;
	int neg, rc;

	memset(num, 0, sizeof(*num));
	if (len >= sizeof(t)) {
		snprintf(err, errlen, "illegal number syntax: \"%.20s...\"", text);
		return -1;
	}
	memcpy(t, text, len);
	t[len] = '\0';
	if (is_char) {
		const char *p = text + 1, *end = text + len;
		uint32_t r = 0;

		if (gt_unquote_char(&p, end, '\'', &r)) {
			snprintf(err, errlen, "invalid syntax");
			return -1;
		}
		if (end - p != 1 || *p != '\'') {
			snprintf(err, errlen, "malformed character constant: %.*s", (int)len, text);
			return -1;
		}
		num->is_int = num->is_uint = num->is_float = 1;
		num->i = r;
		num->u = r;
		num->f = r;
		return 0;
	}
	if (is_complex || (len > 0 && t[len - 1] == 'i')) {
		/* re±imi or imi: split at the sign that starts the imaginary part */
		size_t split = 0;
		double re = 0, im = 0;

		for (size_t k = 1; k + 1 < len; k++)
			if ((t[k] == '+' || t[k] == '-') && t[k - 1] != 'e' && t[k - 1] != 'E' &&
			    t[k - 1] != 'p' && t[k - 1] != 'P')
				split = k;
		t[len - 1] = '\0';
		if (is_complex && split) {
			char save = t[split];

			t[split] = '\0';
			rc = parse_float(t, &re);
			t[split] = save;
			if (rc == 0)
				rc = parse_float(t + split, &im);
		} else {
			rc = is_complex ? -1 : parse_float(t, &im);
		}
		t[len - 1] = 'i';
		if (rc == 0) {
			num->is_complex = 1;
			num->re = re;
			num->im = im;
			if (im == 0) {
				num->is_float = 1;
				num->f = re;
				num->is_int = re >= -9.2233720368547758e18 && re < 9.2233720368547758e18 &&
					      (double)(int64_t)re == re;
				if (num->is_int)
					num->i = (int64_t)re;
				num->is_uint = re >= 0 && re < 1.8446744073709552e19 && (double)(uint64_t)re == re;
				if (num->is_uint)
					num->u = (uint64_t)re;
			}
			return 0;
		}
		if (is_complex) {
			snprintf(err, errlen, "strconv.ParseFloat: parsing \"%s\": invalid syntax", t);
			return -1;
		}
	}
	neg = t[0] == '-';
	if (strchr(t, '_') && !underscore_ok(t))
		goto floats;
	if (t[0] != '+' && t[0] != '-' && parse_uint0(t, &u) == 0) {
		num->is_uint = 1;
		num->u = u;
	}
	rc = parse_uint0(t + (t[0] == '+' || t[0] == '-'), &u);
	if (rc == 0 && (neg ? u <= (uint64_t)INT64_MAX + 1 : u <= (uint64_t)INT64_MAX)) {
		i = neg ? (int64_t)(0 - u) : (int64_t)u;
		num->is_int = 1;
		num->i = i;
		if (i == 0) {
			num->is_uint = 1;
			num->u = 0;
		}
	}
floats:
	if (num->is_int) {
		num->is_float = 1;
		num->f = (double)num->i;
	} else if (num->is_uint) {
		num->is_float = 1;
		num->f = (double)num->u;
	} else {
		double f;

		if (parse_float(t, &f) == 0) {
			if (!strpbrk(t, ".eEpP")) {
				snprintf(err, errlen, "integer overflow: \"%s\"", t);
				return -1;
			}
			num->is_float = 1;
			num->f = f;
			if (f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 && (double)(int64_t)f == f) {
				num->is_int = 1;
				num->i = (int64_t)f;
			}
			if (f >= 0 && f < 1.8446744073709552e19 && (double)(uint64_t)f == f) {
				num->is_uint = 1;
				num->u = (uint64_t)f;
			}
		}
	}
	if (!num->is_int && !num->is_uint && !num->is_float) {
		struct gt_str q = { 0 };

		gt_quote(c, &q, text, len, -1, 0);
		snprintf(err, errlen, "illegal number syntax: %s", q.s);
		return -1;
	}
	return 0;
}

/* A double's exact value has at most 767 significant decimal digits and
 * 1074 after the point, and 13 hexadecimal digits after the point: past
 * those every digit of any precision is 0, so they are written as zeros
 * instead of asking printf for them (which costs far more per digit). */
#define EXACT_DEC 1100
#define EXACT_HEX 13

/* s with n zeros more (n > 0) before its exponent (the first of marks), or at its end. */
static void put_with_zeros(struct gt_ctx *c, struct gt_str *b, const char *s, int n, const char *marks)
{
	size_t at = strcspn(s, marks);
	static const char zeros[64] = "0000000000000000000000000000000000000000000000000000000000000000";

	gt_puts(c, b, s, at);
	for (; n > 0; n -= (int)sizeof(zeros))
		gt_puts(c, b, zeros, n < (int)sizeof(zeros) ? (size_t)n : sizeof(zeros));
	gt_puts(c, b, s + at, strlen(s + at));
}

/* strconv.FormatFloat(f, verb, prec, 64) for the verbs fmt uses. */
void gt_format_float(struct gt_ctx *c, struct gt_str *b, double v, char verb, int prec)
{
	char buf[1600];

	if (verb == 'b') {
		uint64_t bits, mant;
		int exp;

		memcpy(&bits, &v, sizeof(bits));
		mant = bits & ((1ULL << 52) - 1);
		exp = (int)((bits >> 52) & 0x7FF);
		if (exp == 0)
			exp++;
		else
			mant |= 1ULL << 52;
		exp += -1023 - 52;
		gt_printf(c, b, "%s%llup%+d", bits >> 63 ? "-" : "", (unsigned long long)mant, exp);
		return;
	}
	if (verb == 'x' || verb == 'X') {
		char *p, *h = buf;

		if (prec < 0)
			snprintf(buf, sizeof(buf), verb == 'x' ? "%a" : "%A", v);
		else
			snprintf(buf, sizeof(buf), verb == 'x' ? "%.*a" : "%.*A", prec > EXACT_HEX ? EXACT_HEX : prec, v);
		p = strpbrk(h, "pP");
		if (p && (p[1] == '+' || p[1] == '-') && p[2] && !p[3]) {
			p[4] = '\0';
			p[3] = p[2];
			p[2] = '0';
		}
		put_with_zeros(c, b, h, prec - EXACT_HEX, "pP");
		return;
	}
	if (prec >= 0) {
		int p = prec > EXACT_DEC ? EXACT_DEC : prec, n;

		switch (verb) {
		case 'e': n = snprintf(buf, sizeof(buf), "%.*e", p, v); break;
		case 'E': n = snprintf(buf, sizeof(buf), "%.*E", p, v); break;
		case 'g': n = snprintf(buf, sizeof(buf), "%.*g", p, v); break;
		case 'G': n = snprintf(buf, sizeof(buf), "%.*G", p, v); break;
		default: n = snprintf(buf, sizeof(buf), "%.*f", p, v); break;
		}
		if (n < 0 || (size_t)n >= sizeof(buf))
			n = 0;
		buf[n] = '\0';
		if (verb == 'g' || verb == 'G')
			gt_puts(c, b, buf, (size_t)n); /* %g drops trailing zeros */
		else
			put_with_zeros(c, b, buf, prec - EXACT_DEC, "eE");
		return;
	}
	/* shortest digits that read back as v, then Go's %g layout (%e past 1e21 is
	 * JSON's rule, fmt switches at exponent 6 for the shortest form) */
	{
		char digs[32] = { 0 };
		int nd = 0, dp, exp, p;
		char *e;

		for (p = 1; p <= 17; p++) {
			snprintf(buf, sizeof(buf), "%.*e", p - 1, fabs(v));
			if (strtod(buf, NULL) == fabs(v))
				break;
		}
		for (char *q = buf; *q && *q != 'e'; q++)
			if (*q >= '0' && *q <= '9')
				digs[nd++] = *q;
		e = strchr(buf, 'e');
		dp = atoi(e + 1) + 1;
		while (nd > 1 && digs[nd - 1] == '0')
			nd--;
		if (v == 0)
			dp = 1, nd = 1;
		if (signbit(v))
			gt_putc(c, b, '-');
		exp = dp - 1;
		if (exp < -4 || exp >= 6) {
			gt_putc(c, b, digs[0]);
			if (nd > 1) {
				gt_putc(c, b, '.');
				gt_puts(c, b, digs + 1, (size_t)nd - 1);
			}
			gt_printf(c, b, "%c%c%02d", verb == 'G' ? 'E' : 'e', exp < 0 ? '-' : '+', abs(exp));
			return;
		}
		if (dp <= 0) {
			gt_puts(c, b, "0.", 2);
			for (int i = dp; i < 0; i++)
				gt_putc(c, b, '0');
			gt_puts(c, b, digs, (size_t)nd);
		} else {
			for (int i = 0; i < dp; i++)
				gt_putc(c, b, i < nd ? digs[i] : '0');
			if (nd > dp) {
				gt_putc(c, b, '.');
				gt_puts(c, b, digs + dp, (size_t)(nd - dp));
			}
		}
	}
}
