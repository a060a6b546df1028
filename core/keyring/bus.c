#include "keyring/bus.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* gnome-keyring and dbus-daemon cope with far more, but a bus started
 * without session.conf limits allows only 128 pending replies. */
#define BATCH_WINDOW 64

#define FIX_BUS "start a session bus (dbus-run-session, or 'systemctl --user start dbus.socket') and export DBUS_SESSION_BUS_ADDRESS"
#define FIX_PROVIDER "start one, e.g. 'gnome-keyring-daemon --start --components=secrets'"
#define FIX_STUCK "restart it, e.g. 'gnome-keyring-daemon --replace --components=secrets', or raise DOCKER_CREDENTIAL_DOKKU_TIMEOUT"

/* A bus named in the helper config is the dokku-keyring unit's: exporting
 * DBUS_SESSION_BUS_ADDRESS cannot help (the configured one wins), and the
 * daemons behind it are the unit's to restart. */
static const char *fix_for(const struct dr_bus *b, const char *fix)
{
	return b->configured ? DR_KEYRING_FIX : fix;
}

static gpointer watchdog_main(gpointer data)
{
	struct dr_bus *b = data;

	g_mutex_lock(&b->mu);
	while (!b->stop) {
		if (!g_cond_wait_until(&b->cond, &b->mu, b->deadline_us)) {
			if (!b->stop)
				g_cancellable_cancel(b->cancel);
			break;
		}
	}
	g_mutex_unlock(&b->mu);
	return NULL;
}

static char *socket_address(const char *path)
{
	struct stat st;
	char *escaped, *addr;

	if (stat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return NULL;
	escaped = g_dbus_address_escape_value(path);
	addr = g_strconcat("unix:path=", escaped, NULL);
	g_free(escaped);
	return addr;
}

/* The configured address, else DBUS_SESSION_BUS_ADDRESS, else the user bus
 * socket systemd provides ($XDG_RUNTIME_DIR/bus, /run/user/<uid>/bus, which
 * `sudo -u dokku` leaves without XDG_RUNTIME_DIR); never autolaunch. */
static char *session_bus_address(const char *configured, struct dr_err *e)
{
	const char *env = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char *path, *addr = NULL;

	if (configured && configured[0])
		return g_strdup(configured);
	if (env && env[0])
		return g_strdup(env);
	if (rt && rt[0] == '/') {
		path = g_build_filename(rt, "bus", NULL);
		addr = socket_address(path);
		g_free(path);
	}
	if (!addr) {
		path = g_strdup_printf("/run/user/%u/bus", (unsigned)getuid());
		addr = socket_address(path);
		g_free(path);
	}
	if (!addr)
		dr_fail(e, DR_ENOBUS,
			"no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and neither $XDG_RUNTIME_DIR/bus nor /run/user/%u/bus is a socket; %s",
			(unsigned)getuid(), FIX_BUS);
	return addr;
}

int dr_bus_remaining_ms(const struct dr_bus *b)
{
	gint64 left = (b->deadline_us - g_get_monotonic_time()) / 1000;

	if (left < 1)
		return 1;
	if (left > G_MAXINT)
		return G_MAXINT;
	return (int)left;
}

/* NoReply comes from the bus in two cases: the peer disconnected with the
 * call pending (it died, or dropped off the bus), or the bus's own reply
 * timeout (25 s by default) ran out; only the second is a timeout. */
static int bus_reply_timeout(const GError *err)
{
	return g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) &&
	       strstr(err->message, "Did not receive a reply") != NULL;
}

static int is_timeout(const GError *err)
{
	return g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
	       g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	       g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
	       g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
	       bus_reply_timeout(err);
}

static int is_gone(const GError *err)
{
	return g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) && !bus_reply_timeout(err);
}

int dr_bus_fail(const struct dr_bus *b, const GError *err, const char *what,
		struct dr_err *e)
{
	char *remote = g_dbus_error_get_remote_error(err);
	GError *plain = g_error_copy(err);
	const char *text;
	int rc;

	g_dbus_error_strip_remote_error(plain);
	text = plain->message;
	if (is_timeout(err))
		rc = dr_fail(e, DR_ETIMEOUT,
			     "Secret Service did not answer within %.1fs (%s): is the keyring daemon stuck? %s",
			     b->timeout_ms / 1000.0, what, fix_for(b, FIX_STUCK));
	else if (is_gone(err))
		rc = dr_fail(e, DR_EGONE,
			     "the keyring provider went away during %s (it exited or left the bus; %s): %s",
			     what, b->dest, fix_for(b, FIX_PROVIDER));
	else if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
		 g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
		rc = dr_fail(e, DR_ENOPROVIDER,
			     "no Secret Service provider on the session bus (%s): %s",
			     b->dest, fix_for(b, FIX_PROVIDER));
	else if (remote && strcmp(remote, "org.freedesktop.Secret.Error.IsLocked") == 0)
		rc = dr_fail(e, DR_ELOCKED, "keyring is locked (%s): %s", what, text);
	else if ((remote && strcmp(remote, "org.freedesktop.Secret.Error.NoSuchObject") == 0) ||
		 g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
		 g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
		rc = dr_fail(e, DR_ENOTFOUND, "%s: no such object: %s", what, text);
	else if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
		 g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CLOSED))
		rc = dr_fail(e, DR_ENOBUS, "lost the D-Bus session bus (%s): %s", what,
			     fix_for(b, FIX_BUS));
	else
		rc = dr_fail(e, DR_EIO, "Secret Service error (%s): %s", what, text);
	g_free(remote);
	g_error_free(plain);
	return rc;
}

int dr_bus_open(struct dr_bus *b, const char *dest, const char *address,
		unsigned timeout_ms, struct dr_err *e)
{
	GError *err = NULL;
	char *addr;

	memset(b, 0, sizeof(*b));
	b->dest = dest;
	b->timeout_ms = timeout_ms;
	b->deadline_us = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	b->cancel = g_cancellable_new();
	g_mutex_init(&b->mu);
	g_cond_init(&b->cond);
	b->watchdog = g_thread_new("dr-watchdog", watchdog_main, b);
	b->configured = address && address[0];

	addr = session_bus_address(address, e);
	if (!addr)
		return e ? e->code : DR_ENOBUS;
	/* libsecret's session crypto lives on GLib's shared session connection
	 * (secret sessions are per connection), so that is the one we make,
	 * from the address found above: GLib never gets to autolaunch. */
	g_setenv("DBUS_SESSION_BUS_ADDRESS", addr, TRUE);
	b->conn = g_bus_get_sync(G_BUS_TYPE_SESSION, b->cancel, &err);
	if (!b->conn) {
		int rc;

		if (is_timeout(err))
			rc = dr_fail(e, DR_ETIMEOUT,
				     "the D-Bus session bus at %s did not answer within %.1fs; %s",
				     addr, timeout_ms / 1000.0, fix_for(b, FIX_BUS));
		else
			rc = dr_fail(e, DR_ENOBUS, "cannot connect to the D-Bus session bus at %s: %s; %s",
				     addr, err->message, fix_for(b, FIX_BUS));
		g_error_free(err);
		g_free(addr);
		return rc;
	}
	g_free(addr);
	/* a vanished bus must be an error here, not the death of the process */
	g_dbus_connection_set_exit_on_close(b->conn, FALSE);
	return 0;
}

void dr_bus_close(struct dr_bus *b)
{
	if (b->watchdog) {
		g_mutex_lock(&b->mu);
		b->stop = 1;
		g_cond_signal(&b->cond);
		g_mutex_unlock(&b->mu);
		g_thread_join(b->watchdog);
		b->watchdog = NULL;
	}
	g_clear_object(&b->conn);
	g_clear_object(&b->cancel);
	g_mutex_clear(&b->mu);
	g_cond_clear(&b->cond);
}

GVariant *dr_bus_call(struct dr_bus *b, const char *path, const char *iface,
		      const char *method, GVariant *args, const char *reply_type,
		      struct dr_err *e)
{
	GError *err = NULL;
	GVariant *reply;

	reply = g_dbus_connection_call_sync(b->conn, b->dest, path, iface, method, args,
					    reply_type ? G_VARIANT_TYPE(reply_type) : NULL,
					    G_DBUS_CALL_FLAGS_NONE, dr_bus_remaining_ms(b),
					    b->cancel, &err);
	if (!reply) {
		dr_bus_fail(b, err, method, e);
		g_error_free(err);
	}
	return reply;
}

struct batch {
	struct dr_bus *bus;
	struct dr_bus_req *reqs;
	size_t n, next, pending;
};

static void batch_issue(struct batch *st);

static void batch_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct dr_bus_req *req = data;
	struct batch *st = req->batch;

	req->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &req->error);
	st->pending--;
	batch_issue(st);
}

static void batch_issue(struct batch *st)
{
	while (st->pending < BATCH_WINDOW && st->next < st->n) {
		struct dr_bus_req *req = &st->reqs[st->next++];

		req->batch = st;
		st->pending++;
		g_dbus_connection_call(st->bus->conn, st->bus->dest, req->path, req->iface,
				       req->method, req->args,
				       req->reply_type ? G_VARIANT_TYPE(req->reply_type) : NULL,
				       G_DBUS_CALL_FLAGS_NONE, dr_bus_remaining_ms(st->bus),
				       st->bus->cancel, batch_done, req);
		req->args = NULL;
	}
}

int dr_bus_call_batch(struct dr_bus *b, struct dr_bus_req *reqs, size_t n,
		      struct dr_err *e)
{
	GMainContext *ctx = g_main_context_new();
	struct batch st = { b, reqs, n, 0, 0 };

	g_main_context_push_thread_default(ctx);
	batch_issue(&st);
	while (st.pending > 0)
		g_main_context_iteration(ctx, TRUE);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].error && (is_timeout(reqs[i].error) || is_gone(reqs[i].error)))
			return dr_bus_fail(b, reqs[i].error, reqs[i].method, e);
	}
	return 0;
}

void dr_bus_reqs_clear(struct dr_bus_req *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].args)
			g_variant_unref(g_variant_ref_sink(reqs[i].args));
		g_clear_pointer(&reqs[i].reply, g_variant_unref);
		g_clear_error(&reqs[i].error);
	}
}
