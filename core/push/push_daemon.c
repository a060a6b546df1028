/* Pushing docker-daemon:NAME[:TAG] (push_int.h). The daemon's save is one
 * sequential stream, so its blobs are pushed in the order they arrive, one
 * at a time, by the calling thread: --jobs does not apply. Each blob goes
 * through dr_push_blob as from any source (HEAD, mount, upload; an
 * uncompressed layer compressed on the fly and hashed while it is read);
 * a blob the registry has is skipped in the stream without being read.
 * That includes a classic save's layers below the top one: known by their
 * v1 ids before their bytes arrive, the compression cache and a HEAD find
 * what an earlier push made of them, so a release that only adds a top
 * layer reads the others once (skipped), neither hashed nor compressed.
 * A failure that would need a blob read again (a retry after part of it
 * was consumed) fails the push: the save is not read twice. The manifest
 * is made once every blob is in (dr_daemon_save_end). */
#include "push/push_int.h"

#include <stdio.h>
#include <string.h>

int dr_push_daemon_blobs(struct dr_push_ctx *c, struct dr_image *img, struct dr_err *e)
{
	int rc = dr_daemon_save_start(img, e);

	while (rc == 0) {
		size_t idx;
		int more = dr_daemon_save_next(img, &idx, e);

		if (more <= 0) {
			rc = more;
			break;
		}
		/* a classic layer's digest is known at its end only: what it
		 * is uploaded as must be computed as it goes */
		if (img->blobs[idx].learn && !dr_push_compresses(c, idx))
			rc = dr_fail(e, DR_EINVAL, "%s: this daemon's save names layers by id, not "
				     "digest: --compress none cannot push them streamed (use gzip or "
				     "zstd)", img->name);
		if (rc == 0)
			rc = dr_push_blob(c, c->main, idx, e);
		if (rc == 0 && dr_push_signal)
			rc = dr_fail(e, DR_EIO, "interrupted");
		dr_progress_render(c->prog);
	}
	if (rc == 0)
		rc = dr_daemon_save_end(img, e);
	return rc;
}
