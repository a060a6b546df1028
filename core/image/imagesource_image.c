/* The image being opened (imagesource_int.h): its blobs and manifests as the
 * sources add them, and reading a file of the source, directory or tar. */
#include "image/imagesource_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"

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

const struct dr_manifest *dr_image_top(const struct dr_image *img)
{
	return img->nmanifests ? &img->manifests[img->nmanifests - 1] : NULL;
}
