/* A token service's JSON answer (access_token/token, refresh_token,
 * expires_in). */
#include <stdlib.h>

#include "base/secmem.h"
#include "registry/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_token_response tr;

	dr_token_response_parse((const char *)data, size, &tr);
	dr_str_wipe_free(tr.token);
	dr_str_wipe_free(tr.refresh);
	return 0;
}
