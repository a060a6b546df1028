/* Redirects are followed by hand (registry.h, dr_redirect_check): libcurl's
 * own following re-posts a form on 307/308 to any host and checks the
 * cleartext rule only on the first URL, so every hop is checked here. */
#include "registry/registry.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct origin {
	char *scheme, *host, *port;
};

static void origin_free(struct origin *o)
{
	curl_free(o->scheme);
	curl_free(o->host);
	curl_free(o->port);
	o->scheme = o->host = o->port = NULL;
}

/* scheme, host and (defaulted) port of an absolute http(s) URL without
 * userinfo; -1 for anything else */
static int origin_of(const char *url, struct origin *o)
{
	CURLU *u = curl_url();
	char *user = NULL;
	int bad = !u || curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
		  curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) != CURLUE_OK;

	if (!bad && strcasecmp(o->scheme, "http") != 0 && strcasecmp(o->scheme, "https") != 0)
		bad = 2;
	if (!bad)
		bad = curl_url_get(u, CURLUPART_HOST, &o->host, 0) != CURLUE_OK ||
		      curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) != CURLUE_OK;
	/* a URL that carries its own credentials would make curl send them */
	if (!bad && curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		bad = 1;
	curl_free(user);
	curl_url_cleanup(u);
	if (bad)
		origin_free(o);
	return bad ? -bad : 0;
}

static int same_origin(const struct origin *a, const struct origin *b)
{
	return strcasecmp(a->scheme, b->scheme) == 0 && strcasecmp(a->host, b->host) == 0 &&
	       strcmp(a->port, b->port) == 0;
}

/* host[:port] as dr_host_is_loopback wants it (IPv6 in brackets) */
static int loopback(const struct origin *o)
{
	char hp[300];

	snprintf(hp, sizeof(hp), strchr(o->host, ':') && o->host[0] != '[' ? "[%s]:%s" : "%s:%s",
		 o->host, o->port);
	return dr_host_is_loopback(hp);
}

enum dr_hop dr_redirect_check(const char *origin, const char *prev, const char *next,
			      int insecure, int *same)
{
	struct origin o = { 0 }, p = { 0 }, n = { 0 };
	enum dr_hop verdict = DR_HOP_OK;
	int rc;

	*same = 0;
	rc = next ? origin_of(next, &n) : -1;
	if (rc != 0) {
		verdict = rc == -2 ? DR_HOP_SCHEME : DR_HOP_BAD_URL;
		goto out;
	}
	if (origin_of(origin, &o) != 0 || origin_of(prev, &p) != 0) {
		verdict = DR_HOP_BAD_URL;
		goto out;
	}
	if (strcasecmp(p.scheme, "https") == 0 && strcasecmp(n.scheme, "http") == 0)
		verdict = DR_HOP_DOWNGRADE;
	else if (strcasecmp(n.scheme, "http") == 0 && !insecure && !loopback(&n))
		verdict = DR_HOP_CLEARTEXT;
	*same = same_origin(&o, &n);
out:
	origin_free(&o);
	origin_free(&p);
	origin_free(&n);
	return verdict;
}

const char *dr_hop_reason(enum dr_hop h)
{
	switch (h) {
	case DR_HOP_OK:
		return "allowed";
	case DR_HOP_BAD_URL:
		return "not a usable URL";
	case DR_HOP_SCHEME:
		return "not http or https";
	case DR_HOP_DOWNGRADE:
		return "a downgrade from https to http";
	case DR_HOP_CLEARTEXT:
		return "plain http to a host that is not loopback; use --insecure only for a "
		       "registry you trust";
	}
	return "refused";
}

int dr_redirect_status(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}
