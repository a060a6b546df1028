#include "kube/kube_config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/secmem.h"
#include "base/text.h"

/* ---- walking a loaded libyaml document ---- */

/* A scalar's text; NULL for other nodes and for text with a NUL inside
 * (it could not name a file or be a PEM block). */
static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
	(void)doc;
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(doc, yaml_document_get_node(doc, p->key));

		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *map_str(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	return scalar(doc, map_get(doc, map, key));
}

/* The `inner` mapping of the entry of list `list` whose name is `name`
 * (clusters[].cluster, users[].user, contexts[].context). */
static yaml_node_t *named_entry(yaml_document_t *doc, yaml_node_t *root, const char *list,
				const char *name, const char *inner)
{
	yaml_node_t *seq = map_get(doc, root, list);

	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top;
	     i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *i);
		const char *n = map_str(doc, item, "name");

		if (n && strcmp(n, name) == 0) {
			yaml_node_t *v = map_get(doc, item, inner);

			return v && v->type == YAML_MAPPING_NODE ? v : NULL;
		}
	}
	return NULL;
}

/* ---- values ---- */

static int blob_set(struct dr_kblob *b, const void *data, size_t len, struct dr_err *e)
{
	b->data = malloc(len + 1);
	if (!b->data)
		return dr_oom(e);
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	b->len = len;
	return 0;
}

static void blob_wipe(struct dr_kblob *b)
{
	if (b->data) {
		explicit_bzero(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}

/* *-data fields: base64 (whitespace allowed, as Go's decoder of the YAML
 * value sees it after folding). glib's decoder skips junk silently, so
 * the alphabet is checked first. */
static int blob_from_base64(struct dr_kblob *b, const char *field, const char *text,
			    struct dr_err *e)
{
	guchar *raw;
	gsize len = 0;
	int rc;

	for (const char *p = text; *p; p++) {
		if (!g_ascii_isalnum(*p) && !strchr("+/= \t\r\n", *p))
			return dr_fail(e, DR_EINVAL, "%s is not base64", field);
	}
	raw = g_base64_decode(text, &len);
	if (!raw || len == 0) {
		g_free(raw);
		return dr_fail(e, DR_EINVAL, "%s is empty or not base64", field);
	}
	rc = blob_set(b, raw, len, e);
	explicit_bzero(raw, len);
	g_free(raw);
	return rc;
}

static int path_set(char **out, const char *base_dir, const char *path, struct dr_err *e)
{
	if (path[0] == '/' || !base_dir)
		*out = strdup(path);
	else if (asprintf(out, "%s/%s", base_dir, path) < 0)
		*out = NULL;
	return *out ? 0 : dr_oom(e);
}

/* field-data (inline) wins over field (a file), as in client-go */
static int take_pem(yaml_document_t *doc, yaml_node_t *map, const char *field,
		    const char *base_dir, struct dr_kblob *b, char **file, struct dr_err *e)
{
	char data_field[64];
	const char *v;

	snprintf(data_field, sizeof(data_field), "%s-data", field);
	v = map_str(doc, map, data_field);
	if (v && v[0])
		return blob_from_base64(b, data_field, v, e);
	v = map_str(doc, map, field);
	if (v && v[0])
		return path_set(file, base_dir, v, e);
	return 0;
}

static int yaml_true(const char *v)
{
	return v && (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0);
}

static int parse_doc(yaml_document_t *doc, const char *context, const char *base_dir,
		     struct dr_kubeconfig *kc, struct dr_err *e)
{
	yaml_node_t *root = yaml_document_get_root_node(doc), *ctx, *cluster, *user;
	const char *name = context && context[0] ? context : NULL, *v;
	int rc;

	if (!root || root->type != YAML_MAPPING_NODE)
		return dr_fail(e, DR_EINVAL, "not a kubeconfig (no top-level mapping)");
	if (!name)
		name = map_str(doc, root, "current-context");
	if (!name || !name[0])
		return dr_fail(e, DR_EINVAL, "no current-context is set");
	ctx = named_entry(doc, root, "contexts", name, "context");
	if (!ctx)
		return dr_fail(e, DR_EINVAL, "context \"%.100s\" is not defined", name);
	kc->context = strdup(name);
	v = map_str(doc, ctx, "cluster");
	if (!v || !v[0])
		return dr_fail(e, DR_EINVAL, "context \"%.100s\" names no cluster", name);
	kc->cluster = strdup(v);
	cluster = named_entry(doc, root, "clusters", v, "cluster");
	if (!cluster)
		return dr_fail(e, DR_EINVAL, "cluster \"%.100s\" is not defined", v);
	v = map_str(doc, cluster, "server");
	if (!v || strncmp(v, "https://", 8) != 0 || !v[8])
		return dr_fail(e, DR_EINVAL, "cluster \"%.100s\" has no https:// server", kc->cluster);
	kc->server = strdup(v);
	if (kc->server) {
		size_t n = strlen(kc->server);

		while (n > 8 && kc->server[n - 1] == '/')
			kc->server[--n] = '\0';
	}
	kc->insecure = yaml_true(map_str(doc, cluster, "insecure-skip-tls-verify"));
	rc = take_pem(doc, cluster, "certificate-authority", base_dir, &kc->ca, &kc->ca_file, e);
	if (rc)
		return rc;
	if (!kc->context || !kc->cluster || !kc->server)
		return dr_oom(e);
	v = map_str(doc, ctx, "user");
	if (!v || !v[0])
		return 0; /* anonymous: the server decides */
	kc->user = strdup(v);
	user = named_entry(doc, root, "users", v, "user");
	if (!user)
		return dr_fail(e, DR_EINVAL, "user \"%.100s\" is not defined", v);
	if (map_get(doc, user, "exec") || map_get(doc, user, "auth-provider"))
		return dr_fail(e, DR_EINVAL, "user \"%.100s\" uses an exec or auth-provider plugin, "
			       "which dokku-registry does not run: use a client certificate or a token",
			       kc->user);
	rc = take_pem(doc, user, "client-certificate", base_dir, &kc->cert, &kc->cert_file, e);
	if (rc == 0)
		rc = take_pem(doc, user, "client-key", base_dir, &kc->key, &kc->key_file, e);
	if (rc)
		return rc;
	v = map_str(doc, user, "token");
	if (v && v[0]) {
		rc = blob_set(&kc->token, v, strlen(v), e);
	} else {
		v = map_str(doc, user, "tokenFile");
		if (v && v[0])
			rc = path_set(&kc->token_file, base_dir, v, e);
	}
	if (rc)
		return rc;
	if ((kc->cert.data || kc->cert_file) != (kc->key.data || kc->key_file))
		return dr_fail(e, DR_EINVAL, "user \"%.100s\" has a client certificate without its "
			       "key, or a key without its certificate", kc->user);
	return kc->user ? 0 : dr_oom(e);
}

int dr_kubeconfig_parse(const char *text, size_t len, const char *context, const char *base_dir,
			struct dr_kubeconfig *kc, struct dr_err *e)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	memset(kc, 0, sizeof(*kc));
	if (len > DR_KUBECONFIG_LIMIT)
		return dr_fail(e, DR_ETOOBIG, "kubeconfig over %d bytes", DR_KUBECONFIG_LIMIT);
	if (!yaml_parser_initialize(&parser))
		return dr_oom(e);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = dr_fail(e, DR_EINVAL, "not valid YAML: %s at line %zu",
			     parser.problem ? parser.problem : "error",
			     parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = parse_doc(&doc, context, base_dir, kc, e);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc)
		dr_kubeconfig_free(kc);
	return rc;
}

static int read_into(const char *what, const char *path, struct dr_kblob *b, int trim,
		     struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	int rc = dr_file_read(path, DR_KUBE_FILE_LIMIT, &buf, e);

	if (rc) {
		dr_buf_wipe(&buf);
		return dr_fail(e, rc, "cannot read the %s %s: %s", what, path, e ? e->msg : "");
	}
	rc = blob_set(b, trim ? dr_trim(buf.data) : buf.data,
		      trim ? strlen(dr_trim(buf.data)) : buf.len, e);
	dr_buf_wipe(&buf);
	return rc;
}

int dr_kubeconfig_load(const char *path, const char *context, struct dr_kubeconfig *kc,
		       struct dr_err *e)
{
	struct dr_buf buf = { 0 };
	char *dir = strdup(path), *slash;
	int rc;

	memset(kc, 0, sizeof(*kc));
	if (!dir)
		return dr_oom(e);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	rc = dr_file_read(path, DR_KUBECONFIG_LIMIT, &buf, e);
	if (rc == DR_ENOTFOUND)
		rc = dr_fail(e, rc, "kubeconfig %s does not exist", path);
	else if (rc)
		rc = dr_fail(e, rc, "cannot read kubeconfig %s: %s", path, e ? e->msg : "");
	if (rc == 0)
		rc = dr_kubeconfig_parse(buf.data, buf.len, context, slash ? (dir[0] ? dir : "/") : ".",
					 kc, e);
	if (rc == 0 && kc->ca_file)
		rc = read_into("certificate-authority", kc->ca_file, &kc->ca, 0, e);
	if (rc == 0 && kc->cert_file)
		rc = read_into("client-certificate", kc->cert_file, &kc->cert, 0, e);
	if (rc == 0 && kc->key_file)
		rc = read_into("client-key", kc->key_file, &kc->key, 0, e);
	if (rc == 0 && kc->token_file)
		rc = read_into("tokenFile", kc->token_file, &kc->token, 1, e);
	if (rc)
		dr_kubeconfig_free(kc);
	dr_buf_wipe(&buf);
	free(dir);
	return rc;
}

void dr_kubeconfig_free(struct dr_kubeconfig *kc)
{
	free(kc->context);
	free(kc->cluster);
	free(kc->user);
	free(kc->server);
	blob_wipe(&kc->ca);
	blob_wipe(&kc->cert);
	blob_wipe(&kc->key);
	blob_wipe(&kc->token);
	free(kc->ca_file);
	free(kc->cert_file);
	free(kc->key_file);
	free(kc->token_file);
	memset(kc, 0, sizeof(*kc));
}
