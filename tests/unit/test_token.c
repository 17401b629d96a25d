#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "token.h"

static void test_shape(void **state)
{
	struct buf t = BUF_INIT, err = BUF_INIT;
	int i;

	for (i = 0; i < 100; i++) {
		assert_int_equal(token_new(&t, &err), 0);
		assert_int_equal(t.len, TOKEN_CHARS);
		assert_true(token_valid(t.s));
		assert_null(strpbrk(t.s, "+/="));
	}
	buf_release(&t);
	buf_release(&err);
}

static void test_distinct(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, err = BUF_INIT;

	token_new(&a, &err);
	token_new(&b, &err);
	assert_string_not_equal(a.s, b.s);
	buf_release(&a);
	buf_release(&b);
	buf_release(&err);
}

static void test_valid(void **state)
{
	assert_true(token_valid("AAAAAAAAAAAAAAAAAAAAAA"));
	assert_true(token_valid("abc-_09zZabc-_09zZabcd"));
	assert_false(token_valid(""));
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAAA"));
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAAA="));
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAAA/"));
	assert_false(token_valid("' OR 1=1 --AAAAAAAAAAA"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
