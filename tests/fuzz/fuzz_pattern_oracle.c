/* Host patterns against their definition: the linear
 * matcher of core/chain.c must answer what the plain backtracking glob
 * answers, whenever the pattern has few enough '*' for that to be cheap.
 * Input: pattern, a NUL byte, host. (fuzz_pattern.c covers validation and
 * crashes; this one covers the answer.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper/chain.h"
#include "helper/config.h"
#include "../unit/helper/pattern_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *pattern, *host;
	size_t stars = 0;

	if (size > 4096)
		return 0;
	buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	pattern = buf;
	host = buf + strlen(buf) + 1;
	if (host > buf + size)
		host = buf + size + 1;
	(void)dr_pattern_problem(pattern);
	(void)dr_pattern_valid(pattern);
	for (const char *c = pattern; *c; c++)
		stars += *c == '*';
	/* the oracle costs length^stars: keep it to small cases */
	if (stars <= 4 && strlen(host) <= 128) {
		int got = dr_pattern_match(pattern, host);

		/* the matcher drops a port when the pattern has none: give the
		 * oracle the same host */
		if ((strchr(pattern, ':') || !strpbrk(host, ":[")) && got != pattern_oracle(pattern, host))
			abort();
	} else {
		(void)dr_pattern_match(pattern, host);
	}
	free(buf);
	return 0;
}
