/* The helper's stdin: a `store` payload (Go's line framing, then JSON), and
 * the server string of `get`/`erase` reduced to its canonical key. */
#include <stdlib.h>
#include <string.h>

#include "base/serverurl.h"
#include "helper/protocol.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fz_str(data, size);
	struct dr_creds c = { 0 };
	struct dr_err e = { 0 };
	size_t len = dr_proto_join_lines(buf, size);
	char *key = NULL;

	if (dr_proto_decode_creds(buf, len, &c, &e) == 0 && dr_proto_validate(&c, &e) == 0) {
		char *out = dr_proto_encode_get(c.server_url, c.username, c.secret, c.secret_len);

		free(out);
	}
	dr_creds_wipe(&c);
	/* get/erase: the whole (joined) input is the server */
	if (dr_serverurl_canonical(buf, &key, &e) == 0)
		free(key);
	free(buf);
	return 0;
}
