#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"
#include "release_spy.h"
#include "unit.h"

START_TEST(test_zeroed_is_empty)
{
	struct dr_buf b = DR_BUF_INIT;
	struct dr_err e = { 0 };

	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(dr_buf_append(&b, NULL, 0, &e), 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	dr_buf_wipe(&b);
	ck_assert_ptr_null(b.data);
	dr_buf_wipe(&b); /* twice is harmless */
}
END_TEST

START_TEST(test_append_bytes_and_strings)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_buf_append_str(&b, "user", &e), 0);
	ck_assert_int_eq(dr_buf_append(&b, ":\0pw", 4, &e), 0);
	ck_assert_int_eq(dr_buf_append_str(&b, "!", &e), 0);
	ck_assert_uint_eq(b.len, 9);
	ck_assert_mem_eq(b.data, "user:\0pw!", 10); /* with the NUL after it */
	dr_buf_wipe(&b);
}
END_TEST

START_TEST(test_growth_doubles_from_4096)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	char chunk[1000];

	memset(chunk, 'a', sizeof(chunk));
	ck_assert_int_eq(dr_buf_append(&b, chunk, 1, &e), 0);
	ck_assert_uint_eq(b.cap, 4096);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(dr_buf_append(&b, chunk, sizeof(chunk), &e), 0);
	ck_assert_uint_eq(b.len, 5001);
	ck_assert_uint_eq(b.cap, 8192);
	ck_assert_int_eq(dr_buf_reserve(&b, 20000, &e), 0);
	ck_assert_uint_eq(b.cap, 32768);
	ck_assert_uint_eq(b.len, 5001);
	ck_assert_int_eq(b.data[5000], 'a');
	ck_assert_int_eq(b.data[5001], '\0');
	dr_buf_wipe(&b);
}
END_TEST

START_TEST(test_limit)
{
	struct dr_buf b;
	struct dr_err e = { 0 };

	dr_buf_init(&b, 10);
	ck_assert_int_eq(dr_buf_append_str(&b, "0123456789", &e), 0);
	ck_assert_int_eq(dr_buf_append(&b, "x", 1, &e), DR_ETOOBIG);
	ck_assert_int_eq(e.code, DR_ETOOBIG);
	ck_assert_str_eq(e.msg, "more than 10 bytes");
	/* unchanged by the failed append, and never bigger than the limit */
	ck_assert_str_eq(b.data, "0123456789");
	ck_assert_uint_eq(b.len, 10);
	ck_assert_uint_le(b.cap, 11);
	ck_assert_int_eq(dr_buf_reserve(&b, 1, NULL), DR_ETOOBIG);
	dr_buf_wipe(&b);
	ck_assert_uint_eq(b.limit, 10); /* kept for reuse */
	ck_assert_int_eq(dr_buf_append_str(&b, "0123456789a", &e), DR_ETOOBIG);
	ck_assert_ptr_null(b.data);
	dr_buf_wipe(&b);
}
END_TEST

START_TEST(test_limit_does_not_cap_small_blocks)
{
	struct dr_buf b;
	struct dr_err e = { 0 };

	dr_buf_init(&b, 1 << 20);
	ck_assert_int_eq(dr_buf_append_str(&b, "x", &e), 0);
	ck_assert_uint_eq(b.cap, 4096);
	ck_assert_int_eq(dr_buf_reserve(&b, (1 << 20) - 1, &e), 0);
	ck_assert_uint_eq(b.cap, (1 << 20) + 1);
	dr_buf_wipe(&b);
}
END_TEST

START_TEST(test_size_overflow_is_out_of_memory)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_buf_append_str(&b, "abc", &e), 0);
	ck_assert_int_eq(dr_buf_reserve(&b, SIZE_MAX - 2, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "out of memory");
	ck_assert_str_eq(b.data, "abc");
	dr_buf_wipe(&b);
}
END_TEST

START_TEST(test_detach)
{
	struct dr_buf b;
	struct dr_err e = { 0 };
	size_t len = 0;
	char *s;

	dr_buf_init(&b, 100);
	ck_assert_int_eq(dr_buf_append_str(&b, "token", &e), 0);
	s = dr_buf_detach(&b, &len);
	ck_assert_str_eq(s, "token");
	ck_assert_uint_eq(len, 5);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.limit, 100);
	dr_wipe_free(s);
	/* an empty buffer hands over "" */
	s = dr_buf_detach(&b, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	dr_wipe_free(s);
	dr_buf_wipe(&b);
}
END_TEST

/* The release hook sees every block before free(): it counts them, the
 * bytes wiped, and the bytes that were not zero when handed over. */
START_TEST(test_every_block_wiped)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	char secret[3000];

	memset(secret, 's', sizeof(secret));
	ck_assert_int_eq(dr_buf_append(&b, secret, sizeof(secret), &e), 0);
	ck_assert_uint_eq(unit_released.blocks, 0);
	/* 6000 bytes: the 4096-byte block moves to one of 8192, and is wiped */
	ck_assert_int_eq(dr_buf_append(&b, secret, sizeof(secret), &e), 0);
	ck_assert_uint_eq(unit_released.blocks, 1);
	ck_assert_uint_eq(unit_released.wiped, 4096);
	ck_assert_uint_eq(unit_released.dirty, 0);
	dr_buf_wipe(&b);
	ck_assert_uint_eq(unit_released.blocks, 2);
	ck_assert_uint_eq(unit_released.wiped, 4096 + 8192);
	ck_assert_uint_eq(unit_released.dirty, 0);
}
END_TEST

START_TEST(test_reset_wipes_and_keeps_storage)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	char *data;

	ck_assert_int_eq(dr_buf_append_str(&b, "hunter2-secret", &e), 0);
	data = b.data;
	dr_buf_reset(&b);
	ck_assert_uint_eq(unit_released.blocks, 0);
	ck_assert_ptr_eq(b.data, data);
	ck_assert_uint_eq(b.len, 0);
	for (size_t i = 0; i < b.cap; i++)
		ck_assert_int_eq(b.data[i], 0);
	ck_assert_int_eq(dr_buf_append_str(&b, "x", &e), 0);
	ck_assert_str_eq(b.data, "x");
	dr_buf_wipe(&b);
	ck_assert_uint_eq(unit_released.blocks, 1);
	ck_assert_uint_eq(unit_released.dirty, 0);
}
END_TEST

START_TEST(test_detached_block_wiped_by_wipe_free)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	char *s;

	ck_assert_int_eq(dr_buf_append_str(&b, "hunter2-secret", &e), 0);
	s = dr_buf_detach(&b, NULL);
	dr_buf_wipe(&b); /* nothing left to release */
	ck_assert_uint_eq(unit_released.blocks, 0);
	dr_wipe_free(s);
	ck_assert_uint_eq(unit_released.blocks, 1);
	ck_assert_uint_ge(unit_released.wiped, 4096);
	ck_assert_uint_eq(unit_released.dirty, 0);
}
END_TEST

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, test_zeroed_is_empty);
	tcase_add_test(tc, test_append_bytes_and_strings);
	tcase_add_test(tc, test_growth_doubles_from_4096);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_limit_does_not_cap_small_blocks);
	tcase_add_test(tc, test_size_overflow_is_out_of_memory);
	tcase_add_test(tc, test_detach);
	suite_add_tcase(s, tc);
	tc = tcase_create("wiped before release");
	tcase_add_checked_fixture(tc, unit_release_spy_setup, unit_release_spy_teardown);
	tcase_add_test(tc, test_every_block_wiped);
	tcase_add_test(tc, test_reset_wipes_and_keeps_storage);
	tcase_add_test(tc, test_detached_block_wiped_by_wipe_free);
	suite_add_tcase(s, tc);
	return s;
}
