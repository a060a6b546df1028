/* Image references (push.h): docker's grammar, docker.io defaults. */
#include "push/push.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/dockerhub.h"

/* [a-z0-9]+ joined by ".", "_", "__" or runs of "-" */
static int component_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0;

		while (i < n && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]))) {
			i++;
			run++;
		}
		if (run == 0)
			return 0;
		if (i == n)
			return 1;
		if (s[i] == '.' || (s[i] == '_' && (i + 1 >= n || s[i + 1] != '_')))
			i++;
		else if (s[i] == '_')
			i += 2;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return 0;
		if (i == n)
			return 0;
	}
	return 0;
}

static int path_ok(const char *p)
{
	const char *c = p;

	if (!*p || strlen(p) > 255)
		return 0;
	for (;;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (!component_ok(c, n))
			return 0;
		if (!slash)
			return 1;
		c = slash + 1;
	}
}

static int tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (!(isalnum((unsigned char)t[i]) || strchr("_.-", t[i])))
			return 0;
	}
	return 1;
}

/* docker: the first component is a host when it has a dot or a port, or
 * is localhost */
static int looks_like_host(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && strncmp(s, "localhost", 9) == 0) ||
	       memchr(s, '[', n);
}

int dr_image_ref_parse(const char *s, struct dr_image_ref *r, struct dr_err *e)
{
	char buf[1024], *name = buf, *at, *slash, *colon;

	memset(r, 0, sizeof(*r));
	if (!s || !*s || strlen(s) >= sizeof(buf))
		return dr_fail(e, DR_EINVAL, "invalid image reference \"%s\"", s ? s : "");
	snprintf(buf, sizeof(buf), "%s", s);
	at = strrchr(buf, '@');
	if (at) {
		*at = '\0';
		if (!dr_digest_valid(at + 1))
			return dr_fail(e, DR_EINVAL, "invalid digest in image reference \"%s\"", s);
		snprintf(r->digest, sizeof(r->digest), "%s", at + 1);
	}
	slash = strchr(name, '/');
	if (slash && looks_like_host(name, (size_t)(slash - name))) {
		if ((size_t)(slash - name) >= sizeof(r->host))
			return dr_fail(e, DR_EINVAL, "registry name too long in \"%s\"", s);
		snprintf(r->host, sizeof(r->host), "%.*s", (int)(slash - name), name);
		name = slash + 1;
	} else {
		snprintf(r->host, sizeof(r->host), "%s", DR_HUB_KEY);
	}
	if (dr_hub_name_is(r->host, strlen(r->host), DR_HUB_REFERENCE))
		snprintf(r->host, sizeof(r->host), "%s", DR_HUB_KEY);
	colon = strrchr(name, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		if (!tag_ok(colon + 1))
			return dr_fail(e, DR_EINVAL, "invalid tag \"%s\" in image reference \"%s\"",
				       colon + 1, s);
		snprintf(r->tag, sizeof(r->tag), "%s", colon + 1);
	}
	if (strcmp(r->host, DR_HUB_KEY) == 0 && !strchr(name, '/')) {
		if (snprintf(r->repo, sizeof(r->repo), "library/%s", name) >= (int)sizeof(r->repo))
			return dr_fail(e, DR_EINVAL, "repository name too long in \"%s\"", s);
	} else if (strlen(name) >= sizeof(r->repo)) {
		return dr_fail(e, DR_EINVAL, "repository name too long in \"%s\"", s);
	} else {
		memcpy(r->repo, name, strlen(name) + 1);
	}
	if (!path_ok(r->repo))
		return dr_fail(e, DR_EINVAL, "invalid repository name \"%s\" in image reference \"%s\" "
			       "(lower case letters, digits and . _ - / only)", name, s);
	if (!r->tag[0] && !r->digest[0])
		snprintf(r->tag, sizeof(r->tag), "latest");
	return 0;
}

void dr_image_ref_format(const struct dr_image_ref *r, char *out, size_t n)
{
	if (r->tag[0])
		snprintf(out, n, "%s/%s:%s%s%s", r->host, r->repo, r->tag, r->digest[0] ? "@" : "",
			 r->digest);
	else
		snprintf(out, n, "%s/%s@%s", r->host, r->repo, r->digest);
}
