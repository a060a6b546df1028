#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dr_file_read(const char *path, size_t limit, struct dr_buf *out, struct dr_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return dr_fail(e, DR_ENOTFOUND, "%s does not exist", path);
		return dr_fail(e, DR_EIO, "cannot read %s: %s", path, strerror(errno));
	}
	rc = dr_read_all(fd, limit, out, e);
	close(fd);
	if (rc) {
		dr_buf_wipe(out); /* a failed read hands nothing back (and leaks nothing) */
		return dr_fail(e, rc, "cannot read %s: %s", path, e ? e->msg : "");
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int dr_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct dr_err *e)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	int fd, err = 0;

	if (!tmp)
		return dr_fail(e, DR_EIO, "out of memory");
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		int saved = errno;

		free(tmp);
		return dr_fail(e, DR_EIO, "cannot write %s: %s", path, strerror(saved));
	}
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err) {
		unlink(tmp);
		free(tmp);
		return dr_fail(e, DR_EIO, "cannot write %s: %s", path, strerror(err));
	}
	free(tmp);
	fsync_dir(path);
	return 0;
}

int dr_mkdir_p(const char *path, mode_t mode, struct dr_err *e)
{
	char *p = strdup(path);

	if (!p)
		return dr_fail(e, DR_EIO, "out of memory");
	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) == 0) {
			chmod(p, mode); /* the mode asked for, whatever the umask */
		} else if (errno != EEXIST) {
			int saved = errno;

			free(p);
			return dr_fail(e, DR_EIO, "cannot create %s: %s", path, strerror(saved));
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	if (!dr_is_dir(path))
		return dr_fail(e, DR_EIO, "%s exists and is not a directory", path);
	return 0;
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) != 0 && errno != ENOENT ? -1 : 0;
}

int dr_remove_tree(const char *path, struct dr_err *e)
{
	if (access(path, F_OK) != 0)
		return 0;
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return dr_fail(e, DR_EIO, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int dr_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int dr_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
