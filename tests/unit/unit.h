/* One Suite per core/ file; run.c runs them all. */
#ifndef DR_UNIT_H
#define DR_UNIT_H

#include <check.h>

Suite *serverurl_suite(void);
Suite *protocol_suite(void);
Suite *config_suite(void);
Suite *secmem_suite(void);
Suite *err_suite(void);
Suite *registry_suite(void);
Suite *push_suite(void);
Suite *imagesource_suite(void);
Suite *pflag_suite(void);
Suite *authservers_suite(void);
Suite *backup_recipe_suite(void);
Suite *kube_config_suite(void);
Suite *kube_secret_suite(void);
Suite *kube_match_suite(void);
Suite *kube_provider_suite(void);
Suite *chain_suite(void);
Suite *atomicfile_suite(void);
Suite *exec_suite(void);
Suite *template_suite(void);
Suite *bus_suite(void);
Suite *keyring_suite(void);
Suite *keyring_items_suite(void);
Suite *transport_suite(void);
Suite *credhelper_suite(void);
Suite *dockerauth_suite(void);
Suite *preflight_suite(void);
Suite *sealedcred_suite(void);
Suite *registry_parse_suite(void);
Suite *registry_redirect_suite(void);
Suite *kube_api_suite(void);
Suite *plugin_props_suite(void);
Suite *backup_suite(void);
Suite *setup_suite(void);

#endif
