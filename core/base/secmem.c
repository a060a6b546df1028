#include "base/secmem.h"

#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void (*release_hook)(void *p, size_t wiped);

void dr_secmem_set_release(void (*release)(void *p, size_t wiped))
{
	release_hook = release;
}

static void release(void *p, size_t wiped)
{
	if (release_hook)
		release_hook(p, wiped);
	else
		free(p);
}

void dr_wipe_free(void *p)
{
	size_t n;

	if (!p)
		return;
	n = malloc_usable_size(p);
	explicit_bzero(p, n);
	release(p, n);
}

void dr_str_wipe_free(char *s)
{
	dr_wipe_free(s);
}

void dr_wipe_release(void *p, size_t n)
{
	explicit_bzero(p, n);
	release(p, n);
}

static void *jansson_malloc(size_t n)
{
	return malloc(n);
}

void dr_secmem_hook_jansson(void)
{
	json_set_alloc_funcs(jansson_malloc, dr_wipe_free);
}

void dr_secmem_no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
