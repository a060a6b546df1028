/* registry_token.c: dr_reg_fetch_token against the canned HTTP/1.1 server
 * on 127.0.0.1 as the token service (a stand-in: docker-registry has no
 * token service, and the answers under test - short expires_in, redirects
 * to another origin - are ones a real one gives only by configuration).
 * "Another origin" is localhost:<port>: the same server under another
 * host name, which the client must treat as a different host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canned.h"
#include "registry/registry_int.h"
#include "unit.h"

#define CLOSE "Connection: close\r\n"
#define ALICE_BASIC "Authorization: Basic YWxpY2U6czNjcmV0\r\n"

struct rig {
	struct unit_canned srv;
	struct dr_registry *r;
	struct dr_auth_challenge ch;
	char host[64];
	char redirect[256]; /* a redirect to localhost:<port>/elsewhere */
};

/* user NULL: anonymous */
static void rig_start(struct rig *g, const char *const *answers, size_t n, const char *user,
		      const char *secret, int status)
{
	struct dr_err e = { 0 };

	memset(g, 0, sizeof(*g));
	unit_canned_start(&g->srv, answers, n);
	snprintf(g->host, sizeof(g->host), "127.0.0.1:%d", g->srv.port);
	snprintf(g->redirect, sizeof(g->redirect), "HTTP/1.1 %d Moved\r\nLocation: "
		 "http://localhost:%d/elsewhere\r\nContent-Length: 0\r\n" CLOSE "\r\n", status,
		 g->srv.port);
	ck_assert_msg(dr_registry_open(&g->r, g->host, NULL, &e) == 0, "%s", e.msg);
	if (user)
		ck_assert_msg(dr_registry_set_credentials(g->r, user, secret, &e) == 0, "%s", e.msg);
	snprintf(g->ch.scheme, sizeof(g->ch.scheme), "bearer");
	snprintf(g->ch.realm, sizeof(g->ch.realm), "http://%s/token", g->host);
	snprintf(g->ch.service, sizeof(g->ch.service), "reg");
}

static void rig_stop(struct rig *g)
{
	dr_registry_close(g->r);
	unit_canned_stop(&g->srv);
}

static const struct dr_token *slot_of(const struct dr_registry *r, const char *scope)
{
	for (int i = 0; i < DR_TOKEN_SLOTS; i++) {
		if (r->tokens[i].scope && strcmp(r->tokens[i].scope, scope) == 0)
			return &r->tokens[i];
	}
	return NULL;
}

#define TOK(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" CLOSE "\r\n" body

/* Anonymous GET: service, one scope= per scope, docker's client_id; no
 * account and no Authorization. */
START_TEST(test_get_query)
{
	static const char *const answers[] = { TOK("{\"token\":\"t-1\"}") };
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL;

	rig_start(&g, answers, 1, NULL, NULL, 302);
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "repository:a:pull repository:b:pull,push", 0,
					 &tok, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(tok, "t-1");
	ck_assert_str_eq(g.srv.requests[0], "GET /token?service=reg&scope=repository%3aa%3apull"
			 "&scope=repository%3ab%3apull%2cpush&client_id=docker&offline_token=true "
			 "HTTP/1.1");
	ck_assert_ptr_null(strcasestr(g.srv.raw[0], "Authorization:"));
	rig_stop(&g);
}
END_TEST

/* With a password: account= and Basic auth to the token service. */
START_TEST(test_get_basic)
{
	static const char *const answers[] = { TOK("{\"access_token\":\"at-1\",\"token\":\"t-1\"}") };
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL;

	rig_start(&g, answers, 1, "alice", "s3cret", 302);
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "", 0, &tok, &e) == 0, "%s", e.msg);
	/* access_token wins over token */
	ck_assert_str_eq(tok, "at-1");
	ck_assert_str_eq(g.srv.requests[0], "GET /token?service=reg&account=alice&client_id=docker"
			 "&offline_token=true HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[0], ALICE_BASIC));
	rig_stop(&g);
}
END_TEST

/* An identity token goes as docker's OAuth refresh grant: a POST form,
 * no Authorization, nothing in the URL; the new refresh_token is kept. */
START_TEST(test_identity_form)
{
	static const char *const answers[] = {
		TOK("{\"access_token\":\"at-2\",\"refresh_token\":\"rt-2\",\"expires_in\":600}"),
	};
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL, *body;

	rig_start(&g, answers, 1, DR_TOKEN_USERNAME, "id+tok/=", 302);
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "repository:app:pull", 0, &tok, &e) == 0,
		      "%s", e.msg);
	ck_assert_str_eq(tok, "at-2");
	ck_assert_str_eq(g.srv.requests[0], "POST /token HTTP/1.1");
	ck_assert_ptr_null(strcasestr(g.srv.raw[0], "Authorization:"));
	ck_assert_ptr_nonnull(strcasestr(g.srv.raw[0],
					 "Content-Type: application/x-www-form-urlencoded\r\n"));
	body = strstr(g.srv.raw[0], "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body + 4, "grant_type=refresh_token&client_id=docker&service=reg"
			 "&scope=repository%3Aapp%3Apull&refresh_token=id%2Btok%2F%3D");
	ck_assert_str_eq(dr_registry_identity_token(g.r), "rt-2");
	rig_stop(&g);
}
END_TEST

/* expires_in under docker's 60 s floor is raised to it; over a day is
 * capped; absent is the floor. */
static const struct {
	const char *answer;
	long long lifetime;
} lifetimes[] = {
	{ TOK("{\"token\":\"t\",\"expires_in\":10}"), 60 },
	{ TOK("{\"token\":\"t\",\"expires_in\":0}"), 60 },
	{ TOK("{\"token\":\"t\"}"), 60 },
	{ TOK("{\"token\":\"t\",\"expires_in\":61}"), 61 },
	{ TOK("{\"token\":\"t\",\"expires_in\":3600}"), 3600 },
	{ TOK("{\"token\":\"t\",\"expires_in\":99999999}"), 86400 },
};

START_TEST(test_expires_floor)
{
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL;
	const struct dr_token *slot;
	time_t before, after;

	rig_start(&g, &lifetimes[_i].answer, 1, NULL, NULL, 302);
	before = time(NULL);
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "repository:app:pull", 0, &tok, &e) == 0,
		      "%s", e.msg);
	after = time(NULL);
	slot = slot_of(g.r, "repository:app:pull");
	ck_assert_ptr_nonnull(slot);
	ck_assert_int_ge(slot->expiry, before + lifetimes[_i].lifetime);
	ck_assert_int_le(slot->expiry, after + lifetimes[_i].lifetime);
	/* cached: a second call sends nothing (the server would answer 599) */
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "repository:app:pull", 0, &tok, &e) == 0,
		      "%s", e.msg);
	ck_assert_str_eq(tok, "t");
	ck_assert_uint_eq(g.srv.served, 1);
	rig_stop(&g);
}
END_TEST

/* force ignores the cache. */
START_TEST(test_force_refetch)
{
	static const char *const answers[] = { TOK("{\"token\":\"t-1\"}"), TOK("{\"token\":\"t-2\"}") };
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL;

	rig_start(&g, answers, 2, NULL, NULL, 302);
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "repository:app:pull", 0, &tok, &e), 0);
	ck_assert_str_eq(tok, "t-1");
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "repository:app:pull", 1, &tok, &e), 0);
	ck_assert_str_eq(tok, "t-2");
	ck_assert_uint_eq(g.srv.served, 2);
	rig_stop(&g);
}
END_TEST

/* A 302 to another origin is followed without the Basic credentials. */
START_TEST(test_redirect_drops_basic)
{
	struct rig g;
	const char *answers[2];
	struct dr_err e = { 0 };
	const char *tok = NULL;

	answers[0] = g.redirect; /* filled in place by rig_start */
	answers[1] = TOK("{\"token\":\"t-far\"}");
	rig_start(&g, answers, 2, "alice", "s3cret", 302);
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "", 0, &tok, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(tok, "t-far");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[0], ALICE_BASIC));
	ck_assert_str_eq(g.srv.requests[1], "GET /elsewhere HTTP/1.1");
	ck_assert_ptr_nonnull(strcasestr(g.srv.raw[1], "\r\nHost: localhost:"));
	ck_assert_ptr_null(strcasestr(g.srv.raw[1], "Authorization:"));
	rig_stop(&g);
}
END_TEST

/* The identity form: a 302 elsewhere becomes a bodiless GET; a 307 (which
 * would re-send the form) is refused before anything is sent there. */
START_TEST(test_redirect_form_302)
{
	struct rig g;
	const char *answers[2];
	struct dr_err e = { 0 };
	const char *tok = NULL;

	answers[0] = g.redirect;
	answers[1] = TOK("{\"token\":\"t-far\"}");
	rig_start(&g, answers, 2, DR_TOKEN_USERNAME, "idtok", 302);
	ck_assert_msg(dr_reg_fetch_token(g.r, &g.ch, "", 0, &tok, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(g.srv.requests[0], "POST /token HTTP/1.1");
	ck_assert_ptr_nonnull(strstr(g.srv.raw[0], "refresh_token=idtok"));
	ck_assert_str_eq(g.srv.requests[1], "GET /elsewhere HTTP/1.1");
	ck_assert_ptr_null(strstr(g.srv.raw[1], "idtok"));
	rig_stop(&g);
}
END_TEST

START_TEST(test_redirect_form_307)
{
	struct rig g;
	const char *answers[2];
	struct dr_err e = { 0 };
	const char *tok = NULL;
	char want[256];

	answers[0] = g.redirect;
	answers[1] = TOK("{\"token\":\"t-far\"}");
	rig_start(&g, answers, 2, DR_TOKEN_USERNAME, "idtok", 307);
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "", 0, &tok, &e), DR_EIO);
	snprintf(want, sizeof(want), "token service 127.0.0.1 redirected the token request (HTTP 307) "
		 "to another host (http://localhost:%d/elsewhere): the credentials were not sent "
		 "there", g.srv.port);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(g.srv.served, 1);
	rig_stop(&g);
}
END_TEST

/* Refusals and unusable answers. */
START_TEST(test_token_errors)
{
	static const char *const answers[] = {
		"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n" CLOSE "\r\n",
		"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n" CLOSE "\r\n",
		TOK("{\"expires_in\":60}"),
	};
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL;
	char want[200];

	rig_start(&g, answers, 3, "alice", "s3cret", 302);
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "repository:app:push", 0, &tok, &e),
			 DR_EAUTH);
	snprintf(want, sizeof(want), "registry %s refused the credentials for repository:app:push "
		 "(401 Unauthorized)", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "repository:app:push", 0, &tok, &e),
			 DR_EIO);
	ck_assert_str_eq(e.msg, "token service 127.0.0.1 answered HTTP 500");
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "repository:app:push", 0, &tok, &e),
			 DR_EIO);
	ck_assert_str_eq(e.msg, "token service 127.0.0.1 sent no usable token");
	ck_assert_ptr_null(slot_of(g.r, "repository:app:push"));
	rig_stop(&g);
}
END_TEST

/* A plain-http realm off loopback is refused before anything is sent. */
START_TEST(test_cleartext_realm)
{
	struct rig g;
	struct dr_err e = { 0 };
	const char *tok = NULL;
	char want[256];

	rig_start(&g, NULL, 0, "alice", "s3cret", 302);
	snprintf(g.ch.realm, sizeof(g.ch.realm), "http://auth.example.com/token");
	ck_assert_int_eq(dr_reg_fetch_token(g.r, &g.ch, "", 0, &tok, &e), DR_EIO);
	snprintf(want, sizeof(want), "registry %s sends credentials to a plain-http token service "
		 "(auth.example.com); use --insecure only for a registry you trust", g.host);
	ck_assert_str_eq(e.msg, want);
	rig_stop(&g);
}
END_TEST

Suite *registry_token_suite(void)
{
	Suite *s = suite_create("registry_token");
	TCase *t = tcase_create("token");

	tcase_set_timeout(t, 20);
	tcase_add_test(t, test_get_query);
	tcase_add_test(t, test_get_basic);
	tcase_add_test(t, test_identity_form);
	tcase_add_loop_test(t, test_expires_floor, 0, (int)(sizeof(lifetimes) / sizeof(lifetimes[0])));
	tcase_add_test(t, test_force_refetch);
	tcase_add_test(t, test_redirect_drops_basic);
	tcase_add_test(t, test_redirect_form_302);
	tcase_add_test(t, test_redirect_form_307);
	tcase_add_test(t, test_token_errors);
	tcase_add_test(t, test_cleartext_realm);
	suite_add_tcase(s, t);
	return s;
}
