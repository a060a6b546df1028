#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cmd.h"

int cmd_parse_flags(const char *cmd, int argc, char **argv, struct dr_pflag *flags,
		    size_t nflags, char **pos, int *npos, int *exit_code)
{
	struct dr_pflag_set s = { cmd, flags, nflags, NULL, 0, NULL };
	struct dr_err e = { 0 };
	char *usage;
	int rc = dr_pflag_parse(&s, argc, argv, &e);

	*npos = 0;
	if (rc == 0) {
		for (size_t i = 0; i < s.nargs; i++)
			pos[(*npos)++] = s.args[i];
		dr_pflag_set_free(&s);
		return 0;
	}
	if (rc == DR_EIO) {
		dr_pflag_set_free(&s);
		*exit_code = dr_log_fail(1, "%s", e.msg);
		return 1;
	}
	/* ExitOnError: the usage, then the error, all on stderr; exit 2, or 0
	 * when -h/--help asked for the usage */
	usage = dr_pflag_usage(&s);
	fputs(usage ? usage : "", stderr);
	if (s.error)
		fprintf(stderr, "%s\n", s.error);
	free(usage);
	dr_pflag_set_free(&s);
	*exit_code = rc == DR_PFLAG_HELP ? 0 : 2;
	return 1;
}

int cmd_fail(const struct dr_err *e)
{
	return dr_log_fail(e->code == DR_ENOAPP ? 20 : 1, "%s", e->msg);
}

const char *cmd_arg(char **pos, int npos, int i)
{
	return i < npos ? pos[i] : "";
}
