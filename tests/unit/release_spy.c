#include "release_spy.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

struct unit_released unit_released;

static void spy_release(void *p, size_t wiped)
{
	const unsigned char *c = p;

	unit_released.blocks++;
	unit_released.wiped += wiped;
	unit_released.usable += malloc_usable_size(p);
	for (size_t i = 0; i < wiped; i++)
		unit_released.dirty += c[i] != 0;
	free(p);
}

void unit_release_spy_setup(void)
{
	memset(&unit_released, 0, sizeof(unit_released));
	dr_secmem_set_release(spy_release);
}

void unit_release_spy_teardown(void)
{
	dr_secmem_set_release(NULL);
}
