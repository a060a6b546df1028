/* Internals shared by core/push*.c. */
#ifndef DR_PUSH_INT_H
#define DR_PUSH_INT_H

#include <pthread.h>
#include <signal.h>

#include "push/compress.h"
#include "push/push.h"
#include "registry/registry.h"

/* ---- credentials (push_auth.c) ---- */

/* From config_dir/config.json, as docker resolves them (dockerauth.h):
 * credHelpers[host] -> credsStore (run through the helper protocol) ->
 * auths[host]. Both NULL when there are none (anonymous). Wipe with
 * dr_str_wipe_free. */
int dr_push_credentials(const char *config_dir, const char *host, char **user, char **secret,
			struct dr_err *e);

/* ---- the blob cache (push_cache.c) ---- */

struct dr_blob_cache;
/* Never fails: a missing or unreadable cache is an empty one. */
struct dr_blob_cache *dr_blob_cache_open(const char *host);
/* A repository other than not_repo known to hold digest, or NULL
 * (a copy into out). Thread-safe. */
int dr_blob_cache_source(struct dr_blob_cache *c, const char *digest, const char *not_repo,
			 char *out, size_t n);
void dr_blob_cache_add(struct dr_blob_cache *c, const char *digest, const char *repo);
/* The compressed blob made before from the layer udigest with setting
 * ("gzip-6"): 1 and its digest (out[DR_DIGEST_MAX]) and size; 0 when
 * there is no entry; -1 when there is one but its MAC does not verify
 * (not this user's pusher wrote it: not to be used). Kept in
 * compressed.json beside blobs.json, per host. Thread-safe. */
int dr_blob_cache_compressed(struct dr_blob_cache *c, const char *udigest, const char *setting,
			     char *out, long long *size);
void dr_blob_cache_add_compressed(struct dr_blob_cache *c, const char *udigest,
				  const char *setting, const char *digest, long long size);
/* The layer a classic `docker save` held under v1 id v1id ("sha256:<hex>",
 * its top layer's directory) when an earlier push read it: 1 and its
 * diff_id (out[DR_DIGEST_MAX]); 0 when there is no entry; -1 when its MAC
 * does not verify. Kept in compressed.json as "<v1id> v1-layer". */
int dr_blob_cache_v1_layer(struct dr_blob_cache *c, const char *v1id, char *out);
void dr_blob_cache_add_v1_layer(struct dr_blob_cache *c, const char *v1id, const char *diff_id);
/* Merges with the file as it is now and writes it atomically. */
void dr_blob_cache_save(struct dr_blob_cache *c);
void dr_blob_cache_free(struct dr_blob_cache *c);

/* ---- the key of compressed.json's MACs (push_cache_key.c) ---- */

#define DR_CACHE_KEY_LEN 32
#define DR_CACHE_MAC_HEX 65 /* HMAC-SHA256 in hex, NUL */
/* This user's key, created on first use; -1 when there is none (no home,
 * unwritable): compressed.json is then neither used nor written. */
int dr_cache_key_load(unsigned char key[DR_CACHE_KEY_LEN]);
/* HMAC-SHA256 of an entry (host, layer, setting, blob digest and size) */
void dr_cache_mac(const unsigned char key[DR_CACHE_KEY_LEN], const char *host,
		  const char *udigest, const char *setting, const char *digest, long long size,
		  char out[DR_CACHE_MAC_HEX]);
/* HMAC-SHA256 of a v1 id entry (host, v1 id, diff_id) */
void dr_cache_mac_v1(const unsigned char key[DR_CACHE_KEY_LEN], const char *host,
		     const char *v1id, const char *diff_id, char out[DR_CACHE_MAC_HEX]);
/* constant time; 0 for a missing or malformed one */
int dr_cache_mac_equal(const char *a, const char *b);

/* ---- progress (push_progress.c) ---- */

enum dr_blob_state { DR_BLOB_WAITING, DR_BLOB_CHECKING, DR_BLOB_UPLOADING, DR_BLOB_EXISTS,
		     DR_BLOB_MOUNTED, DR_BLOB_PUSHED, DR_BLOB_FAILED };

struct dr_progress;
struct dr_progress *dr_progress_new(const struct dr_image *img, enum dr_progress_mode mode,
				    int quiet, const char *indent);
void dr_progress_state(struct dr_progress *p, size_t idx, enum dr_blob_state st,
		       const char *detail);
void dr_progress_bytes(struct dr_progress *p, size_t idx, long long sent);
/* "<digest-short>: retrying in Ns: <why>" in plain output (not quiet);
 * on a terminal the blob's line shows it until the next state. */
void dr_progress_retry(struct dr_progress *p, size_t idx, unsigned ms, const char *why);
/* 1 when drawing on a terminal (redrawn while workers run). */
int dr_progress_live(const struct dr_progress *p);
/* Redraws the TTY display (no-op for plain output). */
void dr_progress_render(struct dr_progress *p);
/* A line of its own (manifests, summary); not in quiet mode. */
void dr_progress_line(struct dr_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dr_progress_free(struct dr_progress *p);

/* ---- one push (push.c, push_blob.c, push_upload.c, push_compress.c) ---- */

/* What a layer compressed on the fly became (by blob index). */
struct dr_layer_out {
	char digest[DR_DIGEST_MAX];
	long long size;
	int set;
};

struct dr_push_ctx {
	const struct dr_image *img;
	const struct dr_image_ref *ref;
	const struct dr_push_opts *o;
	char scope[600];            /* repository:<repo>:pull,push */
	struct dr_blob_cache *cache;
	struct dr_progress *prog;
	const char *user, *secret;  /* for each worker's registry */
	struct dr_registry *main;   /* negotiated once; workers adopt it */
	int share_main;             /* one worker: it uses main itself */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *order;              /* blob indexes, largest first */
	size_t next, running;
	int failed;                 /* the first failure stops everyone */
	int stalls;                 /* requests of this push the registry stalled */
	struct dr_err err;
	unsigned uploaded, skipped, mounted;
	enum dr_compression compress;
	int level, threads;
	char setting[32];           /* "gzip-6": the compression cache key */
	struct dr_layer_out *outs;  /* [img->nblobs] */
};

/* the signal that stops the push, 0 until one comes (push_retry.c) */
extern volatile sig_atomic_t dr_push_signal;

/* 1 when work should stop: a signal or another worker's failure. */
int dr_push_should_stop(struct dr_push_ctx *c);
/* Sleeps ms in small steps; nonzero when told to stop meanwhile. */
int dr_push_sleep(struct dr_push_ctx *c, unsigned ms);
/* Opens a registry with the push's credentials. */
int dr_push_registry(struct dr_push_ctx *c, struct dr_registry **r, struct dr_err *e);

struct dr_upload {
	struct dr_push_ctx *c;
	struct dr_registry *r;
	const struct dr_blob *b;
	size_t idx;
	char *loc;                /* the open upload session, or NULL */
	struct dr_blob_stream *s;
	long long chunk_left;     /* bytes the current PATCH still reads */
	long long base;           /* blob offset the current request started at */
	struct dr_err read_err;
	int read_failed;
	int restart;              /* the session is gone: start a new one */
	int retries;
	int stalls;               /* PATCHes the registry took no data of */
	int stalled;              /* requests of this blob the registry stalled */
	int gave_up;              /* out of retries, stalls or time: no more tries */
	long long deadline;       /* dr_push_now_ms() the blob must be done by; 0: none */
	long budget_ms;           /* how long it had for it */
	struct dr_err last;       /* the failure retried last (for the deadline's message) */
	char from[256];           /* mount source */
	long long chunk_min;      /* the session's OCI-Chunk-Min-Length, 0: none */
	struct dr_zstream *z;     /* compressing: progress counts its input */
	const char *note;         /* the final progress words' detail, or NULL */
	int need_length;          /* a HEAD without Content-Length is no "exists" */
};


/* A blob gives up at its second stall (a request that ran into the
 * low-speed limit or its deadline), a push at its third, whatever blob. */
#define DR_PUSH_BLOB_STALLS 2
#define DR_PUSH_STALLS 3
/* retries of a blob's failures that may pass (5xx, 408, 429, resets) */
#define DR_PUSH_MAX_RETRIES 6

/* ---- retries, stalls, deadlines (push_retry.c) ---- */

/* CLOCK_MONOTONIC in milliseconds */
long long dr_push_now_ms(void);
/* Starts u's clock: it must be done within DR_ENV_BLOB_TIMEOUT (1800 s)
 * plus a second per 64 KiB of size. */
void dr_up_set_deadline(struct dr_upload *u, long long size);
/* After a stalled request (dr_registry_stalled): counts it for the push
 * (and blob, may be NULL); nonzero, with e saying so, when that was one
 * too many. */
int dr_push_count_stall(struct dr_push_ctx *c, const char *blob, int *blob_stalls,
			struct dr_err *e);

/* Waits before a retry of what failed with e (push_retry.c); nonzero when
 * out of retries, stalls or time (e then says so), or told to stop. */
int dr_up_retry_wait(struct dr_upload *u, struct dr_err *e);
/* Gives up on u's blob: its deadline passed; why is the last failure, or
 * NULL. Returns the error code set in e. */
int dr_up_over_deadline(struct dr_upload *u, const char *why, struct dr_err *e);

/* Steps of one upload (push_upload.c), shared with push_compress.c. */
int dr_up_http_error(struct dr_upload *u, const char *what, const struct dr_registry_response *resp,
		     struct dr_err *e);
int dr_up_send(struct dr_upload *u, struct dr_registry_request *q,
	       struct dr_registry_response *resp, struct dr_err *e);
/* HEAD of u->b (exists: a 200 whose length and digest match) */
int dr_up_head(struct dr_upload *u, int *exists, struct dr_err *e);
void dr_up_cancel(struct dr_upload *u);
int dr_up_take_location(struct dr_upload *u, struct dr_registry_response *resp, struct dr_err *e);
int dr_up_mount(struct dr_upload *u, int *mounted);
int dr_up_start(struct dr_upload *u, struct dr_err *e);
/* GET of the open session: where the registry's data ends (its Range) */
int dr_up_session_offset(struct dr_upload *u, long long *off, struct dr_err *e);
/* the final PUT ?digest=<u->b's digest> */
int dr_up_put(struct dr_upload *u, const void *body, size_t len, struct dr_err *e);
/* counts the blob, tells the cache and the progress display */
void dr_up_finish(struct dr_upload *u, enum dr_blob_state st, unsigned *counter);
/* One try of an upload in the open session u->loc. */
typedef int dr_up_attempt_fn(struct dr_upload *u, void *arg, struct dr_err *e);
/* Runs attempt in an upload session until it succeeds, the push stops, or
 * its failure is not worth a new session; between tries, the backoff
 * (dr_up_retry_wait) and the failed session cancelled. */
int dr_up_sessions(struct dr_upload *u, dr_up_attempt_fn *attempt, void *arg, struct dr_err *e);
/* the upload of u->b as the source has it, in sessions as above */
int dr_up_upload(struct dr_upload *u, struct dr_err *e);

/* 1 when blob idx is a layer to compress on the fly */
int dr_push_compresses(const struct dr_push_ctx *c, size_t idx);
/* Compresses layer idx as it uploads it (or finds the result of an
 * earlier push there); fills c->outs[idx]. */
int dr_push_compressed_blob(struct dr_push_ctx *c, struct dr_registry *r, size_t idx,
			    struct dr_err *e);
/* Rewrites the manifests for the layers compressed (c->outs): their
 * descriptors, an OCI manifest for zstd, indexes for rewritten children. */
int dr_push_rewrite_manifests(struct dr_push_ctx *c, struct dr_image *img, struct dr_err *e);

/* docker-daemon: (push_daemon.c): the daemon's save read once, each blob
 * pushed as it arrives, one at a time; then img has its manifest. */
int dr_push_daemon_blobs(struct dr_push_ctx *c, struct dr_image *img, struct dr_err *e);

/* Makes blob idx present in the repository: exists, mounted or uploaded
 * (push_blob.c). */
int dr_push_blob(struct dr_push_ctx *c, struct dr_registry *r, size_t idx, struct dr_err *e);
/* 1 for failures worth retrying: network errors, 5xx, 408, 429
 * (push_upload.c). */
int dr_push_transient(int rc, long status);
/* "<first 12 hex>" of a digest */
const char *dr_digest_short(const char *digest, char *out, size_t n);

#endif
