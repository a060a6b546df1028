#include "keyring/keyring_items.h"

#include <stdlib.h>
#include <string.h>

#include "base/creds.h"
#include "base/serverurl.h"

static GVariant *search_args(const char *attr, const char *value, int docker_cli)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "xdg:schema", DR_SCHEMA);
	g_variant_builder_add(&b, "{ss}", attr, value);
	if (docker_cli)
		g_variant_builder_add(&b, "{ss}", "docker_cli", "1");
	return g_variant_new("(a{ss})", &b);
}

static void req_init(struct dr_bus_req *r, const char *path, const char *iface,
		     const char *method, GVariant *args, const char *reply_type)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->iface = iface;
	r->method = method;
	r->args = args;
	r->reply_type = reply_type;
}

static void req_locked(struct dr_keyring *kr, struct dr_bus_req *r)
{
	req_init(r, kr->coll_path, DR_IFACE_PROPS, "Get",
		 g_variant_new("(ss)", DR_IFACE_COLLECTION, "Locked"), "(v)");
}

/* The collection's Locked property, from a req_locked reply. */
static int check_unlocked(struct dr_keyring *kr, struct dr_bus_req *r, struct dr_err *e)
{
	GVariant *v;
	int locked;

	if (r->error) {
		int rc = dr_bus_fail(&kr->bus, r->error, "reading the collection", e);

		if (rc == DR_ENOTFOUND)
			return dr_fail(e, DR_ENOCOLL, "keyring collection \"%s\" (%s) not found",
				       kr->name, kr->coll_path);
		return rc;
	}
	g_variant_get(r->reply, "(v)", &v);
	locked = g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) && g_variant_get_boolean(v);
	g_variant_unref(v);
	return locked ? dr_keyring_locked_error(kr, e) : 0;
}

static int in_collection(const struct dr_keyring *kr, const char *path)
{
	size_t n = strlen(kr->coll_path);

	return strncmp(path, kr->coll_path, n) == 0 && path[n] == '/';
}

/* Adds the unlocked hits of one SearchItems reply; 1 when a hit is locked. */
static int add_hits(struct dr_keyring *kr, GVariant *reply, int prio, GPtrArray *paths,
		    GArray *prios)
{
	GVariantIter *unlocked, *locked;
	const char *path;
	int any_locked = 0;

	g_variant_get(reply, "(aoao)", &unlocked, &locked);
	while (g_variant_iter_next(unlocked, "&o", &path)) {
		int dup = 0;

		if (!in_collection(kr, path))
			continue;
		for (guint i = 0; i < paths->len && !dup; i++)
			dup = strcmp(g_ptr_array_index(paths, i), path) == 0;
		if (dup)
			continue;
		g_ptr_array_add(paths, g_strdup(path));
		g_array_append_val(prios, prio);
	}
	while (g_variant_iter_next(locked, "&o", &path))
		any_locked |= in_collection(kr, path);
	g_variant_iter_free(unlocked);
	g_variant_iter_free(locked);
	return any_locked;
}

static int scope_matches(GVariant *attrs, const char *scope)
{
	const char *have = NULL;

	g_variant_lookup(attrs, DR_ATTR_SCOPE, "&s", &have);
	if (scope && strcmp(scope, DR_SCOPE_ALL) == 0)
		return 1;
	if (!scope)
		return have == NULL;
	return have && strcmp(have, scope) == 0;
}

/* Checks the lock and fills found->items from GetAll replies; vanished
 * items are dropped. */
static int read_items(struct dr_keyring *kr, GPtrArray *paths, GArray *prios, const char *scope,
		      struct dr_found *found, struct dr_err *e)
{
	struct dr_bus_req *reqs = g_new0(struct dr_bus_req, paths->len + 1);
	size_t n = paths->len + 1;
	int rc;

	req_locked(kr, &reqs[0]);
	for (guint i = 0; i < paths->len; i++)
		req_init(&reqs[i + 1], g_ptr_array_index(paths, i), DR_IFACE_PROPS, "GetAll",
			 g_variant_new("(s)", DR_IFACE_ITEM), "(a{sv})");
	rc = dr_bus_call_batch(&kr->bus, reqs, n, e);
	if (rc == 0)
		rc = check_unlocked(kr, &reqs[0], e);
	found->items = g_new0(struct dr_item, paths->len + 1);
	for (guint i = 0; rc == 0 && i < paths->len; i++) {
		struct dr_bus_req *r = &reqs[i + 1];
		struct dr_item *it = &found->items[found->n];
		GVariant *props, *attrs;
		const char *user = "", *server = "", *key = NULL;

		if (r->error) {
			rc = dr_bus_fail(&kr->bus, r->error, "reading an item", e);
			if (rc == DR_ENOTFOUND)
				rc = 0;
			continue;
		}
		props = g_variant_get_child_value(r->reply, 0);
		attrs = g_variant_lookup_value(props, "Attributes", G_VARIANT_TYPE("a{ss}"));
		if (attrs) {
			g_variant_lookup(attrs, "username", "&s", &user);
			g_variant_lookup(attrs, "server", "&s", &server);
			g_variant_lookup(attrs, DR_ATTR_KEY, "&s", &key);
			it->server = g_strdup(server);
			it->key = g_strdup(key);
			it->path = g_strdup(g_ptr_array_index(paths, i));
			it->prio = g_array_index(prios, int, i);
			it->in_scope = scope_matches(attrs, scope);
			it->username = g_strdup(user);
			g_variant_lookup(props, "Modified", "t", &it->modified);
			found->n++;
			g_variant_unref(attrs);
		}
		g_variant_unref(props);
	}
	dr_bus_reqs_clear(reqs, n);
	g_free(reqs);
	return rc;
}

int dr_items_find(struct dr_keyring *kr, const char *server, const char *scope,
		  int what, int want_session, struct dr_found *found, struct dr_err *e)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GArray *prios = g_array_new(FALSE, FALSE, sizeof(int));
	struct dr_bus_req *reqs;
	struct dr_prep prep;
	char *key = NULL, **aliases = NULL;
	size_t n, first, nalias = 0;
	int rc, any_locked = 0, *prio;

	memset(found, 0, sizeof(*found));
	if ((what & DR_FIND_ALIASES) && dr_serverurl_canonical(server, &key, NULL) == 0)
		aliases = dr_serverurl_aliases(key, (what & DR_FIND_RARE) != 0);
	while (aliases && aliases[nalias])
		nalias++;
	reqs = g_new0(struct dr_bus_req, DR_PREP_MAX + 2 + nalias);
	prio = g_new0(int, DR_PREP_MAX + 2 + nalias);
	n = first = dr_keyring_prep(kr, reqs, want_session, &prep);
	if (what & DR_FIND_EXACT) {
		prio[n] = DR_PRIO_EXACT;
		req_init(&reqs[n++], DR_SECRETS_PATH, DR_IFACE_SERVICE, "SearchItems",
			 search_args("server", server, 1), "(aoao)");
	}
	if (key) {
		prio[n] = DR_PRIO_KEY;
		req_init(&reqs[n++], DR_SECRETS_PATH, DR_IFACE_SERVICE, "SearchItems",
			 search_args(DR_ATTR_KEY, key, 0), "(aoao)");
	}
	for (size_t i = 0; i < nalias; i++) {
		if (strcmp(aliases[i], server) == 0)
			continue;
		prio[n] = DR_PRIO_ALIAS;
		req_init(&reqs[n++], DR_SECRETS_PATH, DR_IFACE_SERVICE, "SearchItems",
			 search_args("server", aliases[i], 1), "(aoao)");
	}
	rc = dr_bus_call_batch(&kr->bus, reqs, n, e);
	if (rc == 0)
		rc = dr_keyring_prep_finish(kr, reqs, &prep, e);
	for (size_t i = first; rc == 0 && i < n; i++) {
		if (reqs[i].error)
			rc = dr_bus_fail(&kr->bus, reqs[i].error, "SearchItems", e);
		else
			any_locked |= add_hits(kr, reqs[i].reply, prio[i], paths, prios);
	}
	if (rc == 0 && any_locked)
		rc = dr_keyring_locked_error(kr, e);
	if (rc == 0)
		rc = read_items(kr, paths, prios, scope, found, e);
	if (rc)
		dr_found_free(found);
	dr_bus_reqs_clear(reqs, n);
	g_free(reqs);
	g_free(prio);
	g_ptr_array_free(paths, TRUE);
	g_array_free(prios, TRUE);
	dr_strv_free(aliases);
	free(key);
	return rc;
}

void dr_items_dismiss(struct dr_keyring *kr, const char *prompt)
{
	GVariant *r = dr_bus_call(&kr->bus, prompt, DR_IFACE_PROMPT, "Dismiss", NULL, NULL, NULL);

	if (r)
		g_variant_unref(r);
}

int dr_items_delete(struct dr_keyring *kr, const struct dr_found *found,
		    const char *keep_path, struct dr_err *e)
{
	struct dr_bus_req *reqs = g_new0(struct dr_bus_req, found->n + 1);
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < found->n; i++) {
		const struct dr_item *it = &found->items[i];

		if (!it->in_scope || (keep_path && strcmp(it->path, keep_path) == 0))
			continue;
		req_init(&reqs[n++], it->path, DR_IFACE_ITEM, "Delete", NULL, "(o)");
	}
	rc = dr_bus_call_batch(&kr->bus, reqs, n, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *prompt;

		if (reqs[i].error) {
			rc = dr_bus_fail(&kr->bus, reqs[i].error, "Delete", e);
			if (rc == DR_ENOTFOUND) /* deleted meanwhile: fine */
				rc = 0;
			else if (rc == DR_ELOCKED)
				rc = dr_keyring_locked_error(kr, e);
			continue;
		}
		g_variant_get(reqs[i].reply, "(&o)", &prompt);
		if (strcmp(prompt, "/") != 0) {
			dr_items_dismiss(kr, prompt);
			rc = dr_keyring_locked_error(kr, e);
		}
	}
	dr_bus_reqs_clear(reqs, n);
	g_free(reqs);
	return rc;
}

void dr_found_free(struct dr_found *found)
{
	for (size_t i = 0; i < found->n; i++) {
		g_free(found->items[i].path);
		g_free(found->items[i].username);
		g_free(found->items[i].server);
		g_free(found->items[i].key);
	}
	g_free(found->items);
	found->items = NULL;
	found->n = 0;
}

/* Checks the lock and collects server -> username of in-scope items. */
static int list_collect(struct dr_keyring *kr, GPtrArray *paths, const char *scope,
			struct dr_list *out, struct dr_err *e)
{
	struct dr_bus_req *reqs = g_new0(struct dr_bus_req, paths->len + 1);
	size_t n = paths->len + 1;
	int rc;

	req_locked(kr, &reqs[0]);
	for (guint i = 0; i < paths->len; i++)
		req_init(&reqs[i + 1], g_ptr_array_index(paths, i), DR_IFACE_PROPS, "Get",
			 g_variant_new("(ss)", DR_IFACE_ITEM, "Attributes"), "(v)");
	rc = dr_bus_call_batch(&kr->bus, reqs, n, e);
	if (rc == 0)
		rc = check_unlocked(kr, &reqs[0], e);
	if (rc == 0) {
		out->servers = calloc(paths->len + 1, sizeof(char *));
		out->users = calloc(paths->len + 1, sizeof(char *));
		if (!out->servers || !out->users)
			rc = dr_oom(e);
	}
	for (guint i = 0; rc == 0 && i < paths->len; i++) {
		const char *server = NULL, *user = "";
		GVariant *attrs;

		if (!reqs[i + 1].reply) /* vanished or unreadable: not listed */
			continue;
		g_variant_get(reqs[i + 1].reply, "(v)", &attrs);
		if (g_variant_is_of_type(attrs, G_VARIANT_TYPE("a{ss}")) &&
		    g_variant_lookup(attrs, "server", "&s", &server) &&
		    scope_matches(attrs, scope)) {
			g_variant_lookup(attrs, "username", "&s", &user);
			out->servers[out->n] = strdup(server);
			out->users[out->n] = strdup(user);
			if (!out->servers[out->n] || !out->users[out->n])
				rc = dr_oom(e);
			out->n++;
		}
		g_variant_unref(attrs);
	}
	dr_bus_reqs_clear(reqs, n);
	g_free(reqs);
	return rc;
}

int dr_keyring_list(struct dr_keyring *kr, const char *scope, struct dr_list *out,
		    struct dr_err *e)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GArray *prios = g_array_new(FALSE, FALSE, sizeof(int));
	struct dr_bus_req reqs[DR_PREP_MAX + 1];
	struct dr_prep prep;
	GVariantBuilder b;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(reqs, 0, sizeof(reqs));
	n = dr_keyring_prep(kr, reqs, 0, &prep);
	/* upstream lists by the label attribute alone (any schema); so do we */
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "label", DR_CREDS_LABEL);
	req_init(&reqs[n++], DR_SECRETS_PATH, DR_IFACE_SERVICE, "SearchItems",
		 g_variant_new("(a{ss})", &b), "(aoao)");
	rc = dr_bus_call_batch(&kr->bus, reqs, n, e);
	if (rc == 0)
		rc = dr_keyring_prep_finish(kr, reqs, &prep, e);
	if (rc == 0 && reqs[n - 1].error)
		rc = dr_bus_fail(&kr->bus, reqs[n - 1].error, "SearchItems", e);
	if (rc == 0 && add_hits(kr, reqs[n - 1].reply, 0, paths, prios))
		rc = dr_keyring_locked_error(kr, e);
	if (rc == 0)
		rc = list_collect(kr, paths, scope, out, e);
	if (rc)
		dr_list_free(out);
	dr_bus_reqs_clear(reqs, n);
	g_ptr_array_free(paths, TRUE);
	g_array_free(prios, TRUE);
	return rc;
}
