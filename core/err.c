#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int dr_fail(struct dr_err *e, enum dr_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void dr_err_clear(struct dr_err *e)
{
	if (!e)
		return;
	e->code = DR_OK;
	e->msg[0] = '\0';
}

int dr_err_is_unavailable(enum dr_errcode code)
{
	return code == DR_ENOBUS || code == DR_ENOPROVIDER ||
	       code == DR_ETIMEOUT || code == DR_ELOCKED || code == DR_ENOCOLL;
}
