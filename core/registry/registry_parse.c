/* The pure half of the registry client (no I/O), declared in registry.h:
 * WWW-Authenticate parsing, server names, registry error bodies. */
#include "registry/registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/serverurl.h"
#include "base/text.h"

/* ---- WWW-Authenticate (RFC 7235) ---- */

static int is_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_list_sep(const char *p)
{
	for (p = skip_ows(p); *p == ','; p = skip_ows(p + 1))
		;
	return p;
}

/* Token or quoted-string at *pp into out[n]; out NULL discards the value. */
static int read_value(const char **pp, char *out, size_t n)
{
	const char *p = *pp;
	int quoted = *p == '"';
	size_t o = 0;

	for (p += quoted; quoted ? *p != '"' : is_tchar((unsigned char)*p); p++, o++) {
		if (quoted && *p == '\\')
			p++;
		if (*p == '\0' || ((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return -1;
		if (out && o + 1 >= n)
			return -1;
		if (out)
			out[o] = *p;
	}
	if (!quoted && o == 0)
		return -1;
	if (out)
		out[o] = '\0';
	*pp = p + quoted;
	return 0;
}

/* One challenge at *pp: its scheme and auth-params, up to the next scheme. */
static int parse_challenge(const char **pp, struct dr_auth_challenge *c)
{
	const char *p = *pp;
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	while (is_tchar((unsigned char)p[n]))
		n++;
	if (n == 0 || n >= sizeof(c->scheme))
		return -1;
	for (size_t i = 0; i < n; i++)
		c->scheme[i] = (char)tolower((unsigned char)p[i]);
	p += n;
	if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',')
		return -1;
	for (;;) {
		const char *name = skip_list_sep(p), *q;
		char *dst = NULL;
		size_t nlen = 0;

		while (is_tchar((unsigned char)name[nlen]))
			nlen++;
		q = skip_ows(name + nlen);
		if (*name == '\0' || (nlen > 0 && *q != '='))
			break; /* the end, or the scheme of the next challenge */
		if (nlen == 0)
			return -1;
		if (nlen == 5 && strncasecmp(name, "realm", 5) == 0)
			dst = c->realm;
		else if (nlen == 7 && strncasecmp(name, "service", 7) == 0)
			dst = c->service;
		else if (nlen == 5 && strncasecmp(name, "scope", 5) == 0)
			dst = c->scope;
		q = skip_ows(q + 1);
		if (read_value(&q, dst, dst == c->service ? sizeof(c->service) : sizeof(c->realm)) != 0)
			return -1;
		p = skip_ows(q);
		if (*p != '\0' && *p != ',')
			return -1;
	}
	*pp = skip_list_sep(p);
	return 0;
}

int dr_www_authenticate_parse(const char *header, struct dr_auth_challenge *out)
{
	struct dr_auth_challenge c;
	const char *p;
	int best = -1;

	if (!header)
		return DR_EINVAL;
	for (p = skip_list_sep(header); *p != '\0';) {
		int rank;

		if (parse_challenge(&p, &c) != 0)
			return DR_EINVAL;
		/* docker answers Bearer when offered, else Basic */
		rank = strcmp(c.scheme, "bearer") == 0 ? 2 : strcmp(c.scheme, "basic") == 0;
		if (rank > best) {
			*out = c;
			best = rank;
		}
	}
	return best < 0 ? DR_EINVAL : 0;
}

/* ---- server names ---- */

int dr_host_is_loopback(const char *hostport)
{
	const char *s = hostport, *end;
	struct in6_addr a6;
	struct in_addr a4;
	char h[DR_REGISTRY_HOST_MAX];
	size_t n;

	if (!s)
		return 0;
	end = s[0] == '[' ? strchr(++s, ']') : strchr(s, ':');
	if (hostport[0] != '[' && end && strchr(end + 1, ':'))
		end = NULL; /* a bare IPv6 literal: no port */
	n = end ? (size_t)(end - s) : strlen(s);
	if (n == 0 || n >= sizeof(h))
		return 0;
	memcpy(h, s, n);
	h[n] = '\0';
	if (strcasecmp(h, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

int dr_registry_api_host(const char *server, char **host, struct dr_err *e)
{
	char *key = NULL, *h = NULL;

	*host = NULL;
	if (server && dr_serverurl_canonical(server, &key, NULL) == 0)
		h = dr_serverurl_key_host(key);
	free(key);
	if (!h || strlen(h) >= DR_REGISTRY_HOST_MAX) {
		free(h);
		return dr_fail(e, DR_EINVAL, "not a registry address");
	}
	/* every name of the Hub is talked to as its API host */
	if (dr_hub_name_is(h, strlen(h), DR_HUB_REGISTRY | DR_HUB_WEBSITE)) {
		free(h);
		h = strdup(DR_HUB_API_HOST);
	}
	*host = h;
	return h ? 0 : dr_oom(e);
}

/* ---- error bodies ---- */

void dr_registry_error_text(const char *body, size_t len, const char *secret, char *out,
			    size_t n)
{
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL, *v;
	const char *s;
	size_t o = 2;

	v = json_object_get(json_array_get(json_object_get(root, "errors"), 0), "message");
	if (!json_is_string(v))
		v = json_object_get(root, "details");
	s = json_is_string(v) ? json_string_value(v) : "";
	if (secret && *secret && strstr(s, secret))
		s = "(message withheld: it quotes the secret)";
	memcpy(out, ": ", 2);
	/* the registry's words reach a terminal: escaped, at most MSG_MAX bytes */
	o += dr_text_safe(s, strlen(s), out + 2, n - 2 < DR_REGISTRY_MSG_MAX + 1 ? n - 2 :
			  DR_REGISTRY_MSG_MAX + 1);
	out[o == 2 ? 0 : o] = '\0';
	json_decref(root);
}

void dr_token_response_parse(const char *body, size_t len, struct dr_token_response *out)
{
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *tok = json_object_get(root, "access_token");
	json_t *ref = json_object_get(root, "refresh_token");
	json_t *exp = json_object_get(root, "expires_in");
	const char *t;

	out->token = out->refresh = NULL;
	out->expires_in = json_is_integer(exp) ? json_integer_value(exp) : 0;
	/* access_token and token are synonyms; docker prefers access_token */
	if (!json_is_string(tok) || !*json_string_value(tok))
		tok = json_object_get(root, "token");
	t = json_is_string(tok) ? json_string_value(tok) : "";
	for (const char *p = t; *p; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			t = ""; /* it would break (or inject into) the header */
	}
	if (*t)
		out->token = strdup(t);
	if (json_is_string(ref) && *json_string_value(ref))
		out->refresh = strdup(json_string_value(ref));
	json_decref(root);
}
