/* push_auth.c: the credentials a push uses, resolved from a real config
 * dir as docker does. The credential helpers are shell scripts the test
 * writes onto PATH (a stand-in for docker-credential-*: the protocol is
 * what matters, and each script records what it was asked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "base/secmem.h"
#include "push/push_int.h"
#include "unit.h"

static char *saved_path;
static char cfg_dir[128], bin_dir[128];

static void auth_setup(void)
{
	const char *path = getenv("PATH");
	char newpath[4096];

	unit_world_setup();
	saved_path = strdup(path ? path : "/usr/bin:/bin");
	unit_path(cfg_dir, sizeof(cfg_dir), "dockercfg");
	unit_path(bin_dir, sizeof(bin_dir), "bin");
	ck_assert_int_eq(mkdir(cfg_dir, 0700), 0);
	ck_assert_int_eq(mkdir(bin_dir, 0755), 0);
	snprintf(newpath, sizeof(newpath), "%s:%s", bin_dir, saved_path);
	setenv("PATH", newpath, 1);
}

static void auth_teardown(void)
{
	setenv("PATH", saved_path, 1);
	free(saved_path);
	saved_path = NULL;
	unit_world_teardown();
}

static void write_config(const char *dir, const char *json)
{
	char p[300];

	ck_assert_int_lt(snprintf(p, sizeof(p), "%s/config.json", dir), (int)sizeof(p));
	unit_write(p, json, strlen(json), 0600);
}

/* docker-credential-<name>: records its action, stdin and DOCKER_CONFIG
 * in <name>.log, then prints answer and exits with status. */
static void write_helper(const char *name, const char *answer, int status)
{
	char p[256], script[2048];

	snprintf(p, sizeof(p), "%s/docker-credential-%s", bin_dir, name);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "in=$(cat)\n"
		 "printf '%%s|%%s|%%s\\n' \"$1\" \"$in\" \"$DOCKER_CONFIG\" >>'%s/%s.log'\n"
		 "printf '%%s' '%s'\n"
		 "exit %d\n", unit_tmp, name, answer, status);
	unit_write(p, script, strlen(script), 0755);
}

static char *helper_log(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s.log", unit_tmp, name);
	return unit_read(p, NULL);
}

static void assert_creds(const char *dir, const char *host, const char *user, const char *secret)
{
	struct dr_err e = { 0 };
	char *u = (char *)"x", *s = (char *)"x";

	ck_assert_msg(dr_push_credentials(dir, host, &u, &s, &e) == 0, "%s: %s", host, e.msg);
	if (!user) {
		ck_assert_ptr_null(u);
		ck_assert_ptr_null(s);
		return;
	}
	ck_assert_str_eq(u, user);
	ck_assert_str_eq(s, secret);
	dr_str_wipe_free(u);
	dr_str_wipe_free(s);
}

START_TEST(test_cred_helpers)
{
	char *log, want[512];

	write_helper("unitone", "{\"ServerURL\":\"reg.example:5000\",\"Username\":\"ci\","
				"\"Secret\":\"s3cret\"}", 0);
	write_helper("unitstore", "{\"Username\":\"wrong\",\"Secret\":\"wrong\"}", 0);
	write_config(cfg_dir, "{\"credsStore\":\"unitstore\","
			      "\"credHelpers\":{\"reg.example:5000\":\"unitone\"},"
			      "\"auths\":{\"reg.example:5000\":{\"auth\":\"d3Jvbmc6d3Jvbmc=\"}}}");
	assert_creds(cfg_dir, "reg.example:5000", "ci", "s3cret");
	log = helper_log("unitone");
	snprintf(want, sizeof(want), "get|reg.example:5000|%s\n", cfg_dir);
	ck_assert_str_eq(log, want);
	free(log);
	ck_assert_ptr_null(helper_log("unitstore")); /* credHelpers wins */
}
END_TEST

START_TEST(test_creds_store)
{
	char *log, want[512];

	write_helper("unitstore", "{\"ServerURL\":\"ghcr.io\",\"Username\":\"bot\","
				  "\"Secret\":\"ghp_x\"}", 0);
	write_config(cfg_dir, "{\"credsStore\":\"unitstore\","
			      "\"auths\":{\"ghcr.io\":{\"auth\":\"d3Jvbmc6d3Jvbmc=\"}}}");
	assert_creds(cfg_dir, "ghcr.io", "bot", "ghp_x");
	log = helper_log("unitstore");
	snprintf(want, sizeof(want), "get|ghcr.io|%s\n", cfg_dir);
	ck_assert_str_eq(log, want);
	free(log);
}
END_TEST

/* Docker Hub is asked for under its auth key */
START_TEST(test_hub_key)
{
	char *log, want[512];

	write_helper("unitstore", "{\"Username\":\"me\",\"Secret\":\"pw\"}", 0);
	write_config(cfg_dir, "{\"credsStore\":\"unitstore\"}");
	assert_creds(cfg_dir, "docker.io", "me", "pw");
	log = helper_log("unitstore");
	snprintf(want, sizeof(want), "get|https://index.docker.io/v1/|%s\n", cfg_dir);
	ck_assert_str_eq(log, want);
	free(log);
}
END_TEST

START_TEST(test_auths)
{
	/* "user:pa:ss" */
	write_config(cfg_dir, "{\"auths\":{"
			      "\"127.0.0.1:5000\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
			      "\"reg.b\":{\"username\":\"u2\",\"password\":\"p2\"},"
			      "\"reg.t\":{\"auth\":\"dXNlcjpwYTpzcw==\",\"identitytoken\":\"tok\"}}}");
	assert_creds(cfg_dir, "127.0.0.1:5000", "user", "pa:ss");
	assert_creds(cfg_dir, "reg.b", "u2", "p2");
	assert_creds(cfg_dir, "reg.t", "<token>", "tok");
}
END_TEST

START_TEST(test_anonymous)
{
	/* no config.json at all */
	assert_creds(cfg_dir, "127.0.0.1:5000", NULL, NULL);
	/* entries for other registries only */
	write_config(cfg_dir, "{\"auths\":{\"other:5000\":{\"auth\":\"dXNlcjpwYTpzcw==\"}}}");
	assert_creds(cfg_dir, "127.0.0.1:5000", NULL, NULL);
	/* the helper has nothing for it: docker pushes anonymously */
	write_helper("unitstore", "credentials not found in native keychain", 1);
	write_config(cfg_dir, "{\"credsStore\":\"unitstore\"}");
	assert_creds(cfg_dir, "127.0.0.1:5000", NULL, NULL);
}
END_TEST

START_TEST(test_helper_fails)
{
	struct dr_err e = { 0 };
	char *u = (char *)"x", *s = (char *)"x";

	write_helper("unitstore", "the keyring is locked", 3);
	write_config(cfg_dir, "{\"credsStore\":\"unitstore\"}");
	ck_assert_int_ne(dr_push_credentials(cfg_dir, "reg.example", &u, &s, &e), 0);
	ck_assert_ptr_null(u);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(e.msg, "docker-credential-unitstore get reg.example: ") == e.msg, "%s",
		      e.msg);
	ck_assert_msg(strstr(e.msg, "the keyring is locked") != NULL, "%s", e.msg);
	/* an answer that is not the protocol's JSON */
	write_helper("unitstore", "not json", 0);
	ck_assert_int_eq(dr_push_credentials(cfg_dir, "reg.example", &u, &s, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "docker-credential-unitstore get reg.example: "
				"docker-credential-unitstore get: unreadable answer");
	/* a helper that is not installed is an error, as in docker, not an
	 * anonymous push */
	write_config(cfg_dir, "{\"credsStore\":\"nosuchhelper\"}");
	ck_assert_int_eq(dr_push_credentials(cfg_dir, "reg.example", &u, &s, &e), DR_EIO);
	ck_assert_ptr_null(u);
	ck_assert_str_eq(e.msg, "docker-credential-nosuchhelper get reg.example: credential helper "
				"docker-credential-nosuchhelper is not installed (not on PATH)");
}
END_TEST

START_TEST(test_bad_auths)
{
	struct dr_err e = { 0 };
	char *u = (char *)"x", *s = (char *)"x";

	write_config(cfg_dir, "{\"auths\":{\"reg.x\":{\"auth\":\"bm9jb2xvbg==\"}}}"); /* "nocolon" */
	ck_assert_int_eq(dr_push_credentials(cfg_dir, "reg.x", &u, &s, &e), DR_EINVAL);
	ck_assert_ptr_null(u);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(e.msg, "the auths entry for reg.x in config.json is not base64 "
				"\"user:password\"");
}
END_TEST

/* config_dir NULL: $DOCKER_CONFIG, else ~/.docker, as docker */
START_TEST(test_default_dirs)
{
	char home_docker[256], *log, want[512];

	snprintf(home_docker, sizeof(home_docker), "%s/.docker", getenv("HOME"));
	ck_assert_int_eq(mkdir(home_docker, 0700), 0);
	write_config(home_docker, "{\"auths\":{\"reg.h\":{\"username\":\"home\",\"password\":\"h\"}}}");
	assert_creds(NULL, "reg.h", "home", "h");
	write_helper("unitstore", "{\"Username\":\"env\",\"Secret\":\"e\"}", 0);
	write_config(cfg_dir, "{\"credsStore\":\"unitstore\"}");
	setenv("DOCKER_CONFIG", cfg_dir, 1);
	assert_creds(NULL, "reg.h", "env", "e");
	log = helper_log("unitstore");
	snprintf(want, sizeof(want), "get|reg.h|%s\n", cfg_dir);
	ck_assert_str_eq(log, want);
	free(log);
	/* an empty DOCKER_CONFIG is not set */
	setenv("DOCKER_CONFIG", "", 1);
	assert_creds(NULL, "reg.h", "home", "h");
	unsetenv("DOCKER_CONFIG");
}
END_TEST

Suite *push_auth_suite(void)
{
	Suite *s = suite_create("push_auth");
	TCase *tc = tcase_create("credentials");

	tcase_add_checked_fixture(tc, auth_setup, auth_teardown);
	tcase_add_test(tc, test_cred_helpers);
	tcase_add_test(tc, test_creds_store);
	tcase_add_test(tc, test_hub_key);
	tcase_add_test(tc, test_auths);
	tcase_add_test(tc, test_anonymous);
	tcase_add_test(tc, test_helper_fails);
	tcase_add_test(tc, test_bad_auths);
	tcase_add_test(tc, test_default_dirs);
	suite_add_tcase(s, tc);
	return s;
}
