/* Text from outside made safe for a terminal (dr_text_safe): whatever the
 * bytes, the output holds no C0/C1 control, DEL, bidi or other escaped
 * formatting character and is valid UTF-8, for every output size; and
 * what is not escaped is copied unchanged. */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "fuzz.h"

/* 1 when s is valid UTF-8 without anything dr_text_safe must escape */
static int clean(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned long cp;
		size_t k;

		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			k = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			k = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			k = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (i + k > n)
			return 0;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f || cp == 0x61c || cp == 0x180e ||
		    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb))
			return 0;
		i += k;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size * 6 + 1, sizes[] = { 1, 2, 7, 64, cap };
	char *out = malloc(cap);

	if (!out)
		return 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = dr_text_safe((const char *)data, size, out, sizes[i]);

		if (n >= sizes[i] || out[n] != '\0' || strlen(out) != n ||
		    !clean((const unsigned char *)out, n))
			abort();
	}
	/* the whole output: clean input comes back unchanged */
	if (clean(data, size) && memcmp(out, data, size) != 0)
		abort();
	free(out);
	return 0;
}
