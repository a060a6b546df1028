#include "base/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_LIMIT (1024 * 1024)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int name_matches(const char *entry, const char *kv_or_name)
{
	size_t n = strcspn(kv_or_name, "=");

	return strncmp(entry, kv_or_name, n) == 0 && entry[n] == '=';
}

/* environ minus env_unset and the names env_set replaces, plus env_set */
static char **child_env(const struct dr_exec *x)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	for (size_t i = 0; x->env_set && x->env_set[i]; i++)
		n++;
	env = calloc(n + 1, sizeof(char *));
	if (!env)
		return NULL;
	for (size_t i = 0; environ[i]; i++) {
		int drop = 0;

		for (size_t j = 0; !drop && x->env_unset && x->env_unset[j]; j++)
			drop = name_matches(environ[i], x->env_unset[j]);
		for (size_t j = 0; !drop && x->env_set && x->env_set[j]; j++)
			drop = name_matches(environ[i], x->env_set[j]);
		if (!drop)
			env[k++] = environ[i];
	}
	for (size_t i = 0; x->env_set && x->env_set[i]; i++)
		env[k++] = (char *)x->env_set[i];
	return env;
}

int dr_exec_on_path(const char *argv0)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full;
	int found = 0;

	if (strchr(argv0, '/'))
		return access(argv0, X_OK) == 0;
	copy = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		if (asprintf(&full, "%s/%s", dir[0] ? dir : ".", argv0) < 0)
			break;
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	return found;
}

static void child(const struct dr_exec *x, char **env, int in, int out, int err)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (x->own_group)
		setpgid(0, 0);
	dup2(in >= 0 ? in : devnull, STDIN_FILENO);
	if (out >= 0)
		dup2(out, STDOUT_FILENO);
	if (err >= 0)
		dup2(err, STDERR_FILENO);
	/* ignored dispositions survive exec: give the child the defaults */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	execvpe(x->argv[0], (char *const *)x->argv, env);
	_exit(127);
}

/* How long output may still come once the child itself has exited: what it
 * wrote is already in the pipe, anything later is from a process it left
 * behind holding the pipe open. */
#define EXIT_GRACE_MS 200
/* How often the child's exit is looked for while its pipes stay open. */
#define EXIT_POLL_MS 50

struct pumps {
	int in, out, err;
	const char *input;
	size_t input_len, written, limit;
	struct dr_buf *outbuf, *errbuf;
	int overflow, stop_on_overflow;
	pid_t pid;
	int reaped, status; /* the child exited (waitpid done) and how */
	int abandoned;      /* pipes still open after exit + grace */
};

static void drain(int *fd, struct dr_buf *buf, size_t limit, int *overflow)
{
	char chunk[8192];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (buf->len + (size_t)n > limit) {
		*overflow = 1; /* dropped; the child is stopped or drained */
		explicit_bzero(chunk, sizeof(chunk));
		return;
	}
	if (dr_buf_append(buf, chunk, (size_t)n, NULL))
		*overflow = 1; /* out of memory: as good as over the limit */
	explicit_bzero(chunk, sizeof(chunk));
}

static void feed(struct pumps *p)
{
	ssize_t n = write(p->in, p->input + p->written, p->input_len - p->written);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0)
		p->written += (size_t)n;
	if (n < 0 || p->written == p->input_len) {
		close(p->in); /* EOF for the child; EPIPE means it stopped reading */
		p->in = -1;
	}
}

static int min_wait(int a, long long b)
{
	if (b < 0)
		b = 0;
	return a < 0 || b < a ? (int)b : a;
}

/* Notes the child's exit without blocking; its pipes may stay open. */
static void check_exit(struct pumps *p, long long *grace_end)
{
	int status;

	if (p->reaped || waitpid(p->pid, &status, WNOHANG) != p->pid)
		return;
	p->reaped = 1;
	p->status = status;
	*grace_end = now_ms() + EXIT_GRACE_MS;
}

/* 1 when the deadline passed. Stops early when the output went over the
 * limit (p->overflow) or when the child has exited and its pipes are still
 * open after the grace (p->abandoned). */
static int pump(struct pumps *p, long long deadline)
{
	long long grace_end = 0;

	while (p->in >= 0 || p->out >= 0 || p->err >= 0) {
		struct pollfd fds[3];
		int nfds = 0, wait_ms = -1, rc;

		if (deadline) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return 1;
			wait_ms = (int)left;
		}
		if (p->reaped) {
			if (now_ms() >= grace_end) {
				p->abandoned = 1;
				return 0;
			}
			wait_ms = min_wait(wait_ms, grace_end - now_ms());
		} else {
			wait_ms = min_wait(wait_ms, EXIT_POLL_MS);
		}
		if (p->in >= 0)
			fds[nfds++] = (struct pollfd){ p->in, POLLOUT, 0 };
		if (p->out >= 0)
			fds[nfds++] = (struct pollfd){ p->out, POLLIN, 0 };
		if (p->err >= 0)
			fds[nfds++] = (struct pollfd){ p->err, POLLIN, 0 };
		rc = poll(fds, (nfds_t)nfds, wait_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		for (int i = 0; rc > 0 && i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].fd == p->in)
				feed(p);
			else if (fds[i].fd == p->out)
				drain(&p->out, p->outbuf, p->limit, &p->overflow);
			else if (fds[i].fd == p->err)
				drain(&p->err, p->errbuf, p->limit, &p->overflow);
		}
		if (p->overflow && p->stop_on_overflow)
			return 0;
		check_exit(p, &grace_end);
	}
	return 0;
}

/* SIGKILL for the child, and for everything it started when it has a group
 * of its own (a helper's own children must not outlive the deadline). */
static void kill_child(pid_t pid, int own_group)
{
	if (own_group)
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Waits for the child, killing it at the deadline. */
static int reap(pid_t pid, int own_group, long long deadline, int *timed_out)
{
	int status = 0;

	for (;;) {
		pid_t w = waitpid(pid, &status, deadline ? WNOHANG : 0);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (deadline && now_ms() >= deadline && !*timed_out) {
			kill_child(pid, own_group);
			*timed_out = 1;
			deadline = 0; /* now wait for it to die */
			continue;
		}
		if (deadline) {
			struct timespec pause = { 0, 2 * 1000 * 1000 };

			nanosleep(&pause, NULL);
		}
	}
	return exit_code(status);
}

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

int dr_exec_run(const struct dr_exec *x, struct dr_exec_result *r, struct dr_err *e)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct pumps p = { 0 };
	long long deadline = x->timeout_ms ? now_ms() + x->timeout_ms : 0;
	void (*old_pipe)(int);
	char **env;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (!dr_exec_on_path(x->argv[0]))
		return dr_fail(e, DR_ENOTFOUND, "%s: executable file not found in $PATH", x->argv[0]);
	if ((x->input && pipe2(in, O_CLOEXEC) != 0) ||
	    (x->capture_stdout && pipe2(out, O_CLOEXEC) != 0) ||
	    (x->capture_stderr && pipe2(err, O_CLOEXEC) != 0)) {
		close_pair(in);
		close_pair(out);
		close_pair(err);
		return dr_fail(e, DR_EIO, "cannot run %s: %s", x->argv[0], strerror(errno));
	}
	env = child_env(x);
	pid = env ? fork() : -1;
	if (pid == 0)
		child(x, env, in[0], out[1], err[1]);
	free(env);
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	if (pid < 0) {
		close_pair((int[2]){ in[1], out[0] });
		if (err[0] >= 0)
			close(err[0]);
		return dr_fail(e, DR_EIO, "cannot run %s: %s", x->argv[0], strerror(errno));
	}
	old_pipe = signal(SIGPIPE, SIG_IGN);
	p = (struct pumps){ in[1], out[0], err[0], x->input, x->input_len, 0,
			    x->output_limit ? x->output_limit : DEFAULT_LIMIT,
			    &r->out, &r->err, 0, x->stop_on_overflow, pid, 0, 0, 0 };
	if (x->own_group)
		setpgid(pid, pid); /* also here: no race with the child's own call */
	if (pump(&p, deadline)) {
		if (p.reaped) { /* it answered in time; what it left behind did not */
			p.abandoned = 1;
		} else {
			kill_child(pid, x->own_group);
			r->timed_out = 1;
		}
	} else if (p.overflow && p.stop_on_overflow && !p.reaped) {
		kill_child(pid, x->own_group);
	}
	if (p.in >= 0)
		close(p.in);
	if (p.out >= 0)
		close(p.out);
	if (p.err >= 0)
		close(p.err);
	r->status = p.reaped ? exit_code(p.status) : reap(pid, x->own_group, deadline, &r->timed_out);
	/* stragglers that outlived their parent: at the deadline, after a
	 * flood, or still holding the pipes once it exited */
	if (x->own_group && (r->timed_out || (p.overflow && p.stop_on_overflow) || p.abandoned))
		kill(-pid, SIGKILL);
	signal(SIGPIPE, old_pipe);
	if (r->timed_out)
		return dr_fail(e, DR_ETIMEOUT, "%s did not finish within %.1fs", x->argv[0],
			       x->timeout_ms / 1000.0);
	if (r->status == 127 && !dr_exec_on_path(x->argv[0]))
		return dr_fail(e, DR_ENOTFOUND, "%s: executable file not found in $PATH", x->argv[0]);
	if (p.overflow)
		return dr_fail(e, DR_ETOOBIG, "%s printed too much output (more than %zu bytes)",
			       x->argv[0], p.limit);
	return 0;
}

void dr_exec_result_free(struct dr_exec_result *r)
{
	dr_buf_wipe(&r->out);
	dr_buf_wipe(&r->err);
}
