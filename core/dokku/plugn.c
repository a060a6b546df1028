#include "dokku/plugn.h"


#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/exec.h"
#include "base/text.h"
#include "dokku/apps.h"
#include "dokku/properties.h"

#define PLUGN_OUTPUT_LIMIT (1024 * 1024)

const char *dr_plugn_path(void)
{
	static char path[PATH_MAX];
	const char *p = getenv("PLUGIN_PATH"), *root = getenv("DOKKU_LIB_ROOT");

	if (p && p[0])
		return p;
	snprintf(path, sizeof(path), "%s/plugins", root && root[0] ? root : "/var/lib/dokku");
	return path;
}

int dr_dokku_present(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/enabled", dr_plugn_path());
	return dr_is_dir(dir);
}

int dr_plugn_trigger_exists(const char *name)
{
	char pattern[PATH_MAX];
	glob_t g;
	int found = 0;

	snprintf(pattern, sizeof(pattern), "%s/enabled/*/%s", dr_plugn_path(), name);
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		const char *p = g.gl_pathv[i] + strlen(dr_plugn_path()) + strlen("/enabled/");

		found = strncmp(p, "20_events/", strlen("20_events/")) != 0;
	}
	globfree(&g);
	return found;
}

int dr_plugn_trigger(const char *name, const char *const *args, char **out,
		     unsigned timeout_ms, struct dr_err *e)
{
	const char *argv[32] = { "plugn", "trigger", name };
	char plugin_path[PATH_MAX + sizeof("PLUGIN_PATH=")];
	const char *env[] = { plugin_path, NULL };
	struct dr_exec x = { 0 };
	struct dr_exec_result r;
	size_t n = 3;
	int rc;

	if (out)
		*out = NULL;
	if (!dr_dokku_present())
		return dr_fail(e, DR_ENOTFOUND,
			       "cannot run Dokku's %s trigger: no Dokku here (%s/enabled is missing; "
			       "run this through `dokku registry:...` on a Dokku server, or set PLUGIN_PATH)",
			       name, dr_plugn_path());
	for (size_t i = 0; args && args[i]; i++) {
		if (n >= sizeof(argv) / sizeof(argv[0]) - 1)
			return dr_fail(e, DR_EINVAL, "too many arguments for the %s trigger", name);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	/* plugn finds its plugins only through PLUGIN_PATH, which Dokku's
	 * dispatcher exports and a unit or cron job does not: give it the
	 * directory found above */
	snprintf(plugin_path, sizeof(plugin_path), "PLUGIN_PATH=%s", dr_plugn_path());
	x.argv = argv;
	x.env_set = env;
	x.capture_stdout = out != NULL;
	x.output_limit = PLUGN_OUTPUT_LIMIT;
	x.timeout_ms = timeout_ms;
	x.own_group = out != NULL;
	rc = dr_exec_run(&x, &r, e);
	if (rc == DR_ENOTFOUND)
		return dr_fail(e, rc, "cannot run Dokku's %s trigger: plugn is not on PATH (%s) "
			       "although Dokku's plugins are in %s: reinstall dokku (it depends on plugn)",
			       name, getenv("PATH") ? getenv("PATH") : "", dr_plugn_path());
	if (rc == DR_ETIMEOUT)
		rc = dr_fail(e, rc, "Dokku's %s trigger did not finish within %us", name,
			     timeout_ms / 1000);
	else if (rc)
		rc = dr_fail(e, rc, "Dokku's %s trigger: %s", name, e->msg);
	else if (r.status != 0)
		rc = dr_fail(e, DR_EIO, "Dokku's %s trigger failed (plugn trigger %s exited with %d)",
			     name, name, r.status);
	if (rc == 0 && out) {
		*out = strdup(r.out.data ? r.out.data : "");
		if (!*out)
			rc = dr_oom(e);
	}
	dr_exec_result_free(&r);
	return rc;
}

static const char *env_or(const char *a, const char *b, const char *def)
{
	const char *v = getenv(a);

	if (!v || !v[0])
		v = b ? getenv(b) : NULL;
	return v && v[0] ? v : def;
}

int dr_plugn_filter_apps(char ***apps, size_t *n, struct dr_err *e)
{
	const char **args;
	char *out = NULL, **kept = NULL;
	size_t nkept = 0;
	int rc;

	if (!dr_plugn_trigger_exists("user-auth-app"))
		return 0;
	args = calloc(*n + 3, sizeof(*args));
	if (!args)
		return dr_oom(e);
	args[0] = env_or("SSH_USER", "USER", "");
	args[1] = env_or("SSH_NAME", "NAME", "default");
	for (size_t i = 0; i < *n; i++)
		args[i + 2] = (*apps)[i];
	rc = dr_plugn_trigger("user-auth-app", args, &out, DR_PLUGN_QUERY_TIMEOUT_MS, e);
	free(args);
	if (rc)
		return rc;
	kept = calloc(strlen(out) / 2 + 2, sizeof(*kept));
	for (char *save = NULL, *line = kept ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!line[0])
			continue;
		if (!(kept[nkept] = strdup(line))) {
			rc = dr_oom(e);
			break;
		}
		nkept++;
	}
	free(out);
	if (!kept)
		return dr_oom(e);
	if (rc) {
		dr_apps_free(kept, nkept);
		return rc;
	}
	dr_apps_free(*apps, *n);
	*apps = kept;
	*n = nkept;
	return 0;
}

static int detect(const char *app, char **out, struct dr_err *e)
{
	const char *args[] = { app, NULL };
	int rc = dr_plugn_trigger("scheduler-detect", args, out, DR_PLUGN_QUERY_TIMEOUT_MS, e);

	if (rc == 0)
		dr_trim(*out);
	return rc;
}

int dr_app_scheduler(const char *app, char **out, struct dr_err *e)
{
	int rc = 0;

	*out = NULL;
	if (strcmp(app, DR_GLOBAL) != 0)
		rc = detect(app, out, e);
	if (rc == 0 && (!*out || !(*out)[0])) {
		free(*out);
		rc = detect(DR_GLOBAL, out, e);
	}
	if (rc == 0 && !(*out)[0]) {
		free(*out);
		*out = strdup("docker-local");
		if (!*out)
			rc = dr_oom(e);
	}
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}
