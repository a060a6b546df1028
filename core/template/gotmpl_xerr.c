/* The errors that end an execution (Go's state.errorf) and the bounds on
 * its work (gotmpl.h GT_MAX_STEPS, GT_MAX_TEXT, GT_MAX_SCAN). */
#include "template/gotmpl_exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Go's state.errorf: the message behind the template's name, the node's
 * line:column and its text. Built with lengths: a NUL byte in a template
 * name, a string or a text does not cut the message. */
void gt_xerr_bytes(struct st *s, const char *msg, size_t n)
{
	struct gt_str ctx = { 0 }, qname = { 0 }, b = { 0 };

	s->c->exec = NULL; /* execution ends here: its message is outside the budgets */
	if (!s->node) {
		gt_puts(s->c, &b, "template: ", 10);
		gt_puts(s->c, &b, s->name, s->name_len);
		gt_puts(s->c, &b, ": ", 2);
	} else {
		size_t pos = s->node->pos, col = pos;
		int line = 1;

		for (size_t i = 0; i < pos; i++)
			if (s->c->src[i] == '\n') {
				line++;
				col = pos - i - 1;
			}
		gt_quote(s->c, &qname, s->name, s->name_len, -1, 0);
		gt_node_string(s->c, &ctx, s->node);
		gt_printf(s->c, &b, "template: template:%d:%zu: executing ", line, col);
		gt_puts(s->c, &b, qname.s, qname.len);
		gt_puts(s->c, &b, " at <", 5);
		gt_puts(s->c, &b, ctx.s, ctx.len);
		gt_puts(s->c, &b, ">: ", 3);
	}
	gt_puts(s->c, &b, msg, n);
	gt_die_bytes(s->c, b.s, b.len);
}

void gt_xerr(struct st *s, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gt_xerr_bytes(s, msg, strlen(msg));
}

/* "what" followed by the value as %v prints it, NUL bytes kept */
void gt_xerr_value(struct st *s, const char *what, const struct gt_val *v)
{
	struct gt_str b = { 0 };

	gt_puts(s->c, &b, what, strlen(what));
	gt_fmt_value(s->c, &b, v, 0, 0);
	gt_xerr_bytes(s, b.s, b.len);
}

/* A GT_MAX_* bound passed: fail at the current node, naming the bound. The
 * message is built outside the budget it reports. */
static void __attribute__((noreturn)) over(struct gt_ctx *c, const char *what, unsigned long limit,
					   const char *unit)
{
	struct st *s = c->exec;

	c->exec = NULL;
	gt_xerr(s, "execution %s %lu %s", what, limit, unit);
}

void gt_charge_steps(struct gt_ctx *c, size_t n)
{
	if (!c->exec)
		return;
	c->steps += n;
	if (c->steps > GT_MAX_STEPS)
		over(c, "longer than", GT_MAX_STEPS, "steps");
}

void gt_charge_scan(struct gt_ctx *c, size_t n)
{
	if (!c->exec)
		return;
	c->scanned += n;
	if (c->scanned > GT_MAX_SCAN)
		over(c, "compared or scanned more than", GT_MAX_SCAN, "bytes of text");
}

void gt_charge_text(struct gt_ctx *c, size_t n)
{
	if (!c->exec)
		return;
	c->text += n;
	if (c->text > GT_MAX_TEXT)
		over(c, "built more than", GT_MAX_TEXT, "bytes of text");
}
