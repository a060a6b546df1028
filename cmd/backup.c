/* Dokku's backup triggers:
 *   backup-app-export <app> <scope-dir>     backup-app-import <app> <scope-dir>
 *   backup-global-export <scope-dir>        backup-global-import <scope-dir>
 * Properties travel as Dokku's recipe slice. Logins do not travel: the
 * export notes which registries had one (and the user name), the import
 * prints, for each registry the restored scope has no login for, the one
 * command that logs in again. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/secmem.h"
#include "base/text.h"
#include "cmd.h"
#include "creds.h"
#include "dokku/apps.h"
#include "dokku/backup.h"
#include "dokku/properties.h"
#include "dokku/scope.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"

/* The user name our helper keeps for a registry (attributes only, no
 * secret is read), from a listing made once. */
static const char *helper_username(const struct dr_list *list, const char *helper_key)
{
	for (size_t i = 0; i < list->n; i++) {
		char *key = dr_docker_helper_key(list->servers[i]);
		int same = key && strcmp(key, helper_key) == 0;

		free(key);
		if (same)
			return list->users[i];
	}
	return NULL;
}

static int collect_logins(const char *dir, struct dr_login_recs *recs, struct dr_err *e)
{
	struct dr_dockercfg cfg;
	struct dr_list list = { 0 };
	int listed = 0, rc;
	json_t *auths, *entry;
	const char *key;

	rc = dr_dockercfg_load(&cfg, dir, e);
	if (rc)
		return rc;
	auths = json_object_get(cfg.root, "auths");
	json_object_foreach(json_is_object(auths) ? auths : NULL, key, entry) {
		char *server = dr_docker_helper_key(key), *user = NULL;
		const char *helper = dr_dockercfg_helper_for(&cfg, key);
		json_t *auth = json_object_get(entry, "auth");

		if (!server)
			continue;
		if (json_is_string(auth) && json_string_value(auth)[0]) {
			user = dr_basic_auth_username(json_string_value(auth));
		} else if (helper && strcmp(helper, DR_OWN_HELPER) == 0) {
			if (!listed) {
				struct dr_err le = { 0 };

				listed = 1;
				/* only the scope's own entries (the helper
				 * derives the scope from dir) */
				if (dr_credhelper_list(DR_OWN_HELPER, dir, &list, &le) != 0)
					dr_log_warn("Unable to read the registry user names: %s", le.msg);
			}
			if (helper_username(&list, server))
				user = strdup(helper_username(&list, server));
		}
		rc = dr_login_recs_add(recs, server, user, e);
		free(user);
		free(server);
		if (rc)
			break;
	}
	dr_list_free(&list);
	dr_dockercfg_free(&cfg);
	return rc;
}

static int export_logins(const char *app, const char *scope_dir, struct dr_err *e)
{
	struct dr_login_recs recs = { 0 };
	char *dir = dr_docker_config_dir(app), *path = dr_backup_logins_path(scope_dir), *json = NULL;
	char *slash;
	int rc;

	if (!dir || !path) {
		rc = dr_oom(e);
		goto out;
	}
	rc = collect_logins(dir, &recs, e);
	if (rc || recs.n == 0)
		goto out;
	json = dr_login_recs_emit(&recs);
	if (!json) {
		rc = dr_oom(e);
		goto out;
	}
	slash = strrchr(path, '/');
	*slash = '\0';
	rc = dr_mkdir_p(path, 0700, e);
	*slash = '/';
	if (rc == 0)
		rc = dr_file_write_atomic(path, json, strlen(json), 0600, e);
out:
	dr_login_recs_free(&recs);
	free(json);
	free(path);
	free(dir);
	return rc;
}

/* A word a POSIX shell reads back as itself. */
static char *shell_word(const char *s)
{
	GString *q;

	if (s[0] && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789@%+=:,./_-") == strlen(s))
		return g_strdup(s);
	q = g_string_new("'");
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			g_string_append(q, "'\\''");
		else
			g_string_append_c(q, *p);
	}
	g_string_append_c(q, '\'');
	return g_string_free(q, FALSE);
}

/* shell_word, escaped for a terminal (malloc'd) */
static char *safe_word(const char *s)
{
	char *word = shell_word(s), *out = dr_text_safe_dup(word);

	g_free(word);
	return out;
}

/* Reads and checks the login records; a missing file is none. */
static int read_logins(const char *scope_dir, struct dr_login_recs *recs, struct dr_err *e)
{
	char *path = dr_backup_logins_path(scope_dir);
	struct dr_buf data = { 0 };
	int rc;

	memset(recs, 0, sizeof(*recs));
	if (!path)
		return dr_oom(e);
	rc = dr_file_read(path, DR_LOGINS_LIMIT, &data, e);
	if (rc == DR_ENOTFOUND)
		rc = 0;
	else if (rc == 0)
		rc = dr_login_recs_parse(data.data, data.len, path, recs, e);
	dr_buf_wipe(&data);
	free(path);
	return rc;
}

static int listed_before(const struct dr_login_recs *recs, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (strcmp(recs->v[j].server, recs->v[i].server) == 0)
			return 1;
	}
	return 0;
}

/* One line per registry the restored scope has no login for. */
static void print_login_hints(const char *app, const struct dr_login_recs *recs)
{
	struct dr_dockercfg cfg;
	char *dir = dr_docker_config_dir(app);
	int have_cfg = dir && dr_dockercfg_load(&cfg, dir, NULL) == 0;

	for (size_t i = 0; i < recs->n; i++) {
		const char *user = recs->v[i].username;
		char *server, *who, *scope, *shown;

		if (have_cfg && dr_dockercfg_auth_entry(&cfg, recs->v[i].server))
			continue; /* logged in already */
		if (listed_before(recs, i))
			continue;
		/* docker's identity tokens have no user name to log in with */
		if (!user || !user[0] || strcmp(user, DR_TOKEN_USERNAME) == 0)
			user = NULL;
		/* the names come from another server's backup: quoted for the
		 * shell, then escaped for the terminal (no ESC or CR may redraw
		 * the command that is printed to be run) */
		server = safe_word(recs->v[i].server);
		who = user ? safe_word(user) : strdup("<username>");
		scope = app ? safe_word(app) : strdup("--global");
		shown = dr_text_safe_dup(recs->v[i].server);
		if (server && who && scope && shown)
			dr_log_warn("Registry login for %s is not in the backup; log in again with: "
				    "dokku registry:login --password-stdin %s %s %s", shown, scope, server, who);
		free(server);
		free(who);
		free(scope);
		free(shown);
	}
	if (have_cfg)
		dr_dockercfg_free(&cfg);
	free(dir);
}

static int do_export(const char *app, const char *scope_dir)
{
	struct dr_err e = { 0 };

	if (dr_backup_props_export(app ? app : DR_GLOBAL, scope_dir, &e) != 0)
		return dr_log_fail(1, "Unable to export registry properties: %s", e.msg);
	if (export_logins(app, scope_dir, &e) != 0)
		return dr_log_fail(1, "Unable to export the registry logins list: %s", e.msg);
	return 0;
}

static int do_import(const char *app, const char *scope_dir)
{
	struct dr_backup_import result;
	struct dr_login_recs recs;
	struct dr_err e = { 0 };
	int rc = 0;

	/* both files checked before anything is written */
	if (read_logins(scope_dir, &recs, &e) != 0) {
		char shown[sizeof(e.msg) * 4];

		dr_text_safe(e.msg, strlen(e.msg), shown, sizeof(shown));
		return dr_log_fail(1, "Unable to import the registry logins list: %s", shown);
	}
	if (dr_backup_props_import(app ? app : DR_GLOBAL, scope_dir, &result, &e) != 0) {
		char shown[sizeof(e.msg) * 4];

		/* the message quotes the backup (a property name, a value) */
		dr_text_safe(e.msg, strlen(e.msg), shown, sizeof(shown));
		rc = dr_log_fail(1, "Unable to import registry properties: %s", shown);
		goto out;
	}
	if (result.credential_tasks) {
		dr_log_warn("Docker credentials in the backup (config.json, line %zu) are not restored; "
			    "logins live in the keyring", result.credential_line);
	}
	for (size_t i = 0; i < result.logins.n; i++) {
		rc = dr_login_recs_add(&recs, result.logins.v[i].server, result.logins.v[i].username, &e);
		if (rc) {
			rc = dr_log_fail(1, "%s", e.msg);
			goto out;
		}
	}
	print_login_hints(app, &recs);
out:
	dr_login_recs_free(&result.logins);
	dr_login_recs_free(&recs);
	return rc;
}

static int scope_arg(const char *dir)
{
	if (dir[0] && dr_is_dir(dir))
		return 0;
	return dr_log_fail(1, "Backup scope directory %s does not exist", dir[0] ? dir : "\"\"");
}

static int app_args(int argc, char **argv, const char *trigger)
{
	if (argc < 2)
		return dr_log_fail(1, "usage: dokku-registry %s <app> <scope-dir>", trigger);
	if (!dr_app_name_valid(argv[0]))
		return dr_log_fail(1, "App name must begin with lowercase alphanumeric character, "
				      "and may only contain lowercase alphanumerics, dots, and hyphens");
	return scope_arg(argv[1]);
}

static int global_args(int argc, char **argv, const char *trigger)
{
	if (argc < 1)
		return dr_log_fail(1, "usage: dokku-registry %s <scope-dir>", trigger);
	return scope_arg(argv[0]);
}

int cmd_backup_app_export(int argc, char **argv)
{
	int rc = app_args(argc, argv, "backup-app-export");

	return rc ? rc : do_export(argv[0], argv[1]);
}

int cmd_backup_app_import(int argc, char **argv)
{
	int rc = app_args(argc, argv, "backup-app-import");

	return rc ? rc : do_import(argv[0], argv[1]);
}

int cmd_backup_global_export(int argc, char **argv)
{
	int rc = global_args(argc, argv, "backup-global-export");

	return rc ? rc : do_export(NULL, argv[0]);
}

int cmd_backup_global_import(int argc, char **argv)
{
	int rc = global_args(argc, argv, "backup-global-import");

	return rc ? rc : do_import(NULL, argv[0]);
}
