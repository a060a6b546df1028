/* helpers:set / helpers:unset / helpers:report: which other credential
 * helper docker-credential-dokku hands a registry to, by host pattern. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/exec.h"
#include "base/log.h"
#include "helper/chain.h"
#include "helper/config.h"
#include "cmd.h"

/* The user config file as JSON ({} when absent). */
static int load_user_config(char *path, size_t n, json_t **root, struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	json_error_t jerr;
	int rc = dr_config_user_path(path, n, e);

	*root = NULL;
	if (rc)
		return rc;
	rc = dr_file_read(path, DR_CONFIG_LIMIT, &buf, e);
	if (rc == DR_ENOTFOUND) {
		*root = json_object();
		return 0;
	}
	if (rc)
		return rc;
	*root = json_loadb(buf.data, buf.len, 0, &jerr);
	dr_buf_wipe(&buf);
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return dr_fail(e, DR_EINVAL, "%s is not a JSON object", path);
	}
	return 0;
}

static int save_user_config(const char *path, json_t *root, struct dr_err *e)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL, *text;
	int rc = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		rc = dr_mkdir_p(dir, 0700, e);
	}
	free(dir);
	if (rc)
		return rc;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return dr_fail(e, DR_EIO, "cannot encode %s", path);
	{
		size_t n = strlen(text);
		char *line = realloc(text, n + 2);

		if (!line) {
			free(text);
			return dr_oom(e);
		}
		line[n] = '\n';
		line[n + 1] = '\0';
		text = line;
	}
	rc = dr_file_write_atomic(path, text, strlen(text), 0600, e);
	free(text);
	return rc;
}

static int edit_helpers(const char *pattern, const char *helper)
{
	char path[4096];
	struct dr_err e = { 0 };
	json_t *root, *helpers;
	int rc;

	if (helper && !dr_helper_name_valid(helper))
		return dr_log_fail(1, "Invalid helper name \"%s\": give the part after docker-credential-",
				   helper);
	if (load_user_config(path, sizeof(path), &root, &e) != 0)
		return cmd_fail(&e);
	helpers = json_object_get(root, "helpers");
	/* unset may remove a pattern the file already has that breaks today's
	 * rules (written by hand, or before the limits): the way to repair it */
	if (!dr_pattern_valid(pattern) &&
	    (helper || !json_is_object(helpers) || !json_object_get(helpers, pattern))) {
		json_decref(root);
		return dr_log_fail(1, "Invalid host pattern \"%.300s\": %s", pattern,
				   dr_pattern_problem(pattern));
	}
	if (!json_is_object(helpers)) {
		helpers = json_object();
		json_object_set_new(root, "helpers", helpers);
	}
	if (helper) {
		json_object_set_new(helpers, pattern, json_string(helper));
		dr_log_info2_quiet("Setting helper for %s to %s", pattern, helper);
	} else {
		json_object_del(helpers, pattern);
		dr_log_info2_quiet("Unsetting helper for %s", pattern);
	}
	rc = save_user_config(path, root, &e) ? cmd_fail(&e) : 0;
	json_decref(root);
	return rc;
}

/* These take no flags; pflag still refuses an unknown one (exit 2). */
static int no_flags(const char *cmd, int argc, char **argv, char **pos, int *npos, int *rc)
{
	return cmd_parse_flags(cmd, argc, argv, NULL, 0, pos, npos, rc);
}

int cmd_helpers_set(int argc, char **argv)
{
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0, rc = 0;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (!no_flags("registry:helpers:set", argc, argv, pos, &npos, &rc))
		rc = npos < 2 ? dr_log_fail(1, "usage: dokku-registry helpers:set <pattern> <helper>")
			      : edit_helpers(pos[0], pos[1]);
	free(pos);
	return rc;
}

int cmd_helpers_unset(int argc, char **argv)
{
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0, rc = 0;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (!no_flags("registry:helpers:unset", argc, argv, pos, &npos, &rc))
		rc = npos < 1 ? dr_log_fail(1, "usage: dokku-registry helpers:unset <pattern>")
			      : edit_helpers(pos[0], NULL);
	free(pos);
	return rc;
}

int cmd_helpers_report(int argc, char **argv)
{
	struct dr_config c;
	struct dr_err e = { 0 };
	char prog[128], **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0, rc = 0, stop;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	stop = no_flags("registry:helpers:report", argc, argv, pos, &npos, &rc);
	free(pos);
	if (stop)
		return rc;
	if (dr_config_load(&c, &e) != 0)
		return cmd_fail(&e);
	dr_log_info2_quiet("credential helpers (%s)", c.path[0] ? c.path : "no config file");
	if (c.nchained == 0)
		dr_log_verbose("none: every registry is kept in the keyring");
	for (size_t i = 0; i < c.nchained; i++) {
		snprintf(prog, sizeof(prog), "docker-credential-%s", c.chained[i].helper);
		dr_log_verbose("%-40s %-20s %s", c.chained[i].pattern, c.chained[i].helper,
			       dr_exec_on_path(prog) ? "installed" : "NOT ON PATH");
	}
	return 0;
}
