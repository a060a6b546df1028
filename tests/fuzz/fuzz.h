/* Shared bits of the libFuzzer targets: inputs that the code under test
 * reads from a file are written to a private temp dir first. */
#ifndef DR_FUZZ_H
#define DR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A per-process scratch dir (made once, 0700). Aborts when it cannot. */
const char *fz_dir(void);
/* Writes data to fz_dir()/name and returns that path (static buffer). */
const char *fz_write(const char *name, const uint8_t *data, size_t size);
/* data as a NUL-terminated malloc'd string (NUL bytes inside are kept). */
char *fz_str(const uint8_t *data, size_t size);

#endif
