/* A D-Bus session-bus connection where every call is bounded by one
 * deadline: a watchdog thread cancels whatever is in flight when the budget
 * of the whole operation runs out, so no call can hang. */
#ifndef DR_BUS_H
#define DR_BUS_H

#include <gio/gio.h>

#include "base/err.h"

struct dr_bus {
	GDBusConnection *conn;
	GCancellable *cancel;
	const char *dest;     /* well-known name every call goes to */
	gint64 deadline_us;   /* g_get_monotonic_time() clock */
	unsigned timeout_ms;
	GThread *watchdog;
	GMutex mu;
	GCond cond;
	int stop;
	int configured;       /* the address came from the helper config */
};

/* One call of a pipelined batch; reply/error are filled in by the batch. */
struct dr_bus_req {
	const char *path;
	const char *iface;
	const char *method;
	GVariant *args;         /* floating refs are consumed */
	const char *reply_type; /* GVariant type string of the reply tuple */
	GVariant *reply;
	GError *error;
	void *batch;            /* internal */
};

/* Connects to address, or when NULL/"" finds the session bus
 * (DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus, /run/user/<uid>/bus;
 * never autolaunch), within timeout_ms, which also becomes the budget of
 * every later call. */
int dr_bus_open(struct dr_bus *b, const char *dest, const char *address,
		unsigned timeout_ms, struct dr_err *e);
void dr_bus_close(struct dr_bus *b);

/* Milliseconds left of the budget (at least 1). */
int dr_bus_remaining_ms(const struct dr_bus *b);

/* A synchronous call; NULL and e set on failure. */
GVariant *dr_bus_call(struct dr_bus *b, const char *path, const char *iface,
		      const char *method, GVariant *args, const char *reply_type,
		      struct dr_err *e);

/* Sends the calls pipelined (a bounded number in flight, so a bus's
 * per-connection reply limit is never hit) and waits for all replies.
 * Per-call failures stay in reqs[i].error; the return is non-zero only when
 * the budget ran out or the provider went away. */
int dr_bus_call_batch(struct dr_bus *b, struct dr_bus_req *reqs, size_t n,
		      struct dr_err *e);
void dr_bus_reqs_clear(struct dr_bus_req *reqs, size_t n);

/* Maps a GError from a call to a DR_E* code and a one-line message naming
 * the cause and the fix; `what` says which step failed. */
int dr_bus_fail(const struct dr_bus *b, const GError *err, const char *what,
		struct dr_err *e);

#endif
