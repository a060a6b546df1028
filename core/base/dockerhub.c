#include "base/dockerhub.h"

#include <string.h>

/* The order is the order server URL aliases are listed in (serverurl.c). */
const struct dr_hub_name dr_hub_names[] = {
	{ DR_HUB_KEY, DR_HUB_REFERENCE | DR_HUB_REGISTRY },
	{ DR_HUB_INDEX_HOST, DR_HUB_REFERENCE | DR_HUB_REGISTRY },
	{ DR_HUB_API_HOST, DR_HUB_REGISTRY },
	{ DR_HUB_WEB_HOST, DR_HUB_WEBSITE },
	{ DR_HUB_WEB_DOMAIN, DR_HUB_WEBSITE },
	{ NULL, 0 },
};

int dr_hub_name_is(const char *s, size_t n, unsigned roles)
{
	for (size_t i = 0; dr_hub_names[i].name; i++) {
		if ((dr_hub_names[i].roles & roles) && strlen(dr_hub_names[i].name) == n &&
		    memcmp(dr_hub_names[i].name, s, n) == 0)
			return 1;
	}
	return 0;
}
