/* Dokku's property recipe slice: the model, go-yaml v3's bytes out, and a
 * libyaml reader back in. go-yaml v3 (yaml.Marshal, indent 4) lays the
 * recipe out at fixed columns: a play's keys at 2, the task dashes at 4, a
 * task's key at 6 and its body at 8 (emitterc.go increases the indent by 2
 * just inside a "- " and to the next multiple of 4 elsewhere, which
 * libyaml's own emitter does not do); the scalars at those columns come
 * from libyaml (backup_yaml.c). */
#include "dokku/backup_recipe.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <yaml.h>

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int dr_recipe_add(struct dr_recipe *r, const char *app, int global, const char *property,
		  const char *value, const char *state, struct dr_err *e)
{
	struct dr_recipe_task *grown, *t;

	if (r->n >= DR_RECIPE_MAX_TASKS)
		return dr_fail(e, DR_ETOOBIG, "more than %d tasks", DR_RECIPE_MAX_TASKS);
	grown = realloc(r->tasks, (r->n + 1) * sizeof(*grown));
	if (!grown)
		return dr_oom(e);
	r->tasks = grown;
	t = &r->tasks[r->n];
	memset(t, 0, sizeof(*t));
	t->global = global;
	t->app = dup_or_null(app);
	t->property = strdup(property ? property : "");
	t->value = strdup(value ? value : "");
	t->state = dup_or_null(state);
	r->n++;
	if ((app && !t->app) || !t->property || !t->value || (state && !t->state))
		return dr_oom(e);
	return 0;
}

void dr_recipe_free(struct dr_recipe *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->tasks[i].app);
		free(r->tasks[i].property);
		/* a config.json "property" holds credentials */
		if (r->tasks[i].value)
			explicit_bzero(r->tasks[i].value, strlen(r->tasks[i].value));
		free(r->tasks[i].value);
		free(r->tasks[i].state);
	}
	free(r->tasks);
	r->tasks = NULL;
	r->n = 0;
}

/* A block scalar with the keep indicator ("|+") leaves the stream open
 * ended, and go-yaml then ends it with "...". */
static int keeps_final_breaks(const char *rendered)
{
	const char *nl = strchr(rendered, '\n');
	const char *bar = strchr(rendered, '|');

	return bar && nl && bar < nl && memchr(bar, '+', (size_t)(nl - bar));
}

/* `<indent><key>: <scalar>\n`, or nothing for an omitempty "" */
static int put_field(GString *out, int indent, const char *key, const char *value,
		     int omit_empty, int *open_ended, struct dr_err *e)
{
	char *scalar;

	if (omit_empty && (!value || !value[0]))
		return 0;
	if (dr_yaml_scalar(value ? value : "", indent, &scalar, e) != 0)
		return e->code;
	g_string_append_printf(out, "%*s%s: %s\n", indent, "", key, scalar);
	if (keeps_final_breaks(scalar))
		*open_ended = 1;
	free(scalar);
	return 0;
}

int dr_recipe_emit(const struct dr_recipe *r, const char *play, const char *task_key,
		   char **out, size_t *len, struct dr_err *e)
{
	GString *doc = g_string_new(NULL);
	int open_ended = 0, rc;

	*out = NULL;
	*len = 0;
	/* BackupPlay: name (omitempty), tasks */
	g_string_append(doc, "- ");
	rc = put_field(doc, 0, "name", play, 1, &open_ended, e);
	if (rc == 0 && play && play[0])
		g_string_append(doc, "  ");
	if (rc == 0 && r->n == 0)
		g_string_append(doc, "tasks: []\n");
	else if (rc == 0)
		g_string_append(doc, "tasks:\n");
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct dr_recipe_task *t = &r->tasks[i];

		/* BackupPropertyTask field order: app, global, property, value, state */
		g_string_append_printf(doc, "    - %s:\n", task_key);
		rc = put_field(doc, 8, "app", t->app, 1, &open_ended, e);
		if (rc == 0 && t->global)
			g_string_append(doc, "        global: true\n");
		if (rc == 0)
			rc = put_field(doc, 8, "property", t->property, 0, &open_ended, e);
		if (rc == 0)
			rc = put_field(doc, 8, "value", t->value, 1, &open_ended, e);
		if (rc == 0)
			rc = put_field(doc, 8, "state", t->state, 1, &open_ended, e);
	}
	if (rc == 0 && open_ended)
		g_string_append(doc, "...\n");
	if (rc == 0) {
		*out = malloc(doc->len + 1);
		if (*out) {
			memcpy(*out, doc->str, doc->len + 1);
			*len = doc->len;
		} else {
			rc = dr_oom(e);
		}
	}
	g_string_free(doc, TRUE);
	return rc;
}
