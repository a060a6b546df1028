/* The Docker credential-helper wire format (docker-credential-helpers'
 * credentials package), decoded and encoded the way its Go reference does. */
#ifndef DR_PROTOCOL_H
#define DR_PROTOCOL_H

#include <stddef.h>

#include "base/creds.h"
#include "base/err.h"
#include "base/text.h"

#define DR_MSG_NO_URL "no credentials server URL"
#define DR_MSG_NO_USER "no credentials username"

/* Upstream's limit is ~64 KiB per line; ours leaves room for 1 MiB+ secrets
 * even when every byte arrives \u-escaped. */
#define DR_INPUT_LIMIT (16u * 1024 * 1024)

/* Go's bufio.Scanner line framing: lines concatenated without separators
 * (\n and a \r before it removed). In place; returns the new length. */
size_t dr_proto_join_lines(char *buf, size_t len);


/* Decodes a `store` payload. Errors carry Go's texts (`EOF`,
 * `unexpected EOF`, `json: cannot unmarshal …`). Missing fields stay NULL;
 * validation is the caller's (dr_proto_validate). */
int dr_proto_decode_creds(const char *buf, size_t len, struct dr_creds *c,
			  struct dr_err *e);
/* DR_EINVAL with DR_MSG_NO_URL / DR_MSG_NO_USER as upstream's isValid. */
int dr_proto_validate(const struct dr_creds *c, struct dr_err *e);

/* `{"ServerURL":…,"Username":…,"Secret":…}\n`; malloc'd (wipe it). */
char *dr_proto_encode_get(const char *server_url, const char *username,
			  const char *secret, size_t secret_len);

/* `{"server":"user",…}\n` with sorted keys; malloc'd. */
char *dr_proto_encode_list(const char *const *servers, const char *const *users,
			   size_t n);

struct json_t;
/* Appends to out a helper's `list` answer, already parsed into the JSON
 * object obj: each key a server, its string value the user ("" for any
 * other value). */
int dr_proto_decode_list(struct json_t *obj, struct dr_list *out, struct dr_err *e);

#endif
