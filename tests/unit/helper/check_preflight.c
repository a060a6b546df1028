/* The pre-Docker check (core/helper/preflight.c): only a registry our own
 * helper answers for is asked, and a keyring that cannot answer is reported
 * with its cause instead of Docker's bare "no basic auth credentials".
 * docker-credential-dokku is the stand-in script here (fakehelper.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fakehelper.h"
#include "helper/preflight.h"
#include "unit.h"

static char cfgdir[128];

static void config(const char *json)
{
	snprintf(cfgdir, sizeof(cfgdir), "%s/cfg", fh_dir());
	mkdir(cfgdir, 0700);
	fh_write("cfg/config.json", json);
}

#define OURS "{\"credHelpers\":{\"p.example.com\":\"dokku\",\"docker.io\":\"dokku\"}," \
	     "\"auths\":{\"p.example.com\":{},\"https://index.docker.io/v1/\":{}}}"

START_TEST(test_readable_login_passes)
{
	struct dr_err e = { 0 };
	char *in;

	config(OURS);
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), 0);
	in = fh_read("name.get");
	ck_assert_str_eq(in, "docker-credential-dokku");
	free(in);
	in = fh_read("config.get");
	ck_assert_str_eq(in, cfgdir);
	free(in);
}
END_TEST

START_TEST(test_hub_by_default)
{
	struct dr_err e = { 0 };
	char *in;

	config(OURS);
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "", &e), 0);
	in = fh_read("stdin.get");
	ck_assert_str_eq(in, "docker.io");
	free(in);
}
END_TEST

START_TEST(test_missing_login)
{
	struct dr_err e = { 0 };
	char want[512];

	config(OURS);
	fh_mode("notfound");
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), DR_ENOTFOUND);
	snprintf(want, sizeof(want),
		 "%s/config.json names a login for p.example.com, but the keyring has none: log in again (dokku registry:login)",
		 cfgdir);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

START_TEST(test_keyring_down)
{
	struct dr_err e = { 0 };
	char want[512];

	config(OURS);
	fh_mode("fail");
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), DR_EIO);
	snprintf(want, sizeof(want),
		 "the keyring cannot hand out the credentials for p.example.com (%s/config.json): docker-credential-dokku get failed (exit 3): boom: the vault is sealed; " DR_KEYRING_FIX,
		 cfgdir);
	ck_assert_str_eq(e.msg, want);
}
END_TEST

START_TEST(test_not_ours_is_not_asked)
{
	struct dr_err e = { 0 };
	char missing[160];

	fh_mode("fail");
	/* another helper, our helper without a login entry, no config at all */
	config("{\"credHelpers\":{\"p.example.com\":\"unitfake\"},\"auths\":{\"p.example.com\":{}}}");
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), 0);
	config("{\"credHelpers\":{\"p.example.com\":\"dokku\"}}");
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), 0);
	config("{\"auths\":{\"p.example.com\":{\"auth\":\"dTpw\"}}}");
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), 0);
	snprintf(missing, sizeof(missing), "%s/nowhere", fh_dir());
	ck_assert_int_eq(dr_keyring_preflight(missing, "p.example.com", &e), 0);
	/* a broken config.json: Docker's own error follows */
	config("{");
	ck_assert_int_eq(dr_keyring_preflight(cfgdir, "p.example.com", &e), 0);
	ck_assert_ptr_null(fh_read("stdin.get"));
}
END_TEST

Suite *preflight_suite(void)
{
	Suite *s = suite_create("preflight");
	TCase *tc = tcase_create("preflight");

	tcase_add_checked_fixture(tc, fh_setup, fh_teardown);
	tcase_add_test(tc, test_readable_login_passes);
	tcase_add_test(tc, test_hub_by_default);
	tcase_add_test(tc, test_missing_login);
	tcase_add_test(tc, test_keyring_down);
	tcase_add_test(tc, test_not_ours_is_not_asked);
	suite_add_tcase(s, tc);
	return s;
}
