/* setup's Dokku steps: the dokku user's helper config, the plugin shim in
 * place of Dokku's core registry plugin, migration of plaintext logins,
 * and doctor's verdict. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "dockerconfig.h"
#include "secmem.h"
#include "setup.h"

#define CONFIG_LIMIT (1024 * 1024)

static const char step_cfg[] = "helper config";
static const char step_plugin[] = "plugin";
static const char step_migrate[] = "migrate";
static const char step_doctor[] = "doctor";

/* mkdir -p for the dokku user: the directories it creates are theirs */
static int mkdir_for_user(const struct dr_setup *s, const char *dir, struct dr_err *e)
{
	char parent[sizeof(s->helper_cfg)];
	int rc;

	if (dr_is_dir(dir))
		return 0;
	snprintf(parent, sizeof(parent), "%s", dir);
	rc = mkdir_for_user(s, dirname(parent), e);
	if (rc)
		return rc;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return dr_fail(e, DR_EIO, "cannot create %s: %s", dir, strerror(errno));
	return dr_setup_chown(s, dir, e);
}

int dr_setup_helper_config(struct dr_setup *s, struct dr_err *e)
{
	struct dr_buf old = { 0 };
	json_t *root = NULL, *bus;
	char *text = NULL, dir[sizeof(s->helper_cfg)];
	int rc, existed;

	rc = dr_file_read(s->helper_cfg, CONFIG_LIMIT, &old, e);
	existed = rc == 0;
	if (rc == DR_ENOTFOUND)
		rc = 0;
	if (rc == 0) {
		json_error_t jerr;

		root = existed ? json_loadb(old.data, old.len, 0, &jerr) : json_object();
		if (!json_is_object(root))
			rc = dr_fail(e, DR_EINVAL, "%s is not a JSON object; fix or remove it",
				     s->helper_cfg);
	}
	if (rc)
		goto out;
	bus = json_object_get(root, "bus");
	if (json_is_string(bus) && strcmp(json_string_value(bus), s->bus) == 0) {
		dr_setup_say(s, step_cfg, "%s already uses %s", s->helper_cfg, s->bus);
		goto out;
	}
	if (s->dry_run) {
		dr_setup_say(s, step_cfg, "would set \"bus\": \"%s\" in %s", s->bus, s->helper_cfg);
		goto out;
	}
	json_object_set_new(root, "bus", json_string(s->bus));
	text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	snprintf(dir, sizeof(dir), "%s", s->helper_cfg);
	rc = text ? mkdir_for_user(s, dirname(dir), e) : dr_fail(e, DR_EIO, "out of memory");
	if (rc == 0) {
		size_t n = strlen(text);

		text[n] = '\n'; /* the NUL's byte, for the write only */
		rc = dr_file_write_atomic(s->helper_cfg, text, n + 1, 0600, e);
		text[n] = '\0';
	}
	if (rc == 0 && dr_setup_chown(s, s->helper_cfg, e) != 0) {
		/* back to what it was */
		rc = e->code;
		if (existed)
			dr_file_write_atomic(s->helper_cfg, old.data, old.len, 0600, NULL);
		else
			unlink(s->helper_cfg);
	}
	if (rc == 0) {
		s->changed++;
		dr_setup_say(s, step_cfg, "%s %s: \"bus\": \"%s\"", existed ? "updated" : "wrote",
			     s->helper_cfg, s->bus);
	}
out:
	free(text);
	json_decref(root);
	dr_buf_wipe(&old);
	return rc ? dr_fail(e, rc, "%s: %s", step_cfg, e->msg) : 0;
}

/* Points link at target through a temp link and rename (never a moment
 * without a plugin). */
static int relink(const char *link, const char *target, struct dr_err *e)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s.dokku-registry-tmp", link);
	unlink(tmp);
	if (symlink(target, tmp) != 0)
		return dr_fail(e, DR_EIO, "cannot create %s: %s", tmp, strerror(errno));
	if (rename(tmp, link) != 0) {
		int err = errno;

		unlink(tmp);
		return dr_fail(e, DR_EIO, "cannot replace %s: %s", link, strerror(err));
	}
	return 0;
}

/* The plugin link's target ("" when it is not a link, NULL when missing). */
static const char *link_target(const char *link, char *buf, size_t n)
{
	struct stat st;
	ssize_t len;

	if (lstat(link, &st) != 0)
		return NULL;
	if (!S_ISLNK(st.st_mode))
		return "";
	len = readlink(link, buf, n - 1);
	if (len < 0)
		return "";
	buf[len] = '\0';
	return buf;
}

/* The registry-guard plugin, enabled as `plugn enable` does it
 * (available/registry-guard -> the guard, enabled/registry-guard ->
 * available/registry-guard): its install trigger puts the shim back after a
 * Dokku source install linked the core plugin again. 1 when it changed. */
static int link_guard(struct dr_setup *s, struct dr_err *e)
{
	char buf[PATH_MAX];
	const char *now = link_target(s->guard_link, buf, sizeof(buf));
	int changed = 0;

	if (!dr_is_dir(s->guard_dir))
		return dr_fail(e, DR_ENOTFOUND, "the registry-guard plugin %s is missing (reinstall dokku-registry)",
			       s->guard_dir);
	if (!now || strcmp(now, s->guard_dir) != 0) {
		if (now && !*now)
			return dr_fail(e, DR_EINVAL, "%s is not a link; left alone", s->guard_link);
		if (relink(s->guard_link, s->guard_dir, e) != 0)
			return -1;
		changed = 1;
	}
	now = link_target(s->guard_enabled, buf, sizeof(buf));
	if (!now || strcmp(now, s->guard_link) != 0) {
		if (now && !*now)
			return dr_fail(e, DR_EINVAL, "%s is not a link; left alone", s->guard_enabled);
		if (relink(s->guard_enabled, s->guard_link, e) != 0)
			return -1;
		changed = 1;
	}
	return changed;
}

int dr_setup_plugin(struct dr_setup *s, struct dr_err *e)
{
	char buf[PATH_MAX], avail[sizeof(s->lib_root) + 32];
	const char *now;
	int guard;

	if (s->no_plugin) {
		dr_setup_say(s, step_plugin, "left alone (--no-plugin)");
		return 0;
	}
	snprintf(avail, sizeof(avail), "%s/plugins/available", s->lib_root);
	if (!dr_is_dir(avail)) {
		dr_setup_say(s, step_plugin, "no Dokku in %s: skipped (install Dokku, then run setup again)",
			     s->lib_root);
		return 0;
	}
	if (!dr_is_dir(s->shim_dir))
		return dr_fail(e, DR_ENOTFOUND, "%s: the plugin shim %s is missing (reinstall dokku-registry)",
			       step_plugin, s->shim_dir);
	now = link_target(s->plugin_link, buf, sizeof(buf));
	if (now && strcmp(now, s->shim_dir) == 0) {
		guard = s->dry_run ? 0 : link_guard(s, e);
		if (guard < 0)
			return dr_fail(e, e->code, "%s: %s", step_plugin, e->msg);
		s->changed += guard;
		dr_setup_say(s, step_plugin, "%s already points at %s%s", s->plugin_link, s->shim_dir,
			     guard ? " (registry-guard enabled again)" : "");
		return 0;
	}
	if (now && !*now)
		return dr_fail(e, DR_EINVAL, "%s: %s is not a link; left alone (see README.packaging.md)",
			       step_plugin, s->plugin_link);
	if (s->dry_run) {
		dr_setup_say(s, step_plugin, "would point %s at %s (was %s) and enable registry-guard",
			     s->plugin_link, s->shim_dir, now ? now : "missing");
		return 0;
	}
	if (relink(s->plugin_link, s->shim_dir, e) != 0 || link_guard(s, e) < 0)
		return dr_fail(e, e->code, "%s: %s", step_plugin, e->msg);
	s->changed++;
	dr_setup_say(s, step_plugin, "%s now points at %s (was %s; `dokku-registry setup --undo` restores it); "
		     "registry-guard puts it back after a Dokku install from source",
		     s->plugin_link, s->shim_dir, now ? now : "missing");
	return 0;
}

/* the guard's links, when they are ours */
static void unlink_guard(struct dr_setup *s)
{
	char buf[PATH_MAX];
	const char *now = link_target(s->guard_enabled, buf, sizeof(buf));

	if (now && strcmp(now, s->guard_link) == 0)
		unlink(s->guard_enabled);
	now = link_target(s->guard_link, buf, sizeof(buf));
	if (now && strcmp(now, s->guard_dir) == 0)
		unlink(s->guard_link);
}

int dr_setup_undo_plugin(struct dr_setup *s, struct dr_err *e)
{
	char buf[PATH_MAX];
	const char *now = link_target(s->plugin_link, buf, sizeof(buf));

	if (!now || strcmp(now, s->shim_dir) != 0) {
		if (!s->dry_run)
			unlink_guard(s);
		dr_setup_say(s, step_plugin, "%s is not the dokku-registry shim: nothing to undo",
			     s->plugin_link);
		return 0;
	}
	if (!dr_is_dir(s->core_plugin))
		return dr_fail(e, DR_ENOTFOUND, "%s: Dokku's own plugin %s is missing: reinstall dokku",
			       step_plugin, s->core_plugin);
	if (s->dry_run) {
		dr_setup_say(s, step_plugin, "would point %s back at %s", s->plugin_link, s->core_plugin);
		return 0;
	}
	/* the guard first: it must not put the shim back afterwards */
	unlink_guard(s);
	if (relink(s->plugin_link, s->core_plugin, e) != 0)
		return dr_fail(e, e->code, "%s: %s", step_plugin, e->msg);
	s->changed++;
	dr_setup_say(s, step_plugin, "%s points at Dokku's own plugin again (%s); the keyring is left as it is",
		     s->plugin_link, s->core_plugin);
	return 0;
}

/* Whether dir/config.json holds a password or identity token in auths. */
static int has_plaintext(const char *dir)
{
	struct dr_dockercfg c = { 0 };
	const char *key;
	json_t *v;
	int found = 0;

	if (dr_dockercfg_load(&c, dir, NULL) != 0)
		return 0;
	json_object_foreach(json_object_get(c.root, "auths"), key, v) {
		const char *a = json_string_value(json_object_get(v, "auth"));
		const char *t = json_string_value(json_object_get(v, "identitytoken"));

		if ((a && *a) || (t && *t))
			found = 1;
	}
	dr_dockercfg_free(&c);
	return found;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "--global" (for the dokku user's ~/.docker) and the apps whose registry
 * config.json has plaintext credentials, sorted; *n entries. */
static char **plaintext_scopes(const struct dr_setup *s, size_t *n)
{
	char dir[sizeof(s->lib_root) + 300], base[sizeof(s->lib_root) + 32];
	char **v = calloc(1, sizeof(char *));
	size_t k = 0, first_app;
	struct dirent *d;
	DIR *dh;

	*n = 0;
	if (!v)
		return NULL;
	snprintf(dir, sizeof(dir), "%s/.docker", s->home);
	if (has_plaintext(dir))
		v[k++] = strdup("--global");
	first_app = k;
	snprintf(base, sizeof(base), "%s/config/registry", s->lib_root);
	dh = opendir(base);
	while (dh) {
		char **grown;

		d = readdir(dh);
		if (!d)
			break;
		if (d->d_name[0] == '.' || d->d_name[0] == '-')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, d->d_name);
		if (!has_plaintext(dir))
			continue;
		grown = realloc(v, (k + 2) * sizeof(char *));
		if (!grown)
			break;
		v = grown;
		v[k++] = strdup(d->d_name);
	}
	if (dh)
		closedir(dh);
	v[k] = NULL;
	qsort(v + first_app, k - first_app, sizeof(char *), by_name);
	*n = k;
	return v;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The last non-empty line of text (in place). */
static const char *last_line(char *text)
{
	char *end, *start;

	if (!text)
		return "no message";
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	start = strrchr(text, '\n');
	start = start ? start + 1 : text;
	return *start ? start : "no message";
}

int dr_setup_migrate(struct dr_setup *s, struct dr_err *e)
{
	char done[1024] = "";
	size_t n = 0, moved = 0;
	char **scopes;
	int rc = 0;

	if (s->no_migrate) {
		dr_setup_say(s, step_migrate, "skipped (--no-migrate)");
		return 0;
	}
	scopes = plaintext_scopes(s, &n);
	if (!scopes)
		return dr_fail(e, DR_EIO, "%s: out of memory", step_migrate);
	if (n == 0) {
		dr_setup_say(s, step_migrate, "no plaintext credentials in %s/.docker or any app", s->home);
	} else if (!s->have_systemd) {
		s->incomplete++;
		dr_setup_say(s, step_migrate, "skipped: %zu config file(s) with plaintext credentials wait "
			     "for the keyring (start it, then run setup again)", n);
	} else if (s->dry_run) {
		dr_setup_say(s, step_migrate, "would move the plaintext credentials of %zu config file(s) "
			     "into the keyring (first: %s)", n, scopes[0]);
	}
	for (size_t i = 0; n && s->have_systemd && !s->dry_run && i < n; i++) {
		const char *global[] = { "migrate", "--global", NULL };
		const char *app[] = { "migrate", scopes[i], NULL };
		char *out = NULL;
		int status = -1;

		rc = dr_setup_run_self(s, strcmp(scopes[i], "--global") == 0 ? global : app, &out,
				       &status, e);
		if (rc == 0 && status != 0)
			rc = dr_fail(e, DR_EIO, "%s: %s (each file is all-or-nothing: %s is unchanged%s%s)",
				     scopes[i], last_line(out), scopes[i], moved ? "; done before it: " : "",
				     done);
		free(out);
		if (rc)
			break;
		moved++;
		snprintf(done + strlen(done), sizeof(done) - strlen(done), "%s%s", moved > 1 ? ", " : "",
			 scopes[i]);
	}
	if (rc == 0 && moved) {
		s->changed++;
		dr_setup_say(s, step_migrate, "moved the plaintext credentials of %s into the keyring", done);
	}
	free_strv(scopes);
	return rc ? dr_fail(e, rc, "%s: %s", step_migrate, e->msg) : 0;
}

int dr_setup_doctor(struct dr_setup *s, struct dr_err *e)
{
	const char *args[] = { "doctor", NULL };
	char *out = NULL, *line, *save = NULL;
	int status = -1, rc, checks = 0, broken = 0;

	if (!s->have_systemd || s->dry_run) {
		dr_setup_say(s, step_doctor, "not run (%s)", s->dry_run ? "dry run" : "the keyring is not running");
		return 0;
	}
	rc = dr_setup_run_self(s, args, &out, &status, e);
	if (rc) {
		free(out);
		return dr_fail(e, rc, "%s: %s", step_doctor, e->msg);
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		checks++;
		if (strncmp(line, "FAIL", 4) == 0) {
			broken++;
			printf("       %s\n", line);
		}
	}
	free(out);
	if (status == 0) {
		dr_setup_say(s, step_doctor, "all %d checks passed", checks);
		return 0;
	}
	return dr_fail(e, DR_EIO, "%s: %d of %d checks failed (above); fix them, then run "
		       "`sudo -u %s -H dokku-registry doctor`", step_doctor, broken, checks, s->user);
}
