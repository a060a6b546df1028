/* Secrets sealed with the real systemd-creds (core/setup/sealedcred.c),
 * with SYSTEMD_CREDENTIAL_SECRET pointing at a scratch host key so the
 * machine's own key is neither used nor created. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "setup/sealedcred.h"
#include "unit.h"

static char dir[64];
static char *saved_secret;

static void setup(void)
{
	char key[128];
	const char *old = getenv("SYSTEMD_CREDENTIAL_SECRET");

	snprintf(dir, sizeof(dir), "/tmp/dr-unit-sealed.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	saved_secret = old ? strdup(old) : NULL;
	snprintf(key, sizeof(key), "%s/host.key", dir);
	setenv("SYSTEMD_CREDENTIAL_SECRET", key, 1);
}

static void teardown(void)
{
	char cmd[128];

	if (saved_secret)
		setenv("SYSTEMD_CREDENTIAL_SECRET", saved_secret, 1);
	else
		unsetenv("SYSTEMD_CREDENTIAL_SECRET");
	free(saved_secret);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_version_and_available)
{
	/* Debian 12 ships systemd 252; deps.sh installs it */
	ck_assert_int_ge(dr_sealed_systemd_version(), 250);
	ck_assert_int_eq(dr_sealed_available(), 1);
}
END_TEST

START_TEST(test_round_trip)
{
	static const char secret[] = "keyring-pass\0with nul";
	struct dr_buf out = { 0 };
	struct dr_err e = { 0 };
	struct stat st;
	char path[128];
	FILE *f;
	char head[64] = { 0 };

	snprintf(path, sizeof(path), "%s/keyring.cred", dir);
	ck_assert_msg(dr_sealed_encrypt("dokku-keyring", secret, sizeof(secret) - 1, 0, path, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	/* the file holds no plaintext */
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(head, 1, sizeof(head) - 1, f), 0);
	fclose(f);
	ck_assert_ptr_null(memmem(head, sizeof(head), "keyring-pass", 12));
	/* only the host key and the credential: no temp file left */
	ck_assert_int_eq(entries(), 2);
	ck_assert_msg(dr_sealed_decrypt("dokku-keyring", path, &out, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(out.len, sizeof(secret) - 1);
	ck_assert_mem_eq(out.data, secret, sizeof(secret) - 1);
	dr_buf_wipe(&out);
}
END_TEST

START_TEST(test_replace_is_atomic)
{
	struct dr_buf out = { 0 };
	struct dr_err e = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/c", dir);
	ck_assert_int_eq(dr_sealed_encrypt("n", "one", 3, 0, path, &e), 0);
	ck_assert_int_eq(dr_sealed_encrypt("n", "second", 6, 0, path, &e), 0);
	ck_assert_int_eq(entries(), 2);
	ck_assert_int_eq(dr_sealed_decrypt("n", path, &out, &e), 0);
	ck_assert_str_eq(out.data, "second");
	dr_buf_wipe(&out);
}
END_TEST

START_TEST(test_wrong_name)
{
	struct dr_buf out = { 0 };
	struct dr_err e = { 0 };
	char path[128], want[256];

	snprintf(path, sizeof(path), "%s/c", dir);
	ck_assert_int_eq(dr_sealed_encrypt("right", "s", 1, 0, path, &e), 0);
	ck_assert_int_eq(dr_sealed_decrypt("wrong", path, &out, &e), DR_EIO);
	snprintf(want, sizeof(want), "systemd-creds cannot open %s: ", path);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(e.msg, "does not match"));
	ck_assert_ptr_null(out.data);
}
END_TEST

START_TEST(test_missing_file_and_dir)
{
	struct dr_buf out = { 0 };
	struct dr_err e = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/absent", dir);
	ck_assert_int_eq(dr_sealed_decrypt("n", path, &out, &e), DR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "systemd-creds cannot open "));
	ck_assert_ptr_null(out.data);
	snprintf(path, sizeof(path), "%s/no/dir/c", dir);
	ck_assert_int_eq(dr_sealed_encrypt("n", "s", 1, 0, path, &e), DR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot create a file next to "));
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file or directory"));
}
END_TEST

Suite *sealedcred_suite(void)
{
	Suite *s = suite_create("sealedcred");
	TCase *tc = tcase_create("sealedcred");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_version_and_available);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_replace_is_atomic);
	tcase_add_test(tc, test_wrong_name);
	tcase_add_test(tc, test_missing_file_and_dir);
	suite_add_tcase(s, tc);
	return s;
}
