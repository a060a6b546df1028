/* The lexer of Go's text/template/parse (lex.go): same tokens, same trim
 * markers, same error texts. It runs to the end up front; the parser then
 * sees the tokens in order, so errors surface in Go's order. */
#include "template/gotmpl.h"

#include <string.h>

struct lexer {
	struct gt_ctx *c;
	const char *s;
	size_t n, pos, start;
	int paren;
	struct gt_token *toks;
	size_t ntok, cap;
	int done;
	size_t line_pos; /* cache for line_at */
	int line_val;
};

static int is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int line_at(struct lexer *l, size_t pos)
{
	if (pos < l->line_pos) {
		l->line_pos = 0;
		l->line_val = 1;
	}
	for (; l->line_pos < pos; l->line_pos++)
		l->line_val += l->s[l->line_pos] == '\n';
	return l->line_val;
}

static void push(struct lexer *l, enum gt_tok typ, size_t start, const char *val, size_t len)
{
	struct gt_token *t;

	if (l->ntok == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct gt_token *nt = gt_alloc(l->c, cap * sizeof(*nt));

		if (l->ntok)
			memcpy(nt, l->toks, l->ntok * sizeof(*nt));
		l->toks = nt;
		l->cap = cap;
	}
	t = &l->toks[l->ntok++];
	t->typ = typ;
	t->pos = start;
	t->val = val;
	t->len = len;
	t->line = line_at(l, start);
}

static void emit(struct lexer *l, enum gt_tok typ)
{
	push(l, typ, l->start, l->s + l->start, l->pos - l->start);
	l->start = l->pos;
}

/* Go's %#U: U+0029 ')' for a printable rune, U+0007 otherwise. */
static void lex_error_rune(struct lexer *l, const char *what, uint32_t r)
{
	struct gt_str b = { 0 };

	gt_printf(l->c, &b, "%sU+%04X", what, (unsigned)r);
	if (gt_is_print(r)) {
		gt_puts(l->c, &b, " '", 2);
		gt_utf8_put(l->c, &b, r);
		gt_putc(l->c, &b, '\'');
	}
	push(l, T_ERROR, l->start, b.s, b.len);
	l->done = 1;
}

static void lex_error(struct lexer *l, const char *msg)
{
	push(l, T_ERROR, l->start, msg, strlen(msg));
	l->done = 1;
}

static uint32_t rune_at(struct lexer *l, size_t pos, size_t *w)
{
	if (pos >= l->n) {
		*w = 0;
		return (uint32_t)-1;
	}
	return gt_utf8_decode(l->s + pos, l->n - pos, w);
}

static int is_alnum_at(struct lexer *l, size_t pos, size_t *w)
{
	uint32_t r = rune_at(l, pos, w);

	if (*w == 0)
		return 0;
	if (r < 0x80)
		return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
		       (r >= '0' && r <= '9');
	return gt_is_letter(r) || gt_is_digit(r);
}

static int has_prefix(struct lexer *l, size_t pos, const char *p)
{
	size_t k = strlen(p);

	return pos <= l->n && l->n - pos >= k && memcmp(l->s + pos, p, k) == 0;
}

static int at_terminator(struct lexer *l)
{
	int ch;

	if (l->pos >= l->n)
		return 1;
	ch = l->s[l->pos];
	if (is_space(ch) || (ch && strchr(".,|:)(", ch)))
		return 1;
	return has_prefix(l, l->pos, "}}");
}

/* A right delimiter at pos, maybe with its " -" trim marker in front. */
static int at_right_delim(struct lexer *l, size_t pos, int *trim)
{
	if (pos < l->n && is_space(l->s[pos]) && has_prefix(l, pos + 1, "-}}")) {
		*trim = 1;
		return 1;
	}
	*trim = 0;
	return has_prefix(l, pos, "}}");
}

static int has_left_trim(struct lexer *l, size_t pos)
{
	return pos + 1 < l->n && l->s[pos] == '-' && is_space(l->s[pos + 1]);
}

static void skip_spaces(struct lexer *l)
{
	while (l->pos < l->n && is_space(l->s[l->pos]))
		l->pos++;
	l->start = l->pos;
}

static void accept_run(struct lexer *l, const char *valid)
{
	while (l->pos < l->n && l->s[l->pos] && strchr(valid, l->s[l->pos]))
		l->pos++;
}

static int accept(struct lexer *l, const char *valid)
{
	if (l->pos < l->n && l->s[l->pos] && strchr(valid, l->s[l->pos])) {
		l->pos++;
		return 1;
	}
	return 0;
}

static int scan_number(struct lexer *l)
{
	const char *digits = "0123456789_";
	size_t w;

	accept(l, "+-");
	if (accept(l, "0")) {
		if (accept(l, "xX"))
			digits = "0123456789abcdefABCDEF_";
		else if (accept(l, "oO"))
			digits = "01234567_";
		else if (accept(l, "bB"))
			digits = "01_";
	}
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (strlen(digits) == 11 && accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	if (strlen(digits) == 23 && accept(l, "pP")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	accept(l, "i");
	if (is_alnum_at(l, l->pos, &w)) {
		l->pos += w;
		return 0;
	}
	return 1;
}

static void lex_number(struct lexer *l)
{
	struct gt_str b = { 0 };

	if (!scan_number(l))
		goto bad;
	if (l->pos < l->n && (l->s[l->pos] == '+' || l->s[l->pos] == '-')) {
		if (!scan_number(l) || l->s[l->pos - 1] != 'i')
			goto bad;
		emit(l, T_COMPLEX);
		return;
	}
	emit(l, T_NUMBER);
	return;
bad:
	gt_puts(l->c, &b, "bad number syntax: ", 19);
	gt_quote(l->c, &b, l->s + l->start, l->pos - l->start, -1, 0);
	push(l, T_ERROR, l->start, b.s, b.len);
	l->done = 1;
}

static void lex_quoted(struct lexer *l, char q, enum gt_tok typ, const char *unterminated)
{
	for (;;) {
		char ch;

		if (l->pos >= l->n) {
			lex_error(l, unterminated);
			return;
		}
		ch = l->s[l->pos++];
		if (ch == '\\') {
			if (l->pos >= l->n || l->s[l->pos] == '\n') {
				lex_error(l, unterminated);
				return;
			}
			l->pos++;
		} else if (ch == '\n') {
			lex_error(l, unterminated);
			return;
		} else if (ch == q) {
			break;
		}
	}
	emit(l, typ);
}

static const struct {
	const char *word;
	enum gt_tok typ;
} keywords[] = {
	{ "block", T_BLOCK }, { "break", T_BREAK }, { "continue", T_CONTINUE },
	{ "define", T_DEFINE }, { "else", T_ELSE }, { "end", T_END }, { "if", T_IF },
	{ "range", T_RANGE }, { "nil", T_NIL }, { "template", T_TEMPLATE }, { "with", T_WITH },
};

static void lex_word(struct lexer *l, enum gt_tok typ)
{
	size_t w;
	uint32_t r;

	while (is_alnum_at(l, l->pos, &w))
		l->pos += w;
	if (!at_terminator(l)) {
		r = rune_at(l, l->pos, &w);
		lex_error_rune(l, "bad character ", r);
		return;
	}
	if (typ == T_IDENT) {
		size_t len = l->pos - l->start;

		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strlen(keywords[i].word) == len &&
			    memcmp(keywords[i].word, l->s + l->start, len) == 0) {
				emit(l, keywords[i].typ);
				return;
			}
		if ((len == 4 && memcmp(l->s + l->start, "true", 4) == 0) ||
		    (len == 5 && memcmp(l->s + l->start, "false", 5) == 0)) {
			emit(l, T_BOOL);
			return;
		}
	}
	emit(l, typ);
}

/* Returns 0 when the action ended (back to text), -1 when lexing stopped. */
static int lex_inside_action(struct lexer *l)
{
	while (!l->done) {
		int trim, ch;
		size_t w;

		if (at_right_delim(l, l->pos, &trim)) {
			if (l->paren > 0) {
				lex_error(l, "unclosed left paren");
				return -1;
			}
			if (trim)
				l->pos += 2;
			l->start = l->pos;
			l->pos += 2;
			emit(l, T_RDELIM);
			if (trim)
				skip_spaces(l);
			return 0;
		}
		if (l->pos >= l->n) {
			lex_error(l, "unclosed action");
			return -1;
		}
		ch = (unsigned char)l->s[l->pos];
		if (is_space(ch)) {
			size_t count = 0;

			while (l->pos < l->n && is_space(l->s[l->pos])) {
				l->pos++;
				count++;
			}
			/* the last space may belong to a " -}}" trim marker */
			if (has_prefix(l, l->pos, "-}}")) {
				l->pos--;
				if (count == 1)
					continue;
			}
			emit(l, T_SPACE);
			continue;
		}
		l->pos++;
		switch (ch) {
		case '=':
			emit(l, T_ASSIGN);
			continue;
		case ':':
			if (l->pos >= l->n || l->s[l->pos] != '=') {
				lex_error(l, "expected :=");
				return -1;
			}
			l->pos++;
			emit(l, T_DECLARE);
			continue;
		case '|':
			emit(l, T_PIPE);
			continue;
		case '"':
			lex_quoted(l, '"', T_STRING, "unterminated quoted string");
			continue;
		case '\'':
			lex_quoted(l, '\'', T_CHARCONST, "unterminated character constant");
			continue;
		case '`':
			while (l->pos < l->n && l->s[l->pos] != '`')
				l->pos++;
			if (l->pos >= l->n) {
				lex_error(l, "unterminated raw quoted string");
				return -1;
			}
			l->pos++;
			emit(l, T_RAWSTRING);
			continue;
		case '$':
			if (at_terminator(l)) {
				emit(l, T_VARIABLE);
				continue;
			}
			lex_word(l, T_VARIABLE);
			continue;
		case '(':
			emit(l, T_LPAREN);
			l->paren++;
			continue;
		case ')':
			emit(l, T_RPAREN);
			l->paren--;
			if (l->paren < 0) {
				lex_error(l, "unexpected right paren");
				return -1;
			}
			continue;
		case '.':
			if (l->pos < l->n && (l->s[l->pos] < '0' || l->s[l->pos] > '9')) {
				if (at_terminator(l)) {
					emit(l, T_DOT);
					continue;
				}
				lex_word(l, T_FIELD);
				continue;
			}
			break;
		default:
			break;
		}
		l->pos--;
		if (ch == '.' || ch == '+' || ch == '-' || (ch >= '0' && ch <= '9')) {
			lex_number(l);
			continue;
		}
		if (ch == '_' || gt_is_letter(rune_at(l, l->pos, &w))) {
			/* an identifier starts with a letter; a digit that is not ASCII does not start one */
			lex_word(l, T_IDENT);
			continue;
		}
		if (ch > ' ' && ch < 0x7f) {
			l->pos++;
			emit(l, T_CHAR);
			continue;
		}
		lex_error_rune(l, "unrecognized character in action: ", rune_at(l, l->pos, &w));
	}
	return -1;
}

/* After "{{" at x: a comment, or an action. */
static int lex_left_delim(struct lexer *l, size_t x)
{
	size_t p = x + 2, after = has_left_trim(l, x + 2) ? 2 : 0;
	int trim;

	if (has_prefix(l, p + after, "/*")) {
		const char *end;

		l->start = p + after;
		end = memmem(l->s + p + after + 2, l->n - (p + after + 2), "*/", 2);
		if (!end) {
			lex_error(l, "unclosed comment");
			return -1;
		}
		l->pos = (size_t)(end - l->s) + 2;
		if (!at_right_delim(l, l->pos, &trim)) {
			lex_error(l, "comment ends before closing delimiter");
			return -1;
		}
		l->pos += (trim ? 2 : 0) + 2;
		l->start = l->pos;
		if (trim)
			skip_spaces(l);
		return 0;
	}
	l->start = x;
	l->pos = x + 2;
	emit(l, T_LDELIM);
	l->pos += after;
	l->start = l->pos;
	l->paren = 0;
	return lex_inside_action(l);
}

struct gt_token *gt_lex(struct gt_ctx *c, size_t *ntok)
{
	struct lexer l = { .c = c, .s = c->src, .n = c->srclen, .line_val = 1 };

	while (!l.done) {
		const char *open = memmem(l.s + l.pos, l.n - l.pos, "{{", 2);

		if (!open) {
			if (l.pos < l.n) {
				l.start = l.pos;
				l.pos = l.n;
				emit(&l, T_TEXT);
			}
			l.start = l.pos;
			emit(&l, T_EOF);
			break;
		}
		{
			size_t x = (size_t)(open - l.s), end = x;

			if (has_left_trim(&l, x + 2))
				while (end > l.pos && is_space(l.s[end - 1]))
					end--;
			if (end > l.pos) {
				l.start = l.pos;
				l.pos = end;
				emit(&l, T_TEXT);
			}
			if (lex_left_delim(&l, x))
				break;
		}
	}
	*ntok = l.ntok;
	return l.toks;
}
