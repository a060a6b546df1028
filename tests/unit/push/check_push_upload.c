/* push_upload.c: which failures are retried, and the verdicts drawn from a
 * registry's answers: a HEAD's "exists", an upload session's offset. The
 * registry is a canned HTTP/1.1 server on 127.0.0.1 run by the test (a
 * stand-in: the answers under test, such as a 200 whose length or digest
 * disagree, are ones docker-registry never gives). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push/push_int.h"
#include "push_rig.h"
#include "unit.h"

#define DG "sha256:4444444444444444444444444444444444444444444444444444444444444444"

/* ---- dr_push_transient ---- */

static const struct {
	int rc;
	long status;
	int transient;
} transients[] = {
	{ DR_ENET, 0, 1 },   { DR_EIO, 0, 0 },   { DR_EAUTH, 0, 0 }, { DR_EINVAL, 0, 0 },
	{ DR_ETIMEOUT, 0, 0 }, { 0, 200, 0 },   { 0, 201, 0 },      { 0, 404, 0 },
	{ 0, 400, 0 },       { 0, 416, 0 },      { 0, 408, 1 },      { 0, 429, 1 },
	{ 0, 500, 1 },       { 0, 502, 1 },      { 0, 503, 1 },      { 0, 599, 1 },
	{ DR_EIO, 503, 0 },  /* a failure code wins over a status */
};

START_TEST(test_transient)
{
	ck_assert_msg(dr_push_transient(transients[_i].rc, transients[_i].status) ==
		      transients[_i].transient, "rc %d status %ld", transients[_i].rc,
		      transients[_i].status);
}
END_TEST

/* One upload of a 100-byte blob DG to repository app on the canned server. */
static void rig_start(struct push_rig *g, const char *const *answers, size_t n)
{
	push_rig_start(g, answers, n, DG, 100);
}

#define HEADERS "Connection: close\r\n"

static const struct {
	const char *answer;
	int rc, exists;
} heads[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nDocker-Content-Digest: " DG "\r\n" HEADERS "\r\n",
	  0, 1 },
	/* no length, no digest: the 200 is taken at its word */
	{ "HTTP/1.1 200 OK\r\n" HEADERS "\r\n", 0, 1 },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n" HEADERS "\r\n", 0, 1 },
	/* a length or digest that differs: upload */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nDocker-Content-Digest: " DG "\r\n" HEADERS "\r\n",
	  0, 0 },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nDocker-Content-Digest: sha256:"
	  "5555555555555555555555555555555555555555555555555555555555555555\r\n" HEADERS "\r\n", 0, 0 },
	{ "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n" HEADERS "\r\n", 0, 0 },
	{ "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n" HEADERS "\r\n", DR_EIO, 0 },
};

START_TEST(test_head_verdict)
{
	struct push_rig g;
	struct dr_err e = { 0 };
	int exists = -1;
	char want[512];

	rig_start(&g, &heads[_i].answer, 1);
	ck_assert_int_eq(dr_up_head(&g.u, &exists, &e), heads[_i].rc);
	ck_assert_int_eq(exists, heads[_i].exists);
	ck_assert_str_eq(g.srv.requests[0], "HEAD /v2/app/blobs/" DG " HTTP/1.1");
	if (heads[_i].rc) {
		snprintf(want, sizeof(want), "registry %s answered HEAD of blob " DG " with HTTP 400",
			 g.host);
		ck_assert_str_eq(e.msg, want);
	}
	push_rig_stop(&g);
}
END_TEST

/* A redirect (a storage backend) is followed; its 200 decides. */
START_TEST(test_head_redirect)
{
	struct push_rig g;
	struct dr_err e = { 0 };
	int exists = -1;
	static const char *const answers[] = {
		"HTTP/1.1 307 Temporary Redirect\r\nLocation: /storage/blob\r\nContent-Length: 0\r\n"
		HEADERS "\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n" HEADERS "\r\n",
	};

	rig_start(&g, answers, 2);
	ck_assert_msg(dr_up_head(&g.u, &exists, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(exists, 1);
	ck_assert_str_eq(g.srv.requests[1], "HEAD /storage/blob HTTP/1.1");
	push_rig_stop(&g);
}
END_TEST

/* GET of an upload session: where the registry's data ends. */
static const struct {
	const char *answer;
	int rc, restart;
	long long off;
	const char *msg; /* %s: the host */
} sessions[] = {
	{ "HTTP/1.1 204 No Content\r\nRange: 0-49\r\n" HEADERS "\r\n", 0, 0, 50, NULL },
	{ "HTTP/1.1 204 No Content\r\nRange: 0-0\r\n" HEADERS "\r\n", 0, 0, 0, NULL },
	{ "HTTP/1.1 204 No Content\r\n" HEADERS "\r\n", 0, 0, 0, NULL },
	{ "HTTP/1.1 204 No Content\r\nRange: 0-99\r\n" HEADERS "\r\n", 0, 0, 100, NULL },
	{ "HTTP/1.1 204 No Content\r\nRange: 0-100\r\n" HEADERS "\r\n", DR_EIO, 1, -1,
	  "registry %s reported an impossible upload offset (Range \"0-100\") for blob " DG
	  " of 100 bytes: starting its upload again" },
	{ "HTTP/1.1 204 No Content\r\nRange: 5-9\r\n" HEADERS "\r\n", DR_EIO, 1, -1,
	  "registry %s reported an impossible upload offset (Range \"5-9\") for blob " DG
	  " of 100 bytes: starting its upload again" },
	{ "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n" HEADERS "\r\n", DR_EIO, 1, -1,
	  "registry %s answered GET (upload status) of blob " DG " with HTTP 404" },
};

START_TEST(test_session_offset)
{
	struct push_rig g;
	struct dr_err e = { 0 };
	long long off = -1;
	char want[512];

	rig_start(&g, &sessions[_i].answer, 1);
	g.u.loc = strdup("/v2/app/blobs/uploads/u-1");
	ck_assert_int_eq(dr_up_session_offset(&g.u, &off, &e), sessions[_i].rc);
	ck_assert_int_eq(g.u.restart, sessions[_i].restart);
	ck_assert_str_eq(g.srv.requests[0], "GET /v2/app/blobs/uploads/u-1 HTTP/1.1");
	if (sessions[_i].rc == 0) {
		ck_assert_int_eq(off, sessions[_i].off);
	} else {
		/* the format is the table's own literal (one %s, the host) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(want, sizeof(want), sessions[_i].msg, g.host);
#pragma GCC diagnostic pop
		ck_assert_str_eq(e.msg, want);
	}
	push_rig_stop(&g);
}
END_TEST

/* ---- stalls and the blob's deadline ---- */

/* A blob gives up at its 2nd stall, a push at its 3rd (whatever blob or
 * manifest), with the stall's own words after. */
START_TEST(test_stall_budget)
{
	struct dr_push_ctx c = { 0 };
	struct dr_err e;
	int a = 0, b = 0;

	dr_fail(&e, DR_ENET, "cannot reach registry h: transfer stalled");
	ck_assert_int_eq(dr_push_count_stall(&c, DG, &a, &e), 0);
	ck_assert_int_ne(dr_push_count_stall(&c, DG, &a, &e), 0);
	ck_assert_str_eq(e.msg, "giving up on blob " DG " after 2 stalls: cannot reach registry h: "
		     "transfer stalled");
	c.stalls = 0;
	dr_fail(&e, DR_ENET, "stalled");
	a = 0;
	ck_assert_int_eq(dr_push_count_stall(&c, DG, &a, &e), 0);
	ck_assert_int_eq(dr_push_count_stall(&c, NULL, NULL, &e), 0);
	ck_assert_int_ne(dr_push_count_stall(&c, "sha256:other", &b, &e), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_str_eq(e.msg, "giving up after 3 stalls in this push: stalled");
}
END_TEST

/* Past its deadline a blob sends nothing more; a retry that cannot end
 * in time is not waited for. Both name the deadline and the last failure. */
START_TEST(test_blob_deadline)
{
	static const char *const answers[] = {
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n" HEADERS "\r\n",
	};
	struct push_rig g;
	struct dr_err e = { 0 };
	int exists = -1;
	long long t0;

	rig_start(&g, answers, 1);
	setenv(DR_ENV_BLOB_TIMEOUT, "0.2", 1);
	dr_up_set_deadline(&g.u, 6553600); /* 0.2 s + 100 s for its size */
	unsetenv(DR_ENV_BLOB_TIMEOUT);
	ck_assert_int_eq(g.u.budget_ms, 100200);
	/* the backoff (0.5 s) would end after the deadline: no wait */
	g.u.deadline = dr_push_now_ms() + 300;
	g.u.budget_ms = 300;
	dr_fail(&e, DR_ENET, "registry h answered HEAD with HTTP 503");
	t0 = dr_push_now_ms();
	ck_assert_int_ne(dr_up_retry_wait(&g.u, &e), 0);
	ck_assert_int_lt(dr_push_now_ms() - t0, 400); /* not the 500 ms backoff */
	ck_assert_str_eq(e.msg, "giving up on blob " DG ": not pushed within 0.3s ("
		     DR_ENV_BLOB_TIMEOUT ", plus a second per 64 KiB); the last failure: registry h "
		     "answered HEAD with HTTP 503");
	/* and nothing more is tried */
	ck_assert_int_ne(dr_up_retry_wait(&g.u, &e), 0);
	g.u.deadline = dr_push_now_ms() - 1;
	g.u.gave_up = 0;
	g.u.last.msg[0] = '\0';
	ck_assert_int_eq(dr_up_head(&g.u, &exists, &e), DR_ETIMEOUT);
	ck_assert_uint_eq(g.srv.served, 0);
	ck_assert_str_eq(e.msg, "giving up on blob " DG ": not pushed within 0.3s ("
		     DR_ENV_BLOB_TIMEOUT ", plus a second per 64 KiB)");
	push_rig_stop(&g);
}
END_TEST

Suite *push_upload_suite(void)
{
	Suite *s = suite_create("push_upload");
	TCase *pure = tcase_create("pure"), *http = tcase_create("answers");

	tcase_add_loop_test(pure, test_transient, 0, (int)(sizeof(transients) / sizeof(transients[0])));
	suite_add_tcase(s, pure);
	tcase_add_loop_test(http, test_head_verdict, 0, (int)(sizeof(heads) / sizeof(heads[0])));
	tcase_add_test(http, test_head_redirect);
	tcase_add_loop_test(http, test_session_offset, 0, (int)(sizeof(sessions) / sizeof(sessions[0])));
	tcase_add_test(pure, test_stall_budget);
	tcase_add_test(http, test_blob_deadline);
	suite_add_tcase(s, http);
	return s;
}
