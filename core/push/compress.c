/* Layer compression (compress.h): block-parallel gzip on libdeflate, zstd
 * on libzstd's workers. Memory is fixed by the block size and the number
 * of slots, whatever the size of the input. */
#include "push/compress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zstd.h>

#define MAX_THREADS 64
#define MIN_SLOTS 8
#define ZSTD_JOB (4 << 20)
#define ZSTD_WINDOW_LOG 23

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY };

/* One block on its way: input, then its gzip member. */
struct slot {
	unsigned char *in, *out;
	size_t in_len, out_len, out_pos;
	int last;
	long long seq;
	enum slot_state st;
};

struct dr_zstream {
	enum dr_compression alg;
	int level, threads;
	dr_zsource_fn src;
	void *ud;
	long long consumed;
	struct dr_err err;
	int failed;
	/* gzip */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t tid[MAX_THREADS];
	int started;
	struct slot *slots;
	size_t nslots, out_cap;
	long long next_fill, next_out;
	int filling, input_done, blocks_done, stop;
	/* zstd */
	ZSTD_CCtx *cctx;
	unsigned char *zin;
	size_t zin_cap;
	ZSTD_inBuffer ib;
	int zeof, zdone;
};

int dr_compression_parse(const char *name, enum dr_compression *out)
{
	if (strcmp(name, "gzip") == 0)
		*out = DR_COMPRESS_GZIP;
	else if (strcmp(name, "zstd") == 0)
		*out = DR_COMPRESS_ZSTD;
	else if (strcmp(name, "none") == 0)
		*out = DR_COMPRESS_NONE;
	else
		return DR_EINVAL;
	return 0;
}

const char *dr_compression_name(enum dr_compression c)
{
	return c == DR_COMPRESS_GZIP ? "gzip" : c == DR_COMPRESS_ZSTD ? "zstd" : "none";
}

int dr_compression_default_level(enum dr_compression c)
{
	return c == DR_COMPRESS_ZSTD ? DR_ZSTD_DEFAULT_LEVEL : DR_GZIP_DEFAULT_LEVEL;
}

int dr_compression_check_level(enum dr_compression c, int level, struct dr_err *e)
{
	int max = c == DR_COMPRESS_ZSTD ? 19 : 12;

	if (c == DR_COMPRESS_NONE || (level >= 1 && level <= max))
		return 0;
	return dr_fail(e, DR_EINVAL, "--compress-level for %s must be from 1 to %d, not %d",
		       dr_compression_name(c), max, level);
}

int dr_compression_threads(void)
{
	const char *env = getenv("DR_COMPRESS_THREADS");
	long n = env ? strtol(env, NULL, 10) : 0;

	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > 8 && !env ? 8 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static void fail_locked(struct dr_zstream *z, const struct dr_err *e)
{
	if (!z->failed) {
		z->err = *e;
		z->failed = 1;
	}
	z->input_done = 1;
	pthread_cond_broadcast(&z->cond);
}

/* Reads the next block into s (the caller is the only filler now). */
static int fill(struct dr_zstream *z, struct slot *s, struct dr_err *e)
{
	s->in_len = 0;
	while (s->in_len < DR_GZIP_BLOCK) {
		long n = z->src(z->ud, s->in + s->in_len, DR_GZIP_BLOCK - s->in_len, e);

		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		s->in_len += (size_t)n;
	}
	s->last = s->in_len < DR_GZIP_BLOCK;
	__atomic_add_fetch(&z->consumed, (long long)s->in_len, __ATOMIC_RELAXED);
	return 0;
}

/* The block as one gzip member; an empty last block after others adds
 * nothing (an empty input still gets its one, empty, member). */
static int deflate_block(struct dr_zstream *z, struct libdeflate_compressor *d, struct slot *s,
			 struct dr_err *e)
{
	s->out_pos = 0;
	s->out_len = 0;
	if (s->in_len == 0 && s->seq > 0)
		return 0;
	s->out_len = libdeflate_gzip_compress(d, s->in, s->in_len, s->out, z->out_cap);
	if (s->out_len == 0)
		return dr_fail(e, DR_EIO, "gzip: a block did not fit its bound");
	return 0;
}

/* A gzip worker: takes its turn at reading the next block, then deflates
 * it while others read and deflate theirs. */
static void *gzip_worker(void *arg)
{
	struct dr_zstream *z = arg;
	struct dr_err e = { 0 };
	struct libdeflate_compressor *d = libdeflate_alloc_compressor(z->level);
	int ok = d != NULL;

	pthread_mutex_lock(&z->lock);
	if (!ok)
		fail_locked(z, &(struct dr_err){ DR_EIO, "gzip: out of memory" });
	while (ok && !z->stop && !z->input_done) {
		struct slot *s = &z->slots[z->next_fill % (long long)z->nslots];
		int rc;

		if (z->filling || s->st != SLOT_FREE) {
			pthread_cond_wait(&z->cond, &z->lock);
			continue;
		}
		z->filling = 1;
		s->st = SLOT_BUSY;
		s->seq = z->next_fill++;
		pthread_mutex_unlock(&z->lock);
		rc = fill(z, s, &e);
		pthread_mutex_lock(&z->lock);
		z->filling = 0;
		if (rc == 0 && s->last)
			z->input_done = 1;
		pthread_cond_broadcast(&z->cond);
		if (rc != 0) {
			fail_locked(z, &e);
			break;
		}
		pthread_mutex_unlock(&z->lock);
		rc = deflate_block(z, d, s, &e);
		pthread_mutex_lock(&z->lock);
		if (rc != 0) {
			fail_locked(z, &e);
			break;
		}
		s->st = SLOT_READY;
		pthread_cond_broadcast(&z->cond);
	}
	pthread_mutex_unlock(&z->lock);
	libdeflate_free_compressor(d);
	return NULL;
}

static long gzip_read(struct dr_zstream *z, unsigned char *buf, size_t n, struct dr_err *e)
{
	long got = 0;

	pthread_mutex_lock(&z->lock);
	while (got == 0 && !z->blocks_done) {
		struct slot *s = &z->slots[z->next_out % (long long)z->nslots];

		if (z->failed) {
			*e = z->err;
			got = e->code ? e->code : DR_EIO;
			break;
		}
		if (s->st != SLOT_READY || s->seq != z->next_out) {
			pthread_cond_wait(&z->cond, &z->lock);
			continue;
		}
		got = (long)(s->out_len - s->out_pos < n ? s->out_len - s->out_pos : n);
		memcpy(buf, s->out + s->out_pos, (size_t)got);
		s->out_pos += (size_t)got;
		if (s->out_pos == s->out_len) {
			s->st = SLOT_FREE;
			z->next_out++;
			z->blocks_done = s->last;
			pthread_cond_broadcast(&z->cond);
		}
	}
	pthread_mutex_unlock(&z->lock);
	return got;
}

static int gzip_open(struct dr_zstream *z, struct dr_err *e)
{
	struct libdeflate_compressor *d = libdeflate_alloc_compressor(z->level);

	if (!d)
		return dr_oom(e);
	/* room for a block that does not compress */
	z->out_cap = libdeflate_gzip_compress_bound(d, DR_GZIP_BLOCK);
	libdeflate_free_compressor(d);
	z->nslots = (size_t)z->threads * 2 > MIN_SLOTS ? (size_t)z->threads * 2 : MIN_SLOTS;
	z->slots = calloc(z->nslots, sizeof(*z->slots));
	if (!z->slots)
		return dr_oom(e);
	for (size_t i = 0; i < z->nslots; i++) {
		z->slots[i].in = malloc(DR_GZIP_BLOCK);
		z->slots[i].out = malloc(z->out_cap);
		if (!z->slots[i].in || !z->slots[i].out)
			return dr_oom(e);
	}
	for (int i = 0; i < z->threads; i++) {
		if (pthread_create(&z->tid[i], NULL, gzip_worker, z) != 0)
			break;
		z->started++;
	}
	return z->started ? 0 : dr_fail(e, DR_EIO, "gzip: cannot start a thread");
}

static int zstd_open(struct dr_zstream *z, struct dr_err *e)
{
	size_t r;

	z->cctx = ZSTD_createCCtx();
	z->zin_cap = ZSTD_CStreamInSize();
	z->zin = malloc(z->zin_cap);
	if (!z->cctx || !z->zin)
		return dr_oom(e);
	r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, z->level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	/* always at least one worker: the output is then the same for any count */
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, z->threads);
	/* smaller jobs than the default hold less memory per worker */
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, ZSTD_JOB);
	/* layers repeat files megabytes apart (copies, versioned libraries):
	 * long-distance matching over an 8 MiB window finds them at the cost
	 * of a few MiB, and 8 MiB is the window every decoder is asked to
	 * support (RFC 8878 3.1.1.1.2) */
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_enableLongDistanceMatching, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_windowLog, ZSTD_WINDOW_LOG);
	if (ZSTD_isError(r))
		return dr_fail(e, DR_EIO, "zstd: %s", ZSTD_getErrorName(r));
	return 0;
}

static long zstd_read(struct dr_zstream *z, unsigned char *buf, size_t n, struct dr_err *e)
{
	ZSTD_outBuffer ob = { buf, n, 0 };

	while (ob.pos == 0 && !z->zdone) {
		size_t left;

		if (z->ib.pos == z->ib.size && !z->zeof) {
			long got = z->src(z->ud, z->zin, z->zin_cap, e);

			if (got < 0)
				return got;
			z->zeof = got == 0;
			z->ib = (ZSTD_inBuffer){ z->zin, (size_t)got, 0 };
			__atomic_add_fetch(&z->consumed, (long long)got, __ATOMIC_RELAXED);
		}
		left = ZSTD_compressStream2(z->cctx, &ob, &z->ib, z->zeof ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left))
			return dr_fail(e, DR_EIO, "zstd: %s", ZSTD_getErrorName(left));
		if (z->zeof && left == 0)
			z->zdone = 1;
	}
	return (long)ob.pos;
}

int dr_zstream_open(enum dr_compression c, int level, int threads, dr_zsource_fn src, void *ud,
		    struct dr_zstream **out, struct dr_err *e)
{
	struct dr_zstream *z;
	int rc;

	*out = NULL;
	if (c == DR_COMPRESS_NONE)
		return dr_fail(e, DR_EINVAL, "no compression chosen");
	if (level == 0)
		level = dr_compression_default_level(c);
	rc = dr_compression_check_level(c, level, e);
	if (rc)
		return rc;
	z = calloc(1, sizeof(*z));
	if (!z)
		return dr_oom(e);
	z->alg = c;
	z->level = level;
	z->threads = threads > 0 ? (threads > MAX_THREADS ? MAX_THREADS : threads)
				 : dr_compression_threads();
	z->src = src;
	z->ud = ud;
	pthread_mutex_init(&z->lock, NULL);
	pthread_cond_init(&z->cond, NULL);
	rc = c == DR_COMPRESS_GZIP ? gzip_open(z, e) : zstd_open(z, e);
	if (rc) {
		dr_zstream_close(z);
		return rc;
	}
	*out = z;
	return 0;
}

long dr_zstream_read(struct dr_zstream *z, void *buf, size_t n, struct dr_err *e)
{
	if (n == 0)
		return 0;
	return z->alg == DR_COMPRESS_GZIP ? gzip_read(z, buf, n, e) : zstd_read(z, buf, n, e);
}

long long dr_zstream_consumed(struct dr_zstream *z)
{
	return __atomic_load_n(&z->consumed, __ATOMIC_RELAXED);
}

void dr_zstream_close(struct dr_zstream *z)
{
	if (!z)
		return;
	pthread_mutex_lock(&z->lock);
	z->stop = 1;
	pthread_cond_broadcast(&z->cond);
	pthread_mutex_unlock(&z->lock);
	for (int i = 0; i < z->started; i++)
		pthread_join(z->tid[i], NULL);
	for (size_t i = 0; z->slots && i < z->nslots; i++) {
		free(z->slots[i].in);
		free(z->slots[i].out);
	}
	free(z->slots);
	ZSTD_freeCCtx(z->cctx);
	free(z->zin);
	pthread_cond_destroy(&z->cond);
	pthread_mutex_destroy(&z->lock);
	free(z);
}
