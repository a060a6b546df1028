/* The helpers-pattern rule written the obvious way (exponential in the
 * number of '*'): a '*' spans any run of characters inside one DNS label.
 * The oracle the linear matcher (core/helper/chain.c) must agree with, in
 * check_chain.c and in the fuzz target fuzz_pattern_oracle.c. */
#ifndef DR_UNIT_PATTERN_ORACLE_H
#define DR_UNIT_PATTERN_ORACLE_H

static inline int pattern_oracle(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			for (const char *t = s;; t++) {
				if (pattern_oracle(p + 1, t))
					return 1;
				if (*t == '\0' || *t == '.')
					return 0;
			}
		}
		if (*s == '\0' || *p != *s)
			return 0;
	}
	return *s == '\0';
}

#endif
