#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* the invariants every operation must keep */
static void assert_sane(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
	if (b->alloc)
		assert_true(b->len < b->alloc);
	else
		assert_ptr_equal(b->s, buf_empty);
	if (b->max)
		assert_true(b->len <= b->max);
}

static void test_init_and_release(void **state)
{
	struct buf b = BUF_INIT;

	assert_sane(&b);
	assert_int_equal(b.len, 0);
	buf_addstr(&b, "hello");
	assert_sane(&b);
	buf_release(&b);
	assert_sane(&b);
	assert_int_equal(b.len, 0);
	buf_init(&b, 10);
	assert_int_equal(b.max, 10);
	assert_sane(&b);
}

static void test_add_grows(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < 1000; i++) {
		assert_int_equal(buf_addch(&b, 'a' + i % 26), 0);
		assert_sane(&b);
	}
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.s[26], 'a');
	assert_int_equal(buf_add(&b, "xyz", 0), 0);
	assert_int_equal(b.len, 1000);
	buf_release(&b);
}

static void test_addf(void **state)
{
	struct buf b = BUF_INIT;

	assert_int_equal(buf_addf(&b, "%s=%d", "n", 42), 0);
	assert_string_equal(b.s, "n=42");
	assert_int_equal(buf_addf(&b, "%0300d", 7), 0);
	assert_int_equal(b.len, 304);
	assert_sane(&b);
	buf_release(&b);
}

static void test_limit(void **state)
{
	struct buf b;

	buf_init(&b, 8);
	assert_int_equal(buf_addstr(&b, "12345678"), 0);
	assert_false(b.toobig);
	assert_int_equal(buf_addch(&b, '9'), -1);
	assert_true(b.toobig);
	assert_string_equal(b.s, "12345678");
	assert_int_equal(buf_addf(&b, "%d", 1), -1);
	assert_sane(&b);
	buf_reset(&b);
	assert_false(b.toobig);
	assert_int_equal(buf_addf(&b, "%s", "123456789"), -1);
	assert_int_equal(b.len, 0);
	assert_sane(&b);
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	buf_addstr(&b, "abc");
	s = buf_detach(&b);
	assert_string_equal(s, "abc");
	assert_sane(&b);
	assert_int_equal(b.len, 0);
	free(s);
}

static void test_sanitized(void **state)
{
	struct buf b = BUF_INIT;

	buf_addsanitized(&b, "a\033[31mb\r\nc\x7f" "d\xc2\x9b" "e é");
	assert_string_equal(b.s, "a?[31mb??c?d?e é");
	assert_sane(&b);
	buf_release(&b);
}

static void test_setlen_rtrim(void **state)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "abc \t\r\n");
	buf_rtrim(&b);
	assert_string_equal(b.s, "abc");
	buf_setlen(&b, 1);
	assert_string_equal(b.s, "a");
	buf_setlen(&b, 5);
	assert_string_equal(b.s, "a");
	assert_sane(&b);
	buf_release(&b);
	buf_rtrim(&b);
	assert_sane(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_release),
		cmocka_unit_test(test_add_grows),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_sanitized),
		cmocka_unit_test(test_setlen_rtrim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
