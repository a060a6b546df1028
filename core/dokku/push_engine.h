/* How push on release sends the image: the project's own setting, kept
 * apart from Dokku's registry properties (registry:report stays Dokku's)
 * as $DOKKU_LIB_ROOT/config/dokku-registry/<app>/push-engine and
 * .../push-compress, with --global for every app. The app value wins over
 * the global one; unset means the docker engine with gzip. */
#ifndef DR_PUSH_ENGINE_H
#define DR_PUSH_ENGINE_H

#include "base/err.h"
#include "dokku/own_dir.h"
#include "push/compress.h"

#define DR_PUSH_ENGINE_PLUGIN DR_OWN_DIR_NAME

enum dr_push_engine { DR_ENGINE_DOCKER, DR_ENGINE_NATIVE };

struct dr_push_setting {
	enum dr_push_engine engine;
	enum dr_compression compress; /* gzip or zstd */
};

/* "docker" or "native"; -1 for anything else */
int dr_push_engine_parse(const char *name, enum dr_push_engine *out);
const char *dr_push_engine_name(enum dr_push_engine engine);
/* "gzip" or "zstd" (uncompressed layers are not offered here); -1 else */
int dr_push_compress_parse(const char *name, enum dr_compression *out);

/* The app's setting, else the global one, else docker/gzip. A stored value
 * that does not parse is an error naming the file's value. */
int dr_push_setting_computed(const char *app, struct dr_push_setting *s, struct dr_err *e);
/* scope: an app or "--global"; engine or compress NULL: left as is,
 * "": unset. Values must parse (DR_EINVAL with a one-line message). */
int dr_push_setting_store(const char *scope, const char *engine, const char *compress,
			  struct dr_err *e);

#endif
