#include "base/creds.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

void dr_creds_wipe(struct dr_creds *c)
{
	dr_str_wipe_free(c->server_url);
	dr_str_wipe_free(c->username);
	dr_str_wipe_free(c->secret);
	memset(c, 0, sizeof(*c));
}

void dr_list_free(struct dr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->servers ? l->servers[i] : NULL);
		free(l->users ? l->users[i] : NULL);
	}
	free(l->servers);
	free(l->users);
	memset(l, 0, sizeof(*l));
}

int dr_list_append(struct dr_list *l, const char *server, const char *user, struct dr_err *e)
{
	char **servers = realloc(l->servers, (l->n + 2) * sizeof(char *));
	char **users = servers ? realloc(l->users, (l->n + 2) * sizeof(char *)) : NULL;
	char *s, *u;

	if (servers)
		l->servers = servers;
	if (!servers || !users)
		return dr_oom(e);
	l->users = users;
	s = strdup(server);
	u = strdup(user);
	if (!s || !u) {
		free(s);
		free(u);
		return dr_oom(e);
	}
	l->servers[l->n] = s;
	l->users[l->n] = u;
	l->n++;
	l->servers[l->n] = NULL;
	l->users[l->n] = NULL;
	return 0;
}
