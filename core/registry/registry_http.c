/* One HTTP exchange of the registry client over libcurl (registry_int.h):
 * timeouts, TLS rules, bounded and wiped response bodies, the response
 * headers the protocol needs, and errors that name the other end. */
#include "registry/registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every request fails when slower than this for r->low_speed_s seconds,
 * so a registry trickling an answer cannot hold a request up to its cap. */
#define LOW_SPEED_BYTES 1024L

/* Bodies may carry tokens: a dr_buf wipes every block it lets go. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct dr_reg_req *q = ud;
	size_t n = size * nmemb;
	int rc = dr_buf_append(&q->body, p, n, NULL);

	q->body_over = rc == DR_ETOOBIG;
	return rc ? 0 : n;
}

void dr_reg_req_clear(struct dr_reg_req *q)
{
	dr_buf_wipe(&q->body); /* keeps the limit */
	q->body_over = 0;
	free(q->www);
	free(q->location);
	free(q->range);
	free(q->digest);
	free(q->ctype);
	q->www = q->location = q->range = q->digest = q->ctype = NULL;
	q->status = 0;
	q->length = -1;
	q->chunk_min = 0;
	q->reached = 0;
	q->cc = CURLE_OK;
}

/* the whole-request cap: the request's own, the registry's, or for
 * transfers without one (upload chunks) the long chunk deadline */
static long deadline_ms(const struct dr_registry *r, const struct dr_reg_req *q)
{
	long ms = q->timeout_ms < 0 ? r->chunk_timeout_ms : q->timeout_ms ? q->timeout_ms
									    : r->timeout_ms;

	return q->cap_ms > 0 && q->cap_ms < ms ? q->cap_ms : ms;
}

static int curl_failure(struct dr_registry *r, const struct dr_reg_req *q, CURLcode cc,
			struct dr_err *e)
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
		/* a reused connection died under a streamed body that curl could
		 * not rewind to send again: the caller resumes or restarts */
		CURLE_UPLOAD_FAILED, CURLE_SEND_FAIL_REWIND,
		CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY,
	};
	const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc);
	int reg = strcmp(q->kind, "registry") == 0;
	char hint[DR_REGISTRY_HOST_MAX + 300];
	size_t limit = q->body.limit ? q->body.limit : DR_REGISTRY_BODY_MAX;

	if (cc == CURLE_ABORTED_BY_CALLBACK)
		return dr_fail(e, DR_EIO, "interrupted");
	if (cc == CURLE_READ_ERROR)
		return dr_fail(e, DR_EIO, "request to %s %s failed: reading the body failed",
			       q->kind, q->host);
	/* libcurl 7.x reports a header line over its 100 KiB cap as out of memory */
	if (cc == CURLE_OUT_OF_MEMORY)
		return dr_fail(e, DR_EIO, "response too large from %s %s (a header over libcurl's "
			       "limit, or out of memory)", q->kind, q->host);
	if (q->body_over || cc == CURLE_FILESIZE_EXCEEDED)
		return dr_fail(e, DR_EIO, "response too large from %s %s (over %zu bytes)",
			       q->kind, q->host, limit);
	/* curl says "Operation too slow" when the low-speed limit tripped */
	/* the registry stopped answering: the low-speed limit or a deadline */
	r->stalled = cc == CURLE_OPERATION_TIMEDOUT;
	if (cc == CURLE_OPERATION_TIMEDOUT && strncmp(why, "Operation too slow", 18) == 0)
		return dr_fail(e, DR_ENET, "cannot reach %s %s: transfer stalled (under %ld bytes/s "
			       "for %lds)", q->kind, q->host, LOW_SPEED_BYTES, r->low_speed_s);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return dr_fail(e, DR_ENET, "cannot reach %s %s: timed out after %gs", q->kind,
			       q->host, (double)deadline_ms(r, q) / 1000.0);
	dr_reg_tls_hint(r, cc, why, hint, sizeof(hint));
	/* a TLS 1.3 server refuses a client certificate after the handshake,
	 * so its alert arrives as a receive error, or the connection is just
	 * gone: what failed is still the TLS session */
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		if (cc == tls[i] || (cc == CURLE_RECV_ERROR && strstr(why, " alert ")) ||
		    ((r->cert_requested || r->cert_sent) && !r->no_verify &&
		     (cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING)))
			return dr_fail(e, DR_ETLS, "TLS error talking to %s%s: %s%s; use --insecure "
				       "only for a registry you trust", reg ? "" : "token service ",
				       q->host, why, hint);
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

static char *header_dup(CURL *c, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return strdup(h->value);
}

/* OCI-Chunk-Min-Length: a plain decimal, else 0 (ignored) */
static long long chunk_min(CURL *c)
{
	struct curl_header *h;
	char *end;
	long long v;

	if (curl_easy_header(c, "OCI-Chunk-Min-Length", 0, CURLH_HEADER, -1, &h) != CURLHE_OK ||
	    h->value[0] < '0' || h->value[0] > '9')
		return 0;
	v = strtoll(h->value, &end, 10);
	return *end == '\0' && v > 0 ? v : 0;
}

/* Location resolved against the request URL (registries send both forms). */
static char *absolute_location(CURL *c, const char *base)
{
	char *loc = header_dup(c, "Location"), *abs = NULL;
	CURLU *u = loc ? curl_url() : NULL;

	if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK) {
		free(loc);
		loc = strdup(abs);
		curl_free(abs);
	}
	curl_url_cleanup(u);
	return loc;
}

static void setup_method(CURL *c, struct dr_reg_req *q)
{
	const char *m = q->method ? q->method : q->form ? "POST" : "GET";

	if (q->form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(q->form));
	} else if (q->upload_len >= 0 && q->read) {
		/* any method with a body goes through the upload machinery, so
		 * a body is always streamed with an exact Content-Length */
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, q->read);
		curl_easy_setopt(c, CURLOPT_READDATA, q->read_ud);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, q->upload_len);
	} else if (strcmp(m, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	}
	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
	    !(strcmp(m, "POST") == 0 && q->form) && !(strcmp(m, "PUT") == 0 && q->read))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

static void setup_limits(struct dr_registry *r, struct dr_reg_req *q)
{
	CURL *c = r->curl;

	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, r->low_speed_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, deadline_ms(r, q));
	/* a HEAD's Content-Length is the size of what it did not send */
	if (!q->method || strcmp(q->method, "HEAD") != 0)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)(q->body.limit ? q->body.limit : DR_REGISTRY_BODY_MAX));
	if (q->xferinfo) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, q->xferinfo);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, q->xfer_ud);
	}
}

static struct curl_slist *build_headers(struct dr_reg_req *q, struct dr_err *e, int *rc)
{
	struct curl_slist *hdrs = NULL, *n;
	char *line;

	*rc = 0;
	for (struct curl_slist *s = q->headers; s; s = s->next) {
		n = curl_slist_append(hdrs, s->data);
		if (!n)
			goto oom;
		hdrs = n;
	}
	if (q->upload_len >= 0 && q->read) {
		/* the auth is settled before any body is sent, so waiting for
		 * 100-continue would only cost a round trip per request */
		n = curl_slist_append(hdrs, "Expect:");
		if (!n)
			goto oom;
		hdrs = n;
	}
	if (q->auth != DR_AUTH_BEARER)
		return hdrs;
	line = dr_reg_fmt_secret("Authorization: Bearer %s", q->bearer);
	n = line ? curl_slist_append(hdrs, line) : NULL;
	dr_reg_set_wiped(&line, NULL);
	if (n)
		return n;
oom:
	curl_slist_free_all(hdrs);
	*rc = dr_oom(e);
	return NULL;
}

int dr_reg_perform(struct dr_registry *r, struct dr_reg_req *q, struct dr_err *e)
{
	struct curl_slist *hdrs;
	CURL *c = r->curl;
	CURLcode cc;
	long code = 0;
	int rc;

	dr_reg_req_clear(q);
	if (!q->body.limit)
		q->body.limit = DR_REGISTRY_BODY_MAX;
	hdrs = build_headers(q, e, &rc);
	if (rc)
		return rc;
	curl_easy_reset(c);
	r->errbuf[0] = '\0';
	r->stalled = 0;
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, r->user_agent);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
	/* never followed by libcurl: callers follow by hand, checking each hop
	 * (registry_redirect.c) */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	setup_limits(r, q);
	dr_reg_setup_transport(r, q->url);
	if (q->auth == DR_AUTH_BASIC) {
		/* in options, never in the URL */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, r->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, r->secret);
	}
	setup_method(c, q);
	cc = curl_easy_perform(c);
	q->cc = cc;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	q->reached = code > 0;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q->status);
		q->www = collect_www(c);
		q->location = absolute_location(c, q->url);
		q->range = header_dup(c, "Range");
		q->digest = header_dup(c, "Docker-Content-Digest");
		q->ctype = header_dup(c, "Content-Type");
		q->chunk_min = chunk_min(c);
		if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &q->length) != CURLE_OK)
			q->length = -1;
		rc = 0;
	} else {
		rc = curl_failure(r, q, cc, e);
	}
	curl_easy_reset(c); /* frees curl's copy of the password now */
	for (struct curl_slist *s = hdrs; s; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(hdrs);
	return rc;
}

int dr_reg_refused(struct dr_registry *r, const struct dr_reg_req *q, const char *scope,
		   struct dr_err *e)
{
	char msg[DR_REGISTRY_MSG_MAX + 4];

	dr_registry_error_text(q->body.data, q->body.len, r->secret, msg, sizeof(msg));
	if (scope && *scope)
		return dr_fail(e, DR_EAUTH, "registry %s refused the credentials for %s (%s)%s",
			       r->host, scope,
			       q->status == 403 ? "403 Forbidden" : "401 Unauthorized", msg);
	return dr_fail(e, DR_EAUTH, "registry %s refused the credentials (%s)%s", r->host,
		       q->status == 403 ? "403 Forbidden" : "401 Unauthorized", msg);
}
