/* Running other programs (credential helpers, docker) without a shell:
 * argv only, stdin fed from memory (it may be a secret, so never argv or
 * environment), stdout/stderr captured up to a limit or passed through,
 * and a deadline after which the child is killed. */
#ifndef DR_EXEC_H
#define DR_EXEC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"

struct dr_exec {
	const char *const *argv;     /* argv[0] is looked up in PATH */
	const char *const *env_set;  /* "KEY=VALUE" added or replaced; may be NULL */
	const char *const *env_unset;/* names removed; may be NULL */
	const void *input;           /* stdin bytes; NULL: /dev/null */
	size_t input_len;
	int capture_stdout;          /* else inherited */
	int capture_stderr;          /* else inherited */
	size_t output_limit;         /* per captured stream; 0 = 1 MiB */
	unsigned timeout_ms;         /* 0 = no deadline (streamed long jobs) */
	int own_group;               /* run in a new process group, all killed at the
				      * deadline (not for jobs the user may Ctrl-C) */
	int stop_on_overflow;        /* kill it once over output_limit (a flood may
				      * never end); else drained to the end */
};

struct dr_exec_result {
	int status;          /* exit status, or 128+signal */
	int timed_out;
	struct dr_buf out;   /* captured stdout (wiped on free: it may hold secrets) */
	struct dr_buf err;   /* captured stderr */
};

/* 0 when the program ran (whatever its exit status); DR_ENOTFOUND when it
 * is not on PATH; DR_ETIMEOUT when killed at the deadline; DR_ETOOBIG when
 * output went over the limit. Once the child has exited, its pipes are read
 * for a short grace only: a process it left behind holding them open does
 * not hold the caller (with own_group, that process is killed). */
int dr_exec_run(const struct dr_exec *x, struct dr_exec_result *r, struct dr_err *e);
void dr_exec_result_free(struct dr_exec_result *r);
/* Whether argv0 would be found and runnable through PATH. */
int dr_exec_on_path(const char *argv0);

#endif
