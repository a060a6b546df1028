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
Suite *compress_suite(void);

#endif
