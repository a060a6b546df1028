/* The daemonless push: `push-image SRC DEST-REF` for use outside Dokku,
 * and `push --from SRC <app>`, Dokku's release push without a Docker
 * engine (the computed server and image repo, the
 * next tag-version committed only after success, push-extra-tags, the
 * app's own credentials when it has a login). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dokku/apps.h"
#include "dokku/properties.h"
#include "dokku/settings.h"
#include "helper/dockerconfig.h"
#include "push/push.h"
#include "cmd.h"
#include "creds.h"
#include "dokku/release.h"

#define INDENT "       "

static void on_signal(int signo)
{
	dr_push_interrupt(signo);
}

/* SIGINT/SIGTERM stop the push cleanly instead of killing it mid-request. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int parse_jobs(const char *v, int *jobs)
{
	char *end;
	long n;

	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end || n < 1 || n > 32)
		return dr_log_fail(2, "--jobs must be a number from 1 to 32, not \"%s\"", v);
	*jobs = (int)n;
	return 0;
}

/* --compress gzip|zstd|none and --compress-level N */
static int parse_compress(const char *name, const char *level, struct dr_push_opts *o)
{
	struct dr_err e = { 0 };
	char *end;
	long n;

	if (name && dr_compression_parse(name, &o->compress) != 0)
		return dr_log_fail(2, "--compress must be gzip, zstd or none, not \"%s\"", name);
	if (!level)
		return 0;
	n = strtol(level, &end, 10);
	if (*level == '\0' || *end || n < 1 || n > 19 || o->compress == DR_COMPRESS_NONE ||
	    dr_compression_check_level(o->compress, (int)n, &e) != 0)
		return dr_log_fail(2, "--compress-level must be a number from 1 to %d for %s, not "
				   "\"%s\"", o->compress == DR_COMPRESS_ZSTD ? 19 : 12,
				   dr_compression_name(o->compress), level);
	o->compress_level = (int)n;
	return 0;
}

/* 128 + signal after an interruption, else 1 with the error. */
static int push_failed(const struct dr_push_result *res, const struct dr_err *e)
{
	if (res->signal) {
		dr_log_warn("push interrupted: no manifest was pushed");
		return 128 + res->signal;
	}
	return dr_log_fail(1, "%s", e->msg);
}

int cmd_push_image(int argc, char **argv)
{
	const char *jobs_s = NULL, *config = NULL, *compress = NULL, *level = NULL;
	int quiet = 0, insecure = 0, npos = 0, rc = 0;
	struct dr_pflag flags[] = {
		{ .name = "quiet", .usage = "--quiet: print errors only", .set = &quiet },
		{ .name = "insecure", .usage = "--insecure: allow plain http and unverified TLS", .set = &insecure },
		{ .name = "jobs", .type = DR_PFLAG_INT, .def = "4", .usage = "--jobs: parallel blob uploads",
		  .value = &jobs_s },
		{ .name = "config", .type = DR_PFLAG_STRING,
		  .usage = "--config: docker config `dir` with the credentials", .value = &config },
		{ .name = "compress", .type = DR_PFLAG_STRING, .def = "gzip",
		  .usage = "--compress: uncompressed layers as gzip, zstd or none", .value = &compress },
		{ .name = "compress-level", .type = DR_PFLAG_INT,
		  .usage = "--compress-level: compression level (gzip 1-12, zstd 1-19)", .value = &level },
	};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	struct dr_push_opts o = { 0 };
	struct dr_push_result res;
	struct dr_err e = { 0 };

	if (!pos)
		return dr_log_fail(1, DR_OOM_MSG);
	if (cmd_parse_flags("registry:push-image", argc, argv, flags, CMD_NFLAGS(flags), pos, &npos,
			    &rc)) {
		free(pos);
		return rc;
	}
	rc = parse_jobs(jobs_s, &o.jobs);
	if (rc == 0)
		rc = parse_compress(compress, level, &o);
	if (rc == 0 && npos != 2)
		rc = dr_log_fail(2, "usage: dokku-registry push-image [--quiet] [--insecure] "
				 "[--jobs N] [--config DIR] [--compress gzip|zstd|none] "
				 "[--compress-level N] SRC DEST-REF");
	if (rc) {
		free(pos);
		return rc;
	}
	o.quiet = quiet;
	o.insecure = insecure;
	o.config_dir = config;
	catch_signals();
	rc = dr_push(pos[0], pos[1], &o, &res, &e);
	free(pos);
	return rc ? push_failed(&res, &e) : 0;
}

/* The app's config dir when it has its own login (HasAppRegistryAuth),
 * else the global one. */
static char *credentials_dir(const char *app)
{
	struct dr_dockercfg cfg;
	char *dir = dr_props_dir(app);
	int has = 0;

	if (dir && dr_dockercfg_load(&cfg, dir, NULL) == 0) {
		has = dr_dockercfg_has_auths(&cfg);
		dr_dockercfg_free(&cfg);
	}
	if (has)
		return dir;
	free(dir);
	return dr_docker_config_dir(NULL);
}

/* push-extra-tags: split on ",", trimmed, blanks dropped */
static size_t split_tags(char *list, const char **out, size_t max)
{
	char *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(list, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
		if (dr_trim(t)[0])
			out[n++] = t;
	}
	return n;
}

int cmd_push_native(const char *app, const char *src, int insecure, int jobs, int quiet,
		    const char *compress, const char *level)
{
	char *repo = NULL, *server = NULL, *tags = NULL, *dir = NULL, dest[1024];
	const char *extra[64];
	struct dr_push_opts o = { .jobs = jobs, .insecure = insecure, .quiet = quiet,
				  .indent = INDENT, .extra_tags = extra };
	struct dr_push_result res = { 0 };
	struct dr_err e = { 0 };
	long n = 0;
	int rc = parse_compress(compress, level, &o);

	if (rc)
		return rc;
	rc = dr_computed_image_repo(app, 1, &repo, &e);
	if (rc == 0)
		rc = dr_computed_server(app, &server, &e);
	if (rc == 0)
		rc = dr_computed_push_extra_tags(app, &tags, &e);
	if (rc == 0)
		rc = dr_release_next_tag(app, &n, &e);
	if (rc) {
		rc = cmd_fail(&e);
		goto out;
	}
	o.nextra = split_tags(tags, extra, sizeof(extra) / sizeof(extra[0]));
	dir = credentials_dir(app);
	o.config_dir = dir;
	snprintf(dest, sizeof(dest), "%s%s:%ld", server, repo, n);
	if (!quiet) {
		dr_log_info1("Pushing image to registry");
		dr_log_verbose_quiet("Bumping tag to %ld", n);
		dr_log_verbose_quiet("Pushing %s", dest);
	}
	catch_signals();
	rc = dr_release_preflight(dir, server, &e);
	if (rc == 0)
		rc = dr_push(src, dest, &o, &res, &e);
	/* only a pushed tag is used up: a failed push retries the same number */
	if (rc == 0)
		rc = dr_release_commit_tag(app, n, &e);
	if (rc == 0 && !quiet)
		dr_log_verbose_quiet("Image %s pushed", dest);
	if (rc)
		rc = res.signal ? push_failed(&res, &e) : cmd_fail(&e);
out:
	free(repo);
	free(server);
	free(tags);
	free(dir);
	return rc;
}
