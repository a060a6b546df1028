/* docker-credential-dokku's own config file (the explicit layer). */
#include <stdlib.h>

#include "helper/chain.h"
#include "helper/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_config c;
	struct dr_err e = { 0 };
	const char *path = fz_write("helper-config.json", data, size);

	setenv("DOCKER_CREDENTIAL_DOKKU_CONFIG", path, 1);
	if (dr_config_load(&c, &e) == 0)
		(void)dr_chain_lookup(&c, "123456789012.dkr.ecr.us-east-1.amazonaws.com");
	return 0;
}
