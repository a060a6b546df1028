/* A small registry (OCI distribution / Docker v2) HTTP client on libcurl.
 *
 * One struct dr_registry per registry: it owns a curl handle (so connections
 * are reused), remembers the scheme that worked and caches the auth it
 * negotiated, so a later pusher can issue blob/manifest requests through the
 * same object. Today's consumer is `login`: dr_registry_check_login() does
 * what `docker login` does client-side, with no Docker daemon.
 *
 * Secrets (password, identity token, bearer tokens) are held in wiped
 * buffers, sent only in headers or POST bodies (never in URLs) and never
 * appear in error messages. Callers that want JSON strings wiped as well
 * call dr_secmem_hook_jansson() at start-up. */
#ifndef DR_REGISTRY_H
#define DR_REGISTRY_H

#include <stddef.h>

#include "base/creds.h"
#include "base/dockerhub.h"
#include "base/err.h"

/* Longest API host[:port]: a DNS name (253) plus ":port". */
#define DR_REGISTRY_HOST_MAX 260
/* Read limit for /v2/ and token-service bodies. */
#define DR_REGISTRY_BODY_MAX ((size_t)1 << 20)

struct dr_registry_opts {
	unsigned timeout_ms;    /* whole-request cap, also the connect timeout; 0: 15000 */
	int insecure;           /* http fallback and unverified TLS for any host */
	const char *user_agent; /* NULL: "dokku-registry" */
};

struct dr_registry;

/* Initialises libcurl (curl_global_init). Programs call it once at start-up,
 * before any thread exists; later calls are no-ops. dr_registry_open() calls
 * it too, for single-threaded programs that forget. */
int dr_registry_global_init(struct dr_err *e);
/* Optional, at exit, when no dr_registry is open any more. */
void dr_registry_global_cleanup(void);

/* server is what users type: docker.io, host[:port], https://host[:port]/path
 * (the path is ignored), [::1]:5000. DR_EINVAL for anything else, and for a
 * daemon.json or certs.d directory dockerd would refuse (named in e). */
int dr_registry_open(struct dr_registry **r, const char *server,
		     const struct dr_registry_opts *o, struct dr_err *e);

/* username + password, or username DR_TOKEN_USERNAME + identity token
 * (sent as an OAuth refresh_token, as docker does). Both are copied; the
 * copies are wiped when replaced or on close. NULL username: anonymous. */
int dr_registry_set_credentials(struct dr_registry *r, const char *username,
				const char *secret, struct dr_err *e);

/* docker login semantics: GET /v2/; 200 is success (no auth); a 401 Basic
 * challenge is answered with Basic auth; a Bearer challenge by fetching a
 * token from its realm (service, account, no scope) and retrying /v2/.
 * https first; http only for insecure hosts (--insecure, loopback, or the
 * Docker daemon's insecure-registries: daemon_config.h), whose certificates
 * are not verified either; other hosts are verified against the system CAs
 * plus the daemon's certs.d/<host>/ *.crt, with its client certificates.
 * Errors: DR_EAUTH refused, DR_ENET unreachable/timeout, DR_ETLS certificate
 * or handshake, DR_EIO anything else (unexpected status, bad responses). */
int dr_registry_check_login(struct dr_registry *r, struct dr_err *e);

/* "https" or "http" once a request reached the registry, else NULL. */
const char *dr_registry_scheme(const struct dr_registry *r);
/* The API host requests go to, e.g. "registry-1.docker.io", "[::1]:5000". */
const char *dr_registry_host(const struct dr_registry *r);
/* A refresh token the token service issued during login (what docker stores
 * as IdentityToken), or NULL. Owned by r. */
const char *dr_registry_identity_token(const struct dr_registry *r);

void dr_registry_close(struct dr_registry *r);

/* ---- authenticated requests (the pusher) ---- */

/* Streams a request body: fills buf with up to n bytes and returns the
 * count, 0 at the end, or DR_REGISTRY_READ_ABORT to abort the request. */
typedef size_t (*dr_registry_read_fn)(char *buf, size_t n, void *ud);
#define DR_REGISTRY_READ_ABORT ((size_t)-1)
/* Polled during a transfer with the body bytes sent so far; nonzero aborts
 * it (the request then fails with DR_EIO "interrupted"). */
typedef int (*dr_registry_progress_fn)(void *ud, long long sent);

struct dr_registry_request {
	const char *method;        /* GET HEAD POST PUT PATCH DELETE */
	const char *url;           /* "/v2/..." path, or an absolute URL (a Location) */
	const char *scope;         /* bearer scope(s), space separated; named in errors */
	const char *content_type;  /* NULL: none (application/octet-stream for bodies) */
	const char *content_range; /* PATCH chunks: "start-end" */
	const char *accept;        /* NULL: none */
	const void *body;          /* an in-memory body of body_len bytes, or */
	size_t body_len;
	dr_registry_read_fn read;  /* a streamed body of upload_len bytes */
	void *read_ud;
	long long upload_len;
	/* restarts a streamed body so the request can be retried after a 401;
	 * NULL: a 401 on a streamed body is final */
	int (*rewind)(void *ud);
	dr_registry_progress_fn progress;
	void *progress_ud;
	size_t body_limit;         /* response read limit; 0: DR_REGISTRY_BODY_MAX */
	long timeout_ms;           /* 0: the registry's; < 0: none, low-speed limits */
	long cap_ms;               /* > 0: ends by then whatever timeout_ms says (the
				    * caller's own deadline) */
};

struct dr_registry_response {
	long status;
	char *location;     /* absolute URL, or NULL */
	char *range;        /* Range, or NULL */
	char *digest;       /* Docker-Content-Digest, or NULL */
	char *content_type;
	long long length;   /* Content-Length (also of a HEAD), -1 when absent */
	long long chunk_min; /* OCI-Chunk-Min-Length, 0 when absent or unreadable */
	char *body;         /* NUL-terminated, or NULL */
	size_t body_len;
};

/* One request with the registry's auth: the first call learns the scheme
 * and challenge from GET /v2/ (https, http for insecure hosts); Basic auth
 * or a bearer token for q->scope (cached per scope, fetched again on a
 * 401). Credentials go only to the registry's own scheme://host. 0 when a
 * response arrived, whatever its status, except that 401/403 become
 * DR_EAUTH naming the scope. Transport errors as dr_registry_check_login. */
int dr_registry_request(struct dr_registry *r, const struct dr_registry_request *q,
			struct dr_registry_response *resp, struct dr_err *e);
void dr_registry_response_free(struct dr_registry_response *resp);
/* Learns scheme and challenge now (dr_registry_request does it on first
 * use): loopback registries are tried over http first, then https; others
 * over https, then http for --insecure. */
int dr_registry_negotiate(struct dr_registry *r, struct dr_err *e);
/* Takes over what src negotiated (same host), so objects of one push
 * (one per thread) ask GET /v2/ once. src must not change meanwhile. */
void dr_registry_adopt(struct dr_registry *dst, const struct dr_registry *src);
/* 1 when the last request on r failed because the registry stopped
 * answering: it tripped the low-speed limit or ran into its deadline. */
int dr_registry_stalled(const struct dr_registry *r);
/* "scheme://host" once negotiated, else NULL. */
const char *dr_registry_base_url(const struct dr_registry *r);

/* Parses a Range / Content-Range value "0-<last>" (also "bytes=0-<last>",
 * "bytes 0-<last>/<total>") into the offset of the next byte (last + 1).
 * "0-0" counts as nothing stored (registries send it for empty uploads).
 * DR_EINVAL on anything else. */
int dr_range_next_offset(const char *value, long long *next);
/* The offset an upload resumes at, from the registry's Range: readable
 * and possible, i.e. not past the have bytes sent so far nor past the
 * blob's size. DR_EINVAL otherwise (the session cannot be trusted: start
 * a new one). */
int dr_range_resume(const char *value, long long have, long long size, long long *next);

/* ---- limits ---- */

/* Defaults of the limits every request gets; each can be changed by an
 * environment variable holding seconds (decimals allowed), for operators
 * with odd networks and for tests. */
/* the caller's (15 s for login, 30 s for push): ordinary requests, and connecting */
#define DR_ENV_TIMEOUT "DR_REGISTRY_TIMEOUT"
/* 60: a transfer slower than 1024 bytes/s for that long fails (every
 * request, including the wait for an answer) */
#define DR_ENV_LOW_SPEED_TIME "DR_REGISTRY_LOW_SPEED_TIME"
#define DR_ENV_CHUNK_TIMEOUT "DR_REGISTRY_CHUNK_TIMEOUT"   /* 3600: one upload chunk */
#define DR_ENV_COMMIT_TIMEOUT "DR_REGISTRY_COMMIT_TIMEOUT" /* 900: the final blob PUT */
/* 1800, plus a second per 64 KiB of the blob: everything one blob of a push
 * may take, retries and their waits included */
#define DR_ENV_BLOB_TIMEOUT "DR_REGISTRY_BLOB_TIMEOUT"
/* name's value in milliseconds, or def_ms when unset or not a number in
 * 0.001..604800 seconds */
long dr_registry_env_ms(const char *name, long def_ms);

/* ---- redirects ---- */

/* Most redirects followed for one request (docker's client allows 10; a
 * registry or token service needs one or two). */
#define DR_REDIRECTS_MAX 5

enum dr_hop {
	DR_HOP_OK,
	DR_HOP_BAD_URL,   /* not an absolute URL, or one with user:password@ */
	DR_HOP_SCHEME,    /* neither http nor https */
	DR_HOP_DOWNGRADE, /* https to http */
	DR_HOP_CLEARTEXT, /* http to a host that is not loopback, without --insecure */
};

/* Checks one hop of a redirect chain: from prev (the URL that answered) to
 * next (its Location, absolute). origin is the URL the credentials were
 * meant for; *same is 1 when next has its scheme, host and port (only then
 * may credentials go along). Every hop gets the cleartext rule that the
 * first URL got. */
enum dr_hop dr_redirect_check(const char *origin, const char *prev, const char *next,
			      int insecure, int *same);
/* Why a hop was refused, for messages. */
const char *dr_hop_reason(enum dr_hop h);
/* 1 for 301 302 303 307 308. */
int dr_redirect_status(long status);

/* ---- pure helpers, exposed for unit tests ---- */

struct dr_auth_challenge {
	char scheme[16];   /* lower-cased: "basic", "bearer", ... */
	char realm[1024];  /* "" when absent */
	char service[256];
	char scope[1024];
};

/* Parses a WWW-Authenticate value (one or more challenges, RFC 7235) and
 * returns the one this client answers: Bearer if offered, else Basic, else
 * the first. Scheme and parameter names are case-insensitive; values may be
 * tokens or quoted strings with \-escapes. DR_EINVAL on malformed input or
 * over-long values. */
int dr_www_authenticate_parse(const char *header, struct dr_auth_challenge *out);

/* API host[:port] for a user-typed server (see dr_registry_open), malloc'd. */
int dr_registry_api_host(const char *server, char **host, struct dr_err *e);

/* 1 when host[:port] is loopback (127.0.0.0/8, ::1, localhost), else 0. */
int dr_host_is_loopback(const char *hostport);

/* Most characters of a registry's own error text quoted in our messages. */
#define DR_REGISTRY_MSG_MAX 160
/* ": <text>" from an error body (distribution's errors[0].message, token
 * services' details), on one line, at most DR_REGISTRY_MSG_MAX characters,
 * withheld when it quotes secret; "" when there is none. n >= 3. */
/* A token service's answer: access_token (else token; NULL when missing or
 * unfit for a header), refresh_token (NULL when none) and expires_in (0 when
 * none). Both strings malloc'd; wipe them. */
struct dr_token_response {
	char *token, *refresh;
	long long expires_in;
};
void dr_token_response_parse(const char *body, size_t len, struct dr_token_response *out);

void dr_registry_error_text(const char *body, size_t len, const char *secret, char *out,
			    size_t n);

#endif
