/* k8s:pull-secret, k8s:sync and scheduler-post-delete: arguments and
 * output; the sync itself is core/dokku/k8s_sync.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/pflag.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "dokku/k8s_sync.h"
#include "dokku/plugn.h"
#include "kube/kube_secret.h"
#include "cmd.h"

/* Dokku's scheduler-post-delete <scheduler> <app> */
int cmd_scheduler_post_delete(int argc, char **argv)
{
	if (argc < 2)
		return dr_log_fail(1, "usage: dokku-registry scheduler-post-delete <scheduler> <app>");
	if (strcmp(argv[0], "k3s") != 0 || !dr_app_name_valid(argv[1]))
		return 0;
	dr_k8s_post_delete(argv[1]);
	return 0;
}

int cmd_k8s_sync(int argc, char **argv)
{
	struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_EXPLICIT };
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
	struct dr_k8s_cluster c;
	size_t n = 0;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
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
	dr_k8s_cluster_load(&c);
	if (!all)
		failed = dr_k8s_sync_run(&c, pos[0], &o);
	for (size_t i = 0; i < n; i++)
		failed |= dr_k8s_sync_run(&c, apps[i], &o);
	dr_k8s_cluster_free(&c);
	dr_apps_free(apps, n);
	free(pos);
	return failed ? 1 : 0;
}

int cmd_k8s_pull_secret(int argc, char **argv)
{
	struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_EXPLICIT };
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
		return dr_log_fail(1, DR_OOM_MSG);
	if (cmd_parse_flags("registry:k8s:pull-secret", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos,
			    &rc))
		goto out;
	if (npos != 1) {
		rc = dr_log_fail(1, "Usage: dokku registry:k8s:pull-secret <app> [--name NAME] [--namespace NS]");
		goto out;
	}
	rc = dr_app_verify(pos[0], &e);
	if (rc == 0)
		rc = dr_k8s_target(pos[0], &o, &name, &ns, &e);
	if (rc == 0)
		rc = dr_k8s_collect_auths(pos[0], 0, &auths, &e);
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
		rc = dr_log_fail(1, DR_OOM_MSG);
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
