#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int (dr_fail)(struct dr_err *e, enum dr_errcode code, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return code;
	/* through a copy: callers wrap the previous message, e->msg itself */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->code = code;
	memcpy(e->msg, msg, sizeof(msg));
	return code;
}

const char *dr_keyring_fix_suffix(const char *msg)
{
	return msg && strstr(msg, DR_KEYRING_FIX) ? "" : "; " DR_KEYRING_FIX;
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
	       code == DR_ETIMEOUT || code == DR_ELOCKED || code == DR_ENOCOLL ||
	       code == DR_EGONE;
}
