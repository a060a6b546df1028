/* What login, logout, auth-status, migrate and the app hooks share. */
#ifndef DR_CMD_CREDS_H
#define DR_CMD_CREDS_H

#include "base/err.h"

#define DR_PASSWORD_LIMIT (1024 * 1024)

/* Docker config dir of an app (its registry property dir), or the global
 * one ($DOCKER_CONFIG, else $DOKKU_ROOT/.docker) when app is NULL. */
char *creds_config_dir(const char *app);
/* The one config dir docker gets for an app's pushes and pulls (Dokku's
 * GetComputedAppRegistryConfigDir): the app's when its config.json has a
 * non-empty auths, else the global one. Only that dir's logins count: an
 * app with logins of its own never gets the global ones. */
char *creds_computed_config_dir(const char *app);
/* hub.docker.com and docker.com -> docker.io (Docker Hub's aliases) */
const char *creds_normalize_server(const char *server);
/* All of stdin, trimmed; wipe with dr_str_wipe_free. */
int creds_read_password(char **out, struct dr_err *e);
/* Whether config_dir/config.json sends any registry to our helper. */
int creds_uses_own_helper(const char *config_dir);

/* registry:report's auth-servers, global-auth-servers and
 * computed-auth-servers (cmd/authservers.c); _done frees their cache. */
int creds_auth_servers(const char *app, char **out, struct dr_err *e);
int creds_global_auth_servers(const char *app, char **out, struct dr_err *e);
int creds_computed_auth_servers(const char *app, char **out, struct dr_err *e);
void creds_auth_servers_done(void);

#endif
