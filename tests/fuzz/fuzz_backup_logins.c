/* The logins list of a backup (<scope dir>/data/registry/logins.json) as
 * the import reads it, written again. */
#include <stdint.h>
#include <stdlib.h>

#include "dokku/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_login_recs l = { 0 };
	struct dr_err e = { 0 };

	if (dr_login_recs_parse((const char *)data, size, "logins.json", &l, &e) == 0) {
		char *json = dr_login_recs_emit(&l);

		free(json);
	}
	dr_login_recs_free(&l);
	return 0;
}
