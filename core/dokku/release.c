/* The push-on-release flow: post-release-builder, the deployed-app-*
 * triggers and `push`. Tags and clean-up are the docker engine's whatever
 * the push engine; with the native one each tag is pushed by the
 * daemonless pusher reading the tagged image from the daemon. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"
#include "base/exec.h"
#include "base/log.h"
#include "dokku/release.h"

#include "base/text.h"
#include "dokku/config_dir.h"
#include "dokku/plugn.h"
#include "dokku/properties.h"
#include "dokku/settings.h"
#include "helper/dockerconfig.h"
#include "helper/preflight.h"
#include "push/push.h"

#define DOCKER_TIMEOUT_MS (10u * 60 * 1000)
#define PUSH_TIMEOUT_MS (4u * 60 * 60 * 1000)

static const char *docker_bin(void)
{
	const char *b = getenv("DOCKER_BIN");

	return b && b[0] ? b : "docker";
}

/* Runs docker with stderr captured for the error text; 0 on exit status 0,
 * else DR_EIO with docker's stderr. With captured NULL stdout is streamed and
 * warnings on a success are passed on (Dokku's StreamStdio); else both stay
 * quiet, as Dokku's captured commands (inspect, image ls, image rm) do. */
static int docker(const char *const *args, unsigned timeout_ms, char **captured,
		  struct dr_err *e)
{
	const char *argv[16] = { docker_bin() };
	struct dr_exec x = { 0 };
	struct dr_exec_result r;
	size_t n = 1;
	int rc;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	x.argv = argv;
	x.capture_stdout = captured != NULL;
	x.capture_stderr = 1;
	x.timeout_ms = timeout_ms;
	rc = dr_exec_run(&x, &r, e);
	if (rc == 0 && r.status != 0)
		rc = dr_fail(e, DR_EIO, "%s", r.err.data ? dr_trim(r.err.data) : "");
	else if (rc == 0 && r.err.len && !captured)
		fputs(r.err.data, stderr); /* warnings docker printed */
	if (rc == 0 && captured)
		*captured = strdup(r.out.data ? dr_trim(r.out.data) : "");
	dr_exec_result_free(&r);
	return rc;
}

/* `--config <dir>` when the app has its own registry login (HasAppRegistryAuth) */
static char *app_config_dir(const char *app)
{
	struct dr_dockercfg cfg;
	char *dir = dr_props_dir(app);
	int has;

	if (!dir || dr_dockercfg_load(&cfg, dir, NULL) != 0) {
		free(dir);
		return NULL;
	}
	has = dr_dockercfg_has_auths(&cfg);
	dr_dockercfg_free(&cfg);
	if (!has) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int docker_push(const char *config_dir, const char *ref, struct dr_err *e)
{
	const char *with_config[] = { "--config", config_dir, "image", "push", ref, NULL };
	const char *plain[] = { "image", "push", ref, NULL };

	return docker(config_dir ? with_config : plain, PUSH_TIMEOUT_MS, NULL, e);
}

/* The tag the daemon holds, read through its API (docker-daemon:) and
 * pushed as it is named. The credentials are those docker would use:
 * the app's config dir, else $DOCKER_CONFIG or ~/.docker. */
static int native_push(const struct dr_release *rel, const char *ref, struct dr_err *e)
{
	struct dr_push_opts o = { .indent = "       ", .config_dir = rel->config_dir,
				  .compress = rel->push.compress };
	struct dr_push_result res;
	char *src = malloc(strlen(ref) + sizeof("docker-daemon:"));
	int rc;

	if (!src)
		return dr_oom(e);
	strcpy(src, "docker-daemon:");
	strcat(src, ref);
	rc = dr_push(src, ref, &o, &res, e);
	free(src);
	return rc;
}

/* "docker image push" or the native pusher, as the setting says; the
 * error names the command that failed, as Dokku's does. */
static int push_ref(const struct dr_release *rel, const char *ref, const char *what,
		    struct dr_err *e)
{
	int rc;

	if (rel->push.engine == DR_ENGINE_NATIVE) {
		rc = native_push(rel, ref, e);
		if (rc)
			rc = dr_fail(e, rc, "unable to push image %s: native push failed: %s", what,
				     e->msg);
		return rc;
	}
	rc = docker_push(rel->config_dir, ref, e);
	if (rc)
		rc = dr_fail(e, rc, "unable to push image %s: docker image push command failed: %s",
			     what, e->msg);
	return rc;
}

static int docker_tag(const char *id, const char *ref, struct dr_err *e)
{
	const char *args[] = { "image", "tag", id, ref, NULL };

	return docker(args, DOCKER_TIMEOUT_MS, NULL, e);
}

/* Dokku's RemoveImages: docker's "Untagged:"/"Deleted:" lines are not shown */
static int docker_rm(const char *ref, struct dr_err *e)
{
	const char *args[] = { "image", "rm", ref, NULL };
	char *out = NULL;
	int rc = docker(args, DOCKER_TIMEOUT_MS, &out, e);

	free(out);
	if (rc)
		return dr_fail(e, rc, "Unable to remove images: %s", e->msg);
	return 0;
}

static void docker_rm_quiet(const char *ref)
{
	struct dr_err ignored;

	docker_rm(ref, &ignored);
}

/* Dokku's scheduler of the app, asked as its registry plugin asks it
 * (GetAppScheduler: the scheduler-detect trigger). When Dokku cannot be
 * asked, the old tags are kept (said on stderr). */
static int scheduler_is_docker_local(const char *app)
{
	struct dr_err e = { 0 };
	char *s = NULL;
	int local;

	if (dr_app_scheduler(app, &s, &e) != 0) {
		dr_log_warn("Keeping the older tags of %s: %s", app, e.msg);
		return 1;
	}
	local = strcmp(s, "docker-local") == 0;
	free(s);
	return local;
}

static void cleanup_old_tags(const char *app, const char *server, const char *repo, long n)
{
	char ref[1024];

	dr_log_verbose_quiet("Cleaning up");
	for (long t = n - 2; t > 0 && t >= n - 11; t--) {
		snprintf(ref, sizeof(ref), "%s%s:%ld", server, repo, t);
		docker_rm_quiet(ref);
		if (server[0]) {
			snprintf(ref, sizeof(ref), "%s:%ld", repo, t);
			docker_rm_quiet(ref);
		}
	}
	{
		char label[512], *ids = NULL;
		const char *args[] = { "image", "ls", "-q", "-f", "dangling=true", "-f", label, NULL };
		struct dr_err ignored;

		snprintf(label, sizeof(label), "label=com.dokku.app-name=%s", app);
		if (docker(args, DOCKER_TIMEOUT_MS, &ids, &ignored) == 0) {
			for (char *save = NULL, *id = strtok_r(ids, "\n", &save); id;
			     id = strtok_r(NULL, "\n", &save))
				docker_rm_quiet(id);
		}
		free(ids);
	}
}

/* The extra tags, trimmed, empty ones dropped (Dokku keeps the blanks). */
static char **split_tags(const char *list, size_t *n)
{
	char *copy = strdup(list), *save = NULL, **v = calloc(strlen(list) + 2, sizeof(char *));

	*n = 0;
	for (char *t = copy && v ? strtok_r(copy, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		if (dr_trim(t)[0])
			v[(*n)++] = strdup(t);
	}
	free(copy);
	return v;
}

static int push_to_registry(const struct dr_release *rel, long n, struct dr_err *e)
{
	char ref[1024], local[1024], *tags_prop = NULL;
	char **tags = NULL;
	size_t ntags = 0, pushed_extra = 0;
	int rc;

	dr_log_verbose_quiet("Retrieving image info for app");
	dr_log_verbose_quiet("Tagging %s:%ld in registry format", rel->repo, n);
	snprintf(ref, sizeof(ref), "%s%s:%ld", rel->server, rel->repo, n);
	snprintf(local, sizeof(local), "%s:%ld", rel->repo, n);
	rc = docker_tag(rel->image_id, ref, e);
	if (rc)
		return dr_fail(e, rc, "unable to tag image %s as %s: docker tag command failed: %s",
			       rel->image_id, ref, e->msg);
	rc = docker_tag(rel->image_id, local, e);
	if (rc)
		return dr_fail(e, rc, "unable to tag image %s as %s: docker tag command failed: %s",
			       rel->image_id, local, e->msg);
	rc = dr_computed_push_extra_tags(rel->app, &tags_prop, e);
	if (rc == 0)
		tags = split_tags(tags_prop, &ntags);
	for (size_t i = 0; rc == 0 && i < ntags; i++) {
		char extra[1024];

		snprintf(extra, sizeof(extra), "%s%s:%s", rel->server, rel->repo, tags[i]);
		dr_log_verbose_quiet("Tagging %s as %s in registry format", rel->repo, tags[i]);
		rc = docker_tag(rel->image_id, extra, e);
		if (rc) {
			rc = dr_fail(e, rc, "unable to tag image %s as %s: docker tag command failed: %s",
				     rel->image_id, extra, e->msg);
			break;
		}
		pushed_extra = i + 1; /* untagged below, even on failure */
		dr_log_verbose_quiet("Pushing %s", extra);
		{
			char what[1100];

			snprintf(what, sizeof(what), "with %s tag", tags[i]);
			rc = push_ref(rel, extra, what, e);
		}
	}
	if (rc == 0) {
		dr_log_verbose_quiet("Pushing %s", ref);
		rc = push_ref(rel, ref, ref, e);
	}
	if (rc == 0 && !scheduler_is_docker_local(rel->app))
		cleanup_old_tags(rel->app, rel->server, rel->repo, n);
	if (rc == 0)
		dr_log_verbose_quiet("Image %s pushed", ref);
	for (size_t i = pushed_extra; i > 0; i--) {
		char extra[1024];
		struct dr_err err;

		snprintf(extra, sizeof(extra), "%s%s:%s", rel->server, rel->repo, tags[i - 1]);
		dr_log_verbose_quiet("Untagging extra tag %s", tags[i - 1]);
		if (docker_rm(extra, &err) != 0)
			dr_log_warn("Unable to untag extra tag %s: %s", tags[i - 1], err.msg);
	}
	for (size_t i = 0; i < ntags; i++)
		free(tags[i]);
	free(tags);
	free(tags_prop);
	return rc;
}

int dr_release_next_tag(const char *app, long *n, struct dr_err *e)
{
	char *v = NULL, *end;
	long cur;
	int rc = dr_tag_version(app, &v, e);

	if (rc)
		return rc;
	errno = 0;
	cur = v[0] ? strtol(v, &end, 10) : 0;
	if (v[0] && (errno || *end || cur < 0 || cur == LONG_MAX)) {
		rc = dr_fail(e, DR_EINVAL,
			     "Unable to convert existing tag version (%s) to integer: strconv.Atoi: parsing \"%s\": invalid syntax",
			     v, v);
		free(v);
		return rc;
	}
	free(v);
	*n = cur + 1;
	return 0;
}

int dr_release_commit_tag(const char *app, long n, struct dr_err *e)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", n);
	return dr_prop_set(app, "tag-version", buf, e);
}

int dr_release_prepare(struct dr_release *rel, const char *app, const char *image, struct dr_err *e)
{
	const char *inspect[] = { "inspect", "--format", "{{ .Id }}", image, NULL };
	int rc;

	memset(rel, 0, sizeof(*rel));
	rel->app = app;
	rel->image = image;
	rc = docker(inspect, DOCKER_TIMEOUT_MS, &rel->image_id, e);
	if (rc)
		return dr_fail(e, rc, "unable to inspect image %s: %s", image, e->msg);
	rc = dr_computed_image_repo(app, 1, &rel->repo, e);
	if (rc == 0)
		rc = dr_computed_server(app, &rel->server, e);
	rel->config_dir = app_config_dir(app);
	return rc;
}

void dr_release_free(struct dr_release *rel)
{
	free(rel->image_id);
	free(rel->repo);
	free(rel->server);
	free(rel->config_dir);
}

/* Dokku retags the image under the computed repo when that isn't
 * dokku/<app>, push or not: the first "dokku/<app>:" of the image name
 * becomes "<repo>:" (strings.Replace(…, 1)). */
static int retag(const struct dr_release *rel, struct dr_err *e)
{
	char prefix[512], target[1024];
	const char *at;

	snprintf(prefix, sizeof(prefix), "dokku/%s", rel->app);
	if (strcmp(rel->repo, prefix) == 0)
		return 0;
	strcat(prefix, ":");
	at = strstr(rel->image, prefix);
	if (!at)
		return 0; /* Replace found nothing: docker would tag the image as itself */
	snprintf(target, sizeof(target), "%.*s%s:%s", (int)(at - rel->image), rel->image,
		 rel->repo, at + strlen(prefix));
	if (docker_tag(rel->image_id, target, e) != 0)
		return dr_fail(e, DR_EIO, "unable to tag image %s as %s: docker tag command failed: %s",
			       rel->image_id, target, e->msg);
	return 0;
}

int dr_release_preflight(const char *config_dir, const char *server, struct dr_err *e)
{
	char host[512];
	char *global = config_dir ? NULL : dr_docker_config_dir(NULL);
	int rc;

	/* the computed server is "" (Docker Hub) or "host[:port]/" */
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(server, "/"), server);
	rc = config_dir || global ? dr_keyring_preflight(config_dir ? config_dir : global, host, e)
				  : dr_oom(e);
	free(global);
	return rc;
}

int dr_release_run(const char *app, const char *image, int push_always, struct dr_err *e)
{
	struct dr_release rel;
	char *por = NULL;
	long n = 0;
	int rc;

	rc = dr_release_prepare(&rel, app, image, e);
	if (rc == 0)
		rc = retag(&rel, e);
	if (rc == 0)
		rc = dr_computed_push_on_release(app, &por, e);
	if (rc == 0 && (push_always || strcmp(por, "true") == 0)) {
		dr_log_info1("Pushing image to registry");
		rc = dr_push_setting_computed(app, &rel.push, e);
		/* Docker would hide a keyring outage behind "no basic auth credentials" */
		if (rc == 0)
			rc = dr_release_preflight(rel.config_dir, rel.server, e);
		if (rc == 0)
			rc = dr_release_next_tag(app, &n, e);
		if (rc == 0)
			dr_log_verbose_quiet("Bumping tag to %ld", n);
		if (rc == 0)
			rc = push_to_registry(&rel, n, e);
		/* only a pushed tag is used up: a failed push retries the same number */
		if (rc == 0)
			rc = dr_release_commit_tag(app, n, e);
	}
	free(por);
	dr_release_free(&rel);
	return rc;
}
