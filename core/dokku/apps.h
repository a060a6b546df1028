/* Dokku's notion of an app: a valid name with a directory under DOKKU_ROOT. */
#ifndef DR_APPS_H
#define DR_APPS_H

#include <stddef.h>

#include "base/err.h"

/* $DOKKU_ROOT, else the dokku user's home, else /home/dokku */
const char *dr_dokku_root(void);
/* Dokku's VerifyAppName: DR_EINVAL with its messages, DR_ENOAPP (exit 20). */
int dr_app_verify(const char *app, struct dr_err *e);
/* Dokku's new or old naming rule (the old one allows "_") */
int dr_app_name_valid(const char *app);
/* Sorted app names (directories of DOKKU_ROOT; names starting with a dot
 * or an upper-case letter skipped, as Dokku's UnfilteredDokkuApps). */
int dr_apps_list(char ***apps, size_t *n, struct dr_err *e);
void dr_apps_free(char **apps, size_t n);

#endif
