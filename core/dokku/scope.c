#include "dokku/scope.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "dokku/properties.h"

#define CMDLINE_LIMIT (64 * 1024)

/* The component of s[0..*n) that ends before *n, read as Go's
 * filepath.Clean would leave it: "." skipped, a component undone by a
 * later ".." skipped. *n moves to its start; 0 when none is left. */
static int prev_component(const char *s, size_t *n, size_t *start, size_t *len)
{
	unsigned undo = 0;

	for (;;) {
		size_t end = *n, at;

		while (end > 0 && s[end - 1] == '/')
			end--;
		at = end;
		while (at > 0 && s[at - 1] != '/')
			at--;
		*n = at;
		if (at == end)
			return 0;
		if (end - at == 1 && s[at] == '.')
			continue;
		if (end - at == 2 && s[at] == '.' && s[at + 1] == '.') {
			undo++;
			continue;
		}
		if (undo > 0) {
			undo--;
			continue;
		}
		*start = at;
		*len = end - at;
		return 1;
	}
}

char *dr_scope_from_dir(const char *dir)
{
	size_t n = strlen(dir), app_at, app_len, reg_at, reg_len, cfg_at, cfg_len;
	char *app;

	if (!prev_component(dir, &n, &app_at, &app_len) ||
	    !prev_component(dir, &n, &reg_at, &reg_len) ||
	    !prev_component(dir, &n, &cfg_at, &cfg_len) || reg_len != 8 ||
	    strncmp(dir + reg_at, "registry", 8) != 0 || cfg_len != 6 ||
	    strncmp(dir + cfg_at, "config", 6) != 0)
		return NULL;
	app = strndup(dir + app_at, app_len);
	if (app && (!dr_app_name_valid(app) || strcmp(app, DR_GLOBAL) == 0)) {
		free(app);
		return NULL;
	}
	return app;
}

/* docker's global options that take a value as the next argument */
static int takes_value(const char *opt)
{
	static const char *const opts[] = {
		"-c", "--context", "-H", "--host", "-l", "--log-level",
		"--tlscacert", "--tlscert", "--tlskey", NULL,
	};

	for (size_t i = 0; opts[i]; i++) {
		if (strcmp(opt, opts[i]) == 0)
			return 1;
	}
	return 0;
}

/* `docker [global options] --config DIR …` of the parent process; only the
 * options before the subcommand count (later ones belong to it). */
static char *parent_docker_config(void)
{
	char path[64], cwd[PATH_MAX], *dir = NULL;
	struct dr_buf buf = { 0 };
	const char *argv0, *slash;
	pid_t ppid = getppid();
	ssize_t cwd_len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)ppid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (dr_read_all(fd, CMDLINE_LIMIT, &buf, NULL) != 0 || buf.len == 0) {
		close(fd);
		dr_buf_wipe(&buf);
		return NULL;
	}
	close(fd);
	argv0 = buf.data;
	slash = strrchr(argv0, '/');
	if (strcmp(slash ? slash + 1 : argv0, "docker") == 0) {
		for (size_t off = strlen(argv0) + 1; off < buf.len && !dir;) {
			const char *arg = buf.data + off;
			size_t len = strlen(arg);

			if (arg[0] != '-')
				break; /* the subcommand */
			if (strcmp(arg, "--config") == 0 && off + len + 1 < buf.len)
				dir = strdup(arg + len + 1);
			else if (strncmp(arg, "--config=", 9) == 0)
				dir = strdup(arg + 9);
			else if (takes_value(arg))
				off += strlen(arg + len + 1) + 1;
			off += len + 1;
		}
	}
	dr_buf_wipe(&buf);
	if (!dir || dir[0] == '/')
		return dir;
	/* relative to the parent's working directory */
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)ppid);
	cwd_len = readlink(path, cwd, sizeof(cwd) - 1);
	if (cwd_len > 0) {
		char *abs;

		cwd[cwd_len] = '\0';
		if (asprintf(&abs, "%s/%s", cwd, dir) >= 0) {
			free(dir);
			return abs;
		}
	}
	free(dir);
	return NULL;
}

char *dr_scope_detect(void)
{
	const char *env = getenv("DOCKER_CONFIG");
	char *dir, *app;

	/* as in docker itself, --config wins over an inherited DOCKER_CONFIG */
	dir = parent_docker_config();
	if (dir) {
		app = dr_scope_from_dir(dir);
		free(dir);
		return app;
	}
	if (env && env[0])
		return dr_scope_from_dir(env);
	return NULL;
}
