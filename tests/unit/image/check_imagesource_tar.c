#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/imagesource_int.h"
#include "fixture.h"
#include "unit.h"

static char tar[256];

static void tar_setup(void)
{
	unit_world_setup();
	unit_path(tar, sizeof(tar), "t.tar");
}

static void assert_read(const char *name, const char *want)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_tar_read(tar, name, 1 << 20, &b, &e) == 0, "%s: %s", name, e.msg);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_str_eq(b.data, want);
	dr_buf_wipe(&b);
}

static void assert_read_fails(const char *name, int code, const char *msg_fmt)
{
	struct dr_buf b = { .data = (char *)"x", .len = 9, .cap = 9 };
	struct dr_err e = { 0 };
	char want[700];

	ck_assert_int_eq(dr_tar_read(tar, name, 1 << 20, &b, &e), code);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	/* the format is one of this file's own literals (each with one %s) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(want, sizeof(want), msg_fmt, tar);
#pragma GCC diagnostic pop
	ck_assert_str_eq(e.msg, want);
}

START_TEST(test_names)
{
	const struct unit_tar_entry ents[] = {
		UNIT_TAR_FILE("a/file", "alpha", 5),
		UNIT_TAR_FILE("./b/file", "beta", 4),
		UNIT_TAR_FILE("/c", "gamma", 5),
		UNIT_TAR_FILE("empty", "", 0),
		UNIT_TAR_DIR("d"),
	};

	unit_write_tar(tar, ents, 5, 0);
	assert_read("a/file", "alpha");
	assert_read("./a/file", "alpha");
	assert_read("/a/file", "alpha");
	assert_read("b/file", "beta");   /* "./" in the archive */
	assert_read("c", "gamma");       /* leading "/" in the archive */
	assert_read("././c", "gamma");
	assert_read("empty", "");
	ck_assert_int_eq(dr_tar_has(tar, "a/file"), 1);
	ck_assert_int_eq(dr_tar_has(tar, "./b/file"), 1);
	ck_assert_int_eq(dr_tar_has(tar, "a/fil"), 0);
	ck_assert_int_eq(dr_tar_has(tar, "d"), 0); /* a directory is no file */
	assert_read_fails("nope", DR_ENOTFOUND, "%s has no nope");
	assert_read_fails("A/file", DR_ENOTFOUND, "%s has no A/file"); /* case matters */
	/* tar stores a directory as "d/" */
	assert_read_fails("d/", DR_EINVAL, "d/ in %s is not a file");
	assert_read_fails("d", DR_ENOTFOUND, "%s has no d");
}
END_TEST

START_TEST(test_links)
{
	const struct unit_tar_entry ents[] = {
		UNIT_TAR_FILE("blobs/sha256/aa", "layer", 5),
		UNIT_TAR_SYMLINK("x/rel", "../blobs/sha256/aa"),
		UNIT_TAR_SYMLINK("x/abs", "/blobs/sha256/aa"),
		UNIT_TAR_SYMLINK("x/dot", "./rel"),          /* link to a link */
		UNIT_TAR_HARDLINK("hard", "blobs/sha256/aa"),
		UNIT_TAR_SYMLINK("x/out", "../../etc/passwd"),
		UNIT_TAR_SYMLINK("x/dangling", "nothing"),
		UNIT_TAR_SYMLINK("loop1", "loop2"),
		UNIT_TAR_SYMLINK("loop2", "loop1"),
		UNIT_TAR_SYMLINK("x/updir", ".."),
	};

	unit_write_tar(tar, ents, sizeof(ents) / sizeof(ents[0]), 0);
	assert_read("x/rel", "layer");
	assert_read("x/abs", "layer");
	assert_read("x/dot", "layer");
	assert_read("hard", "layer");
	ck_assert_int_eq(dr_tar_has(tar, "x/rel"), 1);
	assert_read_fails("x/out", DR_EINVAL, "x/out in %s links outside the archive");
	assert_read_fails("x/dangling", DR_ENOTFOUND, "%s has no x/nothing");
	assert_read_fails("loop1", DR_EINVAL, "too many links for loop1 in %s");
	assert_read_fails("x/updir", DR_EINVAL, "x/updir in %s links outside the archive");
	ck_assert_int_eq(dr_tar_has(tar, "loop1"), 0);
}
END_TEST

/* eight links in a row are followed, nine are too many */
START_TEST(test_link_chain)
{
	struct unit_tar_entry ents[11];
	char names[11][16], targets[11][16];

	for (int i = 0; i < 10; i++) {
		snprintf(names[i], sizeof(names[i]), "l%d", i);
		snprintf(targets[i], sizeof(targets[i]), "l%d", i + 1);
		ents[i] = (struct unit_tar_entry)UNIT_TAR_SYMLINK(names[i], targets[i]);
	}
	ents[10] = (struct unit_tar_entry)UNIT_TAR_FILE("l10", "end", 3);
	unit_write_tar(tar, ents, 11, 0);
	assert_read("l2", "end");  /* l2 -> … -> l10: 8 links */
	assert_read_fails("l1", DR_EINVAL, "too many links for l1 in %s");
}
END_TEST

START_TEST(test_limit)
{
	static char big[100000];
	const struct unit_tar_entry ents[] = { UNIT_TAR_FILE("big", big, sizeof(big)) };
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	char want[600];

	memset(big, 'b', sizeof(big));
	unit_write_tar(tar, ents, 1, 0);
	ck_assert_int_eq(dr_tar_read(tar, "big", sizeof(big), &b, &e), 0);
	ck_assert_uint_eq(b.len, sizeof(big));
	ck_assert_int_eq(b.data[b.len], '\0');
	dr_buf_wipe(&b);
	ck_assert_int_eq(dr_tar_read(tar, "big", sizeof(big) - 1, &b, &e), DR_ETOOBIG);
	snprintf(want, sizeof(want), "big in %s is over %zu bytes", tar, sizeof(big) - 1);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_gzip)
{
	const struct unit_tar_entry ents[] = { UNIT_TAR_FILE("manifest.json", "[]", 2), UNIT_TAR_FILE("z", "zz", 2) };

	/* `docker save | gzip` */
	unit_write_tar(tar, ents, 2, 1);
	assert_read("manifest.json", "[]");
	assert_read("z", "zz");
}
END_TEST

START_TEST(test_bad_archives)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	char want[600];
	static char data[3000];
	const struct unit_tar_entry ents[] = { UNIT_TAR_FILE("a", data, sizeof(data)) };

	/* missing */
	ck_assert_int_eq(dr_tar_read(tar, "a", 100, &b, &e), DR_EIO);
	snprintf(want, sizeof(want), "cannot open %s: ", tar);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	ck_assert_int_eq(dr_tar_has(tar, "a"), 0);
	/* not an archive */
	unit_write(tar, "this is no tar file, only text\n", 31, 0644);
	ck_assert_int_eq(dr_tar_read(tar, "a", 100, &b, &e), DR_EIO);
	ck_assert_msg(strstr(e.msg, tar) != NULL, "%s", e.msg);
	/* cut short in the middle of an entry's data */
	memset(data, 'd', sizeof(data));
	unit_write_tar(tar, ents, 1, 0);
	ck_assert_int_eq(truncate(tar, 512 + 700), 0); /* the header, 700 of 3000 bytes */
	ck_assert_int_eq(dr_tar_read(tar, "a", sizeof(data), &b, &e), DR_EIO);
	ck_assert_ptr_null(b.data);
	/* empty file */
	unit_write(tar, "", 0, 0644);
	ck_assert_int_ne(dr_tar_read(tar, "a", 100, &b, &e), 0);
}
END_TEST

START_TEST(test_stream)
{
	static char data[200000];
	const struct unit_tar_entry ents[] = { UNIT_TAR_FILE("before", "x", 1), UNIT_TAR_FILE("blob", data, sizeof(data)),
					       UNIT_TAR_FILE("after", "y", 1) };
	struct dr_tar_stream *s = (struct dr_tar_stream *)1, *s2;
	struct dr_err e = { 0 };
	long long size = -1, size2;
	char buf[777];
	size_t got = 0;
	long n;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	unit_write_tar(tar, ents, 3, 0);
	ck_assert_int_eq(dr_tar_stream_open(tar, "blob", &s, &size, &e), 0);
	ck_assert_int_eq(size, sizeof(data));
	/* a second stream of the same tar, independent of the first */
	ck_assert_int_eq(dr_tar_stream_open(tar, "after", &s2, &size2, &e), 0);
	ck_assert_int_eq(size2, 1);
	for (;;) {
		n = dr_tar_stream_read(s, buf, sizeof(buf), &e);
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		ck_assert_int_le(n, sizeof(buf));
		ck_assert(memcmp(buf, data + got, (size_t)n) == 0);
		got += (size_t)n;
	}
	ck_assert_uint_eq(got, sizeof(data));
	ck_assert_int_eq(dr_tar_stream_read(s, buf, sizeof(buf), &e), 0);
	ck_assert_int_eq(dr_tar_stream_read(s2, buf, sizeof(buf), &e), 1);
	ck_assert_int_eq(buf[0], 'y');
	dr_tar_stream_close(s);
	dr_tar_stream_close(s2);
	dr_tar_stream_close(NULL);
	ck_assert_int_eq(dr_tar_stream_open(tar, "missing", &s, &size, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(s);
}
END_TEST

Suite *imagesource_tar_suite(void)
{
	Suite *s = suite_create("imagesource_tar");
	TCase *tc = tcase_create("tar");

	tcase_add_checked_fixture(tc, tar_setup, unit_world_teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_links);
	tcase_add_test(tc, test_link_chain);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_gzip);
	tcase_add_test(tc, test_bad_archives);
	tcase_add_test(tc, test_stream);
	suite_add_tcase(s, tc);
	return s;
}
