#include "helper/chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/serverurl.h"
#include "helper/credhelper.h"

/* One label (no dot in either): the pattern's '*'-free segments are looked
 * for left to right, each once, the first anchored at the start and the last
 * at the end. Taking the leftmost place for every middle segment is always
 * right for globs, so nothing is ever retried: the cost is bounded by
 * pattern length times label length, whatever the number of '*'. */
static int glob_one_label(const char *p, size_t plen, const char *s, size_t slen)
{
	const char *star = memchr(p, '*', plen);
	const char *last_star;
	size_t head, tail, pos;

	if (!star)
		return plen == slen && memcmp(p, s, slen) == 0;
	head = (size_t)(star - p);
	last_star = memrchr(p, '*', plen);
	tail = plen - (size_t)(last_star - p) - 1;
	if (head + tail > slen || memcmp(p, s, head) != 0 ||
	    memcmp(last_star + 1, s + slen - tail, tail) != 0)
		return 0;
	pos = head;
	slen -= tail;
	/* the segments between the first and the last '*' */
	for (const char *seg = star + 1; seg < last_star;) {
		const char *end = memchr(seg, '*', (size_t)(last_star - seg) + 1);
		size_t n = (size_t)(end - seg);
		const char *hit;

		if (n > 0) {
			hit = memmem(s + pos, slen - pos, seg, n);
			if (!hit)
				return 0;
			pos = (size_t)(hit - s) + n;
		}
		seg = end + 1;
	}
	return 1;
}

/* Dots are literal and '*' never crosses one, so pattern and name must have
 * the same labels, matched pairwise. */
static int glob_labels(const char *p, const char *s)
{
	for (;;) {
		size_t pl = strcspn(p, "."), sl = strcspn(s, ".");

		if (!glob_one_label(p, pl, s, sl))
			return 0;
		if (p[pl] == '\0' || s[sl] == '\0')
			return p[pl] == s[sl];
		p += pl + 1;
		s += sl + 1;
	}
}

int dr_pattern_match(const char *pattern, const char *hostport)
{
	char host[512];
	const char *colon;
	size_t n;

	if (strchr(pattern, ':'))
		return glob_labels(pattern, hostport);
	/* compare without the port ([v6]:port keeps its brackets) */
	colon = hostport[0] == '[' ? strstr(hostport, "]:") : strrchr(hostport, ':');
	if (colon && hostport[0] == '[')
		colon++;
	n = colon ? (size_t)(colon - hostport) : strlen(hostport);
	if (n >= sizeof(host))
		return 0;
	memcpy(host, hostport, n);
	host[n] = '\0';
	return glob_labels(pattern, host);
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
