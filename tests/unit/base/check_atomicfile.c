/* Atomic writes (core/atomicfile.c): old-or-new, 0600, temp files of killed
 * writers cleaned on the next write but never a live writer's, and a file
 * size limit reported as an error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "unit.h"

static char dir[] = "/tmp/dr-atomic-XXXXXX";
static char path[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void teardown(void)
{
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

static size_t count_temps(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	for (de = readdir(d); de; de = readdir(d))
		n += strstr(de->d_name, ".tmp") != NULL;
	closedir(d);
	return n;
}

static void read_back(const char *want)
{
	struct dr_buf b = { 0 };

	ck_assert_int_eq(dr_file_read(path, 1 << 20, &b, NULL), 0);
	ck_assert_str_eq(b.data, want);
	dr_buf_wipe(&b);
}

/* what a writer killed with -9 leaves: a temp file of our naming, unlocked */
static void leave_temp(const char *suffix, const char *text)
{
	char tmp[300];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp%s", path, suffix);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_write_replaces_whole_file_0600)
{
	struct stat st;

	ck_assert_int_eq(dr_file_write_atomic(path, "old\n", 4, 0600, NULL), 0);
	ck_assert_int_eq(dr_file_write_atomic(path, "new\n", 4, 0600, NULL), 0);
	read_back("new\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(count_temps(), 0);
}
END_TEST

START_TEST(test_abandoned_temps_are_removed)
{
	char other[300];

	ck_assert_int_eq(dr_file_write_atomic(path, "old\n", 4, 0600, NULL), 0);
	leave_temp("Ab12Cd", "{\"half");
	leave_temp("zzzzzz", "");
	/* not ours: not mkstemp's six characters, or another file's */
	leave_temp("Ab12C", "short");
	leave_temp("Ab12Cd7", "long");
	snprintf(other, sizeof(other), "%s/other.json.tmpAb12Cd", dir);
	fclose(fopen(other, "w"));
	ck_assert_uint_eq(count_temps(), 5);
	ck_assert_int_eq(dr_file_write_atomic(path, "new\n", 4, 0600, NULL), 0);
	read_back("new\n");
	ck_assert_uint_eq(count_temps(), 3);
	ck_assert_int_eq(access(other, F_OK), 0);
}
END_TEST

/* A temp file whose writer is alive (it holds the flock) is never removed. */
START_TEST(test_live_writer_temp_is_kept)
{
	char tmp[300];
	int ready[2];
	pid_t pid;
	char c;

	snprintf(tmp, sizeof(tmp), "%s.tmpLiVe01", path);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(tmp, O_CREAT | O_WRONLY | O_EXCL, 0600);

		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(dr_file_write_atomic(path, "new\n", 4, 0600, NULL), 0);
	ck_assert_int_eq(access(tmp, F_OK), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* its writer is gone now: the next write clears it */
	ck_assert_int_eq(dr_file_write_atomic(path, "newer\n", 6, 0600, NULL), 0);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	read_back("newer\n");
	close(ready[0]);
}
END_TEST

/* ulimit -f: with SIGXFSZ ignored (as both programs do) the write fails
 * with a message naming the limit; the old file and no temp file remain. */
START_TEST(test_file_size_limit_is_an_error)
{
	struct rlimit rl = { 4096, RLIM_INFINITY }, old;
	struct dr_err e = { 0 };
	char *big = malloc(64 * 1024);
	void (*old_handler)(int);
	int rc;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 64 * 1024);
	ck_assert_int_eq(dr_file_write_atomic(path, "old\n", 4, 0600, NULL), 0);
	/* a soft limit only, put back at once: with CK_FORK=no (valgrind) the
	 * rest of the run shares this process */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl.rlim_max = old.rlim_max;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	rc = dr_file_write_atomic(path, big, 64 * 1024, 0600, &e);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	ck_assert_int_eq(rc, DR_EIO);
	ck_assert_msg(strstr(e.msg, "File too large") && strstr(e.msg, "ulimit -f") &&
			      strstr(e.msg, path),
		      "message: %s", e.msg);
	read_back("old\n");
	ck_assert_uint_eq(count_temps(), 0);
	free(big);
}
END_TEST

/* dr_file_read_regular: a file is read; a link, a FIFO (at once, no
 * wait for a writer) and another owner's file are refused */
START_TEST(test_read_regular_refuses_links_fifos_owners)
{
	char other[300];
	struct dr_buf b = { 0 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_file_write_atomic(path, "{}", 2, 0600, &e), 0);
	ck_assert_int_eq(dr_file_read_regular(path, 64, geteuid(), &b, &e), 0);
	ck_assert_str_eq(b.data, "{}");
	dr_buf_wipe(&b);
	ck_assert_int_eq(dr_file_read_regular(path, 64, geteuid() + 1, &b, &e), DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "belongs to uid") != NULL, "%s", e.msg);
	ck_assert_int_eq(dr_file_read_regular(path, 1, (uid_t)-1, &b, &e), DR_ETOOBIG);
	snprintf(other, sizeof(other), "%s/link", dir);
	ck_assert_int_eq(symlink(path, other), 0);
	ck_assert_int_eq(dr_file_read_regular(other, 64, (uid_t)-1, &b, &e), DR_EINVAL);
	ck_assert_msg(strstr(e.msg, "is a symbolic link") != NULL, "%s", e.msg);
	snprintf(other, sizeof(other), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(other, 0600), 0);
	alarm(5);
	ck_assert_int_eq(dr_file_read_regular(other, 64, (uid_t)-1, &b, &e), DR_EINVAL);
	alarm(0);
	ck_assert_msg(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
	snprintf(other, sizeof(other), "%s/missing", dir);
	ck_assert_int_eq(dr_file_read_regular(other, 64, (uid_t)-1, &b, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(b.data);
}
END_TEST

/* more than a pipe holds, read by a child that counts and checks the bytes */
/* Written through a directory descriptor, a link named like the file is
 * replaced by the file: what it pointed at is never written. */
START_TEST(test_write_at_replaces_a_link_it_never_follows)
{
	char victim[300], link[300];
	struct stat st;
	int dfd;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link, sizeof(link), "%s/setting", dir);
	ck_assert_int_eq(dr_file_write_atomic(victim, "keep", 4, 0644, NULL), 0);
	ck_assert_int_eq(symlink(victim, link), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(dr_write_atomic_at(dfd, "setting", "new", 3, 0600), 0);
	close(dfd);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(lstat(victim, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	ck_assert_uint_eq(count_temps(), 0);
}
END_TEST

START_TEST(test_temp_names)
{
	ck_assert_uint_eq(dr_file_temp_base_len("config.json.tmpAb12Cd"), 11);
	ck_assert_uint_eq(dr_file_temp_base_len("engine.tmp000000"), 6);
	ck_assert_uint_eq(dr_file_temp_base_len("engine.tmpAb12C"), 0);
	ck_assert_uint_eq(dr_file_temp_base_len("engine.tmpAb12Cd7"), 0);
	ck_assert_uint_eq(dr_file_temp_base_len("engine.tmpAb-2Cd"), 0);
	ck_assert_uint_eq(dr_file_temp_base_len(".tmpAb12Cd"), 0);
	ck_assert_uint_eq(dr_file_temp_base_len("engine"), 0);
}
END_TEST

START_TEST(test_write_all_through_a_pipe)
{
	static char data[1 << 20];
	int fds[2], status;
	pid_t pid;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char in[4096];
		size_t got = 0;
		ssize_t n;
		int bad = 0;

		close(fds[1]);
		while ((n = read(fds[0], in, sizeof(in))) > 0) {
			for (ssize_t i = 0; i < n; i++)
				bad |= in[i] != (char)((got + (size_t)i) * 7);
			got += (size_t)n;
		}
		_exit(!bad && got == sizeof(data) ? 0 : 1);
	}
	close(fds[0]);
	ck_assert_int_eq(dr_write_all(fds[1], data, sizeof(data)), 0);
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader got other bytes");
	errno = 0;
	ck_assert_int_eq(dr_write_all(fds[1], data, 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

Suite *atomicfile_suite(void)
{
	Suite *s = suite_create("atomicfile");
	TCase *tc = tcase_create("write");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_replaces_whole_file_0600);
	tcase_add_test(tc, test_abandoned_temps_are_removed);
	tcase_add_test(tc, test_live_writer_temp_is_kept);
	tcase_add_test(tc, test_file_size_limit_is_an_error);
	tcase_add_test(tc, test_read_regular_refuses_links_fifos_owners);
	tcase_add_test(tc, test_write_all_through_a_pipe);
	tcase_add_test(tc, test_write_at_replaces_a_link_it_never_follows);
	tcase_add_test(tc, test_temp_names);
	suite_add_tcase(s, tc);
	return s;
}
