/* The credential store interface (core/helper/credstore.c): which store
 * answers for a server, a chained helper's answers relayed as they are
 * (fakehelper.c), and the keyring store's round trip on a real
 * gnome-keyring for the global entries and an app's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehelper.h"
#include "helper/credstore.h"
#include "keyring/keyring_env.h"
#include "unit.h"

static void expect_answer(const struct dr_credstore_answer *a, int status, const char *out)
{
	ck_assert_int_eq(a->status, status);
	ck_assert_uint_eq(a->len, strlen(out));
	ck_assert_str_eq(a->out ? a->out : "", out);
}

static void config_with(struct dr_config *c, const char *pattern, const char *helper)
{
	dr_config_defaults(c);
	snprintf(c->chained[0].pattern, sizeof(c->chained[0].pattern), "%s", pattern);
	snprintf(c->chained[0].helper, sizeof(c->chained[0].helper), "%s", helper);
	c->nchained = 1;
}

START_TEST(test_for_picks_the_chained_helper_or_the_keyring)
{
	struct dr_config c;
	struct dr_credstore s;

	config_with(&c, "*.example.com", "unitfake");
	dr_credstore_for(&s, &c, "https://r.example.com/v2/", "app1");
	ck_assert_ptr_nonnull(s.helper);
	ck_assert_str_eq(s.helper, "unitfake");
	ck_assert_uint_eq(s.timeout_ms, c.chain_timeout_ms);
	/* no pattern matches: the keyring, for the scope given */
	dr_credstore_for(&s, &c, "other.org", "app1");
	ck_assert_ptr_null(s.helper);
	ck_assert_str_eq(s.scope, "app1");
	ck_assert_str_eq(s.keyring.collection, c.collection);
	ck_assert_uint_eq(s.keyring.timeout_ms, c.timeout_ms);
	/* '*' never crosses a dot */
	dr_credstore_for(&s, &c, "a.b.example.com", NULL);
	ck_assert_ptr_null(s.helper);
	ck_assert_ptr_null(s.scope);
	/* a pattern mapped to our own helper keeps the keyring */
	config_with(&c, "*.example.com", "dokku");
	dr_credstore_for(&s, &c, "r.example.com", NULL);
	ck_assert_ptr_null(s.helper);
}
END_TEST

START_TEST(test_chained_get_relays_the_answer)
{
	struct dr_credstore s;
	struct dr_credstore_answer a = { 0 };
	struct dr_err e = { 0 };
	char *in;

	dr_credstore_chained(&s, "unitfake", 20000);
	fh_mode("token");
	ck_assert_int_eq(s.ops->get(&s, "r.example.com", &a, &e), 0);
	/* as the helper printed it: no ServerURL added, a newline at the end */
	expect_answer(&a, 0, "{\"Username\":\"<token>\",\"Secret\":\"tok-1\"}\n");
	dr_credstore_answer_free(&a);
	ck_assert_ptr_null(a.out);
	in = fh_read("stdin.get");
	ck_assert_str_eq(in, "r.example.com");
	free(in);
	/* not-found stays byte-exact, with the helper's exit status */
	fh_mode("notfound");
	ck_assert_int_eq(s.ops->get(&s, "r.example.com", &a, &e), 0);
	expect_answer(&a, 1, DR_MSG_NOT_FOUND "\n");
	dr_credstore_answer_free(&a);
	/* a failing get is relayed as it is, not turned into not-found */
	fh_mode("fail");
	ck_assert_int_eq(s.ops->get(&s, "r.example.com", &a, &e), 0);
	expect_answer(&a, 3, "boom: the vault is sealed\n");
	dr_credstore_answer_free(&a);
	/* a get failing without a word: docker's not-found */
	fh_mode("silentfail");
	ck_assert_int_eq(s.ops->get(&s, "r.example.com", &a, &e), 0);
	expect_answer(&a, 4, DR_MSG_NOT_FOUND "\n");
	dr_credstore_answer_free(&a);
}
END_TEST

START_TEST(test_chained_store_and_erase_name_the_helper)
{
	static const char payload[] = "{\"ServerURL\":\"r.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}";
	struct dr_creds c = { (char *)"r.example.com", (char *)"u", (char *)"s", 1 };
	struct dr_credstore s;
	struct dr_credstore_answer a = { 0 };
	struct dr_err e = { 0 };
	char *in;

	dr_credstore_chained(&s, "unitfake", 20000);
	fh_mode("ok");
	ck_assert_int_eq(s.ops->store(&s, &c, payload, strlen(payload), &a, &e), 0);
	expect_answer(&a, 0, "");
	/* the request itself reaches the helper, not a re-encoding */
	in = fh_read("stdin.store");
	ck_assert_str_eq(in, payload);
	free(in);
	fh_mode("fail");
	ck_assert_int_eq(s.ops->store(&s, &c, payload, strlen(payload), &a, &e), 0);
	expect_answer(&a, 3, "docker-credential-unitfake cannot store credentials for r.example.com: "
			     "boom: the vault is sealed\n");
	dr_credstore_answer_free(&a);
	fh_mode("silentfail");
	ck_assert_int_eq(s.ops->erase(&s, "r.example.com", &a, &e), 0);
	expect_answer(&a, 4, "docker-credential-unitfake cannot erase credentials for r.example.com: "
			     "it failed without a message\n");
	dr_credstore_answer_free(&a);
	fh_mode("notfound");
	ck_assert_int_eq(s.ops->erase(&s, "r.example.com", &a, &e), 0);
	expect_answer(&a, 1, DR_MSG_NOT_FOUND "\n");
	dr_credstore_answer_free(&a);
}
END_TEST

START_TEST(test_chained_errors_are_errors)
{
	struct dr_credstore s;
	struct dr_credstore_answer a = { 0 };
	struct dr_list l = { 0 };
	struct dr_err e = { 0 };

	dr_credstore_chained(&s, "nosuch-unit", 20000);
	ck_assert_int_eq(s.ops->get(&s, "r.example.com", &a, &e), DR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "docker-credential-nosuch-unit is not installed"));
	ck_assert_ptr_null(a.out);
	/* a short deadline only where the helper never answers */
	dr_credstore_chained(&s, "unitfake", 300);
	fh_mode("hang");
	ck_assert_int_eq(s.ops->list(&s, &l, &e), DR_ETIMEOUT);
	ck_assert_uint_eq(l.n, 0);
	dr_credstore_chained(&s, "unitfake", 20000);
	fh_mode("garbage");
	ck_assert_int_eq(s.ops->list(&s, &l, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "no usable answer");
	fh_mode("fail");
	ck_assert_int_eq(s.ops->list(&s, &l, &e), DR_EIO);
	ck_assert_str_eq(e.msg, "no usable answer");
}
END_TEST

START_TEST(test_chained_list)
{
	struct dr_credstore s;
	struct dr_list l = { 0 };
	struct dr_err e = { 0 };
	char *in;

	dr_credstore_chained(&s, "unitfake", 20000);
	fh_mode("ok");
	ck_assert_int_eq(s.ops->list(&s, &l, &e), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.servers[0], "a.example.com");
	ck_assert_str_eq(l.users[0], "ua");
	ck_assert_str_eq(l.servers[1], "b.example.com");
	ck_assert_str_eq(l.users[1], "ub");
	in = fh_read("stdin.list");
	ck_assert_str_eq(in, "unused");
	free(in);
	/* appending keeps what is there */
	ck_assert_int_eq(dr_list_append(&l, "c.example.com", "uc", &e), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.servers[2], "c.example.com");
	ck_assert_str_eq(l.users[2], "uc");
	ck_assert_str_eq(l.servers[0], "a.example.com");
	dr_list_free(&l);
}
END_TEST

static char helpers_run[256];

static void note_helper(const char *helper)
{
	strncat(helpers_run, helper, sizeof(helpers_run) - strlen(helpers_run) - 2);
	strcat(helpers_run, " ");
}

/* list's chained part: each helper once, in the config's order, after what
 * the list holds; a pattern mapped to "dokku" is the keyring, not run again;
 * a failing helper adds nothing and stops nothing */
START_TEST(test_list_chained_runs_each_helper_once)
{
	struct dr_config c;
	struct dr_list l = { 0 };
	struct dr_err e = { 0 };

	config_with(&c, "a.example.com", "unitfake");
	snprintf(c.chained[1].pattern, sizeof(c.chained[1].pattern), "%s", "*.b.example.com");
	snprintf(c.chained[1].helper, sizeof(c.chained[1].helper), "%s", "unitfake");
	snprintf(c.chained[2].pattern, sizeof(c.chained[2].pattern), "%s", "c.example.com");
	snprintf(c.chained[2].helper, sizeof(c.chained[2].helper), "%s", "dokku");
	c.nchained = 3;
	c.chain_timeout_ms = 20000;
	ck_assert_int_eq(dr_list_append(&l, "keyring.example.com", "k", &e), 0);
	helpers_run[0] = '\0';
	fh_mode("ok");
	dr_credstore_list_chained(&c, &l, note_helper);
	ck_assert_str_eq(helpers_run, "unitfake ");
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.servers[0], "keyring.example.com");
	ck_assert_str_eq(l.servers[1], "a.example.com");
	ck_assert_str_eq(l.users[2], "ub");
	fh_mode("fail");
	dr_credstore_list_chained(&c, &l, NULL);
	ck_assert_uint_eq(l.n, 3);
	dr_list_free(&l);
}
END_TEST

/* the keyring store for scope, on the suite's keyring */
static void keyring_store(struct dr_credstore *s, const char *scope)
{
	struct dr_keyring_opts o = { "default", kenv_bus_address(), DR_TRANSPORT_PLAIN, 5000 };

	dr_credstore_keyring(s, &o, scope);
}

START_TEST(test_keyring_round_trip_per_scope)
{
	struct dr_creds g = { (char *)"k.example.com", (char *)"bob", (char *)"pw-b", 4 };
	struct dr_creds app = { (char *)"k.example.com", (char *)"alice", (char *)"p\0a", 3 };
	struct dr_credstore global, app1, app2;
	struct dr_credstore_answer a = { 0 };
	struct dr_list l = { 0 };
	struct dr_err e = { 0 };

	keyring_store(&global, NULL);
	keyring_store(&app1, "app1");
	keyring_store(&app2, "app2");
	ck_assert_ptr_null(global.helper);
	ck_assert_int_eq(global.ops->store(&global, &g, "ignored", 7, &a, &e), 0);
	expect_answer(&a, 0, "");
	ck_assert_int_eq(app1.ops->store(&app1, &app, NULL, 0, &a, &e), 0);
	/* each scope answers with its own entry, in the protocol's words */
	ck_assert_int_eq(global.ops->get(&global, "k.example.com", &a, &e), 0);
	expect_answer(&a, 0,
		      "{\"ServerURL\":\"k.example.com\",\"Username\":\"bob\",\"Secret\":\"pw-b\"}\n");
	dr_credstore_answer_free(&a);
	ck_assert_int_eq(app1.ops->get(&app1, "k.example.com", &a, &e), 0);
	expect_answer(&a, 0,
		      "{\"ServerURL\":\"k.example.com\",\"Username\":\"alice\",\"Secret\":\"p\\u0000a\"}\n");
	dr_credstore_answer_free(&a);
	/* an app without an entry of its own does not get the global one */
	ck_assert_int_eq(app2.ops->get(&app2, "k.example.com", &a, &e), DR_ENOTFOUND);
	ck_assert_ptr_null(a.out);
	ck_assert_int_eq(app1.ops->list(&app1, &l, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.users[0], "alice");
	dr_list_free(&l);
	ck_assert_int_eq(app1.ops->erase(&app1, "k.example.com", &a, &e), 0);
	ck_assert_int_eq(app1.ops->get(&app1, "k.example.com", &a, &e), DR_ENOTFOUND);
	ck_assert_int_eq(global.ops->list(&global, &l, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.users[0], "bob");
	dr_list_free(&l);
	ck_assert_int_eq(global.ops->erase(&global, "k.example.com", &a, &e), 0);
	ck_assert_int_eq(global.ops->list(&global, &l, &e), 0);
	ck_assert_uint_eq(l.n, 0);
	dr_list_free(&l);
}
END_TEST

START_TEST(test_keyring_unreachable_is_an_error)
{
	struct dr_keyring_opts o = { "default", "unix:path=/nonexistent/bus", DR_TRANSPORT_PLAIN,
				     2000 };
	struct dr_credstore s;
	struct dr_credstore_answer a = { 0 };
	struct dr_err e = { 0 };
	int rc;

	dr_credstore_keyring(&s, &o, NULL);
	rc = s.ops->get(&s, "k.example.com", &a, &e);
	ck_assert_msg(dr_err_is_unavailable(rc), "rc %d: %s", rc, e.msg);
	ck_assert_ptr_null(a.out);
}
END_TEST

Suite *credstore_suite(void)
{
	Suite *s = suite_create("credstore");
	TCase *tc = tcase_create("chained");
	TCase *kr = tcase_create("keyring");

	tcase_add_checked_fixture(tc, fh_setup, fh_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_for_picks_the_chained_helper_or_the_keyring);
	tcase_add_test(tc, test_chained_get_relays_the_answer);
	tcase_add_test(tc, test_chained_store_and_erase_name_the_helper);
	tcase_add_test(tc, test_chained_errors_are_errors);
	tcase_add_test(tc, test_chained_list);
	tcase_add_test(tc, test_list_chained_runs_each_helper_once);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(kr, kenv_setup, kenv_teardown);
	tcase_set_timeout(kr, 30);
	tcase_add_test(kr, test_keyring_round_trip_per_scope);
	tcase_add_test(kr, test_keyring_unreachable_is_an_error);
	suite_add_tcase(s, kr);
	return s;
}
