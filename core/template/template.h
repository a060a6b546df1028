/* image-repo-template: Go's text/template (core/gotmpl_*.c), parsed as
 * "template" and executed on struct{ AppName string } as Dokku does. */
#ifndef DR_TEMPLATE_H
#define DR_TEMPLATE_H

#include "base/err.h"

/* *out malloc'd on success (not trimmed; callers trim as Dokku does). On
 * failure e->msg is "Unable to parse image-repo-template: template: template:1: …"
 * or "Unable to execute image-repo-template: template: template:1:5: executing …",
 * Go's text behind Dokku's prefixes (a NUL byte in it shown as \x00). An
 * output holding a NUL byte fails too: no image repository can hold one. */
int dr_template_render(const char *tmpl, const char *app_name, char **out, struct dr_err *e);

#endif
