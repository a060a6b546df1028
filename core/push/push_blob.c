/* One blob into the destination repository (push_int.h): a layer to
 * compress goes to push_compress.c; any other blob is skipped when the
 * registry has it (HEAD), mounted from another repository of the registry
 * when the cache knows one holding it, else uploaded (push_upload.c). */
#include "push/push_int.h"

int dr_push_blob(struct dr_push_ctx *c, struct dr_registry *r, size_t idx, struct dr_err *e)
{
	struct dr_upload u = { .c = c, .r = r, .b = &c->img->blobs[idx], .idx = idx };
	int exists = 0, mounted = 0, rc = 0;

	if (dr_push_compresses(c, idx))
		return dr_push_compressed_blob(c, r, idx, e);
	if (u.b->absent) {
		dr_up_finish(&u, DR_BLOB_EXISTS, &c->skipped); /* foreign: fetched from its URLs */
		return 0;
	}
	dr_progress_state(c->prog, idx, DR_BLOB_CHECKING, NULL);
	dr_up_set_deadline(&u, u.b->d.size);
	rc = dr_up_head(&u, &exists, e);
	if (rc == 0 && exists) {
		dr_up_finish(&u, DR_BLOB_EXISTS, &c->skipped);
		return 0;
	}
	if (rc == 0 && dr_up_mount(&u, &mounted) != 0)
		rc = dr_fail(e, DR_EIO, "interrupted");
	if (rc == 0 && mounted) {
		dr_up_finish(&u, DR_BLOB_MOUNTED, &c->mounted);
		return 0;
	}
	if (rc == 0)
		rc = dr_up_upload(&u, e);
	if (rc == 0)
		dr_up_finish(&u, DR_BLOB_PUSHED, &c->uploaded);
	else
		dr_progress_state(c->prog, idx, DR_BLOB_FAILED, NULL);
	dr_up_cancel(&u);
	dr_blob_close(u.s);
	return rc;
}
