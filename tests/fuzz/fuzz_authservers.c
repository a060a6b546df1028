/* A docker config.json as read from disk, to the auth-servers list and the
 * server name of every one of its auths keys. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "dokku/authservers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int every_other(const char *key, void *arg)
{
	int *n = arg;

	(void)key;
	return (*n)++ % 2 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, 0, NULL);
	json_t *auths = json_object_get(root, "auths"), *v;
	const char *key;
	char *out;
	int n = 0;

	out = dr_auth_servers(root, NULL, NULL);
	free(out);
	out = dr_auth_servers(root, every_other, &n);
	free(out);
	json_object_foreach(json_is_object(auths) ? auths : NULL, key, v) {
		char *name = dr_auth_server_name(key);

		if (!name || !name[0])
			abort(); /* every key names a server */
		free(name);
	}
	json_decref(root);
	return 0;
}
