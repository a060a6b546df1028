/* docker-credential-dokku: the Docker credential-helper protocol on top of
 * the Secret Service. Thin: argument dispatch and output; the work is in
 * core/. Errors go to stdout (the protocol's channel), exit status 1. */
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/secmem.h"
#include "dokku/scope.h"
#include "helper/chain.h"
#include "helper/config.h"
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

/* Hands the request to a chained helper and relays its answer: its stdout
 * and exit status become ours (stderr already went to the user). */
static int relay(const char *helper, const char *action, const char *server,
		 const struct dr_buf *in, struct dr_err *e)
{
	struct dr_exec_result r;
	int rc;

	backstop_phase(NAME " gave up after %us running docker-credential-%s %s for %.200s\n",
		       backstop_secs, helper, action, server);
	rc = dr_chain_run(helper, action, in->data, in->len, config.chain_timeout_ms, &r, e);

	if (rc) {
		dr_exec_result_free(&r);
		return fail(e);
	}
	if (r.status != 0) {
		const char *said = r.out.data ? dr_trim(r.out.data) : "";

		/* not-found must stay byte-exact for docker to treat it as such */
		if (strcmp(said, DR_MSG_NOT_FOUND) == 0 || strcmp(action, "get") == 0)
			printf("%s\n", said[0] ? said : DR_MSG_NOT_FOUND);
		else
			printf("docker-credential-%s cannot %s credentials for %s: %s\n", helper, action,
			       server, said[0] ? said : "it failed without a message");
		rc = r.status; /* its exit status, as relayed */
	} else if (r.out.len) {
		fwrite(r.out.data, 1, r.out.len, stdout);
		if (r.out.data[r.out.len - 1] != '\n')
			putchar('\n');
	}
	dr_exec_result_free(&r);
	return rc;
}

/* The chained helper responsible for server, or NULL for the keyring. */
static const char *chain_for(const char *server)
{
	const char *h;

	backstop_phase(NAME " gave up after %us matching %.200s against the helper patterns\n",
		       backstop_secs, server);
	h = dr_chain_lookup(&config, server);

	return h && strcmp(h, "dokku") != 0 ? h : NULL;
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

static int open_keyring(struct dr_keyring *kr, int is_get, struct dr_err *e)
{
	struct dr_keyring_opts o = { config.collection, config.bus, config.transport,
				     config.timeout_ms };

	backstop_keyring(is_get);
	return dr_keyring_open(kr, &o, e);
}

static int cmd_get(struct dr_err *e)
{
	struct dr_buf in = { 0 };
	struct dr_keyring kr;
	struct dr_creds creds = { 0 };
	const char *chained;
	int rc;

	rc = read_request(&in, 1, e);
	chained = rc == 0 ? chain_for(in.data) : NULL;
	if (chained) {
		rc = relay(chained, "get", in.data, &in, e);
		dr_buf_wipe(&in);
		return rc;
	}
	if (rc == 0) {
		rc = open_keyring(&kr, 1, e);
		/* an app's config dir sees that app's logins only: Dokku gives
		 * docker the app's dir only when the app has logins of its own,
		 * and docker then sees nothing of the global config */
		if (rc == 0)
			rc = dr_keyring_get(&kr, in.data, scope, &creds, e);
		dr_keyring_close(&kr);
	}
	if (rc == DR_ENOTFOUND) {
		rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
	} else if (dr_err_is_unavailable(rc) && config.unavailable_not_found) {
		/* stderr reaches the user's terminal; stdout keeps pulls working */
		fprintf(stderr, NAME ": %s (answering \"not found\" as configured)\n", e->msg);
		rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
	}
	if (rc == 0) {
		rc = write_out(dr_proto_encode_get(in.data, creds.username, creds.secret,
						   creds.secret_len));
		dr_creds_wipe(&creds);
	} else {
		rc = fail(e);
	}
	dr_buf_wipe(&in);
	return rc;
}

static int cmd_store(struct dr_err *e)
{
	struct dr_buf in = { 0 };
	struct dr_creds creds = { 0 };
	struct dr_keyring kr;
	const char *chained;
	int rc;

	rc = read_request(&in, 0, e);
	if (rc == 0)
		rc = dr_proto_decode_creds(in.data, in.len, &creds, e);
	if (rc == 0)
		rc = dr_proto_validate(&creds, e);
	chained = rc == 0 ? chain_for(creds.server_url) : NULL;
	if (chained) {
		rc = relay(chained, "store", creds.server_url, &in, e);
		dr_buf_wipe(&in);
		dr_creds_wipe(&creds);
		return rc;
	}
	dr_buf_wipe(&in);
	if (rc == 0) {
		rc = open_keyring(&kr, 0, e);
		if (rc == 0)
			rc = dr_keyring_store(&kr, &creds, scope, e);
		dr_keyring_close(&kr);
	}
	dr_creds_wipe(&creds);
	return rc ? fail(e) : 0;
}

static int cmd_erase(struct dr_err *e)
{
	struct dr_buf in = { 0 };
	struct dr_keyring kr;
	const char *chained;
	int rc;

	rc = read_request(&in, 1, e);
	chained = rc == 0 ? chain_for(in.data) : NULL;
	if (chained) {
		rc = relay(chained, "erase", in.data, &in, e);
		dr_buf_wipe(&in);
		return rc;
	}
	if (rc == 0) {
		rc = open_keyring(&kr, 0, e);
		if (rc == 0)
			rc = dr_keyring_erase(&kr, in.data, scope, e);
		dr_keyring_close(&kr);
	}
	dr_buf_wipe(&in);
	return rc ? fail(e) : 0;
}

/* Adds what each chained helper lists; one that fails is skipped with a
 * warning, since list is best-effort for docker too. */
static void merge_chained(struct dr_list *list)
{
	for (size_t i = 0; i < config.nchained; i++) {
		const char *helper = config.chained[i].helper;
		struct dr_exec_result r;
		struct dr_err e = { 0 };
		json_t *root = NULL, *v;
		const char *key;
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(config.chained[j].helper, helper) == 0;
		if (seen || strcmp(helper, "dokku") == 0)
			continue;
		backstop_phase(NAME " gave up after %us running docker-credential-%s list\n",
			       backstop_secs, helper);
		if (dr_chain_run(helper, "list", "unused", 6, config.chain_timeout_ms, &r, &e) == 0 &&
		    r.status == 0 && r.out.data)
			root = json_loads(r.out.data, 0, NULL);
		if (!json_is_object(root))
			fprintf(stderr, NAME ": skipping docker-credential-%s list: %s\n", helper,
				e.msg[0] ? e.msg : "no usable answer");
		json_object_foreach(json_is_object(root) ? root : NULL, key, v) {
			char **servers = realloc(list->servers, (list->n + 2) * sizeof(char *));
			char **users = servers ? realloc(list->users, (list->n + 2) * sizeof(char *)) : NULL;

			if (servers)
				list->servers = servers;
			if (!servers || !users)
				break;
			list->users = users;
			list->servers[list->n] = strdup(key);
			list->users[list->n] = strdup(json_is_string(v) ? json_string_value(v) : "");
			list->n++;
		}
		json_decref(root);
		dr_exec_result_free(&r);
	}
}

static int cmd_list(struct dr_err *e)
{
	struct dr_keyring kr;
	struct dr_list list = { 0 };
	int rc;

	/* stdin ("unused") is not read: it may be a terminal */
	rc = open_keyring(&kr, 0, e);
	/* an app's config dir lists that app's logins only, as get answers */
	if (rc == 0)
		rc = dr_keyring_list(&kr, scope, &list, e);
	dr_keyring_close(&kr);
	if (rc == 0)
		merge_chained(&list);
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
