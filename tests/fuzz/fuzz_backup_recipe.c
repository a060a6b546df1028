/* A backup recipe slice (<scope dir>/config/registry.yml) as the import
 * reads it; whatever parses is emitted again and must parse back to the
 * same tasks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dokku/backup.h"
#include "dokku/backup_recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_recipe r = { 0 }, back = { 0 };
	struct dr_err e = { 0 };
	char *yaml = NULL;
	size_t len = 0;

	if (dr_recipe_parse((const char *)data, size, "registry.yml", DR_BACKUP_TASK, &r, &e) != 0)
		return 0;
	if (dr_recipe_emit(&r, DR_BACKUP_PLAY, DR_BACKUP_TASK, &yaml, &len, &e) == 0) {
		if (dr_recipe_parse(yaml, len, "again.yml", DR_BACKUP_TASK, &back, &e) != 0)
			abort();
		if (back.n != r.n)
			abort();
		for (size_t i = 0; i < r.n; i++) {
			if (!same(r.tasks[i].property, back.tasks[i].property) ||
			    !same(r.tasks[i].value, back.tasks[i].value) ||
			    !same(r.tasks[i].state, back.tasks[i].state) ||
			    !same(r.tasks[i].app, back.tasks[i].app) ||
			    r.tasks[i].global != back.tasks[i].global)
				abort();
		}
	}
	free(yaml);
	dr_recipe_free(&r);
	dr_recipe_free(&back);
	return 0;
}
