/* Content digests ("sha256:<hex>") of image blobs and documents, on
 * OpenSSL: several times GLib's speed on SHA-NI CPUs. */
#ifndef DR_DIGEST_H
#define DR_DIGEST_H

#include <stddef.h>

/* "sha512:" + 128 hex + NUL */
#define DR_DIGEST_MAX 136

struct dr_hash;
struct dr_hash *dr_hash_new(void);
void dr_hash_update(struct dr_hash *h, const void *p, size_t n);
/* "sha256:<hex>" into out[DR_DIGEST_MAX]; the hash is then reset */
void dr_hash_final(struct dr_hash *h, char *out);
void dr_hash_free(struct dr_hash *h);
/* "sha256:<hex>" of a buffer */
void dr_sha256_digest(const void *p, size_t n, char *out);

#endif
