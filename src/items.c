#include "items.h"

#include <nettle/sha2.h>
#include <string.h>

#include "url.h"

int items_writer_init(struct items_writer *w, struct store *st, struct buf *err)
{
	memset(w, 0, sizeof(*w));
	w->st = st;
	buf_init(&w->guid, 0);
	buf_init(&w->canonical, 0);
	buf_init(&w->categories, 0);
	if (store_prepare(st, "SELECT id, title, url, summary, content FROM items "
			  "WHERE feed = ? AND guid = ?", &w->find, err) < 0 ||
	    store_prepare(st, "INSERT INTO items (feed, guid, url, canonical_url, title, "
			  "summary, summary_text, content, author, published_at, "
			  "fetched_at, updated_at, lang, categories) VALUES "
			  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
			  &w->insert, err) < 0 ||
	    store_prepare(st, "UPDATE items SET url = ?3, canonical_url = ?4, title = ?5, "
			  "summary = ?6, summary_text = ?7, content = ?8, author = ?9, "
			  "published_at = coalesce(?10, published_at), updated_at = ?12, "
			  "lang = ?13, categories = ?14, curated_at = NULL "
			  "WHERE feed = ?1 AND guid = ?2",
			  &w->update, err) < 0) {
		items_writer_release(w);
		return -1;
	}
	return 0;
}

void items_writer_release(struct items_writer *w)
{
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->insert);
	sqlite3_finalize(w->update);
	w->find = w->insert = w->update = NULL;
	buf_release(&w->guid);
	buf_release(&w->canonical);
	buf_release(&w->categories);
}

void items_identity(const struct feed_entry *e, struct buf *out)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t i;

	buf_reset(out);
	if (e->id && *e->id) {
		buf_addstr(out, e->id);
		return;
	}
	if (e->link && url_canonical(e->link, out) == 0)
		return;
	/* neither id nor link: the title (and date) is all that is left */
	buf_reset(out);
	sha256_init(&ctx);
	if (e->title)
		sha256_update(&ctx, strlen(e->title), (const uint8_t *)e->title);
	if (e->published != FEED_NO_DATE)
		sha256_update(&ctx, sizeof(e->published), (const uint8_t *)&e->published);
	sha256_digest(&ctx, sizeof(digest), digest);
	buf_addstr(out, "sha256:");
	for (i = 0; i < 16; i++)
		buf_addf(out, "%02x", digest[i]);
}

static int same(const unsigned char *stored, const char *fresh)
{
	return !strcmp(stored ? (const char *)stored : "", fresh ? fresh : "");
}

static void bind_text(sqlite3_stmt *s, int col, const char *text)
{
	if (text)
		sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, col);
}

int items_put(struct items_writer *w, long feed_id, const struct feed_entry *e,
	      long long now, struct buf *err)
{
	sqlite3_stmt *s;
	long long date;
	size_t i;
	int ret;
	int rc;

	items_identity(e, &w->guid);
	buf_reset(&w->canonical);
	if (!e->link || url_canonical(e->link, &w->canonical) < 0)
		buf_reset(&w->canonical);
	buf_reset(&w->categories);
	for (i = 0; i < e->ncategories; i++) {
		/* newline-separated: categories are plain text without controls */
		if (i)
			buf_addch(&w->categories, '\n');
		buf_addstr(&w->categories, e->categories[i]);
	}

	sqlite3_reset(w->find);
	sqlite3_bind_int64(w->find, 1, feed_id);
	sqlite3_bind_text(w->find, 2, w->guid.s, -1, SQLITE_STATIC);
	rc = sqlite3_step(w->find);
	if (rc == SQLITE_ROW) {
		if (same(sqlite3_column_text(w->find, 1), e->title) &&
		    same(sqlite3_column_text(w->find, 2), e->link) &&
		    same(sqlite3_column_text(w->find, 3), e->summary) &&
		    same(sqlite3_column_text(w->find, 4), e->content)) {
			sqlite3_reset(w->find);
			return ITEM_UNCHANGED;
		}
		s = w->update;
		ret = ITEM_UPDATED;
	} else if (rc == SQLITE_DONE) {
		s = w->insert;
		ret = ITEM_NEW;
	} else {
		return store_fail(w->st, "cannot read items", err);
	}
	sqlite3_reset(w->find);
	sqlite3_reset(s);
	date = e->published != FEED_NO_DATE ? e->published : e->updated;
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, w->guid.s, -1, SQLITE_STATIC);
	bind_text(s, 3, e->link);
	bind_text(s, 4, w->canonical.len ? w->canonical.s : NULL);
	sqlite3_bind_text(s, 5, e->title ? e->title : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->summary ? e->summary : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, e->summary_text ? e->summary_text : "", -1, SQLITE_STATIC);
	bind_text(s, 8, e->content);
	bind_text(s, 9, e->author);
	if (date != FEED_NO_DATE)
		sqlite3_bind_int64(s, 10, date);
	else
		sqlite3_bind_null(s, 10);
	sqlite3_bind_int64(s, 11, now);
	if (ret == ITEM_UPDATED)
		sqlite3_bind_int64(s, 12, now);
	else
		sqlite3_bind_null(s, 12);
	bind_text(s, 13, e->lang);
	sqlite3_bind_text(s, 14, w->categories.s, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return store_fail(w->st, "cannot store an item", err);
	}
	sqlite3_reset(s);
	return ret;
}
