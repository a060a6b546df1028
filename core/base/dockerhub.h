/* Docker Hub's names, in one place: each name, and what it is to whom.
 * Everything that recognises or writes a Hub name takes it from here. */
#ifndef DR_DOCKERHUB_H
#define DR_DOCKERHUB_H

#include <stddef.h>

/* Our canonical key for the Hub (server URLs fold into it), and docker's
 * default domain of image references ("nginx" is docker.io/library/nginx). */
#define DR_HUB_KEY "docker.io"
/* docker's legacy index name, still accepted in image references and in
 * daemon.json; kubelet's defaultRegistryHost, its key for Hub credentials. */
#define DR_HUB_INDEX_HOST "index.docker.io"
/* The host registry API requests for the Hub go to. */
#define DR_HUB_API_HOST "registry-1.docker.io"
/* The web site's names, which people type for the Hub. */
#define DR_HUB_WEB_HOST "hub.docker.com"
#define DR_HUB_WEB_DOMAIN "docker.com"
/* docker/cli's key for Hub credentials: config.json's auths, and the
 * server URL it asks credential helpers for. */
#define DR_HUB_INDEX "https://index.docker.io/v1/"

/* What a name is to whom (a name may be several). */
enum dr_hub_role {
	DR_HUB_REFERENCE = 1u << 0, /* docker's image references mean the Hub by it */
	DR_HUB_REGISTRY = 1u << 1,  /* a host serving the Hub's registry */
	DR_HUB_WEBSITE = 1u << 2,   /* the web site, accepted from users for the Hub */
};

struct dr_hub_name {
	const char *name;
	unsigned roles; /* enum dr_hub_role bits */
};

/* Every host name of the Hub with its roles; the last entry's name is NULL. */
extern const struct dr_hub_name dr_hub_names[];

/* 1 when s[0..n) is, byte for byte, a name in the table with one of roles. */
int dr_hub_name_is(const char *s, size_t n, unsigned roles);

#endif
