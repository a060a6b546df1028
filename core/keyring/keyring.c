#include "keyring/keyring.h"

#include <stdlib.h>
#include <string.h>

#include "base/lockfile.h"
#include "base/secmem.h"
#include "base/serverurl.h"
#include "keyring/keyring_items.h"

#define FIX_LOCKED "unlock it without a prompt, e.g. 'printf %%s \"$KEYRING_PASSWORD\" | gnome-keyring-daemon --unlock' (this helper never prompts)"

int dr_keyring_locked_error(const struct dr_keyring *kr, struct dr_err *e)
{
	return dr_fail(e, DR_ELOCKED, "keyring collection \"%s\" (%s) is locked: " FIX_LOCKED,
		       kr->name, kr->coll_path);
}

/* Collections carry a Label; aliases don't resolve every name users give. */
static int find_collection_by_label(struct dr_keyring *kr, struct dr_err *e)
{
	struct dr_bus_req *reqs;
	GVariant *reply, *v;
	GVariantIter it;
	const char *path;
	size_t n = 0;
	int rc = DR_ENOCOLL;

	reply = dr_bus_call(&kr->bus, DR_SECRETS_PATH, DR_IFACE_PROPS, "Get",
			    g_variant_new("(ss)", DR_IFACE_SERVICE, "Collections"), "(v)", e);
	if (!reply)
		return e->code;
	g_variant_get(reply, "(v)", &v);
	reqs = g_new0(struct dr_bus_req, g_variant_n_children(v) + 1);
	g_variant_iter_init(&it, v);
	while (g_variant_iter_next(&it, "&o", &path)) {
		reqs[n].path = path;
		reqs[n].iface = DR_IFACE_PROPS;
		reqs[n].method = "Get";
		reqs[n].args = g_variant_new("(ss)", DR_IFACE_COLLECTION, "Label");
		reqs[n].reply_type = "(v)";
		n++;
	}
	if (dr_bus_call_batch(&kr->bus, reqs, n, e) != 0) {
		rc = e->code;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		GVariant *label;

		if (!reqs[i].reply)
			continue;
		g_variant_get(reqs[i].reply, "(v)", &label);
		if (g_variant_is_of_type(label, G_VARIANT_TYPE_STRING) &&
		    strcmp(g_variant_get_string(label, NULL), kr->name) == 0)
			kr->coll_path = g_strdup(reqs[i].path);
		g_variant_unref(label);
		if (kr->coll_path) {
			rc = 0;
			break;
		}
	}
out:
	dr_bus_reqs_clear(reqs, n);
	g_free(reqs);
	g_variant_unref(v);
	g_variant_unref(reply);
	return rc;
}

/*
 * gnome-keyring answers "/" for an alias that exists when a client's first
 * call runs before the client is registered: its message filter queues the
 * registration beside the call (daemon/dbus/gkd-secret-service.c,
 * service_message_filter), and ReadAlias looks the collection up through
 * the client's session (gkd_secret_service_get_pkcs11_session), which is
 * not there yet. Seen once in 32 helpers started at once. Asked again on
 * the same connection, the alias resolves; a name no alias or label has
 * costs one round trip more.
 */
static int read_alias_again(struct dr_keyring *kr, struct dr_err *e)
{
	GVariant *reply;
	const char *path;

	reply = dr_bus_call(&kr->bus, DR_SECRETS_PATH, DR_IFACE_SERVICE, "ReadAlias",
			    g_variant_new("(s)", kr->name), "(o)", e);
	if (!reply)
		return e->code;
	g_variant_get(reply, "(&o)", &path);
	if (strcmp(path, "/") != 0)
		kr->coll_path = g_strdup(path);
	g_variant_unref(reply);
	return kr->coll_path ? 0 : DR_ENOCOLL;
}

size_t dr_keyring_prep(struct dr_keyring *kr, struct dr_bus_req *reqs, int want_session,
		       struct dr_prep *p)
{
	size_t n = 0;

	p->alias_idx = -1;
	p->session_idx = -1;
	if (!kr->coll_path && kr->name[0] != '/') {
		p->alias_idx = (int)n;
		reqs[n++] = (struct dr_bus_req){ DR_SECRETS_PATH, DR_IFACE_SERVICE, "ReadAlias",
						 g_variant_new("(s)", kr->name), "(o)",
						 NULL, NULL, NULL };
	}
	if (want_session && !kr->session_path && kr->transport == DR_TRANSPORT_PLAIN) {
		p->session_idx = (int)n;
		reqs[n++] = dr_transport_plain_req();
	}
	return n;
}

int dr_keyring_prep_finish(struct dr_keyring *kr, struct dr_bus_req *reqs,
			   const struct dr_prep *p, struct dr_err *e)
{
	const char *path;
	int rc;

	if (p->session_idx >= 0) {
		struct dr_bus_req *r = &reqs[p->session_idx];

		if (!r->reply)
			return dr_bus_fail(&kr->bus, r->error, "OpenSession", e);
		g_variant_get(r->reply, "(vo)", NULL, &kr->session_path);
	}
	if (kr->coll_path)
		return 0;
	if (kr->name[0] == '/') {
		if (!g_variant_is_object_path(kr->name))
			return dr_fail(e, DR_EINVAL, "collection \"%s\" is not a D-Bus object path",
				       kr->name);
		kr->coll_path = g_strdup(kr->name);
		return 0;
	}
	if (!reqs[p->alias_idx].reply)
		return dr_bus_fail(&kr->bus, reqs[p->alias_idx].error, "ReadAlias", e);
	g_variant_get(reqs[p->alias_idx].reply, "(&o)", &path);
	if (strcmp(path, "/") != 0) {
		kr->coll_path = g_strdup(path);
		return 0;
	}
	rc = find_collection_by_label(kr, e);
	if (rc == DR_ENOCOLL)
		rc = read_alias_again(kr, e);
	if (rc == DR_ENOCOLL)
		return dr_fail(e, DR_ENOCOLL,
			       "keyring collection \"%s\" not found (no such alias or label): create it or set DOCKER_CREDENTIAL_DOKKU_COLLECTION to an existing one, e.g. \"default\" or \"session\"",
			       kr->name);
	return rc;
}

int dr_keyring_open(struct dr_keyring *kr, const struct dr_keyring_opts *o,
		    struct dr_err *e)
{
	memset(kr, 0, sizeof(*kr));
	g_strlcpy(kr->name, o->collection, sizeof(kr->name));
	kr->transport = o->transport;
	/* the collection is resolved with the first request batch */
	return dr_bus_open(&kr->bus, DR_SECRETS_NAME, o->bus, o->timeout_ms, e);
}

void dr_keyring_close(struct dr_keyring *kr)
{
	dr_transport_close(kr);
	g_free(kr->coll_path);
	kr->coll_path = NULL;
	dr_bus_close(&kr->bus);
}

/* Highest priority (lowest prio) first, newest first within a priority. */
static const struct dr_item *pick_best(struct dr_item *items, size_t n)
{
	const struct dr_item *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct dr_item *it = &items[i];

		if (!it->in_scope)
			continue;
		if (!best || it->prio < best->prio ||
		    (it->prio == best->prio && it->modified > best->modified))
			best = it;
	}
	return best;
}

static int read_secret(struct dr_keyring *kr, const char *path, struct dr_creds *out,
		       struct dr_err *e)
{
	GVariant *reply, *secret;
	int rc;

	rc = dr_transport_open(kr, e);
	if (rc)
		return rc;
	reply = dr_bus_call(&kr->bus, path, DR_IFACE_ITEM, "GetSecret",
			    g_variant_new("(o)", kr->session_path), "((oayays))", e);
	if (!reply)
		return e->code;
	secret = g_variant_get_child_value(reply, 0);
	rc = dr_transport_decode(kr, secret, &out->secret, &out->secret_len, e);
	g_variant_unref(secret);
	g_variant_unref(reply);
	return rc;
}

int dr_keyring_get(struct dr_keyring *kr, const char *server, const char *scope,
		   struct dr_creds *out, struct dr_err *e)
{
	struct dr_found found = { 0 };
	const struct dr_item *best;
	int rc;

	memset(out, 0, sizeof(*out));
	/* the exact string first: one search answers the common case */
	rc = dr_items_find(kr, server, scope, DR_FIND_EXACT, 1, &found, e);
	if (rc)
		goto out;
	best = pick_best(found.items, found.n);
	if (!best) {
		dr_found_free(&found);
		rc = dr_items_find(kr, server, scope, DR_FIND_ALIASES | DR_FIND_RARE, 1, &found, e);
		if (rc)
			goto out;
		best = pick_best(found.items, found.n);
	}
	if (!best) {
		rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
		goto out;
	}
	out->username = strdup(best->username);
	if (!out->username) {
		rc = dr_oom(e);
		goto out;
	}
	rc = read_secret(kr, best->path, out, e);
	if (rc == DR_ENOTFOUND) /* erased by someone else meanwhile */
		rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
out:
	if (rc)
		dr_creds_wipe(out);
	dr_found_free(&found);
	return rc;
}

static GVariant *item_properties(const struct dr_creds *c, const char *key,
				 const char *scope)
{
	GVariantBuilder attrs, props;

	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&attrs, "{ss}", "xdg:schema", DR_SCHEMA);
	g_variant_builder_add(&attrs, "{ss}", "label", DR_CREDS_LABEL);
	g_variant_builder_add(&attrs, "{ss}", "server", c->server_url);
	g_variant_builder_add(&attrs, "{ss}", "username", c->username);
	g_variant_builder_add(&attrs, "{ss}", "docker_cli", "1");
	if (key)
		g_variant_builder_add(&attrs, "{ss}", DR_ATTR_KEY, key);
	if (scope)
		g_variant_builder_add(&attrs, "{ss}", DR_ATTR_SCOPE, scope);
	g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
	/* the display label is the ServerURL verbatim: upstream's list uses it
	 * as the key, so their list round-trips into get for our items too */
	g_variant_builder_add(&props, "{sv}", DR_IFACE_ITEM ".Label",
			      g_variant_new_string(c->server_url));
	g_variant_builder_add(&props, "{sv}", DR_IFACE_ITEM ".Attributes",
			      g_variant_builder_end(&attrs));
	return g_variant_builder_end(&props);
}

/* Never with CreateItem's replace flag: gnome-keyring then deletes every
 * item whose attributes include the new item's, and a global item's
 * attributes are a subset of an app item's for the same registry and user,
 * so a global login would silently remove the app's. The store removes the
 * copies in its own scope itself (dr_items_delete). */
static int create_item(struct dr_keyring *kr, const struct dr_creds *c, const char *key,
		       const char *scope, char **path, struct dr_err *e)
{
	GVariant *reply;
	const char *item, *prompt;
	int rc;

	rc = dr_transport_open(kr, e);
	if (rc)
		return rc;
	reply = dr_bus_call(&kr->bus, kr->coll_path, DR_IFACE_COLLECTION, "CreateItem",
			    g_variant_new("(@a{sv}@(oayays)b)", item_properties(c, key, scope),
					  dr_transport_encode(kr, c->secret ? c->secret : "",
							      c->secret_len),
					  FALSE),
			    "(oo)", e);
	if (!reply)
		return e->code == DR_ELOCKED ? dr_keyring_locked_error(kr, e) : e->code;
	g_variant_get(reply, "(&o&o)", &item, &prompt);
	if (strcmp(prompt, "/") != 0) {
		dr_items_dismiss(kr, prompt);
		rc = dr_keyring_locked_error(kr, e);
	} else {
		*path = g_strdup(item);
	}
	g_variant_unref(reply);
	return rc;
}

/* An item that already has exactly the attributes a store would write:
 * replacing its secret costs the service one save of the collection
 * instead of the two that CreateItem costs gnome-keyring. */
static const struct dr_item *reusable_item(const struct dr_found *found,
					   const struct dr_creds *c, const char *key)
{
	for (size_t i = 0; i < found->n; i++) {
		const struct dr_item *it = &found->items[i];

		if (it->in_scope && strcmp(it->server, c->server_url) == 0 &&
		    strcmp(it->username, c->username) == 0 &&
		    (key ? it->key && strcmp(it->key, key) == 0 : it->key == NULL))
			return it;
	}
	return NULL;
}

static int set_secret(struct dr_keyring *kr, const char *path, const struct dr_creds *c,
		      struct dr_err *e)
{
	GVariant *reply;
	int rc;

	rc = dr_transport_open(kr, e);
	if (rc)
		return rc;
	reply = dr_bus_call(&kr->bus, path, DR_IFACE_ITEM, "SetSecret",
			    g_variant_new("(@(oayays))",
					  dr_transport_encode(kr, c->secret ? c->secret : "",
							      c->secret_len)),
			    "()", e);
	if (!reply)
		return e->code == DR_ELOCKED ? dr_keyring_locked_error(kr, e) : e->code;
	g_variant_unref(reply);
	return 0;
}

/* A write sent but its answer lost: the provider may have done it. */
static int reply_lost(int rc)
{
	return rc == DR_EGONE || rc == DR_ETIMEOUT || rc == DR_ENOBUS;
}

/* Says so first, where the message is never cut. "May or may not" covers
 * a third state too: gnome-keyring saves a new item in two steps, so one
 * killed in between keeps the item with an empty secret. Storing again
 * repairs every case. */
static void outcome_unknown(int rc, const char *done, const char *again, struct dr_err *e)
{
	if (reply_lost(rc) && e)
		dr_fail(e, rc, "the credentials may or may not have been %s (%s): %s", done, again,
			e->msg);
}

/* Runs fn under the per-user write lock. */
static int locked_write(struct dr_keyring *kr, int (*fn)(struct dr_keyring *, const void *,
							  const char *, struct dr_err *),
			const void *arg, const char *scope, struct dr_err *e)
{
	int fd, rc;

	rc = dr_lock_acquire(&fd, kr->bus.deadline_us, e);
	if (rc)
		return rc;
	rc = fn(kr, arg, scope, e);
	dr_lock_release(fd);
	return rc;
}

static int store_locked(struct dr_keyring *kr, const void *arg, const char *scope,
			struct dr_err *e)
{
	const struct dr_creds *c = arg;
	struct dr_found found = { 0 };
	const struct dr_item *reuse;
	struct dr_err canon;
	char *key = NULL, *path = NULL;
	int rc;

	/* the lock state is checked here too, so a locked collection is never
	 * written to, even by a provider that would accept it */
	/* each search costs the service a scan of every item: a store looks at
	 * the spellings clients store under; erase clears the rare ones too */
	rc = dr_items_find(kr, c->server_url, scope, DR_FIND_EXACT | DR_FIND_ALIASES, 1, &found, e);
	if (rc)
		goto out;
	dr_serverurl_canonical(c->server_url, &key, &canon);
	reuse = reusable_item(&found, c, key);
	/* the session first: a failure up to here has written nothing */
	rc = dr_transport_open(kr, e);
	if (rc)
		goto out;
	/* write first, then drop the rest: a crash in between leaves a
	 * duplicate, never nothing */
	if (reuse) {
		path = g_strdup(reuse->path);
		rc = set_secret(kr, path, c, e);
	} else {
		rc = create_item(kr, c, key, scope, &path, e);
	}
	if (rc) {
		outcome_unknown(rc, "saved", "store them again", e);
		goto out;
	}
	rc = dr_items_delete(kr, &found, path, e);
	/* the new item is written and, being the newest, the one get picks; the
	 * next store removes the copies left now */
	if (reply_lost(rc) || rc == DR_ENOPROVIDER)
		rc = 0;
out:
	dr_found_free(&found);
	g_free(path);
	free(key);
	return rc;
}

int dr_keyring_store(struct dr_keyring *kr, const struct dr_creds *c,
		     const char *scope, struct dr_err *e)
{
	return locked_write(kr, store_locked, c, scope, e);
}

static int erase_locked(struct dr_keyring *kr, const void *arg, const char *scope,
			struct dr_err *e)
{
	struct dr_found found = { 0 };
	int rc;

	rc = dr_items_find(kr, arg, scope, DR_FIND_ALL, 0, &found, e);
	if (rc == 0) {
		rc = dr_items_delete(kr, &found, NULL, e);
		outcome_unknown(rc, "erased", "erase them again", e);
	}
	dr_found_free(&found);
	return rc;
}

int dr_keyring_erase(struct dr_keyring *kr, const char *server, const char *scope,
		     struct dr_err *e)
{
	return locked_write(kr, erase_locked, server, scope, e);
}
