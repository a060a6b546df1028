/* daemon.json as dockerd's registry settings are read from it (insecure
 * registries, proxies), then the insecure rule asked about fixed hosts
 * (IP literals and names it may list: nothing is looked up in DNS).
 * Input: the file's bytes. */
#include <stdlib.h>

#include "registry/daemon_config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "127.0.0.1:5000", "[::1]:5000", "10.1.2.3:5000",
					     "[fd00::1]", "docker.io", "10.20.1.1:443" };
	struct dr_daemon_config c;
	struct dr_err e;

	if (dr_daemon_config_parse((const char *)data, size, "daemon.json", &c, &e) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		(void)dr_daemon_config_insecure(&c, hosts[i]);
	dr_daemon_config_free(&c);
	return 0;
}
