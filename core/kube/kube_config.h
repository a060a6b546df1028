/* A kubeconfig (the file kubectl and Dokku's scheduler-k3s read), reduced
 * to what one API request needs: the API server of the selected context's
 * cluster, how to trust it, and the user's client certificate or token.
 * Parsed with libyaml; key material stays in memory (wiped on free). */
#ifndef DR_KUBE_CONFIG_H
#define DR_KUBE_CONFIG_H

#include <stddef.h>

#include "base/err.h"

#define DR_KUBECONFIG_LIMIT (1024 * 1024)
#define DR_KUBE_FILE_LIMIT (1024 * 1024)
/* k3s' kubeconfig (scheduler_k3s.go, KubeConfigPath) */
#define DR_K3S_KUBECONFIG "/etc/rancher/k3s/k3s.yaml"

struct dr_kblob {
	unsigned char *data; /* NUL-terminated when not NULL */
	size_t len;
};

struct dr_kubeconfig {
	char *context;     /* the context used */
	char *cluster;     /* its cluster's name */
	char *user;        /* its user's name */
	char *server;      /* https://host:port[/prefix], no trailing slash */
	int insecure;      /* insecure-skip-tls-verify */
	struct dr_kblob ca, cert, key, token; /* PEM bytes, bearer token */
	/* file references, resolved against the kubeconfig's directory;
	 * dr_kubeconfig_load reads them (the parser itself never opens a file) */
	char *ca_file, *cert_file, *key_file, *token_file;
};

/* Parses kubeconfig text. context: the one to use, NULL or "" for
 * current-context. base_dir: what relative file references are relative to
 * (NULL: left as written). Errors name the missing or malformed piece. */
int dr_kubeconfig_parse(const char *text, size_t len, const char *context, const char *base_dir,
			struct dr_kubeconfig *kc, struct dr_err *e);
/* Reads path (DR_ENOTFOUND when it does not exist), parses it and reads
 * the files it refers to. */
int dr_kubeconfig_load(const char *path, const char *context, struct dr_kubeconfig *kc,
		       struct dr_err *e);
void dr_kubeconfig_free(struct dr_kubeconfig *kc);

#endif
