#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

static char dir[] = "/tmp/nd-secret-XXXXXX";
static char path[256];

static void write_secret(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/secret", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_file_ok(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	write_secret("hunter2\n", 0600);
	assert_int_equal(secret_check_file(path, &err), 0);
	assert_int_equal(secret_read(path, NULL, &out, &err), 1);
	assert_string_equal(out.s, "hunter2");
	write_secret("with space\r\n", 0400);
	assert_int_equal(secret_read(path, "IGNORED", &out, &err), 1);
	assert_string_equal(out.s, "with space");
	buf_release(&out);
	buf_release(&err);
}

static void test_file_too_open(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	write_secret("hunter2\n", 0640);
	assert_int_equal(secret_check_file(path, &err), -1);
	assert_non_null(strstr(err.s, "chmod 600"));
	buf_reset(&err);
	assert_int_equal(secret_read(path, NULL, &out, &err), -1);
	assert_non_null(strstr(err.s, "group or others"));
	assert_int_equal(out.len, 0);
	write_secret("hunter2\n", 0604);
	buf_reset(&err);
	assert_int_equal(secret_check_file(path, &err), -1);
	buf_release(&out);
	buf_release(&err);
}

static void test_missing_and_not_regular(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	assert_int_equal(secret_check_file("/nonexistent/secret", &err), -1);
	assert_non_null(strstr(err.s, "/nonexistent/secret"));
	buf_reset(&err);
	assert_int_equal(secret_check_file(dir, &err), -1);
	assert_non_null(strstr(err.s, "not a regular file"));
	buf_reset(&err);
	assert_int_equal(secret_read("/nonexistent/secret", NULL, &out, &err), -1);
	buf_release(&out);
	buf_release(&err);
}

static void test_too_large(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *big = malloc(SECRET_MAX + 2);

	memset(big, 'x', SECRET_MAX + 1);
	big[SECRET_MAX + 1] = '\0';
	write_secret(big, 0600);
	assert_int_equal(secret_read(path, NULL, &out, &err), -1);
	assert_non_null(strstr(err.s, "larger than"));
	assert_int_equal(out.len, 0);
	free(big);
	buf_release(&out);
	buf_release(&err);
}

static void test_env(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	setenv("ND_TEST_SECRET", "s3cret", 1);
	assert_int_equal(secret_read("", "ND_TEST_SECRET", &out, &err), 1);
	assert_string_equal(out.s, "s3cret");
	unsetenv("ND_TEST_SECRET");
	assert_int_equal(secret_read(NULL, "ND_TEST_SECRET", &out, &err), -1);
	assert_non_null(strstr(err.s, "ND_TEST_SECRET"));
	assert_int_equal(secret_read(NULL, NULL, &out, &err), 0);
	assert_int_equal(secret_read("", "", &out, &err), 0);
	buf_release(&out);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_ok),
		cmocka_unit_test(test_file_too_open),
		cmocka_unit_test(test_missing_and_not_regular),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_env),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
