/* libFuzzer target: a CredentialProviderRequest as kubelet would write it
 * to dokku-credential-provider's stdin, through the request parser, the
 * image rules, kubelet's key matching and the response encoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/kube/kube_match.h"
#include "kube/kube_provider.h"

/* tests/fuzz/fuzz.h on main declares it too */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_kube_request req;
	struct dr_kube_image im;
	struct dr_err e = { 0 };
	char *out = NULL;

	if (dr_kube_request_parse((const char *)data, size, &req, &e) != 0)
		return 0;
	if (dr_kube_image_parse(req.image, &im, &e) == 0) {
		const char *keys[] = { im.key, "https://index.docker.io/v1/", "*.example.com" };
		struct dr_kube_answer a = { req.api_version, im.key, "user", "pass", 4, 60,
					    req.has_sa_token };

		(void)dr_kube_lookup(keys, 3, req.image);
		(void)dr_kube_image_allowed(keys, 3, req.image);
		if (dr_kube_response(&a, &out, &e) == 0)
			free(out);
		dr_kube_image_free(&im);
	}
	/* the image also as a glob, to walk the matcher's pattern paths */
	(void)dr_kube_urls_match(req.image, "registry.example.com:5000/dokku/app");
	dr_kube_request_free(&req);
	return 0;
}
