/* registry:set <app>|--global <property> [<value>] */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dokku/apps.h"
#include "dokku/properties.h"
#include "cmd.h"

/* sorted: the error message lists them in this order */
static const char *const valid_props[] = {
	"image-repo", "image-repo-template", "push-extra-tags", "push-on-release", "server",
};
static const char *const global_props[] = {
	"image-repo-template", "push-extra-tags", "push-on-release", "server",
};

static int in_list(const char *p, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p, list[i]) == 0)
			return 1;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	int global = 0, npos, rc = 0;
	struct dr_pflag flags[] = {
		{ .name = "global", .usage = "--global: set a global property", .set = &global },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	const char *app, *prop, *value;
	struct dr_err e = { 0 };

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (cmd_parse_flags("registry:set", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		goto out;
	app = global ? DR_GLOBAL : cmd_arg(pos, npos, 0);
	prop = cmd_arg(pos, npos, global ? 0 : 1);
	value = cmd_arg(pos, npos, global ? 1 : 2);
	if (!global && dr_app_verify(app, &e) != 0) {
		rc = cmd_fail(&e);
		goto out;
	}
	if (global && !in_list(prop, global_props, sizeof(global_props) / sizeof(*global_props))) {
		rc = dr_log_fail(1, "Property cannot be specified globally");
		goto out;
	}
	if (!prop[0]) {
		rc = dr_log_fail(1, "No property specified");
		goto out;
	}
	if (!in_list(prop, valid_props, sizeof(valid_props) / sizeof(*valid_props))) {
		rc = dr_log_fail(1, "Invalid property specified, valid properties include: image-repo, image-repo-template, push-extra-tags, push-on-release, server");
		goto out;
	}
	if (!value[0]) {
		dr_log_info2_quiet("Unsetting %s", prop);
		rc = dr_prop_unset(app, prop, &e) ? cmd_fail(&e) : 0;
		goto out;
	}
	dr_log_info2_quiet("Setting %s to %s", prop, value);
	/* Dokku stores any value but pushes only on the exact string "true" */
	if (strcmp(prop, "push-on-release") == 0 && strcmp(value, "true") != 0 &&
	    strcmp(value, "false") != 0)
		dr_log_warn("push-on-release is \"%s\": only \"true\" enables pushing; use true or false",
			    value);
	rc = dr_prop_set(app, prop, value, &e) ? cmd_fail(&e) : 0;
out:
	free(pos);
	return rc;
}
