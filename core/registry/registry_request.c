/* Authenticated registry requests (registry.h, "authenticated requests"):
 * what the pusher sends, with the auth the registry asked for. */
#include "registry/registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "base/text.h"

struct mem_body {
	const char *data;
	size_t len, off;
};

static size_t mem_read(char *buf, size_t n, void *ud)
{
	struct mem_body *m = ud;
	size_t left = m->len - m->off;

	if (n > left)
		n = left;
	memcpy(buf, m->data + m->off, n);
	m->off += n;
	return n;
}

static int mem_rewind(void *ud)
{
	((struct mem_body *)ud)->off = 0;
	return 0;
}

/* libcurl adapters: the caller's callbacks have curl-free signatures */
struct adapter {
	const struct dr_registry_request *q;
	dr_registry_read_fn read;
	void *read_ud;
};

static size_t curl_read(char *buf, size_t size, size_t nitems, void *ud)
{
	struct adapter *a = ud;
	size_t n = a->read(buf, size * nitems, a->read_ud);

	return n == DR_REGISTRY_READ_ABORT ? CURL_READFUNC_ABORT : n;
}

static int curl_xfer(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		     curl_off_t ulnow)
{
	struct adapter *a = ud;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	return a->q->progress(a->q->progress_ud, (long long)ulnow);
}

/* GET /v2/ over scheme without credentials: the scheme and challenge
 * every later request uses. *answered as in login: 200 or 401 came back. */
static int negotiate_at(struct dr_registry *r, const char *scheme, int *answered,
			struct dr_err *e)
{
	struct dr_reg_req q = { .upload_len = -1 };
	int rc = dr_reg_get_v2(r, scheme, DR_AUTH_NONE, NULL, &q, e);

	*answered = rc == 0 && (q.status == 200 || q.status == 401);
	if (rc == 0 && !*answered)
		rc = dr_fail(e, DR_EIO, "registry %s answered GET /v2/ with HTTP %ld%s", r->host,
			     q.status, q.status == 404 ? " (not a registry?)" : "");
	r->mode = DR_AUTH_NONE;
	if (rc == 0 && q.status == 401 &&
	    (!q.www || dr_www_authenticate_parse(q.www, &r->challenge) != 0))
		rc = dr_fail(e, DR_EIO, "registry %s sent 401 without a usable challenge", r->host);
	else if (rc == 0 && q.status == 401 && strcmp(r->challenge.scheme, "bearer") == 0)
		r->mode = DR_AUTH_BEARER;
	else if (rc == 0 && q.status == 401 && strcmp(r->challenge.scheme, "basic") == 0)
		r->mode = DR_AUTH_BASIC;
	else if (rc == 0 && q.status == 401)
		rc = dr_fail(e, DR_EIO, "registry %s asks for unsupported authentication \"%s\"",
			     r->host, r->challenge.scheme);
	if (rc == 0) {
		r->scheme = scheme;
		snprintf(r->base, sizeof(r->base), "%s://%s", scheme, r->host);
		r->negotiated = 1;
	}
	dr_reg_req_clear(&q);
	return rc;
}

/* Once per registry object, as login does: https first, http only for
 * insecure hosts, and only when https got no answer from a registry. A
 * loopback registry is asked over http first: the GET carries no
 * credentials, and an https attempt that fails would cost a CA bundle
 * load per connection. */
static int negotiate(struct dr_registry *r, struct dr_err *e)
{
	struct dr_err first = { 0 }, second = { 0 };
	int loop = dr_host_is_loopback(r->host), rc, rc2, answered;

	rc = negotiate_at(r, loop ? "http" : "https", &answered, &first);
	if (rc != 0 && !answered && r->insecure_host) {
		rc2 = negotiate_at(r, loop ? "https" : "http", &answered, &second);
		if (rc2 == 0 || answered) {
			rc = rc2;
			first = second;
		}
	}
	if (rc != 0 && e)
		*e = first;
	return rc;
}

/* 1 when url goes to the registry itself (credentials may be sent). */
static int own_url(const struct dr_registry *r, const char *url)
{
	size_t n = strlen(r->base);

	return strncasecmp(url, r->base, n) == 0 && (url[n] == '/' || url[n] == '\0');
}

/* An absolute URL (a Location the registry sent) gets the rules of a
 * redirect hop: no downgrade from the registry's https, plain http only to
 * loopback or with --insecure. Credentials go along only to own_url. */
static int check_location(struct dr_registry *r, const char *url, struct dr_err *e)
{
	int same;
	enum dr_hop h = dr_redirect_check(r->base, r->base, url, r->insecure, &same);
	char shown[300]; /* the registry's header, for a terminal */

	if (h == DR_HOP_OK)
		return 0;
	dr_text_safe(url, strlen(url), shown, sizeof(shown));
	return dr_fail(e, DR_EIO, "registry %s sent a Location to %s: %s", r->host,
		       h == DR_HOP_BAD_URL ? "an unusable URL" : shown, dr_hop_reason(h));
}

static int add_header(struct curl_slist **h, const char *name, const char *value)
{
	char line[512];
	struct curl_slist *n;

	if (!value)
		return 0;
	if (snprintf(line, sizeof(line), "%s: %s", name, value) >= (int)sizeof(line))
		return -1;
	n = curl_slist_append(*h, line);
	if (!n)
		return -1;
	*h = n;
	return 0;
}

/* Picks the auth for one attempt; force refetches a bearer token. */
static int set_auth(struct dr_registry *r, struct dr_reg_req *q, const char *scope, int force,
		    struct dr_err *e)
{
	q->auth = DR_AUTH_NONE;
	q->bearer = NULL;
	if (!own_url(r, q->url) || r->mode == DR_AUTH_NONE)
		return 0;
	if (r->mode == DR_AUTH_BASIC) {
		if (r->is_identity)
			return dr_fail(e, DR_EAUTH, "registry %s wants a password: an identity token "
				       "cannot be used with Basic authentication", r->host);
		q->auth = r->username ? DR_AUTH_BASIC : DR_AUTH_NONE;
		return 0;
	}
	q->auth = DR_AUTH_BEARER;
	return dr_reg_fetch_token(r, &r->challenge, scope ? scope : "", force, &q->bearer, e);
}

/* After a 401: adopt a changed challenge. 1 when another attempt may help. */
static int rechallenge(struct dr_registry *r, const struct dr_reg_req *q)
{
	struct dr_auth_challenge ch;

	if (!q->www || dr_www_authenticate_parse(q->www, &ch) != 0)
		return r->mode == DR_AUTH_BEARER;
	if (strcmp(ch.scheme, "bearer") == 0) {
		r->challenge = ch;
		r->mode = DR_AUTH_BEARER;
		return 1;
	}
	if (strcmp(ch.scheme, "basic") == 0 && r->mode != DR_AUTH_BASIC && r->username) {
		r->mode = DR_AUTH_BASIC;
		return 1;
	}
	return 0;
}

static int auth_error(struct dr_registry *r, const struct dr_reg_req *q, const char *scope,
		      struct dr_err *e)
{
	if (!r->username && q->status == 401)
		return dr_fail(e, DR_EAUTH, "registry %s requires credentials for %s "
			       "(401 Unauthorized): log in first", r->host,
			       scope && *scope ? scope : "this request");
	if (q->www && strstr(q->www, "insufficient_scope"))
		return dr_fail(e, DR_EAUTH, "registry %s refused access to %s (insufficient_scope)",
			       r->host, scope && *scope ? scope : "this request");
	return dr_reg_refused(r, q, scope && *scope ? scope : "this request", e);
}

static int build(const struct dr_registry_request *rq, struct dr_reg_req *q, char **url,
		 struct curl_slist **h, const struct dr_registry *r)
{
	int body = rq->body || rq->read;

	if (rq->url[0] == '/')
		*url = malloc(strlen(r->base) + strlen(rq->url) + 1);
	else
		*url = strdup(rq->url);
	if (!*url)
		return -1;
	if (rq->url[0] == '/')
		sprintf(*url, "%s%s", r->base, rq->url);
	q->url = *url;
	q->kind = "registry";
	q->host = r->host;
	q->method = rq->method;
	q->timeout_ms = rq->timeout_ms;
	q->cap_ms = rq->cap_ms;
	q->body.limit = rq->body_limit;
	q->upload_len = -1;
	if (add_header(h, "Content-Type", rq->content_type ? rq->content_type :
		       body ? "application/octet-stream" : NULL) ||
	    add_header(h, "Content-Range", rq->content_range) || add_header(h, "Accept", rq->accept))
		return -1;
	q->headers = *h;
	return 0;
}

int dr_registry_request(struct dr_registry *r, const struct dr_registry_request *rq,
			struct dr_registry_response *resp, struct dr_err *e)
{
	struct mem_body mem = { rq->body, rq->body_len, 0 };
	struct adapter ad = { rq, rq->read, rq->read_ud };
	struct dr_reg_req q = { .upload_len = -1 };
	struct curl_slist *h = NULL;
	int (*rewind)(void *) = rq->rewind;
	int streamed = 0, rc = 0;
	char *url = NULL;

	memset(resp, 0, sizeof(*resp));
	if (!r->negotiated)
		rc = negotiate(r, e);
	if (rc == 0 && rq->url[0] != '/')
		rc = check_location(r, rq->url, e);
	if (rc == 0 && build(rq, &q, &url, &h, r) != 0)
		rc = dr_oom(e);
	if (rc == 0 && rq->body) {
		ad.read = mem_read;
		ad.read_ud = &mem;
		rewind = mem_rewind;
	}
	if (rc == 0 && (rq->body || rq->read ||
			(rq->method && (!strcmp(rq->method, "POST") || !strcmp(rq->method, "PUT") ||
					!strcmp(rq->method, "PATCH"))))) {
		/* bodiless POST/PUT still send Content-Length: 0 */
		if (!ad.read) {
			ad.read = mem_read;
			ad.read_ud = &mem;
			rewind = mem_rewind;
		}
		q.read = curl_read;
		q.read_ud = &ad;
		q.upload_len = rq->body ? (curl_off_t)rq->body_len :
			       rq->read ? (curl_off_t)rq->upload_len : 0;
		streamed = 1;
	}
	if (rc == 0 && rq->progress) {
		q.xferinfo = curl_xfer;
		q.xfer_ud = &ad;
	}
	for (int attempt = 0; rc == 0; attempt++) {
		rc = set_auth(r, &q, rq->scope, attempt > 0, e);
		if (rc == 0)
			rc = dr_reg_perform(r, &q, e);
		if (rc != 0 || (q.status != 401 && q.status != 403))
			break;
		if (attempt == 0 && q.status == 401 && (!streamed || (rewind && rewind(ad.read_ud) == 0)) &&
		    rechallenge(r, &q))
			continue;
		rc = auth_error(r, &q, rq->scope, e);
	}
	if (rc == 0) {
		resp->status = q.status;
		resp->location = q.location;
		resp->range = q.range;
		resp->digest = q.digest;
		resp->content_type = q.ctype;
		resp->length = (long long)q.length;
		resp->chunk_min = q.chunk_min;
		/* no body stays NULL (detach would hand over "") */
		if (q.body.data)
			resp->body = dr_buf_detach(&q.body, &resp->body_len);
		q.location = q.range = q.digest = q.ctype = NULL;
	}
	dr_reg_req_clear(&q);
	curl_slist_free_all(h);
	free(url);
	return rc;
}

void dr_registry_response_free(struct dr_registry_response *resp)
{
	if (!resp)
		return;
	free(resp->location);
	free(resp->range);
	free(resp->digest);
	free(resp->content_type);
	dr_wipe_free(resp->body); /* the whole block, past body_len too */
	memset(resp, 0, sizeof(*resp));
}

int dr_registry_negotiate(struct dr_registry *r, struct dr_err *e)
{
	return r->negotiated ? 0 : negotiate(r, e);
}

void dr_registry_adopt(struct dr_registry *dst, const struct dr_registry *src)
{
	if (!src->negotiated || strcmp(src->host, dst->host) != 0)
		return;
	dst->scheme = src->scheme;
	memcpy(dst->base, src->base, sizeof(dst->base));
	dst->mode = src->mode;
	dst->challenge = src->challenge;
	dst->negotiated = 1;
}

int dr_registry_stalled(const struct dr_registry *r)
{
	return r && r->stalled;
}

const char *dr_registry_base_url(const struct dr_registry *r)
{
	return r && r->negotiated ? r->base : NULL;
}
