/* Uploading one blob (push_int.h): monolithic (POST, PUT with the body
 * read into memory) for small blobs, streamed (POST, PUT ?digest= with the
 * body) up to one chunk, chunked (POST, PATCH with Content-Range, PUT
 * ?digest=) above that and after a failed streamed PUT; and the steps
 * around it, HEAD and a cross-repository mount. The blob is hashed while
 * it is read; no request that commits it completes before the whole blob
 * matched its digest. Transient failures are retried with backoff, chunked
 * uploads resume where the registry says its data ends. */
#include "push/push_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define MONO_MAX ((long long)1 << 20)
#define CHUNK ((long long)64 << 20)
/* the registry verifies (and may re-read) the whole blob before answering;
 * the low-speed limit still stops one that trickles its answer */
#define FINAL_PUT_TIMEOUT_MS (15L * 60 * 1000)
#define CANCEL_TIMEOUT_MS 5000L

int dr_push_transient(int rc, long status)
{
	if (rc)
		return rc == DR_ENET;
	return status >= 500 || status == 408 || status == 429;
}

static int on_progress(void *ud, long long sent)
{
	struct dr_upload *u = ud;

	dr_progress_bytes(u->c->prog, u->idx, u->z ? dr_zstream_consumed(u->z) : u->base + sent);
	return dr_push_should_stop(u->c);
}

int dr_up_http_error(struct dr_upload *u, const char *what, const struct dr_registry_response *resp,
		      struct dr_err *e)
{
	char msg[DR_REGISTRY_MSG_MAX + 4];

	dr_registry_error_text(resp->body, resp->body_len, NULL, msg, sizeof(msg));
	return dr_fail(e, dr_push_transient(0, resp->status) ? DR_ENET : DR_EIO,
		       "registry %s answered %s of blob %s with HTTP %ld%s", u->c->ref->host, what,
		       u->b->d.digest, resp->status, msg);
}

/* One request of this upload; aborts when the push stops; ends by the
 * blob's deadline. */
int dr_up_send(struct dr_upload *u, struct dr_registry_request *q,
		struct dr_registry_response *resp, struct dr_err *e)
{
	long long left = u->deadline ? u->deadline - dr_push_now_ms() : 0;
	int rc;

	if (u->deadline && left <= 0) {
		memset(resp, 0, sizeof(*resp));
		return dr_up_over_deadline(u, u->last.msg[0] ? u->last.msg : NULL, e);
	}
	if (!q->scope)
		q->scope = u->c->scope;
	q->progress = on_progress;
	q->progress_ud = u;
	q->cap_ms = u->deadline ? (long)left : 0;
	rc = dr_registry_request(u->r, q, resp, e);
	/* cut short by the deadline: what failed before says more */
	if (rc != 0 && u->deadline && dr_push_now_ms() >= u->deadline)
		rc = dr_up_over_deadline(u, u->last.msg[0] ? u->last.msg : e ? e->msg : NULL, e);
	return rc;
}

/* url-encoded value for a query (digests have ':', repositories '/') */
static void qenc(const char *s, char *out, size_t n)
{
	size_t o = 0;

	for (; *s && o + 4 < n; s++) {
		if (*s == ':' || *s == '/' || *s == '&' || *s == '=' || *s == '?' || *s == '+')
			o += (size_t)snprintf(out + o, n - o, "%%%02X", (unsigned char)*s);
		else
			out[o++] = *s;
	}
	out[o] = '\0';
}

/* loc + ?digest= or &digest= */
static char *with_digest(const char *loc, const char *digest)
{
	char enc[DR_DIGEST_MAX * 3], *url = NULL;

	qenc(digest, enc, sizeof(enc));
	if (asprintf(&url, "%s%cdigest=%s", loc, strchr(loc, '?') ? '&' : '?', enc) < 0)
		return NULL;
	return url;
}

/* A HEAD's 200 counts as "exists" only when what it says matches: a
 * Content-Length or Docker-Content-Digest that differs means upload (and
 * one without Content-Length, when the size is what is being checked). */
static int head_matches(const struct dr_upload *u, const struct dr_registry_response *resp)
{
	if (u->need_length && resp->length < 0)
		return 0;
	if (resp->length >= 0 && resp->length != u->b->d.size)
		return 0;
	return !resp->digest || strcmp(resp->digest, u->b->d.digest) == 0;
}

/* HEAD the blob; a redirect (a storage backend) is followed by hand, up to
 * DR_REDIRECTS_MAX hops, without the registry's credentials (they go only
 * to its own origin) and with the hop rules of dr_registry_request. */
static int head_once(struct dr_upload *u, const char *url, int *exists, struct dr_err *e)
{
	struct dr_registry_response resp;
	char *hop = NULL;
	int rc = 0;

	for (int hops = 0; rc == 0; hops++) {
		struct dr_registry_request q = { .method = "HEAD", .url = hop ? hop : url };

		rc = dr_up_send(u, &q, &resp, e);
		if (rc != 0)
			break;
		if (!dr_redirect_status(resp.status) || !resp.location || hops == DR_REDIRECTS_MAX)
			break;
		free(hop);
		hop = resp.location;
		resp.location = NULL;
		dr_registry_response_free(&resp);
	}
	*exists = rc == 0 && resp.status == 200 && head_matches(u, &resp);
	if (rc == 0 && resp.status != 200 && resp.status != 404)
		rc = dr_up_http_error(u, "HEAD", &resp, e);
	dr_registry_response_free(&resp);
	free(hop);
	return rc;
}

int dr_up_head(struct dr_upload *u, int *exists, struct dr_err *e)
{
	char url[600];
	int rc;

	snprintf(url, sizeof(url), "/v2/%s/blobs/%s", u->c->ref->repo, u->b->d.digest);
	for (;;) {
		rc = head_once(u, url, exists, e);
		if (rc == 0 || !dr_push_transient(rc, 0) || dr_up_retry_wait(u, e) != 0)
			return rc;
	}
}

/* Best effort: the registry would purge the session eventually anyway. */
void dr_up_cancel(struct dr_upload *u)
{
	struct dr_registry_request q = { .method = "DELETE", .scope = u->c->scope,
					 .timeout_ms = CANCEL_TIMEOUT_MS };
	struct dr_registry_response resp;
	struct dr_err ignored;

	if (!u->loc)
		return;
	q.url = u->loc;
	if (dr_registry_request(u->r, &q, &resp, &ignored) == 0)
		dr_registry_response_free(&resp);
	free(u->loc);
	u->loc = NULL;
}

int dr_up_take_location(struct dr_upload *u, struct dr_registry_response *resp, struct dr_err *e)
{
	if (!resp->location)
		return dr_fail(e, DR_EIO, "registry %s started an upload of blob %s without a Location",
			       u->c->ref->host, u->b->d.digest);
	if (resp->chunk_min > 0)
		u->chunk_min = resp->chunk_min;
	free(u->loc);
	u->loc = resp->location;
	resp->location = NULL;
	return 0;
}

/* POST ?mount=&from=: 201 mounted; 202 a plain upload session instead.
 * Any failure just means "upload it". */
int dr_up_mount(struct dr_upload *u, int *mounted)
{
	struct dr_registry_response resp;
	struct dr_err ignored;
	char url[2048], scope[1200], d[DR_DIGEST_MAX * 3], f[800];
	struct dr_registry_request q = { .method = "POST", .url = url, .scope = scope };

	*mounted = 0;
	if (!dr_blob_cache_source(u->c->cache, u->b->d.digest, u->c->ref->repo, u->from,
				  sizeof(u->from)))
		return 0;
	qenc(u->b->d.digest, d, sizeof(d));
	qenc(u->from, f, sizeof(f));
	snprintf(url, sizeof(url), "/v2/%s/blobs/uploads/?mount=%s&from=%s", u->c->ref->repo, d, f);
	snprintf(scope, sizeof(scope), "%s repository:%s:pull", u->c->scope, u->from);
	if (dr_up_send(u, &q, &resp, &ignored) != 0)
		return dr_push_should_stop(u->c) ? -1 : 0;
	*mounted = resp.status == 201;
	if (resp.status == 202)
		dr_up_take_location(u, &resp, &ignored);
	dr_registry_response_free(&resp);
	return 0;
}

int dr_up_start(struct dr_upload *u, struct dr_err *e)
{
	struct dr_registry_response resp;
	char url[600];
	int rc;

	snprintf(url, sizeof(url), "/v2/%s/blobs/uploads/", u->c->ref->repo);
	for (;;) {
		struct dr_registry_request q = { .method = "POST", .url = url };

		rc = dr_up_send(u, &q, &resp, e);
		if (rc == 0 && resp.status == 202)
			rc = dr_up_take_location(u, &resp, e);
		else if (rc == 0)
			rc = dr_up_http_error(u, "POST (start upload)", &resp, e);
		dr_registry_response_free(&resp);
		if (rc == 0 || !dr_push_transient(rc, 0) || dr_up_retry_wait(u, e) != 0)
			return rc;
	}
}

/* The final PUT ?digest= of u->b, q carrying its body or none. */
static int commit(struct dr_upload *u, struct dr_registry_request *q, struct dr_err *e)
{
	struct dr_registry_response resp;
	char *url = with_digest(u->loc, u->b->d.digest);
	int rc;

	if (!url)
		return dr_oom(e);
	q->method = "PUT";
	q->url = url;
	rc = dr_up_send(u, q, &resp, e);
	if (rc == 0 && resp.status == 201 && resp.digest && strcmp(resp.digest, u->b->d.digest) != 0) {
		char shown[160]; /* the registry's header, for a terminal */

		dr_text_safe(resp.digest, strlen(resp.digest), shown, sizeof(shown));
		rc = dr_fail(e, DR_EIO, "registry %s stored blob %s as %s", u->c->ref->host,
			     u->b->d.digest, shown);
	}
	else if (rc == 0 && resp.status == 404)
		u->restart = 1; /* the session expired or the registry lost it */
	if (rc == 0 && resp.status != 201)
		rc = dr_up_http_error(u, "PUT", &resp, e);
	if (rc == 0) {
		free(u->loc);
		u->loc = NULL;
	}
	dr_registry_response_free(&resp);
	free(url);
	return rc;
}

int dr_up_put(struct dr_upload *u, const void *body, size_t len, struct dr_err *e)
{
	struct dr_registry_request q = {
		.body = body, .body_len = len,
		.timeout_ms = dr_registry_env_ms(DR_ENV_COMMIT_TIMEOUT, FINAL_PUT_TIMEOUT_MS)
	};

	u->base = len ? 0 : u->b->d.size;
	return commit(u, &q, e);
}

/* Small blobs: read (and verify) into memory, then one PUT. */
static int monolithic(struct dr_upload *u, struct dr_err *e)
{
	size_t size = (size_t)u->b->d.size, got = 0;
	char *buf = malloc(size + 1);
	struct dr_blob_stream *s = NULL;
	long n = 1;
	int rc = buf ? dr_blob_open(u->c->img, u->b, &s, e) : dr_oom(e);

	while (rc == 0 && n > 0) {
		n = dr_blob_read(s, buf + got, size + 1 - got, e);
		if (n < 0)
			rc = (int)n;
		else
			got += (size_t)n;
	}
	dr_blob_close(s);
	if (rc == 0)
		rc = dr_up_put(u, buf, size, e);
	free(buf);
	return rc;
}

static size_t patch_read(char *buf, size_t n, void *ud)
{
	struct dr_upload *u = ud;
	long r;

	if ((long long)n > u->chunk_left)
		n = (size_t)u->chunk_left;
	if (n == 0)
		return 0;
	r = dr_blob_read(u->s, buf, n, &u->read_err);
	if (r == 0)
		dr_fail(&u->read_err, DR_EINVAL, "blob %s in %s is shorter than %lld bytes",
			u->b->d.digest, u->c->img->name, u->b->d.size);
	if (r <= 0) {
		u->read_failed = 1;
		return DR_REGISTRY_READ_ABORT;
	}
	u->chunk_left -= r;
	return (size_t)r;
}

/* At the blob's size: 0 when the stream ends there and its digest matched
 * (the blob reader checks it at the end), else the failure. */
static int at_end(struct dr_upload *u, struct dr_err *e)
{
	char probe[1];
	long n = dr_blob_read(u->s, probe, sizeof(probe), e);

	if (n > 0)
		return dr_fail(e, DR_EINVAL, "blob %s in %s is longer than %lld bytes",
			       u->b->d.digest, u->c->img->name, u->b->d.size);
	return (int)n;
}

/* patch_read for a body that ends the blob: its last bytes are handed
 * over only once the whole blob matched its digest, so a corrupt blob
 * never completes the request that would commit it. */
static size_t put_read(char *buf, size_t n, void *ud)
{
	struct dr_upload *u = ud;
	size_t r = patch_read(buf, n, ud);

	if (r == DR_REGISTRY_READ_ABORT || r == 0 || u->chunk_left > 0 ||
	    at_end(u, &u->read_err) == 0)
		return r;
	u->read_failed = 1;
	return DR_REGISTRY_READ_ABORT;
}

/* A blob that fits one chunk goes in the final PUT itself, one request
 * fewer than PATCH + PUT (each costs a registry a password check). */
static int put_streamed(struct dr_upload *u, struct dr_err *e)
{
	struct dr_registry_request q = { .read = put_read, .read_ud = u,
					 .upload_len = u->b->d.size, .timeout_ms = -1 };
	int rc;

	u->chunk_left = u->b->d.size;
	u->base = 0;
	u->read_failed = 0;
	rc = commit(u, &q, e);
	if (u->read_failed)
		rc = dr_fail(e, u->read_err.code, "%s", u->read_err.msg);
	return rc;
}

/* The stream at offset: reopened and re-read (hashed) from the start
 * when it is past it, since the digest covers every byte. */
static int reposition(struct dr_upload *u, long long off, struct dr_err *e)
{
	int rc = 0;

	if (u->s && dr_blob_offset(u->s) == off)
		return 0;
	if (!u->s || dr_blob_offset(u->s) > off) {
		dr_blob_close(u->s);
		u->s = NULL;
		rc = dr_blob_open(u->c->img, u->b, &u->s, e);
	}
	if (rc == 0)
		rc = dr_blob_skip_to(u->s, off, e);
	return rc;
}

/* A Range that cannot be (unreadable, past the blob or past what was
 * sent): the session is not trusted any more, a new one starts. */
static int impossible_range(struct dr_upload *u, const char *range, struct dr_err *e)
{
	char shown[65]; /* the registry's header, for a terminal */

	u->restart = 1;
	dr_text_safe(range, strlen(range), shown, sizeof(shown));
	return dr_fail(e, DR_EIO, "registry %s reported an impossible upload offset (Range \"%s\") "
		       "for blob %s of %lld bytes: starting its upload again", u->c->ref->host, shown,
		       u->b->d.digest, u->b->d.size);
}

/* GET the session: where the registry's data ends. */
int dr_up_session_offset(struct dr_upload *u, long long *off, struct dr_err *e)
{
	long long size = u->b->d.size;
	struct dr_registry_response resp;
	struct dr_registry_request q = { .method = "GET", .url = u->loc };
	int rc = dr_up_send(u, &q, &resp, e);

	if (rc == 0 && resp.status == 204) {
		*off = 0;
		if (resp.range && dr_range_resume(resp.range, size, size, off) != 0)
			rc = impossible_range(u, resp.range, e);
		if (rc == 0 && resp.location)
			rc = dr_up_take_location(u, &resp, e);
	} else if (rc == 0 && !dr_push_transient(0, resp.status)) {
		u->restart = 1; /* unknown or invalid session: start over */
		rc = dr_up_http_error(u, "GET (upload status)", &resp, e);
	} else if (rc == 0) {
		rc = dr_up_http_error(u, "GET (upload status)", &resp, e);
	}
	dr_registry_response_free(&resp);
	return rc;
}

static int patch(struct dr_upload *u, long long off, long long len, long long *next,
		 struct dr_err *e)
{
	struct dr_registry_response resp;
	char range[64];
	struct dr_registry_request q = { .method = "PATCH", .url = u->loc, .content_range = range,
					 .read = patch_read, .read_ud = u, .upload_len = len,
					 .timeout_ms = -1 };
	int rc;

	snprintf(range, sizeof(range), "%lld-%lld", off, off + len - 1);
	u->chunk_left = len;
	u->base = off;
	u->read_failed = 0;
	rc = dr_up_send(u, &q, &resp, e);
	if (u->read_failed)
		rc = dr_fail(e, u->read_err.code, "%s", u->read_err.msg);
	*next = off + len;
	if (rc == 0 && resp.status == 202) {
		rc = dr_up_take_location(u, &resp, e);
		if (rc == 0 && resp.range && dr_range_next_offset(resp.range, next) != 0)
			*next = off + len; /* unreadable: what was sent, as before */
		else if (rc == 0 && resp.range &&
			 dr_range_resume(resp.range, off + len, u->b->d.size, next) != 0)
			rc = impossible_range(u, resp.range, e);
		/* a registry that keeps taking no data would loop us forever */
		if (rc == 0 && *next <= off && ++u->stalls > DR_PUSH_MAX_RETRIES) {
			char shown[65]; /* the registry's header, for a terminal */

			dr_text_safe(resp.range ? resp.range : "", resp.range ? strlen(resp.range) : 0,
				     shown, sizeof(shown));
			rc = dr_fail(e, DR_EIO, "registry %s keeps accepting none of blob %s (Range "
				     "\"%s\")", u->c->ref->host, u->b->d.digest, shown);
		}
	} else if (rc == 0 && resp.status == 416) {
		rc = dr_up_session_offset(u, next, e); /* out of step: ask where to go on */
	} else if (rc == 0) {
		rc = dr_up_http_error(u, "PATCH", &resp, e);
	}
	dr_registry_response_free(&resp);
	return rc;
}

/* Chunks until the registry has it all, then the final PUT. */
static int chunked(struct dr_upload *u, struct dr_err *e)
{
	long long off = 0, size = u->b->d.size;
	/* the first try of a blob that fits one chunk is one PUT with it all */
	int whole = size <= CHUNK && u->chunk_min == 0;
	int rc = reposition(u, 0, e);

	while (rc == 0) {
		if (whole) {
			whole = 0;
			rc = put_streamed(u, e);
			if (rc == 0 || u->read_failed)
				return rc;
		} else if (off < size) {
			/* OCI-Chunk-Min-Length: no chunk but the last may be shorter */
			long long want = u->chunk_min > CHUNK ? u->chunk_min : CHUNK;
			long long len = size - off < want ? size - off : want;

			rc = patch(u, off, len, &off, e);
		} else {
			/* the end of the blob: its digest is checked here, before
			 * the PUT that would commit it */
			rc = at_end(u, e);
			if (rc)
				return rc;
			rc = dr_up_put(u, NULL, 0, e);
			if (rc == 0)
				return 0;
		}
		/* ask where the session stands until the registry answers
		 * (it may be restarting), then go on from there */
		while (rc != 0 && dr_push_transient(rc, 0) && !u->restart && dr_up_retry_wait(u, e) == 0)
			rc = dr_up_session_offset(u, &off, e);
		if (rc == 0)
			rc = reposition(u, off, e);
	}
	return rc;
}

void dr_up_finish(struct dr_upload *u, enum dr_blob_state st, unsigned *counter)
{
	pthread_mutex_lock(&u->c->lock);
	(*counter)++;
	pthread_mutex_unlock(&u->c->lock);
	dr_blob_cache_add(u->c->cache, u->b->d.digest, u->c->ref->repo);
	dr_progress_state(u->c->prog, u->idx, st, st == DR_BLOB_MOUNTED ? u->from : u->note);
}

int dr_up_sessions(struct dr_upload *u, dr_up_attempt_fn *attempt, void *arg, struct dr_err *e)
{
	int rc;

	for (;;) {
		rc = u->loc ? 0 : dr_up_start(u, e);
		dr_progress_state(u->c->prog, u->idx, DR_BLOB_UPLOADING, NULL);
		if (rc == 0)
			rc = attempt(u, arg, e);
		if (rc == 0 || dr_push_should_stop(u->c))
			return rc;
		/* a session that failed is dropped; a new one starts from zero */
		if (!(dr_push_transient(rc, 0) || u->restart) || dr_up_retry_wait(u, e) != 0)
			return rc;
		u->restart = 0;
		dr_up_cancel(u);
	}
}

/* One session's try of the blob as the source has it; a failed try gives
 * its stream up, so the next reads from the start. */
static int upload_once(struct dr_upload *u, void *arg, struct dr_err *e)
{
	int rc = u->b->d.size <= MONO_MAX ? monolithic(u, e) : chunked(u, e);

	(void)arg;
	if (rc) {
		dr_blob_close(u->s);
		u->s = NULL;
	}
	return rc;
}

int dr_up_upload(struct dr_upload *u, struct dr_err *e)
{
	return dr_up_sessions(u, upload_once, NULL, e);
}
