/*
 * The delivery journal in the store. Every change of state is committed
 * before the sender acts on it: that is what makes a crash cost at most the
 * rows that were `sending` (one batch), never a lost or a silently repeated
 * subscriber.
 */
#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char *const journal_state_names[JOURNAL_NSTATES] = {
	"pending", "sending", "sent", "tempfail", "failed"
};

/* An RFC 3463 "bad destination mailbox / address" status (5.1.x) as the
 * last reply line keeps it ("550 5.1.1 <a@b>: ..."), or sendmail's
 * EX_NOUSER (67). */
#define BAD_MAILBOX(col) \
	"(" col " GLOB '5[0-9][0-9][ -]5.1.[0-9]*' OR " col " GLOB 'sendmail exited 67*')"

static int state_of(const char *name)
{
	for (int i = 0; i < JOURNAL_NSTATES; i++)
		if (name && !strcmp(name, journal_state_names[i]))
			return i;
	return JOURNAL_PENDING;
}

int journal_digest_find(struct store *st, const char *week, struct journal_digest *dg,
			struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;

	memset(dg, 0, sizeof(*dg));
	if (store_prepare(st, "SELECT id, week, path, approved_hash, coalesce(approved_at, 0), "
			  "coalesce(send_started_at, 0), coalesce(sent_at, 0) "
			  "FROM digests WHERE week = ?1", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, week, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		ret = 1;
	} else if (rc != SQLITE_ROW) {
		store_fail(st, "reading the digest's row", err);
	} else {
		dg->id = sqlite3_column_int64(q, 0);
		dg->week = store_column_dup(q, 1);
		dg->path = store_column_dup(q, 2);
		dg->approved_hash = store_column_dup(q, 3);
		dg->approved_at = sqlite3_column_int64(q, 4);
		dg->send_started_at = sqlite3_column_int64(q, 5);
		dg->sent_at = sqlite3_column_int64(q, 6);
		ret = 0;
	}
	sqlite3_finalize(q);
	return ret;
}

void journal_digest_release(struct journal_digest *dg)
{
	free(dg->week);
	free(dg->path);
	free(dg->approved_hash);
	memset(dg, 0, sizeof(*dg));
}

/* Run one statement binding ?1 and ?2 to two integers. */
static int exec2(struct store *st, const char *sql, long long a, long long b,
		 const char *what, struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int ret = -1;

	if (store_prepare(st, sql, &q, err) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, a);
	sqlite3_bind_int64(q, 2, b);
	if (sqlite3_step(q) != SQLITE_DONE)
		store_fail(st, what, err);
	else
		ret = 0;
	sqlite3_finalize(q);
	return ret;
}

int journal_start(struct store *st, struct journal_digest *dg, long long now,
		  int include_new, long *added, struct buf *err)
{
	int first = dg->send_started_at == 0;

	*added = 0;
	if (store_begin(st, err) < 0)
		return -1;
	if (first && exec2(st, "UPDATE digests SET send_started_at = ?2 WHERE id = ?1",
			   dg->id, now, "recording the start of the send", err) < 0)
		goto fail;
	if (first || include_new) {
		if (exec2(st, "INSERT INTO deliveries (digest, subscriber, updated_at) "
			  "SELECT ?1, id, ?2 FROM subscribers WHERE status = 'active' "
			  "ON CONFLICT (digest, subscriber) DO NOTHING",
			  dg->id, now, "adding the subscribers to the journal", err) < 0)
			goto fail;
		*added = sqlite3_changes(st->db);
	}
	if (store_commit(st, err) < 0)
		goto fail;
	if (first)
		dg->send_started_at = now;
	return 0;
fail:
	store_rollback(st);
	*added = 0;
	return -1;
}

int journal_count(struct store *st, long long digest, struct journal_counts *c,
		  struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if (store_prepare(st, "SELECT d.state, s.status = 'active', count(*) "
			  "FROM deliveries d JOIN subscribers s ON s.id = d.subscriber "
			  "WHERE d.digest = ?1 GROUP BY 1, 2", &q, err) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, digest);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int state = state_of((const char *)sqlite3_column_text(q, 0));
		long n = (long)sqlite3_column_int64(q, 2);

		if (sqlite3_column_int(q, 1))
			c->state[state] += n;
		else if (state == JOURNAL_SENT || state == JOURNAL_FAILED)
			c->state[state] += n;   /* what happened stays counted */
		else
			c->skipped += n;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, "counting the deliveries", err);
	return 0;
}

void journal_rows_release(struct journal_row *rows, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		free(rows[i].email);
		free(rows[i].name);
		free(rows[i].token);
	}
	free(rows);
}

int journal_next(struct store *st, long long digest, long long after, unsigned states,
		 size_t max, struct journal_row **rows, size_t *cap, size_t *n,
		 struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*n = 0;
	if (*cap < max) {
		*rows = xrealloc(*rows, max * sizeof(**rows));
		memset(*rows + *cap, 0, (max - *cap) * sizeof(**rows));
		*cap = max;
	}
	/* the primary key (digest, subscriber) makes this a range scan that
	 * starts where the last batch ended, however many rows are sent */
	if (store_prepare(st, "SELECT d.subscriber, d.state, d.attempts, s.email, s.name, s.token "
			  "FROM deliveries d JOIN subscribers s ON s.id = d.subscriber "
			  "WHERE d.digest = ?1 AND d.subscriber > ?2 AND s.status = 'active' "
			  "AND (?3 >> CASE d.state WHEN 'pending' THEN 0 WHEN 'sending' THEN 1 "
			  "WHEN 'sent' THEN 2 WHEN 'tempfail' THEN 3 ELSE 4 END) & 1 "
			  "ORDER BY d.subscriber LIMIT ?4", &q, err) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, digest);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int64(q, 3, states);
	sqlite3_bind_int64(q, 4, (long long)max);
	while (*n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct journal_row *r = &(*rows)[(*n)++];

		free(r->email);
		free(r->name);
		free(r->token);
		r->subscriber = sqlite3_column_int64(q, 0);
		r->state = state_of((const char *)sqlite3_column_text(q, 1));
		r->attempts = (long)sqlite3_column_int64(q, 2);
		r->email = store_column_dup(q, 3);
		r->name = store_column_dup(q, 4);
		r->token = store_column_dup(q, 5);
		if (!r->name)
			r->name = xstrdup("");
	}
	if (*n < max && rc != SQLITE_DONE) {
		sqlite3_finalize(q);
		return store_fail(st, "reading the journal", err);
	}
	sqlite3_finalize(q);
	return 0;
}

/* Run sql, an UPDATE of one delivery whose ?1 is the digest, ?2 the
 * subscriber and ?3 now, for each of n rows in one committed transaction;
 * bind(q, i, rows) gives row i's subscriber and binds what else sql asks. */
static int update_each(struct store *st, const char *sql, long long digest, long long now,
		       size_t n, long long (*bind)(sqlite3_stmt *q, size_t i, const void *rows),
		       const void *rows, const char *what, struct buf *err)
{
	sqlite3_stmt *q = NULL;

	if (store_begin(st, err) < 0)
		return -1;
	if (store_prepare(st, sql, &q, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(q, 1, digest);
		sqlite3_bind_int64(q, 2, bind(q, i, rows));
		sqlite3_bind_int64(q, 3, now);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_fail(st, what, err);
			goto fail;
		}
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return store_commit(st, err) < 0 ? (store_rollback(st), -1) : 0;
fail:
	sqlite3_finalize(q);
	store_rollback(st);
	return -1;
}

static long long bind_row(sqlite3_stmt *q, size_t i, const void *rows)
{
	(void)q;
	return ((const struct journal_row *)rows)[i].subscriber;
}

int journal_mark_sending(struct store *st, long long digest, const struct journal_row *rows,
			 size_t n, long long now, struct buf *err)
{
	return update_each(st, "UPDATE deliveries SET state = 'sending', "
			   "attempts = attempts + 1, updated_at = ?3 "
			   "WHERE digest = ?1 AND subscriber = ?2", digest, now, n, bind_row, rows,
			   "marking deliveries as sending", err);
}

static long long bind_result(sqlite3_stmt *q, size_t i, const void *rows)
{
	const struct journal_result *r = (const struct journal_result *)rows + i;

	sqlite3_bind_text(q, 4, journal_state_names[r->state], -1, SQLITE_STATIC);
	if (r->reply && *r->reply)
		sqlite3_bind_text(q, 5, r->reply, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 5);
	return r->subscriber;
}

int journal_record(struct store *st, long long digest, const struct journal_result *results,
		   size_t n, long long now, struct buf *err)
{
	return update_each(st, "UPDATE deliveries SET state = ?4, reply = ?5, updated_at = ?3 "
			   "WHERE digest = ?1 AND subscriber = ?2", digest, now, n, bind_result,
			   results, "recording deliveries", err);
}

int journal_bounce(struct store *st, long long digest, long bounce_after, long long now,
		   long *bounced, struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int ret = -1;

	*bounced = 0;
	/* the failures that count are those since the address last took a
	 * digest: a mailbox that came back resets the count */
	if (store_prepare(st, "UPDATE subscribers SET status = 'bounced', updated_at = ?3 "
			  "WHERE status = 'active' AND id IN ("
			  " SELECT d.subscriber FROM deliveries d"
			  " WHERE d.digest = ?1 AND d.state = 'failed' AND " BAD_MAILBOX("d.reply")
			  " AND (SELECT count(*) FROM deliveries e"
			  "      WHERE e.subscriber = d.subscriber AND e.state = 'failed'"
			  "      AND " BAD_MAILBOX("e.reply")
			  "      AND e.digest > coalesce((SELECT max(f.digest) FROM deliveries f"
			  "        WHERE f.subscriber = d.subscriber AND f.state = 'sent'), 0)"
			  "     ) >= ?2)", &q, err) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, digest);
	sqlite3_bind_int64(q, 2, bounce_after);
	sqlite3_bind_int64(q, 3, now);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_fail(st, "marking bounced addresses", err);
	} else {
		*bounced = sqlite3_changes(st->db);
		ret = 0;
	}
	sqlite3_finalize(q);
	return ret;
}

int journal_finish(struct store *st, struct journal_digest *dg, long long now,
		   struct buf *err)
{
	if (exec2(st, "UPDATE digests SET sent_at = ?2 WHERE id = ?1", dg->id, now,
		  "recording the digest as sent", err) < 0)
		return -1;
	dg->sent_at = now;
	return 0;
}
