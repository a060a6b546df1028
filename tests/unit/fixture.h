/* A private world for each Check test: a fresh temp dir holding HOME, the
 * XDG directories and Dokku's roots, so tests touch real files and never the
 * machine's. Used as a checked fixture (unit_world_setup/teardown). */
#ifndef DR_UNIT_FIXTURE_H
#define DR_UNIT_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

/* The test's own directory; HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and
 * XDG_RUNTIME_DIR (0700) are under it. */
extern char unit_tmp[64];

/* DOKKU_ROOT and DOKKU_LIB_ROOT, empty and 0755 at the start of each test.
 * core caches both paths for the life of the process, so they stay the same
 * within one process (CK_FORK=no) and only their contents are reset. */
const char *unit_dokku_root(void);
const char *unit_dokku_lib_root(void);

void unit_world_setup(void);
void unit_world_teardown(void);

/* unit_tmp/rel into out */
const char *unit_path(char *out, size_t n, const char *rel);
/* Writes an absolute path (parents must exist) with exactly mode. */
void unit_write(const char *path, const void *data, size_t len, mode_t mode);
/* The whole file, malloc'd and NUL-terminated; NULL when it is missing. */
char *unit_read(const char *path, size_t *len);
/* st_mode & 07777, or -1 when missing */
int unit_mode(const char *path);
/* Names in dir (not . and ..), sorted and joined with spaces, malloc'd. */
char *unit_ls(const char *dir);

/* One entry of a tar made with libarchive: a file (data, len), or a
 * symlink, a hard link or a directory. */
struct unit_tar_entry {
	const char *name;
	const void *data;
	size_t len;
	const char *symlink;
	const char *hardlink;
	int dir;
};
#define UNIT_TAR_FILE(n, d, l) { .name = (n), .data = (d), .len = (l) }
#define UNIT_TAR_SYMLINK(n, t) { .name = (n), .symlink = (t) }
#define UNIT_TAR_HARDLINK(n, t) { .name = (n), .hardlink = (t) }
#define UNIT_TAR_DIR(n) { .name = (n), .dir = 1 }
/* pax tar, gzip'd when gzip is set */
void unit_write_tar(const char *path, const struct unit_tar_entry *ents, size_t n, int gzip);

/* Sends fd 1 or 2 into a file until unit_capture_end, which returns what
 * was written (malloc'd). */
void unit_capture_begin(int fd);
char *unit_capture_end(int fd);

#endif
