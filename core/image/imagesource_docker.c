/* Legacy `docker save` tarballs (imagesource_int.h): manifest.json names a
 * config and uncompressed layer tars; the Docker v2 schema 2 manifest a
 * registry needs is made here, with digests computed from the data. */
#include "image/imagesource_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The layer's digest and size from the data: the first n bytes (in buf)
 * and the rest of the stream. */
static int hash_layer(struct dr_tar_stream *s, unsigned char *buf, size_t cap, long n,
		      struct dr_descriptor *d, struct dr_err *e)
{
	struct dr_hash *h = dr_hash_new();

	if (!h)
		return dr_fail(e, DR_EIO, "cannot set up sha256");
	d->size = 0;
	while (n > 0) {
		dr_hash_update(h, buf, (size_t)n);
		d->size += n;
		n = dr_tar_stream_read(s, buf, cap, e);
	}
	if (n == 0)
		dr_hash_final(h, d->digest);
	dr_hash_free(h);
	return n < 0 ? (int)n : 0;
}

/* A layer's descriptor, and whether it is gzip'd (its first block says).
 * An uncompressed layer's digest is its diff_id, so only that block is read
 * here; the blob reader checks the digest while the layer is pushed, before
 * anything commits it. A gzip'd one (or one without a usable sha256
 * diff_id) is hashed now. */
static int layer_entry(const struct dr_image *img, const char *path, const char *diff_id,
		       struct dr_descriptor *d, int *gz, struct dr_err *e)
{
	struct dr_tar_stream *s = NULL;
	unsigned char buf[65536];
	long long size = 0;
	long n = 0;
	int rc = dr_tar_stream_open(img->root, path, &s, &size, e);

	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, rc, "%s is missing in %s", path, img->name);
	if (rc == 0)
		n = dr_tar_stream_read(s, buf, sizeof(buf), e);
	if (rc == 0 && n < 0)
		rc = (int)n;
	*gz = rc == 0 && n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
	if (rc == 0 && !*gz && diff_id && strncmp(diff_id, "sha256:", 7) == 0 &&
	    dr_digest_valid(diff_id)) {
		snprintf(d->digest, sizeof(d->digest), "%s", diff_id);
		d->size = size;
	} else if (rc == 0) {
		rc = hash_layer(s, buf, sizeof(buf), n, d, e);
	}
	dr_tar_stream_close(s);
	return rc;
}

static json_t *desc_json(const struct dr_descriptor *d)
{
	return json_pack("{s:s,s:I,s:s}", "mediaType", d->media_type, "size",
			 (json_int_t)d->size, "digest", d->digest);
}

int dr_docker_manifest_make(struct dr_image *img, const struct dr_descriptor *d, size_t n,
			    struct dr_err *e)
{
	json_t *layers = json_array(), *root;
	char digest[DR_DIGEST_MAX], *text;
	int rc;

	for (size_t i = 1; layers && i < n; i++)
		json_array_append_new(layers, desc_json(&d[i]));
	root = json_pack("{s:i,s:s,s:o,s:o}", "schemaVersion", 2, "mediaType",
			 DR_MT_DOCKER_MANIFEST, "config", desc_json(&d[0]), "layers", layers);
	text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	if (!text)
		return dr_oom(e);
	dr_sha256_digest(text, strlen(text), digest);
	rc = dr_image_add_manifest(img, digest, DR_MT_DOCKER_MANIFEST, DR_DOC_MANIFEST, NULL,
				   text, strlen(text), e);
	if (rc)
		free(text);
	return rc;
}

int dr_docker_legacy_load(struct dr_image *img, const char *ref, struct dr_err *e)
{
	struct dr_docker_save_entry ent = { 0 };
	struct dr_buf man = { 0 }, cfg = { 0 };
	struct dr_descriptor *all = NULL, d;
	json_t *config = NULL, *diff_ids;
	int rc = dr_src_read(img, "manifest.json", DR_DOC_MAX, &man, e);

	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, DR_EINVAL, "%s is not a docker save archive (no manifest.json)",
			     img->name);
	if (rc == 0)
		rc = dr_docker_save_parse(man.data, man.len, ref, &ent, e);
	if (rc == 0) {
		all = calloc(ent.nlayers + 1, sizeof(*all));
		rc = all ? dr_src_read(img, ent.config, DR_DOC_MAX, &cfg, e)
			 : dr_oom(e);
	}
	if (rc == 0) {
		config = json_loadb(cfg.data, cfg.len, 0, NULL);
		if (!json_is_object(config))
			rc = dr_fail(e, DR_EINVAL, "%s: config %s is not JSON", img->name, ent.config);
	}
	if (rc == 0) {
		memset(&d, 0, sizeof(d));
		dr_sha256_digest(cfg.data, cfg.len, d.digest);
		d.size = (long long)cfg.len;
		snprintf(d.media_type, sizeof(d.media_type), "%s", DR_MT_DOCKER_CONFIG);
		all[0] = d;
		rc = dr_image_add_blob(img, &d, ent.config, 0, e);
	}
	diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	for (size_t i = 0; rc == 0 && i < ent.nlayers; i++) {
		const char *want = json_string_value(json_array_get(diff_ids, i));
		int gz = 0;

		memset(&d, 0, sizeof(d));
		rc = layer_entry(img, ent.layers[i], want, &d, &gz, e);
		/* hashed now (no usable diff_id): the diff_id still has to match */
		if (rc == 0 && !gz && want && strcmp(want, d.digest) != 0)
			rc = dr_fail(e, DR_EINVAL, "blob %s in %s is corrupt: read %s", want, img->name,
				     d.digest);
		snprintf(d.media_type, sizeof(d.media_type), "%s",
			 gz ? DR_MT_DOCKER_LAYER_GZIP : DR_MT_DOCKER_LAYER);
		all[i + 1] = d;
		if (rc == 0)
			rc = dr_image_add_blob(img, &d, ent.layers[i], 0, e);
	}
	if (rc == 0 && json_array_size(diff_ids) != ent.nlayers)
		rc = dr_fail(e, DR_EINVAL, "%s: the config lists %zu layers, manifest.json %zu",
			     img->name, json_array_size(diff_ids), ent.nlayers);
	if (rc == 0)
		rc = dr_docker_manifest_make(img, all, ent.nlayers + 1, e);
	free(all);
	json_decref(config);
	dr_buf_wipe(&man);
	dr_buf_wipe(&cfg);
	dr_docker_save_entry_free(&ent);
	return rc;
}
