#include "template.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *s;
	size_t len, cap;
};

static int put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *ns = realloc(o->s, cap);

		if (!ns)
			return -1;
		o->s = ns;
		o->cap = cap;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
	return 0;
}

static int line_of(const char *start, const char *at)
{
	int line = 1;

	for (const char *p = start; p < at; p++)
		line += *p == '\n';
	return line;
}

static int parse_fail(struct dr_err *e, int line, const char *msg, const char *arg)
{
	return dr_fail(e, DR_EINVAL,
		       "Unable to parse image-repo-template: template: template:%d: %s%s%s", line,
		       msg, arg ? arg : "", arg ? "\" not defined" : "");
}

/* The action body between the delimiters (trim markers removed), trimmed. */
static int eval_action(const char *body, size_t n, const char *app, struct out *o,
		       const char *tmpl, const char *at, struct dr_err *e)
{
	char word[128];

	while (n > 0 && isspace((unsigned char)*body)) {
		body++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)body[n - 1]))
		n--;
	if (n >= 4 && strncmp(body, "/*", 2) == 0 && strncmp(body + n - 2, "*/", 2) == 0)
		return 0; /* a comment */
	if (n == 0)
		return parse_fail(e, line_of(tmpl, at), "missing value for command", NULL);
	if (n == strlen(".AppName") && strncmp(body, ".AppName", n) == 0)
		return put(o, app, strlen(app)) ? dr_fail(e, DR_EIO, "out of memory") : 0;
	if (body[0] == '.') {
		size_t k = n < sizeof(word) - 1 ? n : sizeof(word) - 1;

		memcpy(word, body, k);
		word[k] = '\0';
		return dr_fail(e, DR_EINVAL,
			       "Unable to execute image-repo-template: template: template:%d:%d: executing \"template\" at <%s>: can't evaluate field %s",
			       line_of(tmpl, at), (int)(at - tmpl) + 2, word, word + 1);
	}
	/* a bare word is a function call to Go; only builtins exist there */
	{
		size_t k = 0;

		while (k < n && k < sizeof(word) - 1 &&
		       (isalnum((unsigned char)body[k]) || body[k] == '_'))
			k++;
		memcpy(word, body, k);
		word[k] = '\0';
		if (k > 0 && isalpha((unsigned char)word[0]))
			return parse_fail(e, line_of(tmpl, at), "function \"", word);
	}
	return parse_fail(e, line_of(tmpl, at), "unsupported action in image-repo-template",
			  NULL);
}

int dr_template_render(const char *tmpl, const char *app_name, char **out, struct dr_err *e)
{
	struct out o = { 0 };
	const char *p = tmpl;
	int rc = 0;

	*out = NULL;
	if (put(&o, "", 0))
		return dr_fail(e, DR_EIO, "out of memory");
	while (rc == 0 && *p) {
		const char *open = strstr(p, "{{"), *body, *close, *end;
		size_t text_len = open ? (size_t)(open - p) : strlen(p);

		/* `{{- ` trims the white space before the action */
		if (open && open[2] == '-' && isspace((unsigned char)open[3]))
			while (text_len > 0 && isspace((unsigned char)p[text_len - 1]))
				text_len--;
		if (put(&o, p, text_len)) {
			rc = dr_fail(e, DR_EIO, "out of memory");
			break;
		}
		if (!open)
			break;
		body = open + 2;
		if (body[0] == '-' && isspace((unsigned char)body[1]))
			body += 2;
		close = strstr(body, "}}");
		if (!close) {
			rc = parse_fail(e, line_of(tmpl, open), "unclosed action", NULL);
			break;
		}
		end = close;
		if (end - body >= 2 && end[-1] == '-' && isspace((unsigned char)end[-2]))
			end -= 2;
		rc = eval_action(body, (size_t)(end - body), app_name, &o, tmpl, open, e);
		p = close + 2;
		/* ` -}}` trims the white space after it */
		if (end != close)
			while (*p && isspace((unsigned char)*p))
				p++;
	}
	if (rc) {
		free(o.s);
		return rc;
	}
	*out = o.s;
	return 0;
}
