/* How secrets cross the bus (core/keyring/transport.c), against a real
 * gnome-keyring: the plain session, libsecret's negotiated DH session, and
 * items written through one read back through the other. */
#include <stdlib.h>
#include <string.h>

#include "keyring/keyring.h"
#include "keyring_env.h"
#include "keyring/keyring_items.h"
#include "keyring/transport.h"
#include "unit.h"

static void kr_open(struct dr_keyring *kr, enum dr_transport t)
{
	struct dr_keyring_opts o = { "default", kenv_bus_address(), t, 5000 };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_keyring_open(kr, &o, &e) == 0, "%s", e.msg);
}

static void round_trip(enum dr_transport w, enum dr_transport r, const char *server)
{
	static const char secret[] = "s3cr\0t-\xff-with-bytes";
	struct dr_creds c = { (char *)server, (char *)"t", (char *)secret, sizeof(secret) - 1 };
	struct dr_creds out;
	struct dr_keyring kr;
	struct dr_err e = { 0 };

	kr_open(&kr, w);
	ck_assert_msg(dr_keyring_store(&kr, &c, NULL, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(kr.session_path);
	dr_keyring_close(&kr);
	kr_open(&kr, r);
	ck_assert_msg(dr_keyring_get(&kr, server, NULL, &out, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(out.secret_len, sizeof(secret) - 1);
	ck_assert_mem_eq(out.secret, secret, sizeof(secret) - 1);
	ck_assert_str_eq(out.username, "t");
	dr_creds_wipe(&out);
	dr_keyring_close(&kr);
}

START_TEST(test_plain_round_trip)
{
	round_trip(DR_TRANSPORT_PLAIN, DR_TRANSPORT_PLAIN, "plain.example.com");
}
END_TEST

START_TEST(test_dh_round_trip)
{
	round_trip(DR_TRANSPORT_DH, DR_TRANSPORT_DH, "dh.example.com");
}
END_TEST

START_TEST(test_dh_and_plain_read_each_other)
{
	round_trip(DR_TRANSPORT_DH, DR_TRANSPORT_PLAIN, "dh-to-plain.example.com");
	round_trip(DR_TRANSPORT_PLAIN, DR_TRANSPORT_DH, "plain-to-dh.example.com");
}
END_TEST

START_TEST(test_open_is_idempotent_and_dh_is_negotiated)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };
	char *first;

	kr_open(&kr, DR_TRANSPORT_DH);
	ck_assert_int_eq(dr_transport_open(&kr, &e), 0);
	ck_assert_ptr_nonnull(kr.service);
	ck_assert_ptr_nonnull(strstr(kr.session_path, "/org/freedesktop/secrets/session/"));
	first = g_strdup(kr.session_path);
	ck_assert_int_eq(dr_transport_open(&kr, &e), 0);
	ck_assert_str_eq(kr.session_path, first);
	dr_transport_close(&kr);
	ck_assert_ptr_null(kr.session_path);
	ck_assert_ptr_null(kr.service);
	g_free(first);
	dr_keyring_close(&kr);
}
END_TEST

START_TEST(test_plain_encoding_and_decode_wipes)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };
	GVariant *v;
	const char *path, *ctype;
	GVariant *params, *value;
	const char *bytes;
	char *out = NULL;
	size_t len = 0;
	gsize n;

	kr_open(&kr, DR_TRANSPORT_PLAIN);
	ck_assert_int_eq(dr_transport_open(&kr, &e), 0);
	v = g_variant_ref_sink(dr_transport_encode(&kr, "abc", 3));
	ck_assert_str_eq(g_variant_get_type_string(v), "(oayays)");
	g_variant_get(v, "(&o@ay@ay&s)", &path, &params, &value, &ctype);
	ck_assert_str_eq(path, kr.session_path);
	ck_assert_uint_eq(g_variant_n_children(params), 0);
	ck_assert_str_eq(ctype, "text/plain");
	g_variant_unref(params);
	g_variant_unref(value);
	ck_assert_int_eq(dr_transport_decode(&kr, v, &out, &len, &e), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(out, "abc");
	/* the plaintext in the variant was wiped after the copy */
	value = g_variant_get_child_value(v, 2);
	bytes = g_variant_get_fixed_array(value, &n, 1);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(bytes, "\0\0\0", 3);
	g_variant_unref(value);
	g_variant_unref(v);
	free(out);
	dr_keyring_close(&kr);
}
END_TEST

/* gnome-keyring killed inside CreateItem can leave an item whose secret is
 * an empty array: it decodes to "" (UBSan once caught memcpy from NULL here) */
START_TEST(test_plain_empty_secret)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };
	GVariant *v;
	char *out = NULL;
	size_t len = 7;

	kr_open(&kr, DR_TRANSPORT_PLAIN);
	ck_assert_int_eq(dr_transport_open(&kr, &e), 0);
	v = g_variant_ref_sink(dr_transport_encode(&kr, "", 0));
	ck_assert_int_eq(dr_transport_decode(&kr, v, &out, &len, &e), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(out, "");
	g_variant_unref(v);
	free(out);
	dr_keyring_close(&kr);
}
END_TEST

/* The DH session fails to open when nobody provides the service. */
START_TEST(test_dh_without_provider)
{
	struct dr_keyring kr;
	struct dr_err e = { 0 };

	kenv_keyring_stop();
	kr_open(&kr, DR_TRANSPORT_DH);
	ck_assert_int_eq(dr_transport_open(&kr, &e), DR_ENOPROVIDER);
	ck_assert_ptr_nonnull(strstr(e.msg, "no Secret Service provider on the session bus"));
	ck_assert_ptr_null(kr.session_path);
	dr_keyring_close(&kr);
	ck_assert_int_eq(kenv_keyring_start(), 0);
}
END_TEST

Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = tcase_create("transport");

	tcase_add_unchecked_fixture(tc, kenv_setup, kenv_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_plain_round_trip);
	tcase_add_test(tc, test_dh_round_trip);
	tcase_add_test(tc, test_dh_and_plain_read_each_other);
	tcase_add_test(tc, test_open_is_idempotent_and_dh_is_negotiated);
	tcase_add_test(tc, test_plain_encoding_and_decode_wipes);
	tcase_add_test(tc, test_plain_empty_secret);
	tcase_add_test(tc, test_dh_without_provider);
	suite_add_tcase(s, tc);
	return s;
}
