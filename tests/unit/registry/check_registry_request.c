/* registry_request.c: dr_registry_request's auth against the canned
 * HTTP/1.1 server on 127.0.0.1, which also plays the token service (a
 * stand-in: docker-registry answers GET /v2/ with the challenge, while
 * these tests need a registry that challenges only later requests, and
 * token answers under the test's control). The server records whole
 * requests, so the Authorization each one carried is asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "registry/registry_int.h"
#include "unit.h"

#define CLOSE "Connection: close\r\n"
#define OK_BODY "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" CLOSE "\r\n{}"
/* base64("alice:s3cret") */
#define ALICE_BASIC "Authorization: Basic YWxpY2U6czNjcmV0\r\n"

struct rig {
	struct unit_canned srv;
	struct dr_registry *r;
	char host[64];
	char challenge[256]; /* the 401 naming the token realm on this server */
};

static void rig_start(struct rig *g, const char *const *answers, size_t n, int creds)
{
	struct dr_err e = { 0 };

	memset(g, 0, sizeof(*g));
	unit_canned_start(&g->srv, answers, n);
	snprintf(g->host, sizeof(g->host), "127.0.0.1:%d", g->srv.port);
	/* filled before any request is sent, so the server reads it complete */
	snprintf(g->challenge, sizeof(g->challenge),
		 "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://%s/token\","
		 "service=\"reg\",scope=\"repository:app:pull\"\r\nContent-Length: 0\r\n" CLOSE "\r\n",
		 g->host);
	ck_assert_msg(dr_registry_open(&g->r, g->host, NULL, &e) == 0, "%s", e.msg);
	if (creds)
		ck_assert_msg(dr_registry_set_credentials(g->r, "alice", "s3cret", &e) == 0, "%s",
			      e.msg);
}

static void rig_stop(struct rig *g)
{
	dr_registry_close(g->r);
	unit_canned_stop(&g->srv);
}

static int get(struct rig *g, const char *path, const char *scope,
	       struct dr_registry_response *resp, struct dr_err *e)
{
	struct dr_registry_request q = { .method = "GET", .url = path, .scope = scope };

	return dr_registry_request(g->r, &q, resp, e);
}

/* GET /v2/ answered 200: the first request goes without credentials; its
 * 401 Basic challenge is answered with Basic auth. */
START_TEST(test_basic_on_challenge)
{
	static const char *const answers[] = {
		"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
		"Content-Length: 0\r\n" CLOSE "\r\n",
		OK_BODY,
	};
	struct rig g;
	struct dr_registry_response resp;
	struct dr_err e = { 0 };
	char base[80];

	rig_start(&g, answers, 2, 1);
	ck_assert_msg(get(&g, "/v2/app/manifests/latest", "repository:app:pull", &resp, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body, "{}");
	ck_assert_str_eq(g.srv.requests[0], "GET /v2/app/manifests/latest HTTP/1.1");
	ck_assert_ptr_null(strcasestr(g.srv.raw[0], "Authorization:"));
	ck_assert_str_eq(g.srv.requests[1], "GET /v2/app/manifests/latest HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[1], ALICE_BASIC));
	snprintf(base, sizeof(base), "http://%s", g.host);
	ck_assert_str_eq(dr_registry_base_url(g.r), base);
	ck_assert_str_eq(dr_registry_scheme(g.r), "http");
	dr_registry_response_free(&resp);
	rig_stop(&g);
}
END_TEST

/* Anonymous: a 401 is final, and says to log in. */
START_TEST(test_anonymous_401)
{
	static const char *const answers[] = {
		"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
		"Content-Length: 0\r\n" CLOSE "\r\n",
	};
	struct rig g;
	struct dr_registry_response resp;
	struct dr_err e = { 0 };
	char want[200];

	rig_start(&g, answers, 1, 0);
	ck_assert_int_eq(get(&g, "/v2/app/manifests/latest", "repository:app:pull", &resp, &e),
			 DR_EAUTH);
	snprintf(want, sizeof(want), "registry %s requires credentials for repository:app:pull "
		 "(401 Unauthorized): log in first", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(g.srv.served, 1);
	ck_assert_ptr_null(strcasestr(g.srv.raw[0], "Authorization:"));
	rig_stop(&g);
}
END_TEST

/* Basic refused again after the retry: DR_EAUTH naming the scope, and
 * the registry's message quoted. */
START_TEST(test_basic_refused)
{
	static const char *const answers[] = {
		"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
		"Content-Length: 0\r\n" CLOSE "\r\n",
		"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
		"Content-Length: 53\r\n" CLOSE "\r\n"
		"{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"nope\"}]}",
	};
	struct rig g;
	struct dr_registry_response resp;
	struct dr_err e = { 0 };
	char want[200];

	rig_start(&g, answers, 2, 1);
	ck_assert_int_eq(get(&g, "/v2/app/manifests/latest", "repository:app:pull", &resp, &e),
			 DR_EAUTH);
	snprintf(want, sizeof(want), "registry %s refused the credentials for repository:app:pull "
		 "(401 Unauthorized): nope", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_nonnull(strstr(g.srv.raw[1], ALICE_BASIC));
	rig_stop(&g);
}
END_TEST

#define TOKEN_Q "service=reg&scope=repository%3aapp%3apull&account=alice&client_id=docker" \
		"&offline_token=true"

/* Bearer: the 401 names a realm on the same server; the token is fetched
 * with Basic auth, the request retried with it, and reused for the same
 * scope. Another scope fetches its own token. */
START_TEST(test_bearer_flow)
{
	struct rig g;
	const char *answers[6];
	struct dr_registry_response resp;
	struct dr_err e = { 0 };

	answers[0] = g.challenge;
	answers[1] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n"
		     CLOSE "\r\n{\"token\":\"tok-app\",\"expires_in\":300}";
	answers[2] = OK_BODY;
	answers[3] = OK_BODY;
	answers[4] = "HTTP/1.1 200 OK\r\nContent-Length: 38\r\n" CLOSE
		     "\r\n{\"token\":\"tok-other\",\"expires_in\":300}";
	answers[5] = OK_BODY;
	rig_start(&g, answers, 6, 1); /* fills g.challenge in place */

	ck_assert_msg(get(&g, "/v2/app/manifests/latest", "repository:app:pull", &resp, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(resp.status, 200);
	dr_registry_response_free(&resp);
	ck_assert_str_eq(g.srv.requests[0], "GET /v2/app/manifests/latest HTTP/1.1");
	ck_assert_ptr_null(strcasestr(g.srv.raw[0], "Authorization:"));
	ck_assert_str_eq(g.srv.requests[1], "GET /token?" TOKEN_Q " HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[1], ALICE_BASIC));
	ck_assert_str_eq(g.srv.requests[2], "GET /v2/app/manifests/latest HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[2], "Authorization: Bearer tok-app\r\n"));
	ck_assert_ptr_null(strstr(g.srv.raw[2], "Basic"));

	/* the same scope: the cached token, no token request */
	ck_assert_msg(get(&g, "/v2/app/blobs/x", "repository:app:pull", &resp, &e) == 0, "%s",
		      e.msg);
	dr_registry_response_free(&resp);
	ck_assert_str_eq(g.srv.requests[3], "GET /v2/app/blobs/x HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[3], "Authorization: Bearer tok-app\r\n"));

	/* another scope: its own token, before the request goes out */
	ck_assert_msg(get(&g, "/v2/other/manifests/1", "repository:other:pull", &resp, &e) == 0,
		      "%s", e.msg);
	dr_registry_response_free(&resp);
	ck_assert_str_eq(g.srv.requests[4], "GET /token?service=reg&scope=repository%3aother%3apull"
			 "&account=alice&client_id=docker&offline_token=true HTTP/1.1");
	ck_assert_str_eq(g.srv.requests[5], "GET /v2/other/manifests/1 HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[5], "Authorization: Bearer tok-other\r\n"));
	ck_assert_uint_eq(g.srv.served, 6);
	rig_stop(&g);
}
END_TEST

/* An absolute Location to another host gets no credentials. */
START_TEST(test_foreign_location_no_auth)
{
	static const char *const answers[] = {
		"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
		"Content-Length: 0\r\n" CLOSE "\r\n",
		OK_BODY,
		OK_BODY,
	};
	struct rig g;
	struct dr_registry_response resp;
	struct dr_err e = { 0 };
	char url[128];

	rig_start(&g, answers, 3, 1);
	ck_assert_msg(get(&g, "/v2/app/manifests/latest", "repository:app:pull", &resp, &e) == 0,
		      "%s", e.msg);
	dr_registry_response_free(&resp);
	ck_assert_ptr_nonnull(strstr(g.srv.raw[1], ALICE_BASIC));
	snprintf(url, sizeof(url), "http://localhost:%d/storage/blob", g.srv.port);
	ck_assert_msg(get(&g, url, "repository:app:pull", &resp, &e) == 0, "%s", e.msg);
	dr_registry_response_free(&resp);
	ck_assert_str_eq(g.srv.requests[2], "GET /storage/blob HTTP/1.1");
	ck_assert_ptr_null(strcasestr(g.srv.raw[2], "Authorization:"));
	rig_stop(&g);
}
END_TEST

Suite *registry_request_suite(void)
{
	Suite *s = suite_create("registry_request");
	TCase *t = tcase_create("auth");

	tcase_set_timeout(t, 20);
	tcase_add_test(t, test_basic_on_challenge);
	tcase_add_test(t, test_anonymous_401);
	tcase_add_test(t, test_basic_refused);
	tcase_add_test(t, test_bearer_flow);
	tcase_add_test(t, test_foreign_location_no_auth);
	suite_add_tcase(s, t);
	return s;
}
