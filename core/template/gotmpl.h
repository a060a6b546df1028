/* Go's text/template, for the one data value Dokku gives image-repo-template:
 * `struct{ AppName string }` (Go type registry.templateData), template name
 * "template", no custom functions. Internal to core/gotmpl_*.c and
 * core/template.c; callers use core/template.h.
 *
 * Lexing, parsing and execution follow Go's text/template/parse and
 * text/template (go 1.26) so output and error text match byte for byte.
 * Memory comes from one arena freed at the end; errors unwind with longjmp. */
#ifndef DR_GOTMPL_H
#define DR_GOTMPL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds Go does not have (see README "image-repo-template"). */
#define GT_MAX_INPUT 16384        /* template bytes */
#define GT_MAX_OUTPUT 65536       /* rendered bytes */
#define GT_MAX_DEPTH 100          /* nested {{template}} calls (Go: 100000) */
#define GT_MAX_NEST 200           /* nested parens / control blocks at parse */
/* The work one execution may do, so that any template ends within a few
 * milliseconds: steps are nodes walked, commands run, arguments evaluated,
 * range iterations, and the entries passed over looking up a variable or a
 * template; text built is every byte written into any string (output,
 * function results, formatting, padding) and every printf format string
 * read; scanned text is what eq/ne/lt/le/gt/ge compare and what fmt reads
 * through for widths and precisions. */
#define GT_MAX_STEPS 50000        /* steps per execution */
#define GT_MAX_TEXT (1 << 20)     /* bytes of text built per execution */
#define GT_MAX_SCAN (16 << 20)    /* bytes of text compared or scanned per execution */
#define GT_MAX_ARENA (32u << 20)  /* bytes of working memory */
#define GT_MAX_STACK (2 << 20)    /* bytes of C stack execution may use */

/* ---- arena ---- */
struct gt_block;
struct gt_ctx {
	struct gt_block *blocks;
	size_t used_total;
	jmp_buf jb;
	char err[512];
	size_t err_len;  /* err may hold NUL bytes (from the template's strings) */
	int err_is_parse;
	const char *src;
	size_t srclen;
	void *exec;      /* the execution's state while it runs (gotmpl_exec.c) */
	size_t steps, text, scanned;
};

void *gt_alloc(struct gt_ctx *c, size_t n);
char *gt_strndup(struct gt_ctx *c, const char *s, size_t n);
void gt_free_all(struct gt_ctx *c);
/* Sets c->err and longjmps out; never returns. */
void gt_die(struct gt_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* The same with a message of n bytes, NUL bytes kept. */
void gt_die_bytes(struct gt_ctx *c, const char *msg, size_t n) __attribute__((noreturn));

/* Charge an execution's work (no-ops outside one); past a GT_MAX_* bound
 * execution fails at the current node, naming the bound. */
void gt_charge_steps(struct gt_ctx *c, size_t n);
void gt_charge_scan(struct gt_ctx *c, size_t n);
void gt_charge_text(struct gt_ctx *c, size_t n);

/* A growable byte string in the arena (its bytes count as text built). */
struct gt_str {
	char *s;
	size_t len, cap;
};
void gt_puts(struct gt_ctx *c, struct gt_str *b, const char *s, size_t n);
void gt_putc(struct gt_ctx *c, struct gt_str *b, char ch);
void gt_printf(struct gt_ctx *c, struct gt_str *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void gt_vprintf(struct gt_ctx *c, struct gt_str *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* ---- lexer ---- */
enum gt_tok {
	T_ERROR, T_BOOL, T_CHAR, T_CHARCONST, T_COMPLEX, T_ASSIGN, T_DECLARE, T_EOF,
	T_FIELD, T_IDENT, T_LDELIM, T_LPAREN, T_NUMBER, T_PIPE, T_RAWSTRING,
	T_RDELIM, T_RPAREN, T_SPACE, T_STRING, T_TEXT, T_VARIABLE, T_COMMENT,
	T_KEYWORD, /* keywords follow */
	T_BLOCK, T_BREAK, T_CONTINUE, T_DOT, T_DEFINE, T_ELSE, T_END, T_IF,
	T_NIL, T_RANGE, T_TEMPLATE, T_WITH,
};

struct gt_token {
	enum gt_tok typ;
	size_t pos;
	const char *val; /* points into the source, or an error text */
	size_t len;
	int line;
};

/* Tokens up to and including T_EOF or one T_ERROR. */
struct gt_token *gt_lex(struct gt_ctx *c, size_t *ntok);

/* ---- parse tree ---- */
enum gt_node {
	N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_TEMPLATE, N_BREAK, N_CONTINUE,
	N_LIST, N_PIPE, N_CMD, N_FIELD, N_VAR, N_CHAIN, N_IDENT, N_DOT, N_NIL,
	N_BOOL, N_NUMBER, N_STRING, N_COMMENT, N_END, N_ELSE,
};

struct gt_num {
	int is_int, is_uint, is_float, is_complex;
	int64_t i;
	uint64_t u;
	double f;
	double re, im;
};

struct gt_nd {
	enum gt_node type;
	size_t pos;
	int line;
	const char *text; /* text, string value, identifier, template name, number text */
	size_t text_len;
	const char *quoted; /* a string literal as written */
	size_t quoted_len;
	struct gt_nd **kids; /* list items, pipe commands, command args */
	size_t nkids, capkids;
	const char **ident; /* field / variable / chain parts (without the dots) */
	size_t nident;
	struct gt_nd *node;  /* chain: the term */
	struct gt_nd *pipe;  /* action, if, range, with, template */
	struct gt_nd *list, *else_list;
	const char **decl;   /* pipe declarations ("$x") */
	size_t ndecl;
	int is_assign;
	int truth;           /* bool */
	int fn;              /* identifier: 1 + its built-in's index, set by its first call */
	struct gt_num num;
};

struct gt_tree {
	const char *name; /* may hold NUL bytes ("\x00" in its literal): name_len counts */
	size_t name_len;
	struct gt_nd *root;
	struct gt_tree *next;
};

/* parse.newNumber: fills num, or writes Go's error text to err and returns -1. */
int gt_parse_number(struct gt_ctx *c, const char *text, size_t len, int is_char, int is_complex,
		    struct gt_num *num, char *err, size_t errlen);

/* All trees parsed from the source (the top one is named "template"). */
struct gt_tree *gt_parse(struct gt_ctx *c);
struct gt_tree *gt_lookup(struct gt_tree *set, const char *name, size_t len);
void gt_node_string(struct gt_ctx *c, struct gt_str *b, const struct gt_nd *n);

/* ---- values ---- */
enum gt_kind { V_INVALID, V_MISSING, V_BOOL, V_INT, V_UINT8, V_FLOAT, V_COMPLEX, V_STRING, V_STRUCT };

struct gt_val {
	enum gt_kind k;
	int b;
	int64_t i;
	uint64_t u;
	double f, im;
	const char *s;
	size_t slen;
};

/* Go's reflect type name of a value (registry.templateData for the data). */
const char *gt_type_name(const struct gt_val *v);
/* if/with/and/or/not: Go's truth (the zero value of the type is false) */
int gt_truth(const struct gt_val *v);
/* fmt.Sprint of one value as %v would print it (nil for V_INVALID). */
void gt_fmt_value(struct gt_ctx *c, struct gt_str *b, const struct gt_val *v, int plus, int sharp);
/* fmt.Sprintf / Sprint / Sprintln; a V_INVALID argument is Go's nil interface. */
void gt_sprintf(struct gt_ctx *c, struct gt_str *b, const char *fmt, size_t flen,
		const struct gt_val *args, size_t nargs);
void gt_sprint(struct gt_ctx *c, struct gt_str *b, const struct gt_val *args, size_t nargs, int ln);
/* strconv.Quote, with at most max_runes runes quoted when max_runes >= 0 (%.Nq). */
void gt_quote(struct gt_ctx *c, struct gt_str *b, const char *s, size_t n, int max_runes, int ascii);
void gt_format_float(struct gt_ctx *c, struct gt_str *b, double f, char verb, int prec);
/* strconv.Unquote for "…" and `…` and '…' literals; returns -1 on a bad one. */
int gt_unquote(struct gt_ctx *c, const char *s, size_t n, char **out, size_t *outlen, uint32_t *rune);
/* strconv.UnquoteChar: one character of a q-quoted literal at *sp. */
int gt_unquote_char(const char **sp, const char *end, char q, uint32_t *r);
/* Decodes one UTF-8 rune as Go does (U+FFFD, width 1 on a bad byte). */
uint32_t gt_utf8_decode(const char *s, size_t n, size_t *width);
void gt_utf8_put(struct gt_ctx *c, struct gt_str *b, uint32_t r);
/* Go's unicode.IsLetter, IsDigit, IsSpace, IsPrint (Unicode 15.0.0 tables) */
int gt_is_letter(uint32_t r);
int gt_is_digit(uint32_t r);
int gt_is_space(uint32_t r);
int gt_is_print(uint32_t r);

/* ---- execution ---- */
int gt_execute(struct gt_ctx *c, struct gt_tree *set, const char *app, struct gt_str *out);

/* What gt_render gives back. Output and error texts are byte strings: a
 * template can put NUL bytes in both. */
struct gt_result {
	char *out;      /* on success: malloc'd, out_len bytes and a terminating NUL */
	size_t out_len;
	int is_parse;   /* on failure: 1 when Parse failed, 0 when Execute did */
	char err[512];  /* on failure: Go's text (err_len bytes, at most 511) */
	size_t err_len;
};

/* Parses and executes; returns 0 or -1. */
int gt_render(const char *tmpl, size_t len, const char *app, struct gt_result *r);

#endif
