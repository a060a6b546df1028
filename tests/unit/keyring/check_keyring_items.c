/* Finding and deleting docker items (core/keyring/keyring_items.c) in a
 * real gnome-keyring: which spellings each search mode reaches, the match
 * priorities get picks by, scopes, and deletes that keep one item. Items
 * written by other clients (upstream docker-credential-secretservice: a
 * server attribute, no dokku_key) are made here with a raw CreateItem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/keyring.h"
#include "keyring_env.h"
#include "keyring/keyring_items.h"
#include "unit.h"

static void kr_open(struct dr_keyring *kr)
{
	struct dr_keyring_opts o = { "default", kenv_bus_address(), DR_TRANSPORT_PLAIN, 5000 };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_keyring_open(kr, &o, &e) == 0, "%s", e.msg);
}

/* An item the way upstream's helper stores one (no dokku_key, no scope). */
static void upstream_item(struct dr_keyring *kr, const char *server, const char *user)
{
	struct dr_found none = { 0 };
	struct dr_err e = { 0 };
	GVariantBuilder attrs, props;
	GVariant *r;

	/* resolves the collection and opens the plain session */
	ck_assert_int_eq(dr_items_find(kr, "unused.example.com", NULL, DR_FIND_EXACT, 1, &none, &e), 0);
	dr_found_free(&none);
	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&attrs, "{ss}", "xdg:schema", DR_SCHEMA);
	g_variant_builder_add(&attrs, "{ss}", "label", DR_CREDS_LABEL);
	g_variant_builder_add(&attrs, "{ss}", "server", server);
	g_variant_builder_add(&attrs, "{ss}", "username", user);
	g_variant_builder_add(&attrs, "{ss}", "docker_cli", "1");
	g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&props, "{sv}", DR_IFACE_ITEM ".Label", g_variant_new_string(server));
	g_variant_builder_add(&props, "{sv}", DR_IFACE_ITEM ".Attributes",
			      g_variant_builder_end(&attrs));
	r = dr_bus_call(&kr->bus, kr->coll_path, DR_IFACE_COLLECTION, "CreateItem",
			g_variant_new("(@a{sv}@(oayays)b)", g_variant_builder_end(&props),
				      dr_transport_encode(kr, "up", 2), FALSE),
			"(oo)", &e);
	ck_assert_msg(r != NULL, "%s", e.msg);
	g_variant_unref(r);
}

static void store(struct dr_keyring *kr, const char *server, const char *user, const char *scope)
{
	struct dr_creds c = { (char *)server, (char *)user, (char *)"s", 1 };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_keyring_store(kr, &c, scope, &e) == 0, "%s", e.msg);
}

static const struct dr_item *by_server(const struct dr_found *f, const char *server)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->items[i].server, server) == 0)
			return &f->items[i];
	}
	return NULL;
}

START_TEST(test_find_modes_and_priorities)
{
	struct dr_keyring kr;
	struct dr_found f;
	struct dr_err e = { 0 };
	const struct dr_item *it;

	kr_open(&kr);
	store(&kr, "prio.example.com", "ours", NULL);
	upstream_item(&kr, "https://prio.example.com", "theirs");
	/* the exact string only */
	ck_assert_int_eq(dr_items_find(&kr, "prio.example.com", NULL, DR_FIND_EXACT, 0, &f, &e), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(f.items[0].username, "ours");
	ck_assert_int_eq(f.items[0].prio, DR_PRIO_EXACT);
	ck_assert_str_eq(f.items[0].key, "prio.example.com");
	ck_assert_int_eq(f.items[0].in_scope, 1);
	ck_assert_uint_gt(f.items[0].modified, 0);
	dr_found_free(&f);
	/* the key and the spellings clients store reach both */
	ck_assert_int_eq(dr_items_find(&kr, "prio.example.com", NULL, DR_FIND_ALIASES, 0, &f, &e), 0);
	ck_assert_uint_eq(f.n, 2);
	it = by_server(&f, "prio.example.com");
	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq(it->prio, DR_PRIO_KEY);
	it = by_server(&f, "https://prio.example.com");
	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq(it->prio, DR_PRIO_ALIAS);
	ck_assert_str_eq(it->username, "theirs");
	ck_assert_ptr_null(it->key);
	dr_found_free(&f);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_upstream_item_is_read_by_get)
{
	struct dr_keyring kr;
	struct dr_creds out;
	struct dr_err e = { 0 };

	kr_open(&kr);
	upstream_item(&kr, "https://only-upstream.example.com/", "up-user");
	ck_assert_int_eq(dr_keyring_get(&kr, "only-upstream.example.com", NULL, &out, &e), 0);
	ck_assert_str_eq(out.username, "up-user");
	ck_assert_uint_eq(out.secret_len, 2);
	ck_assert_mem_eq(out.secret, "up", 2);
	dr_creds_wipe(&out);
	/* a store looks only at the spellings clients store under, so this
	 * rare one stays; get prefers our item (canonical key over alias) */
	store(&kr, "only-upstream.example.com", "ours", NULL);
	ck_assert_int_eq(kenv_count_items("server", "https://only-upstream.example.com/"), 1);
	ck_assert_int_eq(kenv_count_items("dokku_key", "only-upstream.example.com"), 1);
	ck_assert_int_eq(dr_keyring_get(&kr, "https://only-upstream.example.com/", NULL, &out, &e), 0);
	ck_assert_str_eq(out.username, "up-user"); /* the exact string wins */
	dr_creds_wipe(&out);
	ck_assert_int_eq(dr_keyring_get(&kr, "only-upstream.example.com", NULL, &out, &e), 0);
	ck_assert_str_eq(out.username, "ours");
	dr_creds_wipe(&out);
	/* a common spelling is taken over by the next store */
	upstream_item(&kr, "https://only-upstream.example.com", "up2");
	store(&kr, "only-upstream.example.com", "ours", NULL);
	ck_assert_int_eq(kenv_count_items("server", "https://only-upstream.example.com"), 0);
	/* erase clears every spelling */
	ck_assert_int_eq(dr_keyring_erase(&kr, "only-upstream.example.com", NULL, &e), 0);
	ck_assert_int_eq(kenv_count_items("server", "https://only-upstream.example.com/"), 0);
	ck_assert_int_eq(kenv_count_items("dokku_key", "only-upstream.example.com"), 0);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_scope_marks_items)
{
	struct dr_keyring kr;
	struct dr_found f;
	struct dr_err e = { 0 };
	int global = 0, app = 0;

	kr_open(&kr);
	store(&kr, "sc.example.com", "g", NULL);
	store(&kr, "sc.example.com", "a", "web");
	ck_assert_int_eq(dr_items_find(&kr, "sc.example.com", "web", DR_FIND_ALL, 0, &f, &e), 0);
	ck_assert_uint_eq(f.n, 2);
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.items[i].username, "a") == 0)
			app = f.items[i].in_scope ? 1 : -1;
		else
			global = f.items[i].in_scope ? -1 : 1;
	}
	ck_assert_int_eq(app, 1);
	ck_assert_int_eq(global, 1);
	dr_found_free(&f);
	ck_assert_int_eq(dr_items_find(&kr, "sc.example.com", DR_SCOPE_ALL, DR_FIND_ALL, 0, &f, &e), 0);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_int_eq(f.items[0].in_scope && f.items[1].in_scope, 1);
	dr_found_free(&f);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_delete_keeps_one_and_skips_out_of_scope)
{
	struct dr_keyring kr;
	struct dr_found f;
	struct dr_err e = { 0 };
	const struct dr_item *keep;
	char *keep_path;

	kr_open(&kr);
	store(&kr, "del.example.com", "ours", NULL);
	upstream_item(&kr, "del.example.com", "dup1");
	upstream_item(&kr, "https://del.example.com/", "dup2");
	store(&kr, "del.example.com", "app", "other");
	ck_assert_int_eq(dr_items_find(&kr, "del.example.com", NULL, DR_FIND_ALL, 0, &f, &e), 0);
	ck_assert_uint_eq(f.n, 4);
	keep = by_server(&f, "https://del.example.com/");
	ck_assert_ptr_nonnull(keep);
	keep_path = g_strdup(keep->path);
	ck_assert_int_eq(dr_items_delete(&kr, &f, keep_path, &e), 0);
	dr_found_free(&f);
	ck_assert_int_eq(dr_items_find(&kr, "del.example.com", DR_SCOPE_ALL, DR_FIND_ALL, 0, &f, &e), 0);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_ptr_nonnull(by_server(&f, "https://del.example.com/"));
	ck_assert_str_eq(by_server(&f, "del.example.com")->username, "app");
	dr_found_free(&f);
	g_free(keep_path);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_hub_rare_spellings)
{
	struct dr_keyring kr;
	struct dr_found f;
	struct dr_err e = { 0 };

	kr_open(&kr);
	/* old configs and docker logout's spelling, without the trailing slash */
	upstream_item(&kr, "https://index.docker.io/v1", "hub");
	ck_assert_int_eq(dr_items_find(&kr, "docker.io", NULL, DR_FIND_ALIASES, 0, &f, &e), 0);
	ck_assert_ptr_null(by_server(&f, "https://index.docker.io/v1"));
	dr_found_free(&f);
	ck_assert_int_eq(dr_items_find(&kr, "docker.io", NULL, DR_FIND_ALIASES | DR_FIND_RARE, 0, &f, &e), 0);
	ck_assert_ptr_nonnull(by_server(&f, "https://index.docker.io/v1"));
	dr_found_free(&f);
	/* erase clears it */
	ck_assert_int_eq(dr_keyring_erase(&kr, "docker.io", NULL, &e), 0);
	ck_assert_int_eq(kenv_count_items("server", "https://index.docker.io/v1"), 0);
	dr_keyring_close(&kr);
}
END_TEST

Suite *keyring_items_suite(void)
{
	Suite *s = suite_create("keyring_items");
	TCase *tc = tcase_create("items");

	tcase_add_unchecked_fixture(tc, kenv_setup, kenv_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_find_modes_and_priorities);
	tcase_add_test(tc, test_upstream_item_is_read_by_get);
	tcase_add_test(tc, test_scope_marks_items);
	tcase_add_test(tc, test_delete_keeps_one_and_skips_out_of_scope);
	tcase_add_test(tc, test_hub_rare_spellings);
	suite_add_tcase(s, tc);
	return s;
}
