#include "dokku/config_dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dokku/apps.h"
#include "dokku/properties.h"
#include "helper/dockerconfig.h"

char *dr_docker_config_dir(const char *app)
{
	const char *env = getenv("DOCKER_CONFIG");
	char *dir;

	if (app)
		return dr_props_dir(app);
	if (env && env[0])
		return strdup(env);
	if (asprintf(&dir, "%s/.docker", dr_dokku_root()) < 0)
		return NULL;
	return dir;
}

char *dr_computed_docker_config_dir(const char *app)
{
	struct dr_dockercfg cfg;
	char *dir = dr_docker_config_dir(app);
	int own = 0;

	if (dir && dr_dockercfg_load(&cfg, dir, NULL) == 0) {
		own = dr_dockercfg_has_auths(&cfg);
		dr_dockercfg_free(&cfg);
	}
	if (own)
		return dir;
	free(dir);
	return dr_docker_config_dir(NULL);
}
