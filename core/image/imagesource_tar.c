/* Tar files through libarchive (imagesource_int.h): entries found by
 * name (with "./" prefixes, symlinks and hard links resolved), read whole
 * when small or streamed. Every lookup scans headers only; libarchive
 * seeks over the data of other entries in an uncompressed tar. */
#include "image/imagesource_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (64 * 1024)
#define MAX_LINKS 8
#define NAME_MAX_LEN 4096

struct dr_tar_stream {
	struct archive *a;
	int borrowed; /* the archive is someone else's */
};

static struct archive *open_tar(const char *path, struct dr_err *e)
{
	struct archive *a = archive_read_new();

	if (!a) {
		dr_oom(e);
		return NULL;
	}
	archive_read_support_format_tar(a);
	/* `docker save | gzip` and friends */
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, path, BLOCK) != ARCHIVE_OK) {
		dr_fail(e, DR_EIO, "cannot open %s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Entry names compare without "./" and leading slashes. */
static const char *norm(const char *name)
{
	for (;;) {
		if (name[0] == '.' && name[1] == '/')
			name += 2;
		else if (name[0] == '/')
			name++;
		else
			return name;
	}
}

/* dir(of)/target with "." and ".." folded, into out. -1 if it leaves the tar. */
static int resolve(const char *of, const char *target, char *out, size_t n)
{
	char tmp[NAME_MAX_LEN], *save = NULL;
	const char *slash = strrchr(of, '/');
	size_t o = 0;

	if (target[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", target);
	else if (snprintf(tmp, sizeof(tmp), "%.*s%s%s", slash ? (int)(slash - of) : 0, of,
			  slash ? "/" : "", target) >= (int)sizeof(tmp))
		return -1;
	out[0] = '\0';
	for (char *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *up = strrchr(out, '/');

			if (o == 0)
				return -1;
			o = up ? (size_t)(up - out) : 0;
			out[o] = '\0';
			continue;
		}
		if (o + strlen(c) + 2 > n)
			return -1;
		o += (size_t)sprintf(out + o, "%s%s", o ? "/" : "", c);
	}
	return o ? 0 : -1;
}

/* Positions a at the data of name. DR_ENOTFOUND when absent. */
static int seek_entry(const char *path, const char *name, struct archive **out,
		      long long *size, struct dr_err *e)
{
	char want[NAME_MAX_LEN];
	struct archive_entry *ent;

	snprintf(want, sizeof(want), "%s", norm(name));
	for (int hop = 0; hop <= MAX_LINKS; hop++) {
		struct archive *a = open_tar(path, e);
		const char *link = NULL;
		int r, found = 0;

		if (!a)
			return DR_EIO;
		for (;;) {
			r = archive_read_next_header(a, &ent);
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
				break;
			found = strcmp(norm(archive_entry_pathname(ent)), want) == 0;
			if (found)
				break;
		}
		if (!found) {
			int rc = r == ARCHIVE_EOF
				 ? dr_fail(e, DR_ENOTFOUND, "%s has no %s", path, want)
				 : dr_fail(e, DR_EIO, "cannot read %s: %s", path, archive_error_string(a));

			archive_read_free(a);
			return rc;
		}
		if (archive_entry_hardlink(ent))
			link = norm(archive_entry_hardlink(ent));
		else if (archive_entry_filetype(ent) == AE_IFLNK)
			link = archive_entry_symlink(ent);
		if (!link && archive_entry_filetype(ent) != AE_IFREG) {
			archive_read_free(a);
			return dr_fail(e, DR_EINVAL, "%s in %s is not a file", want, path);
		}
		if (!link) {
			*out = a;
			*size = archive_entry_size(ent);
			return 0;
		}
		{
			char next[NAME_MAX_LEN];
			/* hard links name the target from the root, symlinks relatively */
			int bad = archive_entry_hardlink(ent)
				  ? snprintf(next, sizeof(next), "%s", link) >= (int)sizeof(next)
				  : resolve(want, link, next, sizeof(next)) != 0;

			archive_read_free(a);
			if (bad)
				return dr_fail(e, DR_EINVAL, "%s in %s links outside the archive", want, path);
			memcpy(want, next, sizeof(want));
		}
	}
	return dr_fail(e, DR_EINVAL, "too many links for %s in %s", name, path);
}

int dr_tar_read(const char *tar, const char *name, size_t limit, struct dr_buf *out,
		struct dr_err *e)
{
	struct dr_tar_stream *s;
	long long size;
	long n = 0;
	int rc = dr_tar_stream_open(tar, name, &s, &size, e);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	if (size < 0 || (unsigned long long)size > limit) {
		dr_tar_stream_close(s);
		return dr_fail(e, DR_ETOOBIG, "%s in %s is over %zu bytes", name, tar, limit);
	}
	out->data = malloc((size_t)size + 1);
	if (!out->data) {
		dr_tar_stream_close(s);
		return dr_oom(e);
	}
	out->cap = (size_t)size + 1;
	while (out->len < (size_t)size) {
		n = dr_tar_stream_read(s, out->data + out->len, (size_t)size - out->len, e);
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	dr_tar_stream_close(s);
	if (out->len != (size_t)size) {
		dr_buf_wipe(out);
		return n < 0 ? DR_EIO : dr_fail(e, DR_EIO, "%s in %s is truncated", name, tar);
	}
	return 0;
}

int dr_tar_has(const char *tar, const char *name)
{
	struct dr_tar_stream *s;
	long long size;

	if (dr_tar_stream_open(tar, name, &s, &size, NULL) != 0)
		return 0;
	dr_tar_stream_close(s);
	return 1;
}

int dr_tar_stream_open(const char *tar, const char *name, struct dr_tar_stream **out,
		       long long *size, struct dr_err *e)
{
	struct archive *a = NULL;
	int rc = seek_entry(tar, name, &a, size, e);

	*out = NULL;
	if (rc)
		return rc;
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		archive_read_free(a);
		return dr_oom(e);
	}
	(*out)->a = a;
	return 0;
}

long dr_tar_stream_read(struct dr_tar_stream *s, void *buf, size_t n, struct dr_err *e)
{
	la_ssize_t r = archive_read_data(s->a, buf, n);

	if (r < 0)
		return dr_fail(e, DR_EIO, "cannot read the archive: %s", archive_error_string(s->a));
	return (long)r;
}

struct dr_tar_stream *dr_tar_stream_borrow(struct archive *a)
{
	struct dr_tar_stream *s = calloc(1, sizeof(*s));

	if (s) {
		s->a = a;
		s->borrowed = 1;
	}
	return s;
}

void dr_tar_stream_close(struct dr_tar_stream *s)
{
	if (!s)
		return;
	if (!s->borrowed)
		archive_read_free(s->a);
	free(s);
}
