/* What login, logout, auth-status, migrate and the app hooks share. */
#ifndef DR_CMD_CREDS_H
#define DR_CMD_CREDS_H

#include "base/err.h"
#include "dokku/config_dir.h"

#define DR_PASSWORD_LIMIT (1024 * 1024)

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
