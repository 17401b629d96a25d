#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "store.h"

static char dir[] = "/tmp/nd-store-XXXXXX";
static char path[256];

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	return 0;
}

static void remove_store(void)
{
	const char *suffix[] = { "", "-wal", "-shm", ".lock" };
	char name[300];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffix[i]);
		unlink(name);
	}
}

static int teardown(void **state)
{
	remove_store();
	rmdir(dir);
	return 0;
}

static long query_long(struct store *st, const char *sql)
{
	struct buf err = BUF_INIT;
	long long v = -1;

	assert_int_equal(store_query_int(st, sql, "test query", &v, &err), 0);
	buf_release(&err);
	return (long)v;
}

static void test_open_creates(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;
	struct stat sb;

	remove_store();
	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(query_long(&st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(query_long(&st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_long(&st, "SELECT count(*) FROM sqlite_master WHERE "
				    "name IN ('feeds', 'items', 'subscribers', 'deliveries')"), 4);
	store_close(&st);
	/* reopening an up-to-date store changes nothing */
	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(query_long(&st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(&st);
	buf_release(&err);
}

static void test_wal(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;
	sqlite3_stmt *stmt;

	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(store_prepare(&st, "PRAGMA journal_mode", &stmt, &err), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	store_close(&st);
	buf_release(&err);
}

/* a store made by an older newsdigest is migrated forward, data kept */
static void test_migrate_forward(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;

	remove_store();
	assert_int_equal(store_open_version(&st, path, 1000, 1, &err), 0);
	assert_int_equal(query_long(&st, "PRAGMA user_version"), 1);
	assert_int_equal(store_exec(&st, "INSERT INTO feeds (url, position, added_at) "
				    "VALUES ('https://example.org/feed', 1, 0)", &err), 0);
	assert_int_equal(query_long(&st, "SELECT count(*) FROM sqlite_master WHERE name = 'items'"), 0);
	store_close(&st);
	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(query_long(&st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(query_long(&st, "SELECT count(*) FROM feeds"), 1);
	assert_int_equal(query_long(&st, "SELECT count(*) FROM items"), 0);
	store_close(&st);
	buf_release(&err);
}

static void test_newer_schema(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;

	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(store_exec(&st, "PRAGMA user_version = 99", &err), 0);
	store_close(&st);
	assert_int_equal(store_open(&st, path, 1000, &err), -1);
	assert_int_equal(st.code, STORE_ENEWER);
	assert_non_null(strstr(err.s, "schema version 99"));
	assert_int_equal(store_exitcode(st.code), EX_DATAERR);
	remove_store();
	buf_release(&err);
}

static void test_not_a_database(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;
	FILE *f;
	int i;

	remove_store();
	f = fopen(path, "w");
	for (i = 0; i < 200; i++)
		fputs("this is not a database, it is a text file\n", f);
	fclose(f);
	assert_int_equal(store_open(&st, path, 1000, &err), -1);
	assert_int_equal(st.code, STORE_ENOTDB);
	assert_non_null(strstr(err.s, "is not an SQLite database"));
	assert_non_null(strstr(err.s, path));
	remove_store();
	buf_release(&err);
}

static void test_missing_folder(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;

	assert_int_equal(store_open(&st, "/nonexistent/folder/x.db", 1000, &err), -1);
	assert_int_equal(st.code, STORE_EIO);
	assert_non_null(strstr(err.s, "/nonexistent/folder/x.db"));
	assert_int_equal(store_exitcode(st.code), EX_IOERR);
	buf_release(&err);
}

static void test_lock(void **state)
{
	struct store a, b;
	struct buf err = BUF_INIT, want = BUF_INIT;

	assert_int_equal(store_open(&a, path, 1000, &err), 0);
	assert_int_equal(store_open(&b, path, 1000, &err), 0);
	assert_int_equal(store_lock(&a, 0, &err), 0);
	assert_int_equal(store_lock(&a, 0, &err), 0);
	assert_int_equal(store_lock(&b, 0, &err), -1);
	assert_int_equal(b.code, STORE_ELOCKED);
	buf_addf(&want, "another newsdigest is running (pid %ld)", (long)getpid());
	assert_non_null(strstr(err.s, want.s));
	assert_int_equal(store_exitcode(b.code), EX_TEMPFAIL);
	/* closing releases the lock */
	store_close(&a);
	buf_reset(&err);
	assert_int_equal(store_lock(&b, 0, &err), 0);
	store_close(&b);
	buf_release(&err);
	buf_release(&want);
}

static void test_transactions(void **state)
{
	struct store st;
	struct buf err = BUF_INIT;

	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(store_begin(&st, &err), 0);
	assert_int_equal(store_exec(&st, "INSERT INTO meta VALUES ('a', '1')", &err), 0);
	store_rollback(&st);
	assert_int_equal(query_long(&st, "SELECT count(*) FROM meta WHERE key = 'a'"), 0);
	assert_int_equal(store_begin(&st, &err), 0);
	assert_int_equal(store_exec(&st, "INSERT INTO meta VALUES ('a', '1')", &err), 0);
	assert_int_equal(store_commit(&st, &err), 0);
	assert_int_equal(query_long(&st, "SELECT count(*) FROM meta WHERE key = 'a'"), 1);
	store_rollback(&st);
	{
		long long v;

		assert_int_equal(store_query_int(&st, "SELECT count(*) FROM nowhere",
						 "counting", &v, &err), -1);
		assert_non_null(strstr(err.s, "counting: no such table: nowhere"));
		buf_reset(&err);
	}
	assert_int_equal(store_exec(&st, "SELECT * FROM no_such_table", &err), -1);
	assert_int_equal(st.code, STORE_ESQL);
	assert_non_null(strstr(err.s, "no such table"));
	store_close(&st);
	buf_release(&err);
}

static void test_meta(void **state)
{
	struct store st;
	struct buf err = BUF_INIT, v = BUF_INIT;

	assert_int_equal(store_open(&st, path, 1000, &err), 0);
	assert_int_equal(store_meta_get(&st, "missing", &v, &err), 0);
	assert_int_equal(store_meta_set(&st, "k", "one", &err), 0);
	assert_int_equal(store_meta_get(&st, "k", &v, &err), 1);
	assert_string_equal(v.s, "one");
	assert_int_equal(store_meta_set(&st, "k", "two", &err), 0);
	assert_int_equal(store_meta_get(&st, "k", &v, &err), 1);
	assert_string_equal(v.s, "two");
	store_close(&st);
	buf_release(&err);
	buf_release(&v);
}

static void test_exitcodes(void **state)
{
	assert_int_equal(store_exitcode(STORE_OK), EX_OK);
	assert_int_equal(store_exitcode(STORE_ENOTDB), EX_DATAERR);
	assert_int_equal(store_exitcode(STORE_EREADONLY), EX_CANTCREAT);
	assert_int_equal(store_exitcode(STORE_ESQL), EX_TEMPFAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates),
		cmocka_unit_test(test_wal),
		cmocka_unit_test(test_migrate_forward),
		cmocka_unit_test(test_newer_schema),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test(test_missing_folder),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_exitcodes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
