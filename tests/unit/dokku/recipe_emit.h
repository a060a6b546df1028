/* The registry's recipe slice as text, for the backup_recipe and
 * backup_yaml suites: the play and task names Dokku's registry plugin
 * writes, and dr_recipe_emit checked to succeed. */
#ifndef DR_UNIT_RECIPE_EMIT_H
#define DR_UNIT_RECIPE_EMIT_H

#include <string.h>

#include "dokku/backup_recipe.h"
#include "unit.h"

#define PLAY "registry properties"
#define TASK "dokku_registry_property"

static char *emit(const struct dr_recipe *r)
{
	struct dr_err e = { 0 };
	char *out = NULL;
	size_t len = 0;

	ck_assert_msg(dr_recipe_emit(r, PLAY, TASK, &out, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

#endif
