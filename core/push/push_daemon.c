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
 * The top layer's v1 id depends on the image's config: the cache keeps
 * which layer it held once read, so an unchanged image pushed again skips
 * that one too.
 * A failure that would need a blob read again (a retry after part of it
 * was consumed) fails the push: the save is not read twice. The manifest
 * is made once every blob is in (dr_daemon_save_end). */
#include "push/push_int.h"

#include <stdio.h>
#include <string.h>

/* A classic save's top layer whose v1 id an earlier push read: taken for
 * the layer it held (the MAC'd cache entry; its data, if read, must match
 * and dr_daemon_save_end checks it against the save's list), so it can be
 * skipped like the others. Sets v1 to the id when there is one. */
static void known_top(struct dr_push_ctx *c, struct dr_image *img, size_t idx,
		      char v1[DR_DIGEST_MAX])
{
	char diff[DR_DIGEST_MAX], sd[16];
	struct dr_err ignored;
	int found;

	v1[0] = '\0';
	if (!dr_daemon_entry_v1_id(img, idx, v1))
		return;
	found = dr_blob_cache_v1_layer(c->cache, v1, diff);
	if (found < 0)
		dr_progress_line(c->prog, "%s: the compression cache's entry for this layer id fails "
				 "its check (edited, or not written here): reading the layer",
				 dr_digest_short(v1, sd, sizeof(sd)));
	if (found > 0)
		(void)dr_daemon_claim(img, idx, diff, &ignored);
}

int dr_push_daemon_blobs(struct dr_push_ctx *c, struct dr_image *img, struct dr_err *e)
{
	int rc = dr_daemon_save_start(img, e);

	while (rc == 0) {
		char v1[DR_DIGEST_MAX];
		size_t idx;
		int more = dr_daemon_save_next(img, &idx, e), learnt;

		if (more <= 0) {
			rc = more;
			break;
		}
		known_top(c, img, idx, v1);
		learnt = img->blobs[idx].learn;
		/* a classic layer's digest is known at its end only: what it
		 * is uploaded as must be computed as it goes */
		if (img->blobs[idx].learn && !dr_push_compresses(c, idx))
			rc = dr_fail(e, DR_EINVAL, "%s: this daemon's save names layers by id, not "
				     "digest: --compress none cannot push them streamed (use gzip or "
				     "zstd)", img->name);
		if (rc == 0)
			rc = dr_push_blob(c, c->main, idx, e);
		/* what its data said it was: the next push need not read it */
		if (rc == 0 && learnt && v1[0])
			dr_blob_cache_add_v1_layer(c->cache, v1, img->blobs[idx].d.digest);
		if (rc == 0 && dr_push_signal)
			rc = dr_fail(e, DR_EIO, "interrupted");
		dr_progress_render(c->prog);
	}
	if (rc == 0)
		rc = dr_daemon_save_end(img, e);
	return rc;
}
