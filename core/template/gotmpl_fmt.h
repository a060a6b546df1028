/* Internals shared by gotmpl_fmt.c (the verbs) and gotmpl_printf.c
 * (Sprintf's format string). */
#ifndef DR_GOTMPL_FMT_H
#define DR_GOTMPL_FMT_H

#include <stdint.h>

#include "template/gotmpl.h"

/* one verb's flags, width and precision, and where it writes */
struct fmtst {
	struct gt_ctx *c;
	struct gt_str *b;
	int plus, minus, sharp, space, zero, plus_v, sharp_v;
	int wid, prec, wid_present, prec_present;
};

/* Formats v with verb (Go's printArg); a verb v does not take is %!verb(T=v). */
void gt_fmt_arg(struct fmtst *f, const struct gt_val *v, uint32_t verb);
void gt_fmt_bad_verb(struct fmtst *f, const struct gt_val *v, uint32_t verb);

#endif
