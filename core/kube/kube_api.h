/* One request to a Kubernetes API server with libcurl, authenticated as
 * the kubeconfig says: the CA, client certificate and key are handed to
 * libcurl as in-memory blobs (no key file is ever written), a bearer token
 * as a header that is wiped after the request. Deadlines, a low-speed
 * limit and a body limit on every request; redirects are not followed. */
#ifndef DR_KUBE_API_H
#define DR_KUBE_API_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"
#include "kube/kube_config.h"

#define DR_KUBE_BODY_LIMIT (4 * 1024 * 1024)
#define DR_KUBE_TIMEOUT_MS 30000L

struct dr_kube_resp {
	long status;         /* HTTP status */
	struct dr_buf body;  /* wiped on free: a Secret's data comes back in it */
};

/* method: GET, PATCH, DELETE…; path starts with '/'; ctype and body may be
 * NULL. 0 when the server answered (whatever the status); DR_ETLS,
 * DR_ENET, DR_ETIMEOUT or DR_ETOOBIG otherwise. */
int dr_kube_request(const struct dr_kubeconfig *kc, const char *method, const char *path,
		    const char *ctype, const char *body, size_t body_len,
		    struct dr_kube_resp *resp, struct dr_err *e);
void dr_kube_resp_free(struct dr_kube_resp *resp);

/* The `message` of a Kubernetes Status body, else "HTTP <status>"; malloc'd. */
char *dr_kube_status_message(const struct dr_kube_resp *resp);

#endif
