/* Other Dokku plugins' properties (scheduler, scheduler-k3s), stored the
 * way plugins/common/properties.go stores them:
 * $DOKKU_LIB_ROOT/config/<plugin>/<app>/<property>, raw value, and
 * .../<plugin>/--global/<property>. */
#ifndef DR_PLUGIN_PROPS_H
#define DR_PLUGIN_PROPS_H

#include "base/err.h"

/* Missing reads as ""; the value is trimmed. malloc'd. */
int dr_plugin_prop_get(const char *plugin, const char *app, const char *prop, char **value,
		       struct dr_err *e);
/* The app value, else the --global one, else def. */
int dr_plugin_prop_computed(const char *plugin, const char *app, const char *prop,
			    const char *def, char **value, struct dr_err *e);
/* Mode 0600 in a 0755 directory, as Dokku's PropertyWrite. */
int dr_plugin_prop_set(const char *plugin, const char *app, const char *prop, const char *value,
		       struct dr_err *e);
int dr_plugin_prop_unset(const char *plugin, const char *app, const char *prop,
			 struct dr_err *e);

/* Dokku's scheduler of the app is k3s (asked through the scheduler-detect
 * trigger, dr_app_scheduler): 1 yes, 0 no, -1 with e set when Dokku
 * could not be asked. */
int dr_app_on_k3s(const char *app, struct dr_err *e);

#endif
