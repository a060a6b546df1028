/* registry:report [<app>|--global] [--format stdout|json] [<info-flag>] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dokku/apps.h"
#include "dokku/plugn.h"
#include "dokku/properties.h"
#include "dokku/settings.h"
#include "cmd.h"
#include "creds.h"

enum source { RAW_APP, RAW_GLOBAL, COMPUTED };

struct report_key {
	const char *flag;   /* --registry-… */
	const char *prop;   /* property read for RAW_* */
	enum source src;
	int (*compute)(const char *app, char **out, struct dr_err *e);
	int global_report;  /* one of the 10 keys of `report --global` */
};

static int computed_repo(const char *app, char **out, struct dr_err *e)
{
	return dr_computed_image_repo(app, 0, out, e);
}

/* byte-sorted, as Dokku prints them; the auth-servers triad is Dokku
 * 0.38.29's (server names only, never a credential) */
static const struct report_key keys[] = {
	{ "--registry-auth-servers", NULL, COMPUTED, creds_auth_servers, 0 },
	{ "--registry-computed-auth-servers", NULL, COMPUTED, creds_computed_auth_servers, 1 },
	{ "--registry-computed-image-repo", NULL, COMPUTED, computed_repo, 0 },
	{ "--registry-computed-image-repo-template", NULL, COMPUTED, dr_computed_image_repo_template, 1 },
	{ "--registry-computed-push-extra-tags", NULL, COMPUTED, dr_computed_push_extra_tags, 1 },
	{ "--registry-computed-push-on-release", NULL, COMPUTED, dr_computed_push_on_release, 1 },
	{ "--registry-computed-server", NULL, COMPUTED, dr_computed_server, 1 },
	{ "--registry-global-auth-servers", NULL, COMPUTED, creds_global_auth_servers, 1 },
	{ "--registry-global-image-repo-template", "image-repo-template", RAW_GLOBAL, NULL, 1 },
	{ "--registry-global-push-extra-tags", "push-extra-tags", RAW_GLOBAL, NULL, 1 },
	{ "--registry-global-push-on-release", "push-on-release", RAW_GLOBAL, NULL, 1 },
	{ "--registry-global-server", "server", RAW_GLOBAL, NULL, 1 },
	{ "--registry-image-repo", "image-repo", RAW_APP, NULL, 0 },
	{ "--registry-image-repo-template", "image-repo-template", RAW_APP, NULL, 0 },
	{ "--registry-push-extra-tags", "push-extra-tags", RAW_APP, NULL, 0 },
	{ "--registry-push-on-release", "push-on-release", RAW_APP, NULL, 0 },
	{ "--registry-server", "server", RAW_APP, NULL, 0 },
	{ "--registry-tag-version", NULL, COMPUTED, dr_tag_version, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
/* Dokku pads labels to the longest raw key, at least 31 */
#define LABEL_WIDTH 39

static int key_in_report(const struct report_key *k, int global)
{
	return global ? k->global_report : 1;
}

static int key_value(const struct report_key *k, const char *app, char **out, struct dr_err *e)
{
	if (k->src == COMPUTED)
		return k->compute(app, out, e);
	return dr_prop_get(k->src == RAW_GLOBAL ? DR_GLOBAL : app, k->prop, out, e);
}

/* "--registry-computed-server" -> "Registry computed server" */
static void label_of(const char *flag, char *out, size_t n)
{
	size_t i;

	for (i = 0; flag[i + 2] && i + 1 < n; i++) {
		char c = flag[i + 2];

		out[i] = (c == '-' || c == '.') ? ' ' : c;
	}
	out[i] = '\0';
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/* Go's json.Marshal escapes <, >, & and U+2028/9 in strings */
static void print_go_json(const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("\\u003c", stdout);
		else if (*s == '>')
			fputs("\\u003e", stdout);
		else if (*s == '&')
			fputs("\\u0026", stdout);
		else if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
			 ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9)) {
			printf("\\u202%c", (unsigned char)s[2] == 0xa8 ? '8' : '9');
			s += 2;
		} else
			putchar(*s);
	}
	putchar('\n');
}

static int report_json(const char *app, int global, struct dr_err *e)
{
	json_t *obj = json_object();
	char *text;

	for (size_t i = 0; i < NKEYS; i++) {
		char *v = NULL;

		if (!key_in_report(&keys[i], global))
			continue;
		if (key_value(&keys[i], app, &v, e)) {
			json_decref(obj);
			return e->code;
		}
		/* stripped key and the legacy registry- key (Dokku ≥ 0.38.8) */
		json_object_set_new(obj, keys[i].flag + strlen("--registry-"), json_string(v));
		json_object_set_new(obj, keys[i].flag + 2, json_string(v));
		free(v);
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	if (!text)
		return dr_fail(e, DR_EIO, "a value is not valid UTF-8");
	print_go_json(text);
	free(text);
	return 0;
}

static int report_stdout(const char *app, int global, struct dr_err *e)
{
	char label[128];

	dr_log_info2_quiet("%s registry information", app);
	for (size_t i = 0; i < NKEYS; i++) {
		char *v = NULL;

		if (!key_in_report(&keys[i], global))
			continue;
		if (key_value(&keys[i], app, &v, e))
			return e->code;
		label_of(keys[i].flag, label, sizeof(label) - 1);
		strcat(label, ":");
		printf("       %-*s%s\n", LABEL_WIDTH, label, v);
		free(v);
	}
	return 0;
}

/* 0, a negative DR_E* code with e set, or exit status 1 after printing
 * Dokku's list of valid flags */
static int report_flag(const char *app, int global, const char *flag, struct dr_err *e)
{
	char list[2048] = "";

	for (size_t i = 0; i < NKEYS; i++) {
		char *v = NULL;

		if (!key_in_report(&keys[i], global))
			continue;
		if (strcmp(keys[i].flag, flag) == 0) {
			if (key_value(&keys[i], app, &v, e))
				return e->code;
			printf("%s\n", v);
			free(v);
			return 0;
		}
		if (list[0])
			strcat(list, ", ");
		strcat(list, keys[i].flag);
	}
	/* printed here: the list is longer than a struct dr_err message */
	return dr_log_fail(1, "Invalid flag passed, valid flags: %s", list);
}

static int report_one(const char *app, int global, const char *format, const char *flag)
{
	struct dr_err e = { 0 };
	int rc;

	if (!global && dr_app_verify(app, &e) != 0)
		return cmd_fail(&e);
	if (flag) {
		/* > 0: the exit status, the error already printed */
		rc = report_flag(app, global, flag, &e);
		return rc < 0 ? cmd_fail(&e) : rc;
	}
	if (strcmp(format, "json") == 0)
		rc = report_json(app, global, &e);
	else
		rc = report_stdout(app, global, &e);
	return rc ? cmd_fail(&e) : 0;
}

int cmd_report(int argc, char **argv)
{
	const char *app = NULL, *format = "stdout", *flag = NULL;
	struct dr_pflag flags[] = {
		{ .name = "format", .type = DR_PFLAG_STRING, .def = "stdout",
		  .usage = "format: [ stdout | json ]", .value = &format },
	};
	char **apps, **os_args = calloc((size_t)argc + 1, sizeof(char *));
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	size_t napps;
	struct dr_err e = { 0 };
	int global = 0, rc = 0, nos = 0, npos = 0;

	/* Dokku's ParseReportArgs: --format X and every argument not starting
	 * with -- go on to pflag, --global is taken, any other --x is an info
	 * flag */
	for (int i = 0; os_args && i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0) {
			os_args[nos++] = argv[i];
			if (i + 1 < argc)
				os_args[nos++] = argv[++i];
		} else if (strncmp(argv[i], "--format=", 9) == 0) {
			os_args[nos++] = argv[i];
		} else if (strcmp(argv[i], "--global") == 0) {
			global = 1;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			/* Dokku prints nothing and exits 0 here; that hides typos */
			if (flag) {
				rc = dr_log_fail(1, "Only one info flag may be given, got %s and %s",
						 flag, argv[i]);
				goto out;
			}
			flag = argv[i];
		} else {
			os_args[nos++] = argv[i];
		}
	}
	if (!os_args || !pos) {
		rc = dr_log_fail(1, DR_OOM_MSG);
		goto out;
	}
	if (cmd_parse_flags("registry:report", nos, os_args, flags, CMD_NFLAGS(flags), pos, &npos, &rc))
		goto out;
	app = npos > 0 ? pos[0] : NULL;
	if (flag && strcmp(format, "stdout") != 0)
		rc = dr_log_fail(1, "--format flag cannot be specified when specifying an info flag");
	else if (strcmp(format, "stdout") != 0 && strcmp(format, "json") != 0)
		rc = dr_log_fail(1, "Format must be \"stdout\" or \"json\": \"%s\"", format);
	else if (global)
		rc = report_one(DR_GLOBAL, 1, format, flag);
	else if (app)
		rc = report_one(app, 0, format, flag);
	else if (dr_apps_list(&apps, &napps, &e) || dr_plugn_filter_apps(&apps, &napps, &e)) {
		dr_apps_free(apps, napps);
		rc = cmd_fail(&e);
	}
	else {
		if (napps == 0)
			dr_log_warn("You haven't deployed any applications yet");
		for (size_t i = 0; i < napps && rc == 0; i++)
			rc = report_one(apps[i], 0, format, flag);
		dr_apps_free(apps, napps);
	}
out:
	creds_auth_servers_done();
	free(os_args);
	free(pos);
	return rc;
}
