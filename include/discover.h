#ifndef NEWSDIGEST_DISCOVER_H
#define NEWSDIGEST_DISCOVER_H
/*
 * What a URL given to `feeds add` really is: a feed (keep it, with the
 * address it permanently moved to and its title), or a web page that
 * announces feeds with <link rel="alternate"> (one: take it; several: the
 * user chooses), or nothing usable.
 */
#include <stddef.h>

#include "buf.h"
#include "html.h"
#include "http.h"

enum discover_kind {
	DISCOVER_FEED,          /* url is a feed: feed_url, title */
	DISCOVER_PAGE,          /* a page announcing candidates[0..n) */
	DISCOVER_NOTHING,       /* a page announcing no feed, or not a feed */
	DISCOVER_UNREACHABLE    /* cannot be fetched: reason says why */
};

struct discover_result {
	enum discover_kind kind;
	struct buf feed_url;    /* DISCOVER_FEED: where the feed lives now */
	struct buf title;       /* DISCOVER_FEED: its title, may be empty */
	struct buf reason;      /* DISCOVER_NOTHING, DISCOVER_UNREACHABLE */
	struct html_feed_link *candidates;
	size_t ncandidates;
};

void discover_result_init(struct discover_result *r);
void discover_result_release(struct discover_result *r);

/* Fetch url once and classify it. Returns 0 (see r->kind), or -1 with the
 * reason in err when libcurl could not be set up. */
int discover(const struct http_options *opt, const char *url,
	     struct discover_result *r, struct buf *err);

#endif
