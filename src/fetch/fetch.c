#include "fetch.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "http.h"
#include "items.h"
#include "xalloc.h"

/* the first wait after a failure; it doubles with each failure after */
#define BACKOFF_FIRST 900

struct job {
	long id;
	char *url;
	char *etag;
	char *last_modified;
	long failures;
};

struct run_ctx {
	struct store *st;
	const struct config *cfg;
	fetch_line_fn line;
	void *data;
	struct progress *progress;
	struct fetch_report *rep;
	struct items_writer writer;
	long long now;
	size_t done;
	int store_failed;
	struct buf *err;
	struct buf msg;
	/* per feed, while its entries are stored */
	long feed_id;
	long new_items, updated_items;
};

static void say(struct run_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct run_ctx *ctx, const char *fmt, ...)
{
	struct buf raw = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&raw, fmt, ap);
	va_end(ap);
	/* URLs, reasons and titles come from the network */
	buf_reset(&ctx->msg);
	buf_addsanitized(&ctx->msg, raw.s);
	if (ctx->progress)
		progress_clear(ctx->progress);
	fflush(stdout);
	ctx->line(ctx->msg.s, ctx->data);
	fflush(stdout);
	buf_release(&raw);
}

static int load_jobs(struct store *st, const struct fetch_options *opt,
		     long long now, struct job **jobs, size_t *n, struct buf *err)
{
	sqlite3_stmt *stmt = NULL;
	size_t alloc = 0;
	int force = (opt->flags & FETCH_FORCE) || opt->only_url;
	int ret = -1;
	int rc;

	*jobs = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT id, url, etag, last_modified, failures FROM feeds "
			  "WHERE disabled = 0 AND (?1 OR next_fetch_at IS NULL OR "
			  "next_fetch_at <= ?2) AND (?3 IS NULL OR url = ?3) "
			  "ORDER BY position, id", &stmt, err) < 0)
		goto out;
	sqlite3_bind_int(stmt, 1, force);
	sqlite3_bind_int64(stmt, 2, now);
	if (opt->only_url)
		sqlite3_bind_text(stmt, 3, opt->only_url, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct job *j;

		xgrow(jobs, &alloc, *n + 1, sizeof(**jobs));
		j = &(*jobs)[(*n)++];
		j->id = sqlite3_column_int64(stmt, 0);
		j->url = xstrdup((const char *)sqlite3_column_text(stmt, 1));
		j->etag = sqlite3_column_text(stmt, 2) ?
			  xstrdup((const char *)sqlite3_column_text(stmt, 2)) : NULL;
		j->last_modified = sqlite3_column_text(stmt, 3) ?
			  xstrdup((const char *)sqlite3_column_text(stmt, 3)) : NULL;
		j->failures = sqlite3_column_int64(stmt, 4);
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

static void free_jobs(struct job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(jobs[i].url);
		free(jobs[i].etag);
		free(jobs[i].last_modified);
	}
	free(jobs);
}

/* Run one UPDATE of a feed with text and number parameters; NULL text
 * binds NULL. */
static int update_feed(struct run_ctx *ctx, const char *sql, long id,
		       const char *t1, const char *t2, const char *t3,
		       long long n1, int n1_null)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;

	if (store_prepare(ctx->st, sql, &stmt, ctx->err) < 0)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	if (t1)
		sqlite3_bind_text(stmt, 2, t1, -1, SQLITE_STATIC);
	if (t2)
		sqlite3_bind_text(stmt, 3, t2, -1, SQLITE_STATIC);
	if (t3)
		sqlite3_bind_text(stmt, 4, t3, -1, SQLITE_STATIC);
	if (!n1_null)
		sqlite3_bind_int64(stmt, 5, n1);
	sqlite3_bind_int64(stmt, 6, ctx->now);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail(ctx->st, "cannot update a feed", ctx->err);
		goto out;
	}
	ret = sqlite3_changes(ctx->st->db);
out:
	sqlite3_finalize(stmt);
	return ret;
}

static long long backoff(const struct run_ctx *ctx, long failures, long retry_after)
{
	long long wait = BACKOFF_FIRST;
	long max = ctx->cfg->fetch.backoff_max;

	if (retry_after > 0)
		return retry_after < max ? retry_after : max;
	while (--failures > 0 && wait < max)
		wait *= 2;
	return wait < max ? wait : max;
}

static int store_entry(const struct feed_entry *e, void *data)
{
	struct run_ctx *ctx = data;
	int rc = items_put(&ctx->writer, ctx->feed_id, e, ctx->now, ctx->err);

	if (rc < 0)
		return 1;
	if (rc == ITEM_NEW)
		ctx->new_items++;
	else if (rc == ITEM_UPDATED)
		ctx->updated_items++;
	return 0;
}

static int record_failure(struct run_ctx *ctx, const struct job *job,
			  const char *reason, long retry_after)
{
	long failures = job->failures + 1;
	long long wait = backoff(ctx, failures, retry_after);

	if (update_feed(ctx, "UPDATE feeds SET status = 'error', error = ?2, "
			"failures = failures + 1, last_fetched_at = ?6, "
			"next_fetch_at = ?6 + ?5 WHERE id = ?1",
			job->id, reason, NULL, NULL, wait, 0) < 0)
		return -1;
	ctx->rep->failed++;
	say(ctx, "error         %s: %s (%ld in a row; next try after %lld min)",
	    job->url, reason, failures, (wait + 59) / 60);
	return 0;
}

static int record_success(struct run_ctx *ctx, const struct job *job,
			  const struct http_response *resp)
{
	long long next = resp->max_age > 0 ?
		ctx->now + (resp->max_age < ctx->cfg->fetch.backoff_max ?
			    resp->max_age : ctx->cfg->fetch.backoff_max) : 0;

	return update_feed(ctx, "UPDATE feeds SET status = 'ok', error = NULL, "
			   "failures = 0, etag = coalesce(?2, etag), "
			   "last_modified = coalesce(?3, last_modified), "
			   "last_fetched_at = ?6, next_fetch_at = ?5 WHERE id = ?1",
			   job->id, resp->etag, resp->last_modified, NULL,
			   next, next == 0) < 0 ? -1 : 0;
}

/* A permanent redirect: the stored URL follows, unless another feed of the
 * list already has the new one. */
static int follow_move(struct run_ctx *ctx, const struct job *job, const char *to)
{
	int changed = update_feed(ctx, "UPDATE OR IGNORE feeds SET url = ?2 WHERE id = ?1",
				  job->id, to, NULL, NULL, 0, 1);

	if (changed < 0)
		return -1;
	ctx->rep->moved++;
	if (changed)
		say(ctx, "moved         %s -> %s (permanent redirect: the stored URL "
		    "now follows it)", job->url, to);
	else
		say(ctx, "moved         %s -> %s, which is already in the list: "
		    "remove one of them", job->url, to);
	return 0;
}

static int handle_body(struct run_ctx *ctx, const struct job *job,
		       const struct http_response *resp)
{
	struct feed_options fopt = { 0 };
	struct feed_info info;
	struct buf reason = BUF_INIT;
	size_t errlen = ctx->err->len;
	int ret = -1;

	feed_info_init(&info);
	fopt.base_url = resp->final_url;
	fopt.content_type = resp->content_type;
	fopt.max_entries = (size_t)ctx->cfg->fetch.max_items;
	fopt.summary_chars = (size_t)ctx->cfg->fetch.summary_chars;
	ctx->feed_id = job->id;
	ctx->new_items = ctx->updated_items = 0;
	if (feed_parse(resp->body, resp->body_len, &fopt, store_entry, ctx, &info,
		       &reason) < 0) {
		if (ctx->err->len > errlen)
			goto out;       /* the store failed under the callback */
		/* not a feed: nothing of it is kept */
		store_rollback(ctx->st);
		if (store_begin(ctx->st, ctx->err) < 0)
			goto out;
		ret = record_failure(ctx, job, reason.len ? reason.s : "not a feed", -1);
		goto out;
	}
	if (record_success(ctx, job, resp) < 0 ||
	    update_feed(ctx, "UPDATE feeds SET feed_title = ?2, "
			"title = coalesce(title, ?2) WHERE id = ?1",
			job->id, info.title, NULL, NULL, 0, 1) < 0)
		goto out;
	/* the channel's <language> is the language of its items that do not
	 * say theirs (the curator stems words in it); new and changed items
	 * are the ones not yet curated */
	if (info.language &&
	    update_feed(ctx, "UPDATE items SET lang = ?2 WHERE feed = ?1 AND lang IS NULL "
			"AND curated_at IS NULL", job->id, info.language, NULL, NULL, 0, 1) < 0)
		goto out;
	ctx->rep->ok++;
	ctx->rep->new_items += ctx->new_items;
	ctx->rep->updated_items += ctx->updated_items;
	say(ctx, "ok            %s: %ld new, %ld updated%s", job->url, ctx->new_items,
	    ctx->updated_items, info.wellformed ? "" : " (malformed XML, recovered)");
	ret = 0;
out:
	feed_info_release(&info);
	buf_release(&reason);
	return ret;
}

static void on_done(const struct http_request *req, const struct http_response *resp,
		    void *data)
{
	struct run_ctx *ctx = data;
	const struct job *job = req->data;
	int ret = -1;

	if (ctx->progress)
		progress_update(ctx->progress, ++ctx->done);
	if (ctx->store_failed)
		return;
	if (store_begin(ctx->st, ctx->err) < 0)
		goto out;
	switch (resp->outcome) {
	case HTTP_OK:
		ret = handle_body(ctx, job, resp);
		break;
	case HTTP_NOT_MODIFIED:
		ret = record_success(ctx, job, resp);
		if (ret == 0) {
			ctx->rep->not_modified++;
			say(ctx, "not modified  %s", job->url);
		}
		break;
	case HTTP_GONE:
		ret = update_feed(ctx, "UPDATE feeds SET disabled = 1, status = 'error', "
				  "error = '410 Gone: the feed was disabled', "
				  "last_fetched_at = ?6 WHERE id = ?1",
				  job->id, NULL, NULL, NULL, 0, 1) < 0 ? -1 : 0;
		if (ret == 0) {
			ctx->rep->gone++;
			say(ctx, "gone          %s: 410 Gone, so the feed is disabled "
			    "(remove it, or re-add it if it comes back)", job->url);
		}
		break;
	case HTTP_FAILED:
		ret = record_failure(ctx, job, resp->error ? resp->error : "failed",
				     resp->retry_after);
		break;
	}
	if (ret == 0 && resp->moved_permanently && resp->final_url &&
	    strcmp(resp->final_url, job->url) && resp->outcome != HTTP_FAILED)
		ret = follow_move(ctx, job, resp->final_url);
	if (ret == 0)
		ret = store_commit(ctx->st, ctx->err);
out:
	if (ret < 0) {
		store_rollback(ctx->st);
		ctx->store_failed = 1;
	}
}

static int call_out_failing(struct run_ctx *ctx)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;
	int rc;

	if (store_prepare(ctx->st, "SELECT url, failures, coalesce(error, '') FROM feeds "
			  "WHERE disabled = 0 AND failures >= ? ORDER BY failures DESC, "
			  "position", &stmt, ctx->err) < 0)
		goto out;
	sqlite3_bind_int64(stmt, 1, ctx->cfg->fetch.failing_after);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ctx->rep->failing++;
		say(ctx, "failing for %lld runs in a row: %s: %s",
		    (long long)sqlite3_column_int64(stmt, 1),
		    (const char *)sqlite3_column_text(stmt, 0),
		    (const char *)sqlite3_column_text(stmt, 2));
	}
	if (rc != SQLITE_DONE) {
		store_fail(ctx->st, "cannot read the feed list", ctx->err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

void fetch_http_options(const struct config *cfg, struct http_options *out)
{
	memset(out, 0, sizeof(*out));
	out->concurrency = cfg->fetch.concurrency;
	out->per_host = cfg->fetch.per_host;
	out->connect_timeout = cfg->fetch.connect_timeout;
	out->timeout = cfg->fetch.timeout;
	out->low_speed_bytes = cfg->fetch.low_speed_bytes;
	out->low_speed_time = cfg->fetch.low_speed_time;
	out->max_bytes = cfg->fetch.max_bytes;
	out->max_redirects = cfg->fetch.max_redirects;
	out->user_agent = cfg->fetch.user_agent;
}

int fetch_run(struct store *st, const struct config *cfg,
	      const struct fetch_options *opt, fetch_line_fn line, void *data,
	      struct progress *progress, struct fetch_report *report,
	      struct buf *err)
{
	struct http_options hopt = { 0 };
	struct http_request *reqs = NULL;
	struct run_ctx ctx = { 0 };
	struct job *jobs = NULL;
	long long not_due = 0;
	size_t n = 0, i;
	int ret = -1;

	memset(report, 0, sizeof(*report));
	ctx.st = st;
	ctx.cfg = cfg;
	ctx.line = line;
	ctx.data = data;
	ctx.progress = progress;
	ctx.rep = report;
	ctx.err = err;
	ctx.now = (long long)time(NULL);
	buf_init(&ctx.msg, 0);
	if (load_jobs(st, opt, ctx.now, &jobs, &n, err) < 0)
		goto out;
	if (opt->only_url && !n) {
		buf_addf(err, "'%s' is not in the feed list, or is disabled "
			 "(see 'newsdigest feeds list')", opt->only_url);
		goto out;
	}
	if (!(opt->flags & FETCH_FORCE) && !opt->only_url &&
	    store_query_int(st, "SELECT count(*) FROM feeds WHERE disabled = 0 AND "
			    "next_fetch_at > CAST(strftime('%s', 'now') AS INTEGER)",
			    "cannot read the feed list", &not_due, err) < 0)
		goto out;
	report->not_due = (long)not_due;
	report->due = (long)n;
	/* One commit per feed keeps a crash from losing other feeds' items; in
	 * WAL mode NORMAL still survives a crash of the program, and what a
	 * power cut could lose here is only re-fetched. FULL (the store's
	 * default) would cost an fsync per feed: most of a warm fetch. */
	if (store_exec(st, "PRAGMA synchronous = NORMAL", err) < 0 ||
	    items_writer_init(&ctx.writer, st, err) < 0)
		goto out;

	reqs = xcalloc(n, sizeof(*reqs));
	for (i = 0; i < n; i++) {
		reqs[i].url = jobs[i].url;
		reqs[i].etag = jobs[i].etag;
		reqs[i].last_modified = jobs[i].last_modified;
		reqs[i].data = &jobs[i];
	}
	fetch_http_options(cfg, &hopt);
	if (opt->jobs > 0)
		hopt.concurrency = opt->jobs;
	if (progress)
		progress_start(progress, stderr, "fetching feeds", "feeds", n, 2);
	if (n && http_fetch_all(&hopt, reqs, n, on_done, &ctx, err) < 0)
		goto out;
	if (progress)
		progress_finish(progress);
	if (ctx.store_failed)
		goto out;
	if (call_out_failing(&ctx) < 0)
		goto out;
	ret = 0;
out:
	if (st->db)
		sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	items_writer_release(&ctx.writer);
	free(reqs);
	free_jobs(jobs, n);
	buf_release(&ctx.msg);
	return ret;
}
