/* The vector runner the template suites share: each check_gotmpl_*.c holds a
 * table of { template, output, error } rendered on
 * struct{ AppName string }{"my-app"} (Go type registry.templateData).
 * out NULL: err is Go's full error text (parse or exec). */
#ifndef DR_UNIT_TEMPLATE_VECTORS_H
#define DR_UNIT_TEMPLATE_VECTORS_H

#include <stdlib.h>
#include <string.h>

#include "template/gotmpl.h"
#include "unit.h"

struct gt_vector {
	const char *in;
	const char *out;
	const char *err;
};

#define GT_NVECTORS(table) ((int)(sizeof(table) / sizeof((table)[0])))

static inline void gt_vector_check(const struct gt_vector *v, int i)
{
	struct gt_result r;
	int rc = gt_render(v->in, strlen(v->in), "my-app", &r);

	if (v->out) {
		ck_assert_msg(rc == 0, "vector %d %s: failed: %s", i, v->in, r.err);
		ck_assert_msg(r.out_len == strlen(v->out) && strcmp(r.out, v->out) == 0, "vector %d %s: got [%s] want [%s]",
			      i, v->in, r.out, v->out);
	} else {
		ck_assert_msg(rc != 0, "vector %d %s: rendered [%s], want error", i, v->in, r.out);
		ck_assert_msg(r.err_len == strlen(v->err) && strcmp(r.err, v->err) == 0, "vector %d %s:\n got  %s\n want %s",
			      i, v->in, r.err, v->err);
	}
	free(r.out);
}

/* A loop test over a file's table: GT_VECTOR_TEST(test_name, table). */
#define GT_VECTOR_TEST(name, table)                   \
	START_TEST(name)                              \
	{                                             \
		gt_vector_check(&(table)[_i], _i);    \
	}                                             \
	END_TEST

#endif
