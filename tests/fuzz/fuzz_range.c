/* The Range header of an upload-status answer. */
#include <stdlib.h>

#include "registry/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	long long next;

	(void)dr_range_next_offset(s, &next);
	free(s);
	return 0;
}
