/* dokku-registry's own per-app directory, $DOKKU_LIB_ROOT/config/
 * dokku-registry/<app>/ (the push engine setting lives there), following
 * the app through Dokku's delete, rename and clone triggers.
 *
 * Dokku gives config/ and everything under it to the dokku user, and
 * these triggers may run as root: every step below $DOKKU_LIB_ROOT is
 * opened without following a symbolic link and all work is done through
 * those descriptors, never by path. A link where a directory belongs is
 * removed (delete) or refused (copy), never followed; a link or anything
 * but a regular file inside the app's directory is removed, never copied. */
#ifndef DR_OWN_DIR_H
#define DR_OWN_DIR_H

#include "base/err.h"

#define DR_OWN_DIR_NAME "dokku-registry"

/* Removes the app's directory and what it holds; a missing one is fine. */
int dr_own_dir_remove(const char *app, struct dr_err *e);
/* Copies the regular files of from's directory into to's (made 0755 when
 * missing; files 0600, replacing to's of the same name). Nothing to copy
 * when from has no directory. */
int dr_own_dir_copy(const char *from, const char *to, struct dr_err *e);
/* dr_own_dir_copy, then dr_own_dir_remove of from. */
int dr_own_dir_move(const char *from, const char *to, struct dr_err *e);

#endif
