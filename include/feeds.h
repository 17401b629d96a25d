#ifndef NEWSDIGEST_FEEDS_H
#define NEWSDIGEST_FEEDS_H
/*
 * The feed list in the store: add, remove, list, OPML import and export, and
 * seeding from the shipped OPML on first run. Fetching is not here.
 */
#include <stdio.h>

#include "buf.h"
#include "store.h"

struct feed_row {
	long id;
	const char *url;
	const char *title;       /* NULL when unknown */
	const char *html_url;    /* NULL when unknown */
	const char *category;    /* "" at the top level; see opml.h */
	const char *lang;        /* NULL when unknown */
	const char *topics;      /* topic hint, ids joined by single spaces; "" when none */
	const char *status;      /* "never", "ok" or "error" */
	const char *error;       /* last error text, NULL when none */
	long failures;           /* failed fetches in a row */
	long long last_fetched_at; /* Unix time, 0: never */
	int disabled;
};

struct feeds_import_report {
	long added;
	long updated;
	long unchanged;
	long rejected;           /* outlines skipped; each printed by the caller's fn */
};

/* Called for each rejected outline with a message "line N: 'URL': REASON". */
typedef void (*feeds_reject_fn)(const char *message, void *data);

/* 0 when url is an absolute http or https URL with a host, else -1 with a
 * reason in err. */
int feeds_check_url(const char *url, struct buf *err);

/*
 * Check and normalise a topic hint ("id id" or "id,id") into out, as
 * opml_topics_normalize does (opml.h): the same rules as the OPML `topics`
 * attribute. Returns the number of ids, or -1 with a reason in err.
 */
int feeds_check_topics(const char *topics, struct buf *out, struct buf *err);

/*
 * Add one feed. topics: its topic hint, checked by feeds_check_topics; NULL
 * leaves a known feed's hint as it is (a new feed gets none), "" clears it.
 * Returns 1 added, 0 already present (title and topics updated when given),
 * -1 error (bad URL or topics: err says why and *bad_input is set).
 */
int feeds_add(struct store *st, const char *url, const char *title,
	      const char *topics, int *bad_input, struct buf *err);
/* Remove a feed and its items. Returns 1 removed, 0 not found, -1 error. */
int feeds_remove(struct store *st, const char *url, struct buf *err);

/*
 * Import an OPML file in one transaction: new feeds are appended in document
 * order, known ones get their title, page, language, folder and topic hint
 * refreshed (an outline without `topics` clears the hint, as a missing
 * language clears it). Outlines with a bad URL or a bad `topics` attribute
 * are skipped and reported through reject. Returns 0,
 * or -1 (store unchanged) with the reason in err; *bad_input is set when the
 * file, not the store, was at fault.
 */
int feeds_import_opml(struct store *st, const char *path, long max_feeds,
		      feeds_reject_fn reject, void *data,
		      struct feeds_import_report *report, int *bad_input,
		      struct buf *err);

/*
 * Seed the store from `path` once: on the first run, unless feeds were
 * already added or imported by hand. Returns the number of feeds seeded (0 when it was done before),
 * or -1 as feeds_import_opml.
 */
long feeds_seed(struct store *st, const char *path, long max_feeds,
		feeds_reject_fn reject, void *data, int *bad_input,
		struct buf *err);

/* Call fn for each feed in list order; a non-zero return stops the walk and
 * is returned. Rows are valid only during the call. -1 on store errors. */
typedef int (*feeds_row_fn)(const struct feed_row *row, void *data);
int feeds_foreach(struct store *st, feeds_row_fn fn, void *data, struct buf *err);

/* Write the feed list as OPML 2.0 (byte-stable, see opml.h). */
int feeds_export_opml(struct store *st, FILE *out, struct buf *err);

#endif
