/* A growable byte buffer for anything that may hold a secret (a password
 * read from stdin, a response body with a token, a child's output).
 *
 * Every dr_buf wipes: whenever its storage moves (growing copies into a new
 * block, never realloc) and when it is freed, the old block is overwritten
 * with zeros (explicit_bzero) before it goes back to malloc. There is no
 * non-wiping variant: buffers are short-lived and wiping costs a memset, so
 * one kind is simpler than deciding per buffer which may see a secret.
 *
 * A zeroed struct (`struct dr_buf b = { 0 }` or DR_BUF_INIT) is an empty
 * buffer without limit; dr_buf_init sets a limit. data is NULL until the
 * first byte is reserved, and NUL-terminated after that (so text can be
 * read as a C string; the bytes themselves may contain NULs).
 *
 * Errors follow core/base/err.h: DR_ETOOBIG when an append or reserve would
 * take len past limit (the message says "more than <limit> bytes"; callers
 * that word it their own way check the code and read b->limit), and
 * dr_oom() when malloc fails. On any error the buffer is unchanged. */
#ifndef DR_BUF_H
#define DR_BUF_H

#include <stddef.h>

#include "base/err.h"

struct dr_buf {
	char *data;   /* NULL, or cap bytes holding len bytes and a NUL */
	size_t len;
	size_t cap;
	size_t limit; /* most bytes len may reach; 0: no limit */
};

#define DR_BUF_INIT { NULL, 0, 0, 0 }

/* An empty buffer that holds at most limit bytes (0: no limit). */
void dr_buf_init(struct dr_buf *b, size_t limit);

/* Room for n more bytes and the NUL without moving again. The first block
 * is 4096 bytes, then doubled; never more than limit + 1 when there is a
 * limit. */
int dr_buf_reserve(struct dr_buf *b, size_t n, struct dr_err *e);

/* Appends n bytes (p may be NULL when n is 0), or the string s. */
int dr_buf_append(struct dr_buf *b, const void *p, size_t n, struct dr_err *e);
int dr_buf_append_str(struct dr_buf *b, const char *s, struct dr_err *e);

/* Hands over the storage, NUL-terminated ("" when empty), and leaves b
 * empty (limit kept). *len gets the length when len is not NULL. Free the
 * result with dr_wipe_free (base/secmem.h). NULL when out of memory. */
char *dr_buf_detach(struct dr_buf *b, size_t *len);

/* Wipes the content and makes b empty, keeping its storage and limit. */
void dr_buf_reset(struct dr_buf *b);

/* Wipes and frees the storage; b is empty again (limit kept), ready for
 * reuse. Safe on an empty or already wiped buffer. */
void dr_buf_wipe(struct dr_buf *b);

/* Reads fd to EOF, appending to buf. More than `limit` bytes is DR_ETOOBIG;
 * memory stays bounded by the limit. */
int dr_read_all(int fd, size_t limit, struct dr_buf *buf, struct dr_err *e);

#endif
