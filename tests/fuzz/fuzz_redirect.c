/* The redirect hop check: a Location (and the URLs it is judged against)
 * as a registry or token service sends them. Input: one flag byte (bit 0:
 * --insecure), then origin, previous URL and Location separated by '\n'. */
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *prev, *next;
	int insecure, same;

	if (size < 1)
		return 0;
	insecure = data[0] & 1;
	s = fz_str(data + 1, size - 1);
	prev = strchr(s, '\n');
	if (prev)
		*prev++ = '\0';
	next = prev ? strchr(prev, '\n') : NULL;
	if (next)
		*next++ = '\0';
	(void)dr_redirect_check(s, prev ? prev : s, next ? next : prev ? prev : s, insecure, &same);
	(void)dr_hop_reason(dr_redirect_check(s, s, next, insecure, &same));
	free(s);
	return 0;
}
