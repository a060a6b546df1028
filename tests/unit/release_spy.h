/* A release hook for core's wiped memory (dr_secmem_set_release) that
 * counts every block let go and how many of its bytes were still non-zero
 * after the wipe, so a test can prove a secret was wiped. Used as a checked
 * fixture (unit_release_spy_setup/teardown). */
#ifndef DR_UNIT_RELEASE_SPY_H
#define DR_UNIT_RELEASE_SPY_H

#include <stddef.h>

struct unit_released {
	size_t blocks; /* blocks released */
	size_t wiped;  /* bytes the caller said it wiped */
	size_t usable; /* malloc_usable_size of the blocks */
	size_t dirty;  /* wiped bytes that were not zero */
};

/* zeroed by unit_release_spy_setup */
extern struct unit_released unit_released;

void unit_release_spy_setup(void);
void unit_release_spy_teardown(void);

#endif
