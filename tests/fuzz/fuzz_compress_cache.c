/* The pusher's compression cache file
 * ($XDG_CACHE_HOME/dokku-registry/compressed.json), its entries checked
 * against a fixed key (signed.json in the corpus has a good MAC). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "push/push_int.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char layer[] =
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	static const char blob[] =
		"sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	struct dr_blob_cache *c;
	char dir[4200], out[DR_DIGEST_MAX];
	long long n = 0;

	static const char key[] = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n";

	setenv("XDG_CACHE_HOME", fz_dir(), 1);
	setenv("XDG_STATE_HOME", fz_dir(), 1);
	snprintf(dir, sizeof(dir), "%s/dokku-registry", fz_dir());
	mkdir(dir, 0700);
	fz_write("dokku-registry/cache.key", (const uint8_t *)key, sizeof(key) - 1);
	fz_write("dokku-registry/compressed.json", data, size);
	c = dr_blob_cache_open("127.0.0.1:5000");
	if (!c)
		return 0;
	(void)dr_blob_cache_compressed(c, layer, "gzip-6", out, &n);
	(void)dr_blob_cache_v1_layer(c, blob, out);
	dr_blob_cache_add_v1_layer(c, layer, blob);
	dr_blob_cache_add_compressed(c, layer, "zstd-3", blob, 1234);
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	return 0;
}
