/* The Docker daemon's registry settings (core/registry/daemon_config.c,
 * certs_dir.c): daemon.json as dockerd takes it or refuses it, the
 * insecure rule, certs.d as moby's loadTLSConfig reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry/daemon_config.h"
#include "unit.h"

static int parse(const char *json, struct dr_daemon_config *c, struct dr_err *e)
{
	return dr_daemon_config_parse(json, strlen(json), "daemon.json", c, e);
}

START_TEST(test_empty_files_are_the_defaults)
{
	static const char *const empty[] = { "", "  \n\t", "\xef\xbb\xbf", "{}", "\xef\xbb\xbf {} \n" };
	struct dr_daemon_config c;
	struct dr_err e;

	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		ck_assert_int_eq(parse(empty[i], &c, &e), 0);
		ck_assert_uint_eq(c.n_names, 0);
		ck_assert_uint_eq(c.n_cidrs, 2); /* ::1/128 and 127.0.0.0/8 */
		ck_assert_ptr_null(c.https_proxy);
		ck_assert_int_eq(dr_daemon_config_insecure(&c, "127.0.0.1:5000"), 1);
		ck_assert_int_eq(dr_daemon_config_insecure(&c, "127.200.1.1"), 1);
		ck_assert_int_eq(dr_daemon_config_insecure(&c, "[::1]:5000"), 1);
		ck_assert_int_eq(dr_daemon_config_insecure(&c, "localhost:5000"), 1);
		ck_assert_int_eq(dr_daemon_config_insecure(&c, "10.1.2.3:5000"), 0);
		ck_assert_int_eq(dr_daemon_config_insecure(&c, "[::2]:5000"), 0);
		dr_daemon_config_free(&c);
	}
}
END_TEST

START_TEST(test_names_and_cidrs)
{
	struct dr_daemon_config c;
	struct dr_err e;

	ck_assert_int_eq(parse("{\"insecure-registries\": [\"reg.example:5000\", \"10.20.0.0/16\","
			       " \"http://plain.example\", \"fd00::/8\", \"[fe80::1]:5000\","
			       " \"192.168.7.9/24\", \"docker.io\"],"
			       " \"unrelated\": {\"x\": [1, 2]}}", &c, &e), 0);
	ck_assert_uint_eq(c.n_names, 4);
	/* names match as written, port included */
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "reg.example:5000"), 1);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "reg.example"), 0);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "reg.example:5001"), 0);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "plain.example"), 1); /* scheme dropped */
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "[fe80::1]:5000"), 1);
	/* ranges match any port */
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "10.20.255.1:443"), 1);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "10.20.0.1"), 1);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "10.21.0.1"), 0);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "[fd12::5]:5000"), 1);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "[fe00::5]:5000"), 0);
	/* a host address with bits is the masked range */
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "192.168.7.200:80"), 1);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "192.168.8.1:80"), 0);
	/* a v4-mapped v6 address is its v4 address */
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "[::ffff:10.20.1.1]:5000"), 1);
	/* Docker Hub is always secure */
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "docker.io"), 0);
	dr_daemon_config_free(&c);
}
END_TEST

START_TEST(test_what_dockerd_refuses)
{
	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "[]", "is not a JSON object" },
		{ "{", "is not valid JSON" },
		{ "{\"insecure-registries\": \"a:5000\"}", "must be a list of strings" },
		{ "{\"insecure-registries\": [5000]}", "must be a list of strings" },
		{ "{\"insecure-registries\": [\"-reg.example\"]}", "Cannot begin or end with a hyphen" },
		{ "{\"insecure-registries\": [\"ftp://reg.example\"]}", "should not contain '://'" },
		{ "{\"insecure-registries\": [\"reg_x.example\"]}", "invalid host \"reg_x.example\"" },
		{ "{\"insecure-registries\": [\"10.0.0.0/33\"]}", "invalid host \"10.0.0.0/33\"" },
		{ "{\"insecure-registries\": [\"reg.example:99999\"]}", "invalid port \"99999\"" },
		{ "{\"insecure-registries\": [\"reg.example:\"]}", "invalid host" },
		{ "{\"proxies\": []}", "\"proxies\" must be an object" },
		{ "{\"proxies\": {\"https-proxy\": 8080}}", "\"https-proxy\" must be a string" },
	};
	struct dr_daemon_config c;
	struct dr_err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].json, &c, &e), DR_EINVAL);
		ck_assert_msg(strstr(e.msg, bad[i].why) && strncmp(e.msg, "daemon.json", 11) == 0,
			      "%s: %s", bad[i].json, e.msg);
	}
}
END_TEST

START_TEST(test_proxies)
{
	struct dr_daemon_config c;
	struct dr_err e;

	ck_assert_int_eq(parse("{\"proxies\": {\"http-proxy\": \"http://p:3128\", "
			       "\"HTTPS-Proxy\": \"http://q:3128\", \"no-proxy\": \"\"}}", &c, &e), 0);
	ck_assert_str_eq(c.http_proxy, "http://p:3128");
	ck_assert_str_eq(c.https_proxy, "http://q:3128"); /* keys match as Go's json does */
	ck_assert_ptr_null(c.no_proxy); /* empty: not set */
	dr_daemon_config_free(&c);
}
END_TEST

START_TEST(test_load_missing_file_and_env)
{
	char dir[] = "/tmp/dr-dcfg.XXXXXX", path[64];
	struct dr_daemon_config c;
	struct dr_err e;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/daemon.json", dir);
	setenv(DR_ENV_DAEMON_JSON, path, 1);
	ck_assert_int_eq(dr_daemon_config_load(NULL, &c, &e), 0); /* none: defaults */
	ck_assert_uint_eq(c.n_names, 0);
	dr_daemon_config_free(&c);
	f = fopen(path, "w");
	fputs("{\"insecure-registries\": [\"r.example:1\"]}", f);
	fclose(f);
	ck_assert_int_eq(dr_daemon_config_load(NULL, &c, &e), 0);
	ck_assert_int_eq(dr_daemon_config_insecure(&c, "r.example:1"), 1);
	dr_daemon_config_free(&c);
	unsetenv(DR_ENV_DAEMON_JSON);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- certs.d ---- */

static char certs_root[] = "/tmp/dr-certsd.XXXXXX";

static void put(const char *host, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", certs_root, host);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/%s", certs_root, host, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* a self-signed certificate and its key, made with openssl at test time */
static void make_pair(const char *host, const char *stem)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/%s && openssl req -x509 -newkey rsa:2048 -nodes "
		 "-days 1 -subj /CN=t -keyout %s/%s/%s.key -out %s/%s/%s.cert 2>/dev/null",
		 certs_root, host, certs_root, host, stem, certs_root, host, stem);
	ck_assert_int_eq(system(cmd), 0);
}

static void clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", certs_root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_certs_dir)
{
	struct dr_certs_dir d;
	struct dr_err e;
	char cmd[512];

	ck_assert_ptr_nonnull(mkdtemp(certs_root));
	/* no directory: no settings */
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "r.example:5000", &d, &e), 0);
	ck_assert_ptr_null(d.dir);
	/* a CA as ca.crt, and a .crt with only text in it (skipped, as by Go) */
	make_pair("a:1", "client");
	snprintf(cmd, sizeof(cmd), "cp %s/a:1/client.cert %s/a:1/ca.crt", certs_root, certs_root);
	ck_assert_int_eq(system(cmd), 0);
	put("a:1", "junk.crt", "not a certificate\n");
	put("a:1", "README", "ignored\n");
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "a:1", &d, &e), 0);
	ck_assert_uint_eq(d.n_ca, 1);
	ck_assert_ptr_nonnull(strstr(d.ca_pem, "-----BEGIN CERTIFICATE-----"));
	ck_assert_uint_eq(d.n_pairs, 1);
	ck_assert_ptr_nonnull(strstr(d.certs[0], "/a:1/client.cert"));
	ck_assert_ptr_nonnull(strstr(d.keys[0], "/a:1/client.key"));
	dr_certs_dir_free(&d);
	/* pairs in name order */
	make_pair("a:1", "b-second");
	make_pair("a:1", "a-first");
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "a:1", &d, &e), 0);
	ck_assert_uint_eq(d.n_pairs, 3);
	ck_assert_ptr_nonnull(strstr(d.certs[0], "/a-first.cert"));
	ck_assert_ptr_nonnull(strstr(d.keys[1], "/b-second.key"));
	ck_assert_ptr_nonnull(strstr(d.certs[2], "/client.cert"));
	dr_certs_dir_free(&d);
	/* a .cert without its .key, a .key without its .cert: dockerd's errors */
	make_pair("b:1", "c");
	snprintf(cmd, sizeof(cmd), "rm %s/b:1/c.key", certs_root);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "b:1", &d, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing key c.key for client certificate c.cert"));
	put("c:1", "lone.key", "x");
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "c:1", &d, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing client certificate lone.cert for key lone.key"));
	/* a pair whose key is another certificate's */
	make_pair("d:1", "one");
	make_pair("d:1", "two");
	snprintf(cmd, sizeof(cmd), "cp %s/d:1/one.key %s/d:1/two.key", certs_root, certs_root);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "d:1", &d, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "two.key does not match it"));
	/* a host that would leave the directory */
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "..", &d, &e), 0);
	ck_assert_ptr_null(d.dir);
	ck_assert_int_eq(dr_certs_dir_load(certs_root, "a/../../x", &d, &e), 0);
	ck_assert_ptr_null(d.dir);
	clean();
	memcpy(certs_root + strlen(certs_root) - 6, "XXXXXX", 6);
}
END_TEST

Suite *daemon_config_suite(void)
{
	Suite *s = suite_create("daemon_config");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_empty_files_are_the_defaults);
	tcase_add_test(tc, test_names_and_cidrs);
	tcase_add_test(tc, test_what_dockerd_refuses);
	tcase_add_test(tc, test_proxies);
	tcase_add_test(tc, test_load_missing_file_and_env);
	tcase_add_test(tc, test_certs_dir);
	suite_add_tcase(s, tc);
	return s;
}
