/* Command-line flags the way Dokku's Go subcommands parse them: spf13/pflag
 * 1.0.10 with ExitOnError (flags and positional arguments in any order,
 * `--flag`, `--flag=v`, `--flag v`, `-f`, `--` ends flags), and pflag's
 * usage text and error messages to the byte. */
#ifndef DR_PFLAG_H
#define DR_PFLAG_H

#include <stddef.h>

#include "base/err.h"

/* The value types pflag names in usage lines ("string", "int"; a bool has
 * no name). An INT flag is printed as one but its value is handed over as
 * text: the command checks its own range. */
enum dr_pflag_type { DR_PFLAG_BOOL, DR_PFLAG_STRING, DR_PFLAG_INT };

/* dr_pflag_parse returns this when -h or --help asked for the usage
 * (pflag prints it and the program exits 0). */
#define DR_PFLAG_HELP 1

struct dr_pflag {
	const char *name;      /* long name, without the leading -- */
	char shorthand;        /* the letter of -x, or 0 */
	enum dr_pflag_type type;
	const char *def;       /* default as pflag shows it; NULL: the zero value */
	const char *usage;     /* help text; a `name` in back quotes names the value */
	int hidden;            /* accepted, but left out of the usage text */
	int *set;              /* BOOL: set to 0 or 1 when given */
	const char **value;    /* STRING, INT: points into argv when given */
};

struct dr_pflag_set {
	const char *name;           /* "registry:login": the `Usage of` name */
	struct dr_pflag *flags;
	size_t nflags;
	char **args;                /* positional arguments (argc + 1 entries) */
	size_t nargs;
	char *error;                /* pflag's message after a bad flag, malloc'd */
};

/* Parses argv into s (flags, then s->args). Returns 0, DR_PFLAG_HELP,
 * DR_EINVAL with s->error set (e.g. "unknown flag: --x"), or DR_EIO when
 * out of memory. Free with dr_pflag_set_free. */
int dr_pflag_parse(struct dr_pflag_set *s, int argc, char **argv, struct dr_err *e);
void dr_pflag_set_free(struct dr_pflag_set *s);

/* pflag's FlagUsages(): one line per visible flag, sorted by name, the help
 * texts aligned. malloc'd ("" for no flags); NULL when out of memory. */
char *dr_pflag_flag_usages(const struct dr_pflag *flags, size_t nflags);
/* "Usage of NAME:\n" and the flag lines, as pflag's default Usage prints. */
char *dr_pflag_usage(const struct dr_pflag_set *s);

/* Go's %q of a string (strconv.Quote) and of a byte taken as a rune
 * (strconv.QuoteRune), as pflag's messages use them. malloc'd. */
char *dr_go_quote(const char *s);
char *dr_go_quote_rune(unsigned char c);

#endif
