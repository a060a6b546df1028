/* Parsers of registry answers (core/registry/registry_parse.c):
 * WWW-Authenticate challenges, API hosts, loopback hosts, error bodies and
 * token responses. Moved from check_registry.c unchanged. */
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
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
	/* one line, and nothing a terminal acts on (escaped by dr_text_safe) */
	{ "{\"details\":\"a\\nb\\tc\\u0007d\"}", NULL, ": a\\nb\\tc\\x07d" },
	{ "{\"details\":\"\\u001b[2K\\rok \\u009b1m \\u202egnp.exe\"}", NULL,
	  ": \\e[2K\\rok \\u009b1m \\u202egnp.exe" },
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


Suite *registry_parse_suite(void)
{
	Suite *s = suite_create("registry_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_www_authenticate, 0,
			    (int)(sizeof(challenges) / sizeof(challenges[0])));
	tcase_add_test(tc, test_www_authenticate_limits);
	tcase_add_loop_test(tc, test_api_host, 0, (int)(sizeof(servers) / sizeof(servers[0])));
	tcase_add_loop_test(tc, test_loopback, 0, (int)(sizeof(loopbacks) / sizeof(loopbacks[0])));
	tcase_add_loop_test(tc, test_error_text, 0,
			    (int)(sizeof(error_bodies) / sizeof(error_bodies[0])));
	tcase_add_test(tc, test_error_text_truncated);
	tcase_add_test(tc, test_token_response);
	suite_add_tcase(s, tc);
	return s;
}
