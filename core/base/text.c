#include "text.h"

#include <ctype.h>
#include <string.h>

char *dr_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && isspace((unsigned char)s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}
