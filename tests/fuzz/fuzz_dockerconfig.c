/* A docker config.json: loaded, edited the way login/logout edit it, saved. */
#include <stdlib.h>

#include "helper/dockerconfig.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_dockercfg c = { 0 };
	struct dr_err e = { 0 };

	fz_write("config.json", data, size);
	if (dr_dockercfg_load(&c, fz_dir(), &e) == 0) {
		(void)dr_dockercfg_has_auths(&c);
		(void)dr_dockercfg_auth_entry(&c, "docker.io");
		(void)dr_dockercfg_auth_entry(&c, "127.0.0.1:5000");
		if (dr_dockercfg_use_helper(&c, "registry.example.com", "dokku", 1, &e) == 0)
			dr_dockercfg_forget(&c, "registry.example.com");
		(void)dr_dockercfg_save(&c, &e);
	}
	dr_dockercfg_free(&c);
	return 0;
}
