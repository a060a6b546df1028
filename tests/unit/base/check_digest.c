#include "base/digest.h"
#include "image/imagesource.h"
#include "unit.h"

#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

START_TEST(test_sha256)
{
	char d[DR_DIGEST_MAX];
	struct dr_hash *h = dr_hash_new();

	dr_sha256_digest("", 0, d);
	ck_assert_str_eq(d, SHA_EMPTY);
	dr_sha256_digest("abc", 3, d);
	ck_assert_str_eq(d, SHA_ABC);
	ck_assert(dr_digest_valid(d));
	/* in pieces, the same; final resets for the next one */
	ck_assert_ptr_nonnull(h);
	dr_hash_update(h, "a", 1);
	dr_hash_update(h, "", 0);
	dr_hash_update(h, "bc", 2);
	dr_hash_final(h, d);
	ck_assert_str_eq(d, SHA_ABC);
	dr_hash_final(h, d);
	ck_assert_str_eq(d, SHA_EMPTY);
	dr_hash_update(h, "abc", 3);
	dr_hash_final(h, d);
	ck_assert_str_eq(d, SHA_ABC);
	dr_hash_free(h);
	dr_hash_free(NULL);
}
END_TEST

Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("sha256");

	tcase_add_test(tc, test_sha256);
	suite_add_tcase(s, tc);
	return s;
}
