#include "base/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/secmem.h"

#define FIRST_BLOCK 4096

void dr_buf_init(struct dr_buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
}

static int too_big(const struct dr_buf *b, struct dr_err *e)
{
	return dr_fail(e, DR_ETOOBIG, "more than %zu bytes", b->limit);
}

int dr_buf_reserve(struct dr_buf *b, size_t n, struct dr_err *e)
{
	size_t need, ncap;
	char *grown;

	if (b->limit && (b->len > b->limit || n > b->limit - b->len))
		return too_big(b, e);
	if (n > (size_t)-1 - 1 - b->len)
		return dr_oom(e);
	need = b->len + n + 1;
	if (b->data && need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : FIRST_BLOCK;
	while (ncap < need)
		ncap = ncap > (size_t)-1 / 2 ? need : ncap * 2;
	/* a limited buffer never holds more than limit bytes and the NUL */
	if (b->limit && ncap > b->limit + 1 && b->limit + 1 > b->limit)
		ncap = b->limit + 1;
	grown = malloc(ncap);
	if (!grown)
		return dr_oom(e);
	/* copy and wipe rather than realloc, which may leave the old block
	 * behind unwiped */
	if (b->data) {
		memcpy(grown, b->data, b->len + 1);
		dr_wipe_release(b->data, b->cap);
	} else {
		grown[0] = '\0';
	}
	b->data = grown;
	b->cap = ncap;
	return 0;
}

int dr_buf_append(struct dr_buf *b, const void *p, size_t n, struct dr_err *e)
{
	int rc = dr_buf_reserve(b, n, e);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int dr_buf_append_str(struct dr_buf *b, const char *s, struct dr_err *e)
{
	return dr_buf_append(b, s, strlen(s), e);
}

char *dr_buf_detach(struct dr_buf *b, size_t *len)
{
	char *data;

	if (!b->data && dr_buf_reserve(b, 0, NULL))
		return NULL;
	data = b->data;
	if (len)
		*len = b->len;
	dr_buf_init(b, b->limit);
	return data;
}

void dr_buf_reset(struct dr_buf *b)
{
	if (b->data) {
		explicit_bzero(b->data, b->cap);
		b->data[0] = '\0';
	}
	b->len = 0;
}

void dr_buf_wipe(struct dr_buf *b)
{
	if (b->data)
		dr_wipe_release(b->data, b->cap);
	dr_buf_init(b, b->limit);
}

int dr_read_all(int fd, size_t limit, struct dr_buf *buf, struct dr_err *e)
{
	int rc = dr_buf_reserve(buf, 0, e);

	if (rc)
		return rc;
	for (;;) {
		ssize_t n;
		size_t room;

		if (buf->len == buf->cap - 1) {
			size_t want = buf->cap * 2;

			/* read one byte past the limit to tell "at" from "over" */
			if (want > limit + 1)
				want = limit + 1;
			if (want <= buf->len)
				return dr_fail(e, DR_ETOOBIG,
					       "input too large: over %zu bytes", limit);
			rc = dr_buf_reserve(buf, want - buf->len, e);
			if (rc)
				return rc;
		}
		room = buf->cap - 1 - buf->len;
		n = read(fd, buf->data + buf->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dr_fail(e, DR_EIO, "cannot read input: %s", strerror(errno));
		if (n == 0)
			break;
		buf->len += (size_t)n;
		buf->data[buf->len] = '\0';
		if (buf->len > limit)
			return dr_fail(e, DR_ETOOBIG, "input too large: over %zu bytes", limit);
	}
	return 0;
}
