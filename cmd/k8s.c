/* k8s:pull-secret and k8s:sync: the image pull Secret of an app on Dokku's
 * k3s scheduler, with the credentials resolved through the helpers (not
 * Dokku's verbatim copy of config.json, whose entries are empty markers
 * when the passwords live in the keyring), put into the cluster with
 * server-side apply over the Kubernetes API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "dockerconfig.h"
#include "kube_api.h"
#include "kube_config.h"
#include "kube_secret.h"
#include "log.h"
#include "plugin_props.h"
#include "plugn.h"
#include "properties.h"
#include "secmem.h"
#include "serverurl.h"
#include "settings.h"
#include "cmd.h"
#include "creds.h"
#include "k8s.h"

#define K3S "scheduler-k3s"
#define PULL_SECRETS_PROP "image-pull-secrets"
#define SECRET_ABSENT (-1) /* with enum dr_kube_owner: no such Secret */

enum sync_mode { SYNC_EXPLICIT, SYNC_AUTO, SYNC_DEPLOY };

struct sync_opts {
	const char *name; /* --name, or NULL */
	const char *ns;   /* --namespace, or NULL */
	enum sync_mode mode;
};

/* The cluster, loaded once per command: Dokku's kubeconfig-path and
 * kube-context are global properties. */
struct cluster {
	struct dr_kubeconfig kc;
	char *path;
	int rc;
	struct dr_err err;
};

/* What went wrong, for the two warning lines (reason, fix). */
struct failure {
	char reason[1024];
	char fix[1024];
};

static void cluster_load(struct cluster *c)
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

static void cluster_free(struct cluster *c)
{
	dr_kubeconfig_free(&c->kc);
	free(c->path);
}

static const char *cluster_name(const struct cluster *c)
{
	return c->kc.cluster ? c->kc.cluster : c->path ? c->path : DR_K3S_KUBECONFIG;
}

/* --name, else the app's own image-pull-secrets (a name we may have set
 * before), else dokku-registry-<app>; --namespace, else Dokku's computed
 * namespace (app, --global, "default"). */
static int target_of(const char *app, const struct sync_opts *o, char **name, char **ns,
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
		rc = dr_fail(e, DR_EIO, "out of memory");
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
static void http_failure(const struct cluster *c, const char *ns, const struct dr_kube_resp *r,
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

static void net_failure(const struct cluster *c, const struct dr_err *e, struct failure *f)
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

static int kube(const struct cluster *c, const char *method, const char *path, const char *body,
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
static int remove_secret(const struct cluster *c, const char *app, const char *ns,
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

static int apply_secret(const struct cluster *c, const char *app, const char *ns,
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
		snprintf(f->reason, sizeof(f->reason), "%s", body ? "out of memory" : e.msg);
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
static int lookup(const struct cluster *c, const char *app, const char *ns, const char *name,
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
static int sync_app(const struct cluster *c, const char *app, const struct sync_opts *o,
		    struct failure *f)
{
	struct dr_err e = { 0 };
	char *name = NULL, *ns = NULL;
	json_t *auths = NULL;
	int rc, present = 0, owner = SECRET_ABSENT;

	rc = target_of(app, o, &name, &ns, &e);
	if (rc == 0) {
		rc = k8s_collect_auths(app, o->mode != SYNC_EXPLICIT, &auths, &e);
		if (rc)
			snprintf(f->fix, sizeof(f->fix),
				 "check the logins with `dokku registry:doctor` and `dokku registry:auth-status "
				 "%s SERVER` (a locked keyring or a failing credential helper)", app);
	}
	if (rc) {
		snprintf(f->reason, sizeof(f->reason), "%s", e.msg);
		goto out;
	}
	if (o->mode != SYNC_EXPLICIT && json_object_size(auths) == 0 && !owns_property(app)) {
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

static void warn_failure(const struct cluster *c, const char *app, const struct failure *f)
{
	dr_log_warn("Unable to sync the image pull secret of %s to cluster %s%s%s%s: %s", app,
		    cluster_name(c), c->kc.server ? " (" : "", c->kc.server ? c->kc.server : "",
		    c->kc.server ? ")" : "", f->reason);
	if (f->fix[0])
		dr_log_warn("Fix: %s", f->fix);
}

/* 0, or 1 when it failed (already reported) */
static int run_one(const struct cluster *c, const char *app, const struct sync_opts *o)
{
	struct failure f = { "", "" };
	struct dr_err se = { 0 };
	char *sched = NULL;
	int k3s = dr_app_on_k3s(app, &se);

	if (k3s < 0) {
		dr_log_warn("Unable to sync the image pull secret of %s: %s", app, se.msg);
		return o->mode != SYNC_AUTO;
	}
	if (!k3s) {
		if (o->mode == SYNC_EXPLICIT) {
			dr_app_scheduler(app, &sched, NULL);
			dr_log_verbose("Skipping %s: its scheduler is %s, not k3s", app, sched ? sched : "?");
			free(sched);
		}
		return 0;
	}
	if (sync_app(c, app, o, &f) == 0)
		return 0;
	warn_failure(c, app, &f);
	if (o->mode == SYNC_DEPLOY && dokku_copy_would_fail(app)) {
		dr_log_warn("Not deploying %s: without this secret k3s gets only the empty login markers "
			    "of config.json, and the pull of its image would fail", app);
		return 1;
	}
	if (o->mode != SYNC_EXPLICIT)
		dr_log_warn("Going on: the secret already in the cluster (if any) is left in place");
	return o->mode == SYNC_EXPLICIT;
}

/* After a login: the apps on k3s get the new credentials. Without Dokku
 * here (dokku-registry run on its own) there is no app to sync. */
void k8s_auto_sync(const char *app)
{
	const struct sync_opts o = { NULL, NULL, SYNC_AUTO };
	struct dr_err e = { 0 };
	struct cluster c;
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
	cluster_load(&c);
	if (app)
		run_one(&c, app, &o);
	for (size_t i = 0; i < n; i++)
		run_one(&c, apps[i], &o);
	dr_apps_free(apps, n);
	cluster_free(&c);
}

int k8s_deploy_sync(const char *app)
{
	const struct sync_opts o = { NULL, NULL, SYNC_DEPLOY };
	struct dr_err e = { 0 };
	struct cluster c;
	int rc = dr_app_on_k3s(app, &e);

	if (rc < 0)
		return dr_log_fail(1, "%s", e.msg);
	if (rc == 0)
		return 0;
	cluster_load(&c);
	rc = run_one(&c, app, &o);
	cluster_free(&c);
	return rc;
}

/* Dokku's scheduler-post-delete <scheduler> <app>: Dokku deletes its own
 * pull-secret-<app>; ours would stay behind in the cluster. Warnings only:
 * an app's deletion never fails because of it. */
int cmd_scheduler_post_delete(int argc, char **argv)
{
	const struct sync_opts o = { NULL, NULL, SYNC_AUTO };
	struct failure f = { "", "" };
	char *name = NULL, *ns = NULL;
	struct dr_err e = { 0 };
	struct cluster c;
	int owner = SECRET_ABSENT, rc;

	if (argc < 2)
		return dr_log_fail(1, "usage: dokku-registry scheduler-post-delete <scheduler> <app>");
	if (strcmp(argv[0], "k3s") != 0 || !dr_app_name_valid(argv[1]))
		return 0;
	if (target_of(argv[1], &o, &name, &ns, &e) != 0)
		return 0;
	cluster_load(&c);
	if (c.rc) {
		/* nothing to say unless a secret of ours is known to exist */
		if (owns_property(argv[1]))
			dr_log_warn("Unable to delete the image pull secret %s/%s of %s: %s", ns, name,
				    argv[1], c.err.msg);
		goto out;
	}
	rc = lookup(&c, argv[1], ns, name, &owner, &f);
	if (rc == 0 && owner == DR_KUBE_OURS)
		rc = remove_secret(&c, argv[1], ns, name, 1, "was deleted", &f);
	if (rc)
		warn_failure(&c, argv[1], &f);
out:
	cluster_free(&c);
	free(name);
	free(ns);
	return 0;
}

int cmd_k8s_sync(int argc, char **argv)
{
	struct sync_opts o = { NULL, NULL, SYNC_EXPLICIT };
	int all = 0, npos, rc, failed = 0;
	struct dr_pflag flags[] = {
		{ .name = "all", .usage = "--all: sync every app on k3s", .set = &all },
		{ .name = "name", .type = DR_PFLAG_STRING,
		  .usage = "--name: the Secret's name (default dokku-registry-<app>)", .value = &o.name },
		{ .name = "namespace", .type = DR_PFLAG_STRING,
		  .usage = "--namespace: the namespace (default: the app's scheduler-k3s namespace)",
		  .value = &o.ns },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *)), **apps = NULL;
	struct dr_err e = { 0 };
	struct cluster c;
	size_t n = 0;

	if (!pos)
		return dr_log_fail(1, "out of memory");
	if (cmd_parse_flags("registry:k8s:sync", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc)) {
		free(pos);
		return rc;
	}
	if (all == (npos > 0) || npos > 1 || (all && (o.name || o.ns))) {
		free(pos);
		return dr_log_fail(1, "Usage: dokku registry:k8s:sync <app>|--all [--name NAME] [--namespace NS]");
	}
	if (!all && dr_app_verify(pos[0], &e) != 0) {
		free(pos);
		return cmd_fail(&e);
	}
	if (all && (dr_apps_list(&apps, &n, &e) != 0 || dr_plugn_filter_apps(&apps, &n, &e) != 0)) {
		dr_apps_free(apps, n);
		free(pos);
		return cmd_fail(&e);
	}
	cluster_load(&c);
	if (!all)
		failed = run_one(&c, pos[0], &o);
	for (size_t i = 0; i < n; i++)
		failed |= run_one(&c, apps[i], &o);
	cluster_free(&c);
	dr_apps_free(apps, n);
	free(pos);
	return failed ? 1 : 0;
}

int cmd_k8s_pull_secret(int argc, char **argv)
{
	struct sync_opts o = { NULL, NULL, SYNC_EXPLICIT };
	struct dr_pflag flags[] = {
		{ .name = "name", .type = DR_PFLAG_STRING,
		  .usage = "--name: the Secret's name (default dokku-registry-<app>)", .value = &o.name },
		{ .name = "namespace", .type = DR_PFLAG_STRING,
		  .usage = "--namespace: the namespace (default: the app's scheduler-k3s namespace)",
		  .value = &o.ns },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *)), *name = NULL, *ns = NULL, *text = NULL;
	struct dr_err e = { 0 };
	json_t *auths = NULL, *secret = NULL;
	int npos, rc;

	if (!pos)
		return dr_log_fail(1, "out of memory");
	if (cmd_parse_flags("registry:k8s:pull-secret", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos,
			    &rc))
		goto out;
	if (npos != 1) {
		rc = dr_log_fail(1, "Usage: dokku registry:k8s:pull-secret <app> [--name NAME] [--namespace NS]");
		goto out;
	}
	rc = dr_app_verify(pos[0], &e);
	if (rc == 0)
		rc = target_of(pos[0], &o, &name, &ns, &e);
	if (rc == 0)
		rc = k8s_collect_auths(pos[0], 0, &auths, &e);
	if (rc == 0)
		secret = dr_kube_secret_build(name, ns, pos[0], auths, &e);
	if (rc == 0 && !secret)
		rc = DR_EIO;
	if (rc) {
		rc = cmd_fail(&e);
		goto out;
	}
	if (json_object_size(auths) == 0)
		dr_log_warn("%s has no registry logins: the secret's auths are empty", pos[0]);
	text = json_dumps(secret, JSON_INDENT(2));
	if (!text) {
		rc = dr_log_fail(1, "out of memory");
		goto out;
	}
	puts(text);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	dr_str_wipe_free(text);
	json_decref(secret);
	json_decref(auths);
	free(name);
	free(ns);
	free(pos);
	return rc;
}
