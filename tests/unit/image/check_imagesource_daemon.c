/* imagesource_daemon.c and imagesource_save.c: DOCKER_HOST, the daemon's
 * image inspection, and a classic save's layer matched to its diff_id at
 * its end. */
#include <stdlib.h>
#include <string.h>

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

Suite *imagesource_daemon_suite(void)
{
	Suite *s = suite_create("imagesource_daemon");
	TCase *pure = tcase_create("pure");

	tcase_add_test(pure, test_socket_path);
	tcase_add_test(pure, test_inspect_parse);
	tcase_add_loop_test(pure, test_inspect_bad, 0,
			    (int)(sizeof(bad_inspect) / sizeof(bad_inspect[0])));
	tcase_add_test(pure, test_learned);
	suite_add_tcase(s, pure);
	return s;
}
