#include "base/digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

struct dr_hash {
	EVP_MD_CTX *ctx;
};

struct dr_hash *dr_hash_new(void)
{
	struct dr_hash *h = calloc(1, sizeof(*h));

	if (h)
		h->ctx = EVP_MD_CTX_new();
	if (h && (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)) {
		dr_hash_free(h);
		return NULL;
	}
	return h;
}

void dr_hash_update(struct dr_hash *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->ctx, p, n);
}

void dr_hash_final(struct dr_hash *h, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t o;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	o = (size_t)sprintf(out, "sha256:");
	for (unsigned int i = 0; i < n && o + 3 <= DR_DIGEST_MAX; i++)
		o += (size_t)sprintf(out + o, "%02x", md[i]);
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void dr_hash_free(struct dr_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void dr_sha256_digest(const void *p, size_t n, char *out)
{
	struct dr_hash *h = dr_hash_new();

	out[0] = '\0';
	if (!h)
		return;
	dr_hash_update(h, p, n);
	dr_hash_final(h, out);
	dr_hash_free(h);
}
