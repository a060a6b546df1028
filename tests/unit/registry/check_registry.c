#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "unit.h"

/* WWW-Authenticate values and the challenge this client answers;
 * scheme NULL means the value must be rejected. */
static const struct {
	const char *in, *scheme, *realm, *service, *scope;
} challenges[] = {
	{ "Basic realm=\"x\"", "basic", "x", "", "" },
	{ "Basic realm=x", "basic", "x", "", "" },
	{ "Basic", "basic", "", "", "" },
	{ "basic REALM=\"Registry Realm\"", "basic", "Registry Realm", "", "" },
	{ "Bearer realm=\"https://auth/token\",service=\"registry\","
	  "scope=\"repository:a/b:pull,push\"",
	  "bearer", "https://auth/token", "registry", "repository:a/b:pull,push" },
	/* docker hub's exact form */
	{ "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"",
	  "bearer", "https://auth.docker.io/token", "registry.docker.io", "" },
	/* case-insensitive scheme and names, whitespace around '=' and ',' */
	{ "BEARER Realm = \"https://a/t\" , SERVICE=svc ,Scope=\"s\"",
	  "bearer", "https://a/t", "svc", "s" },
	/* escapes and commas inside quotes */
	{ "Bearer realm=\"a\\\"b\\\\c\",service=\"x,y\"", "bearer", "a\"b\\c", "x,y", "" },
	{ "Bearer realm=\"\"", "bearer", "", "", "" },
	/* unknown params are skipped, error= too */
	{ "Bearer realm=\"r\",error=\"insufficient_scope\",foo=bar", "bearer", "r", "", "" },
	/* several challenges: Bearer wins over Basic, Basic over others */
	{ "Basic realm=\"b\", Bearer realm=\"t\",service=\"s\"", "bearer", "t", "s", "" },
	{ "Bearer realm=\"t\", Basic realm=\"b\"", "bearer", "t", "", "" },
	{ "Negotiate, Basic realm=\"b\"", "basic", "b", "", "" },
	{ "Digest realm=\"d\", nonce=\"n\"", "digest", "d", "", "" },
	{ ", ,Basic realm=\"x\",,", "basic", "x", "", "" },
	/* garbage */
	{ "", NULL, NULL, NULL, NULL },
	{ "   ", NULL, NULL, NULL, NULL },
	{ ",", NULL, NULL, NULL, NULL },
	{ "=", NULL, NULL, NULL, NULL },
	{ "\"Bearer\"", NULL, NULL, NULL, NULL },
	{ "Bearer realm=\"unterminated", NULL, NULL, NULL, NULL },
	{ "Bearer realm=\"x\\", NULL, NULL, NULL, NULL },
	{ "Bearer realm=", NULL, NULL, NULL, NULL },
	{ "Bearer realm=,service=x", NULL, NULL, NULL, NULL },
	{ "Bearer =x", NULL, NULL, NULL, NULL },
	{ "Bearer realm=\"x\" junk", NULL, NULL, NULL, NULL },
	{ "Bearer realm=\"a\"\"b\"", NULL, NULL, NULL, NULL },
	{ "Bearer realm=\"a\nb\"", NULL, NULL, NULL, NULL },
	{ "Bearer; realm=x", NULL, NULL, NULL, NULL },
	{ "Averyveryverylongscheme realm=x", NULL, NULL, NULL, NULL },
};

START_TEST(test_www_authenticate)
{
	struct dr_auth_challenge c;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	rc = dr_www_authenticate_parse(challenges[_i].in, &c);
	if (!challenges[_i].scheme) {
		ck_assert_msg(rc == DR_EINVAL, "accepted garbage: %s", challenges[_i].in);
		return;
	}
	ck_assert_msg(rc == 0, "rejected: %s", challenges[_i].in);
	ck_assert_str_eq(c.scheme, challenges[_i].scheme);
	ck_assert_str_eq(c.realm, challenges[_i].realm);
	ck_assert_str_eq(c.service, challenges[_i].service);
	ck_assert_str_eq(c.scope, challenges[_i].scope);
}
END_TEST

START_TEST(test_www_authenticate_limits)
{
	struct dr_auth_challenge c;
	static char h[sizeof(c.realm) + 64];
	size_t n = sizeof(c.realm) + 16;

	ck_assert_int_eq(dr_www_authenticate_parse(NULL, &c), DR_EINVAL);
	/* a realm longer than the buffer is refused, not truncated */
	strcpy(h, "Bearer realm=\"");
	memset(h + 14, 'a', n);
	strcpy(h + 14 + n, "\"");
	ck_assert_int_eq(dr_www_authenticate_parse(h, &c), DR_EINVAL);
	/* unknown parameters may be long: they are not stored */
	memcpy(h, "Bearer other=\"", 14);
	ck_assert_int_eq(dr_www_authenticate_parse(h, &c), 0);
}
END_TEST

static const struct {
	const char *in, *host; /* host NULL: DR_EINVAL */
} servers[] = {
	{ "docker.io", DR_HUB_API_HOST },
	{ "index.docker.io", DR_HUB_API_HOST },
	{ "https://index.docker.io/v1/", DR_HUB_API_HOST },
	{ "registry-1.docker.io", DR_HUB_API_HOST },
	{ "hub.docker.com", DR_HUB_API_HOST },
	{ "docker.com", DR_HUB_API_HOST },
	{ "HTTPS://Hub.Docker.com/", DR_HUB_API_HOST },
	{ "reg.example.com", "reg.example.com" },
	{ "reg.example.com:5000", "reg.example.com:5000" },
	{ "https://reg.example.com:5000/some/path", "reg.example.com:5000" },
	{ "http://127.0.0.1:5000", "127.0.0.1:5000" },
	{ "[::1]:5000", "[::1]:5000" },
	{ "https://[::1]:5000/", "[::1]:5000" },
	{ "ghcr.io/org/repo", "ghcr.io" },
	{ "", NULL },
	{ "ftp://reg.example.com", NULL },
	{ "user@reg.example.com", NULL },
	{ "reg.example.com:99999", NULL },
	{ "reg example.com", NULL },
	{ "[::1", NULL },
	{ "https://", NULL },
};

START_TEST(test_api_host)
{
	struct dr_err e = { 0 };
	char *h = NULL;
	int rc = dr_registry_api_host(servers[_i].in, &h, &e);

	if (!servers[_i].host) {
		ck_assert_msg(rc == DR_EINVAL, "%s accepted as %s", servers[_i].in, h ? h : "");
		ck_assert_ptr_null(h);
		ck_assert_int_eq(e.code, DR_EINVAL);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", servers[_i].in, e.msg);
	ck_assert_str_eq(h, servers[_i].host);
	free(h);
}
END_TEST

static const struct {
	const char *host;
	int loopback;
} loopbacks[] = {
	{ "127.0.0.1", 1 },      { "127.0.0.1:5000", 1 }, { "127.0.0.5", 1 },
	{ "127.255.255.254:443", 1 }, { "localhost", 1 }, { "LOCALHOST:5000", 1 },
	{ "[::1]", 1 },          { "[::1]:5000", 1 },     { "::1", 1 },
	{ "[0:0:0:0:0:0:0:1]:5000", 1 }, { "[::ffff:127.0.0.9]:80", 1 },
	{ "10.0.0.1", 0 },       { "10.0.0.1:5000", 0 },  { "128.0.0.1", 0 },
	{ "126.255.255.255", 0 }, { "[::2]:5000", 0 },    { "[::ffff:10.0.0.1]", 0 },
	{ "localhost.example.com", 0 }, { "127.0.0.1.nip.io", 0 }, { "reg.example.com", 0 },
	{ "", 0 },               { "[", 0 },              { "[]:5000", 0 },
	{ "127.1", 0 },
};

START_TEST(test_loopback)
{
	ck_assert_msg(dr_host_is_loopback(loopbacks[_i].host) == loopbacks[_i].loopback,
		      "%s", loopbacks[_i].host);
}
END_TEST

static const struct {
	const char *body, *secret, *text;
} error_bodies[] = {
	/* distribution */
	{ "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\","
	  "\"detail\":null}]}", "pw", ": authentication required" },
	/* docker hub's token service */
	{ "{\"details\":\"incorrect username or password\"}", "pw",
	  ": incorrect username or password" },
	{ "{\"errors\":[{\"code\":\"X\"}],\"details\":\"d\"}", NULL, ": d" },
	/* one line */
	{ "{\"details\":\"a\\nb\\tc\\u0007d\"}", NULL, ": a b c d" },
	/* never the secret, not even in the registry's own words */
	{ "{\"details\":\"bad password hunter2 for bob\"}", "hunter2",
	  ": (message withheld: it quotes the secret)" },
	{ "{\"details\":\"x\"}", "", ": x" },
	/* nothing usable */
	{ "", "pw", "" },
	{ "<html>401</html>", "pw", "" },
	{ "{\"errors\":[]}", "pw", "" },
	{ "{\"errors\":[{\"message\":42}]}", "pw", "" },
	{ "{\"details\":\"\"}", "pw", "" },
	{ "[1,2]", "pw", "" },
	{ NULL, "pw", "" },
};

START_TEST(test_error_text)
{
	char out[DR_REGISTRY_MSG_MAX + 4];
	const char *b = error_bodies[_i].body;

	dr_registry_error_text(b, b ? strlen(b) : 0, error_bodies[_i].secret, out, sizeof(out));
	ck_assert_str_eq(out, error_bodies[_i].text);
}
END_TEST

START_TEST(test_error_text_truncated)
{
	char body[1200], out[DR_REGISTRY_MSG_MAX + 4], small[8];

	strcpy(body, "{\"details\":\"");
	memset(body + 12, 'm', 1000);
	strcpy(body + 1012, "\"}");
	dr_registry_error_text(body, strlen(body), NULL, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), 2 + DR_REGISTRY_MSG_MAX);
	dr_registry_error_text(body, strlen(body), NULL, small, sizeof(small));
	ck_assert_str_eq(small, ": mmmmm");
}
END_TEST

START_TEST(test_open_and_credentials)
{
	struct dr_registry_opts o = { .timeout_ms = 2000 };
	struct dr_registry *r = NULL;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_registry_open(&r, "not a host", &o, &e), DR_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(dr_registry_open(&r, "docker.io", NULL, &e), 0);
	ck_assert_str_eq(dr_registry_host(r), DR_HUB_API_HOST);
	ck_assert_ptr_null(dr_registry_scheme(r));
	ck_assert_ptr_null(dr_registry_identity_token(r));
	ck_assert_int_eq(dr_registry_set_credentials(r, "", "pw", &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "u", "", &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "u", NULL, &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "a:b", "pw", &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "u", "pw", &e), 0);
	ck_assert_int_eq(dr_registry_set_credentials(r, DR_IDENTITY_TOKEN_USER, "tok", &e), 0);
	ck_assert_int_eq(dr_registry_set_credentials(r, NULL, NULL, &e), 0);
	dr_registry_close(r);
	dr_registry_close(NULL);
}
END_TEST

/* Nothing listens on loopback port 1: https, then the loopback http
 * fallback, both refused; the error names the host and no secret. */
START_TEST(test_unreachable_loopback)
{
	struct dr_registry_opts o = { .timeout_ms = 3000 };
	struct dr_registry *r = NULL;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_registry_open(&r, "127.0.0.1:1", &o, &e), 0);
	ck_assert_int_eq(dr_registry_set_credentials(r, "user", "sekrit-pw", &e), 0);
	ck_assert_int_eq(dr_registry_check_login(r, &e), DR_ENET);
	ck_assert_int_eq(e.code, DR_ENET);
	ck_assert_msg(strstr(e.msg, "cannot reach registry 127.0.0.1:1") == e.msg, "%s", e.msg);
	ck_assert_ptr_null(strstr(e.msg, "sekrit"));
	ck_assert_ptr_null(dr_registry_scheme(r));
	dr_registry_close(r);
}
END_TEST

static const struct {
	const char *origin, *prev, *next;
	int insecure;
	enum dr_hop hop;
	int same;
} hops[] = {
	/* same origin: credentials may follow */
	{ "https://auth.example.com/token?x", "https://auth.example.com/token?x",
	  "https://auth.example.com/v2/token", 0, DR_HOP_OK, 1 },
	{ "https://auth.example.com/t", "https://auth.example.com/t", "https://AUTH.example.com:443/t2",
	  0, DR_HOP_OK, 1 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/u", 0,
	  DR_HOP_OK, 1 },
	/* another host, port or scheme: allowed, but not with credentials */
	{ "https://auth.example.com/t", "https://auth.example.com/t", "https://cdn.example.net/t",
	  0, DR_HOP_OK, 0 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://127.0.0.1:5001/t", 0,
	  DR_HOP_OK, 0 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "https://127.0.0.1:5000/t", 0,
	  DR_HOP_OK, 0 },
	{ "http://localhost:80/t", "http://localhost/t", "http://localhost:80/x", 0, DR_HOP_OK, 1 },
	{ "http://[::1]:5000/t", "http://[::1]:5000/t", "http://[::1]:5000/u", 0, DR_HOP_OK, 1 },
	/* the cleartext rule on every hop */
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://10.1.2.3/t", 0,
	  DR_HOP_CLEARTEXT, 0 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://10.1.2.3/t", 1, DR_HOP_OK, 0 },
	{ "http://127.0.0.1/t", "http://127.0.0.1/t", "http://127.0.0.1.nip.io/t", 0,
	  DR_HOP_CLEARTEXT, 0 },
	/* no downgrade, not even to loopback or with --insecure */
	{ "https://127.0.0.1:5000/t", "https://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", 0,
	  DR_HOP_DOWNGRADE, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "http://r.example.com/t", 1,
	  DR_HOP_DOWNGRADE, 0 },
	/* other schemes, unusable URLs, URLs with their own credentials */
	{ "https://r.example.com/t", "https://r.example.com/t", "ftp://r.example.com/t", 0,
	  DR_HOP_SCHEME, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "file:///etc/passwd", 0,
	  DR_HOP_SCHEME, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "gopher://r.example.com/", 0,
	  DR_HOP_SCHEME, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "/relative", 0, DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "", 0, DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", NULL, 0, DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "https://u:p@r.example.com/t", 0,
	  DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "https://u@evil.example/t", 0,
	  DR_HOP_BAD_URL, 0 },
};

START_TEST(test_redirect_check)
{
	int same = -1;
	enum dr_hop h = dr_redirect_check(hops[_i].origin, hops[_i].prev, hops[_i].next,
					  hops[_i].insecure, &same);

	ck_assert_msg(h == hops[_i].hop, "%s -> %s: %d (%s)", hops[_i].prev,
		      hops[_i].next ? hops[_i].next : "(null)", h, dr_hop_reason(h));
	if (h == DR_HOP_OK)
		ck_assert_msg(same == hops[_i].same, "%s -> %s: same %d", hops[_i].origin,
			      hops[_i].next, same);
}
END_TEST

START_TEST(test_redirect_status)
{
	static const long yes[] = { 301, 302, 303, 307, 308 };
	static const long no[] = { 200, 201, 204, 300, 304, 305, 306, 309, 400, 401, 500 };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert(dr_redirect_status(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert(!dr_redirect_status(no[i]));
}
END_TEST

START_TEST(test_env_ms)
{
	static const struct {
		const char *v;
		long ms;
	} cases[] = {
		{ NULL, 777 }, { "", 777 }, { "2", 2000 }, { "0.5", 500 }, { "0.001", 1 },
		{ "604800", 604800000L }, { "604801", 777 }, { "0", 777 }, { "-1", 777 },
		{ "1s", 777 }, { "nan", 777 }, { "inf", 777 }, { "1e3", 1000000L }, { " 2", 2000 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].v)
			setenv("DR_TEST_ENV_MS", cases[i].v, 1);
		else
			unsetenv("DR_TEST_ENV_MS");
		ck_assert_msg(dr_registry_env_ms("DR_TEST_ENV_MS", 777) == cases[i].ms, "\"%s\": %ld",
			      cases[i].v ? cases[i].v : "(unset)", dr_registry_env_ms("DR_TEST_ENV_MS", 777));
	}
	unsetenv("DR_TEST_ENV_MS");
}
END_TEST

static void token_case(const char *body, const char *token, const char *refresh, long long life)
{
	struct dr_token_response tr;

	dr_token_response_parse(body, body ? strlen(body) : 0, &tr);
	if (token)
		ck_assert_str_eq(tr.token, token);
	else
		ck_assert_ptr_null(tr.token);
	if (refresh)
		ck_assert_str_eq(tr.refresh, refresh);
	else
		ck_assert_ptr_null(tr.refresh);
	ck_assert_int_eq(tr.expires_in, life);
	free(tr.token);
	free(tr.refresh);
}

START_TEST(test_token_response)
{
	/* docker prefers access_token, falls back to token */
	token_case("{\"token\":\"t1\",\"access_token\":\"a1\",\"expires_in\":300}", "a1", NULL, 300);
	token_case("{\"token\":\"t1\",\"access_token\":\"\"}", "t1", NULL, 0);
	token_case("{\"token\":\"t1\",\"refresh_token\":\"r1\"}", "t1", "r1", 0);
	/* a token that would break the header is no token */
	token_case("{\"token\":\"a b\"}", NULL, NULL, 0);
	token_case("{\"token\":\"a\\u0001\"}", NULL, NULL, 0);
	token_case("{\"token\":\"caf\\u00e9\"}", NULL, NULL, 0);
	/* wrong types and garbage */
	token_case("{\"token\":7,\"expires_in\":\"300\",\"refresh_token\":\"\"}", NULL, NULL, 0);
	token_case("not json", NULL, NULL, 0);
	token_case(NULL, NULL, NULL, 0);
	token_case("[\"token\"]", NULL, NULL, 0);
}
END_TEST

Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("pure");
	TCase *net = tcase_create("loopback");

	tcase_add_loop_test(tc, test_www_authenticate, 0,
			    (int)(sizeof(challenges) / sizeof(challenges[0])));
	tcase_add_test(tc, test_www_authenticate_limits);
	tcase_add_loop_test(tc, test_api_host, 0, (int)(sizeof(servers) / sizeof(servers[0])));
	tcase_add_loop_test(tc, test_loopback, 0, (int)(sizeof(loopbacks) / sizeof(loopbacks[0])));
	tcase_add_loop_test(tc, test_error_text, 0,
			    (int)(sizeof(error_bodies) / sizeof(error_bodies[0])));
	tcase_add_test(tc, test_error_text_truncated);
	tcase_add_test(tc, test_open_and_credentials);
	tcase_add_loop_test(tc, test_redirect_check, 0, (int)(sizeof(hops) / sizeof(hops[0])));
	tcase_add_test(tc, test_redirect_status);
	tcase_add_test(tc, test_env_ms);
	tcase_add_test(tc, test_token_response);
	suite_add_tcase(s, tc);
	tcase_add_test(net, test_unreachable_loopback);
	tcase_set_timeout(net, 15);
	suite_add_tcase(s, net);
	return s;
}
