/* Small string helpers shared across core. */
#ifndef DR_TEXT_H
#define DR_TEXT_H

/* Strips leading and trailing white space in place, as Go's
 * strings.TrimSpace does for ASCII; returns s. */
char *dr_trim(char *s);

#endif
