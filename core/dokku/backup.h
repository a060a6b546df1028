/* Dokku's backup triggers for the registry plugin: the properties of one
 * scope (an app or --global) as a recipe slice <scope dir>/config/registry.yml
 * (Dokku's BackupPropertyExport/BackupPropertyImport), and which registries
 * the scope had logins for in <scope dir>/data/registry/logins.json: server
 * and user name only, never a secret. */
#ifndef DR_BACKUP_H
#define DR_BACKUP_H

#include <stddef.h>

#include "base/err.h"
#include "dokku/backup_recipe.h"

#define DR_BACKUP_PLUGIN "registry"
#define DR_BACKUP_TASK "dokku_registry_property"
#define DR_BACKUP_PLAY "registry properties"
#define DR_LOGINS_LIMIT (1024 * 1024)
#define DR_LOGINS_MAX 10000

/* <scope>/config/registry.yml and <scope>/data/registry/logins.json, malloc'd */
char *dr_backup_recipe_path(const char *scope_dir);
char *dr_backup_logins_path(const char *scope_dir);

/* Every property file of app (or DR_GLOBAL) except config.json, sorted, as
 * the recipe slice (mode 0600). No properties: nothing is written. */
int dr_backup_props_export(const char *app, const char *scope_dir, struct dr_err *e);

struct dr_login_rec {
	char *server;   /* as docker's credHelpers key: docker.io, host[:port] */
	char *username; /* NULL when unknown */
};

struct dr_login_recs {
	struct dr_login_rec *v;
	size_t n;
};

struct dr_backup_import {
	size_t applied;          /* tasks written or deleted */
	size_t credential_tasks; /* config.json tasks (a backup by Dokku's own
				  * plugin): never written */
	size_t credential_line;  /* the first one's line */
	struct dr_login_recs logins; /* the registries those held */
};

/* Reads and checks the whole slice first (a bad one changes nothing), then
 * writes each property into app (or DR_GLOBAL) and deletes each one whose
 * state is absent. A missing slice is a no-op. Free out->logins. */
int dr_backup_props_import(const char *app, const char *scope_dir, struct dr_backup_import *out,
			   struct dr_err *e);

/* The registries of a docker config.json text (auths keys, the user name
 * of plaintext entries), added to l; the text is not kept. */
void dr_login_recs_from_dockercfg(const char *json, struct dr_login_recs *l);

/* The user name of a base64 "user:password" auths value, or NULL; the
 * decoded password is wiped. malloc'd. */
char *dr_basic_auth_username(const char *b64);

int dr_login_recs_add(struct dr_login_recs *l, const char *server, const char *username,
		      struct dr_err *e);
void dr_login_recs_free(struct dr_login_recs *l);
/* {"logins":[{"server":…,"username":…},…]} sorted by server, newline-ended */
char *dr_login_recs_emit(struct dr_login_recs *l);
/* The file's shape checked; name starts the error messages. */
int dr_login_recs_parse(const char *data, size_t len, const char *name,
			struct dr_login_recs *out, struct dr_err *e);

#endif
