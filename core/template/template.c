/* image-repo-template: Go's text/template (core/gotmpl_*.c) on
 * struct{ AppName string }, wrapped in Dokku's error prefixes. */
#include "template/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "template/gotmpl.h"

int gt_render(const char *tmpl, size_t len, const char *app, struct gt_result *r)
{
	struct gt_ctx *c = calloc(1, sizeof(*c));
	struct gt_str o = { 0 };
	struct gt_tree *set;
	volatile int rc = -1;

	memset(r, 0, sizeof(*r));
	r->is_parse = 1;
	if (!c) {
		r->err_len = (size_t)snprintf(r->err, sizeof(r->err), "out of memory");
		r->is_parse = 0;
		return -1;
	}
	c->src = tmpl;
	c->srclen = len;
	if (len > GT_MAX_INPUT) {
		r->err_len = (size_t)snprintf(r->err, sizeof(r->err), "template: template: longer than %d bytes",
					      GT_MAX_INPUT);
		goto done;
	}
	if (setjmp(c->jb)) {
		memcpy(r->err, c->err, c->err_len);
		r->err[c->err_len] = '\0';
		r->err_len = c->err_len;
		r->is_parse = c->err_is_parse;
		goto done;
	}
	set = gt_parse(c);
	c->err_is_parse = 0;
	r->is_parse = 0;
	gt_execute(c, set, app, &o);
	r->out = malloc(o.len + 1);
	if (!r->out) {
		r->err_len = (size_t)snprintf(r->err, sizeof(r->err), "out of memory");
		goto done;
	}
	memcpy(r->out, o.s, o.len);
	r->out[o.len] = '\0';
	r->out_len = o.len;
	rc = 0;
done:
	gt_free_all(c);
	free(c);
	return rc;
}

int dr_template_render(const char *tmpl, const char *app_name, char **out, struct dr_err *e)
{
	struct gt_result r;
	char shown[512];

	*out = NULL;
	if (gt_render(tmpl, strlen(tmpl), app_name, &r) != 0) {
		/* the template comes from a property or a backup: its text in the
		 * message is escaped for the terminal (a NUL shows as \x00) */
		dr_text_safe(r.err, r.err_len, shown, sizeof(shown));
		return dr_fail(e, DR_EINVAL, "Unable to %s image-repo-template: %s", r.is_parse ? "parse" : "execute",
			       shown);
	}
	if (memchr(r.out, '\0', r.out_len)) {
		/* Go keeps it; no image repository can hold one, and cutting the
		 * name there would name another repository */
		dr_text_safe(r.out, r.out_len, shown, 200);
		free(r.out);
		return dr_fail(e, DR_EINVAL,
			       "Unable to execute image-repo-template: the output has a NUL byte, which no image "
			       "repository can hold: %s", shown);
	}
	*out = r.out;
	return 0;
}
