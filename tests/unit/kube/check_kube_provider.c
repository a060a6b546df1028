/* core/kube_provider: CredentialProviderRequest parsing, the image ->
 * registry -> key rules (proved against tests/unit/kube/kube_match.c, kubelet's
 * matching), CredentialProviderResponse bytes, Go durations, and the
 * "provider" object of the helper config. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper/config.h"
#include "kube_match.h"
#include "kube/kube_provider.h"
#include "unit.h"

/* as the Kubernetes API reference (kubelet-credentialprovider.v1) shows it */
#define REQ(img) "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\"," \
	"\"kind\":\"CredentialProviderRequest\",\"image\":\"" img "\"}"

static int parse(const char *json, struct dr_kube_request *r, struct dr_err *e)
{
	return dr_kube_request_parse(json, strlen(json), r, e);
}

START_TEST(test_request_v1)
{
	struct dr_kube_request r;
	struct dr_err e = { 0 };

	ck_assert_int_eq(parse(REQ("registry.example.com:5000/dokku/app"), &r, &e), 0);
	ck_assert_str_eq(r.api_version, DR_KUBE_API_V1);
	ck_assert_str_eq(r.image, "registry.example.com:5000/dokku/app");
	ck_assert_int_eq(r.has_sa_token, 0);
	dr_kube_request_free(&r);
	/* kubelet's own encoding puts kind first, with a newline */
	ck_assert_int_eq(parse("{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":"
			       "\"credentialprovider.kubelet.k8s.io/v1beta1\",\"image\":\"nginx\"}\n",
			       &r, &e), 0);
	ck_assert_str_eq(r.api_version, "credentialprovider.kubelet.k8s.io/v1beta1");
	dr_kube_request_free(&r);
	/* fields of newer kubelets are accepted and ignored */
	ck_assert_int_eq(parse("{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":"
			       "\"CredentialProviderRequest\",\"image\":\"reg.io/a\",\"futureField\":[1]}",
			       &r, &e), 0);
	dr_kube_request_free(&r);
}
END_TEST

START_TEST(test_request_service_account_token)
{
	struct dr_kube_request r;
	struct dr_err e = { 0 };

	ck_assert_int_eq(parse("{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":"
			       "\"CredentialProviderRequest\",\"image\":\"reg.io/a\","
			       "\"serviceAccountToken\":\"eyJhbGciOi.SA-TOKEN.sig\","
			       "\"serviceAccountAnnotations\":{\"example.com/role\":\"puller\"}}",
			       &r, &e), 0);
	ck_assert_int_eq(r.has_sa_token, 1);
	dr_kube_request_free(&r);
	/* the token never shows in an error */
	ck_assert_int_eq(parse("{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":"
			       "\"Other\",\"image\":\"reg.io/a\",\"serviceAccountToken\":\"SA-TOKEN-xyz\"}",
			       &r, &e), DR_EINVAL);
	ck_assert_ptr_null(strstr(e.msg, "SA-TOKEN"));
	ck_assert_int_eq(parse("{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":"
			       "\"CredentialProviderRequest\",\"image\":\"reg.io/a\",\"serviceAccountToken\":7}",
			       &r, &e), DR_EINVAL);
	/* nor in a JSON syntax error inside or after it */
	ck_assert_int_eq(parse("{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":"
			       "\"CredentialProviderRequest\",\"image\":\"reg.io/a\",\"serviceAccountToken\":"
			       "\"SA-TOKEN-unterminated", &r, &e), DR_EINVAL);
	ck_assert_ptr_null(strstr(e.msg, "SA-TOKEN"));
	ck_assert_int_eq(parse("{\"serviceAccountToken\":\"SA-TOKEN-abc\" SA-TOKEN-def}", &r, &e), DR_EINVAL);
	ck_assert_ptr_null(strstr(e.msg, "SA-TOKEN"));
	ck_assert_ptr_nonnull(strstr(e.msg, "not JSON"));
}
END_TEST

START_TEST(test_request_rejects)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v2\",\"kind\":\"CredentialProviderRequest\","
		  "\"image\":\"a\"}", "unsupported apiVersion credentialprovider.kubelet.k8s.io/v2" },
		{ "{\"kind\":\"CredentialProviderRequest\",\"image\":\"a\"}", "no apiVersion" },
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"image\":\"a\"}", "kind is missing" },
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderResponse\","
		  "\"image\":\"a\"}", "kind is CredentialProviderResponse" },
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\"}",
		  "no image" },
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\","
		  "\"image\":\"\"}", "no image" },
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\","
		  "\"image\":5}", "\"image\" must be a string" },
		{ "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\","
		  "\"image\":\"a\",\"image\":\"b\"}", "not JSON" },
		{ "[]", "not a JSON object" },
		{ "", "not JSON" },
		{ "{\"apiVersion\":1}", "\"apiVersion\" must be a string" },
	};
	struct dr_kube_request r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dr_err e = { 0 };

		ck_assert_int_eq(parse(bad[i].json, &r, &e), DR_EINVAL);
		ck_assert_msg(strstr(e.msg, bad[i].msg), "%s: got \"%s\"", bad[i].json, e.msg);
		ck_assert_ptr_null(r.image);
	}
}
END_TEST

START_TEST(test_request_too_big)
{
	size_t n = DR_KUBE_REQUEST_LIMIT + 1;
	char *big = malloc(n);
	struct dr_kube_request r;
	struct dr_err e = { 0 };

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	ck_assert_int_eq(dr_kube_request_parse(big, n, &r, &e), DR_ETOOBIG);
	free(big);
}
END_TEST

/* every key we answer with is one kubelet uses for that image */
START_TEST(test_image_keys_match_as_kubelet_does)
{
	static const struct {
		const char *image, *key, *server0;
		int hub;
	} cases[] = {
		{ "registry.example.com:5000/dokku/app", "registry.example.com:5000",
		  "registry.example.com:5000", 0 },
		{ "127.0.0.1:5000/app@sha256:0123456789abcdef", "127.0.0.1:5000", "127.0.0.1:5000", 0 },
		{ "[::1]:5000/app", "[::1]:5000", "[::1]:5000", 0 },
		{ "localhost/app", "localhost", "localhost", 0 },
		{ "localhost:5000/app:v1", "localhost:5000", "localhost:5000", 0 },
		{ "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:tag",
		  "123456789012.dkr.ecr.us-east-1.amazonaws.com",
		  "123456789012.dkr.ecr.us-east-1.amazonaws.com", 0 },
		{ "docker.io/library/nginx", "docker.io", "https://index.docker.io/v1/", 1 },
		{ "index.docker.io/library/nginx", "index.docker.io", "https://index.docker.io/v1/", 1 },
		{ "registry-1.docker.io/library/nginx", "registry-1.docker.io",
		  "https://index.docker.io/v1/", 1 },
		{ "library/nginx", "index.docker.io", "https://index.docker.io/v1/", 1 },
		{ "nginx", "index.docker.io", "https://index.docker.io/v1/", 1 },
		{ "nginx:1.27", "index.docker.io", "https://index.docker.io/v1/", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dr_kube_image im;
		struct dr_err e = { 0 };
		const char *keys[1];

		ck_assert_msg(dr_kube_image_parse(cases[i].image, &im, &e) == 0, "%s: %s",
			      cases[i].image, e.msg);
		ck_assert_str_eq(im.key, cases[i].key);
		ck_assert_str_eq(im.servers[0], cases[i].server0);
		ck_assert_int_eq(im.hub, cases[i].hub);
		keys[0] = im.key;
		ck_assert_msg(dr_kube_lookup(keys, 1, cases[i].image) == 0,
			      "kubelet would not use key %s for %s", im.key, cases[i].image);
		dr_kube_image_free(&im);
	}
}
END_TEST

START_TEST(test_image_servers)
{
	struct dr_kube_image im;
	struct dr_err e = { 0 };

	ck_assert_int_eq(dr_kube_image_parse("reg.io:5000/a/b", &im, &e), 0);
	ck_assert_str_eq(im.servers[0], "reg.io:5000");
	ck_assert_str_eq(im.servers[1], "https://reg.io:5000");
	ck_assert_ptr_null(im.servers[2]);
	dr_kube_image_free(&im);
	ck_assert_int_eq(dr_kube_image_parse("docker.io/x/y", &im, &e), 0);
	ck_assert_str_eq(im.servers[1], "index.docker.io");
	ck_assert_str_eq(im.servers[2], "docker.io");
	ck_assert_ptr_null(im.servers[3]);
	dr_kube_image_free(&im);
}
END_TEST

START_TEST(test_image_rejects)
{
	static const char *const bad[] = {
		"", "reg.io/", "reg io/app", "reg.io/a\tb", "reg.io:99999/app", "reg.io:abc/app",
		"reg.io/v2/../x\x7f",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dr_kube_image im;
		struct dr_err e = { 0 };

		ck_assert_msg(dr_kube_image_parse(bad[i], &im, &e) == DR_EINVAL, "accepted \"%s\"", bad[i]);
		ck_assert_ptr_null(im.key);
	}
}
END_TEST

START_TEST(test_response_bytes)
{
	struct dr_kube_answer a = { DR_KUBE_API_V1, "reg.io:5000", "dokku", "s3cr\"et", 7, 1800, 0 };
	struct dr_err e = { 0 };
	char *out;

	ck_assert_int_eq(dr_kube_response(&a, &out, &e), 0);
	ck_assert_str_eq(out, "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\","
			      "\"kind\":\"CredentialProviderResponse\",\"cacheKeyType\":\"Registry\","
			      "\"cacheDuration\":\"30m0s\",\"auth\":{\"reg.io:5000\":"
			      "{\"username\":\"dokku\",\"password\":\"s3cr\\\"et\"}}}\n");
	free(out);
	/* not found: no auth at all ("should set this field to null"), still cached */
	a.key = NULL;
	a.cache_seconds = 60;
	ck_assert_int_eq(dr_kube_response(&a, &out, &e), 0);
	ck_assert_str_eq(out, "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\","
			      "\"kind\":\"CredentialProviderResponse\",\"cacheKeyType\":\"Registry\","
			      "\"cacheDuration\":\"1m0s\"}\n");
	free(out);
	/* a service account token changes nothing: kubelet's strict decoder
	 * takes no field the response type lacks (the token cache type lives
	 * in its config, tokenAttributes.cacheType, since 1.34) */
	a.sa_token = 1;
	a.cache_seconds = 0;
	ck_assert_int_eq(dr_kube_response(&a, &out, &e), 0);
	ck_assert_str_eq(out, "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\","
			      "\"kind\":\"CredentialProviderResponse\",\"cacheKeyType\":\"Registry\","
			      "\"cacheDuration\":\"0s\"}\n");
	free(out);
}
END_TEST

START_TEST(test_response_secret_bytes)
{
	struct dr_kube_answer a = { DR_KUBE_API_V1, "reg.io", "u", "a\0b", 3, 5, 0 };
	struct dr_err e = { 0 };
	char *out;

	ck_assert_int_eq(dr_kube_response(&a, &out, &e), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"password\":\"a\\u0000b\""));
	free(out);
	a.password = "\xff\xfe";
	a.password_len = 2;
	ck_assert_int_eq(dr_kube_response(&a, &out, &e), DR_EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(e.msg, "UTF-8"));
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *in;
		unsigned long s;
	} ok[] = {
		{ "0", 0 }, { "0s", 0 }, { "90s", 90 }, { "5m", 300 }, { "1h30m", 5400 },
		{ "1.5h", 5400 }, { "500ms", 0 }, { "2h45m30s", 9930 }, { "1m30.9s", 90 },
		{ ".5m", 30 }, { "8760h", 31536000 },
	};
	static const char *const bad[] = { "", "5", "-5m", "+5m", "5x", "m", "1y", "8761h", "5 m" };
	static const struct {
		unsigned long s;
		const char *out;
	} fmt[] = {
		{ 0, "0s" }, { 45, "45s" }, { 300, "5m0s" }, { 3600, "1h0m0s" }, { 3723, "1h2m3s" },
		{ 43200, "12h0m0s" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		unsigned long s = 99;
		struct dr_err e = { 0 };

		ck_assert_msg(dr_duration_parse(ok[i].in, &s, &e) == 0, "%s: %s", ok[i].in, e.msg);
		ck_assert_uint_eq(s, ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned long s;
		struct dr_err e = { 0 };

		ck_assert_msg(dr_duration_parse(bad[i], &s, &e) == DR_EINVAL, "accepted \"%s\"", bad[i]);
	}
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		dr_duration_format(fmt[i].s, buf, sizeof(buf));
		ck_assert_str_eq(buf, fmt[i].out);
	}
}
END_TEST

static char dir[] = "/tmp/dr-kube-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

START_TEST(test_config_provider_object)
{
	char path[512];
	struct dr_config c;
	struct dr_err e = { 0 };
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"provider\":{\"cache_duration\":\"2h\",\"not_found_cache_duration\":\"0s\","
	      "\"timeout\":\"20s\"}}", f);
	fclose(f);
	setenv(DR_CONFIG_ENV, path, 1);
	/* other suites' settings, when the run shares one process (CK_FORK=no) */
	unsetenv(DR_COLLECTION_ENV);
	unsetenv(DR_TIMEOUT_ENV);
	unsetenv(DR_UNAVAILABLE_ENV);
	unsetenv(DR_TRANSPORT_ENV);
	ck_assert_int_eq(dr_config_load(&c, &e), 0);
	ck_assert_str_eq(c.provider.cache_duration, "2h");
	ck_assert_str_eq(c.provider.chained_cache_duration, "");
	ck_assert_str_eq(c.provider.not_found_cache_duration, "0s");
	ck_assert_str_eq(c.provider.timeout, "20s");
	f = fopen(path, "w");
	fputs("{\"provider\":{\"cache_duration\":5}}", f);
	fclose(f);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "provider.cache_duration"));
	f = fopen(path, "w");
	fputs("{\"provider\":\"5m\"}", f);
	fclose(f);
	ck_assert_int_eq(dr_config_load(&c, &e), DR_EINVAL);
	unsetenv(DR_CONFIG_ENV);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

Suite *kube_provider_suite(void)
{
	Suite *s = suite_create("kube_provider");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_request_v1);
	tcase_add_test(tc, test_request_service_account_token);
	tcase_add_test(tc, test_request_rejects);
	tcase_add_test(tc, test_request_too_big);
	tcase_add_test(tc, test_image_keys_match_as_kubelet_does);
	tcase_add_test(tc, test_image_servers);
	tcase_add_test(tc, test_image_rejects);
	tcase_add_test(tc, test_response_bytes);
	tcase_add_test(tc, test_response_secret_bytes);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_config_provider_object);
	suite_add_tcase(s, tc);
	return s;
}
