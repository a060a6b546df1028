#include "fixture.h"

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "dokku/apps.h"
#include "dokku/properties.h"

char unit_tmp[64];
static char dokku[64];
static char dokku_root[96], dokku_lib[96];
static int saved_fd[3] = { -1, -1, -1 };
static char capture_file[2][128];

const char *unit_dokku_root(void)
{
	return dokku_root;
}

const char *unit_dokku_lib_root(void)
{
	return dokku_lib;
}

static void sub_dir(const char *name, const char *env, mode_t mode)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", unit_tmp, name);
	ck_assert_int_eq(mkdir(p, mode), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	if (env)
		setenv(env, p, 1);
}

void unit_world_setup(void)
{
	snprintf(unit_tmp, sizeof(unit_tmp), "/tmp/dr-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(unit_tmp));
	sub_dir("home", "HOME", 0755);
	sub_dir("config", "XDG_CONFIG_HOME", 0755);
	sub_dir("cache", "XDG_CACHE_HOME", 0755);
	sub_dir("run", "XDG_RUNTIME_DIR", 0700);
	unsetenv("DOCKER_CONFIG");
	unsetenv("DOKKU_QUIET_OUTPUT");

	/* the first test of a process picks the Dokku paths; later ones
	 * recreate the same (teardown removed them) */
	if (!dokku[0]) {
		snprintf(dokku, sizeof(dokku), "/tmp/dr-unit-dokku.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dokku));
		snprintf(dokku_root, sizeof(dokku_root), "%s/home", dokku);
		snprintf(dokku_lib, sizeof(dokku_lib), "%s/lib", dokku);
	} else {
		/* suites without this fixture may have written through core's
		 * cached paths (CK_FORK=no): start empty all the same */
		ck_assert_int_eq(dr_remove_tree(dokku, NULL), 0);
		ck_assert_msg(mkdir(dokku, 0700) == 0, "%s: %s", dokku, strerror(errno));
	}
	ck_assert_int_eq(mkdir(dokku_root, 0755), 0);
	ck_assert_int_eq(mkdir(dokku_lib, 0755), 0);
	setenv("DOKKU_ROOT", dokku_root, 1);
	setenv("DOKKU_LIB_ROOT", dokku_lib, 1);
	ck_assert_str_eq(dr_dokku_root(), dokku_root);
	{
		char base[160];

		snprintf(base, sizeof(base), "%s/config/registry", dokku_lib);
		ck_assert_str_eq(dr_props_base(), base);
	}
	/* any write through properties.c drops its read cache */
	ck_assert_int_eq(dr_props_destroy("unit-reset", NULL), 0);
}

void unit_world_teardown(void)
{
	for (int fd = 1; fd <= 2; fd++) {
		if (saved_fd[fd] >= 0)
			free(unit_capture_end(fd));
	}
	if (unit_tmp[0])
		dr_remove_tree(unit_tmp, NULL);
	if (dokku[0])
		dr_remove_tree(dokku, NULL);
}

const char *unit_path(char *out, size_t n, const char *rel)
{
	ck_assert_int_lt(snprintf(out, n, "%s/%s", unit_tmp, rel), (int)n);
	return out;
}

void unit_write(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

char *unit_read(const char *path, size_t *len)
{
	struct dr_buf buf = { 0 };
	char *copy;

	if (dr_file_read(path, 64 << 20, &buf, NULL) != 0)
		return NULL;
	copy = malloc(buf.len + 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf.data, buf.len + 1);
	if (len)
		*len = buf.len;
	dr_buf_wipe(&buf);
	return copy;
}

int unit_mode(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *unit_ls(const char *dir)
{
	char *names[256], *out;
	size_t n = 0, total = 1;
	struct dirent *ent;
	DIR *d = opendir(dir);

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	for (ent = readdir(d); ent && n < 256; ent = readdir(d)) {
		if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..")) {
			names[n] = strdup(ent->d_name);
			total += strlen(ent->d_name) + 1;
			n++;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(char *), by_name);
	out = calloc(1, total);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, names[i]);
		free(names[i]);
	}
	return out;
}

void unit_capture_begin(int fd)
{
	int out;

	ck_assert(fd == 1 || fd == 2);
	ck_assert_int_eq(saved_fd[fd], -1);
	snprintf(capture_file[fd - 1], sizeof(capture_file[0]), "%s/fd%d.out", unit_tmp, fd);
	fflush(stdout);
	fflush(stderr);
	saved_fd[fd] = dup(fd);
	out = open(capture_file[fd - 1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(out, 0);
	ck_assert_int_eq(dup2(out, fd), fd);
	close(out);
}

char *unit_capture_end(int fd)
{
	char *text;

	fflush(stdout);
	fflush(stderr);
	dup2(saved_fd[fd], fd);
	close(saved_fd[fd]);
	saved_fd[fd] = -1;
	text = unit_read(capture_file[fd - 1], NULL);
	ck_assert_ptr_nonnull(text);
	return text;
}

void unit_write_tar(const char *path, const struct unit_tar_entry *ents, size_t n, int gzip)
{
	struct archive *a = archive_write_new();

	ck_assert_ptr_nonnull(a);
	archive_write_set_format_pax_restricted(a);
	if (gzip)
		ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		int has_data = !ents[i].symlink && !ents[i].hardlink && !ents[i].dir;

		archive_entry_set_pathname(ae, ents[i].name);
		archive_entry_set_perm(ae, ents[i].dir ? 0755 : 0644);
		if (ents[i].symlink) {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, ents[i].symlink);
		} else if (ents[i].hardlink) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, ents[i].hardlink);
		} else {
			archive_entry_set_filetype(ae, ents[i].dir ? AE_IFDIR : AE_IFREG);
		}
		archive_entry_set_size(ae, has_data ? (la_int64_t)ents[i].len : 0);
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (has_data && ents[i].len)
			ck_assert_int_eq(archive_write_data(a, ents[i].data, ents[i].len),
					 (la_ssize_t)ents[i].len);
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}
