/* registry:doctor: checks every link from Docker to the keyring and says,
 * one line each, what is broken and how to fix it. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/exec.h"
#include "base/log.h"
#include "base/secmem.h"
#include "dokku/plugn.h"
#include "dokku/properties.h"
#include "helper/config.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"
#include "keyring/keyring.h"
#include "registry/registry.h"
#include "cmd.h"
#include "creds.h"

enum status { OK, WARN, FAIL, SKIP };
static const char *const status_names[] = { "ok", "warn", "FAIL", "skip" };

struct report {
	json_t *checks;
	int broken;
	int json;
};

static void check(struct report *r, enum status st, const char *name, const char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void check(struct report *r, enum status st, const char *name, const char *fix,
		  const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (st == FAIL)
		r->broken = 1;
	if (r->json) {
		json_array_append_new(r->checks, json_pack("{s:s,s:s,s:s,s:s}", "check", name,
							   "status", status_names[st], "detail",
							   detail, "fix", fix ? fix : ""));
		return;
	}
	printf("%-5s %-12s %s%s%s\n", status_names[st], name, detail, fix ? "; fix: " : "",
	       fix ? fix : "");
}

static void check_helper_binary(struct report *r)
{
	const char *argv[] = { "docker-credential-dokku", "version", NULL };
	struct dr_exec x = { argv, NULL, NULL, NULL, 0, 1, 1, 0, 5000, 1, 1 };
	struct dr_exec_result res;
	struct dr_err e = { 0 };
	const char *version = NULL;

	if (dr_exec_run(&x, &res, &e) != 0 || res.status != 0)
		check(r, FAIL, "helper", "install docker-credential-dokku into a PATH directory (make install)",
		      "docker-credential-dokku does not run: %s", e.msg[0] ? e.msg : "non-zero exit");
	else if (!res.out.data || !*(version = dr_trim(res.out.data)))
		check(r, FAIL, "helper", "install docker-credential-dokku into a PATH directory (make install)",
		      "docker-credential-dokku version exited 0 but printed nothing");
	else
		check(r, OK, "helper", NULL, "%s", version);
	dr_exec_result_free(&res);
}

/* Calls fn for the global docker config dir and every app's. */
static void for_each_config_dir(struct report *r, void (*fn)(struct report *r, const char *dir,
							    const char *who, void *arg),
				void *arg)
{
	char *global = dr_docker_config_dir(NULL);
	DIR *d = opendir(dr_props_base());
	struct dirent *ent;

	if (global)
		fn(r, global, "--global", arg);
	free(global);
	for (ent = d ? readdir(d) : NULL; ent; ent = readdir(d)) {
		char *dir;

		if (ent->d_name[0] == '.' || strcmp(ent->d_name, DR_GLOBAL) == 0)
			continue;
		dir = dr_props_dir(ent->d_name);
		if (dir)
			fn(r, dir, ent->d_name, arg);
		free(dir);
	}
	if (d)
		closedir(d);
}

/* One docker config dir: does it send registries to us, does it hold plaintext? */
static void check_config_dir(struct report *r, const char *dir, const char *who, void *arg)
{
	int *users = arg;
	struct dr_dockercfg cfg;
	json_t *auths, *v;
	const char *key;
	int plain = 0;

	if (dr_dockercfg_load(&cfg, dir, NULL) != 0 || !dr_is_file(cfg.path)) {
		dr_dockercfg_free(&cfg);
		return;
	}
	auths = json_object_get(cfg.root, "auths");
	json_object_foreach(json_is_object(auths) ? auths : NULL, key, v) {
		if (json_object_get(v, "auth") || json_object_get(v, "identitytoken"))
			plain++;
	}
	if (plain) {
		char fix[512];

		snprintf(fix, sizeof(fix), "dokku-registry migrate %s", who);
		check(r, FAIL, "config", fix, "%s holds %d plaintext credential(s)", cfg.path, plain);
	} else if (creds_uses_own_helper(dir)) {
		check(r, OK, "config", NULL, "%s uses docker-credential-dokku", cfg.path);
		(*users)++;
	}
	dr_dockercfg_free(&cfg);
}

/* Which plugin Dokku runs as `registry`: plugins/enabled/registry links to
 * plugins/available/registry, which `dokku-registry setup` points at the
 * shim and Dokku's source install (Makefile copyplugin) points back at its
 * core plugin. registry-guard, enabled by setup, says the shim is wanted. */
static void check_plugin(struct report *r)
{
	static const char fix[] = "sudo dokku-registry setup";
	char link[PATH_MAX], guard[PATH_MAX], real[PATH_MAX], probe[PATH_MAX + 16], to[PATH_MAX];
	char core[PATH_MAX];
	const char *base = dr_plugn_path(), *lib = getenv("DOKKU_LIB_ROOT"), *env = getenv("PLUGIN_CORE_PATH");
	struct stat st;
	ssize_t n;

	/* no Dokku here (its core-plugins tree is missing): nothing to say */
	if (env && env[0])
		snprintf(core, sizeof(core), "%s", env);
	else
		snprintf(core, sizeof(core), "%s/core-plugins", lib && lib[0] ? lib : "/var/lib/dokku");
	if (!dr_is_dir(core))
		return;
	snprintf(link, sizeof(link), "%s/available/registry", base);
	snprintf(guard, sizeof(guard), "%s/enabled/registry-guard", base);
	n = readlink(link, to, sizeof(to) - 1);
	if (n < 0)
		snprintf(to, sizeof(to), "%s", "not a link");
	else
		to[n] = '\0';
	if (!realpath(link, real)) {
		check(r, FAIL, "plugin", fix, "%s (%s) is missing: Dokku has no registry plugin", link, to);
		return;
	}
	snprintf(probe, sizeof(probe), "%s/shim-exec", real);
	if (access(probe, X_OK) == 0) {
		if (lstat(guard, &st) == 0)
			check(r, OK, "plugin", NULL, "%s points at the dokku-registry shim %s", link, real);
		else
			check(r, WARN, "plugin", fix,
			      "%s points at the dokku-registry shim, but registry-guard is not enabled: a Dokku "
			      "install from source would link Dokku's own plugin back unnoticed", link);
	} else if (lstat(guard, &st) == 0) {
		check(r, FAIL, "plugin", fix,
		      "Dokku's own registry plugin is back: %s -> %s (a Dokku install from source links it "
		      "again); `dokku registry:login` now writes plaintext config.json files", link, to);
	} else {
		check(r, SKIP, "plugin", NULL, "Dokku's own registry plugin answers `dokku registry:*` (%s -> %s)",
		      link, to);
	}
}

static void check_configs(struct report *r)
{
	int users = 0;

	for_each_config_dir(r, check_config_dir, &users);
	if (users == 0)
		check(r, WARN, "config", "dokku-registry login --global <server> <user>",
		      "no docker config.json uses docker-credential-dokku yet");
}

/* Which step of bus -> provider -> collection -> lock -> entries an error
 * from listing the keyring stopped at. */
static int failed_step(int rc)
{
	switch (rc) {
	case DR_ENOBUS:
		return 0;
	case DR_ENOPROVIDER:
	case DR_ETIMEOUT:
	case DR_EGONE:
		return 1;
	case DR_ENOCOLL:
		return 2;
	case DR_ELOCKED:
		return 3;
	default:
		return 4;
	}
}

static void check_keyring(struct report *r, const struct dr_config *c)
{
	static const char *const steps[] = { "bus", "provider", "collection", "unlocked", "entries" };
	struct dr_keyring_opts o = { c->collection, c->bus, c->transport, c->timeout_ms };
	struct dr_keyring kr;
	struct dr_list list = { 0 };
	struct dr_err e = { 0 };
	char detail[5][512];
	int failed_at = -1, rc;

	rc = dr_keyring_open(&kr, &o, &e);
	if (rc)
		failed_at = 0;
	if (rc == 0) {
		rc = dr_keyring_list(&kr, DR_SCOPE_ALL, &list, &e);
		if (rc)
			failed_at = failed_step(rc);
	}
	snprintf(detail[0], sizeof(detail[0]), "session bus reachable");
	snprintf(detail[1], sizeof(detail[1]), "org.freedesktop.secrets answers");
	snprintf(detail[2], sizeof(detail[2]), "\"%s\" is %s", c->collection,
		 kr.coll_path ? kr.coll_path : "?");
	snprintf(detail[3], sizeof(detail[3]), "collection unlocked");
	snprintf(detail[4], sizeof(detail[4]), "%zu docker credential(s) readable (global and per-app), no prompt",
		 list.n);
	for (int i = 0; i < 5; i++) {
		if (failed_at < 0 || i < failed_at)
			check(r, OK, steps[i], NULL, "%s", detail[i]);
		else if (i == failed_at)
			check(r, FAIL, steps[i], NULL, "%s", e.msg);
		else
			check(r, SKIP, steps[i], NULL, "skipped: the %s check failed", steps[failed_at]);
	}
	dr_list_free(&list);
	dr_keyring_close(&kr);
}

/* 1 exists, 0 missing, -1 cannot tell (a root-only directory) */
static int exists(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/* With the headless unit's bus (`dokku-registry setup`), the keyring and its
 * password must both lie under the documented backup paths (README "Moving a
 * server"): the keyring in ~/.local/share/keyrings, the
 * password in /etc/dokku-registry. Either one alone opens nothing. */
static void check_backup(struct report *r, const struct dr_config *c)
{
	static const char prefix[] = "unix:path=", suffix[] = "/run/dokku-keyring/bus";
	const char *home = getenv("HOME"), *xdg = getenv("XDG_DATA_HOME"), *bus = c->bus;
	char root[1024], keyring[4200], want[4200], sealed[1200], plain[1200];
	size_t n = strlen(bus), pre = strlen(prefix), suf = strlen(suffix);
	int pw;

	if (n < pre + suf || strncmp(bus, prefix, pre) != 0 || strcmp(bus + n - suf, suffix) != 0 ||
	    !home || home[0] != '/')
		return;
	snprintf(root, sizeof(root), "%.*s", (int)(n - pre - suf), bus + pre);
	snprintf(sealed, sizeof(sealed), "%s/etc/dokku-registry/keyring-password.cred", root);
	snprintf(plain, sizeof(plain), "%s/etc/dokku-registry/keyring-password", root);
	snprintf(want, sizeof(want), "%s/.local/share/keyrings/login.keyring", home);
	if (xdg && xdg[0] == '/')
		snprintf(keyring, sizeof(keyring), "%s/keyrings/login.keyring", xdg);
	else
		snprintf(keyring, sizeof(keyring), "%s", want);
	pw = exists(sealed);
	if (pw == 0)
		pw = exists(plain);
	if (strcmp(keyring, want) != 0)
		check(r, WARN, "backup", "back that directory up too, or unset XDG_DATA_HOME for this user",
		      "the keyring %s is outside the documented backup path %s", keyring, want);
	else if (pw < 0)
		check(r, SKIP, "backup", NULL, "%s/etc/dokku-registry is not readable here: run doctor as "
		      "root to check the keyring password", root);
	else if (pw == 0)
		check(r, WARN, "backup", "dokku-registry setup --password-file FILE (with the keyring's password)",
		      "no keyring password in %s/etc/dokku-registry: after a restart or a restore %s "
		      "cannot be unlocked", root, keyring);
	else
		check(r, OK, "backup", NULL, "keyring %s and its password in %s/etc/dokku-registry%s", keyring,
		      root, exists(sealed) == 1 ? " (sealed: opens on this host only, keep the password "
		      "offline too)" : "");
}

static void check_chained(struct report *r, const struct dr_config *c)
{
	char prog[128], fix[512];

	for (size_t i = 0; i < c->nchained; i++) {
		snprintf(prog, sizeof(prog), "docker-credential-%s", c->chained[i].helper);
		snprintf(fix, sizeof(fix), "install %s, or dokku-registry helpers:unset '%s'", prog,
			 c->chained[i].pattern);
		if (dr_exec_on_path(prog))
			check(r, OK, "chained", NULL, "%s -> %s", c->chained[i].pattern, prog);
		else
			check(r, FAIL, "chained", fix, "%s -> %s, which is not on PATH",
			      c->chained[i].pattern, prog);
	}
}

/* --network: every registry a config dir has a login marker for */
static void check_logins_in(struct report *r, const char *dir, const char *who, void *arg)
{
	struct dr_dockercfg cfg;
	json_t *auths, *v;
	const char *key;

	(void)who;
	(void)arg;
	if (dr_dockercfg_load(&cfg, dir, NULL) != 0)
		return;
	auths = json_object_get(cfg.root, "auths");
	json_object_foreach(json_is_object(auths) ? auths : NULL, key, v) {
		struct dr_registry_opts o = { 10000, 0, "dokku-registry/" DR_VERSION };
		const char *helper = dr_dockercfg_helper_for(&cfg, key);
		struct dr_registry *reg = NULL;
		struct dr_creds c = { 0 };
		struct dr_err e = { 0 };
		int rc;

		if (!helper || strcmp(helper, DR_OWN_HELPER) != 0)
			continue;
		rc = dr_credhelper_get(helper, dir, key, &c, &e);
		if (rc == 0)
			rc = dr_registry_open(&reg, key, &o, &e);
		if (rc == 0)
			rc = dr_registry_set_credentials(reg, c.username, c.secret, &e);
		if (rc == 0)
			rc = dr_registry_check_login(reg, &e);
		if (rc == 0)
			check(r, OK, "login", NULL, "%s accepts the stored credentials (%s)", key, cfg.path);
		else
			check(r, FAIL, "login", rc == DR_EAUTH ? "dokku-registry login again" : NULL,
			      "%s (%s): %s", key, cfg.path, e.msg);
		dr_registry_close(reg);
		dr_creds_wipe(&c);
	}
	dr_dockercfg_free(&cfg);
}

int cmd_doctor(int argc, char **argv)
{
	int network = 0, npos, rc = 0, stop;
	const char *format = "stdout";
	struct dr_pflag flags[] = {
		{ .name = "network", .usage = "--network: also log in to every registry with the stored credentials",
		  .set = &network },
		{ .name = "format", .type = DR_PFLAG_STRING, .def = "stdout", .usage = "format: [ stdout | json ]",
		  .value = &format },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	struct report r = { json_array(), 0, 0 };
	struct dr_config c;
	struct dr_err e = { 0 };

	if (!pos || !r.checks) {
		free(pos);
		json_decref(r.checks);
		return dr_log_fail(1, DR_OOM_MSG);
	}
	stop = cmd_parse_flags("registry:doctor", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc);
	free(pos);
	if (stop) {
		json_decref(r.checks);
		return rc;
	}
	if (strcmp(format, "stdout") != 0 && strcmp(format, "json") != 0) {
		json_decref(r.checks);
		return dr_log_fail(1, "Format must be \"stdout\" or \"json\": \"%s\"", format);
	}
	r.json = strcmp(format, "json") == 0;
	check_helper_binary(&r);
	if (dr_config_load(&c, &e) != 0) {
		check(&r, FAIL, "settings", "fix or remove the file", "%s", e.msg);
	} else {
		check(&r, OK, "settings", NULL, "%s, collection \"%s\", timeout %.1fs",
		      c.path[0] ? c.path : "defaults", c.collection, c.timeout_ms / 1000.0);
		check_keyring(&r, &c);
		check_backup(&r, &c);
		check_chained(&r, &c);
	}
	check_plugin(&r);
	check_configs(&r);
	if (network)
		for_each_config_dir(&r, check_logins_in, NULL);
	if (r.json) {
		json_t *out = json_pack("{s:b,s:O}", "ok", !r.broken, "checks", r.checks);
		char *text = json_dumps(out, JSON_COMPACT);

		if (text)
			puts(text);
		free(text);
		json_decref(out);
	}
	json_decref(r.checks);
	return r.broken ? 1 : 0;
}
