#include "setup/setup.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "base/exec.h"

#ifndef DR_PKGDATADIR
#define DR_PKGDATADIR "/usr/share/dokku-registry"
#endif

#define CHILD_TIMEOUT_MS 120000u
#define SYSTEMCTL_TIMEOUT_MS 30000u

static int find_user(struct dr_setup *s, const char *name, struct dr_err *e)
{
	struct passwd *pw = NULL;

	if (s->root[0]) {
		char path[4200];
		FILE *f;

		snprintf(path, sizeof(path), "%s/etc/passwd", s->root);
		f = fopen(path, "re");
		if (!f)
			return dr_fail(e, DR_ENOTFOUND, "cannot read %s: %s", path, strerror(errno));
		while ((pw = fgetpwent(f)) != NULL && strcmp(pw->pw_name, name) != 0)
			;
		if (pw) {
			s->uid = pw->pw_uid;
			s->gid = pw->pw_gid;
			snprintf(s->home, sizeof(s->home), "%s%s", s->root, pw->pw_dir);
		}
		fclose(f);
	} else {
		pw = getpwnam(name);
		if (pw) {
			s->uid = pw->pw_uid;
			s->gid = pw->pw_gid;
			snprintf(s->home, sizeof(s->home), "%s", pw->pw_dir);
		}
	}
	if (!pw)
		return dr_fail(e, DR_ENOTFOUND,
			       "there is no user %s (install Dokku first, or set DOKKU_SYSTEM_USER)", name);
	snprintf(s->user, sizeof(s->user), "%s", name);
	return 0;
}

int dr_setup_init(struct dr_setup *s, struct dr_err *e)
{
	const char *name = getenv("DOKKU_SYSTEM_USER");
	const char *r = s->root ? s->root : "", *data;
	char sysd[4200];
	int rc;

	s->root = r;
	rc = find_user(s, name && *name ? name : "dokku", e);
	if (rc)
		return rc;
	snprintf(s->etc_dir, sizeof(s->etc_dir), "%s/etc/dokku-registry", r);
	snprintf(s->pw_file, sizeof(s->pw_file), "%s/keyring-password", s->etc_dir);
	snprintf(s->cred_file, sizeof(s->cred_file), "%s/keyring-password.cred", s->etc_dir);
	snprintf(s->dropin_dir, sizeof(s->dropin_dir), "%s/etc/systemd/system/%s.d", r, DR_SETUP_UNIT);
	snprintf(s->dropin, sizeof(s->dropin), "%s/50-sealed-password.conf", s->dropin_dir);
	snprintf(s->run_dir, sizeof(s->run_dir), "%s/run/dokku-keyring", r);
	snprintf(s->ready, sizeof(s->ready), "%s/ready", s->run_dir);
	snprintf(s->bus, sizeof(s->bus), "unix:path=%s/bus", s->run_dir);
	snprintf(s->keyring_file, sizeof(s->keyring_file), "%s/.local/share/keyrings/login.keyring",
		 s->home);
	snprintf(s->helper_cfg, sizeof(s->helper_cfg),
		 "%s/.config/docker-credential-dokku/config.json", s->home);
	snprintf(s->lib_root, sizeof(s->lib_root), "%s/var/lib/dokku", r);
	snprintf(s->plugin_link, sizeof(s->plugin_link), "%s/plugins/available/registry", s->lib_root);
	snprintf(s->core_plugin, sizeof(s->core_plugin), "%s/core-plugins/available/registry",
		 s->lib_root);
	/* the package's data dir, as installed (an override for other layouts) */
	data = getenv("DOKKU_REGISTRY_PKGDATADIR");
	snprintf(s->shim_dir, sizeof(s->shim_dir), "%s%s/dokku-plugin", r,
		 data && data[0] == '/' ? data : DR_PKGDATADIR);
	snprintf(s->guard_dir, sizeof(s->guard_dir), "%s%s/dokku-plugin-guard", r,
		 data && data[0] == '/' ? data : DR_PKGDATADIR);
	snprintf(s->guard_link, sizeof(s->guard_link), "%s/plugins/available/registry-guard",
		 s->lib_root);
	snprintf(s->guard_enabled, sizeof(s->guard_enabled), "%s/plugins/enabled/registry-guard",
		 s->lib_root);
	snprintf(sysd, sizeof(sysd), "%s/run/systemd/system", r);
	s->have_systemd = dr_is_dir(sysd);
	/* what core's Dokku code (apps, properties) and the children read */
	setenv("DOKKU_ROOT", s->home, 1);
	setenv("DOKKU_LIB_ROOT", s->lib_root, 1);
	return 0;
}

void dr_setup_say(const struct dr_setup *s, const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("-----> %s%s: ", s->dry_run ? "(dry run) " : "", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* argv of a child with the given program and arguments (NULL-terminated) */
static const char **build_argv(const char *const *pre, size_t npre, const char *prog,
			       const char *const *args)
{
	size_t n = 0, k = 0;
	const char **argv;

	while (args[n])
		n++;
	argv = calloc(npre + n + 2, sizeof(*argv));
	if (!argv)
		return NULL;
	for (size_t i = 0; i < npre; i++)
		argv[k++] = pre[i];
	argv[k++] = prog;
	for (size_t i = 0; i < n; i++)
		argv[k++] = args[i];
	return argv;
}

static int run(const char *const *argv, const char *const *env_set, const char *const *env_unset,
	       unsigned timeout_ms, char **out, int *status, struct dr_err *e)
{
	struct dr_exec x = { 0 };
	struct dr_exec_result r = { 0 };
	int rc;

	x.argv = argv;
	x.env_set = env_set;
	x.env_unset = env_unset;
	x.capture_stdout = 1;
	x.capture_stderr = 1;
	x.timeout_ms = timeout_ms;
	x.own_group = 1;
	rc = dr_exec_run(&x, &r, e);
	if (rc == 0) {
		*status = r.status;
		if (out) {
			/* stdout then stderr: what the operator needs to see */
			if (asprintf(out, "%s%s", r.out.data ? r.out.data : "",
				     r.err.data ? r.err.data : "") < 0)
				*out = NULL;
		}
	}
	dr_exec_result_free(&r);
	return rc;
}

int dr_setup_run_self(const struct dr_setup *s, const char *const *args, char **out, int *status,
		      struct dr_err *e)
{
	char reuid[32], regid[32], home[4200], user[80], logname[80], droot[4200], dlib[4200];
	const char *pre[] = { "setpriv", reuid, regid, s->root[0] ? "--clear-groups" : "--init-groups",
			      "--" };
	const char *env_set[] = { home, user, logname, droot, dlib, NULL };
	/* the dokku user's own settings, not root's */
	const char *env_unset[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
				    "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "DOCKER_CONFIG",
				    "DOCKER_CREDENTIAL_DOKKU_CONFIG", NULL };
	int as_self = s->uid == geteuid();
	const char **argv;
	int rc;

	snprintf(reuid, sizeof(reuid), "--reuid=%u", (unsigned)s->uid);
	snprintf(regid, sizeof(regid), "--regid=%u", (unsigned)s->gid);
	snprintf(home, sizeof(home), "HOME=%s", s->home);
	snprintf(user, sizeof(user), "USER=%s", s->user);
	snprintf(logname, sizeof(logname), "LOGNAME=%s", s->user);
	snprintf(droot, sizeof(droot), "DOKKU_ROOT=%s", s->home);
	snprintf(dlib, sizeof(dlib), "DOKKU_LIB_ROOT=%s", s->lib_root);
	argv = build_argv(pre, as_self ? 0 : sizeof(pre) / sizeof(pre[0]), s->self, args);
	if (!argv)
		return dr_oom(e);
	rc = run(argv, env_set, env_unset, CHILD_TIMEOUT_MS, out, status, e);
	free(argv);
	return rc;
}

int dr_setup_systemctl(const struct dr_setup *s, const char *const *args, int *status,
		       char **out, struct dr_err *e)
{
	const char **argv = build_argv(NULL, 0, "systemctl", args);
	int rc;

	(void)s;
	if (!argv)
		return dr_oom(e);
	rc = run(argv, NULL, NULL, SYSTEMCTL_TIMEOUT_MS, out, status, e);
	free(argv);
	if (rc == DR_ENOTFOUND)
		return dr_fail(e, rc, "systemctl is not installed");
	return rc;
}

int dr_setup_chown(const struct dr_setup *s, const char *path, struct dr_err *e)
{
	if (lchown(path, s->uid, s->gid) != 0)
		return dr_fail(e, DR_EIO, "cannot give %s to %s: %s", path, s->user, strerror(errno));
	return 0;
}
