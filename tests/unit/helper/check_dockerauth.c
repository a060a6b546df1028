/* Docker-style credential resolution for one config dir (core/helper/
 * dockerauth.c): credHelpers -> credsStore -> auths (auth, username/
 * password, identitytoken), with a stand-in helper (fakehelper.c) and real
 * config.json files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/serverurl.h"
#include "fakehelper.h"
#include "helper/dockerauth.h"
#include "helper/preflight.h"
#include "unit.h"

static char cfgdir[128];

static void config(const char *json)
{
	snprintf(cfgdir, sizeof(cfgdir), "%s/cfg", fh_dir());
	mkdir(cfgdir, 0700);
	fh_write("cfg/config.json", json);
}

static void expect_file(const char *name, const char *want)
{
	char *got = fh_read(name);

	ck_assert_msg(got != NULL, "%s was not written", name);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_cred_helpers_entry)
{
	struct dr_dockerauth a;
	struct dr_err e = { 0 };

	config("{\"credHelpers\":{\"h.example.com:5000\":\"unitfake\"},\"credsStore\":\"no-such\"}");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "h.example.com:5000", &a, &e), 0);
	ck_assert_str_eq(a.username, "u1");
	ck_assert_uint_eq(a.secret_len, 3);
	ck_assert_mem_eq(a.secret, "p\0w", 3);
	ck_assert_int_eq(a.token, 0);
	ck_assert_str_eq(a.source, "docker-credential-unitfake");
	/* asked under docker's auth key, with DOCKER_CONFIG set to the dir */
	expect_file("stdin.get", "h.example.com:5000");
	expect_file("config.get", cfgdir);
	dr_dockerauth_wipe(&a);
	ck_assert_ptr_null(a.username);
	ck_assert_ptr_null(a.secret);
}
END_TEST

START_TEST(test_creds_store_and_token)
{
	struct dr_dockerauth a;
	struct dr_err e = { 0 };

	config("{\"credsStore\":\"unitfake\",\"auths\":{\"s.example.com\":{\"auth\":\"dTpw\"}}}");
	fh_mode("token");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "s.example.com", &a, &e), 0);
	ck_assert_int_eq(a.token, 1);
	ck_assert_str_eq(a.username, "<token>");
	ck_assert_str_eq(a.secret, "tok-1");
	ck_assert_str_eq(a.source, "docker-credential-unitfake");
	dr_dockerauth_wipe(&a);
	/* Docker Hub is asked for under its index URL */
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "docker.io", &a, &e), 0);
	expect_file("stdin.get", "https://index.docker.io/v1/");
	dr_dockerauth_wipe(&a);
}
END_TEST

START_TEST(test_helper_answers)
{
	struct dr_dockerauth a;
	struct dr_err e = { 0 };

	config("{\"credsStore\":\"unitfake\"}");
	fh_mode("notfound");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "n.example.com", &a, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(a.username);
	fh_mode("empty");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "n.example.com", &a, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake has an empty entry for n.example.com");
	fh_mode("fail");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "n.example.com", &a, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitfake get n.example.com: docker-credential-unitfake get failed (exit 3): boom: the vault is sealed");
	/* our own helper's failure points at the keyring */
	config("{\"credsStore\":\"dokku\"}");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "n.example.com", &a, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-dokku get n.example.com: docker-credential-dokku get failed (exit 3): boom: the vault is sealed; " DR_KEYRING_FIX);
	/* a helper that is not installed is an error (docker fails too), not "none" */
	config("{\"credsStore\":\"no-such-helper-xyz\"}");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "n.example.com", &a, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-no-such-helper-xyz get n.example.com: credential helper "
				"docker-credential-no-such-helper-xyz is not installed (not on PATH)");
}
END_TEST

START_TEST(test_auths_entries)
{
	struct dr_dockerauth a;
	struct dr_err e = { 0 };

	/* base64("user:pa:ss"), username/password, identitytoken, Hub */
	config("{\"auths\":{"
	       "\"https://b64.example.com/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
	       "\"up.example.com\":{\"username\":\"bob\",\"password\":\"pw\",\"auth\":\"eDp5\"},"
	       "\"idt.example.com\":{\"identitytoken\":\"it-1\",\"username\":\"x\",\"password\":\"y\"},"
	       "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"},"
	       "\"bad.example.com\":{\"auth\":\"bm9jb2xvbg==\"},"
	       "\"empty.example.com\":{}}}");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "b64.example.com", &a, &e), 0);
	ck_assert_str_eq(a.username, "user");
	ck_assert_uint_eq(a.secret_len, 5);
	ck_assert_str_eq(a.secret, "pa:ss");
	ck_assert_str_eq(a.source, "config.json");
	dr_dockerauth_wipe(&a);
	/* username/password win over auth */
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "up.example.com", &a, &e), 0);
	ck_assert_str_eq(a.username, "bob");
	ck_assert_str_eq(a.secret, "pw");
	dr_dockerauth_wipe(&a);
	/* the identity token wins over everything */
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "idt.example.com", &a, &e), 0);
	ck_assert_int_eq(a.token, 1);
	ck_assert_str_eq(a.username, "<token>");
	ck_assert_str_eq(a.secret, "it-1");
	dr_dockerauth_wipe(&a);
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "index.docker.io", &a, &e), 0);
	ck_assert_str_eq(a.username, "hub");
	ck_assert_str_eq(a.secret, "hubpw");
	dr_dockerauth_wipe(&a);
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "bad.example.com", &a, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "the auths entry for bad.example.com in config.json is not base64 \"user:password\"");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "empty.example.com", &a, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no credentials for empty.example.com");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "other.example.com", &a, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no credentials for other.example.com");
	ck_assert_int_eq(dr_dockerauth_resolve(cfgdir, "not a host", &a, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "not a registry address: not a host");
	/* no helper ran for any of these */
	ck_assert_ptr_null(fh_read("stdin.get"));
}
END_TEST

START_TEST(test_missing_and_malformed_config)
{
	struct dr_dockerauth a;
	struct dr_err e = { 0 };
	char missing[160];

	snprintf(missing, sizeof(missing), "%s/nowhere", fh_dir());
	ck_assert_int_eq(dr_dockerauth_resolve(missing, "m.example.com", &a, &e), DR_ENOTFOUND);
	config("{\"auths\":");
	ck_assert_int_lt(dr_dockerauth_resolve(cfgdir, "m.example.com", &a, &e), 0);
	ck_assert_int_ne(e.code, DR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "config.json"));
}
END_TEST

START_TEST(test_registries)
{
	char **keys = NULL;
	struct dr_err e = { 0 };

	config("{\"auths\":{\"https://a.example.com/\":{},\"a.example.com\":{},\"docker.io\":{},"
	       "\"not a host\":{}},\"credHelpers\":{\"b.example.com:5000\":\"x\",\"a.example.com\":\"y\"}}");
	ck_assert_int_eq(dr_dockerauth_registries(cfgdir, &keys, &e), 0);
	ck_assert_str_eq(keys[0], "a.example.com");
	ck_assert_str_eq(keys[1], "https://index.docker.io/v1/");
	ck_assert_str_eq(keys[2], "b.example.com:5000");
	ck_assert_ptr_null(keys[3]);
	dr_strv_free(keys);
	keys = NULL;
	config("{}");
	ck_assert_int_eq(dr_dockerauth_registries(cfgdir, &keys, &e), 0);
	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_null(keys[0]);
	dr_strv_free(keys);
}
END_TEST

Suite *dockerauth_suite(void)
{
	Suite *s = suite_create("dockerauth");
	TCase *tc = tcase_create("dockerauth");

	tcase_add_checked_fixture(tc, fh_setup, fh_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cred_helpers_entry);
	tcase_add_test(tc, test_creds_store_and_token);
	tcase_add_test(tc, test_helper_answers);
	tcase_add_test(tc, test_auths_entries);
	tcase_add_test(tc, test_missing_and_malformed_config);
	tcase_add_test(tc, test_registries);
	suite_add_tcase(s, tc);
	return s;
}
