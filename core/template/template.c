/* image-repo-template: Go's text/template (core/gotmpl_*.c) on
 * struct{ AppName string }, wrapped in Dokku's error prefixes. */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotmpl.h"

int gt_render(const char *tmpl, size_t len, const char *app, char **out, int *is_parse, char *err,
	      size_t errlen)
{
	struct gt_ctx *c = calloc(1, sizeof(*c));
	struct gt_str o = { 0 };
	struct gt_tree *set;
	volatile int rc = -1;

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		*is_parse = 0;
		return -1;
	}
	c->src = tmpl;
	c->srclen = len;
	*is_parse = 1;
	if (len > GT_MAX_INPUT) {
		snprintf(err, errlen, "template: template: longer than %d bytes", GT_MAX_INPUT);
		goto done;
	}
	if (setjmp(c->jb)) {
		snprintf(err, errlen, "%s", c->err);
		*is_parse = c->err_is_parse;
		goto done;
	}
	set = gt_parse(c);
	c->err_is_parse = 0;
	*is_parse = 0;
	gt_execute(c, set, app, &o);
	*out = malloc(o.len + 1);
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	memcpy(*out, o.s, o.len);
	(*out)[o.len] = '\0';
	rc = 0;
done:
	gt_free_all(c);
	free(c);
	return rc;
}

int dr_template_render(const char *tmpl, const char *app_name, char **out, struct dr_err *e)
{
	char err[512];
	int is_parse;

	if (gt_render(tmpl, strlen(tmpl), app_name, out, &is_parse, err, sizeof(err)) == 0)
		return 0;
	return dr_fail(e, DR_EINVAL, "Unable to %s image-repo-template: %s",
		       is_parse ? "parse" : "execute", err);
}
