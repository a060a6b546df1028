/* The app's own directory (own_dir.h), worked on through descriptors. */
#include "dokku/own_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "dokku/properties.h"

/* a setting is a short value; Dokku's properties stop reading at 64 KiB */
#define OWN_FILE_LIMIT (64 * 1024)
/* the directory holds files only: deeper trees are not ours to walk */
#define OWN_MAX_DEPTH 4

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* $DOKKU_LIB_ROOT/config/dokku-registry as a path, for messages */
static char *base_path(void)
{
	const char *props = dr_props_base(), *slash = strrchr(props, '/');
	char *path = NULL;

	if (!slash || asprintf(&path, "%.*s/%s", (int)(slash - props), props, DR_OWN_DIR_NAME) < 0)
		return NULL;
	return path;
}

/* name inside dir, made with exactly 0755 when missing and create is set */
static int open_sub(int dir, const char *name, int create)
{
	int fd = openat(dir, name, DIR_FLAGS);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	if (mkdirat(dir, name, 0755) != 0 && errno != EEXIST)
		return -1;
	fd = openat(dir, name, DIR_FLAGS);
	/* umask must not make it unreadable for Dokku */
	if (fd >= 0)
		fchmod(fd, 0755);
	return fd;
}

/* config/dokku-registry under the lib root, each step opened without
 * following a link (the lib root itself is root's, like /var/lib). -1 with
 * errno set (ENOENT: not there; ELOOP or ENOTDIR: a link or a file). */
static int open_base(int create)
{
	const char *props = dr_props_base();
	size_t n = strlen(props), tail = strlen("/config/registry");
	char root[PATH_MAX];
	int lib, config = -1, base = -1, err;

	if (n < tail || strcmp(props + n - tail, "/config/registry") != 0 || n - tail >= sizeof(root)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(root, sizeof(root), "%.*s", (int)(n - tail), props);
	lib = open(root[0] ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lib >= 0)
		config = open_sub(lib, "config", create);
	if (config >= 0)
		base = open_sub(config, DR_OWN_DIR_NAME, create);
	err = errno;
	if (lib >= 0)
		close(lib);
	if (config >= 0)
		close(config);
	errno = err;
	return base;
}

/* what ("cannot remove") of base/app[/name]; ELOOP and ENOTDIR mean a link
 * or a file where a directory belongs */
static int fail_at(struct dr_err *e, const char *what, const char *app, const char *name, int err)
{
	char *base = base_path();
	const char *shown = base ? base : DR_OWN_DIR_NAME;
	int rc;

	if (err == ELOOP || err == ENOTDIR)
		rc = dr_fail(e, DR_EINVAL, "%s %s/%s%s%s: it or a directory on its way is a symbolic "
			     "link or not a directory; left alone", what, shown, app, name ? "/" : "",
			     name ? name : "");
	else
		rc = dr_fail(e, DR_EIO, "%s %s/%s%s%s: %s", what, shown, app, name ? "/" : "",
			     name ? name : "", strerror(err));
	free(base);
	return rc;
}

static int check_name(const char *app, struct dr_err *e)
{
	if (!dr_app_name_valid(app))
		return dr_fail(e, DR_EINVAL, "invalid app name for %s/<app>", DR_OWN_DIR_NAME);
	return 0;
}

/* Removes name from dir: a directory with what it holds, anything else
 * (a link among them) as the name alone. */
static int remove_at(int dir, const char *app, const char *name, int depth, struct dr_err *e)
{
	struct dirent *ent;
	int fd = openat(dir, name, DIR_FLAGS), rc = 0;
	DIR *d;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if ((errno == ELOOP || errno == ENOTDIR) && unlinkat(dir, name, 0) == 0)
			return 0;
		return errno == ENOENT ? 0 : fail_at(e, "cannot remove", app, depth ? name : NULL, errno);
	}
	if (depth >= OWN_MAX_DEPTH) {
		close(fd);
		return fail_at(e, "cannot remove", app, name, ELOOP);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fail_at(e, "cannot remove", app, depth ? name : NULL, errno);
	}
	for (ent = readdir(d); rc == 0 && ent; ent = readdir(d)) {
		if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
			rc = remove_at(dirfd(d), app, ent->d_name, depth + 1, e);
	}
	closedir(d);
	if (rc == 0 && unlinkat(dir, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		rc = fail_at(e, "cannot remove", app, depth ? name : NULL, errno);
	return rc;
}

int dr_own_dir_remove(const char *app, struct dr_err *e)
{
	int base, rc;

	if (check_name(app, e))
		return DR_EINVAL;
	base = open_base(0);
	if (base < 0)
		return errno == ENOENT ? 0 : fail_at(e, "cannot remove", app, NULL, errno);
	rc = remove_at(base, app, app, 0, e);
	close(base);
	return rc;
}

/* Copies name from src (from's directory) to dst (to's) if it is a regular
 * file: looked at before it is opened (a device or FIFO is never opened)
 * and again once open (what was checked is what is read). Anything else
 * is named on stderr and left out. */
static int copy_at(int src, const char *from, int dst, const char *to, const char *name,
		   struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	struct stat st;
	int fd, rc;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : fail_at(e, "cannot read", from, name, errno);
	if (!S_ISREG(st.st_mode)) {
		if (!S_ISDIR(st.st_mode))
			dr_log_warn("%s/%s/%s is not a regular file: not copied", DR_OWN_DIR_NAME, from, name);
		return 0;
	}
	fd = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fail_at(e, "cannot read", from, name, errno);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dr_fail(e, DR_EIO, "%s/%s/%s changed while it was opened: not copied",
			       DR_OWN_DIR_NAME, from, name);
	}
	rc = dr_read_all(fd, OWN_FILE_LIMIT, &buf, e);
	close(fd);
	if (rc == 0) {
		/* a link named name in to's directory is replaced, not followed */
		if (dr_write_atomic_at(dst, name, buf.data, buf.len, 0600) != 0)
			rc = fail_at(e, "cannot write", to, name, errno);
	} else
		rc = dr_fail(e, rc, "cannot read %s/%s/%s: %s", DR_OWN_DIR_NAME, from, name,
			     e ? e->msg : "");
	dr_buf_wipe(&buf);
	return rc;
}

int dr_own_dir_copy(const char *from, const char *to, struct dr_err *e)
{
	struct dirent *ent;
	int base, src, dst, rc = 0;
	DIR *d;

	if (check_name(from, e) || check_name(to, e))
		return DR_EINVAL;
	base = open_base(0);
	if (base < 0)
		return errno == ENOENT ? 0 : fail_at(e, "cannot read", from, NULL, errno);
	src = openat(base, from, DIR_FLAGS);
	if (src < 0) {
		rc = errno == ENOENT ? 0 : fail_at(e, "cannot read", from, NULL, errno);
		close(base);
		return rc;
	}
	dst = open_sub(base, to, 1);
	if (dst < 0) {
		rc = fail_at(e, "cannot write", to, NULL, errno);
		close(src);
		close(base);
		return rc;
	}
	close(base);
	d = fdopendir(src);
	if (!d) {
		rc = fail_at(e, "cannot read", from, NULL, errno);
		close(src);
		close(dst);
		return rc;
	}
	for (ent = readdir(d); rc == 0 && ent; ent = readdir(d)) {
		if (ent->d_name[0] != '.' && dr_file_temp_base_len(ent->d_name) == 0)
			rc = copy_at(dirfd(d), from, dst, to, ent->d_name, e);
	}
	closedir(d);
	close(dst);
	return rc;
}

int dr_own_dir_move(const char *from, const char *to, struct dr_err *e)
{
	int rc = dr_own_dir_copy(from, to, e);

	return rc ? rc : dr_own_dir_remove(from, e);
}
