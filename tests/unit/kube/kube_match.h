/* How kubelet matches images against credential keys and matchImages
 * patterns (k8s pkg/credentialprovider/keyring.go: URLsMatchStr,
 * ParseSchemelessURL, BasicDockerKeyring.Add/Lookup, isDefaultRegistryMatch),
 * modelled here so tests can prove that the keys dokku-credential-provider
 * returns are the ones kubelet will use. A test oracle: not in the library. */
#ifndef DR_KUBE_MATCH_H
#define DR_KUBE_MATCH_H

#include <stddef.h>

#include "base/dockerhub.h"

/* URLsMatchStr(glob, target): 1 when target (an image, schemeless) matches
 * glob (a key or matchImages entry): same number of host labels, each label
 * a Go filepath.Match of the glob's, equal ports (none = none), the glob's
 * path a string prefix of the target's. 0 otherwise, also when either does
 * not parse as a URL. */
int dr_kube_urls_match(const char *glob, const char *target);

/* isDefaultRegistryMatch: the image would be pulled from Docker Hub. */
int dr_kube_default_registry_match(const char *image);

/* The key BasicDockerKeyring.Add files credentials under: scheme dropped,
 * a leading /v1/ or /v2/ of the path dropped, "/" alone dropped. malloc'd,
 * NULL when kubelet would ignore the entry (does not parse). */
char *dr_kube_key_normalize(const char *key);

/* BasicDockerKeyring.Lookup over keys[0..n): the index of the first key
 * (in kubelet's reverse-sorted order) whose credentials kubelet tries for
 * image, or -1 when none applies. */
long dr_kube_lookup(const char *const *keys, size_t n, const char *image);

/* isImageAllowed: image matches one of the provider's matchImages. */
int dr_kube_image_allowed(const char *const *match_images, size_t n, const char *image);

#endif
