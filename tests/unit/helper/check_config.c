#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper/config.h"
#include "unit.h"

static char dir[64];

static void setup(void)
{
	/* a fresh template each time: with CK_FORK=no (valgrind) every test
	 * runs in this one process, and mkdtemp overwrites the X's */
	snprintf(dir, sizeof(dir), "/tmp/dr-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv(DR_CONFIG_ENV);
	unsetenv(DR_COLLECTION_ENV);
	unsetenv(DR_TIMEOUT_ENV);
	unsetenv(DR_UNAVAILABLE_ENV);
	unsetenv(DR_TRANSPORT_ENV);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	/* with CK_FORK=no a bad value would reach later suites */
	unsetenv(DR_CONFIG_ENV);
	unsetenv(DR_COLLECTION_ENV);
	unsetenv(DR_TIMEOUT_ENV);
	unsetenv(DR_UNAVAILABLE_ENV);
	unsetenv(DR_TRANSPORT_ENV);
}

static char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(test_defaults)
{
	struct dr_config c;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_config_load(&c, &e), 0);
	ck_assert_str_eq(c.collection, "default");
	ck_assert_uint_eq(c.timeout_ms, 5000);
	ck_assert_int_eq(c.unavailable_not_found, 0);
	ck_assert_int_eq(c.transport, DR_TRANSPORT_PLAIN);
	ck_assert_str_eq(c.path, "");
}
END_TEST

START_TEST(test_file_then_env)
{
	struct dr_config c;
	struct dr_err e = { 0 };
	char *path = write_file("c.json",
		"{\"collection\":\"session\",\"timeout\":2.5,\"unavailable\":\"not-found\",\"transport\":\"dh\"}");

	setenv(DR_CONFIG_ENV, path, 1);
	ck_assert_int_eq(dr_config_load(&c, &e), 0);
	ck_assert_str_eq(c.collection, "session");
	ck_assert_uint_eq(c.timeout_ms, 2500);
	ck_assert_int_eq(c.unavailable_not_found, 1);
	ck_assert_int_eq(c.transport, DR_TRANSPORT_DH);
	ck_assert_str_eq(c.path, path);
	setenv(DR_COLLECTION_ENV, "docker", 1);
	setenv(DR_TIMEOUT_ENV, "0.5", 1);
	setenv(DR_UNAVAILABLE_ENV, "error", 1);
	ck_assert_int_eq(dr_config_load(&c, &e), 0);
	ck_assert_str_eq(c.collection, "docker");
	ck_assert_uint_eq(c.timeout_ms, 500);
	ck_assert_int_eq(c.unavailable_not_found, 0);
}
END_TEST

START_TEST(test_xdg_default_location)
{
	struct dr_config c;
	struct dr_err e = { 0 };
	char sub[512];

	snprintf(sub, sizeof(sub), "%s/docker-credential-dokku", dir);
	mkdir(sub, 0700);
	write_file("docker-credential-dokku/config.json", "{\"collection\":\"login\"}");
	ck_assert_int_eq(dr_config_load(&c, &e), 0);
	ck_assert_str_eq(c.collection, "login");
}
END_TEST

START_TEST(test_bad_input)
{
	struct dr_config c;
	struct dr_err e = { 0 };

	setenv(DR_CONFIG_ENV, "/nonexistent/dr.json", 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	ck_assert(strstr(e.msg, "/nonexistent/dr.json") != NULL);
	setenv(DR_CONFIG_ENV, write_file("bad.json", "{\"timeout\":"), 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	ck_assert(strstr(e.msg, "invalid JSON") != NULL);
	setenv(DR_CONFIG_ENV, write_file("t.json", "{\"timeout\":\"5\"}"), 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	setenv(DR_CONFIG_ENV, write_file("t2.json", "{\"timeout\":0}"), 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	setenv(DR_CONFIG_ENV, write_file("u.json", "{\"unavailable\":\"maybe\"}"), 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	setenv(DR_CONFIG_ENV, write_file("a.json", "[]"), 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	unsetenv(DR_CONFIG_ENV);
	setenv(DR_TIMEOUT_ENV, "fast", 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	setenv(DR_TIMEOUT_ENV, "9999", 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	unsetenv(DR_TIMEOUT_ENV);
	setenv(DR_TRANSPORT_ENV, "rot13", 1);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_file_then_env);
	tcase_add_test(tc, test_xdg_default_location);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
