/* Registry addresses as clients send them, reduced to one canonical key so
 * that `https://index.docker.io/v1/`, `docker.io` and `Reg:5000/` style
 * spellings of one registry name one keyring entry. */
#ifndef DR_SERVERURL_H
#define DR_SERVERURL_H

#include "base/dockerhub.h"
#include "base/err.h"

/* Canonical key of s: scheme (http/https) dropped, host lower-cased, port
 * kept, duplicate slashes collapsed, trailing slash dropped, Hub aliases
 * folded into DR_HUB_KEY. Returns 0 and a malloc'd *key, or DR_EINVAL when
 * s is not a registry address (such strings are only ever matched verbatim). */
int dr_serverurl_canonical(const char *s, char **key, struct dr_err *e);

/* The spellings other helpers may have stored for the registry `key`
 * (a canonical key): the common ones, and with rare set also those seen only
 * in old configs and docker logout's list. NULL-terminated, malloc'd; free
 * with dr_strv_free. */
char **dr_serverurl_aliases(const char *key, int rare);

/* Host part of a canonical key ("[::1]:5000/x" -> "[::1]:5000"), malloc'd. */
char *dr_serverurl_key_host(const char *key);

void dr_strv_free(char **v);

#endif
