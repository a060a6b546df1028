/* Small string helpers shared across core. */
#ifndef DR_TEXT_H
#define DR_TEXT_H

/* Strips leading and trailing white space in place, as Go's
 * strings.TrimSpace does (ASCII and Unicode white space in UTF-8, such as a
 * pasted no-break space); returns s. */
char *dr_trim(char *s);

#include <stddef.h>

/* Text from outside (a registry, a cluster, a backup) made safe for a
 * terminal, in one line: ESC, CR, LF, TAB and every other C0 control, DEL,
 * C1 controls, bidi embeddings/overrides/isolates and other invisible
 * formatting characters, and each byte of invalid UTF-8 are written as
 * visible escapes (\e \r \n \t, \xNN, \uNNNN); everything else, a
 * backslash included, is copied as it is. At most n-1 bytes and a NUL go
 * to out, never half a character or half an escape; returns the length. */
size_t dr_text_safe(const char *in, size_t len, char *out, size_t n);
/* The same into malloc'd memory, whole; NULL only when out of memory. */
char *dr_text_safe_dup(const char *s);

#endif
