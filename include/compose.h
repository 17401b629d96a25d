#ifndef NEWSDIGEST_COMPOSE_H
#define NEWSDIGEST_COMPOSE_H
/*
 * The compose stage's selection: which stored items go in a week's draft,
 * under which topic and in what order, with the copies of each story, the
 * near misses and the failing feeds the editor should know of. Writing
 * the draft itself is draft.h's job.
 */
#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "store.h"
#include "topics.h"

/* An ISO 8601 week, and the UTC instants it spans. */
struct compose_week {
	int year, week;
	long long start, end;   /* Monday 00:00 UTC, the next Monday 00:00 */
};

/* Parse "YYYY-Www" (2026-W48). Returns 0, -1 when it is not a week. */
int compose_week_parse(const char *s, struct compose_week *w);
/* The week holding the instant t. */
void compose_week_of(long long t, struct compose_week *w);
/* "2026-W48" into out (at least 9 bytes). */
void compose_week_name(const struct compose_week *w, char *out, size_t size);

struct compose_source {
	char *name;             /* the feed's title */
	char *url;              /* the item's link there */
};

struct compose_item {
	long long id;
	char *title, *url, *summary;    /* plain text; url may be NULL */
	char *source;                   /* the feed's title */
	long long when;                 /* published, else fetched (UTC) */
	double score;
	size_t topic;                   /* its best topic, an index in the topic list */
	char *topics;                   /* all its topic ids, comma-separated */
	char *evidence;                 /* phrases that tagged it, for the marker */
	struct compose_source *also;    /* the same story elsewhere */
	size_t nalso;
};

struct compose_section {
	size_t topic;                   /* index in the topic list */
	struct compose_item *items;
	size_t n;
	size_t dropped;                 /* over [compose] max_per_section or max_items */
};

struct compose_feed_problem {
	char *title, *url, *error;
	long failures;
};

struct compose_selection {
	struct compose_week week;
	long long from, to;             /* the window: [from, to) */
	struct compose_section *sections;       /* in topic priority order, empty ones left out */
	size_t nsections;
	size_t nitems;                  /* in all sections */
	size_t stories;                 /* included stories of the window, before the caps */
	struct compose_item *near;      /* not included, scores just under the line */
	size_t nnear;
	struct compose_feed_problem *failing;
	size_t nfailing;
};

/* Maximum near misses listed for the editor. */
#define COMPOSE_MAX_NEAR 10

/*
 * Select the items of week w: included items published (else fetched) in
 * the [compose] window_days before the week's end, one per story cluster
 * (the best scored; the others become its "also in"), grouped under their
 * best topic, by score then date, at most max_per_section per topic and
 * max_items in all. Uses the items' date index; never reads the whole
 * store. Returns 0, or -1 with the reason in err.
 */
int compose_select(struct store *st, const struct config *cfg, const struct topics *t,
		   const struct compose_week *w, struct compose_selection *sel,
		   struct buf *err);
void compose_selection_release(struct compose_selection *sel);

#endif
