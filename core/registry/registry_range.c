/* Range header values of upload sessions (registry.h). */
#include "registry/registry.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int number(const char **pp, long long *out)
{
	const char *p = *pp;
	char *end;

	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*out = strtoll(p, &end, 10);
	if (errno || *out < 0)
		return -1;
	*pp = end;
	return 0;
}

int dr_range_next_offset(const char *value, long long *next)
{
	const char *p = value;
	long long first, last, total;

	if (!p)
		return DR_EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	/* "bytes=0-N" (Range), "bytes 0-N/T" (Content-Range) or bare "0-N" */
	if (strncasecmp(p, "bytes", 5) == 0 && (p[5] == '=' || p[5] == ' '))
		p += 6;
	if (number(&p, &first) != 0 || first != 0 || *p++ != '-' || number(&p, &last) != 0)
		return DR_EINVAL;
	if (*p == '/') {
		p++;
		if (*p == '*')
			p++;
		else if (number(&p, &total) != 0 || total <= last)
			return DR_EINVAL;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || last == LLONG_MAX)
		return DR_EINVAL;
	/* distribution answers "0-0" for an empty session as well as for one
	 * byte; resuming at 0 is always safe, resuming at 1 may skip a byte */
	*next = last == 0 ? 0 : last + 1;
	return 0;
}

int dr_range_resume(const char *value, long long have, long long size, long long *next)
{
	long long n;

	if (dr_range_next_offset(value, &n) != 0 || n > have || n > size)
		return DR_EINVAL;
	*next = n;
	return 0;
}
