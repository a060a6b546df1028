/* Helper settings, each layer overriding the one before: built-in defaults,
 * /etc/docker-credential-dokku/config.json, the user's
 * $XDG_CONFIG_HOME/docker-credential-dokku/config.json, the file named by
 * $DOCKER_CREDENTIAL_DOKKU_CONFIG, then the DOCKER_CREDENTIAL_DOKKU_*
 * environment variables. */
#ifndef DR_CONFIG_H
#define DR_CONFIG_H

#include "base/err.h"
#include "keyring/transport.h"

#define DR_CONFIG_ENV "DOCKER_CREDENTIAL_DOKKU_CONFIG"
#define DR_COLLECTION_ENV "DOCKER_CREDENTIAL_DOKKU_COLLECTION"
#define DR_TIMEOUT_ENV "DOCKER_CREDENTIAL_DOKKU_TIMEOUT"
#define DR_UNAVAILABLE_ENV "DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE"
#define DR_TRANSPORT_ENV "DOCKER_CREDENTIAL_DOKKU_TRANSPORT"
#define DR_SYSTEM_CONFIG "/etc/docker-credential-dokku/config.json"
#define DR_CONFIG_LIMIT (1024 * 1024)
#define DR_MAX_CHAINED 64

/* host pattern -> other credential helper (ECR/GCR-style chaining) */
struct dr_chained {
	char pattern[256];
	char helper[64];
};

/* dokku-credential-provider's settings (the "provider" object): kept as
 * written, so a mistake there fails the provider, not the helper. */
struct dr_provider_settings {
	char cache_duration[32];           /* Go duration strings, "" = default */
	char chained_cache_duration[32];
	char not_found_cache_duration[32];
	char timeout[32];
};

struct dr_config {
	char collection[256];  /* alias ("default", "session"), label or object path */
	unsigned timeout_ms;   /* budget for one whole helper call */
	int unavailable_not_found; /* get: answer "not found" when the keyring can't be used */
	enum dr_transport transport; /* "plain" or "dh" */
	char bus[1024];        /* D-Bus address; "" = environment / $XDG_RUNTIME_DIR/bus */
	unsigned chain_timeout_ms; /* for chained helpers (they may go to the network) */
	struct dr_chained chained[DR_MAX_CHAINED];
	size_t nchained;
	struct dr_provider_settings provider;
	char path[4096];       /* the last config file read, "" when none */
};

void dr_config_defaults(struct dr_config *c);
/* Loads every layer. A file named by DR_CONFIG_ENV must exist; the
 * default locations may be absent. */
int dr_config_load(struct dr_config *c, struct dr_err *e);
/* The file `helpers:set` writes: $DOCKER_CREDENTIAL_DOKKU_CONFIG, else the
 * user's XDG file (the one the helper reads last, so its entries win). */
int dr_config_user_path(char *buf, size_t n, struct dr_err *e);
/* A host pattern: lower-case letters, digits, '.', '-', '_', ':', and '*'
 * wildcards that stand for part of one DNS label; at most
 * DR_PATTERN_MAX_LEN characters and DR_PATTERN_MAX_STARS wildcards. */
#define DR_PATTERN_MAX_LEN 255
#define DR_PATTERN_MAX_STARS 8
#define DR_STR_(x) #x
#define DR_STR(x) DR_STR_(x)
int dr_pattern_valid(const char *pattern);
/* Why pattern is not valid (one phrase), or NULL when it is. */
const char *dr_pattern_problem(const char *pattern);
int dr_helper_name_valid(const char *name);

#endif
