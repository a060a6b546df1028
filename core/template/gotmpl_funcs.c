/* text/template's built-in functions (funcs.go) and node.go's String forms
 * used in error messages. */
#include "template/gotmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct gt_val mk(enum gt_kind k)
{
	struct gt_val v = { .k = k };

	return v;
}

enum basic { B_INVALID, B_BOOL, B_COMPLEX, B_INT, B_FLOAT, B_STRING, B_UINT };

static enum basic basic_kind(const struct gt_val *v)
{
	switch (v->k) {
	case V_BOOL: return B_BOOL;
	case V_INT: return B_INT;
	case V_UINT8: return B_UINT;
	case V_FLOAT: return B_FLOAT;
	case V_COMPLEX: return B_COMPLEX;
	case V_STRING: return B_STRING;
	default: return B_INVALID;
	}
}

static const char *errf(struct gt_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *errf(struct gt_ctx *c, const char *fmt, ...)
{
	struct gt_str s = { 0 };
	va_list ap;

	va_start(ap, fmt);
	gt_vprintf(c, &s, fmt, ap);
	va_end(ap);
	return s.s;
}

static int eq2(struct gt_ctx *c, const struct gt_val *a, const struct gt_val *b, const char **err)
{
	enum basic k1 = basic_kind(a), k2 = basic_kind(b);

	if (k1 != k2) {
		if (k1 == B_INT && k2 == B_UINT)
			return a->i >= 0 && (uint64_t)a->i == b->u;
		if (k1 == B_UINT && k2 == B_INT)
			return b->i >= 0 && a->u == (uint64_t)b->i;
		if (a->k != V_INVALID && b->k != V_INVALID)
			*err = errf(c, "incompatible types for comparison: %s and %s", gt_type_name(a),
				    gt_type_name(b));
		return 0;
	}
	switch (k1) {
	case B_BOOL: return a->b == b->b;
	case B_COMPLEX: return a->f == b->f && a->im == b->im;
	case B_FLOAT: return a->f == b->f;
	case B_INT: return a->i == b->i;
	case B_UINT: return a->u == b->u;
	case B_STRING:
		if (a->slen != b->slen)
			return 0;
		gt_charge_scan(c, a->slen);
		return memcmp(a->s, b->s, a->slen) == 0;
	default:
		/* nil vs nil, or the data struct against itself or nil */
		if (a->k == V_INVALID || b->k == V_INVALID)
			return a->k == b->k;
		return a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0;
	}
}

static int lt2(struct gt_ctx *c, const struct gt_val *a, const struct gt_val *b, const char **err)
{
	enum basic k1 = basic_kind(a), k2 = basic_kind(b);

	if (k1 == B_INVALID || k2 == B_INVALID) {
		*err = "invalid type for comparison";
		return 0;
	}
	if (k1 != k2) {
		if (k1 == B_INT && k2 == B_UINT)
			return a->i < 0 || (uint64_t)a->i < b->u;
		if (k1 == B_UINT && k2 == B_INT)
			return b->i >= 0 && a->u < (uint64_t)b->i;
		*err = errf(c, "incompatible types for comparison: %s and %s", gt_type_name(a), gt_type_name(b));
		return 0;
	}
	switch (k1) {
	case B_FLOAT: return a->f < b->f;
	case B_INT: return a->i < b->i;
	case B_UINT: return a->u < b->u;
	case B_STRING: {
		size_t n = a->slen < b->slen ? a->slen : b->slen;
		int r;

		gt_charge_scan(c, n);
		r = memcmp(a->s, b->s, n);

		return r < 0 || (r == 0 && a->slen < b->slen);
	}
	default:
		*err = "invalid type for comparison";
		return 0;
	}
}

/* indexArg: an int-like index in [0, cap]. */
static int index_arg(struct gt_ctx *c, const struct gt_val *v, size_t cap, int64_t *x, const char **err)
{
	if (v->k == V_INT)
		*x = v->i;
	else if (v->k == V_UINT8)
		*x = (int64_t)v->u;
	else if (v->k == V_INVALID) {
		*err = "cannot index slice/array with nil";
		return -1;
	} else {
		*err = errf(c, "cannot index slice/array with type %s", gt_type_name(v));
		return -1;
	}
	if (*x < 0 || (uint64_t)*x > cap) {
		struct gt_str s = { 0 };

		gt_printf(c, &s, "index out of range: %lld", (long long)*x);
		*err = s.s;
		return -1;
	}
	return 0;
}

static struct gt_val fn_index(struct gt_ctx *c, const struct gt_val *argv, size_t argc, const char **err)
{
	struct gt_val item = argv[0];

	if (item.k == V_INVALID) {
		*err = "index of untyped nil";
		return item;
	}
	for (size_t i = 1; i < argc; i++) {
		int64_t x;

		if (item.k != V_STRING) {
			*err = errf(c, "can't index item of type %s", gt_type_name(&item));
			return item;
		}
		if (index_arg(c, &argv[i], item.slen, &x, err))
			return item;
		if ((size_t)x == item.slen) {
			*err = "reflect: string index out of range";
			return item;
		}
		item = mk(V_UINT8);
		item.u = (unsigned char)argv[0].s[x];
	}
	return item;
}

static struct gt_val fn_slice(struct gt_ctx *c, const struct gt_val *argv, size_t argc, const char **err)
{
	struct gt_val item = argv[0];
	int64_t idx[3] = { 0, 0, 0 };

	if (item.k == V_INVALID) {
		*err = "slice of untyped nil";
		return item;
	}
	if (argc - 1 > 3) {
		struct gt_str s = { 0 };

		gt_printf(c, &s, "too many slice indexes: %zu", argc - 1);
		*err = s.s;
		return item;
	}
	if (item.k != V_STRING) {
		*err = errf(c, "can't slice item of type %s", gt_type_name(&item));
		return item;
	}
	if (argc - 1 == 3) {
		*err = "cannot 3-index slice a string";
		return item;
	}
	idx[1] = (int64_t)item.slen;
	for (size_t i = 1; i < argc; i++)
		if (index_arg(c, &argv[i], item.slen, &idx[i - 1], err))
			return item;
	if (idx[0] > idx[1]) {
		struct gt_str s = { 0 };

		gt_printf(c, &s, "invalid slice index: %lld > %lld", (long long)idx[0], (long long)idx[1]);
		*err = s.s;
		return item;
	}
	item.s += idx[0];
	item.slen = (size_t)(idx[1] - idx[0]);
	return item;
}

/* evalArgs: fmt.Sprint, where a nil argument prints as "<no value>". */
static struct gt_str eval_args(struct gt_ctx *c, const struct gt_val *argv, size_t argc)
{
	struct gt_str b = { 0 };
	struct gt_val *a = gt_alloc(c, (argc + 1) * sizeof(*a));

	for (size_t i = 0; i < argc; i++) {
		a[i] = argv[i];
		if (a[i].k == V_INVALID) {
			a[i].k = V_STRING;
			a[i].s = "<no value>";
			a[i].slen = 10;
		}
	}
	gt_sprint(c, &b, a, argc, 0);
	return b;
}

static struct gt_val escape(struct gt_ctx *c, const char *name, const struct gt_val *argv, size_t argc)
{
	struct gt_str in = eval_args(c, argv, argc), o = { 0 };
	struct gt_val v = mk(V_STRING);

	gt_puts(c, &o, "", 0);
	for (size_t i = 0, w; i < in.len; i += w) {
		unsigned char ch = (unsigned char)in.s[i];

		w = 1;
		if (name[0] == 'h') {
			switch (ch) {
			case '\0': gt_puts(c, &o, "\xEF\xBF\xBD", 3); break;
			case '"': gt_puts(c, &o, "&#34;", 5); break;
			case '\'': gt_puts(c, &o, "&#39;", 5); break;
			case '&': gt_puts(c, &o, "&amp;", 5); break;
			case '<': gt_puts(c, &o, "&lt;", 4); break;
			case '>': gt_puts(c, &o, "&gt;", 4); break;
			default: gt_putc(c, &o, (char)ch);
			}
		} else if (name[0] == 'j') {
			const char *rep = NULL;

			switch (ch) {
			case '\\': rep = "\\\\"; break;
			case '\'': rep = "\\'"; break;
			case '"': rep = "\\\""; break;
			case '<': rep = "\\u003C"; break;
			case '>': rep = "\\u003E"; break;
			case '&': rep = "\\u0026"; break;
			case '=': rep = "\\u003D"; break;
			default: break;
			}
			if (rep) {
				gt_puts(c, &o, rep, strlen(rep));
			} else if (ch < ' ') {
				gt_printf(c, &o, "\\u00%02X", ch);
			} else if (ch < 0x80) {
				gt_putc(c, &o, (char)ch);
			} else {
				uint32_t r = gt_utf8_decode(in.s + i, in.len - i, &w);

				if (gt_is_print(r))
					gt_puts(c, &o, in.s + i, w);
				else
					gt_printf(c, &o, "\\u%04X", (unsigned)r);
			}
		} else {
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			    ch == '-' || ch == '_' || ch == '.' || ch == '~')
				gt_putc(c, &o, (char)ch);
			else if (ch == ' ')
				gt_putc(c, &o, '+');
			else
				gt_printf(c, &o, "%%%02X", ch);
		}
	}
	v.s = o.s;
	v.slen = o.len;
	return v;
}

struct gt_val gt_builtin(struct gt_ctx *c, const char *name, const struct gt_val *argv, size_t argc,
			 const char **err)
{
	struct gt_val v = mk(V_BOOL);
	struct gt_str b = { 0 };

	if (strcmp(name, "not") == 0) {
		v.b = !gt_truth(&argv[0]);
	} else if (strcmp(name, "len") == 0) {
		if (argv[0].k == V_INVALID)
			*err = "reflect: call of reflect.Value.Type on zero Value";
		else if (argv[0].k != V_STRING)
			*err = errf(c, "len of type %s", gt_type_name(&argv[0]));
		v = mk(V_INT);
		v.i = (int64_t)argv[0].slen;
	} else if (strcmp(name, "index") == 0) {
		v = fn_index(c, argv, argc, err);
	} else if (strcmp(name, "slice") == 0) {
		v = fn_slice(c, argv, argc, err);
	} else if (strcmp(name, "eq") == 0) {
		if (argc < 2)
			*err = "missing argument for comparison";
		for (size_t i = 1; i < argc && !*err && !v.b; i++)
			v.b = eq2(c, &argv[0], &argv[i], err);
	} else if (strcmp(name, "ne") == 0) {
		v.b = !eq2(c, &argv[0], &argv[1], err);
	} else if (strcmp(name, "lt") == 0 || strcmp(name, "ge") == 0) {
		v.b = lt2(c, &argv[0], &argv[1], err);
		if (name[0] == 'g')
			v.b = !v.b;
	} else if (strcmp(name, "le") == 0 || strcmp(name, "gt") == 0) {
		v.b = lt2(c, &argv[0], &argv[1], err);
		if (!v.b && !*err)
			v.b = eq2(c, &argv[0], &argv[1], err);
		if (name[0] == 'g')
			v.b = !v.b;
	} else if (strcmp(name, "print") == 0 || strcmp(name, "println") == 0) {
		gt_sprint(c, &b, argv, argc, name[5] == 'l');
		v = mk(V_STRING);
		v.s = b.s;
		v.slen = b.len;
	} else if (strcmp(name, "printf") == 0) {
		gt_sprintf(c, &b, argv[0].s, argv[0].slen, argv + 1, argc - 1);
		v = mk(V_STRING);
		v.s = b.s;
		v.slen = b.len;
	} else {
		v = escape(c, name, argv, argc);
	}
	if (*err)
		v.b = 0;
	return v;
}

/* node.go String(): how error messages show a node. */
void gt_node_string(struct gt_ctx *c, struct gt_str *b, const struct gt_nd *n)
{
	gt_puts(c, b, "", 0);
	switch (n->type) {
	case N_TEXT: gt_puts(c, b, n->text, n->text_len); break;
	case N_ACTION:
		gt_puts(c, b, "{{", 2);
		gt_node_string(c, b, n->pipe);
		gt_puts(c, b, "}}", 2);
		break;
	case N_IF:
	case N_RANGE:
	case N_WITH:
		gt_printf(c, b, "{{%s ", n->type == N_IF ? "if" : n->type == N_RANGE ? "range" : "with");
		gt_node_string(c, b, n->pipe);
		gt_puts(c, b, "}}", 2);
		gt_node_string(c, b, n->list);
		if (n->else_list) {
			gt_puts(c, b, "{{else}}", 8);
			gt_node_string(c, b, n->else_list);
		}
		gt_puts(c, b, "{{end}}", 7);
		break;
	case N_TEMPLATE:
		gt_puts(c, b, "{{template ", 11);
		gt_quote(c, b, n->text, n->text_len, -1, 0);
		if (n->pipe) {
			gt_putc(c, b, ' ');
			gt_node_string(c, b, n->pipe);
		}
		gt_puts(c, b, "}}", 2);
		break;
	case N_BREAK: gt_puts(c, b, "{{break}}", 9); break;
	case N_CONTINUE: gt_puts(c, b, "{{continue}}", 12); break;
	case N_END: gt_puts(c, b, "{{end}}", 7); break;
	case N_ELSE: gt_puts(c, b, "{{else}}", 8); break;
	case N_LIST:
		for (size_t i = 0; i < n->nkids; i++)
			gt_node_string(c, b, n->kids[i]);
		break;
	case N_PIPE:
		for (size_t i = 0; i < n->ndecl; i++) {
			if (i > 0)
				gt_puts(c, b, ", ", 2);
			gt_puts(c, b, n->decl[i], strlen(n->decl[i]));
		}
		if (n->ndecl)
			gt_puts(c, b, n->is_assign ? " = " : " := ", n->is_assign ? 3 : 4);
		for (size_t i = 0; i < n->nkids; i++) {
			if (i > 0)
				gt_puts(c, b, " | ", 3);
			gt_node_string(c, b, n->kids[i]);
		}
		break;
	case N_CMD:
		for (size_t i = 0; i < n->nkids; i++) {
			if (i > 0)
				gt_putc(c, b, ' ');
			if (n->kids[i]->type == N_PIPE) {
				gt_putc(c, b, '(');
				gt_node_string(c, b, n->kids[i]);
				gt_putc(c, b, ')');
			} else {
				gt_node_string(c, b, n->kids[i]);
			}
		}
		break;
	case N_FIELD:
	case N_VAR:
	case N_CHAIN:
		if (n->type == N_CHAIN) {
			if (n->node->type == N_PIPE)
				gt_putc(c, b, '(');
			gt_node_string(c, b, n->node);
			if (n->node->type == N_PIPE)
				gt_putc(c, b, ')');
		}
		for (size_t i = 0; i < n->nident; i++) {
			if (i > 0 || n->type != N_VAR)
				gt_putc(c, b, '.');
			gt_puts(c, b, n->ident[i], strlen(n->ident[i]));
		}
		break;
	case N_IDENT: gt_puts(c, b, n->text, strlen(n->text)); break;
	case N_DOT: gt_putc(c, b, '.'); break;
	case N_NIL: gt_puts(c, b, "nil", 3); break;
	case N_BOOL: gt_puts(c, b, n->truth ? "true" : "false", n->truth ? 4 : 5); break;
	case N_NUMBER: gt_puts(c, b, n->text, n->text_len); break;
	case N_STRING: gt_puts(c, b, n->quoted, n->quoted_len); break;
	default: break;
	}
}
