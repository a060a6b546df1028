/* Syncing an app's image pull secret (core/dokku/k8s_sync.c,
 * k8s_auths.c) in a scratch Dokku (fixture.c) whose scheduler-detect is a
 * stand-in plugn: the Secret's name and namespace, the auths resolved from
 * the computed config dir, and what each mode does when the app is not on
 * k3s, has no logins, or the cluster cannot be used. Talking to an API
 * server is kube_api's suite and the k3s end-to-end tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/atomicfile.h"
#include "dokku/k8s_sync.h"
#include "dokku/plugin_props.h"
#include "dokku/properties.h"
#include "fixture.h"
#include "unit.h"

#define K3S "scheduler-k3s"

static char bin[128], *saved_path;

static const char plugn_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"[ \"$1\" = trigger ] && [ \"$2\" = scheduler-detect ] && cat \"$d/scheduler\"\n"
	"exit 0\n";

static void file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unit_write(path, text, strlen(text), mode);
}

static void scheduler(const char *name)
{
	file(bin, "scheduler", name, 0644);
}

static void setup(void)
{
	const char *path = getenv("PATH");
	char plugins[160], enabled[192], kubeconfig[192], *p;
	struct dr_err e = { 0 };

	unit_world_setup();
	unit_path(bin, sizeof(bin), "bin");
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	file(bin, "plugn", plugn_script, 0755);
	scheduler("k3s\n");
	saved_path = path ? strdup(path) : NULL;
	ck_assert_int_ge(asprintf(&p, "%s:%s", bin, path ? path : "/usr/bin:/bin"), 0);
	setenv("PATH", p, 1);
	free(p);
	unit_path(plugins, sizeof(plugins), "plugins");
	ck_assert_int_eq(mkdir(plugins, 0755), 0);
	snprintf(enabled, sizeof(enabled), "%s/enabled", plugins);
	ck_assert_int_eq(mkdir(enabled, 0755), 0);
	setenv("PLUGIN_PATH", plugins, 1);
	/* never the machine's own k3s */
	unit_path(kubeconfig, sizeof(kubeconfig), "no-such-kubeconfig.yaml");
	ck_assert_int_eq(dr_plugin_prop_set(K3S, DR_GLOBAL, "kubeconfig-path", kubeconfig, &e), 0);
}

static void teardown(void)
{
	if (saved_path)
		setenv("PATH", saved_path, 1);
	free(saved_path);
	saved_path = NULL;
	unsetenv("PLUGIN_PATH");
	unit_world_teardown();
}

static void k3s_prop(const char *app, const char *name, const char *value)
{
	struct dr_err e = { 0 };

	ck_assert_msg(dr_plugin_prop_set(K3S, app, name, value, &e) == 0, "%s", e.msg);
}

static char *k3s_get(const char *app, const char *name)
{
	struct dr_err e = { 0 };
	char *v = NULL;

	ck_assert_msg(dr_plugin_prop_get(K3S, app, name, &v, &e) == 0, "%s", e.msg);
	return v;
}

static void expect_target(const char *app, const struct dr_k8s_sync_opts *o, const char *name,
			  const char *ns)
{
	struct dr_err e = { 0 };
	char *n = NULL, *s = NULL;

	ck_assert_msg(dr_k8s_target(app, o, &n, &s, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(n, name);
	ck_assert_str_eq(s, ns);
	free(n);
	free(s);
}

/* config.json in the global docker config dir, or the app's */
static void docker_config(const char *app, const char *json)
{
	char dir[256];
	const char *root = app ? NULL : unit_dokku_root();

	if (app)
		snprintf(dir, sizeof(dir), "%s/config/registry/%s", unit_dokku_lib_root(), app);
	else
		snprintf(dir, sizeof(dir), "%s/.docker", root);
	ck_assert_int_eq(dr_mkdir_p(dir, 0700, NULL), 0);
	file(dir, "config.json", json, 0600);
}

START_TEST(test_target_name_and_namespace)
{
	struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_EXPLICIT };
	struct dr_err e = { 0 };
	char *n = (char *)"x", *s = (char *)"y";

	expect_target("web", &o, "dokku-registry-web", "default");
	k3s_prop(DR_GLOBAL, "namespace", "team");
	expect_target("web", &o, "dokku-registry-web", "team");
	k3s_prop("web", "namespace", "web-ns");
	k3s_prop("web", "image-pull-secrets", "regcred");
	expect_target("web", &o, "regcred", "web-ns");
	o.name = "other";
	o.ns = "elsewhere";
	expect_target("web", &o, "other", "elsewhere");
	o.name = "Not_Valid";
	ck_assert_int_eq(dr_k8s_target("web", &o, &n, &s, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Not_Valid is not a valid Secret name (lower-case letters, digits, '-' and '.')");
	ck_assert_ptr_null(n);
	ck_assert_ptr_null(s);
	o.name = NULL;
	o.ns = "a/b";
	ck_assert_int_eq(dr_k8s_target("web", &o, &n, &s, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "a/b is not a valid namespace name");
}
END_TEST

START_TEST(test_auths_from_the_computed_config_dir)
{
	json_t *auths = NULL, *entry;
	struct dr_err e = { 0 };

	/* alice:pw-a and bob:pw-b, as plaintext auths */
	docker_config(NULL, "{\"auths\":{\"ghcr.io\":{\"auth\":\"YWxpY2U6cHctYQ==\"}}}");
	ck_assert_msg(dr_k8s_collect_auths("web", 0, &auths, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(json_object_size(auths), 1);
	entry = json_object_get(auths, "ghcr.io");
	ck_assert_ptr_nonnull(entry);
	ck_assert_str_eq(json_string_value(json_object_get(entry, "username")), "alice");
	ck_assert_str_eq(json_string_value(json_object_get(entry, "password")), "pw-a");
	json_decref(auths);
	/* an app with logins of its own gets those only */
	docker_config("web", "{\"auths\":{\"quay.io\":{\"auth\":\"Ym9iOnB3LWI=\"}}}");
	ck_assert_msg(dr_k8s_collect_auths("web", 0, &auths, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(json_object_size(auths), 1);
	entry = json_object_get(auths, "quay.io");
	ck_assert_ptr_nonnull(entry);
	ck_assert_str_eq(json_string_value(json_object_get(entry, "username")), "bob");
	json_decref(auths);
	/* the app's server without a login: pulled anonymously, nothing added */
	ck_assert_int_eq(dr_prop_set("web", "server", "registry.example.com", &e), 0);
	ck_assert_msg(dr_k8s_collect_auths("web", 1, &auths, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(json_object_size(auths), 1);
	ck_assert_ptr_null(json_object_get(auths, "registry.example.com"));
	json_decref(auths);
}
END_TEST

START_TEST(test_not_on_k3s_is_skipped)
{
	struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_EXPLICIT };
	struct dr_k8s_cluster c;
	char *v;

	scheduler("docker-local\n");
	docker_config(NULL, "{\"auths\":{\"ghcr.io\":{\"auth\":\"YWxpY2U6cHctYQ==\"}}}");
	dr_k8s_cluster_load(&c);
	ck_assert_int_eq(dr_k8s_sync_run(&c, "web", &o), 0);
	dr_k8s_cluster_free(&c);
	ck_assert_int_eq(dr_k8s_deploy_sync("web"), 0);
	dr_k8s_auto_sync("web");
	dr_k8s_auto_sync(NULL);
	v = k3s_get("web", "image-pull-secrets");
	ck_assert_str_eq(v, "");
	free(v);
}
END_TEST

START_TEST(test_unusable_cluster_by_mode)
{
	struct dr_k8s_sync_opts o = { NULL, NULL, DR_K8S_SYNC_EXPLICIT };
	struct dr_k8s_cluster c;
	char *v;

	dr_k8s_cluster_load(&c);
	ck_assert_int_ne(c.rc, 0);
	/* no logins and no secret of ours: automatic runs have nothing to do */
	o.mode = DR_K8S_SYNC_AUTO;
	ck_assert_int_eq(dr_k8s_sync_run(&c, "web", &o), 0);
	o.mode = DR_K8S_SYNC_DEPLOY;
	ck_assert_int_eq(dr_k8s_sync_run(&c, "web", &o), 0);
	/* a login that cannot reach the cluster: k8s:sync fails */
	docker_config(NULL, "{\"auths\":{\"ghcr.io\":{\"auth\":\"YWxpY2U6cHctYQ==\"}}}");
	o.mode = DR_K8S_SYNC_EXPLICIT;
	ck_assert_int_eq(dr_k8s_sync_run(&c, "web", &o), 1);
	/* a login or deploy goes on: the pull works with Dokku's own copy */
	o.mode = DR_K8S_SYNC_AUTO;
	ck_assert_int_eq(dr_k8s_sync_run(&c, "web", &o), 0);
	o.mode = DR_K8S_SYNC_DEPLOY;
	ck_assert_int_eq(dr_k8s_sync_run(&c, "web", &o), 0);
	ck_assert_int_eq(dr_k8s_deploy_sync("web"), 0);
	dr_k8s_cluster_free(&c);
	v = k3s_get("web", "image-pull-secrets");
	ck_assert_str_eq(v, "");
	free(v);
}
END_TEST

START_TEST(test_deploy_stops_when_the_pull_could_only_fail)
{
	struct dr_err e = { 0 };

	/* the password is in the keyring: config.json holds an empty marker,
	 * which is all Dokku's copy would give k3s */
	ck_assert_int_eq(dr_prop_set("web", "server", "ghcr.io", &e), 0);
	docker_config(NULL, "{\"auths\":{\"ghcr.io\":{}},\"credHelpers\":{\"ghcr.io\":\"unit-none\"}}");
	ck_assert_int_eq(dr_k8s_deploy_sync("web"), 1);
	/* with image-pull-secrets set Dokku does not copy config.json */
	k3s_prop("web", "image-pull-secrets", "regcred");
	ck_assert_int_eq(dr_k8s_deploy_sync("web"), 0);
}
END_TEST

START_TEST(test_post_delete_without_a_cluster)
{
	char *v;

	k3s_prop("web", "image-pull-secrets", "dokku-registry-web");
	dr_k8s_post_delete("web");
	/* nothing could be deleted: the property that names it stays */
	v = k3s_get("web", "image-pull-secrets");
	ck_assert_str_eq(v, "dokku-registry-web");
	free(v);
}
END_TEST

Suite *k8s_sync_suite(void)
{
	Suite *s = suite_create("k8s_sync");
	TCase *tc = tcase_create("k8s_sync");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_target_name_and_namespace);
	tcase_add_test(tc, test_auths_from_the_computed_config_dir);
	tcase_add_test(tc, test_not_on_k3s_is_skipped);
	tcase_add_test(tc, test_unusable_cluster_by_mode);
	tcase_add_test(tc, test_deploy_stops_when_the_pull_could_only_fail);
	tcase_add_test(tc, test_post_delete_without_a_cluster);
	suite_add_tcase(s, tc);
	return s;
}
