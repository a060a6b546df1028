/* push_progress.c: what a push prints, plain and on a terminal, captured
 * from the real stdout byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "push/push_int.h"
#include "unit.h"

#define D_A "sha256:aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000"
#define D_B "sha256:bbbbbbbbbbbb1111111111111111111111111111111111111111111111111111"
#define D_C "sha256:cccccccccccc2222222222222222222222222222222222222222222222222222"
#define CLR "\r\033[2K"

static struct dr_blob blobs[3];
static struct dr_image img = { .blobs = blobs, .nblobs = 3 };

static void progress_setup(void)
{
	unit_world_setup();
	memset(blobs, 0, sizeof(blobs));
	strcpy(blobs[0].d.digest, D_A);
	blobs[0].d.size = 100;
	strcpy(blobs[1].d.digest, D_B);
	blobs[1].d.size = 1536;
	strcpy(blobs[2].d.digest, D_C);
	blobs[2].d.size = 3LL << 30;
}

START_TEST(test_digest_short)
{
	char out[16], tiny[5];

	ck_assert_str_eq(dr_digest_short(D_A, out, sizeof(out)), "aaaaaaaaaaaa");
	ck_assert_str_eq(dr_digest_short("abcdef", out, sizeof(out)), "abcdef");
	ck_assert_str_eq(dr_digest_short("sha512:0123456789abcdef", out, sizeof(out)), "0123456789ab");
	ck_assert_str_eq(dr_digest_short(D_A, tiny, sizeof(tiny)), "aaaa");
}
END_TEST

/* One line per finished blob, in the order they finish. */
START_TEST(test_plain_lines)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_PLAIN, 0, "  ");
	char *out;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(dr_progress_live(p), 0);
	unit_capture_begin(1);
	dr_progress_state(p, 0, DR_BLOB_CHECKING, NULL);
	dr_progress_state(p, 1, DR_BLOB_UPLOADING, NULL);
	dr_progress_bytes(p, 1, 700);
	dr_progress_render(p);          /* plain: draws nothing */
	dr_progress_retry(p, 1, 1500, "HTTP 503");
	dr_progress_state(p, 1, DR_BLOB_PUSHED, NULL);
	dr_progress_state(p, 0, DR_BLOB_EXISTS, NULL);
	dr_progress_state(p, 2, DR_BLOB_MOUNTED, "team/base");
	dr_progress_state(p, 2, DR_BLOB_FAILED, "x"); /* no final words: nothing */
	dr_progress_line(p, "pushed manifest %s", "sha256:m");
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "  bbbbbbbbbbbb: retrying in 1.5s: HTTP 503\n"
			      "  bbbbbbbbbbbb: pushed 1536 bytes\n"
			      "  aaaaaaaaaaaa: exists\n"
			      "  cccccccccccc: mounted from team/base\n"
			      "  pushed manifest sha256:m\n");
	free(out);
	dr_progress_free(p);
}
END_TEST

/* A detail joins the final words; a retry note never does. */
START_TEST(test_plain_details)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_PLAIN, 0, NULL);
	char *out;

	unit_capture_begin(1);
	dr_progress_state(p, 0, DR_BLOB_PUSHED, "gzip from 4096 bytes");
	dr_progress_state(p, 1, DR_BLOB_EXISTS, "compressed before");
	dr_progress_state(p, 2, DR_BLOB_CHECKING, "retrying in 0.5s");
	dr_progress_state(p, 2, DR_BLOB_PUSHED, NULL);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "aaaaaaaaaaaa: pushed 100 bytes, gzip from 4096 bytes\n"
			      "bbbbbbbbbbbb: exists, compressed before\n"
			      "cccccccccccc: pushed 3221225472 bytes\n");
	free(out);
	dr_progress_free(p);
}
END_TEST

/* --quiet: not a byte, not even on a "terminal". */
START_TEST(test_quiet)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_TTY, 1, "  ");
	char *out;

	ck_assert_int_eq(dr_progress_live(p), 0);
	unit_capture_begin(1);
	dr_progress_state(p, 0, DR_BLOB_PUSHED, NULL);
	dr_progress_retry(p, 1, 500, "reset");
	dr_progress_render(p);
	dr_progress_line(p, "done");
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "");
	free(out);
	dr_progress_free(p);
}
END_TEST

/* AUTO decides by stdout: a file is not a terminal. */
START_TEST(test_auto_is_plain_off_a_tty)
{
	struct dr_progress *p;
	char *out;

	unit_capture_begin(1);
	p = dr_progress_new(&img, DR_PROGRESS_AUTO, 0, NULL);
	ck_assert_int_eq(dr_progress_live(p), 0);
	dr_progress_state(p, 0, DR_BLOB_EXISTS, NULL);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "aaaaaaaaaaaa: exists\n");
	free(out);
	dr_progress_free(p);
}
END_TEST

/* A terminal: every line redrawn in place, the cursor moved up over the
 * last drawing; bars, sizes and states exactly. */
START_TEST(test_tty_render)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_TTY, 0, "> ");
	char *out;

	ck_assert_int_eq(dr_progress_live(p), 1);
	unit_capture_begin(1);
	dr_progress_state(p, 0, DR_BLOB_EXISTS, NULL); /* no plain line on a tty */
	dr_progress_render(p);
	dr_progress_state(p, 1, DR_BLOB_UPLOADING, NULL);
	dr_progress_bytes(p, 1, 768);
	dr_progress_state(p, 2, DR_BLOB_CHECKING, NULL);
	dr_progress_render(p);
	dr_progress_retry(p, 2, 2000, "not shown on a tty");
	dr_progress_bytes(p, 1, 1536);
	dr_progress_render(p);
	out = unit_capture_end(1);
	ck_assert_str_eq(out,
		CLR "> aaaaaaaaaaaa: exists\n"
		CLR "> bbbbbbbbbbbb: waiting\n"
		CLR "> cccccccccccc: waiting\n"
		"\033[3A"
		CLR "> aaaaaaaaaaaa: exists\n"
		CLR "> bbbbbbbbbbbb: uploading [===========>            ] 768 B / 1.5 KiB\n"
		CLR "> cccccccccccc: checking\n"
		"\033[3A"
		CLR "> aaaaaaaaaaaa: exists\n"
		CLR "> bbbbbbbbbbbb: uploading [========================] 1.5 KiB / 1.5 KiB\n"
		CLR "> cccccccccccc: retrying in 2.0s\n");
	free(out);
	dr_progress_free(p);
}
END_TEST

/* Units up to GiB, an empty bar at 0, a full one for an empty blob;
 * after the first line of its own the blob lines stay as they are. */
START_TEST(test_tty_units_and_finish)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_TTY, 0, NULL);
	char *out;

	blobs[0].d.size = 0;
	dr_progress_free(p);
	p = dr_progress_new(&img, DR_PROGRESS_TTY, 0, NULL);
	unit_capture_begin(1);
	dr_progress_state(p, 0, DR_BLOB_UPLOADING, NULL);
	dr_progress_state(p, 1, DR_BLOB_UPLOADING, NULL);
	dr_progress_state(p, 2, DR_BLOB_UPLOADING, NULL);
	dr_progress_bytes(p, 2, 5LL << 20);
	dr_progress_line(p, "manifest %d", 1);
	dr_progress_state(p, 1, DR_BLOB_FAILED, NULL);
	dr_progress_render(p);          /* finished: nothing more */
	dr_progress_line(p, "summary");
	out = unit_capture_end(1);
	ck_assert_str_eq(out,
		CLR "aaaaaaaaaaaa: uploading [========================] 0 B / 0 B\n"
		CLR "bbbbbbbbbbbb: uploading [                        ] 0 B / 1.5 KiB\n"
		CLR "cccccccccccc: uploading [                        ] 5.0 MiB / 3.0 GiB\n"
		"manifest 1\n"
		"summary\n");
	free(out);
	dr_progress_free(p);
}
END_TEST

START_TEST(test_failed_and_pushed_on_tty)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_TTY, 0, NULL);
	char *out;

	unit_capture_begin(1);
	dr_progress_state(p, 0, DR_BLOB_FAILED, NULL);
	dr_progress_state(p, 1, DR_BLOB_PUSHED, "zstd");
	dr_progress_state(p, 2, DR_BLOB_MOUNTED, "other/repo");
	dr_progress_render(p);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, CLR "aaaaaaaaaaaa: failed\n"
			      CLR "bbbbbbbbbbbb: pushed 1536 bytes, zstd\n"
			      CLR "cccccccccccc: mounted from other/repo\n");
	free(out);
	dr_progress_free(p);
}
END_TEST

/* Out-of-range indexes and a missing display are ignored. */
START_TEST(test_ignored)
{
	struct dr_progress *p = dr_progress_new(&img, DR_PROGRESS_PLAIN, 0, NULL);
	char *out;

	unit_capture_begin(1);
	dr_progress_state(p, 3, DR_BLOB_PUSHED, NULL);
	dr_progress_bytes(p, 99, 1);
	dr_progress_retry(p, 3, 10, "x");
	dr_progress_state(NULL, 0, DR_BLOB_PUSHED, NULL);
	dr_progress_bytes(NULL, 0, 1);
	dr_progress_retry(NULL, 0, 1, "x");
	dr_progress_render(NULL);
	dr_progress_line(NULL, "x");
	ck_assert_int_eq(dr_progress_live(NULL), 0);
	out = unit_capture_end(1);
	ck_assert_str_eq(out, "");
	free(out);
	dr_progress_free(p);
	dr_progress_free(NULL);
}
END_TEST

Suite *push_progress_suite(void)
{
	Suite *s = suite_create("push_progress");
	TCase *tc = tcase_create("output");

	tcase_add_checked_fixture(tc, progress_setup, unit_world_teardown);
	tcase_add_test(tc, test_digest_short);
	tcase_add_test(tc, test_plain_lines);
	tcase_add_test(tc, test_plain_details);
	tcase_add_test(tc, test_quiet);
	tcase_add_test(tc, test_auto_is_plain_off_a_tty);
	tcase_add_test(tc, test_tty_render);
	tcase_add_test(tc, test_tty_units_and_finish);
	tcase_add_test(tc, test_failed_and_pushed_on_tty);
	tcase_add_test(tc, test_ignored);
	suite_add_tcase(s, tc);
	return s;
}
