/* registry:auth-status and registry:migrate. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"
#include "helper/protocol.h"
#include "cmd.h"
#include "creds.h"

/* auth-status exit codes */
enum { AS_MATCH = 0, AS_NONE = 1, AS_DIFFERS = 2, AS_USAGE = 3, AS_OPAQUE = 4 };

/* Decodes a base64 "user:password" auths value; NULL when malformed. */
static struct dr_creds *decode_basic(const char *b64)
{
	struct dr_creds *c = calloc(1, sizeof(*c));
	gsize n = 0;
	guchar *raw = g_base64_decode(b64, &n);
	char *colon = raw ? memchr(raw, ':', n) : NULL;

	if (!c || !colon) {
		if (raw)
			explicit_bzero(raw, n);
		g_free(raw);
		free(c);
		return NULL;
	}
	c->username = strndup((char *)raw, (size_t)(colon - (char *)raw));
	c->secret_len = n - (size_t)(colon - (char *)raw) - 1;
	c->secret = strndup(colon + 1, c->secret_len);
	explicit_bzero(raw, n);
	g_free(raw);
	return c;
}

/* What a check is about: the server as given, the expected user and password. */
struct want {
	const char *server;
	const char *user;
	const char *password;
};

static int same_secret(const char *password, const char *secret, size_t secret_len)
{
	return strlen(password) == secret_len && memcmp(password, secret, secret_len) == 0;
}

/* Exit 4, with the reason on stderr (never any part of the credential). */
static int opaque(const struct want *w, const char *why)
{
	return dr_log_fail(AS_OPAQUE, "Unable to compare the credential for %s: %s", w->server, why);
}

/* A credential our own helper keeps: the keyring says what it holds. */
static int compare_helper_entry(const struct dr_creds *have, const struct want *w)
{
	if (strcmp(have->username, DR_TOKEN_USERNAME) == 0)
		return opaque(w, "it is stored as an identity token");
	if (strcmp(have->username, w->user) != 0 ||
	    !same_secret(w->password, have->secret, have->secret_len))
		return AS_DIFFERS;
	return AS_MATCH;
}

/* A credential in config.json itself (Dokku 0.38.29's decodeAuthEntry):
 * base64 "user:password" in auth, or username and password fields. */
static int compare_file_entry(json_t *entry, const struct want *w)
{
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *user = json_string_value(json_object_get(entry, "username"));
	const char *pw = json_string_value(json_object_get(entry, "password"));
	const char *token = json_string_value(json_object_get(entry, "identitytoken"));
	struct dr_creds *basic = NULL;
	int rc;

	if (auth && auth[0]) {
		basic = decode_basic(auth);
		user = basic ? basic->username : NULL;
		pw = basic ? basic->secret : NULL;
	}
	if (user && user[0] && pw && pw[0]) {
		rc = strcmp(user, w->user) == 0 && strcmp(pw, w->password) == 0 ? AS_MATCH : AS_DIFFERS;
	} else if (user && user[0] && strcmp(user, w->user) != 0) {
		/* a username that differs settles it without the secret */
		rc = AS_DIFFERS;
	} else if (token && token[0]) {
		rc = opaque(w, "it is stored as an identity token");
	} else {
		rc = opaque(w, "no password is stored for it");
	}
	if (basic)
		dr_creds_wipe(basic);
	free(basic);
	return rc;
}

/* The verdict for one registry in one docker config dir (Dokku 0.38.29's
 * checkAuthStatus): no user asks that nothing is stored. Unlike Dokku, a
 * credential kept by our own helper is compared through the keyring. */
static int status_of(const char *dir, const struct want *w)
{
	const char *server = creds_normalize_server(w->server);
	struct dr_dockercfg cfg;
	struct dr_creds have = { 0 };
	struct dr_err e = { 0 };
	json_t *entry;
	const char *helper;
	char *key = NULL;
	int rc, own, stored;

	if (dr_dockercfg_load(&cfg, dir, &e) != 0)
		return dr_log_fail(AS_OPAQUE, "Unable to parse the docker config for %s: %s", w->server,
				   e.msg);
	entry = dr_dockercfg_auth_entry(&cfg, server);
	helper = dr_dockercfg_helper_for(&cfg, server);
	own = helper && strcmp(helper, DR_OWN_HELPER) == 0;
	stored = entry != NULL;
	if (own) {
		/* a per-app check does not see the global entry: the helper
		 * derives the scope from dir */
		key = dr_docker_auth_key(server);
		rc = key ? dr_credhelper_get(helper, dir, key, &have, &e) : DR_ENOTFOUND;
		if (rc != 0 && rc != DR_ENOTFOUND) {
			rc = dr_log_fail(AS_OPAQUE, "%s", e.msg);
			goto out;
		}
		stored = rc == 0;
	}
	if (!stored)
		rc = w->user[0] ? AS_NONE : AS_MATCH;
	else if (!w->user[0])
		rc = AS_DIFFERS;
	else if (own)
		rc = compare_helper_entry(&have, w);
	else if (helper)
		rc = dr_log_fail(AS_OPAQUE, "Unable to compare the credential for %s: the %s credential helper holds it",
				 w->server, helper);
	else
		rc = compare_file_entry(entry, w);
out:
	dr_creds_wipe(&have);
	free(key);
	dr_dockercfg_free(&cfg);
	return rc;
}

int cmd_auth_status(int argc, char **argv)
{
	int global = 0, from_stdin = 0, npos, rc = 0;
	struct dr_pflag flags[] = {
		{ .name = "global", .usage = "--global: check the global credentials instead of per-app",
		  .set = &global },
		{ .name = "password-stdin", .usage = "--password-stdin: read password from stdin",
		  .set = &from_stdin },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	const char *app = NULL, *server, *user, *pw_arg;
	char *password = NULL, *dir = NULL;
	struct want want;
	struct dr_err e = { 0 };
	int i = 0;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	/* a bad flag is "invalid arguments" here: 2 means "differs" */
	if (cmd_parse_flags("registry:auth-status", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos,
			    &rc)) {
		rc = rc ? AS_USAGE : 0;
		goto out;
	}
	if (!global)
		app = cmd_arg(pos, npos, i++);
	server = cmd_arg(pos, npos, i++);
	user = cmd_arg(pos, npos, i++);
	pw_arg = cmd_arg(pos, npos, i);
	if ((app && !app[0]) || !server[0]) {
		rc = dr_log_fail(AS_USAGE, "usage: registry:auth-status [--password-stdin] <app>|--global <server> [<username> [<password>]]");
		goto out;
	}
	if (from_stdin && creds_read_password(&password, &e) != 0) {
		rc = dr_log_fail(AS_USAGE, "%s", e.msg);
		goto out;
	}
	/* a user is compared with a password, as git:auth-status insists */
	if (user[0] && !(password ? password : pw_arg)[0]) {
		rc = dr_log_fail(AS_USAGE, "Missing password argument");
		goto out;
	}
	if (app && dr_app_verify(app, &e) != 0) {
		rc = e.code == DR_ENOAPP ? cmd_fail(&e) : dr_log_fail(AS_USAGE, "%s", e.msg);
		goto out;
	}
	dir = dr_docker_config_dir(app);
	want.server = server;
	want.user = user;
	want.password = password ? password : pw_arg;
	rc = dir ? status_of(dir, &want) : dr_log_fail(1, DR_OOM_MSG);
out:
	dr_str_wipe_free(password);
	free(dir);
	free(pos);
	return rc;
}

/* Stores every plaintext auths entry through the helper; 0 when all went. */
static int migrate_entries(json_t *auths, const char *dir, json_t *moved, struct dr_err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(auths, key, v) {
		json_t *auth = json_object_get(v, "auth"), *token = json_object_get(v, "identitytoken");
		struct dr_creds *c = NULL;
		int rc;

		if (json_is_string(token) && json_string_value(token)[0]) {
			c = calloc(1, sizeof(*c));
			if (c) {
				c->username = strdup(DR_TOKEN_USERNAME);
				c->secret = strdup(json_string_value(token));
				c->secret_len = c->secret ? strlen(c->secret) : 0;
			}
		} else if (json_is_string(auth) && json_string_value(auth)[0]) {
			c = decode_basic(json_string_value(auth));
			if (!c)
				return dr_fail(e, DR_EINVAL, "auths[\"%s\"].auth is not base64 user:password",
					       key);
		} else {
			continue; /* a marker already */
		}
		if (!c || !c->username || !c->secret) {
			if (c) /* a copy of the secret may be in it */
				dr_creds_wipe(c);
			free(c);
			return dr_oom(e);
		}
		c->server_url = strdup(key);
		rc = c->server_url ? dr_credhelper_store(DR_OWN_HELPER, dir, c, e)
				   : dr_oom(e);
		if (rc == 0)
			json_object_set_new(moved, key, json_string(c->username));
		dr_creds_wipe(c);
		free(c);
		if (rc)
			return dr_fail(e, rc, "%s: %s", key, e->msg);
	}
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	int global = 0, npos, rc = 0;
	struct dr_pflag flags[] = {
		{ .name = "global", .usage = "--global: migrate the global docker config instead of per-app",
		  .set = &global },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	const char *app = NULL, *key;
	json_t *moved = json_object(), *v, *creds_store;
	struct dr_dockercfg cfg = { 0 };
	struct dr_err e = { 0 };
	char *dir = NULL;

	if (!pos || !moved) {
		free(pos);
		json_decref(moved);
		return dr_log_fail(1, DR_OOM_MSG);
	}
	if (cmd_parse_flags("registry:migrate", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		goto out;
	if (!global && npos > 0)
		app = pos[0];
	if (app && dr_app_verify(app, &e) != 0) {
		rc = cmd_fail(&e);
		goto out;
	}
	dir = dr_docker_config_dir(app);
	if (!dir || dr_dockercfg_load(&cfg, dir, &e) != 0) {
		rc = dir ? cmd_fail(&e) : dr_log_fail(1, DR_OOM_MSG);
		goto out;
	}
	if (migrate_entries(json_object_get(cfg.root, "auths"), dir, moved, &e) != 0) {
		rc = dr_log_fail(1, "Unable to migrate %s; %s left unchanged", e.msg, cfg.path);
		goto out;
	}
	if (json_object_size(moved) == 0) {
		dr_log_info2_quiet("No plaintext credentials in %s", cfg.path);
		goto out;
	}
	/* another helper as credsStore keeps its other registries */
	creds_store = json_object_get(cfg.root, "credsStore");
	json_object_foreach(moved, key, v) {
		if (dr_dockercfg_use_helper(&cfg, key, DR_OWN_HELPER, !json_is_string(creds_store), &e))
			break;
	}
	if (e.code == 0 && dr_dockercfg_save(&cfg, &e) == 0) {
		json_object_foreach(moved, key, v)
			dr_log_info1("Migrated %s (%s) into the keyring", key, json_string_value(v));
	} else {
		rc = dr_log_fail(1, "Unable to rewrite %s: %s", cfg.path, e.msg);
	}
out:
	dr_dockercfg_free(&cfg);
	json_decref(moved);
	free(dir);
	free(pos);
	return rc;
}
