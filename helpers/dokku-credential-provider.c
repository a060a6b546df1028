/* dokku-credential-provider: a kubelet image credential provider (exec
 * plugin API credentialprovider.kubelet.k8s.io/v1) answering from
 * docker-credential-dokku, i.e. the keyring or the helper a host pattern
 * chains to. Thin: options, deadline and output; the work is in core/.
 * Errors are one line on stderr and exit 1; stdout gets the whole response
 * or nothing. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "helper/chain.h"
#include "helper/config.h"
#include "helper/credhelper.h"
#include "helper/protocol.h"
#include "kube/kube_provider.h"

#ifndef DR_VERSION
#define DR_VERSION "0.0.0"
#endif

#define NAME "dokku-credential-provider"
#define USAGE "Usage: " NAME " [--cache-duration D] [--chained-cache-duration D]\n" \
	"       [--not-found-cache-duration D] [--timeout D]"
/* kubelet kills a plugin after one minute: answer before that */
#define TIMEOUT_MAX_SECONDS 55ul

static const char help_text[] =
	"\n"
	"Reads a CredentialProviderRequest from kubelet on stdin and answers with a\n"
	"CredentialProviderResponse on stdout: the image's registry credentials as\n"
	"docker-credential-dokku returns them (its keyring, or the helper its\n"
	"\"helpers\" config chains that host to), keyed by the image's host[:port].\n"
	"\n"
	"Options (Go durations such as 90s, 5m, 1h30m; each overrides the \"provider\"\n"
	"object of the docker-credential-dokku config):\n"
	"  --cache-duration D            credentials from the keyring (default 30m)\n"
	"  --chained-cache-duration D    credentials from a chained helper (default 5m)\n"
	"  --not-found-cache-duration D  no credentials for the registry (default 1m)\n"
	"  --timeout D                   whole call, at most 55s (default: the config's\n"
	"                                chain_timeout + 5s, at most 55s)\n";

static char backstop_msg[256];

/* Whatever is stuck, say so and leave before kubelet's one-minute kill;
 * nothing has been written to stdout yet. Async-signal-safe calls only. */
static void on_alarm(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, backstop_msg, strlen(backstop_msg));
	(void)n;
	_exit(1);
}

static void arm_backstop(unsigned long seconds)
{
	struct sigaction sa;

	snprintf(backstop_msg, sizeof(backstop_msg),
		 NAME ": no answer within %lus (is the keyring or a chained helper stuck?)\n",
		 seconds);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds + 1);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

struct settings {
	const char *cache, *chained_cache, *not_found_cache, *timeout; /* from flags */
	unsigned long cache_s, chained_cache_s, not_found_cache_s, timeout_s;
};

/* flag, else the config's provider key, else the default */
static int pick(const char *flag, const char *configured, const char *def, const char *what,
		unsigned long *out)
{
	const char *v = flag ? flag : configured[0] ? configured : def;
	struct dr_err e = { 0 };

	if (!v)
		return 0;
	if (dr_duration_parse(v, out, &e) != 0) {
		fprintf(stderr, NAME ": %s: %s\n", what, e.msg);
		return -1;
	}
	return 0;
}

static int resolve_settings(struct settings *s, const struct dr_config *c)
{
	unsigned long derived = (c->chain_timeout_ms > c->timeout_ms ? c->chain_timeout_ms
								     : c->timeout_ms) / 1000 + 5;

	if (pick(s->cache, c->provider.cache_duration, "30m", "--cache-duration", &s->cache_s) ||
	    pick(s->chained_cache, c->provider.chained_cache_duration, "5m",
		 "--chained-cache-duration", &s->chained_cache_s) ||
	    pick(s->not_found_cache, c->provider.not_found_cache_duration, "1m",
		 "--not-found-cache-duration", &s->not_found_cache_s))
		return -1;
	s->timeout_s = derived > TIMEOUT_MAX_SECONDS ? TIMEOUT_MAX_SECONDS : derived;
	if (pick(s->timeout, c->provider.timeout, NULL, "--timeout", &s->timeout_s))
		return -1;
	if (s->timeout_s < 1 || s->timeout_s > TIMEOUT_MAX_SECONDS) {
		fprintf(stderr, NAME ": --timeout must be between 1s and %lus (kubelet stops a plugin after 1m)\n",
			TIMEOUT_MAX_SECONDS);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct settings *s)
{
	static const struct {
		const char *flag;
		size_t offset;
	} flags[] = {
		{ "--cache-duration", offsetof(struct settings, cache) },
		{ "--chained-cache-duration", offsetof(struct settings, chained_cache) },
		{ "--not-found-cache-duration", offsetof(struct settings, not_found_cache) },
		{ "--timeout", offsetof(struct settings, timeout) },
	};

	for (int i = 1; i < argc; i++) {
		size_t f, n = sizeof(flags) / sizeof(flags[0]);
		const char *value = NULL;

		for (f = 0; f < n; f++) {
			size_t l = strlen(flags[f].flag);

			if (strcmp(argv[i], flags[f].flag) == 0 && i + 1 < argc) {
				value = argv[++i];
				break;
			}
			if (strncmp(argv[i], flags[f].flag, l) == 0 && argv[i][l] == '=') {
				value = argv[i] + l + 1;
				break;
			}
		}
		if (f == n) {
			fprintf(stderr, NAME ": unknown or incomplete option: %s\n%s\n", argv[i], USAGE);
			return -1;
		}
		*(const char **)((char *)s + flags[f].offset) = value;
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Asks docker-credential-dokku for each spelling until one is found; our
 * own keyring folds the spellings into one entry, so one question is
 * enough unless the host is chained to another helper. */
static int lookup(const struct dr_kube_image *im, int chained, long deadline_ms,
		  struct dr_creds *creds, struct dr_err *e)
{
	int rc = DR_ENOTFOUND;

	for (size_t i = 0; im->servers[i] && rc == DR_ENOTFOUND; i++) {
		long left = deadline_ms - now_ms();

		if (i > 0 && !chained)
			break;
		if (left < 100)
			return dr_fail(e, DR_ETIMEOUT, "no time left to ask docker-credential-dokku");
		rc = dr_credhelper_get_within(DR_OWN_HELPER, NULL, im->servers[i], (unsigned)left,
					      creds, e);
		/* docker-credential-pass answers unknown servers with empty
		 * credentials instead of "not found": that is no login either */
		if (rc == 0 && (!creds->username || !creds->username[0]) && creds->secret_len == 0) {
			dr_creds_wipe(creds);
			rc = DR_ENOTFOUND;
		}
	}
	return rc;
}

static int write_all(const char *s)
{
	size_t n = strlen(s), done = 0;

	while (done < n) {
		ssize_t w = write(STDOUT_FILENO, s + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

static int answer(const struct settings *s, const struct dr_config *config, const char *in,
		  size_t in_len)
{
	struct dr_kube_request req;
	struct dr_kube_image im;
	struct dr_creds creds = { 0 };
	struct dr_kube_answer a = { 0 };
	struct dr_err e = { 0 };
	const char *via;
	char *out = NULL;
	int rc, chained;

	if (dr_kube_request_parse(in, in_len, &req, &e) != 0)
		return fail("%s", e.msg);
	if (dr_kube_image_parse(req.image, &im, &e) != 0) {
		dr_kube_request_free(&req);
		return fail("%s", e.msg);
	}
	via = dr_chain_lookup(config, im.servers[0]);
	chained = via && strcmp(via, DR_OWN_HELPER) != 0;
	rc = lookup(&im, chained, now_ms() + (long)s->timeout_s * 1000, &creds, &e);
	a.api_version = req.api_version;
	a.sa_token = req.has_sa_token;
	if (rc == DR_ENOTFOUND) {
		a.cache_seconds = s->not_found_cache_s;
		rc = 0;
	} else if (rc == 0 && creds.username && strcmp(creds.username, DR_TOKEN_USERNAME) == 0) {
		rc = dr_fail(&e, DR_EINVAL,
			     "%s has an identity token (username %s), which kubelet cannot send "
			     "(it passes a username and password only): log in to it with a password "
			     "or an access token",
			     im.registry[0] ? im.registry : "Docker Hub", DR_TOKEN_USERNAME);
	} else if (rc == 0) {
		a.key = im.key;
		a.username = creds.username;
		a.password = creds.secret;
		a.password_len = creds.secret_len;
		a.cache_seconds = chained ? s->chained_cache_s : s->cache_s;
	}
	if (rc == 0)
		rc = dr_kube_response(&a, &out, &e);
	dr_creds_wipe(&creds);
	if (rc == 0) {
		alarm(0); /* from here on, stdout gets the whole answer */
		if (write_all(out) != 0)
			rc = dr_fail(&e, DR_EIO, "cannot write the response: %s", strerror(errno));
	} else if (e.code != DR_EINVAL) {
		/* name the image, so kubelet's log says which pull it was */
		char msg[sizeof(e.msg)];

		snprintf(msg, sizeof(msg), "%s", e.msg);
		dr_fail(&e, e.code, "%s: %s", req.image, msg);
	}
	if (out)
		dr_wipe_free(out);
	dr_kube_image_free(&im);
	dr_kube_request_free(&req);
	return rc ? fail("%s", e.msg) : 0;
}

int main(int argc, char **argv)
{
	struct settings s = { 0 };
	struct dr_config config;
	struct dr_buf in = { 0 };
	struct dr_err e = { 0 };
	int rc;

	dr_secmem_no_dumps();
	dr_secmem_hook_jansson();
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		puts(NAME " (dokku-registry) " DR_VERSION);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("%s\n%s", USAGE, help_text);
		return 0;
	}
	if (parse_args(argc, argv, &s) != 0)
		return 2;
	if (dr_config_load(&config, &e) != 0)
		return fail("%s", e.msg);
	if (resolve_settings(&s, &config) != 0)
		return 1;
	arm_backstop(s.timeout_s);
	rc = dr_read_all(STDIN_FILENO, DR_KUBE_REQUEST_LIMIT, &in, &e);
	if (rc == DR_ETOOBIG) {
		dr_buf_wipe(&in);
		return fail("request larger than %s", "1 MiB");
	}
	if (rc) {
		dr_buf_wipe(&in);
		return fail("cannot read the request: %s", e.msg);
	}
	rc = answer(&s, &config, in.data ? in.data : "", in.len);
	dr_buf_wipe(&in);
	return rc;
}
