/* A registry's error body, turned into the one line we show (with the
 * secret scrubbed from it). */
#include <stdlib.h>

#include "registry/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512];

	dr_registry_error_text((const char *)data, size, "s3cret", out, sizeof(out));
	dr_registry_error_text((const char *)data, size, NULL, out, sizeof(out));
	/* escaped for a terminal: no control byte */
	for (const char *p = out; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	}
	return 0;
}
