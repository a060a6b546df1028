/* The token service side of the registry client (registry_int.h): bearer
 * tokens as docker gets them, cached per scope. */
#include "registry/registry_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"

#define CLIENT_ID "docker"    /* the client_id docker sends to token services */
#define MIN_TOKEN_LIFETIME 60 /* seconds; docker's floor for expires_in */

static void slot_clear(struct dr_token *t)
{
	dr_reg_set_wiped(&t->token, NULL);
	free(t->scope);
	t->scope = NULL;
	t->expiry = 0;
}

void dr_reg_tokens_clear(struct dr_registry *r)
{
	for (size_t i = 0; i < DR_TOKEN_SLOTS; i++)
		slot_clear(&r->tokens[i]);
}

static struct dr_token *cached(struct dr_registry *r, const char *scope)
{
	for (size_t i = 0; i < DR_TOKEN_SLOTS; i++) {
		struct dr_token *t = &r->tokens[i];

		if (t->token && t->scope && strcmp(t->scope, scope) == 0)
			return t;
	}
	return NULL;
}

static int add_query(CURLU *u, const char *name, const char *value)
{
	char *kv = NULL;
	int bad = asprintf(&kv, "%s=%s", name, value) < 0 ||
		  curl_url_set(u, CURLUPART_QUERY, kv, CURLU_APPENDQUERY | CURLU_URLENCODE);

	free(kv);
	return bad;
}

/* One scope= parameter per space-separated scope, as docker sends them. */
static int add_scopes(CURLU *u, const char *scope)
{
	char *copy = strdup(scope), *save = NULL;
	int bad = copy == NULL;

	for (char *s = copy ? strtok_r(copy, " ", &save) : NULL; s && !bad;
	     s = strtok_r(NULL, " ", &save))
		bad = add_query(u, "scope", s);
	free(copy);
	return bad;
}

/* Body of docker's OAuth refresh grant: it carries the identity token, so
 * every copy is wiped. */
static char *oauth_form(struct dr_registry *r, const char *service, const char *scope)
{
	char *svc = curl_easy_escape(r->curl, service, 0);
	char *scp = curl_easy_escape(r->curl, scope, 0);
	char *tok = curl_easy_escape(r->curl, r->secret, 0);
	char *form = NULL;

	if (svc && scp && tok)
		form = dr_reg_fmt_secret("grant_type=refresh_token&client_id=%s&service=%s&scope=%s"
					 "&refresh_token=%s", CLIENT_ID, svc, scp, tok);
	if (tok)
		explicit_bzero(tok, strlen(tok));
	curl_free(svc);
	curl_free(scp);
	curl_free(tok);
	return form;
}

static int take_token(struct dr_registry *r, const struct dr_reg_req *q, const char *scope,
		      struct dr_token **out, struct dr_err *e)
{
	struct dr_token_response tr = { 0 };
	struct dr_token *slot = cached(r, scope);

	if (!slot) {
		slot = &r->tokens[r->token_next];
		r->token_next = (r->token_next + 1) % DR_TOKEN_SLOTS;
	}
	slot_clear(slot);
	dr_token_response_parse(q->body.data, q->body.data ? q->body.len : 0, &tr);
	slot->token = tr.token;
	if (tr.refresh)
		dr_reg_set_wiped(&r->identity, tr.refresh);
	slot->scope = strdup(scope);
	/* docker's floor; the cap keeps a silly expires_in from overflowing */
	tr.expires_in = tr.expires_in < MIN_TOKEN_LIFETIME ? MIN_TOKEN_LIFETIME
			: tr.expires_in > 86400 ? 86400 : tr.expires_in;
	slot->expiry = time(NULL) + (time_t)tr.expires_in;
	if (!slot->token || !slot->scope) {
		slot_clear(slot);
		return dr_fail(e, DR_EIO, "token service %s sent no usable token", q->host);
	}
	*out = slot;
	return 0;
}

/* The realm URL with docker's query (GET) or the OAuth form (identity). */
static int token_url(struct dr_registry *r, CURLU *u, const struct dr_auth_challenge *ch,
		     const char *scope, char **scheme, char **thost, char **url, char **form,
		     struct dr_err *e)
{
	if (r->is_identity)
		*form = oauth_form(r, ch->service, scope);
	if (!u || curl_url_set(u, CURLUPART_URL, ch->realm, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, thost, 0) != CURLUE_OK ||
	    (strcasecmp(*scheme, "https") != 0 && strcasecmp(*scheme, "http") != 0))
		return dr_fail(e, DR_EIO, "registry %s sent an unusable token realm", r->host);
	/* a password must not cross the network in clear text because a
	 * registry said so: plain-http realms only where http is allowed */
	if (strcasecmp(*scheme, "http") == 0 && !r->insecure && !dr_host_is_loopback(*thost))
		return dr_fail(e, DR_EIO, "registry %s sends credentials to a plain-http token "
			       "service (%s); use --insecure only for a registry you trust",
			       r->host, *thost);
	if (r->is_identity && !*form)
		return dr_oom(e);
	if (!r->is_identity &&
	    ((ch->service[0] && add_query(u, "service", ch->service)) ||
	     (scope[0] && add_scopes(u, scope)) ||
	     (r->username && add_query(u, "account", r->username)) ||
	     add_query(u, "client_id", CLIENT_ID) || add_query(u, "offline_token", "true")))
		return dr_oom(e);
	if (curl_url_get(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		return dr_fail(e, DR_EIO, "registry %s sent an unusable token realm", r->host);
	return 0;
}

/* One hop of a token request was redirected to q->location: checks it
 * and decides what goes along. Credentials (Basic auth, the form with the
 * identity token) go only to the realm's own scheme://host:port; a 307/308
 * would re-send the form, so to another origin it is refused. 301/302/303
 * turn a POST into a bodiless GET, as HTTP clients do. */
static int next_hop(struct dr_registry *r, struct dr_reg_req *q, const char *realm,
		    char **url, char **host, struct dr_err *e)
{
	int same, keep_body = q->status == 307 || q->status == 308;
	enum dr_hop h = dr_redirect_check(realm, q->url, q->location, r->insecure, &same);
	char shown[300]; /* the service's header, for a terminal */
	CURLU *u;

	dr_text_safe(q->location, strlen(q->location), shown, sizeof(shown));
	if (h != DR_HOP_OK)
		return dr_fail(e, DR_EIO, "token service %s redirected to %s: %s", q->host,
			       h == DR_HOP_BAD_URL ? "an unusable URL" : shown, dr_hop_reason(h));
	if (!same && q->form && keep_body)
		return dr_fail(e, DR_EIO, "token service %s redirected the token request (HTTP %ld) "
			       "to another host (%s): the credentials were not sent there",
			       q->host, q->status, shown);
	if (!same)
		q->auth = DR_AUTH_NONE;
	if (q->form && !keep_body)
		q->form = NULL;
	u = curl_url();
	curl_free(*host);
	*host = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, q->location, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return dr_oom(e);
	}
	curl_url_cleanup(u);
	free(*url);
	*url = q->location;
	q->location = NULL;
	q->url = *url;
	q->host = *host;
	return 0;
}

/* The token request, following up to DR_REDIRECTS_MAX redirects by hand. */
static int token_request(struct dr_registry *r, struct dr_reg_req *q, const char *realm,
			 char **host, struct dr_err *e)
{
	char *hop_url = NULL;
	int rc = 0;

	for (int hops = 0; rc == 0; hops++) {
		rc = dr_reg_perform(r, q, e);
		if (rc != 0 || !dr_redirect_status(q->status))
			break;
		if (!q->location)
			rc = dr_fail(e, DR_EIO, "token service %s answered HTTP %ld without a Location",
				     q->host, q->status);
		else if (hops == DR_REDIRECTS_MAX)
			rc = dr_fail(e, DR_EIO, "token service %s redirected more than %d times",
				     q->host, DR_REDIRECTS_MAX);
		else
			rc = next_hop(r, q, realm, &hop_url, host, e);
	}
	/* q->url may point into hop_url: callers only look at the response */
	q->url = NULL;
	free(hop_url);
	return rc;
}

int dr_reg_fetch_token(struct dr_registry *r, const struct dr_auth_challenge *ch,
		       const char *scope, int force, const char **token, struct dr_err *e)
{
	char *scheme = NULL, *thost = NULL, *url = NULL, *form = NULL;
	struct dr_reg_req q = { .kind = "token service", .upload_len = -1 };
	struct dr_token *t = cached(r, scope);
	CURLU *u;
	int rc;

	if (!force && t && time(NULL) + 5 < t->expiry) {
		*token = t->token;
		return 0;
	}
	u = curl_url();
	rc = token_url(r, u, ch, scope, &scheme, &thost, &url, &form, e);
	if (rc == 0) {
		q.url = url;
		q.host = thost;
		q.form = form;
		q.auth = r->username && !r->is_identity ? DR_AUTH_BASIC : DR_AUTH_NONE;
		rc = token_request(r, &q, url, &thost, e);
	}
	if (rc == 0 && (q.status == 401 || q.status == 403))
		rc = dr_reg_refused(r, &q, scope, e);
	else if (rc == 0 && q.status != 200)
		rc = dr_fail(e, DR_EIO, "token service %s answered HTTP %ld", thost, q.status);
	else if (rc == 0)
		rc = take_token(r, &q, scope, &t, e);
	if (rc == 0)
		*token = t->token;
	dr_reg_set_wiped(&form, NULL);
	dr_reg_req_clear(&q);
	curl_free(scheme);
	curl_free(thost);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}
