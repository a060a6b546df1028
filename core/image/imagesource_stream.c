/* Blob streams (imagesource.h): a file of an OCI layout directory or an
 * entry of a tar, read in caller-sized pieces and hashed on the way, so
 * memory stays constant and a corrupt blob is caught at its end. */
#include "image/imagesource_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dr_blob_stream {
	const struct dr_image *img;
	const struct dr_blob *b;
	int fd;
	struct dr_tar_stream *tar;
	struct dr_hash *h;
	long long off;
	int verified; /* the end was reached and the digest matched */
};

int dr_blob_open(const struct dr_image *img, const struct dr_blob *b,
		 struct dr_blob_stream **out, struct dr_err *e)
{
	struct dr_blob_stream *s = calloc(1, sizeof(*s));
	long long size = 0;
	char *full = NULL;
	int rc = 0;

	*out = NULL;
	if (!s)
		return dr_oom(e);
	s->img = img;
	s->b = b;
	s->fd = -1;
	s->h = dr_hash_new();
	if (!s->h)
		rc = dr_fail(e, DR_EIO, "cannot set up sha256");
	else if (!b->learn && strncmp(b->d.digest, "sha256:", 7) != 0)
		rc = dr_fail(e, DR_EINVAL, "blob %s: only sha256 digests are supported", b->d.digest);
	else if (img->kind == DR_SRC_DAEMON)
		rc = dr_daemon_blob_open(img, b, &s->tar, e);
	else if (img->kind == DR_SRC_TAR)
		rc = dr_tar_stream_open(img->root, b->path, &s->tar, &size, e);
	else if (asprintf(&full, "%s/%s", img->root, b->path) < 0)
		rc = dr_oom(e);
	else {
		s->fd = open(full, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			rc = dr_fail(e, errno == ENOENT ? DR_ENOTFOUND : DR_EIO,
				     "blob %s in %s: cannot open %s: %s", b->d.digest, img->name, full,
				     strerror(errno));
		else
			posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	free(full);
	if (rc == DR_ENOTFOUND && img->kind == DR_SRC_TAR)
		rc = dr_fail(e, rc, "blob %s is missing in %s", b->d.digest, img->name);
	if (rc) {
		dr_blob_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int corrupt_size(struct dr_blob_stream *s, struct dr_err *e)
{
	return dr_fail(e, DR_EINVAL, "blob %s in %s is corrupt: read %s%lld bytes, expected %lld",
		       s->b->d.digest, s->img->name, s->off > s->b->d.size ? "more than " : "",
		       s->off, s->b->d.size);
}

static long raw_read(struct dr_blob_stream *s, void *buf, size_t n, struct dr_err *e)
{
	ssize_t r;

	if (s->tar)
		return dr_tar_stream_read(s->tar, buf, n, e);
	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return dr_fail(e, DR_EIO, "blob %s in %s: read failed: %s", s->b->d.digest,
			       s->img->name, strerror(errno));
	return (long)r;
}

long dr_blob_read(struct dr_blob_stream *s, void *buf, size_t n, struct dr_err *e)
{
	char got[DR_DIGEST_MAX];
	long r;

	if (s->verified)
		return 0;
	r = raw_read(s, buf, n, e);

	if (r < 0)
		return r;
	if (r > 0) {
		dr_hash_update(s->h, buf, (size_t)r);
		s->off += r;
		if (s->off > s->b->d.size)
			return corrupt_size(s, e);
		return r;
	}
	if (s->off != s->b->d.size)
		return corrupt_size(s, e);
	dr_hash_final(s->h, got);
	if (s->b->learn) {
		int rc = dr_daemon_learned(s->img, s->b, got, e);

		if (rc)
			return rc;
	} else if (strcmp(got, s->b->d.digest) != 0)
		return dr_fail(e, DR_EINVAL, "blob %s in %s is corrupt: read %s", s->b->d.digest,
			       s->img->name, got);
	s->verified = 1;
	return 0;
}

int dr_blob_skip_to(struct dr_blob_stream *s, long long offset, struct dr_err *e)
{
	char buf[16384];

	while (s->off < offset) {
		size_t want = offset - s->off < (long long)sizeof(buf) ? (size_t)(offset - s->off)
								       : sizeof(buf);
		long r = dr_blob_read(s, buf, want, e);

		if (r < 0)
			return (int)r;
		if (r == 0)
			return dr_fail(e, DR_EINVAL, "blob %s in %s is shorter than %lld bytes",
				       s->b->d.digest, s->img->name, offset);
	}
	return 0;
}

long long dr_blob_offset(const struct dr_blob_stream *s)
{
	return s->off;
}

void dr_blob_close(struct dr_blob_stream *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	dr_tar_stream_close(s->tar);
	dr_hash_free(s->h);
	free(s);
}
