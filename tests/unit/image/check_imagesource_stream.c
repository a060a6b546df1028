#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/imagesource_int.h"
#include "fixture.h"
#include "unit.h"

/* the digest of no bytes */
#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* an image of one blob, in a directory or a tar */
static struct dr_image img;
static struct dr_blob blob;
static char data[150000];
static int compare = 1; /* the file holds data as it is */

static void stream_setup(void)
{
	char path[300];

	unit_world_setup();
	compare = 1;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i % 251);
	memset(&img, 0, sizeof(img));
	memset(&blob, 0, sizeof(blob));
	img.name = (char *)"oci:test";
	img.kind = DR_SRC_DIR;
	img.root = unit_tmp;
	dr_sha256_digest(data, sizeof(data), blob.d.digest);
	blob.d.size = sizeof(data);
	blob.path = (char *)"blob";
	unit_write(unit_path(path, sizeof(path), "blob"), data, sizeof(data), 0644);
}

static void use_tar(const char *entry)
{
	const struct unit_tar_entry ents[] = { UNIT_TAR_FILE("blob", data, sizeof(data)) };
	static char tar[300];

	unit_write_tar(unit_path(tar, sizeof(tar), "img.tar"), ents, 1, 0);
	img.name = (char *)"docker-archive:test";
	img.kind = DR_SRC_TAR;
	img.root = tar;
	blob.path = (char *)entry;
}

/* reads to the end in chunk-sized reads, comparing with data when the
 * file holds it; the last result */

static long drain(struct dr_blob_stream *s, size_t chunk, size_t *total, struct dr_err *e)
{
	char buf[70000];
	long n;

	*total = 0;
	for (;;) {
		n = dr_blob_read(s, buf, chunk, e);
		if (n <= 0)
			return n;
		ck_assert_int_le(n, chunk);
		if (compare)
			ck_assert(memcmp(buf, data + *total, (size_t)n) == 0);
		*total += (size_t)n;
	}
}

static void assert_whole(size_t chunk)
{
	struct dr_blob_stream *s;
	struct dr_err e = { 0 };
	size_t total;

	ck_assert_msg(dr_blob_open(&img, &blob, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(dr_blob_offset(s), 0);
	ck_assert_int_eq(drain(s, chunk, &total, &e), 0);
	ck_assert_uint_eq(total, sizeof(data));
	ck_assert_int_eq(dr_blob_offset(s), sizeof(data));
	/* verified: further reads are the end again */
	ck_assert_int_eq(dr_blob_read(s, (char[4]){ 0 }, 4, &e), 0);
	dr_blob_close(s);
}

START_TEST(test_read_dir)
{
	assert_whole(1);
	assert_whole(4096);
	assert_whole(65536);
}
END_TEST

START_TEST(test_read_tar)
{
	use_tar("blob");
	assert_whole(333);
	assert_whole(65536);
}
END_TEST

/* more than one stream at once, each with its own position */
START_TEST(test_parallel_streams)
{
	struct dr_blob_stream *a, *b;
	struct dr_err e = { 0 };
	size_t total;
	char buf[10];

	ck_assert_int_eq(dr_blob_open(&img, &blob, &a, &e), 0);
	ck_assert_int_eq(dr_blob_open(&img, &blob, &b, &e), 0);
	ck_assert_int_eq(dr_blob_read(a, buf, 10, &e), 10);
	ck_assert_int_eq(drain(b, 5000, &total, &e), 0);
	ck_assert_int_eq(dr_blob_offset(a), 10);
	ck_assert_int_eq(dr_blob_read(a, buf, 10, &e), 10);
	ck_assert(memcmp(buf, data + 10, 10) == 0);
	dr_blob_close(a);
	dr_blob_close(b);
	dr_blob_close(NULL);
}
END_TEST

static void assert_corrupt(const char *msg_tail)
{
	struct dr_blob_stream *s;
	struct dr_err e = { 0 };
	char want[400];
	size_t total;

	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), 0);
	ck_assert_int_eq(drain(s, 4096, &total, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "blob %s in %s is corrupt: %s", blob.d.digest, img.name,
		 msg_tail);
	ck_assert_str_eq(e.msg, want);
	dr_blob_close(s);
}

START_TEST(test_corrupt)
{
	char path[300], got[DR_DIGEST_MAX], tail[200];

	compare = 0;
	/* one byte changed, same size: the digest at the end */
	data[100000] ^= 1;
	dr_sha256_digest(data, sizeof(data), got);
	unit_write(unit_path(path, sizeof(path), "blob"), data, sizeof(data), 0644);
	data[100000] ^= 1;
	snprintf(tail, sizeof(tail), "read %s", got);
	assert_corrupt(tail);
	/* shorter */
	unit_write(path, data, sizeof(data) - 1, 0644);
	snprintf(tail, sizeof(tail), "read %zu bytes, expected %zu", sizeof(data) - 1, sizeof(data));
	assert_corrupt(tail);
	/* longer: stops as soon as it is past the size (read 4096 at a time) */
	blob.d.size = 4000;
	unit_write(path, data, sizeof(data), 0644);
	assert_corrupt("read more than 4096 bytes, expected 4000");
}
END_TEST

START_TEST(test_open_errors)
{
	struct dr_blob_stream *s = (struct dr_blob_stream *)1;
	struct dr_err e = { 0 };
	char want[600];

	blob.path = (char *)"missing";
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(s);
	snprintf(want, sizeof(want), "blob %s in oci:test: cannot open %s/missing: No such file or directory",
		 blob.d.digest, unit_tmp);
	ck_assert_str_eq(e.msg, want);
	use_tar("missing");
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), DR_ENOTFOUND);
	snprintf(want, sizeof(want), "blob %s is missing in docker-archive:test", blob.d.digest);
	ck_assert_str_eq(e.msg, want);
	blob.path = (char *)"blob";
	snprintf(blob.d.digest, sizeof(blob.d.digest), "sha512:%0128d", 0);
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "blob %s: only sha256 digests are supported", blob.d.digest);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

/* a resumed upload skips what the registry has; the whole blob is still
 * verified */
START_TEST(test_skip)
{
	struct dr_blob_stream *s;
	struct dr_err e = { 0 };
	char buf[65536], want[400];
	long long off = 0;
	long n;

	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), 0);
	ck_assert_int_eq(dr_blob_skip_to(s, 100001, &e), 0);
	ck_assert_int_eq(dr_blob_offset(s), 100001);
	ck_assert_int_eq(dr_blob_skip_to(s, 5, &e), 0); /* backwards: nothing to do */
	ck_assert_int_eq(dr_blob_offset(s), 100001);
	off = 100001;
	for (;;) {
		n = dr_blob_read(s, buf, sizeof(buf), &e);
		if (n <= 0)
			break;
		ck_assert(memcmp(buf, data + off, (size_t)n) == 0);
		off += n;
	}
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(off, sizeof(data));
	dr_blob_close(s);
	/* to the very end, then past it */
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), 0);
	ck_assert_int_eq(dr_blob_skip_to(s, sizeof(data), &e), 0);
	ck_assert_int_eq(dr_blob_read(s, buf, sizeof(buf), &e), 0);
	dr_blob_close(s);
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), 0);
	ck_assert_int_eq(dr_blob_skip_to(s, sizeof(data) + 1, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "blob %s in oci:test is shorter than %zu bytes", blob.d.digest,
		 sizeof(data) + 1);
	ck_assert_str_eq(e.msg, want);
	dr_blob_close(s);
	/* skipping over corrupt data still finds it */
	data[10] ^= 1;
	unit_write(unit_path(buf, sizeof(buf), "blob"), data, sizeof(data), 0644);
	data[10] ^= 1;
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), 0);
	ck_assert_int_eq(dr_blob_skip_to(s, 1000, &e), 0);
	do
		n = dr_blob_read(s, buf, sizeof(buf), &e);
	while (n > 0);
	ck_assert_int_eq(n, DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "is corrupt: read sha256:"));
	dr_blob_close(s);
}
END_TEST

START_TEST(test_empty_blob)
{
	struct dr_blob_stream *s;
	struct dr_err e = { 0 };
	char path[300];

	unit_write(unit_path(path, sizeof(path), "blob"), "", 0, 0644);
	snprintf(blob.d.digest, sizeof(blob.d.digest), "%s", SHA_EMPTY);
	blob.d.size = 0;
	ck_assert_int_eq(dr_blob_open(&img, &blob, &s, &e), 0);
	ck_assert_int_eq(dr_blob_read(s, path, sizeof(path), &e), 0);
	dr_blob_close(s);
}
END_TEST

Suite *imagesource_stream_suite(void)
{
	Suite *s = suite_create("imagesource_stream");
	TCase *tc = tcase_create("blobs");

	tcase_add_checked_fixture(tc, stream_setup, unit_world_teardown);
	tcase_add_test(tc, test_read_dir);
	tcase_add_test(tc, test_read_tar);
	tcase_add_test(tc, test_parallel_streams);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_empty_blob);
	suite_add_tcase(s, tc);
	return s;
}
