#include "dokku/apps.h"

#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomicfile.h"

const char *dr_dokku_root(void)
{
	static char root[4096];
	const char *env;
	struct passwd *pw;

	if (root[0])
		return root;
	env = getenv("DOKKU_ROOT");
	pw = getpwnam("dokku");
	if (env && env[0])
		snprintf(root, sizeof(root), "%s", env);
	else if (pw && pw->pw_dir)
		snprintf(root, sizeof(root), "%s", pw->pw_dir);
	else
		snprintf(root, sizeof(root), "/home/dokku");
	return root;
}

/* Dokku's VerifyAppName accepts the new rule ^[a-z0-9][a-z0-9.-]*$ or the
 * old one, which also allowed "_" after the first character, so apps
 * created before the change keep working. */
int dr_app_name_valid(const char *app)
{
	if (!((app[0] >= 'a' && app[0] <= 'z') || (app[0] >= '0' && app[0] <= '9')))
		return 0;
	for (const char *p = app + 1; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '-' || *p == '_'))
			return 0;
	}
	return 1;
}

/* Dokku's app listing skips names whose first byte, read as a code point
 * (Go's rune(name[0])), is upper case: A-Z and Latin-1's upper-case
 * letters U+00C0-U+00DE except the multiplication sign. */
static int starts_upper(const char *name)
{
	unsigned char c = (unsigned char)name[0];

	return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
}

int dr_app_verify(const char *app, struct dr_err *e)
{
	char *path;
	int exists;

	if (!app || !app[0])
		return dr_fail(e, DR_EINVAL, "Please specify an app to run the command on");
	if (!dr_app_name_valid(app))
		return dr_fail(e, DR_EINVAL,
			       "App name must begin with lowercase alphanumeric character, and may only contain lowercase alphanumerics, dots, and hyphens");
	if (asprintf(&path, "%s/%s", dr_dokku_root(), app) < 0)
		return dr_oom(e);
	exists = dr_is_dir(path);
	free(path);
	if (!exists)
		return dr_fail(e, DR_ENOAPP, "App %s does not exist", app);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dr_apps_list(char ***apps, size_t *n, struct dr_err *e)
{
	DIR *d = opendir(dr_dokku_root());
	struct dirent *ent;
	char **v = NULL;
	size_t count = 0;

	*apps = NULL;
	*n = 0;
	if (!d)
		return 0; /* no DOKKU_ROOT: no apps */
	for (ent = readdir(d); ent; ent = readdir(d)) {
		char **nv, *path;
		int is_dir;

		if (ent->d_name[0] == '.' || starts_upper(ent->d_name))
			continue;
		if (asprintf(&path, "%s/%s", dr_dokku_root(), ent->d_name) < 0)
			continue;
		is_dir = dr_is_dir(path);
		free(path);
		if (!is_dir)
			continue;
		nv = realloc(v, (count + 1) * sizeof(char *));
		if (nv)
			nv[count] = strdup(ent->d_name);
		if (!nv || !nv[count]) {
			closedir(d);
			dr_apps_free(nv ? nv : v, count);
			return dr_oom(e);
		}
		v = nv;
		count++;
	}
	closedir(d);
	if (count > 1)
		qsort(v, count, sizeof(char *), by_name);
	*apps = v;
	*n = count;
	return 0;
}

void dr_apps_free(char **apps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(apps[i]);
	free(apps);
}
