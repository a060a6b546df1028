/* setup's keyring steps: the password (sealed with systemd-creds where the
 * unit can load it with LoadCredentialEncrypted=, else a root-only file)
 * and the dokku-keyring unit. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/buf.h"
#include "base/secmem.h"
#include "setup/sealedcred.h"
#include "setup/setup.h"

#define PASSWORD_LIMIT 4096
#define READY_TIMEOUT_S 30

static const char step_pw[] = "keyring password";
static const char step_unit[] = "keyring unit";

/* 32 random bytes, base64 (gnome-keyring reads one line) */
static int generate(struct dr_buf *pw, struct dr_err *e)
{
	unsigned char raw[32];
	char text[64];
	int n, rc;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return dr_fail(e, DR_EIO, "no random bytes: %s", strerror(errno));
	n = EVP_EncodeBlock((unsigned char *)text, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	rc = dr_buf_append(pw, text, (size_t)n, e);
	explicit_bzero(text, sizeof(text));
	return rc;
}

/* The first line of path, without its newline; must not be empty. */
static int read_first_line(const char *path, struct dr_buf *pw, struct dr_err *e)
{
	int rc = dr_file_read(path, PASSWORD_LIMIT, pw, e);

	if (rc == DR_ETOOBIG)
		return dr_fail(e, rc, "%s is over %d bytes: its first line is the password", path,
			       PASSWORD_LIMIT);
	if (rc)
		return rc;
	pw->len = strcspn(pw->data, "\n");
	pw->data[pw->len] = '\0';
	if (pw->len == 0)
		return dr_fail(e, DR_EINVAL, "%s is empty: its first line is the keyring password", path);
	return 0;
}

static char *dropin_text(const struct dr_setup *s)
{
	char *t = NULL;

	if (asprintf(&t,
		     "# Written by `dokku-registry setup`: the keyring password is sealed with\n"
		     "# systemd-creds (this host's key, and its TPM2 if it has one).\n"
		     "[Unit]\n"
		     "AssertFileNotEmpty=\n"
		     "AssertFileNotEmpty=%s\n"
		     "\n"
		     "[Service]\n"
		     "LoadCredential=\n"
		     "LoadCredentialEncrypted=%s:%s\n",
		     s->cred_file, DR_SETUP_CRED_NAME, s->cred_file) < 0)
		return NULL;
	return t;
}

/* 1 written, 0 already there, <0 error */
static int write_dropin(struct dr_setup *s, struct dr_err *e)
{
	char *want = dropin_text(s);
	struct dr_buf have = { 0 };
	int rc;

	if (!want)
		return dr_oom(e);
	if (dr_file_read(s->dropin, 64 * 1024, &have, NULL) == 0 && strcmp(have.data, want) == 0) {
		rc = 0;
	} else {
		rc = dr_mkdir_p(s->dropin_dir, 0755, e);
		if (rc == 0)
			rc = dr_file_write_atomic(s->dropin, want, strlen(want), 0644, e);
		if (rc == 0) {
			s->dropin_changed = 1;
			rc = 1;
		}
	}
	dr_buf_wipe(&have);
	free(want);
	return rc;
}

/* Seals pw into cred_file and checks that it opens again. */
static int seal(struct dr_setup *s, const struct dr_buf *pw, int tpm2, struct dr_err *e)
{
	struct dr_buf back = { 0 };
	int rc;

	rc = dr_sealed_encrypt(DR_SETUP_CRED_NAME, pw->data, pw->len, tpm2, s->cred_file, e);
	if (rc == 0)
		rc = dr_sealed_decrypt(DR_SETUP_CRED_NAME, s->cred_file, &back, e);
	if (rc == 0 && (back.len != pw->len || memcmp(back.data, pw->data, pw->len) != 0))
		rc = dr_fail(e, DR_EIO, "%s does not open to the password it was sealed with",
			     s->cred_file);
	dr_buf_wipe(&back);
	if (rc == 0) {
		rc = write_dropin(s, e);
		rc = rc > 0 ? 0 : rc;
	}
	if (rc != 0)
		unlink(s->cred_file);
	return rc;
}

/* Overwrites then removes the plaintext password file. */
static void remove_plain(const char *path)
{
	struct dr_buf b = { 0 };

	if (dr_file_read(path, PASSWORD_LIMIT, &b, NULL) == 0 && b.len) {
		char *zero = calloc(1, b.len);

		if (zero)
			dr_file_write_atomic(path, zero, b.len, 0600, NULL);
		free(zero);
	}
	dr_buf_wipe(&b);
	unlink(path);
}

/* Run as the dokku user: whether its login keyring file is there (root
 * would stat through that user's links). "1" or "0" in out. */
static int keyring_as_user(const struct dr_setup *s, void *arg, struct dr_buf *out, struct dr_err *e)
{
	(void)arg;
	return dr_buf_append_str(out, dr_is_file(s->keyring_file) ? "1" : "0", e);
}

/* 1 or 0, or a DR_E code */
static int keyring_exists(const struct dr_setup *s, struct dr_err *e)
{
	struct dr_buf got = { 0 };
	int rc = dr_setup_as_user(s, keyring_as_user, NULL, &got, e);

	if (rc == 0)
		rc = got.data && got.data[0] == '1';
	dr_buf_wipe(&got);
	return rc;
}

static int sealing_here(const struct dr_setup *s)
{
	/* LoadCredentialEncrypted= needs systemd itself to run the unit */
	return s->have_systemd && dr_sealed_available();
}

int dr_setup_password(struct dr_setup *s, struct dr_err *e)
{
	struct dr_buf pw = { 0 };
	int sealing = sealing_here(s), tpm2 = 0, rc = 0;

	if (dr_is_file(s->cred_file)) {
		if (s->dry_run) {
			dr_setup_say(s, step_pw, "already sealed in %s", s->cred_file);
			return 0;
		}
		rc = write_dropin(s, e);
		if (rc < 0)
			return dr_fail(e, rc, "%s: %s", step_pw, e->msg);
		s->changed += rc;
		dr_setup_say(s, step_pw, rc ? "sealed in %s; wrote %s" : "already sealed in %s%s",
			     s->cred_file, rc ? s->dropin : "");
		return 0;
	}
	if (dr_is_file(s->pw_file) && !sealing) {
		dr_setup_say(s, step_pw, "already in %s (root-only, LoadCredential=)", s->pw_file);
		return 0;
	}
	rc = !dr_is_file(s->pw_file) && !s->password_file ? keyring_exists(s, e) : 0;
	if (rc < 0)
		return dr_fail(e, rc, "%s: %s", step_pw, e->msg);
	if (rc > 0)
		return dr_fail(e, DR_EINVAL,
			       "%s: a keyring exists (%s) but no password file: pass its password with "
			       "--password-file FILE, or move the keyring away to start afresh",
			       step_pw, s->keyring_file);
	if (sealing)
		tpm2 = dr_sealed_has_tpm2();
	if (s->dry_run) {
		dr_setup_say(s, step_pw, "would %s %s", dr_is_file(s->pw_file) ? "seal the existing" :
			     s->password_file ? "take the password from" : "generate a password for",
			     sealing ? s->cred_file : s->pw_file);
		return 0;
	}
	if (dr_is_file(s->pw_file))
		rc = read_first_line(s->pw_file, &pw, e);
	else if (s->password_file)
		rc = read_first_line(s->password_file, &pw, e);
	else
		rc = generate(&pw, e);
	if (rc == 0)
		rc = dr_mkdir_p(s->etc_dir, 0711, e); /* doctor may see the names */
	if (rc == 0 && sealing) {
		rc = seal(s, &pw, tpm2, e);
		if (rc == 0 && dr_is_file(s->pw_file))
			remove_plain(s->pw_file);
	} else if (rc == 0) {
		/* the unit's LoadCredential= reads the first line */
		pw.data[pw.len] = '\n';
		rc = dr_file_write_atomic(s->pw_file, pw.data, pw.len + 1, 0600, e);
	}
	dr_buf_wipe(&pw);
	if (rc)
		return dr_fail(e, rc, "%s: %s", step_pw, e->msg);
	s->changed++;
	if (sealing)
		dr_setup_say(s, step_pw, "sealed with systemd-creds (host key%s) in %s",
			     tpm2 ? " and TPM2" : "", s->cred_file);
	else
		dr_setup_say(s, step_pw, "written to %s (root-only, mode 0600)", s->pw_file);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `systemctl VERB [--now] dokku-keyring.service` (daemon-reload: no unit);
 * 0 when it exited 0 */
static int sysctl(struct dr_setup *s, const char *verb, int now, struct dr_err *e)
{
	const char *args[4] = { verb, NULL, NULL, NULL };
	char *out = NULL;
	int status = -1, rc, k = 1;

	if (now)
		args[k++] = "--now";
	if (strcmp(verb, "daemon-reload") != 0)
		args[k] = DR_SETUP_UNIT;
	rc = dr_setup_systemctl(s, args, &status, &out, e);
	if (rc == 0 && status != 0) {
		char *nl = out ? strchr(out, '\n') : NULL;

		if (nl)
			*nl = '\0';
		rc = dr_fail(e, DR_EIO, "systemctl %s failed (exit %d): %s", verb, status,
			     out && *out ? out : "no message");
	}
	free(out);
	return rc;
}

static int unit_query(struct dr_setup *s, const char *verb)
{
	const char *args[] = { verb, "--quiet", DR_SETUP_UNIT, NULL };
	int status = -1;

	return dr_setup_systemctl(s, args, &status, NULL, NULL) == 0 && status == 0;
}

/* seconds to wait for the unit's ready file (tests shorten it) */
static int ready_timeout(void)
{
	const char *t = getenv("DOKKU_REGISTRY_SETUP_READY_TIMEOUT");

	return t && atoi(t) > 0 ? atoi(t) : READY_TIMEOUT_S;
}

/* 1 once the unit's ready file exists; 0 at the deadline or as soon as
 * the unit is no longer active (it failed: no point in waiting). */
static int wait_ready(struct dr_setup *s)
{
	long long end = now_ms() + ready_timeout() * 1000LL;

	for (unsigned tick = 1; !dr_is_file(s->ready); tick++) {
		struct timespec pause = { 0, 100 * 1000 * 1000 };

		if (now_ms() >= end || (tick % 10 == 0 && !unit_query(s, "is-active")))
			return dr_is_file(s->ready);
		nanosleep(&pause, NULL);
	}
	return 1;
}

static void print_manual_recipe(const struct dr_setup *s)
{
	printf("       Start the keyring by hand (as root), then run setup again:\n"
	       "         install -d -m 0700 -o %s -g %u %s\n"
	       "         sudo -u %s -H env RUNTIME_DIRECTORY=%s KEYRING_PASSWORD_FILE=<a copy of %s readable by %s> \\\n"
	       "           /usr/lib/dokku-registry/keyring-session &\n",
	       s->user, (unsigned)s->gid, s->run_dir, s->user, s->run_dir, s->pw_file, s->user);
}

int dr_setup_unit(struct dr_setup *s, struct dr_err *e)
{
	int enabled, active, rc;

	if (!s->have_systemd) {
		s->incomplete++;
		dr_setup_say(s, step_unit, "systemd is not running here: cannot enable %s", DR_SETUP_UNIT);
		print_manual_recipe(s);
		return 0;
	}
	enabled = unit_query(s, "is-enabled");
	active = unit_query(s, "is-active");
	if (enabled && active && dr_is_file(s->ready) && !s->dropin_changed) {
		dr_setup_say(s, step_unit, "%s already enabled and running", DR_SETUP_UNIT);
		return 0;
	}
	if (s->dry_run) {
		dr_setup_say(s, step_unit, "would %s %s", active ? "restart" : "enable and start",
			     DR_SETUP_UNIT);
		return 0;
	}
	rc = sysctl(s, "daemon-reload", 0, e);
	if (rc == 0 && !enabled)
		rc = sysctl(s, "enable", 1, e);
	else if (rc == 0)
		rc = sysctl(s, active ? "restart" : "start", 0, e);
	if (rc == 0 && !wait_ready(s))
		rc = unit_query(s, "is-active")
			     ? dr_fail(e, DR_ETIMEOUT, "%s is not ready after %ds; see `journalctl -u %s`",
				       DR_SETUP_UNIT, ready_timeout(), DR_SETUP_UNIT)
			     : dr_fail(e, DR_EIO, "%s stopped before the keyring was ready; see "
				       "`journalctl -u %s`", DR_SETUP_UNIT, DR_SETUP_UNIT);
	if (rc != 0) {
		struct dr_err ignored = { 0 };

		/* leave the unit as it was */
		if (!enabled)
			sysctl(s, "disable", 1, &ignored);
		else if (!active)
			sysctl(s, "stop", 0, &ignored);
		return dr_fail(e, rc, "%s: %s", step_unit, e->msg);
	}
	s->changed++;
	dr_setup_say(s, step_unit, "%s %s; the keyring is unlocked on %s", DR_SETUP_UNIT,
		     enabled ? "restarted" : "enabled and started", s->bus);
	return 0;
}
