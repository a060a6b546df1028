#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dokku/properties.h"
#include "dokku/settings.h"
#include "fixture.h"
#include "unit.h"

typedef int (*computed_fn)(const char *app, char **out, struct dr_err *e);

static void set(const char *app, const char *prop, const char *value)
{
	struct dr_err e = { 0 };

	if (value)
		ck_assert_msg(dr_prop_set(app, prop, value, &e) == 0, "%s", e.msg);
}

static void assert_computed(computed_fn fn, const char *app, const char *want)
{
	struct dr_err e = { 0 };
	char *v = NULL;

	ck_assert_msg(fn(app, &v, &e) == 0, "%s: %s", app, e.msg);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, want);
	free(v);
}

/* computed server: app server (else global) -> trim -> one "/" off -> Hub aliases
 * empty -> "/" appended */
static const struct {
	const char *app, *global, *want;
} servers[] = {
	{ NULL, NULL, "" },
	{ "ghcr.io", NULL, "ghcr.io/" },
	{ "ghcr.io/", NULL, "ghcr.io/" },
	{ "ghcr.io//", NULL, "ghcr.io//" },        /* only one slash goes */
	{ " ghcr.io/ \n", NULL, "ghcr.io/" },
	{ "docker.io", NULL, "" },
	{ "docker.io/", NULL, "" },
	{ "hub.docker.com", NULL, "" },
	{ "hub.docker.com/", NULL, "" },
	{ "index.docker.io", NULL, "index.docker.io/" }, /* not aliased here, unlike login */
	{ "docker.com", NULL, "docker.com/" },
	{ "HUB.DOCKER.COM", NULL, "HUB.DOCKER.COM/" },
	{ "123.dkr.ecr.us-east-1.amazonaws.com", NULL, "123.dkr.ecr.us-east-1.amazonaws.com/" },
	{ "127.0.0.1:5000", NULL, "127.0.0.1:5000/" },
	{ NULL, "ghcr.io", "ghcr.io/" },
	{ NULL, " quay.io/ ", "quay.io/" },          /* the global value is trimmed too */
	{ "", "ghcr.io", "ghcr.io/" },
	{ "quay.io", "ghcr.io", "quay.io/" },
	{ "docker.io", "ghcr.io", "" },              /* app docker.io wins over global */
	{ "   ", "ghcr.io", "" },                    /* not empty before the trim: no fallback */
	{ "/", NULL, "" },
	{ "ghcr.io\xc2\xa0", NULL, "ghcr.io/" },     /* Go's TrimSpace: Unicode spaces too */
};

START_TEST(test_server)
{
	set("web", "server", servers[_i].app);
	set(DR_GLOBAL, "server", servers[_i].global);
	assert_computed(dr_computed_server, "web", servers[_i].want);
}
END_TEST

/* report --global computes with app "--global" */
START_TEST(test_server_global)
{
	set(DR_GLOBAL, "server", "ghcr.io");
	assert_computed(dr_computed_server, DR_GLOBAL, "ghcr.io/");
}
END_TEST

/* push-on-release, push-extra-tags and image-repo-template: trimmed app value, else the raw
 * global value, else the default */
static const struct {
	const char *app, *global, *on_release, *tags, *tmpl;
} fallbacks[] = {
	{ NULL, NULL, "false", "", "" },
	{ "true", NULL, "true", "true", "true" },
	{ " true\n", NULL, "true", "true", "true" },
	{ NULL, "true", "true", "true", "true" },
	{ NULL, " true ", " true ", " true ", " true " }, /* global values are not trimmed */
	{ "  ", "yes", "yes", "yes", "yes" },              /* blank app value falls back */
	{ "no", "yes", "no", "no", "no" },
	{ "", "", "false", "", "" },
	{ NULL, "\n", "\n", "\n", "\n" },
	{ "a, b ,c", NULL, "a, b ,c", "a, b ,c", "a, b ,c" }, /* elements not trimmed */
};

START_TEST(test_fallbacks)
{
	static const char *const props[] = { "push-on-release", "push-extra-tags",
					     "image-repo-template" };

	for (size_t p = 0; p < 3; p++) {
		set("web", props[p], fallbacks[_i].app);
		set(DR_GLOBAL, props[p], fallbacks[_i].global);
	}
	assert_computed(dr_computed_push_on_release, "web", fallbacks[_i].on_release);
	assert_computed(dr_computed_push_extra_tags, "web", fallbacks[_i].tags);
	assert_computed(dr_computed_image_repo_template, "web", fallbacks[_i].tmpl);
}
END_TEST

static int image_repo_report(const char *app, char **out, struct dr_err *e)
{
	return dr_computed_image_repo(app, 0, out, e);
}

static int image_repo_push(const char *app, char **out, struct dr_err *e)
{
	return dr_computed_image_repo(app, 1, out, e);
}

/* computed image repo: app image-repo -> rendered template (app, else global) -> dokku/<app> */
static const struct {
	const char *repo, *app_tmpl, *global_tmpl, *want;
} repos[] = {
	{ NULL, NULL, NULL, "dokku/web" },
	{ "team/web", NULL, NULL, "team/web" },
	{ " team/web \n", "x/{{ .AppName }}", NULL, "team/web" },
	{ "  ", NULL, NULL, "dokku/web" },
	{ NULL, "org/{{ .AppName }}", NULL, "org/web" },
	{ NULL, NULL, "org/{{.AppName}}-img", "org/web-img" },
	{ NULL, "app/{{ .AppName }}", "global/{{ .AppName }}", "app/web" },
	{ NULL, " ", "global/{{ .AppName }}", "global/web" },
	{ NULL, "  fixed/name  ", NULL, "fixed/name" },
	{ NULL, "{{/* nothing */}}", NULL, "dokku/web" },  /* renders empty */
	{ NULL, " {{ .AppName }} \n", NULL, "web" },
};

START_TEST(test_image_repo)
{
	set("web", "image-repo", repos[_i].repo);
	set("web", "image-repo-template", repos[_i].app_tmpl);
	set(DR_GLOBAL, "image-repo-template", repos[_i].global_tmpl);
	assert_computed(image_repo_report, "web", repos[_i].want);
	assert_computed(image_repo_push, "web", repos[_i].want);
}
END_TEST

/* a template that does not parse: the report falls back, a push fails
 * with Dokku's message */
START_TEST(test_image_repo_bad_template)
{
	struct dr_err e = { 0 };
	char *v = (char *)"x";

	set(DR_GLOBAL, "image-repo-template", "dokku/{{ APP }}");
	assert_computed(image_repo_report, "web", "dokku/web");
	ck_assert_int_ne(dr_computed_image_repo("web", 1, &v, &e), 0);
	ck_assert_int_eq(e.code, DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to determine image repo from template: Unable to parse "
				"image-repo-template: template: template:1: function \"APP\" not defined");
	/* an image-repo set on the app makes the template irrelevant */
	set("web", "image-repo", "team/web");
	assert_computed(image_repo_push, "web", "team/web");
}
END_TEST

START_TEST(test_tag_version)
{
	assert_computed(dr_tag_version, "web", "");
	set("web", "tag-version", " 7\n");
	assert_computed(dr_tag_version, "web", "7");
	/* app-only: a global tag-version means nothing */
	set("web", "tag-version", "");
	set(DR_GLOBAL, "tag-version", "9");
	assert_computed(dr_tag_version, "web", "");
}
END_TEST

START_TEST(test_bad_app)
{
	struct dr_err e = { 0 };
	char *v = (char *)"x";

	ck_assert_int_eq(dr_computed_server("../x", &v, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "invalid property path ../x/server");
	ck_assert_int_eq(dr_computed_push_on_release("a/b", &v, &e), DR_EINVAL);
	ck_assert_int_eq(dr_computed_image_repo("..", 0, &v, &e), DR_EINVAL);
	ck_assert_int_eq(dr_tag_version("", &v, &e), DR_EINVAL);
}
END_TEST

Suite *settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("computed");

	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_loop_test(tc, test_server, 0, (int)(sizeof(servers) / sizeof(servers[0])));
	tcase_add_test(tc, test_server_global);
	tcase_add_loop_test(tc, test_fallbacks, 0, (int)(sizeof(fallbacks) / sizeof(fallbacks[0])));
	tcase_add_loop_test(tc, test_image_repo, 0, (int)(sizeof(repos) / sizeof(repos[0])));
	tcase_add_test(tc, test_image_repo_bad_template);
	tcase_add_test(tc, test_tag_version);
	tcase_add_test(tc, test_bad_app);
	suite_add_tcase(s, tc);
	return s;
}
