/* The pull Secret (core/kube/kube_secret.c): building it, names and the
 * owner check. Moved from check_kube.c unchanged. */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube_secret.h"
#include "unit.h"

START_TEST(test_secret_build)
{
	struct dr_err e = { 0 };
	json_t *auths = json_object(), *s, *cfg, *entry;
	const char *b64;
	guchar *raw;
	gsize len;

	ck_assert_int_eq(dr_kube_auths_add(auths, "ghcr.io", "u", "p:w\"x", 5, 0, &e), 0);
	ck_assert_int_eq(dr_kube_auths_add(auths, "tok.example.com", "<token>", "idt", 3, 1, &e), 0);
	s = dr_kube_secret_build("dokku-registry-app", "ns1", "app", auths, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(json_string_value(json_object_get(s, "type")), DR_KUBE_SECRET_TYPE);
	ck_assert_str_eq(json_string_value(json_object_get(s, "kind")), "Secret");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(json_object_get(s, "metadata"), "labels"), DR_KUBE_MANAGED_BY_LABEL)),
		DR_KUBE_MANAGER);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s, "metadata"), "namespace")),
			 "ns1");
	b64 = json_string_value(json_object_get(json_object_get(s, "data"), ".dockerconfigjson"));
	raw = g_base64_decode(b64, &len);
	cfg = json_loadb((char *)raw, len, 0, NULL);
	entry = json_object_get(json_object_get(cfg, "auths"), "ghcr.io");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "username")), "u");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "password")), "p:w\"x");
	{
		guchar *pair = g_base64_decode(json_string_value(json_object_get(entry, "auth")), &len);

		ck_assert_uint_eq(len, 7);
		ck_assert_int_eq(memcmp(pair, "u:p:w\"x", 7), 0);
		g_free(pair);
	}
	entry = json_object_get(json_object_get(cfg, "auths"), "tok.example.com");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "identitytoken")), "idt");
	ck_assert_ptr_null(json_object_get(entry, "password"));
	json_decref(cfg);
	g_free(raw);
	json_decref(s);
	json_decref(auths);
}
END_TEST

START_TEST(test_secret_bad_utf8)
{
	struct dr_err e = { 0 };
	json_t *auths = json_object();

	ck_assert_int_eq(dr_kube_auths_add(auths, "r", "u", "\xff\xfe", 2, 0, &e), DR_EINVAL);
	ck_assert_uint_eq(json_object_size(auths), 0);
	json_decref(auths);
}
END_TEST

START_TEST(test_names_and_owner)
{
	static const char ours[] = "{\"metadata\":{\"labels\":{\"app.kubernetes.io/managed-by\":"
				   "\"dokku-registry\"},\"annotations\":{\"dokku-registry/app\":\"a\"}}}";
	static const char helm[] = "{\"metadata\":{\"labels\":{\"app.kubernetes.io/managed-by\":\"Helm\"}}}";

	ck_assert(dr_kube_name_valid("dokku-registry-my.app"));
	ck_assert(!dr_kube_name_valid("Bad"));
	ck_assert(!dr_kube_name_valid("-a"));
	ck_assert(!dr_kube_name_valid("a..b"));
	ck_assert(!dr_kube_name_valid(""));
	ck_assert(dr_kube_namespace_valid("apps-1"));
	ck_assert(!dr_kube_namespace_valid("a.b"));
	ck_assert(!dr_kube_namespace_valid("a/../b"));
	ck_assert_int_eq(dr_kube_secret_owner(ours, strlen(ours), "a"), DR_KUBE_OURS);
	ck_assert_int_eq(dr_kube_secret_owner(ours, strlen(ours), "b"), DR_KUBE_OTHER_APP);
	ck_assert_int_eq(dr_kube_secret_owner(helm, strlen(helm), "a"), DR_KUBE_NOT_OURS);
	ck_assert_int_eq(dr_kube_secret_owner("junk", 4, "a"), DR_KUBE_NOT_OURS);
}
END_TEST

Suite *kube_secret_suite(void)
{
	Suite *s = suite_create("kube_secret");
	TCase *tc = tcase_create("kube_secret");

	tcase_add_test(tc, test_secret_build);
	tcase_add_test(tc, test_secret_bad_utf8);
	tcase_add_test(tc, test_names_and_owner);
	suite_add_tcase(s, tc);
	return s;
}
