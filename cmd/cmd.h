/* dokku-registry's commands: one cmd_* per subcommand, dispatched from the
 * table in dokku-registry.c. Each takes the arguments after the command
 * name and returns the process exit status. */
#ifndef DR_CMD_H
#define DR_CMD_H

#include "base/err.h"
#include "base/pflag.h"

int cmd_help(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_auth_status(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_unmigrate(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_push_image(int argc, char **argv);
int cmd_push_engine(int argc, char **argv);
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
int cmd_k8s_pull_secret(int argc, char **argv);
int cmd_k8s_sync(int argc, char **argv);
int cmd_scheduler_post_delete(int argc, char **argv);
int cmd_post_create(int argc, char **argv);
int cmd_post_delete(int argc, char **argv);
int cmd_post_app_clone_setup(int argc, char **argv);
int cmd_post_app_rename_setup(int argc, char **argv);
int cmd_backup_app_export(int argc, char **argv);
int cmd_backup_app_import(int argc, char **argv);
int cmd_backup_global_export(int argc, char **argv);
int cmd_backup_global_import(int argc, char **argv);

/* Dokku's subcommands parse with spf13/pflag (core/pflag.h): flags
 * anywhere among the positional arguments. Fills pos (argc + 1 entries)
 * and returns 0; or prints pflag's usage (and error) on stderr and returns
 * 1 with *exit_code set: 2 for a bad flag, 0 for -h/--help. */
int cmd_parse_flags(const char *cmd, int argc, char **argv, struct dr_pflag *flags,
		    size_t nflags, char **pos, int *npos, int *exit_code);
#define CMD_NFLAGS(a) (sizeof(a) / sizeof((a)[0]))

/* ` !     <msg>` on stderr; returns 20 for a missing app, else 1. */
int cmd_fail(const struct dr_err *e);

/* The positional argument i, or "" */
const char *cmd_arg(char **pos, int npos, int i);

#endif
