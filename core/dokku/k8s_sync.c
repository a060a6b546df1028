/* The image pull Secret of an app on Dokku's
 * k3s scheduler, with the credentials resolved through the helpers (not
 * Dokku's verbatim copy of config.json, whose entries are empty markers
 * when the passwords live in the keyring), put into the cluster with
 * server-side apply over the Kubernetes API. */
#include "dokku/k8s_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "dokku/config_dir.h"
#include "dokku/plugin_props.h"
#include "dokku/plugn.h"
#include "dokku/properties.h"
#include "dokku/settings.h"
#include "helper/dockerconfig.h"
#include "base/serverurl.h"
#include "kube/kube_api.h"
#include "kube/kube_secret.h"

#define K3S "scheduler-k3s"
#define PULL_SECRETS_PROP "image-pull-secrets"
#define SECRET_ABSENT (-1) /* with enum dr_kube_owner: no such Secret */

/* What went wrong, for the two warning lines (reason, fix). */
struct failure {
	char reason[1024];
	char fix[1024];
};

void dr_k8s_cluster_load(struct dr_k8s_cluster *c)
{
	char *ctx = NULL;

	memset(c, 0, sizeof(*c));
	c->rc = dr_plugin_prop_computed(K3S, DR_GLOBAL, "kubeconfig-path", DR_K3S_KUBECONFIG, &c->path,
					&c->err);
	if (c->rc == 0)
		c->rc = dr_plugin_prop_computed(K3S, DR_GLOBAL, "kube-context", "", &ctx, &c->err);
	if (c->rc == 0)
		c->rc = dr_kubeconfig_load(c->path, ctx, &c->kc, &c->err);
	free(ctx);
}

void dr_k8s_cluster_free(struct dr_k8s_cluster *c)
{
	dr_kubeconfig_free(&c->kc);
	free(c->path);
}

static const char *cluster_name(const struct dr_k8s_cluster *c)
{
	return c->kc.cluster ? c->kc.cluster : c->path ? c->path : DR_K3S_KUBECONFIG;
}

/* --name, else the app's own image-pull-secrets (a name we may have set
 * before), else dokku-registry-<app>; --namespace, else Dokku's computed
 * namespace (app, --global, "default"). */
int dr_k8s_target(const char *app, const struct dr_k8s_sync_opts *o, char **name, char **ns,
		     struct dr_err *e)
{
	char *prop = NULL;
	int rc = dr_plugin_prop_get(K3S, app, PULL_SECRETS_PROP, &prop, e);

	*name = *ns = NULL;
	if (rc)
		return rc;
	if (o->name)
		*name = strdup(o->name);
	else if (prop[0])
		*name = strdup(prop);
	else if (asprintf(name, "dokku-registry-%s", app) < 0)
		*name = NULL;
	free(prop);
	if (o->ns)
		*ns = strdup(o->ns);
	else
		rc = dr_plugin_prop_computed(K3S, app, "namespace", "default", ns, e);
	if (rc == 0 && (!*name || !*ns))
		rc = dr_oom(e);
	if (rc == 0 && !dr_kube_name_valid(*name))
		rc = dr_fail(e, DR_EINVAL, "%s is not a valid Secret name (lower-case letters, digits, '-' and '.')",
			     *name);
	if (rc == 0 && !dr_kube_namespace_valid(*ns))
		rc = dr_fail(e, DR_EINVAL, "%s is not a valid namespace name", *ns);
	if (rc) {
		free(*name);
		free(*ns);
		*name = *ns = NULL;
	}
	return rc;
}

static char *secret_path(const char *ns, const char *name, const char *query)
{
	char *p = NULL;

	if (asprintf(&p, "/api/v1/namespaces/%s/secrets/%s%s", ns, name, query ? query : "") < 0)
		return NULL;
	return p;
}

/* The reason and the fix for an answer of the API server that is not what
 * was asked for. */
static void http_failure(const struct dr_k8s_cluster *c, const char *ns, const struct dr_kube_resp *r,
			 const char *doing, struct failure *f)
{
	char *msg = dr_kube_status_message(r);
	const char *user = c->kc.user ? c->kc.user : "(none)";

	snprintf(f->reason, sizeof(f->reason), "%s: HTTP %ld: %s", doing, r->status,
		 msg ? msg : "");
	if (r->status == 401)
		snprintf(f->fix, sizeof(f->fix),
			 "the cluster does not accept the credentials of user %s in %s (client certificate or "
			 "token): renew them, or point Dokku at a current kubeconfig with "
			 "`dokku scheduler-k3s:set --global kubeconfig-path PATH`", user, c->path);
	else if (r->status == 403)
		snprintf(f->fix, sizeof(f->fix),
			 "allow user %s of %s to get, patch and delete secrets in namespace %s", user,
			 c->path, ns);
	else if (r->status == 404)
		snprintf(f->fix, sizeof(f->fix),
			 "create namespace %s, or set the app's namespace with `dokku scheduler-k3s:set APP namespace NS`",
			 ns);
	else
		snprintf(f->fix, sizeof(f->fix), "see the API server's message above, then run "
			 "`dokku registry:k8s:sync APP` again");
	free(msg);
}

static void net_failure(const struct dr_k8s_cluster *c, const struct dr_err *e, struct failure *f)
{
	snprintf(f->reason, sizeof(f->reason), "%s", e->msg);
	if (e->code == DR_ETLS)
		snprintf(f->fix, sizeof(f->fix),
			 "the API server's certificate must match certificate-authority of cluster %s in %s, "
			 "and its client certificate must be accepted: use the cluster's current kubeconfig",
			 cluster_name(c), c->path);
	else
		snprintf(f->fix, sizeof(f->fix), "make sure k3s is running and %s is reachable from this host",
			 c->kc.server);
}

static int kube(const struct dr_k8s_cluster *c, const char *method, const char *path, const char *body,
		struct dr_kube_resp *r, struct failure *f)
{
	struct dr_err e = { 0 };
	int rc = dr_kube_request(&c->kc, method, path,
				 body ? "application/apply-patch+yaml" : NULL, body,
				 body ? strlen(body) : 0, r, &e);

	if (rc)
		net_failure(c, &e, f);
	return rc;
}

/* Deletes NS/NAME if it is ours and unsets the property that names it. */
static int remove_secret(const struct dr_k8s_cluster *c, const char *app, const char *ns,
			 const char *name, int present, const char *why, struct failure *f)
{
	struct dr_kube_resp r = { 0 };
	char *path = secret_path(ns, name, NULL), *prop = NULL;
	struct dr_err e = { 0 };
	int rc = 0;

	if (present) {
		rc = kube(c, "DELETE", path, NULL, &r, f);
		if (rc == 0 && r.status != 200 && r.status != 202 && r.status != 404) {
			http_failure(c, ns, &r, "deleting the Secret", f);
			rc = DR_EIO;
		}
		if (rc == 0)
			dr_log_verbose("Secret %s/%s deleted from cluster %s (%s %s)", ns, name,
				       cluster_name(c), app, why);
		dr_kube_resp_free(&r);
	}
	if (rc == 0 && dr_plugin_prop_get(K3S, app, PULL_SECRETS_PROP, &prop, &e) == 0 &&
	    strcmp(prop, name) == 0) {
		rc = dr_plugin_prop_unset(K3S, app, PULL_SECRETS_PROP, &e);
		if (rc == 0)
			dr_log_verbose("Unset scheduler-k3s %s of %s", PULL_SECRETS_PROP, app);
		else
			snprintf(f->reason, sizeof(f->reason), "%s", e.msg);
	}
	free(prop);
	free(path);
	return rc;
}

static int apply_secret(const struct dr_k8s_cluster *c, const char *app, const char *ns,
			const char *name, json_t *auths, int present, struct failure *f)
{
	struct dr_kube_resp r = { 0 };
	struct dr_err e = { 0 };
	json_t *secret = dr_kube_secret_build(name, ns, app, auths, &e);
	char *body = secret ? json_dumps(secret, JSON_COMPACT) : NULL;
	char *path = secret_path(ns, name, "?fieldManager=" DR_KUBE_MANAGER "&force=true");
	char *prop = NULL;
	int rc;

	json_decref(secret);
	if (!body || !path) {
		snprintf(f->reason, sizeof(f->reason), "%s", body ? DR_OOM_MSG : e.msg);
		rc = DR_EIO;
		goto out;
	}
	rc = kube(c, "PATCH", path, body, &r, f);
	if (rc == 0 && r.status != 200 && r.status != 201) {
		http_failure(c, ns, &r, "applying the Secret", f);
		rc = DR_EIO;
	}
	if (rc)
		goto out;
	dr_log_verbose("Secret %s/%s %s in cluster %s (%zu registr%s)", ns, name,
		       present ? "updated" : "created", cluster_name(c), json_object_size(auths),
		       json_object_size(auths) == 1 ? "y" : "ies");
	rc = dr_plugin_prop_get(K3S, app, PULL_SECRETS_PROP, &prop, &e);
	if (rc == 0 && strcmp(prop, name) != 0) {
		rc = dr_plugin_prop_set(K3S, app, PULL_SECRETS_PROP, name, &e);
		if (rc == 0)
			dr_log_verbose("Set scheduler-k3s %s of %s to %s", PULL_SECRETS_PROP, app, name);
	}
	if (rc)
		snprintf(f->reason, sizeof(f->reason), "%s", e.msg);
out:
	dr_kube_resp_free(&r);
	dr_str_wipe_free(body);
	free(path);
	free(prop);
	return rc;
}

/* The app's own image-pull-secrets is set (possibly by us, to a secret
 * that has to go when the logins are gone). */
static int owns_property(const char *app)
{
	char *prop = NULL;
	int set = dr_plugin_prop_get(K3S, app, PULL_SECRETS_PROP, &prop, NULL) == 0 && prop[0];

	free(prop);
	return set;
}

/* *owner: SECRET_ABSENT, or whose the Secret NS/NAME is */
static int lookup(const struct dr_k8s_cluster *c, const char *app, const char *ns, const char *name,
		  int *owner, struct failure *f)
{
	struct dr_kube_resp r = { 0 };
	char *path = secret_path(ns, name, NULL);
	int rc = path ? kube(c, "GET", path, NULL, &r, f) : DR_EIO;

	*owner = SECRET_ABSENT;
	if (rc == 0 && r.status == 200) {
		*owner = (int)dr_kube_secret_owner(r.body.data, r.body.len, app);
	} else if (rc == 0 && r.status != 404) {
		http_failure(c, ns, &r, "reading the Secret", f);
		rc = DR_EIO;
	}
	dr_kube_resp_free(&r);
	free(path);
	return rc;
}

/* One app: resolve, look at what the cluster has, then apply or remove. */
static int sync_app(const struct dr_k8s_cluster *c, const char *app, const struct dr_k8s_sync_opts *o,
		    struct failure *f)
{
	struct dr_err e = { 0 };
	char *name = NULL, *ns = NULL;
	json_t *auths = NULL;
	int rc, present = 0, owner = SECRET_ABSENT;

	rc = dr_k8s_target(app, o, &name, &ns, &e);
	if (rc == 0) {
		rc = dr_k8s_collect_auths(app, o->mode != DR_K8S_SYNC_EXPLICIT, &auths, &e);
		if (rc)
			snprintf(f->fix, sizeof(f->fix),
				 "check the logins with `dokku registry:doctor` and `dokku registry:auth-status "
				 "%s SERVER` (a locked keyring or a failing credential helper)", app);
	}
	if (rc) {
		snprintf(f->reason, sizeof(f->reason), "%s", e.msg);
		goto out;
	}
	if (o->mode != DR_K8S_SYNC_EXPLICIT && json_object_size(auths) == 0 && !owns_property(app)) {
		/* no logins and no secret of ours named: nothing to do, and the
		 * deploy (or login) goes on exactly as Dokku's */
		goto out;
	}
	if (c->rc) {
		snprintf(f->reason, sizeof(f->reason), "%s", c->err.msg);
		snprintf(f->fix, sizeof(f->fix),
			 "point Dokku at the cluster's kubeconfig with `dokku scheduler-k3s:set --global "
			 "kubeconfig-path PATH` (now %s)", c->path ? c->path : DR_K3S_KUBECONFIG);
		rc = c->rc;
		goto out;
	}
	dr_log_info1("Syncing the image pull secret of %s", app);
	rc = lookup(c, app, ns, name, &owner, f);
	if (rc == 0 && owner == DR_KUBE_OTHER_APP && !o->name) {
		/* image-pull-secrets came along with a renamed or cloned app and
		 * names the old app's secret: this app gets its own */
		free(name);
		if (asprintf(&name, "dokku-registry-%s", app) < 0)
			name = NULL;
		rc = name ? lookup(c, app, ns, name, &owner, f) : DR_EIO;
	}
	if (rc == 0 && owner != SECRET_ABSENT && owner != DR_KUBE_OURS) {
		snprintf(f->reason, sizeof(f->reason),
			 "Secret %s/%s exists and was not created by dokku-registry for %s", ns, name, app);
		snprintf(f->fix, sizeof(f->fix),
			 "leave it alone and pick another name with `dokku registry:k8s:sync %s --name NAME`, "
			 "or clear the app's property with `dokku scheduler-k3s:set %s %s`", app, app,
			 PULL_SECRETS_PROP);
		rc = DR_EINVAL;
	}
	present = owner != SECRET_ABSENT;
	if (rc == 0 && json_object_size(auths) == 0)
		rc = remove_secret(c, app, ns, name, present, "has no registry logins left", f);
	else if (rc == 0)
		rc = apply_secret(c, app, ns, name, auths, present, f);
out:
	json_decref(auths);
	free(name);
	free(ns);
	return rc;
}

/* Dokku's fallback when image-pull-secrets is unset: it copies the
 * computed config.json verbatim. Its entry for the app's registry being an
 * empty marker means the pods' pull can only fail. */
static int dokku_copy_would_fail(const char *app)
{
	struct dr_dockercfg cfg;
	char *dir = dr_docker_config_dir(app), *global = dr_docker_config_dir(NULL), *server = NULL, *prop = NULL;
	int fail = 0;

	if (dr_plugin_prop_computed(K3S, app, PULL_SECRETS_PROP, "", &prop, NULL) == 0 && !prop[0] &&
	    dr_computed_server(app, &server, NULL) == 0 && dir && global) {
		json_t *entry = NULL;

		/* Dokku's GetComputedAppRegistryConfigDir: the app's dir when its
		 * auths is a non-empty map, else the global one */
		if (dr_dockercfg_load(&cfg, dir, NULL) == 0 && !dr_dockercfg_has_auths(&cfg)) {
			dr_dockercfg_free(&cfg);
			dr_dockercfg_load(&cfg, global, NULL);
		}
		if (cfg.root)
			entry = dr_dockercfg_auth_entry(&cfg, server[0] ? server : DR_HUB_KEY);
		fail = entry && !json_object_get(entry, "auth") && !json_object_get(entry, "identitytoken");
		dr_dockercfg_free(&cfg);
	}
	free(prop);
	free(server);
	free(dir);
	free(global);
	return fail;
}

static void warn_failure(const struct dr_k8s_cluster *c, const char *app, const struct failure *f)
{
	dr_log_warn("Unable to sync the image pull secret of %s to cluster %s%s%s%s: %s", app,
		    cluster_name(c), c->kc.server ? " (" : "", c->kc.server ? c->kc.server : "",
		    c->kc.server ? ")" : "", f->reason);
	if (f->fix[0])
		dr_log_warn("Fix: %s", f->fix);
}

/* 0, or 1 when it failed (already reported) */
int dr_k8s_sync_run(const struct dr_k8s_cluster *c, const char *app, const struct dr_k8s_sync_opts *o)
{
	struct failure f = { "", "" };
	struct dr_err se = { 0 };
	char *sched = NULL;
	int k3s = dr_app_on_k3s(app, &se);

	if (k3s < 0) {
		dr_log_warn("Unable to sync the image pull secret of %s: %s", app, se.msg);
		return o->mode != DR_K8S_SYNC_AUTO;
	}
	if (!k3s) {
		if (o->mode == DR_K8S_SYNC_EXPLICIT) {
			dr_app_scheduler(app, &sched, NULL);
			dr_log_verbose("Skipping %s: its scheduler is %s, not k3s", app, sched ? sched : "?");
			free(sched);
		}
		return 0;
	}
	if (sync_app(c, app, o, &f) == 0)
		return 0;
	warn_failure(c, app, &f);
	if (o->mode == DR_K8S_SYNC_DEPLOY && dokku_copy_would_fail(app)) {
		dr_log_warn("Not deploying %s: without this secret k3s gets only the empty login markers "
			    "of config.json, and the pull of its image would fail", app);
		return 1;
	}
	if (o->mode != DR_K8S_SYNC_EXPLICIT)
		dr_log_warn("Going on: the secret already in the cluster (if any) is left in place");
	return o->mode == DR_K8S_SYNC_EXPLICIT;
}

/* After a login: the apps on k3s get the new credentials. Without Dokku
 * here (dokku-registry run on its own) there is no app to sync. */
void dr_k8s_auto_sync(const char *app)
{
	const struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_AUTO };
	struct dr_err e = { 0 };
	struct dr_k8s_cluster c;
	char **apps = NULL;
	size_t n = 0;
	int any = 0;

	if (!dr_dokku_present())
		return;
	if (app) {
		any = dr_app_on_k3s(app, &e);
	} else {
		if (dr_apps_list(&apps, &n, NULL) != 0)
			return;
		for (size_t i = 0; i < n && any == 0; i++)
			any = dr_app_on_k3s(apps[i], &e);
	}
	if (any < 0)
		dr_log_warn("Not syncing image pull secrets: %s", e.msg);
	if (any != 1) {
		dr_apps_free(apps, n);
		return;
	}
	dr_k8s_cluster_load(&c);
	if (app)
		dr_k8s_sync_run(&c, app, &o);
	for (size_t i = 0; i < n; i++)
		dr_k8s_sync_run(&c, apps[i], &o);
	dr_apps_free(apps, n);
	dr_k8s_cluster_free(&c);
}

int dr_k8s_deploy_sync(const char *app)
{
	const struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_DEPLOY };
	struct dr_err e = { 0 };
	struct dr_k8s_cluster c;
	int rc = dr_app_on_k3s(app, &e);

	if (rc < 0)
		return dr_log_fail(1, "%s", e.msg);
	if (rc == 0)
		return 0;
	dr_k8s_cluster_load(&c);
	rc = dr_k8s_sync_run(&c, app, &o);
	dr_k8s_cluster_free(&c);
	return rc;
}

/* Dokku's scheduler-post-delete for an app on k3s: Dokku deletes its own
 * pull-secret-<app>; ours would stay behind in the cluster. Warnings only:
 * an app's deletion never fails because of it. */
void dr_k8s_post_delete(const char *app)
{
	const struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_AUTO };
	struct failure f = { "", "" };
	char *name = NULL, *ns = NULL;
	struct dr_err e = { 0 };
	struct dr_k8s_cluster c;
	int owner = SECRET_ABSENT, rc;

	if (dr_k8s_target(app, &o, &name, &ns, &e) != 0)
		return;
	dr_k8s_cluster_load(&c);
	if (c.rc) {
		/* nothing to say unless a secret of ours is known to exist */
		if (owns_property(app))
			dr_log_warn("Unable to delete the image pull secret %s/%s of %s: %s", ns, name,
				    app, c.err.msg);
		goto out;
	}
	rc = lookup(&c, app, ns, name, &owner, &f);
	if (rc == 0 && owner == DR_KUBE_OURS)
		rc = remove_secret(&c, app, ns, name, 1, "was deleted", &f);
	if (rc)
		warn_failure(&c, app, &f);
out:
	dr_k8s_cluster_free(&c);
	free(name);
	free(ns);
}
