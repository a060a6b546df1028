/* core/authservers.c against Dokku 0.38.29's authServersFromConfig
 * (plugins/registry/auth_status.go) and its unit cases. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dokku/authservers.h"
#include "unit.h"

static const struct {
	const char *key;
	const char *name;
} names[] = {
	{ "https://index.docker.io/v1/", "docker.io" },
	{ "docker.io", "docker.io" },
	{ "index.docker.io", "docker.io" },
	{ "http://index.docker.io/v1/", "docker.io" },
	{ "hub.docker.com", "docker.io" },   /* registry:login's aliases */
	{ "docker.com", "docker.io" },
	{ "https://hub.docker.com", "hub.docker.com" }, /* only the bare alias folds */
	{ "registry-1.docker.io", "registry-1.docker.io" }, /* a key of its own in docker */
	{ "", "docker.io" },                 /* docker's empty key is the Hub */
	{ "https://", "docker.io" },
	{ "https://ghcr.io/v1/", "ghcr.io" },
	{ "ghcr.io", "ghcr.io" },
	{ "http://localhost:5000/v2/", "localhost:5000" },
	{ "HTTPS://quay.io", "HTTPS:" },     /* the scheme test is case-sensitive, as in Go */
	{ "Quay.io/org/repo", "Quay.io" },
	{ "[::1]:5000/x", "[::1]:5000" },
};

START_TEST(server_name)
{
	char *n = dr_auth_server_name(names[_i].key);

	ck_assert_str_eq(n, names[_i].name);
	free(n);
}
END_TEST

static char *servers_of(const char *json, dr_auth_held_fn held)
{
	json_t *root = json_loads(json, 0, NULL);
	char *out;

	ck_assert_ptr_nonnull(root);
	out = dr_auth_servers(root, held, NULL);
	json_decref(root);
	return out;
}

static int not_quay(const char *key, void *arg)
{
	(void)arg;
	return strcmp(key, "quay.io") != 0;
}

START_TEST(server_lists)
{
	static const struct {
		const char *config;
		const char *servers;
	} v[] = {
		{ "{}", "" },
		{ "{\"auths\":{}}", "" },
		{ "{\"auths\":\"nope\"}", "" },
		{ "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYXNz\"}}}", "docker.io" },
		{ "{\"auths\":{\"quay.io\":{},\"ghcr.io\":{},\"https://index.docker.io/v1/\":{}}}",
		  "docker.io,ghcr.io,quay.io" },
		{ "{\"auths\":{\"https://ghcr.io/v1/\":{}}}", "ghcr.io" },
		{ "{\"auths\":{\"https://index.docker.io/v1/\":{},\"docker.io\":{}}}", "docker.io" },
		{ "{\"auths\":{\"b.io\":{},\"B.io\":{},\"a.io:5000\":{},\"a.io\":{}}}", "B.io,a.io,a.io:5000,b.io" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *s = servers_of(v[i].config, NULL);

		ck_assert_str_eq(s, v[i].servers);
		free(s);
	}
}
END_TEST

START_TEST(server_lists_held)
{
	char *s = servers_of("{\"auths\":{\"quay.io\":{},\"ghcr.io\":{}}}", not_quay);

	ck_assert_str_eq(s, "ghcr.io");
	free(s);
	s = servers_of("{\"auths\":{\"quay.io\":{}}}", not_quay);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

Suite *authservers_suite(void)
{
	Suite *s = suite_create("authservers");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, server_name, 0, sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, server_lists);
	tcase_add_test(tc, server_lists_held);
	suite_add_tcase(s, tc);
	return s;
}
