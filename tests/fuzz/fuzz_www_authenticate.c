/* A registry's WWW-Authenticate header value. */
#include <stdlib.h>

#include "registry/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	struct dr_auth_challenge ch;

	(void)dr_www_authenticate_parse(s, &ch);
	free(s);
	return 0;
}
