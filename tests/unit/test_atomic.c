#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

static char dir[] = "/tmp/nd-atomic-XXXXXX";
static char path[256];

static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void slurp(char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_commit_replaces(void **state)
{
	struct atomic_file af;
	struct buf err = BUF_INIT;
	struct stat st;
	char text[64];

	assert_int_equal(atomic_open(&af, path, 0600, &err), 0);
	fputs("first\n", af.f);
	assert_int_equal(atomic_commit(&af, &err), 0);
	slurp(text, sizeof(text));
	assert_string_equal(text, "first\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(atomic_open(&af, path, 0644, &err), 0);
	fputs("second\n", af.f);
	/* until commit, the old file is intact */
	slurp(text, sizeof(text));
	assert_string_equal(text, "first\n");
	assert_int_equal(atomic_commit(&af, &err), 0);
	slurp(text, sizeof(text));
	assert_string_equal(text, "second\n");
	assert_int_equal(count_entries(), 1);
	atomic_abort(&af);
	buf_release(&err);
}

static void test_abort_leaves_nothing(void **state)
{
	struct atomic_file af;
	struct buf err = BUF_INIT;
	char text[64];

	assert_int_equal(atomic_open(&af, path, 0600, &err), 0);
	fputs("never\n", af.f);
	atomic_abort(&af);
	slurp(text, sizeof(text));
	assert_string_equal(text, "second\n");
	assert_int_equal(count_entries(), 1);
	buf_release(&err);
}

static void test_open_fails(void **state)
{
	struct atomic_file af;
	struct buf err = BUF_INIT;

	assert_int_equal(atomic_open(&af, "/nonexistent/dir/file", 0600, &err), -1);
	assert_non_null(strstr(err.s, "cannot write '/nonexistent/dir/file'"));
	atomic_abort(&af);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_replaces),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_open_fails),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
