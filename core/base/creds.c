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
