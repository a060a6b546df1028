/* A canned HTTP/1.1 server on 127.0.0.1 for Check tests: GET /v2/ gets a
 * 200 (what a registry client asks first), every other request the next
 * of the answers given (raw response text, one per connection), and the
 * request lines are kept. Stands in for a registry only where the answers
 * under test are ones a real registry does not give on demand. */
#ifndef DR_UNIT_CANNED_H
#define DR_UNIT_CANNED_H

#include <pthread.h>
#include <stddef.h>

#define UNIT_CANNED_MAX 6

struct unit_canned {
	int fd;
	int port;
	pthread_t th;
	const char *answers[UNIT_CANNED_MAX]; /* one per request, after GET /v2/ */
	size_t nanswers, served;
	char requests[UNIT_CANNED_MAX][256]; /* request lines */
	/* whole requests (head and a body of up to what fits), for header asserts */
	char raw[UNIT_CANNED_MAX][4096];
};

void unit_canned_start(struct unit_canned *s, const char *const *answers, size_t n);
/* Stops the server and waits for its thread. */
void unit_canned_stop(struct unit_canned *s);

#endif
