/* Opening an image source (imagesource.h): the SRC string names the
 * transport, and the source that reads it fills the image. */
#include "image/imagesource_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
