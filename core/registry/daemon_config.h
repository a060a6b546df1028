/* The Docker daemon's registry settings, read the way dockerd reads them,
 * so that a login or push made here is judged as `docker login` and
 * `docker push` against the same daemon judge it:
 *
 *  - daemon.json: "insecure-registries" (host[:port] names and CIDRs; the
 *    daemon always adds 127.0.0.0/8 and ::1/128) and "proxies"
 *    ("http-proxy", "https-proxy", "no-proxy");
 *  - certs.d/<host[:port]>/: every *.crt is an extra CA (next to the
 *    system's), every <name>.cert with its <name>.key a client certificate.
 *
 * A registry the daemon treats as insecure is tried over https without
 * verifying its certificate, then over plain http, and its certs.d
 * directory is not read; Docker Hub never reads either. */
#ifndef DR_DAEMON_CONFIG_H
#define DR_DAEMON_CONFIG_H

#include <stddef.h>

#include "base/err.h"

/* Where the settings are read from; the environment variables point
 * elsewhere (a daemon started with --config-file, a rootless daemon's
 * ~/.config/docker/certs.d, tests). */
#define DR_ENV_DAEMON_JSON "DR_DOCKER_DAEMON_JSON"
#define DR_ENV_CERTS_D "DR_DOCKER_CERTS_D"
#define DR_DAEMON_JSON_DEFAULT "/etc/docker/daemon.json"
#define DR_CERTS_D_DEFAULT "/etc/docker/certs.d"
/* read limits: daemon.json, each file in a certs.d directory */
#define DR_DAEMON_JSON_MAX ((size_t)1 << 20)
#define DR_CERTS_FILE_MAX ((size_t)1 << 20)

struct dr_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};

struct dr_daemon_config {
	char **names;         /* insecure host[:port] names, as written */
	size_t n_names;
	struct dr_cidr *cidrs; /* insecure ranges, masked; the loopback ones included */
	size_t n_cidrs;
	char *http_proxy, *https_proxy, *no_proxy; /* NULL when not set */
};

/* Parses daemon.json text (path names it in errors). Whitespace only, or
 * nothing, is an empty configuration (as for dockerd). Anything dockerd
 * refuses to start with in these keys is DR_EINVAL with its reason. */
int dr_daemon_config_parse(const char *json, size_t len, const char *path,
			   struct dr_daemon_config *c, struct dr_err *e);
/* Reads path (NULL: $DR_DOCKER_DAEMON_JSON, else the default). A missing
 * file is the daemon's defaults. */
int dr_daemon_config_load(const char *path, struct dr_daemon_config *c, struct dr_err *e);
void dr_daemon_config_free(struct dr_daemon_config *c);

/* 1 when the daemon treats host (host[:port] as in the image reference)
 * as insecure: the name is listed as written, or the host, or any address
 * it resolves to, is in an insecure range. */
int dr_daemon_config_insecure(const struct dr_daemon_config *c, const char *host);

/* What certs.d holds for one host. */
struct dr_certs_dir {
	char *dir;      /* the directory read (for messages); NULL when absent */
	char *ca_pem;   /* the certificates of every *.crt, re-encoded as PEM; NULL: none */
	size_t ca_len;
	size_t n_ca;    /* how many */
	char **certs;   /* the client certificate pairs (paths), by name */
	char **keys;
	size_t n_pairs;
};

/* Reads root/host (root NULL: $DR_DOCKER_CERTS_D, else the default). A
 * missing directory is no settings. As dockerd: a .cert without its .key,
 * a .key without its .cert, an unreadable file or a pair that does not
 * load is an error (DR_EINVAL naming the file); blocks of a .crt that are
 * not certificates are skipped. */
int dr_certs_dir_load(const char *root, const char *host, struct dr_certs_dir *out,
		      struct dr_err *e);
void dr_certs_dir_free(struct dr_certs_dir *d);

#endif
