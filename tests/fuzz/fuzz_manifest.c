/* Manifests and indexes (OCI and Docker schema 2), and OCI index.json
 * selection by ref. */
#include <stdlib.h>

#include "image/imagesource.h"
#include "fuzz.h"

static const char *const desc_types[] = {
	NULL,
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_err e = { 0 };
	struct dr_descriptor d;

	for (size_t i = 0; i < sizeof(desc_types) / sizeof(desc_types[0]); i++) {
		struct dr_descriptor *refs = NULL;
		enum dr_doc_kind kind;
		char mt[256];
		size_t n = 0;

		if (dr_manifest_parse((const char *)data, size, desc_types[i], &kind, mt, sizeof(mt),
				      &refs, &n, &e) == 0)
			free(refs);
	}
	(void)dr_oci_index_select((const char *)data, size, NULL, &d, &e);
	(void)dr_oci_index_select((const char *)data, size, "latest", &d, &e);
	return 0;
}
