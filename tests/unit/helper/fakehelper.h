/* A stand-in credential helper for the helper suites: a /bin/sh script
 * installed as docker-credential-unitfake and docker-credential-dokku in a
 * scratch directory put first on PATH (checked fixture). It records its
 * stdin, action and DOCKER_CONFIG, and answers as the mode file says. The
 * real helpers run end to end in tests/e2e; here the point is how the
 * client side frames, reads and reports whatever a helper does. */
#ifndef DR_UNIT_FAKEHELPER_H
#define DR_UNIT_FAKEHELPER_H

void fh_setup(void);
void fh_teardown(void);
const char *fh_dir(void);
/* ok | notfound | fail | hang | flood | garbage | badtype | empty |
 * orphan (answers, exits 0, a grandchild keeps stdout open) */
void fh_mode(const char *mode);
/* Contents of a file the script wrote (stdin.<action>, config.<action>),
 * malloc'd; NULL when absent. */
char *fh_read(const char *name);
/* Writes path (relative to fh_dir()) with text. */
void fh_write(const char *name, const char *text);

#endif
