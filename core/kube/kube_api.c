#include "kube/kube_api.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/text.h"

#define CONNECT_TIMEOUT_MS 10000L
#define LOW_SPEED_BYTES 1L
#define LOW_SPEED_SECONDS 15L

struct body_sink {
	struct dr_buf *buf;
	int over;
};

/* The body of a GET may carry a Secret's data: it goes into a dr_buf,
 * which wipes every block it outgrows, up to DR_KUBE_BODY_LIMIT. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct body_sink *s = ud;
	size_t n = size * nmemb;
	int rc = dr_buf_append(s->buf, data, n, NULL);

	if (rc == DR_ETOOBIG)
		s->over = 1;
	return rc ? 0 : n;
}

static void set_blob(CURL *c, CURLoption opt, const struct dr_kblob *b)
{
	/* NOCOPY: curl keeps no copy of its own that we could not wipe */
	struct curl_blob blob = { b->data, b->len, CURL_BLOB_NOCOPY };

	curl_easy_setopt(c, opt, &blob);
}

/* curl_slist_append copies the header; wipe every copy before freeing */
static void slist_wipe_free(struct curl_slist *l)
{
	for (struct curl_slist *i = l; i; i = i->next)
		explicit_bzero(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

static int curl_failed(const struct dr_kubeconfig *kc, CURLcode cc, const char *errbuf,
		       int over, struct dr_err *e)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);

	if (over)
		return dr_fail(e, DR_ETOOBIG, "the API server %s sent more than %d bytes",
			       kc->server, DR_KUBE_BODY_LIMIT);
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return dr_fail(e, DR_ETIMEOUT, "the API server %s did not answer in time: %s",
			       kc->server, why);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CLIENTCERT:
		return dr_fail(e, DR_ETLS, "TLS with the API server %s failed: %s", kc->server, why);
	default:
		return dr_fail(e, DR_ENET, "cannot reach the API server %s: %s", kc->server, why);
	}
}

int dr_kube_request(const struct dr_kubeconfig *kc, const char *method, const char *path,
		    const char *ctype, const char *body, size_t body_len,
		    struct dr_kube_resp *resp, struct dr_err *e)
{
	char errbuf[CURL_ERROR_SIZE] = "", *url = NULL, *hdr = NULL;
	struct body_sink sink = { &resp->body, 0 };
	struct curl_slist *hdrs = NULL;
	CURLcode cc;
	CURL *c;
	int rc = 0;

	memset(resp, 0, sizeof(*resp));
	dr_buf_init(&resp->body, DR_KUBE_BODY_LIMIT);
	c = curl_easy_init();
	if (!c || asprintf(&url, "%s%s", kc->server, path) < 0) {
		curl_easy_cleanup(c);
		return dr_oom(e);
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (ctype && asprintf(&hdr, "Content-Type: %s", ctype) >= 0) {
		hdrs = curl_slist_append(hdrs, hdr);
		free(hdr);
	}
	if (kc->token.data && asprintf(&hdr, "Authorization: Bearer %s", kc->token.data) >= 0) {
		hdrs = curl_slist_append(hdrs, hdr);
		dr_str_wipe_free(hdr);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* no proxy from the environment: the Dokku host reaches its cluster
	 * directly, and a proxy must not sit between it and the API server */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dokku-registry/" DR_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, DR_KUBE_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_SECONDS);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (kc->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (kc->ca.data) {
		/* exactly this CA, as client-go: the blob replaces only the CA
		 * file; libcurl's built-in CA directory (/etc/ssl/certs) would
		 * still be searched, so a certificate from any system CA (a
		 * TLS-inspecting proxy's) would get the token */
		set_blob(c, CURLOPT_CAINFO_BLOB, &kc->ca);
		curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, 0L); /* no CURLSSLOPT_NATIVE_CA */
#if LIBCURL_VERSION_NUM >= 0x075700
		curl_easy_setopt(c, CURLOPT_CA_CACHE_TIMEOUT, 0L); /* no shared CA store */
#endif
	}
	if (kc->cert.data && kc->key.data) {
		set_blob(c, CURLOPT_SSLCERT_BLOB, &kc->cert);
		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
		set_blob(c, CURLOPT_SSLKEY_BLOB, &kc->key);
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		rc = curl_failed(kc, cc, errbuf, sink.over, e);
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_cleanup(c);
	slist_wipe_free(hdrs);
	free(url);
	if (rc)
		dr_kube_resp_free(resp);
	return rc;
}

void dr_kube_resp_free(struct dr_kube_resp *resp)
{
	dr_buf_wipe(&resp->body);
	resp->status = 0;
}

char *dr_kube_status_message(const struct dr_kube_resp *resp)
{
	json_t *root = resp->body.data ? json_loadb(resp->body.data, resp->body.len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(root, "message"));
	char *out = NULL;

	if (msg && msg[0]) {
		/* the cluster's words reach a terminal: escaped, at most 300 bytes */
		out = malloc(301);
		if (out)
			dr_text_safe(msg, strlen(msg), out, 301);
	} else if (asprintf(&out, "HTTP %ld", resp->status) < 0) {
		out = NULL;
	}
	json_decref(root);
	return out;
}
