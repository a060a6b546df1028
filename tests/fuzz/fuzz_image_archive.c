/* A whole docker-archive (tar) source: opened, then every blob streamed. */
#include <stdio.h>
#include <stdlib.h>

#include "image/imagesource.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char src[4200];
	struct dr_image *img = NULL;
	struct dr_err e = { 0 };

	snprintf(src, sizeof(src), "docker-archive:%s", fz_write("image.tar", data, size));
	if (dr_image_open(src, &img, &e) == 0) {
		for (size_t i = 0; i < img->nblobs; i++) {
			struct dr_blob_stream *s = NULL;
			char buf[4096];

			if (dr_blob_open(img, &img->blobs[i], &s, &e) != 0)
				continue;
			while (dr_blob_read(s, buf, sizeof(buf), &e) > 0)
				;
			dr_blob_close(s);
		}
		dr_image_free(img);
	}
	return 0;
}
