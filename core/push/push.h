/* The daemonless pusher: copies an image (imagesource.h) to a registry
 * over the OCI distribution API (registry.h), blobs in parallel and in
 * constant memory, skipping blobs the registry has, mounting blobs it has
 * in another repository, manifests last. */
#ifndef DR_PUSH_H
#define DR_PUSH_H

#include <stddef.h>

#include "base/err.h"
#include "image/imagesource.h"
#include "push/compress.h"

enum dr_progress_mode { DR_PROGRESS_AUTO, DR_PROGRESS_PLAIN, DR_PROGRESS_TTY };

struct dr_push_opts {
	int jobs;                 /* parallel blob uploads; 0: 4 */
	int insecure;             /* http fallback / unverified TLS for any host */
	int quiet;                /* print errors only */
	enum dr_progress_mode progress;
	const char *config_dir;   /* docker config dir for credentials; NULL: $DOCKER_CONFIG, ~/.docker */
	const char *const *extra_tags; /* more tags for the same manifest */
	size_t nextra;
	const char *indent;       /* prefix of every output line; NULL: "" */
	/* uncompressed layers are compressed on the fly: gzip (0, the default),
	 * zstd (an OCI manifest) or none; compressed layers are untouched */
	enum dr_compression compress;
	int compress_level;       /* 0: the compression's default */
	int compress_threads;     /* per layer; 0: dr_compression_threads() */
};

struct dr_push_result {
	char digest[DR_DIGEST_MAX]; /* of the manifest pushed under the tag */
	unsigned uploaded, skipped, mounted;
	int signal;                 /* SIGINT/SIGTERM that stopped the push, else 0 */
};

/* Pushes src ("oci:DIR[:REF]", "docker-archive:FILE[:REF]") to dest
 * ("host[:port]/repo[:tag]"). On any failure no manifest is pushed, open
 * upload sessions are cancelled and e names the cause. */
int dr_push(const char *src, const char *dest, const struct dr_push_opts *o,
	    struct dr_push_result *res, struct dr_err *e);

/* Async-signal-safe: stops a running dr_push (transfers are aborted,
 * sessions cancelled, no manifest pushed; res->signal = signo). */
void dr_push_interrupt(int signo);

/* ---- image references ---- */

struct dr_image_ref {
	char host[260];   /* "docker.io" or host[:port] (DR_REGISTRY_HOST_MAX) */
	char repo[256];   /* "library/alpine", "team/app" */
	char tag[129];    /* "" when only a digest was given */
	char digest[DR_DIGEST_MAX];
};

/* Docker's reference grammar: [host[:port]/]path[:tag][@digest]; no host
 * means docker.io, one path component on docker.io gets library/, no tag
 * and no digest means "latest". */
int dr_image_ref_parse(const char *s, struct dr_image_ref *r, struct dr_err *e);
/* "host/repo:tag" (or "@digest"), as users write it. */
void dr_image_ref_format(const struct dr_image_ref *r, char *out, size_t n);

#endif
