/* The pusher's blob cache file ($XDG_CACHE_HOME/dokku-registry/blobs.json). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "push/push_int.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char digest[] =
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct dr_blob_cache *c;
	char dir[4200], out[256];

	setenv("XDG_CACHE_HOME", fz_dir(), 1);
	snprintf(dir, sizeof(dir), "%s/dokku-registry", fz_dir());
	mkdir(dir, 0700);
	fz_write("dokku-registry/blobs.json", data, size);
	c = dr_blob_cache_open("127.0.0.1:5000");
	if (!c)
		return 0;
	(void)dr_blob_cache_source(c, digest, "team/app", out, sizeof(out));
	dr_blob_cache_add(c, digest, "team/other");
	dr_blob_cache_save(c);
	dr_blob_cache_free(c);
	return 0;
}
