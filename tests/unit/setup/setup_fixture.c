/* The scratch root both setup step suites use (check_setup_dokku.c and
 * check_setup_keyring.c): an /etc/passwd with a dokku user (uid 1001,
 * gid 1002) whose home exists and is theirs, Dokku's settings saved and cleared around each test, and a
 * dr_setup initialised on that root. */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "fixture.h"
#include "setup_fixture.h"
#include "unit.h"

char setup_root[96];
static const char *saved[] = { "DOKKU_SYSTEM_USER", "DOKKU_ROOT", "DOKKU_LIB_ROOT",
			       "DOKKU_REGISTRY_PKGDATADIR", NULL };
static char *values[8];
struct dr_setup setup_ctx;

void setup_mk(const char *rel)
{
	char path[4300];
	struct dr_err e = { 0 };

	snprintf(path, sizeof(path), "%s/%s", setup_root, rel);
	ck_assert_msg(dr_mkdir_p(path, 0755, &e) == 0, "%s", e.msg);
}

static int give(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(p, SETUP_UID, SETUP_GID);
}

void setup_give(const char *rel)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s", setup_root, rel);
	ck_assert_msg(nftw(path, give, 16, FTW_PHYS) == 0, "chown -R %s: %s", path, strerror(errno));
}

void setup_world_begin(void)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				     "dokku:x:1001:1002::/home/dokku:/bin/bash\n";
	struct dr_err e = { 0 };
	char path[160];

	unit_world_setup();
	for (int i = 0; saved[i]; i++) {
		const char *v = getenv(saved[i]);

		values[i] = v ? strdup(v) : NULL;
		unsetenv(saved[i]);
	}
	unit_path(setup_root, sizeof(setup_root), "root");
	ck_assert_int_eq(mkdir(setup_root, 0755), 0);
	/* the dokku user walks in to its home, as on a host */
	unit_path(path, sizeof(path), "");
	ck_assert_int_eq(chmod(path, 0755), 0);
	setup_mk("home/dokku");
	setup_give("home/dokku");
	setup_mk("etc");
	snprintf(path, sizeof(path), "%s/etc/passwd", setup_root);
	unit_write(path, passwd, strlen(passwd), 0644);
	setenv("DOKKU_REGISTRY_PKGDATADIR", "/opt/dr", 1);
	memset(&setup_ctx, 0, sizeof(setup_ctx));
	setup_ctx.root = setup_root;
	ck_assert_msg(dr_setup_init(&setup_ctx, &e) == 0, "%s", e.msg);
}

void setup_world_end(void)
{
	for (int i = 0; saved[i]; i++) {
		if (values[i])
			setenv(saved[i], values[i], 1);
		else
			unsetenv(saved[i]);
		free(values[i]);
		values[i] = NULL;
	}
	unit_world_teardown();
}

/* runs step with stdout captured; its result in *rc, the output returned */
char *setup_run_step(int (*step)(struct dr_setup *, struct dr_err *), struct dr_err *e, int *rc)
{
	unit_capture_begin(1);
	*rc = step(&setup_ctx, e);
	return unit_capture_end(1);
}

void setup_expect_out(char *got, const char *fmt, ...)
{
	char want[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	ck_assert_str_eq(got, want);
	free(got);
}

void setup_expect_file(const char *path, const char *want)
{
	char *got = unit_read(path, NULL);

	ck_assert_msg(got != NULL, "%s is missing", path);
	ck_assert_str_eq(got, want);
	free(got);
}
