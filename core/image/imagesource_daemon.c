/* docker-daemon:NAME[:TAG] (imagesource.h): the Docker daemon's API over
 * its unix socket, with libcurl. Opening asks GET /images/{name}/json for
 * the config digest (Id) and the layers' diff_ids (RootFS.Layers): the
 * blobs to come are known before `docker save` starts, since its
 * manifest.json and index.json come last in the tar. No credentials go to
 * the daemon: it is only read from. */
#include "image/imagesource_int.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/text.h"

#define DEFAULT_SOCKET "/var/run/docker.sock"
#define CONNECT_TIMEOUT_MS 10000L
#define INSPECT_TIMEOUT_MS 60000L

int dr_daemon_socket_path(const char *docker_host, char *out, size_t n, struct dr_err *e)
{
	const char *path = DEFAULT_SOCKET;

	if (docker_host && docker_host[0]) {
		if (strncmp(docker_host, "unix://", 7) != 0 || !docker_host[7]) {
			char shown[160];

			dr_text_safe(docker_host, strlen(docker_host), shown, sizeof(shown));
			return dr_fail(e, DR_EINVAL, "DOCKER_HOST=%s is not unix://PATH: docker-daemon: "
				       "reads a local daemon through its unix socket only", shown);
		}
		path = docker_host + 7;
	}
	if (strlen(path) >= n || strlen(path) >= 108)
		return dr_fail(e, DR_EINVAL, "the Docker socket path is too long");
	snprintf(out, n, "%s", path);
	return 0;
}

int dr_daemon_inspect_parse(const char *json, size_t len, char id[DR_DIGEST_MAX],
			    char ***diff_ids, size_t *n, struct dr_err *e)
{
	json_t *root = json_loadb(json, len, 0, NULL), *layers;
	const char *s = json_string_value(json_object_get(root, "Id"));
	int rc = 0;

	*diff_ids = NULL;
	*n = 0;
	layers = json_object_get(json_object_get(root, "RootFS"), "Layers");
	if (!json_is_object(root) || !dr_digest_valid(s) || strncmp(s, "sha256:", 7) != 0)
		rc = dr_fail(e, DR_EINVAL, "the daemon's image inspection has no sha256 Id");
	else if (!json_is_array(layers))
		rc = dr_fail(e, DR_EINVAL, "the daemon's image inspection has no RootFS.Layers");
	if (rc == 0) {
		snprintf(id, DR_DIGEST_MAX, "%s", s);
		*diff_ids = calloc(json_array_size(layers) + 1, sizeof(char *));
		if (!*diff_ids)
			rc = dr_oom(e);
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(layers); i++) {
		s = json_string_value(json_array_get(layers, i));
		if (!dr_digest_valid(s) || strncmp(s, "sha256:", 7) != 0)
			rc = dr_fail(e, DR_EINVAL, "the daemon's image inspection lists layer %zu "
				     "without a sha256 digest", i);
		else if (!((*diff_ids)[i] = strdup(s)))
			rc = dr_oom(e);
		else
			(*n)++;
	}
	if (rc) {
		for (size_t i = 0; *diff_ids && i < *n; i++)
			free((*diff_ids)[i]);
		free(*diff_ids);
		*diff_ids = NULL;
		*n = 0;
	}
	json_decref(root);
	return rc;
}

static size_t collect(char *p, size_t sz, size_t nm, void *ud)
{
	struct dr_buf *b = ud;

	return dr_buf_append(b, p, sz * nm, NULL) == 0 ? sz * nm : 0;
}

int dr_daemon_get(const struct dr_daemon *d, const char *path, size_t limit, struct dr_buf *out,
		  long *status, struct dr_err *e)
{
	CURL *h = curl_easy_init();
	char url[1024];
	CURLcode cc;

	dr_buf_init(out, limit);
	*status = 0;
	if (!h)
		return dr_oom(e);
	snprintf(url, sizeof(url), "http://docker%s", path);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, d->socket);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, INSPECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	if (cc == CURLE_WRITE_ERROR)
		return dr_fail(e, DR_ETOOBIG, "the Docker daemon at %s answered %s with over %zu "
			       "bytes", d->socket, path, limit);
	if (cc != CURLE_OK)
		return dr_fail(e, DR_ENET, "cannot reach the Docker daemon at %s: %s", d->socket,
			       curl_easy_strerror(cc));
	return 0;
}

void dr_daemon_message(const struct dr_buf *body, char *out, size_t n)
{
	json_t *root = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(root, "message"));
	char safe[300];

	out[0] = '\0';
	if (msg && msg[0]) {
		dr_text_safe(msg, strlen(msg), safe, sizeof(safe));
		snprintf(out, n, ": %s", safe);
	}
	json_decref(root);
}

/* The layers (one blob per distinct diff_id), then the config. */
static int add_blobs(struct dr_image *img, const char *config, struct dr_err *e)
{
	struct dr_daemon *d = img->daemon;
	struct dr_descriptor desc;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < d->ndiff; i++) {
		memset(&desc, 0, sizeof(desc));
		snprintf(desc.digest, sizeof(desc.digest), "%s", d->diff_ids[i]);
		snprintf(desc.media_type, sizeof(desc.media_type), "%s", DR_MT_DOCKER_LAYER);
		rc = dr_image_add_blob(img, &desc, "", 0, e);
	}
	memset(&desc, 0, sizeof(desc));
	snprintf(desc.digest, sizeof(desc.digest), "%s", config);
	snprintf(desc.media_type, sizeof(desc.media_type), "%s", DR_MT_DOCKER_CONFIG);
	d->config = img->nblobs;
	if (rc == 0)
		rc = dr_image_add_blob(img, &desc, "", 0, e);
	if (rc == 0 && d->config != img->nblobs - 1)
		rc = dr_fail(e, DR_EINVAL, "%s: its config is also one of its layers", img->name);
	return rc;
}

int dr_daemon_load(struct dr_image *img, const char *name, struct dr_err *e)
{
	struct dr_daemon *d = calloc(1, sizeof(*d));
	struct dr_buf body = { 0 };
	char *enc = NULL, path[1200], id[DR_DIGEST_MAX], msg[400];
	long status = 0;
	int rc;

	if (!d)
		return dr_oom(e);
	img->daemon = d;
	d->current = -1;
	rc = dr_daemon_socket_path(getenv("DOCKER_HOST"), d->socket, sizeof(d->socket), e);
	if (rc == 0 && !name[0])
		rc = dr_fail(e, DR_EINVAL, "%s: no image name", img->name);
	if (rc == 0 && !(d->name = strdup(name)))
		rc = dr_oom(e);
	/* the name is one path segment: '/' and ':' encoded too */
	if (rc == 0 && !(enc = curl_easy_escape(NULL, name, 0)))
		rc = dr_oom(e);
	if (rc == 0) {
		snprintf(path, sizeof(path), "/images/%s/json", enc);
		rc = dr_daemon_get(d, path, DR_DOC_MAX, &body, &status, e);
	}
	if (rc == 0 && status != 200) {
		dr_daemon_message(&body, msg, sizeof(msg));
		rc = dr_fail(e, status == 404 ? DR_ENOTFOUND : DR_EIO, "%s: the Docker daemon at %s "
			     "answered HTTP %ld%s", img->name, d->socket, status, msg);
	}
	if (rc == 0)
		rc = dr_daemon_inspect_parse(body.data, body.len, id, &d->diff_ids, &d->ndiff, e);
	if (rc == 0)
		rc = add_blobs(img, id, e);
	if (rc == 0 && !(d->seen = calloc(img->nblobs + 1, 1)))
		rc = dr_oom(e);
	if (rc == 0 && (!(d->v1ids = calloc(d->ndiff + 1, sizeof(*d->v1ids))) ||
			!(d->v1used = calloc(d->ndiff + 1, 1)) ||
			!(d->claims = calloc(d->ndiff + 1, sizeof(*d->claims)))))
		rc = dr_oom(e);
	if (rc == 0)
		rc = dr_classic_v1_ids(d->diff_ids, d->ndiff, d->v1ids, e);
	curl_free(enc);
	dr_buf_wipe(&body);
	return rc;
}
