#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "err.h"
#include "secmem.h"
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

START_TEST(test_wipe_free_null)
{
	dr_wipe_free(NULL);
	dr_str_wipe_free(strdup("secret"));
}
END_TEST

Suite *secmem_suite(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("buffers");

	tcase_add_test(tc, test_read_all_sizes);
	tcase_add_test(tc, test_read_all_limit);
	tcase_add_test(tc, test_no_dumps);
	tcase_add_test(tc, test_wipe_free_null);
	suite_add_tcase(s, tc);
	return s;
}
