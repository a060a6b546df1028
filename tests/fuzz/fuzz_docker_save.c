/* The manifest.json of a `docker save` archive. */
#include "image/imagesource.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_docker_save_entry d = { 0 };
	struct dr_err e = { 0 };

	if (dr_docker_save_parse((const char *)data, size, "app:latest", &d, &e) == 0)
		dr_docker_save_entry_free(&d);
	return 0;
}
