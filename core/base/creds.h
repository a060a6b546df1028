/* Credentials for one registry and lists of who is stored for which
 * registry: what the keyring, the credential-helper protocol and chained
 * helpers all hand around. */
#ifndef DR_CREDS_H
#define DR_CREDS_H

#include <stddef.h>

#include "base/err.h"

/* The answer to `get` for an unknown registry, word for word as
 * docker-credential-helpers' credentials package says it. */
#define DR_MSG_NOT_FOUND "credentials not found in native keychain"
/* The username under which Docker and its credential helpers store an
 * identity token (an OAuth refresh token) instead of a password. */
#define DR_TOKEN_USERNAME "<token>"

struct dr_creds {
	char *server_url;
	char *username;
	char *secret; /* may contain NUL bytes: use secret_len */
	size_t secret_len;
};

/* Wipes and frees every field; *c is zeroed. */
void dr_creds_wipe(struct dr_creds *c);

/* servers[i] is stored for users[i] */
struct dr_list {
	char **servers;
	char **users;
	size_t n;
};

void dr_list_free(struct dr_list *l);
/* Appends copies of server and user to l. */
int dr_list_append(struct dr_list *l, const char *server, const char *user, struct dr_err *e);

#endif
