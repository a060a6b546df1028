/* Layer compression (compress.h): block-parallel gzip on zlib, zstd on
 * libzstd's workers. Memory is fixed by the block size and the number of
 * slots, whatever the size of the input. */
#include "compress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define DICT_MAX 32768
#define MAX_THREADS 64
#define MIN_SLOTS 12

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY };

/* One block on its way: input, its dictionary, compressed output. */
struct slot {
	unsigned char *in, *out;
	size_t in_len, out_len, out_pos;
	unsigned char dict[DICT_MAX];
	size_t dict_len;
	uLong crc;
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
	unsigned char tail[DICT_MAX];
	size_t tail_len;
	uLong crc;
	unsigned long long total_in;
	unsigned char head[10], trailer[8];
	size_t head_pos, trailer_pos;
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
	int max = c == DR_COMPRESS_ZSTD ? 19 : 9;

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
	size_t keep;

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
	/* the dictionary is the 32 KiB of input before this block */
	memcpy(s->dict, z->tail, z->tail_len);
	s->dict_len = z->tail_len;
	if (s->in_len >= DICT_MAX) {
		memcpy(z->tail, s->in + s->in_len - DICT_MAX, DICT_MAX);
		z->tail_len = DICT_MAX;
	} else {
		keep = DICT_MAX - s->in_len < z->tail_len ? DICT_MAX - s->in_len : z->tail_len;
		memmove(z->tail, z->tail + z->tail_len - keep, keep);
		memcpy(z->tail + keep, s->in, s->in_len);
		z->tail_len = keep + s->in_len;
	}
	__atomic_add_fetch(&z->consumed, (long long)s->in_len, __ATOMIC_RELAXED);
	return 0;
}

static int deflate_block(struct dr_zstream *z, z_stream *d, struct slot *s, struct dr_err *e)
{
	int zr = deflateReset(d);

	if (zr == Z_OK && s->dict_len)
		zr = deflateSetDictionary(d, s->dict, (uInt)s->dict_len);
	d->next_in = s->in;
	d->avail_in = (uInt)s->in_len;
	d->next_out = s->out;
	d->avail_out = (uInt)z->out_cap;
	if (zr == Z_OK)
		zr = deflate(d, s->last ? Z_FINISH : Z_SYNC_FLUSH);
	if (zr != (s->last ? Z_STREAM_END : Z_OK) || d->avail_in != 0)
		return dr_fail(e, DR_EIO, "gzip: deflate failed (%d)", zr);
	s->out_len = z->out_cap - d->avail_out;
	s->out_pos = 0;
	s->crc = crc32(0L, s->in, (uInt)s->in_len);
	return 0;
}

/* A gzip worker: takes its turn at reading the next block, then deflates
 * it while others read and deflate theirs. */
static void *gzip_worker(void *arg)
{
	struct dr_zstream *z = arg;
	struct dr_err e = { 0 };
	z_stream d;
	int ok = 0;

	memset(&d, 0, sizeof(d));
	pthread_mutex_lock(&z->lock);
	if (deflateInit2(&d, z->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK)
		ok = 1;
	else
		fail_locked(z, &(struct dr_err){ DR_EIO, "gzip: cannot set up deflate" });
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
		rc = deflate_block(z, &d, s, &e);
		pthread_mutex_lock(&z->lock);
		if (rc != 0) {
			fail_locked(z, &e);
			break;
		}
		s->st = SLOT_READY;
		pthread_cond_broadcast(&z->cond);
	}
	pthread_mutex_unlock(&z->lock);
	deflateEnd(&d);
	return NULL;
}

static void put_le32(unsigned char *p, uLong v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static long gzip_read(struct dr_zstream *z, unsigned char *buf, size_t n, struct dr_err *e)
{
	long got = 0;

	if (z->head_pos < sizeof(z->head)) {
		size_t k = sizeof(z->head) - z->head_pos < n ? sizeof(z->head) - z->head_pos : n;

		memcpy(buf, z->head + z->head_pos, k);
		z->head_pos += k;
		return (long)k;
	}
	pthread_mutex_lock(&z->lock);
	while (got == 0) {
		struct slot *s = &z->slots[z->next_out % (long long)z->nslots];

		if (z->failed) {
			*e = z->err;
			got = e->code ? e->code : DR_EIO;
			break;
		}
		if (z->blocks_done) {
			size_t k = sizeof(z->trailer) - z->trailer_pos;

			k = k < n ? k : n;
			memcpy(buf, z->trailer + z->trailer_pos, k);
			z->trailer_pos += k;
			got = (long)k;
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
			z->crc = crc32_combine(z->crc, s->crc, (z_off_t)s->in_len);
			z->total_in += s->in_len;
			s->st = SLOT_FREE;
			z->next_out++;
			if (s->last) {
				z->blocks_done = 1;
				put_le32(z->trailer, z->crc);
				put_le32(z->trailer + 4, (uLong)(z->total_in & 0xffffffffu));
			}
			pthread_cond_broadcast(&z->cond);
		}
	}
	pthread_mutex_unlock(&z->lock);
	return got;
}

static int gzip_open(struct dr_zstream *z, struct dr_err *e)
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
	z_stream d;

	memcpy(z->head, head, sizeof(head));
	z->crc = crc32(0L, Z_NULL, 0);
	memset(&d, 0, sizeof(d));
	if (deflateInit2(&d, z->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return dr_fail(e, DR_EIO, "gzip: cannot set up deflate");
	/* room for a block that does not compress, plus the flush marker */
	z->out_cap = deflateBound(&d, DR_GZIP_BLOCK) + 64;
	deflateEnd(&d);
	z->nslots = (size_t)z->threads * 2 > MIN_SLOTS ? (size_t)z->threads * 2 : MIN_SLOTS;
	z->slots = calloc(z->nslots, sizeof(*z->slots));
	if (!z->slots)
		return dr_fail(e, DR_EIO, "out of memory");
	for (size_t i = 0; i < z->nslots; i++) {
		z->slots[i].in = malloc(DR_GZIP_BLOCK);
		z->slots[i].out = malloc(z->out_cap);
		if (!z->slots[i].in || !z->slots[i].out)
			return dr_fail(e, DR_EIO, "out of memory");
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
		return dr_fail(e, DR_EIO, "out of memory");
	r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, z->level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	/* always at least one worker: the output is then the same for any count */
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, z->threads);
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
		return dr_fail(e, DR_EIO, "out of memory");
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
