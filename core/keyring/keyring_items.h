/* Internal to the keyring: finding, reading and deleting docker items. */
#ifndef DR_KEYRING_ITEMS_H
#define DR_KEYRING_ITEMS_H

#include <glib.h>

#include "keyring/collection.h"

#define DR_ATTR_KEY "dokku_key"
#define DR_ATTR_SCOPE "dokku_scope"

/* Match priorities of get: the exact string, the canonical key, an alias. */
enum { DR_PRIO_EXACT, DR_PRIO_KEY, DR_PRIO_ALIAS };

struct dr_item {
	char *path;
	int prio;
	int in_scope;     /* belongs to the scope asked for */
	guint64 modified;
	char *username;
	char *server;     /* the server attribute */
	char *key;        /* the dokku_key attribute, NULL when absent */
};

struct dr_found {
	struct dr_item *items;
	size_t n;
};

/* Which searches dr_items_find runs. */
#define DR_FIND_EXACT 1   /* the server string as given */
#define DR_FIND_ALIASES 2 /* its canonical key and the spellings clients store */
#define DR_FIND_RARE 4    /* also the spellings of old configs and docker logout */
#define DR_FIND_ALL (DR_FIND_EXACT | DR_FIND_ALIASES | DR_FIND_RARE)

/* The items of the collection that name the registry `server`, with their
 * attributes; DR_ELOCKED when the collection is locked. */
int dr_items_find(struct dr_keyring *kr, const char *server, const char *scope,
		  int what, int want_session, struct dr_found *found, struct dr_err *e);
/* Deletes the in-scope items of found except keep_path (may be NULL). */
int dr_items_delete(struct dr_keyring *kr, const struct dr_found *found,
		    const char *keep_path, struct dr_err *e);
void dr_found_free(struct dr_found *found);
void dr_items_dismiss(struct dr_keyring *kr, const char *prompt);

#endif
