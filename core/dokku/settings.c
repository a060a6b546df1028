#include "dokku/settings.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dockerhub.h"
#include "dokku/properties.h"
#include "template/template.h"

/* trimmed app value, else the raw global value, else fallback */
static int app_then_global(const char *app, const char *prop, const char *fallback,
			   char **out, struct dr_err *e)
{
	char *v = NULL;
	int rc = dr_prop_get(app, prop, &v, e);

	if (rc)
		return rc;
	dr_trim(v);
	if (!v[0]) {
		free(v);
		rc = dr_prop_get(DR_GLOBAL, prop, &v, e);
		if (rc)
			return rc;
	}
	if (!v[0] && fallback) {
		free(v);
		v = strdup(fallback);
		if (!v)
			return dr_oom(e);
	}
	*out = v;
	return 0;
}

int dr_computed_server(const char *app, char **out, struct dr_err *e)
{
	char *v = NULL;
	size_t n;
	int rc = dr_prop_get(app, "server", &v, e);

	if (rc)
		return rc;
	if (!v[0]) {
		free(v);
		rc = dr_prop_get(DR_GLOBAL, "server", &v, e);
		if (rc)
			return rc;
	}
	dr_trim(v);
	n = strlen(v);
	if (n > 0 && v[n - 1] == '/')
		v[--n] = '\0';
	if (strcmp(v, DR_HUB_WEB_HOST) == 0 || strcmp(v, DR_HUB_KEY) == 0)
		v[0] = '\0';
	if (v[0]) {
		char *with_slash;

		if (asprintf(&with_slash, "%s/", v) < 0) {
			free(v);
			return dr_oom(e);
		}
		free(v);
		v = with_slash;
	}
	*out = v;
	return 0;
}

int dr_computed_image_repo_template(const char *app, char **out, struct dr_err *e)
{
	return app_then_global(app, "image-repo-template", NULL, out, e);
}

int dr_computed_image_repo(const char *app, int strict, char **out, struct dr_err *e)
{
	char *repo = NULL, *tmpl = NULL, *rendered = NULL;
	int rc = dr_prop_get(app, "image-repo", &repo, e);

	if (rc)
		return rc;
	if (dr_trim(repo)[0]) {
		*out = repo;
		return 0;
	}
	free(repo);
	rc = dr_computed_image_repo_template(app, &tmpl, e);
	if (rc)
		return rc;
	if (tmpl[0]) {
		rc = dr_template_render(tmpl, app, &rendered, e);
		if (rc == 0 && dr_trim(rendered)[0]) {
			free(tmpl);
			*out = rendered;
			return 0;
		}
		free(rendered);
		if (rc && strict) {
			free(tmpl);
			return dr_fail(e, rc, "Unable to determine image repo from template: %s",
				       e->msg);
		}
	}
	free(tmpl);
	if (asprintf(out, "dokku/%s", app) < 0)
		return dr_oom(e);
	return 0;
}

int dr_computed_push_on_release(const char *app, char **out, struct dr_err *e)
{
	return app_then_global(app, "push-on-release", "false", out, e);
}

int dr_computed_push_extra_tags(const char *app, char **out, struct dr_err *e)
{
	return app_then_global(app, "push-extra-tags", NULL, out, e);
}

int dr_tag_version(const char *app, char **out, struct dr_err *e)
{
	int rc = dr_prop_get(app, "tag-version", out, e);

	if (rc == 0)
		dr_trim(*out);
	return rc;
}
