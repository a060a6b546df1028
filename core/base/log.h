/* Dokku's output conventions (plugins/common/log.go): `-----> ` and
 * `=====> ` headings and 7-space detail lines on stdout, ` !     ` warnings
 * and errors on stderr. */
#ifndef DR_LOG_H
#define DR_LOG_H

void dr_log_info1(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* suppressed when DOKKU_QUIET_OUTPUT is set */
void dr_log_info2_quiet(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dr_log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dr_log_verbose_quiet(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dr_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prints ` !     X` on stderr and returns exit_code, for `return dr_log_fail(…)` */
int dr_log_fail(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dr_log_quiet(void);

#endif
