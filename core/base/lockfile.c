#include "base/lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void lock_path(char *buf, size_t n)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (rt && rt[0] == '/' && stat(rt, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == getuid())
		snprintf(buf, n, "%s/docker-credential-dokku.lock", rt);
	else
		snprintf(buf, n, "/tmp/docker-credential-dokku-%u.lock", (unsigned)getuid());
}

int dr_lock_acquire(int *fd, int64_t deadline_us, struct dr_err *e)
{
	struct timespec pause = { 0, 2 * 1000 * 1000 };
	char path[4096];
	struct stat st;
	int lfd;

	*fd = -1;
	lock_path(path, sizeof(path));
	lfd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0)
		return dr_fail(e, DR_EIO, "cannot open lock file %s: %s", path, strerror(errno));
	if (fstat(lfd, &st) != 0 || st.st_uid != getuid() || !S_ISREG(st.st_mode)) {
		close(lfd);
		return dr_fail(e, DR_EIO, "lock file %s is not a regular file of this user", path);
	}
	while (flock(lfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;

			close(lfd);
			return dr_fail(e, DR_EIO, "cannot lock %s: %s", path, strerror(err));
		}
		if (g_get_monotonic_time() >= deadline_us) {
			close(lfd);
			return dr_fail(e, DR_ETIMEOUT,
				       "another docker-credential-dokku kept %s locked until the timeout",
				       path);
		}
		nanosleep(&pause, NULL);
	}
	*fd = lfd;
	return 0;
}

void dr_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
