#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dokku/scope.h"
#include "fixture.h"
#include "unit.h"

/* docker config dir -> app (NULL: the global entries) */
static const struct {
	const char *dir, *app;
} dirs[] = {
	{ "/var/lib/dokku/config/registry/web", "web" },
	{ "/var/lib/dokku/config/registry/web/", "web" },
	{ "/var/lib/dokku/config/registry/web//", "web" },
	{ "config/registry/web", "web" },
	{ "/other/root/config/registry/api-2.x", "api-2.x" },
	{ "/var/lib/dokku/config/registry/old_app", "old_app" }, /* Dokku's old naming rule */
	{ "/var/lib/dokku//config//registry//web", "web" },
	/* read as docker opens it: "." and ".." folded */
	{ "/var/lib/dokku/config/registry/./web", "web" },
	{ "/var/lib/dokku/config/./registry/web/.", "web" },
	{ "/var/lib/dokku/config/registry/api/../web", "web" },
	{ "/var/lib/dokku/config/x/y/../../registry/web", "web" },
	{ "./config/registry/web", "web" },
	{ "/var/lib/dokku/config/registry/web/..", NULL },
	{ "/var/lib/dokku/config/registry/web/sub/..", "web" },
	{ "/var/lib/dokku/config/registry/../registry/--global", NULL },
	{ "/var/lib/dokku/config/registry/..", NULL },
	{ "../registry/web", NULL },
	{ "..", NULL },
	{ ".", NULL },
	{ "/var/lib/dokku/config/registry/--global", NULL },
	{ "/var/lib/dokku/config/registry", NULL },
	{ "/var/lib/dokku/config/registry/", NULL },
	{ "/var/lib/dokku/config/registry/Web", NULL },
	{ "/var/lib/dokku/config/registry/.web", NULL },
	{ "/var/lib/dokku/config/registry/web/sub", NULL },
	{ "/var/lib/dokku/config/registrx/web", NULL },
	{ "/var/lib/dokku/configs/registry/web", NULL },
	{ "/var/lib/dokku/xconfig/registry/web", NULL },
	{ "/var/lib/dokku/config/myregistry/web", NULL },
	{ "registry/web", NULL },
	{ "/home/dokku/.docker", NULL },
	{ "", NULL },
	{ "/", NULL },
	{ "web", NULL },
};

START_TEST(test_from_dir)
{
	char *app = dr_scope_from_dir(dirs[_i].dir);

	if (!dirs[_i].app) {
		ck_assert_msg(app == NULL, "\"%s\" -> \"%s\"", dirs[_i].dir, app);
		return;
	}
	ck_assert_msg(app != NULL, "\"%s\" -> NULL", dirs[_i].dir);
	ck_assert_str_eq(app, dirs[_i].app);
	free(app);
}
END_TEST

/* The parent of the process running dr_scope_detect is not this test
 * binary: DOCKER_CONFIG decides. */
START_TEST(test_detect_env)
{
	char *app;

	ck_assert_ptr_null(dr_scope_detect());
	setenv("DOCKER_CONFIG", "", 1);
	ck_assert_ptr_null(dr_scope_detect());
	setenv("DOCKER_CONFIG", "/var/lib/dokku/config/registry/web", 1);
	app = dr_scope_detect();
	ck_assert_ptr_nonnull(app);
	ck_assert_str_eq(app, "web");
	free(app);
	setenv("DOCKER_CONFIG", "/home/dokku/.docker", 1);
	ck_assert_ptr_null(dr_scope_detect());
	unsetenv("DOCKER_CONFIG");
}
END_TEST

#define PY "/usr/bin/python3"
#define PY_WAIT "import sys; sys.stdin.read()"

/* Runs dr_scope_detect in a process whose parent's command line is
 * `docker -c <python code> ARGS…` (a real python3 named docker, waiting
 * on its stdin; `-c` is also docker's --context, which takes a value), with
 * the parent's working directory cwd. Returns what it detected, "(null)"
 * for NULL. */
static char *detect_under_docker(const char *const *args, const char *cwd)
{
	int result[2], hold[2], status;
	char buf[512];
	ssize_t n, got = 0;
	pid_t parent;

	ck_assert_int_eq(access(PY, X_OK), 0);
	ck_assert_int_eq(pipe(result), 0);
	ck_assert_int_eq(pipe(hold), 0);
	parent = fork();
	ck_assert_int_ge(parent, 0);
	if (parent == 0) {
		const char *argv[16] = { "docker", "-c", PY_WAIT };
		size_t i = 3;
		pid_t me = getpid(), child = fork();

		if (child < 0)
			_exit(2);
		if (child == 0) {
			char path[64], cmd[16];
			char *app;
			int fd;

			/* wait until the parent runs as "docker" */
			snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)me);
			for (int tries = 0; tries < 500; tries++) {
				fd = open(path, O_RDONLY);
				memset(cmd, 0, sizeof(cmd));
				if (fd >= 0) {
					if (read(fd, cmd, sizeof(cmd) - 1) < 0)
						cmd[0] = '\0';
					close(fd);
				}
				if (strcmp(cmd, "docker") == 0)
					break;
				usleep(10 * 1000);
			}
			app = dr_scope_detect();
			snprintf(buf, sizeof(buf), "%s", app ? app : "(null)");
			free(app);
			if (write(result[1], buf, strlen(buf)) < 0)
				_exit(3);
			_exit(0);
		}
		for (; *args && i < 15; args++)
			argv[i++] = *args;
		argv[i] = NULL;
		dup2(hold[0], 0);
		close(hold[0]);
		close(hold[1]);
		close(result[0]);
		close(result[1]);
		if (cwd && chdir(cwd) != 0)
			_exit(4);
		execv(PY, (char *const *)argv);
		_exit(5);
	}
	close(hold[0]);
	close(result[1]);
	for (;;) {
		n = read(result[0], buf + got, sizeof(buf) - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(result[0]);
	close(hold[1]); /* python reads EOF and exits */
	ck_assert_int_eq(waitpid(parent, &status, 0), parent);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	ck_assert_msg(got > 0, "no answer from the grandchild");
	return strdup(buf);
}

static void assert_detect(const char *const *args, const char *cwd, const char *want)
{
	char *got = detect_under_docker(args, cwd);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_detect_docker_config)
{
	static const char *const plain[] = { "--config", "/d/config/registry/web", "pull", "x", NULL };
	static const char *const eq[] = { "--config=/d/config/registry/api", "push", "y", NULL };
	static const char *const opts[] = { "-H", "unix:///run/docker.sock", "--log-level", "warn",
					    "--config", "/d/config/registry/web", "ps", NULL };
	static const char *const global[] = { "--config", "/home/dokku/.docker", "pull", NULL };
	static const char *const after[] = { "pull", "--config", "/d/config/registry/web", NULL };
	static const char *const last[] = { "--config", NULL };
	static const char *const none[] = { "login", "ghcr.io", NULL };

	assert_detect(plain, NULL, "web");
	assert_detect(eq, NULL, "api");
	assert_detect(opts, NULL, "web");
	/* --config wins over DOCKER_CONFIG, as in docker */
	setenv("DOCKER_CONFIG", "/d/config/registry/other", 1);
	assert_detect(plain, NULL, "web");
	assert_detect(global, NULL, "(null)");
	/* options after the subcommand are the subcommand's */
	assert_detect(after, NULL, "other");
	assert_detect(last, NULL, "other");
	assert_detect(none, NULL, "other");
	unsetenv("DOCKER_CONFIG");
	assert_detect(none, NULL, "(null)");
}
END_TEST

/* a relative --config is the parent's, so relative to its directory */
START_TEST(test_detect_relative)
{
	static const char *const rel[] = { "--config", "registry/web", "pull", NULL };
	static const char *const rel2[] = { "--config=./registry/api/", "pull", NULL };
	char cwd[256];

	unit_path(cwd, sizeof(cwd), "config");
	assert_detect(rel, cwd, "web");
	assert_detect(rel2, cwd, "api");
	/* from elsewhere the same words name no app dir */
	assert_detect(rel, unit_tmp, "(null)");
}
END_TEST

Suite *scope_suite(void)
{
	Suite *s = suite_create("scope");
	TCase *pure = tcase_create("dir");
	TCase *tc = tcase_create("detect");

	tcase_add_loop_test(pure, test_from_dir, 0, (int)(sizeof(dirs) / sizeof(dirs[0])));
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_detect_env);
	tcase_add_test(tc, test_detect_docker_config);
	tcase_add_test(tc, test_detect_relative);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
