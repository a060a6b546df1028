#include <stdlib.h>
#include <string.h>

#include "helper/protocol.h"
#include "unit.h"

static int decode(const char *json, struct dr_creds *c, struct dr_err *e)
{
	return dr_proto_decode_creds(json, strlen(json), c, e);
}

START_TEST(test_decode_basic)
{
	struct dr_creds c;
	struct dr_err e = { 0 };

	ck_assert_int_eq(decode("{\"ServerURL\":\"https://r.example.com\",\"Username\":\"u\",\"Secret\":\"s\"}",
				&c, &e), 0);
	ck_assert_str_eq(c.server_url, "https://r.example.com");
	ck_assert_str_eq(c.username, "u");
	ck_assert_str_eq(c.secret, "s");
	ck_assert_uint_eq(c.secret_len, 1);
	ck_assert_int_eq(dr_proto_validate(&c, &e), 0);
	dr_creds_wipe(&c);
	ck_assert_ptr_null(c.secret);
}
END_TEST

START_TEST(test_decode_go_rules)
{
	struct dr_creds c;
	struct dr_err e = { 0 };

	/* case-insensitive names, unknown fields ignored, trailing bytes ignored */
	ck_assert_int_eq(decode("{\"serverurl\":\"a\",\"USERNAME\":\"b\",\"x\":1,\"secret\":\"c\"} trailing",
				&c, &e), 0);
	ck_assert_str_eq(c.server_url, "a");
	ck_assert_str_eq(c.username, "b");
	ck_assert_str_eq(c.secret, "c");
	dr_creds_wipe(&c);
	/* U+017F (long s) folds to s, as Go's decoder does */
	ck_assert_int_eq(decode("{\"\xc5\xbf" "erverURL\":\"a\",\"Username\":\"b\"}", &c, &e), 0);
	ck_assert_str_eq(c.server_url, "a");
	ck_assert_ptr_null(c.secret);
	dr_creds_wipe(&c);
	/* a later spelling of a field wins */
	ck_assert_int_eq(decode("{\"Username\":\"first\",\"username\":\"second\"}", &c, &e), 0);
	ck_assert_str_eq(c.username, "second");
	dr_creds_wipe(&c);
	/* null leaves the field empty */
	ck_assert_int_eq(decode("{\"ServerURL\":\"a\",\"Username\":null}", &c, &e), 0);
	ck_assert_ptr_null(c.username);
	ck_assert_int_eq(dr_proto_validate(&c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, DR_MSG_NO_USER);
	dr_creds_wipe(&c);
}
END_TEST

START_TEST(test_decode_escapes)
{
	struct dr_creds c;
	struct dr_err e = { 0 };

	ck_assert_int_eq(decode("{\"ServerURL\":\"r\",\"Username\":\"\\u003ctoken\\u003e\","
				"\"Secret\":\"\\\" \\\\ \\/ \\n \\t \\u00e9 \\ud83d\\ude00 \\u003c\\u003e\\u0026\"}",
				&c, &e), 0);
	ck_assert_str_eq(c.username, DR_TOKEN_USERNAME);
	ck_assert_str_eq(c.secret, "\" \\ / \n \t \xc3\xa9 \xf0\x9f\x98\x80 <>&");
	dr_creds_wipe(&c);
	/* an embedded NUL survives with its length */
	ck_assert_int_eq(decode("{\"ServerURL\":\"r\",\"Username\":\"u\",\"Secret\":\"a\\u0000b\"}",
				&c, &e), 0);
	ck_assert_uint_eq(c.secret_len, 3);
	ck_assert_int_eq(memcmp(c.secret, "a\0b", 3), 0);
	dr_creds_wipe(&c);
}
END_TEST

START_TEST(test_decode_errors)
{
	struct dr_creds c;
	struct dr_err e = { 0 };

	ck_assert_int_eq(decode("", &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "EOF");
	ck_assert_int_eq(decode("  \n ", &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "EOF");
	ck_assert_int_eq(decode("{\"ServerURL\":\"a\"", &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "unexpected EOF");
	ck_assert_int_eq(decode("{\"ServerURL\":\"a\",\"Username\":5}", &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "json: cannot unmarshal number into Go struct field Credentials.Username of type string");
	ck_assert_ptr_null(c.server_url);
	ck_assert_int_eq(decode("{\"Secret\":[1]}", &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "json: cannot unmarshal array into Go struct field Credentials.Secret of type string");
	ck_assert_int_eq(decode("\"just a string\"", &c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "json: cannot unmarshal string into Go value of type credentials.Credentials");
	ck_assert_int_eq(decode("{nope}", &c, &e), DR_EINVAL);
	ck_assert(strncmp(e.msg, "invalid JSON", 12) == 0);
}
END_TEST

START_TEST(test_validate)
{
	struct dr_creds c = { 0 };
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_proto_validate(&c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, DR_MSG_NO_URL);
	c.server_url = (char *)"";
	ck_assert_int_eq(dr_proto_validate(&c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, DR_MSG_NO_URL);
	c.server_url = (char *)"r";
	c.username = (char *)"";
	ck_assert_int_eq(dr_proto_validate(&c, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, DR_MSG_NO_USER);
	c.username = (char *)"u"; /* an empty secret is accepted, as upstream does */
	ck_assert_int_eq(dr_proto_validate(&c, &e), 0);
}
END_TEST

START_TEST(test_join_and_trim)
{
	char a[] = "{\"a\":\r\n\"b\"}\n";
	char b[] = "  https://x \n";
	char c[] = "\t\r\n";
	size_t n = dr_proto_join_lines(a, strlen(a));

	a[n] = '\0';
	ck_assert_str_eq(a, "{\"a\":\"b\"}");
	n = dr_proto_join_lines(b, strlen(b));
	b[n] = '\0';
	ck_assert_str_eq(dr_trim(b), "https://x");
	n = dr_proto_join_lines(c, strlen(c));
	c[n] = '\0';
	ck_assert_str_eq(dr_trim(c), "");
}
END_TEST

START_TEST(test_encode)
{
	const char *servers[] = { "zeta:5000", "https://index.docker.io/v1/", "a" };
	const char *users[] = { "z", "hub", "<token>" };
	char *s = dr_proto_encode_get("reg", "<token>", "s\"e\0c", 5);

	ck_assert_str_eq(s, "{\"ServerURL\":\"reg\",\"Username\":\"<token>\",\"Secret\":\"s\\\"e\\u0000c\"}\n");
	free(s);
	s = dr_proto_encode_list(servers, users, 3);
	ck_assert_str_eq(s, "{\"a\":\"<token>\",\"https://index.docker.io/v1/\":\"hub\",\"zeta:5000\":\"z\"}\n");
	free(s);
	s = dr_proto_encode_list(NULL, NULL, 0);
	ck_assert_str_eq(s, "{}\n");
	free(s);
	/* invalid UTF-8 cannot be put into JSON: NULL, not garbage */
	ck_assert_ptr_null(dr_proto_encode_get("reg", "u", "\xff", 1));
}
END_TEST

Suite *protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("wire");

	tcase_add_test(tc, test_decode_basic);
	tcase_add_test(tc, test_decode_go_rules);
	tcase_add_test(tc, test_decode_escapes);
	tcase_add_test(tc, test_decode_errors);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_join_and_trim);
	tcase_add_test(tc, test_encode);
	suite_add_tcase(s, tc);
	return s;
}
