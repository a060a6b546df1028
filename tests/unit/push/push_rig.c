/* The push suites' rig (push_rig.h). */
#include "push_rig.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void push_rig_start(struct push_rig *g, const char *const *answers, size_t n,
		    const char *digest, long long size)
{
	struct dr_err e = { 0 };

	memset(g, 0, sizeof(*g));
	unit_canned_start(&g->srv, answers, n);
	snprintf(g->host, sizeof(g->host), "127.0.0.1:%d", g->srv.port);
	snprintf(g->blob.d.digest, sizeof(g->blob.d.digest), "%s", digest);
	g->blob.d.size = size;
	g->img.blobs = &g->blob;
	g->img.nblobs = 1;
	snprintf(g->ref.host, sizeof(g->ref.host), "%s", g->host);
	snprintf(g->ref.repo, sizeof(g->ref.repo), "app");
	g->c.img = &g->img;
	g->c.ref = &g->ref;
	g->c.o = &g->o;
	g->c.outs = g->outs;
	snprintf(g->c.scope, sizeof(g->c.scope), "repository:app:pull,push");
	g->u.c = &g->c;
	g->u.b = &g->blob;
	ck_assert_msg(dr_push_registry(&g->c, &g->u.r, &e) == 0, "%s", e.msg);
}

void push_rig_stop(struct push_rig *g)
{
	dr_registry_close(g->u.r);
	free(g->u.loc);
	unit_canned_stop(&g->srv);
}
