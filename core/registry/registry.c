#include "registry/registry_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 15000u
#define CHUNK_TIMEOUT_MS (3600L * 1000)
#define LOW_SPEED_MS (60L * 1000)
#define ENV_MAX_SECONDS 604800.0

static int global_done;

int dr_registry_global_init(struct dr_err *e)
{
	CURLcode cc = global_done ? CURLE_OK : curl_global_init(CURL_GLOBAL_DEFAULT);

	if (cc != CURLE_OK)
		return dr_fail(e, DR_EIO, "cannot initialise libcurl: %s", curl_easy_strerror(cc));
	global_done = 1;
	return 0;
}

void dr_registry_global_cleanup(void)
{
	if (global_done)
		curl_global_cleanup();
	global_done = 0;
}

long dr_registry_env_ms(const char *name, long def_ms)
{
	const char *v = getenv(name);
	char *end;
	double s;

	if (!v || !*v)
		return def_ms;
	errno = 0;
	s = strtod(v, &end);
	if (errno || *end || !isfinite(s) || s < 0.001 || s > ENV_MAX_SECONDS)
		return def_ms;
	return (long)(s * 1000.0 + 0.5);
}

void dr_reg_set_wiped(char **slot, char *value)
{
	if (*slot)
		explicit_bzero(*slot, strlen(*slot));
	free(*slot);
	*slot = value;
}

/* printf into one exact-size allocation, so a secret in the arguments is
 * not left behind in buffers that asprintf grows and frees. */
char *dr_reg_fmt_secret(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- login ---- */

/* GET scheme://host/v2/ into q (whose earlier response is freed). */
int dr_reg_get_v2(struct dr_registry *r, const char *scheme, enum dr_auth_mode auth,
		  const char *bearer, struct dr_reg_req *q, struct dr_err *e)
{
	char url[DR_REGISTRY_HOST_MAX + 16];
	int rc;

	dr_reg_req_clear(q);
	snprintf(url, sizeof(url), "%s://%s/v2/", scheme, r->host);
	*q = (struct dr_reg_req){ .url = url, .kind = "registry", .host = r->host, .auth = auth,
				  .bearer = bearer, .upload_len = -1 };
	rc = dr_reg_perform(r, q, e);
	q->url = NULL; /* url[] dies here */
	return rc;
}

/* How far one login attempt got, to pick the error worth showing when
 * both schemes failed (LOGIN_ANSWERED: the registry replied to /v2/ with
 * 200 or 401, so no other scheme is worth trying). */
enum login_reach {
	LOGIN_NOTHING,  /* no HTTP (or, over https, no TLS server) at the other end */
	LOGIN_SERVER,   /* an HTTP answer of another kind, or a TLS server we distrust */
	LOGIN_ANSWERED,
};

static enum login_reach reach_of(const struct dr_reg_req *q, int rc)
{
	if (rc == 0 && (q->status == 200 || q->status == 401))
		return LOGIN_ANSWERED;
	/* a certificate that fails verification still proves a TLS server */
	if (q->reached || q->cc == CURLE_PEER_FAILED_VERIFICATION)
		return LOGIN_SERVER;
	return LOGIN_NOTHING;
}

/* One docker-login attempt over scheme; *reach says how far the GET /v2/
 * got. */
static int login_at(struct dr_registry *r, const char *scheme, enum login_reach *reach,
		    struct dr_err *e)
{
	struct dr_reg_req q = { .upload_len = -1 };
	struct dr_auth_challenge ch;
	enum dr_auth_mode auth = DR_AUTH_BASIC;
	const char *token = NULL;
	char msg[DR_REGISTRY_MSG_MAX + 4];
	int rc = dr_reg_get_v2(r, scheme, DR_AUTH_NONE, NULL, &q, e);

	*reach = reach_of(&q, rc);
	if (rc == 0 && *reach != LOGIN_ANSWERED) {
		dr_registry_error_text(q.body.data, q.body.len, r->secret, msg, sizeof(msg));
		rc = dr_fail(e, DR_EIO, "registry %s answered GET /v2/ with HTTP %ld%s%s", r->host,
			     q.status, q.status == 404 ? " (not a registry?)" : "", msg);
	}
	if (rc != 0 || q.status == 200)
		goto out;
	if (!q.www || dr_www_authenticate_parse(q.www, &ch) != 0)
		rc = dr_fail(e, DR_EIO, "registry %s sent 401 without a usable challenge", r->host);
	else if (!r->username)
		rc = dr_fail(e, DR_EAUTH, "registry %s requires credentials (401 Unauthorized)",
			     r->host);
	else if (strcmp(ch.scheme, "basic") != 0 && strcmp(ch.scheme, "bearer") != 0)
		rc = dr_fail(e, DR_EIO, "registry %s asks for unsupported authentication \"%s\"",
			     r->host, ch.scheme);
	else if (strcmp(ch.scheme, "basic") == 0 && r->is_identity)
		rc = dr_fail(e, DR_EAUTH, "registry %s wants a password: an identity token "
			     "cannot be used with Basic authentication", r->host);
	else if (strcmp(ch.scheme, "bearer") == 0)
		rc = dr_reg_fetch_token(r, &ch, "", 1, &token, e);
	if (rc == 0 && strcmp(ch.scheme, "bearer") == 0)
		auth = DR_AUTH_BEARER;
	if (rc == 0)
		rc = dr_reg_get_v2(r, scheme, auth, token, &q, e);
	if (rc == 0 && q.status == 401)
		rc = dr_reg_refused(r, &q, NULL, e);
	else if (rc == 0 && q.status != 200)
		rc = dr_fail(e, DR_EIO, "registry %s answered authenticated GET /v2/ with HTTP %ld",
			     r->host, q.status);
out:
	if (*reach == LOGIN_ANSWERED)
		r->scheme = scheme;
	dr_reg_req_clear(&q);
	return rc;
}

int dr_registry_check_login(struct dr_registry *r, struct dr_err *e)
{
	struct dr_err first = { 0 }, second = { 0 };
	enum login_reach reach, reach2;
	int rc, rc2;

	/* login must prove the credentials: never reuse an earlier token */
	dr_reg_tokens_clear(r);
	r->scheme = NULL;
	rc = login_at(r, "https", &reach, &first);
	if (rc != 0 && reach != LOGIN_ANSWERED && r->insecure_host) {
		/* docker's fallback for insecure registries. The error shown is
		 * the one from the attempt that got further: a loopback registry
		 * answering http with a 500 is reported as that, not as the TLS
		 * error of the https attempt; an https server whose certificate
		 * failed is reported as such. When neither got anywhere, a
		 * loopback registry (plain http as a rule) gets the http error. */
		rc2 = login_at(r, "http", &reach2, &second);
		if (rc2 == 0 || reach2 > reach ||
		    (reach2 == reach && reach == LOGIN_NOTHING && dr_host_is_loopback(r->host))) {
			rc = rc2;
			first = second;
		}
	}
	if (rc != 0 && e)
		*e = first;
	return rc;
}

/* ---- the object ---- */

int dr_registry_open(struct dr_registry **out, const char *server,
		     const struct dr_registry_opts *o, struct dr_err *e)
{
	struct dr_registry *r;
	char *host = NULL;
	int rc = dr_registry_global_init(e);

	*out = NULL;
	if (rc == 0)
		rc = dr_registry_api_host(server, &host, e);
	if (rc != 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r) {
		snprintf(r->host, sizeof(r->host), "%s", host);
		r->user_agent = strdup(o && o->user_agent ? o->user_agent : "dokku-registry");
		r->curl = curl_easy_init();
	}
	free(host);
	if (!r || !r->user_agent || !r->curl) {
		dr_registry_close(r);
		return dr_fail(e, DR_EIO, "cannot set up an HTTP client");
	}
	r->insecure = o && o->insecure;
	r->no_verify = r->insecure;
	/* docker's default insecure range includes 127.0.0.0/8 */
	r->insecure_host = r->insecure || dr_host_is_loopback(r->host);
	rc = dr_reg_daemon_settings(r, e);
	if (rc) {
		dr_registry_close(r);
		return rc;
	}
	r->timeout_ms = dr_registry_env_ms(DR_ENV_TIMEOUT, (long)(o && o->timeout_ms ? o->timeout_ms :
								       DEFAULT_TIMEOUT_MS));
	r->chunk_timeout_ms = dr_registry_env_ms(DR_ENV_CHUNK_TIMEOUT, CHUNK_TIMEOUT_MS);
	/* curl counts the low-speed window in whole seconds */
	r->low_speed_s = (dr_registry_env_ms(DR_ENV_LOW_SPEED_TIME, LOW_SPEED_MS) + 999) / 1000;
	*out = r;
	return 0;
}

int dr_registry_set_credentials(struct dr_registry *r, const char *username,
				const char *secret, struct dr_err *e)
{
	char *u = NULL, *s = NULL;

	if (username && (!*username || !secret || !*secret))
		return dr_fail(e, DR_EINVAL, "username and password must not be empty");
	if (username && strchr(username, ':'))
		return dr_fail(e, DR_EINVAL, "username must not contain ':'");
	if (username) {
		u = strdup(username);
		s = strdup(secret);
	}
	if (username && (!u || !s)) {
		free(u);
		dr_reg_set_wiped(&s, NULL);
		return dr_oom(e);
	}
	free(r->username);
	r->username = u;
	dr_reg_set_wiped(&r->secret, s);
	dr_reg_tokens_clear(r);
	dr_reg_set_wiped(&r->identity, NULL);
	r->is_identity = u && strcmp(u, DR_TOKEN_USERNAME) == 0;
	return 0;
}

const char *dr_registry_scheme(const struct dr_registry *r)
{
	return r ? r->scheme : NULL;
}

const char *dr_registry_host(const struct dr_registry *r)
{
	return r ? r->host : NULL;
}

const char *dr_registry_identity_token(const struct dr_registry *r)
{
	return r ? r->identity : NULL;
}

void dr_registry_close(struct dr_registry *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	dr_reg_set_wiped(&r->secret, NULL);
	dr_reg_set_wiped(&r->identity, NULL);
	dr_reg_tokens_clear(r);
	dr_reg_daemon_settings_free(r);
	free(r->username);
	free(r->user_agent);
	free(r);
}
