/* An OCI image layout, in a directory or inside a tar (newer docker save):
 * index.json, the reference chosen, then every manifest and index below it. */
#include "image/imagesource_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 4 /* index -> index -> manifest is already unusual */

/* A manifest or index blob and everything below it: children first. */
static int load_doc(struct dr_image *img, const struct dr_descriptor *d, int depth,
		    struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	struct dr_descriptor *refs = NULL;
	enum dr_doc_kind kind;
	char mt[160], got[DR_DIGEST_MAX], *path = dr_layout_blob_path(d->digest);
	size_t nrefs = 0;
	int rc;

	if (!path)
		return dr_oom(e);
	if (strncmp(d->digest, "sha256:", 7) != 0) {
		free(path);
		return dr_fail(e, DR_EINVAL, "manifest %s: only sha256 digests are supported",
			       d->digest);
	}
	rc = dr_src_read(img, path, DR_DOC_MAX, &buf, e);
	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, rc, "manifest %s%s%s%s is missing in %s", d->digest,
			     d->platform[0] ? " (" : "", d->platform, d->platform[0] ? ")" : "",
			     img->name);
	if (rc == 0) {
		dr_sha256_digest(buf.data, buf.len, got);
		if (strcmp(got, d->digest) != 0 || (long long)buf.len != d->size)
			rc = dr_fail(e, DR_EINVAL, "blob %s in %s is corrupt: read %s (%zu bytes)",
				     d->digest, img->name, got, buf.len);
	}
	if (rc == 0)
		rc = dr_manifest_parse(buf.data, buf.len, d->media_type, &kind, mt, sizeof(mt), &refs,
				       &nrefs, e);
	if (rc == 0 && kind == DR_DOC_INDEX && depth >= MAX_DEPTH)
		rc = dr_fail(e, DR_EINVAL, "indexes nested too deep in %s", img->name);
	for (size_t i = 0; rc == 0 && i < nrefs; i++) {
		char *bp;

		if (kind == DR_DOC_INDEX) {
			rc = load_doc(img, &refs[i], depth + 1, e);
			continue;
		}
		bp = dr_layout_blob_path(refs[i].digest);
		if (!bp)
			rc = dr_oom(e);
		else if (img->kind == DR_SRC_DIR && !refs[i].foreign && !dr_src_has(img, bp))
			rc = dr_fail(e, DR_ENOTFOUND, "blob %s is missing in %s", refs[i].digest,
				     img->name);
		else
			rc = dr_image_add_blob(img, &refs[i], bp,
					       refs[i].foreign && !dr_src_has(img, bp), e);
		free(bp);
	}
	if (rc == 0)
		rc = dr_image_add_manifest(img, d->digest, mt, kind, d->platform, buf.data, buf.len, e);
	if (rc == 0)
		buf.data = NULL; /* the manifest owns it now */
	dr_buf_wipe(&buf);
	free(refs);
	free(path);
	return rc;
}

int dr_oci_load(struct dr_image *img, const char *ref, struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	struct dr_descriptor d;
	int rc = dr_src_read(img, "index.json", DR_DOC_MAX, &buf, e);

	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, DR_EINVAL, "%s is not an OCI image layout (no index.json)", img->name);
	if (rc == 0) {
		rc = dr_oci_index_select(buf.data, buf.len, ref, &d, e);
		if (rc)
			rc = dr_fail(e, rc, "%s: %s", img->name, e ? e->msg : "");
	}
	dr_buf_wipe(&buf);
	return rc ? rc : load_doc(img, &d, 0, e);
}
