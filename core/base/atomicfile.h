/* Whole-file reads with a size limit, and writes that never leave a torn
 * file: temp file in the same directory, fsync, rename, fsync the dir. */
#ifndef DR_ATOMICFILE_H
#define DR_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"

/* DR_ENOTFOUND when the file does not exist. */
int dr_file_read(const char *path, size_t limit, struct dr_buf *out, struct dr_err *e);
/* For a file in a place another user controls: a symbolic link as the last
 * component, a FIFO, socket or device is refused (DR_EINVAL: never
 * followed, never waited on), and so is a file not owned by owner
 * ((uid_t)-1: any owner). DR_ENOTFOUND when it does not exist. */
int dr_file_read_regular(const char *path, size_t limit, uid_t owner, struct dr_buf *out,
			 struct dr_err *e);
/* Old-or-new: readers see the whole old file or the whole new one. The temp
 * file, "<path>.tmpXXXXXX", is flock'ed by its writer until the rename;
 * unlocked ones (their writer was killed) are removed on the next write of
 * the same path. With SIGXFSZ ignored, a file-size limit is an error naming
 * it, not the death of the process. */
int dr_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct dr_err *e);
/* The same write to name in the directory dirfd, for a place another user
 * controls: a link named name is replaced, never followed, and the temp
 * file is created with O_EXCL | O_NOFOLLOW. 0, or -1 with errno set. */
int dr_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* The length of <base> when name is "<base>.tmpXXXXXX", the name of an
 * atomic writer's temp file; 0 for any other name. */
size_t dr_file_temp_base_len(const char *name);
/* Writes all len bytes of p to fd, through short writes and EINTR: 0, or -1
 * with errno set (EIO for a write that wrote nothing). */
int dr_write_all(int fd, const void *p, size_t len);
/* mkdir -p; the directories it creates get exactly mode (umask ignored) */
int dr_mkdir_p(const char *path, mode_t mode, struct dr_err *e);
/* rm -rf; a missing path is fine */
int dr_remove_tree(const char *path, struct dr_err *e);
int dr_is_dir(const char *path);
int dr_is_file(const char *path);

#endif
