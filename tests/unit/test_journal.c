#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

static char dir[] = "/tmp/nd-journal-XXXXXX";
static char db[256];
static struct store st;

static long long query(const char *sql)
{
	struct buf err = BUF_INIT;
	long long v = -1;

	assert_int_equal(store_query_int(&st, sql, "test", &v, &err), 0);
	buf_release(&err);
	return v;
}

static void exec(const char *sql)
{
	struct buf err = BUF_INIT;

	assert_int_equal(store_exec(&st, sql, &err), 0);
	buf_release(&err);
}

static int setup(void **state)
{
	struct buf err = BUF_INIT;

	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/store.db", dir);
	if (store_open(&st, db, 1000, &err) < 0)
		return -1;
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Every test starts from five active subscribers (ids 1-5), one
 * unsubscribed (6), and the approved digest of 2026-W48 (id 1). */
static int reset(void **state)
{
	exec("DELETE FROM deliveries; DELETE FROM digests; DELETE FROM subscribers;");
	for (int i = 1; i <= 6; i++) {
		char sql[300];

		snprintf(sql, sizeof(sql), "INSERT INTO subscribers (id, email, name, status, token, "
			 "created_at, updated_at) VALUES (%d, 'u%d@example.test', 'User %d', '%s', "
			 "'tok%d', 0, 0)", i, i, i, i == 6 ? "unsubscribed" : "active", i);
		exec(sql);
	}
	exec("INSERT INTO digests (id, week, path, approved_hash, approved_at) "
	     "VALUES (1, '2026-W48', 'digests/2026-W48.md', 'abc', 100)");
	return 0;
}

static void find(const char *week, struct journal_digest *dg, int expect)
{
	struct buf err = BUF_INIT;

	assert_int_equal(journal_digest_find(&st, week, dg, &err), expect);
	buf_release(&err);
}

static void start(struct journal_digest *dg, long long now, int include_new, long expect)
{
	struct buf err = BUF_INIT;
	long added = -1;

	assert_int_equal(journal_start(&st, dg, now, include_new, &added, &err), 0);
	assert_int_equal(added, expect);
	buf_release(&err);
}

static void test_find(void **state)
{
	struct journal_digest dg;

	find("2026-W47", &dg, 1);
	find("2026-W48", &dg, 0);
	assert_int_equal(dg.id, 1);
	assert_string_equal(dg.week, "2026-W48");
	assert_string_equal(dg.path, "digests/2026-W48.md");
	assert_string_equal(dg.approved_hash, "abc");
	assert_int_equal(dg.approved_at, 100);
	assert_int_equal(dg.send_started_at, 0);
	assert_int_equal(dg.sent_at, 0);
	journal_digest_release(&dg);
	assert_null(dg.week);
}

static void test_start_fixes_the_subscribers(void **state)
{
	struct journal_digest dg;

	find("2026-W48", &dg, 0);
	start(&dg, 1000, 0, 5);                 /* the five active ones */
	assert_int_equal(dg.send_started_at, 1000);
	assert_int_equal(query("SELECT send_started_at FROM digests WHERE id = 1"), 1000);
	assert_int_equal(query("SELECT count(*) FROM deliveries WHERE state = 'pending'"), 5);
	exec("INSERT INTO subscribers (id, email, token, created_at, updated_at) "
	     "VALUES (7, 'late@example.test', 'tok7', 0, 0)");
	start(&dg, 2000, 0, 0);                 /* a resume adds no one */
	assert_int_equal(dg.send_started_at, 1000);
	start(&dg, 2000, 1, 1);                 /* unless asked */
	start(&dg, 3000, 1, 0);                 /* and only once */
	assert_int_equal(query("SELECT count(*) FROM deliveries"), 6);
	journal_digest_release(&dg);
}

static void next(long long after, unsigned states, size_t max, struct journal_row **rows,
		 size_t *cap, size_t *n)
{
	struct buf err = BUF_INIT;

	assert_int_equal(journal_next(&st, 1, after, states, max, rows, cap, n, &err), 0);
	buf_release(&err);
}

static void test_next_mark_record_count(void **state)
{
	const unsigned todo = 1u << JOURNAL_PENDING | 1u << JOURNAL_SENDING |
			      1u << JOURNAL_TEMPFAIL;
	struct journal_digest dg;
	struct journal_row *rows = NULL;
	struct journal_counts c;
	struct buf err = BUF_INIT;
	size_t cap = 0, n;

	find("2026-W48", &dg, 0);
	start(&dg, 1000, 0, 5);
	next(0, todo, 2, &rows, &cap, &n);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].subscriber, 1);
	assert_string_equal(rows[0].email, "u1@example.test");
	assert_string_equal(rows[0].name, "User 1");
	assert_string_equal(rows[0].token, "tok1");
	assert_int_equal(rows[0].state, JOURNAL_PENDING);
	assert_int_equal(rows[1].subscriber, 2);

	assert_int_equal(journal_mark_sending(&st, 1, rows, n, 1100, &err), 0);
	assert_int_equal(query("SELECT count(*) FROM deliveries WHERE state = 'sending' "
			       "AND attempts = 1 AND updated_at = 1100"), 2);
	struct journal_result res[2] = {
		{ 1, JOURNAL_SENT, "250 2.0.0 Ok: queued" },
		{ 2, JOURNAL_TEMPFAIL, "451 4.3.0 try later" },
	};
	assert_int_equal(journal_record(&st, 1, res, 2, 1200, &err), 0);
	assert_int_equal(query("SELECT count(*) FROM deliveries WHERE subscriber = 2 AND "
			       "state = 'tempfail' AND reply = '451 4.3.0 try later'"), 1);

	/* keyset: after 2 come 3, 4, 5 */
	next(2, todo, 10, &rows, &cap, &n);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].subscriber, 3);
	/* only tempfail: subscriber 2 */
	next(0, 1u << JOURNAL_TEMPFAIL, 10, &rows, &cap, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].subscriber, 2);
	assert_int_equal(rows[0].attempts, 1);
	/* a subscriber who left is skipped and counted so */
	exec("UPDATE subscribers SET status = 'unsubscribed' WHERE id = 5");
	next(2, todo, 10, &rows, &cap, &n);
	assert_int_equal(n, 2);
	assert_int_equal(journal_count(&st, 1, &c, &err), 0);
	assert_int_equal(c.state[JOURNAL_SENT], 1);
	assert_int_equal(c.state[JOURNAL_TEMPFAIL], 1);
	assert_int_equal(c.state[JOURNAL_PENDING], 2);
	assert_int_equal(c.skipped, 1);
	journal_rows_release(rows, cap);
	journal_digest_release(&dg);
	buf_release(&err);
}

/* Three digests in a row refuse u1 with 5.1.1: bounced at the third; u2's
 * refusals are broken by a delivered digest; u3's are not about the
 * mailbox. */
static void test_bounce(void **state)
{
	struct buf err = BUF_INIT;
	long bounced = -1;

	exec("INSERT INTO digests (id, week, path) VALUES (2, '2026-W49', 'b'), (3, '2026-W50', 'c')");
	for (int d = 1; d <= 3; d++) {
		char sql[600];

		snprintf(sql, sizeof(sql),
			 "INSERT INTO deliveries (digest, subscriber, state, reply, updated_at) VALUES "
			 "(%d, 1, 'failed', '550 5.1.1 <u1@example.test>: Recipient address rejected', 0),"
			 "(%d, 2, '%s', '550 5.1.1 no such user', 0),"
			 "(%d, 3, 'failed', '554 5.7.1 spam', 0)", d, d, d == 2 ? "sent" : "failed", d);
		exec(sql);
		assert_int_equal(journal_bounce(&st, d, 3, 5000, &bounced, &err), 0);
		assert_int_equal(bounced, d == 3 ? 1 : 0);
	}
	assert_int_equal(query("SELECT status = 'bounced' FROM subscribers WHERE id = 1"), 1);
	assert_int_equal(query("SELECT count(*) FROM subscribers WHERE status = 'bounced'"), 1);
	/* sendmail's EX_NOUSER counts as well, with bounce_after 1 */
	exec("INSERT INTO deliveries (digest, subscriber, state, reply, updated_at) VALUES "
	     "(3, 4, 'failed', 'sendmail exited 67: User unknown', 0)");
	assert_int_equal(journal_bounce(&st, 3, 1, 5000, &bounced, &err), 0);
	assert_int_equal(bounced, 2);   /* u2 (failed on 3, after its sent 2) and u4 */
	buf_release(&err);
}

static void test_finish(void **state)
{
	struct journal_digest dg;
	struct buf err = BUF_INIT;

	find("2026-W48", &dg, 0);
	assert_int_equal(journal_finish(&st, &dg, 4242, &err), 0);
	assert_int_equal(dg.sent_at, 4242);
	journal_digest_release(&dg);
	find("2026-W48", &dg, 0);
	assert_int_equal(dg.sent_at, 4242);
	journal_digest_release(&dg);
	assert_string_equal(journal_state_names[JOURNAL_TEMPFAIL], "tempfail");
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_find, reset),
		cmocka_unit_test_setup(test_start_fixes_the_subscribers, reset),
		cmocka_unit_test_setup(test_next_mark_record_count, reset),
		cmocka_unit_test_setup(test_bounce, reset),
		cmocka_unit_test_setup(test_finish, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
