/* Internal to execution (core/gotmpl_exec.c, core/gotmpl_xerr.c): its
 * state, and the errors that end it (Go's state.errorf). */
#ifndef DR_GOTMPL_EXEC_H
#define DR_GOTMPL_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "template/gotmpl.h"

enum ptype { P_NONE, P_VALUE, P_ANY, P_STRING };

struct var {
	const char *name;
	struct gt_val v;
};

struct st {
	struct gt_ctx *c;
	struct gt_tree *set;
	const char *app;
	struct gt_str *out;
	const struct gt_nd *node;
	const char *name;   /* of the template executing */
	size_t name_len;
	struct var *vars;
	size_t nvars, capvars;
	size_t vbase; /* the executing template's variables start here */
	int depth;
	uintptr_t stack_base; /* frame address where execution started */
};

/* Go's state.errorf: "template: template:LINE:COL: executing NAME at <NODE>: "
 * and the message, n bytes (NUL bytes kept). Never returns. */
void gt_xerr_bytes(struct st *s, const char *msg, size_t n) __attribute__((noreturn));
/* The same with a printf message. */
void gt_xerr(struct st *s, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* "what" followed by the value as %v prints it. */
void gt_xerr_value(struct st *s, const char *what, const struct gt_val *v) __attribute__((noreturn));

#endif
