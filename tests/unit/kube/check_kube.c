/* core/kube_config.c (kubeconfig parsing) and core/kube_secret.c (the pull
 * Secret). */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "kube_config.h"
#include "kube_secret.h"
#include "unit.h"

/* "hello" and "key" in base64 */
#define B64_HELLO "aGVsbG8="
#define B64_KEY "a2V5"

static const char k3s_style[] =
	"apiVersion: v1\n"
	"clusters:\n"
	"- cluster:\n"
	"    certificate-authority-data: " B64_HELLO "\n"
	"    server: https://127.0.0.1:6443/\n"
	"  name: default\n"
	"contexts:\n"
	"- context:\n"
	"    cluster: default\n"
	"    user: default\n"
	"  name: default\n"
	"- context:\n"
	"    cluster: other\n"
	"    user: tok\n"
	"  name: second\n"
	"current-context: default\n"
	"kind: Config\n"
	"preferences: {}\n"
	"users:\n"
	"- name: default\n"
	"  user:\n"
	"    client-certificate-data: " B64_HELLO "\n"
	"    client-key-data: " B64_KEY "\n"
	"- name: tok\n"
	"  user:\n"
	"    tokenFile: token.txt\n"
	"clusters2: ignored\n";

static int parse(const char *text, const char *ctx, const char *dir, struct dr_kubeconfig *kc,
		 struct dr_err *e)
{
	return dr_kubeconfig_parse(text, strlen(text), ctx, dir, kc, e);
}

START_TEST(test_k3s_current_context)
{
	struct dr_kubeconfig kc;
	struct dr_err e = { 0 };

	ck_assert_int_eq(parse(k3s_style, NULL, "/etc/rancher/k3s", &kc, &e), 0);
	ck_assert_str_eq(kc.context, "default");
	ck_assert_str_eq(kc.cluster, "default");
	ck_assert_str_eq(kc.user, "default");
	ck_assert_str_eq(kc.server, "https://127.0.0.1:6443"); /* trailing slash dropped */
	ck_assert_int_eq(kc.insecure, 0);
	ck_assert_uint_eq(kc.ca.len, 5);
	ck_assert_str_eq((char *)kc.ca.data, "hello");
	ck_assert_str_eq((char *)kc.cert.data, "hello");
	ck_assert_str_eq((char *)kc.key.data, "key");
	ck_assert_ptr_null(kc.ca_file);
	ck_assert_ptr_null(kc.token.data);
	dr_kubeconfig_free(&kc);
}
END_TEST

START_TEST(test_other_context_and_relative_files)
{
	static const char extra[] =
		"- cluster:\n"
		"    server: https://k.example:443\n"
		"    certificate-authority: ca.crt\n"
		"    insecure-skip-tls-verify: true\n"
		"  name: other\n";
	char *text = NULL;
	struct dr_kubeconfig kc;
	struct dr_err e = { 0 };
	const char *at = strstr(k3s_style, "contexts:");

	/* a second cluster spliced in before contexts: */
	ck_assert_int_ge(asprintf(&text, "%.*s%s%s", (int)(at - k3s_style), k3s_style, extra, at), 0);
	ck_assert_int_eq(parse(text, "second", "/srv/kube", &kc, &e), 0);
	ck_assert_str_eq(kc.cluster, "other");
	ck_assert_str_eq(kc.server, "https://k.example:443");
	ck_assert_int_eq(kc.insecure, 1);
	ck_assert_str_eq(kc.ca_file, "/srv/kube/ca.crt");
	ck_assert_str_eq(kc.token_file, "/srv/kube/token.txt");
	ck_assert_ptr_null(kc.cert.data);
	dr_kubeconfig_free(&kc);
	free(text);
}
END_TEST

static void expect_error(const char *text, const char *ctx, const char *needle)
{
	struct dr_kubeconfig kc;
	struct dr_err e = { 0 };

	ck_assert_int_ne(parse(text, ctx, NULL, &kc, &e), 0);
	ck_assert_msg(strstr(e.msg, needle) != NULL, "error \"%s\" lacks \"%s\"", e.msg, needle);
	/* on failure nothing is left allocated (ASan / valgrind check this) */
	ck_assert_ptr_null(kc.server);
	ck_assert_ptr_null(kc.key.data);
}

START_TEST(test_errors)
{
	expect_error("", NULL, "not a kubeconfig");
	expect_error("- a\n- b\n", NULL, "not a kubeconfig");
	expect_error("a: [\n", NULL, "not valid YAML");
	expect_error("kind: Config\n", NULL, "no current-context");
	expect_error(k3s_style, "nope", "context \"nope\" is not defined");
	expect_error("current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\n", NULL,
		     "cluster \"x\" is not defined");
	expect_error("current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\n"
		     "clusters:\n- name: x\n  cluster: {server: 'http://plain:80'}\n",
		     NULL, "has no https:// server");
	expect_error("current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\n"
		     "clusters:\n- name: x\n  cluster: {server: 'https://a'}\n"
		     "users:\n- name: u\n  user: {exec: {command: aws}}\n",
		     NULL, "exec or auth-provider");
	expect_error("current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\n"
		     "clusters:\n- name: x\n  cluster: {server: 'https://a'}\n"
		     "users:\n- name: u\n  user: {client-certificate-data: " B64_HELLO "}\n",
		     NULL, "without its key");
	expect_error("current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\n"
		     "clusters:\n- name: x\n  cluster: {server: 'https://a', "
		     "certificate-authority-data: 'not*base64'}\n",
		     NULL, "certificate-authority-data is not base64");
	/* a NUL inside a value never names a file */
	expect_error("current-context: \"c\\0d\"\n", NULL, "no current-context");
}
END_TEST

START_TEST(test_aliases_and_token)
{
	static const char text[] =
		"current-context: c\n"
		"contexts:\n- name: c\n  context: &ctx {cluster: x, user: u}\n"
		"clusters:\n- name: x\n  cluster: {server: 'https://a.example'}\n"
		"users:\n- name: u\n  user: {token: abc.def}\n";
	struct dr_kubeconfig kc;
	struct dr_err e = { 0 };

	ck_assert_int_eq(parse(text, "", NULL, &kc, &e), 0);
	ck_assert_str_eq((char *)kc.token.data, "abc.def");
	ck_assert_ptr_null(kc.ca.data); /* system CAs */
	dr_kubeconfig_free(&kc);
}
END_TEST

START_TEST(test_secret_build)
{
	struct dr_err e = { 0 };
	json_t *auths = json_object(), *s, *cfg, *entry;
	const char *b64;
	guchar *raw;
	gsize len;

	ck_assert_int_eq(dr_kube_auths_add(auths, "ghcr.io", "u", "p:w\"x", 5, 0, &e), 0);
	ck_assert_int_eq(dr_kube_auths_add(auths, "tok.example.com", "<token>", "idt", 3, 1, &e), 0);
	s = dr_kube_secret_build("dokku-registry-app", "ns1", "app", auths, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(json_string_value(json_object_get(s, "type")), DR_KUBE_SECRET_TYPE);
	ck_assert_str_eq(json_string_value(json_object_get(s, "kind")), "Secret");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(json_object_get(s, "metadata"), "labels"), DR_KUBE_MANAGED_BY_LABEL)),
		DR_KUBE_MANAGER);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s, "metadata"), "namespace")),
			 "ns1");
	b64 = json_string_value(json_object_get(json_object_get(s, "data"), ".dockerconfigjson"));
	raw = g_base64_decode(b64, &len);
	cfg = json_loadb((char *)raw, len, 0, NULL);
	entry = json_object_get(json_object_get(cfg, "auths"), "ghcr.io");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "username")), "u");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "password")), "p:w\"x");
	{
		guchar *pair = g_base64_decode(json_string_value(json_object_get(entry, "auth")), &len);

		ck_assert_uint_eq(len, 7);
		ck_assert_int_eq(memcmp(pair, "u:p:w\"x", 7), 0);
		g_free(pair);
	}
	entry = json_object_get(json_object_get(cfg, "auths"), "tok.example.com");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "identitytoken")), "idt");
	ck_assert_ptr_null(json_object_get(entry, "password"));
	json_decref(cfg);
	g_free(raw);
	json_decref(s);
	json_decref(auths);
}
END_TEST

START_TEST(test_secret_bad_utf8)
{
	struct dr_err e = { 0 };
	json_t *auths = json_object();

	ck_assert_int_eq(dr_kube_auths_add(auths, "r", "u", "\xff\xfe", 2, 0, &e), DR_EINVAL);
	ck_assert_uint_eq(json_object_size(auths), 0);
	json_decref(auths);
}
END_TEST

START_TEST(test_names_and_owner)
{
	static const char ours[] = "{\"metadata\":{\"labels\":{\"app.kubernetes.io/managed-by\":"
				   "\"dokku-registry\"},\"annotations\":{\"dokku-registry/app\":\"a\"}}}";
	static const char helm[] = "{\"metadata\":{\"labels\":{\"app.kubernetes.io/managed-by\":\"Helm\"}}}";

	ck_assert(dr_kube_name_valid("dokku-registry-my.app"));
	ck_assert(!dr_kube_name_valid("Bad"));
	ck_assert(!dr_kube_name_valid("-a"));
	ck_assert(!dr_kube_name_valid("a..b"));
	ck_assert(!dr_kube_name_valid(""));
	ck_assert(dr_kube_namespace_valid("apps-1"));
	ck_assert(!dr_kube_namespace_valid("a.b"));
	ck_assert(!dr_kube_namespace_valid("a/../b"));
	ck_assert_int_eq(dr_kube_secret_owner(ours, strlen(ours), "a"), DR_KUBE_OURS);
	ck_assert_int_eq(dr_kube_secret_owner(ours, strlen(ours), "b"), DR_KUBE_OTHER_APP);
	ck_assert_int_eq(dr_kube_secret_owner(helm, strlen(helm), "a"), DR_KUBE_NOT_OURS);
	ck_assert_int_eq(dr_kube_secret_owner("junk", 4, "a"), DR_KUBE_NOT_OURS);
}
END_TEST

Suite *kube_suite(void)
{
	Suite *s = suite_create("kube");
	TCase *tc = tcase_create("kube");

	tcase_add_test(tc, test_k3s_current_context);
	tcase_add_test(tc, test_other_context_and_relative_files);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_aliases_and_token);
	tcase_add_test(tc, test_secret_build);
	tcase_add_test(tc, test_secret_bad_utf8);
	tcase_add_test(tc, test_names_and_owner);
	suite_add_tcase(s, tc);
	return s;
}
