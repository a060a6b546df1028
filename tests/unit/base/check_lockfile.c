#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/lockfile.h"
#include "fixture.h"
#include "unit.h"

#define SECOND_US (1000 * 1000)

static const char *lock_file(char *buf, size_t n)
{
	return unit_path(buf, n, "run/docker-credential-dokku.lock");
}

START_TEST(test_acquire_release)
{
	struct dr_err e = { 0 };
	char path[256];
	int fd = -7;

	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unit_mode(lock_file(path, sizeof(path))), 0600);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC); /* never inherited by helpers we run */
	dr_lock_release(fd);
	/* the file stays (it is the lock's name), and can be taken again */
	ck_assert_int_eq(unit_mode(path), 0600);
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), 0);
	dr_lock_release(fd);
	dr_lock_release(-1); /* no-op */
}
END_TEST

/* a free lock is taken even when the deadline has already passed */
START_TEST(test_free_lock_past_deadline)
{
	int fd = -1;

	ck_assert_int_eq(dr_lock_acquire(&fd, 0, NULL), 0);
	ck_assert_int_ge(fd, 0);
	dr_lock_release(fd);
}
END_TEST

START_TEST(test_held_times_out)
{
	struct dr_err e = { 0 };
	char path[256], want[512];
	int held, fd = 5;
	gint64 t0;

	ck_assert_int_eq(dr_lock_acquire(&held, g_get_monotonic_time() + SECOND_US, &e), 0);
	t0 = g_get_monotonic_time();
	/* flock: a second open file description conflicts, even in this process */
	ck_assert_int_eq(dr_lock_acquire(&fd, t0 + 200 * 1000, &e), DR_ETIMEOUT);
	ck_assert_int_ge(g_get_monotonic_time() - t0, 200 * 1000);
	ck_assert_int_lt(g_get_monotonic_time() - t0, 3 * SECOND_US);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(e.code, DR_ETIMEOUT);
	snprintf(want, sizeof(want),
		 "another docker-credential-dokku kept %s locked until the timeout",
		 lock_file(path, sizeof(path)));
	ck_assert_str_eq(e.msg, want);
	dr_lock_release(held);
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), 0);
	dr_lock_release(fd);
}
END_TEST

/* a waiter gets the lock as soon as another process lets go */
START_TEST(test_waits_for_other_process)
{
	int ready[2], fd = -1, status;
	gint64 t0;
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int held;

		if (dr_lock_acquire(&held, g_get_monotonic_time() + SECOND_US, NULL) != 0)
			_exit(3);
		if (write(ready[1], "x", 1) != 1)
			_exit(4);
		usleep(300 * 1000);
		_exit(0); /* exiting releases it */
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	t0 = g_get_monotonic_time();
	ck_assert_int_eq(dr_lock_acquire(&fd, t0 + 10 * SECOND_US, NULL), 0);
	ck_assert_int_ge(g_get_monotonic_time() - t0, 150 * 1000);
	ck_assert_int_lt(g_get_monotonic_time() - t0, 5 * SECOND_US);
	dr_lock_release(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* O_NOFOLLOW: a planted symlink is never followed to another file */
START_TEST(test_symlink_refused)
{
	struct dr_err e = { 0 };
	char path[256], target[256], want[700];
	int fd = 9;

	unit_path(target, sizeof(target), "victim");
	unit_write(target, "keep", 4, 0644);
	ck_assert_int_eq(symlink(target, lock_file(path, sizeof(path))), 0);
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), DR_EIO);
	ck_assert_int_eq(fd, -1);
	snprintf(want, sizeof(want), "cannot open lock file %s: Too many levels of symbolic links",
		 path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(unit_mode(target), 0644);
}
END_TEST

START_TEST(test_directory_refused)
{
	struct dr_err e = { 0 };
	char path[256], want[600];
	int fd;

	ck_assert_int_eq(mkdir(lock_file(path, sizeof(path)), 0700), 0);
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), DR_EIO);
	snprintf(want, sizeof(want), "cannot open lock file %s: Is a directory", path);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

START_TEST(test_fifo_refused)
{
	struct dr_err e = { 0 };
	char path[256], want[600];
	int fd;

	ck_assert_int_eq(mkfifo(lock_file(path, sizeof(path)), 0600), 0);
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), DR_EIO);
	ck_assert_int_eq(fd, -1);
	snprintf(want, sizeof(want), "lock file %s is not a regular file of this user", path);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

/* A file planted by another user is not trusted as the lock (needs root to
 * make one; skipped as passing otherwise). */
START_TEST(test_foreign_owner_refused)
{
	struct dr_err e = { 0 };
	char path[256], want[600];
	int fd;

	if (getuid() != 0)
		return;
	unit_write(lock_file(path, sizeof(path)), "", 0, 0600);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + SECOND_US, &e), DR_EIO);
	snprintf(want, sizeof(want), "lock file %s is not a regular file of this user", path);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

/* Without a usable XDG_RUNTIME_DIR (unset, relative, not a directory, or
 * another user's) the lock lives in /tmp, named by uid. */
START_TEST(test_fallback_to_tmp)
{
	char tmp_lock[128], path[256], cwd[4096];
	int fd = -1;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));

	snprintf(tmp_lock, sizeof(tmp_lock), "/tmp/docker-credential-dokku-%u.lock",
		 (unsigned)getuid());
	switch (_i) {
	case 0:
		unsetenv("XDG_RUNTIME_DIR");
		break;
	case 1:
		setenv("XDG_RUNTIME_DIR", "run", 1);
		ck_assert_int_eq(chdir(unit_tmp), 0);
		break;
	case 2:
		unit_write(unit_path(path, sizeof(path), "notdir"), "", 0, 0600);
		setenv("XDG_RUNTIME_DIR", path, 1);
		break;
	case 3:
		if (getuid() != 0)
			return;
		ck_assert_int_eq(chown(unit_path(path, sizeof(path), "run"), 65534, 65534), 0);
		break;
	}
	/* the shared name may be held a moment by a real helper: wait for it */
	ck_assert_int_eq(dr_lock_acquire(&fd, g_get_monotonic_time() + 20 * SECOND_US, NULL), 0);
	dr_lock_release(fd);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(unit_mode(tmp_lock), 0600);
	ck_assert_int_eq(unit_mode(lock_file(path, sizeof(path))), -1);
}
END_TEST

Suite *lockfile_suite(void)
{
	Suite *s = suite_create("lockfile");
	TCase *tc = tcase_create("lock");

	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_acquire_release);
	tcase_add_test(tc, test_free_lock_past_deadline);
	tcase_add_test(tc, test_held_times_out);
	tcase_add_test(tc, test_waits_for_other_process);
	tcase_add_test(tc, test_symlink_refused);
	tcase_add_test(tc, test_directory_refused);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_foreign_owner_refused);
	tcase_add_loop_test(tc, test_fallback_to_tmp, 0, 4);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
