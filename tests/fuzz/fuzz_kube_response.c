/* What a Kubernetes API server answers: a Secret (whose is it?) or a
 * Status (its message for the error line). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube_api.h"
#include "kube/kube_secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_kube_resp r = { 0 };
	char *msg;

	(void)dr_kube_secret_owner((const char *)data, size, "app");
	r.status = 409;
	r.body.data = malloc(size + 1);
	if (!r.body.data)
		return 0;
	memcpy(r.body.data, data, size);
	r.body.data[size] = '\0';
	r.body.len = size;
	r.body.cap = size + 1;
	msg = dr_kube_status_message(&r);
	/* escaped for a terminal: no control byte, at most 300 bytes */
	for (const char *p = msg; p && *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f || p - msg >= 300)
			abort();
	}
	free(msg);
	dr_kube_resp_free(&r);
	return 0;
}
