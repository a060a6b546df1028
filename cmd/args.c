#include <stdio.h>
#include <string.h>

#include "../core/log.h"
#include "cmd.h"

static void usage(FILE *f, const char *cmd, const struct cmd_flag *flags)
{
	fprintf(f, "Usage of %s:\n", cmd);
	for (const struct cmd_flag *fl = flags; fl && fl->name; fl++)
		fprintf(f, "      --%-16s %s\n", fl->name, fl->usage ? fl->usage : "");
}

static int bad_flag(const char *cmd, const struct cmd_flag *flags, const char *msg,
		    const char *arg)
{
	fprintf(stderr, "%s%s\n", msg, arg);
	usage(stderr, cmd, flags);
	printf("%s%s\n", msg, arg);
	return 2;
}

int cmd_parse_flags(const char *cmd, int argc, char **argv, const struct cmd_flag *flags,
		    char **pos, int *npos)
{
	int only_pos = 0;

	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct cmd_flag *fl;
		size_t n;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (a[1] != '-')
			return bad_flag(cmd, flags, "unknown shorthand flag: ", a);
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		for (fl = flags; fl && fl->name; fl++) {
			if (strlen(fl->name) == n && strncmp(fl->name, a, n) == 0)
				break;
		}
		if (!fl || !fl->name)
			return bad_flag(cmd, flags, "unknown flag: ", argv[i]);
		if (fl->set) {
			*fl->set = !eq || strcmp(eq + 1, "false") != 0;
		} else if (eq) {
			*fl->value = eq + 1;
		} else if (i + 1 < argc) {
			*fl->value = argv[++i];
		} else {
			return bad_flag(cmd, flags, "flag needs an argument: ", argv[i]);
		}
	}
	return 0;
}

int cmd_fail(const struct dr_err *e)
{
	return dr_log_fail(e->code == DR_ENOAPP ? 20 : 1, "%s", e->msg);
}

const char *cmd_arg(char **pos, int npos, int i)
{
	return i < npos ? pos[i] : "";
}
