/* The `auths` an app's pods need (dokku/k8s_sync.h): its computed server and every
 * registry its computed config dir has a login for, each resolved through
 * the helper protocol in that dir, as docker would with Dokku's
 * `--config`: the app's own dir when it has logins of its own (then only
 * those), else the global one. */
#include "dokku/k8s_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/serverurl.h"
#include "dokku/settings.h"
#include "helper/dockerauth.h"
#include "helper/dockerconfig.h"
#include "kube/kube_secret.h"
#include "base/text.h"
#include "dokku/config_dir.h"

/* "ghcr.io/" -> the auth key of ghcr.io; "" (Docker Hub) -> the Hub key */
static char *computed_server_key(const char *app, struct dr_err *e)
{
	char *server = NULL, *key;
	size_t n;

	if (dr_computed_server(app, &server, e) != 0)
		return NULL;
	n = strlen(server);
	if (n && server[n - 1] == '/')
		server[n - 1] = '\0';
	key = dr_docker_auth_key(server[0] ? server : DR_HUB_KEY);
	if (!key)
		dr_fail(e, DR_EINVAL, "the registry server of %s is not a registry address: %s", app,
			server);
	free(server);
	return key;
}

int dr_k8s_collect_auths(const char *app, int quiet, json_t **auths, struct dr_err *e)
{
	char *dir = dr_computed_docker_config_dir(app);
	char **keys = NULL, *server_key = computed_server_key(app, e);
	int rc = 0, explicit_server;

	*auths = json_object();
	if (!dir || !*auths || !server_key) {
		rc = server_key ? dr_oom(e) : e->code;
		goto out;
	}
	keys = calloc(2, sizeof(char *));
	if (keys)
		keys[0] = strdup(server_key);
	if (!keys || !keys[0]) {
		rc = dr_oom(e);
		goto out;
	}
	rc = dr_dockerauth_registries(dir, &keys, e);
	{
		char *s = NULL;

		explicit_server = dr_computed_server(app, &s, NULL) == 0 && s[0];
		free(s);
	}
	for (size_t i = 0; rc == 0 && keys[i]; i++) {
		struct dr_dockerauth a;

		rc = dr_dockerauth_resolve(dir, keys[i], &a, e);
		if (rc == DR_ENOTFOUND) {
			/* a registry without a login is pulled from anonymously; say so
			 * only for the app's own server */
			if (i == 0 && explicit_server && !quiet)
				dr_log_warn("No login for %s (the registry of %s): pulls from it are anonymous",
					    keys[i], app);
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (a.token)
			dr_log_warn("The login for %s is an identity token: containerd and kubelet "
				    "may not use identitytoken entries; prefer a password or access token",
				    keys[i]);
		rc = dr_kube_auths_add(*auths, keys[i], a.username, a.secret, a.secret_len, a.token, e);
		dr_dockerauth_wipe(&a);
	}
out:
	if (rc) {
		json_decref(*auths);
		*auths = NULL;
	}
	dr_strv_free(keys);
	free(server_key);
	free(dir);
	return rc;
}
