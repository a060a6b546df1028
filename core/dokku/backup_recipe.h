/* A docket recipe slice of Dokku property tasks, as Dokku's backup writes
 * it (plugins/common/backup.go): one play whose tasks each hold one
 * dokku_<plugin>_property body. Emitted byte for byte as go-yaml v3's
 * yaml.Marshal writes it, parsed with libyaml. */
#ifndef DR_BACKUP_RECIPE_H
#define DR_BACKUP_RECIPE_H

#include <stddef.h>

#include "base/err.h"

#define DR_RECIPE_LIMIT (4 * 1024 * 1024)
#define DR_RECIPE_MAX_TASKS 100000
#define DR_YAML_BINARY_TAG "tag:yaml.org,2002:binary"

struct dr_recipe_task {
	char *app;      /* NULL or "" when global */
	int global;
	char *property; /* "" when the recipe left it out (import skips it) */
	char *value;    /* "" when empty or left out */
	char *state;    /* NULL or "" when left out; "absent" deletes */
	size_t line;    /* where the parser found it (0: not parsed) */
};

struct dr_recipe {
	struct dr_recipe_task *tasks;
	size_t n;
};

/* Appends a task (copies the strings). */
int dr_recipe_add(struct dr_recipe *r, const char *app, int global, const char *property,
		  const char *value, const char *state, struct dr_err *e);
void dr_recipe_free(struct dr_recipe *r);

/* The recipe as yaml.Marshal writes []BackupPlay{{Name: play, Tasks: …}}
 * with every task keyed task_key. */
int dr_recipe_emit(const struct dr_recipe *r, const char *play, const char *task_key,
		   char **out, size_t *len, struct dr_err *e);

/* Reads every task_key body of every play, in order. name is the file name
 * errors start with ("<name>: line N: …"). Anything that is not the
 * recipe's shape fails, and out is left empty. */
int dr_recipe_parse(const char *data, size_t len, const char *name, const char *task_key,
		    struct dr_recipe *out, struct dr_err *e);

/* How go-yaml v3 writes one string scalar in block context, as a mapping
 * value at column `indent` (a multiple of 4): plain, quoted or a literal
 * block. No trailing newline. Exposed for the unit tests. */
int dr_yaml_scalar(const char *s, int indent, char **out, struct dr_err *e);
/* 1 when go-yaml v3 would quote s (it reads as null, bool, number,
 * timestamp or a YAML 1.1 bool/sexagesimal when plain) */
int dr_yaml_go_quotes(const char *s);

#endif
