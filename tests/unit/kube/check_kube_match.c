/* kube_match.c, a test oracle: kubelet's image-vs-key matching (keyring.go URLsMatch,
 * BasicDockerKeyring Add/Lookup), checked against the rules and examples
 * the Kubernetes API reference gives for CredentialProviderResponse.auth
 * and CredentialProvider.matchImages. */
#include <stdlib.h>
#include <string.h>

#include "kube_match.h"
#include "unit.h"

struct pair {
	const char *glob, *target;
	int match;
};

static void check_pairs(const struct pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(dr_kube_urls_match(p[i].glob, p[i].target) == p[i].match,
			      "URLsMatch(%s, %s) should be %d", p[i].glob, p[i].target, p[i].match);
}

START_TEST(test_one_star_per_label)
{
	static const struct pair p[] = {
		{ "*.kubernetes.io", "abc.kubernetes.io", 1 },
		{ "*.kubernetes.io", "abc.k8s.io", 0 },
		{ "*.io", "k8s.io", 1 },
		{ "*.io", "a.b.io", 0 },          /* a glob never crosses a dot */
		{ "*.*.io", "a.b.io", 1 },
		{ "*.*.registry.io", "a.b.registry.io", 1 },
		{ "*.*.registry.io", "b.registry.io", 0 },
		{ "k8s.*.io", "k8s.example.io", 1 },
		{ "k8s.*", "k8s.io", 1 },         /* top-level domain glob */
		{ "k8s.*", "k8s.io.example", 0 },
		{ "*", "localhost", 1 },
		{ "*", "registry.io", 0 },
		{ "*.azurecr.io", "myreg.azurecr.io/app", 1 },
	};

	check_pairs(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(test_partial_globs)
{
	static const struct pair p[] = {
		{ "app*.k8s.io", "app.k8s.io", 1 },
		{ "app*.k8s.io", "apple.k8s.io", 1 },
		{ "app*.k8s.io", "bapp.k8s.io", 0 },
		{ "*-docker.pkg.dev", "us-docker.pkg.dev/p/r/i", 1 },
		{ "*-docker.pkg.dev", "docker.pkg.dev", 0 },
		/* '?' starts the query for Go's url.Parse: kubelet never globs it */
		{ "re?.io", "reg.io", 0 },
		{ "re?", "re", 1 },
		{ "reg[0-9].io", "reg7.io", 1 },
		{ "reg[0-9a-f].io", "regx.io", 0 },
		/* '^' and '\\' are not host characters for Go's url.Parse, so such
		 * keys fail to parse and match nothing, whatever filepath.Match says */
		{ "reg[^0-9].io", "regx.io", 0 },
		{ "reg\\*.io", "reg*.io", 0 },
		{ "reg[.io", "reg[.io", 0 },      /* bad pattern: never matches */
		{ "reg[].io", "reg].io", 0 },
		{ "Reg.io", "reg.io", 0 },        /* case matters */
	};

	check_pairs(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(test_ports)
{
	static const struct pair p[] = {
		{ "registry.io:8080", "registry.io:8080/app", 1 },
		{ "registry.io:8080", "registry.io:8081/app", 0 },
		{ "registry.io:8080", "registry.io/app", 0 },
		/* a key without a port does not match an image with one */
		{ "registry.io", "registry.io:8080/app", 0 },
		{ "*.io:5000", "reg.io:5000/app", 1 },
		{ "registry.io:*", "registry.io:8080/app", 0 }, /* no globs in ports */
		{ "127.0.0.1:5000", "127.0.0.1:5000/dokku/app", 1 },
		{ "127.0.0.1", "127.0.0.1:5000/dokku/app", 0 },
		{ "[::1]:5000", "[::1]:5000/app", 1 },
		{ "[::1]:5000", "[::1]:5001/app", 0 },
		{ "localhost:5000", "localhost:5000/app", 1 },
	};

	check_pairs(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(test_path_prefixes)
{
	static const struct pair p[] = {
		{ "registry.io:8080/path", "registry.io:8080/path/app", 1 },
		{ "registry.io:8080/path", "registry.io:8080/other/app", 0 },
		{ "registry.io/team", "registry.io/team/app", 1 },
		{ "registry.io/team", "registry.io/teamwork/app", 1 }, /* a string prefix */
		{ "registry.io/team/app", "registry.io/team", 0 },
		{ "gcr.io", "gcr.io/project/image", 1 },
		{ "registry.io/t*", "registry.io/team", 0 },         /* no globs in paths */
		{ "registry.io", "registry.io/a?b", 1 },             /* the query is no path */
		{ "reg.io", "reg.io/\x01", 0 },                       /* control characters */
		{ "reg io", "reg io/app", 0 },                        /* not a host */
	};

	check_pairs(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(test_key_normalize)
{
	static const char *const cases[][2] = {
		{ "https://index.docker.io/v1/", "index.docker.io" },
		{ "http://reg.io:5000/", "reg.io:5000" },
		{ "reg.io/v2/team", "reg.io/team" },
		{ "reg.io/team", "reg.io/team" },
		{ "reg.io", "reg.io" },
		{ "user@reg.io", "reg.io" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *k = dr_kube_key_normalize(cases[i][0]);

		ck_assert_ptr_nonnull(k);
		ck_assert_str_eq(k, cases[i][1]);
		free(k);
	}
	ck_assert_ptr_null(dr_kube_key_normalize("reg.io:abc"));
	ck_assert_ptr_null(dr_kube_key_normalize("reg.io/%zz"));
}
END_TEST

START_TEST(test_default_registry)
{
	ck_assert(dr_kube_default_registry_match("nginx"));
	ck_assert(dr_kube_default_registry_match("library/nginx"));
	ck_assert(dr_kube_default_registry_match("docker.io/library/nginx"));
	ck_assert(dr_kube_default_registry_match("index.docker.io/library/nginx"));
	ck_assert(!dr_kube_default_registry_match("registry-1.docker.io/library/nginx"));
	ck_assert(!dr_kube_default_registry_match("reg.io/app"));
	ck_assert(!dr_kube_default_registry_match("localhost:5000/app"));
	ck_assert(!dr_kube_default_registry_match("/app"));
}
END_TEST

START_TEST(test_lookup_order)
{
	const char *keys[] = { "reg.io", "reg.io/team", "*.reg.io", "https://index.docker.io/v1/" };

	/* longer keys before shorter ones with the same prefix */
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "reg.io/team/app"), 1);
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "reg.io/other"), 0);
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "eu.reg.io/app"), 2);
	/* Docker Hub's key serves Hub images whatever their spelling ... */
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "docker.io/library/nginx"), 3);
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "nginx"), 3);
	/* ... but not registry-1.docker.io, and nothing else */
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "registry-1.docker.io/library/nginx"), -1);
	ck_assert_int_eq(dr_kube_lookup(keys, 4, "other.io/app"), -1);
	ck_assert_int_eq(dr_kube_lookup(keys, 0, "reg.io/app"), -1);
	/* a non-wildcard key before a wildcard one with the same prefix */
	{
		const char *k2[] = { "*.reg.io", "eu.reg.io" };

		ck_assert_int_eq(dr_kube_lookup(k2, 2, "eu.reg.io/app"), 1);
	}
}
END_TEST

START_TEST(test_match_images)
{
	const char *mi[] = { "*.example.com", "127.0.0.1:5000", "docker.io" };

	ck_assert(dr_kube_image_allowed(mi, 3, "registry.example.com/dokku/app"));
	ck_assert(!dr_kube_image_allowed(mi, 3, "a.registry.example.com/dokku/app"));
	ck_assert(dr_kube_image_allowed(mi, 3, "127.0.0.1:5000/app"));
	ck_assert(!dr_kube_image_allowed(mi, 3, "127.0.0.1:5001/app"));
	ck_assert(dr_kube_image_allowed(mi, 3, "docker.io/library/nginx"));
	ck_assert(!dr_kube_image_allowed(mi, 3, "quay.io/app"));
}
END_TEST

Suite *kube_match_suite(void)
{
	Suite *s = suite_create("kube_match");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_star_per_label);
	tcase_add_test(tc, test_partial_globs);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_path_prefixes);
	tcase_add_test(tc, test_key_normalize);
	tcase_add_test(tc, test_default_registry);
	tcase_add_test(tc, test_lookup_order);
	tcase_add_test(tc, test_match_images);
	suite_add_tcase(s, tc);
	return s;
}
