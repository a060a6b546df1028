/* Command lines (NUL-separated arguments) through the pflag parser, its
 * usage text and Go's quoting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/pflag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), **argv = calloc(size + 2, sizeof(char *));
	int argc = 0, global = 0, quiet = 0;
	const char *format = NULL, *jobs = NULL;
	struct dr_pflag flags[] = {
		{ .name = "global", .usage = "--global: set a global property", .set = &global },
		{ .name = "quiet", .shorthand = 'q', .usage = "print errors only", .set = &quiet },
		{ .name = "format", .shorthand = 'f', .type = DR_PFLAG_STRING, .def = "stdout",
		  .usage = "format: [ stdout | json ]", .value = &format },
		{ .name = "jobs", .type = DR_PFLAG_INT, .def = "4", .usage = "parallel `n`", .value = &jobs },
		{ .name = "hidden", .hidden = 1, .usage = "x", .set = &global },
	};
	struct dr_pflag_set s = { "registry:fuzz", flags, sizeof(flags) / sizeof(flags[0]), NULL, 0, NULL };
	struct dr_err e = { 0 };
	char *usage, *q;

	if (!buf || !argv) {
		free(buf);
		free(argv);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = buf;
	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '\0')
			argv[argc++] = buf + i + 1;
	}
	if (dr_pflag_parse(&s, argc, argv, &e) == DR_EINVAL && !s.error)
		abort(); /* a bad flag always comes with pflag's message */
	usage = dr_pflag_usage(&s);
	q = dr_go_quote(buf);
	free(q);
	q = dr_go_quote_rune((unsigned char)buf[0]);
	free(q);
	free(usage);
	dr_pflag_set_free(&s);
	free(argv);
	free(buf);
	return 0;
}
