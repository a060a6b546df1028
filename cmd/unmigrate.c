/* registry:unmigrate: the way back from the keyring for one Docker config
 * (the global one or an app's), so that Docker's CLI and Dokku's own
 * registry plugin work without docker-credential-dokku. Every registry the
 * config sends to the `dokku` helper is taken off it: credsStore and
 * credHelpers no longer name the helper, and its login is either written
 * back as Docker's plaintext `auths` entry (--plaintext, then erased from
 * the keyring) or listed as the `dokku registry:login` command that logs in
 * again (the keyring keeps it). `dokku-registry setup --undo` runs it as
 * the dokku user for every config; it is all-or-nothing per file. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"
#include "cmd.h"
#include "creds.h"

struct login_back {
	char *server;     /* the auths key */
	struct dr_creds c; /* empty username: not in the keyring */
	int found;
};

/* printable text for a terminal: control bytes become '?' */
static const char *shown(const char *s, char *buf, size_t n)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* The login for server in this scope only (no fall back to the global one). */
static int keyring_login(const char *dir, const char *server, struct dr_creds *out, struct dr_err *e)
{
	return dr_credhelper_get(DR_OWN_HELPER, dir, server, out, e);
}

/* The auths keys of every registry this config sends to our helper. */
static json_t *own_servers(const struct dr_dockercfg *cfg)
{
	json_t *out = json_array(), *helpers = json_object_get(cfg->root, "credHelpers"), *v;
	json_t *auths = json_object_get(cfg->root, "auths"), *seen = json_object();
	const char *k;

	json_object_foreach(helpers, k, v) {
		char *key = dr_docker_auth_key(k);

		if (key && json_is_string(v) && strcmp(json_string_value(v), DR_OWN_HELPER) == 0 &&
		    !json_object_get(seen, key)) {
			json_object_set_new(seen, key, json_true());
			json_array_append_new(out, json_string(key));
		}
		free(key);
	}
	json_object_foreach(auths, k, v) {
		const char *h = dr_dockercfg_helper_for(cfg, k);
		char *key = dr_docker_auth_key(k);

		if (key && h && strcmp(h, DR_OWN_HELPER) == 0 && !json_object_get(seen, key)) {
			json_object_set_new(seen, key, json_true());
			json_array_append_new(out, json_string(key));
		}
		free(key);
	}
	json_decref(seen);
	return out;
}

/* Docker's own plaintext entry: auth = base64(user:password), or an
 * identity token; an email docker kept in the marker stays. */
static json_t *plaintext_entry(const struct dr_creds *c, json_t *old)
{
	json_t *entry = json_object(), *email = json_object_get(old, "email");

	if (strcmp(c->username, DR_TOKEN_USERNAME) == 0) {
		json_object_set_new(entry, "identitytoken", json_stringn(c->secret, c->secret_len));
	} else {
		size_t ulen = strlen(c->username), n = ulen + 1 + c->secret_len;
		char *raw = malloc(n);
		gchar *b64;

		if (!raw) {
			json_decref(entry);
			return NULL;
		}
		memcpy(raw, c->username, ulen);
		raw[ulen] = ':';
		memcpy(raw + ulen + 1, c->secret, c->secret_len);
		b64 = g_base64_encode((const guchar *)raw, n);
		explicit_bzero(raw, n);
		free(raw);
		json_object_set_new(entry, "auth", json_string(b64));
		explicit_bzero(b64, strlen(b64));
		g_free(b64);
	}
	if (json_is_string(email))
		json_object_set(entry, "email", email);
	return entry;
}

/* credsStore and credHelpers entries naming our helper go; the rest stays. */
static void drop_own_helper(struct dr_dockercfg *cfg)
{
	json_t *helpers = json_object_get(cfg->root, "credHelpers"), *v;
	json_t *store = json_object_get(cfg->root, "credsStore");
	const char *k;
	void *tmp;

	if (json_is_string(store) && strcmp(json_string_value(store), DR_OWN_HELPER) == 0)
		json_object_del(cfg->root, "credsStore");
	json_object_foreach_safe(helpers, tmp, k, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), DR_OWN_HELPER) == 0)
			json_object_del(helpers, k);
	}
	if (json_is_object(helpers) && json_object_size(helpers) == 0)
		json_object_del(cfg->root, "credHelpers");
}

static void logins_free(struct login_back *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		free(l[i].server);
		dr_creds_wipe(&l[i].c);
	}
	free(l);
}

int cmd_unmigrate(int argc, char **argv)
{
	int global = 0, plaintext = 0, npos, rc = 0, unreachable = 0;
	struct dr_pflag flags[] = {
		{ .name = "global", .usage = "--global: the global docker config instead of an app's",
		  .set = &global },
		{ .name = "plaintext",
		  .usage = "--plaintext: write the logins back into config.json as Docker's plaintext auths",
		  .set = &plaintext },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	struct dr_dockercfg cfg = { 0 };
	struct login_back *logins = NULL;
	struct dr_err e = { 0 };
	const char *app = NULL;
	json_t *servers = NULL;
	char *dir = NULL, b1[256], b2[256], why[sizeof(e.msg)] = "";
	size_t n = 0;

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (cmd_parse_flags("registry:unmigrate", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		goto out;
	if (!global && npos > 0)
		app = pos[0];
	if (!global && !app) {
		rc = dr_log_fail(2, "usage: registry:unmigrate [--plaintext] --global|<app>");
		goto out;
	}
	/* a deleted app's config.json is handed back too: the name must be
	 * valid (it becomes a path), the app need not exist any more */
	if (app && !dr_app_name_valid(app)) {
		rc = dr_log_fail(1, "not an app name: %s", app);
		goto out;
	}
	dir = dr_docker_config_dir(app);
	if (!dir || dr_dockercfg_load(&cfg, dir, &e) != 0) {
		rc = dir ? cmd_fail(&e) : dr_log_fail(1, DR_OOM_MSG);
		goto out;
	}
	servers = own_servers(&cfg);
	n = json_array_size(servers);
	if (n == 0) {
		dr_log_info2_quiet("%s does not use docker-credential-dokku", cfg.path);
		goto out;
	}
	logins = calloc(n, sizeof(*logins));
	if (!logins) {
		rc = dr_log_fail(1, DR_OOM_MSG);
		goto out;
	}
	/* 1. every login out of the keyring first: nothing changes unless all answer */
	for (size_t i = 0; i < n; i++) {
		struct dr_err ge = { 0 };
		int g;

		logins[i].server = strdup(json_string_value(json_array_get(servers, i)));
		if (!logins[i].server) {
			rc = dr_log_fail(1, DR_OOM_MSG);
			goto out;
		}
		g = keyring_login(dir, logins[i].server, &logins[i].c, &ge);
		logins[i].found = g == 0;
		if (g != 0 && g != DR_ENOTFOUND) {
			unreachable++;
			snprintf(why, sizeof(why), "%s", ge.msg);
		}
	}
	if (unreachable && plaintext) {
		rc = dr_log_fail(1, "Unable to hand back the logins of %s: %s; %s left unchanged "
				 "(start the keyring: systemctl start dokku-keyring)", cfg.path, why, cfg.path);
		goto out;
	}
	/* 2. config.json without our helper */
	for (size_t i = 0; i < n; i++) {
		json_t *old = dr_dockercfg_auth_entry(&cfg, logins[i].server), *entry = NULL;

		if (plaintext && logins[i].found) {
			entry = plaintext_entry(&logins[i].c, old);
			if (!entry) {
				rc = dr_log_fail(1, DR_OOM_MSG);
				goto out;
			}
		}
		dr_dockercfg_forget(&cfg, logins[i].server);
		if (entry)
			json_object_set_new(json_object_get(cfg.root, "auths"), logins[i].server, entry);
	}
	drop_own_helper(&cfg);
	if (dr_dockercfg_save(&cfg, &e) != 0) {
		rc = dr_log_fail(1, "Unable to rewrite %s: %s", cfg.path, e.msg);
		goto out;
	}
	/* 3. what the operator has now, per registry */
	for (size_t i = 0; i < n; i++) {
		const char *server = shown(logins[i].server, b1, sizeof(b1));

		if (plaintext && logins[i].found) {
			struct dr_err ee = { 0 };

			dr_log_info1("Handed back %s (%s) as plaintext in %s", server,
				     shown(logins[i].c.username, b2, sizeof(b2)), cfg.path);
			if (dr_credhelper_erase(DR_OWN_HELPER, dir, logins[i].server, &ee) != 0)
				dr_log_warn("%s stays in the keyring too: %s", server, ee.msg);
		} else if (logins[i].found || unreachable) {
			dr_log_info1("%s no longer uses the keyring for %s; log in again with:", cfg.path,
				     server);
			printf("       dokku registry:login --password-stdin %s%s %s %s\n",
			       app ? "" : "--global", app ? app : "", server,
			       logins[i].found ? shown(logins[i].c.username, b2, sizeof(b2)) : "<username>");
		} else {
			dr_log_info1("%s no longer uses the keyring for %s (it held no login for it)",
				     cfg.path, server);
		}
	}
	if (unreachable)
		dr_log_warn("the keyring did not answer (%s): the user names are not known", why);
	fflush(stdout);
out:
	logins_free(logins, n);
	json_decref(servers);
	dr_dockercfg_free(&cfg);
	free(dir);
	free(pos);
	return rc;
}
