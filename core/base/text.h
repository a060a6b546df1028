/* Small string helpers shared across core. */
#ifndef DR_TEXT_H
#define DR_TEXT_H

/* Strips leading and trailing white space in place, as Go's
 * strings.TrimSpace does (ASCII and Unicode white space in UTF-8, such as a
 * pasted no-break space); returns s. */
char *dr_trim(char *s);

#endif
