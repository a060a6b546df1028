/* The names a classic `docker save` gives its layer directories
 * (imagesource_int.h), worked out from the image's diff_ids alone.
 *
 * Docker before 25 writes each layer as <v1 id>/layer.tar, where the v1 id
 * of layer i is the sha256 of a small JSON document that names the layer's
 * chain ID (layer_id) and the v1 id of the layer below (parent). For every
 * layer but the top one that document holds nothing else: a creation time
 * of the epoch and an empty container_config, written by Go's encoding/json
 * with its keys sorted. So those ids depend on the layer chain only, stay
 * the same from one release of an app to the next for its unchanged lower
 * layers, and tell which layer a directory holds before its bytes arrive.
 * The top layer's document carries the image's own config instead, so its
 * id is not computed here: that layer is still recognised by its data.
 *
 * A directory name equal to a computed id holds the layer of that chain:
 * the id is a sha256 over the chain ID. A daemon that writes the document
 * differently simply gives names that match nothing here, and every layer
 * is then recognised by its data, as before. */
#include "image/imagesource_int.h"

#include <stdio.h>
#include <string.h>

#include "base/digest.h"

/* An empty container.Config as encoding/json writes it (the fields
 * without omitempty, in their declaration order) */
#define EMPTY_CONTAINER_CONFIG                                                              \
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"        \
	"\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"     \
	"\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,"       \
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null}"

int dr_classic_v1_ids(char *const *diff_ids, size_t n, char (*out)[DR_DIGEST_MAX],
		      struct dr_err *e)
{
	char chain[DR_DIGEST_MAX] = "", doc[1024];

	for (size_t i = 0; i < n; i++) {
		int len;

		if (!dr_digest_valid(diff_ids[i]) || strncmp(diff_ids[i], "sha256:", 7) != 0)
			return dr_fail(e, DR_EINVAL, "layer %zu has no sha256 diff_id", i);
		/* ChainID(0) = DiffID(0); ChainID(i) = sha256("ChainID(i-1) DiffID(i)") */
		if (i == 0) {
			snprintf(chain, sizeof(chain), "%s", diff_ids[0]);
		} else {
			char pair[2 * DR_DIGEST_MAX + 2];

			len = snprintf(pair, sizeof(pair), "%s %s", chain, diff_ids[i]);
			dr_sha256_digest(pair, (size_t)len, chain);
		}
		len = snprintf(doc, sizeof(doc), "{\"container_config\":" EMPTY_CONTAINER_CONFIG
			       ",\"created\":\"1970-01-01T00:00:00Z\",\"layer_id\":\"%s\"%s%s%s}",
			       chain, i ? ",\"parent\":\"" : "", i ? out[i - 1] : "", i ? "\"" : "");
		if (len < 0 || (size_t)len >= sizeof(doc))
			return dr_fail(e, DR_EINVAL, "layer %zu: its v1 document does not fit", i);
		dr_sha256_digest(doc, (size_t)len, out[i]);
	}
	return 0;
}
