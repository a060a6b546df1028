/* push-engine <app>|--global [docker|native] [--compress gzip|zstd]
 * [--unset]: how push on release sends the image (dokku/push_engine.h).
 * With neither a value nor --unset it shows the computed setting. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "dokku/apps.h"
#include "dokku/push_engine.h"
#include "cmd.h"

#define USAGE "usage: dokku-registry push-engine <app>|--global [docker|native] " \
	      "[--compress gzip|zstd] [--unset]"

int cmd_push_engine(int argc, char **argv)
{
	const char *scope = NULL, *engine = NULL, *compress = NULL;
	struct dr_push_setting s;
	struct dr_err e = { 0 };
	int unset = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--compress") == 0 && i + 1 < argc && !compress)
			compress = argv[++i];
		else if (strncmp(argv[i], "--compress=", 11) == 0 && !compress)
			compress = argv[i] + 11;
		else if (strcmp(argv[i], "--unset") == 0)
			unset = 1;
		else if (!scope && (strcmp(argv[i], "--global") == 0 || argv[i][0] != '-'))
			scope = argv[i];
		else if (!engine && argv[i][0] != '-')
			engine = argv[i];
		else
			return dr_log_fail(2, USAGE);
	}
	if (!scope || (unset && (engine || compress)))
		return dr_log_fail(2, USAGE);
	if (strcmp(scope, "--global") != 0 && dr_app_verify(scope, &e) != 0)
		return cmd_fail(&e);
	if (unset || engine || compress) {
		if (dr_push_setting_store(scope, unset ? "" : engine, unset ? "" : compress, &e) != 0)
			return e.code == DR_EINVAL ? dr_log_fail(2, "%s", e.msg) : cmd_fail(&e);
		return 0;
	}
	if (dr_push_setting_computed(scope, &s, &e) != 0)
		return cmd_fail(&e);
	printf("engine: %s\ncompress: %s\n", dr_push_engine_name(s.engine),
	       dr_compression_name(s.compress));
	return 0;
}
