/* `setup --undo`: the way back to a Dokku without this package's keyring.
 * Every Docker config that sends a registry to docker-credential-dokku is
 * taken off it (`dokku-registry unmigrate`, as the dokku user: plaintext
 * auths on request, else the `dokku registry:login` command per login),
 * Dokku's own registry plugin comes back (setup_dokku.c), and the units are
 * disabled and stopped. The keyring and the sealed password stay, so that
 * `setup` brings the same keyring back; purging the package removes the
 * sealed password. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/dockerconfig.h"
#include "setup/setup.h"

static const char step_logins[] = "logins";
static const char step_units[] = "units";

/* Whether dir/config.json names the `dokku` helper anywhere. */
static int names_own_helper(const char *dir)
{
	struct dr_dockercfg c = { 0 };
	json_t *store, *helpers, *v;
	const char *k;
	int found = 0;

	if (dr_dockercfg_load(&c, dir, NULL) != 0)
		return 0;
	store = json_object_get(c.root, "credsStore");
	helpers = json_object_get(c.root, "credHelpers");
	if (json_is_string(store) && strcmp(json_string_value(store), "dokku") == 0)
		found = 1;
	json_object_foreach(helpers, k, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), "dokku") == 0)
			found = 1;
	}
	dr_dockercfg_free(&c);
	return found;
}

/* Runs unmigrate for one scope; its lines are shown indented. */
static int hand_back(struct dr_setup *s, const char *scope, struct dr_err *e)
{
	const char *argv[] = { "unmigrate", scope, s->restore_plaintext ? "--plaintext" : NULL, NULL };
	char *out = NULL, *line, *save = NULL;
	int status = -1, rc;

	rc = dr_setup_run_self(s, argv, &out, &status, e);
	if (rc == 0) {
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			/* unmigrate's own "----->" lines sit under this step's; its
			 * command lines are indented already */
			printf("%s%s\n", strncmp(line, "       ", 7) == 0 ? "" : "       ",
			       strncmp(line, "-----> ", 7) == 0 ? line + 7 : line);
		}
		fflush(stdout);
		if (status != 0)
			rc = dr_fail(e, DR_EIO, "%s: `dokku-registry unmigrate %s` failed (exit %d, above)",
				     step_logins, scope, status);
	}
	free(out);
	return rc;
}

int dr_setup_undo_logins(struct dr_setup *s, struct dr_err *e)
{
	char dir[sizeof(s->lib_root) + 300], base[sizeof(s->lib_root) + 32];
	size_t handed = 0;
	struct dirent *d;
	DIR *dh;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/.docker", s->home);
	if (names_own_helper(dir)) {
		handed++;
		if (s->dry_run)
			dr_setup_say(s, step_logins, "would take %s/config.json off the keyring", dir);
		else
			rc = hand_back(s, "--global", e);
	}
	snprintf(base, sizeof(base), "%s/config/registry", s->lib_root);
	dh = opendir(base);
	while (rc == 0 && dh && (d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.' || d->d_name[0] == '-')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, d->d_name);
		if (!names_own_helper(dir))
			continue;
		handed++;
		if (s->dry_run)
			dr_setup_say(s, step_logins, "would take %s/config.json off the keyring", dir);
		else
			rc = hand_back(s, d->d_name, e);
	}
	if (dh)
		closedir(dh);
	if (rc)
		return rc;
	if (handed == 0)
		dr_setup_say(s, step_logins, "no Docker config uses docker-credential-dokku");
	else if (!s->dry_run)
		dr_setup_say(s, step_logins, "%zu Docker config(s) no longer use docker-credential-dokku%s",
			     handed, s->restore_plaintext ? " (logins written back as plaintext auths)" : "");
	s->changed += handed;
	return 0;
}

static int unit_is(struct dr_setup *s, const char *verb, const char *unit)
{
	const char *args[] = { verb, "--quiet", unit, NULL };
	int status = -1;

	return dr_setup_systemctl(s, args, &status, NULL, NULL) == 0 && status == 0;
}

int dr_setup_undo_units(struct dr_setup *s, struct dr_err *e)
{
	const char *units[] = { "dokku-registry-k8s-sync.timer", DR_SETUP_UNIT };

	if (!s->have_systemd) {
		dr_setup_say(s, step_units, "systemd is not running here: nothing to stop");
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		const char *args[] = { "disable", "--now", units[i], NULL };
		char *out = NULL;
		int status = -1, rc;

		if (!unit_is(s, "is-enabled", units[i]) && !unit_is(s, "is-active", units[i]))
			continue;
		if (s->dry_run) {
			dr_setup_say(s, step_units, "would disable and stop %s", units[i]);
			continue;
		}
		rc = dr_setup_systemctl(s, args, &status, &out, e);
		if (rc == 0 && status != 0)
			rc = dr_fail(e, DR_EIO, "systemctl disable --now %s failed (exit %d): %s", units[i],
				     status, out && *out ? strtok(out, "\n") : "no message");
		free(out);
		if (rc)
			return dr_fail(e, rc, "%s: %s", step_units, e->msg);
		s->changed++;
		dr_setup_say(s, step_units, "%s disabled and stopped%s", units[i],
			     strcmp(units[i], DR_SETUP_UNIT) == 0
				     ? " (the keyring and its sealed password stay: `dokku-registry setup` brings it back)"
				     : "");
	}
	return 0;
}
