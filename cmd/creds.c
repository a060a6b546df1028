#include "creds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/dockerhub.h"
#include "base/secmem.h"
#include "dokku/apps.h"
#include "dokku/properties.h"
#include "dokku/settings.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"

const char *creds_normalize_server(const char *server)
{
	if (dr_hub_name_is(server, strlen(server), DR_HUB_WEBSITE))
		return DR_HUB_KEY;
	return server;
}

int creds_read_password(char **out, struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	int rc = dr_read_all(STDIN_FILENO, DR_PASSWORD_LIMIT, &buf, e);

	*out = NULL;
	if (rc) {
		dr_buf_wipe(&buf);
		return rc;
	}
	*out = strdup(dr_trim(buf.data));
	dr_buf_wipe(&buf);
	return *out ? 0 : dr_oom(e);
}

int creds_uses_own_helper(const char *config_dir)
{
	struct dr_dockercfg cfg;
	json_t *helpers, *v;
	const char *key;
	int ours = 0;

	if (dr_dockercfg_load(&cfg, config_dir, NULL) != 0)
		return 0;
	v = json_object_get(cfg.root, "credsStore");
	ours = json_is_string(v) && strcmp(json_string_value(v), DR_OWN_HELPER) == 0;
	helpers = json_object_get(cfg.root, "credHelpers");
	json_object_foreach(json_is_object(helpers) ? helpers : NULL, key, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), DR_OWN_HELPER) == 0)
			ours = 1;
	}
	dr_dockercfg_free(&cfg);
	return ours;
}
