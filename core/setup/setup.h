/* `dokku-registry setup`: the steps that turn a host with Dokku and this
 * package into a working setup (sealed keyring password, the keyring unit,
 * the dokku user's helper config, the plugin shim, migration, doctor).
 * Every step is idempotent, prints one line, and undoes what it started
 * when it fails. */
#ifndef DR_SETUP_H
#define DR_SETUP_H

#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secmem.h"

#define DR_SETUP_UNIT "dokku-keyring.service"
#define DR_SETUP_CRED_NAME "keyring-password"

/* Exit statuses of setup (documented in dokku-registry(1)). */
enum {
	DR_SETUP_OK = 0,
	DR_SETUP_FAILED = 1,     /* a step failed (and was undone) */
	DR_SETUP_USAGE = 2,
	DR_SETUP_INCOMPLETE = 3, /* no systemd: the manual recipe was printed */
};

struct dr_setup {
	/* options */
	const char *root;          /* "" for /, a scratch root for tests */
	int dry_run, no_migrate, no_plugin;
	int restore_plaintext;     /* --undo: logins back as plaintext auths */
	const char *password_file; /* NULL: generate */
	const char *self;          /* path of dokku-registry, for the children */
	/* the dokku user */
	char user[64];
	uid_t uid;
	gid_t gid;
	char home[4096];           /* with root */
	/* paths, all under root */
	char etc_dir[4096], pw_file[4200], cred_file[4200], dropin_dir[4096], dropin[4200];
	char run_dir[4096], ready[4200], bus[4200], keyring_file[4200];
	char helper_cfg[4200], lib_root[4096], plugin_link[4200], core_plugin[4200],
		shim_dir[4200];
	/* the registry-guard plugin: puts the shim back after a Dokku source install */
	char guard_dir[4200], guard_link[4200], guard_enabled[4200];
	int have_systemd;          /* root/run/systemd/system exists */
	/* what happened */
	int changed;               /* steps that changed something */
	int dropin_changed;        /* the unit needs a reload and restart */
	int incomplete;            /* steps that could not run here */
};

/* Fills the paths and finds the dokku user (DOKKU_SYSTEM_USER, default
 * dokku; from root/etc/passwd when root is set). */
int dr_setup_init(struct dr_setup *s, struct dr_err *e);

/* The steps, in order; each prints its line. 0, or the step's failure. */
int dr_setup_password(struct dr_setup *s, struct dr_err *e);
int dr_setup_unit(struct dr_setup *s, struct dr_err *e);
int dr_setup_helper_config(struct dr_setup *s, struct dr_err *e);
int dr_setup_plugin(struct dr_setup *s, struct dr_err *e);
int dr_setup_migrate(struct dr_setup *s, struct dr_err *e);
/* 0 when doctor found nothing broken; prints doctor's verdict last. */
int dr_setup_doctor(struct dr_setup *s, struct dr_err *e);
/* `setup --undo`: Dokku's own plugin back in place; the keyring stays. */
int dr_setup_undo_plugin(struct dr_setup *s, struct dr_err *e);
/* `setup --undo` (setup_undo.c): every Docker config off the keyring, then
 * (after the plugin) the units disabled and stopped. */
int dr_setup_undo_logins(struct dr_setup *s, struct dr_err *e);
int dr_setup_undo_units(struct dr_setup *s, struct dr_err *e);

/* ---- shared by core/setup*.c ---- */

/* One line of the step: "-----> <step>: <text>" (with "(dry run) " when
 * nothing is changed). */
void dr_setup_say(const struct dr_setup *s, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs `dokku-registry ARGS…` as the dokku user with the dokku user's
 * environment; captured output in *out (malloc'd, may be NULL). */
int dr_setup_run_self(const struct dr_setup *s, const char *const *args, char **out, int *status,
		      struct dr_err *e);
/* Runs `systemctl ARGS…` (30 s deadline); its exit status in *status. */
int dr_setup_systemctl(const struct dr_setup *s, const char *const *args, int *status,
		       char **out, struct dr_err *e);
/* Work on paths the dokku user controls (its home, Dokku's config tree).
 * fn runs in a child that is the dokku user (no supplementary groups), so it
 * follows only links and reaches only files that user could itself; what
 * it puts in *out comes back to *out, its failure to e. 30 s deadline. */
typedef int (*dr_setup_user_fn)(const struct dr_setup *s, void *arg, struct dr_buf *out,
				struct dr_err *e);
int dr_setup_as_user(const struct dr_setup *s, dr_setup_user_fn fn, void *arg, struct dr_buf *out,
		     struct dr_err *e);
/* chown to the dokku user (no-op for files already theirs) */
int dr_setup_chown(const struct dr_setup *s, const char *path, struct dr_err *e);

#endif
