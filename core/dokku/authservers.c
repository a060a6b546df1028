#include "dokku/authservers.h"

#include <stdlib.h>
#include <string.h>

#include "base/dockerhub.h"

/* docker's convertToHostname: "http://" or "https://" dropped, then
 * everything from the first "/"; [start, start + len) of s */
static void hostname_of(const char *s, const char **start, size_t *len)
{
	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else if (strncmp(s, "https://", 8) == 0)
		s += 8;
	*start = s;
	*len = strcspn(s, "/");
}

char *dr_auth_server_name(const char *key)
{
	const char *host, *norm = key;
	size_t len, norm_len;

	/* the aliases registry:login folds, then docker's Hub key */
	if (dr_hub_name_is(key, strlen(key), DR_HUB_WEBSITE))
		norm = DR_HUB_KEY;
	hostname_of(norm, &host, &norm_len);
	if (norm_len == 0 || dr_hub_name_is(host, norm_len, DR_HUB_REFERENCE))
		return strdup(DR_HUB_KEY);
	hostname_of(key, &host, &len);
	return strndup(host, len);
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *dr_auth_servers(const json_t *root, dr_auth_held_fn held, void *arg)
{
	json_t *auths = json_object_get(root, "auths");
	size_t n = 0, cap = json_is_object(auths) ? json_object_size(auths) : 0, len = 1;
	char **names = calloc(cap + 1, sizeof(*names)), *out = NULL, *p;
	const char *key;
	json_t *v;
	int ok = names != NULL;

	if (ok)
		json_object_foreach(auths, key, v) {
			if (held && !held(key, arg))
				continue;
			names[n] = dr_auth_server_name(key);
			if (!names[n]) {
				ok = 0;
				break;
			}
			n++;
		}
	if (ok && n > 1)
		qsort(names, n, sizeof(*names), by_bytes);
	for (size_t i = 0; ok && i < n; i++)
		len += strlen(names[i]) + 1;
	out = ok ? malloc(len) : NULL;
	if (out) {
		p = out;
		*p = '\0';
		for (size_t i = 0; i < n; i++) {
			if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
				continue;
			if (p > out)
				*p++ = ',';
			p = stpcpy(p, names[i]);
		}
	}
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return out;
}
