/* A Docker config.json, edited with jansson so every key we don't manage
 * survives; written atomically with mode 0600. */
#ifndef DR_DOCKERCONFIG_H
#define DR_DOCKERCONFIG_H

#include <jansson.h>

#include "base/dockerhub.h"
#include "base/err.h"

#define DR_DOCKERCONFIG_LIMIT (4 * 1024 * 1024)

struct dr_dockercfg {
	json_t *root;
	char *dir;
	char *path;
};

/* A missing file loads as {}; a malformed one is an error naming it. */
int dr_dockercfg_load(struct dr_dockercfg *c, const char *dir, struct dr_err *e);
/* Creates dir (0700) when needed. */
int dr_dockercfg_save(struct dr_dockercfg *c, struct dr_err *e);
void dr_dockercfg_free(struct dr_dockercfg *c);

/* The key docker/cli files a registry under: the Hub index URL for Docker
 * Hub, else host[:port]. malloc'd; NULL for garbage. */
char *dr_docker_auth_key(const char *server);
/* The credHelpers key skopeo/podman look up: "docker.io" or host[:port]. */
char *dr_docker_helper_key(const char *server);

/* credsStore = helper, credHelpers[helper_key] = helper, auths[auth_key] = {} */
int dr_dockercfg_use_helper(struct dr_dockercfg *c, const char *server, const char *helper,
			    int set_creds_store, struct dr_err *e);
/* Drops the auths entries and the credHelpers entry of the registry. */
void dr_dockercfg_forget(struct dr_dockercfg *c, const char *server);
/* auths is a non-empty object (Dokku's HasAppRegistryAuth) */
int dr_dockercfg_has_auths(const struct dr_dockercfg *c);
/* The auths entry of the registry under any of its keys, or NULL. */
json_t *dr_dockercfg_auth_entry(const struct dr_dockercfg *c, const char *server);
/* credHelpers[helper key] -> credsStore -> NULL */
const char *dr_dockercfg_helper_for(const struct dr_dockercfg *c, const char *server);

#endif
