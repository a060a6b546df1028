/* Redirect hops of token and registry requests (core/registry/
 * registry_redirect.c): which hop may carry credentials, which is refused.
 * Moved from check_registry.c unchanged. */
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "unit.h"

static const struct {
	const char *origin, *prev, *next;
	int insecure;
	enum dr_hop hop;
	int same;
} hops[] = {
	/* same origin: credentials may follow */
	{ "https://auth.example.com/token?x", "https://auth.example.com/token?x",
	  "https://auth.example.com/v2/token", 0, DR_HOP_OK, 1 },
	{ "https://auth.example.com/t", "https://auth.example.com/t", "https://AUTH.example.com:443/t2",
	  0, DR_HOP_OK, 1 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/u", 0,
	  DR_HOP_OK, 1 },
	/* another host, port or scheme: allowed, but not with credentials */
	{ "https://auth.example.com/t", "https://auth.example.com/t", "https://cdn.example.net/t",
	  0, DR_HOP_OK, 0 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://127.0.0.1:5001/t", 0,
	  DR_HOP_OK, 0 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "https://127.0.0.1:5000/t", 0,
	  DR_HOP_OK, 0 },
	{ "http://localhost:80/t", "http://localhost/t", "http://localhost:80/x", 0, DR_HOP_OK, 1 },
	{ "http://[::1]:5000/t", "http://[::1]:5000/t", "http://[::1]:5000/u", 0, DR_HOP_OK, 1 },
	/* the cleartext rule on every hop */
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://10.1.2.3/t", 0,
	  DR_HOP_CLEARTEXT, 0 },
	{ "http://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", "http://10.1.2.3/t", 1, DR_HOP_OK, 0 },
	{ "http://127.0.0.1/t", "http://127.0.0.1/t", "http://127.0.0.1.nip.io/t", 0,
	  DR_HOP_CLEARTEXT, 0 },
	/* no downgrade, not even to loopback or with --insecure */
	{ "https://127.0.0.1:5000/t", "https://127.0.0.1:5000/t", "http://127.0.0.1:5000/t", 0,
	  DR_HOP_DOWNGRADE, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "http://r.example.com/t", 1,
	  DR_HOP_DOWNGRADE, 0 },
	/* other schemes, unusable URLs, URLs with their own credentials */
	{ "https://r.example.com/t", "https://r.example.com/t", "ftp://r.example.com/t", 0,
	  DR_HOP_SCHEME, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "file:///etc/passwd", 0,
	  DR_HOP_SCHEME, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "gopher://r.example.com/", 0,
	  DR_HOP_SCHEME, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "/relative", 0, DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "", 0, DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", NULL, 0, DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "https://u:p@r.example.com/t", 0,
	  DR_HOP_BAD_URL, 0 },
	{ "https://r.example.com/t", "https://r.example.com/t", "https://u@evil.example/t", 0,
	  DR_HOP_BAD_URL, 0 },
};

START_TEST(test_redirect_check)
{
	int same = -1;
	enum dr_hop h = dr_redirect_check(hops[_i].origin, hops[_i].prev, hops[_i].next,
					  hops[_i].insecure, &same);

	ck_assert_msg(h == hops[_i].hop, "%s -> %s: %d (%s)", hops[_i].prev,
		      hops[_i].next ? hops[_i].next : "(null)", h, dr_hop_reason(h));
	if (h == DR_HOP_OK)
		ck_assert_msg(same == hops[_i].same, "%s -> %s: same %d", hops[_i].origin,
			      hops[_i].next, same);
}
END_TEST

START_TEST(test_redirect_status)
{
	static const long yes[] = { 301, 302, 303, 307, 308 };
	static const long no[] = { 200, 201, 204, 300, 304, 305, 306, 309, 400, 401, 500 };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert(dr_redirect_status(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert(!dr_redirect_status(no[i]));
}
END_TEST
Suite *registry_redirect_suite(void)
{
	Suite *s = suite_create("registry_redirect");
	TCase *tc = tcase_create("redirect");

	tcase_add_loop_test(tc, test_redirect_check, 0, (int)(sizeof(hops) / sizeof(hops[0])));
	tcase_add_test(tc, test_redirect_status);
	suite_add_tcase(s, tc);
	return s;
}
