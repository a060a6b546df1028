/* docker-credential-dokku: the Docker credential-helper protocol on top of
 * the Secret Service. Thin: argument dispatch and output; the work is in
 * core/. Errors go to stdout (the protocol's channel), exit status 1. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "base/text.h"
#include "dokku/scope.h"
#include "helper/chain.h"
#include "helper/config.h"
#include "helper/credstore.h"
#include "helper/protocol.h"
#include "keyring/keyring.h"

#ifndef DR_VERSION
#define DR_VERSION "0.0.0"
#endif

#define NAME "docker-credential-dokku"
#define USAGE "Usage: " NAME " <store|get|erase|list|version>"

static const char help_text[] =
	"\n"
	"Reads the request on stdin and answers on stdout, as Docker, skopeo and\n"
	"podman expect of a credential helper. Secrets live in the Secret Service\n"
	"(gnome-keyring, KeePassXC, ...) over the D-Bus session bus; it never\n"
	"unlocks a keyring or shows a prompt.\n"
	"\n"
	"Settings (environment wins over the config file):\n"
	"  " DR_COLLECTION_ENV "   collection alias or label (default: default)\n"
	"  " DR_TIMEOUT_ENV "      seconds for a whole call (default: 5)\n"
	"  " DR_UNAVAILABLE_ENV "  error | not-found: what get answers when the\n"
	"                                       keyring cannot be used (default: error)\n"
	"  " DR_TRANSPORT_ENV "    plain | dh: how secrets cross the bus (default: plain)\n"
	"  " DR_CONFIG_ENV "       JSON config file read instead of the user's\n"
	"Config files, each overriding the one before: " DR_SYSTEM_CONFIG ",\n"
	"  $XDG_CONFIG_HOME/docker-credential-dokku/config.json (or $" DR_CONFIG_ENV ");\n"
	"  keys: collection, timeout, unavailable, transport, bus, helpers, chain_timeout\n"
	"\n"
	"Headless: the session bus is $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus.\n"
	"Start one with an unlocked keyring, e.g.:\n"
	"  dbus-run-session -- sh -c 'printf %s \"$PW\" | gnome-keyring-daemon --unlock --components=secrets; ...'\n";

static struct dr_config config;
/* the Dokku app whose per-app docker config the caller uses; NULL: global */
static char *scope;
/* What the last-resort alarm says: the step that was running when it went
 * off. Two buffers, so the handler never sees one half rewritten. */
static char backstop_msg[2][320];
static volatile sig_atomic_t backstop_cur;
static unsigned backstop_secs;

/* The last resort behind the per-call deadlines: whatever is stuck, answer
 * and leave. Only async-signal-safe calls here. */
static void on_alarm(int sig)
{
	const char *msg = backstop_msg[backstop_cur];
	ssize_t n;

	(void)sig;
	n = write(STDOUT_FILENO, msg, strlen(msg));
	(void)n;
	_exit(1);
}

static void backstop_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Names the step now running, in the alarm's words. */
static void backstop_phase(const char *fmt, ...)
{
	int next = !backstop_cur;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(backstop_msg[next], sizeof(backstop_msg[next]), fmt, ap);
	va_end(ap);
	backstop_cur = next;
}

/* The keyring step: its own words, and "not found" for a get configured so. */
static void backstop_keyring(int is_get)
{
	if (is_get && config.unavailable_not_found)
		backstop_phase("%s\n", DR_MSG_NOT_FOUND);
	else
		backstop_phase("Secret Service did not answer within %.1fs: is the keyring daemon stuck?\n",
			       config.timeout_ms / 1000.0);
}

/* seconds: the call's own budget, plus the chained helpers it may run
 * (list runs every one of them, one after another) */
static unsigned backstop_seconds(int is_list)
{
	unsigned ms = config.timeout_ms;

	if (config.nchained && is_list)
		ms += (unsigned)config.nchained * config.chain_timeout_ms;
	else if (config.nchained && config.chain_timeout_ms > ms)
		ms = config.chain_timeout_ms;
	return ms / 1000 + 2;
}

static void arm_backstop(int is_list)
{
	struct sigaction sa;

	backstop_secs = backstop_seconds(is_list);
	backstop_phase(NAME " gave up after %us reading the request on stdin\n", backstop_secs);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(backstop_secs);
}

static int fail(const struct dr_err *e)
{
	printf("%s\n", e->msg);
	return 1;
}

static int write_out(char *s)
{
	int rc = 0;

	if (!s) {
		printf("cannot encode the answer as JSON\n");
		return 1;
	}
	if (fputs(s, stdout) == EOF || fflush(stdout) == EOF)
		rc = 1;
	dr_wipe_free(s);
	return rc;
}

/* The store for server (a chained helper or the keyring), and the step the
 * alarm names while it works. */
static void store_for(struct dr_credstore *s, const char *action, const char *server,
		      int is_get)
{
	backstop_phase(NAME " gave up after %us matching %.200s against the helper patterns\n",
		       backstop_secs, server);
	dr_credstore_for(s, &config, server, scope);
	if (s->helper)
		backstop_phase(NAME " gave up after %us running docker-credential-%s %s for %.200s\n",
			       backstop_secs, s->helper, action, server);
	else
		backstop_keyring(is_get);
}

/* Prints the store's answer and returns its exit status, or the error. */
static int answer(int rc, struct dr_credstore_answer *a, const struct dr_err *e)
{
	if (rc) {
		dr_credstore_answer_free(a);
		return fail(e);
	}
	if (a->len && fwrite(a->out, 1, a->len, stdout) != a->len)
		a->status = a->status ? a->status : 1;
	if (fflush(stdout) == EOF)
		a->status = a->status ? a->status : 1;
	rc = a->status;
	dr_credstore_answer_free(a);
	return rc;
}

/* Reads the whole request with Go's line framing; for get/erase, trimmed. */
static int read_request(struct dr_buf *in, int trim, struct dr_err *e)
{
	int rc = dr_read_all(STDIN_FILENO, DR_INPUT_LIMIT, in, e);

	if (rc)
		return rc;
	in->len = dr_proto_join_lines(in->data, in->len);
	in->data[in->len] = '\0';
	if (trim) {
		dr_trim(in->data);
		in->len = strlen(in->data);
		if (in->len == 0)
			return dr_fail(e, DR_EINVAL, DR_MSG_NO_URL);
	}
	return 0;
}

static int cmd_get(struct dr_err *e)
{
	struct dr_buf in = { 0 };
	struct dr_credstore s = { 0 };
	struct dr_credstore_answer a = { 0 };
	int rc;

	rc = read_request(&in, 1, e);
	if (rc == 0) {
		store_for(&s, "get", in.data, 1);
		/* an app's config dir sees that app's logins only: Dokku gives
		 * docker the app's dir only when the app has logins of its own,
		 * and docker then sees nothing of the global config */
		rc = s.ops->get(&s, in.data, &a, e);
	}
	/* what the keyring cannot answer; a chained helper's errors are its own */
	if (!s.helper && rc == DR_ENOTFOUND) {
		rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
	} else if (!s.helper && dr_err_is_unavailable(rc) && config.unavailable_not_found) {
		/* stderr reaches the user's terminal; stdout keeps pulls working */
		fprintf(stderr, NAME ": %s (answering \"not found\" as configured)\n", e->msg);
		rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
	}
	dr_buf_wipe(&in);
	return answer(rc, &a, e);
}

static int cmd_store(struct dr_err *e)
{
	struct dr_buf in = { 0 };
	struct dr_creds creds = { 0 };
	struct dr_credstore s;
	struct dr_credstore_answer a = { 0 };
	int rc;

	rc = read_request(&in, 0, e);
	if (rc == 0)
		rc = dr_proto_decode_creds(in.data, in.len, &creds, e);
	if (rc == 0)
		rc = dr_proto_validate(&creds, e);
	if (rc == 0) {
		store_for(&s, "store", creds.server_url, 0);
		rc = s.ops->store(&s, &creds, in.data, in.len, &a, e);
	}
	dr_buf_wipe(&in);
	dr_creds_wipe(&creds);
	return answer(rc, &a, e);
}

static int cmd_erase(struct dr_err *e)
{
	struct dr_buf in = { 0 };
	struct dr_credstore s;
	struct dr_credstore_answer a = { 0 };
	int rc;

	rc = read_request(&in, 1, e);
	if (rc == 0) {
		store_for(&s, "erase", in.data, 0);
		rc = s.ops->erase(&s, in.data, &a, e);
	}
	dr_buf_wipe(&in);
	return answer(rc, &a, e);
}

/* Adds what each chained helper lists; one that fails is skipped with a
 * warning, since list is best-effort for docker too. */
/* the alarm's words while a chained helper's list runs */
static void listing_helper(const char *helper)
{
	backstop_phase(NAME " gave up after %us running docker-credential-%s list\n",
		       backstop_secs, helper);
}

static int cmd_list(struct dr_err *e)
{
	struct dr_credstore s;
	struct dr_keyring_opts o = { config.collection, config.bus, config.transport,
				     config.timeout_ms };
	struct dr_list list = { 0 };
	int rc;

	/* stdin ("unused") is not read: it may be a terminal */
	backstop_keyring(0);
	/* an app's config dir lists that app's logins only, as get answers */
	dr_credstore_keyring(&s, &o, scope);
	rc = s.ops->list(&s, &list, e);
	if (rc == 0)
		dr_credstore_list_chained(&config, &list, listing_helper);
	if (rc) {
		dr_list_free(&list);
		return fail(e);
	}
	rc = write_out(dr_proto_encode_list((const char *const *)list.servers,
					    (const char *const *)list.users, list.n));
	dr_list_free(&list);
	return rc;
}

static const struct action {
	const char *name;
	int (*fn)(struct dr_err *e);
} actions[] = {
	{ "store", cmd_store },
	{ "get", cmd_get },
	{ "erase", cmd_erase },
	{ "list", cmd_list },
};

int main(int argc, char **argv)
{
	struct dr_err e = { 0 };
	const char *arg;
	int rc;

	/* over `ulimit -f` a write fails with EFBIG, which we report; the
	 * default SIGXFSZ would kill us silently, leaving a temp file */
	signal(SIGXFSZ, SIG_IGN);
	dr_secmem_no_dumps();
	dr_secmem_hook_jansson();
	if (argc != 2) {
		puts(USAGE);
		return 1;
	}
	arg = argv[1];
	if (!strcmp(arg, "version") || !strcmp(arg, "-v") || !strcmp(arg, "--version")) {
		puts(NAME " (dokku-registry) " DR_VERSION);
		return 0;
	}
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
		printf("%s\n%s", USAGE, help_text);
		return 0;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(arg, actions[i].name) != 0)
			continue;
		if (dr_config_load(&config, &e) != 0)
			return fail(&e);
		arm_backstop(actions[i].fn == cmd_list);
		scope = dr_scope_detect();
		rc = actions[i].fn(&e);
		free(scope);
		return rc;
	}
	printf(NAME ": unknown action: %s\n", arg);
	return 1;
}
