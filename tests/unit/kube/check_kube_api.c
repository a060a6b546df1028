/* Requests to a Kubernetes API server (core/kube/kube_api.c): a real TLS
 * server on 127.0.0.1 (`openssl s_server -WWW`, serving files from a
 * scratch dir with a self-signed certificate made for the suite), the CA
 * handed over as an in-memory blob, and how each failure maps to a code.
 * s_server answers every GET with 200, so statuses are checked through
 * dr_kube_status_message with hand-made responses. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kube/kube_api.h"
#include "unit.h"

static char dir[64];
static char server[64];
static pid_t tls_pid;
static char *cert_pem, *other_pem;

static char *slurp(const char *name)
{
	char path[128], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void make_cert(const char *key, const char *cert)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
		 ">/dev/null 2>&1", dir, key, cert);
	ck_assert_int_eq(system(cmd), 0);
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

static int connectable(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

static void setup(void)
{
	char accept[64], path[128];
	FILE *f;
	int port;

	snprintf(dir, sizeof(dir), "/tmp/dr-unit-kubeapi.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_cert("key.pem", "cert.pem");
	make_cert("other-key.pem", "other.pem");
	cert_pem = slurp("cert.pem");
	other_pem = slurp("other.pem");
	snprintf(path, sizeof(path), "%s/status.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"kind\":\"Status\",\"message\":\"secrets \\\"x\\\" not found\"}", f);
	fclose(f);
	port = free_port();
	snprintf(accept, sizeof(accept), "127.0.0.1:%d", port);
	snprintf(server, sizeof(server), "https://127.0.0.1:%d", port);
	tls_pid = fork();
	ck_assert_int_ge(tls_pid, 0);
	if (tls_pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (chdir(dir) != 0)
			_exit(127);
		execlp("openssl", "openssl", "s_server", "-quiet", "-accept", accept, "-cert",
		       "cert.pem", "-key", "key.pem", "-WWW", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !connectable(port); i++) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
	ck_assert_msg(connectable(port), "openssl s_server did not listen on %s", accept);
}

static void teardown(void)
{
	char cmd[128];

	if (tls_pid > 0) {
		kill(tls_pid, SIGTERM);
		waitpid(tls_pid, NULL, 0);
	}
	free(cert_pem);
	free(other_pem);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void kc_init(struct dr_kubeconfig *kc, const char *srv, char *ca)
{
	memset(kc, 0, sizeof(*kc));
	kc->server = (char *)srv;
	kc->ca.data = (unsigned char *)ca;
	kc->ca.len = ca ? strlen(ca) : 0;
}

START_TEST(test_get_with_the_ca_blob)
{
	struct dr_kubeconfig kc;
	struct dr_kube_resp resp;
	struct dr_err e = { 0 };
	char *msg;

	kc_init(&kc, server, cert_pem);
	ck_assert_msg(dr_kube_request(&kc, "GET", "/status.json", NULL, NULL, 0, &resp, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body.data, "{\"kind\":\"Status\",\"message\":\"secrets \\\"x\\\" not found\"}");
	msg = dr_kube_status_message(&resp);
	ck_assert_str_eq(msg, "secrets \"x\" not found");
	free(msg);
	dr_kube_resp_free(&resp);
	ck_assert_ptr_null(resp.body.data);
	ck_assert_int_eq(resp.status, 0);
}
END_TEST

START_TEST(test_wrong_ca_is_tls)
{
	struct dr_kubeconfig kc;
	struct dr_kube_resp resp;
	struct dr_err e = { 0 };
	char want[128];

	kc_init(&kc, server, other_pem);
	ck_assert_int_eq(dr_kube_request(&kc, "GET", "/status.json", NULL, NULL, 0, &resp, &e), DR_ETLS);
	snprintf(want, sizeof(want), "TLS with the API server %s failed: ", server);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	ck_assert_ptr_null(resp.body.data);
	/* insecure-skip-tls-verify ignores the CA */
	kc.insecure = 1;
	ck_assert_int_eq(dr_kube_request(&kc, "GET", "/status.json", NULL, NULL, 0, &resp, &e), 0);
	ck_assert_int_eq(resp.status, 200);
	dr_kube_resp_free(&resp);
}
END_TEST

/* A file of n bytes of 'k' in the server's directory. */
static void serve_bytes(const char *name, size_t n)
{
	char path[128], chunk[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	memset(chunk, 'k', sizeof(chunk));
	for (size_t left = n; left > 0;) {
		size_t k = left < sizeof(chunk) ? left : sizeof(chunk);

		ck_assert_uint_eq(fwrite(chunk, 1, k, f), k);
		left -= k;
	}
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_body_limit)
{
	struct dr_kubeconfig kc;
	struct dr_kube_resp resp;
	struct dr_err e = { 0 };
	char want[160];

	kc_init(&kc, server, cert_pem);
	serve_bytes("at-limit", DR_KUBE_BODY_LIMIT);
	serve_bytes("over-limit", DR_KUBE_BODY_LIMIT + 1);
	ck_assert_msg(dr_kube_request(&kc, "GET", "/at-limit", NULL, NULL, 0, &resp, &e) == 0,
		      "%s", e.msg);
	ck_assert_uint_eq(resp.body.len, DR_KUBE_BODY_LIMIT);
	ck_assert_int_eq(resp.body.data[resp.body.len - 1], 'k');
	ck_assert_int_eq(resp.body.data[resp.body.len], '\0');
	dr_kube_resp_free(&resp);
	ck_assert_int_eq(dr_kube_request(&kc, "GET", "/over-limit", NULL, NULL, 0, &resp, &e),
			 DR_ETOOBIG);
	snprintf(want, sizeof(want), "the API server %s sent more than %d bytes", server,
		 DR_KUBE_BODY_LIMIT);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(resp.body.data);
}
END_TEST

START_TEST(test_unreachable_and_plain_http)
{
	struct dr_kubeconfig kc;
	struct dr_kube_resp resp;
	struct dr_err e = { 0 };

	kc_init(&kc, "https://127.0.0.1:1", NULL);
	ck_assert_int_eq(dr_kube_request(&kc, "GET", "/api", NULL, NULL, 0, &resp, &e), DR_ENET);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot reach the API server https://127.0.0.1:1: "));
	/* only https is spoken, even to loopback */
	kc_init(&kc, "http://127.0.0.1:1", NULL);
	ck_assert_int_eq(dr_kube_request(&kc, "GET", "/api", NULL, NULL, 0, &resp, &e), DR_ENET);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot reach the API server http://127.0.0.1:1: "));
	ck_assert_ptr_nonnull(strstr(e.msg, "http"));
}
END_TEST

START_TEST(test_status_message)
{
	struct dr_kube_resp r = { 0 };
	char big[1000], *msg;

	r.status = 404;
	msg = dr_kube_status_message(&r);
	ck_assert_str_eq(msg, "HTTP 404");
	free(msg);
	r.body.data = (char *)"{\"message\":\"\"}";
	r.body.len = strlen(r.body.data);
	msg = dr_kube_status_message(&r);
	ck_assert_str_eq(msg, "HTTP 404");
	free(msg);
	r.body.data = (char *)"<html>not json</html>";
	r.body.len = strlen(r.body.data);
	r.status = 502;
	msg = dr_kube_status_message(&r);
	ck_assert_str_eq(msg, "HTTP 502");
	free(msg);
	/* a long message is cut at 300 bytes */
	strcpy(big, "{\"message\":\"");
	memset(big + 12, 'm', 500);
	strcpy(big + 512, "\"}");
	r.body.data = big;
	r.body.len = strlen(big);
	msg = dr_kube_status_message(&r);
	ck_assert_uint_eq(strlen(msg), 300);
	ck_assert_int_eq(msg[299], 'm');
	free(msg);
	/* the cluster's words reach a terminal: nothing in them acts on it */
	r.body.data = (char *)"{\"message\":\"secrets \\\"x\\\" is forbidden\\u001b[2K\\r\\u009b ok\\u202e\\n\"}";
	r.body.len = strlen(r.body.data);
	msg = dr_kube_status_message(&r);
	ck_assert_str_eq(msg, "secrets \"x\" is forbidden\\e[2K\\r\\u009b ok\\u202e\\n");
	free(msg);
}
END_TEST

Suite *kube_api_suite(void)
{
	Suite *s = suite_create("kube_api");
	TCase *tc = tcase_create("tls");
	TCase *pure = tcase_create("pure");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get_with_the_ca_blob);
	tcase_add_test(tc, test_wrong_ca_is_tls);
	tcase_add_test(tc, test_body_limit);
	tcase_add_test(tc, test_unreachable_and_plain_http);
	suite_add_tcase(s, tc);
	tcase_add_test(pure, test_status_message);
	suite_add_tcase(s, pure);
	return s;
}
