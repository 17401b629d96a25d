#include "feeds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "opml.h"
#include "xalloc.h"

#define MAX_URL_BYTES 2048

struct import_ctx {
	struct store *st;
	sqlite3_stmt *find;
	sqlite3_stmt *insert;
	sqlite3_stmt *update;
	long next_position;
	feeds_reject_fn reject;
	void *data;
	struct feeds_import_report *report;
	struct buf message;
};

int feeds_check_url(const char *url, struct buf *err)
{
	const char *p;
	size_t scheme;

	if (strlen(url) > MAX_URL_BYTES) {
		buf_addf(err, "URL longer than %d bytes", MAX_URL_BYTES);
		return -1;
	}
	for (p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			buf_addstr(err, "white space or a control character in the URL");
			return -1;
		}
	}
	if (!strncasecmp(url, "http://", 7))
		scheme = 7;
	else if (!strncasecmp(url, "https://", 8))
		scheme = 8;
	else {
		buf_addstr(err, "not an http or https URL");
		return -1;
	}
	p = url + scheme;
	if (!*p || strchr("/?#:@", *p)) {
		buf_addstr(err, "no host in the URL");
		return -1;
	}
	return 0;
}

int feeds_check_topics(const char *topics, struct buf *out, struct buf *err)
{
	return opml_topics_normalize(topics, out, err);
}

static int same_text(const unsigned char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return !strcmp((const char *)a, b);
}

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s)
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, col);
}

static int next_position(struct store *st, long *pos, struct buf *err)
{
	long long v;

	if (store_query_int(st, "SELECT coalesce(max(position), 0) + 1 FROM feeds",
			    "cannot read the feed list", &v, err) < 0)
		return -1;
	*pos = (long)v;
	return 0;
}

int feeds_add(struct store *st, const char *url, const char *title,
	      const char *topics, int *bad_input, struct buf *err)
{
	struct buf hint = BUF_INIT;
	sqlite3_stmt *stmt = NULL;
	long pos;
	int ret = -1;

	*bad_input = 0;
	if (feeds_check_url(url, err) < 0 ||
	    (topics && feeds_check_topics(topics, &hint, err) < 0)) {
		*bad_input = 1;
		goto out_hint;
	}
	if (store_begin(st, err) < 0)
		goto out_hint;
	/* ?5 NULL: --topics not given, the hint of a known feed stays */
	if (next_position(st, &pos, err) < 0 ||
	    store_prepare(st, "INSERT INTO feeds (url, title, position, added_at, topics) "
			  "VALUES (?1, ?2, ?3, ?4, coalesce(?5, '')) ON CONFLICT (url) "
			  "DO UPDATE SET title = coalesce(excluded.title, title), "
			  "topics = coalesce(?5, topics)", &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, url, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 2, title);
	sqlite3_bind_int64(stmt, 3, pos);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)time(NULL));
	bind_text_or_null(stmt, 5, topics ? hint.s : NULL);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail(st, "cannot add the feed", err);
		goto out;
	}
	/* an upsert that updated leaves last_insert_rowid unchanged; compare
	 * positions instead: only a new row takes the fresh one */
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (store_prepare(st, "SELECT position FROM feeds WHERE url = ?", &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, url, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		store_fail(st, "cannot read the feed back", err);
		goto out;
	}
	ret = sqlite3_column_int64(stmt, 0) == pos;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (store_commit(st, err) < 0)
		ret = -1;
out:
	sqlite3_finalize(stmt);
	if (ret < 0)
		store_rollback(st);
out_hint:
	buf_release(&hint);
	return ret;
}

int feeds_remove(struct store *st, const char *url, struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;

	if (store_prepare(st, "DELETE FROM feeds WHERE url = ?", &stmt, err) < 0)
		goto out;
	sqlite3_bind_text(stmt, 1, url, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail(st, "cannot remove the feed", err);
		goto out;
	}
	ret = sqlite3_changes(st->db) > 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

static int import_one(const struct opml_feed *f, void *data, struct buf *err)
{
	struct import_ctx *ctx = data;
	const char *topics = f->topics ? f->topics : "";
	sqlite3_stmt *s;
	int rc;

	buf_reset(&ctx->message);
	/* A bad hint refuses the whole outline, as a bad URL does: see the
	 * reasons at the top of fetch/opml.c. */
	if (feeds_check_url(f->xml_url, &ctx->message) == 0 && f->topics_error)
		buf_addf(&ctx->message, "bad 'topics' attribute: %s", f->topics_error);
	if (ctx->message.len) {
		struct buf line = BUF_INIT;

		buf_addf(&line, "line %lu: '", f->line);
		buf_addsanitized(&line, f->xml_url);
		buf_addf(&line, "': %s", ctx->message.s);
		ctx->reject(line.s, ctx->data);
		buf_release(&line);
		ctx->report->rejected++;
		return 0;
	}
	s = ctx->find;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, f->xml_url, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (same_text(sqlite3_column_text(s, 1), f->title) &&
		    same_text(sqlite3_column_text(s, 2), f->html_url) &&
		    same_text(sqlite3_column_text(s, 3), f->category) &&
		    same_text(sqlite3_column_text(s, 4), f->language) &&
		    same_text(sqlite3_column_text(s, 5), topics)) {
			ctx->report->unchanged++;
			return 0;
		}
		s = ctx->update;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 6, sqlite3_column_int64(ctx->find, 0));
		ctx->report->updated++;
	} else if (rc == SQLITE_DONE) {
		s = ctx->insert;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 6, f->xml_url, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, ctx->next_position++);
		sqlite3_bind_int64(s, 8, (sqlite3_int64)time(NULL));
		ctx->report->added++;
	} else {
		return store_fail(ctx->st, "cannot read the feed list", err);
	}
	bind_text_or_null(s, 1, f->title);
	bind_text_or_null(s, 2, f->html_url);
	sqlite3_bind_text(s, 3, f->category, -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, f->language);
	sqlite3_bind_text(s, 5, topics, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(ctx->st, "cannot store the feed", err);
	return 0;
}

int feeds_import_opml(struct store *st, const char *path, long max_feeds,
		      feeds_reject_fn reject, void *data,
		      struct feeds_import_report *report, int *bad_input,
		      struct buf *err)
{
	struct import_ctx ctx = { 0 };
	long seen;
	int ret = -1;

	memset(report, 0, sizeof(*report));
	*bad_input = 0;
	ctx.st = st;
	ctx.reject = reject;
	ctx.data = data;
	ctx.report = report;
	buf_init(&ctx.message, 0);
	if (store_begin(st, err) < 0)
		goto out;
	if (next_position(st, &ctx.next_position, err) < 0 ||
	    store_prepare(st, "SELECT id, title, html_url, category, lang, topics "
			  "FROM feeds WHERE url = ?", &ctx.find, err) < 0 ||
	    store_prepare(st, "INSERT INTO feeds (title, html_url, category, lang, topics, "
			  "url, position, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  &ctx.insert, err) < 0 ||
	    store_prepare(st, "UPDATE feeds SET title = ?, html_url = ?, category = ?, "
			  "lang = ?, topics = ? WHERE id = ?", &ctx.update, err) < 0)
		goto out;
	seen = opml_parse_file(path, (size_t)max_feeds, import_one, &ctx, err);
	if (seen < 0) {
		/* a failure the store did not report is the file's fault */
		*bad_input = st->code == STORE_OK;
		goto out;
	}
	sqlite3_finalize(ctx.find);
	sqlite3_finalize(ctx.insert);
	sqlite3_finalize(ctx.update);
	ctx.find = ctx.insert = ctx.update = NULL;
	if (store_commit(st, err) < 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(ctx.find);
	sqlite3_finalize(ctx.insert);
	sqlite3_finalize(ctx.update);
	if (ret < 0)
		store_rollback(st);
	buf_release(&ctx.message);
	return ret;
}

long feeds_seed(struct store *st, const char *path, long max_feeds,
		feeds_reject_fn reject, void *data, int *bad_input,
		struct buf *err)
{
	struct feeds_import_report report;
	struct buf value = BUF_INIT;
	long long any = 0;
	long ret = -1;
	int found;

	*bad_input = 0;
	found = store_meta_get(st, "feeds_seeded", &value, err);
	if (found != 0) {
		ret = found < 0 ? -1 : 0;
		goto out;
	}
	memset(&report, 0, sizeof(report));
	/* feeds imported by hand before the first run: the user chose them */
	if (store_query_int(st, "SELECT EXISTS (SELECT 1 FROM feeds)",
			    "cannot read the feed list", &any, err) < 0)
		goto out;
	if (!any && feeds_import_opml(st, path, max_feeds, reject, data, &report,
				      bad_input, err) < 0)
		goto out;
	buf_reset(&value);
	buf_addf(&value, "%s at %lld", any ? "not needed" : path, (long long)time(NULL));
	if (store_meta_set(st, "feeds_seeded", value.s, err) < 0)
		goto out;
	ret = report.added;
out:
	buf_release(&value);
	return ret;
}

static const char *column_or_null(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

int feeds_foreach(struct store *st, feeds_row_fn fn, void *data, struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	struct feed_row row;
	int ret = -1;
	int rc;

	if (store_prepare(st, "SELECT id, url, title, html_url, category, lang, status, "
			  "error, failures, coalesce(last_fetched_at, 0), disabled, topics "
			  "FROM feeds ORDER BY position, id", &stmt, err) < 0)
		goto out;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(stmt, 0);
		row.url = column_or_null(stmt, 1);
		row.title = column_or_null(stmt, 2);
		row.html_url = column_or_null(stmt, 3);
		row.category = column_or_null(stmt, 4);
		row.lang = column_or_null(stmt, 5);
		row.status = column_or_null(stmt, 6);
		row.error = column_or_null(stmt, 7);
		row.failures = sqlite3_column_int64(stmt, 8);
		row.last_fetched_at = sqlite3_column_int64(stmt, 9);
		row.disabled = sqlite3_column_int(stmt, 10);
		row.topics = column_or_null(stmt, 11);
		if (!row.topics)
			row.topics = "";
		ret = fn(&row, data);
		if (ret)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "cannot read the feed list", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

struct export_ctx {
	struct opml_feed *feeds;
	size_t n, alloc;
};

static int collect(const struct feed_row *row, void *data)
{
	struct export_ctx *ctx = data;
	struct opml_feed *f;

	xgrow(&ctx->feeds, &ctx->alloc, ctx->n + 1, sizeof(*ctx->feeds));
	f = &ctx->feeds[ctx->n++];
	f->xml_url = xstrdup(row->url);
	f->title = row->title ? xstrdup(row->title) : NULL;
	f->html_url = row->html_url ? xstrdup(row->html_url) : NULL;
	f->language = row->lang ? xstrdup(row->lang) : NULL;
	f->topics = xstrdup(row->topics);
	f->topics_error = NULL;
	f->category = xstrdup(row->category);
	f->line = 0;
	return 0;
}

int feeds_export_opml(struct store *st, FILE *out, struct buf *err)
{
	struct export_ctx ctx = { 0 };
	size_t i;
	int ret = -1;

	if (feeds_foreach(st, collect, &ctx, err) < 0)
		goto out;
	ret = opml_write(out, "newsdigest feeds", ctx.feeds, ctx.n, err);
out:
	for (i = 0; i < ctx.n; i++) {
		free((char *)ctx.feeds[i].xml_url);
		free((char *)ctx.feeds[i].title);
		free((char *)ctx.feeds[i].html_url);
		free((char *)ctx.feeds[i].language);
		free((char *)ctx.feeds[i].topics);
		free((char *)ctx.feeds[i].category);
	}
	free(ctx.feeds);
	return ret;
}
