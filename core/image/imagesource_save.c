/* The daemon's `docker save` stream (imagesource.h), read once. A thread
 * runs GET /images/{name}/get with libcurl and writes the body into one
 * end of a socket pair; libarchive reads the tar from the other end, so
 * the transfer waits while a blob is pushed (the pair's buffer is all that
 * is held) and nothing is spooled. Deadlines: connecting, and a transfer
 * that moves nothing for STALL_S (a stalled daemon, or a push waiting that
 * long on its registry, which has its own deadlines) is aborted; the
 * reader then sees the end and says why.
 *
 * Entries are recognised by name: blobs/sha256/<hex> (the OCI layout
 * Docker 25 and later write) is the blob with that digest; <hex>.json at
 * the top (the classic format) is the config when it is the Id; the
 * classic <v1 id>/layer.tar is the layer whose v1 id that is, for the
 * layers below the top one (imagesource_v1id.c), so a pusher that finds
 * the layer in the registry already lets it pass unread (libarchive skips
 * its bytes: read once, neither hashed nor compressed); any other
 * <dir>/layer.tar (the top layer) is a layer whose digest its data will
 * tell: it takes a free layer slot and is matched to its diff_id at its
 * end (dr_daemon_learned), unless the pusher knows from an earlier push
 * what its v1 id holds (dr_daemon_claim). The classic manifest.json, at
 * the end, is kept to check the layers taken by name against the daemon's
 * own list before the manifest is made. Everything else is skipped. */
#include "image/imagesource_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"

#define CONNECT_TIMEOUT_MS 10000L
#define STALL_S 300L
#define BLOCK (64 * 1024)
#define ERR_BODY_MAX 4096

struct dr_daemon_save {
	pthread_t tid;
	int started;
	int fd[2];            /* [0] read by libarchive, [1] written by the thread */
	struct archive *a;
	CURLcode cc;
	long status;
	struct dr_buf errbody; /* the body of an answer other than 200 */
	char curl_err[CURL_ERROR_SIZE];
	char url[1200];
	char socket[108];
};

static size_t to_pair(char *p, size_t sz, size_t nm, void *ud)
{
	struct dr_daemon_save *s = ud;
	size_t n = sz * nm, off = 0;

	while (off < n) {
		ssize_t w = send(s->fd[1], p + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0; /* the reader closed its end: abort */
		off += (size_t)w;
	}
	return n;
}

static size_t to_err(char *p, size_t sz, size_t nm, void *ud)
{
	struct dr_daemon_save *s = ud;

	dr_buf_append(&s->errbody, p, sz * nm, NULL);
	return sz * nm;
}

/* The body goes to the pair only with a 200: an error answer is kept. */
static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
	struct dr_daemon_save *s = ud;

	return s->status == 200 ? to_pair(p, sz, nm, ud) : to_err(p, sz, nm, ud);
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
	struct dr_daemon_save *s = ud;

	if (nm * sz > 9 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', nm * sz);

		s->status = sp ? strtol(sp + 1, NULL, 10) : -1;
	}
	return sz * nm;
}

static void *transfer(void *arg)
{
	struct dr_daemon_save *s = arg;
	CURL *h = curl_easy_init();

	if (!h) {
		s->cc = CURLE_OUT_OF_MEMORY;
	} else {
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, s->socket);
		curl_easy_setopt(h, CURLOPT_URL, s->url);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_PROXY, "");
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_S);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->curl_err);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
		s->cc = curl_easy_perform(h);
		curl_easy_cleanup(h);
	}
	/* the reader sees the end of the tar (or its truncation) */
	shutdown(s->fd[1], SHUT_WR);
	return NULL;
}

/* Stops the transfer (if running) and waits for its thread. */
static void save_stop(struct dr_daemon_save *s)
{
	if (!s)
		return;
	if (s->fd[0] >= 0)
		shutdown(s->fd[0], SHUT_RDWR); /* the writer's next send fails */
	if (s->started)
		pthread_join(s->tid, NULL);
	s->started = 0;
}

static void save_free(struct dr_daemon_save *s)
{
	if (!s)
		return;
	save_stop(s);
	if (s->a)
		archive_read_free(s->a);
	if (s->fd[0] >= 0)
		close(s->fd[0]);
	if (s->fd[1] >= 0)
		close(s->fd[1]);
	dr_buf_wipe(&s->errbody);
	free(s);
}

void dr_daemon_free(struct dr_daemon *d)
{
	if (!d)
		return;
	save_free(d->save);
	free(d->v1ids);
	free(d->v1used);
	free(d->claims);
	dr_buf_wipe(&d->listing);
	for (size_t i = 0; i < d->ndiff; i++)
		free(d->diff_ids[i]);
	free(d->diff_ids);
	free(d->seen);
	free(d->name);
	free(d);
}

int dr_daemon_save_start(struct dr_image *img, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct dr_daemon_save *s = calloc(1, sizeof(*s));
	char *enc = curl_easy_escape(NULL, d->name, 0);
	int rc = 0;

	if (!s || !enc) {
		free(s);
		curl_free(enc);
		return dr_oom(e);
	}
	d->save = s;
	s->fd[0] = s->fd[1] = -1;
	dr_buf_init(&s->errbody, ERR_BODY_MAX);
	snprintf(s->socket, sizeof(s->socket), "%s", d->socket);
	snprintf(s->url, sizeof(s->url), "http://docker/images/%s/get", enc);
	curl_free(enc);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->fd) != 0)
		return dr_fail(e, DR_EIO, "cannot make a socket pair: %s", strerror(errno));
	s->a = archive_read_new();
	if (!s->a)
		return dr_oom(e);
	archive_read_support_format_tar(s->a);
	if (pthread_create(&s->tid, NULL, transfer, s) != 0)
		return dr_fail(e, DR_EIO, "cannot start a thread: %s", strerror(errno));
	s->started = 1;
	if (archive_read_open_fd(s->a, s->fd[0], BLOCK) != ARCHIVE_OK) {
		save_stop(s);
		rc = dr_fail(e, DR_EIO, "%s: cannot read the daemon's save: %s", img->name,
			     archive_error_string(s->a));
	}
	return rc;
}

/* Why the save ended early: the transfer's failure, else what libarchive said. */
static int save_failed(struct dr_image *img, const char *what, struct dr_err *e)
{
	struct dr_daemon_save *s = img->daemon->save;
	char msg[400];

	save_stop(s);
	if (s->status != 200 && s->status > 0) {
		dr_daemon_message(&s->errbody, msg, sizeof(msg));
		return dr_fail(e, s->status == 404 ? DR_ENOTFOUND : DR_EIO, "%s: the Docker daemon at "
			       "%s answered the save with HTTP %ld%s", img->name, s->socket, s->status,
			       msg);
	}
	if (s->cc != CURLE_OK)
		return dr_fail(e, DR_ENET, "%s: the Docker daemon at %s: %s", img->name, s->socket,
			       s->curl_err[0] ? s->curl_err : curl_easy_strerror(s->cc));
	return dr_fail(e, DR_EIO, "%s: the daemon's save is not a tar: %s", img->name, what);
}

static long find_blob(const struct dr_image *img, const char *digest)
{
	for (size_t i = 0; i < img->nblobs; i++) {
		if (strcmp(img->blobs[i].d.digest, digest) == 0)
			return (long)i;
	}
	return -1;
}

/* A free layer slot for a classic layer.tar: the first not seen. */
static long free_slot(const struct dr_image *img)
{
	for (size_t i = 0; i < img->nblobs; i++) {
		if (i != img->daemon->config && !img->daemon->seen[i])
			return (long)i;
	}
	return -1;
}

/* A classic <dir>/layer.tar whose dir (len bytes) is the v1 id of a layer
 * below the top: that layer's index in the diff_ids, else -1. */
static long by_v1_id(const struct dr_daemon *d, const char *dir, size_t len)
{
	if (len != 64 || !d->v1ids)
		return -1;
	for (size_t k = 0; k + 1 < d->ndiff; k++) {
		if (memcmp(d->v1ids[k] + 7, dir, 64) == 0)
			return (long)k;
	}
	return -1;
}

/* The blob an entry is, or -1. */
static long classify(struct dr_image *img, const char *name, int *learn)
{
	struct dr_daemon *d = img->daemon;
	char digest[DR_DIGEST_MAX];
	size_t len = strlen(name);
	long k, i;

	*learn = 0;
	while (name[0] == '.' && name[1] == '/')
		name += 2, len -= 2;
	if (strncmp(name, "blobs/sha256/", 13) == 0 && len == 13 + 64) {
		snprintf(digest, sizeof(digest), "sha256:%s", name + 13);
		return find_blob(img, digest);
	}
	if (len == 64 + 5 && strcmp(name + 64, ".json") == 0 && !strchr(name, '/')) {
		snprintf(digest, sizeof(digest), "sha256:%.64s", name);
		return find_blob(img, digest) == (long)img->daemon->config ? (long)img->daemon->config
									     : -1;
	}
	if (len > 10 && strcmp(name + len - 10, "/layer.tar") == 0) {
		k = by_v1_id(d, name, len - 10);
		if (k < 0) {
			*learn = 1;
			if (len == 64 + 10 && strspn(name, "0123456789abcdef") == 64)
				snprintf(d->entry_v1, sizeof(d->entry_v1), "sha256:%.64s", name);
			return free_slot(img);
		}
		/* a layer repeated below (its diff_id seen): the blob is in */
		i = find_blob(img, d->diff_ids[k]);
		if (i >= 0 && !d->seen[i])
			d->v1used[k] = 1;
		return i;
	}
	return -1;
}

/* The classic save's manifest.json, kept for dr_daemon_save_end. */
static int keep_listing(struct dr_image *img, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	char buf[16384];
	la_ssize_t n;

	dr_buf_wipe(&d->listing);
	dr_buf_init(&d->listing, DR_DOC_MAX);
	while ((n = archive_read_data(d->save->a, buf, sizeof(buf))) > 0) {
		if (dr_buf_append(&d->listing, buf, (size_t)n, NULL) != 0)
			return dr_fail(e, DR_ETOOBIG, "%s: the daemon's save has a manifest.json of "
				       "over %zu bytes", img->name, DR_DOC_MAX);
	}
	if (n < 0)
		return save_failed(img, archive_error_string(d->save->a), e);
	return 0;
}

static int is_listing(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return strcmp(name, "manifest.json") == 0;
}

int dr_daemon_save_next(struct dr_image *img, size_t *idx, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct archive_entry *ent;

	if (d->current >= 0)
		d->seen[d->current] = 1;
	d->current = -1;
	d->opened = 0;
	d->entry_v1[0] = '\0';
	for (;;) {
		int learn, r = archive_read_next_header(d->save->a, &ent);
		const char *name;
		long i;

		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return save_failed(img, archive_error_string(d->save->a), e);
		name = archive_entry_pathname(ent);
		if (archive_entry_filetype(ent) != AE_IFREG || archive_entry_hardlink(ent) || !name)
			continue;
		if (is_listing(name)) {
			int rc = keep_listing(img, e);

			if (rc)
				return rc;
			continue;
		}
		i = classify(img, name, &learn);
		if (i < 0 || d->seen[i]) {
			d->entry_v1[0] = '\0';
			continue;
		}
		img->blobs[i].d.size = archive_entry_size(ent);
		img->blobs[i].learn = learn;
		d->current = i;
		*idx = (size_t)i;
		return 1;
	}
}

int dr_daemon_blob_open(const struct dr_image *img, const struct dr_blob *b,
			struct dr_tar_stream **out, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;

	*out = NULL;
	if (d->current < 0 || &img->blobs[d->current] != b || d->opened)
		return dr_fail(e, DR_EIO, "blob %s of %s cannot be read again: the daemon's save "
			       "is read once", b->learn ? "(a layer)" : b->d.digest, img->name);
	*out = dr_tar_stream_borrow(d->save->a);
	if (!*out)
		return dr_oom(e);
	d->opened = 1;
	return 0;
}

int dr_daemon_learned(const struct dr_image *img, const struct dr_blob *b, const char *got,
		      struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct dr_blob *blobs = img->blobs; /* the image's own array: not const for us */
	size_t at = (size_t)(b - img->blobs);
	long j = find_blob(img, got);

	if (j < 0 || (size_t)j == d->config || (d->seen[j] && (size_t)j != at))
		return dr_fail(e, DR_EINVAL, "%s: the daemon's save holds a layer %s that its image "
			       "does not list (or lists once)", img->name, got);
	if ((size_t)j != at) {
		char tmp[DR_DIGEST_MAX];

		memcpy(tmp, blobs[j].d.digest, sizeof(tmp));
		memcpy(blobs[j].d.digest, blobs[at].d.digest, sizeof(tmp));
		memcpy(blobs[at].d.digest, tmp, sizeof(tmp));
	}
	blobs[at].learn = 0;
	return 0;
}

/* The layers taken by their v1 id are where the daemon's own list puts
 * them: a save of another image than the one inspected (its tag moved
 * meanwhile) cannot make a manifest of mixed layers. */
static int check_by_name(struct dr_image *img, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct dr_docker_save_entry ent;
	struct dr_err why = { 0 };
	int used = 0, rc = 0;

	for (size_t k = 0; k < d->ndiff; k++)
		used |= d->v1used[k];
	if (!used && !d->nclaims)
		return 0;
	if (!d->listing.data || dr_docker_save_parse(d->listing.data, d->listing.len, NULL, &ent,
						     &why) != 0)
		return dr_fail(e, DR_EINVAL, "%s: the daemon's save has no readable manifest.json "
			       "to check its layers against%s%s", img->name, why.msg[0] ? ": " : "",
			       why.msg);
	if (ent.nlayers != d->ndiff)
		rc = dr_fail(e, DR_EINVAL, "%s: the daemon's save lists %zu layers, its image %zu",
			     img->name, ent.nlayers, d->ndiff);
	for (size_t k = 0; rc == 0 && k < d->ndiff; k++) {
		if (d->v1used[k] && (strncmp(ent.layers[k], d->v1ids[k] + 7, 64) != 0 ||
				     strcmp(ent.layers[k] + 64, "/layer.tar") != 0))
			rc = dr_fail(e, DR_EINVAL, "%s: the daemon's save lists another layer %zu "
				     "than its image's: nothing pushed under the tag", img->name, k);
	}
	/* a layer taken for what an earlier push learnt its v1 id holds: the
	 * daemon lists that v1 id where its image has that diff_id */
	for (size_t c = 0; rc == 0 && c < d->nclaims; c++) {
		size_t k = 0;

		while (k < ent.nlayers && (strncmp(ent.layers[k], d->claims[c].v1 + 7, 64) != 0 ||
					   strcmp(ent.layers[k] + 64, "/layer.tar") != 0))
			k++;
		if (k == ent.nlayers || k >= d->ndiff ||
		    strcmp(d->diff_ids[k], d->claims[c].diff_id) != 0)
			rc = dr_fail(e, DR_EINVAL, "%s: the daemon's save does not list layer %s where "
				     "its image has it: nothing pushed under the tag", img->name,
				     d->claims[c].diff_id);
	}
	dr_docker_save_entry_free(&ent);
	return rc;
}

int dr_daemon_entry_v1_id(const struct dr_image *img, size_t idx, char out[DR_DIGEST_MAX])
{
	const struct dr_daemon *d = img->daemon;

	if (d->current != (long)idx || !img->blobs[idx].learn || !d->entry_v1[0])
		return 0;
	memcpy(out, d->entry_v1, DR_DIGEST_MAX);
	return 1;
}

int dr_daemon_claim(struct dr_image *img, size_t idx, const char *diff_id, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct dr_daemon_claim *cl;
	int rc;

	if (d->current != (long)idx || d->opened || !img->blobs[idx].learn || !d->entry_v1[0] ||
	    d->nclaims >= d->ndiff)
		return dr_fail(e, DR_EINVAL, "%s: no layer to take", img->name);
	rc = dr_daemon_learned(img, &img->blobs[idx], diff_id, e);
	if (rc)
		return rc;
	cl = &d->claims[d->nclaims++];
	memcpy(cl->v1, d->entry_v1, sizeof(cl->v1));
	snprintf(cl->diff_id, sizeof(cl->diff_id), "%s", diff_id);
	return 0;
}

int dr_daemon_save_end(struct dr_image *img, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct dr_descriptor *all;
	int rc = 0;

	if (d->current >= 0)
		d->seen[d->current] = 1;
	d->current = -1;
	save_stop(d->save);
	if (d->save->cc != CURLE_OK || d->save->status != 200)
		return save_failed(img, "", e);
	for (size_t i = 0; i < img->nblobs; i++) {
		if (!d->seen[i])
			return dr_fail(e, DR_EINVAL, "%s: the daemon's save has no blob %s", img->name,
				       img->blobs[i].d.digest);
	}
	rc = check_by_name(img, e);
	if (rc)
		return rc;
	all = calloc(d->ndiff + 1, sizeof(*all));
	if (!all)
		return dr_oom(e);
	all[0] = img->blobs[d->config].d;
	for (size_t i = 0; i < d->ndiff; i++)
		all[i + 1] = img->blobs[find_blob(img, d->diff_ids[i])].d;
	rc = dr_docker_manifest_make(img, all, d->ndiff + 1, e);
	free(all);
	return rc;
}
