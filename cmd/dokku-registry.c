/* dokku-registry: Dokku's registry:* commands, with logins kept in the
 * keyring through docker-credential-dokku. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/secmem.h"
#include "registry/registry.h"
#include "cmd.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "help", cmd_help },
	{ "set", cmd_set },
	{ "report", cmd_report },
	{ "login", cmd_login },
	{ "logout", cmd_logout },
	{ "auth-status", cmd_auth_status },
	{ "migrate", cmd_migrate },
	{ "unmigrate", cmd_unmigrate },
	{ "push", cmd_push },
	{ "push-image", cmd_push_image },
	{ "push-engine", cmd_push_engine },
	{ "helpers:set", cmd_helpers_set },
	{ "helpers:unset", cmd_helpers_unset },
	{ "helpers:report", cmd_helpers_report },
	{ "doctor", cmd_doctor },
	{ "setup", cmd_setup },
	{ "k8s:pull-secret", cmd_k8s_pull_secret },
	{ "k8s:sync", cmd_k8s_sync },
	/* Dokku triggers */
	{ "post-release-builder", cmd_post_release_builder },
	{ "deployed-app-image-repo", cmd_deployed_app_image_repo },
	{ "deployed-app-image-tag", cmd_deployed_app_image_tag },
	{ "deployed-app-repository", cmd_deployed_app_repository },
	{ "post-create", cmd_post_create },
	{ "post-delete", cmd_post_delete },
	{ "post-app-clone-setup", cmd_post_app_clone_setup },
	{ "post-app-rename-setup", cmd_post_app_rename_setup },
	{ "backup-app-export", cmd_backup_app_export },
	{ "backup-app-import", cmd_backup_app_import },
	{ "backup-global-export", cmd_backup_global_export },
	{ "backup-global-import", cmd_backup_global_import },
	{ "scheduler-post-delete", cmd_scheduler_post_delete },
};

static const char help_text[] =
	"Usage: dokku registry[:COMMAND]\n"
	"\n"
	"Manage registry settings for an app\n"
	"\n"
	"Additional commands:\n";

static const char *const help_rows[][2] = {
	{ "registry:auth-status [--password-stdin] <app>|--global <server> [<username> [<password>]]",
	  "Check which credentials are stored for a registry" },
	{ "registry:login [--global|--password-stdin] [<app>] <server> <username> [<password>]",
	  "Login to a docker registry" },
	{ "registry:logout [--global] [<app>] <server>", "Logout from a docker registry" },
	{ "registry:doctor [--network] [--format stdout|json]",
	  "Check the helper and keyring and logins; name the fix for each problem" },
	{ "registry:helpers:report", "Show which registries are handed to other credential helpers" },
	{ "registry:helpers:set <pattern> <helper>",
	  "Hand registries matching a host pattern to docker-credential-<helper>" },
	{ "registry:helpers:unset <pattern>", "Keep registries matching the pattern in the keyring again" },
	{ "registry:k8s:pull-secret <app> [--name NAME] [--namespace NS]",
	  "Print the app's k3s image pull Secret with its credentials resolved (JSON)" },
	{ "registry:k8s:sync <app>|--all [--name NAME] [--namespace NS]",
	  "Put the app's image pull Secret into its k3s cluster and use it" },
	{ "registry:migrate [--global|<app>]",
	  "Move plaintext docker credentials into the keyring" },
	{ "registry:push [--from oci:DIR[:REF]|docker-archive:FILE|docker-daemon:NAME] <app> [<image>]",
	  "Push the app's image to its registry (docker; the native pusher with --from)" },
	{ "registry:push-engine <app>|--global [docker|native] [--compress gzip|zstd] [--unset]",
	  "Choose how push on release sends the image: docker image push or the native pusher" },
	{ "registry:push-image [--quiet] [--insecure] [--jobs N] <src> <dest-ref>",
	  "Push an OCI layout, docker-archive or docker-daemon image with the native pusher" },
	{ "registry:report [<app>] [<flag>]", "Displays a registry report for one or more apps" },
	{ "registry:set <app>|--global <property> (<value>)",
	  "Set or clear a registry property for an app" },
	{ "registry:setup [--dry-run] [--no-migrate] [--no-plugin] [--password-file F] [--undo [--restore-plaintext]]",
	  "Set this server up in one go, or undo it (run as root)" },
	{ "registry:unmigrate [--plaintext] --global|<app>",
	  "Take a docker config off the keyring: plaintext auths, or the login commands" },
};

/* Whether Dokku can route `dokku registry:<cmd>` of this help row to the
 * plugin in dir: it runs dir/subcommands/<cmd> (`dokku`, execute_dokku_cmd). */
static int routable(const char *dir, const char *row)
{
	const char *cmd = row + strlen("registry:");
	char path[4096];

	snprintf(path, sizeof(path), "%s/subcommands/%.*s", dir, (int)strcspn(cmd, " "), cmd);
	return access(path, X_OK) == 0;
}

/* help [--plugin-dir DIR [--list]]: with --plugin-dir only the commands
 * that plugin's subcommands/ routes; --list prints them as Dokku's
 * `help --all` wants them, "    <command>, <description>" (split by
 * `column -s,`: no description holds a comma). */
int cmd_help(int argc, char **argv)
{
	const char *dir = NULL;
	int list = 0;
	size_t width = 0, n = sizeof(help_rows) / sizeof(help_rows[0]);

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--plugin-dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--list") == 0)
			list = 1;
		else
			return dr_log_fail(2, "usage: dokku-registry help [--plugin-dir DIR [--list]]");
	}
	for (size_t i = 0; i < n; i++) {
		if ((!dir || routable(dir, help_rows[i][0])) && strlen(help_rows[i][0]) > width)
			width = strlen(help_rows[i][0]);
	}
	if (!list)
		fputs(help_text, stdout);
	for (size_t i = 0; i < n; i++) {
		if (dir && !routable(dir, help_rows[i][0]))
			continue;
		if (list)
			printf("    %s, %s\n", help_rows[i][0], help_rows[i][1]);
		else
			printf("    %-*s  %s\n", (int)width, help_rows[i][0], help_rows[i][1]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "help";
	struct dr_err e = { 0 };

	/* over `ulimit -f` a write fails with EFBIG, which we report; the
	 * default SIGXFSZ would kill us silently, leaving a temp file */
	signal(SIGXFSZ, SIG_IGN);
	dr_secmem_no_dumps();
	dr_secmem_hook_jansson();
	/* before any thread exists, as curl_global_init requires */
	if (dr_registry_global_init(&e) != 0)
		return dr_log_fail(1, "%s", e.msg);
	if (strcmp(name, "registry") == 0)
		name = "help";
	else if (strncmp(name, "registry:", 9) == 0)
		name += 9;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].fn(argc > 1 ? argc - 2 : 0, argc > 1 ? argv + 2 : argv + 1);
	}
	dr_log_warn("`%s` is not a dokku command.", argv[1]);
	dr_log_warn("See `dokku help` for a list of available commands.");
	return 1;
}
