/* Dokku on k3s: resolved image pull secrets synced into the cluster
 * (k8s:pull-secret, k8s:sync), and the automatic runs after login/logout,
 * before a deploy and after an app is deleted. Problems are printed as
 * Dokku-style warnings, each with its fix. */
#ifndef DR_K8S_SYNC_H
#define DR_K8S_SYNC_H

#include <jansson.h>

#include "base/err.h"
#include "kube/kube_config.h"

/* explicit: k8s:sync (every failure counts); auto: after login/logout
 * (nothing fails); deploy: before a deploy (fails only when the pull
 * could only fail) */
enum dr_k8s_sync_mode { DR_K8S_SYNC_EXPLICIT, DR_K8S_SYNC_AUTO, DR_K8S_SYNC_DEPLOY };

struct dr_k8s_sync_opts {
	const char *name; /* --name, or NULL */
	const char *ns;   /* --namespace, or NULL */
	enum dr_k8s_sync_mode mode;
};

/* The cluster, loaded once per command: Dokku's kubeconfig-path and
 * kube-context are global properties. rc/err: why it cannot be used. */
struct dr_k8s_cluster {
	struct dr_kubeconfig kc;
	char *path;
	int rc;
	struct dr_err err;
};

void dr_k8s_cluster_load(struct dr_k8s_cluster *c);
void dr_k8s_cluster_free(struct dr_k8s_cluster *c);

/* The Secret's name and namespace: --name, else the app's own
 * image-pull-secrets (a name we may have set before), else
 * dokku-registry-<app>; --namespace, else Dokku's computed namespace (app,
 * --global, "default"). Both malloc'd. */
int dr_k8s_target(const char *app, const struct dr_k8s_sync_opts *o, char **name, char **ns,
		  struct dr_err *e);

/* auths for the app's pull secret (new object). quiet: no warning when
 * the app's own registry has no login. */
int dr_k8s_collect_auths(const char *app, int quiet, json_t **auths, struct dr_err *e);

/* One app: skipped unless it is on k3s, else its Secret applied or
 * removed. 0, or 1 when it failed (already reported) in a way that counts
 * for the mode. */
int dr_k8s_sync_run(const struct dr_k8s_cluster *c, const char *app,
		    const struct dr_k8s_sync_opts *o);

/* After registry:login/logout: app, or every app on k3s when app is NULL
 * (--global). Never fails: a problem is a warning with the fix. Prints
 * nothing for apps not on k3s. */
void dr_k8s_auto_sync(const char *app);

/* From post-release-builder, before the deploy: 0, or 1 after printing
 * why the deploy must stop (the pull could only fail). */
int dr_k8s_deploy_sync(const char *app);

/* After Dokku deleted an app on k3s: our Secret of it goes too. Warnings only. */
void dr_k8s_post_delete(const char *app);

#endif
