/* Calling Dokku back the way its core plugins do: `plugn trigger NAME
 * ARGS...` (plugins/common/plugn.go, CallPlugnTrigger), whether a plugin
 * answers a trigger (plugins/common/subprocess.go, PlugnTriggerExists), the
 * app list filtered through user-auth-app (plugins/common/functions.go,
 * filterApps) and the app's scheduler through scheduler-detect
 * (plugins/common/common.go, GetAppScheduler). */
#ifndef DR_PLUGN_H
#define DR_PLUGN_H

#include <stddef.h>

#include "base/err.h"

/* deadlines of the triggers that answer a question */
#define DR_PLUGN_QUERY_TIMEOUT_MS (60u * 1000)

/* $PLUGIN_PATH, else $DOKKU_LIB_ROOT/plugins (as the `dokku` dispatcher
 * sets it), else /var/lib/dokku/plugins */
const char *dr_plugn_path(void);
/* Dokku is installed here: PLUGIN_PATH/enabled is a directory. */
int dr_dokku_present(void);
/* Some enabled plugin other than 20_events (whose hooks only log the
 * call) has a file NAME. */
int dr_plugn_trigger_exists(const char *name);

/* `plugn trigger NAME ARGS...` (args NULL-terminated, may be NULL). With
 * out, stdout is captured into *out (malloc'd), else passed through; stderr
 * is passed through. No environment is added: nothing secret reaches the
 * triggers. Fails with the reason when Dokku or plugn is missing, the
 * deadline passes, or a trigger fails. */
int dr_plugn_trigger(const char *name, const char *const *args, char **out,
		     unsigned timeout_ms, struct dr_err *e);

/* Keeps the apps user-auth-app lets the caller (SSH_USER or USER, SSH_NAME
 * or NAME or "default") see, in the order it prints them; unchanged when no
 * plugin answers user-auth-app. */
int dr_plugn_filter_apps(char ***apps, size_t *n, struct dr_err *e);

/* The app's scheduler as Dokku's scheduler plugin answers it:
 * `scheduler-detect APP`, else `scheduler-detect --global`, else
 * "docker-local". malloc'd. */
int dr_app_scheduler(const char *app, char **out, struct dr_err *e);

#endif
