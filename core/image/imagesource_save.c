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
 * the top (the classic format) is the config when it is the Id; and the
 * classic <id>/layer.tar is a layer whose digest its data will tell (the
 * directory is a v1 id): it takes a free layer slot and is matched to its
 * diff_id at its end (dr_daemon_learned). Everything else is skipped. */
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

/* The blob an entry is, or -1. */
static long classify(struct dr_image *img, const char *name, int *learn)
{
	char digest[DR_DIGEST_MAX];
	size_t len = strlen(name);

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
		*learn = 1;
		return free_slot(img);
	}
	return -1;
}

int dr_daemon_save_next(struct dr_image *img, size_t *idx, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct archive_entry *ent;

	if (d->current >= 0)
		d->seen[d->current] = 1;
	d->current = -1;
	d->opened = 0;
	for (;;) {
		int learn, r = archive_read_next_header(d->save->a, &ent);
		long i;

		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return save_failed(img, archive_error_string(d->save->a), e);
		if (archive_entry_filetype(ent) != AE_IFREG || archive_entry_hardlink(ent))
			continue;
		i = classify(img, archive_entry_pathname(ent), &learn);
		if (i < 0 || d->seen[i])
			continue;
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
