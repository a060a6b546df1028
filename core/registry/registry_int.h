/* Internals of the registry client shared by registry.c (the object and
 * login), registry_http.c (one libcurl exchange), registry_token.c (the
 * token service) and registry_request.c (authenticated requests). Not for
 * use outside core/registry*.c. */
#ifndef DR_REGISTRY_INT_H
#define DR_REGISTRY_INT_H

#include <curl/curl.h>
#include <time.h>

#include "base/buf.h"
#include "registry/registry.h"

enum dr_auth_mode { DR_AUTH_NONE, DR_AUTH_BASIC, DR_AUTH_BEARER };

/* One HTTP exchange; kind and host name the other end in error messages. */
struct dr_reg_req {
	const char *url, *kind, *host;
	const char *method;     /* NULL: GET (POST with form) */
	enum dr_auth_mode auth;
	const char *bearer;     /* the token for DR_AUTH_BEARER */
	const char *form;       /* POST body (may hold a secret) */
	struct curl_slist *headers; /* extra request headers, caller-owned */
	/* request body: streamed (read) or none; mem bodies go through read */
	curl_read_callback read;
	void *read_ud;
	curl_off_t upload_len;  /* -1: no body */
	curl_xferinfo_callback xferinfo;
	void *xfer_ud;
	long timeout_ms;        /* 0: the registry's; <0: none, low-speed limits */
	long cap_ms;            /* > 0: the request ends by then whatever timeout_ms says */
	size_t body_limit;      /* 0: DR_REGISTRY_BODY_MAX */
	/* the response */
	int reached;            /* an HTTP status line arrived (even if it then failed) */
	CURLcode cc;            /* libcurl's result */
	long status;
	char *www;              /* the WWW-Authenticate fields, joined */
	char *location, *range, *digest, *ctype;
	curl_off_t length;      /* Content-Length, -1 when absent */
	long long chunk_min;    /* OCI-Chunk-Min-Length, 0 when absent */
	struct dr_buf body;     /* wiped: it may hold a token; limit 0: DR_REGISTRY_BODY_MAX */
	int body_over;          /* the body's limit was hit */
};

#define DR_TOKEN_SLOTS 4

struct dr_token {
	char *scope;
	char *token;
	time_t expiry;
};

struct dr_registry {
	CURL *curl;
	char host[DR_REGISTRY_HOST_MAX];  /* API host[:port] */
	const char *scheme;   /* "https"/"http" once the registry answered */
	int insecure;         /* --insecure */
	int insecure_host;    /* http fallback allowed: --insecure or loopback */
	/* the Docker daemon's settings for this host (daemon_config.h) */
	int no_verify;        /* TLS not verified: --insecure or insecure to the daemon */
	char *ca_blob;        /* the system CAs plus certs.d's, or NULL: the system's */
	size_t ca_blob_len;
	size_t certs_d_cas;   /* how many CAs certs.d added */
	char *certs_d;        /* the certs.d directory looked at, for messages */
	char **client_certs, **client_keys; /* certs.d's client certificate pairs */
	size_t n_client;
	const char *cert_sent; /* the pair the last TLS handshake sent, or NULL */
	char *http_proxy, *https_proxy, *no_proxy; /* daemon.json's, NULL: the environment's */
	int cert_requested;   /* the last TLS server asked for a client certificate */
	long timeout_ms;      /* ordinary requests (DR_ENV_TIMEOUT) */
	long chunk_timeout_ms; /* requests without a cap of their own (DR_ENV_CHUNK_TIMEOUT) */
	long low_speed_s;     /* DR_ENV_LOW_SPEED_TIME */
	char *user_agent;
	char *username;       /* NULL: anonymous */
	char *secret;         /* password, or identity token when is_identity */
	int is_identity;
	char *identity;       /* refresh_token the token service issued */
	struct dr_token tokens[DR_TOKEN_SLOTS]; /* bearer tokens by scope */
	unsigned token_next;  /* the slot replaced next */
	/* what the first authenticated request learnt from GET /v2/ */
	int negotiated;
	enum dr_auth_mode mode;
	struct dr_auth_challenge challenge;
	char base[DR_REGISTRY_HOST_MAX + 12]; /* "scheme://host" once negotiated */
	char errbuf[CURL_ERROR_SIZE];
	int stalled;          /* the last request ended at the low-speed limit or a deadline */
};

/* free() that wipes a string first; *slot = value */
void dr_reg_set_wiped(char **slot, char *value);
/* printf into one exact-size allocation (for strings holding secrets) */
char *dr_reg_fmt_secret(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Performs q. 0 means an HTTP response arrived (any status, in q->status);
 * transport failures are DR_ENET / DR_ETLS / DR_EIO. */
int dr_reg_perform(struct dr_registry *r, struct dr_reg_req *q, struct dr_err *e);
void dr_reg_req_clear(struct dr_reg_req *q);
/* DR_EAUTH "registry X refused the credentials[ for SCOPE] (401 …)…" */
int dr_reg_refused(struct dr_registry *r, const struct dr_reg_req *q, const char *scope,
		   struct dr_err *e);

/* Applies the Docker daemon's settings for r->host (dr_registry_open). */
int dr_reg_daemon_settings(struct dr_registry *r, struct dr_err *e);
void dr_reg_daemon_settings_free(struct dr_registry *r);
/* TLS and proxy options for one request to url (after curl_easy_reset). */
void dr_reg_setup_transport(struct dr_registry *r, const char *url);
/* What the daemon's settings say about a TLS failure ("; ..."), or "". */
void dr_reg_tls_hint(const struct dr_registry *r, CURLcode cc, const char *why, char *out,
		     size_t n);

/* GET scheme://host/v2/ into q (whose earlier response is freed). */
int dr_reg_get_v2(struct dr_registry *r, const char *scheme, enum dr_auth_mode auth,
		  const char *bearer, struct dr_reg_req *q, struct dr_err *e);

/* A bearer token for scope ("" for login) from the challenge's realm;
 * cached per scope until it expires. force: ignore the cache. *token is
 * owned by r. */
int dr_reg_fetch_token(struct dr_registry *r, const struct dr_auth_challenge *ch,
		       const char *scope, int force, const char **token, struct dr_err *e);
void dr_reg_tokens_clear(struct dr_registry *r);

#endif
