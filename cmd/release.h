/* Shared by the docker-engine release flow and the native pusher. */
#ifndef DR_CMD_RELEASE_H
#define DR_CMD_RELEASE_H

#include "base/err.h"

struct release {
	const char *app;
	const char *image;  /* the image the builder made, e.g. dokku/<app>:latest */
	char *image_id;
	char *repo;         /* computed image repo */
	char *server;       /* computed server, "" or "host/" */
	char *config_dir;   /* the app's docker config dir when it has its own login */
};

int release_prepare(struct release *rel, const char *app, const char *image, struct dr_err *e);
void release_free(struct release *rel);
/* tag-version + 1 (Dokku's error text for a non-number) */
int release_next_tag(const char *app, long *n, struct dr_err *e);
int release_commit_tag(const char *app, long n, struct dr_err *e);
/* dr_keyring_preflight for a push to server ("" or "host/") with config_dir
 * (NULL: the global one) */
int release_preflight(const char *config_dir, const char *server, struct dr_err *e);
int release_run(const char *app, const char *image, int push_always);

#endif
