/* Manifests for layers compressed on the fly (push_int.h). A manifest
 * whose layers changed gets their new descriptors (digest, size, media
 * type); with zstd a Docker schema 2 manifest becomes an OCI one (Docker's
 * schema has no zstd layer type), config and other layers with it. The
 * config is untouched: its rootfs.diff_ids are the uncompressed digests,
 * which is what they must be. Indexes get their rewritten children. Only
 * changed documents are serialised again; others go out byte for byte. */
#include "push/push_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"

#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_OCI_FOREIGN_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define MT_DOCKER_FOREIGN_GZIP "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* a manifest rewritten: what refers to it must follow */
struct renamed {
	char old[DR_DIGEST_MAX], now[DR_DIGEST_MAX];
	long long size;
	const char *media_type;
};

static const struct dr_layer_out *out_for(const struct dr_push_ctx *c, const char *digest)
{
	for (size_t i = 0; i < c->img->nblobs; i++) {
		if (c->outs[i].set && strcmp(c->img->blobs[i].d.digest, digest) == 0)
			return &c->outs[i];
	}
	return NULL;
}

static void set_str(json_t *obj, const char *key, const char *v)
{
	json_object_set_new(obj, key, json_string(v));
}

/* Docker schema 2 media types as OCI ones (what zstd needs). */
static void to_oci(json_t *root, char **media_type)
{
	static const char *const map[][2] = {
		{ DR_MT_DOCKER_LAYER, MT_OCI_LAYER },
		{ DR_MT_DOCKER_LAYER_GZIP, MT_OCI_LAYER_GZIP },
		{ MT_DOCKER_FOREIGN_GZIP, MT_OCI_FOREIGN_GZIP },
	};
	json_t *config = json_object_get(root, "config"), *l;
	size_t i;

	set_str(root, "mediaType", DR_MT_OCI_MANIFEST);
	free(*media_type);
	*media_type = strdup(DR_MT_OCI_MANIFEST);
	if (strcmp(json_string_value(json_object_get(config, "mediaType")) ?: "",
		   DR_MT_DOCKER_CONFIG) == 0)
		set_str(config, "mediaType", MT_OCI_CONFIG);
	json_array_foreach(json_object_get(root, "layers"), i, l) {
		const char *mt = json_string_value(json_object_get(l, "mediaType")) ?: "";

		for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
			if (strcmp(mt, map[k][0]) == 0) {
				set_str(l, "mediaType", map[k][1]);
				break;
			}
		}
	}
}

static int rewrite_manifest(const struct dr_push_ctx *c, struct dr_manifest *m, json_t *root)
{
	int docker = strcmp(m->media_type, DR_MT_DOCKER_MANIFEST) == 0, changed = 0;
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(root, "layers"), i, l) {
		const struct dr_layer_out *o = out_for(c, json_string_value(json_object_get(l, "digest"))
							   ?: "");
		const char *mt = c->compress == DR_COMPRESS_ZSTD ? MT_OCI_LAYER_ZSTD
				 : docker ? DR_MT_DOCKER_LAYER_GZIP : MT_OCI_LAYER_GZIP;

		if (!o)
			continue;
		set_str(l, "mediaType", mt);
		json_object_set_new(l, "size", json_integer(o->size));
		set_str(l, "digest", o->digest);
		changed = 1;
	}
	if (changed && docker && c->compress == DR_COMPRESS_ZSTD)
		to_oci(root, &m->media_type);
	return changed;
}

static int rewrite_index(struct dr_manifest *m, json_t *root, const struct renamed *rn, size_t n)
{
	int changed = 0, oci_child = 0;
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(root, "manifests"), i, d) {
		const char *dg = json_string_value(json_object_get(d, "digest")) ?: "";

		for (size_t k = 0; k < n; k++) {
			if (strcmp(dg, rn[k].old) != 0)
				continue;
			set_str(d, "digest", rn[k].now);
			json_object_set_new(d, "size", json_integer(rn[k].size));
			set_str(d, "mediaType", rn[k].media_type);
			oci_child |= strcmp(rn[k].media_type, DR_MT_OCI_MANIFEST) == 0;
			changed = 1;
			break;
		}
	}
	/* a Docker list may not name OCI manifests: it becomes an OCI index */
	if (oci_child && strcmp(m->media_type, DR_MT_DOCKER_LIST) == 0) {
		set_str(root, "mediaType", DR_MT_OCI_INDEX);
		free(m->media_type);
		m->media_type = strdup(DR_MT_OCI_INDEX);
	}
	return changed;
}

int dr_push_rewrite_manifests(struct dr_push_ctx *c, struct dr_image *img, struct dr_err *e)
{
	struct renamed *rn;
	size_t nrn = 0;
	int rc, any = 0;

	for (size_t i = 0; c->outs && i < img->nblobs; i++)
		any |= c->outs[i].set;
	if (!any)
		return 0; /* nothing compressed here: every manifest as it is */
	rn = calloc(img->nmanifests + 1, sizeof(*rn));
	rc = rn ? 0 : dr_oom(e);

	/* children come first, so an index sees its children's new names */
	for (size_t i = 0; rc == 0 && i < img->nmanifests; i++) {
		struct dr_manifest *m = &img->manifests[i];
		json_t *root = json_loadb(m->data, m->len, 0, NULL);
		char *text = NULL;
		int changed;

		if (!json_is_object(root)) {
			json_decref(root);
			rc = dr_fail(e, DR_EINVAL, "manifest %s is not JSON", m->digest);
			break;
		}
		changed = m->kind == DR_DOC_INDEX ? rewrite_index(m, root, rn, nrn)
						  : rewrite_manifest(c, m, root);
		if (changed)
			text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(root);
		if (!changed)
			continue;
		if (!text || !m->media_type) {
			free(text);
			rc = dr_oom(e);
			break;
		}
		snprintf(rn[nrn].old, sizeof(rn[nrn].old), "%s", m->digest);
		free(m->data);
		m->data = text;
		m->len = strlen(text);
		dr_sha256_digest(m->data, m->len, m->digest);
		snprintf(rn[nrn].now, sizeof(rn[nrn].now), "%s", m->digest);
		rn[nrn].size = (long long)m->len;
		rn[nrn].media_type = m->media_type;
		nrn++;
	}
	free(rn);
	return rc;
}
