/* Streaming layer compression for the pusher: gzip (libdeflate) or zstd
 * (libzstd) of a pulled input, read out as compressed bytes, in constant
 * memory, on several threads.
 *
 * gzip is block-parallel: the input is cut into fixed 1 MiB blocks, each
 * compressed on its own thread into a gzip member (RFC 1952 allows any
 * number; gzip(1), Go's compress/gzip that Docker, containerd, skopeo and
 * podman use, and pigz read them all, and eStargz layers are made the
 * same way), no name, mtime 0. libdeflate has no streaming API but is
 * about four times zlib's speed at the same ratio, which is what keeps a
 * fast link busy. Blocks are cut by size, not by thread, so the bytes are
 * the same for any thread count.
 *
 * zstd uses libzstd's own workers (nbWorkers >= 1 always, a fixed job
 * size: the output then depends on level and parameters only, not on the
 * number of workers; the unit tests check this for 1, 2, 4 and 7). */
#ifndef DR_COMPRESS_H
#define DR_COMPRESS_H

#include <stddef.h>

#include "base/err.h"

/* gzip is 0: what a zeroed option struct means */
enum dr_compression { DR_COMPRESS_GZIP, DR_COMPRESS_ZSTD, DR_COMPRESS_NONE };

#define DR_GZIP_DEFAULT_LEVEL 4
#define DR_ZSTD_DEFAULT_LEVEL 3
/* gzip input block: the unit of parallel work, one member each */
#define DR_GZIP_BLOCK ((size_t)1 << 20)

/* "gzip", "zstd", "none" */
int dr_compression_parse(const char *name, enum dr_compression *out);
const char *dr_compression_name(enum dr_compression c);
/* 1..12 for gzip (libdeflate's levels), 1..19 for zstd; DR_EINVAL otherwise */
int dr_compression_check_level(enum dr_compression c, int level, struct dr_err *e);
int dr_compression_default_level(enum dr_compression c);
/* threads to use when the caller says 0: the online CPUs, at most 8
 * (DR_COMPRESS_THREADS overrides) */
int dr_compression_threads(void);

/* Pulls input: up to n bytes into buf, 0 at the end, < 0 (a DR_E code,
 * e filled) on failure. Called from one thread at a time. */
typedef long (*dr_zsource_fn)(void *ud, void *buf, size_t n, struct dr_err *e);

struct dr_zstream;
/* level 0: the default; threads 0: dr_compression_threads(). */
int dr_zstream_open(enum dr_compression c, int level, int threads, dr_zsource_fn src, void *ud,
		    struct dr_zstream **out, struct dr_err *e);
/* Compressed bytes: up to n, 0 at the end, < 0 on failure (the source's
 * own failure is passed on with its message). */
long dr_zstream_read(struct dr_zstream *z, void *buf, size_t n, struct dr_err *e);
/* Input bytes consumed so far (for progress). */
long long dr_zstream_consumed(struct dr_zstream *z);
void dr_zstream_close(struct dr_zstream *z);

#endif
