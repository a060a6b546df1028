/* Secrets sealed with systemd-creds (systemd >= 250): encrypted with the
 * host key (and the TPM2 when there is one), opened by systemd itself for a
 * unit's LoadCredentialEncrypted=. The secret travels on the child's stdin
 * only, never argv or environment. */
#ifndef DR_SEALEDCRED_H
#define DR_SEALEDCRED_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"

/* systemd's version from `systemd-creds --version` (0 when it is not
 * installed or says something else). */
int dr_sealed_systemd_version(void);
/* Sealing is usable: systemd-creds of systemd >= 250. */
int dr_sealed_available(void);
/* 1 when `systemd-creds has-tpm2` says a TPM2 is fully usable. */
int dr_sealed_has_tpm2(void);

/* Encrypts secret under name into path (atomically, mode 0600), with the
 * host key, plus the TPM2 when tpm2. */
int dr_sealed_encrypt(const char *name, const void *secret, size_t len, int tpm2,
		      const char *path, struct dr_err *e);
/* Decrypts path (name must match) into out (wipe it). */
int dr_sealed_decrypt(const char *name, const char *path, struct dr_buf *out, struct dr_err *e);

#endif
