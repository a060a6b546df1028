/* Chaining other credential helpers by registry host pattern (ECR, GCR,
 * Artifact Registry…): `*.dkr.ecr.*.amazonaws.com` -> ecr-login. */
#ifndef DR_CHAIN_H
#define DR_CHAIN_H

#include <stddef.h>

#include "base/err.h"
#include "base/exec.h"
#include "helper/config.h"

/* 1 when pattern matches host[:port]. '*' stands for any run of characters
 * inside one DNS label: it never crosses a dot. A pattern without a port
 * matches any port. */
int dr_pattern_match(const char *pattern, const char *hostport);
/* The helper of the most specific pattern matching server (exact beats
 * wildcard, then more literal characters, then fewer wildcards), or NULL. */
const char *dr_chain_lookup(const struct dr_config *c, const char *server);
/* Runs docker-credential-<helper> <action> with input on stdin, stdout
 * captured (1 MiB cap), stderr passed through to the user. */
int dr_chain_run(const char *helper, const char *action, const void *input, size_t len,
		 unsigned timeout_ms, struct dr_exec_result *r, struct dr_err *e);

#endif
