#ifndef NEWSDIGEST_FETCH_H
#define NEWSDIGEST_FETCH_H
/*
 * The fetch stage: every enabled feed that is due (next_fetch_at) is
 * fetched (http.h), parsed (feed.h) and its entries stored (items.h), each
 * feed in its own transaction, so a crash or a bad feed never loses what
 * other feeds brought. Conditional GET state, Cache-Control and Retry-After,
 * exponential backoff for failing feeds, permanent redirects (the stored URL
 * follows) and 410 Gone (the feed is disabled) are kept in the feeds table.
 */
#include "buf.h"
#include "config.h"
#include "http.h"
#include "progress.h"
#include "store.h"

enum fetch_flags {
	FETCH_FORCE = 1 << 0      /* ignore next_fetch_at */
};

struct fetch_options {
	int flags;
	long jobs;                /* 0: [fetch] concurrency */
	const char *only_url;     /* fetch this feed only (implies FETCH_FORCE) */
};

struct fetch_report {
	long due;                 /* feeds attempted */
	long not_due;             /* skipped: next_fetch_at in the future */
	long ok;
	long not_modified;
	long failed;
	long gone;
	long moved;
	long new_items;
	long updated_items;
	long failing;             /* failing for [fetch] failing_after runs or more */
};

/* One line per feed as it completes ("ok", "not modified", "error", ...),
 * and the call-outs for feeds failing for many runs. */
typedef void (*fetch_line_fn)(const char *line, void *data);

/* The HTTP settings of the [fetch] section, for every command that fetches. */
void fetch_http_options(const struct config *cfg, struct http_options *out);

/*
 * Run the stage. Returns 0 when every due feed was attempted (see the
 * report for how each went), or -1 with the reason in err on a store or
 * libcurl failure (st->code says which). progress may be NULL; it is
 * started here, once the number of due feeds is known.
 */
int fetch_run(struct store *st, const struct config *cfg,
	      const struct fetch_options *opt, fetch_line_fn line, void *data,
	      struct progress *progress, struct fetch_report *report,
	      struct buf *err);

#endif
