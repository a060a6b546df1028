/* Host patterns of chained helpers (core/chain.c, core/config.c): the
 * documented rules, agreement with the plain backtracking definition, and
 * linear cost for hostile patterns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/chain.h"
#include "helper/config.h"
#include "pattern_oracle.h"
#include "unit.h"

START_TEST(test_documented_rules)
{
	static const struct {
		const char *pattern, *host;
		int match;
	} cases[] = {
		{ "*.example.com", "a.example.com", 1 },
		{ "*.example.com", "a.b.example.com", 0 },	/* never crosses a dot */
		{ "*.example.com", "example.com", 0 },
		{ "*.example.com", ".example.com", 1 },	/* empty run */
		{ "*.*.example.com", "x.y.example.com", 1 },
		{ "*-docker.pkg.dev", "us-docker.pkg.dev", 1 },
		{ "*-docker.pkg.dev", "us.docker.pkg.dev", 0 },
		{ "*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com", 1 },
		{ "*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.amazonaws.com", 0 },
		{ "a*b*.example.com", "axbx.example.com", 1 },
		{ "a*b*.example.com", "axcx.example.com", 0 },
		{ "a*a*a", "aaa", 1 },
		{ "a*a*a", "aa", 0 },
		{ "ab*ab", "ab", 0 },	/* head and tail may not overlap */
		{ "ab*ab", "abab", 1 },
		{ "a.example.com", "a.example.com:5000", 1 },	/* no port: any port */
		{ "a.example.com:5000", "a.example.com:5000", 1 },
		{ "a.example.com:5000", "a.example.com:5001", 0 },
		{ "a.example.com:5000", "a.example.com", 0 },
		{ "c*.example.com:7000", "cx.example.com:7000", 1 },
		{ "localhost", "[::1]:5000", 0 },
		{ "example.com", "notexample.com", 0 },
		{ "*", "localhost", 1 },
		{ "*", "a.b", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(dr_pattern_match(cases[i].pattern, cases[i].host) == cases[i].match,
			      "%s vs %s: expected %d", cases[i].pattern, cases[i].host,
			      cases[i].match);
}
END_TEST

static void random_word(char *buf, size_t max, const char *alphabet, unsigned *seed)
{
	size_t n = (size_t)rand_r(seed) % max, k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		buf[i] = alphabet[(size_t)rand_r(seed) % k];
	buf[n] = '\0';
}

/* Small alphabets make the interesting cases (repeats, empty labels, stars
 * next to dots) common. */
START_TEST(test_agrees_with_definition)
{
	unsigned seed = 12345;
	char p[16], s[16];
	size_t matched = 0;

	for (int i = 0; i < 200000; i++) {
		random_word(p, 10, "ab*.", &seed);
		random_word(s, 12, "ab.", &seed);
		int want = pattern_oracle(p, s);

		ck_assert_msg(dr_pattern_match(p, s) == want,
			      "pattern \"%s\" host \"%s\": expected %d", p, s, want);
		matched += (size_t)want;
	}
	ck_assert_uint_gt(matched, 1000); /* the sample did exercise matches */
}
END_TEST

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The review's case (ten '*' against a 40-character label took 32 s), and
 * far worse ones the length limit still allows: each well under a second. */
START_TEST(test_hostile_patterns_are_cheap)
{
	char pattern[256], host[256];
	struct timespec t0;

	snprintf(pattern, sizeof(pattern), "**********b");
	memset(host, 'a', 40);
	host[40] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(dr_pattern_match(pattern, host), 0);
	ck_assert_msg(seconds_since(&t0) < 1.0, "1000 matches took %.3fs", seconds_since(&t0));

	for (size_t i = 0; i < 254; i++)
		pattern[i] = i % 2 ? 'a' : '*';
	pattern[254] = 'b';
	pattern[255] = '\0';
	memset(host, 'a', 250);
	host[250] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(dr_pattern_match(pattern, host), 0);
	ck_assert_msg(seconds_since(&t0) < 1.0, "100 matches took %.3fs", seconds_since(&t0));
}
END_TEST

START_TEST(test_limits_at_set)
{
	char p[300];

	ck_assert_ptr_null(dr_pattern_problem("*.dkr.ecr.*.amazonaws.com"));
	ck_assert_ptr_null(dr_pattern_problem("********.example.com")); /* 8: the limit */
	ck_assert_ptr_nonnull(strstr(dr_pattern_problem("*********.example.com"), "more than 8"));
	memset(p, 'a', DR_PATTERN_MAX_LEN);
	p[DR_PATTERN_MAX_LEN] = '\0';
	ck_assert_ptr_null(dr_pattern_problem(p));
	p[DR_PATTERN_MAX_LEN] = 'a';
	p[DR_PATTERN_MAX_LEN + 1] = '\0';
	ck_assert_ptr_nonnull(strstr(dr_pattern_problem(p), "longer than 255"));
	ck_assert_ptr_nonnull(dr_pattern_problem(""));
	ck_assert_ptr_nonnull(strstr(dr_pattern_problem("Gcr.io"), "lower-case"));
	ck_assert_int_eq(dr_pattern_valid("*********x"), 0);
}
END_TEST

Suite *chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("patterns");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_documented_rules);
	tcase_add_test(tc, test_agrees_with_definition);
	tcase_add_test(tc, test_hostile_patterns_are_cheap);
	tcase_add_test(tc, test_limits_at_set);
	suite_add_tcase(s, tc);
	return s;
}
