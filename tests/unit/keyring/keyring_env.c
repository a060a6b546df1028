#include "keyring_env.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keyring/keyring.h"

static char dir[64];
static char bus_addr[192];
static const char *saved_names[] = { "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "HOME",
				     "XDG_DATA_HOME", NULL };
static char *saved_values[8];

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

const char *kenv_dir(void)
{
	return dir;
}

const char *kenv_bus_address(void)
{
	return bus_addr;
}

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void write_pid(const char *name, pid_t pid)
{
	char path[128];
	FILE *f;

	path_in(path, sizeof(path), name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
}

static int read_pid(const char *name)
{
	char path[128];
	FILE *f;
	int pid = 0;

	path_in(path, sizeof(path), name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

/* Exit status of a command run without a shell, stdout to out (may be NULL). */
static int run(const char *const argv[], char *out, size_t outsz)
{
	int fds[2];
	pid_t pid;
	int status;
	size_t got = 0;
	ssize_t n;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(null, 2);
		close(fds[0]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (out && got + 1 < outsz && (n = read(fds[0], out + got, outsz - 1 - got)) > 0)
		got += (size_t)n;
	if (out)
		out[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int gdbus_call(const char *path, const char *method, const char *a1, const char *a2,
		      char *out, size_t outsz)
{
	const char *argv[] = { "gdbus", "call", "--session", "--timeout", "3", "--dest",
			       "org.freedesktop.secrets", "--object-path", path, "--method",
			       method, a1, a2, NULL };

	return run(argv, out, outsz);
}

static int secrets_owned(void)
{
	char out[256];
	const char *argv[] = { "gdbus", "call", "--session", "--timeout", "2", "--dest",
			       "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
			       "--method", "org.freedesktop.DBus.NameHasOwner",
			       "org.freedesktop.secrets", NULL };

	return run(argv, out, sizeof(out)) == 0 && strstr(out, "true") != NULL;
}

static int login_unlocked(void)
{
	char out[256];

	if (gdbus_call("/org/freedesktop/secrets/collection/login",
		       "org.freedesktop.DBus.Properties.Get", "org.freedesktop.Secret.Collection",
		       "Locked", out, sizeof(out)) != 0)
		return 0;
	return strstr(out, "false") != NULL;
}

int kenv_keyring_pid(void)
{
	return read_pid("keyring.pid");
}

int kenv_keyring_start(void)
{
	int in[2];
	pid_t pid;
	char log[128];

	path_in(log, sizeof(log), "keyring.log");
	if (pipe(in) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(in[0], 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(in[1]);
		setsid();
		execlp("gnome-keyring-daemon", "gnome-keyring-daemon", "--foreground", "--unlock",
		       "--components=secrets", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	if (write(in[1], KENV_PASSWORD, strlen(KENV_PASSWORD)) < 0)
		return -1;
	close(in[1]);
	write_pid("keyring.pid", pid);
	/* up to 10 s: under valgrind on a loaded machine it takes a while */
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		if (secrets_owned() && login_unlocked())
			return 0;
		nap_ms(50);
	}
	return -1;
}

/* Gone, or a zombie of another process. */
static int dead(int pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 0 || state == 'Z' || state == 'X';
}

/* The keyring may have been started by a forked test: not our child then. */
static void reap_or_wait(int pid)
{
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid || dead(pid))
			return;
		nap_ms(10);
	}
}

void kenv_keyring_stop(void)
{
	int pid = kenv_keyring_pid();

	if (pid > 0) {
		kill(pid, SIGKILL);
		reap_or_wait(pid);
	}
	write_pid("keyring.pid", 0);
	for (int i = 0; i < 100 && secrets_owned(); i++)
		nap_ms(20);
}

void kenv_keyring_stall(void)
{
	int pid = kenv_keyring_pid();

	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
}

int kenv_keyring_lock(void)
{
	char out[256];

	if (gdbus_call("/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
		       "['/org/freedesktop/secrets/collection/login']", NULL, out,
		       sizeof(out)) != 0)
		return -1;
	return login_unlocked() ? -1 : 0;
}

int kenv_count_items(const char *name, const char *value)
{
	char out[8192], arg[512];
	int n = 0;

	snprintf(arg, sizeof(arg), "{'xdg:schema': 'io.docker.Credentials', '%s': '%s'}", name,
		 value);
	if (gdbus_call("/org/freedesktop/secrets", "org.freedesktop.Secret.Service.SearchItems",
		       arg, NULL, out, sizeof(out)) != 0)
		return -1;
	/* "([objectpath '/…/login/1', …], @ao [])": unlocked hits come first */
	for (const char *p = out; (p = strstr(p, "/collection/")); p++) {
		const char *close = strchr(out, ']');

		if (close && p > close)
			break;
		n++;
	}
	return n;
}

static void start_bus(void)
{
	char conf[128], sock[128], runtime[128];
	FILE *f;
	pid_t pid;

	path_in(conf, sizeof(conf), "bus.conf");
	path_in(runtime, sizeof(runtime), "run");
	path_in(sock, sizeof(sock), "run/bus");
	ck_assert_int_eq(mkdir(runtime, 0700), 0);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		"<busconfig><type>session</type><keep_umask/>\n"
		"<listen>unix:path=%s</listen><auth>EXTERNAL</auth>\n"
		"<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
		"<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
		sock);
	fclose(f);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		char arg[160];

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2); /* it complains about the fd limit when not root */
		setsid();
		snprintf(arg, sizeof(arg), "--config-file=%s", conf);
		execlp("dbus-daemon", "dbus-daemon", "--nofork", arg, (char *)NULL);
		_exit(127);
	}
	write_pid("bus.pid", pid);
	snprintf(bus_addr, sizeof(bus_addr), "unix:path=%s", sock);
	for (int i = 0; i < 200; i++) {
		struct stat st;

		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return;
		nap_ms(10);
	}
	ck_abort_msg("dbus-daemon did not listen on %s", sock);
}

void kenv_setup(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/dr-unit-keyring.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (int i = 0; saved_names[i]; i++) {
		const char *v = getenv(saved_names[i]);

		saved_values[i] = v ? strdup(v) : NULL;
	}
	start_bus();
	setenv("DBUS_SESSION_BUS_ADDRESS", bus_addr, 1);
	path_in(path, sizeof(path), "run");
	setenv("XDG_RUNTIME_DIR", path, 1);
	path_in(path, sizeof(path), "home");
	mkdir(path, 0700);
	setenv("HOME", path, 1);
	path_in(path, sizeof(path), "data");
	mkdir(path, 0700);
	setenv("XDG_DATA_HOME", path, 1);
	ck_assert_msg(kenv_keyring_start() == 0, "gnome-keyring-daemon did not come up (see %s)",
		      dir);
}

void kenv_teardown(void)
{
	int bus = read_pid("bus.pid");
	const char *argv[] = { "rm", "-rf", dir, NULL };

	kenv_keyring_stop();
	if (bus > 0) {
		kill(bus, SIGTERM);
		reap_or_wait(bus);
	}
	for (int i = 0; saved_names[i]; i++) {
		if (saved_values[i])
			setenv(saved_names[i], saved_values[i], 1);
		else
			unsetenv(saved_names[i]);
		free(saved_values[i]);
		saved_values[i] = NULL;
	}
	run(argv, NULL, 0);
}

void kenv_open(struct dr_keyring *kr, const char *coll)
{
	struct dr_keyring_opts o = { coll, kenv_bus_address(), DR_TRANSPORT_PLAIN, 5000 };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_keyring_open(kr, &o, &e) == 0, "%s", e.msg);
}

void kenv_store(struct dr_keyring *kr, const char *server, const char *user,
		  const char *secret, size_t len, const char *scope)
{
	struct dr_creds c = { (char *)server, (char *)user, (char *)secret, len };
	struct dr_err e = { 0 };

	ck_assert_msg(dr_keyring_store(kr, &c, scope, &e) == 0, "%s", e.msg);
}

void kenv_expect(struct dr_keyring *kr, const char *server, const char *scope,
		   const char *user, const char *secret, size_t len)
{
	struct dr_creds out;
	struct dr_err e = { 0 };

	ck_assert_msg(dr_keyring_get(kr, server, scope, &out, &e) == 0, "%s: %s", server, e.msg);
	ck_assert_ptr_null(out.server_url);
	ck_assert_str_eq(out.username, user);
	ck_assert_uint_eq(out.secret_len, len);
	ck_assert_mem_eq(out.secret, secret, len);
	dr_creds_wipe(&out);
}
