/* registry:report's auth-servers fields (Dokku >= 0.38.29): the registries
 * an app's own, the global and the computed docker config hold credentials
 * for. A marker that sends a registry to our helper counts only while the
 * keyring still holds its entry, so the report agrees with auth-status. */
#include <stdlib.h>
#include <string.h>

#include "dokku/authservers.h"
#include "dokku/properties.h"
#include "dokku/scope.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"
#include "creds.h"

/* one answer per config dir and process: a report over every app asks
 * about the global dir once */
#define CACHE_SLOTS 8
static struct {
	char *dir;
	char *servers;
} cache[CACHE_SLOTS];
static size_t cache_next;

struct held_ctx {
	const struct dr_dockercfg *cfg;
	struct dr_list list; /* the helper's entries for this dir */
	int listed;          /* 0: the helper could not be asked */
};

static int ours(const struct dr_dockercfg *cfg, const char *key)
{
	const char *helper = dr_dockercfg_helper_for(cfg, key);

	return helper && strcmp(helper, DR_OWN_HELPER) == 0;
}

static int held(const char *key, void *arg)
{
	struct held_ctx *h = arg;
	char *want;
	int found = 0;

	/* plaintext entries and other helpers' markers: as Dokku counts them */
	if (!ours(h->cfg, key) || !h->listed)
		return 1;
	want = dr_docker_auth_key(key);
	for (size_t i = 0; want && !found && i < h->list.n; i++) {
		char *have = dr_docker_auth_key(h->list.servers[i]);

		found = have && strcmp(have, want) == 0;
		free(have);
	}
	free(want);
	return found;
}

static int servers_in(const char *dir, char **out, struct dr_err *e)
{
	struct held_ctx h = { 0 };
	struct dr_dockercfg cfg;
	struct dr_err ignored = { 0 };
	json_t *auths, *v;
	const char *key;
	int need_list = 0;

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].dir && strcmp(cache[i].dir, dir) == 0) {
			*out = strdup(cache[i].servers);
			return *out ? 0 : dr_oom(e);
		}
	}
	/* as Dokku: a config that cannot be read lists nothing */
	if (dr_dockercfg_load(&cfg, dir, &ignored) != 0) {
		*out = strdup("");
		return *out ? 0 : dr_oom(e);
	}
	auths = json_object_get(cfg.root, "auths");
	json_object_foreach(json_is_object(auths) ? auths : NULL, key, v) {
		if (ours(&cfg, key))
			need_list = 1;
	}
	h.cfg = &cfg;
	if (need_list) {
		/* this dir's own entries only (the helper derives the scope
		 * from dir): an app does not show the global ones */
		h.listed = dr_credhelper_list(DR_OWN_HELPER, dir, &h.list, &ignored) == 0;
	}
	*out = dr_auth_servers(cfg.root, held, &h);
	dr_list_free(&h.list);
	dr_dockercfg_free(&cfg);
	if (!*out)
		return dr_oom(e);
	free(cache[cache_next].dir);
	free(cache[cache_next].servers);
	cache[cache_next].dir = strdup(dir);
	cache[cache_next].servers = strdup(*out);
	cache_next = (cache_next + 1) % CACHE_SLOTS;
	return 0;
}

static int servers_of_dir(char *dir, char **out, struct dr_err *e)
{
	int rc = dir ? servers_in(dir, out, e) : dr_oom(e);

	free(dir);
	return rc;
}

int creds_auth_servers(const char *app, char **out, struct dr_err *e)
{
	return servers_of_dir(dr_docker_config_dir(app), out, e);
}

int creds_global_auth_servers(const char *app, char **out, struct dr_err *e)
{
	(void)app;
	return servers_of_dir(dr_docker_config_dir(NULL), out, e);
}

int creds_computed_auth_servers(const char *app, char **out, struct dr_err *e)
{
	/* docker gets the app's dir when its auths is not empty, else the
	 * global one (Dokku's GetComputedAppRegistryConfigDir) */
	char *dir = dr_docker_config_dir(app);
	struct dr_dockercfg cfg;
	int own = 0;

	if (dir && dr_dockercfg_load(&cfg, dir, NULL) == 0) {
		own = dr_dockercfg_has_auths(&cfg);
		dr_dockercfg_free(&cfg);
	}
	if (own)
		return servers_of_dir(dir, out, e);
	free(dir);
	return servers_of_dir(dr_docker_config_dir(NULL), out, e);
}

void creds_auth_servers_done(void)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].dir);
		free(cache[i].servers);
		cache[i].dir = NULL;
		cache[i].servers = NULL;
	}
	cache_next = 0;
}
