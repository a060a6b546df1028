/* dokku-registry setup: one command from package install to a working
 * setup (core/setup*.c has the steps). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "setup/setup.h"
#include "cmd.h"

int cmd_setup(int argc, char **argv)
{
	int dry_run = 0, no_migrate = 0, no_plugin = 0, undo = 0, plaintext = 0, npos, rc;
	const char *password_file = NULL, *root = NULL;
	struct dr_pflag flags[] = {
		{ .name = "dry-run", .usage = "--dry-run: say what would be done, change nothing",
		  .set = &dry_run },
		{ .name = "no-migrate", .usage = "--no-migrate: leave plaintext credentials where they are",
		  .set = &no_migrate },
		{ .name = "no-plugin", .usage = "--no-plugin: keep Dokku's own registry plugin",
		  .set = &no_plugin },
		{ .name = "password-file", .type = DR_PFLAG_STRING,
		  .usage = "--password-file: the keyring password (first line) instead of a new one",
		  .value = &password_file },
		{ .name = "undo",
		  .usage = "--undo: Docker configs off the keyring, Dokku's own registry plugin back, the units stopped",
		  .set = &undo },
		{ .name = "restore-plaintext",
		  .usage = "--restore-plaintext: with --undo, write the logins back as plaintext auths",
		  .set = &plaintext },
		{ .name = "root", .type = DR_PFLAG_STRING, .hidden = 1,
		  .usage = "--root: a scratch root for tests: every path is taken under it", .value = &root },
	};
	int (*const steps[])(struct dr_setup *, struct dr_err *) = {
		dr_setup_password, dr_setup_unit, dr_setup_helper_config, dr_setup_plugin,
		dr_setup_migrate, dr_setup_doctor,
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	char self[PATH_MAX];
	struct dr_setup s = { 0 };
	struct dr_err e = { 0 };
	ssize_t n;

	if (!pos)
		return dr_log_fail(DR_SETUP_FAILED, DR_OOM_MSG);
	if (cmd_parse_flags("registry:setup", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc)) {
		free(pos);
		return rc;
	}
	free(pos);
	if (npos > 0)
		return dr_log_fail(DR_SETUP_USAGE, "setup takes no arguments (see dokku-registry(1))");
	if (geteuid() != 0)
		return dr_log_fail(DR_SETUP_FAILED, "setup must run as root: sudo dokku-registry setup");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return dr_log_fail(DR_SETUP_FAILED, "cannot find this program's own path");
	self[n] = '\0';
	umask(077);
	s.root = root;
	s.dry_run = dry_run;
	s.no_migrate = no_migrate;
	s.no_plugin = no_plugin;
	s.password_file = password_file;
	s.self = self;
	if (dr_setup_init(&s, &e) != 0)
		return dr_log_fail(DR_SETUP_FAILED, "%s", e.msg);
	if (plaintext && !undo)
		return dr_log_fail(DR_SETUP_USAGE, "--restore-plaintext goes with --undo");
	s.restore_plaintext = plaintext;
	if (undo) {
		if (dr_setup_undo_logins(&s, &e) != 0 || dr_setup_undo_plugin(&s, &e) != 0 ||
		    dr_setup_undo_units(&s, &e) != 0)
			return dr_log_fail(DR_SETUP_FAILED, "%s", e.msg);
		return DR_SETUP_OK;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* the verdict of what came before goes just above doctor's line */
		if (steps[i] == dr_setup_doctor && s.changed == 0 && !dry_run)
			dr_log_info1("Nothing to change: every step was already done");
		if (steps[i](&s, &e) != 0)
			return dr_log_fail(DR_SETUP_FAILED, "%s", e.msg);
	}
	return s.incomplete ? DR_SETUP_INCOMPLETE : DR_SETUP_OK;
}
