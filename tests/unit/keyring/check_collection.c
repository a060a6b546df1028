/* Naming a collection (core/keyring/collection.c) in a real gnome-keyring:
 * by alias, label or object path; one that does not exist; an alias the
 * keyring answers with "/" at first. One private bus + keyring for the
 * suite. */
#include <string.h>

#include "keyring/collection.h"
#include "keyring/keyring.h"
#include "keyring_env.h"
#include "unit.h"

START_TEST(test_collection_by_label_and_path)
{
	struct dr_keyring kr;

	/* "Login" is the label gnome-keyring gives the login collection */
	kenv_open(&kr, "Login");
	kenv_store(&kr, "label.example.com", "l", "1", 1, NULL);
	dr_keyring_close(&kr);
	kenv_open(&kr, "/org/freedesktop/secrets/collection/login");
	kenv_expect(&kr, "label.example.com", NULL, "l", "1", 1);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_no_such_collection)
{
	struct dr_keyring kr;
	struct dr_creds out;
	struct dr_err e = { 0 };

	kenv_open(&kr, "no-such-collection");
	ck_assert_int_eq(dr_keyring_get(&kr, "x.example.com", NULL, &out, &e), DR_ENOCOLL);
	ck_assert_ptr_nonnull(strstr(e.msg, "keyring collection \"no-such-collection\" not found (no such alias or label)"));
	dr_keyring_close(&kr);
	kenv_open(&kr, "/not a path");
	ck_assert_int_eq(dr_keyring_get(&kr, "x.example.com", NULL, &out, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "collection \"/not a path\" is not a D-Bus object path");
	dr_keyring_close(&kr);
}
END_TEST

/* gnome-keyring's first answer to a new client can be "/" for an alias that
 * exists (the client is not registered yet): the first answer is made "/"
 * here, and the collection must still be found. */
START_TEST(test_alias_answered_by_the_root_path_is_asked_again)
{
	struct dr_keyring kr;
	struct dr_bus_req reqs[2] = { { 0 } };
	struct dr_prep p;
	struct dr_err e = { 0 };
	size_t n;

	kenv_open(&kr, "default");
	n = dr_keyring_prep(&kr, reqs, 0, &p);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(p.alias_idx, 0);
	reqs[0].reply = g_variant_ref_sink(g_variant_new("(o)", "/"));
	ck_assert_msg(dr_keyring_prep_finish(&kr, reqs, &p, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(kr.coll_path, "/org/freedesktop/secrets/collection/login");
	dr_bus_reqs_clear(reqs, n);
	dr_keyring_close(&kr);
}
END_TEST

Suite *collection_suite(void)
{
	Suite *s = suite_create("collection");
	TCase *tc = tcase_create("collection");

	tcase_add_unchecked_fixture(tc, kenv_setup, kenv_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_collection_by_label_and_path);
	tcase_add_test(tc, test_no_such_collection);
	tcase_add_test(tc, test_alias_answered_by_the_root_path_is_asked_again);
	suite_add_tcase(s, tc);
	return s;
}
