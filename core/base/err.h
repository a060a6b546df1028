/* One error convention for all of core: functions return 0 on success or a
 * negative DR_E* code, and fill a caller-owned struct dr_err with the code and
 * a one-line message that is safe to show (it never contains a secret). */
#ifndef DR_ERR_H
#define DR_ERR_H

enum dr_errcode {
	DR_OK = 0,
	DR_EINVAL = -1,      /* bad input from the caller */
	DR_ENOTFOUND = -2,   /* nothing stored under that key */
	DR_ENOBUS = -3,      /* no reachable D-Bus session bus */
	DR_ENOPROVIDER = -4, /* bus up, nobody provides org.freedesktop.secrets */
	DR_ETIMEOUT = -5,    /* a peer did not answer in time */
	DR_ELOCKED = -6,     /* the collection or item is locked */
	DR_EIO = -7,         /* anything else from the system or the service */
	DR_ETOOBIG = -8,     /* input over its read limit */
	DR_ENOCOLL = -9,     /* the configured collection does not exist */
	DR_EAUTH = -10,      /* a registry refused the credentials */
	DR_ENET = -11,       /* a registry could not be reached */
	DR_ETLS = -12,       /* TLS failed (certificate, handshake) */
	DR_ENOAPP = -13,     /* a Dokku app that does not exist */
	DR_EGONE = -14,      /* the keyring provider went away during a call (it
			      * died or left the bus): not a timeout */
};

struct dr_err {
	enum dr_errcode code;
	char msg[512];
};

/* Sets e (when not NULL) and returns code, so callers can `return dr_fail(...)`.
 * The arguments may include e->msg itself, to wrap a previous message. */
int dr_fail(struct dr_err *e, enum dr_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* The static analyzer does not look into err.c: this tells it that dr_fail
 * returns its code, so `if (!p) return dr_fail(…)` is not read as a path on
 * which the caller sees 0 with p still NULL. err.c defines `(dr_fail)`,
 * which the macro leaves alone. */
#define dr_fail(e, code, ...) (dr_fail((e), (code), __VA_ARGS__), (code))
#endif
void dr_err_clear(struct dr_err *e);

/* Out of memory: the one policy for all of core and the mains. A failed
 * allocation is an ordinary error, DR_EIO with the message DR_OOM_MSG,
 * returned up the stack like any other (never abort()): the credential
 * helper still answers Docker in its protocol, the Dokku commands still
 * print their error and exit 1, and the cleanups on the way back (wiping
 * secrets, removing temporary files, releasing locks) still run.
 * `return dr_oom(e);` where `return dr_oom(e);`
 * would be written. */
#define DR_OOM_MSG "out of memory"
static inline int dr_oom(struct dr_err *e)
{
	return dr_fail(e, DR_EIO, DR_OOM_MSG);
}

/* True for the failures that mean "the keyring cannot be used right now". */
int dr_err_is_unavailable(enum dr_errcode code);

/* The fix for a keyring that is down or locked on a server set up with the
 * dokku-keyring unit (its bus is the one the helper config names). */
#define DR_KEYRING_FIX "check `systemctl status dokku-keyring`, then `dokku registry:doctor`"

/* "; " DR_KEYRING_FIX, or "" when msg already names that fix: for wrapping
 * a message that may come from a layer that gave it already. */
const char *dr_keyring_fix_suffix(const char *msg);

#endif
