/* Arena, strings, UTF-8, and the strconv pieces text/template relies on:
 * Quote, Unquote and Go's number literal syntax. */
#include "template/gotmpl.h"
#include "template/gotmpl_unicode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gt_block {
	struct gt_block *next;
	size_t used, cap;
	max_align_t data[];
};

void *gt_alloc(struct gt_ctx *c, size_t n)
{
	struct gt_block *b = c->blocks;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!b || b->cap - b->used < need) {
		size_t cap = need > 16384 ? need : 16384;

		if (c->used_total + cap > GT_MAX_ARENA)
			gt_die(c, "template: out of memory (more than %u bytes)", GT_MAX_ARENA);
		b = malloc(sizeof(*b) + cap);
		if (!b)
			gt_die(c, "template: out of memory");
		b->next = c->blocks;
		b->used = 0;
		b->cap = cap;
		c->blocks = b;
		c->used_total += cap;
	}
	b->used += need;
	return (char *)b->data + b->used - need;
}

char *gt_strndup(struct gt_ctx *c, const char *s, size_t n)
{
	char *d = gt_alloc(c, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void gt_free_all(struct gt_ctx *c)
{
	while (c->blocks) {
		struct gt_block *b = c->blocks;

		c->blocks = b->next;
		free(b);
	}
	c->used_total = 0;
}

void gt_die(struct gt_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->err_len = strlen(c->err);
	longjmp(c->jb, 1);
}

void gt_die_bytes(struct gt_ctx *c, const char *msg, size_t n)
{
	if (n > sizeof(c->err) - 1)
		n = sizeof(c->err) - 1;
	memcpy(c->err, msg, n);
	c->err[n] = '\0';
	c->err_len = n;
	longjmp(c->jb, 1);
}

void gt_puts(struct gt_ctx *c, struct gt_str *b, const char *s, size_t n)
{
	gt_charge_text(c, n);
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns;

		if (cap < 32)
			cap = 32;
		ns = gt_alloc(c, cap);
		if (b->len)
			memcpy(ns, b->s, b->len);
		b->s = ns;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void gt_putc(struct gt_ctx *c, struct gt_str *b, char ch)
{
	gt_puts(c, b, &ch, 1);
}

void gt_vprintf(struct gt_ctx *c, struct gt_str *b, const char *fmt, va_list ap)
{
	char tmp[512];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);

	if (n < 0)
		n = 0;
	gt_puts(c, b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void gt_printf(struct gt_ctx *c, struct gt_str *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_vprintf(c, b, fmt, ap);
	va_end(ap);
}

uint32_t gt_utf8_decode(const char *str, size_t n, size_t *width)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t r, min;
	size_t len;

	*width = 1;
	if (n == 0)
		return 0xFFFD;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		r = s[0] & 0x1F;
		min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		r = s[0] & 0x0F;
		min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		r = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0xFFFD;
	}
	if (n < len)
		return 0xFFFD;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		r = (r << 6) | (s[i] & 0x3F);
	}
	if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		return 0xFFFD;
	*width = len;
	return r;
}

void gt_utf8_put(struct gt_ctx *c, struct gt_str *b, uint32_t r)
{
	char u[4];
	size_t n;

	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		u[0] = (char)r;
		n = 1;
	} else if (r < 0x800) {
		u[0] = (char)(0xC0 | (r >> 6));
		u[1] = (char)(0x80 | (r & 0x3F));
		n = 2;
	} else if (r < 0x10000) {
		u[0] = (char)(0xE0 | (r >> 12));
		u[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[2] = (char)(0x80 | (r & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (r >> 18));
		u[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[3] = (char)(0x80 | (r & 0x3F));
		n = 4;
	}
	gt_puts(c, b, u, n);
}

static int in_ranges(const struct gt_range *t, size_t n, uint32_t r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < t[mid].lo)
			hi = mid;
		else if (r > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* Go's unicode.IsLetter, IsDigit, IsSpace and IsPrint (strconv.IsPrint is the
 * same set) from the generated Unicode tables (gotmpl_unicode.c). */
int gt_is_letter(uint32_t r)
{
	return in_ranges(gt_letter_ranges, gt_letter_ranges_n, r);
}

int gt_is_digit(uint32_t r)
{
	return in_ranges(gt_digit_ranges, gt_digit_ranges_n, r);
}

int gt_is_space(uint32_t r)
{
	return in_ranges(gt_space_ranges, gt_space_ranges_n, r);
}

/* letters, marks, numbers, punctuation, symbols, and the ASCII space */
int gt_is_print(uint32_t r)
{
	return r == ' ' || in_ranges(gt_print_ranges, gt_print_ranges_n, r);
}

void gt_quote(struct gt_ctx *c, struct gt_str *b, const char *s, size_t n, int max_runes, int ascii)
{
	size_t i = 0;
	int runes = 0;

	gt_putc(c, b, '"');
	while (i < n && (max_runes < 0 || runes < max_runes)) {
		size_t w;
		uint32_t r = gt_utf8_decode(s + i, n - i, &w);

		runes++;
		if (r == 0xFFFD && w == 1) {
			gt_printf(c, b, "\\x%02x", (unsigned char)s[i]);
		} else if (r == '"' || r == '\\') {
			gt_putc(c, b, '\\');
			gt_putc(c, b, (char)r);
		} else if (gt_is_print(r) && (!ascii || r < 0x80)) {
			gt_puts(c, b, s + i, w);
		} else {
			switch (r) {
			case '\a': gt_puts(c, b, "\\a", 2); break;
			case '\b': gt_puts(c, b, "\\b", 2); break;
			case '\f': gt_puts(c, b, "\\f", 2); break;
			case '\n': gt_puts(c, b, "\\n", 2); break;
			case '\r': gt_puts(c, b, "\\r", 2); break;
			case '\t': gt_puts(c, b, "\\t", 2); break;
			case '\v': gt_puts(c, b, "\\v", 2); break;
			default:
				if (r < ' ' || r == 0x7F)
					gt_printf(c, b, "\\x%02x", (unsigned)r);
				else if (r < 0x10000)
					gt_printf(c, b, "\\u%04x", (unsigned)r);
				else
					gt_printf(c, b, "\\U%08x", (unsigned)r);
			}
		}
		i += w;
	}
	gt_putc(c, b, '"');
}

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

/* strconv.UnquoteChar: one (possibly escaped) character of a q-quoted literal. */
static int unquote_char(const char **sp, const char *end, char q, uint32_t *r, int *is_byte)
{
	const char *s = *sp;
	size_t w, k = 0;
	uint32_t v = 0;

	*is_byte = 0;
	if (s >= end || *s == q)
		return -1;
	if (*s != '\\') {
		*r = gt_utf8_decode(s, (size_t)(end - s), &w);
		*sp = s + w;
		return 0;
	}
	if (++s >= end)
		return -1;
	switch (*s++) {
	case 'a': *r = '\a'; break;
	case 'b': *r = '\b'; break;
	case 'f': *r = '\f'; break;
	case 'n': *r = '\n'; break;
	case 'r': *r = '\r'; break;
	case 't': *r = '\t'; break;
	case 'v': *r = '\v'; break;
	case '\\': *r = '\\'; break;
	case '\'':
	case '"':
		if (s[-1] != q)
			return -1;
		*r = (uint32_t)s[-1];
		break;
	case 'x': k = 2; /* fall through */
	case 'u': if (!k) k = 4; /* fall through */
	case 'U':
		if (!k)
			k = 8;
		if ((size_t)(end - s) < k)
			return -1;
		for (size_t i = 0; i < k; i++) {
			int h = hexval(s[i]);

			if (h < 0)
				return -1;
			v = v << 4 | (uint32_t)h;
		}
		s += k;
		if (k == 2) {
			*is_byte = 1;
		} else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
			return -1;
		}
		*r = v;
		break;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		v = (uint32_t)(s[-1] - '0');
		if (end - s < 2)
			return -1;
		for (int i = 0; i < 2; i++) {
			if (s[i] < '0' || s[i] > '7')
				return -1;
			v = v * 8 + (uint32_t)(s[i] - '0');
		}
		if (v > 255)
			return -1;
		s += 2;
		*r = v;
		*is_byte = 1;
		break;
	default:
		return -1;
	}
	*sp = s;
	return 0;
}

int gt_unquote_char(const char **sp, const char *end, char q, uint32_t *r)
{
	int is_byte;

	return unquote_char(sp, end, q, r, &is_byte);
}

int gt_unquote(struct gt_ctx *c, const char *s, size_t n, char **out, size_t *outlen, uint32_t *rune)
{
	struct gt_str b = { 0 };
	const char *p, *end;
	char q;

	if (n < 2 || s[0] != s[n - 1])
		return -1;
	q = s[0];
	p = s + 1;
	end = s + n - 1;
	gt_puts(c, &b, "", 0);
	if (q == '`') {
		for (; p < end; p++) {
			if (*p == '`')
				return -1;
			if (*p != '\r')
				gt_putc(c, &b, *p);
		}
	} else if (q == '"' || q == '\'') {
		int count = 0;

		while (p < end) {
			uint32_t r;
			int is_byte;

			if (*p == '\n' || unquote_char(&p, end, q, &r, &is_byte))
				return -1;
			if (is_byte && q == '"')
				gt_putc(c, &b, (char)r);
			else
				gt_utf8_put(c, &b, r);
			if (rune)
				*rune = r;
			count++;
		}
		if (q == '\'' && count != 1)
			return -1;
	} else {
		return -1;
	}
	*out = b.s;
	*outlen = b.len;
	return 0;
}

/* Go's truth: the zero value of its type is false */
int gt_truth(const struct gt_val *v)
{
	switch (v->k) {
	case V_BOOL: return v->b;
	case V_INT: return v->i != 0;
	case V_UINT8: return v->u != 0;
	case V_FLOAT: return v->f != 0;
	case V_COMPLEX: return v->f != 0 || v->im != 0;
	case V_STRING: return v->slen > 0;
	case V_STRUCT: return 1;
	default: return 0;
	}
}
