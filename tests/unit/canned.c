/* canned.h: one thread, one connection at a time. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "canned.h"

/* The rest of a body announced by Content-Length, as far as buf holds it
 * (header names are matched without case). */
static void read_body(int c, char *buf, size_t *got, size_t cap)
{
	const char *end = strstr(buf, "\r\n\r\n");
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	size_t want;

	if (!end || !cl || cl > end)
		return;
	want = (size_t)(end - buf) + 4 + strtoul(cl + 17, NULL, 10);
	while (*got < want && *got < cap - 1) {
		ssize_t n = read(c, buf + *got, cap - 1 - *got);

		if (n <= 0)
			return;
		*got += (size_t)n;
		buf[*got] = '\0';
	}
}

static void serve_one(struct unit_canned *s, int c)
{
	char buf[8192], line[256];
	size_t got = 0;
	const char *ans;

	while (got < sizeof(buf) - 1) {
		ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			return;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	read_body(c, buf, &got, sizeof(buf));
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(buf, "\r"), buf);
	if (strcmp(line, "GET /v2/ HTTP/1.1") == 0) {
		ans = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
	} else if (s->served < s->nanswers) {
		snprintf(s->requests[s->served], sizeof(s->requests[0]), "%s", line);
		snprintf(s->raw[s->served], sizeof(s->raw[0]), "%.*s", (int)sizeof(s->raw[0]) - 1, buf);
		ans = s->answers[s->served++];
	} else {
		ans = "HTTP/1.1 599 Unexpected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	}
	if (write(c, ans, strlen(ans)) < 0)
		return;
}

static void *serve(void *arg)
{
	struct unit_canned *s = arg;

	for (;;) {
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			return NULL;
		serve_one(s, c);
		shutdown(c, SHUT_RDWR);
		close(c);
		if (s->served == s->nanswers)
			return NULL;
	}
}

void unit_canned_start(struct unit_canned *s, const char *const *answers, size_t n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	ck_assert_uint_le(n, UNIT_CANNED_MAX);
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s->answers[i] = answers[i];
	s->nanswers = n;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->fd, 0);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->fd, 8), 0);
	ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&s->th, NULL, serve, s), 0);
}

void unit_canned_stop(struct unit_canned *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->fd);
}

