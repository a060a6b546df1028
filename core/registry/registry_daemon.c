/* The registry client's TLS and proxy setup from the Docker daemon's
 * settings (daemon_config.h), as moby's registry service builds a
 * registry's endpoints (daemon/pkg/registry/service_v2.go
 * lookupV2Endpoints, registry.go newTLSConfig and newTransport):
 *  - Docker Hub: the system CAs, verified, https only;
 *  - a host the daemon treats as insecure: https without verification,
 *    then http, certs.d not read;
 *  - any other: the system CAs plus certs.d's *.crt, its client
 *    certificate, verified, https only;
 *  - all: TLS 1.2 at least (tlsconfig.ServerDefault), the daemon's proxies
 *    (daemon.json's "proxies" replace the environment's variables, as
 *    dockerd's configureProxyEnv does), loopback never through a proxy
 *    (Go's http.ProxyFromEnvironment). */
#include "registry/registry_int.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/atomicfile.h"
#include "registry/daemon_config.h"

/* the largest system CA bundle read */
#define CA_BUNDLE_MAX ((size_t)16 << 20)

void dr_reg_daemon_settings_free(struct dr_registry *r)
{
	free(r->ca_blob);
	free(r->certs_d);
	for (size_t i = 0; i < r->n_client; i++) {
		free(r->client_certs[i]);
		free(r->client_keys[i]);
	}
	free(r->client_certs);
	free(r->client_keys);
	r->client_certs = r->client_keys = NULL;
	r->n_client = 0;
	free(r->http_proxy);
	free(r->https_proxy);
	free(r->no_proxy);
	r->ca_blob = r->certs_d = NULL;
	r->http_proxy = r->https_proxy = r->no_proxy = NULL;
	r->ca_blob_len = r->certs_d_cas = 0;
}

/* The system CAs (what libcurl would use: $SSL_CERT_FILE, else its
 * built-in bundle) followed by extra. CURLOPT_CAINFO_BLOB replaces the
 * bundle file but not the CA directory, which stays in use. */
static int make_ca_blob(struct dr_registry *r, const char *extra, size_t extra_len,
			struct dr_err *e)
{
	const char *file = getenv("SSL_CERT_FILE");
	char *def = NULL;
	struct dr_buf b = { 0 };
	struct dr_err ignored;

	if (!file || !*file) {
		if (curl_easy_getinfo(r->curl, CURLINFO_CAINFO, &def) == CURLE_OK && def)
			file = def;
	}
	/* no readable bundle: the extra CAs (and the CA directory) only */
	if (!file || dr_file_read(file, CA_BUNDLE_MAX, &b, &ignored) != 0)
		b.len = 0;
	r->ca_blob = malloc(b.len + extra_len + 2);
	if (!r->ca_blob) {
		dr_buf_wipe(&b);
		return dr_oom(e);
	}
	if (b.len)
		memcpy(r->ca_blob, b.data, b.len);
	r->ca_blob_len = b.len;
	if (b.len && b.data[b.len - 1] != '\n')
		r->ca_blob[r->ca_blob_len++] = '\n';
	memcpy(r->ca_blob + r->ca_blob_len, extra, extra_len);
	r->ca_blob_len += extra_len;
	r->ca_blob[r->ca_blob_len] = '\0';
	dr_buf_wipe(&b);
	return 0;
}

static int take(char **dst, const char *src, struct dr_err *e)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? dr_oom(e) : 0;
}

int dr_reg_daemon_settings(struct dr_registry *r, struct dr_err *e)
{
	struct dr_daemon_config c;
	struct dr_certs_dir d = { 0 };
	int rc = dr_daemon_config_load(NULL, &c, e), hub = strcmp(r->host, DR_HUB_API_HOST) == 0;

	if (rc)
		return rc;
	rc = take(&r->http_proxy, c.http_proxy, e);
	if (rc == 0)
		rc = take(&r->https_proxy, c.https_proxy, e);
	if (rc == 0)
		rc = take(&r->no_proxy, c.no_proxy, e);
	if (rc == 0 && !hub && dr_daemon_config_insecure(&c, r->host)) {
		r->no_verify = 1;
		r->insecure_host = 1;
		/* listed by the operator (not only as localhost): as --insecure,
		 * token services and redirects may use plain http too */
		if (!dr_host_is_loopback(r->host))
			r->insecure = 1;
	} else if (rc == 0 && !hub && !r->no_verify) {
		const char *root = getenv(DR_ENV_CERTS_D);

		if (asprintf(&r->certs_d, "%s/%s", root && *root ? root : DR_CERTS_D_DEFAULT,
			     r->host) < 0) {
			r->certs_d = NULL;
			rc = dr_oom(e);
		}
		if (rc == 0)
			rc = dr_certs_dir_load(NULL, r->host, &d, e);
		if (rc == 0 && d.n_ca > 0) {
			r->certs_d_cas = d.n_ca;
			rc = make_ca_blob(r, d.ca_pem, d.ca_len, e);
		}
		if (rc == 0) {
			r->client_certs = d.certs;
			r->client_keys = d.keys;
			r->n_client = d.n_pairs;
			d.certs = d.keys = NULL;
			d.n_pairs = 0;
		}
		dr_certs_dir_free(&d);
	}
	dr_daemon_config_free(&c);
	return rc;
}

/* Go's ProxyFromEnvironment never proxies localhost or a loopback address. */
static int url_host_is_loopback(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	int loop = 0;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		loop = dr_host_is_loopback(host);
	curl_free(host);
	curl_url_cleanup(u);
	return loop;
}

/* OpenSSL asks this when a server wants a client certificate and none is
 * set: noted, so that the server's refusal (with TLS 1.3 an alert or a
 * closed connection after the handshake) can be explained. */
static int note_cert_request(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct dr_registry *r = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	(void)x509;
	(void)pkey;
	if (r)
		r->cert_requested = 1;
	return 0;
}

/* 1 when the server takes any CA (it named none), or names the issuer of
 * a certificate in file (the leaf or one it carries): crypto/tls's
 * CertificateRequestInfo.SupportsCertificate, without its signature
 * algorithm test. */
static int pair_fits(const STACK_OF(X509_NAME) *cas, const char *file)
{
	BIO *b;
	X509 *x;
	int fits = 0;

	if (sk_X509_NAME_num(cas) <= 0)
		return 1;
	b = BIO_new_file(file, "r");
	while (b && !fits && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		for (int i = 0; i < sk_X509_NAME_num(cas) && !fits; i++)
			fits = X509_NAME_cmp(sk_X509_NAME_value(cas, i), X509_get_issuer_name(x)) == 0;
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
	return fits;
}

/* The server asked for a client certificate: the first certs.d pair (by
 * name) it can take, as Go's client picks from tls.Config.Certificates;
 * none fits: none is sent. */
static int choose_pair(SSL *ssl, void *ud)
{
	struct dr_registry *r = ud;
	const STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(ssl);

	for (size_t i = 0; i < r->n_client; i++) {
		if (!pair_fits(cas, r->client_certs[i]))
			continue;
		if (SSL_use_certificate_chain_file(ssl, r->client_certs[i]) == 1 &&
		    SSL_use_PrivateKey_file(ssl, r->client_keys[i], SSL_FILETYPE_PEM) == 1)
			r->cert_sent = r->client_certs[i];
		ERR_clear_error();
		break;
	}
	return 1;
}

static CURLcode on_ssl_ctx(CURL *c, void *ctx, void *ud)
{
	struct dr_registry *r = ud;

	(void)c;
	SSL_CTX_set_app_data((SSL_CTX *)ctx, ud);
	if (r->n_client)
		SSL_CTX_set_cert_cb((SSL_CTX *)ctx, choose_pair, ud);
	SSL_CTX_set_client_cert_cb((SSL_CTX *)ctx, note_cert_request);
	return CURLE_OK;
}

void dr_reg_setup_transport(struct dr_registry *r, const char *url)
{
	const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
	CURL *c = r->curl;
	int https = strncasecmp(url, "https:", 6) == 0;
	const char *proxy = https ? r->https_proxy : r->http_proxy;

	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->no_verify ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->no_verify ? 0L : 2L);
	/* libcurl ignores these variables (only the curl tool reads them);
	 * honour them so a private CA can be trusted without --insecure */
	if (r->ca_blob) {
		struct curl_blob blob = { r->ca_blob, r->ca_blob_len, CURL_BLOB_NOCOPY };

		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	} else if (file && *file) {
		curl_easy_setopt(c, CURLOPT_CAINFO, file);
	}
	if (dir && *dir)
		curl_easy_setopt(c, CURLOPT_CAPATH, dir);
	r->cert_requested = 0;
	r->cert_sent = NULL;
	if (https) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, r);
	}
	if (url_host_is_loopback(url))
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	else if (proxy)
		curl_easy_setopt(c, CURLOPT_PROXY, proxy);
	if (r->no_proxy)
		curl_easy_setopt(c, CURLOPT_NOPROXY, r->no_proxy);
}

void dr_reg_tls_hint(const struct dr_registry *r, CURLcode cc, const char *why, char *out,
		     size_t n)
{
	out[0] = '\0';
	if (r->no_verify)
		return;
	/* OpenSSL's words for an http answer to a TLS hello */
	if (strstr(why, "wrong version number") && strcmp(r->host, DR_HUB_API_HOST) != 0) {
		const char *env = getenv(DR_ENV_DAEMON_JSON);

		snprintf(out, n, "; it answers plain http, which docker uses only for a registry in "
			 "insecure-registries (%s)", env && *env ? env : DR_DAEMON_JSON_DEFAULT);
		return;
	}
	if (!r->certs_d)
		return;
	if (cc == CURLE_PEER_FAILED_VERIFICATION && r->certs_d_cas)
		snprintf(out, n, "; its certificate is signed neither by a system CA nor by the %zu "
			 "in %s/*.crt", r->certs_d_cas, r->certs_d);
	else if (cc == CURLE_PEER_FAILED_VERIFICATION)
		snprintf(out, n, "; no CA for it in %s/ (docker trusts the *.crt there, e.g. ca.crt)",
			 r->certs_d);
	else if (r->cert_sent)
		snprintf(out, n, "; the registry refused the client certificate %s", r->cert_sent);
	else if (r->cert_requested && r->n_client)
		snprintf(out, n, "; the registry wants a client certificate from a CA none of the "
			 "%zu in %s/ comes from", r->n_client, r->certs_d);
	else if (r->cert_requested)
		snprintf(out, n, "; the registry wants a client certificate: none in %s/ (docker "
			 "sends <name>.cert with <name>.key from there)", r->certs_d);
}
