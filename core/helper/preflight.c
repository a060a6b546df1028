#include "helper/preflight.h"

#include <string.h>

#include "base/dockerhub.h"
#include "helper/credhelper.h"
#include "helper/dockerconfig.h"

int dr_keyring_preflight(const char *config_dir, const char *server, struct dr_err *e)
{
	struct dr_dockercfg cfg = { 0 };
	struct dr_creds c = { 0 };
	const char *helper, *host = server && *server ? server : DR_HUB_KEY;
	int rc;

	if (dr_dockercfg_load(&cfg, config_dir, NULL) != 0)
		return 0; /* Docker would read nothing either; its own error follows */
	helper = dr_dockercfg_helper_for(&cfg, host);
	if (!helper || strcmp(helper, DR_OWN_HELPER) != 0 || !dr_dockercfg_auth_entry(&cfg, host)) {
		dr_dockercfg_free(&cfg);
		return 0;
	}
	rc = dr_credhelper_get(DR_OWN_HELPER, config_dir, host, &c, e);
	dr_creds_wipe(&c);
	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, rc, "%s names a login for %s, but the keyring has none: log in again "
			     "(dokku registry:login)", cfg.path, host);
	else if (rc)
		rc = dr_fail(e, rc, "the keyring cannot hand out the credentials for %s (%s): %s%s",
			     host, cfg.path, e->msg, dr_keyring_fix_suffix(e->msg));
	dr_dockercfg_free(&cfg);
	return rc;
}
