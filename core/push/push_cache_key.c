/* The key that authenticates compressed.json's entries (push_int.h).
 *
 * An entry says "layer <diff_id>, compressed with <setting>, became blob
 * <digest> of <size> bytes". The registry can confirm that the blob exists
 * and its size (a HEAD), not that it is the compression of that layer: only
 * downloading and decompressing it could. So an entry is trusted only when
 * this user's pusher wrote it: each carries an HMAC-SHA256 of everything it
 * says, under 32 random bytes kept outside the cache directory, in
 * $XDG_STATE_HOME/dokku-registry/cache.key (~/.local/state/…), 0600. A
 * cache copied from elsewhere (a restored or shared ~/.cache, a CI cache
 * another job wrote), edited by hand, or written by a version without MACs
 * fails the check, and the layer is compressed and uploaded again.
 * The same goes for the entries that say which layer a classic save's v1
 * id held (push_cache.c). */
#include "push/push_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/secmem.h"

#define KEY_FILE_MAX 256

static char *key_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *p = NULL;
	int n;

	if (x && *x == '/')
		n = asprintf(&p, "%s/dokku-registry", x);
	else if (home && *home)
		n = asprintf(&p, "%s/.local/state/dokku-registry", home);
	else
		return NULL;
	return n < 0 ? NULL : p;
}

static int unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
	if (len != n * 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char ch = s[i * 2 + (size_t)k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v |= (unsigned)(ch - 'a' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

static void tohex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + i * 2, 3, "%02x", in[i]);
}

/* The key in path: 64 hex digits and a newline. */
static int read_key(const char *path, unsigned char *key)
{
	struct dr_buf buf = { 0 };
	int rc = dr_file_read(path, KEY_FILE_MAX, &buf, NULL);

	if (rc == 0 && !buf.data)
		rc = DR_EINVAL;
	if (rc == 0)
		rc = unhex(buf.data, strcspn(buf.data, "\n"), key, DR_CACHE_KEY_LEN) ? DR_EINVAL : 0;
	dr_buf_wipe(&buf);
	return rc;
}

/* A new key at path, unless another push made one meanwhile (link() does
 * not replace): whichever is there afterwards is read back. A file that
 * is there but holds no key is replaced. */
static int create_key(const char *path, int replace)
{
	unsigned char raw[DR_CACHE_KEY_LEN];
	char text[DR_CACHE_KEY_LEN * 2 + 2], tmp[4096];
	int fd, rc = -1;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	tohex(raw, sizeof(raw), text);
	explicit_bzero(raw, sizeof(raw));
	strcat(text, "\n");
	if (replace) {
		rc = dr_file_write_atomic(path, text, strlen(text), 0600, NULL);
		explicit_bzero(text, sizeof(text));
		return rc;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return -1;
	fd = mkostemp(tmp, O_CLOEXEC); /* 0600 */
	if (fd >= 0) {
		ssize_t n = write(fd, text, strlen(text));

		if (n == (ssize_t)strlen(text) && fsync(fd) == 0 &&
		    (link(tmp, path) == 0 || errno == EEXIST))
			rc = 0;
		close(fd);
		unlink(tmp);
	}
	explicit_bzero(text, sizeof(text));
	return rc;
}

int dr_cache_key_load(unsigned char key[DR_CACHE_KEY_LEN])
{
	char *dir = key_dir(), *path = NULL;
	int rc = -1;

	if (!dir || asprintf(&path, "%s/cache.key", dir) < 0) {
		free(dir);
		return -1;
	}
	rc = read_key(path, key);
	if (rc != 0 && dr_mkdir_p(dir, 0700, NULL) == 0 &&
	    create_key(path, rc != DR_ENOTFOUND) == 0)
		rc = read_key(path, key);
	if (rc != 0)
		explicit_bzero(key, DR_CACHE_KEY_LEN);
	free(path);
	free(dir);
	return rc ? -1 : 0;
}

/* out: the hex HMAC-SHA256 of the message asprintf makes of fmt, or ""
 * when it cannot be made */
static void __attribute__((format(printf, 3, 4)))
mac_of(const unsigned char key[DR_CACHE_KEY_LEN], char out[DR_CACHE_MAC_HEX], const char *fmt, ...)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	out[0] = '\0';
	if (n < 0)
		return;
	if (HMAC(EVP_sha256(), key, DR_CACHE_KEY_LEN, (const unsigned char *)msg, (size_t)n, mac,
		 &len) && len == 32)
		tohex(mac, len, out);
	free(msg);
}

void dr_cache_mac(const unsigned char key[DR_CACHE_KEY_LEN], const char *host,
		  const char *udigest, const char *setting, const char *digest, long long size,
		  char out[DR_CACHE_MAC_HEX])
{
	mac_of(key, out, "dokku-registry compressed.json v1\n%s\n%s\n%s\n%s\n%lld", host, udigest,
	       setting, digest, size);
}

void dr_cache_mac_v1(const unsigned char key[DR_CACHE_KEY_LEN], const char *host,
		     const char *v1id, const char *diff_id, char out[DR_CACHE_MAC_HEX])
{
	/* another first line than compressed entries': one never passes for the other */
	mac_of(key, out, "dokku-registry compressed.json v1-layer\n%s\n%s\n%s", host, v1id, diff_id);
}

int dr_cache_mac_equal(const char *a, const char *b)
{
	return a && b && strlen(a) == DR_CACHE_MAC_HEX - 1 && strlen(b) == DR_CACHE_MAC_HEX - 1 &&
	       CRYPTO_memcmp(a, b, DR_CACHE_MAC_HEX - 1) == 0;
}
