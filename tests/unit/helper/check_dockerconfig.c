#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helper/dockerconfig.h"
#include "fixture.h"
#include "unit.h"

/* server as typed -> docker's auths key, credHelpers key (NULL: garbage) */
static const struct {
	const char *server, *auth, *helper;
} keys[] = {
	{ "docker.io", DR_HUB_INDEX, "docker.io" },
	{ "https://index.docker.io/v1/", DR_HUB_INDEX, "docker.io" },
	{ "index.docker.io", DR_HUB_INDEX, "docker.io" },
	{ "registry-1.docker.io", DR_HUB_INDEX, "docker.io" },
	{ "docker.io/library", DR_HUB_INDEX, "docker.io" },
	{ "ghcr.io", "ghcr.io", "ghcr.io" },
	{ "https://ghcr.io/v2/", "ghcr.io", "ghcr.io" },
	{ "Reg.Example.com:5000/", "reg.example.com:5000", "reg.example.com:5000" },
	{ "[::1]:5000/team", "[::1]:5000", "[::1]:5000" },
	{ "localhost:5000", "localhost:5000", "localhost:5000" },
	{ "", NULL, NULL },
	{ "http://", NULL, NULL },
	{ "ftp://ghcr.io", NULL, NULL },
	{ "not a registry", NULL, NULL },
};

START_TEST(test_keys)
{
	char *auth = dr_docker_auth_key(keys[_i].server);
	char *helper = dr_docker_helper_key(keys[_i].server);

	if (!keys[_i].auth) {
		ck_assert_msg(!auth && !helper, "\"%s\" accepted", keys[_i].server);
		return;
	}
	ck_assert_msg(auth && helper, "\"%s\" refused", keys[_i].server);
	ck_assert_str_eq(auth, keys[_i].auth);
	ck_assert_str_eq(helper, keys[_i].helper);
	free(auth);
	free(helper);
}
END_TEST

static char cfg_dir[256], cfg_file[300];

static void cfg_setup(void)
{
	unit_world_setup();
	unit_path(cfg_dir, sizeof(cfg_dir), "home/.docker");
	snprintf(cfg_file, sizeof(cfg_file), "%s/config.json", cfg_dir);
}

static void write_config(const char *text)
{
	mkdir(cfg_dir, 0700);
	unit_write(cfg_file, text, strlen(text), 0600);
}

static char *dump(const struct dr_dockercfg *c)
{
	return json_dumps(c->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void assert_json(const struct dr_dockercfg *c, const char *want)
{
	char *got = dump(c);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_load_missing)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_str_eq(c.dir, cfg_dir);
	ck_assert_str_eq(c.path, cfg_file);
	assert_json(&c, "{}");
	ck_assert_int_eq(dr_dockercfg_has_auths(&c), 0);
	ck_assert_ptr_null(dr_dockercfg_helper_for(&c, "ghcr.io"));
	ck_assert_ptr_null(dr_dockercfg_auth_entry(&c, "ghcr.io"));
	/* loading writes nothing */
	ck_assert_int_eq(unit_mode(cfg_dir), -1);
	dr_dockercfg_free(&c);
	ck_assert_ptr_null(c.root);
	ck_assert_ptr_null(c.path);
	dr_dockercfg_free(&c); /* twice: harmless */
}
END_TEST

/* not an object -> exact wording, the text jansson gives when it is not JSON */
static const struct {
	const char *text, *why;
} bad_files[] = {
	{ "[]", "wrong type" },
	{ "{\"auths\":1}x", "end of file expected near 'x'" },
	{ "\"auths\"", "'[' or '{' expected near '\"auths\"'" }, /* no bare values */
	{ "null", "'[' or '{' expected near 'null'" },
	{ "{", "string or '}' expected near end of file" },
	{ "", "'[' or '{' expected near end of file" },
	{ "{\"auths\":{}} x", "end of file expected near 'x'" },
	{ "{\"a\":1,}", "string or '}' expected near '}'" },
};

START_TEST(test_load_bad)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };
	char want[700];

	write_config(bad_files[_i].text);
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), DR_EINVAL);
	snprintf(want, sizeof(want), "%s is not a JSON object: %s", cfg_file, bad_files[_i].why);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(c.root);
	ck_assert_ptr_null(c.path);
}
END_TEST

START_TEST(test_load_limit)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };
	char want[600], *big = malloc(DR_DOCKERCONFIG_LIMIT + 2);

	ck_assert_ptr_nonnull(big);
	/* {"k":"xxxx…"} one byte over the limit */
	memset(big, 'x', DR_DOCKERCONFIG_LIMIT + 1);
	memcpy(big, "{\"k\":\"", 6);
	memcpy(big + DR_DOCKERCONFIG_LIMIT - 1, "\"}", 2);
	big[DR_DOCKERCONFIG_LIMIT + 1] = '\0';
	write_config(big);
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), DR_ETOOBIG);
	snprintf(want, sizeof(want), "cannot read %s: input too large: over %d bytes", cfg_file,
		 DR_DOCKERCONFIG_LIMIT);
	ck_assert_str_eq(e.msg, want);
	/* exactly at the limit: read */
	memcpy(big + DR_DOCKERCONFIG_LIMIT - 2, "\"}", 3);
	write_config(big);
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(c.root, "k"))),
			  DR_DOCKERCONFIG_LIMIT - 8);
	dr_dockercfg_free(&c);
	free(big);
}
END_TEST

/* keys we do not manage survive, in their order; dir 0700, file 0600 */
START_TEST(test_save_round_trip)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };
	char *text, *list;

	unit_path(cfg_dir, sizeof(cfg_dir), "home/deep/er/.docker");
	snprintf(cfg_file, sizeof(cfg_file), "%s/config.json", cfg_dir);
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	json_object_set_new(c.root, "psFormat", json_string("table {{.ID}}"));
	ck_assert_int_eq(dr_dockercfg_use_helper(&c, "ghcr.io", "dokku", 1, &e), 0);
	json_object_set_new(c.root, "proxies", json_pack("{s:{s:s}}", "default", "httpProxy", "p:3128"));
	ck_assert_int_eq(dr_dockercfg_save(&c, &e), 0);
	dr_dockercfg_free(&c);
	ck_assert_int_eq(unit_mode(cfg_dir), 0700);
	ck_assert_int_eq(unit_mode(cfg_file), 0600);
	text = unit_read(cfg_file, NULL);
	ck_assert_str_eq(text, "{\n"
			       " \"psFormat\": \"table {{.ID}}\",\n"
			       " \"credsStore\": \"dokku\",\n"
			       " \"credHelpers\": {\n"
			       "  \"ghcr.io\": \"dokku\"\n"
			       " },\n"
			       " \"auths\": {\n"
			       "  \"ghcr.io\": {}\n"
			       " },\n"
			       " \"proxies\": {\n"
			       "  \"default\": {\n"
			       "   \"httpProxy\": \"p:3128\"\n"
			       "  }\n"
			       " }\n"
			       "}");
	free(text);
	list = unit_ls(cfg_dir);
	ck_assert_str_eq(list, "config.json"); /* no temp file left */
	free(list);
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c.root, "psFormat")), "table {{.ID}}");
	dr_dockercfg_free(&c);
}
END_TEST

START_TEST(test_save_unwritable)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };
	char parent[200], dir[256], want[600];

	/* the config dir's parent is a file */
	unit_write(unit_path(parent, sizeof(parent), "home/blocker"), "", 0, 0600);
	snprintf(dir, sizeof(dir), "%s/.docker", parent);
	ck_assert_int_eq(dr_dockercfg_load(&c, dir, &e), DR_EIO);
	snprintf(want, sizeof(want), "cannot read %s/config.json: Not a directory", dir);
	ck_assert_str_eq(e.msg, want);
	/* the dir turns into a file between load and save */
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	unit_write(cfg_dir, "", 0, 0600);
	ck_assert_int_eq(dr_dockercfg_save(&c, &e), DR_EIO);
	snprintf(want, sizeof(want), "%s exists and is not a directory", cfg_dir);
	ck_assert_str_eq(e.msg, want);
	dr_dockercfg_free(&c);
}
END_TEST

/* a legacy auth (base64 user:password) is replaced by the helper marker;
 * only the email stays, as docker does */
START_TEST(test_use_helper)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };

	write_config("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dTpw\",\"email\":\"a@b.c\"},"
		     "\"quay.io\":{\"auth\":\"eDp5\"}},\"credsStore\":\"desktop\",\"other\":[1]}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_int_eq(dr_dockercfg_use_helper(&c, "docker.io", "dokku", 0, &e), 0);
	/* replaced in place: the key keeps its position */
	assert_json(&c, "{\"auths\":{\"https://index.docker.io/v1/\":{\"email\":\"a@b.c\"},"
			"\"quay.io\":{\"auth\":\"eDp5\"}},"
			"\"credsStore\":\"desktop\",\"other\":[1],\"credHelpers\":{\"docker.io\":\"dokku\"}}");
	ck_assert_str_eq(dr_dockercfg_helper_for(&c, "index.docker.io"), "dokku");
	ck_assert_str_eq(dr_dockercfg_helper_for(&c, "quay.io"), "desktop");
	ck_assert_int_eq(dr_dockercfg_use_helper(&c, "https://Quay.io/", "dokku", 1, &e), 0);
	assert_json(&c, "{\"auths\":{\"https://index.docker.io/v1/\":{\"email\":\"a@b.c\"},"
			"\"quay.io\":{}},"
			"\"credsStore\":\"dokku\",\"other\":[1],"
			"\"credHelpers\":{\"docker.io\":\"dokku\",\"quay.io\":\"dokku\"}}");
	dr_dockercfg_free(&c);
}
END_TEST

START_TEST(test_use_helper_wrong_types)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };

	write_config("{\"auths\":[\"x\"],\"credHelpers\":\"nope\"}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_int_eq(dr_dockercfg_has_auths(&c), 0);
	ck_assert_ptr_null(dr_dockercfg_helper_for(&c, "ghcr.io"));
	ck_assert_int_eq(dr_dockercfg_use_helper(&c, "ghcr.io", "dokku", 0, &e), 0);
	assert_json(&c, "{\"auths\":{\"ghcr.io\":{}},\"credHelpers\":{\"ghcr.io\":\"dokku\"}}");
	ck_assert_int_eq(dr_dockercfg_use_helper(&c, "not a registry", "dokku", 1, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "not a registry address: not a registry");
	/* nothing changed, credsStore included */
	assert_json(&c, "{\"auths\":{\"ghcr.io\":{}},\"credHelpers\":{\"ghcr.io\":\"dokku\"}}");
	dr_dockercfg_free(&c);
}
END_TEST

START_TEST(test_forget)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };

	/* three spellings of Docker Hub, and two other registries */
	write_config("{\"auths\":{\"https://index.docker.io/v1/\":{},\"docker.io\":{\"auth\":\"x\"},"
		     "\"ghcr.io\":{},\"index.docker.io\":{},\"https://quay.io\":{}},"
		     "\"credHelpers\":{\"docker.io\":\"dokku\",\"ghcr.io\":\"dokku\"},\"credsStore\":\"dokku\"}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_ptr_nonnull(dr_dockercfg_auth_entry(&c, "registry-1.docker.io"));
	ck_assert_ptr_eq(dr_dockercfg_auth_entry(&c, "quay.io"),
			 json_object_get(json_object_get(c.root, "auths"), "https://quay.io"));
	dr_dockercfg_forget(&c, "https://index.docker.io/v1/");
	assert_json(&c, "{\"auths\":{\"ghcr.io\":{},\"https://quay.io\":{}},"
			"\"credHelpers\":{\"ghcr.io\":\"dokku\"},\"credsStore\":\"dokku\"}");
	ck_assert_ptr_null(dr_dockercfg_auth_entry(&c, "docker.io"));
	/* the store stays the fallback */
	ck_assert_str_eq(dr_dockercfg_helper_for(&c, "docker.io"), "dokku");
	dr_dockercfg_forget(&c, "quay.io");
	dr_dockercfg_forget(&c, "ghcr.io");
	ck_assert_int_eq(dr_dockercfg_has_auths(&c), 0);
	assert_json(&c, "{\"auths\":{},\"credHelpers\":{},\"credsStore\":\"dokku\"}");
	dr_dockercfg_forget(&c, "ghcr.io");    /* again: nothing to do */
	dr_dockercfg_forget(&c, "not a registry");
	dr_dockercfg_free(&c);
}
END_TEST

START_TEST(test_helper_for)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };

	write_config("{\"credHelpers\":{\"ghcr.io\":\"gh\",\"quay.io\":7},\"credsStore\":\"\"}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_str_eq(dr_dockercfg_helper_for(&c, "https://ghcr.io/"), "gh");
	/* a non-string helper and an empty store: none */
	ck_assert_ptr_null(dr_dockercfg_helper_for(&c, "quay.io"));
	ck_assert_ptr_null(dr_dockercfg_helper_for(&c, "docker.io"));
	ck_assert_ptr_null(dr_dockercfg_helper_for(&c, "garbage url"));
	json_object_set_new(c.root, "credsStore", json_string("pass"));
	ck_assert_str_eq(dr_dockercfg_helper_for(&c, "quay.io"), "pass");
	ck_assert_str_eq(dr_dockercfg_helper_for(&c, "garbage url"), "pass");
	dr_dockercfg_free(&c);
}
END_TEST

START_TEST(test_has_auths)
{
	struct dr_dockercfg c;
	struct dr_err e = { 0 };

	write_config("{\"auths\":{}}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_int_eq(dr_dockercfg_has_auths(&c), 0);
	dr_dockercfg_free(&c);
	write_config("{\"auths\":{\"x\":{}}}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_int_eq(dr_dockercfg_has_auths(&c), 1);
	/* an auths entry that is no registry address matches nothing */
	ck_assert_ptr_null(dr_dockercfg_auth_entry(&c, "ghcr.io"));
	dr_dockercfg_free(&c);
	write_config("{\"auths\":\"x\"}");
	ck_assert_int_eq(dr_dockercfg_load(&c, cfg_dir, &e), 0);
	ck_assert_int_eq(dr_dockercfg_has_auths(&c), 0);
	ck_assert_ptr_null(dr_dockercfg_auth_entry(&c, "ghcr.io"));
	dr_dockercfg_free(&c);
}
END_TEST

Suite *dockerconfig_suite(void)
{
	Suite *s = suite_create("dockerconfig");
	TCase *pure = tcase_create("keys");
	TCase *tc = tcase_create("file");

	tcase_add_loop_test(pure, test_keys, 0, (int)(sizeof(keys) / sizeof(keys[0])));
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(tc, cfg_setup, unit_world_teardown);
	tcase_add_test(tc, test_load_missing);
	tcase_add_loop_test(tc, test_load_bad, 0, (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_load_limit);
	tcase_add_test(tc, test_save_round_trip);
	tcase_add_test(tc, test_save_unwritable);
	tcase_add_test(tc, test_use_helper);
	tcase_add_test(tc, test_use_helper_wrong_types);
	tcase_add_test(tc, test_forget);
	tcase_add_test(tc, test_helper_for);
	tcase_add_test(tc, test_has_auths);
	suite_add_tcase(s, tc);
	return s;
}
