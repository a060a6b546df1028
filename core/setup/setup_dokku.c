/* setup's Dokku steps: the dokku user's helper config, the plugin shim in
 * place of Dokku's core registry plugin, migration of plaintext logins,
 * and doctor's verdict. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/secmem.h"
#include "helper/dockerconfig.h"
#include "setup/setup.h"

#define CONFIG_LIMIT (1024 * 1024)

static const char step_cfg[] = "helper config";
static const char step_plugin[] = "plugin";
static const char step_migrate[] = "migrate";
static const char step_doctor[] = "doctor";

/* what the helper config step found or did, as the dokku user saw it */
enum { CFG_ALREADY = 'a', CFG_WOULD = 'd', CFG_WROTE = 'w', CFG_UPDATED = 'u' };

static int set_verdict(struct dr_buf *out, char verdict, struct dr_err *e)
{
	return dr_buf_append(out, &verdict, 1, e);
}

/* Run as the dokku user (dr_setup_as_user): the whole path is theirs. */
static int helper_config_as_user(const struct dr_setup *s, void *arg, struct dr_buf *out,
				 struct dr_err *e)
{
	struct dr_buf old = { 0 };
	json_t *root = NULL, *bus;
	char *text = NULL, dir[sizeof(s->helper_cfg)];
	char verdict = CFG_WROTE;
	int rc, existed;

	(void)arg;
	rc = dr_file_read_regular(s->helper_cfg, CONFIG_LIMIT, s->uid, &old, e);
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
		verdict = CFG_ALREADY;
	} else if (s->dry_run) {
		verdict = CFG_WOULD;
	} else if (!dr_is_dir(s->home)) {
		rc = dr_fail(e, DR_ENOTFOUND, "the home of %s, %s, does not exist (install Dokku first)",
			     s->user, s->home);
	} else {
		json_object_set_new(root, "bus", json_string(s->bus));
		text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
		snprintf(dir, sizeof(dir), "%s", s->helper_cfg);
		rc = text ? dr_mkdir_p(dirname(dir), 0700, e) : dr_oom(e);
		if (rc == 0) {
			size_t n = strlen(text);

			text[n] = '\n'; /* the NUL's byte, for the write only */
			rc = dr_file_write_atomic(s->helper_cfg, text, n + 1, 0600, e);
			text[n] = '\0';
		}
		verdict = existed ? CFG_UPDATED : CFG_WROTE;
	}
	if (rc == 0)
		rc = set_verdict(out, verdict, e);
out:
	free(text);
	json_decref(root);
	dr_buf_wipe(&old);
	return rc;
}

int dr_setup_helper_config(struct dr_setup *s, struct dr_err *e)
{
	struct dr_buf v = { 0 };
	int rc = dr_setup_as_user(s, helper_config_as_user, NULL, &v, e);
	char verdict = rc == 0 && v.data ? v.data[0] : 0;

	dr_buf_wipe(&v);
	if (rc)
		return dr_fail(e, rc, "%s: %s", step_cfg, e->msg);
	if (verdict == CFG_ALREADY) {
		dr_setup_say(s, step_cfg, "%s already uses %s", s->helper_cfg, s->bus);
	} else if (verdict == CFG_WOULD) {
		dr_setup_say(s, step_cfg, "would set \"bus\": \"%s\" in %s", s->bus, s->helper_cfg);
	} else if (verdict == CFG_WROTE || verdict == CFG_UPDATED) {
		s->changed++;
		dr_setup_say(s, step_cfg, "%s %s: \"bus\": \"%s\"", verdict == CFG_UPDATED ? "updated" : "wrote",
			     s->helper_cfg, s->bus);
	} else {
		return dr_fail(e, DR_EIO, "%s: no answer from the child working as %s", step_cfg, s->user);
	}
	return 0;
}

/* plugins/<sub> under lib_root, each step opened without following a link:
 * Dokku gives these directories to the dokku user, so root only works in
 * them through this descriptor (the *at calls, never by path). -1 with
 * errno set when it cannot (ENOENT: no Dokku; ELOOP or ENOTDIR: a link or
 * a file where Dokku has a directory). */
static int open_plugins_dir(const struct dr_setup *s, const char *sub)
{
	int lib = open(s->lib_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* root's, like /var/lib */
	int plugins = -1, dir = -1, err;

	if (lib >= 0)
		plugins = openat(lib, "plugins", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (plugins >= 0)
		dir = openat(plugins, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	err = errno;
	if (lib >= 0)
		close(lib);
	if (plugins >= 0)
		close(plugins);
	errno = err;
	return dir;
}

static int open_available(const struct dr_setup *s)
{
	return open_plugins_dir(s, "available");
}

/* the open_plugins_dir failure as the step's outcome: 0 (skipped) or an error */
static int no_plugins_dir(struct dr_setup *s, const char *sub, int err, struct dr_err *e)
{
	if (err == ENOENT && strcmp(sub, "available") == 0) {
		dr_setup_say(s, step_plugin, "no Dokku in %s: skipped (install Dokku, then run setup again)",
			     s->lib_root);
		return 0;
	}
	if (err == ELOOP || err == ENOTDIR)
		return dr_fail(e, DR_EINVAL, "%s: %s/plugins or %s/plugins/%s is a symbolic link or "
			       "not a directory; left alone (Dokku has directories there)", step_plugin,
			       s->lib_root, s->lib_root, sub);
	return dr_fail(e, DR_EIO, "%s: cannot open %s/plugins/%s: %s", step_plugin, s->lib_root, sub,
		       strerror(err));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Points the link (a path inside the directory dir, named for messages) at
 * target through a temp link and rename (never a moment without a plugin),
 * all inside dir. */
static int relink(int dir, const char *link, const char *target, struct dr_err *e)
{
	char tmp[NAME_MAX + 1];

	snprintf(tmp, sizeof(tmp), "%s.dokku-registry-tmp", base_name(link));
	unlinkat(dir, tmp, 0);
	if (symlinkat(target, dir, tmp) != 0)
		return dr_fail(e, DR_EIO, "cannot create %s.dokku-registry-tmp: %s", link, strerror(errno));
	if (renameat(dir, tmp, dir, base_name(link)) != 0) {
		int err = errno;

		unlinkat(dir, tmp, 0);
		return dr_fail(e, DR_EIO, "cannot replace %s: %s", link, strerror(err));
	}
	fsync(dir);
	return 0;
}

/* The link's target ("" when it is not a link, NULL when missing). */
static const char *link_target(int dir, const char *link, char *buf, size_t n)
{
	struct stat st;
	ssize_t len;

	if (fstatat(dir, base_name(link), &st, AT_SYMLINK_NOFOLLOW) != 0)
		return NULL;
	if (!S_ISLNK(st.st_mode))
		return "";
	len = readlinkat(dir, base_name(link), buf, n - 1);
	if (len < 0)
		return "";
	buf[len] = '\0';
	return buf;
}

/* Points link (inside dir) at target unless it does already; 1 when it
 * changed, 0 when not, a DR_E* code (negative) on error (a file that is not
 * a link is left alone). */
static int ensure_link(int dir, const char *link, const char *target, struct dr_err *e)
{
	char buf[PATH_MAX];
	const char *now = link_target(dir, link, buf, sizeof(buf));

	if (now && strcmp(now, target) == 0)
		return 0;
	if (now && !*now)
		return dr_fail(e, DR_EINVAL, "%s is not a link; left alone", link);
	return relink(dir, link, target, e) != 0 ? e->code : 1;
}

/* The registry-guard plugin, enabled as `plugn enable` does it
 * (available/registry-guard -> the guard, enabled/registry-guard ->
 * available/registry-guard): its install trigger puts the shim back after a
 * Dokku source install linked the core plugin again. 1 when it changed. */
static int link_guard(struct dr_setup *s, int avail, struct dr_err *e)
{
	int enabled, a, b;

	if (!dr_is_dir(s->guard_dir))
		return dr_fail(e, DR_ENOTFOUND, "the registry-guard plugin %s is missing (reinstall dokku-registry)",
			       s->guard_dir);
	a = ensure_link(avail, s->guard_link, s->guard_dir, e);
	if (a < 0)
		return a;
	enabled = open_plugins_dir(s, "enabled");
	if (enabled < 0)
		return no_plugins_dir(s, "enabled", errno == ENOENT ? EIO : errno, e);
	b = ensure_link(enabled, s->guard_enabled, s->guard_link, e);
	close(enabled);
	return b < 0 ? b : (a || b);
}

static int plugin_in(struct dr_setup *s, int dir, struct dr_err *e)
{
	char buf[PATH_MAX];
	const char *now;
	int guard;

	if (!dr_is_dir(s->shim_dir))
		return dr_fail(e, DR_ENOTFOUND, "%s: the plugin shim %s is missing (reinstall dokku-registry)",
			       step_plugin, s->shim_dir);
	now = link_target(dir, s->plugin_link, buf, sizeof(buf));
	if (now && strcmp(now, s->shim_dir) == 0) {
		guard = s->dry_run ? 0 : link_guard(s, dir, e);
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
	if (relink(dir, s->plugin_link, s->shim_dir, e) != 0 || link_guard(s, dir, e) < 0)
		return dr_fail(e, e->code, "%s: %s", step_plugin, e->msg);
	s->changed++;
	dr_setup_say(s, step_plugin, "%s now points at %s (was %s; `dokku-registry setup --undo` restores it); "
		     "registry-guard puts it back after a Dokku install from source",
		     s->plugin_link, s->shim_dir, now ? now : "missing");
	return 0;
}

int dr_setup_plugin(struct dr_setup *s, struct dr_err *e)
{
	int dir, rc;

	if (s->no_plugin) {
		dr_setup_say(s, step_plugin, "left alone (--no-plugin)");
		return 0;
	}
	dir = open_available(s);
	if (dir < 0)
		return no_plugins_dir(s, "available", errno, e);
	rc = plugin_in(s, dir, e);
	close(dir);
	return rc;
}

/* the guard's links, when they are ours */
static void unlink_guard(struct dr_setup *s, int avail)
{
	char buf[PATH_MAX];
	int enabled = open_plugins_dir(s, "enabled");
	const char *now;

	if (enabled >= 0) {
		now = link_target(enabled, s->guard_enabled, buf, sizeof(buf));
		if (now && strcmp(now, s->guard_link) == 0)
			unlinkat(enabled, base_name(s->guard_enabled), 0);
		close(enabled);
	}
	now = link_target(avail, s->guard_link, buf, sizeof(buf));
	if (now && strcmp(now, s->guard_dir) == 0)
		unlinkat(avail, base_name(s->guard_link), 0);
}

static int undo_in(struct dr_setup *s, int dir, struct dr_err *e)
{
	char buf[PATH_MAX];
	const char *now = link_target(dir, s->plugin_link, buf, sizeof(buf));

	if (!now || strcmp(now, s->shim_dir) != 0) {
		if (!s->dry_run)
			unlink_guard(s, dir);
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
	unlink_guard(s, dir);
	if (relink(dir, s->plugin_link, s->core_plugin, e) != 0)
		return dr_fail(e, e->code, "%s: %s", step_plugin, e->msg);
	s->changed++;
	dr_setup_say(s, step_plugin, "%s points at Dokku's own plugin again (%s); the keyring is left as it is",
		     s->plugin_link, s->core_plugin);
	return 0;
}

int dr_setup_undo_plugin(struct dr_setup *s, struct dr_err *e)
{
	int dir = open_available(s), rc;

	if (dir < 0 && errno == ENOENT) {
		dr_setup_say(s, step_plugin, "%s is not the dokku-registry shim: nothing to undo",
			     s->plugin_link);
		return 0;
	}
	if (dir < 0)
		return no_plugins_dir(s, "available", errno, e);
	rc = undo_in(s, dir, e);
	close(dir);
	return rc;
}

/* Whether dir/config.json holds a password or identity token in auths. */
static int has_plaintext(const char *dir)
{
	struct dr_buf buf = { 0 };
	char path[PATH_MAX];
	const char *key;
	json_t *root, *v;
	int found = 0;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	/* a FIFO would hold the scan: refused like any non-file */
	if (dr_file_read_regular(path, DR_DOCKERCONFIG_LIMIT, (uid_t)-1, &buf, NULL) != 0)
		return 0;
	root = json_loadb(buf.data, buf.len, 0, NULL);
	dr_buf_wipe(&buf); /* base64 passwords */
	json_object_foreach(json_object_get(root, "auths"), key, v) {
		const char *a = json_string_value(json_object_get(v, "auth"));
		const char *t = json_string_value(json_object_get(v, "identitytoken"));

		if ((a && *a) || (t && *t))
			found = 1;
	}
	json_decref(root);
	return found;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names, each with its NUL */
static int add_scope(struct dr_buf *out, const char *name, struct dr_err *e)
{
	return dr_buf_append(out, name, strlen(name) + 1, e);
}

/* Run as the dokku user (dr_setup_as_user), who owns every file it reads:
 * "--global" (for its ~/.docker) and the apps whose registry config.json
 * has plaintext credentials, each name NUL-terminated, in out. */
static int scan_as_user(const struct dr_setup *s, void *arg, struct dr_buf *out, struct dr_err *e)
{
	char dir[sizeof(s->lib_root) + 300], base[sizeof(s->lib_root) + 32];
	struct dirent *d;
	int rc = 0;
	DIR *dh;

	(void)arg;
	snprintf(dir, sizeof(dir), "%s/.docker", s->home);
	if (has_plaintext(dir))
		rc = add_scope(out, "--global", e);
	snprintf(base, sizeof(base), "%s/config/registry", s->lib_root);
	dh = opendir(base);
	while (dh && rc == 0 && (d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.' || d->d_name[0] == '-')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, d->d_name);
		if (has_plaintext(dir))
			rc = add_scope(out, d->d_name, e);
	}
	if (dh)
		closedir(dh);
	return rc;
}

/* "--global" and the apps with plaintext credentials, the apps sorted;
 * *n entries; NULL with e set when the scan failed. */
static char **plaintext_scopes(const struct dr_setup *s, size_t *n, struct dr_err *e)
{
	struct dr_buf names = { 0 };
	size_t k = 0, first_app;
	char **v;

	*n = 0;
	if (dr_setup_as_user(s, scan_as_user, NULL, &names, e) != 0)
		return NULL;
	for (size_t i = 0; i < names.len; i += strlen(names.data + i) + 1)
		k++;
	v = calloc(k + 1, sizeof(char *));
	if (!v) {
		dr_buf_wipe(&names);
		dr_oom(e);
		return NULL;
	}
	k = 0;
	for (size_t i = 0; i < names.len; i += strlen(names.data + i) + 1)
		v[k++] = strdup(names.data + i);
	dr_buf_wipe(&names);
	first_app = k && strcmp(v[0], "--global") == 0 ? 1 : 0;
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
	scopes = plaintext_scopes(s, &n, e);
	if (!scopes)
		return dr_fail(e, e->code, "%s: %s", step_migrate, e->msg);
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
