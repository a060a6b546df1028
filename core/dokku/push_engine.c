/* The push engine setting (push_engine.h), stored with Dokku's plugin
 * property layout under the project's own name. */
#include <stdlib.h>
#include <string.h>

#include "dokku/plugin_props.h"
#include "dokku/push_engine.h"

int dr_push_engine_parse(const char *name, enum dr_push_engine *out)
{
	if (strcmp(name, "docker") == 0)
		*out = DR_ENGINE_DOCKER;
	else if (strcmp(name, "native") == 0)
		*out = DR_ENGINE_NATIVE;
	else
		return -1;
	return 0;
}

const char *dr_push_engine_name(enum dr_push_engine engine)
{
	return engine == DR_ENGINE_NATIVE ? "native" : "docker";
}

int dr_push_compress_parse(const char *name, enum dr_compression *out)
{
	if (strcmp(name, "gzip") != 0 && strcmp(name, "zstd") != 0)
		return -1;
	return dr_compression_parse(name, out);
}

int dr_push_setting_computed(const char *app, struct dr_push_setting *s, struct dr_err *e)
{
	char *engine = NULL, *compress = NULL;
	int rc;

	s->engine = DR_ENGINE_DOCKER;
	s->compress = DR_COMPRESS_GZIP;
	rc = dr_plugin_prop_computed(DR_PUSH_ENGINE_PLUGIN, app, "push-engine", "docker", &engine, e);
	if (rc == 0)
		rc = dr_plugin_prop_computed(DR_PUSH_ENGINE_PLUGIN, app, "push-compress", "gzip",
					     &compress, e);
	if (rc == 0 && dr_push_engine_parse(engine, &s->engine) != 0)
		rc = dr_fail(e, DR_EINVAL, "push-engine of %s is \"%s\": it must be docker or native",
			     app, engine);
	if (rc == 0 && dr_push_compress_parse(compress, &s->compress) != 0)
		rc = dr_fail(e, DR_EINVAL, "push-compress of %s is \"%s\": it must be gzip or zstd",
			     app, compress);
	free(engine);
	free(compress);
	return rc;
}

static int store(const char *scope, const char *prop, const char *value, struct dr_err *e)
{
	if (value[0] == '\0')
		return dr_plugin_prop_unset(DR_PUSH_ENGINE_PLUGIN, scope, prop, e);
	return dr_plugin_prop_set(DR_PUSH_ENGINE_PLUGIN, scope, prop, value, e);
}

int dr_push_setting_store(const char *scope, const char *engine, const char *compress,
			  struct dr_err *e)
{
	enum dr_push_engine en;
	enum dr_compression c;
	int rc = 0;

	if (engine && engine[0] && dr_push_engine_parse(engine, &en) != 0)
		return dr_fail(e, DR_EINVAL, "push engine must be docker or native, not \"%s\"", engine);
	if (compress && compress[0] && dr_push_compress_parse(compress, &c) != 0)
		return dr_fail(e, DR_EINVAL, "--compress must be gzip or zstd, not \"%s\"", compress);
	if (engine)
		rc = store(scope, "push-engine", engine, e);
	if (rc == 0 && compress)
		rc = store(scope, "push-compress", compress, e);
	return rc;
}
