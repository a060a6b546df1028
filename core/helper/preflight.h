/* Before Docker gets a push, pull or pull secret: can our helper hand out
 * the credentials a docker config says a registry has? Docker hides helper
 * errors and carries on anonymously, so a keyring that is down or locked
 * would surface as Docker's bare "no basic auth credentials". */
#ifndef DR_PREFLIGHT_H
#define DR_PREFLIGHT_H

#include "base/err.h"

/* config_dir: the docker config dir Docker will use; server: host[:port]
 * ("" or "docker.io" for Docker Hub). 0 when the registry is not ours to
 * answer (no login, or another helper) or its credentials are readable;
 * else the real cause and the fix (the keyring unit, doctor, login again). */
int dr_keyring_preflight(const char *config_dir, const char *server, struct dr_err *e);

#endif
