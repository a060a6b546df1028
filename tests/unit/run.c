#include <stdlib.h>

#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(serverurl_suite());
	int failed;

	srunner_add_suite(sr, protocol_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, secmem_suite());
	srunner_add_suite(sr, err_suite());
	srunner_add_suite(sr, registry_suite());
	srunner_add_suite(sr, registry_range_suite());
	srunner_add_suite(sr, daemon_config_suite());
	srunner_add_suite(sr, imagesource_suite());
	srunner_add_suite(sr, pflag_suite());
	srunner_add_suite(sr, authservers_suite());
	srunner_add_suite(sr, backup_recipe_suite());
	srunner_add_suite(sr, kube_config_suite());
	srunner_add_suite(sr, kube_secret_suite());
	srunner_add_suite(sr, kube_match_suite());
	srunner_add_suite(sr, kube_provider_suite());
	srunner_add_suite(sr, chain_suite());
	srunner_add_suite(sr, atomicfile_suite());
	srunner_add_suite(sr, exec_suite());
	srunner_add_suite(sr, template_suite());
	srunner_add_suite(sr, gotmpl_lex_suite());
	srunner_add_suite(sr, gotmpl_parse_suite());
	srunner_add_suite(sr, gotmpl_ptok_suite());
	srunner_add_suite(sr, gotmpl_exec_suite());
	srunner_add_suite(sr, gotmpl_funcs_suite());
	srunner_add_suite(sr, gotmpl_fmt_suite());
	srunner_add_suite(sr, gotmpl_printf_suite());
	srunner_add_suite(sr, gotmpl_num_suite());
	srunner_add_suite(sr, gotmpl_util_suite());
	srunner_add_suite(sr, gotmpl_limits_suite());
	srunner_add_suite(sr, gotmpl_unicode_suite());
	srunner_add_suite(sr, gotmpl_goexact_suite());
	srunner_add_suite(sr, text_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, lockfile_suite());
	srunner_add_suite(sr, apps_suite());
	srunner_add_suite(sr, properties_suite());
	srunner_add_suite(sr, settings_suite());
	srunner_add_suite(sr, scope_suite());
	srunner_add_suite(sr, dockerconfig_suite());
	srunner_add_suite(sr, push_ref_suite());
	srunner_add_suite(sr, push_cache_suite());
	srunner_add_suite(sr, push_cache_mac_suite());
	srunner_add_suite(sr, imagesource_tar_suite());
	srunner_add_suite(sr, imagesource_stream_suite());
	srunner_add_suite(sr, imagesource_docker_suite());
	srunner_add_suite(sr, imagesource_parse_suite());
	srunner_add_suite(sr, compress_suite());
	srunner_add_suite(sr, push_rewrite_suite());
	srunner_add_suite(sr, push_progress_suite());
	srunner_add_suite(sr, push_auth_suite());
	srunner_add_suite(sr, push_blob_suite());
	srunner_add_suite(sr, push_compress_suite());
	srunner_add_suite(sr, push_suite());
	srunner_add_suite(sr, bus_suite());
	srunner_add_suite(sr, keyring_suite());
	srunner_add_suite(sr, keyring_items_suite());
	srunner_add_suite(sr, transport_suite());
	srunner_add_suite(sr, credhelper_suite());
	srunner_add_suite(sr, credstore_suite());
	srunner_add_suite(sr, dockerauth_suite());
	srunner_add_suite(sr, preflight_suite());
	srunner_add_suite(sr, sealedcred_suite());
	srunner_add_suite(sr, registry_parse_suite());
	srunner_add_suite(sr, registry_redirect_suite());
	srunner_add_suite(sr, registry_http_suite());
	srunner_add_suite(sr, registry_request_suite());
	srunner_add_suite(sr, registry_token_suite());
	srunner_add_suite(sr, kube_api_suite());
	srunner_add_suite(sr, plugin_props_suite());
	srunner_add_suite(sr, backup_suite());
	srunner_add_suite(sr, setup_suite());
	srunner_add_suite(sr, backup_parse_suite());
	srunner_add_suite(sr, backup_yaml_suite());
	srunner_add_suite(sr, setup_dokku_suite());
	srunner_add_suite(sr, setup_keyring_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
