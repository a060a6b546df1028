/* How secrets cross the session bus between us and the Secret Service.
 *
 * "plain" (default): a plain OpenSession, one round trip, no crypto. The
 *   session bus is a socket of this user only, and any process that could
 *   read it could ask the unlocked keyring for the secret itself.
 * "dh": libsecret's negotiated dh-ietf1024-sha256-aes128-cbc-pkcs7 session,
 *   which also keeps the secret out of dbus-daemon's buffers; it costs a key
 *   exchange (several ms) per call. */
#ifndef DR_TRANSPORT_H
#define DR_TRANSPORT_H

#include <gio/gio.h>
#include <stddef.h>

#include "base/err.h"

struct dr_keyring;

enum dr_transport { DR_TRANSPORT_PLAIN, DR_TRANSPORT_DH };

struct dr_bus_req;
/* The OpenSession request of the plain transport, for a batch. */
struct dr_bus_req dr_transport_plain_req(void);
/* Opens the session once per keyring handle; idempotent. */
int dr_transport_open(struct dr_keyring *kr, struct dr_err *e);
/* The (oayays) Secret struct for secret; floating reference. */
GVariant *dr_transport_encode(struct dr_keyring *kr, const char *secret, size_t len);
/* Decodes an (oayays) reply into a malloc'd NUL-terminated copy; the
 * plaintext in the reply buffer is wiped. */
int dr_transport_decode(struct dr_keyring *kr, GVariant *secret, char **out,
			size_t *len, struct dr_err *e);
void dr_transport_close(struct dr_keyring *kr);

#endif
