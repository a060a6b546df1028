/* The parser of Go's text/template/parse (parse.go, node.go): the same
 * grammar, lookahead and error texts ("template: template:LINE: …"). */
#include "template/gotmpl.h"

#include <string.h>

#include "template/gotmpl_parse.h"

static struct gt_nd *pipeline(struct parser *p, const char *context, enum gt_tok end);
static struct gt_nd *item_list(struct parser *p, struct gt_nd **next_node);

static struct gt_nd *use_var(struct parser *p, struct gt_token *t)
{
	struct gt_nd *v = gt_new_node(p, N_VAR, t->pos, t->line);

	gt_split_idents(p, v, t->val, t->len);
	for (size_t i = 0; i < p->nvars; i++)
		if (strcmp(p->vars[i], v->ident[0]) == 0)
			return v;
	gt_perr(p, "undefined variable \"%s\"", v->ident[0]);
}

static struct gt_nd *term(struct parser *p)
{
	struct gt_token *t = gt_next_non_space(p);
	struct gt_nd *n;
	const char *name;
	char err[200];

	switch (t->typ) {
	case T_IDENT:
		if (gt_is_builtin(t->val, t->len, &name)) {
			n = gt_new_node(p, N_IDENT, t->pos, t->line);
			n->text = name;
			n->text_len = t->len;
			return n;
		}
		gt_perr(p, "function \"%.*s\" not defined", (int)t->len, t->val);
	case T_DOT:
		return gt_new_node(p, N_DOT, t->pos, t->line);
	case T_NIL:
		return gt_new_node(p, N_NIL, t->pos, t->line);
	case T_VARIABLE:
		return use_var(p, t);
	case T_FIELD:
		n = gt_new_node(p, N_FIELD, t->pos, t->line);
		gt_split_idents(p, n, t->val, t->len);
		return n;
	case T_BOOL:
		n = gt_new_node(p, N_BOOL, t->pos, t->line);
		n->truth = t->len == 4;
		return n;
	case T_CHARCONST:
	case T_COMPLEX:
	case T_NUMBER:
		n = gt_new_node(p, N_NUMBER, t->pos, t->line);
		n->text = t->val;
		n->text_len = t->len;
		if (gt_parse_number(p->c, t->val, t->len, t->typ == T_CHARCONST, t->typ == T_COMPLEX,
				    &n->num, err, sizeof(err)))
			gt_perr(p, "%s", err);
		return n;
	case T_LPAREN:
		if (p->nest >= GT_MAX_NEST)
			gt_perr(p, "max expression depth exceeded");
		p->nest++;
		n = pipeline(p, "parenthesized pipeline", T_RPAREN);
		p->nest--;
		return n;
	case T_STRING:
	case T_RAWSTRING: {
		char *s;
		size_t slen;

		if (gt_unquote(p->c, t->val, t->len, &s, &slen, NULL))
			gt_perr(p, "invalid syntax");
		n = gt_new_node(p, N_STRING, t->pos, t->line);
		n->text = s;
		n->text_len = slen;
		n->quoted = t->val;
		n->quoted_len = t->len;
		return n;
	}
	default:
		gt_backup(p);
		return NULL;
	}
}

static struct gt_nd *operand(struct parser *p)
{
	struct gt_nd *n = term(p), *chain;
	struct gt_str b = { 0 };

	if (!n || gt_peek(p)->typ != T_FIELD)
		return n;
	chain = gt_new_node(p, N_CHAIN, gt_peek(p)->pos, gt_peek(p)->line);
	chain->node = n;
	gt_node_string(p->c, &b, n);
	while (gt_peek(p)->typ == T_FIELD) {
		struct gt_token *f = gt_next(p);

		gt_puts(p->c, &b, f->val, f->len);
	}
	switch (n->type) {
	case N_FIELD:
	case N_VAR: {
		struct gt_nd *merged = gt_new_node(p, n->type, chain->pos, chain->line);

		gt_split_idents(p, merged, b.s, b.len);
		return merged;
	}
	case N_BOOL:
	case N_STRING:
	case N_NUMBER:
	case N_NIL:
	case N_DOT: {
		struct gt_str q = { 0 }, s = { 0 };

		gt_node_string(p->c, &s, n);
		gt_quote(p->c, &q, s.s, s.len, -1, 0);
		gt_perr(p, "unexpected . after term %s", q.s);
	}
	default:
		/* the chain's fields are what follows the term's own text */
		{
			struct gt_str t = { 0 };

			gt_node_string(p->c, &t, n);
			gt_split_idents(p, chain, b.s + t.len, b.len - t.len);
		}
		return chain;
	}
}

static struct gt_nd *command(struct parser *p)
{
	struct gt_token *first = gt_peek_non_space(p);
	struct gt_nd *cmd = gt_new_node(p, N_CMD, first->pos, first->line);

	for (;;) {
		struct gt_nd *op;
		struct gt_token *t;

		gt_peek_non_space(p);
		op = operand(p);
		if (op)
			gt_append_kid(p, cmd, op);
		t = gt_next(p);
		if (t->typ == T_SPACE)
			continue;
		if (t->typ == T_RDELIM || t->typ == T_RPAREN)
			gt_backup(p);
		else if (t->typ != T_PIPE)
			gt_unexpected(p, t, "operand");
		break;
	}
	if (cmd->nkids == 0)
		gt_perr(p, "empty command");
	return cmd;
}

static void check_pipeline(struct parser *p, struct gt_nd *pipe, const char *context)
{
	if (pipe->nkids == 0)
		gt_perr(p, "missing value for %s", context);
	for (size_t i = 1; i < pipe->nkids; i++)
		switch (pipe->kids[i]->kids[0]->type) {
		case N_BOOL:
		case N_DOT:
		case N_NIL:
		case N_NUMBER:
		case N_STRING:
			gt_perr(p, "non executable command in pipeline stage %zu", i + 1);
		default:
			break;
		}
}

static void add_decl(struct parser *p, struct gt_nd *pipe, struct gt_token *v)
{
	const char **d = gt_alloc(p->c, (pipe->ndecl + 1) * sizeof(*d));
	const char *name = gt_strndup(p->c, v->val, v->len);

	if (pipe->ndecl)
		memcpy(d, pipe->decl, pipe->ndecl * sizeof(*d));
	d[pipe->ndecl++] = name;
	pipe->decl = d;
	gt_push_var(p, name);
}

static struct gt_nd *pipeline(struct parser *p, const char *context, enum gt_tok end)
{
	struct gt_token *t = gt_peek_non_space(p);
	struct gt_nd *pipe = gt_new_node(p, N_PIPE, t->pos, t->line);

decls:
	if (gt_peek_non_space(p)->typ == T_VARIABLE) {
		struct gt_token *v = gt_next_non_space(p), *nx;
		size_t v_idx = p->idx - 1;

		nx = gt_peek_non_space(p);
		if (nx->typ == T_ASSIGN || nx->typ == T_DECLARE) {
			pipe->is_assign = nx->typ == T_ASSIGN;
			gt_next_non_space(p);
			add_decl(p, pipe, v);
		} else if (nx->typ == T_CHAR && nx->len == 1 && nx->val[0] == ',') {
			gt_next_non_space(p);
			add_decl(p, pipe, v);
			if (strcmp(context, "range") == 0 && pipe->ndecl < 2) {
				enum gt_tok k = gt_peek_non_space(p)->typ;

				if (k == T_VARIABLE || k == T_RDELIM || k == T_RPAREN)
					goto decls;
				gt_perr(p, "range can only initialize variables");
			}
			gt_perr(p, "too many declarations in %s", context);
		} else {
			p->idx = v_idx;
		}
	}
	for (;;) {
		t = gt_next_non_space(p);
		if (t->typ == end) {
			check_pipeline(p, pipe, context);
			return pipe;
		}
		switch (t->typ) {
		case T_BOOL:
		case T_CHARCONST:
		case T_COMPLEX:
		case T_DOT:
		case T_FIELD:
		case T_IDENT:
		case T_NUMBER:
		case T_NIL:
		case T_RAWSTRING:
		case T_STRING:
		case T_VARIABLE:
		case T_LPAREN:
			gt_backup(p);
			gt_append_kid(p, pipe, command(p));
			break;
		default:
			gt_unexpected(p, t, context);
		}
	}
}

static struct gt_nd *control(struct parser *p, enum gt_node type, const char *context)
{
	size_t mark = p->nvars;
	struct gt_nd *n, *nx, *pipe;

	if (p->nest >= GT_MAX_NEST)
		gt_perr(p, "max expression depth exceeded");
	p->nest++;
	pipe = pipeline(p, context, T_RDELIM);
	n = gt_new_node(p, type, pipe->pos, pipe->line);
	n->pipe = pipe;
	if (type == N_RANGE)
		p->range_depth++;
	n->list = item_list(p, &nx);
	if (type == N_RANGE)
		p->range_depth--;
	if (nx->type == N_ELSE) {
		enum gt_tok k = gt_peek(p)->typ;

		if ((type == N_IF && k == T_IF) || (type == N_WITH && k == T_WITH)) {
			gt_next(p);
			n->else_list = gt_new_node(p, N_LIST, nx->pos, nx->line);
			gt_append_kid(p, n->else_list, control(p, type, context));
		} else {
			n->else_list = item_list(p, &nx);
			if (nx->type != N_END) {
				struct gt_str b = { 0 };

				gt_node_string(p->c, &b, nx);
				gt_perr(p, "expected end; found %s", b.s);
			}
		}
	}
	p->nest--;
	p->nvars = mark;
	return n;
}

static const char *template_name(struct parser *p, struct gt_token *t, const char *context, size_t *len)
{
	char *s;

	if (t->typ != T_STRING && t->typ != T_RAWSTRING)
		gt_unexpected(p, t, context);
	if (gt_unquote(p->c, t->val, t->len, &s, len, NULL))
		gt_perr(p, "invalid syntax");
	return s;
}

static int is_empty_tree(const struct gt_nd *n)
{
	if (!n)
		return 1;
	switch (n->type) {
	case N_COMMENT:
		return 1;
	case N_LIST:
		for (size_t i = 0; i < n->nkids; i++)
			if (!is_empty_tree(n->kids[i]))
				return 0;
		return 1;
	case N_TEXT:
		/* bytes.TrimSpace leaves nothing: every rune is unicode.IsSpace
		 * (NBSP, U+3000 … too); a byte that is not UTF-8 is not a space */
		for (size_t i = 0, w; i < n->text_len; i += w) {
			uint32_t r = gt_utf8_decode(n->text + i, n->text_len - i, &w);

			if ((r == 0xFFFD && w == 1) || !gt_is_space(r))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

static void add_tree(struct parser *p, const char *name, size_t len, struct gt_nd *root)
{
	struct gt_tree *t = gt_lookup(p->set, name, len);

	if (!t || is_empty_tree(t->root)) {
		if (!t) {
			t = gt_alloc(p->c, sizeof(*t));
			t->name = name;
			t->name_len = len;
			t->next = p->set;
			p->set = t;
		}
		t->root = root;
		return;
	}
	if (!is_empty_tree(root)) {
		struct gt_str q = { 0 };

		gt_quote(p->c, &q, name, len, -1, 0);
		gt_perr(p, "template: multiple definition of template %s", q.s);
	}
}

/* A {{define}} or {{block}} body: a tree of its own, read from the same tokens. */
static void sub_tree(struct parser *p, const char *name, size_t len, const char *context, int is_define)
{
	int saved_line = p->cur_line, saved_range = p->range_depth, saved_action = p->action_line;
	const char **saved_vars = p->vars;
	size_t saved_n = p->nvars, saved_cap = p->capvars;
	struct gt_nd *root, *nx;
	const char *dollar = "$";

	p->vars = NULL;
	p->nvars = p->capvars = 0;
	p->range_depth = 0;
	p->action_line = 0; /* a new Tree starts outside any action */
	gt_push_var(p, dollar);
	root = item_list(p, &nx);
	if (nx->type != N_END) {
		struct gt_str b = { 0 };

		gt_node_string(p->c, &b, nx);
		if (!is_define)
			p->cur_line = saved_line;
		gt_perr(p, "unexpected %s in %s", b.s, context);
	}
	add_tree(p, name, len, root);
	p->vars = saved_vars;
	p->nvars = saved_n;
	p->capvars = saved_cap;
	p->range_depth = saved_range;
	p->action_line = saved_action;
	if (!is_define)
		p->cur_line = saved_line;
}

static struct gt_nd *action(struct parser *p)
{
	struct gt_token *t = gt_next_non_space(p);
	struct gt_nd *n;

	switch (t->typ) {
	case T_BLOCK: {
		struct gt_token *nt = gt_next_non_space(p);
		size_t len;
		const char *name = template_name(p, nt, "block clause", &len);
		struct gt_nd *pipe = pipeline(p, "block clause", T_RDELIM);

		sub_tree(p, name, len, "block clause", 0);
		n = gt_new_node(p, N_TEMPLATE, nt->pos, nt->line);
		n->text = name;
		n->text_len = len;
		n->pipe = pipe;
		return n;
	}
	case T_BREAK:
	case T_CONTINUE: {
		const char *what = t->typ == T_BREAK ? "{{break}}" : "{{continue}}";
		struct gt_token *r = gt_next_non_space(p);

		if (r->typ != T_RDELIM)
			gt_unexpected(p, r, what);
		if (p->range_depth == 0)
			gt_perr(p, "%s outside {{range}}", what);
		return gt_new_node(p, t->typ == T_BREAK ? N_BREAK : N_CONTINUE, t->pos, t->line);
	}
	case T_ELSE: {
		struct gt_token *pk = gt_peek_non_space(p);

		if (pk->typ == T_IF || pk->typ == T_WITH)
			return gt_new_node(p, N_ELSE, pk->pos, pk->line);
		pk = gt_expect(p, T_RDELIM, "else");
		return gt_new_node(p, N_ELSE, pk->pos, pk->line);
	}
	case T_END:
		t = gt_expect(p, T_RDELIM, "end");
		return gt_new_node(p, N_END, t->pos, t->line);
	case T_IF:
		return control(p, N_IF, "if");
	case T_RANGE:
		return control(p, N_RANGE, "range");
	case T_WITH:
		return control(p, N_WITH, "with");
	case T_TEMPLATE: {
		struct gt_token *nt = gt_next_non_space(p);
		size_t len;
		const char *name = template_name(p, nt, "template clause", &len);
		struct gt_nd *pipe = NULL;

		if (gt_next_non_space(p)->typ != T_RDELIM) {
			gt_backup(p);
			pipe = pipeline(p, "template clause", T_RDELIM);
		}
		n = gt_new_node(p, N_TEMPLATE, nt->pos, nt->line);
		n->text = name;
		n->text_len = len;
		n->pipe = pipe;
		return n;
	}
	default:
		gt_backup(p);
		t = gt_peek(p);
		n = gt_new_node(p, N_ACTION, t->pos, t->line);
		n->pipe = pipeline(p, "command", T_RDELIM);
		return n;
	}
}

static struct gt_nd *text_or_action(struct parser *p)
{
	struct gt_token *t = gt_next_non_space(p);
	struct gt_nd *n;

	switch (t->typ) {
	case T_TEXT:
		n = gt_new_node(p, N_TEXT, t->pos, t->line);
		n->text = t->val;
		n->text_len = t->len;
		return n;
	case T_LDELIM:
		p->action_line = t->line;
		n = action(p);
		p->action_line = 0; /* as Go's clearActionLine */
		return n;
	default:
		gt_unexpected(p, t, "input");
	}
}

static struct gt_nd *item_list(struct parser *p, struct gt_nd **next_node)
{
	struct gt_nd *list = gt_new_node(p, N_LIST, gt_peek_non_space(p)->pos, 0);

	while (gt_peek_non_space(p)->typ != T_EOF) {
		struct gt_nd *n = text_or_action(p);

		if (n->type == N_END || n->type == N_ELSE) {
			*next_node = n;
			return list;
		}
		gt_append_kid(p, list, n);
	}
	gt_perr(p, "unexpected EOF");
}

struct gt_tree *gt_lookup(struct gt_tree *set, const char *name, size_t len)
{
	for (; set; set = set->next)
		if (set->name_len == len && memcmp(set->name, name, len) == 0)
			return set;
	return NULL;
}

struct gt_tree *gt_parse(struct gt_ctx *c)
{
	struct parser p = { .c = c };
	struct gt_nd *root;

	p.toks = gt_lex(c, &p.ntok);
	gt_push_var(&p, "$");
	root = gt_new_node(&p, N_LIST, gt_peek(&p)->pos, 0);
	while (gt_peek(&p)->typ != T_EOF) {
		struct gt_nd *n;

		if (gt_peek(&p)->typ == T_LDELIM) {
			size_t at = p.idx;

			gt_next(&p);
			if (gt_next_non_space(&p)->typ == T_DEFINE) {
				struct gt_token *nt = gt_next_non_space(&p);
				const char *name;
				size_t saved_n = p.nvars, len;

				if (nt->typ != T_STRING && nt->typ != T_RAWSTRING)
					gt_unexpected(&p, nt, "define clause");
				name = template_name(&p, nt, "define clause", &len);
				gt_expect(&p, T_RDELIM, "define clause");
				sub_tree(&p, name, len, "define clause", 1);
				p.nvars = saved_n;
				continue;
			}
			p.idx = at;
		}
		n = text_or_action(&p);
		if (n->type == N_END || n->type == N_ELSE)
			gt_perr(&p, "unexpected %s", n->type == N_END ? "{{end}}" : "{{else}}");
		gt_append_kid(&p, root, n);
	}
	add_tree(&p, "template", 8, root);
	return p.set;
}
