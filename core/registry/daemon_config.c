/* daemon.json's registry settings (daemon_config.h), with the rules of
 * moby's registry service (daemon/pkg/registry/config.go:
 * loadInsecureRegistries, validateHostPort, isSecureIndex, isCIDRMatch)
 * and of its configuration loader (daemon/config/config.go:
 * getConflictFreeConfiguration). */
#include "registry/daemon_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/atomicfile.h"
#include "base/dockerhub.h"

void dr_daemon_config_free(struct dr_daemon_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_names; i++)
		free(c->names[i]);
	free(c->names);
	free(c->cidrs);
	free(c->http_proxy);
	free(c->https_proxy);
	free(c->no_proxy);
	memset(c, 0, sizeof(*c));
}

/* ---- CIDRs (Go's netip.ParsePrefix) ---- */

static int parse_cidr(const char *s, struct dr_cidr *out)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	size_t n = slash ? (size_t)(slash - s) : 0;
	unsigned long bits = 0;
	const char *p;

	if (!slash || n == 0 || n >= sizeof(addr) || !slash[1] || strlen(slash + 1) > 3)
		return -1;
	/* decimal, no sign, no leading zero */
	for (p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		bits = bits * 10 + (unsigned long)(*p - '0');
	}
	if (slash[1] == '0' && slash[2])
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		if (bits > 32)
			return -1;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		if (bits > 128)
			return -1;
	} else {
		return -1;
	}
	out->bits = (unsigned)bits;
	/* masked, as dockerd stores it */
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * i : 0;

		out->addr[i] &= (unsigned char)(0xff00u >> keep);
	}
	return 0;
}

static int cidr_contains(const struct dr_cidr *c, int family, const unsigned char *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family)
		return 0;
	if (memcmp(c->addr, a, full) != 0)
		return 0;
	return rest == 0 || (a[full] & (unsigned char)(0xff00u >> rest)) == c->addr[full];
}

/* ---- host[:port] (validateHostPort) ---- */

/* reference.DomainRegexp: components of [A-Za-z0-9-] not starting or ending
 * with '-', joined by '.'; or [hex and ':']; then an optional :digits */
static int domain_matches(const char *s)
{
	const char *p = s;

	if (*p == '[') {
		for (p++; isxdigit((unsigned char)*p) || *p == ':'; p++)
			;
		if (p == s + 1 || *p != ']')
			return 0;
		p++;
	} else {
		for (;;) {
			const char *start = p;

			while (isalnum((unsigned char)*p) || *p == '-')
				p++;
			if (p == start || *start == '-' || p[-1] == '-')
				return 0;
			if (*p != '.')
				break;
			p++;
		}
	}
	if (*p == ':') {
		if (!isdigit((unsigned char)*++p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

/* Go's net.SplitHostPort: 0 and host/port, or -1 (then the caller takes
 * the whole string as the host, as dockerd does). */
static int split_host_port(const char *s, char *host, size_t hn, const char **port)
{
	const char *colon, *end;
	size_t n;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -1;
		colon = end + 1;
		s++;
		n = (size_t)(end - s);
	} else {
		colon = strchr(s, ':');
		if (!colon || strchr(colon + 1, ':'))
			return -1;
		n = (size_t)(colon - s);
	}
	if (n >= hn || strchr(colon + 1, '[') || strchr(colon + 1, ']'))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

static int is_ip(const char *h)
{
	unsigned char a[16];

	return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

static int valid_host_port(const char *s, struct dr_err *e, const char *path, const char *entry)
{
	char host[512];
	const char *port = "", *p;
	long v = 0;

	if (split_host_port(s, host, sizeof(host), &port) != 0) {
		snprintf(host, sizeof(host), "%s", s);
		port = "";
	}
	if (!domain_matches(s) && !is_ip(host))
		return dr_fail(e, DR_EINVAL, "%s: insecure registry %s is not valid: invalid host "
			       "\"%s\"", path, entry, host);
	if (!*port)
		return 0;
	/* strconv.Atoi: an optional sign, then digits */
	p = port + (*port == '+' || *port == '-');
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6)
		return dr_fail(e, DR_EINVAL, "%s: insecure registry %s is not valid: port \"%s\" is "
			       "not a number", path, entry, port);
	v = strtol(p, NULL, 10) * (*port == '-' ? -1 : 1);
	if (v < 0 || v > 65535)
		return dr_fail(e, DR_EINVAL, "%s: insecure registry %s is not valid: invalid port "
			       "\"%s\"", path, entry, port);
	return 0;
}

/* ---- daemon.json ---- */

/* The value of key: an exact match, else one that differs in case only
 * (Go's encoding/json matches keys that way). */
static json_t *get_key(json_t *obj, const char *key)
{
	const char *k;
	json_t *v = json_object_get(obj, key), *w;

	if (v)
		return v;
	json_object_foreach(obj, k, w) {
		if (strcasecmp(k, key) == 0)
			return w;
	}
	return NULL;
}

static int add_cidr(struct dr_daemon_config *c, const struct dr_cidr *x)
{
	struct dr_cidr *n;

	for (size_t i = 0; i < c->n_cidrs; i++) {
		if (memcmp(&c->cidrs[i], x, sizeof(*x)) == 0)
			return 0;
	}
	n = realloc(c->cidrs, (c->n_cidrs + 1) * sizeof(*n));
	if (!n)
		return -1;
	c->cidrs = n;
	c->cidrs[c->n_cidrs++] = *x;
	return 0;
}

static int add_name(struct dr_daemon_config *c, const char *name)
{
	char **n, *d;

	for (size_t i = 0; i < c->n_names; i++) {
		if (strcmp(c->names[i], name) == 0)
			return 0;
	}
	n = realloc(c->names, (c->n_names + 1) * sizeof(*n));
	if (!n)
		return -1;
	c->names = n;
	d = strdup(name);
	if (!d)
		return -1;
	c->names[c->n_names++] = d;
	return 0;
}

/* One insecure-registries entry, as loadInsecureRegistries takes it. */
static int add_insecure(struct dr_daemon_config *c, const char *entry, const char *path,
			struct dr_err *e)
{
	const char *r = entry, *sep = strstr(entry, "://");
	size_t n = strlen(entry);
	struct dr_cidr x;
	int rc;

	/* ValidateIndexName */
	if (strcmp(entry, DR_HUB_INDEX_HOST) != 0 &&
	    (entry[0] == '-' || (n > 0 && entry[n - 1] == '-')))
		return dr_fail(e, DR_EINVAL, "%s: invalid index name (%s). Cannot begin or end with "
			       "a hyphen", path, entry);
	if (sep) {
		if (!((sep - entry == 4 && strncasecmp(entry, "http", 4) == 0) ||
		      (sep - entry == 5 && strncasecmp(entry, "https", 5) == 0)))
			return dr_fail(e, DR_EINVAL, "%s: insecure registry %s should not contain "
				       "'://'", path, entry);
		r = sep + 3; /* dockerd drops http:// and https:// with a warning */
	}
	if (parse_cidr(r, &x) == 0)
		rc = add_cidr(c, &x);
	else if ((rc = valid_host_port(r, e, path, entry)) != 0)
		return rc;
	else
		rc = add_name(c, r);
	return rc == 0 ? 0 : dr_oom(e);
}

static int take_proxy(json_t *proxies, const char *key, char **out, const char *path,
		      struct dr_err *e)
{
	json_t *v = get_key(proxies, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return dr_fail(e, DR_EINVAL, "%s: \"proxies\": \"%s\" must be a string", path, key);
	if (!*json_string_value(v))
		return 0;
	*out = strdup(json_string_value(v));
	return *out ? 0 : dr_oom(e);
}

static int parse_root(json_t *root, const char *path, struct dr_daemon_config *c,
		      struct dr_err *e)
{
	json_t *list = get_key(root, "insecure-registries"), *v, *proxies;
	size_t i;
	int rc = 0;

	if (list && !json_is_null(list) && !json_is_array(list))
		return dr_fail(e, DR_EINVAL, "%s: \"insecure-registries\" must be a list of strings",
			       path);
	json_array_foreach(list, i, v) {
		if (!json_is_string(v))
			return dr_fail(e, DR_EINVAL, "%s: \"insecure-registries\" must be a list of "
				       "strings", path);
		rc = add_insecure(c, json_string_value(v), path, e);
		if (rc)
			return rc;
	}
	proxies = get_key(root, "proxies");
	if (proxies && !json_is_null(proxies) && !json_is_object(proxies))
		return dr_fail(e, DR_EINVAL, "%s: \"proxies\" must be an object", path);
	if (proxies && json_is_object(proxies)) {
		rc = take_proxy(proxies, "http-proxy", &c->http_proxy, path, e);
		if (rc == 0)
			rc = take_proxy(proxies, "https-proxy", &c->https_proxy, path, e);
		if (rc == 0)
			rc = take_proxy(proxies, "no-proxy", &c->no_proxy, path, e);
	}
	return rc;
}

int dr_daemon_config_parse(const char *json, size_t len, const char *path,
			   struct dr_daemon_config *c, struct dr_err *e)
{
	static const char *const loopback[] = { "::1/128", "127.0.0.0/8" };
	json_error_t je;
	json_t *root;
	struct dr_cidr x;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	/* a UTF-8 byte order mark, then whitespace around the text, go */
	if (len >= 3 && memcmp(json, "\xef\xbb\xbf", 3) == 0) {
		json += 3;
		len -= 3;
	}
	while (len > 0 && strchr(" \t\r\n", json[0]) && json[0])
		json++, len--;
	while (len > 0 && strchr(" \t\r\n", json[len - 1]) && json[len - 1])
		len--;
	if (len > 0) {
		root = json_loadb(json, len, 0, &je);
		if (!root)
			return dr_fail(e, DR_EINVAL, "%s is not valid JSON (line %d: %.120s); "
				       "dockerd does not start with it either", path, je.line, je.text);
		if (!json_is_object(root))
			rc = dr_fail(e, DR_EINVAL, "%s is not a JSON object; dockerd does not start "
				     "with it either", path);
		else
			rc = parse_root(root, path, c, e);
		json_decref(root);
	}
	/* localhost is always insecure to dockerd */
	for (size_t i = 0; rc == 0 && i < 2; i++) {
		parse_cidr(loopback[i], &x);
		if (add_cidr(c, &x) != 0)
			rc = dr_oom(e);
	}
	if (rc)
		dr_daemon_config_free(c);
	return rc;
}

int dr_daemon_config_load(const char *path, struct dr_daemon_config *c, struct dr_err *e)
{
	const char *env = getenv(DR_ENV_DAEMON_JSON);
	struct dr_buf b = { 0 };
	int rc;

	if (!path)
		path = env && *env ? env : DR_DAEMON_JSON_DEFAULT;
	rc = dr_file_read(path, DR_DAEMON_JSON_MAX, &b, e);
	if (rc == DR_ENOTFOUND) /* no file: the daemon's defaults */
		return dr_daemon_config_parse("", 0, path, c, e);
	if (rc == 0)
		rc = dr_daemon_config_parse(b.data, b.len, path, c, e);
	dr_buf_wipe(&b);
	return rc;
}

/* ---- the insecure rule (isSecureIndex) ---- */

static int addr_listed(const struct dr_daemon_config *c, int family, const unsigned char *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	/* netip's Unmap: a v4-mapped v6 address is matched as v4 */
	if (family == AF_INET6 && memcmp(a, mapped, 12) == 0) {
		family = AF_INET;
		a += 12;
	}
	for (size_t i = 0; i < c->n_cidrs; i++) {
		if (cidr_contains(&c->cidrs[i], family, a))
			return 1;
	}
	return 0;
}

int dr_daemon_config_insecure(const struct dr_daemon_config *c, const char *host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	char h[512], *pct;
	const char *port;
	unsigned char a[16];
	int hit = 0;

	if (!c || !host)
		return 0;
	/* a name listed as written wins; docker.io is always secure */
	if (strcmp(host, DR_HUB_KEY) == 0)
		return 0;
	for (size_t i = 0; i < c->n_names; i++) {
		if (strcmp(c->names[i], host) == 0)
			return 1;
	}
	if (split_host_port(host, h, sizeof(h), &port) != 0)
		snprintf(h, sizeof(h), "%s", host);
	pct = strchr(h, '%'); /* an IPv6 zone */
	if (pct && strchr(h, ':'))
		*pct = '\0';
	if (inet_pton(AF_INET, h, a) == 1)
		return addr_listed(c, AF_INET, a);
	if (inet_pton(AF_INET6, h, a) == 1)
		return addr_listed(c, AF_INET6, a);
	/* a name: any address it resolves to (none when it does not resolve) */
	if (getaddrinfo(h, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai && !hit; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			hit = addr_listed(c, AF_INET,
					  (const unsigned char *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6)
			hit = addr_listed(c, AF_INET6,
					  ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr.s6_addr);
	}
	freeaddrinfo(res);
	return hit;
}
