#include "kube_match.h"

#include <stdlib.h>
#include <string.h>

/* What Go's url.Parse("https://" + s) keeps of a schemeless URL. */
struct go_url {
	char *host; /* url.Host: host[:port], userinfo dropped */
	char *path; /* url.Path, %-escapes decoded */
};

static void go_url_free(struct go_url *u)
{
	free(u->host);
	free(u->path);
	u->host = u->path = NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Characters Go's url package accepts unescaped in a host (shouldEscape
 * with encodeHost is false for them); bytes >= 0x80 pass as UTF-8. */
static int host_char_ok(unsigned char c)
{
	if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return strchr("-._~!$&'()*+,;=:[]<>\"", c) != NULL && c != '\0';
}

/* validOptionalPort: "" or ':' followed by digits only */
static int optional_port_ok(const char *p, size_t n)
{
	if (n == 0)
		return 1;
	if (p[0] != ':')
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
	}
	return 1;
}

/* url.Parse's parseHost for the authority after the last '@'. '%' in a
 * host (zone identifiers) is refused here, which kubelet never needs. */
static int host_ok(const char *h, size_t n)
{
	const char *colon = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!host_char_ok((unsigned char)h[i]))
			return 0;
	}
	if (n > 0 && h[0] == '[') {
		const char *close = memchr(h, ']', n);

		if (!close)
			return 0;
		return optional_port_ok(close + 1, n - (size_t)(close + 1 - h));
	}
	for (size_t i = 0; i < n; i++) {
		if (h[i] == ':')
			colon = h + i;
	}
	return !colon || optional_port_ok(colon, n - (size_t)(colon - h));
}

/* unescape(path, encodePath): %XX decoded, a broken escape is an error */
static char *path_decode(const char *p, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%') {
			out[o++] = p[i];
			continue;
		}
		if (i + 2 >= n || hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static int go_url_parse(const char *s, struct go_url *u)
{
	size_t n, alen;
	const char *end, *slash, *at, *hoststart;

	u->host = u->path = NULL;
	for (const char *c = s; *c; c++) {
		/* net/url: invalid control character in URL */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return -1;
	}
	/* the fragment and the query are split off first */
	end = s + strcspn(s, "?#");
	n = (size_t)(end - s);
	slash = memchr(s, '/', n);
	alen = slash ? (size_t)(slash - s) : n;
	hoststart = s;
	for (at = s; at < s + alen; at++) {
		if (*at == '@')
			hoststart = at + 1;
	}
	if (!host_ok(hoststart, alen - (size_t)(hoststart - s)))
		return -1;
	u->host = strndup(hoststart, alen - (size_t)(hoststart - s));
	u->path = path_decode(s + alen, n - alen);
	if (!u->host || !u->path) {
		go_url_free(u);
		return -1;
	}
	return 0;
}

/* net.SplitHostPort, falling back to (Host, "") on error as splitURL does;
 * writes the host part to *host (malloc'd) and the port to *port. */
static int split_host_port(const char *hostport, char **host, const char **port)
{
	const char *last = strrchr(hostport, ':');
	size_t hlen;

	*port = "";
	if (hostport[0] == '[') {
		const char *close = strchr(hostport, ']');

		if (close && close[1] == ':' && !strchr(close + 2, ':')) {
			*port = close + 2;
			*host = strndup(hostport + 1, (size_t)(close - hostport - 1));
			return *host ? 0 : -1;
		}
		*host = strdup(hostport);
		return *host ? 0 : -1;
	}
	/* more than one colon without brackets: "too many colons" */
	if (last && memchr(hostport, ':', (size_t)(last - hostport)) == NULL) {
		hlen = (size_t)(last - hostport);
		if (memchr(hostport, '[', hlen) || memchr(hostport, ']', hlen) ||
		    strchr(last + 1, '[') || strchr(last + 1, ']')) {
			*host = strdup(hostport);
			return *host ? 0 : -1;
		}
		*port = last + 1;
		*host = strndup(hostport, hlen);
		return *host ? 0 : -1;
	}
	*host = strdup(hostport);
	return *host ? 0 : -1;
}

/* Go's filepath.Match on one label (no '/' can occur in one): '*', '?',
 * [classes] with ranges and '^', '\' escapes. 1 match, 0 no, -1 bad. */
static int class_match(const char **pp, unsigned char c)
{
	const char *p = *pp;
	int negate = 0, matched = 0, nrange = 0;

	if (*p == '^') {
		negate = 1;
		p++;
	}
	for (;;) {
		unsigned char lo, hi;

		if (*p == ']' && nrange > 0) {
			p++;
			break;
		}
		if (*p == '\0' || *p == '-' || *p == ']')
			return -1;
		if (*p == '\\' && *++p == '\0')
			return -1;
		lo = hi = (unsigned char)*p++;
		if (*p == '-') {
			p++;
			if (*p == '\0' || *p == '-' || *p == ']')
				return -1;
			if (*p == '\\' && *++p == '\0')
				return -1;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			matched = 1;
		nrange++;
	}
	*pp = p;
	return matched != negate;
}

static int glob(const char *p, const char *s)
{
	for (; *p; p++) {
		int r;

		switch (*p) {
		case '*':
			while (p[1] == '*')
				p++;
			for (const char *t = s;; t++) {
				r = glob(p + 1, t);
				if (r != 0)
					return r;
				if (*t == '\0' || *t == '/')
					return 0;
			}
		case '?':
			if (*s == '\0' || *s == '/')
				return 0;
			s++;
			break;
		case '[':
			if (*s == '\0')
				return 0;
			p++;
			r = class_match(&p, (unsigned char)*s);
			if (r <= 0)
				return r;
			s++;
			p--; /* the loop steps over the class's ']' */
			break;
		case '\\':
			if (*++p == '\0')
				return -1;
			/* fall through */
		default:
			if (*s != *p)
				return 0;
			s++;
		}
	}
	return *s == '\0';
}

static size_t count_labels(const char *h)
{
	size_t n = 1;

	for (; *h; h++)
		n += *h == '.';
	return n;
}

static int labels_match(const char *gh, const char *th)
{
	if (count_labels(gh) != count_labels(th))
		return 0;
	for (;;) {
		size_t gl = strcspn(gh, "."), tl = strcspn(th, ".");
		char *g = strndup(gh, gl), *t = strndup(th, tl);
		int r = g && t ? glob(g, t) : -1;

		free(g);
		free(t);
		if (r != 1)
			return 0;
		if (gh[gl] == '\0')
			return 1;
		gh += gl + 1;
		th += tl + 1;
	}
}

int dr_kube_urls_match(const char *globstr, const char *target)
{
	struct go_url g, t;
	char *gh = NULL, *th = NULL;
	const char *gport, *tport;
	int match = 0;

	if (go_url_parse(globstr, &g) != 0)
		return 0;
	if (go_url_parse(target, &t) != 0) {
		go_url_free(&g);
		return 0;
	}
	if (split_host_port(g.host, &gh, &gport) == 0 && split_host_port(t.host, &th, &tport) == 0 &&
	    strcmp(gport, tport) == 0 && strncmp(t.path, g.path, strlen(g.path)) == 0)
		match = labels_match(gh, th);
	free(gh);
	free(th);
	go_url_free(&g);
	go_url_free(&t);
	return match;
}

int dr_kube_default_registry_match(const char *image)
{
	const char *slash = strchr(image, '/');
	size_t n = slash ? (size_t)(slash - image) : strlen(image);

	if (n == 0)
		return 0;
	if (!slash)
		return 1;
	if (dr_hub_name_is(image, n, DR_HUB_REFERENCE))
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (image[i] == '.' || image[i] == ':')
			return 0;
	}
	return 1;
}

char *dr_kube_key_normalize(const char *key)
{
	struct go_url u;
	const char *rest = key, *path;
	char *out;

	if (strncmp(key, "https://", 8) == 0)
		rest = key + 8;
	else if (strncmp(key, "http://", 7) == 0)
		rest = key + 7;
	if (go_url_parse(rest, &u) != 0)
		return NULL;
	path = u.path;
	if (strncmp(path, "/v2/", 4) == 0 || strncmp(path, "/v1/", 4) == 0)
		path += 3;
	if (strcmp(path, "/") == 0)
		path = "";
	out = malloc(strlen(u.host) + strlen(path) + 1);
	if (out) {
		strcpy(out, u.host);
		strcat(out, path);
	}
	go_url_free(&u);
	return out;
}

struct indexed {
	char *key;
	size_t from; /* the first input key filed under it */
};

static int by_key_desc(const void *a, const void *b)
{
	const struct indexed *x = a, *y = b;
	int c = strcmp(y->key, x->key);

	return c ? c : (x->from > y->from) - (x->from < y->from);
}

long dr_kube_lookup(const char *const *keys, size_t n, const char *image)
{
	struct indexed *idx = calloc(n ? n : 1, sizeof(*idx));
	size_t m = 0;
	long found = -1;

	if (!idx)
		return -1;
	for (size_t i = 0; i < n; i++) {
		idx[m].key = dr_kube_key_normalize(keys[i]);
		idx[m].from = i;
		if (idx[m].key)
			m++;
	}
	qsort(idx, m, sizeof(*idx), by_key_desc);
	for (size_t i = 0; i < m && found < 0; i++) {
		if (dr_kube_urls_match(idx[i].key, image))
			found = (long)idx[i].from;
	}
	for (size_t i = 0; i < m && found < 0; i++) {
		if (strcmp(idx[i].key, DR_HUB_INDEX_HOST) == 0 && dr_kube_default_registry_match(image))
			found = (long)idx[i].from;
	}
	for (size_t i = 0; i < m; i++)
		free(idx[i].key);
	free(idx);
	return found;
}

int dr_kube_image_allowed(const char *const *match_images, size_t n, const char *image)
{
	for (size_t i = 0; i < n; i++) {
		if (dr_kube_urls_match(match_images[i], image))
			return 1;
	}
	return 0;
}
