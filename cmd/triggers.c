/* Dokku's release triggers and `push`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dokku/apps.h"
#include "dokku/plugn.h"
#include "dokku/settings.h"
#include "cmd.h"
#include "dokku/k8s_sync.h"
#include "dokku/release.h"

/* a deploy's own step: long, but not forever */
#define PRE_DEPLOY_TIMEOUT_MS (60u * 60 * 1000)

/* post-release-builder <builder-type> <app> <image> */
int cmd_post_release_builder(int argc, char **argv)
{
	if (argc < 3)
		return dr_log_fail(1, "usage: dokku-registry post-release-builder <builder-type> <app> <image>");
	/* Dokku's registry plugin is the only caller of the deprecated pre-deploy
	 * trigger (plugins/registry/triggers.go, TriggerPostReleaseBuilder) */
	if (dr_plugn_trigger_exists("pre-deploy")) {
		const char *tag = strrchr(argv[2], ':');
		const char *args[] = { argv[1], tag ? tag + 1 : argv[2], NULL };
		struct dr_err e = { 0 };

		dr_log_warn("Deprecated: please upgrade plugin to use 'pre-release-builder' plugin trigger "
			    "instead of pre-deploy");
		if (dr_plugn_trigger("pre-deploy", args, NULL, PRE_DEPLOY_TIMEOUT_MS, &e) != 0)
			return cmd_fail(&e);
	}
	{
		struct dr_err e = { 0 };

		if (dr_release_run(argv[1], argv[2], 0, &e) != 0)
			return cmd_fail(&e);
	}
	/* k3s pulls the image next: the pull secret must hold the credentials */
	return dr_k8s_deploy_sync(argv[1]);
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

/* push [--from SRC [--insecure] [--jobs N] [--quiet] [--compress C]
 * [--compress-level N]] <app> [<image>]: the
 * release push, whatever push-on-release says; with --from, the native
 * pusher reads SRC (oci:DIR, docker-archive:FILE, docker-daemon:NAME)
 * instead of the engine */
int cmd_push(int argc, char **argv)
{
	const char *from = NULL, *jobs_s = NULL, *compress = NULL, *level = NULL;
	int insecure = 0, quiet = 0, npos = 0, rc = 0, jobs = 0;
	struct dr_pflag flags[] = {
		{ .name = "from", .type = DR_PFLAG_STRING,
		  .usage = "--from: push this image (oci:DIR[:REF], docker-archive:FILE[:REF], "
			   "docker-daemon:NAME[:TAG])", .value = &from },
		{ .name = "insecure", .usage = "--insecure: allow plain http and unverified TLS", .set = &insecure },
		{ .name = "jobs", .type = DR_PFLAG_INT, .def = "4", .usage = "--jobs: parallel blob uploads",
		  .value = &jobs_s },
		{ .name = "quiet", .usage = "--quiet: print errors only", .set = &quiet },
		{ .name = "compress", .type = DR_PFLAG_STRING, .def = "gzip",
		  .usage = "--compress: uncompressed layers as gzip, zstd or none", .value = &compress },
		{ .name = "compress-level", .type = DR_PFLAG_INT,
		  .usage = "--compress-level: compression level (gzip 1-12, zstd 1-19)", .value = &level },
	};
	char *pos[64], image[512];
	struct dr_err e = { 0 };

	if (argc > 64)
		return dr_log_fail(1, "too many arguments");
	if (cmd_parse_flags("registry:push", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		return rc;
	if (npos < 1)
		return dr_log_fail(1, "usage: dokku-registry push [--from SRC] <app> [<image>]");
	if (dr_app_verify(pos[0], &e) != 0)
		return cmd_fail(&e);
	if (jobs_s) {
		char *end;
		long v = strtol(jobs_s, &end, 10);

		if (!*jobs_s || *end || v < 1 || v > 32)
			return dr_log_fail(2, "--jobs must be a number from 1 to 32, not \"%s\"", jobs_s);
		jobs = (int)v;
	}
	if (from)
		return cmd_push_native(pos[0], from, insecure, jobs, quiet, compress, level);
	if (npos >= 2)
		snprintf(image, sizeof(image), "%s", pos[1]);
	else
		snprintf(image, sizeof(image), "dokku/%s:latest", pos[0]);
	return dr_release_run(pos[0], image, 1, &e) ? cmd_fail(&e) : 0;
}
