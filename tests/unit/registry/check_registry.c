/* The registry client handle (core/registry/registry.c): opening,
 * credentials, env limits, and an unreachable loopback registry. The parsers
 * and redirect rules have their own suites (check_registry_parse.c,
 * check_registry_redirect.c). */
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "unit.h"

START_TEST(test_open_and_credentials)
{
	struct dr_registry_opts o = { .timeout_ms = 2000 };
	struct dr_registry *r = NULL;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_registry_open(&r, "not a host", &o, &e), DR_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(dr_registry_open(&r, "docker.io", NULL, &e), 0);
	ck_assert_str_eq(dr_registry_host(r), DR_HUB_API_HOST);
	ck_assert_ptr_null(dr_registry_scheme(r));
	ck_assert_ptr_null(dr_registry_identity_token(r));
	ck_assert_int_eq(dr_registry_set_credentials(r, "", "pw", &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "u", "", &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "u", NULL, &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "a:b", "pw", &e), DR_EINVAL);
	ck_assert_int_eq(dr_registry_set_credentials(r, "u", "pw", &e), 0);
	ck_assert_int_eq(dr_registry_set_credentials(r, DR_TOKEN_USERNAME, "tok", &e), 0);
	ck_assert_int_eq(dr_registry_set_credentials(r, NULL, NULL, &e), 0);
	dr_registry_close(r);
	dr_registry_close(NULL);
}
END_TEST

/* Nothing listens on loopback port 1: https, then the loopback http
 * fallback, both refused; the error names the host and no secret. */
START_TEST(test_unreachable_loopback)
{
	struct dr_registry_opts o = { .timeout_ms = 3000 };
	struct dr_registry *r = NULL;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_registry_open(&r, "127.0.0.1:1", &o, &e), 0);
	ck_assert_int_eq(dr_registry_set_credentials(r, "user", "sekrit-pw", &e), 0);
	ck_assert_int_eq(dr_registry_check_login(r, &e), DR_ENET);
	ck_assert_int_eq(e.code, DR_ENET);
	ck_assert_msg(strstr(e.msg, "cannot reach registry 127.0.0.1:1") == e.msg, "%s", e.msg);
	ck_assert_ptr_null(strstr(e.msg, "sekrit"));
	ck_assert_ptr_null(dr_registry_scheme(r));
	dr_registry_close(r);
}
END_TEST

START_TEST(test_env_ms)
{
	static const struct {
		const char *v;
		long ms;
	} cases[] = {
		{ NULL, 777 }, { "", 777 }, { "2", 2000 }, { "0.5", 500 }, { "0.001", 1 },
		{ "604800", 604800000L }, { "604801", 777 }, { "0", 777 }, { "-1", 777 },
		{ "1s", 777 }, { "nan", 777 }, { "inf", 777 }, { "1e3", 1000000L }, { " 2", 2000 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].v)
			setenv("DR_TEST_ENV_MS", cases[i].v, 1);
		else
			unsetenv("DR_TEST_ENV_MS");
		ck_assert_msg(dr_registry_env_ms("DR_TEST_ENV_MS", 777) == cases[i].ms, "\"%s\": %ld",
			      cases[i].v ? cases[i].v : "(unset)", dr_registry_env_ms("DR_TEST_ENV_MS", 777));
	}
	unsetenv("DR_TEST_ENV_MS");
}
END_TEST


Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("pure");
	TCase *net = tcase_create("loopback");

	tcase_add_test(tc, test_open_and_credentials);
	tcase_add_test(tc, test_env_ms);
	suite_add_tcase(s, tc);
	tcase_add_test(net, test_unreachable_loopback);
	tcase_set_timeout(net, 15);
	suite_add_tcase(s, net);
	return s;
}
