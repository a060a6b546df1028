/* Internal to the parser (core/gotmpl_parse.c, core/gotmpl_ptok.c): the
 * token stream with Go's lookahead, error reporting and node building. */
#ifndef DR_GOTMPL_PARSE_H
#define DR_GOTMPL_PARSE_H

#include "template/gotmpl.h"

struct parser {
	struct gt_ctx *c;
	struct gt_token *toks;
	size_t ntok, idx, hi;
	int cur_line;     /* line of the last token this tree read (Go's token[0]) */
	int action_line;  /* line of the "{{" being parsed, 0 outside actions */
	int range_depth, nest;
	const char **vars;
	size_t nvars, capvars;
	struct gt_tree *set;
};

int gt_is_builtin(const char *name, size_t len, const char **canonical);
struct gt_token *gt_next(struct parser *p);
void gt_backup(struct parser *p);
struct gt_token *gt_peek(struct parser *p);
struct gt_token *gt_next_non_space(struct parser *p);
struct gt_token *gt_peek_non_space(struct parser *p);
void gt_perr(struct parser *p, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void gt_unexpected(struct parser *p, const struct gt_token *t, const char *context) __attribute__((noreturn));
struct gt_token *gt_expect(struct parser *p, enum gt_tok typ, const char *context);
struct gt_nd *gt_new_node(struct parser *p, enum gt_node type, size_t pos, int line);
void gt_append_kid(struct parser *p, struct gt_nd *n, struct gt_nd *kid);
void gt_push_var(struct parser *p, const char *name);
void gt_split_idents(struct parser *p, struct gt_nd *n, const char *s, size_t len);

#endif
