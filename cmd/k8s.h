/* Dokku on k3s: resolved image pull secrets synced into the cluster
 * (k8s:pull-secret, k8s:sync), and the automatic runs after login/logout
 * and before a deploy. */
#ifndef DR_CMD_K8S_H
#define DR_CMD_K8S_H

#include <jansson.h>

#include "base/err.h"

/* auths for the app's pull secret (new object). quiet: no warning when
 * the app's own registry has no login. */
int k8s_collect_auths(const char *app, int quiet, json_t **auths, struct dr_err *e);

/* After registry:login/logout: app, or every app on k3s when app is NULL
 * (--global). Never fails: a problem is a warning with the fix. Prints
 * nothing for apps not on k3s. */
void k8s_auto_sync(const char *app);

/* From post-release-builder, before the deploy: 0, or 1 after printing
 * why the deploy must stop (the pull could only fail). */
int k8s_deploy_sync(const char *app);

#endif
