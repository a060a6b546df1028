/* imagesource_daemon.c and imagesource_save.c: DOCKER_HOST, the daemon's
 * image inspection, and a classic save's layer matched to its diff_id at
 * its end, or before it by its v1 id. */
#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/digest.h"
#include "image/imagesource_int.h"
#include "unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

START_TEST(test_socket_path)
{
	char p[108];
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_daemon_socket_path(NULL, p, sizeof(p), &e), 0);
	ck_assert_str_eq(p, "/var/run/docker.sock");
	ck_assert_int_eq(dr_daemon_socket_path("", p, sizeof(p), &e), 0);
	ck_assert_str_eq(p, "/var/run/docker.sock");
	ck_assert_int_eq(dr_daemon_socket_path("unix:///tmp/d/docker.sock", p, sizeof(p), &e), 0);
	ck_assert_str_eq(p, "/tmp/d/docker.sock");
	ck_assert_int_eq(dr_daemon_socket_path("tcp://10.0.0.1:2375", p, sizeof(p), &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "DOCKER_HOST=tcp://10.0.0.1:2375 is not unix://PATH"));
	ck_assert_int_eq(dr_daemon_socket_path("unix://", p, sizeof(p), &e), DR_EINVAL);
	ck_assert_int_eq(dr_daemon_socket_path("ssh://me@host", p, sizeof(p), &e), DR_EINVAL);
	/* a terminal escape in the variable is not echoed */
	ck_assert_int_eq(dr_daemon_socket_path("x\033[2J", p, sizeof(p), &e), DR_EINVAL);
	ck_assert_ptr_null(strchr(e.msg, '\033'));
}
END_TEST

START_TEST(test_inspect_parse)
{
	const char *j = "{\"Id\":\"" DC "\",\"RepoTags\":[\"a:1\"],"
			"\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"" D1 "\",\"" D2 "\",\"" D1 "\"]}}";
	char id[DR_DIGEST_MAX], **l = NULL;
	size_t n = 9;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_daemon_inspect_parse(j, strlen(j), id, &l, &n, &e), 0);
	ck_assert_str_eq(id, DC);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0], D1);
	ck_assert_str_eq(l[1], D2);
	ck_assert_str_eq(l[2], D1);
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}
END_TEST

static const char *const bad_inspect[] = {
	"",
	"[]",
	"{\"RootFS\":{\"Layers\":[]}}",
	"{\"Id\":\"sha256:12\",\"RootFS\":{\"Layers\":[]}}",
	"{\"Id\":\"sha512:" "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" "\",\"RootFS\":{\"Layers\":[]}}",
	"{\"Id\":\"" DC "\"}",
	"{\"Id\":\"" DC "\",\"RootFS\":{\"Layers\":[\"" D1 "\",7]}}",
	"{\"Id\":\"" DC "\",\"RootFS\":{\"Layers\":[\"" D1 "\",\"sha256:XYZ\"]}}",
};

START_TEST(test_inspect_bad)
{
	const char *j = bad_inspect[_i];
	char id[DR_DIGEST_MAX], **l = (char **)1;
	size_t n = 9;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_daemon_inspect_parse(j, strlen(j), id, &l, &n, &e), DR_EINVAL);
	ck_assert_ptr_null(l);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* layers D1 D2 D3 in slots 0..2, the config in 3 */
static struct dr_image *daemon_image(void)
{
	static const char *const digests[] = { D1, D2, D3, DC };
	struct dr_image *img = calloc(1, sizeof(*img));
	struct dr_err e = { 0 };

	ck_assert_ptr_nonnull(img);
	img->name = strdup("docker-daemon:x");
	img->kind = DR_SRC_DAEMON;
	img->daemon = calloc(1, sizeof(*img->daemon));
	for (size_t i = 0; i < 4; i++) {
		struct dr_descriptor d = { 0 };

		strcpy(d.digest, digests[i]);
		ck_assert_int_eq(dr_image_add_blob(img, &d, "", 0, &e), 0);
	}
	img->daemon->config = 3;
	img->daemon->seen = calloc(4, 1);
	img->daemon->current = -1;
	return img;
}

START_TEST(test_learned)
{
	struct dr_image *img = daemon_image();
	struct dr_err e = { 0 };

	/* slot 0 held D3's bytes: the two slots trade digests */
	img->blobs[0].learn = 1;
	ck_assert_int_eq(dr_daemon_learned(img, &img->blobs[0], D3, &e), 0);
	ck_assert_str_eq(img->blobs[0].d.digest, D3);
	ck_assert_str_eq(img->blobs[2].d.digest, D1);
	ck_assert_int_eq(img->blobs[0].learn, 0);
	img->daemon->seen[0] = 1;
	/* slot 1 held its own */
	img->blobs[1].learn = 1;
	ck_assert_int_eq(dr_daemon_learned(img, &img->blobs[1], D2, &e), 0);
	ck_assert_str_eq(img->blobs[1].d.digest, D2);
	img->daemon->seen[1] = 1;
	/* not a layer of the image, the config, a layer already read */
	img->blobs[2].learn = 1;
	ck_assert_int_eq(dr_daemon_learned(img, &img->blobs[2], "sha256:0000", &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "does not list"));
	ck_assert_int_eq(dr_daemon_learned(img, &img->blobs[2], DC, &e), DR_EINVAL);
	ck_assert_int_eq(dr_daemon_learned(img, &img->blobs[2], D3, &e), DR_EINVAL);
	ck_assert_int_eq(dr_daemon_learned(img, &img->blobs[2], D1, &e), 0);
	dr_image_free(img);
}
END_TEST

/* What Docker 20.10 named the layers of an image of four layers in its
 * classic save (each with one small file; the top one has its own id). */
START_TEST(test_classic_v1_ids)
{
	static char d0[] = "sha256:746ca6cfec5a68b9d8434ec7290e9acccf2c39d08dba2bbac1c43e32c9eb44ee",
		    d1[] = "sha256:863f397cc535e5a9e6fb7020422b3c9e17247b124ccfcda235e08efc98095c01",
		    d2[] = "sha256:5e57b909176946f58811d9497074efb6d3088257d2ba35897b593c8baea0b891",
		    d3[] = "sha256:e4f10602cf3ab70d89f4b4f7f65aa4284f762388046453ab0dcbd5d464391c8d",
		    short_one[] = "sha256:12";
	char *const diff[] = { d0, d1, d2, d3 };
	char v1[4][DR_DIGEST_MAX], *bad[] = { d0, short_one };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_classic_v1_ids(diff, 4, v1, &e), 0);
	ck_assert_str_eq(v1[0], "sha256:bf262fe692abdade14fb09603bed0f19207c29639403e291f9319a1eb9ebb2b7");
	ck_assert_str_eq(v1[1], "sha256:057c176f09b4845f0f22625b6b3b82041fd209cc91efb2ebc20bc1f70d55d98d");
	ck_assert_str_eq(v1[2], "sha256:425d3c944b7fb53dcda3543c7f1be89b987cf12a71d278e08a817a416f115f26");
	/* the same chain below gives the same ids, whatever comes above */
	ck_assert_int_eq(dr_classic_v1_ids(diff, 2, v1, &e), 0);
	ck_assert_str_eq(v1[1], "sha256:057c176f09b4845f0f22625b6b3b82041fd209cc91efb2ebc20bc1f70d55d98d");
	/* another layer below: another id above */
	ck_assert_int_eq(dr_classic_v1_ids(diff + 1, 2, v1, &e), 0);
	ck_assert_str_ne(v1[1], "sha256:057c176f09b4845f0f22625b6b3b82041fd209cc91efb2ebc20bc1f70d55d98d");
	ck_assert_int_eq(dr_classic_v1_ids(bad, 2, v1, &e), DR_EINVAL);
	ck_assert_int_eq(dr_classic_v1_ids(diff, 0, v1, &e), 0);
}
END_TEST

/* ---- a save read through a daemon's socket: a server thread answering
 * GET /images/x/json and GET /images/x/get with a tar made here ---- */

struct fake {
	char dir[64], sock[108];
	int lfd;
	pthread_t tid;
	char *inspect;
	void *tar;
	size_t tar_len;
};

struct entry {
	const char *name;
	const char *data;
};

static void *serve(void *arg)
{
	struct fake *f = arg;

	for (int k = 0; k < 2; k++) {
		char req[4096], head[256];
		size_t got = 0;
		int c = accept(f->lfd, NULL, NULL);
		const void *body;
		size_t len;

		if (c < 0)
			break;
		while (got < sizeof(req) - 1 && !memmem(req, got, "\r\n\r\n", 4)) {
			ssize_t r = read(c, req + got, sizeof(req) - 1 - got);

			if (r <= 0)
				break;
			got += (size_t)r;
		}
		req[got] = '\0';
		body = strstr(req, "/json ") ? (const void *)f->inspect : f->tar;
		len = strstr(req, "/json ") ? strlen(f->inspect) : f->tar_len;
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", len);
		(void)!write(c, head, strlen(head));
		(void)!write(c, body, len);
		close(c);
	}
	return NULL;
}

static void fake_start(struct fake *f, const struct entry *ents, size_t n, const char *inspect)
{
	struct archive *a = archive_write_new();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t cap = 1 << 20, used = 0;

	f->tar = malloc(cap);
	archive_write_set_format_pax_restricted(a);
	ck_assert_int_eq(archive_write_open_memory(a, f->tar, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		archive_write_data(a, ents[i].data, strlen(ents[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	f->tar_len = used;
	f->inspect = strdup(inspect);
	strcpy(f->dir, "/tmp/dr-unit-daemon.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/d.sock", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->sock);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f->lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&f->tid, NULL, serve, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->tid, NULL);
	close(f->lfd);
	unlink(f->sock);
	rmdir(f->dir);
	free(f->inspect);
	free(f->tar);
}

/* Opens docker-daemon:x through f, reads every blob the save hands out
 * (each verified at its end), makes the manifest: its text. */
static char *push_through(struct fake *f)
{
	char host[200], *out;
	struct dr_image *img = NULL;
	struct dr_err e = { 0 };
	size_t idx;
	int more;

	snprintf(host, sizeof(host), "unix://%s", f->sock);
	setenv("DOCKER_HOST", host, 1);
	ck_assert_msg(dr_image_open("docker-daemon:x", &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(dr_daemon_save_start(img, &e), 0);
	while ((more = dr_daemon_save_next(img, &idx, &e)) == 1) {
		struct dr_blob_stream *s = NULL;
		char buf[100];
		long n;

		ck_assert_int_eq(dr_blob_open(img, &img->blobs[idx], &s, &e), 0);
		while ((n = dr_blob_read(s, buf, sizeof(buf), &e)) > 0)
			;
		ck_assert_msg(n == 0, "%s", e.msg);
		dr_blob_close(s);
		/* read once */
		ck_assert_int_eq(dr_blob_open(img, &img->blobs[idx], &s, &e), DR_EIO);
	}
	ck_assert_msg(more == 0, "%s", e.msg);
	ck_assert_msg(dr_daemon_save_end(img, &e) == 0, "%s", e.msg);
	out = strndup(dr_image_top(img)->data, dr_image_top(img)->len);
	dr_image_free(img);
	unsetenv("DOCKER_HOST");
	return out;
}

#define L1 "layer one"
#define L2 "the second layer"

static void digests(char *c, char *l1, char *l2, char *inspect, size_t n, const char *config)
{
	dr_sha256_digest(config, strlen(config), c);
	dr_sha256_digest(L1, strlen(L1), l1);
	dr_sha256_digest(L2, strlen(L2), l2);
	snprintf(inspect, n, "{\"Id\":\"%s\",\"RootFS\":{\"Layers\":[\"%s\",\"%s\"]}}", c, l1,
		 l2);
}

/* A manifest with config c and layers l1, l2 in that order. */
static void assert_manifest(const char *m, const char *c, const char *l1, const char *l2)
{
	const char *pc = strstr(m, c), *p1 = strstr(m, l1), *p2 = strstr(m, l2);

	ck_assert_ptr_nonnull(pc);
	ck_assert_ptr_nonnull(p1);
	ck_assert_ptr_nonnull(p2);
	ck_assert(pc < p1 && p1 < p2);
}

/* A fake daemon serving ents, the save pushed through it: the manifest
 * names config c, then l1 and l2 in diff_id order. */
static void check_save(const struct entry *ents, size_t n, const char *inspect, const char *c,
		       const char *l1, const char *l2)
{
	struct fake f = { 0 };
	char *m;

	fake_start(&f, ents, n, inspect);
	m = push_through(&f);
	fake_stop(&f);
	assert_manifest(m, c, l1, l2);
	free(m);
}

START_TEST(test_save_oci_layout)
{
	const char *config = "{\"rootfs\":{\"type\":\"layers\"}}";
	char c[DR_DIGEST_MAX], l1[DR_DIGEST_MAX], l2[DR_DIGEST_MAX], inspect[600];
	char n1[DR_DIGEST_MAX + 16], n2[DR_DIGEST_MAX + 16], nc[DR_DIGEST_MAX + 16];

	digests(c, l1, l2, inspect, sizeof(inspect), config);
	snprintf(n1, sizeof(n1), "blobs/sha256/%s", l1 + 7);
	snprintf(n2, sizeof(n2), "blobs/sha256/%s", l2 + 7);
	snprintf(nc, sizeof(nc), "blobs/sha256/%s", c + 7);
	{
		/* Docker 25+: blobs by name, the layout's documents last */
		const struct entry ents[] = { { "blobs/", "" }, { n2, L2 }, { nc, config },
					      { n1, L1 }, { "index.json", "{}" },
					      { "manifest.json", "[]" }, { "oci-layout", "{}" } };

		check_save(ents, sizeof(ents) / sizeof(ents[0]), inspect, c, l1, l2);
	}
}
END_TEST

START_TEST(test_save_classic)
{
	const char *config = "{\"rootfs\":{}}";
	char c[DR_DIGEST_MAX], l1[DR_DIGEST_MAX], l2[DR_DIGEST_MAX], inspect[600];
	char nc[DR_DIGEST_MAX + 8];

	digests(c, l1, l2, inspect, sizeof(inspect), config);
	snprintf(nc, sizeof(nc), "%s.json", c + 7);
	{
		/* v1 ids in the other order than the layers: the second layer
		 * arrives first, in the first free slot, and is matched at its end */
		const struct entry ents[] = { { nc, config }, { "aaaa/VERSION", "1.0" },
					      { "aaaa/json", "{}" }, { "aaaa/layer.tar", L2 },
					      { "bbbb/layer.tar", L1 }, { "manifest.json", "[]" },
					      { "repositories", "{}" } };

		check_save(ents, sizeof(ents) / sizeof(ents[0]), inspect, c, l1, l2);
	}
}
END_TEST

/* A classic save of layers L1, L2 and L3 (the top): the config, then L3
 * (a v1 id of its own), L1 and L2 under their computed v1 ids, then
 * manifest.json listing the layers as lv1, lv2, lv3. The layers taken by
 * name come out known (not learnt); the manifest names them in order.
 * claim: the diff_id L3 is taken for before it is read (by what an earlier
 * push learnt), as L1 or L2 (0, 1), L3 (2), or none (-1); lv3 the top's
 * path in manifest.json (NULL: its own). Returns what dr_daemon_save_end
 * said (its message in e). */
#define L3 "the top one"
static int classic_by_name(const char *lv1, const char *lv2, int with_listing, int claim,
			   const char *lv3, struct dr_err *e)
{
	const char *config = "{\"rootfs\":{}}";
	char c[DR_DIGEST_MAX], d[3][DR_DIGEST_MAX], v1[3][DR_DIGEST_MAX], inspect[800];
	char nc[DR_DIGEST_MAX + 8], n1[512], n2[512], listing[2048], host[200];
	char *diff[] = { d[0], d[1], d[2] };
	const char *tops = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/layer.tar";
	struct fake f = { 0 };
	struct dr_image *img = NULL;
	size_t idx;
	int more, by_name = 0, rc;

	dr_sha256_digest(config, strlen(config), c);
	dr_sha256_digest(L1, strlen(L1), d[0]);
	dr_sha256_digest(L2, strlen(L2), d[1]);
	dr_sha256_digest(L3, strlen(L3), d[2]);
	ck_assert_int_eq(dr_classic_v1_ids(diff, 3, v1, e), 0);
	snprintf(inspect, sizeof(inspect), "{\"Id\":\"%s\",\"RootFS\":{\"Layers\":[\"%s\","
		 "\"%s\",\"%s\"]}}", c, d[0], d[1], d[2]);
	snprintf(nc, sizeof(nc), "%s.json", c + 7);
	snprintf(n1, sizeof(n1), "%s/layer.tar", v1[0] + 7);
	snprintf(n2, sizeof(n2), "%s/layer.tar", v1[1] + 7);
	snprintf(listing, sizeof(listing), "[{\"Config\":\"%s\",\"Layers\":[\"%s\",\"%s\","
		 "\"%s\"]}]", nc, lv1 ? lv1 : n1, lv2 ? lv2 : n2, lv3 ? lv3 : tops);
	{
		const struct entry ents[] = { { nc, config }, { tops, L3 }, { n2, L2 }, { n1, L1 },
					      { with_listing ? "manifest.json" : "repositories",
						with_listing ? listing : "{}" } };

		fake_start(&f, ents, sizeof(ents) / sizeof(ents[0]), inspect);
	}
	snprintf(host, sizeof(host), "unix://%s", f.sock);
	setenv("DOCKER_HOST", host, 1);
	ck_assert_msg(dr_image_open("docker-daemon:x", &img, e) == 0, "%s", e->msg);
	ck_assert_int_eq(dr_daemon_save_start(img, e), 0);
	while ((more = dr_daemon_save_next(img, &idx, e)) == 1) {
		struct dr_blob_stream *s = NULL;
		char buf[100], v1top[DR_DIGEST_MAX];
		long n;

		if (claim >= 0 && img->blobs[idx].learn) {
			ck_assert_int_eq(dr_daemon_entry_v1_id(img, idx, v1top), 1);
			ck_assert_str_eq(v1top + 7, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
			ck_assert_msg(dr_daemon_claim(img, idx, d[claim], e) == 0, "%s", e->msg);
			ck_assert_int_eq(img->blobs[idx].learn, 0);
			ck_assert_str_eq(img->blobs[idx].d.digest, d[claim]);
			/* taken once */
			ck_assert_int_eq(dr_daemon_claim(img, idx, d[claim], e), DR_EINVAL);
			continue;
		}
		if (!img->blobs[idx].learn && strcmp(img->blobs[idx].d.digest, c) != 0) {
			/* known before its bytes: left unread (the save skips it) */
			by_name++;
			ck_assert(strcmp(img->blobs[idx].d.digest, d[0]) == 0 ||
				  strcmp(img->blobs[idx].d.digest, d[1]) == 0);
			continue;
		}
		ck_assert_int_eq(dr_blob_open(img, &img->blobs[idx], &s, e), 0);
		while ((n = dr_blob_read(s, buf, sizeof(buf), e)) > 0)
			;
		ck_assert_msg(n == 0, "%s", e->msg);
		dr_blob_close(s);
	}
	ck_assert_msg(more == 0, "%s", e->msg);
	ck_assert_int_eq(by_name, claim >= 0 && claim < 2 ? 1 : 2);
	rc = dr_daemon_save_end(img, e);
	if (rc == 0)
		assert_manifest(dr_image_top(img)->data, d[0], d[1], d[2]);
	dr_image_free(img);
	unsetenv("DOCKER_HOST");
	fake_stop(&f);
	return rc;
}

START_TEST(test_save_classic_by_v1_id)
{
	struct dr_err e = { 0 };

	ck_assert_msg(classic_by_name(NULL, NULL, 1, -1, NULL, &e) == 0, "%s", e.msg);
	/* the top one too, when an earlier push learnt what its v1 id holds */
	ck_assert_msg(classic_by_name(NULL, NULL, 1, 2, NULL, &e) == 0, "%s", e.msg);
}
END_TEST

/* the daemon's own list disagrees, or is missing: no manifest */
START_TEST(test_save_classic_by_v1_id_checked)
{
	struct dr_err e = { 0 };
	const char *other = "0000000000000000000000000000000000000000000000000000000000000000/layer.tar";

	ck_assert_int_eq(classic_by_name(other, NULL, 1, -1, NULL, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "lists another layer 0 than its image's"));
	ck_assert_int_eq(classic_by_name(NULL, "x", 1, -1, NULL, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "lists another layer 1"));
	ck_assert_int_eq(classic_by_name(NULL, NULL, 0, -1, NULL, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "no readable manifest.json"));
	/* the top taken for a layer below: that one's own entry then finds
	 * its blob taken, and the layer the top was never comes */
	ck_assert_int_eq(classic_by_name(NULL, NULL, 1, 1, NULL, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "has no blob"));
	/* the daemon's list has the top's v1 id elsewhere */
	ck_assert_int_eq(classic_by_name(NULL, NULL, 1, 2, other, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "does not list layer"));
}
END_TEST

Suite *imagesource_daemon_suite(void)
{
	Suite *s = suite_create("imagesource_daemon");
	TCase *pure = tcase_create("pure");

	tcase_add_test(pure, test_socket_path);
	tcase_add_test(pure, test_inspect_parse);
	tcase_add_loop_test(pure, test_inspect_bad, 0,
			    (int)(sizeof(bad_inspect) / sizeof(bad_inspect[0])));
	tcase_add_test(pure, test_learned);
	tcase_add_test(pure, test_classic_v1_ids);
	suite_add_tcase(s, pure);
	{
		TCase *save = tcase_create("save");

		tcase_add_test(save, test_save_oci_layout);
		tcase_add_test(save, test_save_classic);
		tcase_add_test(save, test_save_classic_by_v1_id);
		tcase_add_test(save, test_save_classic_by_v1_id_checked);
		suite_add_tcase(s, save);
	}
	return s;
}
