/* The parser's token stream (Go's next/backup/peek), its error texts
 * ("template: template:LINE: …", item.String) and node building. */
#include "template/gotmpl_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const builtins[] = {
	"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print",
	"printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
};

int gt_is_builtin(const char *name, size_t len, const char **canonical)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strlen(builtins[i]) == len && memcmp(builtins[i], name, len) == 0) {
			*canonical = builtins[i];
			return 1;
		}
	return 0;
}

struct gt_token *gt_next(struct parser *p)
{
	struct gt_token *t = &p->toks[p->idx < p->ntok ? p->idx : p->ntok - 1];

	if (p->idx < p->ntok)
		p->idx++;
	if (p->idx > p->hi) {
		p->hi = p->idx;
		p->cur_line = t->line;
	}
	return t;
}

void gt_backup(struct parser *p)
{
	p->idx--;
}

struct gt_token *gt_peek(struct parser *p)
{
	struct gt_token *t = gt_next(p);

	gt_backup(p);
	return t;
}

struct gt_token *gt_next_non_space(struct parser *p)
{
	struct gt_token *t;

	do
		t = gt_next(p);
	while (t->typ == T_SPACE);
	return t;
}

struct gt_token *gt_peek_non_space(struct parser *p)
{
	struct gt_token *t = gt_next_non_space(p);

	gt_backup(p);
	return t;
}

void gt_perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->c->err_is_parse = 1;
	gt_die(p->c, "template: template:%d: %s", p->cur_line, msg);
}

/* Go's item.String(). */
static void token_string(struct parser *p, struct gt_str *b, const struct gt_token *t)
{
	if (t->typ == T_EOF)
		gt_puts(p->c, b, "EOF", 3);
	else if (t->typ == T_ERROR)
		gt_puts(p->c, b, t->val, t->len);
	else if (t->typ > T_KEYWORD)
		gt_printf(p->c, b, "<%.*s>", (int)t->len, t->val);
	else if (t->len > 10) {
		gt_quote(p->c, b, t->val, t->len, 10, 0);
		gt_puts(p->c, b, "...", 3);
	} else
		gt_quote(p->c, b, t->val, t->len, -1, 0);
}

void gt_unexpected(struct parser *p, const struct gt_token *t, const char *context)
{
	struct gt_str b = { 0 };

	token_string(p, &b, t);
	if (t->typ == T_ERROR) {
		if (p->action_line != 0 && p->action_line != t->line) {
			if (t->len >= 7 && memcmp(t->val + t->len - 7, " action", 7) == 0)
				gt_perr(p, "%s started at template:%d", b.s, p->action_line);
			gt_perr(p, "%s in action started at template:%d", b.s, p->action_line);
		}
		gt_perr(p, "%s", b.s);
	}
	gt_perr(p, "unexpected %s in %s", b.s, context);
}

struct gt_token *gt_expect(struct parser *p, enum gt_tok typ, const char *context)
{
	struct gt_token *t = gt_next_non_space(p);

	if (t->typ != typ)
		gt_unexpected(p, t, context);
	return t;
}

struct gt_nd *gt_new_node(struct parser *p, enum gt_node type, size_t pos, int line)
{
	struct gt_nd *n = gt_alloc(p->c, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	n->pos = pos;
	n->line = line;
	return n;
}

void gt_append_kid(struct parser *p, struct gt_nd *n, struct gt_nd *kid)
{
	if (n->nkids == n->capkids) {
		size_t cap = n->capkids ? n->capkids * 2 : 4;
		struct gt_nd **k = gt_alloc(p->c, cap * sizeof(*k));

		if (n->nkids)
			memcpy(k, n->kids, n->nkids * sizeof(*k));
		n->kids = k;
		n->capkids = cap;
	}
	n->kids[n->nkids++] = kid;
}

void gt_push_var(struct parser *p, const char *name)
{
	if (p->nvars == p->capvars) {
		size_t cap = p->capvars ? p->capvars * 2 : 8;
		const char **v = gt_alloc(p->c, cap * sizeof(*v));

		if (p->nvars)
			memcpy(v, p->vars, p->nvars * sizeof(*v));
		p->vars = v;
		p->capvars = cap;
	}
	p->vars[p->nvars++] = name;
}

/* ".A.B" or "$x.A" → its parts; a variable keeps its "$name" first. */
void gt_split_idents(struct parser *p, struct gt_nd *n, const char *s, size_t len)
{
	size_t count = 1, k = 0, start;

	for (size_t i = 1; i < len; i++)
		count += s[i] == '.';
	n->ident = gt_alloc(p->c, count * sizeof(*n->ident));
	start = s[0] == '.' ? 1 : 0;
	for (size_t i = start; i <= len; i++)
		if (i == len || (s[i] == '.' && i > 0)) {
			n->ident[k++] = gt_strndup(p->c, s + start, i - start);
			start = i + 1;
		}
	n->nident = k;
}
