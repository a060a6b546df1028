/* Dokku's registry properties on disk: one file per property under
 * $DOKKU_LIB_ROOT/config/registry/<app>/ (and .../--global/), holding the raw
 * value with no trailing newline, mode 0600 in 0755 directories — the layout
 * Dokku's own plugin reads and writes. */
#ifndef DR_PROPERTIES_H
#define DR_PROPERTIES_H

#include "base/err.h"

#define DR_GLOBAL "--global"
#include <limits.h>
#include <stddef.h>

#define DR_PROP_LIMIT (64 * 1024)
/* NAME_MAX less the atomic write's ".tmpXXXXXX" */
#define DR_TEMP_SUFFIX_LEN 10
#define DR_PROP_NAME_MAX (NAME_MAX - DR_TEMP_SUFFIX_LEN)

/* $DOKKU_LIB_ROOT/config/registry (default /var/lib/dokku/config/registry) */
const char *dr_props_base(void);
/* base/<app>, malloc'd */
char *dr_props_dir(const char *app);
/* a missing property reads as "" */
int dr_prop_get(const char *app, const char *prop, char **value, struct dr_err *e);
/* Whether dr_prop_set can write prop of app with a value of value_len bytes
 * and every reader (DR_PROP_LIMIT) can read it back: 0, or DR_EINVAL naming
 * the limit (a name over DR_PROP_NAME_MAX, a path over PATH_MAX, a value
 * over DR_PROP_LIMIT). dr_prop_set checks it too. */
int dr_prop_check(const char *app, const char *prop, size_t value_len, struct dr_err *e);
int dr_prop_set(const char *app, const char *prop, const char *value, struct dr_err *e);
int dr_prop_unset(const char *app, const char *prop, struct dr_err *e);
int dr_props_setup_app(const char *app, struct dr_err *e);
int dr_props_destroy(const char *app, struct dr_err *e);
/* Copies every regular file of old's dir to new's, except the names in
 * skip (NULL-terminated, may be NULL); credential files keep mode 0600. */
int dr_props_clone(const char *old_app, const char *new_app, const char *const *skip,
		   struct dr_err *e);

#endif
