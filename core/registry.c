#include "registry.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_TIMEOUT_MS 15000u
#define CLIENT_ID "docker"    /* the client_id docker sends to token services */
#define MIN_TOKEN_LIFETIME 60 /* seconds; docker's floor for expires_in */

enum auth_mode { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct body {
	char *data;
	size_t len, cap;
	int over; /* the read limit was hit */
};

/* One HTTP exchange; kind and host name the other end in error messages. */
struct req {
	const char *url, *kind, *host;
	enum auth_mode auth;
	const char *form; /* POST body (may hold a secret); NULL: GET */
	int follow;       /* follow redirects: token realms only */
	long status;
	char *www;        /* the WWW-Authenticate fields, joined */
	struct body body;
};

struct dr_registry {
	CURL *curl;
	char host[DR_REGISTRY_HOST_MAX];  /* API host[:port] */
	const char *scheme;   /* "https"/"http" once the registry answered */
	int insecure;         /* --insecure */
	int insecure_host;    /* http fallback allowed: --insecure or loopback */
	long timeout_ms;
	char *user_agent;
	char *username;       /* NULL: anonymous */
	char *secret;         /* password, or identity token when is_identity */
	int is_identity;
	char *identity;       /* refresh_token the token service issued */
	char *bearer, *bearer_scope; /* cached token */
	time_t bearer_expiry;
	char errbuf[CURL_ERROR_SIZE];
};

static int global_done;

int dr_registry_global_init(struct dr_err *e)
{
	CURLcode cc = global_done ? CURLE_OK : curl_global_init(CURL_GLOBAL_DEFAULT);

	if (cc != CURLE_OK)
		return dr_fail(e, DR_EIO, "cannot initialise libcurl: %s", curl_easy_strerror(cc));
	global_done = 1;
	return 0;
}

void dr_registry_global_cleanup(void)
{
	if (global_done)
		curl_global_cleanup();
	global_done = 0;
}

static void set_wiped(char **slot, char *value)
{
	if (*slot)
		explicit_bzero(*slot, strlen(*slot));
	free(*slot);
	*slot = value;
}

/* printf into one exact-size allocation, so a secret in the arguments is
 * not left behind in buffers that asprintf grows and frees. */
static char *fmt_secret(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_secret(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- HTTP ---- */

static void body_wipe(struct body *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Bodies may carry tokens: grow by copying and wiping, never realloc. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct body *b = ud, old = *b;
	size_t n = size * nmemb, cap = b->cap ? b->cap : 4096;

	b->over = n > DR_REGISTRY_BODY_MAX - b->len;
	if (b->over)
		return 0;
	if (b->len + n + 1 > b->cap) {
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = malloc(cap);
		if (!b->data) {
			*b = old;
			return 0;
		}
		b->cap = cap;
		if (old.data)
			memcpy(b->data, old.data, old.len);
		body_wipe(&old);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static void req_clear(struct req *q)
{
	body_wipe(&q->body);
	free(q->www);
	q->www = NULL;
	q->status = 0;
}

static int curl_failure(struct dr_registry *r, const struct req *q, CURLcode cc, struct dr_err *e)
{
	static const CURLcode tls[] = {
		CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
		CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
		CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
		CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED,
	};
	static const CURLcode net[] = {
		CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
		CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
		CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY,
	};
	const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc);
	int reg = strcmp(q->kind, "registry") == 0;

	if (q->body.over || cc == CURLE_FILESIZE_EXCEEDED)
		return dr_fail(e, DR_EIO, "response too large from %s %s (over %zu bytes)",
			       q->kind, q->host, DR_REGISTRY_BODY_MAX);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return dr_fail(e, DR_ENET, "cannot reach %s %s: timed out after %gs", q->kind,
			       q->host, (double)r->timeout_ms / 1000.0);
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		if (cc == tls[i])
			return dr_fail(e, DR_ETLS, "TLS error talking to %s%s: %s; use --insecure "
				       "only for a registry you trust", reg ? "" : "token service ",
				       q->host, why);
	}
	for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
		if (cc == net[i])
			return dr_fail(e, DR_ENET, "cannot reach %s %s: %s", q->kind, q->host, why);
	}
	return dr_fail(e, DR_EIO, "request to %s %s failed: %s", q->kind, q->host, why);
}

/* Every WWW-Authenticate field of the last response, joined with ", " as
 * RFC 7230 allows (Bearer and Basic may come in separate fields). */
static char *collect_www(CURL *c)
{
	struct curl_header *h;
	char *all = NULL, *na;
	size_t len = 0;

	for (size_t i = 0;
	     curl_easy_header(c, "WWW-Authenticate", i, CURLH_HEADER, -1, &h) == CURLHE_OK; i++) {
		na = realloc(all, len + strlen(h->value) + 3);
		if (!na)
			break;
		all = na;
		len += (size_t)sprintf(all + len, "%s%s", len ? ", " : "", h->value);
		if (i + 1 >= h->amount)
			break;
	}
	return all;
}

static void setup_tls(struct dr_registry *r, const char *url)
{
	const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
	int https = strncasecmp(url, "https:", 6) == 0;

	curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, r->insecure ? 0L : 1L);
	curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, r->insecure ? 0L : 2L);
	/* libcurl ignores these variables (only the curl tool reads them);
	 * honour them so a private CA can be trusted without --insecure */
	if (file && *file)
		curl_easy_setopt(r->curl, CURLOPT_CAINFO, file);
	if (dir && *dir)
		curl_easy_setopt(r->curl, CURLOPT_CAPATH, dir);
	/* a redirect never downgrades a verified https exchange to http */
	curl_easy_setopt(r->curl, CURLOPT_REDIR_PROTOCOLS_STR,
			 https && !r->insecure ? "https" : "http,https");
}

/* Performs q. 0 means an HTTP response arrived (any status, in q->status);
 * transport failures are DR_ENET / DR_ETLS / DR_EIO. */
static int perform(struct dr_registry *r, struct req *q, struct dr_err *e)
{
	struct curl_slist *hdrs = NULL;
	char *line = NULL;
	CURL *c = r->curl;
	CURLcode cc;
	int rc = 0;

	req_clear(q);
	if (q->auth == AUTH_BEARER) {
		line = fmt_secret("Authorization: Bearer %s", r->bearer);
		if (!line)
			return dr_fail(e, DR_EIO, "out of memory");
		hdrs = curl_slist_append(NULL, line);
		set_wiped(&line, NULL);
		if (!hdrs)
			return dr_fail(e, DR_EIO, "out of memory");
	}
	curl_easy_reset(c);
	r->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, r->user_agent);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &q->body);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)DR_REGISTRY_BODY_MAX);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, q->follow ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	setup_tls(r, q->url);
	if (q->auth == AUTH_BASIC) {
		/* in options, never in the URL; curl drops them on a redirect to
		 * another host, port or scheme (CURLOPT_UNRESTRICTED_AUTH off) */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, r->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, r->secret);
	}
	if (q->form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(q->form));
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q->status);
		q->www = collect_www(c);
	} else {
		rc = curl_failure(r, q, cc, e);
	}
	curl_easy_reset(c); /* frees curl's copy of the password now */
	for (struct curl_slist *s = hdrs; s; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(hdrs);
	return rc;
}

static int refused(struct dr_registry *r, const struct req *q, struct dr_err *e)
{
	char msg[DR_REGISTRY_MSG_MAX + 4];

	dr_registry_error_text(q->body.data, q->body.len, r->secret, msg, sizeof(msg));
	return dr_fail(e, DR_EAUTH, "registry %s refused the credentials (%s)%s", r->host,
		       q->status == 403 ? "403 Forbidden" : "401 Unauthorized", msg);
}

/* ---- token service ---- */

static int add_query(CURLU *u, const char *name, const char *value)
{
	char *kv = NULL;
	int bad = asprintf(&kv, "%s=%s", name, value) < 0 ||
		  curl_url_set(u, CURLUPART_QUERY, kv, CURLU_APPENDQUERY | CURLU_URLENCODE);

	free(kv);
	return bad;
}

/* Body of docker's OAuth refresh grant: it carries the identity token, so
 * every copy is wiped. */
static char *oauth_form(struct dr_registry *r, const char *service, const char *scope)
{
	char *svc = curl_easy_escape(r->curl, service, 0);
	char *scp = curl_easy_escape(r->curl, scope, 0);
	char *tok = curl_easy_escape(r->curl, r->secret, 0);
	char *form = NULL;

	if (svc && scp && tok)
		form = fmt_secret("grant_type=refresh_token&client_id=%s&service=%s&scope=%s"
				  "&refresh_token=%s", CLIENT_ID, svc, scp, tok);
	if (tok)
		explicit_bzero(tok, strlen(tok));
	curl_free(svc);
	curl_free(scp);
	curl_free(tok);
	return form;
}

static int take_token(struct dr_registry *r, const struct req *q, const char *scope, struct dr_err *e)
{
	json_t *root = q->body.data ? json_loadb(q->body.data, q->body.len, 0, NULL) : NULL;
	json_t *tok = json_object_get(root, "access_token");
	json_t *ref = json_object_get(root, "refresh_token");
	json_t *exp = json_object_get(root, "expires_in");
	long long life = json_is_integer(exp) ? json_integer_value(exp) : 0;
	const char *t;

	/* access_token and token are synonyms; docker prefers access_token */
	if (!json_is_string(tok) || !*json_string_value(tok))
		tok = json_object_get(root, "token");
	t = json_is_string(tok) ? json_string_value(tok) : "";
	for (const char *p = t; *p; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			t = ""; /* it would break (or inject into) the header */
	}
	set_wiped(&r->bearer, *t ? strdup(t) : NULL);
	if (json_is_string(ref) && *json_string_value(ref))
		set_wiped(&r->identity, strdup(json_string_value(ref)));
	json_decref(root);
	free(r->bearer_scope);
	r->bearer_scope = strdup(scope);
	/* docker's floor; the cap keeps a silly expires_in from overflowing */
	life = life < MIN_TOKEN_LIFETIME ? MIN_TOKEN_LIFETIME : life > 86400 ? 86400 : life;
	r->bearer_expiry = time(NULL) + (time_t)life;
	if (!r->bearer || !r->bearer_scope)
		return dr_fail(e, DR_EIO, "token service %s sent no usable token", q->host);
	return 0;
}

/* A bearer token for scope ("" for login), as docker gets one: GET the realm
 * with Basic auth, or POST the OAuth refresh grant for an identity token. */
static int fetch_token(struct dr_registry *r, const struct dr_auth_challenge *ch,
		       const char *scope, struct dr_err *e)
{
	char *scheme = NULL, *thost = NULL, *url = NULL, *form = NULL;
	struct req q = { .kind = "token service", .follow = 1 };
	CURLU *u = curl_url();
	int rc = 0;

	if (r->bearer && r->bearer_scope && strcmp(r->bearer_scope, scope) == 0 &&
	    time(NULL) + 5 < r->bearer_expiry)
		return 0;
	if (r->is_identity)
		form = oauth_form(r, ch->service, scope);
	if (!u || curl_url_set(u, CURLUPART_URL, ch->realm, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &thost, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0))
		rc = dr_fail(e, DR_EIO, "registry %s sent an unusable token realm", r->host);
	/* a password must not cross the network in clear text because a
	 * registry said so: plain-http realms only where http is allowed */
	else if (strcasecmp(scheme, "http") == 0 && !r->insecure && !dr_host_is_loopback(thost))
		rc = dr_fail(e, DR_EIO, "registry %s sends credentials to a plain-http token "
			     "service (%s); use --insecure only for a registry you trust",
			     r->host, thost);
	else if (r->is_identity && !form)
		rc = dr_fail(e, DR_EIO, "out of memory");
	else if (!r->is_identity &&
		 ((ch->service[0] && add_query(u, "service", ch->service)) ||
		  (scope[0] && add_query(u, "scope", scope)) ||
		  (r->username && add_query(u, "account", r->username)) ||
		  add_query(u, "client_id", CLIENT_ID) || add_query(u, "offline_token", "true")))
		rc = dr_fail(e, DR_EIO, "out of memory");
	else if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		rc = dr_fail(e, DR_EIO, "registry %s sent an unusable token realm", r->host);
	if (rc == 0) {
		q.url = url;
		q.host = thost;
		q.form = form;
		q.auth = r->username && !r->is_identity ? AUTH_BASIC : AUTH_NONE;
		rc = perform(r, &q, e);
	}
	if (rc == 0 && (q.status == 401 || q.status == 403))
		rc = refused(r, &q, e);
	else if (rc == 0 && q.status != 200)
		rc = dr_fail(e, DR_EIO, "token service %s answered HTTP %ld", thost, q.status);
	else if (rc == 0)
		rc = take_token(r, &q, scope, e);
	set_wiped(&form, NULL);
	req_clear(&q);
	curl_free(scheme);
	curl_free(thost);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

/* ---- login ---- */

static int get_v2(struct dr_registry *r, const char *scheme, enum auth_mode auth,
		  struct req *q, struct dr_err *e)
{
	char url[DR_REGISTRY_HOST_MAX + 16];
	int rc;

	snprintf(url, sizeof(url), "%s://%s/v2/", scheme, r->host);
	*q = (struct req){ .url = url, .kind = "registry", .host = r->host, .auth = auth,
			   .body = q->body, .www = q->www };
	rc = perform(r, q, e);
	q->url = NULL; /* url[] dies here */
	return rc;
}

/* One docker-login attempt over scheme. *answered: the registry itself
 * replied to /v2/ with 200 or 401, so no other scheme is worth trying. */
static int login_at(struct dr_registry *r, const char *scheme, int *answered, struct dr_err *e)
{
	struct req q = { 0 };
	struct dr_auth_challenge ch;
	enum auth_mode auth = AUTH_BASIC;
	int rc = get_v2(r, scheme, AUTH_NONE, &q, e);

	*answered = rc == 0 && (q.status == 200 || q.status == 401);
	if (rc == 0 && !*answered)
		rc = dr_fail(e, DR_EIO, "registry %s answered GET /v2/ with HTTP %ld%s", r->host,
			     q.status, q.status == 404 ? " (not a registry?)" : "");
	if (rc != 0 || q.status == 200)
		goto out;
	if (!q.www || dr_www_authenticate_parse(q.www, &ch) != 0)
		rc = dr_fail(e, DR_EIO, "registry %s sent 401 without a usable challenge", r->host);
	else if (!r->username)
		rc = dr_fail(e, DR_EAUTH, "registry %s requires credentials (401 Unauthorized)",
			     r->host);
	else if (strcmp(ch.scheme, "basic") != 0 && strcmp(ch.scheme, "bearer") != 0)
		rc = dr_fail(e, DR_EIO, "registry %s asks for unsupported authentication \"%s\"",
			     r->host, ch.scheme);
	else if (strcmp(ch.scheme, "basic") == 0 && r->is_identity)
		rc = dr_fail(e, DR_EAUTH, "registry %s wants a password: an identity token "
			     "cannot be used with Basic authentication", r->host);
	else if (strcmp(ch.scheme, "bearer") == 0)
		rc = fetch_token(r, &ch, "", e);
	if (rc == 0 && strcmp(ch.scheme, "bearer") == 0)
		auth = AUTH_BEARER;
	if (rc == 0)
		rc = get_v2(r, scheme, auth, &q, e);
	if (rc == 0 && q.status == 401)
		rc = refused(r, &q, e);
	else if (rc == 0 && q.status != 200)
		rc = dr_fail(e, DR_EIO, "registry %s answered authenticated GET /v2/ with HTTP %ld",
			     r->host, q.status);
out:
	if (*answered)
		r->scheme = scheme;
	req_clear(&q);
	return rc;
}

int dr_registry_check_login(struct dr_registry *r, struct dr_err *e)
{
	struct dr_err first = { 0 }, second = { 0 };
	int rc, rc2, answered;

	/* login must prove the credentials: never reuse an earlier token */
	set_wiped(&r->bearer, NULL);
	r->scheme = NULL;
	rc = login_at(r, "https", &answered, &first);
	if (rc != 0 && !answered && r->insecure_host) {
		/* docker's fallback for insecure registries. The http result
		 * counts only if a registry answered there; otherwise the https
		 * failure (often the TLS error) is the one worth reporting. */
		rc2 = login_at(r, "http", &answered, &second);
		if (rc2 == 0 || answered) {
			rc = rc2;
			first = second;
		}
	}
	if (rc != 0 && e)
		*e = first;
	return rc;
}

/* ---- the object ---- */

int dr_registry_open(struct dr_registry **out, const char *server,
		     const struct dr_registry_opts *o, struct dr_err *e)
{
	struct dr_registry *r;
	char *host = NULL;
	int rc = dr_registry_global_init(e);

	*out = NULL;
	if (rc == 0)
		rc = dr_registry_api_host(server, &host, e);
	if (rc != 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r) {
		snprintf(r->host, sizeof(r->host), "%s", host);
		r->user_agent = strdup(o && o->user_agent ? o->user_agent : "dokku-registry");
		r->curl = curl_easy_init();
	}
	free(host);
	if (!r || !r->user_agent || !r->curl) {
		dr_registry_close(r);
		return dr_fail(e, DR_EIO, "cannot set up an HTTP client");
	}
	r->insecure = o && o->insecure;
	/* docker's default insecure range includes 127.0.0.0/8 */
	r->insecure_host = r->insecure || dr_host_is_loopback(r->host);
	r->timeout_ms = (long)(o && o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS);
	*out = r;
	return 0;
}

int dr_registry_set_credentials(struct dr_registry *r, const char *username,
				const char *secret, struct dr_err *e)
{
	char *u = NULL, *s = NULL;

	if (username && (!*username || !secret || !*secret))
		return dr_fail(e, DR_EINVAL, "username and password must not be empty");
	if (username && strchr(username, ':'))
		return dr_fail(e, DR_EINVAL, "username must not contain ':'");
	if (username) {
		u = strdup(username);
		s = strdup(secret);
	}
	if (username && (!u || !s)) {
		free(u);
		set_wiped(&s, NULL);
		return dr_fail(e, DR_EIO, "out of memory");
	}
	free(r->username);
	r->username = u;
	set_wiped(&r->secret, s);
	set_wiped(&r->bearer, NULL);
	set_wiped(&r->identity, NULL);
	r->is_identity = u && strcmp(u, DR_IDENTITY_TOKEN_USER) == 0;
	return 0;
}

const char *dr_registry_scheme(const struct dr_registry *r)
{
	return r ? r->scheme : NULL;
}

const char *dr_registry_host(const struct dr_registry *r)
{
	return r ? r->host : NULL;
}

const char *dr_registry_identity_token(const struct dr_registry *r)
{
	return r ? r->identity : NULL;
}

void dr_registry_close(struct dr_registry *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	set_wiped(&r->secret, NULL);
	set_wiped(&r->identity, NULL);
	set_wiped(&r->bearer, NULL);
	free(r->bearer_scope);
	free(r->username);
	free(r->user_agent);
	free(r);
}
