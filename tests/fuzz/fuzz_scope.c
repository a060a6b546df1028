/* Docker config dirs (DOCKER_CONFIG, `docker --config DIR`) read for the
 * app they belong to, and the white space trimming of values and stdin. */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "dokku/apps.h"
#include "dokku/scope.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	char *app = dr_scope_from_dir(s);

	/* what it names is always a valid app name, never --global */
	if (app && (!dr_app_name_valid(app) || strcmp(app, "--global") == 0))
		abort();
	free(app);
	{
		size_t before = strlen(s);

		dr_trim(s);
		if (strlen(s) > before)
			abort();
	}
	free(s);
	return 0;
}
