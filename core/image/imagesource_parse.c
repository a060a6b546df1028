/* The pure half of core/imagesource: index.json, manifests, indexes and
 * docker save's manifest.json (jansson), digests. */
#include "image/imagesource_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_NAME "org.opencontainers.image.ref.name"
#define CONTAINERD_NAME "io.containerd.image.name"

int dr_digest_valid(const char *d)
{
	size_t hex;

	if (!d)
		return 0;
	if (strncmp(d, "sha256:", 7) == 0)
		hex = 64;
	else if (strncmp(d, "sha512:", 7) == 0)
		hex = 128;
	else
		return 0;
	d += 7;
	for (size_t i = 0; i < hex; i++) {
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return 0;
	}
	return d[hex] == '\0';
}

static int is_foreign(const char *mt)
{
	return strstr(mt, "foreign") != NULL || strstr(mt, "nondistributable") != NULL;
}

/* A descriptor object: digest, size, mediaType, platform. */
static int descriptor(json_t *o, struct dr_descriptor *d, const char *what, struct dr_err *e)
{
	json_t *dg = json_object_get(o, "digest"), *sz = json_object_get(o, "size");
	json_t *mt = json_object_get(o, "mediaType"), *pf = json_object_get(o, "platform");
	const char *os = json_string_value(json_object_get(pf, "os"));
	const char *arch = json_string_value(json_object_get(pf, "architecture"));
	const char *variant = json_string_value(json_object_get(pf, "variant"));

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o) || !dr_digest_valid(json_string_value(dg)))
		return dr_fail(e, DR_EINVAL, "%s has no valid digest", what);
	if (!json_is_integer(sz) || json_integer_value(sz) < 0)
		return dr_fail(e, DR_EINVAL, "%s %s has no valid size", what, json_string_value(dg));
	snprintf(d->digest, sizeof(d->digest), "%s", json_string_value(dg));
	d->size = json_integer_value(sz);
	if (json_is_string(mt) && json_string_length(mt) < sizeof(d->media_type))
		snprintf(d->media_type, sizeof(d->media_type), "%s", json_string_value(mt));
	if (os && arch)
		snprintf(d->platform, sizeof(d->platform), "%s/%s%s%s", os, arch,
			 variant ? "/" : "", variant ? variant : "");
	d->foreign = is_foreign(d->media_type);
	return 0;
}

static int ref_matches(json_t *desc, const char *ref)
{
	json_t *ann = json_object_get(desc, "annotations");
	const char *a = json_string_value(json_object_get(ann, REF_NAME));
	const char *c = json_string_value(json_object_get(ann, CONTAINERD_NAME));

	return (a && strcmp(a, ref) == 0) || (c && strcmp(c, ref) == 0);
}

int dr_oci_index_select(const char *json, size_t len, const char *ref,
			struct dr_descriptor *out, struct dr_err *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	json_t *list = json_object_get(root, "manifests"), *pick = NULL;
	int rc;

	if (!json_is_object(root) || !json_is_array(list)) {
		json_decref(root);
		return dr_fail(e, DR_EINVAL, "index.json is not an OCI index%s%s",
			       root ? "" : ": ", root ? "" : jerr.text);
	}
	if (ref && *ref) {
		for (size_t i = 0; i < json_array_size(list) && !pick; i++) {
			if (ref_matches(json_array_get(list, i), ref))
				pick = json_array_get(list, i);
		}
	} else {
		pick = json_array_get(list, 0);
	}
	if (!pick) {
		rc = ref && *ref ? dr_fail(e, DR_ENOTFOUND, "no image named \"%s\" in index.json", ref)
				 : dr_fail(e, DR_ENOTFOUND, "index.json lists no image");
		json_decref(root);
		return rc;
	}
	rc = descriptor(pick, out, "the index.json entry", e);
	json_decref(root);
	return rc;
}

static int known_type(const char *mt, enum dr_doc_kind *kind)
{
	if (strcmp(mt, DR_MT_OCI_MANIFEST) == 0 || strcmp(mt, DR_MT_DOCKER_MANIFEST) == 0)
		*kind = DR_DOC_MANIFEST;
	else if (strcmp(mt, DR_MT_OCI_INDEX) == 0 || strcmp(mt, DR_MT_DOCKER_LIST) == 0)
		*kind = DR_DOC_INDEX;
	else
		return 0;
	return 1;
}

/* Kind and media type: the descriptor's, else the document's own, else
 * its shape (OCI allows both fields to be absent). */
static int doc_type(json_t *root, const char *desc_type, enum dr_doc_kind *kind,
		    char *mt, size_t mt_size, struct dr_err *e)
{
	const char *own = json_string_value(json_object_get(root, "mediaType"));
	const char *t = desc_type && *desc_type ? desc_type : own;

	if (json_integer_value(json_object_get(root, "schemaVersion")) == 1)
		return dr_fail(e, DR_EINVAL, "Docker schema 1 manifests are not supported");
	if (t && !known_type(t, kind))
		return dr_fail(e, DR_EINVAL, "unsupported manifest media type \"%s\"", t);
	if (!t && json_is_array(json_object_get(root, "manifests"))) {
		t = DR_MT_OCI_INDEX;
		*kind = DR_DOC_INDEX;
	} else if (!t) {
		t = DR_MT_OCI_MANIFEST;
		*kind = DR_DOC_MANIFEST;
	}
	snprintf(mt, mt_size, "%s", t);
	return 0;
}

static int collect(json_t *root, enum dr_doc_kind kind, struct dr_descriptor **refs,
		   size_t *nrefs, struct dr_err *e)
{
	json_t *list = json_object_get(root, kind == DR_DOC_INDEX ? "manifests" : "layers");
	json_t *config = json_object_get(root, "config");
	size_t n = json_array_size(list), o = 0;
	int rc = 0;

	if (!json_is_array(list) || (kind == DR_DOC_MANIFEST && !json_is_object(config)))
		return dr_fail(e, DR_EINVAL, "manifest has no %s",
			       kind == DR_DOC_INDEX ? "manifests list" : "config or layers");
	*refs = calloc(n + 1, sizeof(**refs));
	if (!*refs)
		return dr_oom(e);
	if (kind == DR_DOC_MANIFEST)
		rc = descriptor(config, &(*refs)[o++], "the config", e);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = descriptor(json_array_get(list, i), &(*refs)[o++],
				kind == DR_DOC_INDEX ? "a child manifest" : "a layer", e);
	if (rc) {
		free(*refs);
		*refs = NULL;
		return rc;
	}
	*nrefs = o;
	return 0;
}

int dr_manifest_parse(const char *data, size_t len, const char *desc_type,
		      enum dr_doc_kind *kind, char *media_type, size_t mt_size,
		      struct dr_descriptor **refs, size_t *nrefs, struct dr_err *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);
	int rc;

	*refs = NULL;
	*nrefs = 0;
	if (!json_is_object(root)) {
		json_decref(root);
		return dr_fail(e, DR_EINVAL, "manifest is not a JSON object%s%s", root ? "" : ": ",
			       root ? "" : jerr.text);
	}
	rc = doc_type(root, desc_type, kind, media_type, mt_size, e);
	if (rc == 0)
		rc = collect(root, *kind, refs, nrefs, e);
	json_decref(root);
	return rc;
}

void dr_docker_save_entry_free(struct dr_docker_save_entry *d)
{
	for (size_t i = 0; i < d->nlayers; i++)
		free(d->layers[i]);
	free(d->layers);
	free(d->config);
	memset(d, 0, sizeof(*d));
}

static int has_tag(json_t *entry, const char *ref)
{
	json_t *tags = json_object_get(entry, "RepoTags");

	for (size_t i = 0; i < json_array_size(tags); i++) {
		const char *t = json_string_value(json_array_get(tags, i));

		if (t && strcmp(t, ref) == 0)
			return 1;
	}
	return 0;
}

int dr_docker_save_parse(const char *json, size_t len, const char *ref,
			 struct dr_docker_save_entry *out, struct dr_err *e)
{
	json_t *root = json_loadb(json, len, 0, NULL), *pick = NULL, *layers;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < json_array_size(root) && !pick; i++) {
		if (!ref || !*ref || has_tag(json_array_get(root, i), ref))
			pick = json_array_get(root, i);
	}
	layers = json_object_get(pick, "Layers");
	if (!json_is_array(root))
		rc = dr_fail(e, DR_EINVAL, "manifest.json is not a docker save manifest");
	else if (!pick)
		rc = ref && *ref ? dr_fail(e, DR_ENOTFOUND, "no image tagged \"%s\" in manifest.json", ref)
				 : dr_fail(e, DR_ENOTFOUND, "manifest.json lists no image");
	else if (!json_is_string(json_object_get(pick, "Config")) || !json_is_array(layers))
		rc = dr_fail(e, DR_EINVAL, "manifest.json entry has no Config or Layers");
	if (rc == 0) {
		out->config = strdup(json_string_value(json_object_get(pick, "Config")));
		out->layers = calloc(json_array_size(layers) + 1, sizeof(char *));
		if (!out->config || !out->layers)
			rc = dr_oom(e);
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(layers); i++) {
		const char *l = json_string_value(json_array_get(layers, i));

		if (!l) {
			rc = dr_fail(e, DR_EINVAL, "manifest.json lists a layer that is not a path");
			break;
		}
		out->layers[out->nlayers] = strdup(l);
		if (!out->layers[out->nlayers++])
			rc = dr_oom(e);
	}
	json_decref(root);
	if (rc)
		dr_docker_save_entry_free(out);
	return rc;
}
