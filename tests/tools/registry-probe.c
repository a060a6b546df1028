/* Test-only driver for core/registry: docker-login semantics against a real
 * registry, without the rest of the program.
 *
 *   registry-probe [--insecure] [--timeout-ms N] SERVER USER   < password
 *
 * Prints "ok <scheme>" (exit 0) or the error message on stderr; exit 1 other
 * errors, 2 refused credentials, 3 unreachable, 4 TLS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "registry/registry.h"

#define PASSWORD_MAX 8192

static int exit_code(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case DR_EAUTH:
		return 2;
	case DR_ENET:
		return 3;
	case DR_ETLS:
		return 4;
	default:
		return 1;
	}
}

int main(int argc, char **argv)
{
	struct dr_registry_opts o = { .user_agent = "dokku-registry-probe" };
	struct dr_registry *r = NULL;
	struct dr_buf pw = { 0 };
	struct dr_err e = { 0 };
	int i = 1, rc;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--insecure") == 0)
			o.insecure = 1;
		else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc)
			o.timeout_ms = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: registry-probe [--insecure] [--timeout-ms N] SERVER USER"
			" < password\n");
		return 1;
	}
	dr_secmem_no_dumps();
	dr_secmem_hook_jansson();
	rc = dr_registry_global_init(&e);
	if (rc == 0)
		rc = dr_read_all(STDIN_FILENO, PASSWORD_MAX, &pw, &e);
	/* like `docker login --password-stdin`: trailing newline(s) dropped */
	while (rc == 0 && pw.len > 0 && strchr("\r\n", pw.data[pw.len - 1]))
		pw.data[--pw.len] = '\0';
	if (rc == 0)
		rc = dr_registry_open(&r, argv[i], &o, &e);
	if (rc == 0)
		rc = dr_registry_set_credentials(r, argv[i + 1], pw.data, &e);
	dr_buf_wipe(&pw);
	if (rc == 0)
		rc = dr_registry_check_login(r, &e);
	if (rc == 0)
		printf("ok %s\n", dr_registry_scheme(r));
	else
		fprintf(stderr, "%s\n", e.msg);
	dr_registry_close(r);
	dr_registry_global_cleanup();
	return exit_code(rc);
}
