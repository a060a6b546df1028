/* Images to push, read without a Docker daemon: an OCI image layout
 * (`oci:DIR[:REF]`) or a `docker save` tarball (`docker-archive:FILE[:REF]`,
 * the legacy manifest.json format or the OCI layout newer Dockers write),
 * tars read with libarchive.
 *
 * Opening reads and checks only the small documents (index, manifests,
 * configs); blobs are streamed later, in constant memory, and hashed while
 * they are read so that a corrupt source is refused with the digest named. */
#ifndef DR_IMAGESOURCE_H
#define DR_IMAGESOURCE_H

#include <stddef.h>

#include "base/digest.h"
#include "base/err.h"

/* Limit for index.json, manifest.json, manifests and configs. */
#define DR_DOC_MAX ((size_t)4 << 20)

#define DR_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define DR_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define DR_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DR_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DR_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define DR_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define DR_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

enum dr_doc_kind { DR_DOC_MANIFEST, DR_DOC_INDEX };

struct dr_descriptor {
	char digest[DR_DIGEST_MAX];
	long long size;
	char media_type[160];
	char platform[64];  /* "os/arch[/variant]" of an index entry, else "" */
	int foreign;        /* non-distributable layer: may be absent, never required */
};

/* A manifest or index as stored (pushed byte for byte). */
struct dr_manifest {
	char digest[DR_DIGEST_MAX];
	char *media_type;
	char *data;
	size_t len;
	enum dr_doc_kind kind;
	char platform[64];
};

struct dr_blob {
	struct dr_descriptor d;
	char *path;     /* file under the layout dir, or tar entry name */
	int absent;     /* a foreign layer the source does not carry: skipped */
	int learn;      /* docker-daemon: a layer whose digest its data will tell */
};

enum dr_src_kind { DR_SRC_DIR, DR_SRC_TAR, DR_SRC_DAEMON };

struct dr_daemon;

struct dr_image {
	char *name;        /* SRC as typed, for messages */
	enum dr_src_kind kind;
	char *root;        /* the layout directory or the tar file */
	struct dr_blob *blobs;      /* configs and layers, each once, in push order */
	size_t nblobs;
	struct dr_manifest *manifests; /* children first; the top one last */
	size_t nmanifests;
	struct dr_daemon *daemon; /* DR_SRC_DAEMON: the daemon and its save */
};

/* src: "oci:DIR[:REF]", "docker-archive:FILE[:REF]" or
 * "docker-daemon:NAME[:TAG]" (imagesource_daemon.c: opening asks the
 * daemon for the config digest and the layers' diff_ids only; the blobs
 * are read once, in the order `docker save` writes them, through
 * dr_daemon_save_next, and the manifest is made at the end). */
int dr_image_open(const char *src, struct dr_image **out, struct dr_err *e);
void dr_image_free(struct dr_image *img);
/* The manifest pushed under the tag (the last one). */
const struct dr_manifest *dr_image_top(const struct dr_image *img);

/* ---- blob streams ---- */

struct dr_blob_stream;

/* One open blob; several may be open at once (one per thread). */
int dr_blob_open(const struct dr_image *img, const struct dr_blob *b,
		 struct dr_blob_stream **out, struct dr_err *e);
/* Up to n bytes; 0 at the end (then the digest is checked: DR_EINVAL
 * "blob sha256:… in SRC is corrupt: read sha256:…" on a mismatch, also
 * when the blob is longer or shorter than its descriptor says). */
long dr_blob_read(struct dr_blob_stream *s, void *buf, size_t n, struct dr_err *e);
/* Reads and discards up to offset (hashed: a resumed upload still
 * verifies the whole blob). */
int dr_blob_skip_to(struct dr_blob_stream *s, long long offset, struct dr_err *e);
long long dr_blob_offset(const struct dr_blob_stream *s);
void dr_blob_close(struct dr_blob_stream *s);

/* ---- docker-daemon: the daemon's save, read once (imagesource_save.c) ---- */

/* Starts GET /images/NAME/get. */
int dr_daemon_save_start(struct dr_image *img, struct dr_err *e);
/* The next entry of the save that is one of img's blobs, not seen yet:
 * 1 and *idx (its size now set; dr_blob_open reads it, once, or the next
 * call skips it unread), 0 at the end of the save, < 0 on failure. Other
 * entries are skipped. A blob with learn set is a layer whose digest its
 * data will tell (a classic save's top layer). */
int dr_daemon_save_next(struct dr_image *img, size_t *idx, struct dr_err *e);
/* The v1 id of the layer blob idx is (the directory of its layer.tar),
 * when it is a learning one named by a v1 id: 1 and out, else 0. */
int dr_daemon_entry_v1_id(const struct dr_image *img, size_t idx, char out[DR_DIGEST_MAX]);
/* Takes learning blob idx, before reading it, for the layer diff_id, as an
 * earlier push learnt its v1 id holds (the compression cache): 0 and the
 * blob is that layer (its data, when read, must match it); DR_EINVAL when
 * the image has no such layer still to come. dr_daemon_save_end checks it
 * against the save's manifest.json. */
int dr_daemon_claim(struct dr_image *img, size_t idx, const char *diff_id, struct dr_err *e);
/* After the end: every blob was in the save; the manifest is made. */
int dr_daemon_save_end(struct dr_image *img, struct dr_err *e);

/* ---- pure parsing, exposed for unit tests ---- */

/* The daemon's socket from DOCKER_HOST (NULL or "": the default
 * /var/run/docker.sock; "unix://PATH"; anything else is refused). */
int dr_daemon_socket_path(const char *docker_host, char *out, size_t n, struct dr_err *e);
/* GET /images/{name}/json: Id (the config digest) and RootFS.Layers (the
 * diff_ids, malloc'd, free each and the array). */
int dr_daemon_inspect_parse(const char *json, size_t len, char id[DR_DIGEST_MAX],
			    char ***diff_ids, size_t *n, struct dr_err *e);

/* Picks the descriptor of an OCI index.json: the entry whose
 * org.opencontainers.image.ref.name (or io.containerd.image.name) is ref,
 * else with ref NULL/"" the only or first entry. */
int dr_oci_index_select(const char *json, size_t len, const char *ref,
			struct dr_descriptor *out, struct dr_err *e);

/* A manifest or index: its kind and media type (desc_type from the
 * descriptor wins, then mediaType, then the shape) and what it refers
 * to: config then layers, or the child manifests. *refs is malloc'd. */
int dr_manifest_parse(const char *data, size_t len, const char *desc_type,
		      enum dr_doc_kind *kind, char *media_type, size_t mt_size,
		      struct dr_descriptor **refs, size_t *nrefs, struct dr_err *e);

/* A legacy `docker save` manifest.json entry: the one whose RepoTags holds
 * ref, else the first. Paths are malloc'd (free with
 * dr_docker_save_entry_free). */
struct dr_docker_save_entry {
	char *config;
	char **layers;
	size_t nlayers;
};
int dr_docker_save_parse(const char *json, size_t len, const char *ref,
			 struct dr_docker_save_entry *out, struct dr_err *e);
void dr_docker_save_entry_free(struct dr_docker_save_entry *d);

/* "sha256:<64 hex>" or "sha512:<128 hex>", lower case. */
int dr_digest_valid(const char *digest);

#endif
