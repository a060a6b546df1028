/* Memory that may hold secrets: wiped before it is freed, never dumped. */
#ifndef DR_SECMEM_H
#define DR_SECMEM_H

#include <stddef.h>

/* free() that wipes the whole allocation first (glibc malloc_usable_size). */
void dr_wipe_free(void *p);
/* Wipes the first n bytes of p, then releases it (as dr_wipe_free does):
 * for blocks whose owner knows their size (struct dr_buf). */
void dr_wipe_release(void *p, size_t n);
/* Wiping strdup/free pair for strings that held secrets. */
void dr_str_wipe_free(char *s);

/* Where wiped memory goes: free() by default. A unit test installs its own
 * to see each block (and the size that was wiped) before it is released;
 * NULL puts free() back. */
void dr_secmem_set_release(void (*release)(void *p, size_t wiped));

/* Routes jansson's allocations through dr_wipe_free, so every JSON string
 * that carried a secret is wiped when the document is released. */
void dr_secmem_hook_jansson(void);

/* No core dumps, no ptrace attach by other processes of the same user. */
void dr_secmem_no_dumps(void);

#endif
