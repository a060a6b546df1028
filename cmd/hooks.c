/* Dokku's app lifecycle triggers (create, delete, clone, rename), with the
 * app's keyring entries and its dokku-registry directory (the push engine
 * setting) following its config directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/log.h"
#include "base/text.h"
#include "dokku/apps.h"
#include "dokku/own_dir.h"
#include "dokku/properties.h"
#include "helper/credhelper.h"
#include "cmd.h"
#include "creds.h"

enum { COPY, MOVE, DROP };

/* Copies, moves or drops every keyring entry of old_app's scope. */
static int carry_credentials(const char *old_app, const char *new_app, int how,
			     struct dr_err *e)
{
	char *from = dr_props_dir(old_app), *to = new_app ? dr_props_dir(new_app) : NULL;
	struct dr_list list = { 0 };
	int rc = 0;

	if (!from || (new_app && !to)) {
		rc = dr_oom(e);
		goto out;
	}
	if (!creds_uses_own_helper(from))
		goto out;
	/* only this app's own entries, never the global ones: the helper
	 * derives the scope from the app's config dir */
	rc = dr_credhelper_list(DR_OWN_HELPER, from, &list, e);
	for (size_t i = 0; rc == 0 && i < list.n; i++) {
		struct dr_creds c = { 0 };

		if (how != DROP) {
			rc = dr_credhelper_get(DR_OWN_HELPER, from, list.servers[i], &c, e);
			if (rc == 0)
				rc = dr_credhelper_store(DR_OWN_HELPER, to, &c, e);
			dr_creds_wipe(&c);
		}
		if (rc == 0 && how != COPY)
			rc = dr_credhelper_erase(DR_OWN_HELPER, from, list.servers[i], e);
	}
	dr_list_free(&list);
out:
	free(from);
	free(to);
	return rc;
}

/* n app names, each one Dokku could have made: "--global", "..", a "/"
 * would reach the global settings or outside the app's directories, so
 * such a name changes nothing. */
static int want_args(int argc, char **argv, int n, const char *usage)
{
	if (argc < n)
		return dr_log_fail(1, "usage: dokku-registry %s", usage);
	for (int i = 0; i < n; i++) {
		if (!dr_app_name_valid(argv[i])) {
			char *shown = dr_text_safe_dup(argv[i]);

			dr_log_fail(1, "invalid app name \"%s\": nothing changed", shown ? shown : "");
			free(shown);
			return 1;
		}
	}
	return 0;
}

int cmd_post_create(int argc, char **argv)
{
	struct dr_err e = { 0 };

	if (want_args(argc, argv, 1, "post-create <app>"))
		return 1;
	return dr_props_setup_app(argv[0], &e) ? cmd_fail(&e) : 0;
}

int cmd_post_delete(int argc, char **argv)
{
	struct dr_err e = { 0 };

	if (want_args(argc, argv, 1, "post-delete <app>"))
		return 1;
	/* a keyring that can't be reached must not block deleting the app */
	if (carry_credentials(argv[0], NULL, DROP, &e) != 0)
		dr_log_warn("Unable to erase the keyring entries of %s: %s", argv[0], e.msg);
	if (dr_own_dir_remove(argv[0], &e) != 0)
		return dr_log_fail(1, "Unable to remove the push engine setting: %s", e.msg);
	return dr_props_destroy(argv[0], &e) ? cmd_fail(&e) : 0;
}

int cmd_post_app_clone_setup(int argc, char **argv)
{
	/* a clone gets its own tag counter: sharing it would make both apps
	 * push the same tag numbers to the same repo */
	static const char *const skip[] = { "tag-version", NULL };
	struct dr_err e = { 0 };

	if (want_args(argc, argv, 2, "post-app-clone-setup <old-app> <new-app>"))
		return 1;
	if (dr_props_clone(argv[0], argv[1], skip, &e) != 0)
		return dr_log_fail(1, "Unable to clone registry config: %s", e.msg);
	if (carry_credentials(argv[0], argv[1], COPY, &e) != 0)
		return dr_log_fail(1, "Unable to clone registry credentials: %s", e.msg);
	if (dr_own_dir_copy(argv[0], argv[1], &e) != 0)
		return dr_log_fail(1, "Unable to clone the push engine setting: %s", e.msg);
	return 0;
}

int cmd_post_app_rename_setup(int argc, char **argv)
{
	struct dr_err e = { 0 };

	if (want_args(argc, argv, 2, "post-app-rename-setup <old-app> <new-app>"))
		return 1;
	if (dr_props_clone(argv[0], argv[1], NULL, &e) != 0)
		return dr_log_fail(1, "Unable to clone registry config: %s", e.msg);
	if (carry_credentials(argv[0], argv[1], MOVE, &e) != 0)
		return dr_log_fail(1, "Unable to rename registry credentials: %s", e.msg);
	if (dr_own_dir_move(argv[0], argv[1], &e) != 0)
		return dr_log_fail(1, "Unable to move the push engine setting: %s", e.msg);
	return dr_props_destroy(argv[0], &e) ? cmd_fail(&e) : 0;
}
