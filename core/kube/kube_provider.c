#include "kube/kube_provider.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dockerhub.h"
#include "base/secmem.h"
#include "base/serverurl.h"

#define KIND_REQUEST "CredentialProviderRequest"
#define KIND_RESPONSE "CredentialProviderResponse"
#define DURATION_MAX_SECONDS (365ul * 24 * 3600)

/* the versions kubelet may be configured to speak; the same fields in all */
static const char *const api_versions[] = {
	DR_KUBE_API_V1,
	"credentialprovider.kubelet.k8s.io/v1beta1",
	"credentialprovider.kubelet.k8s.io/v1alpha1",
	NULL,
};

/* s when it is short printable ASCII, else a placeholder: error text may
 * quote names, never arbitrary bytes */
static const char *quotable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200)
		return "(unprintable)";
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return "(unprintable)";
	}
	return s;
}

static int string_field(json_t *root, const char *name, const char **out, struct dr_err *e)
{
	json_t *v = json_object_get(root, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return dr_fail(e, DR_EINVAL, "request: \"%s\" must be a string", name);
	*out = json_string_value(v);
	return 0;
}

static int check_type_meta(json_t *root, struct dr_kube_request *r, struct dr_err *e)
{
	const char *api, *kind;
	size_t i;

	if (string_field(root, "apiVersion", &api, e) || string_field(root, "kind", &kind, e))
		return e->code;
	if (!api)
		return dr_fail(e, DR_EINVAL, "request has no apiVersion (want %s)", DR_KUBE_API_V1);
	for (i = 0; api_versions[i] && strcmp(api_versions[i], api) != 0; i++)
		;
	if (!api_versions[i])
		return dr_fail(e, DR_EINVAL, "unsupported apiVersion %s (want %s, or its v1beta1/v1alpha1)",
			       quotable(api), DR_KUBE_API_V1);
	if (!kind || strcmp(kind, KIND_REQUEST) != 0)
		return dr_fail(e, DR_EINVAL, "request kind is %s, not " KIND_REQUEST,
			       kind ? quotable(kind) : "missing");
	snprintf(r->api_version, sizeof(r->api_version), "%s", api);
	return 0;
}

int dr_kube_request_parse(const char *buf, size_t len, struct dr_kube_request *r,
			  struct dr_err *e)
{
	json_error_t jerr;
	json_t *root, *token, *annotations;
	const char *image;
	int rc;

	memset(r, 0, sizeof(*r));
	if (len > DR_KUBE_REQUEST_LIMIT)
		return dr_fail(e, DR_ETOOBIG, "request larger than %u bytes", DR_KUBE_REQUEST_LIMIT);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* jansson quotes the input "near '…'", which may be a token */
		char *near = strstr(jerr.text, " near '");

		if (near)
			*near = '\0';
		return dr_fail(e, DR_EINVAL, "request is not JSON (line %d, column %d): %s", jerr.line,
			       jerr.column, jerr.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return dr_fail(e, DR_EINVAL, "request is not a JSON object");
	}
	rc = check_type_meta(root, r, e);
	if (rc == 0)
		rc = string_field(root, "image", &image, e);
	if (rc == 0 && (!image || !image[0]))
		rc = dr_fail(e, DR_EINVAL, "request has no image");
	token = json_object_get(root, "serviceAccountToken");
	annotations = json_object_get(root, "serviceAccountAnnotations");
	if (rc == 0 && token && !json_is_string(token))
		rc = dr_fail(e, DR_EINVAL, "request: \"serviceAccountToken\" must be a string");
	if (rc == 0 && annotations && !json_is_object(annotations) && !json_is_null(annotations))
		rc = dr_fail(e, DR_EINVAL, "request: \"serviceAccountAnnotations\" must be an object");
	if (rc == 0) {
		r->has_sa_token = token && json_string_length(token) > 0;
		r->image = strdup(image);
		if (!r->image)
			rc = dr_oom(e);
	}
	/* the token is not used: jansson's hooked free wipes it with the rest */
	json_decref(root);
	if (rc)
		dr_kube_request_free(r);
	return rc;
}

void dr_kube_request_free(struct dr_kube_request *r)
{
	free(r->image);
	r->image = NULL;
}

/* Docker's splitDockerDomain: is the first component a registry? */
static int names_registry(const char *c, size_t n)
{
	if (n == 9 && strncmp(c, "localhost", 9) == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (c[i] == '.' || c[i] == ':' || isupper((unsigned char)c[i]))
			return 1;
	}
	return 0;
}

static char **hub_servers(void)
{
	/* docker/cli asks for the index URL; chained helpers may have the others */
	static const char *const spellings[] = {
		DR_HUB_INDEX, DR_HUB_INDEX_HOST, DR_HUB_KEY, NULL,
	};
	char **v = calloc(4, sizeof(char *));

	for (size_t i = 0; v && spellings[i]; i++) {
		v[i] = strdup(spellings[i]);
		if (!v[i]) {
			dr_strv_free(v);
			return NULL;
		}
	}
	return v;
}

static char **registry_servers(const char *registry)
{
	char **v = calloc(3, sizeof(char *));

	if (!v)
		return NULL;
	v[0] = strdup(registry);
	v[1] = malloc(strlen(registry) + 9);
	if (!v[0] || !v[1]) {
		dr_strv_free(v);
		return NULL;
	}
	strcpy(v[1], "https://");
	strcat(v[1], registry);
	return v;
}

static int image_chars_ok(const char *image)
{
	size_t n = strlen(image);

	if (n == 0 || n > DR_KUBE_IMAGE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)image[i] < 0x21 || (unsigned char)image[i] > 0x7e)
			return 0;
	}
	return 1;
}

int dr_kube_image_parse(const char *image, struct dr_kube_image *im, struct dr_err *e)
{
	const char *slash = strchr(image, '/');
	size_t n = slash ? (size_t)(slash - image) : 0;
	char *canon = NULL;

	memset(im, 0, sizeof(*im));
	if (!image_chars_ok(image))
		return dr_fail(e, DR_EINVAL, "image is empty, too long or has blanks or control characters");
	if (slash && slash[1] == '\0')
		return dr_fail(e, DR_EINVAL, "image %s names no repository", quotable(image));
	im->registry = slash && names_registry(image, n) ? strndup(image, n) : strdup("");
	if (!im->registry)
		return dr_oom(e);
	if (im->registry[0]) {
		if (dr_serverurl_canonical(im->registry, &canon, NULL) != 0 || strchr(canon, '/')) {
			free(canon);
			dr_kube_image_free(im);
			return dr_fail(e, DR_EINVAL, "image %s: not a registry host[:port]", quotable(image));
		}
		im->hub = strcmp(canon, DR_HUB_KEY) == 0;
		free(canon);
	} else {
		im->hub = 1;
	}
	/* the image's own registry spelling matches it label for label;
	 * kubelet's Docker Hub key covers short names too */
	im->key = strdup(im->registry[0] ? im->registry : DR_HUB_INDEX_HOST);
	im->servers = im->hub ? hub_servers() : registry_servers(im->registry);
	if (!im->key || !im->servers) {
		dr_kube_image_free(im);
		return dr_oom(e);
	}
	return 0;
}

void dr_kube_image_free(struct dr_kube_image *im)
{
	free(im->registry);
	free(im->key);
	dr_strv_free(im->servers);
	memset(im, 0, sizeof(*im));
}

int dr_kube_response(const struct dr_kube_answer *a, char **out, struct dr_err *e)
{
	json_t *root = json_object(), *auth = NULL, *entry = NULL;
	char duration[64], *body, *line;
	size_t n;

	*out = NULL;
	if (!root)
		return dr_oom(e);
	dr_duration_format(a->cache_seconds, duration, sizeof(duration));
	json_object_set_new(root, "apiVersion", json_string(a->api_version));
	json_object_set_new(root, "kind", json_string(KIND_RESPONSE));
	json_object_set_new(root, "cacheKeyType", json_string("Registry"));
	json_object_set_new(root, "cacheDuration", json_string(duration));
	/* a->sa_token changes nothing: since 1.34 the token cache type is the
	 * kubelet config's tokenAttributes.cacheType, and kubelet's strict
	 * decoder would refuse any field the response type does not have */
	if (a->key) {
		json_t *user = json_string(a->username ? a->username : "");
		json_t *pass = json_stringn(a->password ? a->password : "", a->password_len);

		auth = json_object();
		entry = json_object();
		if (!user || !pass || !auth || !entry) {
			json_decref(user);
			json_decref(pass);
			json_decref(auth);
			json_decref(entry);
			json_decref(root);
			return dr_fail(e, DR_EINVAL, "the credentials are not valid UTF-8, which JSON cannot carry");
		}
		json_object_set_new(entry, "username", user);
		json_object_set_new(entry, "password", pass);
		json_object_set_new(auth, a->key, entry);
		json_object_set_new(root, "auth", auth);
	}
	body = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!body)
		return dr_fail(e, DR_EIO, "cannot encode the response");
	n = strlen(body);
	line = malloc(n + 2);
	if (line) {
		memcpy(line, body, n);
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	dr_wipe_free(body);
	if (!line)
		return dr_oom(e);
	*out = line;
	return 0;
}

/* nanoseconds per unit, longest names first */
static const struct unit {
	const char *name;
	double ns;
} units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
	{ "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
};

static const struct unit *unit_at(const char *p, size_t *len)
{
	const struct unit *best = NULL;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].name);

		if (strncmp(p, units[i].name, l) == 0 && (!best || l > *len)) {
			best = &units[i];
			*len = l;
		}
	}
	return best;
}

int dr_duration_parse(const char *s, unsigned long *seconds, struct dr_err *e)
{
	const char *p = s;
	double total_ns = 0;

	*seconds = 0;
	if (strcmp(s, "0") == 0)
		return 0;
	if (!*p)
		return dr_fail(e, DR_EINVAL, "empty duration");
	while (*p) {
		double whole = 0, frac = 0, scale = 1;
		int digits = 0;
		const struct unit *u;
		size_t ulen = 0;

		for (; isdigit((unsigned char)*p); p++, digits++)
			whole = whole * 10 + (*p - '0');
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++, digits++) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
		u = digits ? unit_at(p, &ulen) : NULL;
		if (!u)
			return dr_fail(e, DR_EINVAL,
				       "invalid duration \"%s\" (Go syntax: 90s, 5m, 1h30m, 0)", quotable(s));
		total_ns += (whole + frac) * u->ns;
		if (total_ns / 1e9 > (double)DURATION_MAX_SECONDS)
			return dr_fail(e, DR_EINVAL, "duration \"%s\" is longer than a year", quotable(s));
		p += ulen;
	}
	*seconds = (unsigned long)(total_ns / 1e9);
	return 0;
}

void dr_duration_format(unsigned long s, char *buf, size_t n)
{
	unsigned long h = s / 3600, m = s % 3600 / 60, sec = s % 60;

	if (h)
		snprintf(buf, n, "%luh%lum%lus", h, m, sec);
	else if (m)
		snprintf(buf, n, "%lum%lus", m, sec);
	else
		snprintf(buf, n, "%lus", sec);
}
