/* A kubeconfig: parsed with every context selection the commands use
 * (current-context, a named one); nothing is read from disk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const contexts[] = { NULL, "default", "second" };
	struct dr_kubeconfig kc;
	struct dr_err e = { 0 };

	for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
		if (dr_kubeconfig_parse((const char *)data, size, contexts[i], "/nonexistent", &kc,
					&e) == 0)
			dr_kubeconfig_free(&kc);
	}
	return 0;
}
