#ifndef NEWSDIGEST_ITEMS_H
#define NEWSDIGEST_ITEMS_H
/*
 * Items in the store. An item is (feed, guid): the entry's own id, else its
 * canonical link (url.h), else a hash of its title. The same canonical link
 * in two feeds is one story with two sources: both rows keep it in
 * canonical_url, which is what the composer groups by. A changed title,
 * link, summary or content under the same identity updates the row.
 */
#include "buf.h"
#include "feed.h"
#include "store.h"

enum item_result {
	ITEM_NEW,
	ITEM_UPDATED,
	ITEM_UNCHANGED
};

/* Prepared statements for storing many entries inside the caller's
 * transaction. */
struct items_writer {
	struct store *st;
	sqlite3_stmt *find;
	sqlite3_stmt *insert;
	sqlite3_stmt *update;
	struct buf guid, canonical, categories;
};

/* Returns 0, or -1 with the reason in err. */
int items_writer_init(struct items_writer *w, struct store *st, struct buf *err);
void items_writer_release(struct items_writer *w);

/* Store one entry of feed `feed_id`, fetched at `now`. Returns an enum
 * item_result, or -1 with the reason in err. */
int items_put(struct items_writer *w, long feed_id, const struct feed_entry *e,
	      long long now, struct buf *err);

/* The identity of an entry (see above) into out. */
void items_identity(const struct feed_entry *e, struct buf *out);

#endif
