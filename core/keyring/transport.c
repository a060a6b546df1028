#include "keyring/transport.h"

#include <libsecret/secret.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/collection.h"

struct dr_bus_req dr_transport_plain_req(void)
{
	return (struct dr_bus_req){ DR_SECRETS_PATH, DR_IFACE_SERVICE, "OpenSession",
				    g_variant_new("(sv)", "plain", g_variant_new_string("")),
				    "(vo)", NULL, NULL, NULL };
}

static int open_plain(struct dr_keyring *kr, struct dr_err *e)
{
	struct dr_bus_req req = dr_transport_plain_req();
	GVariant *reply;

	reply = dr_bus_call(&kr->bus, req.path, req.iface, req.method, req.args, req.reply_type, e);
	if (!reply)
		return e->code;
	g_variant_get(reply, "(vo)", NULL, &kr->session_path);
	g_variant_unref(reply);
	return 0;
}

static int open_dh(struct dr_keyring *kr, struct dr_err *e)
{
	GError *err = NULL;
	SecretService *svc;

	/* it joins the shared session connection that dr_bus_open made */
	svc = secret_service_open_sync(SECRET_TYPE_SERVICE, NULL, SECRET_SERVICE_NONE,
				       kr->bus.cancel, &err);
	if (svc && !secret_service_ensure_session_sync(svc, kr->bus.cancel, &err))
		g_clear_object(&svc);
	if (!svc) {
		dr_bus_fail(&kr->bus, err, "OpenSession", e);
		g_error_free(err);
		return e->code;
	}
	kr->service = svc;
	kr->session_path = g_strdup(secret_service_get_session_dbus_path(svc));
	return 0;
}

int dr_transport_open(struct dr_keyring *kr, struct dr_err *e)
{
	if (kr->session_path)
		return 0;
	return kr->transport == DR_TRANSPORT_DH ? open_dh(kr, e) : open_plain(kr, e);
}

GVariant *dr_transport_encode(struct dr_keyring *kr, const char *secret, size_t len)
{
	SecretValue *value;
	GVariant *v;

	if (kr->transport == DR_TRANSPORT_DH) {
		value = secret_value_new(secret, (gssize)len, "text/plain");
		v = secret_service_encode_dbus_secret(kr->service, value);
		secret_value_unref(value);
		return v;
	}
	return g_variant_new("(o@ay@ays)", kr->session_path,
			     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "", 0, 1),
			     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, secret, len, 1),
			     "text/plain");
}

static int copy_out(const void *bytes, size_t n, char **out, size_t *len, struct dr_err *e)
{
	*out = malloc(n + 1);
	if (!*out)
		return dr_oom(e);
	/* an empty secret may come as a NULL array (gnome-keyring's half-created
	 * item after a kill), and memcpy must not see NULL even for 0 bytes */
	if (n)
		memcpy(*out, bytes, n);
	(*out)[n] = '\0';
	*len = n;
	return 0;
}

int dr_transport_decode(struct dr_keyring *kr, GVariant *secret, char **out,
			size_t *len, struct dr_err *e)
{
	SecretValue *value;
	const char *bytes;
	gsize n;
	int rc;

	if (kr->transport == DR_TRANSPORT_DH) {
		value = secret_service_decode_dbus_secret(kr->service, secret);
		if (!value)
			return dr_fail(e, DR_EIO, "cannot decode the secret sent by the Secret Service");
		bytes = secret_value_get(value, &n);
		rc = copy_out(bytes, n, out, len, e);
		secret_value_unref(value);
		return rc;
	}
	{
		GVariant *ay = g_variant_get_child_value(secret, 2);

		bytes = g_variant_get_fixed_array(ay, &n, 1);
		rc = copy_out(bytes, n, out, len, e);
		/* the reply buffer is ours alone now: wipe the plaintext in it */
		if (n)
			explicit_bzero((void *)bytes, n);
		g_variant_unref(ay);
	}
	return rc;
}

void dr_transport_close(struct dr_keyring *kr)
{
	/* no Close call: the service ends the session when we disconnect */
	g_free(kr->session_path);
	kr->session_path = NULL;
	g_clear_object((SecretService **)&kr->service);
}
