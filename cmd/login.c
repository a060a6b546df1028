/* registry:login and registry:logout: the registry checks
 * the credentials over libcurl, the keyring keeps them through
 * docker-credential-dokku, config.json only gets Docker's empty marker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/log.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "dokku/plugn.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"
#include "helper/preflight.h"
#include "registry/registry.h"
#include "cmd.h"
#include "creds.h"
#include "dokku/k8s_sync.h"

#define POST_LOGIN_TIMEOUT_MS (10u * 60 * 1000)

struct login {
	const char *app; /* NULL: global */
	const char *server;
	const char *user;
	char *password;  /* owned, wiped */
	int insecure;
};

static int verify_with_registry(const struct login *l, struct dr_err *e)
{
	struct dr_registry_opts o = { 0, l->insecure, "dokku-registry/" DR_VERSION };
	struct dr_registry *r = NULL;
	int rc = dr_registry_open(&r, l->server, &o, e);

	if (rc == 0)
		rc = dr_registry_set_credentials(r, l->user, l->password, e);
	if (rc == 0)
		rc = dr_registry_check_login(r, e);
	dr_registry_close(r);
	return rc;
}

/* The login the keyring holds now for this scope only (an app's lookup
 * must not fall back to the global entry): what a rollback puts back. */
static int current_login(const char *dir, const char *key, struct dr_creds *prev,
			 int *had, struct dr_err *e)
{
	int rc = dr_credhelper_get(DR_OWN_HELPER, dir, key, prev, e);

	*had = rc == 0;
	return rc == DR_ENOTFOUND ? 0 : rc;
}

/* config.json could not get the marker after the store: put the keyring
 * back as it was, and say exactly what state is left. */
static int roll_back(const char *dir, const char *key, const struct dr_creds *prev, int had,
		     struct dr_err *e)
{
	struct dr_err undo = { 0 };
	char why[sizeof(e->msg)];
	int rc;

	snprintf(why, sizeof(why), "%s", e->msg);
	rc = had ? dr_credhelper_store(DR_OWN_HELPER, dir, prev, &undo)
		 : dr_credhelper_erase(DR_OWN_HELPER, dir, key, &undo);
	if (rc == 0)
		return dr_fail(e, DR_EIO, "%s; the keyring was rolled back (%s)", why,
			       had ? "the previous login is kept" : "nothing is stored for it");
	return dr_fail(e, DR_EIO,
		       "%s; the new credentials stay in the keyring but docker is not pointed at them, and undoing that failed: %s",
		       why, undo.msg);
}

/* config.json is read first (a broken one stops the login before anything
 * is stored), then the keyring, then the marker; a marker that cannot be
 * written rolls the keyring back. */
static int keep_login(const struct login *l, const char *dir, struct dr_err *e)
{
	struct dr_creds c = { 0 }, prev = { 0 };
	struct dr_dockercfg cfg;
	char *key = dr_docker_auth_key(l->server);
	int rc, had = 0;

	if (!key)
		return dr_fail(e, DR_EINVAL, "not a registry address: %s", l->server);
	rc = dr_dockercfg_load(&cfg, dir, e);
	if (rc) {
		free(key);
		return rc;
	}
	c.server_url = key;
	c.username = (char *)l->user;
	c.secret = l->password;
	c.secret_len = strlen(l->password);
	rc = current_login(dir, key, &prev, &had, e);
	if (rc == 0)
		rc = dr_credhelper_store(DR_OWN_HELPER, dir, &c, e);
	if (rc == 0) {
		rc = dr_dockercfg_use_helper(&cfg, l->server, DR_OWN_HELPER, 1, e);
		if (rc == 0)
			rc = dr_dockercfg_save(&cfg, e);
		if (rc)
			rc = roll_back(dir, key, &prev, had, e);
	}
	dr_creds_wipe(&prev);
	dr_dockercfg_free(&cfg);
	free(key);
	return rc;
}

/* Dokku's post-registry-login SERVER USER (plugins/registry/subcommands.go,
 * CommandLogin). Dokku also hands its triggers the password as
 * DOCKER_REGISTRY_PASS; here no trigger ever sees it: the password is wiped
 * before they run and their environment is ours. Without Dokku here
 * (dokku-registry run on its own) nobody is told. */
static int fire_post_registry_login(struct login *l)
{
	const char *args[] = { l->server, l->user, NULL };
	struct dr_err e = { 0 };

	dr_str_wipe_free(l->password);
	l->password = NULL;
	if (!dr_dokku_present())
		return 0;
	if (dr_plugn_trigger("post-registry-login", args, NULL, POST_LOGIN_TIMEOUT_MS, &e) != 0)
		return cmd_fail(&e);
	return 0;
}

static int login_run(struct login *l)
{
	struct dr_err e = { 0 };
	char *dir = NULL;
	int rc = 0;

	if (!l->server[0])
		return dr_log_fail(1, "Missing server argument");
	if (!l->user[0])
		return dr_log_fail(1, "Missing username argument");
	if (!l->password || !l->password[0])
		return dr_log_fail(1, "Missing password argument");
	l->server = creds_normalize_server(l->server);
	if (l->app && dr_app_verify(l->app, &e) != 0)
		return cmd_fail(&e);
	dir = dr_docker_config_dir(l->app);
	if (!dir)
		return dr_log_fail(1, DR_OOM_MSG);
	if (l->app && dr_mkdir_p(dir, 0700, &e) != 0)
		rc = dr_log_fail(1, "Unable to create registry config directory: %s", e.msg);
	else if (verify_with_registry(l, &e) != 0)
		rc = dr_log_fail(1, "Unable to run docker login: %s", e.msg);
	else if (keep_login(l, dir, &e) != 0)
		rc = dr_log_fail(1, "Unable to store the credentials: %s%s", e.msg,
				 dr_keyring_fix_suffix(e.msg));
	else if (l->app)
		dr_log_warn("Login Succeeded for %s", l->app);
	else
		dr_log_warn("Login Succeeded for global registry");
	if (rc == 0)
		rc = fire_post_registry_login(l);
	if (rc == 0)
		dr_k8s_auto_sync(l->app);
	free(dir);
	return rc;
}

int cmd_login(int argc, char **argv)
{
	int global = 0, from_stdin = 0, insecure = 0, npos, rc = 0, g, p;
	struct dr_pflag flags[] = {
		{ .name = "password-stdin", .usage = "--password-stdin: read password from stdin",
		  .set = &from_stdin },
		{ .name = "global", .usage = "--global: login globally instead of per-app", .set = &global },
		/* ours, not Dokku's */
		{ .name = "insecure", .usage = "--insecure: allow http and unverified TLS for this registry",
		  .set = &insecure },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	struct login l = { NULL, "", "", NULL, 0 };
	struct dr_err e = { 0 };
	const char *pw_arg = "";

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (cmd_parse_flags("registry:login", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		goto out;
	g = from_stdin ? 2 : 3;
	p = from_stdin ? 3 : 4;
	if (global || npos == g) {
		if (!global)
			dr_log_warn("Deprecated: please use --global flag for global registry login");
		l.server = cmd_arg(pos, npos, 0);
		l.user = cmd_arg(pos, npos, 1);
		pw_arg = cmd_arg(pos, npos, 2);
	} else if (npos >= p) {
		l.app = pos[0];
		l.server = pos[1];
		l.user = pos[2];
		pw_arg = cmd_arg(pos, npos, 3);
	}
	l.insecure = insecure;
	if (from_stdin) {
		rc = creds_read_password(&l.password, &e) ? cmd_fail(&e) : 0;
	} else {
		l.password = strdup(pw_arg);
		if (!l.password)
			rc = dr_log_fail(1, DR_OOM_MSG);
	}
	if (rc == 0)
		rc = login_run(&l);
out:
	dr_str_wipe_free(l.password);
	free(pos);
	return rc;
}

/* Drops the registry's marker and credHelpers entry; no file, no change. */
static int forget_marker(const char *dir, const char *server, struct dr_err *e)
{
	struct dr_dockercfg cfg;
	int rc = dr_dockercfg_load(&cfg, dir, e);

	if (rc)
		return rc;
	if (dr_is_file(cfg.path)) {
		dr_dockercfg_forget(&cfg, server);
		rc = dr_dockercfg_save(&cfg, e);
	}
	dr_dockercfg_free(&cfg);
	return rc;
}

int cmd_logout(int argc, char **argv)
{
	int global = 0, npos, rc = 0;
	struct dr_pflag flags[] = {
		{ .name = "global", .usage = "--global: logout globally instead of per-app", .set = &global },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	const char *app = NULL, *server;
	struct dr_err e = { 0 };
	char *dir = NULL;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (cmd_parse_flags("registry:logout", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		goto out;
	if (global || npos == 1) {
		server = cmd_arg(pos, npos, 0);
	} else {
		app = cmd_arg(pos, npos, 0);
		server = cmd_arg(pos, npos, 1);
	}
	if (!server[0]) {
		rc = dr_log_fail(1, "Missing server argument");
		goto out;
	}
	server = creds_normalize_server(server);
	if (app && dr_app_verify(app, &e) != 0) {
		rc = cmd_fail(&e);
		goto out;
	}
	dir = dr_docker_config_dir(app);
	if (!dir || (app && !dr_is_dir(dir))) {
		rc = dr_log_fail(1, "No registry credentials found for app %s", app);
		goto out;
	}
	/* the helper first: if it fails, the marker stays, as with docker */
	{
		char *key = dr_docker_auth_key(server);

		rc = key ? dr_credhelper_erase(DR_OWN_HELPER, dir, key, &e)
			 : dr_fail(&e, DR_EINVAL, "not a registry address: %s", server);
		free(key);
	}
	if (rc == 0)
		rc = forget_marker(dir, server, &e);
	if (rc)
		rc = dr_log_fail(1, "Unable to run docker logout: %s", e.msg);
	else
		dr_k8s_auto_sync(app);
out:
	free(dir);
	free(pos);
	return rc;
}
