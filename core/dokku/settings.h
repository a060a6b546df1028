/* The computed registry settings of an app, with Dokku's fallback rules:
 * app value -> global value -> default. */
#ifndef DR_SETTINGS_H
#define DR_SETTINGS_H

#include "base/err.h"
#include "base/text.h"

/* Each returns a malloc'd string (never NULL on success). */

/* "ghcr.io" -> "ghcr.io/", "docker.io" -> "", "" -> "" */
int dr_computed_server(const char *app, char **out, struct dr_err *e);
/* app image-repo, else the rendered template, else dokku/<app>.
 * strict = 0 (report): a bad template falls back to dokku/<app>;
 * strict = 1 (push): a bad template is an error. */
int dr_computed_image_repo(const char *app, int strict, char **out, struct dr_err *e);
/* trimmed app image-repo-template, else the global one */
int dr_computed_image_repo_template(const char *app, char **out, struct dr_err *e);
/* trimmed app value, else global, else "false" */
int dr_computed_push_on_release(const char *app, char **out, struct dr_err *e);
/* trimmed app value, else global, else "" */
int dr_computed_push_extra_tags(const char *app, char **out, struct dr_err *e);
/* trimmed tag-version */
int dr_tag_version(const char *app, char **out, struct dr_err *e);


#endif
