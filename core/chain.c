#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credhelper.h"
#include "serverurl.h"

/* '*' matches within one label: backtracking over at most a label's length */
static int glob_label(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			for (const char *t = s;; t++) {
				if (glob_label(p + 1, t))
					return 1;
				if (*t == '\0' || *t == '.')
					return 0;
			}
		}
		if (*s == '\0' || *p != *s)
			return 0;
	}
	return *s == '\0';
}

int dr_pattern_match(const char *pattern, const char *hostport)
{
	char host[512];
	const char *colon;
	size_t n;

	if (strchr(pattern, ':'))
		return glob_label(pattern, hostport);
	/* compare without the port ([v6]:port keeps its brackets) */
	colon = hostport[0] == '[' ? strstr(hostport, "]:") : strrchr(hostport, ':');
	if (colon && hostport[0] == '[')
		colon++;
	n = colon ? (size_t)(colon - hostport) : strlen(hostport);
	if (n >= sizeof(host))
		return 0;
	memcpy(host, hostport, n);
	host[n] = '\0';
	return glob_label(pattern, host);
}

/* larger is more specific */
static long specificity(const char *pattern)
{
	long literal = 0, stars = 0;

	for (const char *p = pattern; *p; p++) {
		if (*p == '*')
			stars++;
		else
			literal++;
	}
	return (stars == 0 ? 1L << 24 : 0) + literal * 64 - stars;
}

const char *dr_chain_lookup(const struct dr_config *c, const char *server)
{
	const struct dr_chained *best = NULL;
	char *key = NULL, *host;

	if (c->nchained == 0 || dr_serverurl_canonical(server, &key, NULL) != 0)
		return NULL;
	host = dr_serverurl_key_host(key);
	free(key);
	if (!host)
		return NULL;
	for (size_t i = 0; i < c->nchained; i++) {
		const struct dr_chained *ch = &c->chained[i];
		long sp;

		if (!dr_pattern_match(ch->pattern, host))
			continue;
		sp = specificity(ch->pattern);
		if (!best || sp > specificity(best->pattern) ||
		    (sp == specificity(best->pattern) && strcmp(ch->pattern, best->pattern) < 0))
			best = ch;
	}
	free(host);
	return best ? best->helper : NULL;
}

int dr_chain_run(const char *helper, const char *action, const void *input, size_t len,
		 unsigned timeout_ms, struct dr_exec_result *r, struct dr_err *e)
{
	return dr_credhelper_exec(helper, action, NULL, input, len, timeout_ms, r, e);
}
