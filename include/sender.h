#ifndef NEWSDIGEST_SENDER_H
#define NEWSDIGEST_SENDER_H
/*
 * The send stage: an approved draft to every active subscriber, exactly
 * once, through the journal (journal.h), the message builder (mime.h) and a
 * transport (transport.h). Also the two sends that keep no journal: a test
 * send to given addresses, and a dry run into a Maildir.
 */
#include <signal.h>

#include "buf.h"
#include "config.h"
#include "digest.h"
#include "draft.h"
#include "journal.h"
#include "progress.h"
#include "store.h"

struct send_report {
	long sent;              /* accepted in this run */
	long tempfail;          /* left for the next run */
	long failed;            /* refused for good in this run */
	long duplicates;        /* sent again when they may have been delivered:
				 * rows a crash left `sending`, and messages whose
				 * connection dropped after the data */
	long added;             /* journal rows added in this run */
	long skipped;           /* rows of subscribers no longer active */
	long bounced;           /* addresses marked bounced after this run */
	long before;            /* rows already sent before this run */
	long total_sent, total_failed;  /* the digest's, over all runs */
	double seconds;
	int complete;           /* nothing left to send: sent_at recorded */
	int interrupted;        /* stopped by SIGINT or SIGTERM */
	int halted;             /* stopped by an error no retry can cure */
	int archived;           /* the archive was updated */
};

struct send_options {
	int transport;          /* enum config_transport */
	const char *maildir;    /* for TRANSPORT_MAILDIR */
	int include_new;        /* add subscribers who joined after the send began */
	const char *archive_dir;/* where a complete send updates the archive, or NULL */
	/* set from a signal handler: finish the batch in hand, then stop */
	volatile sig_atomic_t *stop;
	struct progress *progress;      /* may be NULL */
};

/*
 * Send the draft d, whose week's row is dg (already checked as approved),
 * to every subscriber of its journal: begin or resume the journal, send in
 * batches of [send] batch rows, retry temporary failures [send] retries
 * times, mark bounced addresses, and when nothing is left record the
 * digest as sent and update the archive. Fills rep. Returns 0, or a
 * sysexits status with the reason in err (the transport cannot go on, the
 * store failed, the templates are broken); rep still counts what was done.
 */
int sender_run(struct store *st, const struct config *cfg, const struct draft_doc *d,
	       struct journal_digest *dg, const struct send_options *o,
	       struct send_report *rep, struct buf *err);

/*
 * Send d to people[0..n) without touching the journal (a test send, or a
 * dry run), each with a Message-ID of its own so that it can never be taken
 * for the real digest. rep counts sent, tempfail and failed; each failure is
 * also logged with its address and reply. Returns 0 or a sysexits status
 * with err, as sender_run.
 */
int sender_to(const struct config *cfg, const struct draft_doc *d,
	      const struct digest_person *people, size_t n, const struct send_options *o,
	      struct send_report *rep, struct buf *err);

/* Items in the draft: its nd:item markers (the composer writes one per
 * item), for the quiet-week rule of run --send. */
long sender_count_items(const struct draft_doc *d);

/* "sent 1200, failed 0, tempfail 0, possible duplicates 0 in 4.2 s (285/s)"
 * and what else the report says, as one line into out. */
void sender_summary(const struct send_report *rep, struct buf *out);

/* The exit status a finished send_report calls for: 75 when temporary
 * failures remain (or the run was interrupted), 65 when some were refused
 * for good in this run, else 0. */
int sender_status(const struct send_report *rep);

#endif
