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

#include "err.h"

/* Docker Hub's API host: what docker.io, index.docker.io, hub.docker.com
 * and docker.com are talked to as. */
#define DR_HUB_API_HOST "registry-1.docker.io"
/* The username under which credential helpers store an identity token. */
#define DR_IDENTITY_TOKEN_USER "<token>"
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
 * (the path is ignored), [::1]:5000. DR_EINVAL for anything else. */
int dr_registry_open(struct dr_registry **r, const char *server,
		     const struct dr_registry_opts *o, struct dr_err *e);

/* username + password, or username DR_IDENTITY_TOKEN_USER + identity token
 * (sent as an OAuth refresh_token, as docker does). Both are copied; the
 * copies are wiped when replaced or on close. NULL username: anonymous. */
int dr_registry_set_credentials(struct dr_registry *r, const char *username,
				const char *secret, struct dr_err *e);

/* docker login semantics: GET /v2/; 200 is success (no auth); a 401 Basic
 * challenge is answered with Basic auth; a Bearer challenge by fetching a
 * token from its realm (service, account, no scope) and retrying /v2/.
 * https first; http only for insecure hosts (--insecure or loopback).
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
void dr_registry_error_text(const char *body, size_t len, const char *secret, char *out,
			    size_t n);

#endif
