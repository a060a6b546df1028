#include "text.h"

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
