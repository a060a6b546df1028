/* A per-user advisory lock that serialises the helper's read-modify-write
 * operations (store, erase) so concurrent callers never lose or duplicate
 * items. */
#ifndef DR_LOCKFILE_H
#define DR_LOCKFILE_H

#include <stdint.h>

#include "base/err.h"

/* Waits until deadline_us (g_get_monotonic_time clock); returns the held
 * descriptor in *fd. */
int dr_lock_acquire(int *fd, int64_t deadline_us, struct dr_err *e);
void dr_lock_release(int fd);

#endif
