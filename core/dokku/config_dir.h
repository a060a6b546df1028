/* Which docker config dir holds a Dokku app's registry logins. */
#ifndef DR_CONFIG_DIR_H
#define DR_CONFIG_DIR_H

/* Docker config dir of an app (its registry property dir), or the global
 * one ($DOCKER_CONFIG, else $DOKKU_ROOT/.docker) when app is NULL. */
char *dr_docker_config_dir(const char *app);
/* The one config dir docker gets for an app's pushes and pulls (Dokku's
 * GetComputedAppRegistryConfigDir): the app's when its config.json has a
 * non-empty auths, else the global one. Only that dir's logins count: an
 * app with logins of its own never gets the global ones. */
char *dr_computed_docker_config_dir(const char *app);

#endif
