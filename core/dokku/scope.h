/* Which Dokku app's credentials a helper call is about. Dokku points docker
 * at an app's own config dir ($DOKKU_LIB_ROOT/config/registry/<app>) when
 * the app has its own login; the helper sees that as DOCKER_CONFIG, or as
 * the `--config DIR` of the docker process that ran it. */
#ifndef DR_SCOPE_H
#define DR_SCOPE_H

/* The app of a docker config dir ".../config/registry/<app>", else NULL.
 * malloc'd. */
char *dr_scope_from_dir(const char *dir);
/* From the parent's `docker --config DIR` (which wins, as in docker), else
 * from DOCKER_CONFIG; NULL means the global entries. malloc'd. */
char *dr_scope_detect(void);

#endif
