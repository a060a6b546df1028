#include "base/serverurl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int valid_port(const char *p, size_t n)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* host[:port] or [v6]:port; writes the lower-cased form to out. */
static int parse_authority(const char *a, size_t n, char *out)
{
	size_t hlen, i;

	if (n == 0)
		return -1;
	if (a[0] == '[') {
		const char *close = memchr(a, ']', n);

		if (!close || close == a + 1)
			return -1;
		hlen = (size_t)(close - a) + 1;
		for (i = 1; i + 1 < hlen; i++) {
			unsigned char c = (unsigned char)a[i];

			if (!isxdigit(c) && c != ':' && c != '.')
				return -1;
		}
	} else {
		for (hlen = 0; hlen < n && a[hlen] != ':'; hlen++) {
			unsigned char c = (unsigned char)a[hlen];

			if (!isalnum(c) && c != '.' && c != '-' && c != '_')
				return -1;
		}
		if (hlen == 0)
			return -1;
	}
	if (hlen < n && (a[hlen] != ':' || !valid_port(a + hlen + 1, n - hlen - 1)))
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)a[i]);
	out[n] = '\0';
	return 0;
}

/* Collapses runs of '/', drops a trailing '/', rejects blanks and controls. */
static int clean_path(const char *p, char *out)
{
	size_t o = 0;

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 0x7f)
			return -1;
		if (c == '/' && o > 0 && out[o - 1] == '/')
			continue;
		out[o++] = (char)c;
	}
	if (o > 0 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return 0;
}

int dr_serverurl_canonical(const char *s, char **key, struct dr_err *e)
{
	const char *start, *end, *slash;
	char *authority = NULL, *path = NULL, *out = NULL;
	size_t alen, len;
	int rc = DR_EINVAL;

	*key = NULL;
	start = s;
	while (*start && isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (has_prefix_ci(start, "https://"))
		start += 8;
	else if (has_prefix_ci(start, "http://"))
		start += 7;
	len = (size_t)(end - start);
	slash = memchr(start, '/', len);
	alen = slash ? (size_t)(slash - start) : len;

	authority = malloc(alen + 1);
	path = malloc(len - alen + 1);
	if (!authority || !path)
		goto out;
	if (parse_authority(start, alen, authority) != 0)
		goto out;
	memcpy(path, start + alen, len - alen);
	path[len - alen] = '\0';
	if (clean_path(path, path) != 0)
		goto out;
	if (dr_hub_name_is(authority, strlen(authority), DR_HUB_REGISTRY)) {
		if (strcmp(path, "") == 0 || strcmp(path, "/v1") == 0)
			path[0] = '\0';
		strcpy(authority, DR_HUB_KEY);
	}
	out = malloc(strlen(authority) + strlen(path) + 1);
	if (!out)
		goto out;
	strcpy(out, authority);
	strcat(out, path);
	*key = out;
	rc = 0;
out:
	free(authority);
	free(path);
	if (rc)
		dr_fail(e, rc, "not a registry address");
	return rc;
}

static int strv_add(char ***v, size_t *n, const char *scheme, const char *host,
		    const char *path, const char *tail)
{
	size_t len = strlen(scheme) + strlen(host) + strlen(path) + strlen(tail) + 1;
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = malloc(len);
	if (!nv[*n])
		return -1;
	snprintf(nv[*n], len, "%s%s%s%s", scheme, host, path, tail);
	nv[++*n] = NULL;
	return 0;
}

/* The spellings clients store under (bare, https://), and with rare also
 * the ones seen only in old configs and docker logout's list (https://…/,
 * http://, http://…/). */
static int add_spellings(char ***v, size_t *n, const char *host, const char *path, int rare)
{
	if (strv_add(v, n, "", host, path, "") || strv_add(v, n, "https://", host, path, ""))
		return -1;
	if (rare && (strv_add(v, n, "https://", host, path, "/") ||
		     strv_add(v, n, "http://", host, path, "") ||
		     strv_add(v, n, "http://", host, path, "/")))
		return -1;
	return 0;
}

char **dr_serverurl_aliases(const char *key, int rare)
{
	size_t hub_len = strlen(DR_HUB_KEY);
	char **v = NULL;
	size_t n = 0;
	int fail = 0;

	if (strncmp(key, DR_HUB_KEY, hub_len) == 0 &&
	    (key[hub_len] == '\0' || key[hub_len] == '/')) {
		const char *path = key + hub_len;

		for (size_t i = 0; dr_hub_names[i].name && !fail; i++) {
			if (dr_hub_names[i].roles & DR_HUB_REGISTRY)
				fail = add_spellings(&v, &n, dr_hub_names[i].name, path, rare);
		}
		/* docker/cli's index URL, and Docker Desktop's double-slash token keys */
		if (!fail && path[0] == '\0')
			fail = strv_add(&v, &n, "https://", DR_HUB_INDEX_HOST, "/v1", "/") ||
			       (rare && strv_add(&v, &n, "https://", DR_HUB_INDEX_HOST, "/v1", ""));
		if (!fail && strncmp(path, "/v1/", 4) == 0)
			fail = strv_add(&v, &n, "https://", DR_HUB_INDEX_HOST, "/v1/", path + 3);
	} else {
		fail = add_spellings(&v, &n, key, "", rare);
	}
	if (fail || !v) {
		dr_strv_free(v);
		return NULL;
	}
	return v;
}

char *dr_serverurl_key_host(const char *key)
{
	const char *slash = strchr(key, '/');
	size_t n = slash ? (size_t)(slash - key) : strlen(key);
	char *h = malloc(n + 1);

	if (!h)
		return NULL;
	memcpy(h, key, n);
	h[n] = '\0';
	return h;
}

void dr_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}
