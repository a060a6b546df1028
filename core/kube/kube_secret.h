/* The image pull Secret dokku-registry puts into a cluster: a v1 Secret of
 * type kubernetes.io/dockerconfigjson whose .dockerconfigjson holds real
 * `auths` entries (what kubelet reads), labelled as ours so that nothing
 * else is ever overwritten or deleted. */
#ifndef DR_KUBE_SECRET_H
#define DR_KUBE_SECRET_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

#define DR_KUBE_MANAGED_BY_LABEL "app.kubernetes.io/managed-by"
#define DR_KUBE_MANAGER "dokku-registry"
#define DR_KUBE_APP_ANNOTATION "dokku-registry/app"
#define DR_KUBE_SECRET_TYPE "kubernetes.io/dockerconfigjson"

/* Adds auths[key]: {username, password, auth} for a login, or
 * {identitytoken} when token is set (secret is then the token). */
int dr_kube_auths_add(json_t *auths, const char *key, const char *username, const char *secret,
		      size_t secret_len, int token, struct dr_err *e);

/* The Secret object (new reference): data[".dockerconfigjson"] is the
 * base64 of {"auths": auths}. */
json_t *dr_kube_secret_build(const char *name, const char *ns, const char *app,
			     const json_t *auths, struct dr_err *e);

/* A Kubernetes object name (RFC 1123 subdomain, at most 253). */
int dr_kube_name_valid(const char *name);
/* A namespace name (RFC 1123 label, at most 63). */
int dr_kube_namespace_valid(const char *ns);

enum dr_kube_owner { DR_KUBE_NOT_OURS = 0, DR_KUBE_OURS = 1, DR_KUBE_OTHER_APP = 2 };
/* Whether a Secret (a GET body) carries our managed-by label, and for app. */
enum dr_kube_owner dr_kube_secret_owner(const char *body, size_t len, const char *app);

#endif
