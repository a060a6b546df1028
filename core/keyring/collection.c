/* The handle on one collection (collection.h): opening, closing, and
 * resolving the collection's name to its object path. */
#include "keyring/collection.h"

#include <stdlib.h>
#include <string.h>

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
/* ReadAlias's answer: the collection's path, or "/" for none. 1 when it
 * named one (now kr->coll_path). */
static int take_alias_answer(struct dr_keyring *kr, GVariant *reply)
{
	const char *path;

	g_variant_get(reply, "(&o)", &path);
	if (strcmp(path, "/") == 0)
		return 0;
	kr->coll_path = g_strdup(path);
	return 1;
}

static int read_alias_again(struct dr_keyring *kr, struct dr_err *e)
{
	GVariant *reply;
	int found;

	reply = dr_bus_call(&kr->bus, DR_SECRETS_PATH, DR_IFACE_SERVICE, "ReadAlias",
			    g_variant_new("(s)", kr->name), "(o)", e);
	if (!reply)
		return e->code;
	found = take_alias_answer(kr, reply);
	g_variant_unref(reply);
	return found ? 0 : DR_ENOCOLL;
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
	if (take_alias_answer(kr, reqs[p->alias_idx].reply))
		return 0;
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
