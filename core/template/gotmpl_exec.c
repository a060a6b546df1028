/* Execution as Go's text/template/exec.go does it, on the one data value
 * struct{ AppName string }: the same evaluation order, the same node that
 * errors point at, the same messages. */
#include "template/gotmpl_exec.h"

#include <stdio.h>
#include <string.h>

static const struct gt_val missing = { .k = V_MISSING };
static const struct gt_val invalid = { .k = V_INVALID };

static void at(struct st *s, const struct gt_nd *n)
{
	s->node = n;
}

static const char *vstr(struct st *s, const struct gt_val *v)
{
	struct gt_str b = { 0 };

	gt_fmt_value(s->c, &b, v, 0, 0);
	return b.s ? b.s : "";
}


static struct gt_val mkstr(const char *p, size_t n)
{
	struct gt_val v = { .k = V_STRING, .s = p, .slen = n };

	return v;
}

static struct gt_val mkbool(int b)
{
	struct gt_val v = { .k = V_BOOL, .b = b };

	return v;
}

static struct gt_val mkint(int64_t i)
{
	struct gt_val v = { .k = V_INT, .i = i };

	return v;
}

static void push(struct st *s, const char *name, struct gt_val v)
{
	if (s->nvars == s->capvars) {
		size_t cap = s->capvars ? s->capvars * 2 : 8;
		struct var *nv = gt_alloc(s->c, cap * sizeof(*nv));

		if (s->nvars)
			memcpy(nv, s->vars, s->nvars * sizeof(*nv));
		s->vars = nv;
		s->capvars = cap;
	}
	s->vars[s->nvars].name = name;
	s->vars[s->nvars++].v = v;
}

static struct var *find_var(struct st *s, const char *name)
{
	for (size_t i = s->nvars; i > s->vbase; i--)
		if (strcmp(s->vars[i - 1].name, name) == 0) {
			gt_charge_steps(s->c, s->nvars - i + 1);
			return &s->vars[i - 1];
		}
	gt_xerr(s, "undefined variable: %s", name);
}

static void out(struct st *s, const char *p, size_t n)
{
	if (s->out->len + n > GT_MAX_OUTPUT)
		gt_xerr(s, "output longer than %d bytes", GT_MAX_OUTPUT);
	gt_puts(s->c, s->out, p, n);
}

/* Nested blocks, parentheses and templates recurse here; stop well before
 * the C stack does (Go grows its stacks, so it has no such bound). */
static void check_stack(struct st *s)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t used = s->stack_base > here ? s->stack_base - here : here - s->stack_base;

	if (used > GT_MAX_STACK)
		gt_xerr(s, "exceeded maximum nesting depth (%d KiB of stack)", GT_MAX_STACK / 1024);
}

static struct gt_val eval_pipeline(struct st *s, struct gt_val dot, const struct gt_nd *pipe);
static struct gt_val eval_arg(struct st *s, struct gt_val dot, enum ptype t, const struct gt_nd *n);
struct gt_val gt_builtin(struct gt_ctx *c, const char *name, const struct gt_val *argv, size_t argc,
			 const char **err);

static void not_a_function(struct st *s, struct gt_nd *const *args, size_t nargs, struct gt_val final)
{
	if (nargs > 1 || final.k != V_MISSING) {
		struct gt_str b = { 0 };

		gt_node_string(s->c, &b, args[0]);
		gt_xerr(s, "can't give argument to non-function %s", b.s);
	}
}

static struct gt_val ideal_constant(struct st *s, const struct gt_nd *n)
{
	const struct gt_num *num = &n->num;
	int hexint = n->text_len > 2 && n->text[0] == '0' && (n->text[1] == 'x' || n->text[1] == 'X') &&
		     !memchr(n->text, 'p', n->text_len) && !memchr(n->text, 'P', n->text_len);
	int has_float_char = 0;
	struct gt_val v = { 0 };

	at(s, n);
	for (size_t i = 0; i < n->text_len; i++)
		has_float_char |= strchr(".eEpP", n->text[i]) != NULL;
	if (num->is_complex) {
		v.k = V_COMPLEX;
		v.f = num->re;
		v.im = num->im;
	} else if (num->is_float && !hexint && n->text[0] != '\'' && has_float_char) {
		v.k = V_FLOAT;
		v.f = num->f;
	} else if (num->is_int) {
		v = mkint(num->i);
	} else if (num->is_uint) {
		gt_xerr(s, "%.*s overflows int", (int)n->text_len, n->text);
	}
	return v;
}

static struct gt_val eval_field(struct st *s, const char *name, struct gt_nd *const *args, size_t nargs,
				struct gt_val final, struct gt_val receiver)
{
	int has_args = nargs > 1 || final.k != V_MISSING;

	(void)args; /* Go passes them on to methods; this data has none */
	if (receiver.k == V_INVALID)
		return invalid;
	if (receiver.k == V_STRUCT && strcmp(name, "AppName") == 0) {
		if (has_args)
			gt_xerr(s, "AppName has arguments but cannot be invoked as function");
		return mkstr(receiver.s, receiver.slen);
	}
	gt_xerr(s, "can't evaluate field %s in type %s", name, gt_type_name(&receiver));
}

static struct gt_val eval_field_chain(struct st *s, struct gt_val receiver, const char **ident, size_t n,
				      struct gt_nd *const *args, size_t nargs, struct gt_val final)
{
	for (size_t i = 0; i + 1 < n; i++)
		receiver = eval_field(s, ident[i], NULL, 0, missing, receiver);
	return eval_field(s, ident[n - 1], args, nargs, final, receiver);
}

static struct gt_val eval_field_node(struct st *s, struct gt_val dot, const struct gt_nd *f,
				     struct gt_nd *const *args, size_t nargs, struct gt_val final)
{
	at(s, f);
	return eval_field_chain(s, dot, f->ident, f->nident, args, nargs, final);
}

static struct gt_val eval_chain_node(struct st *s, struct gt_val dot, const struct gt_nd *ch,
				     struct gt_nd *const *args, size_t nargs, struct gt_val final)
{
	struct gt_val pipe;

	at(s, ch);
	if (ch->node->type == N_NIL) {
		struct gt_str b = { 0 };

		gt_node_string(s->c, &b, ch);
		gt_xerr(s, "indirection through explicit nil in %s", b.s);
	}
	pipe = eval_arg(s, dot, P_NONE, ch->node);
	return eval_field_chain(s, pipe, ch->ident, ch->nident, args, nargs, final);
}

static struct gt_val eval_variable_node(struct st *s, const struct gt_nd *v, struct gt_nd *const *args,
					size_t nargs, struct gt_val final)
{
	struct gt_val value;

	at(s, v);
	value = find_var(s, v->ident[0])->v;
	if (v->nident == 1) {
		if (args)
			not_a_function(s, args, nargs, final);
		return value;
	}
	return eval_field_chain(s, value, v->ident + 1, v->nident - 1, args, nargs, final);
}

static const struct {
	const char *name;
	size_t nfixed;
	int variadic;
	enum ptype fixed[2], rest;
} funcs[] = {
	{ "and", 1, 1, { P_VALUE }, P_VALUE },      { "or", 1, 1, { P_VALUE }, P_VALUE },
	{ "call", 1, 1, { P_VALUE }, P_VALUE },     { "html", 0, 1, { 0 }, P_ANY },
	{ "js", 0, 1, { 0 }, P_ANY },               { "urlquery", 0, 1, { 0 }, P_ANY },
	{ "print", 0, 1, { 0 }, P_ANY },            { "println", 0, 1, { 0 }, P_ANY },
	{ "printf", 1, 1, { P_STRING }, P_ANY },    { "index", 1, 1, { P_VALUE }, P_VALUE },
	{ "slice", 1, 1, { P_VALUE }, P_VALUE },    { "len", 1, 0, { P_VALUE }, 0 },
	{ "not", 1, 0, { P_VALUE }, 0 },            { "eq", 1, 1, { P_VALUE }, P_VALUE },
	{ "ne", 2, 0, { P_VALUE, P_VALUE }, 0 },    { "lt", 2, 0, { P_VALUE, P_VALUE }, 0 },
	{ "le", 2, 0, { P_VALUE, P_VALUE }, 0 },    { "gt", 2, 0, { P_VALUE, P_VALUE }, 0 },
	{ "ge", 2, 0, { P_VALUE, P_VALUE }, 0 },
};

static struct gt_val validate(struct st *s, struct gt_val v, enum ptype t)
{
	if (v.k == V_INVALID) {
		if (t == P_STRING)
			gt_xerr(s, "invalid value; expected string");
		return v;
	}
	if (t == P_STRING && v.k != V_STRING)
		gt_xerr(s, "wrong type for value; expected string; got %s", gt_type_name(&v));
	return v;
}

static struct gt_val eval_call(struct st *s, struct gt_val dot, int fi, const struct gt_nd *node,
			       struct gt_nd *const *args, size_t nargs, struct gt_val final)
{
	const char *name = funcs[fi].name, *err = NULL;
	size_t nfixed = funcs[fi].nfixed, num_in, i = 0;
	struct gt_val *argv, v = invalid, local[8];

	if (args) {
		args++;
		nargs--;
	} else {
		nargs = 0; /* an identifier alone: no argument list */
	}
	num_in = nargs + (final.k != V_MISSING);
	if (funcs[fi].variadic) {
		if (num_in < nfixed)
			gt_xerr(s, "wrong number of args for %s: want at least %zu got %zu", name, nfixed, nargs);
	} else if (num_in != nfixed) {
		gt_xerr(s, "wrong number of args for %s: want %zu got %zu", name, nfixed, num_in);
	}
	if (strcmp(name, "and") == 0 || strcmp(name, "or") == 0) {
		for (i = 0; i < nargs; i++) {
			v = eval_arg(s, dot, P_VALUE, args[i]);
			if (gt_truth(&v) == (name[0] == 'o'))
				return v;
		}
		if (final.k != V_MISSING)
			v = final;
		return v;
	}
	argv = num_in + 1 <= sizeof(local) / sizeof(local[0]) ? local : gt_alloc(s->c, (num_in + 1) * sizeof(*argv));
	for (; i < nfixed && i < nargs; i++)
		argv[i] = eval_arg(s, dot, funcs[fi].fixed[i], args[i]);
	for (; i < nargs; i++)
		argv[i] = eval_arg(s, dot, funcs[fi].rest, args[i]);
	if (final.k != V_MISSING) {
		enum ptype t = num_in - 1 < nfixed ? funcs[fi].fixed[num_in - 1] : funcs[fi].rest;

		argv[i] = validate(s, final, t);
	}
	if (strcmp(name, "call") == 0) {
		/* funcs.go call(): nothing here is a function; the callee's name is
		 * its node's text or the piped value's String() */
		struct gt_str b = { 0 };
		struct gt_val callee = num_in > 0 ? argv[0] : invalid;

		gt_puts(s->c, &b, "error calling call: ", 20);
		if (callee.k == V_INVALID) {
			gt_puts(s->c, &b, "call of nil", 11);
		} else {
			gt_puts(s->c, &b, "non-function ", 13);
			if (nargs > 0)
				gt_node_string(s->c, &b, args[0]);
			else if (final.k == V_STRING)
				gt_puts(s->c, &b, final.s, final.slen);
			else
				gt_printf(s->c, &b, "<%s Value>", gt_type_name(&final));
			gt_printf(s->c, &b, " of type %s", gt_type_name(&callee));
		}
		at(s, node);
		gt_xerr_bytes(s, b.s, b.len);
	}
	v = gt_builtin(s->c, name, argv, num_in, &err);
	if (err) {
		at(s, node);
		gt_xerr(s, "error calling %s: %s", name, err);
	}
	return v;
}

static struct gt_val eval_function(struct st *s, struct gt_val dot, const struct gt_nd *id,
				   const struct gt_nd *cmd, struct gt_nd *const *args, size_t nargs,
				   struct gt_val final)
{
	at(s, id);
	if (id->fn > 0)
		return eval_call(s, dot, id->fn - 1, cmd, args, nargs, final);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (funcs[i].name[0] == id->text[0] && strcmp(funcs[i].name, id->text) == 0) {
			((struct gt_nd *)id)->fn = (int)i + 1; /* found once per node */
			return eval_call(s, dot, (int)i, cmd, args, nargs, final);
		}
	gt_xerr(s, "\"%s\" is not a defined function", id->text);
}

static struct gt_val eval_empty_interface(struct st *s, struct gt_val dot, const struct gt_nd *n)
{
	at(s, n);
	switch (n->type) {
	case N_BOOL: return mkbool(n->truth);
	case N_DOT: return dot;
	case N_FIELD: return eval_field_node(s, dot, n, NULL, 0, missing);
	case N_IDENT: return eval_function(s, dot, n, n, NULL, 0, missing);
	case N_NUMBER: return ideal_constant(s, n);
	case N_STRING: return mkstr(n->text, n->text_len);
	case N_VAR: return eval_variable_node(s, n, NULL, 0, missing);
	case N_PIPE: return eval_pipeline(s, dot, n);
	default: {
		struct gt_str b = { 0 };

		gt_node_string(s->c, &b, n);
		gt_xerr(s, "can't handle assignment of %s to empty interface argument", b.s);
	}
	}
}

static struct gt_val eval_arg(struct st *s, struct gt_val dot, enum ptype t, const struct gt_nd *n)
{
	struct gt_nd *self[1] = { (struct gt_nd *)n };
	struct gt_str b = { 0 };

	at(s, n);
	gt_charge_steps(s->c, 1);
	switch (n->type) {
	case N_DOT: return validate(s, dot, t);
	case N_NIL:
		if (t == P_STRING)
			gt_xerr(s, "cannot assign nil to string");
		return invalid;
	case N_FIELD: return validate(s, eval_field_node(s, dot, n, self, 1, missing), t);
	case N_VAR: return validate(s, eval_variable_node(s, n, NULL, 0, missing), t);
	case N_PIPE: return validate(s, eval_pipeline(s, dot, n), t);
	case N_IDENT: return validate(s, eval_function(s, dot, n, n, NULL, 0, missing), t);
	case N_CHAIN: return validate(s, eval_chain_node(s, dot, n, NULL, 0, missing), t);
	default: break;
	}
	if (t != P_STRING)
		return eval_empty_interface(s, dot, n);
	if (n->type == N_STRING)
		return mkstr(n->text, n->text_len);
	gt_node_string(s->c, &b, n);
	gt_xerr(s, "expected string; found %s", b.s);
}

static struct gt_val eval_command(struct st *s, struct gt_val dot, const struct gt_nd *cmd, struct gt_val final)
{
	const struct gt_nd *first = cmd->kids[0];

	gt_charge_steps(s->c, 1);
	switch (first->type) {
	case N_FIELD: return eval_field_node(s, dot, first, cmd->kids, cmd->nkids, final);
	case N_CHAIN: return eval_chain_node(s, dot, first, cmd->kids, cmd->nkids, final);
	case N_IDENT: return eval_function(s, dot, first, cmd, cmd->kids, cmd->nkids, final);
	case N_PIPE:
		not_a_function(s, cmd->kids, cmd->nkids, final);
		return eval_pipeline(s, dot, first);
	case N_VAR: return eval_variable_node(s, first, cmd->kids, cmd->nkids, final);
	default: break;
	}
	at(s, first);
	not_a_function(s, cmd->kids, cmd->nkids, final);
	switch (first->type) {
	case N_BOOL: return mkbool(first->truth);
	case N_DOT: return dot;
	case N_NIL: gt_xerr(s, "nil is not a command");
	case N_NUMBER: return ideal_constant(s, first);
	default: return mkstr(first->text, first->text_len);
	}
}

static struct gt_val eval_pipeline(struct st *s, struct gt_val dot, const struct gt_nd *pipe)
{
	struct gt_val value = missing;

	if (!pipe)
		return invalid;
	check_stack(s);
	at(s, pipe);
	for (size_t i = 0; i < pipe->nkids; i++)
		value = eval_command(s, dot, pipe->kids[i], value);
	for (size_t i = 0; i < pipe->ndecl; i++) {
		if (pipe->is_assign)
			find_var(s, pipe->decl[i])->v = value;
		else
			push(s, pipe->decl[i], value);
	}
	return value;
}

enum flow { F_NEXT, F_BREAK, F_CONTINUE };

static enum flow walk(struct st *s, struct gt_val dot, const struct gt_nd *n);

static enum flow walk_range(struct st *s, struct gt_val dot, const struct gt_nd *r)
{
	size_t mark0 = s->nvars, mark;
	const struct gt_nd *pipe = r->pipe;
	struct gt_val val;

	at(s, r);
	val = eval_pipeline(s, dot, pipe);
	mark = s->nvars;
	if (val.k == V_INT || val.k == V_UINT8) {
		int64_t n = val.k == V_INT ? val.i : (int64_t)val.u;

		if (pipe->ndecl > 1)
			gt_xerr(s, "can't use %s to iterate over more than one variable", vstr(s, &val));
		for (int64_t i = 0; i < n; i++) {
			struct gt_val elem = val;
			enum flow f;

			if (val.k == V_INT)
				elem.i = i;
			else
				elem.u = (uint64_t)i;
			if (pipe->ndecl > 0) {
				if (pipe->is_assign)
					find_var(s, pipe->decl[0])->v = elem;
				else
					s->vars[s->nvars - 1].v = elem;
			}
			f = walk(s, elem, r->list);
			s->nvars = mark;
			if (f == F_BREAK)
				break;
		}
		if (n > 0) {
			s->nvars = mark0;
			return F_NEXT;
		}
	} else if (val.k != V_INVALID) {
		gt_xerr_value(s, "range can't iterate over ", &val);
	}
	if (r->else_list)
		walk(s, dot, r->else_list);
	s->nvars = mark0;
	return F_NEXT;
}

static void walk_template(struct st *s, struct gt_val dot, const struct gt_nd *t)
{
	struct gt_tree *tmpl;
	size_t saved_n = s->nvars, saved_base = s->vbase;
	const char *saved_name = s->name;
	size_t saved_name_len = s->name_len;

	at(s, t);
	tmpl = gt_lookup(s->set, t->text, t->text_len);
	for (struct gt_tree *k = s->set; k && k != tmpl; k = k->next)
		gt_charge_steps(s->c, 1); /* the names passed over */
	if (!tmpl) {
		struct gt_str q = { 0 };

		gt_quote(s->c, &q, t->text, t->text_len, -1, 0);
		gt_xerr(s, "template %s not defined", q.s);
	}
	if (s->depth >= GT_MAX_DEPTH)
		gt_xerr(s, "exceeded maximum template depth (%d)", GT_MAX_DEPTH);
	dot = eval_pipeline(s, dot, t->pipe);
	s->vbase = s->nvars; /* a template sees only its own variables, from "$" on */
	push(s, "$", dot);
	s->depth++;
	s->name = tmpl->name;
	s->name_len = tmpl->name_len;
	walk(s, dot, tmpl->root);
	s->depth--;
	s->name = saved_name;
	s->name_len = saved_name_len;
	s->nvars = saved_n;
	s->vbase = saved_base;
}

static enum flow walk(struct st *s, struct gt_val dot, const struct gt_nd *n)
{
	gt_charge_steps(s->c, 1);
	check_stack(s);
	at(s, n);
	switch (n->type) {
	case N_ACTION: {
		struct gt_val v = eval_pipeline(s, dot, n->pipe);

		if (n->pipe->ndecl == 0) {
			struct gt_str b = { 0 };

			at(s, n);
			if (v.k == V_INVALID)
				gt_puts(s->c, &b, "<no value>", 10);
			else
				gt_fmt_value(s->c, &b, &v, 0, 0);
			out(s, b.s, b.len);
		}
		return F_NEXT;
	}
	case N_BREAK: return F_BREAK;
	case N_CONTINUE: return F_CONTINUE;
	case N_IF:
	case N_WITH: {
		size_t mark = s->nvars;
		struct gt_val v = eval_pipeline(s, dot, n->pipe);
		enum flow f = F_NEXT;

		if (gt_truth(&v))
			f = walk(s, n->type == N_WITH ? v : dot, n->list);
		else if (n->else_list)
			f = walk(s, dot, n->else_list);
		s->nvars = mark;
		return f;
	}
	case N_LIST:
		for (size_t i = 0; i < n->nkids; i++) {
			enum flow f = walk(s, dot, n->kids[i]);

			if (f != F_NEXT)
				return f;
		}
		return F_NEXT;
	case N_RANGE: return walk_range(s, dot, n);
	case N_TEMPLATE: walk_template(s, dot, n); return F_NEXT;
	case N_TEXT: out(s, n->text, n->text_len); return F_NEXT;
	default: return F_NEXT;
	}
}

int gt_execute(struct gt_ctx *c, struct gt_tree *set, const char *app, struct gt_str *o)
{
	struct st s = { .c = c, .set = set, .app = app, .out = o, .name = "template", .name_len = 8,
			.stack_base = (uintptr_t)__builtin_frame_address(0) };
	struct gt_tree *top = gt_lookup(set, "template", 8);
	struct gt_val data = { .k = V_STRUCT, .s = app, .slen = strlen(app) };

	gt_puts(c, o, "", 0);
	push(&s, "$", data);
	c->exec = &s;
	if (top && top->root)
		walk(&s, data, top->root);
	c->exec = NULL;
	return 0;
}
