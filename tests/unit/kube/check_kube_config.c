/* Kubeconfig parsing (core/kube/kube_config.c). Moved from check_kube.c
 * unchanged. */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube_config.h"
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

Suite *kube_config_suite(void)
{
	Suite *s = suite_create("kube_config");
	TCase *tc = tcase_create("kube_config");

	tcase_add_test(tc, test_k3s_current_context);
	tcase_add_test(tc, test_other_context_and_relative_files);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_aliases_and_token);
	suite_add_tcase(s, tc);
	return s;
}
