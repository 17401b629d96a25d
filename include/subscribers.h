#ifndef NEWSDIGEST_SUBSCRIBERS_H
#define NEWSDIGEST_SUBSCRIBERS_H
/*
 * The subscriber list in the store. Addresses are checked strictly
 * (address.h) and unique without regard to case. Removed, unsubscribed and
 * bounced addresses stay as suppressions: an import never resubscribes them,
 * only an explicit subscribers_add does. Each subscriber has a random
 * unsubscribe token (token.h).
 */
#include <stdio.h>

#include "buf.h"
#include "progress.h"
#include "store.h"

struct subscriber_row {
	long id;
	const char *email;
	const char *name;        /* "" when none */
	const char *lang;
	const char *status;      /* active, unsubscribed, removed, bounced */
	const char *token;
	long long created_at;
	long long updated_at;
};

enum subscribers_add_result {
	SUBSCRIBER_ADDED,
	SUBSCRIBER_RESUBSCRIBED, /* was suppressed, is active again */
	SUBSCRIBER_UPDATED,      /* was active; name or language changed */
	SUBSCRIBER_UNCHANGED
};

struct subscribers_import_options {
	long max_rows;
	long max_field_bytes;
	const char *default_lang;
	int dry_run;             /* check everything, then roll back */
};

struct subscribers_import_report {
	long rows;               /* data rows read (header excluded) */
	long added;
	long updated;
	long unchanged;
	long suppressed;         /* skipped: unsubscribed, removed or bounced */
	long duplicates;         /* skipped: the same address earlier in the file */
	long rejected;           /* skipped: invalid rows */
};

/* Called for each skipped row: is_error for invalid rows, 0 for suppressed
 * addresses and duplicates. message is "line N: 'EMAIL': REASON". */
typedef void (*subscribers_note_fn)(int is_error, const char *message, void *data);

/*
 * Check and normalise one subscriber's fields: the address (address.h), the
 * name (valid UTF-8, no control characters, at most max_bytes) and the
 * language tag (lower-cased; empty gives default_lang). Returns 0, or -1 with
 * "invalid address (REASON)", "invalid name (REASON)" or "invalid language
 * (REASON)" in err.
 */
int subscribers_check(const char *email, const char *name, const char *lang,
		      const char *default_lang, long max_bytes,
		      struct buf *email_out, struct buf *lang_out, struct buf *err);

/* Add or resubscribe one address. Returns an enum subscribers_add_result, or
 * -1 with the reason in err (*bad_input set when the input was at fault).
 * A NULL name or lang keeps what an existing subscriber has; max_bytes
 * bounds the name. */
int subscribers_add(struct store *st, const char *email, const char *name,
		    const char *lang, const char *default_lang, long max_bytes,
		    int *bad_input, struct buf *err);
/* Mark an address removed (kept as a suppression). Returns 1 when it was
 * active, 0 when unknown or already inactive, -1 on error. */
int subscribers_remove(struct store *st, const char *email, struct buf *err);
/* Unsubscribe the holder of `token`; their address goes to email_out.
 * Returns 1 unsubscribed, 2 already inactive, 0 no such token, -1 error. */
int subscribers_unsubscribe(struct store *st, const char *token,
			    struct buf *email_out, struct buf *err);

/*
 * Import CSV (header "email,name[,lang]" in any order, RFC 4180) from `in` in
 * one transaction. Known active subscribers get the file's name and language,
 * but a column the file does not have keeps what is stored. Invalid rows, duplicates and suppressed addresses are
 * skipped and reported through note; a fatal error (unreadable CSV, no
 * header, more than max_rows rows, store failure) returns -1 with
 * "line N: ..." in err and leaves the store as it was (*bad_input set when
 * the file was at fault). progress may be NULL; it is fed bytes read.
 */
int subscribers_import_csv(struct store *st, FILE *in,
			   const struct subscribers_import_options *opt,
			   subscribers_note_fn note, void *data,
			   struct progress *progress,
			   struct subscribers_import_report *report,
			   int *bad_input, struct buf *err);

/* Call fn for each subscriber (only active ones unless all) in the order
 * they were added. A non-zero return stops the walk and is returned. */
typedef int (*subscribers_row_fn)(const struct subscriber_row *row, void *data);
int subscribers_foreach(struct store *st, int all, subscribers_row_fn fn,
			void *data, struct buf *err);

/* Write active subscribers as CSV "email,name,lang" that import reads back.
 * Returns 0, or -1 with the reason in err (including a failed write). */
int subscribers_export_csv(struct store *st, FILE *out, struct buf *err);

#endif
