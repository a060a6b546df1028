/* Docker credentials in a real gnome-keyring collection (core/keyring/
 * keyring.c): store/get/erase/list round trips under canonical keys, per-app
 * scopes, and the states an operator meets (a locked collection, nothing
 * stored). One private bus + keyring for the suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/keyring.h"
#include "keyring_env.h"
#include "unit.h"

static void expect_none(struct dr_keyring *kr, const char *server, const char *scope)
{
	struct dr_creds out;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_keyring_get(kr, server, scope, &out, &e), DR_ENOTFOUND);
	ck_assert_str_eq(e.msg, DR_MSG_NOT_FOUND);
	ck_assert_ptr_null(out.username);
	ck_assert_ptr_null(out.secret);
}

START_TEST(test_round_trip_under_the_canonical_key)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };

	kenv_open(&kr, "default");
	kenv_store(&kr, "https://RT.example.com:5000/", "alice", "pw-1", 4, NULL);
	/* every spelling of the registry reaches it */
	kenv_expect(&kr, "https://RT.example.com:5000/", NULL, "alice", "pw-1", 4);
	kenv_expect(&kr, "rt.example.com:5000", NULL, "alice", "pw-1", 4);
	kenv_expect(&kr, "http://rt.example.com:5000", NULL, "alice", "pw-1", 4);
	/* another port is another registry */
	expect_none(&kr, "rt.example.com:5001", NULL);
	ck_assert_int_eq(kenv_count_items("dokku_key", "rt.example.com:5000"), 1);
	ck_assert_int_eq(kenv_count_items("server", "https://RT.example.com:5000/"), 1);
	ck_assert_int_eq(dr_keyring_erase(&kr, "rt.example.com:5000", NULL, &e), 0);
	expect_none(&kr, "https://RT.example.com:5000/", NULL);
	ck_assert_int_eq(kenv_count_items("dokku_key", "rt.example.com:5000"), 0);
	/* erasing nothing is not an error */
	ck_assert_int_eq(dr_keyring_erase(&kr, "rt.example.com:5000", NULL, &e), 0);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_secret_bytes_survive)
{
	struct dr_keyring kr;
	const char secret[] = "a\0b\"\\\n\xc3\xa9 end";

	kenv_open(&kr, "default");
	kenv_store(&kr, "bytes.example.com", "u", secret, sizeof(secret) - 1, NULL);
	kenv_expect(&kr, "bytes.example.com", NULL, "u", secret, sizeof(secret) - 1);
	kenv_store(&kr, "empty.example.com", "u", "", 0, NULL);
	kenv_expect(&kr, "empty.example.com", NULL, "u", "", 0);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_store_again_replaces)
{
	struct dr_keyring kr;

	kenv_open(&kr, "default");
	kenv_store(&kr, "again.example.com", "bob", "old", 3, NULL);
	kenv_store(&kr, "again.example.com", "bob", "newer", 5, NULL);
	ck_assert_int_eq(kenv_count_items("dokku_key", "again.example.com"), 1);
	kenv_expect(&kr, "again.example.com", NULL, "bob", "newer", 5);
	/* another user for the same registry replaces the login too */
	kenv_store(&kr, "https://again.example.com", "carol", "c", 1, NULL);
	ck_assert_int_eq(kenv_count_items("dokku_key", "again.example.com"), 1);
	kenv_expect(&kr, "again.example.com", NULL, "carol", "c", 1);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_scopes_are_separate)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };

	kenv_open(&kr, "default");
	kenv_store(&kr, "scoped.example.com", "global-user", "g", 1, NULL);
	kenv_store(&kr, "scoped.example.com", "app-user", "a", 1, "app1");
	kenv_expect(&kr, "scoped.example.com", NULL, "global-user", "g", 1);
	kenv_expect(&kr, "scoped.example.com", "app1", "app-user", "a", 1);
	/* an app without its own entry has none (the fallback is the caller's) */
	expect_none(&kr, "scoped.example.com", "app2");
	ck_assert_int_eq(kenv_count_items("dokku_key", "scoped.example.com"), 2);
	ck_assert_int_eq(dr_keyring_erase(&kr, "scoped.example.com", "app1", &e), 0);
	expect_none(&kr, "scoped.example.com", "app1");
	kenv_expect(&kr, "scoped.example.com", NULL, "global-user", "g", 1);
	dr_keyring_close(&kr);
}
END_TEST

/* A store or erase in one scope never removes or replaces another scope's
 * item: global vs an app and an app vs another app, in both orders, for the
 * same user and for different users, with and without an entry already in
 * the scope written to. (gnome-keyring's CreateItem with replace set drops
 * every item whose attributes include the new item's: a global item's
 * attributes are a subset of an app item's for the same user.) */
static void scope_pair(const char *server, const char *first_scope, const char *first_user,
		       const char *second_scope, const char *second_user, int second_has_entry)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };

	kenv_open(&kr, "default");
	if (second_has_entry)
		kenv_store(&kr, server, second_user, "old", 3, second_scope);
	kenv_store(&kr, server, first_user, "first", 5, first_scope);
	kenv_store(&kr, server, second_user, "second", 6, second_scope);
	kenv_expect(&kr, server, first_scope, first_user, "first", 5);
	kenv_expect(&kr, server, second_scope, second_user, "second", 6);
	ck_assert_int_eq(kenv_count_items("dokku_key", server), 2);
	/* erasing the second scope leaves the first alone */
	ck_assert_int_eq(dr_keyring_erase(&kr, server, second_scope, &e), 0);
	expect_none(&kr, server, second_scope);
	kenv_expect(&kr, server, first_scope, first_user, "first", 5);
	ck_assert_int_eq(dr_keyring_erase(&kr, server, first_scope, &e), 0);
	ck_assert_int_eq(kenv_count_items("dokku_key", server), 0);
	dr_keyring_close(&kr);
}

START_TEST(test_no_store_touches_another_scope)
{
	static const struct {
		const char *a, *b;
	} scopes[] = { { NULL, "app1" }, { "app1", NULL }, { "app1", "app2" } };
	static const struct {
		const char *a, *b;
	} users[] = { { "alice", "alice" }, { "alice", "bob" } };
	char server[64];
	int n = 0;

	for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++)
		for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++)
			for (int existing = 0; existing < 2; existing++) {
				snprintf(server, sizeof(server), "pair%d.example.com", n++);
				scope_pair(server, scopes[s].a, users[u].a, scopes[s].b,
					   users[u].b, existing);
			}
}
END_TEST

static const char *listed_user(const struct dr_list *l, const char *server)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->servers[i], server) == 0)
			return l->users[i];
	}
	return NULL;
}

START_TEST(test_list_by_scope)
{
	struct dr_keyring kr;
	struct dr_list l;
	struct dr_err e = { 0 };

	kenv_open(&kr, "default");
	kenv_store(&kr, "https://list-g.example.com/", "lg", "x", 1, NULL);
	kenv_store(&kr, "list-a.example.com:5000", "la", "y", 1, "lapp");
	ck_assert_int_eq(dr_keyring_list(&kr, NULL, &l, &e), 0);
	/* listed as stored (the ServerURL verbatim), like upstream */
	ck_assert_str_eq(listed_user(&l, "https://list-g.example.com/"), "lg");
	ck_assert_ptr_null(listed_user(&l, "list-a.example.com:5000"));
	dr_list_free(&l);
	ck_assert_int_eq(dr_keyring_list(&kr, "lapp", &l, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.servers[0], "list-a.example.com:5000");
	ck_assert_str_eq(l.users[0], "la");
	dr_list_free(&l);
	ck_assert_int_eq(dr_keyring_list(&kr, DR_SCOPE_ALL, &l, &e), 0);
	ck_assert_str_eq(listed_user(&l, "https://list-g.example.com/"), "lg");
	ck_assert_str_eq(listed_user(&l, "list-a.example.com:5000"), "la");
	dr_list_free(&l);
	dr_keyring_close(&kr);
}
END_TEST

/* Last: the collection stays locked for the rest of the suite. */
START_TEST(test_locked_collection)
{
	struct dr_keyring kr;
	struct dr_creds out;
	struct dr_list l;
	struct dr_creds c = { (char *)"locked.example.com", (char *)"u", (char *)"s", 1 };
	struct dr_err e = { 0 };

	kenv_open(&kr, "default");
	kenv_store(&kr, "was-there.example.com", "u", "s", 1, NULL);
	ck_assert_int_eq(kenv_keyring_lock(), 0);
	ck_assert_int_eq(dr_keyring_get(&kr, "was-there.example.com", NULL, &out, &e), DR_ELOCKED);
	ck_assert_ptr_nonnull(strstr(e.msg, "keyring collection \"default\" (/org/freedesktop/secrets/collection/login) is locked: unlock it without a prompt"));
	ck_assert_int_eq(dr_keyring_store(&kr, &c, NULL, &e), DR_ELOCKED);
	ck_assert_int_eq(dr_keyring_erase(&kr, "was-there.example.com", NULL, &e), DR_ELOCKED);
	ck_assert_int_eq(dr_keyring_list(&kr, NULL, &l, &e), DR_ELOCKED);
	ck_assert_uint_eq(l.n, 0);
	dr_keyring_close(&kr);
	/* nothing was written while locked */
	ck_assert_int_eq(kenv_count_items("dokku_key", "locked.example.com"), 0);
}
END_TEST

Suite *keyring_suite(void)
{
	Suite *s = suite_create("keyring");
	TCase *tc = tcase_create("keyring");

	tcase_add_unchecked_fixture(tc, kenv_setup, kenv_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_trip_under_the_canonical_key);
	tcase_add_test(tc, test_secret_bytes_survive);
	tcase_add_test(tc, test_store_again_replaces);
	tcase_add_test(tc, test_scopes_are_separate);
	tcase_add_test(tc, test_no_store_touches_another_scope);
	tcase_add_test(tc, test_list_by_scope);
	tcase_add_test(tc, test_locked_collection);
	suite_add_tcase(s, tc);
	return s;
}
