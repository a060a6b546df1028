/* Layers compressed on the fly (push_int.h): an uncompressed layer is read
 * (its digest checked at the end, as for any blob), compressed
 * (compress.h) and sent in chunks (POST, PATCH…, PUT ?digest=) whose sha256
 * and size are counted as they go, since the compressed digest exists only
 * once the last byte does. Two chunks are held in memory: one on the wire,
 * the next being compressed; a failed PATCH is sent again from memory
 * without compressing again; a session that lost data starts over. The
 * compression cache remembers what each layer became (authenticated by a
 * MAC, push_cache_key.c), so a re-push HEADs (or mounts) that blob and
 * compresses nothing. */
#include "push/push_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"

/* chunks of 4 MiB keep the link busy between PATCHes and memory small */
#define ZCHUNK ((long long)4 << 20)
/* the first one is small: the link is busy as soon as a block or two are
 * compressed, not after a whole chunk */
#define ZCHUNK_FIRST ((long long)1 << 20)
/* a registry asking for more than this per chunk is refused */
#define ZCHUNK_MAX ((long long)256 << 20)

#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"

int dr_push_compresses(const struct dr_push_ctx *c, size_t idx)
{
	const struct dr_blob *b = &c->img->blobs[idx];

	if (c->compress == DR_COMPRESS_NONE || b->absent || b->d.foreign)
		return 0;
	return strcmp(b->d.media_type, DR_MT_DOCKER_LAYER) == 0 ||
	       strcmp(b->d.media_type, MT_OCI_LAYER) == 0;
}

static long from_blob(void *ud, void *buf, size_t n, struct dr_err *e)
{
	return dr_blob_read(ud, buf, n, e);
}

/* GET the session: how many bytes the registry holds. */
static int session_has(struct dr_upload *u, long long *have, struct dr_err *e)
{
	struct dr_registry_response resp;
	struct dr_registry_request q = { .method = "GET", .url = u->loc };
	int rc = dr_up_send(u, &q, &resp, e);

	*have = -1;
	if (rc == 0 && resp.status == 204) {
		*have = 0;
		if (resp.range && dr_range_next_offset(resp.range, have) != 0)
			*have = -1;
		if (resp.location)
			rc = dr_up_take_location(u, &resp, e);
	} else if (rc == 0) {
		if (!dr_push_transient(0, resp.status))
			u->restart = 1;
		rc = dr_up_http_error(u, "GET (upload status)", &resp, e);
	}
	dr_registry_response_free(&resp);
	return rc;
}

/* One chunk at off, retried (from memory) until the registry has it. */
static int send_chunk(struct dr_upload *u, long long off, const unsigned char *buf, long long len,
		      struct dr_err *e)
{
	char range[64];

	snprintf(range, sizeof(range), "%lld-%lld", off, off + len - 1);
	for (;;) {
		struct dr_registry_request q = { .method = "PATCH", .url = u->loc,
						 .content_range = range, .body = buf,
						 .body_len = (size_t)len, .timeout_ms = -1 };
		struct dr_registry_response resp;
		long long have = off + len;
		int rc;

		u->base = off;
		rc = dr_up_send(u, &q, &resp, e);
		if (rc == 0 && resp.status == 202) {
			rc = dr_up_take_location(u, &resp, e);
			if (rc == 0 && resp.range && dr_range_next_offset(resp.range, &have) == 0 &&
			    have != off + len) {
				u->restart = 1;
				rc = dr_fail(e, DR_EIO, "registry %s holds %lld bytes of an upload "
					     "after %lld were sent: starting it again",
					     u->c->ref->host, have, off + len);
			}
		} else if (rc == 0) {
			if (resp.status == 404 || resp.status == 416)
				u->restart = 1;
			rc = dr_up_http_error(u, "PATCH", &resp, e);
		}
		dr_registry_response_free(&resp);
		if (rc == 0)
			return 0;
		if (!dr_push_transient(rc, 0) || u->restart || dr_up_retry_wait(u, e) != 0)
			return rc;
		/* where does it stand: the chunk arrived, or not at all */
		if (session_has(u, &have, e) != 0)
			return u->restart ? DR_EIO : DR_ENET;
		if (have == off + len)
			return 0;
		if (have != off) {
			u->restart = 1;
			return dr_fail(e, DR_EIO, "registry %s holds %lld bytes of an upload, expected "
				       "%lld: starting it again", u->c->ref->host, have, off);
		}
	}
}

/* Fills buf from the compressor: up to cap bytes, fewer only at the end. */
static long long fill_chunk(struct dr_zstream *z, unsigned char *buf, long long cap,
			    struct dr_err *e)
{
	long long got = 0;

	while (got < cap) {
		long n = dr_zstream_read(z, buf + got, (size_t)(cap - got), e);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

/* Two chunk buffers between a filler thread (compressor -> sha256) and the
 * sender: the next chunk is compressed while the last one is on the wire. */
struct pipe {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dr_zstream *z;
	struct dr_hash *h;
	unsigned char *buf[2];
	long long len[2], cap, first;
	int ready[2];
	int stop, failed;
	struct dr_err err;
};

/* How long chunk k is unless it is the last. */
static long long chunk_size(const struct pipe *p, unsigned k)
{
	return k == 0 ? p->first : p->cap;
}

static void *filler(void *arg)
{
	struct pipe *p = arg;
	struct dr_err e = { 0 };

	for (unsigned k = 0;; k++) {
		unsigned b = k % 2;
		long long n;

		pthread_mutex_lock(&p->lock);
		while (p->ready[b] && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		pthread_mutex_unlock(&p->lock);
		if (p->stop)
			break;
		n = fill_chunk(p->z, p->buf[b], chunk_size(p, k), &e);
		if (n >= 0)
			dr_hash_update(p->h, p->buf[b], (size_t)n);
		pthread_mutex_lock(&p->lock);
		if (n < 0) {
			p->err = e;
			p->failed = 1;
		} else {
			p->len[b] = n;
			p->ready[b] = 1;
		}
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		if (n < chunk_size(p, k)) /* the end, or a failure */
			break;
	}
	return NULL;
}

/* The next chunk in order: its length (0 at the end), < 0 on failure. */
static long long next_chunk(struct pipe *p, unsigned k, struct dr_err *e)
{
	long long n;

	pthread_mutex_lock(&p->lock);
	while (!p->ready[k % 2] && !p->failed)
		pthread_cond_wait(&p->cond, &p->lock);
	n = p->ready[k % 2] ? p->len[k % 2] : -1;
	if (n < 0)
		*e = p->err;
	pthread_mutex_unlock(&p->lock);
	return n < 0 ? (e->code ? e->code : DR_EIO) : n;
}

static void chunk_sent(struct pipe *p, unsigned k)
{
	pthread_mutex_lock(&p->lock);
	p->ready[k % 2] = 0;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* Compresses and sends the whole layer in the open session; out gets
 * the compressed digest and size once the final PUT was accepted. */
static int stream_once(struct dr_upload *u, const struct dr_blob *src, struct dr_blob *out,
		       struct dr_err *e)
{
	struct pipe p = { .cap = u->chunk_min > ZCHUNK ? u->chunk_min : ZCHUNK };
	struct dr_blob_stream *s = NULL;
	long long off = 0, len = 0;
	int more = 1;
	pthread_t tid;
	int rc = 0, started = 0;

	/* OCI-Chunk-Min-Length: only the last chunk may be shorter */
	p.first = u->chunk_min > 0 ? p.cap : ZCHUNK_FIRST;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	p.h = dr_hash_new();
	if (!p.h)
		rc = dr_fail(e, DR_EIO, "cannot set up sha256");
	if (rc == 0 && u->chunk_min > ZCHUNK_MAX)
		rc = dr_fail(e, DR_EIO, "registry %s wants upload chunks of at least %lld bytes "
			     "(OCI-Chunk-Min-Length), more than the %lld a compressed layer is "
			     "sent in", u->c->ref->host, u->chunk_min, ZCHUNK_MAX);
	if (rc == 0) {
		p.buf[0] = malloc((size_t)p.cap);
		p.buf[1] = malloc((size_t)p.cap);
		rc = p.buf[0] && p.buf[1] ? dr_blob_open(u->c->img, src, &s, e)
					  : dr_oom(e);
	}
	if (rc == 0)
		rc = dr_zstream_open(u->c->compress, u->c->level, u->c->threads, from_blob, s, &p.z, e);
	u->z = p.z;
	if (rc == 0) {
		started = pthread_create(&tid, NULL, filler, &p) == 0;
		if (!started)
			rc = dr_fail(e, DR_EIO, "cannot start a thread");
	}
	for (unsigned k = 0; rc == 0 && more; k++) {
		len = next_chunk(&p, k, e);
		if (len < 0)
			rc = (int)len;
		else if (len > 0)
			rc = send_chunk(u, off, p.buf[k % 2], len, e);
		if (rc == 0) {
			off += len;
			more = len == chunk_size(&p, k);
			chunk_sent(&p, k);
		}
	}
	pthread_mutex_lock(&p.lock);
	p.stop = 1;
	pthread_cond_broadcast(&p.cond);
	pthread_mutex_unlock(&p.lock);
	if (started)
		pthread_join(tid, NULL);
	if (rc == 0) {
		dr_hash_final(p.h, out->d.digest);
		out->d.size = off;
		rc = dr_up_put(u, NULL, 0, e);
	}
	u->z = NULL;
	dr_zstream_close(p.z);
	dr_blob_close(s);
	dr_hash_free(p.h);
	free(p.buf[0]);
	free(p.buf[1]);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	return rc;
}

struct compress_job {
	const struct dr_blob *src;
	struct dr_blob *out;
};

static int compress_once(struct dr_upload *u, void *arg, struct dr_err *e)
{
	struct compress_job *j = arg;

	return stream_once(u, j->src, j->out, e);
}

static int compress_upload(struct dr_upload *u, const struct dr_blob *src, struct dr_blob *out,
			   struct dr_err *e)
{
	struct compress_job j = { src, out };

	return dr_up_sessions(u, compress_once, &j, e);
}

/* The layer as the registry will know it: the compressed blob. */
static void record(struct dr_push_ctx *c, size_t idx, const struct dr_blob *out, char *note,
		   size_t n)
{
	char sd[16];

	snprintf(note, n, "as %s %s (%lld bytes)", c->setting,
		 dr_digest_short(out->d.digest, sd, sizeof(sd)), out->d.size);
	snprintf(c->outs[idx].digest, sizeof(c->outs[idx].digest), "%s", out->d.digest);
	c->outs[idx].size = out->d.size;
	c->outs[idx].set = 1;
}

/* A compressed blob known from an earlier push: there, mountable, or not.
 * The cache entry was checked (its MAC); the registry's HEAD must give the
 * size it names. */
static int reuse(struct dr_upload *u, struct dr_blob *out, char *note, size_t n, int *done,
		 struct dr_err *e)
{
	struct dr_push_ctx *c = u->c;
	int exists = 0, mounted = 0, rc, found;
	char sd[16];

	*done = 0;
	/* a classic docker-daemon: layer is not yet known to be that digest */
	if (u->b->learn)
		return 0;
	found = dr_blob_cache_compressed(c->cache, u->b->d.digest, c->setting, out->d.digest,
					 &out->d.size);
	if (found < 0)
		dr_progress_line(c->prog, "%s: the compression cache's entry for this layer fails "
				 "its check (edited, or not written here): compressing it again",
				 dr_digest_short(u->b->d.digest, sd, sizeof(sd)));
	if (found <= 0)
		return 0;
	u->b = out;
	u->need_length = 1;
	rc = dr_up_head(u, &exists, e);
	u->need_length = 0;
	if (rc == 0 && !exists && dr_up_mount(u, &mounted) != 0)
		rc = dr_fail(e, DR_EIO, "interrupted");
	if (rc == 0 && (exists || mounted)) {
		record(c, u->idx, out, note, n);
		u->note = note;
		dr_up_finish(u, exists ? DR_BLOB_EXISTS : DR_BLOB_MOUNTED,
			     exists ? &c->skipped : &c->mounted);
		*done = 1;
	}
	return rc;
}

int dr_push_compressed_blob(struct dr_push_ctx *c, struct dr_registry *r, size_t idx,
			    struct dr_err *e)
{
	const struct dr_blob *src = &c->img->blobs[idx];
	struct dr_upload u = { .c = c, .r = r, .b = src, .idx = idx };
	struct dr_blob out = *src;
	char note[96];
	int done = 0, rc;

	dr_progress_state(c->prog, idx, DR_BLOB_CHECKING, NULL);
	dr_up_set_deadline(&u, src->d.size);
	rc = reuse(&u, &out, note, sizeof(note), &done, e);
	if (rc == 0 && !done) {
		/* errors before the end name the layer; the PUT the new blob */
		out = *src;
		u.b = &out;
		rc = compress_upload(&u, src, &out, e);
		if (rc == 0) {
			record(c, idx, &out, note, sizeof(note));
			u.note = note;
			dr_blob_cache_add_compressed(c->cache, src->d.digest, c->setting, out.d.digest,
						     out.d.size);
			dr_up_finish(&u, DR_BLOB_PUSHED, &c->uploaded);
		}
	}
	if (rc)
		dr_progress_state(c->prog, idx, DR_BLOB_FAILED, NULL);
	dr_up_cancel(&u);
	return rc;
}
