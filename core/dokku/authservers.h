/* The `auth-servers` report fields of Dokku >= 0.38.29 (PR #9057): which
 * registries a docker config.json holds credentials for, named as they
 * would be passed to registry:login. Server names only, never any part of
 * a credential. */
#ifndef DR_AUTHSERVERS_H
#define DR_AUTHSERVERS_H

#include <jansson.h>

/* Dokku's name for an auths key: the host without scheme and path, Docker
 * Hub (docker.io, index.docker.io, its index URL) as "docker.io".
 * malloc'd; NULL when out of memory. */
char *dr_auth_server_name(const char *key);

/* Whether the credential filed under auths[key] is really there. */
typedef int (*dr_auth_held_fn)(const char *key, void *arg);

/* The names of the auths keys of a config.json root (held: those it
 * accepts; NULL: all), sorted in byte order, duplicates dropped, joined
 * with ",". malloc'd ("" for none); NULL when out of memory. */
char *dr_auth_servers(const json_t *root, dr_auth_held_fn held, void *arg);

#endif
