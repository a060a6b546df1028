/* The Go text/template subset Dokku users write in image-repo-template:
 * literal text and `{{ .AppName }}` actions (any inner spacing, `{{-`/`-}}`
 * trim markers, comments). Anything else fails with Go's wording. */
#ifndef DR_TEMPLATE_H
#define DR_TEMPLATE_H

#include "err.h"

/* *out malloc'd on success. On failure e->msg is
 * "Unable to parse image-repo-template: template: template:1: …" or
 * "Unable to execute image-repo-template: …", as Dokku prints them. */
int dr_template_render(const char *tmpl, const char *app_name, char **out, struct dr_err *e);

#endif
