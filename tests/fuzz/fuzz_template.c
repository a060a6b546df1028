/* image-repo-template: Go text/template source, parsed and executed on
 * struct{ AppName string }. */
#include <stdint.h>
#include <stdlib.h>

#include "template/gotmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_result r;

	if (gt_render((const char *)data, size, "my-app", &r) == 0) {
		if (r.out[r.out_len] != '\0' || r.out_len > GT_MAX_OUTPUT)
			__builtin_trap();
		free(r.out);
	} else if (r.out || r.err_len == 0 || r.err_len >= sizeof(r.err) || r.err[r.err_len] != '\0') {
		__builtin_trap();
	}
	return 0;
}
