/* image-repo-template: Go text/template source, parsed and executed on
 * struct{ AppName string }. */
#include <stdint.h>
#include <stdlib.h>

#include "gotmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, err[512];
	int is_parse;

	if (gt_render((const char *)data, size, "my-app", &out, &is_parse, err, sizeof(err)) == 0)
		free(out);
	return 0;
}
