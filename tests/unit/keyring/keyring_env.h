/* A private session bus and a real gnome-keyring-daemon for the keyring
 * suites, started once per suite (unchecked fixture, in the runner's
 * process) under a scratch directory, the way tests/lib/env.sh does it:
 * dbus-daemon without service activation, the keyring unlocked by its
 * password on stdin. The pids live in files, so a test running in a forked
 * child may stop or restart the keyring and teardown still finds it. */
#ifndef DR_UNIT_KEYRING_ENV_H
#define DR_UNIT_KEYRING_ENV_H

#include <stddef.h>

#define KENV_PASSWORD "unit-pw"

struct dr_keyring;

/* The unchecked fixture pair: starts/stops bus and keyring and sets
 * DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR, HOME, XDG_DATA_HOME (teardown
 * restores them). */
void kenv_setup(void);
void kenv_teardown(void);

const char *kenv_dir(void);
const char *kenv_bus_address(void);
/* 0 when org.freedesktop.secrets is owned and the login collection is
 * unlocked (within ~5 s). */
int kenv_keyring_start(void);
/* Kills the keyring (SIGKILL) and waits until the bus dropped its name. */
void kenv_keyring_stop(void);
/* SIGSTOP: the name stays owned, no call is answered. */
void kenv_keyring_stall(void);
int kenv_keyring_pid(void);
/* Locks the login collection through the real Lock method. */
int kenv_keyring_lock(void);
/* Number of io.docker.Credentials items with attribute name=value, or -1. */
int kenv_count_items(const char *name, const char *value);

/* dr_keyring_open of collection coll on the suite's bus (plain transport,
 * 5 s budget); the test fails when it does not open. */
void kenv_open(struct dr_keyring *kr, const char *coll);
/* A store that must succeed. */
void kenv_store(struct dr_keyring *kr, const char *server, const char *user,
		const char *secret, size_t len, const char *scope);
/* get must answer user/secret for server in scope. */
void kenv_expect(struct dr_keyring *kr, const char *server, const char *scope,
		 const char *user, const char *secret, size_t len);

#endif
