/* The scratch root of the setup step suites (setup_fixture.c). */
#ifndef DR_UNIT_SETUP_FIXTURE_H
#define DR_UNIT_SETUP_FIXTURE_H

#include "setup/setup.h"

extern char setup_root[96];
extern struct dr_setup setup_ctx;

/* checked fixture: the root with etc/passwd, dr_setup_init on it */
void setup_world_begin(void);
void setup_world_end(void);
#define SETUP_UID 1001
#define SETUP_GID 1002

/* mkdir -p root/rel */
void setup_mk(const char *rel);
/* chown -R root/rel to the dokku user (links themselves, not followed) */
void setup_give(const char *rel);
/* runs step on setup_ctx with stdout captured; its result in *rc */
char *setup_run_step(int (*step)(struct dr_setup *, struct dr_err *), struct dr_err *e, int *rc);
/* got (freed) equals the formatted text */
void setup_expect_out(char *got, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void setup_expect_file(const char *path, const char *want);

#endif
