/* core/compress.c: gzip and zstd streams decode (with libdeflate's and
 * libzstd's own decoders, member by member for gzip: each checks its crc32
 * and size) to the input, are the same bytes for any thread count, and
 * pass a source's failure on. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zstd.h>

#include "push/compress.h"
#include "unit.h"

struct src {
	const unsigned char *data;
	size_t len, pos, step; /* step: most bytes per call (odd sizes on purpose) */
	long fail_at;          /* fail once pos reaches this, -1: never */
};

static long pull(void *ud, void *buf, size_t n, struct dr_err *e)
{
	struct src *s = ud;
	size_t k = s->len - s->pos;

	if (s->fail_at >= 0 && s->pos >= (size_t)s->fail_at)
		return dr_fail(e, DR_EINVAL, "source broke at %zu", s->pos);
	k = k < n ? k : n;
	k = k < s->step ? k : s->step;
	memcpy(buf, s->data + s->pos, k);
	s->pos += k;
	return (long)k;
}

/* Text-like data that compresses, with a random tail that does not. */
static unsigned char *make_input(size_t len)
{
	static const char *words[] = { "layer ", "registry ", "dokku ", "blob ", "\n", "sha256 " };
	unsigned char *p = malloc(len ? len : 1);
	unsigned x = 12345;

	for (size_t i = 0; i < len;) {
		const char *w;

		x = x * 1103515245u + 12345u;
		if (i > len * 3 / 4) {
			p[i++] = (unsigned char)(x >> 16);
			continue;
		}
		w = words[(x >> 16) % 6];
		for (size_t k = 0; w[k] && i < len; k++)
			p[i++] = (unsigned char)w[k];
	}
	return p;
}

static unsigned char *compress_all(enum dr_compression c, int level, int threads,
				   const unsigned char *in, size_t len, size_t *out_len)
{
	struct src s = { in, len, 0, 70001, -1 };
	struct dr_zstream *z = NULL;
	struct dr_err e = { 0 };
	size_t cap = len + len / 2 + 4096, got = 0;
	unsigned char *out = malloc(cap);
	long n;

	ck_assert_int_eq(dr_zstream_open(c, level, threads, pull, &s, &z, &e), 0);
	do {
		/* small reads: the stream must hand out a block in pieces */
		n = dr_zstream_read(z, out + got, cap - got < 9999 ? cap - got : 9999, &e);
		ck_assert_msg(n >= 0, "%s", e.msg);
		got += (size_t)n;
		ck_assert_uint_lt(got, cap);
	} while (n > 0);
	ck_assert_int_eq(dr_zstream_consumed(z), (long long)len);
	dr_zstream_close(z);
	*out_len = got;
	return out;
}

/* Decodes every member in turn; returns how many there were. */
static int check_gunzip(const unsigned char *gz, size_t gz_len, const unsigned char *in,
			size_t len)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned char *back = malloc(len + DR_GZIP_BLOCK + 1);
	size_t at = 0, got = 0;
	int members = 0;

	while (at < gz_len) {
		size_t used = 0, out = 0;
		enum libdeflate_result r = libdeflate_gzip_decompress_ex(
			d, gz + at, gz_len - at, back + got, len + DR_GZIP_BLOCK - got, &used, &out);

		ck_assert_int_eq(r, LIBDEFLATE_SUCCESS); /* also checks crc32 and size */
		/* no name, no mtime: the same bytes whenever it is made */
		ck_assert_int_eq(gz[at + 3], 0);
		for (int i = 4; i < 8; i++)
			ck_assert_int_eq(gz[at + i], 0);
		ck_assert_uint_le(out, DR_GZIP_BLOCK);
		at += used;
		got += out;
		members++;
	}
	ck_assert_uint_eq(got, len);
	ck_assert(memcmp(back, in, len) == 0);
	libdeflate_free_decompressor(d);
	free(back);
	return members;
}

static const size_t sizes[] = { 0, 1, 1000, DR_GZIP_BLOCK, 2 * DR_GZIP_BLOCK,
				5 * DR_GZIP_BLOCK + 777 };

START_TEST(gzip_round_trip)
{
	size_t len = sizes[_i], out_len;
	unsigned char *in = make_input(len), *gz = compress_all(DR_COMPRESS_GZIP, 6, 3, in, len,
								&out_len);

	check_gunzip(gz, out_len, in, len);
	free(gz);
	free(in);
}
END_TEST

START_TEST(gzip_members)
{
	size_t len = 3 * DR_GZIP_BLOCK + 5, out_len;
	unsigned char *in = make_input(len), *gz = compress_all(DR_COMPRESS_GZIP, 0, 2, in, len,
								&out_len);

	/* one member per block, none for the empty end of an exact multiple */
	ck_assert_int_eq(check_gunzip(gz, out_len, in, len), 4);
	ck_assert_int_eq(gz[0], 0x1f);
	ck_assert_int_eq(gz[1], 0x8b);
	ck_assert_int_eq(gz[2], 8);
	/* and it compressed */
	ck_assert_uint_lt(out_len, len * 6 / 10);
	free(gz);
	free(in);
	in = make_input(2 * DR_GZIP_BLOCK);
	gz = compress_all(DR_COMPRESS_GZIP, 12, 1, in, 2 * DR_GZIP_BLOCK, &out_len);
	ck_assert_int_eq(check_gunzip(gz, out_len, in, 2 * DR_GZIP_BLOCK), 2);
	free(gz);
	free(in);
	/* an empty input is one empty member */
	gz = compress_all(DR_COMPRESS_GZIP, 1, 1, (const unsigned char *)"", 0, &out_len);
	ck_assert_int_eq(check_gunzip(gz, out_len, (const unsigned char *)"", 0), 1);
	free(gz);
}
END_TEST

static void check_same_for_threads(enum dr_compression c, int level, size_t len)
{
	unsigned char *in = make_input(len), *ref, *other;
	size_t ref_len, other_len;
	static const int threads[] = { 2, 4, 7 };

	ref = compress_all(c, level, 1, in, len, &ref_len);
	for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		other = compress_all(c, level, threads[i], in, len, &other_len);
		ck_assert_uint_eq(other_len, ref_len);
		ck_assert_msg(memcmp(other, ref, ref_len) == 0, "%s with %d threads differs",
			      dr_compression_name(c), threads[i]);
		free(other);
	}
	free(ref);
	free(in);
}

START_TEST(gzip_same_bytes_any_threads)
{
	check_same_for_threads(DR_COMPRESS_GZIP, 6, 9 * DR_GZIP_BLOCK + 123);
}
END_TEST

START_TEST(zstd_same_bytes_any_threads)
{
	/* past zstd's job size, so several workers really split the input */
	check_same_for_threads(DR_COMPRESS_ZSTD, 3, (size_t)20 << 20);
}
END_TEST

START_TEST(zstd_round_trip)
{
	size_t len = sizes[_i], out_len;
	unsigned char *in = make_input(len), *zs = compress_all(DR_COMPRESS_ZSTD, 3, 2, in, len,
								&out_len);
	unsigned char *back = malloc(len + 1);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { zs, out_len, 0 };
	ZSTD_outBuffer ob = { back, len + 1, 0 };
	size_t r;

	do {
		r = ZSTD_decompressStream(d, &ob, &ib);
		ck_assert_msg(!ZSTD_isError(r), "%s", ZSTD_getErrorName(r));
	} while (r != 0 && ib.pos < ib.size);
	ck_assert_uint_eq(r, 0);
	ck_assert_uint_eq(ob.pos, len);
	ck_assert(memcmp(back, in, len) == 0);
	ZSTD_freeDCtx(d);
	free(back);
	free(zs);
	free(in);
}
END_TEST

START_TEST(source_failure_passed_on)
{
	enum dr_compression c = _i ? DR_COMPRESS_ZSTD : DR_COMPRESS_GZIP;
	size_t len = 4 * DR_GZIP_BLOCK;
	unsigned char *in = make_input(len), buf[65536];
	struct src s = { in, len, 0, 50000, (long)(2 * DR_GZIP_BLOCK + 10) };
	struct dr_zstream *z = NULL;
	struct dr_err e = { 0 };
	long n;

	ck_assert_int_eq(dr_zstream_open(c, 0, 3, pull, &s, &z, &e), 0);
	do
		n = dr_zstream_read(z, buf, sizeof(buf), &e);
	while (n > 0);
	ck_assert_int_eq(n, DR_EINVAL);
	ck_assert_msg(strncmp(e.msg, "source broke at ", 16) == 0, "%s", e.msg);
	dr_zstream_close(z);
	free(in);
}
END_TEST

START_TEST(close_early_and_names)
{
	size_t len = 8 * DR_GZIP_BLOCK;
	unsigned char *in = make_input(len), buf[100];
	struct src s = { in, len, 0, len, -1 };
	struct dr_zstream *z = NULL;
	struct dr_err e = { 0 };
	enum dr_compression c;

	/* the workers are blocked on full slots: closing must not hang */
	ck_assert_int_eq(dr_zstream_open(DR_COMPRESS_GZIP, 1, 4, pull, &s, &z, &e), 0);
	ck_assert_int_gt(dr_zstream_read(z, buf, sizeof(buf), &e), 0);
	dr_zstream_close(z);
	ck_assert_int_eq(dr_compression_parse("zstd", &c), 0);
	ck_assert_int_eq(c, DR_COMPRESS_ZSTD);
	ck_assert_int_eq(dr_compression_parse("none", &c), 0);
	ck_assert_int_eq(c, DR_COMPRESS_NONE);
	ck_assert_int_eq(dr_compression_parse("xz", &c), DR_EINVAL);
	ck_assert_int_eq(dr_compression_check_level(DR_COMPRESS_GZIP, 13, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "--compress-level for gzip must be from 1 to 12, not 13");
	ck_assert_int_eq(dr_compression_check_level(DR_COMPRESS_ZSTD, 19, &e), 0);
	ck_assert_int_eq(dr_zstream_open(DR_COMPRESS_ZSTD, 20, 1, pull, &s, &z, &e), DR_EINVAL);
	free(in);
}
END_TEST

Suite *compress_suite(void)
{
	Suite *s = suite_create("compress");
	TCase *tc = tcase_create("core");
	size_t n = sizeof(sizes) / sizeof(sizes[0]);

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, gzip_round_trip, 0, (int)n);
	tcase_add_test(tc, gzip_members);
	tcase_add_test(tc, gzip_same_bytes_any_threads);
	tcase_add_loop_test(tc, zstd_round_trip, 0, (int)n);
	tcase_add_test(tc, zstd_same_bytes_any_threads);
	tcase_add_loop_test(tc, source_failure_passed_on, 0, 2);
	tcase_add_test(tc, close_early_and_names);
	suite_add_tcase(s, tc);
	return s;
}
