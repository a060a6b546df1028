/* Host patterns of the `helpers` config: "pattern\nhost[:port]". */
#include <stdlib.h>
#include <string.h>

#include "helper/chain.h"
#include "helper/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	char *nl = strchr(s, '\n');
	const char *host = "registry.example.com:5000";

	if (nl) {
		*nl = '\0';
		host = nl + 1;
	}
	if (dr_pattern_valid(s))
		(void)dr_pattern_match(s, host);
	free(s);
	return 0;
}
