/* registry_http.c: one exchange through dr_reg_perform against servers the
 * test runs on 127.0.0.1: the canned HTTP/1.1 server (a stand-in: the
 * header combinations and oversized bodies under test are ones
 * docker-registry does not send on demand), a socket that never answers
 * (a stalled registry) and a port nobody listens on. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "canned.h"
#include "registry/registry_int.h"
#include "unit.h"

#define DG "sha256:6666666666666666666666666666666666666666666666666666666666666666"

struct rig {
	struct unit_canned srv;
	struct dr_registry *r;
	struct dr_reg_req q;
	char host[64], url[128];
};

static void rig_open(struct rig *g, int port)
{
	struct dr_err e = { 0 };

	snprintf(g->host, sizeof(g->host), "127.0.0.1:%d", port);
	snprintf(g->url, sizeof(g->url), "http://%s/v2/app/blobs/uploads/", g->host);
	ck_assert_msg(dr_registry_open(&g->r, g->host, NULL, &e) == 0, "%s", e.msg);
	g->q = (struct dr_reg_req){ .url = g->url, .kind = "registry", .host = g->host,
				    .upload_len = -1 };
}

static void rig_start(struct rig *g, const char *answer)
{
	memset(g, 0, sizeof(*g));
	unit_canned_start(&g->srv, &answer, 1);
	rig_open(g, g->srv.port);
}

static void rig_stop(struct rig *g)
{
	dr_reg_req_clear(&g->q);
	dr_registry_close(g->r);
	unit_canned_stop(&g->srv);
}

/* Two WWW-Authenticate fields are joined; a relative Location is made
 * absolute against the request URL; the other headers are kept as sent. */
START_TEST(test_headers_captured)
{
	struct rig g;
	struct dr_err e = { 0 };
	char want[160];

	rig_start(&g, "HTTP/1.1 202 Accepted\r\n"
		  "WWW-Authenticate: Bearer realm=\"http://a/token\"\r\n"
		  "WWW-Authenticate: Basic realm=\"b\"\r\n"
		  "Location: /v2/app/blobs/uploads/u-7?state=x\r\n"
		  "Range: 0-9\r\n"
		  "Docker-Content-Digest: " DG "\r\n"
		  "Content-Type: application/json\r\n"
		  "OCI-Chunk-Min-Length: 4096\r\n"
		  "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
	g.q.method = "POST";
	ck_assert_msg(dr_reg_perform(g.r, &g.q, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(g.srv.requests[0], "POST /v2/app/blobs/uploads/ HTTP/1.1");
	ck_assert_int_eq(g.q.reached, 1);
	ck_assert_int_eq(g.q.status, 202);
	ck_assert_str_eq(g.q.www, "Bearer realm=\"http://a/token\", Basic realm=\"b\"");
	snprintf(want, sizeof(want), "http://%s/v2/app/blobs/uploads/u-7?state=x", g.host);
	ck_assert_str_eq(g.q.location, want);
	ck_assert_str_eq(g.q.range, "0-9");
	ck_assert_str_eq(g.q.digest, DG);
	ck_assert_str_eq(g.q.ctype, "application/json");
	ck_assert_int_eq(g.q.chunk_min, 4096);
	ck_assert_int_eq(g.q.length, 2);
	ck_assert_uint_eq(g.q.body.len, 2);
	ck_assert_str_eq(g.q.body.data, "{}");
	rig_stop(&g);
}
END_TEST

/* Headers that are absent stay NULL; a bad OCI-Chunk-Min-Length is 0. */
START_TEST(test_headers_absent)
{
	struct rig g;
	struct dr_err e = { 0 };

	rig_start(&g, "HTTP/1.1 404 Not Found\r\nOCI-Chunk-Min-Length: 12k\r\n"
		  "Content-Length: 0\r\nConnection: close\r\n\r\n");
	ck_assert_msg(dr_reg_perform(g.r, &g.q, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(g.srv.requests[0], "GET /v2/app/blobs/uploads/ HTTP/1.1");
	ck_assert_int_eq(g.q.status, 404);
	ck_assert_ptr_null(g.q.www);
	ck_assert_ptr_null(g.q.location);
	ck_assert_ptr_null(g.q.range);
	ck_assert_ptr_null(g.q.digest);
	ck_assert_ptr_null(g.q.ctype);
	ck_assert_int_eq(g.q.chunk_min, 0);
	ck_assert_int_eq(g.q.length, 0);
	ck_assert_uint_eq(g.q.body.len, 0);
	rig_stop(&g);
}
END_TEST

/* Over the body limit, announced (Content-Length) or not (read until the
 * connection closes): "too large", whichever check trips. */
static const char *const big[] = {
	"HTTP/1.1 200 OK\r\nContent-Length: 16\r\nConnection: close\r\n\r\n0123456789abcdef",
	"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789abcdef",
};

START_TEST(test_body_limit)
{
	struct rig g;
	struct dr_err e = { 0 };
	char want[160];

	rig_start(&g, big[_i]);
	g.q.body.limit = 8;
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_EIO);
	snprintf(want, sizeof(want), "response too large from registry %s (over 8 bytes)", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(g.q.reached, 1);
	rig_stop(&g);
}
END_TEST

/* Exactly at the limit is fine. */
START_TEST(test_body_at_limit)
{
	struct rig g;
	struct dr_err e = { 0 };

	rig_start(&g, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n01234567");
	g.q.body.limit = 8;
	ck_assert_msg(dr_reg_perform(g.r, &g.q, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(g.q.body.data, "01234567");
	rig_stop(&g);
}
END_TEST

/* A registry that accepts the connection (the kernel's backlog does) and
 * never answers. */
static int silent_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

START_TEST(test_low_speed_env)
{
	struct rig g = { 0 };
	struct dr_err e = { 0 };
	char want[200];
	int port, fd = silent_listener(&port);

	setenv(DR_ENV_LOW_SPEED_TIME, "0.5", 1);
	rig_open(&g, port);
	unsetenv(DR_ENV_LOW_SPEED_TIME);
	/* curl counts the window in whole seconds: 0.5 is one */
	ck_assert_int_eq(g.r->low_speed_s, 1);
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_ENET);
	snprintf(want, sizeof(want), "cannot reach registry %s: transfer stalled (under 1024 "
		 "bytes/s for 1s)", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(g.q.reached, 0);
	ck_assert_int_eq(dr_registry_stalled(g.r), 1);
	dr_reg_req_clear(&g.q);
	dr_registry_close(g.r);
	close(fd);
}
END_TEST

START_TEST(test_timeout_env)
{
	struct rig g = { 0 };
	struct dr_err e = { 0 };
	char want[200];
	int port, fd = silent_listener(&port);

	setenv(DR_ENV_TIMEOUT, "0.3", 1);
	rig_open(&g, port);
	unsetenv(DR_ENV_TIMEOUT);
	ck_assert_int_eq(g.r->timeout_ms, 300);
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_ENET);
	snprintf(want, sizeof(want), "cannot reach registry %s: timed out after 0.3s", g.host);
	ck_assert_str_eq(e.msg, want);
	/* a request's own cap wins over the registry's */
	g.q.timeout_ms = 200;
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_ENET);
	snprintf(want, sizeof(want), "cannot reach registry %s: timed out after 0.2s", g.host);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(dr_registry_stalled(g.r), 1);
	/* the caller's cap (its own deadline) wins when it is shorter */
	g.q.cap_ms = 100;
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_ENET);
	snprintf(want, sizeof(want), "cannot reach registry %s: timed out after 0.1s", g.host);
	ck_assert_str_eq(e.msg, want);
	g.q.cap_ms = 5000;
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_ENET);
	snprintf(want, sizeof(want), "cannot reach registry %s: timed out after 0.2s", g.host);
	ck_assert_str_eq(e.msg, want);
	dr_reg_req_clear(&g.q);
	dr_registry_close(g.r);
	close(fd);
}
END_TEST

/* Values out of range or not numbers leave the default. */
START_TEST(test_env_ms)
{
	static const struct {
		const char *v;
		long ms;
	} cases[] = { { "0.3", 300 }, { "2", 2000 }, { "0.0004", 77 }, { "-1", 77 },
		      { "1s", 77 }, { "", 77 }, { "604801", 77 }, { "604800", 604800000L } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("DR_UNIT_ENV_MS", cases[i].v, 1);
		ck_assert_msg(dr_registry_env_ms("DR_UNIT_ENV_MS", 77) == cases[i].ms, "\"%s\"",
			      cases[i].v);
	}
	unsetenv("DR_UNIT_ENV_MS");
	ck_assert_int_eq(dr_registry_env_ms("DR_UNIT_ENV_MS", 77), 77);
}
END_TEST

START_TEST(test_refused)
{
	struct rig g = { 0 };
	struct dr_err e = { 0 };
	char want[200];
	int port, fd = silent_listener(&port);

	close(fd); /* nobody listens on port now */
	rig_open(&g, port);
	g.r->stalled = 1; /* as after an earlier stall */
	ck_assert_int_eq(dr_reg_perform(g.r, &g.q, &e), DR_ENET);
	snprintf(want, sizeof(want), "cannot reach registry %s: ", g.host);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	ck_assert_msg(strlen(e.msg) > strlen(want), "%s", e.msg);
	ck_assert_int_eq(g.q.reached, 0);
	ck_assert_int_eq(g.q.cc, CURLE_COULDNT_CONNECT);
	/* refused is not stalled (nothing took too long): the flag is this request's */
	ck_assert_int_eq(dr_registry_stalled(g.r), 0);
	dr_reg_req_clear(&g.q);
	dr_registry_close(g.r);
}
END_TEST

Suite *registry_http_suite(void)
{
	Suite *s = suite_create("registry_http");
	TCase *t = tcase_create("perform");

	tcase_set_timeout(t, 20);
	tcase_add_test(t, test_headers_captured);
	tcase_add_test(t, test_headers_absent);
	tcase_add_loop_test(t, test_body_limit, 0, (int)(sizeof(big) / sizeof(big[0])));
	tcase_add_test(t, test_body_at_limit);
	tcase_add_test(t, test_low_speed_env);
	tcase_add_test(t, test_timeout_env);
	tcase_add_test(t, test_env_ms);
	tcase_add_test(t, test_refused);
	suite_add_tcase(s, t);
	return s;
}
