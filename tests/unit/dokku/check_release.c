/* The push-on-release flow (core/dokku/release.c) against a stand-in
 * docker (DOCKER_BIN: a /bin/sh script recording each call and answering
 * inspect) in a scratch Dokku (fixture.c): which images are tagged and
 * pushed, when tag-version is used up, what a failure says, and that old
 * tags stay unless Dokku names a scheduler other than docker-local. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dokku/properties.h"
#include "dokku/release.h"
#include "fixture.h"
#include "unit.h"

#define IMAGE_ID "sha256:1111"

static char bin[128], calls[160], *saved_path;

/* docker: each call's arguments on one line of calls; `inspect` answers the
 * image id; `image push` fails with denied when push-fails exists */
static const char docker_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"echo \"$*\" >>\"$d/calls\"\n"
	"case $1 in\n"
	"inspect) echo " IMAGE_ID " ;;\n"
	"image) [ \"$2\" = push ] && [ -e \"$d/push-fails\" ] && { echo 'denied: no' >&2; exit 1; } ;;\n"
	"esac\n"
	"exit 0\n";

/* plugn: scheduler-detect answers what the scheduler file says */
static const char plugn_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"[ \"$1\" = trigger ] && [ \"$2\" = scheduler-detect ] && cat \"$d/scheduler\"\n"
	"exit 0\n";

static void script(const char *name, const char *text)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", bin, name);
	unit_write(path, text, strlen(text), 0755);
}

static void setup(void)
{
	const char *path = getenv("PATH");
	char *p;

	unit_world_setup();
	unit_path(bin, sizeof(bin), "bin");
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	snprintf(calls, sizeof(calls), "%s/calls", bin);
	script("docker", docker_script);
	{
		char docker[192];

		snprintf(docker, sizeof(docker), "%s/docker", bin);
		setenv("DOCKER_BIN", docker, 1);
	}
	saved_path = path ? strdup(path) : NULL;
	ck_assert_int_ge(asprintf(&p, "%s:%s", bin, path ? path : "/usr/bin:/bin"), 0);
	setenv("PATH", p, 1);
	free(p);
	unsetenv("PLUGIN_PATH");
	/* the step lines are Dokku's; the calls are what is checked */
	setenv("DOKKU_QUIET_OUTPUT", "1", 1);
}

static void teardown(void)
{
	if (saved_path)
		setenv("PATH", saved_path, 1);
	free(saved_path);
	saved_path = NULL;
	unsetenv("DOCKER_BIN");
	unsetenv("PLUGIN_PATH");
	unsetenv("DOKKU_QUIET_OUTPUT");
	unit_world_teardown();
}

static void set(const char *app, const char *prop, const char *value)
{
	struct dr_err e = { 0 };

	ck_assert_msg(dr_prop_set(app, prop, value, &e) == 0, "%s", e.msg);
}

static char *prop(const char *app, const char *name)
{
	struct dr_err e = { 0 };
	char *v = NULL;

	ck_assert_msg(dr_prop_get(app, name, &v, &e) == 0, "%s", e.msg);
	return v;
}

static void expect_prop(const char *app, const char *name, const char *want)
{
	char *v = prop(app, name);

	ck_assert_str_eq(v, want);
	free(v);
}

static void expect_calls(const char *want)
{
	char *got = unit_read(calls, NULL);

	ck_assert_str_eq(got ? got : "", want);
	free(got);
	remove(calls);
}

/* Dokku's scheduler-detect answers scheduler for every app */
static void dokku_scheduler(const char *scheduler)
{
	char dir[128], path[160];

	unit_path(dir, sizeof(dir), "plugins");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/enabled", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	setenv("PLUGIN_PATH", dir, 1);
	script("plugn", plugn_script);
	script("scheduler", scheduler);
}

START_TEST(test_next_tag)
{
	struct dr_err e = { 0 };
	long n = 0;

	ck_assert_int_eq(dr_release_next_tag("rel", &n, &e), 0);
	ck_assert_int_eq(n, 1);
	set("rel", "tag-version", " 41\n");
	ck_assert_int_eq(dr_release_next_tag("rel", &n, &e), 0);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(dr_release_commit_tag("rel", 42, &e), 0);
	expect_prop("rel", "tag-version", "42");
	set("rel", "tag-version", "4x");
	n = 0;
	ck_assert_int_eq(dr_release_next_tag("rel", &n, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to convert existing tag version (4x) to integer: "
				"strconv.Atoi: parsing \"4x\": invalid syntax");
	ck_assert_int_eq(n, 0);
	set("rel", "tag-version", "-3");
	ck_assert_int_eq(dr_release_next_tag("rel", &n, &e), DR_EINVAL);
}
END_TEST

START_TEST(test_no_push_on_release_only_inspects)
{
	struct dr_err e = { 0 };

	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 0, &e) == 0, "%s", e.msg);
	expect_calls("inspect --format {{ .Id }} dokku/rel:latest\n");
	expect_prop("rel", "tag-version", "");
}
END_TEST

START_TEST(test_computed_repo_retags_without_pushing)
{
	struct dr_err e = { 0 };

	set("rel", "image-repo", "team/web");
	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 0, &e) == 0, "%s", e.msg);
	expect_calls("inspect --format {{ .Id }} dokku/rel:latest\n"
		     "image tag " IMAGE_ID " team/web:latest\n");
	expect_prop("rel", "tag-version", "");
}
END_TEST

START_TEST(test_push_tags_pushes_and_uses_up_the_tag)
{
	struct dr_err e = { 0 };

	set("rel", "push-on-release", "true");
	set("rel", "server", "ghcr.io");
	set("rel", "tag-version", "6");
	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 0, &e) == 0, "%s", e.msg);
	/* Dokku cannot be asked for the scheduler here: the old tags stay */
	expect_calls("inspect --format {{ .Id }} dokku/rel:latest\n"
		     "image tag " IMAGE_ID " ghcr.io/dokku/rel:7\n"
		     "image tag " IMAGE_ID " dokku/rel:7\n"
		     "image push ghcr.io/dokku/rel:7\n");
	expect_prop("rel", "tag-version", "7");
}
END_TEST

START_TEST(test_push_always_and_extra_tags)
{
	struct dr_err e = { 0 };

	set(DR_GLOBAL, "push-extra-tags", "stable, ,v2");
	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 1, &e) == 0, "%s", e.msg);
	/* Docker Hub: no server prefix; the extra tags go first and are
	 * untagged locally afterwards, last first */
	expect_calls("inspect --format {{ .Id }} dokku/rel:latest\n"
		     "image tag " IMAGE_ID " dokku/rel:1\n"
		     "image tag " IMAGE_ID " dokku/rel:1\n"
		     "image tag " IMAGE_ID " dokku/rel:stable\n"
		     "image push dokku/rel:stable\n"
		     "image tag " IMAGE_ID " dokku/rel:v2\n"
		     "image push dokku/rel:v2\n"
		     "image push dokku/rel:1\n"
		     "image rm dokku/rel:v2\n"
		     "image rm dokku/rel:stable\n");
	expect_prop("rel", "tag-version", "1");
}
END_TEST

START_TEST(test_failed_push_keeps_the_tag_number)
{
	struct dr_err e = { 0 };

	set("rel", "server", "ghcr.io");
	script("push-fails", "");
	ck_assert_int_eq(dr_release_run("rel", "dokku/rel:latest", 1, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "unable to push image ghcr.io/dokku/rel:1: "
				"docker image push command failed: denied: no");
	expect_prop("rel", "tag-version", "");
	/* the next run tries the same number again */
	{
		char flag[192];

		snprintf(flag, sizeof(flag), "%s/push-fails", bin);
		ck_assert_int_eq(remove(flag), 0);
	}
	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 1, &e) == 0, "%s", e.msg);
	expect_prop("rel", "tag-version", "1");
}
END_TEST

START_TEST(test_old_tags_go_unless_docker_local)
{
	struct dr_err e = { 0 };
	char *got;

	dokku_scheduler("k3s\n");
	set("rel", "server", "ghcr.io");
	set("rel", "tag-version", "2");
	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 1, &e) == 0, "%s", e.msg);
	got = unit_read(calls, NULL);
	/* tag 3 pushed; 1 (n - 2) removed, remote-named and local; 2 kept */
	ck_assert_ptr_nonnull(strstr(got, "image push ghcr.io/dokku/rel:3\n"
					  "image rm ghcr.io/dokku/rel:1\n"
					  "image rm dokku/rel:1\n"
					  "image ls -q -f dangling=true -f label=com.dokku.app-name=rel\n"));
	ck_assert_ptr_null(strstr(got, ":2\n"));
	free(got);
	remove(calls);
	/* docker-local keeps every tag */
	script("scheduler", "docker-local\n");
	ck_assert_msg(dr_release_run("rel", "dokku/rel:latest", 1, &e) == 0, "%s", e.msg);
	got = unit_read(calls, NULL);
	ck_assert_ptr_null(strstr(got, "image rm"));
	free(got);
	expect_prop("rel", "tag-version", "4");
}
END_TEST

START_TEST(test_inspect_failure)
{
	struct dr_err e = { 0 };

	script("docker", "#!/bin/sh\necho 'No such image: x' >&2\nexit 1\n");
	ck_assert_int_eq(dr_release_run("rel", "x", 1, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "unable to inspect image x: No such image: x");
}
END_TEST

Suite *release_suite(void)
{
	Suite *s = suite_create("release");
	TCase *tc = tcase_create("release");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_next_tag);
	tcase_add_test(tc, test_no_push_on_release_only_inspects);
	tcase_add_test(tc, test_computed_repo_retags_without_pushing);
	tcase_add_test(tc, test_push_tags_pushes_and_uses_up_the_tag);
	tcase_add_test(tc, test_push_always_and_extra_tags);
	tcase_add_test(tc, test_failed_push_keeps_the_tag_number);
	tcase_add_test(tc, test_old_tags_go_unless_docker_local);
	tcase_add_test(tc, test_inspect_failure);
	suite_add_tcase(s, tc);
	return s;
}
