#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "csv.h"

struct csv_test {
	FILE *in;
	size_t size;
	struct csv_reader r;
	struct buf err;
};

#define FIELDS(...) ((const char *[]){ __VA_ARGS__, NULL })
#define RECORD(t, line, fields) \
	expect_record((t), (line), (fields), __FILE__, __LINE__)
#define RESULT(t, rc, msg) expect_result((t), (rc), (msg), __FILE__, __LINE__)
/* a string literal with its length, so that it may hold NUL bytes */
#define OPEN(t, lit, max_field, max_fields) \
	open_mem((t), (lit), sizeof(lit) - 1, (max_field), (max_fields))

static void open_mem(struct csv_test *t, const char *data, size_t size,
		     size_t max_field, size_t max_fields);
static void close_mem(struct csv_test *t);
static void assert_sane(struct csv_test *t, const char *file, int line);
static void expect_record(struct csv_test *t, unsigned long line,
			  const char **fields, const char *file, int at);
static void expect_result(struct csv_test *t, int rc, const char *msg,
			  const char *file, int at);

static void open_mem(struct csv_test *t, const char *data, size_t size,
		     size_t max_field, size_t max_fields)
{
	/* fmemopen() with size 0 fails; an empty stream is /dev/null */
	if (size)
		t->in = fmemopen((void *)data, size, "r");
	else
		t->in = fopen("/dev/null", "r");
	assert_non_null(t->in);
	t->size = size;
	csv_reader_init(&t->r, t->in, max_field, max_fields);
	buf_init(&t->err, 0);
}

static void close_mem(struct csv_test *t)
{
	csv_reader_release(&t->r);
	assert_null(t->r.fields);
	assert_int_equal(t->r.fields_alloc, 0);
	buf_release(&t->err);
	fclose(t->in);
}

/* What must hold after every csv_read(), whatever it returned. */
static void assert_sane(struct csv_test *t, const char *file, int line)
{
	const struct csv_reader *r = &t->r;
	size_t i;

	_assert_true(r->line >= 1, "r->line >= 1", file, line);
	_assert_true(r->line <= r->next_line, "r->line <= r->next_line", file, line);
	_assert_true(r->offset <= t->size, "r->offset <= size", file, line);
	_assert_true(r->nfields <= r->fields_alloc, "nfields <= fields_alloc",
		     file, line);
	if (r->max_fields)
		_assert_true(r->nfields <= r->max_fields, "nfields <= max_fields",
			     file, line);
	for (i = 0; i < r->nfields; i++) {
		_assert_true(r->fields[i].s != NULL, "field not NULL", file, line);
		_assert_int_equal(r->fields[i].s[r->fields[i].len], '\0', file, line);
		_assert_true(!r->fields[i].toobig, "!toobig", file, line);
		if (r->max_field)
			_assert_true(r->fields[i].len <= r->max_field,
				     "len <= max_field", file, line);
	}
}

static void expect_record(struct csv_test *t, unsigned long line,
			  const char **fields, const char *file, int at)
{
	size_t n;
	int rc;

	rc = csv_read(&t->r, &t->err);
	assert_sane(t, file, at);
	_assert_string_equal(t->err.s, "", file, at);
	_assert_int_equal(rc, CSV_RECORD, file, at);
	_assert_int_equal(t->r.line, line, file, at);
	for (n = 0; fields[n]; n++) {
		_assert_true(n < t->r.nfields, "enough fields", file, at);
		_assert_int_equal(t->r.fields[n].len, strlen(fields[n]), file, at);
		_assert_string_equal(t->r.fields[n].s, fields[n], file, at);
	}
	_assert_int_equal(t->r.nfields, n, file, at);
}

/* msg NULL: err stays empty; else err must be exactly msg, then is reset */
static void expect_result(struct csv_test *t, int rc, const char *msg,
			  const char *file, int at)
{
	int got;

	got = csv_read(&t->r, &t->err);
	assert_sane(t, file, at);
	_assert_string_equal(t->err.s, msg ? msg : "", file, at);
	_assert_int_equal(got, rc, file, at);
	if (rc != CSV_RECORD)
		_assert_int_equal(t->r.nfields, 0, file, at);
	if (rc == CSV_EOF)
		_assert_int_equal(t->r.offset, t->size, file, at);
	buf_reset(&t->err);
}

static void test_lf(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,b\nc,d\n", 0, 0);
	RECORD(&t, 1, FIELDS("a", "b"));
	assert_int_equal(t.r.offset, 4);
	assert_int_equal(t.r.next_line, 2);
	RECORD(&t, 2, FIELDS("c", "d"));
	RESULT(&t, CSV_EOF, NULL);
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_crlf(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "name,email\r\nAda,ada@example.org\r\n", 0, 0);
	RECORD(&t, 1, FIELDS("name", "email"));
	assert_int_equal(t.r.offset, 12);
	RECORD(&t, 2, FIELDS("Ada", "ada@example.org"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_lone_cr(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,b\rc,d\r", 0, 0);
	RECORD(&t, 1, FIELDS("a", "b"));
	RECORD(&t, 2, FIELDS("c", "d"));
	RESULT(&t, CSV_EOF, NULL);
	assert_int_equal(t.r.next_line, 3);
	close_mem(&t);
}

static void test_mixed_line_ends(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a\r\nb\nc\rd\n\re", 0, 0);
	RECORD(&t, 1, FIELDS("a"));
	RECORD(&t, 2, FIELDS("b"));
	RECORD(&t, 3, FIELDS("c"));
	RECORD(&t, 4, FIELDS("d"));
	/* "\n\r" is two line ends, so one blank line */
	RECORD(&t, 6, FIELDS("e"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_bom(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\xef\xbb\xbf" "a,b\nc\n", 0, 0);
	RECORD(&t, 1, FIELDS("a", "b"));
	assert_int_equal(t.r.offset, 7);
	RECORD(&t, 2, FIELDS("c"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\xef\xbb\xbf", 0, 0);
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\xef\xbb\xbf\r\n\r\n\"q\"\n", 0, 0);
	RECORD(&t, 3, FIELDS("q"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	/* only at the very start */
	OPEN(&t, "a\n\xef\xbb\xbf" "b\n", 0, 0);
	RECORD(&t, 1, FIELDS("a"));
	RECORD(&t, 2, FIELDS("\xef\xbb\xbf" "b"));
	close_mem(&t);

	/* the bytes of a partial BOM are data */
	OPEN(&t, "\xef\xbbx,y\n", 0, 0);
	RECORD(&t, 1, FIELDS("\xef\xbbx", "y"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\xef,\xbb\n", 0, 0);
	RECORD(&t, 1, FIELDS("\xef", "\xbb"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\xef\xbb", 0, 0);
	RECORD(&t, 1, FIELDS("\xef\xbb"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\xef\n", 0, 0);
	RECORD(&t, 1, FIELDS("\xef"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\xef\"a\"\nb\n", 0, 0);
	RESULT(&t, CSV_BADROW, "line 1: field 1: quote inside an unquoted field "
	       "(quote the whole field and double the quote)");
	RECORD(&t, 2, FIELDS("b"));
	close_mem(&t);

	OPEN(&t, "\xef\xbbx", 1, 0);
	RESULT(&t, CSV_FATAL, "line 1: field longer than 1 bytes (an unterminated quote?)");
	close_mem(&t);
}

static void test_quoted(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\"a,b\",c\n"
		 "\"say \"\"hi\"\"\"\n"
		 "\"\"\n"
		 "\"\",\"\"\n"
		 "\"\"\"\"\n"
		 "x,\"y\"\n"
		 "\" padded \"\n", 0, 0);
	RECORD(&t, 1, FIELDS("a,b", "c"));
	RECORD(&t, 2, FIELDS("say \"hi\""));
	RECORD(&t, 3, FIELDS(""));
	RECORD(&t, 4, FIELDS("", ""));
	RECORD(&t, 5, FIELDS("\""));
	RECORD(&t, 6, FIELDS("x", "y"));
	RECORD(&t, 7, FIELDS(" padded "));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_line_break_in_quotes(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\"line1\nline2\",x\n"
		 "next\n"
		 "\"crlf\r\nin\r\nfield\"\r\n"
		 "after\r\n"
		 "\"lone\rcr\"\r"
		 "last", 0, 0);
	RECORD(&t, 1, FIELDS("line1\nline2", "x"));
	assert_int_equal(t.r.next_line, 3);
	RECORD(&t, 3, FIELDS("next"));
	RECORD(&t, 4, FIELDS("crlf\r\nin\r\nfield"));
	RECORD(&t, 7, FIELDS("after"));
	RECORD(&t, 8, FIELDS("lone\rcr"));
	RECORD(&t, 10, FIELDS("last"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_blank_lines(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\n\n\na\n\r\n\nb\n\n", 0, 0);
	RECORD(&t, 4, FIELDS("a"));
	RECORD(&t, 7, FIELDS("b"));
	RESULT(&t, CSV_EOF, NULL);
	assert_int_equal(t.r.next_line, 9);
	close_mem(&t);

	OPEN(&t, "", 0, 0);
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "\r\n\n\r", 0, 0);
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	/* white space is not blank */
	OPEN(&t, " \n\t\n", 0, 0);
	RECORD(&t, 1, FIELDS(" "));
	RECORD(&t, 2, FIELDS("\t"));
	close_mem(&t);
}

static void test_no_final_line_end(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,b\nc,d", 0, 0);
	RECORD(&t, 1, FIELDS("a", "b"));
	RECORD(&t, 2, FIELDS("c", "d"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "a,\"b\"", 0, 0);
	RECORD(&t, 1, FIELDS("a", "b"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "a,", 0, 0);
	RECORD(&t, 1, FIELDS("a", ""));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_empty_fields(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,,b\n,\n,,\na,\n,a\n\"\",\n", 0, 0);
	RECORD(&t, 1, FIELDS("a", "", "b"));
	RECORD(&t, 2, FIELDS("", ""));
	RECORD(&t, 3, FIELDS("", "", ""));
	RECORD(&t, 4, FIELDS("a", ""));
	RECORD(&t, 5, FIELDS("", "a"));
	RECORD(&t, 6, FIELDS("", ""));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_badrow_stray_quote(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,b\"c,d\ne,f\nx\"\r\ng\n", 0, 0);
	RESULT(&t, CSV_BADROW, "line 1: field 2: quote inside an unquoted field "
	       "(quote the whole field and double the quote)");
	RECORD(&t, 2, FIELDS("e", "f"));
	RESULT(&t, CSV_BADROW, "line 3: field 1: quote inside an unquoted field "
	       "(quote the whole field and double the quote)");
	RECORD(&t, 4, FIELDS("g"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	/* a stray quote opens nothing: the row ends at its line end */
	OPEN(&t, "a\"b,c\nd,e\"\n", 0, 0);
	RESULT(&t, CSV_BADROW, "line 1: field 1: quote inside an unquoted field "
	       "(quote the whole field and double the quote)");
	RESULT(&t, CSV_BADROW, "line 2: field 2: quote inside an unquoted field "
	       "(quote the whole field and double the quote)");
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_badrow_text_after_quote(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\"a\"b,c\nd\n", 0, 0);
	RESULT(&t, CSV_BADROW, "line 1: field 1: text after the closing quote");
	RECORD(&t, 2, FIELDS("d"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);

	OPEN(&t, "x,\"a\" \r\nd\r\n", 0, 0);
	RESULT(&t, CSV_BADROW, "line 1: field 2: text after the closing quote");
	RECORD(&t, 2, FIELDS("d"));
	close_mem(&t);

	/* a quoted line break later in the bad row does not end it */
	OPEN(&t, "\"a\"x,\"multi\nline\"\nok\n", 0, 0);
	RESULT(&t, CSV_BADROW, "line 1: field 1: text after the closing quote");
	assert_int_equal(t.r.next_line, 3);
	RECORD(&t, 3, FIELDS("ok"));
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_badrow_too_many_fields(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,b\na,b,c\nd,e\na,b,\"c\nd\"\nf,g\na,b,", 0, 2);
	RECORD(&t, 1, FIELDS("a", "b"));
	RESULT(&t, CSV_BADROW, "line 2: 3 fields, more than the 2 allowed");
	RECORD(&t, 3, FIELDS("d", "e"));
	RESULT(&t, CSV_BADROW, "line 4: 3 fields, more than the 2 allowed");
	RECORD(&t, 6, FIELDS("f", "g"));
	RESULT(&t, CSV_BADROW, "line 7: 3 fields, more than the 2 allowed");
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_max_fields(void **state)
{
	struct csv_test t;
	char many[2001];
	size_t i;

	(void)state;
	OPEN(&t, "a\n,\nb\n", 0, 1);
	RECORD(&t, 1, FIELDS("a"));
	RESULT(&t, CSV_BADROW, "line 2: 2 fields, more than the 1 allowed");
	RECORD(&t, 3, FIELDS("b"));
	close_mem(&t);

	OPEN(&t, "a,b,c\na,b,c,d\n", 0, 3);
	RECORD(&t, 1, FIELDS("a", "b", "c"));
	RESULT(&t, CSV_BADROW, "line 2: 4 fields, more than the 3 allowed");
	close_mem(&t);

	/* 0: no limit */
	for (i = 0; i < 1000; i++) {
		many[2 * i] = 'x';
		many[2 * i + 1] = ',';
	}
	many[1999] = '\n';
	many[2000] = '\0';
	open_mem(&t, many, 2000, 0, 0);
	assert_int_equal(csv_read(&t.r, &t.err), CSV_RECORD);
	assert_int_equal(t.r.nfields, 1000);
	assert_string_equal(t.r.fields[999].s, "x");
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_fatal_nul(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a,b\nc\0d\n", 0, 0);
	RECORD(&t, 1, FIELDS("a", "b"));
	RESULT(&t, CSV_FATAL, "line 2: NUL byte (is this a text file?)");
	close_mem(&t);

	OPEN(&t, "\n\"a\nb\0\"\n", 0, 0);
	RESULT(&t, CSV_FATAL, "line 2: NUL byte (is this a text file?)");
	close_mem(&t);

	/* still fatal in a row already known to be bad */
	OPEN(&t, "a\"b,\0\n", 0, 0);
	RESULT(&t, CSV_FATAL, "line 1: NUL byte (is this a text file?)");
	close_mem(&t);

	OPEN(&t, "\0", 0, 0);
	RESULT(&t, CSV_FATAL, "line 1: NUL byte (is this a text file?)");
	close_mem(&t);
}

static void test_fatal_field_too_long(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "abcd,\"wxyz\"\nabcde\n", 4, 0);
	RECORD(&t, 1, FIELDS("abcd", "wxyz"));
	RESULT(&t, CSV_FATAL, "line 2: field longer than 4 bytes (an unterminated quote?)");
	close_mem(&t);

	OPEN(&t, "ok\n\"one quote,\nand the rest\nof the file\n", 8, 0);
	RECORD(&t, 1, FIELDS("ok"));
	RESULT(&t, CSV_FATAL, "line 2: field longer than 8 bytes (an unterminated quote?)");
	close_mem(&t);

	OPEN(&t, "\"ab\"\"cd\"\n", 4, 0);
	RESULT(&t, CSV_FATAL, "line 1: field longer than 4 bytes (an unterminated quote?)");
	close_mem(&t);
}

static void test_fatal_unterminated_quote(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "a\n\"b,c\nd\n", 0, 0);
	RECORD(&t, 1, FIELDS("a"));
	RESULT(&t, CSV_FATAL, "line 2: quoted field not closed before the end of the file");
	close_mem(&t);

	OPEN(&t, "x,\"", 0, 0);
	RESULT(&t, CSV_FATAL, "line 1: quoted field not closed before the end of the file");
	close_mem(&t);

	/* "" inside quotes is a quote, not the end */
	OPEN(&t, "\"a\"\"", 0, 0);
	RESULT(&t, CSV_FATAL, "line 1: quoted field not closed before the end of the file");
	close_mem(&t);
}

static void test_fatal_read_error(void **state)
{
	struct csv_test t;

	(void)state;
	/* a stream open only for writing fails every read */
	t.in = fopen("/dev/null", "w");
	assert_non_null(t.in);
	t.size = 0;
	csv_reader_init(&t.r, t.in, 0, 0);
	buf_init(&t.err, 0);
	assert_int_equal(csv_read(&t.r, &t.err), CSV_FATAL);
	assert_true(strncmp(t.err.s, "line 1: cannot read: ", 21) == 0);
	assert_true(t.err.len > 21);
	close_mem(&t);
}

static void test_offset(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\xef\xbb\xbf" "ab,c\r\n\r\n\"d\ne\"\r\n", 0, 0);
	RECORD(&t, 1, FIELDS("ab", "c"));
	assert_int_equal(t.r.offset, 9);
	RECORD(&t, 3, FIELDS("d\ne"));
	assert_int_equal(t.r.offset, 18);
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
}

static void test_add_field(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "a\r\nb", "\"a\r\nb\"" },
		{ "cr\r", "\"cr\r\"" },
		{ "lf\n", "\"lf\n\"" },
		{ " lead", "\" lead\"" },
		{ "trail ", "\"trail \"" },
		{ "in side", "in side" },
		{ "tab\t", "tab\t" },
		{ "ünïcødé", "ünïcødé" },
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		buf_addstr(&out, "x,");
		csv_add_field(&out, cases[i].in);
		assert_true(strncmp(out.s, "x,", 2) == 0);
		assert_string_equal(out.s + 2, cases[i].out);
	}
	buf_release(&out);
}

static void test_round_trip(void **state)
{
	static const char *awkward[] = {
		"plain", "", "a,b", ",", ",,", "say \"hi\"", "\"", "\"\"",
		"\"quoted\"", "line1\r\nline2", "cr\ronly", "lf\nonly", "\n",
		" leading", "trailing ", " ", "  both  ", "ünïcødé ✓", "\xef\xbb\xbf",
		"tab\there", "'single'", "a\"\"b", "\r\n\r\n",
	};
	size_t n = sizeof(awkward) / sizeof(awkward[0]);
	struct buf text = BUF_INIT;
	struct csv_test t;
	size_t i, rec;

	(void)state;
	/* the same fields in two records, in two line-end styles */
	for (rec = 0; rec < 2; rec++) {
		for (i = 0; i < n; i++) {
			if (i)
				buf_addch(&text, ',');
			csv_add_field(&text, awkward[i]);
		}
		buf_addstr(&text, rec ? "\n" : "\r\n");
	}
	open_mem(&t, text.s, text.len, 64, n);
	for (rec = 0; rec < 2; rec++) {
		assert_int_equal(csv_read(&t.r, &t.err), CSV_RECORD);
		assert_sane(&t, __FILE__, __LINE__);
		assert_string_equal(t.err.s, "");
		assert_int_equal(t.r.nfields, n);
		for (i = 0; i < n; i++) {
			assert_int_equal(t.r.fields[i].len, strlen(awkward[i]));
			assert_string_equal(t.r.fields[i].s, awkward[i]);
		}
	}
	RESULT(&t, CSV_EOF, NULL);
	close_mem(&t);
	buf_release(&text);
}

static void test_err_appended(void **state)
{
	struct csv_test t;

	(void)state;
	OPEN(&t, "\"a\"b\n", 0, 0);
	buf_addstr(&t.err, "cannot import 'subscribers.csv': ");
	assert_int_equal(csv_read(&t.r, &t.err), CSV_BADROW);
	assert_string_equal(t.err.s, "cannot import 'subscribers.csv': "
			    "line 1: field 1: text after the closing quote");
	close_mem(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_lone_cr),
		cmocka_unit_test(test_mixed_line_ends),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_line_break_in_quotes),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_no_final_line_end),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_badrow_stray_quote),
		cmocka_unit_test(test_badrow_text_after_quote),
		cmocka_unit_test(test_badrow_too_many_fields),
		cmocka_unit_test(test_max_fields),
		cmocka_unit_test(test_fatal_nul),
		cmocka_unit_test(test_fatal_field_too_long),
		cmocka_unit_test(test_fatal_unterminated_quote),
		cmocka_unit_test(test_fatal_read_error),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_add_field),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_err_appended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
