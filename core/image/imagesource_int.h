/* Internals shared by core/image/imagesource*.c. */
#ifndef DR_IMAGESOURCE_INT_H
#define DR_IMAGESOURCE_INT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "image/imagesource.h"

/* ---- tar files (libarchive) ---- */

/* The entry's data (up to limit), following symlinks inside the tar.
 * DR_ENOTFOUND when there is no such entry. */
int dr_tar_read(const char *tar, const char *name, size_t limit, struct dr_buf *out,
		struct dr_err *e);
/* 1 when the tar has the entry (after symlinks), else 0. */
int dr_tar_has(const char *tar, const char *name);

struct dr_tar_stream;
int dr_tar_stream_open(const char *tar, const char *name, struct dr_tar_stream **out,
		       long long *size, struct dr_err *e);
long dr_tar_stream_read(struct dr_tar_stream *s, void *buf, size_t n, struct dr_err *e);
void dr_tar_stream_close(struct dr_tar_stream *s);

/* An entry of an archive read elsewhere (the daemon's save): reads it,
 * never frees the archive. */
struct archive;
struct dr_tar_stream *dr_tar_stream_borrow(struct archive *a);

/* ---- the daemon (imagesource_daemon.c, imagesource_save.c) ---- */

struct dr_daemon {
	char socket[108];
	char *name;            /* NAME[:TAG] as the daemon knows it */
	char **diff_ids;       /* the config's rootfs.diff_ids, in order */
	size_t ndiff;
	size_t config;         /* the config's blob index */
	struct dr_daemon_save *save;
	unsigned char *seen;   /* [nblobs]: read from the save */
	long current;          /* the blob whose entry the save is at, -1: none */
	int opened;            /* it was opened (entries are read once) */
	char (*v1ids)[DR_DIGEST_MAX]; /* [ndiff]: the classic save's name of each layer */
	unsigned char *v1used; /* [ndiff]: a layer.tar was taken for that layer by name */
	struct dr_buf listing; /* the save's manifest.json, as it passed */
	char entry_v1[DR_DIGEST_MAX]; /* the learning layer's v1 id ("sha256:<hex>"), or "" */
	struct dr_daemon_claim *claims; /* [ndiff]: top layers taken for what a push learnt */
	size_t nclaims;
};

struct dr_daemon_claim {
	char v1[DR_DIGEST_MAX];
	char diff_id[DR_DIGEST_MAX];
};

/* The v1 ids a classic `docker save` names the layers of an image with
 * these diff_ids by (imagesource_v1id.c): out[i], "sha256:<hex>", is the
 * directory of layer i for every layer below the top one. */
int dr_classic_v1_ids(char *const *diff_ids, size_t n, char (*out)[DR_DIGEST_MAX],
		      struct dr_err *e);

/* GET path from the daemon into out (up to limit): its HTTP status, or < 0
 * when the daemon cannot be reached. */
int dr_daemon_get(const struct dr_daemon *d, const char *path, size_t limit, struct dr_buf *out,
		  long *status, struct dr_err *e);
/* The daemon's error answer as one safe line: ": <message>" or "". */
void dr_daemon_message(const struct dr_buf *body, char *out, size_t n);
/* "docker-daemon:NAME[:TAG]": the daemon asked for the image's config and
 * layers; the blobs to come, the config last. */
int dr_daemon_load(struct dr_image *img, const char *name, struct dr_err *e);
void dr_daemon_free(struct dr_daemon *d);
/* The live entry of b, for dr_blob_open (once, from its start). */
int dr_daemon_blob_open(const struct dr_image *img, const struct dr_blob *b,
			struct dr_tar_stream **out, struct dr_err *e);
/* A learning blob's data ended with digest got: which layer it was. */
int dr_daemon_learned(const struct dr_image *img, const struct dr_blob *b, const char *got,
		      struct dr_err *e);

/* ---- reading a source, directory or tar alike (imagesource_image.c) ---- */

int dr_src_read(const struct dr_image *img, const char *path, size_t limit,
		struct dr_buf *out, struct dr_err *e);
int dr_src_has(const struct dr_image *img, const char *path);

/* ---- building the image (imagesource_image.c; the loaders in
 * imagesource_oci.c and imagesource_docker.c) ---- */

/* "blobs/<alg>/<hex>" for a digest, malloc'd */
char *dr_layout_blob_path(const char *digest);
/* Adds a blob once (by digest); path is copied. */
int dr_image_add_blob(struct dr_image *img, const struct dr_descriptor *d, const char *path,
		      int absent, struct dr_err *e);
/* Takes data (malloc'd) on success. */
int dr_image_add_manifest(struct dr_image *img, const char *digest, const char *media_type,
			  enum dr_doc_kind kind, const char *platform, char *data, size_t len,
			  struct dr_err *e);
/* An OCI layout (in a directory or a tar): index.json -> ref -> all. */
int dr_oci_load(struct dr_image *img, const char *ref, struct dr_err *e);
/* Adds the Docker schema 2 manifest of d[0] (the config) and d[1..n-1]
 * (the layers, in order). */
int dr_docker_manifest_make(struct dr_image *img, const struct dr_descriptor *d, size_t n,
			    struct dr_err *e);
/* A legacy docker save tarball: a Docker v2 manifest made from manifest.json. */
int dr_docker_legacy_load(struct dr_image *img, const char *ref, struct dr_err *e);

#endif
