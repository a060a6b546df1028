/* Server keys and image references as users and clients write them. */
#include <stdlib.h>

#include "base/serverurl.h"
#include "push/push.h"
#include "registry/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	struct dr_err e = { 0 };
	struct dr_image_ref ref;
	char *key = NULL, *host = NULL;

	if (dr_serverurl_canonical(s, &key, &e) == 0) {
		char **aliases = dr_serverurl_aliases(key, 1);
		char *kh = dr_serverurl_key_host(key);

		dr_strv_free(aliases);
		free(kh);
		free(key);
	}
	if (dr_registry_api_host(s, &host, &e) == 0) {
		(void)dr_host_is_loopback(host);
		free(host);
	}
	if (dr_image_ref_parse(s, &ref, &e) == 0) {
		char out[1024];

		dr_image_ref_format(&ref, out, sizeof(out));
	}
	free(s);
	return 0;
}
