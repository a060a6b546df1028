/* The push engine setting (core/dokku/push_engine.c) in a scratch
 * DOKKU_LIB_ROOT: names parsed, app over --global over docker/gzip, bad
 * values refused when set and named when found on disk. */
#include <stdlib.h>

#include "dokku/plugin_props.h"
#include "dokku/push_engine.h"
#include "fixture.h"
#include "unit.h"

START_TEST(test_names)
{
	enum dr_push_engine en = DR_ENGINE_DOCKER;
	enum dr_compression c = DR_COMPRESS_GZIP;

	ck_assert_int_eq(dr_push_engine_parse("native", &en), 0);
	ck_assert_int_eq(en, DR_ENGINE_NATIVE);
	ck_assert_int_eq(dr_push_engine_parse("docker", &en), 0);
	ck_assert_int_eq(en, DR_ENGINE_DOCKER);
	ck_assert_int_eq(dr_push_engine_parse("Native", &en), -1);
	ck_assert_int_eq(dr_push_engine_parse("", &en), -1);
	ck_assert_str_eq(dr_push_engine_name(DR_ENGINE_NATIVE), "native");
	ck_assert_str_eq(dr_push_engine_name(DR_ENGINE_DOCKER), "docker");
	ck_assert_int_eq(dr_push_compress_parse("zstd", &c), 0);
	ck_assert_int_eq(c, DR_COMPRESS_ZSTD);
	ck_assert_int_eq(dr_push_compress_parse("gzip", &c), 0);
	ck_assert_int_eq(c, DR_COMPRESS_GZIP);
	/* uncompressed layers are push-image's choice, not a release's */
	ck_assert_int_eq(dr_push_compress_parse("none", &c), -1);
	ck_assert_int_eq(dr_push_compress_parse("zstd ", &c), -1);
}
END_TEST

START_TEST(test_app_over_global_over_default)
{
	struct dr_push_setting s;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_push_setting_computed("a1", &s, &e), 0);
	ck_assert_int_eq(s.engine, DR_ENGINE_DOCKER);
	ck_assert_int_eq(s.compress, DR_COMPRESS_GZIP);
	ck_assert_int_eq(dr_push_setting_store("--global", "native", "zstd", &e), 0);
	ck_assert_int_eq(dr_push_setting_computed("a1", &s, &e), 0);
	ck_assert_int_eq(s.engine, DR_ENGINE_NATIVE);
	ck_assert_int_eq(s.compress, DR_COMPRESS_ZSTD);
	/* each value on its own: the app's engine, the global compression */
	ck_assert_int_eq(dr_push_setting_store("a1", "docker", NULL, &e), 0);
	ck_assert_int_eq(dr_push_setting_computed("a1", &s, &e), 0);
	ck_assert_int_eq(s.engine, DR_ENGINE_DOCKER);
	ck_assert_int_eq(s.compress, DR_COMPRESS_ZSTD);
	/* "" unsets */
	ck_assert_int_eq(dr_push_setting_store("--global", "", "", &e), 0);
	ck_assert_int_eq(dr_push_setting_store("a1", "", NULL, &e), 0);
	ck_assert_int_eq(dr_push_setting_computed("a1", &s, &e), 0);
	ck_assert_int_eq(s.engine, DR_ENGINE_DOCKER);
	ck_assert_int_eq(s.compress, DR_COMPRESS_GZIP);
}
END_TEST

START_TEST(test_bad_values)
{
	struct dr_push_setting s;
	struct dr_err e = { 0 };
	char *v = NULL;

	ck_assert_int_eq(dr_push_setting_store("a2", "podman", NULL, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "push engine must be docker or native, not \"podman\"");
	ck_assert_int_eq(dr_push_setting_store("a2", "native", "brotli", &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "--compress must be gzip or zstd, not \"brotli\"");
	/* nothing stored by a refused call */
	ck_assert_int_eq(dr_plugin_prop_get(DR_PUSH_ENGINE_PLUGIN, "a2", "push-engine", &v, &e), 0);
	ck_assert_str_eq(v, "");
	free(v);
	/* a value written by hand is named, not taken for docker */
	ck_assert_int_eq(dr_plugin_prop_set(DR_PUSH_ENGINE_PLUGIN, "a2", "push-engine", "nativ", &e), 0);
	ck_assert_int_eq(dr_push_setting_computed("a2", &s, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "push-engine of a2 is \"nativ\": it must be docker or native");
}
END_TEST

Suite *push_engine_suite(void)
{
	Suite *s = suite_create("push_engine");
	TCase *tc = tcase_create("push_engine");

	tcase_add_checked_fixture(tc, unit_world_setup, unit_world_teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_app_over_global_over_default);
	tcase_add_test(tc, test_bad_values);
	suite_add_tcase(s, tc);
	return s;
}
