#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"
#include "release_spy.h"
#include "unit.h"

/* A pipe holding n bytes of 'x', read end returned. */
static int pipe_with(size_t n)
{
	int fds[2];
	char chunk[4096];

	ck_assert_int_eq(pipe(fds), 0);
	memset(chunk, 'x', sizeof(chunk));
	if (fork() == 0) {
		close(fds[0]);
		while (n > 0) {
			size_t k = n < sizeof(chunk) ? n : sizeof(chunk);

			if (write(fds[1], chunk, k) != (ssize_t)k)
				_exit(1);
			n -= k;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

START_TEST(test_read_all_sizes)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 1 << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dr_buf b = { 0 };
		struct dr_err e = { 0 };
		int fd = pipe_with(sizes[i]);

		ck_assert_int_eq(dr_read_all(fd, 1 << 20, &b, &e), 0);
		ck_assert_uint_eq(b.len, sizes[i]);
		ck_assert_int_eq(b.data[b.len], '\0');
		close(fd);
		dr_buf_wipe(&b);
		ck_assert_ptr_null(b.data);
	}
}
END_TEST

START_TEST(test_read_all_limit)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	int fd = pipe_with((1 << 20) + 1);

	ck_assert_int_eq(dr_read_all(fd, 1 << 20, &b, &e), DR_ETOOBIG);
	ck_assert(strstr(e.msg, "too large") != NULL);
	/* memory stayed bounded by about twice the limit */
	ck_assert_uint_le(b.cap, (size_t)(2 << 20) + 2);
	close(fd);
	dr_buf_wipe(&b);
}
END_TEST

START_TEST(test_no_dumps)
{
	struct rlimit rl;

	dr_secmem_no_dumps();
	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 0);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}
END_TEST

/* The release hook sees every block before free(): it counts them, the bytes
 * wiped, and the bytes that were not zero when the block was handed over. */
START_TEST(test_wipe_free_wipes)
{
	char *s = strdup("hunter2-secret");

	dr_wipe_free(NULL);
	ck_assert_uint_eq(unit_released.blocks, 0);
	dr_str_wipe_free(s);
	ck_assert_uint_eq(unit_released.blocks, 1);
	/* the whole block, not only the string's length */
	ck_assert_uint_ge(unit_released.wiped, sizeof("hunter2-secret"));
	ck_assert_uint_eq(unit_released.wiped, unit_released.usable);
	ck_assert_uint_eq(unit_released.dirty, 0);
}
END_TEST

START_TEST(test_buf_wipes_every_block)
{
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };
	int fd = pipe_with(20000); /* blocks of 4096, 16384, then 65536 bytes */

	ck_assert_int_eq(dr_read_all(fd, 1 << 20, &b, &e), 0);
	close(fd);
	/* each block outgrown was wiped when its content moved */
	ck_assert_uint_eq(unit_released.blocks, 2);
	ck_assert_uint_eq(unit_released.wiped, 4096 + 16384);
	ck_assert_uint_eq(unit_released.dirty, 0);
	dr_buf_wipe(&b);
	ck_assert_uint_eq(unit_released.blocks, 3);
	ck_assert_uint_eq(unit_released.wiped, 4096 + 16384 + 65536);
	ck_assert_uint_eq(unit_released.dirty, 0);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_jansson_strings_are_wiped)
{
	json_t *doc;
	char *text;

	dr_secmem_hook_jansson();
	doc = json_loads("{\"Username\":\"alice\",\"Secret\":\"hunter2-secret\"}", 0, NULL);
	ck_assert_ptr_nonnull(doc);
	text = json_dumps(doc, JSON_COMPACT);
	ck_assert_ptr_nonnull(strstr(text, "hunter2-secret"));
	unit_released.blocks = 0;
	json_decref(doc);
	dr_wipe_free(text);
	/* the object, its table, keys and string values, and the dump */
	ck_assert_uint_ge(unit_released.blocks, 4);
	ck_assert_uint_eq(unit_released.wiped, unit_released.usable);
	ck_assert_uint_eq(unit_released.dirty, 0);
}
END_TEST

Suite *secmem_suite(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("buffers");

	tcase_add_test(tc, test_read_all_sizes);
	tcase_add_test(tc, test_read_all_limit);
	tcase_add_test(tc, test_no_dumps);
	suite_add_tcase(s, tc);
	tc = tcase_create("wiped before release");
	tcase_add_checked_fixture(tc, unit_release_spy_setup, unit_release_spy_teardown);
	tcase_add_test(tc, test_wipe_free_wipes);
	tcase_add_test(tc, test_buf_wipes_every_block);
	tcase_add_test(tc, test_jansson_strings_are_wiped);
	suite_add_tcase(s, tc);
	return s;
}
