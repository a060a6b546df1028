#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int dr_log_quiet(void)
{
	const char *q = getenv("DOKKU_QUIET_OUTPUT");

	return q && q[0];
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	if (f == stderr)
		fflush(stdout); /* keep the order the lines were written in */
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void dr_log_info1(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stdout, "-----> ", fmt, ap);
	va_end(ap);
}

void dr_log_info2_quiet(const char *fmt, ...)
{
	va_list ap;

	if (dr_log_quiet())
		return;
	va_start(ap, fmt);
	emit(stdout, "=====> ", fmt, ap);
	va_end(ap);
}

void dr_log_verbose(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stdout, "       ", fmt, ap);
	va_end(ap);
}

void dr_log_verbose_quiet(const char *fmt, ...)
{
	va_list ap;

	if (dr_log_quiet())
		return;
	va_start(ap, fmt);
	emit(stdout, "       ", fmt, ap);
	va_end(ap);
}

void dr_log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, " !     ", fmt, ap);
	va_end(ap);
}

int dr_log_fail(int exit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, " !     ", fmt, ap);
	va_end(ap);
	return exit_code;
}
