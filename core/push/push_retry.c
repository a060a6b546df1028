/* Retries of one blob's requests (push_int.h): backoff, the stall budget
 * of a blob and of the whole push, the blob's deadline, and the stop that
 * a signal or another worker's failure calls for. */
#include "push/push_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MS 500u
#define BACKOFF_CAP_MS 8000u
/* a blob's deadline: this, plus a second per BLOB_RATE bytes of it */
#define BLOB_TIMEOUT_MS (30L * 60 * 1000)
#define BLOB_RATE 65536

volatile sig_atomic_t dr_push_signal;

void dr_push_interrupt(int signo)
{
	dr_push_signal = signo;
}

int dr_push_should_stop(struct dr_push_ctx *c)
{
	return dr_push_signal != 0 || __atomic_load_n(&c->failed, __ATOMIC_RELAXED);
}

int dr_push_sleep(struct dr_push_ctx *c, unsigned ms)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };

	for (unsigned waited = 0; waited < ms; waited += 20) {
		if (dr_push_should_stop(c))
			return -1;
		nanosleep(&step, NULL);
	}
	return dr_push_should_stop(c) ? -1 : 0;
}

long long dr_push_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void dr_up_set_deadline(struct dr_upload *u, long long size)
{
	u->budget_ms = dr_registry_env_ms(DR_ENV_BLOB_TIMEOUT, BLOB_TIMEOUT_MS) +
		       (size > 0 ? size / BLOB_RATE * 1000 + size % BLOB_RATE * 1000 / BLOB_RATE : 0);
	u->deadline = dr_push_now_ms() + u->budget_ms;
}

/* The blob ran out of time; why names what failed last, or NULL. */
int dr_up_over_deadline(struct dr_upload *u, const char *why, struct dr_err *e)
{
	u->gave_up = 1;
	return dr_fail(e, DR_ETIMEOUT, "giving up on blob %s: not pushed within %.1fs (%s, plus a "
		       "second per 64 KiB)%s%s", u->b->d.digest, (double)u->budget_ms / 1000.0,
		       DR_ENV_BLOB_TIMEOUT, why ? "; the last failure: " : "", why ? why : "");
}

int dr_push_count_stall(struct dr_push_ctx *c, const char *blob, int *blob_stalls,
			struct dr_err *e)
{
	int all = __atomic_add_fetch(&c->stalls, 1, __ATOMIC_RELAXED);
	const char *why = e ? e->msg : "";

	if (blob_stalls && ++*blob_stalls >= DR_PUSH_BLOB_STALLS)
		return dr_fail(e, DR_ENET, "giving up on blob %s after %d stalls: %s", blob,
			       *blob_stalls, why);
	if (all >= DR_PUSH_STALLS)
		return dr_fail(e, DR_ENET, "giving up after %d stalls in this push: %s", all, why);
	return 0;
}

/* Waits before a retry of what failed with e; nonzero when out of
 * retries, stalls or time, or told to stop. */
int dr_up_retry_wait(struct dr_upload *u, struct dr_err *e)
{
	unsigned ms = BACKOFF_MS << (u->retries <= 0 ? 0 : u->retries < 5 ? u->retries : 5);

	if (u->gave_up || dr_push_should_stop(u->c))
		return -1;
	if (++u->retries > DR_PUSH_MAX_RETRIES ||
	    (dr_registry_stalled(u->r) &&
	     dr_push_count_stall(u->c, u->b->d.digest, &u->stalled, e) != 0)) {
		u->gave_up = 1;
		return -1;
	}
	ms = ms > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : ms;
	/* no retry that could not finish in time */
	if (u->deadline && dr_push_now_ms() + ms >= u->deadline) {
		dr_up_over_deadline(u, e ? e->msg : NULL, e);
		return -1;
	}
	dr_progress_retry(u->c->prog, u->idx, ms, e ? e->msg : "");
	if (e)
		u->last = *e;
	return dr_push_sleep(u->c, ms);
}
