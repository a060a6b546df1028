/* The kubelet image credential provider exec API
 * (credentialprovider.kubelet.k8s.io/v1, GA in Kubernetes 1.26): the
 * request kubelet writes to the plugin's stdin, the response it reads from
 * its stdout, and the image -> registry -> auth key rules. */
#ifndef DR_KUBE_PROVIDER_H
#define DR_KUBE_PROVIDER_H

#include <stddef.h>

#include "base/err.h"

#define DR_KUBE_API_V1 "credentialprovider.kubelet.k8s.io/v1"
#define DR_KUBE_REQUEST_LIMIT (1024u * 1024)
#define DR_KUBE_IMAGE_MAX 4096

struct dr_kube_request {
	char api_version[64]; /* v1, v1beta1 or v1alpha1: answered in kind */
	char *image;
	int has_sa_token;     /* 1.33+: a service account token came along (never kept) */
};

/* Parses a CredentialProviderRequest. Unknown apiVersion or kind, a missing
 * image, duplicate keys, wrong types: DR_EINVAL with a one-line message that
 * never quotes a token. */
int dr_kube_request_parse(const char *buf, size_t len, struct dr_kube_request *r,
			  struct dr_err *e);
void dr_kube_request_free(struct dr_kube_request *r);

struct dr_kube_image {
	char *registry; /* host[:port] as the image spells it; "" for Hub short names */
	int hub;        /* Docker Hub (docker.io, index.docker.io, registry-1.docker.io) */
	char *key;      /* the auth key kubelet matches against this image */
	char **servers; /* what to ask credential helpers, as Docker would; NULL-terminated */
};

/* Splits an image reference as Docker does (the first component is a
 * registry when it has a '.' or ':', is "localhost" or has upper case;
 * otherwise the image is on Docker Hub). */
int dr_kube_image_parse(const char *image, struct dr_kube_image *im, struct dr_err *e);
void dr_kube_image_free(struct dr_kube_image *im);

struct dr_kube_answer {
	const char *api_version;
	const char *key;      /* NULL: no credentials ("auth" left out) */
	const char *username;
	const char *password;
	size_t password_len;
	unsigned long cache_seconds;
	int sa_token;         /* the request had a serviceAccountToken (answered alike) */
};

/* The CredentialProviderResponse, one line of compact JSON ending in "\n";
 * malloc'd (wipe it with dr_wipe_free: it holds the password). */
int dr_kube_response(const struct dr_kube_answer *a, char **out, struct dr_err *e);

/* Go time.ParseDuration syntax ("90s", "1h30m", "1.5h", "0"), whole
 * seconds (rounded down), at most a year; no sign. */
int dr_duration_parse(const char *s, unsigned long *seconds, struct dr_err *e);
/* Go's Duration.String of whole seconds: "0s", "45s", "5m0s", "1h2m3s". */
void dr_duration_format(unsigned long seconds, char *buf, size_t n);

#endif
