#include <string.h>

#include "base/dockerhub.h"
#include "unit.h"

static int is(const char *s, unsigned roles)
{
	return dr_hub_name_is(s, strlen(s), roles);
}

/* each name has the roles the rest of the code relies on, and no other */
START_TEST(test_roles)
{
	const unsigned all = DR_HUB_REFERENCE | DR_HUB_REGISTRY | DR_HUB_WEBSITE;

	ck_assert(is("docker.io", DR_HUB_REFERENCE));
	ck_assert(is("docker.io", DR_HUB_REGISTRY));
	ck_assert(!is("docker.io", DR_HUB_WEBSITE));
	ck_assert(is("index.docker.io", DR_HUB_REFERENCE));
	ck_assert(is("index.docker.io", DR_HUB_REGISTRY));
	ck_assert(!is("index.docker.io", DR_HUB_WEBSITE));
	ck_assert(!is("registry-1.docker.io", DR_HUB_REFERENCE));
	ck_assert(is("registry-1.docker.io", DR_HUB_REGISTRY));
	ck_assert(!is("registry-1.docker.io", DR_HUB_WEBSITE));
	ck_assert(!is("hub.docker.com", DR_HUB_REFERENCE | DR_HUB_REGISTRY));
	ck_assert(is("hub.docker.com", DR_HUB_WEBSITE));
	ck_assert(!is("docker.com", DR_HUB_REFERENCE | DR_HUB_REGISTRY));
	ck_assert(is("docker.com", DR_HUB_WEBSITE));
	/* byte for byte: no case folding, no prefixes, no schemes */
	ck_assert(!is("Docker.io", all));
	ck_assert(!is("docker.io.example.com", all));
	ck_assert(!is("https://index.docker.io/v1/", all));
	ck_assert(!is("", all));
	ck_assert(!is("docker.io", 0));
}
END_TEST

/* the length bounds the name: a prefix of a longer string can match */
START_TEST(test_length_bounds)
{
	ck_assert(dr_hub_name_is("docker.io/library/nginx", 9, DR_HUB_REFERENCE));
	ck_assert(!dr_hub_name_is("docker.io/library/nginx", 8, DR_HUB_REFERENCE));
	ck_assert(!dr_hub_name_is("docker.io/library/nginx", 10, DR_HUB_REFERENCE));
}
END_TEST

/* the constants are names of the table, and the table lists the registry
 * hosts in the order server URL aliases are written */
START_TEST(test_table)
{
	const char *registry[4] = { NULL };
	size_t n = 0;

	ck_assert(is(DR_HUB_KEY, DR_HUB_REFERENCE));
	ck_assert(is(DR_HUB_INDEX_HOST, DR_HUB_REFERENCE));
	ck_assert(is(DR_HUB_API_HOST, DR_HUB_REGISTRY));
	ck_assert(is(DR_HUB_WEB_HOST, DR_HUB_WEBSITE));
	ck_assert(is(DR_HUB_WEB_DOMAIN, DR_HUB_WEBSITE));
	ck_assert_str_eq(DR_HUB_INDEX, "https://" DR_HUB_INDEX_HOST "/v1/");
	for (size_t i = 0; dr_hub_names[i].name; i++) {
		if ((dr_hub_names[i].roles & DR_HUB_REGISTRY) && n < 4)
			registry[n++] = dr_hub_names[i].name;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(registry[0], "docker.io");
	ck_assert_str_eq(registry[1], "index.docker.io");
	ck_assert_str_eq(registry[2], "registry-1.docker.io");
}
END_TEST

Suite *dockerhub_suite(void)
{
	Suite *s = suite_create("dockerhub");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_length_bounds);
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	return s;
}
