/* Opening an image source (imagesource.h): SRC strings, the image's
 * manifests and blob list, OCI layouts in a directory or a tar. */
#include "image/imagesource_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/atomicfile.h"

#define MAX_DEPTH 4 /* index -> index -> manifest is already unusual */

char *dr_layout_blob_path(const char *digest)
{
	const char *colon = strchr(digest, ':');
	char *p = NULL;

	if (!colon || asprintf(&p, "blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1) < 0)
		return NULL;
	return p;
}

int dr_src_read(const struct dr_image *img, const char *path, size_t limit,
		struct dr_buf *out, struct dr_err *e)
{
	char *full = NULL;
	int rc;

	if (img->kind == DR_SRC_TAR)
		return dr_tar_read(img->root, path, limit, out, e);
	if (asprintf(&full, "%s/%s", img->root, path) < 0)
		return dr_oom(e);
	rc = dr_file_read(full, limit, out, e);
	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, DR_ENOTFOUND, "%s has no %s", img->root, path);
	free(full);
	return rc;
}

int dr_src_has(const struct dr_image *img, const char *path)
{
	char *full = NULL;
	int has;

	if (img->kind == DR_SRC_TAR)
		return dr_tar_has(img->root, path);
	if (asprintf(&full, "%s/%s", img->root, path) < 0)
		return 0;
	has = dr_is_file(full);
	free(full);
	return has;
}

int dr_image_add_blob(struct dr_image *img, const struct dr_descriptor *d, const char *path,
		      int absent, struct dr_err *e)
{
	struct dr_blob *nb;

	for (size_t i = 0; i < img->nblobs; i++) {
		if (strcmp(img->blobs[i].d.digest, d->digest) == 0)
			return 0;
	}
	nb = realloc(img->blobs, (img->nblobs + 1) * sizeof(*nb));
	if (!nb)
		return dr_oom(e);
	img->blobs = nb;
	nb = &img->blobs[img->nblobs];
	memset(nb, 0, sizeof(*nb));
	nb->d = *d;
	nb->absent = absent;
	nb->path = strdup(path);
	if (!nb->path)
		return dr_oom(e);
	img->nblobs++;
	return 0;
}

int dr_image_add_manifest(struct dr_image *img, const char *digest, const char *media_type,
			  enum dr_doc_kind kind, const char *platform, char *data, size_t len,
			  struct dr_err *e)
{
	struct dr_manifest *nm = realloc(img->manifests, (img->nmanifests + 1) * sizeof(*nm));

	if (!nm)
		return dr_oom(e);
	img->manifests = nm;
	nm = &img->manifests[img->nmanifests];
	memset(nm, 0, sizeof(*nm));
	snprintf(nm->digest, sizeof(nm->digest), "%s", digest);
	snprintf(nm->platform, sizeof(nm->platform), "%s", platform ? platform : "");
	nm->media_type = strdup(media_type);
	if (!nm->media_type)
		return dr_oom(e);
	nm->kind = kind;
	nm->data = data;
	nm->len = len;
	img->nmanifests++;
	return 0;
}

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

/* Splits "PATH[:REF]" where PATH must exist as a directory (want_dir) or a
 * file; the longest existing prefix wins. */
static int split_src(const char *rest, int want_dir, char **path, char **ref)
{
	size_t n = strlen(rest);

	for (size_t cut = n; cut > 0; cut--) {
		struct stat st;
		char *p;

		if (cut != n && rest[cut] != ':')
			continue;
		p = strndup(rest, cut);
		if (!p)
			return -1;
		if (stat(p, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) {
			*path = p;
			*ref = cut == n ? NULL : strdup(rest + cut + 1);
			return 0;
		}
		free(p);
	}
	return -1;
}

int dr_image_open(const char *src, struct dr_image **out, struct dr_err *e)
{
	struct dr_image *img = calloc(1, sizeof(*img));
	char *ref = NULL;
	int rc = 0, dir = strncmp(src, "oci:", 4) == 0;
	int archive = strncmp(src, "docker-archive:", 15) == 0;
	int daemon = strncmp(src, "docker-daemon:", 14) == 0;

	*out = NULL;
	if (img)
		img->name = strdup(src);
	if (!img || !img->name) {
		free(img);
		return dr_oom(e);
	}
	img->kind = dir ? DR_SRC_DIR : daemon ? DR_SRC_DAEMON : DR_SRC_TAR;
	if (!dir && !archive && !daemon)
		rc = dr_fail(e, DR_EINVAL, "unsupported image source \"%s\": use oci:DIR[:REF], "
			     "docker-archive:FILE[:REF] or docker-daemon:NAME[:TAG]", src);
	else if (daemon)
		rc = dr_daemon_load(img, src + 14, e);
	else if (split_src(src + (dir ? 4 : 15), dir, &img->root, &ref) != 0)
		rc = dr_fail(e, DR_ENOTFOUND, "%s: no such %s", src, dir ? "directory" : "file");
	/* newer docker save writes an OCI layout inside the tar */
	else if (dir || (dr_tar_has(img->root, "index.json") && dr_tar_has(img->root, "oci-layout")))
		rc = dr_oci_load(img, ref, e);
	else
		rc = dr_docker_legacy_load(img, ref, e);
	free(ref);
	if (rc) {
		dr_image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}

const struct dr_manifest *dr_image_top(const struct dr_image *img)
{
	return img->nmanifests ? &img->manifests[img->nmanifests - 1] : NULL;
}

void dr_image_free(struct dr_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nblobs; i++)
		free(img->blobs[i].path);
	for (size_t i = 0; i < img->nmanifests; i++) {
		free(img->manifests[i].media_type);
		free(img->manifests[i].data);
	}
	dr_daemon_free(img->daemon);
	free(img->blobs);
	free(img->manifests);
	free(img->root);
	free(img->name);
	free(img);
}
