#include "helper/protocol.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

size_t dr_proto_join_lines(char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			if (o > 0 && buf[o - 1] == '\r')
				o--;
			continue;
		}
		buf[o++] = buf[i];
	}
	/* the last line, too, loses a trailing \r (bufio.dropCR) */
	if (o > 0 && buf[o - 1] == '\r')
		o--;
	if (o < len)
		explicit_bzero(buf + o, len - o);
	return o;
}

static const char *go_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "null";
	}
}

/* Go folds field names case-insensitively, and also folds U+017F (long s)
 * to 's' and U+212A (Kelvin) to 'k'; none of our names has a 'k'. */
static int go_field_equal(const char *key, const char *field)
{
	while (*key && *field) {
		if ((unsigned char)key[0] == 0xc5 && (unsigned char)key[1] == 0xbf) {
			if (tolower((unsigned char)*field) != 's')
				return 0;
			key += 2;
		} else {
			if (tolower((unsigned char)*key) != tolower((unsigned char)*field))
				return 0;
			key++;
		}
		field++;
	}
	return *key == '\0' && *field == '\0';
}

static int take_string(json_t *v, const char *field, char **dst, size_t *dlen,
		       struct dr_err *e)
{
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return dr_fail(e, DR_EINVAL,
			       "json: cannot unmarshal %s into Go struct field Credentials.%s of type string",
			       go_type_name(v), field);
	dr_str_wipe_free(*dst);
	*dst = malloc(json_string_length(v) + 1);
	if (!*dst)
		return dr_oom(e);
	memcpy(*dst, json_string_value(v), json_string_length(v) + 1);
	if (dlen)
		*dlen = json_string_length(v);
	return 0;
}

static int only_space(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!isspace((unsigned char)buf[i]))
			return 0;
	}
	return 1;
}

int dr_proto_decode_creds(const char *buf, size_t len, struct dr_creds *c,
			  struct dr_err *e)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (only_space(buf, len))
		return dr_fail(e, DR_EINVAL, "EOF");
	root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL,
			  &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_premature_end_of_input)
			return dr_fail(e, DR_EINVAL, "unexpected EOF");
		return dr_fail(e, DR_EINVAL, "invalid JSON: %s", jerr.text);
	}
	if (!json_is_object(root)) {
		rc = dr_fail(e, DR_EINVAL,
			     "json: cannot unmarshal %s into Go value of type credentials.Credentials",
			     go_type_name(root));
		json_decref(root);
		return rc;
	}
	/* jansson keeps insertion order, so later spellings win as in Go */
	json_object_foreach(root, key, v) {
		if (go_field_equal(key, "ServerURL"))
			rc = take_string(v, "ServerURL", &c->server_url, NULL, e);
		else if (go_field_equal(key, "Username"))
			rc = take_string(v, "Username", &c->username, NULL, e);
		else if (go_field_equal(key, "Secret"))
			rc = take_string(v, "Secret", &c->secret, &c->secret_len, e);
		if (rc)
			break;
	}
	json_decref(root);
	if (rc)
		dr_creds_wipe(c);
	return rc;
}

int dr_proto_validate(const struct dr_creds *c, struct dr_err *e)
{
	if (!c->server_url || !c->server_url[0])
		return dr_fail(e, DR_EINVAL, DR_MSG_NO_URL);
	if (!c->username || !c->username[0])
		return dr_fail(e, DR_EINVAL, DR_MSG_NO_USER);
	return 0;
}

static char *dump_line(json_t *obj, size_t flags)
{
	char *s, *line;
	size_t n;

	if (!obj)
		return NULL;
	s = json_dumps(obj, JSON_COMPACT | flags);
	json_decref(obj);
	if (!s)
		return NULL;
	n = strlen(s);
	line = malloc(n + 2);
	if (line) {
		memcpy(line, s, n);
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	dr_wipe_free(s);
	return line;
}

char *dr_proto_encode_get(const char *server_url, const char *username,
			  const char *secret, size_t secret_len)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (json_object_set_new(obj, "ServerURL", json_string(server_url)) ||
	    json_object_set_new(obj, "Username", json_string(username)) ||
	    json_object_set_new(obj, "Secret", json_stringn(secret, secret_len))) {
		json_decref(obj);
		return NULL;
	}
	return dump_line(obj, JSON_PRESERVE_ORDER);
}

char *dr_proto_encode_list(const char *const *servers, const char *const *users,
			   size_t n)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (json_object_set_new(obj, servers[i], json_string(users[i]))) {
			json_decref(obj);
			return NULL;
		}
	}
	return dump_line(obj, JSON_SORT_KEYS);
}

int dr_proto_decode_list(struct json_t *obj, struct dr_list *out, struct dr_err *e)
{
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(obj, key, v) {
		rc = dr_list_append(out, key, json_is_string(v) ? json_string_value(v) : "", e);
		if (rc)
			break;
	}
	return rc;
}
