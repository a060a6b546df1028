#include "helper/credhelper.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exec.h"
#include "base/secmem.h"

int dr_credhelper_exec(const char *helper, const char *action, const char *config_dir,
		       const void *input, size_t input_len, unsigned timeout_ms,
		       struct dr_exec_result *r, struct dr_err *e)
{
	char prog[256], env_config[4200];
	const char *argv[] = { prog, action, NULL };
	const char *env_set[] = { env_config, NULL };
	struct dr_exec x = { 0 };
	int rc;

	/* callers free r whatever the outcome, also when nothing ran */
	memset(r, 0, sizeof(*r));
	if (snprintf(prog, sizeof(prog), "docker-credential-%s", helper) >= (int)sizeof(prog))
		return dr_fail(e, DR_EINVAL, "credential helper name too long: %s", helper);
	if (config_dir &&
	    snprintf(env_config, sizeof(env_config), "DOCKER_CONFIG=%s", config_dir) >=
		    (int)sizeof(env_config))
		return dr_fail(e, DR_EINVAL, "config directory path too long");
	x.argv = argv;
	x.env_set = config_dir ? env_set : NULL;
	x.input = input ? input : "";
	x.input_len = input_len;
	x.capture_stdout = 1;
	x.output_limit = DR_CREDHELPER_OUTPUT_LIMIT;
	x.own_group = 1;
	x.stop_on_overflow = 1;
	x.timeout_ms = timeout_ms;
	rc = dr_exec_run(&x, r, e);
	/* an error, not "nothing stored": docker fails there too, rather than
	 * going on anonymously */
	if (rc == DR_ENOTFOUND)
		return dr_fail(e, DR_EIO, "credential helper %s is not installed (not on PATH)", prog);
	if (rc == DR_ETIMEOUT)
		return dr_fail(e, rc, "credential helper %s did not answer within %.1fs", prog,
			       timeout_ms / 1000.0);
	if (rc == DR_ETOOBIG)
		return dr_fail(e, rc, "credential helper %s printed too much output (more than %u bytes): stopped it",
			       prog, DR_CREDHELPER_OUTPUT_LIMIT);
	if (rc)
		return rc;
	if (r->out.data) {
		r->out.len = strlen(dr_trim(r->out.data));
	}
	return 0;
}

static int run(const char *helper, const char *action, const char *config_dir,
	       const void *input, size_t input_len, struct dr_exec_result *r,
	       struct dr_err *e)
{
	return dr_credhelper_exec(helper, action, config_dir, input, input_len,
				  DR_HELPER_TIMEOUT_MS, r, e);
}

static int helper_failed(const char *helper, const char *action,
			 const struct dr_exec_result *r, struct dr_err *e)
{
	return dr_fail(e, DR_EIO, "docker-credential-%s %s failed (exit %d): %s", helper, action,
		       r->status, r->out.data && r->out.data[0] ? r->out.data : "no message");
}

int dr_credhelper_store(const char *helper, const char *config_dir,
			const struct dr_creds *c, struct dr_err *e)
{
	struct dr_exec_result r;
	json_t *obj = json_object();
	char *payload;
	int rc;

	if (!obj)
		return dr_oom(e);
	/* a value jansson refuses (not UTF-8) must not vanish from the payload */
	if (json_object_set_new(obj, "ServerURL", json_string(c->server_url)) ||
	    json_object_set_new(obj, "Username", json_string(c->username)) ||
	    json_object_set_new(obj, "Secret",
				json_stringn(c->secret ? c->secret : "", c->secret_len))) {
		json_decref(obj);
		return dr_fail(e, DR_EINVAL, "credentials are not valid UTF-8");
	}
	payload = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!payload)
		return dr_fail(e, DR_EINVAL, "credentials are not valid UTF-8");
	rc = run(helper, "store", config_dir, payload, strlen(payload), &r, e);
	explicit_bzero(payload, strlen(payload));
	free(payload);
	if (rc == 0 && r.status != 0)
		rc = helper_failed(helper, "store", &r, e);
	dr_exec_result_free(&r);
	return rc;
}

static int take(json_t *obj, const char *field, char **dst, size_t *len)
{
	json_t *v = json_object_get(obj, field);

	if (v && !json_is_string(v))
		return -1;
	*dst = malloc(v ? json_string_length(v) + 1 : 1);
	if (!*dst)
		return -1;
	memcpy(*dst, v ? json_string_value(v) : "", v ? json_string_length(v) + 1 : 1);
	if (len)
		*len = v ? json_string_length(v) : 0;
	return 0;
}

int dr_credhelper_get(const char *helper, const char *config_dir, const char *server,
		      struct dr_creds *out, struct dr_err *e)
{
	return dr_credhelper_get_within(helper, config_dir, server, DR_HELPER_TIMEOUT_MS, out, e);
}

int dr_credhelper_get_within(const char *helper, const char *config_dir, const char *server,
			     unsigned timeout_ms, struct dr_creds *out, struct dr_err *e)
{
	struct dr_exec_result r;
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dr_credhelper_exec(helper, "get", config_dir, server, strlen(server), timeout_ms, &r, e);
	if (rc == 0 && r.status != 0) {
		if (r.out.data && strcmp(r.out.data, DR_MSG_NOT_FOUND) == 0)
			rc = dr_fail(e, DR_ENOTFOUND, DR_MSG_NOT_FOUND);
		else
			rc = helper_failed(helper, "get", &r, e);
	}
	if (rc == 0) {
		/* a secret may hold NUL bytes: helpers send them as \u0000 */
		root = json_loadb(r.out.data ? r.out.data : "", r.out.len, JSON_ALLOW_NUL, &jerr);
		if (!json_is_object(root) || take(root, "Username", &out->username, NULL) ||
		    take(root, "Secret", &out->secret, &out->secret_len) ||
		    !(out->server_url = strdup(server))) {
			dr_creds_wipe(out);
			rc = dr_fail(e, DR_EIO, "docker-credential-%s get: unreadable answer", helper);
		}
		json_decref(root);
	}
	dr_exec_result_free(&r);
	return rc;
}

int dr_credhelper_erase(const char *helper, const char *config_dir, const char *server,
			struct dr_err *e)
{
	struct dr_exec_result r;
	int rc = run(helper, "erase", config_dir, server, strlen(server), &r, e);

	if (rc == 0 && r.status != 0 &&
	    !(r.out.data && strcmp(r.out.data, DR_MSG_NOT_FOUND) == 0))
		rc = helper_failed(helper, "erase", &r, e);
	dr_exec_result_free(&r);
	return rc;
}

int dr_credhelper_list(const char *helper, const char *config_dir, struct dr_list *out,
		       struct dr_err *e)
{
	struct dr_exec_result r;
	json_error_t jerr;
	json_t *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = run(helper, "list", config_dir, "unused", 6, &r, e);
	if (rc == 0 && r.status != 0)
		rc = helper_failed(helper, "list", &r, e);
	if (rc == 0) {
		root = json_loadb(r.out.data ? r.out.data : "", r.out.len, 0, &jerr);
		if (!json_is_object(root))
			rc = dr_fail(e, DR_EIO, "docker-credential-%s list: unreadable answer", helper);
	}
	if (rc == 0)
		rc = dr_proto_decode_list(root, out, e);
	json_decref(root);
	dr_exec_result_free(&r);
	if (rc)
		dr_list_free(out);
	return rc;
}
