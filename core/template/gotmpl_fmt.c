/* Go's fmt for the values a template can hold here: the verbs, Sprint and
 * Sprintln, and the %!verb(...) error forms (Sprintf's format string is
 * gotmpl_printf.c). */
#include "template/gotmpl_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *gt_type_name(const struct gt_val *v)
{
	switch (v->k) {
	case V_BOOL: return "bool";
	case V_INT: return "int";
	case V_UINT8: return "uint8";
	case V_FLOAT: return "float64";
	case V_COMPLEX: return "complex128";
	case V_STRING: return "string";
	case V_STRUCT: return "registry.templateData";
	default: return "<nil>";
	}
}

static size_t rune_count(struct gt_ctx *c, const char *s, size_t n)
{
	size_t count = 0, w;

	gt_charge_scan(c, n);
	for (size_t i = 0; i < n; i += w) {
		gt_utf8_decode(s + i, n - i, &w);
		count++;
	}
	return count;
}

static void put_repeated(struct fmtst *f, char ch, int n)
{
	char chunk[64];

	memset(chunk, ch, sizeof(chunk));
	for (; n > 0; n -= (int)sizeof(chunk))
		gt_puts(f->c, f->b, chunk, n < (int)sizeof(chunk) ? (size_t)n : sizeof(chunk));
}

static void write_padding(struct fmtst *f, int n)
{
	put_repeated(f, f->zero ? '0' : ' ', n);
}

static void pad(struct fmtst *f, const char *s, size_t n)
{
	int w = f->wid_present ? f->wid - (int)rune_count(f->c, s, n) : 0;

	if (w <= 0) {
		gt_puts(f->c, f->b, s, n);
	} else if (!f->minus) {
		write_padding(f, w);
		gt_puts(f->c, f->b, s, n);
	} else {
		gt_puts(f->c, f->b, s, n);
		put_repeated(f, ' ', w);
	}
}

static size_t truncate_runes(struct fmtst *f, const char *s, size_t n)
{
	size_t i = 0, w;

	if (!f->prec_present)
		return n;
	gt_charge_scan(f->c, n < (size_t)f->prec * 4 ? n : (size_t)f->prec * 4);
	for (int r = 0; i < n && r < f->prec; r++, i += w)
		gt_utf8_decode(s + i, n - i, &w);
	return i;
}

static void fmt_s(struct fmtst *f, const char *s, size_t n)
{
	pad(f, s, truncate_runes(f, s, n));
}

static int can_backquote(const char *s, size_t n)
{
	for (size_t i = 0, w; i < n; i += w) {
		uint32_t r = gt_utf8_decode(s + i, n - i, &w);

		if (r == 0xFFFD && w == 1)
			return 0;
		if (r == '`' || r == 0xFEFF || (r < ' ' && r != '\t') || r == 0x7F)
			return 0;
	}
	return 1;
}

static void fmt_q(struct fmtst *f, const char *s, size_t n)
{
	struct gt_str q = { 0 };

	n = truncate_runes(f, s, n);
	if (f->sharp && can_backquote(s, n)) {
		gt_putc(f->c, &q, '`');
		gt_puts(f->c, &q, s, n);
		gt_putc(f->c, &q, '`');
	} else {
		gt_quote(f->c, &q, s, n, -1, f->plus);
	}
	pad(f, q.s, q.len);
}

static void fmt_sx(struct fmtst *f, const char *s, size_t n, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	struct gt_str x = { 0 };

	if (f->prec_present && (size_t)f->prec < n)
		n = (size_t)f->prec;
	gt_puts(f->c, &x, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (f->space && i > 0)
			gt_putc(f->c, &x, ' ');
		if (f->sharp && (f->space || i == 0))
			gt_puts(f->c, &x, upper ? "0X" : "0x", 2);
		gt_putc(f->c, &x, digits[(unsigned char)s[i] >> 4]);
		gt_putc(f->c, &x, digits[(unsigned char)s[i] & 15]);
	}
	pad(f, x.s, x.len);
}

/* strconv.QuoteRune: Quote's escapes between single quotes. */
static void quote_rune(struct fmtst *f, struct gt_str *q, uint32_t r)
{
	struct gt_str raw = { 0 }, dq = { 0 };

	if (r == '\'') {
		gt_puts(f->c, q, "'\\''", 4);
		return;
	}
	if (r == '"') {
		gt_puts(f->c, q, "'\"'", 3);
		return;
	}
	gt_utf8_put(f->c, &raw, r > 0x10FFFF ? 0xFFFD : r);
	gt_quote(f->c, &dq, raw.s, raw.len, -1, f->plus);
	gt_putc(f->c, q, '\'');
	gt_puts(f->c, q, dq.s + 1, dq.len - 2);
	gt_putc(f->c, q, '\'');
}

static void fmt_integer(struct fmtst *f, uint64_t u, int base, int is_signed, char verb, int upper)
{
	const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
	char small[72], *buf = small;
	size_t size = sizeof(small);
	int neg = is_signed && (int64_t)u < 0, i, prec = 0, old_zero;

	if (neg)
		u = 0 - u;
	/* Go sizes the buffer for any width and precision (3 + wid + prec) */
	if ((f->wid_present || f->prec_present) && 3 + (size_t)f->wid + (size_t)f->prec > size) {
		size = 3 + (size_t)f->wid + (size_t)f->prec;
		buf = gt_alloc(f->c, size);
	}
	i = (int)size;
	if (f->prec_present) {
		prec = f->prec;
		if (prec == 0 && u == 0) {
			old_zero = f->zero;
			f->zero = 0;
			write_padding(f, f->wid_present ? f->wid : 0);
			f->zero = old_zero;
			return;
		}
	} else if (f->zero && !f->minus && f->wid_present) {
		prec = f->wid;
		if (neg || f->plus || f->space)
			prec--;
	}
	do {
		buf[--i] = digits[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u);
	while (i > 3 && prec > (int)size - i)
		buf[--i] = '0';
	if (f->sharp) {
		if (base == 2) {
			buf[--i] = 'b';
			buf[--i] = '0';
		} else if (base == 8 && buf[i] != '0') {
			buf[--i] = '0';
		} else if (base == 16) {
			buf[--i] = digits[16];
			buf[--i] = '0';
		}
	}
	if (verb == 'O') {
		buf[--i] = 'o';
		buf[--i] = '0';
	}
	if (neg)
		buf[--i] = '-';
	else if (f->plus)
		buf[--i] = '+';
	else if (f->space)
		buf[--i] = ' ';
	old_zero = f->zero;
	f->zero = 0;
	pad(f, buf + i, size - (size_t)i);
	f->zero = old_zero;
}

static void fmt_float(struct fmtst *f, double v, char verb, int prec)
{
	struct gt_str num = { 0 };
	char *s;
	size_t n;

	if (f->prec_present)
		prec = f->prec;
	gt_putc(f->c, &num, '+');
	gt_format_float(f->c, &num, v, verb, prec);
	s = num.s;
	n = num.len;
	if (s[1] == '-' || s[1] == '+') {
		s++;
		n--;
	}
	if (f->sharp && verb != 'b') {
		/* '#': always a decimal point; %g and %x keep their trailing zeros */
		struct gt_str alt = { 0 };
		const char *tail = "";
		int digits = 0, has_point = 0, nonzero = 0;
		size_t i, end = n;

		if (strchr("vgGx", verb))
			digits = prec < 0 ? 6 : prec;
		for (i = 1; i < n; i++) {
			char ch = s[i];

			if (ch == '.') {
				has_point = 1;
			} else if (ch == 'p' || ch == 'P' || ((ch == 'e' || ch == 'E') && verb != 'x' && verb != 'X')) {
				tail = s + i;
				end = i;
				break;
			} else {
				nonzero |= ch != '0';
				if (nonzero)
					digits--;
			}
		}
		gt_puts(f->c, &alt, s, end);
		if (!has_point) {
			if (end == 2 && s[1] == '0')
				digits--;
			gt_putc(f->c, &alt, '.');
		}
		for (; digits > 0; digits--)
			gt_putc(f->c, &alt, '0');
		gt_puts(f->c, &alt, tail, strlen(tail));
		s = alt.s;
		n = alt.len;
	}
	if (f->space && s[0] == '+' && !f->plus)
		s[0] = ' ';
	if (f->plus || s[0] != '+') {
		if (f->zero && !f->minus && f->wid_present && f->wid > (int)n) {
			gt_putc(f->c, f->b, s[0]);
			write_padding(f, f->wid - (int)n);
			gt_puts(f->c, f->b, s + 1, n - 1);
			return;
		}
		pad(f, s, n);
		return;
	}
	pad(f, s + 1, n - 1);
}


void gt_fmt_bad_verb(struct fmtst *f, const struct gt_val *v, uint32_t verb)
{
	struct fmtst g = *f; /* Go keeps the flags for the value it shows */

	gt_puts(f->c, f->b, "%!", 2);
	gt_utf8_put(f->c, f->b, verb);
	gt_putc(f->c, f->b, '(');
	if (v->k == V_INVALID) {
		gt_puts(f->c, f->b, "<nil>", 5);
	} else {
		gt_puts(f->c, f->b, gt_type_name(v), strlen(gt_type_name(v)));
		gt_putc(f->c, f->b, '=');
		gt_fmt_arg(&g, v, 'v');
	}
	gt_putc(f->c, f->b, ')');
}

static void fmt_rune(struct fmtst *f, uint64_t u, uint32_t verb)
{
	struct gt_str s = { 0 };
	uint32_t r = u > 0x10FFFF ? 0xFFFD : (uint32_t)u;

	if (verb == 'c') {
		gt_utf8_put(f->c, &s, r);
	} else if (verb == 'q') {
		quote_rune(f, &s, r); /* fmtQc: no '#' form */
	} else {
		/* fmtUnicode: at least four hex digits, or the precision's count */
		char hex[17];
		int prec = f->prec_present && f->prec > 4 ? f->prec : 4;
		int nd = snprintf(hex, sizeof(hex), "%llX", (unsigned long long)u);
		struct fmtst z = *f;

		gt_puts(f->c, &s, "U+", 2);
		z.b = &s;
		put_repeated(&z, '0', prec - nd);
		gt_puts(f->c, &s, hex, (size_t)nd);
		if (f->sharp && u <= 0x10FFFF && gt_is_print(r)) {
			gt_puts(f->c, &s, " '", 2);
			gt_utf8_put(f->c, &s, r);
			gt_putc(f->c, &s, '\'');
		}
	}
	if (verb == 'U') {
		int old_zero = f->zero;

		f->zero = 0;
		pad(f, s.s, s.len);
		f->zero = old_zero;
		return;
	}
	pad(f, s.s, s.len);
}

void gt_fmt_arg(struct fmtst *f, const struct gt_val *v, uint32_t verb)
{
	if (v->k == V_INVALID || v->k == V_MISSING) {
		if (verb == 'T' || verb == 'v')
			pad(f, "<nil>", 5);
		else
			gt_fmt_bad_verb(f, v, verb);
		return;
	}
	if (verb == 'T') {
		fmt_s(f, gt_type_name(v), strlen(gt_type_name(v)));
		return;
	}
	/* printArg: %p of a value that is no pointer, and %w outside Errorf, are bad
	 * verbs about the whole value (a struct's fields are not visited) */
	if (verb == 'w' || (verb == 'p' && v->k == V_STRUCT)) {
		gt_fmt_bad_verb(f, v, verb);
		return;
	}
	switch (v->k) {
	case V_BOOL:
		if (verb == 't' || verb == 'v')
			pad(f, v->b ? "true" : "false", v->b ? 4 : 5);
		else
			gt_fmt_bad_verb(f, v, verb);
		return;
	case V_INT:
	case V_UINT8: {
		int is_signed = v->k == V_INT;
		uint64_t u = is_signed ? (uint64_t)v->i : v->u;

		switch (verb) {
		case 'v':
			if (f->sharp_v && !is_signed) {
				int old_sharp = f->sharp;

				f->sharp = 1;
				fmt_integer(f, u, 16, 0, 'x', 0);
				f->sharp = old_sharp;
				return;
			}
			/* fall through */
		case 'd': fmt_integer(f, u, 10, is_signed, (char)verb, 0); return;
		case 'b': fmt_integer(f, u, 2, is_signed, (char)verb, 0); return;
		case 'o':
		case 'O': fmt_integer(f, u, 8, is_signed, (char)verb, 0); return;
		case 'x': fmt_integer(f, u, 16, is_signed, (char)verb, 0); return;
		case 'X': fmt_integer(f, u, 16, is_signed, (char)verb, 1); return;
		case 'c':
		case 'q':
		case 'U': fmt_rune(f, u, verb); return;
		default: gt_fmt_bad_verb(f, v, verb); return;
		}
	}
	case V_FLOAT:
	case V_COMPLEX:
		if (!strchr("vbgGxXfFeE", (int)verb) || verb == 0) {
			gt_fmt_bad_verb(f, v, verb);
			return;
		}
		{
			char fv = verb == 'v' ? 'g' : (char)verb;
			int prec = strchr("feEF", fv) ? 6 : -1;

			if (v->k == V_FLOAT) {
				fmt_float(f, v->f, fv, prec);
			} else {
				int old_plus = f->plus;

				gt_putc(f->c, f->b, '(');
				fmt_float(f, v->f, fv, prec);
				f->plus = 1;
				fmt_float(f, v->im, fv, prec);
				gt_puts(f->c, f->b, "i)", 2);
				f->plus = old_plus;
			}
		}
		return;
	case V_STRING:
		switch (verb) {
		case 'v':
			if (f->sharp_v)
				fmt_q(f, v->s, v->slen);
			else
				fmt_s(f, v->s, v->slen);
			return;
		case 's': fmt_s(f, v->s, v->slen); return;
		case 'x': fmt_sx(f, v->s, v->slen, 0); return;
		case 'X': fmt_sx(f, v->s, v->slen, 1); return;
		case 'q': fmt_q(f, v->s, v->slen); return;
		default: gt_fmt_bad_verb(f, v, verb); return;
		}
	case V_STRUCT: {
		struct gt_val field = { .k = V_STRING, .s = v->s, .slen = v->slen };

		if (f->sharp_v)
			gt_puts(f->c, f->b, "registry.templateData", 21);
		gt_putc(f->c, f->b, '{');
		if (f->plus_v || f->sharp_v)
			gt_puts(f->c, f->b, "AppName:", 8);
		gt_fmt_arg(f, &field, verb);
		gt_putc(f->c, f->b, '}');
		return;
	}
	default:
		return;
	}
}

void gt_fmt_value(struct gt_ctx *c, struct gt_str *b, const struct gt_val *v, int plus, int sharp)
{
	struct fmtst f = { .c = c, .b = b, .plus_v = plus, .sharp_v = sharp };

	gt_fmt_arg(&f, v, 'v');
}

void gt_sprint(struct gt_ctx *c, struct gt_str *b, const struct gt_val *args, size_t nargs, int ln)
{
	int prev_string = 0;

	gt_puts(c, b, "", 0);
	for (size_t i = 0; i < nargs; i++) {
		int is_string = args[i].k == V_STRING;

		if (i > 0 && (ln || (!is_string && !prev_string)))
			gt_putc(c, b, ' ');
		gt_fmt_value(c, b, &args[i], 0, 0);
		prev_string = is_string;
	}
	if (ln)
		gt_putc(c, b, '\n');
}
