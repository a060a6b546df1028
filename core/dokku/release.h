/* Dokku's push on release (post-release-builder,
 * the deployed-app-* triggers and `push`): retag under the computed repo,
 * then, when push-on-release is on (or always, for `push`), tag
 * <server><repo>:<n> and the extra tags, push them with the app's docker
 * config dir (docker image push, or the native pusher when the push
 * engine setting says so), and use up tag-version n only once the push went through. */
#ifndef DR_RELEASE_H
#define DR_RELEASE_H

#include "base/err.h"
#include "dokku/push_engine.h"

struct dr_release {
	const char *app;
	const char *image;  /* the image the builder made, e.g. dokku/<app>:latest */
	char *image_id;
	char *repo;         /* computed image repo */
	char *server;       /* computed server, "" or "host/" */
	char *config_dir;   /* the app's docker config dir when it has its own login */
	struct dr_push_setting push; /* docker/gzip unless the app or --global says */
};

int dr_release_prepare(struct dr_release *rel, const char *app, const char *image,
		       struct dr_err *e);
void dr_release_free(struct dr_release *rel);
/* tag-version + 1 (Dokku's error text for a non-number) */
int dr_release_next_tag(const char *app, long *n, struct dr_err *e);
int dr_release_commit_tag(const char *app, long n, struct dr_err *e);
/* dr_keyring_preflight for a push to server ("" or "host/") with config_dir
 * (NULL: the global one) */
int dr_release_preflight(const char *config_dir, const char *server, struct dr_err *e);
/* The whole flow for the image the builder made; push_always: `dokku-registry
 * push` pushes whatever push-on-release says. The error says what failed. */
int dr_release_run(const char *app, const char *image, int push_always, struct dr_err *e);

#endif
