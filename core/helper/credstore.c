#include "helper/credstore.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exec.h"
#include "base/secmem.h"
#include "base/text.h"
#include "helper/chain.h"

void dr_credstore_answer_free(struct dr_credstore_answer *a)
{
	if (a->out)
		dr_wipe_free(a->out);
	memset(a, 0, sizeof(*a));
}

/* a copy of text (len bytes) as the answer's stdout, with a final newline */
static int answer_line(struct dr_credstore_answer *a, const char *text, size_t len, int status,
		       struct dr_err *e)
{
	int nl = len == 0 || text[len - 1] != '\n';

	a->out = malloc(len + (size_t)nl + 1);
	if (!a->out)
		return dr_oom(e);
	memcpy(a->out, text, len);
	if (nl)
		a->out[len] = '\n';
	a->len = len + (size_t)nl;
	a->out[a->len] = '\0';
	a->status = status;
	return 0;
}

/* ---- the keyring ---- */

static int keyring_get(const struct dr_credstore *s, const char *server,
		       struct dr_credstore_answer *a, struct dr_err *e)
{
	struct dr_creds creds = { 0 };
	struct dr_keyring kr;
	int rc = dr_keyring_open(&kr, &s->keyring, e);

	if (rc == 0)
		rc = dr_keyring_get(&kr, server, s->scope, &creds, e);
	dr_keyring_close(&kr);
	if (rc == 0) {
		a->out = dr_proto_encode_get(server, creds.username, creds.secret, creds.secret_len);
		a->len = a->out ? strlen(a->out) : 0;
		a->status = 0;
		if (!a->out)
			rc = dr_fail(e, DR_EINVAL, "cannot encode the answer as JSON");
	}
	dr_creds_wipe(&creds);
	return rc;
}

static int keyring_store(const struct dr_credstore *s, const struct dr_creds *c,
			 const char *payload, size_t payload_len, struct dr_credstore_answer *a,
			 struct dr_err *e)
{
	struct dr_keyring kr;
	int rc = dr_keyring_open(&kr, &s->keyring, e);

	(void)payload;
	(void)payload_len;
	if (rc == 0)
		rc = dr_keyring_store(&kr, c, s->scope, e);
	dr_keyring_close(&kr);
	memset(a, 0, sizeof(*a));
	return rc;
}

static int keyring_erase(const struct dr_credstore *s, const char *server,
			 struct dr_credstore_answer *a, struct dr_err *e)
{
	struct dr_keyring kr;
	int rc = dr_keyring_open(&kr, &s->keyring, e);

	if (rc == 0)
		rc = dr_keyring_erase(&kr, server, s->scope, e);
	dr_keyring_close(&kr);
	memset(a, 0, sizeof(*a));
	return rc;
}

static int keyring_list(const struct dr_credstore *s, struct dr_list *out, struct dr_err *e)
{
	struct dr_keyring kr;
	int rc = dr_keyring_open(&kr, &s->keyring, e);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = dr_keyring_list(&kr, s->scope, out, e);
	dr_keyring_close(&kr);
	return rc;
}

static const struct dr_credstore_ops keyring_ops = {
	keyring_get, keyring_store, keyring_erase, keyring_list,
};

void dr_credstore_keyring(struct dr_credstore *s, const struct dr_keyring_opts *o,
			  const char *scope)
{
	memset(s, 0, sizeof(*s));
	s->ops = &keyring_ops;
	s->keyring = *o;
	s->scope = scope;
}

/* ---- a chained helper ---- */

/* Runs the helper and takes its answer as ours: its stdout and exit status
 * (its stderr already went to the user). */
static int relay(const struct dr_credstore *s, const char *action, const char *server,
		 const char *input, size_t input_len, struct dr_credstore_answer *a,
		 struct dr_err *e)
{
	struct dr_exec_result r;
	int rc = dr_chain_run(s->helper, action, input, input_len, s->timeout_ms, &r, e);

	memset(a, 0, sizeof(*a));
	if (rc == 0 && r.status != 0) {
		const char *said = r.out.data ? dr_trim(r.out.data) : "";
		char *line = NULL;

		/* not-found must stay byte-exact for docker to treat it as such */
		if (strcmp(said, DR_MSG_NOT_FOUND) == 0 || strcmp(action, "get") == 0) {
			said = said[0] ? said : DR_MSG_NOT_FOUND;
			rc = answer_line(a, said, strlen(said), r.status, e);
		} else if (asprintf(&line, "docker-credential-%s cannot %s credentials for %s: %s",
				    s->helper, action, server,
				    said[0] ? said : "it failed without a message") < 0) {
			rc = dr_oom(e);
		} else {
			rc = answer_line(a, line, strlen(line), r.status, e);
			free(line);
		}
	} else if (rc == 0 && r.out.len) {
		rc = answer_line(a, r.out.data, r.out.len, 0, e);
	}
	dr_exec_result_free(&r);
	return rc;
}

static int chained_get(const struct dr_credstore *s, const char *server,
		       struct dr_credstore_answer *a, struct dr_err *e)
{
	return relay(s, "get", server, server, strlen(server), a, e);
}

static int chained_store(const struct dr_credstore *s, const struct dr_creds *c,
			 const char *payload, size_t payload_len, struct dr_credstore_answer *a,
			 struct dr_err *e)
{
	return relay(s, "store", c->server_url, payload, payload_len, a, e);
}

static int chained_erase(const struct dr_credstore *s, const char *server,
			 struct dr_credstore_answer *a, struct dr_err *e)
{
	return relay(s, "erase", server, server, strlen(server), a, e);
}

static int chained_list(const struct dr_credstore *s, struct dr_list *out, struct dr_err *e)
{
	struct dr_exec_result r;
	json_t *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dr_chain_run(s->helper, "list", "unused", 6, s->timeout_ms, &r, e);
	if (rc == 0 && r.status == 0 && r.out.data)
		root = json_loads(r.out.data, 0, NULL);
	if (rc == 0 && !json_is_object(root))
		rc = dr_fail(e, DR_EIO, "no usable answer");
	if (rc == 0)
		rc = dr_proto_decode_list(root, out, e);
	json_decref(root);
	dr_exec_result_free(&r);
	if (rc)
		dr_list_free(out);
	return rc;
}

static const struct dr_credstore_ops chained_ops = {
	chained_get, chained_store, chained_erase, chained_list,
};

void dr_credstore_chained(struct dr_credstore *s, const char *helper, unsigned timeout_ms)
{
	memset(s, 0, sizeof(*s));
	s->ops = &chained_ops;
	s->helper = helper;
	s->timeout_ms = timeout_ms;
}

void dr_credstore_for(struct dr_credstore *s, const struct dr_config *c, const char *server,
		      const char *scope)
{
	const char *h = dr_chain_lookup(c, server);
	struct dr_keyring_opts o = { c->collection, c->bus, c->transport, c->timeout_ms };

	if (h && strcmp(h, "dokku") != 0)
		dr_credstore_chained(s, h, c->chain_timeout_ms);
	else
		dr_credstore_keyring(s, &o, scope);
}

void dr_credstore_list_chained(const struct dr_config *c, struct dr_list *list,
			       void (*on_helper)(const char *helper))
{
	for (size_t i = 0; i < c->nchained; i++) {
		const char *helper = c->chained[i].helper;
		struct dr_credstore s;
		struct dr_list more = { 0 };
		struct dr_err e = { 0 };
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(c->chained[j].helper, helper) == 0;
		if (seen || strcmp(helper, "dokku") == 0)
			continue;
		if (on_helper)
			on_helper(helper);
		dr_credstore_chained(&s, helper, c->chain_timeout_ms);
		if (s.ops->list(&s, &more, &e) != 0)
			fprintf(stderr, "docker-credential-dokku: skipping docker-credential-%s list: %s\n",
				helper, e.msg);
		for (size_t j = 0; j < more.n; j++) {
			if (dr_list_append(list, more.servers[j], more.users[j], &e) != 0)
				break;
		}
		dr_list_free(&more);
	}
}
