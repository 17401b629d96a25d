#ifndef NEWSDIGEST_JOURNAL_H
#define NEWSDIGEST_JOURNAL_H
/*
 * The delivery journal: the digests table's send columns and one deliveries
 * row per (digest, subscriber), so that every subscriber gets a digest
 * exactly once however often the send is interrupted and resumed.
 *
 *   pending  -> sending -> sent | tempfail | failed
 *   tempfail -> sending (a later try)
 *
 * A row is `sending` (in a committed transaction) before its message is
 * handed over, and `sent` only after the server accepted it. A row found
 * `sending` by a new run is where a crash happened: its message may have
 * been delivered, and is sent again with the same Message-ID.
 *
 * Only active subscribers are sent to: a row whose subscriber unsubscribed
 * or bounced since is skipped and stays as it is.
 */
#include <stddef.h>

#include "buf.h"
#include "store.h"

enum journal_state {
	JOURNAL_PENDING, JOURNAL_SENDING, JOURNAL_SENT, JOURNAL_TEMPFAIL, JOURNAL_FAILED,
	JOURNAL_NSTATES
};

/* The names stored in deliveries.state, indexed by enum journal_state. */
extern const char *const journal_state_names[JOURNAL_NSTATES];

/* A week's row of the digests table. */
struct journal_digest {
	long long id;
	char *week;
	char *path;                  /* the file approved (or written) last */
	char *approved_hash;         /* NULL: not approved */
	long long approved_at;
	long long send_started_at;   /* 0: no send yet */
	long long sent_at;           /* 0: not completely sent */
};

/* Find week's digest. Returns 0, 1 when the week has no row, -1 with the
 * reason in err. */
int journal_digest_find(struct store *st, const char *week, struct journal_digest *dg,
			struct buf *err);
void journal_digest_release(struct journal_digest *dg);

/*
 * Begin or resume dg's send at time now: the first time, record
 * send_started_at and add a pending row for every active subscriber; on a
 * later run add rows only for active subscribers who have none when
 * include_new is set. *added gets the number of rows added. One transaction.
 * Returns 0, or -1 with the reason in err.
 */
int journal_start(struct store *st, struct journal_digest *dg, long long now,
		  int include_new, long *added, struct buf *err);

/* Rows per state, active subscribers only, plus the rows of subscribers no
 * longer active that were never sent (skipped). */
struct journal_counts {
	long state[JOURNAL_NSTATES];
	long skipped;
};
int journal_count(struct store *st, long long digest, struct journal_counts *c,
		  struct buf *err);

/* A row to send, with what the message needs of its subscriber. */
struct journal_row {
	long long subscriber;
	int state;                   /* enum journal_state, as found */
	long attempts;
	char *email, *name, *token;
};

/*
 * Up to max rows of digest after subscriber id `after`, in subscriber
 * order, of active subscribers, whose state is in `states` (a bit mask of
 * 1 << enum journal_state). Replaces *rows (grown as needed; *cap is its
 * size) and sets *n. Returns 0, or -1 with the reason in err.
 */
int journal_next(struct store *st, long long digest, long long after, unsigned states,
		 size_t max, struct journal_row **rows, size_t *cap, size_t *n,
		 struct buf *err);
void journal_rows_release(struct journal_row *rows, size_t cap);

/* Mark rows[0..n) sending and count an attempt for each, in one committed
 * transaction. Returns 0, or -1 with the reason in err. */
int journal_mark_sending(struct store *st, long long digest, const struct journal_row *rows,
			 size_t n, long long now, struct buf *err);

/* What happened to one row's message. */
struct journal_result {
	long long subscriber;
	int state;                   /* JOURNAL_SENT, JOURNAL_TEMPFAIL or JOURNAL_FAILED */
	const char *reply;           /* the server's reply or the reason; may be NULL */
};

/* Record results[0..n) in one committed transaction. */
int journal_record(struct store *st, long long digest, const struct journal_result *results,
		   size_t n, long long now, struct buf *err);

/*
 * Mark bounced the active subscribers whose last bounce_after deliveries
 * in a row (newest digests first, sent ones ending the run) failed with an
 * RFC 3463 5.1.x status (bad mailbox or address), counting digest's rows
 * among them. *bounced gets how many were marked. Returns 0 or -1.
 */
int journal_bounce(struct store *st, long long digest, long bounce_after, long long now,
		   long *bounced, struct buf *err);

/* Record that dg was completely sent at now. */
int journal_finish(struct store *st, struct journal_digest *dg, long long now,
		   struct buf *err);

#endif
