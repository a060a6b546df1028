#include "base/atomicfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
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

int dr_file_read_regular(const char *path, size_t limit, uid_t owner, struct dr_buf *out,
			 struct dr_err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return dr_fail(e, DR_ENOTFOUND, "%s does not exist", path);
		if (errno == ELOOP)
			return dr_fail(e, DR_EINVAL, "%s is a symbolic link, not a file: remove it", path);
		return dr_fail(e, DR_EIO, "cannot read %s: %s", path, strerror(errno));
	}
	/* not before the open: what was checked is what is read */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dr_fail(e, DR_EINVAL, "%s is not a regular file (a FIFO, socket or device?): remove it",
			       path);
	}
	if (owner != (uid_t)-1 && st.st_uid != owner) {
		close(fd);
		return dr_fail(e, DR_EINVAL, "%s belongs to uid %u, not %u: give it to %u or remove it", path,
			       (unsigned)st.st_uid, (unsigned)owner, (unsigned)owner);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	rc = dr_read_all(fd, limit, out, e);
	close(fd);
	if (rc) {
		dr_buf_wipe(out);
		return dr_fail(e, rc, "cannot read %s: %s", path, e ? e->msg : "");
	}
	return 0;
}

int dr_write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len > 0) {
		ssize_t n = write(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

size_t dr_file_temp_base_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name || strncmp(dot, ".tmp", 4) != 0 || strlen(dot + 4) != 6)
		return 0;
	for (const char *x = dot + 4; *x; x++) {
		if (!isalnum((unsigned char)*x))
			return 0;
	}
	return (size_t)(dot - name);
}

/* A writer holds an flock on its temp file from creation to rename, so a
 * temp file nobody holds belongs to a writer that died (kill -9, power
 * loss). Removed only if the name still names the inode we locked; a live
 * writer that loses its file in the instant before its own flock sees that
 * (no links left) and starts over. */
static void remove_if_abandoned(int dirfd, const char *name)
{
	struct stat held, now;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && held.st_uid == geteuid() &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == held.st_dev &&
	    now.st_ino == held.st_ino)
		unlinkat(dirfd, name, 0);
	close(fd);
}

/* Clears what earlier writers of name in dirfd left when they were killed. */
static void remove_stale_temps(int dirfd, const char *name)
{
	size_t len = strlen(name);
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (de = readdir(d); de; de = readdir(d)) {
		if (dr_file_temp_base_len(de->d_name) == len && strncmp(de->d_name, name, len) == 0)
			remove_if_abandoned(dirfd, de->d_name);
	}
	closedir(d);
}

/* "<name>.tmpXXXXXX" with six random letters or digits */
static int temp_name(char *out, size_t n, const char *name)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	int len;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	len = snprintf(out, n, "%s.tmp%c%c%c%c%c%c", name, alnum[r[0] % 62], alnum[r[1] % 62],
		       alnum[r[2] % 62], alnum[r[3] % 62], alnum[r[4] % 62], alnum[r[5] % 62]);
	if (len < 0 || (size_t)len >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* A new temp file for name in dirfd (never through a link), created and
 * locked (see remove_if_abandoned). */
static int open_temp(int dirfd, const char *name, char *tmp, size_t n)
{
	for (int tries = 0; tries < 10; tries++) {
		struct stat st;
		int fd;

		if (temp_name(tmp, n, name) != 0)
			return -1;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	errno = EEXIST;
	return -1;
}

int dr_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, err = 0;

	remove_stale_temps(dirfd, name);
	fd = open_temp(dirfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) != 0 || dr_write_all(fd, data ? data : "", len) != 0 || fsync(fd) != 0)
		err = errno;
	/* renamed while still locked: no cleaner ever sees it unowned */
	if (!err && renameat(dirfd, tmp, dirfd, name) != 0)
		err = errno;
	if (err)
		unlinkat(dirfd, tmp, 0);
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	fsync(dirfd);
	return 0;
}

static const char *write_error_text(int err)
{
	if (err == EFBIG)
		return "File too large (over the file size limit, ulimit -f)";
	return strerror(err);
}

int dr_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct dr_err *e)
{
	char *dcopy = strdup(path), *bcopy = strdup(path);
	int dirfd = -1, rc = -1, err = ENOMEM;

	if (dcopy && bcopy) {
		dirfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd >= 0)
			rc = dr_write_atomic_at(dirfd, basename(bcopy), data, len, mode);
		err = errno;
	}
	if (dirfd >= 0)
		close(dirfd);
	free(dcopy);
	free(bcopy);
	if (!dcopy || !bcopy)
		return dr_oom(e);
	if (rc != 0)
		return dr_fail(e, DR_EIO, "cannot write %s: %s", path, write_error_text(err));
	return 0;
}

int dr_mkdir_p(const char *path, mode_t mode, struct dr_err *e)
{
	char *p = strdup(path);

	if (!p)
		return dr_oom(e);
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
