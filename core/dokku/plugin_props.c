#include "dokku/plugin_props.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/text.h"
#include "dokku/plugn.h"
#include "dokku/properties.h"

#define PLUGIN_PROP_LIMIT (64 * 1024)

/* dr_props_base() is .../config/registry: its parent holds every plugin */
static char *prop_path(const char *plugin, const char *app, const char *prop)
{
	const char *base = dr_props_base(), *slash = strrchr(base, '/');
	char *path = NULL;

	if (!slash)
		return NULL;
	if (asprintf(&path, "%.*s/%s/%s%s%s", (int)(slash - base), base, plugin, app,
		     prop ? "/" : "", prop ? prop : "") < 0)
		return NULL;
	return path;
}

int dr_plugin_prop_get(const char *plugin, const char *app, const char *prop, char **value,
		       struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	char *path = prop_path(plugin, app, prop);
	int rc;

	*value = NULL;
	if (!path)
		return dr_oom(e);
	rc = dr_file_read(path, PLUGIN_PROP_LIMIT, &buf, e);
	if (rc == DR_ENOTFOUND)
		rc = 0;
	else if (rc)
		rc = dr_fail(e, rc, "cannot read %s: %s", path, e ? e->msg : "");
	if (rc == 0) {
		*value = strdup(buf.data ? dr_trim(buf.data) : "");
		if (!*value)
			rc = dr_oom(e);
	}
	dr_buf_wipe(&buf);
	free(path);
	return rc;
}

int dr_plugin_prop_computed(const char *plugin, const char *app, const char *prop,
			    const char *def, char **value, struct dr_err *e)
{
	int rc = dr_plugin_prop_get(plugin, app, prop, value, e);

	if (rc == 0 && !(*value)[0]) {
		free(*value);
		rc = dr_plugin_prop_get(plugin, DR_GLOBAL, prop, value, e);
	}
	if (rc == 0 && !(*value)[0] && def) {
		free(*value);
		*value = strdup(def);
		if (!*value)
			rc = dr_oom(e);
	}
	return rc;
}

int dr_plugin_prop_set(const char *plugin, const char *app, const char *prop, const char *value,
		       struct dr_err *e)
{
	char *dir = prop_path(plugin, app, NULL), *path = prop_path(plugin, app, prop);
	int rc;

	if (!dir || !path)
		rc = dr_oom(e);
	else
		rc = dr_mkdir_p(dir, 0755, e);
	if (rc == 0)
		rc = dr_file_write_atomic(path, value, strlen(value), 0600, e);
	free(dir);
	free(path);
	return rc;
}

int dr_plugin_prop_unset(const char *plugin, const char *app, const char *prop,
			 struct dr_err *e)
{
	char *path = prop_path(plugin, app, prop);
	int rc = 0;

	if (!path)
		return dr_oom(e);
	if (unlink(path) != 0 && errno != ENOENT)
		rc = dr_fail(e, DR_EIO, "cannot remove %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

int dr_app_on_k3s(const char *app, struct dr_err *e)
{
	char *v = NULL;
	int rc = dr_app_scheduler(app, &v, e);

	if (rc == 0)
		rc = strcmp(v, "k3s") == 0;
	else
		rc = -1;
	free(v);
	return rc;
}
