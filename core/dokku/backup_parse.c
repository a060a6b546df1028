/* Reading a property recipe slice back with libyaml's parser, with the
 * reading rules of Dokku's yaml.Unmarshal into its recipe shape
 * ([]struct{Tasks []map[string]BackupPropertyTask}): unknown keys are
 * ignored, a plain null reads as "", a quoted or tagged scalar keeps its
 * text, !!binary is base64. Anything else is an error naming the line. */
#include "dokku/backup_recipe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <yaml.h>

#define MAX_DEPTH 64

struct reader {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have;          /* ev holds an event to delete */
	const char *name;
	const char *task_key;
	struct dr_recipe *out;
	struct dr_err *e;
};

static int failf(struct reader *r, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int failf(struct reader *r, size_t line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return dr_fail(r->e, DR_EINVAL, "%s: line %zu: %s", r->name, line, what);
}
#ifdef __clang_analyzer__
/* the analyzer does not follow a variadic call: failf returns DR_EINVAL */
#define failf(r, line, ...) (failf((r), (line), __VA_ARGS__), DR_EINVAL)
#endif

/* The next event into r->ev; a libyaml error names its line. */
static int next(struct reader *r)
{
	if (r->have)
		yaml_event_delete(&r->ev);
	r->have = 0;
	if (!yaml_parser_parse(&r->parser, &r->ev)) {
		const char *problem = r->parser.problem ? r->parser.problem : "not YAML";

		if (r->parser.context)
			return failf(r, r->parser.problem_mark.line + 1, "%s (%s on line %zu)",
				     problem, r->parser.context, r->parser.context_mark.line + 1);
		return failf(r, r->parser.problem_mark.line + 1, "%s", problem);
	}
	r->have = 1;
	if (r->ev.type == YAML_ALIAS_EVENT)
		return failf(r, r->ev.start_mark.line + 1, "aliases are not supported here");
	return 0;
}

/* Steps to the next item of the open collection: 1 with its first event
 * in r->ev, 0 at the collection's end or on an error (then *rc != 0). */
static int next_item(struct reader *r, yaml_event_type_t end, int *rc)
{
	*rc = next(r);
	return *rc == 0 && r->ev.type != end;
}

static size_t line_of(const struct reader *r)
{
	return r->ev.start_mark.line + 1;
}

static int is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->type != YAML_SCALAR_EVENT || !ev->data.scalar.plain_implicit || ev->data.scalar.tag)
		return 0;
	return !strcmp(v, "") || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* Skips the node whose first event is in r->ev. */
static int skip_node(struct reader *r)
{
	int depth = 0;

	do {
		if (r->ev.type == YAML_SEQUENCE_START_EVENT || r->ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (r->ev.type == YAML_SEQUENCE_END_EVENT || r->ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (depth > MAX_DEPTH)
			return failf(r, line_of(r), "nested too deeply");
		if (depth > 0 && next(r) != 0)
			return r->e->code;
	} while (depth > 0);
	return 0;
}

/* base64 with optional line breaks: 4-character groups, '=' only at the end */
static int valid_base64(const char *v)
{
	size_t n = 0, pad = 0;

	for (const char *p = v; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == ' ')
			continue;
		if (*p == '=') {
			pad++;
		} else if (pad || !(g_ascii_isalnum(*p) || *p == '+' || *p == '/')) {
			return 0;
		}
		n++;
	}
	return n % 4 == 0 && pad <= 2;
}

/* The scalar in r->ev as a string field: a plain null is "". */
static int scalar_text(struct reader *r, const char *key, char **out)
{
	const char *tag = (const char *)r->ev.data.scalar.tag;
	const char *v = (const char *)r->ev.data.scalar.value;

	if (r->ev.type != YAML_SCALAR_EVENT)
		return failf(r, line_of(r), "%s must be a string", key);
	free(*out);
	*out = NULL;
	if (tag && strcmp(tag, DR_YAML_BINARY_TAG) == 0) {
		gsize n = 0;
		guchar *raw;

		/* g_base64_decode takes anything: check the alphabet first (line
		 * breaks are how go-yaml splits long blocks) */
		if (!valid_base64(v))
			return failf(r, line_of(r), "%s is not valid !!binary", key);
		raw = g_base64_decode(v, &n);
		if (!raw || memchr(raw, '\0', n)) {
			g_free(raw);
			return failf(r, line_of(r), "%s is not valid !!binary", key);
		}
		*out = strndup((const char *)raw, n);
		g_free(raw);
	} else {
		/* a "\0" escape: a property file holds no NUL (it would be cut) */
		if (strlen(v) != r->ev.data.scalar.length)
			return failf(r, line_of(r), "%s holds a NUL byte, which a property cannot", key);
		*out = strdup(is_null(&r->ev) ? "" : v);
	}
	return *out ? 0 : dr_oom(r->e);
}

/* Dokku's Global is a Go bool: true/false in YAML 1.2 spellings, and the
 * YAML 1.1 words go-yaml still accepts for a typed bool. */
static int scalar_bool(struct reader *r, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES",
					   "on", "On", "ON", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "n", "N", "no", "No", "NO",
					  "off", "Off", "OFF", NULL };
	const char *v = (const char *)r->ev.data.scalar.value;

	if (r->ev.type != YAML_SCALAR_EVENT)
		return failf(r, line_of(r), "global must be true or false");
	if (is_null(&r->ev)) {
		*out = 0;
		return 0;
	}
	for (size_t i = 0; yes[i]; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	}
	for (size_t i = 0; no[i]; i++) {
		if (strcmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return failf(r, line_of(r), "global must be true or false, not \"%.40s\"", v);
}

/* Mapping keys are scalars, each key once (go-yaml refuses duplicates). */
static int map_key(struct reader *r, GHashTable *seen, const char **key)
{
	const char *k;

	if (r->ev.type != YAML_SCALAR_EVENT)
		return failf(r, line_of(r), "a mapping key must be a string");
	k = (const char *)r->ev.data.scalar.value;
	if (g_hash_table_contains(seen, k))
		return failf(r, line_of(r), "mapping key \"%.60s\" already defined", k);
	g_hash_table_add(seen, g_strdup(k));
	*key = k;
	return 0;
}

/* One task body: app, global, property, value, state. */
static int read_body(struct reader *r)
{
	struct dr_recipe_task t = { 0 };
	size_t line = line_of(r);
	GHashTable *seen;
	int rc = 0;

	if (is_null(&r->ev))
		return 0; /* an empty body has no property: nothing to do */
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return failf(r, line_of(r), "%s must be a mapping", r->task_key);
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	while (rc == 0 && next_item(r, YAML_MAPPING_END_EVENT, &rc)) {
		const char *key = NULL;
		char *k;

		rc = map_key(r, seen, &key);
		k = rc == 0 ? strdup(key) : NULL;
		if (rc == 0 && !k)
			rc = dr_oom(r->e);
		if (rc == 0)
			rc = next(r);
		if (rc == 0 && strcmp(k, "app") == 0)
			rc = scalar_text(r, k, &t.app);
		else if (rc == 0 && strcmp(k, "global") == 0)
			rc = scalar_bool(r, &t.global);
		else if (rc == 0 && strcmp(k, "property") == 0) {
			line = line_of(r); /* errors about the property point here */
			rc = scalar_text(r, k, &t.property);
		}
		else if (rc == 0 && strcmp(k, "value") == 0)
			rc = scalar_text(r, k, &t.value);
		else if (rc == 0 && strcmp(k, "state") == 0)
			rc = scalar_text(r, k, &t.state);
		else if (rc == 0)
			rc = skip_node(r);
		free(k);
	}
	g_hash_table_destroy(seen);
	if (rc == 0)
		rc = dr_recipe_add(r->out, t.app, t.global, t.property, t.value, t.state, r->e);
	if (rc == 0)
		r->out->tasks[r->out->n - 1].line = line;
	free(t.app);
	free(t.property);
	free(t.value);
	free(t.state);
	return rc;
}

/* One task: a mapping of task type to body. */
static int read_task(struct reader *r)
{
	GHashTable *seen;
	int rc = 0;

	if (is_null(&r->ev))
		return 0;
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return failf(r, line_of(r), "a task must be a mapping");
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	while (rc == 0 && next_item(r, YAML_MAPPING_END_EVENT, &rc)) {
		const char *key = NULL;
		int ours;

		rc = map_key(r, seen, &key);
		if (rc)
			break;
		ours = strcmp(key, r->task_key) == 0;
		if (!ours) {
			rc = failf(r, line_of(r), "unexpected task \"%.60s\" (expected %s)", key,
				   r->task_key);
			break;
		}
		rc = next(r);
		if (rc == 0)
			rc = read_body(r);
	}
	g_hash_table_destroy(seen);
	return rc;
}

static int read_tasks(struct reader *r)
{
	int rc = 0;

	if (is_null(&r->ev))
		return 0;
	if (r->ev.type != YAML_SEQUENCE_START_EVENT)
		return failf(r, line_of(r), "tasks must be a list");
	while (rc == 0 && next_item(r, YAML_SEQUENCE_END_EVENT, &rc))
		rc = read_task(r);
	return rc;
}

static int read_play(struct reader *r)
{
	GHashTable *seen;
	int rc = 0;

	if (is_null(&r->ev))
		return 0;
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return failf(r, line_of(r), "a play must be a mapping");
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	while (rc == 0 && next_item(r, YAML_MAPPING_END_EVENT, &rc)) {
		const char *key = NULL;
		int tasks;

		rc = map_key(r, seen, &key);
		if (rc)
			break;
		tasks = strcmp(key, "tasks") == 0;
		rc = next(r);
		if (rc == 0)
			rc = tasks ? read_tasks(r) : skip_node(r);
	}
	g_hash_table_destroy(seen);
	return rc;
}

/* The first document: a list of plays (or null). */
static int read_document(struct reader *r)
{
	int rc = next(r);

	if (rc == 0 && r->ev.type == YAML_STREAM_START_EVENT)
		rc = next(r);
	if (rc || r->ev.type == YAML_STREAM_END_EVENT)
		return rc;
	if (r->ev.type != YAML_DOCUMENT_START_EVENT)
		return failf(r, line_of(r), "not a YAML document");
	rc = next(r);
	if (rc || is_null(&r->ev))
		return rc;
	if (r->ev.type != YAML_SEQUENCE_START_EVENT)
		return failf(r, line_of(r), "a recipe must be a list of plays");
	while (rc == 0 && next_item(r, YAML_SEQUENCE_END_EVENT, &rc))
		rc = read_play(r);
	return rc;
}

int dr_recipe_parse(const char *data, size_t len, const char *name, const char *task_key,
		    struct dr_recipe *out, struct dr_err *e)
{
	struct reader r = { .name = name, .task_key = task_key, .out = out, .e = e };
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > DR_RECIPE_LIMIT)
		return dr_fail(e, DR_ETOOBIG, "%s: more than %d bytes", name, DR_RECIPE_LIMIT);
	if (!yaml_parser_initialize(&r.parser))
		return dr_oom(e);
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)data, len);
	rc = read_document(&r);
	if (r.have)
		yaml_event_delete(&r.ev);
	yaml_parser_delete(&r.parser);
	if (rc)
		dr_recipe_free(out);
	return rc;
}
