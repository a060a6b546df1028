/* Go's Sprintf format string: flags, width and precision (also from '*'
 * arguments), explicit argument indexes, and the %!(EXTRA …), %!v(MISSING)
 * and BADINDEX forms. The verbs themselves are gotmpl_fmt.c. */
#include "template/gotmpl_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A '*' width or precision: the argument must be an int (Go's intFromArg). */
static int int_from_arg(const struct gt_val *args, size_t nargs, size_t *argnum, int *num)
{
	int ok = 0;

	if (*argnum < nargs) {
		const struct gt_val *a = &args[*argnum];

		if (a->k == V_INT || a->k == V_UINT8) {
			int64_t n = a->k == V_INT ? a->i : (int64_t)a->u;

			ok = n >= -1000000 && n <= 1000000;
			*num = ok ? (int)n : 0;
		}
		(*argnum)++;
	}
	return ok;
}

/* fmt's parsenum: digits at [i, end); a crazy long number eats the rest. */
static int parsenum(const char *s, size_t *i, size_t end, int *num)
{
	int isnum = 0;

	*num = 0;
	while (*i < end && s[*i] >= '0' && s[*i] <= '9') {
		if (*num > 1000000) {
			*num = 0;
			*i = end;
			return 0;
		}
		*num = *num * 10 + (s[*i] - '0');
		isnum = 1;
		(*i)++;
	}
	return isnum;
}

struct printer {
	size_t argnum, nargs;
	int reordered, good_argnum;
};

/* fmt's argNumber: an explicit "[n]" argument index at fmt[*i]. */
static int arg_number(struct printer *pr, const char *fmt, size_t *i, size_t end)
{
	size_t k, j;
	int n;

	if (*i >= end || fmt[*i] != '[')
		return 0;
	pr->reordered = 1;
	for (k = *i + 1; k < end && fmt[k] != ']'; k++)
		;
	if (end - *i < 3 || k >= end) {
		pr->good_argnum = 0;
		*i += 1;
		return 0;
	}
	j = *i + 1;
	if (!parsenum(fmt, &j, k, &n) || j != k) {
		pr->good_argnum = 0;
		*i = k + 1;
		return 0;
	}
	*i = k + 1;
	if (n - 1 >= 0 && (size_t)(n - 1) < pr->nargs) {
		pr->argnum = (size_t)(n - 1);
		return 1;
	}
	pr->good_argnum = 0;
	return 1;
}

void gt_sprintf(struct gt_ctx *c, struct gt_str *b, const char *fmt, size_t end,
		const struct gt_val *args, size_t nargs)
{
	struct printer pr = { .nargs = nargs };
	size_t i = 0;

	gt_puts(c, b, "", 0);
	gt_charge_text(c, end); /* read byte by byte: as costly as building it */
	while (i < end) {
		struct fmtst f = { .c = c, .b = b };
		size_t lasti = i, w;
		uint32_t verb;
		int after_index;

		pr.good_argnum = 1;
		while (i < end && fmt[i] != '%')
			i++;
		if (i > lasti)
			gt_puts(c, b, fmt + lasti, i - lasti);
		if (i >= end)
			break;
		i++;
		for (; i < end; i++) {
			char ch = fmt[i];

			if (ch == '#')
				f.sharp = 1;
			else if (ch == '0')
				f.zero = !f.minus;
			else if (ch == '+')
				f.plus = 1;
			else if (ch == '-')
				f.minus = 1, f.zero = 0;
			else if (ch == ' ')
				f.space = 1;
			else
				break;
		}
		after_index = arg_number(&pr, fmt, &i, end);
		if (i < end && fmt[i] == '*') {
			i++;
			f.wid_present = int_from_arg(args, nargs, &pr.argnum, &f.wid);
			if (!f.wid_present)
				gt_puts(c, b, "%!(BADWIDTH)", 12);
			if (f.wid < 0) {
				f.wid = -f.wid;
				f.minus = 1;
				f.zero = 0;
			}
			after_index = 0;
		} else {
			f.wid_present = parsenum(fmt, &i, end, &f.wid);
			if (after_index && f.wid_present)
				pr.good_argnum = 0;
		}
		if (i + 1 <= end && i < end && fmt[i] == '.') {
			i++;
			if (after_index)
				pr.good_argnum = 0;
			after_index = arg_number(&pr, fmt, &i, end);
			if (i < end && fmt[i] == '*') {
				i++;
				f.prec_present = int_from_arg(args, nargs, &pr.argnum, &f.prec);
				if (f.prec < 0) {
					f.prec = 0;
					f.prec_present = 0;
				}
				if (!f.prec_present)
					gt_puts(c, b, "%!(BADPREC)", 11);
				after_index = 0;
			} else {
				f.prec_present = parsenum(fmt, &i, end, &f.prec);
				if (!f.prec_present) {
					f.prec = 0;
					f.prec_present = 1;
				}
			}
		}
		if (!after_index) /* the verb's [n]: only its effect on pr and i is used */
			(void)arg_number(&pr, fmt, &i, end);
		if (i >= end) {
			gt_puts(c, b, "%!(NOVERB)", 10);
			break;
		}
		verb = gt_utf8_decode(fmt + i, end - i, &w);
		i += w;
		if (verb == '%') {
			gt_putc(c, b, '%');
			continue;
		}
		if (!pr.good_argnum || pr.argnum >= nargs) {
			gt_puts(c, b, "%!", 2);
			gt_utf8_put(c, b, verb);
			gt_puts(c, b, pr.good_argnum ? "(MISSING)" : "(BADINDEX)", pr.good_argnum ? 9 : 10);
			continue;
		}
		if (verb == 'v' || verb == 'w') {
			/* %w takes its argument as %v would; Sprintf then calls it a bad verb */
			f.sharp_v = f.sharp;
			f.sharp = 0;
			f.plus_v = f.plus;
			f.plus = 0;
		}
		gt_fmt_arg(&f, &args[pr.argnum++], verb);
	}
	if (!pr.reordered && pr.argnum < nargs) {
		gt_puts(c, b, "%!(EXTRA ", 9);
		for (size_t k = pr.argnum; k < nargs; k++) {
			if (k > pr.argnum)
				gt_puts(c, b, ", ", 2);
			if (args[k].k == V_INVALID) {
				gt_puts(c, b, "<nil>", 5);
				continue;
			}
			gt_puts(c, b, gt_type_name(&args[k]), strlen(gt_type_name(&args[k])));
			gt_putc(c, b, '=');
			gt_fmt_value(c, b, &args[k], 0, 0);
		}
		gt_putc(c, b, ')');
	}
}
