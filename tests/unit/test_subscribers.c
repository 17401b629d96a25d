#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "subscribers.h"

static char dir[] = "/tmp/nd-subs-XXXXXX";
static char db[256];
static struct store st;
static const struct subscribers_import_options opt = { 1000, 1024, "en", 0 };

struct notes {
	int errors, notices;
	char last[256];
};

static void note(int is_error, const char *message, void *data)
{
	struct notes *n = data;

	if (is_error)
		n->errors++;
	else
		n->notices++;
	snprintf(n->last, sizeof(n->last), "%s", message);
}

static int setup_each(void **state)
{
	struct buf err = BUF_INIT;
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", db, db, db);
	if (system(cmd) != 0 || store_open(&st, db, 1000, &err) < 0)
		return -1;
	buf_release(&err);
	return 0;
}

static int teardown_each(void **state)
{
	store_close(&st);
	return 0;
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/store.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static long count(const char *where)
{
	sqlite3_stmt *stmt;
	struct buf sql = BUF_INIT, err = BUF_INIT;
	long n;

	buf_addf(&sql, "SELECT count(*) FROM subscribers WHERE %s", where);
	assert_int_equal(store_prepare(&st, sql.s, &stmt, &err), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	buf_release(&sql);
	buf_release(&err);
	return n;
}

static int import_text(const char *text, const struct subscribers_import_options *o,
		       struct subscribers_import_report *rep, struct notes *n,
		       int *bad, struct buf *err)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int ret;

	ret = subscribers_import_csv(&st, in, o, note, n, NULL, rep, bad, err);
	fclose(in);
	return ret;
}

static void test_check(void **state)
{
	struct buf email = BUF_INIT, lang = BUF_INIT, err = BUF_INIT;

	assert_int_equal(subscribers_check("A@Example.ORG", "Ann", "FR", "en", 100,
					   &email, &lang, &err), 0);
	assert_string_equal(email.s, "A@example.org");
	assert_string_equal(lang.s, "fr");
	assert_int_equal(subscribers_check("a@b.org", "", "", "en", 100, &email, &lang, &err), 0);
	assert_string_equal(lang.s, "en");
	assert_int_equal(subscribers_check("a@b.org", "", "fr-ca", "en", 100, &email, &lang, &err), 0);
	assert_string_equal(lang.s, "fr-CA");
	assert_int_equal(subscribers_check("a@@b.org", "", "", "en", 100, &email, &lang, &err), -1);
	assert_non_null(strstr(err.s, "invalid address ("));
	buf_reset(&err);
	assert_int_equal(subscribers_check("a@b.org", "x\r\nBcc: y", "", "en", 100, &email, &lang, &err), -1);
	assert_string_equal(err.s, "invalid name (control character)");
	buf_reset(&err);
	assert_int_equal(subscribers_check("a@b.org", "\xff\xfe", "", "en", 100, &email, &lang, &err), -1);
	assert_string_equal(err.s, "invalid name (not UTF-8)");
	buf_reset(&err);
	assert_int_equal(subscribers_check("a@b.org", "0123456789", "", "en", 5, &email, &lang, &err), -1);
	assert_non_null(strstr(err.s, "longer than 5 bytes"));
	buf_reset(&err);
	assert_int_equal(subscribers_check("a@b.org", "", "english", "en", 100, &email, &lang, &err), -1);
	assert_non_null(strstr(err.s, "invalid language"));
	buf_release(&email);
	buf_release(&lang);
	buf_release(&err);
}

static void test_add_and_suppress(void **state)
{
	struct buf err = BUF_INIT, email = BUF_INIT;
	struct subscribers_import_report rep;
	struct notes n = { 0 };
	int bad;

	assert_int_equal(subscribers_add(&st, " Ann@Example.org ", "Ann", NULL, "en", 100,
					 &bad, &err), SUBSCRIBER_ADDED);
	assert_int_equal(subscribers_add(&st, "ann@EXAMPLE.org", NULL, NULL, "en", 100,
					 &bad, &err), SUBSCRIBER_UNCHANGED);
	assert_int_equal(subscribers_add(&st, "ann@example.org", "Ann B", NULL, "en", 100,
					 &bad, &err), SUBSCRIBER_UPDATED);
	assert_int_equal(count("name = 'Ann B' AND lang = 'en'"), 1);
	assert_int_equal(subscribers_add(&st, "nope", NULL, NULL, "en", 100, &bad, &err), -1);
	assert_true(bad);
	assert_int_equal(subscribers_remove(&st, "ANN@example.org", &err), 1);
	assert_int_equal(subscribers_remove(&st, "ann@example.org", &err), 0);
	assert_int_equal(count("status = 'removed'"), 1);
	/* an import does not bring a removed address back */
	assert_int_equal(import_text("email,name\nann@example.org,Ann\n", &opt, &rep, &n,
				     &bad, &err), 0);
	assert_int_equal(rep.suppressed, 1);
	assert_int_equal(n.notices, 1);
	assert_non_null(strstr(n.last, "not resubscribed"));
	assert_int_equal(count("status = 'active'"), 0);
	/* an explicit add does */
	assert_int_equal(subscribers_add(&st, "ann@example.org", NULL, NULL, "en", 100,
					 &bad, &err), SUBSCRIBER_RESUBSCRIBED);
	assert_int_equal(count("status = 'active' AND name = 'Ann B'"), 1);
	buf_release(&err);
	buf_release(&email);
}

struct token_ctx {
	char token[64];
};

static int grab_token(const struct subscriber_row *row, void *data)
{
	struct token_ctx *t = data;

	snprintf(t->token, sizeof(t->token), "%s", row->token);
	return 0;
}

static void test_unsubscribe(void **state)
{
	struct buf err = BUF_INIT, email = BUF_INIT;
	struct token_ctx t;
	int bad;

	assert_int_equal(subscribers_add(&st, "bob@example.org", "Bob", "fr", "en", 100,
					 &bad, &err), SUBSCRIBER_ADDED);
	assert_int_equal(subscribers_foreach(&st, 0, grab_token, &t, &err), 0);
	assert_int_equal(strlen(t.token), 22);
	assert_int_equal(subscribers_unsubscribe(&st, "AAAAAAAAAAAAAAAAAAAAAA", &email, &err), 0);
	assert_int_equal(subscribers_unsubscribe(&st, "x' OR '1'='1", &email, &err), 0);
	assert_int_equal(subscribers_unsubscribe(&st, t.token, &email, &err), 1);
	assert_string_equal(email.s, "bob@example.org");
	assert_int_equal(subscribers_unsubscribe(&st, t.token, &email, &err), 2);
	assert_int_equal(count("status = 'unsubscribed'"), 1);
	buf_release(&err);
	buf_release(&email);
}

static void test_import_rows(void **state)
{
	struct subscribers_import_report rep;
	struct notes n = { 0 };
	struct buf err = BUF_INIT;
	int bad;

	assert_int_equal(import_text(
		"\xef\xbb\xbf" "Name,Email,lang\r\n"
		"\"Doe, Jane\",jane@example.org,fr\r\n"
		"Dup,JANE@example.org,en\r\n"
		"Bad,bob@@example.org,en\r\n"
		"Short,short@example.org\r\n"
		"\"Q \"\"uote\"\"\",q@example.org,\r\n", &opt, &rep, &n, &bad, &err), 0);
	assert_int_equal(rep.rows, 5);
	assert_int_equal(rep.added, 2);
	assert_int_equal(rep.duplicates, 1);
	assert_int_equal(rep.rejected, 2);
	assert_int_equal(n.errors, 2);
	assert_int_equal(count("email = 'jane@example.org' AND name = 'Doe, Jane' AND lang = 'fr'"), 1);
	assert_int_equal(count("name = 'Q \"uote\"' AND lang = 'en'"), 1);
	buf_release(&err);
}

static void test_import_fatal_rolls_back(void **state)
{
	struct subscribers_import_options small = { 2, 1024, "en", 0 };
	struct subscribers_import_report rep;
	struct notes n = { 0 };
	struct buf err = BUF_INIT;
	int bad;

	assert_int_equal(import_text("email,name\na@x.org,A\nb@x.org,\"B\n", &opt,
				     &rep, &n, &bad, &err), -1);
	assert_true(bad);
	assert_int_equal(count("1"), 0);
	buf_reset(&err);
	assert_int_equal(import_text("email,name\na@x.org,A\nb@x.org,B\nc@x.org,C\n",
				     &small, &rep, &n, &bad, &err), -1);
	assert_non_null(strstr(err.s, "line 4: more than 2 rows"));
	assert_int_equal(count("1"), 0);
	buf_reset(&err);
	assert_int_equal(import_text("", &opt, &rep, &n, &bad, &err), -1);
	assert_non_null(strstr(err.s, "empty file"));
	buf_reset(&err);
	assert_int_equal(import_text("name,lang\nx,en\n", &opt, &rep, &n, &bad, &err), -1);
	assert_non_null(strstr(err.s, "no 'email' column"));
	buf_reset(&err);
	assert_int_equal(import_text("email,phone\n", &opt, &rep, &n, &bad, &err), -1);
	assert_non_null(strstr(err.s, "unknown column 'phone'"));
	buf_release(&err);
}

static void test_dry_run(void **state)
{
	struct subscribers_import_options dry = { 1000, 1024, "en", 1 };
	struct subscribers_import_report rep;
	struct notes n = { 0 };
	struct buf err = BUF_INIT;
	int bad;

	assert_int_equal(import_text("email\na@x.org\nb@x.org\n", &dry, &rep, &n, &bad, &err), 0);
	assert_int_equal(rep.added, 2);
	assert_int_equal(count("1"), 0);
	buf_release(&err);
}

static void test_export_round_trip(void **state)
{
	struct subscribers_import_report rep;
	struct notes n = { 0 };
	struct buf err = BUF_INIT;
	char *text = NULL;
	size_t size = 0;
	FILE *out;
	int bad;

	assert_int_equal(import_text("email,name,lang\n"
				     "a@x.org,\"Line break, comma \"\"q\"\"\",fr\n"
				     "b@x.org,Émile,en\n", &opt, &rep, &n, &bad, &err), 0);
	assert_int_equal(subscribers_remove(&st, "b@x.org", &err), 1);
	out = open_memstream(&text, &size);
	assert_int_equal(subscribers_export_csv(&st, out, &err), 0);
	fclose(out);
	assert_string_equal(text, "email,name,lang\r\n"
			    "a@x.org,\"Line break, comma \"\"q\"\"\",fr\r\n");
	store_close(&st);
	setup_each(state);
	assert_int_equal(import_text(text, &opt, &rep, &n, &bad, &err), 0);
	assert_int_equal(rep.added, 1);
	assert_int_equal(count("name = 'Line break, comma \"q\"' AND lang = 'fr'"), 1);
	free(text);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_add_and_suppress, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_unsubscribe, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_import_rows, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_import_fatal_rolls_back, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_dry_run, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_export_round_trip, setup_each, teardown_each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
