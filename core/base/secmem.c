#include "base/secmem.h"

#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void (*release_hook)(void *p, size_t wiped);

void dr_secmem_set_release(void (*release)(void *p, size_t wiped))
{
	release_hook = release;
}

static void release(void *p, size_t wiped)
{
	if (release_hook)
		release_hook(p, wiped);
	else
		free(p);
}

void dr_wipe_free(void *p)
{
	size_t n;

	if (!p)
		return;
	n = malloc_usable_size(p);
	explicit_bzero(p, n);
	release(p, n);
}

void dr_str_wipe_free(char *s)
{
	dr_wipe_free(s);
}

void dr_wipe_release(void *p, size_t n)
{
	explicit_bzero(p, n);
	release(p, n);
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

static void *jansson_malloc(size_t n)
{
	return malloc(n);
}

void dr_secmem_hook_jansson(void)
{
	json_set_alloc_funcs(jansson_malloc, dr_wipe_free);
}

void dr_secmem_no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
