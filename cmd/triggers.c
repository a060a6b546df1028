/* Dokku's release triggers and `push` (spec §2.7, §3.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/apps.h"
#include "../core/log.h"
#include "../core/settings.h"
#include "cmd.h"
#include "release.h"

/* post-release-builder <builder-type> <app> <image> */
int cmd_post_release_builder(int argc, char **argv)
{
	if (argc < 3)
		return dr_log_fail(1, "usage: dokku-registry post-release-builder <builder-type> <app> <image>");
	return release_run(argv[1], argv[2], 0);
}

static int app_arg(int argc, char **argv, const char *trigger)
{
	struct dr_err e = { 0 };

	if (argc < 1)
		return dr_log_fail(1, "usage: dokku-registry %s <app>", trigger);
	if (dr_app_verify(argv[0], &e) != 0)
		return cmd_fail(&e);
	return 0;
}

/* Prints value + "\n" or fails with Dokku's message. */
static int print_or_fail(int rc, char *value, const struct dr_err *e)
{
	if (rc)
		return cmd_fail(e);
	printf("%s\n", value);
	free(value);
	return 0;
}

int cmd_deployed_app_image_repo(int argc, char **argv)
{
	struct dr_err e = { 0 };
	char *v = NULL;
	int rc = app_arg(argc, argv, "deployed-app-image-repo");

	if (rc)
		return rc;
	rc = dr_computed_image_repo(argv[0], 1, &v, &e);
	return print_or_fail(rc, v, &e);
}

int cmd_deployed_app_image_tag(int argc, char **argv)
{
	struct dr_err e = { 0 };
	char *por = NULL, *tag = NULL;
	int rc = app_arg(argc, argv, "deployed-app-image-tag");

	if (rc)
		return rc;
	if (dr_computed_push_on_release(argv[0], &por, &e) != 0)
		return cmd_fail(&e);
	/* pushing off: nothing, and callers use "latest" */
	if (strcmp(por, "true") != 0) {
		free(por);
		return 0;
	}
	free(por);
	rc = dr_tag_version(argv[0], &tag, &e);
	if (rc == 0 && !tag[0]) {
		free(tag);
		tag = strdup("1");
	}
	return print_or_fail(rc, tag, &e);
}

int cmd_deployed_app_repository(int argc, char **argv)
{
	struct dr_err e = { 0 };
	char *v = NULL;
	int rc = app_arg(argc, argv, "deployed-app-repository");

	if (rc)
		return rc;
	rc = dr_computed_server(argv[0], &v, &e);
	return print_or_fail(rc, v, &e);
}

/* push <app> [<image>]: the release push, whatever push-on-release says */
int cmd_push(int argc, char **argv)
{
	struct dr_err e = { 0 };
	char image[512];

	if (argc < 1)
		return dr_log_fail(1, "usage: dokku-registry push <app> [<image>]");
	if (dr_app_verify(argv[0], &e) != 0)
		return cmd_fail(&e);
	if (argc >= 2)
		snprintf(image, sizeof(image), "%s", argv[1]);
	else
		snprintf(image, sizeof(image), "dokku/%s:latest", argv[0]);
	return release_run(argv[0], image, 1);
}
