/* setup runs as root, but the dokku user owns its home and Dokku's
 * config/registry tree: every symbolic link, directory and FIFO in there is
 * that user's choice. Work on those paths is done in a child that is the
 * dokku user (no groups, its uid and gid only), so it can reach nothing the
 * dokku user could not reach itself; its answer comes back through a
 * pipe, within a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "setup/setup.h"

#define AS_USER_TIMEOUT_MS 30000
#define AS_USER_LIMIT (1024 * 1024)

/* what the child sends first, then len bytes of its answer */
struct reply {
	int rc;
	char msg[sizeof(((struct dr_err *)0)->msg)];
	size_t len;
};

static int become(const struct dr_setup *s)
{
	if (geteuid() == s->uid)
		return 0; /* already the dokku user (tests without root) */
	if (setgroups(0, NULL) != 0 || setresgid(s->gid, s->gid, s->gid) != 0 ||
	    setresuid(s->uid, s->uid, s->uid) != 0)
		return -1;
	/* no way back */
	if (s->uid != 0 && (setresuid(0, 0, 0) == 0 || geteuid() != s->uid))
		return -1;
	return 0;
}

static void child(const struct dr_setup *s, dr_setup_user_fn fn, void *arg, int fd)
{
	struct dr_buf out = { 0 };
	struct dr_err e = { 0 };
	struct reply r = { 0 };

	signal(SIGPIPE, SIG_IGN);
	if (become(s) != 0)
		r.rc = dr_fail(&e, DR_EIO, "cannot become %s (uid %u): %s", s->user, (unsigned)s->uid,
			       strerror(errno));
	else
		r.rc = fn(s, arg, &out, &e);
	if (r.rc)
		snprintf(r.msg, sizeof(r.msg), "%s", e.msg);
	r.len = r.rc ? 0 : out.len;
	if (dr_write_all(fd, &r, sizeof(r)) == 0 && r.len)
		dr_write_all(fd, out.data, r.len);
	dr_buf_wipe(&out);
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* n bytes from fd before the deadline: 0, 1 at the deadline, 2 at an early
 * end (the child died), or a DR_E code. */
static int read_exact(int fd, void *p, size_t n, long long end, struct dr_err *e)
{
	char *c = p;

	while (n > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		long long left = end - now_ms();
		ssize_t got;
		int k;

		if (left <= 0)
			return 1;
		k = poll(&pf, 1, (int)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return dr_fail(e, DR_EIO, "poll: %s", strerror(errno));
		if (k == 0)
			return 1;
		got = read(fd, c, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return dr_fail(e, DR_EIO, "cannot read the answer: %s", strerror(errno));
		if (got == 0)
			return 2;
		c += got;
		n -= (size_t)got;
	}
	return 0;
}

int dr_setup_as_user(const struct dr_setup *s, dr_setup_user_fn fn, void *arg, struct dr_buf *out,
		     struct dr_err *e)
{
	long long end = now_ms() + AS_USER_TIMEOUT_MS;
	struct reply r = { 0 };
	int fds[2], status = 0, rc;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return dr_fail(e, DR_EIO, "pipe: %s", strerror(errno));
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return dr_fail(e, DR_EIO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		child(s, fn, arg, fds[1]);
	}
	close(fds[1]);
	rc = read_exact(fds[0], &r, sizeof(r), end, e);
	if (rc == 0 && r.rc == 0 && r.len > AS_USER_LIMIT)
		rc = dr_fail(e, DR_ETOOBIG, "the answer of the child working as %s is too large", s->user);
	if (rc == 0 && r.rc == 0 && r.len) {
		rc = dr_buf_reserve(out, r.len, e);
		if (rc == 0) {
			rc = read_exact(fds[0], out->data, r.len, end, e);
			out->len = rc == 0 ? r.len : 0;
			out->data[out->len] = '\0';
		}
	}
	close(fds[0]);
	if (rc != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 1)
		rc = dr_fail(e, DR_ETIMEOUT, "gave up after %ds working as %s (a FIFO or a hung file "
			     "system among its files?)", AS_USER_TIMEOUT_MS / 1000, s->user);
	else if (rc == 2)
		rc = dr_fail(e, DR_EIO, "the child working as %s died (%s %d)", s->user,
			     WIFSIGNALED(status) ? "signal" : "exit",
			     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	else if (rc == 0 && r.rc) {
		r.msg[sizeof(r.msg) - 1] = '\0';
		rc = dr_fail(e, r.rc, "%s", r.msg);
	}
	if (rc)
		dr_buf_wipe(out);
	return rc;
}
