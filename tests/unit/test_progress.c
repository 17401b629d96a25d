#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "progress.h"

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* not a terminal: a plain line at 25, 50 and 75%, nothing else */
static void test_plain_lines(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	uint64_t i;

	log_set_level(LOG_NORMAL);
	progress_start(&p, out, "importing", "rows", 1000, 10);
	for (i = 0; i <= 1000; i++)
		progress_update(&p, i);
	progress_finish(&p);
	fclose(out);
	assert_int_equal(count_lines(text), 3);
	assert_non_null(strstr(text, "importing: 25% (250/1000 rows)"));
	assert_non_null(strstr(text, "importing: 75%"));
	assert_null(strchr(text, '\r'));
	free(text);
}

static void test_quiet_and_threshold(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	log_set_level(LOG_QUIET);
	progress_start(&p, out, "importing", "rows", 1000, 10);
	progress_update(&p, 600);
	progress_finish(&p);
	log_set_level(LOG_NORMAL);
	progress_start(&p, out, "importing", "rows", 5, 10);
	progress_update(&p, 4);
	progress_finish(&p);
	progress_start(&p, out, "importing", "rows", 0, 0);
	progress_update(&p, 4);
	progress_finish(&p);
	fclose(out);
	assert_int_equal(size, 0);
	free(text);
}

static void test_clamps(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	log_set_level(LOG_NORMAL);
	progress_start(&p, out, "x", "bytes", 100, 1);
	progress_update(&p, 1000);
	assert_int_equal(p.done, 100);
	progress_finish(&p);
	fclose(out);
	free(text);
}

/* clearing draws nothing when there is no bar (not a terminal) */
static void test_clear_without_bar(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	log_set_level(LOG_NORMAL);
	progress_start(&p, out, "x", "feeds", 8, 1);
	progress_update(&p, 1);
	progress_clear(&p);
	progress_finish(&p);
	fclose(out);
	assert_int_equal(size, 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_lines),
		cmocka_unit_test(test_quiet_and_threshold),
		cmocka_unit_test(test_clamps),
		cmocka_unit_test(test_clear_without_bar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
