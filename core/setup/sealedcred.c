#include "setup/sealedcred.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/exec.h"
#include "base/text.h"

#define CREDS "systemd-creds"
#define CREDS_TIMEOUT_MS 30000u
#define SEALED_LIMIT (1024 * 1024)

/* Runs systemd-creds with argv, input on stdin; stdout captured. */
static int run_creds(const char *const *argv, const void *in, size_t len,
		     struct dr_exec_result *r, struct dr_err *e)
{
	struct dr_exec x = { 0 };

	x.argv = argv;
	x.input = in;
	x.input_len = len;
	x.capture_stdout = 1;
	x.capture_stderr = 1;
	x.output_limit = SEALED_LIMIT;
	x.timeout_ms = CREDS_TIMEOUT_MS;
	x.own_group = 1;
	return dr_exec_run(&x, r, e);
}

/* The first line systemd-creds wrote on stderr that is not its note about
 * the host key not being on encrypted media, for error messages. */
static const char *first_err_line(struct dr_exec_result *r)
{
	char *line = r->err.data;

	while (line && *line) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strstr(line, "using anyway"))
			return line;
		line = nl ? nl + 1 : NULL;
	}
	return "no message";
}

int dr_sealed_systemd_version(void)
{
	const char *argv[] = { CREDS, "--version", NULL };
	struct dr_exec_result r = { 0 };
	int v = 0;

	if (run_creds(argv, NULL, 0, &r, NULL) == 0 && r.status == 0 && r.out.data &&
	    sscanf(r.out.data, "systemd %d", &v) != 1)
		v = 0;
	dr_exec_result_free(&r);
	return v;
}

int dr_sealed_available(void)
{
	return dr_sealed_systemd_version() >= 250;
}

int dr_sealed_has_tpm2(void)
{
	const char *argv[] = { CREDS, "has-tpm2", "--quiet", NULL };
	struct dr_exec_result r = { 0 };
	int yes = run_creds(argv, NULL, 0, &r, NULL) == 0 && r.status == 0;

	dr_exec_result_free(&r);
	return yes;
}

int dr_sealed_encrypt(const char *name, const void *secret, size_t len, int tpm2,
		      const char *path, struct dr_err *e)
{
	char *tmp = NULL, namearg[300];
	const char *argv[] = { CREDS, "encrypt", namearg, tpm2 ? "--with-key=host+tpm2" : "--with-key=host",
			       "-", NULL, NULL };
	struct dr_exec_result r = { 0 };
	int rc, fd;

	snprintf(namearg, sizeof(namearg), "--name=%s", name);
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return dr_oom(e);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = dr_fail(e, DR_EIO, "cannot create a file next to %s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	close(fd);
	argv[5] = tmp;
	rc = run_creds(argv, secret, len, &r, e);
	if (rc == 0 && r.status != 0)
		rc = dr_fail(e, DR_EIO, "systemd-creds encrypt failed: %s", first_err_line(&r));
	if (rc == 0) {
		/* systemd-creds writes the file itself: make it durable and 0600 */
		fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0)
			rc = dr_fail(e, DR_EIO, "cannot sync %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (rc == 0 && rename(tmp, path) != 0)
		rc = dr_fail(e, DR_EIO, "cannot rename to %s: %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	dr_exec_result_free(&r);
	free(tmp);
	return rc;
}

int dr_sealed_decrypt(const char *name, const char *path, struct dr_buf *out, struct dr_err *e)
{
	char namearg[300];
	const char *argv[] = { CREDS, "decrypt", namearg, path, "-", NULL };
	struct dr_exec_result r = { 0 };
	int rc;

	snprintf(namearg, sizeof(namearg), "--name=%s", name);
	rc = run_creds(argv, NULL, 0, &r, e);
	if (rc == 0 && r.status != 0)
		rc = dr_fail(e, DR_EIO, "systemd-creds cannot open %s: %s", path, first_err_line(&r));
	if (rc == 0) {
		*out = r.out;
		memset(&r.out, 0, sizeof(r.out));
	}
	dr_exec_result_free(&r);
	return rc;
}
