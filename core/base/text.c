#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The UTF-8 forms of U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F and U+3000: the three-byte white space of Go's unicode.IsSpace. */
static int space3(const unsigned char *s)
{
	if (s[0] == 0xe1)
		return s[1] == 0x9a && s[2] == 0x80;
	if (s[0] == 0xe2 && s[1] == 0x80)
		return (s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 ||
		       s[2] == 0xaf;
	if (s[0] == 0xe2)
		return s[1] == 0x81 && s[2] == 0x9f;
	return s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80;
}

/* Length of the white space character that is exactly s[0..n), else 0:
 * ASCII space, \t-\r, U+0085, U+00A0 or a three-byte one. */
static size_t space_len(const unsigned char *s, size_t n)
{
	if (n == 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n == 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n == 3 && space3(s))
		return 3;
	return 0;
}

/* The white space character at the start of s[0..n), its length or 0. */
static size_t leading_space(const unsigned char *s, size_t n)
{
	for (size_t w = 1; w <= 3 && w <= n; w++) {
		if (space_len(s, w))
			return w;
	}
	return 0;
}

/* The one at the end. A lead byte is never a continuation byte, so
 * matching from the end finds what decoding from the start would. */
static size_t trailing_space(const unsigned char *s, size_t n)
{
	for (size_t w = 1; w <= 3 && w <= n; w++) {
		if (space_len(s + n - w, w))
			return w;
	}
	return 0;
}

char *dr_trim(char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0, end = strlen(s);

	for (;;) {
		size_t w = start < end ? leading_space(u + start, end - start) : 0;

		if (!w)
			break;
		start += w;
	}
	for (;;) {
		size_t w = end > start ? trailing_space(u + start, end - start) : 0;

		if (!w)
			break;
		end -= w;
	}
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

/* ---- text from outside, for a terminal ---- */

/* The code point of the well-formed UTF-8 sequence at s[0..n), its length
 * in *len; -1 when s does not start with one (a stray continuation byte,
 * an overlong form, a surrogate, beyond U+10FFFF, cut short). */
static long utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	long cp, min;
	size_t k;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return -1;
	if (n < k)
		return -1;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k;
	return cp;
}

/* Code points a terminal acts on or that change how the line reads:
 * C0, DEL, C1, and the invisible formatting ones (bidi embeddings,
 * overrides and isolates, marks, zero-width characters, line and
 * paragraph separators, the BOM, interlinear annotation). */
static int must_escape(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c || cp == 0x180e ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

size_t dr_text_safe(const char *in, size_t len, char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	if (n == 0)
		return 0;
	while (i < len) {
		char esc[16];
		const char *piece = esc;
		size_t k = 1, plen;
		long cp = utf8_decode(s + i, len - i, &k);

		if (cp < 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			k = 1;
		} else if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x1b) {
			snprintf(esc, sizeof(esc), "\\%c", cp == '\t' ? 't' : cp == '\n' ? 'n' :
				 cp == '\r' ? 'r' : 'e');
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02lx", cp);
		} else if (must_escape(cp)) {
			snprintf(esc, sizeof(esc), "\\u%04lx", cp);
		} else {
			piece = in + i;
		}
		plen = piece == esc ? strlen(esc) : k;
		if (o + plen + 1 > n)
			break; /* never half a character or half an escape */
		memcpy(out + o, piece, plen);
		o += plen;
		i += k;
	}
	out[o] = '\0';
	return o;
}

char *dr_text_safe_dup(const char *s)
{
	size_t len = strlen(s), n = len * 6 + 1; /* \u202e: 6 bytes for 3 */
	char *out = malloc(n);

	if (out)
		dr_text_safe(s, len, out, n);
	return out;
}
