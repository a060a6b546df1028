/* One blob of one image to push to repository "app" on the canned HTTP/1.1
 * server (canned.h) on 127.0.0.1: the push context the push suites build
 * around it, and the registry opened for its scope. */
#ifndef DR_UNIT_PUSH_RIG_H
#define DR_UNIT_PUSH_RIG_H

#include <stddef.h>

#include "canned.h"
#include "push/push_int.h"

struct push_rig {
	struct unit_canned srv;
	struct dr_image img;
	struct dr_blob blob;      /* the image's one blob */
	struct dr_image_ref ref;  /* <host>/app */
	struct dr_push_opts o;
	struct dr_push_ctx c;
	struct dr_layer_out outs[1];
	struct dr_upload u;       /* of blob, through u.r, the registry */
	char host[64];            /* 127.0.0.1:<port> */
};

/* Starts the server with its n answers and the context around blob
 * digest (size bytes); the test fails when the registry cannot open. */
void push_rig_start(struct push_rig *g, const char *const *answers, size_t n,
		    const char *digest, long long size);
/* Closes the registry, drops an open upload session's URL, stops the server. */
void push_rig_stop(struct push_rig *g);

#endif
