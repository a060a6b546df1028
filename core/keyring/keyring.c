#include "keyring/keyring.h"

#include <stdlib.h>
#include <string.h>

#include "base/lockfile.h"
#include "base/secmem.h"
#include "base/serverurl.h"
#include "keyring/keyring_items.h"

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
