/* certs.d/<host[:port]>/ (daemon_config.h), read with the rules of moby's
 * loadTLSConfig (daemon/pkg/registry/registry.go): entries in name order;
 * *.crt appended to the system CAs (Go's AppendCertsFromPEM: blocks that
 * are not certificates are skipped); <name>.cert needs <name>.key and
 * loads as a pair (tls.LoadX509KeyPair), <name>.key needs <name>.cert. */
#include "registry/daemon_config.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"

void dr_certs_dir_free(struct dr_certs_dir *d)
{
	if (!d)
		return;
	free(d->dir);
	free(d->ca_pem);
	for (size_t i = 0; i < d->n_pairs; i++) {
		free(d->certs[i]);
		free(d->keys[i]);
	}
	free(d->certs);
	free(d->keys);
	memset(d, 0, sizeof(*d));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* filepath.Ext's suffix test */
static int has_ext(const char *name, const char *ext)
{
	const char *dot = strrchr(name, '.');

	return dot && strcmp(dot, ext) == 0;
}

static int listed(struct dirent **list, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, name) == 0)
			return 1;
	}
	return 0;
}

/* Every CERTIFICATE block (without headers) of a .crt that parses, as PEM
 * into out. */
static int append_cas(const char *path, BIO *out, size_t *count, struct dr_err *e)
{
	struct dr_buf b = { 0 };
	BIO *in;
	int rc = dr_file_read(path, DR_CERTS_FILE_MAX, &b, e);

	if (rc == DR_ETOOBIG)
		return dr_fail(e, DR_EINVAL, "%s is larger than %zu bytes", path, DR_CERTS_FILE_MAX);
	if (rc)
		return rc;
	in = BIO_new_mem_buf(b.data, (int)b.len);
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		const unsigned char *p;
		long len = 0;
		X509 *x;

		if (!in || !PEM_read_bio(in, &name, &header, &data, &len))
			break;
		p = data;
		x = strcmp(name, "CERTIFICATE") == 0 && !*header ? d2i_X509(NULL, &p, len) : NULL;
		if (x && PEM_write_bio_X509(out, x))
			(*count)++;
		X509_free(x);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	ERR_clear_error();
	BIO_free(in);
	dr_buf_wipe(&b);
	return 0;
}

static int file_small(const char *path, struct dr_err *e)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return dr_fail(e, DR_EINVAL, "cannot read %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return dr_fail(e, DR_EINVAL, "cannot read %s: not a regular file", path);
	if ((size_t)st.st_size > DR_CERTS_FILE_MAX)
		return dr_fail(e, DR_EINVAL, "%s is larger than %zu bytes", path, DR_CERTS_FILE_MAX);
	return 0;
}

/* tls.LoadX509KeyPair: a certificate and the private key that matches it. */
static int check_pair(const char *cert, const char *key, struct dr_err *e)
{
	BIO *b;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = file_small(cert, e);

	if (rc == 0)
		rc = file_small(key, e);
	if (rc)
		return rc;
	if (access(cert, R_OK) != 0 || access(key, R_OK) != 0)
		return dr_fail(e, DR_EINVAL, "cannot read %s: %s", access(cert, R_OK) ? cert : key,
			       strerror(errno));
	b = BIO_new_file(cert, "r");
	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = x ? BIO_new_file(key, "r") : NULL;
	if (b) /* no passphrase callback: an encrypted key does not load, as in Go */
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
	BIO_free(b);
	ERR_clear_error();
	if (!x)
		rc = dr_fail(e, DR_EINVAL, "client certificate %s: no PEM certificate in it", cert);
	else if (!k)
		rc = dr_fail(e, DR_EINVAL, "client certificate key %s: no PEM private key in it "
			     "(or it is encrypted)", key);
	else if (X509_check_private_key(x, k) != 1)
		rc = dr_fail(e, DR_EINVAL, "client certificate %s: its private key %s does not "
			     "match it", cert, key);
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

static char *path_join(const char *dir, const char *name)
{
	char *p = NULL;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* takes *cert and *key */
static int add_pair(struct dr_certs_dir *d, char **cert, char **key, struct dr_err *e)
{
	char **c = realloc(d->certs, (d->n_pairs + 1) * sizeof(*c)), **k;

	if (c)
		d->certs = c;
	k = c ? realloc(d->keys, (d->n_pairs + 1) * sizeof(*k)) : NULL;
	if (!k)
		return dr_oom(e);
	d->keys = k;
	d->certs[d->n_pairs] = *cert;
	d->keys[d->n_pairs++] = *key;
	*cert = *key = NULL;
	return 0;
}

static int one_entry(struct dr_certs_dir *d, struct dirent **list, int n, const char *name,
		     BIO *cas, struct dr_err *e)
{
	size_t len = strlen(name);
	char *path = path_join(d->dir, name), *other = NULL, *other_path = NULL;
	int rc = 0;

	if (!path)
		return dr_oom(e);
	if (has_ext(name, ".crt")) {
		rc = append_cas(path, cas, &d->n_ca, e);
	} else if (has_ext(name, ".cert")) {
		if (asprintf(&other, "%.*s.key", (int)(len - 5), name) < 0)
			other = NULL;
		if (!other || !listed(list, n, other))
			rc = dr_fail(e, DR_EINVAL, "%s: missing key %s for client certificate %s. CA "
				     "certificates must use the extension .crt", d->dir,
				     other ? other : "", name);
		other_path = rc ? NULL : path_join(d->dir, other);
		if (rc == 0)
			rc = other_path ? check_pair(path, other_path, e) : dr_oom(e);
		if (rc == 0)
			rc = add_pair(d, &path, &other_path, e);
	} else if (has_ext(name, ".key")) {
		if (asprintf(&other, "%.*s.cert", (int)(len - 4), name) < 0)
			other = NULL;
		if (!other || !listed(list, n, other))
			rc = dr_fail(e, DR_EINVAL, "%s: missing client certificate %s for key %s",
				     d->dir, other ? other : "", name);
	}
	free(path);
	free(other);
	free(other_path);
	return rc;
}

int dr_certs_dir_load(const char *root, const char *host, struct dr_certs_dir *d,
		      struct dr_err *e)
{
	const char *env = getenv(DR_ENV_CERTS_D);
	struct dirent **list = NULL;
	BIO *cas = NULL;
	char *mem;
	long mlen;
	int n, rc = 0;

	memset(d, 0, sizeof(*d));
	if (!root)
		root = env && *env ? env : DR_CERTS_D_DEFAULT;
	/* a host[:port] is one path component */
	if (!host || !*host || strchr(host, '/') || strcmp(host, ".") == 0 ||
	    strcmp(host, "..") == 0)
		return 0;
	d->dir = path_join(root, host);
	if (!d->dir)
		return dr_oom(e);
	n = scandir(d->dir, &list, NULL, by_name);
	if (n < 0 && errno == ENOENT) {
		dr_certs_dir_free(d);
		return 0;
	}
	if (n < 0) {
		rc = dr_fail(e, DR_EINVAL, "cannot read %s: %s", d->dir, strerror(errno));
		dr_certs_dir_free(d);
		return rc;
	}
	cas = BIO_new(BIO_s_mem());
	if (!cas)
		rc = dr_oom(e);
	for (int i = 0; rc == 0 && i < n; i++) {
		if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0)
			rc = one_entry(d, list, n, list[i]->d_name, cas, e);
	}
	mlen = rc == 0 ? BIO_get_mem_data(cas, &mem) : 0;
	if (mlen > 0) {
		d->ca_pem = malloc((size_t)mlen + 1);
		if (d->ca_pem) {
			memcpy(d->ca_pem, mem, (size_t)mlen);
			d->ca_pem[mlen] = '\0';
			d->ca_len = (size_t)mlen;
		} else {
			rc = dr_oom(e);
		}
	}
	BIO_free(cas);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	if (rc)
		dr_certs_dir_free(d);
	return rc;
}
