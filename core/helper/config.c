#include "helper/config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secmem.h"

#define TIMEOUT_MIN_MS 100u
#define TIMEOUT_MAX_MS 600000u

void dr_config_defaults(struct dr_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->collection, sizeof(c->collection), "default");
	c->timeout_ms = 5000;
	c->chain_timeout_ms = 30000;
}

const char *dr_pattern_problem(const char *p)
{
	size_t len = strlen(p), stars = 0;

	if (len == 0)
		return "it is empty";
	if (len > DR_PATTERN_MAX_LEN)
		return "it is longer than " DR_STR(DR_PATTERN_MAX_LEN) " characters";
	for (const char *c = p; *c; c++) {
		if (*c == '*')
			stars++;
		else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
			   *c == '-' || *c == ':' || *c == '_'))
			return "use lower-case host names, ports and * wildcards (a * never crosses a dot)";
	}
	if (stars > DR_PATTERN_MAX_STARS)
		return "it has more than " DR_STR(DR_PATTERN_MAX_STARS) " * wildcards";
	return NULL;
}

int dr_pattern_valid(const char *p)
{
	return dr_pattern_problem(p) == NULL;
}

int dr_helper_name_valid(const char *n)
{
	if (!n[0] || strlen(n) >= sizeof(((struct dr_chained *)0)->helper))
		return 0;
	for (; *n; n++) {
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '-' || *n == '_' || *n == '.'))
			return 0;
	}
	return 1;
}

/* later files override a pattern's helper */
static int set_chained(struct dr_config *c, const char *pattern, const char *helper,
		       const char *from, struct dr_err *e)
{
	size_t i;

	if (!dr_pattern_valid(pattern))
		return dr_fail(e, DR_EINVAL, "%s: invalid host pattern \"%.300s\": %s", from, pattern,
			       dr_pattern_problem(pattern));
	if (!dr_helper_name_valid(helper))
		return dr_fail(e, DR_EINVAL, "%s: invalid helper name \"%s\"", from, helper);
	for (i = 0; i < c->nchained; i++) {
		if (strcmp(c->chained[i].pattern, pattern) == 0)
			break;
	}
	if (i == DR_MAX_CHAINED)
		return dr_fail(e, DR_EINVAL, "%s: more than %d helper patterns", from, DR_MAX_CHAINED);
	snprintf(c->chained[i].pattern, sizeof(c->chained[i].pattern), "%s", pattern);
	snprintf(c->chained[i].helper, sizeof(c->chained[i].helper), "%s", helper);
	if (i == c->nchained)
		c->nchained++;
	return 0;
}

static int set_collection(struct dr_config *c, const char *v, const char *from,
			  struct dr_err *e)
{
	if (!v[0] || strlen(v) >= sizeof(c->collection))
		return dr_fail(e, DR_EINVAL, "%s: collection must be 1-%zu characters",
			       from, sizeof(c->collection) - 1);
	snprintf(c->collection, sizeof(c->collection), "%s", v);
	return 0;
}

static int set_timeout(struct dr_config *c, double secs, const char *from,
		       struct dr_err *e)
{
	double ms = secs * 1000.0;

	if (!(ms >= TIMEOUT_MIN_MS && ms <= TIMEOUT_MAX_MS))
		return dr_fail(e, DR_EINVAL, "%s: timeout must be between %.1f and %u seconds",
			       from, TIMEOUT_MIN_MS / 1000.0, TIMEOUT_MAX_MS / 1000);
	c->timeout_ms = (unsigned)ms;
	return 0;
}

static int set_unavailable(struct dr_config *c, const char *v, const char *from,
			   struct dr_err *e)
{
	if (strcmp(v, "error") == 0)
		c->unavailable_not_found = 0;
	else if (strcmp(v, "not-found") == 0)
		c->unavailable_not_found = 1;
	else
		return dr_fail(e, DR_EINVAL, "%s: unavailable must be \"error\" or \"not-found\"",
			       from);
	return 0;
}

static int set_transport(struct dr_config *c, const char *v, const char *from,
			 struct dr_err *e)
{
	if (strcmp(v, "plain") == 0)
		c->transport = DR_TRANSPORT_PLAIN;
	else if (strcmp(v, "dh") == 0)
		c->transport = DR_TRANSPORT_DH;
	else
		return dr_fail(e, DR_EINVAL, "%s: transport must be \"plain\" or \"dh\"", from);
	return 0;
}

static int apply_provider(struct dr_config *c, json_t *obj, const char *path,
			  struct dr_err *e)
{
	static const char *const keys[] = {
		"cache_duration", "chained_cache_duration", "not_found_cache_duration", "timeout",
	};
	char *const dst[] = {
		c->provider.cache_duration, c->provider.chained_cache_duration,
		c->provider.not_found_cache_duration, c->provider.timeout,
	};

	if (!json_is_object(obj))
		return dr_fail(e, DR_EINVAL, "%s: \"provider\" must be an object", path);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(obj, keys[i]);

		if (!v)
			continue;
		if (!json_is_string(v) || json_string_length(v) >= sizeof(c->provider.timeout))
			return dr_fail(e, DR_EINVAL, "%s: provider.%s must be a duration string such as \"5m\"",
				       path, keys[i]);
		snprintf(dst[i], sizeof(c->provider.timeout), "%s", json_string_value(v));
	}
	return 0;
}

static int apply_json(struct dr_config *c, json_t *root, const char *path,
		      struct dr_err *e)
{
	json_t *v;

	if (!json_is_object(root))
		return dr_fail(e, DR_EINVAL, "%s: top level must be a JSON object", path);
	v = json_object_get(root, "collection");
	if (v && !json_is_string(v))
		return dr_fail(e, DR_EINVAL, "%s: \"collection\" must be a string", path);
	if (v && set_collection(c, json_string_value(v), path, e))
		return e->code;
	v = json_object_get(root, "timeout");
	if (v && !json_is_number(v))
		return dr_fail(e, DR_EINVAL, "%s: \"timeout\" must be a number of seconds", path);
	if (v && set_timeout(c, json_number_value(v), path, e))
		return e->code;
	v = json_object_get(root, "unavailable");
	if (v && !json_is_string(v))
		return dr_fail(e, DR_EINVAL, "%s: \"unavailable\" must be a string", path);
	if (v && set_unavailable(c, json_string_value(v), path, e))
		return e->code;
	v = json_object_get(root, "transport");
	if (v && !json_is_string(v))
		return dr_fail(e, DR_EINVAL, "%s: \"transport\" must be a string", path);
	if (v && set_transport(c, json_string_value(v), path, e))
		return e->code;
	v = json_object_get(root, "bus");
	if (v && (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof(c->bus)))
		return dr_fail(e, DR_EINVAL, "%s: \"bus\" must be a D-Bus address string", path);
	if (v)
		snprintf(c->bus, sizeof(c->bus), "%s", json_string_value(v));
	v = json_object_get(root, "chain_timeout");
	if (v && !json_is_number(v))
		return dr_fail(e, DR_EINVAL, "%s: \"chain_timeout\" must be a number of seconds", path);
	if (v) {
		double ms = json_number_value(v) * 1000.0;

		if (!(ms >= TIMEOUT_MIN_MS && ms <= TIMEOUT_MAX_MS))
			return dr_fail(e, DR_EINVAL, "%s: chain_timeout out of range", path);
		c->chain_timeout_ms = (unsigned)ms;
	}
	v = json_object_get(root, "provider");
	if (v && apply_provider(c, v, path, e))
		return e->code;
	v = json_object_get(root, "helpers");
	if (v && !json_is_object(v))
		return dr_fail(e, DR_EINVAL, "%s: \"helpers\" must map host patterns to helper names",
			       path);
	{
		const char *pattern;
		json_t *h;

		json_object_foreach(v, pattern, h) {
			if (!json_is_string(h))
				return dr_fail(e, DR_EINVAL, "%s: helpers[\"%s\"] must be a string", path,
					       pattern);
			if (set_chained(c, pattern, json_string_value(h), path, e))
				return e->code;
		}
	}
	return 0;
}

/* 1 when read, 0 when absent (and may be), <0 on error */
static int load_file(struct dr_config *c, const char *path, int must_exist,
		     struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	json_error_t jerr;
	json_t *root;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return dr_fail(e, DR_EINVAL, "cannot read config %s: %s", path, strerror(errno));
	}
	rc = dr_read_all(fd, DR_CONFIG_LIMIT, &buf, e);
	close(fd);
	if (rc) {
		dr_buf_wipe(&buf);
		return dr_fail(e, rc, "cannot read config %s: %s", path, e->msg);
	}
	root = json_loadb(buf.data, buf.len, 0, &jerr);
	dr_buf_wipe(&buf);
	if (!root)
		return dr_fail(e, DR_EINVAL, "%s:%d: invalid JSON: %s", path, jerr.line, jerr.text);
	rc = apply_json(c, root, path, e);
	json_decref(root);
	if (rc)
		return rc;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return 1;
}

int dr_config_user_path(char *buf, size_t n, struct dr_err *e)
{
	const char *explicit_path = getenv(DR_CONFIG_ENV);
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (explicit_path && explicit_path[0])
		snprintf(buf, n, "%s", explicit_path);
	else if (xdg && xdg[0] == '/')
		snprintf(buf, n, "%s/docker-credential-dokku/config.json", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, n, "%s/.config/docker-credential-dokku/config.json", home);
	else
		return dr_fail(e, DR_EINVAL, "no config location: set HOME or %s", DR_CONFIG_ENV);
	return 0;
}

static int load_layers(struct dr_config *c, struct dr_err *e)
{
	const char *explicit_path = getenv(DR_CONFIG_ENV);
	char path[4096];
	int rc;

	rc = load_file(c, DR_SYSTEM_CONFIG, 0, e);
	if (rc < 0)
		return rc;
	if (!(explicit_path && explicit_path[0]) && dr_config_user_path(path, sizeof(path), NULL) == 0) {
		rc = load_file(c, path, 0, e);
		if (rc < 0)
			return rc;
	}
	if (explicit_path && explicit_path[0]) {
		rc = load_file(c, explicit_path, 1, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int apply_env(struct dr_config *c, struct dr_err *e)
{
	const char *v;

	v = getenv(DR_COLLECTION_ENV);
	if (v && v[0] && set_collection(c, v, DR_COLLECTION_ENV, e))
		return e->code;
	v = getenv(DR_TIMEOUT_ENV);
	if (v && v[0]) {
		char *end;
		double secs;

		errno = 0;
		secs = strtod(v, &end);
		if (errno || *end != '\0')
			return dr_fail(e, DR_EINVAL, "%s: not a number of seconds: %s",
				       DR_TIMEOUT_ENV, v);
		if (set_timeout(c, secs, DR_TIMEOUT_ENV, e))
			return e->code;
	}
	v = getenv(DR_UNAVAILABLE_ENV);
	if (v && v[0] && set_unavailable(c, v, DR_UNAVAILABLE_ENV, e))
		return e->code;
	v = getenv(DR_TRANSPORT_ENV);
	if (v && v[0] && set_transport(c, v, DR_TRANSPORT_ENV, e))
		return e->code;
	return 0;
}

int dr_config_load(struct dr_config *c, struct dr_err *e)
{
	int rc;

	dr_config_defaults(c);
	rc = load_layers(c, e);
	if (rc < 0)
		return rc;
	return apply_env(c, e);
}
