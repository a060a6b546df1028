/* What a push prints (push_int.h). On a terminal one line per blob,
 * redrawn in place; otherwise one plain line per finished blob
 * ("<digest-short>: exists|mounted from X|pushed N bytes"); nothing but
 * errors with --quiet. Workers only update state under the lock; the
 * main thread draws. */
#include "push/push_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BAR 24

struct line {
	char shortd[16];
	long long size, sent;
	enum dr_blob_state st;
	char detail[160];
};

struct dr_progress {
	pthread_mutex_t lock;
	int tty, quiet, finished;
	const char *indent;
	struct line *lines;
	size_t n, drawn;
	const struct dr_image *img;
};

const char *dr_digest_short(const char *digest, char *out, size_t n)
{
	const char *colon = strchr(digest, ':');

	snprintf(out, n, "%.12s", colon ? colon + 1 : digest);
	return out;
}

struct dr_progress *dr_progress_new(const struct dr_image *img, enum dr_progress_mode mode,
				    int quiet, const char *indent)
{
	struct dr_progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->lines = calloc(img->nblobs + 1, sizeof(*p->lines));
	if (!p->lines) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->quiet = quiet;
	p->tty = !quiet && (mode == DR_PROGRESS_TTY ||
			    (mode == DR_PROGRESS_AUTO && isatty(STDOUT_FILENO)));
	p->indent = indent ? indent : "";
	p->n = img->nblobs;
	p->img = img;
	for (size_t i = 0; i < p->n; i++) {
		dr_digest_short(img->blobs[i].d.digest, p->lines[i].shortd, sizeof(p->lines[i].shortd));
		p->lines[i].size = img->blobs[i].d.size;
	}
	return p;
}

static void human(long long v, char *out, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	size_t u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%lld B", v);
	else
		snprintf(out, n, "%.1f %s", d, unit[u]);
}

/* The final words on a blob, the same on a terminal and in plain output. */
static int final_text(const struct line *l, char *out, size_t n)
{
	switch (l->st) {
	case DR_BLOB_EXISTS:
		snprintf(out, n, "exists%s%s", l->detail[0] ? ", " : "", l->detail);
		return 1;
	case DR_BLOB_MOUNTED:
		snprintf(out, n, "mounted from %s", l->detail);
		return 1;
	case DR_BLOB_PUSHED:
		snprintf(out, n, "pushed %lld bytes%s%s", l->size, l->detail[0] ? ", " : "", l->detail);
		return 1;
	default:
		return 0;
	}
}

static void draw_line(const struct line *l, FILE *f, const char *indent)
{
	char text[256], a[32], b[32], bar[BAR + 1];
	size_t fill;

	if (final_text(l, text, sizeof(text))) {
		fprintf(f, "\r\033[2K%s%s: %s\n", indent, l->shortd, text);
		return;
	}
	if (l->st != DR_BLOB_UPLOADING) {
		fprintf(f, "\r\033[2K%s%s: %s\n", indent, l->shortd,
			l->st == DR_BLOB_CHECKING ? (l->detail[0] ? l->detail : "checking") :
			l->st == DR_BLOB_FAILED ? "failed" : "waiting");
		return;
	}
	fill = l->size > 0 ? (size_t)((double)l->sent / (double)l->size * BAR) : BAR;
	fill = fill > BAR ? BAR : fill;
	memset(bar, '=', fill);
	memset(bar + fill, ' ', BAR - fill);
	if (fill > 0 && fill < BAR)
		bar[fill - 1] = '>';
	bar[BAR] = '\0';
	human(l->sent, a, sizeof(a));
	human(l->size, b, sizeof(b));
	fprintf(f, "\r\033[2K%s%s: uploading [%s] %s / %s\n", indent, l->shortd, bar, a, b);
}

void dr_progress_state(struct dr_progress *p, size_t idx, enum dr_blob_state st,
		       const char *detail)
{
	char text[256];

	if (!p || idx >= p->n)
		return;
	pthread_mutex_lock(&p->lock);
	/* a docker-daemon: blob's size (and a classic layer's digest) is
	 * known once its entry of the save arrives (and ends) */
	dr_digest_short(p->img->blobs[idx].d.digest, p->lines[idx].shortd,
			sizeof(p->lines[idx].shortd));
	p->lines[idx].size = p->img->blobs[idx].d.size;
	p->lines[idx].st = st;
	if (detail)
		snprintf(p->lines[idx].detail, sizeof(p->lines[idx].detail), "%s", detail);
	else if (st == DR_BLOB_EXISTS || st == DR_BLOB_PUSHED)
		p->lines[idx].detail[0] = '\0'; /* no retry note left on the final words */
	if (st == DR_BLOB_PUSHED)
		p->lines[idx].sent = p->lines[idx].size;
	if (!p->tty && !p->quiet && final_text(&p->lines[idx], text, sizeof(text))) {
		printf("%s%s: %s\n", p->indent, p->lines[idx].shortd, text);
		fflush(stdout);
	}
	pthread_mutex_unlock(&p->lock);
}

void dr_progress_bytes(struct dr_progress *p, size_t idx, long long sent)
{
	if (!p || idx >= p->n)
		return;
	pthread_mutex_lock(&p->lock);
	p->lines[idx].sent = sent;
	pthread_mutex_unlock(&p->lock);
}

void dr_progress_retry(struct dr_progress *p, size_t idx, unsigned ms, const char *why)
{
	if (!p || idx >= p->n || p->quiet)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->tty) {
		snprintf(p->lines[idx].detail, sizeof(p->lines[idx].detail), "retrying in %.1fs",
			 ms / 1000.0);
		p->lines[idx].st = DR_BLOB_CHECKING;
	} else {
		printf("%s%s: retrying in %.1fs: %s\n", p->indent, p->lines[idx].shortd, ms / 1000.0,
		       why);
		fflush(stdout);
	}
	pthread_mutex_unlock(&p->lock);
}

int dr_progress_live(const struct dr_progress *p)
{
	return p && p->tty;
}

static void render_locked(struct dr_progress *p)
{
	if (!p->tty || p->finished)
		return;
	if (p->drawn)
		printf("\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++)
		draw_line(&p->lines[i], stdout, p->indent);
	p->drawn = p->n;
	fflush(stdout);
}

void dr_progress_render(struct dr_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	render_locked(p);
	pthread_mutex_unlock(&p->lock);
}

void dr_progress_line(struct dr_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p || p->quiet)
		return;
	pthread_mutex_lock(&p->lock);
	/* the blob lines are final now; later lines go below them */
	render_locked(p);
	p->finished = 1;
	fputs(p->indent, stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&p->lock);
}

void dr_progress_free(struct dr_progress *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p->lines);
	free(p);
}
