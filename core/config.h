/* Helper settings: built-in defaults, then the JSON config file, then the
 * DOCKER_CREDENTIAL_DOKKU_* environment variables (each layer wins over the
 * one before it). */
#ifndef DR_CONFIG_H
#define DR_CONFIG_H

#include "err.h"
#include "transport.h"

#define DR_CONFIG_ENV "DOCKER_CREDENTIAL_DOKKU_CONFIG"
#define DR_COLLECTION_ENV "DOCKER_CREDENTIAL_DOKKU_COLLECTION"
#define DR_TIMEOUT_ENV "DOCKER_CREDENTIAL_DOKKU_TIMEOUT"
#define DR_UNAVAILABLE_ENV "DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE"
#define DR_TRANSPORT_ENV "DOCKER_CREDENTIAL_DOKKU_TRANSPORT"
#define DR_SYSTEM_CONFIG "/etc/docker-credential-dokku/config.json"
#define DR_CONFIG_LIMIT (1024 * 1024)

struct dr_config {
	char collection[256];  /* alias ("default", "session"), label or object path */
	unsigned timeout_ms;   /* budget for one whole helper call */
	int unavailable_not_found; /* get: answer "not found" when the keyring can't be used */
	enum dr_transport transport; /* "plain" or "dh" */
	char path[4096];       /* the config file that was read, "" when none */
};

void dr_config_defaults(struct dr_config *c);
/* Loads defaults + file + environment. A file named by DR_CONFIG_ENV must
 * exist; the default locations may be absent. */
int dr_config_load(struct dr_config *c, struct dr_err *e);

#endif
