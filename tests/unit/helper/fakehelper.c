#include "fakehelper.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char *saved_path;

static const char script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"a=$1\n"
	"cat >\"$d/stdin.$a\"\n"
	"printf %s \"${DOCKER_CONFIG-unset}\" >\"$d/config.$a\"\n"
	"printf %s \"$(basename \"$0\")\" >\"$d/name.$a\"\n"
	"case $(cat \"$d/mode\" 2>/dev/null) in\n"
	"ok)\n"
	"  case $a in\n"
	"  get) printf '{\"ServerURL\":\"%s\",\"Username\":\"u1\",\"Secret\":\"p\\\\u0000w\"}\\n' \"$(cat \"$d/stdin.get\")\" ;;\n"
	"  list) printf '{\"a.example.com\":\"ua\",\"b.example.com\":\"ub\"}\\n' ;;\n"
	"  esac\n"
	"  exit 0 ;;\n"
	"token) printf '{\"Username\":\"<token>\",\"Secret\":\"tok-1\"}\\n'; exit 0 ;;\n"
	"notfound) echo 'credentials not found in native keychain'; exit 1 ;;\n"
	"fail) echo 'boom: the vault is sealed'; exit 3 ;;\n"
	"silentfail) exit 4 ;;\n"
	"hang) exec sleep 30 ;;\n"
	"flood) exec yes 0123456789abcdef ;;\n"
	"garbage) echo 'not json'; exit 0 ;;\n"
	"badtype) echo '{\"Username\":5,\"Secret\":\"x\"}'; exit 0 ;;\n"
	"empty) echo '{\"Username\":\"u\",\"Secret\":\"\"}'; exit 0 ;;\n"
	"orphan) sleep 30 & echo '{\"Username\":\"late\",\"Secret\":\"s\"}'; exit 0 ;;\n"
	"esac\n"
	"exit 9\n";

const char *fh_dir(void)
{
	return dir;
}

void fh_write(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

void fh_mode(const char *mode)
{
	fh_write("mode", mode);
}

char *fh_read(const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

void fh_setup(void)
{
	char path[256], link[256];
	const char *old = getenv("PATH");
	char *newpath;

	snprintf(dir, sizeof(dir), "/tmp/dr-unit-helper.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	fh_write("docker-credential-unitfake", script);
	snprintf(path, sizeof(path), "%s/docker-credential-unitfake", dir);
	ck_assert_int_eq(chmod(path, 0700), 0);
	snprintf(link, sizeof(link), "%s/docker-credential-dokku", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	saved_path = strdup(old ? old : "/usr/bin:/bin");
	ck_assert_int_ge(asprintf(&newpath, "%s:%s", dir, saved_path), 0);
	setenv("PATH", newpath, 1);
	free(newpath);
	fh_mode("ok");
}

void fh_teardown(void)
{
	char cmd[128];

	setenv("PATH", saved_path, 1);
	free(saved_path);
	saved_path = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
