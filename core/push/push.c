/* A whole push (push.h): the source opened and checked, credentials
 * looked up, blobs pushed by a bounded pool of workers (each with its own
 * registry connection), then, only when every blob is in place, the
 * manifests: child manifests by digest, the top one by tag, extra tags. */
#include "push/push_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/secmem.h"
#include "base/text.h"

#define DEFAULT_JOBS 4
#define MAX_JOBS 32
#define REQUEST_TIMEOUT_MS 30000u
#define MANIFEST_RETRIES 5

int dr_push_registry(struct dr_push_ctx *c, struct dr_registry **r, struct dr_err *e)
{
	struct dr_registry_opts o = { REQUEST_TIMEOUT_MS, c->o->insecure,
				      "dokku-registry/" DR_VERSION };
	int rc = dr_registry_open(r, c->ref->host, &o, e);

	if (rc == 0 && c->user)
		rc = dr_registry_set_credentials(*r, c->user, c->secret, e);
	if (rc == 0 && c->main)
		dr_registry_adopt(*r, c->main);
	if (rc) {
		dr_registry_close(*r);
		*r = NULL;
	}
	return rc;
}

static void fail_once(struct dr_push_ctx *c, const struct dr_err *e)
{
	pthread_mutex_lock(&c->lock);
	if (!c->failed) {
		c->err = *e;
		__atomic_store_n(&c->failed, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&c->lock);
}

static void *worker(void *arg)
{
	struct dr_push_ctx *c = arg;
	struct dr_registry *r = NULL;
	struct dr_err e = { 0 };
	/* a lone worker uses the main connection: the main thread only draws */
	int rc = c->share_main ? 0 : dr_push_registry(c, &r, &e);

	if (c->share_main)
		r = c->main;

	while (rc == 0) {
		size_t idx;

		pthread_mutex_lock(&c->lock);
		if (dr_push_should_stop(c) || c->next >= c->img->nblobs) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		idx = c->order[c->next++];
		pthread_mutex_unlock(&c->lock);
		rc = dr_push_blob(c, r, idx, &e);
	}
	if (rc && !dr_push_signal)
		fail_once(c, &e);
	if (!c->share_main)
		dr_registry_close(r);
	pthread_mutex_lock(&c->lock);
	c->running--;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static int by_size_desc(const void *a, const void *b, void *img)
{
	const struct dr_blob *blobs = ((const struct dr_image *)img)->blobs;
	long long x = blobs[*(const size_t *)a].d.size, y = blobs[*(const size_t *)b].d.size;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Runs the workers; the calling thread draws progress meanwhile. */
static int push_blobs(struct dr_push_ctx *c, int jobs, struct dr_err *e)
{
	pthread_t tid[MAX_JOBS];
	int started = 0;

	c->order = calloc(c->img->nblobs + 1, sizeof(size_t));
	if (!c->order)
		return dr_oom(e);
	for (size_t i = 0; i < c->img->nblobs; i++)
		c->order[i] = i;
	/* the biggest first keeps every worker busy to the end */
	qsort_r(c->order, c->img->nblobs, sizeof(size_t), by_size_desc, (void *)c->img);
	if ((size_t)jobs > c->img->nblobs)
		jobs = c->img->nblobs ? (int)c->img->nblobs : 1;
	c->share_main = jobs == 1;
	c->running = (size_t)jobs;
	/* nothing to redraw meanwhile: the lone worker runs right here (no
	 * thread stack, no second malloc arena) */
	if (jobs == 1 && !dr_progress_live(c->prog)) {
		worker(c);
		started = -1;
	}
	for (int i = 0; started >= 0 && i < jobs; i++) {
		if (pthread_create(&tid[i], NULL, worker, c) != 0) {
			pthread_mutex_lock(&c->lock);
			c->running -= (size_t)(jobs - i);
			pthread_mutex_unlock(&c->lock);
			if (i == 0)
				return dr_fail(e, DR_EIO, "cannot start a thread: %s", strerror(errno));
			break;
		}
		started++;
	}
	pthread_mutex_lock(&c->lock);
	while (c->running > 0) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->cond, &c->lock, &until);
		pthread_mutex_unlock(&c->lock);
		dr_progress_render(c->prog);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	dr_progress_render(c->prog);
	if (dr_push_signal)
		return dr_fail(e, DR_EIO, "interrupted");
	if (c->failed) {
		if (e)
			*e = c->err;
		return c->err.code ? (int)c->err.code : DR_EIO;
	}
	return 0;
}

/* PUT /v2/<repo>/manifests/<ref>, retried on transient failures; a
 * stalled one counts against the push's stalls. */
static int put_manifest(struct dr_push_ctx *c, struct dr_registry *r,
			const struct dr_manifest *m, const char *ref, struct dr_err *e)
{
	char url[600], msg[DR_REGISTRY_MSG_MAX + 4];
	int rc;

	snprintf(url, sizeof(url), "/v2/%s/manifests/%s", c->ref->repo, ref);
	for (int attempt = 0;; attempt++) {
		struct dr_registry_request q = { .method = "PUT", .url = url, .scope = c->scope,
						 .content_type = m->media_type, .body = m->data,
						 .body_len = m->len };
		struct dr_registry_response resp;

		/* never a manifest after a signal: its blobs may be missing */
		if (dr_push_signal)
			return dr_fail(e, DR_EIO, "interrupted");
		rc = dr_registry_request(r, &q, &resp, e);
		if (rc == 0 && resp.status == 201 && resp.digest && strcmp(resp.digest, m->digest) != 0) {
			char shown[160]; /* the registry's header, for a terminal */

			dr_text_safe(resp.digest, strlen(resp.digest), shown, sizeof(shown));
			rc = dr_fail(e, DR_EIO, "registry %s stored manifest %s as %s", c->ref->host,
				     m->digest, shown);
		}
		else if (rc == 0 && resp.status != 201) {
			dr_registry_error_text(resp.body, resp.body_len, NULL, msg, sizeof(msg));
			rc = dr_fail(e, dr_push_transient(0, resp.status) ? DR_ENET : DR_EIO,
				     "registry %s refused manifest %s for %s:%s: HTTP %ld%s",
				     c->ref->host, m->digest, c->ref->repo, ref, resp.status, msg);
		}
		dr_registry_response_free(&resp);
		if (rc == 0 || !dr_push_transient(rc, 0) || attempt >= MANIFEST_RETRIES ||
		    (dr_registry_stalled(r) && dr_push_count_stall(c, NULL, NULL, e) != 0) ||
		    dr_push_sleep(c, 500u << attempt) != 0)
			return rc;
	}
}

static int push_manifests(struct dr_push_ctx *c, struct dr_push_result *res, struct dr_err *e)
{
	const struct dr_manifest *top = dr_image_top(c->img);
	struct dr_registry *r = c->main;
	char dest[1024], s[16];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i + 1 < c->img->nmanifests; i++) {
		const struct dr_manifest *m = &c->img->manifests[i];

		rc = put_manifest(c, r, m, m->digest, e);
		if (rc == 0)
			dr_progress_line(c->prog, "%s: pushed manifest%s%s",
					 dr_digest_short(m->digest, s, sizeof(s)),
					 m->platform[0] ? " for " : "", m->platform);
	}
	if (rc == 0)
		rc = put_manifest(c, r, top, c->ref->tag[0] ? c->ref->tag : top->digest, e);
	for (size_t i = 0; rc == 0 && i < c->o->nextra; i++) {
		rc = put_manifest(c, r, top, c->o->extra_tags[i], e);
		if (rc == 0)
			dr_progress_line(c->prog, "tagged %s/%s:%s", c->ref->host, c->ref->repo,
					 c->o->extra_tags[i]);
	}
	if (rc)
		return rc;
	snprintf(res->digest, sizeof(res->digest), "%s", top->digest);
	res->uploaded = c->uploaded;
	res->skipped = c->skipped;
	res->mounted = c->mounted;
	dr_image_ref_format(c->ref, dest, sizeof(dest));
	dr_progress_line(c->prog, "pushed %s (digest %s): %u uploaded, %u skipped, %u mounted",
			 dest, top->digest, c->uploaded, c->skipped, c->mounted);
	return 0;
}

static int check_tags(const struct dr_push_opts *o, struct dr_err *e)
{
	char ref[300];
	struct dr_image_ref tmp;

	for (size_t i = 0; i < o->nextra; i++) {
		snprintf(ref, sizeof(ref), "x/y:%s", o->extra_tags[i]);
		if (strchr(o->extra_tags[i], ':') || strchr(o->extra_tags[i], '/') ||
		    dr_image_ref_parse(ref, &tmp, NULL) != 0)
			return dr_fail(e, DR_EINVAL, "invalid tag \"%s\"", o->extra_tags[i]);
	}
	return 0;
}

/* The compression settings of this push, checked against the image. */
static int set_compression(struct dr_push_ctx *c, struct dr_image *img,
			   const struct dr_image_ref *ref, struct dr_err *e)
{
	const struct dr_push_opts *o = c->o;
	int rc = 0;

	c->img = img;
	c->compress = o->compress;
	c->level = o->compress_level ? o->compress_level : dr_compression_default_level(o->compress);
	c->threads = o->compress_threads > 0 ? o->compress_threads : dr_compression_threads();
	snprintf(c->setting, sizeof(c->setting), "%s-%d", dr_compression_name(c->compress),
		 c->level);
	if (c->compress == DR_COMPRESS_NONE)
		return 0;
	rc = dr_compression_check_level(c->compress, c->level, e);
	c->outs = rc ? NULL : calloc(img->nblobs + 1, sizeof(*c->outs));
	if (rc == 0 && !c->outs)
		rc = dr_oom(e);
	for (size_t i = 0; rc == 0 && ref->digest[0] && i < img->nblobs; i++) {
		if (dr_push_compresses(c, i))
			rc = dr_fail(e, DR_EINVAL, "%s has uncompressed layers: compressing them "
				     "changes its digest %s; push it by tag, or with --compress none",
				     img->name, ref->digest);
	}
	return rc;
}

int dr_push(const char *src, const char *dest, const struct dr_push_opts *o,
	    struct dr_push_result *res, struct dr_err *e)
{
	struct dr_push_ctx c = { .o = o };
	struct dr_image_ref ref;
	struct dr_image *img = NULL;
	char *user = NULL, *secret = NULL, *api = NULL;
	int jobs = o->jobs > 0 ? (o->jobs > MAX_JOBS ? MAX_JOBS : o->jobs) : DEFAULT_JOBS;
	int rc = dr_image_ref_parse(dest, &ref, e);

	memset(res, 0, sizeof(*res));
	if (rc == 0)
		rc = check_tags(o, e);
	if (rc == 0)
		rc = dr_image_open(src, &img, e);
	if (rc == 0 && ref.digest[0] && img->kind == DR_SRC_DAEMON)
		rc = dr_fail(e, DR_EINVAL, "%s: its manifest is made while it is pushed: push it by "
			     "tag, not by digest", src);
	if (rc == 0 && ref.digest[0] && strcmp(ref.digest, dr_image_top(img)->digest) != 0)
		rc = dr_fail(e, DR_EINVAL, "%s has digest %s, not %s", src, dr_image_top(img)->digest,
			     ref.digest);
	if (rc == 0)
		rc = set_compression(&c, img, &ref, e);
	if (rc == 0)
		rc = dr_push_credentials(o->config_dir, ref.host, &user, &secret, e);
	if (rc == 0)
		rc = dr_registry_api_host(ref.host, &api, e);
	if (rc == 0) {
		c.ref = &ref;
		c.user = user;
		c.secret = secret;
		snprintf(c.scope, sizeof(c.scope), "repository:%s:pull,push", ref.repo);
		c.cache = dr_blob_cache_open(api);
		c.prog = dr_progress_new(img, o->progress, o->quiet, o->indent);
		pthread_mutex_init(&c.lock, NULL);
		pthread_cond_init(&c.cond, NULL);
		rc = c.prog ? dr_push_registry(&c, &c.main, e) : dr_oom(e);
		/* one GET /v2/ for the whole push; an unreachable registry fails here */
		if (rc == 0)
			rc = dr_registry_negotiate(c.main, e);
		if (rc == 0)
			rc = img->kind == DR_SRC_DAEMON ? dr_push_daemon_blobs(&c, img, e)
							: push_blobs(&c, jobs, e);
		/* what is known to be there stays known, even after a failure */
		dr_blob_cache_save(c.cache);
		/* every blob is in place: manifests naming the compressed layers */
		if (rc == 0)
			rc = dr_push_rewrite_manifests(&c, img, e);
		if (rc == 0)
			rc = push_manifests(&c, res, e);
		dr_registry_close(c.main);
		pthread_cond_destroy(&c.cond);
		pthread_mutex_destroy(&c.lock);
		dr_blob_cache_free(c.cache);
		dr_progress_free(c.prog);
		free(c.order);
	}
	free(c.outs);
	res->signal = dr_push_signal;
	dr_str_wipe_free(user);
	dr_str_wipe_free(secret);
	free(api);
	dr_image_free(img);
	return rc;
}
