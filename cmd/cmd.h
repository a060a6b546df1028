/* dokku-registry's commands: one cmd_* per subcommand, dispatched from the
 * table in dokku-registry.c. Each takes the arguments after the command
 * name and returns the process exit status. */
#ifndef DR_CMD_H
#define DR_CMD_H

#include "../core/err.h"

int cmd_help(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_auth_status(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_push_image(int argc, char **argv);
/* `push --from SRC <app>`: the release push with the native pusher */
/* compress, level: --compress, --compress-level as typed (NULL: defaults) */
int cmd_push_native(const char *app, const char *src, int insecure, int jobs, int quiet,
		    const char *compress, const char *level);
int cmd_post_release_builder(int argc, char **argv);
int cmd_deployed_app_image_repo(int argc, char **argv);
int cmd_deployed_app_image_tag(int argc, char **argv);
int cmd_deployed_app_repository(int argc, char **argv);
int cmd_helpers_set(int argc, char **argv);
int cmd_helpers_unset(int argc, char **argv);
int cmd_helpers_report(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_post_create(int argc, char **argv);
int cmd_post_delete(int argc, char **argv);
int cmd_post_app_clone_setup(int argc, char **argv);
int cmd_post_app_rename_setup(int argc, char **argv);

/* pflag-like parsing: flags anywhere among the positional arguments,
 * `--flag`, `--flag=value`, `--flag value`, `--` ends flags. */
struct cmd_flag {
	const char *name;   /* without the leading -- */
	int *set;           /* boolean flag, or NULL */
	const char **value; /* flag with a value, or NULL */
	const char *usage;
};

/* Fills pos with the positional arguments (pos must hold argc entries).
 * Returns 0, or 2 after printing pflag's error and usage (as Dokku's
 * subcommands exit on a bad flag). */
int cmd_parse_flags(const char *cmd, int argc, char **argv, const struct cmd_flag *flags,
		    char **pos, int *npos);

/* ` !     <msg>` on stderr; returns 20 for a missing app, else 1. */
int cmd_fail(const struct dr_err *e);

/* The positional argument i, or "" */
const char *cmd_arg(char **pos, int npos, int i);

#endif
