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
Suite *registry_range_suite(void);
Suite *imagesource_suite(void);
Suite *pflag_suite(void);
Suite *authservers_suite(void);
Suite *backup_recipe_suite(void);
Suite *kube_suite(void);
Suite *kube_match_suite(void);
Suite *kube_provider_suite(void);
Suite *chain_suite(void);
Suite *atomicfile_suite(void);
Suite *exec_suite(void);
Suite *template_suite(void);
Suite *text_suite(void);
Suite *log_suite(void);
Suite *lockfile_suite(void);
Suite *apps_suite(void);
Suite *properties_suite(void);
Suite *settings_suite(void);
Suite *scope_suite(void);
Suite *dockerconfig_suite(void);
Suite *push_ref_suite(void);
Suite *push_cache_suite(void);
Suite *imagesource_tar_suite(void);
Suite *imagesource_stream_suite(void);
Suite *imagesource_docker_suite(void);
Suite *imagesource_parse_suite(void);
Suite *compress_suite(void);
Suite *push_rewrite_suite(void);
Suite *push_progress_suite(void);
Suite *push_auth_suite(void);
Suite *push_blob_suite(void);
Suite *push_compress_suite(void);

#endif
