/*
 * Approval (see approve.h). The checks collect every problem with its
 * line, so an editor fixes them all in one pass.
 */
#include "approve.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compose.h"
#include "digest.h"
#include "render.h"

static const char *const required_keys[] = { "title", "issue", "week", "date", "subject" };

/* Placeholders compose writes for the editor to replace. */
#define PLACEHOLDER "TODO:"

/* What the walks over the rendered tree report into. */
struct link_check {
	const struct draft_doc *d;
	struct buf *problems;
	size_t n;
	int last_line;
};

static void check_link(const char *url, int line, void *data);
static unsigned meta_line(const struct draft_doc *d, const char *key);
static void check_placeholder(const char *text, int line, void *data);
static void check_raw_links(const struct render_doc *doc, struct link_check *lc);

static void check_link(const char *url, int line, void *data)
{
	struct link_check *lc = data;

	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8) ||
	    !strncasecmp(url, "mailto:", 7))
		return;
	buf_addf(lc->problems, "%s:%u: link '%s' is not absolute (http, https or mailto): "
		 "subscribers could not follow it\n", lc->d->path,
		 lc->d->body_line + (unsigned)line - 1, url);
	lc->n++;
}

static void check_placeholder(const char *text, int line, void *data)
{
	struct link_check *lc = data;

	/* one report per line: a line may hold several text nodes */
	if (!strstr(text, PLACEHOLDER) || line == lc->last_line)
		return;
	lc->last_line = line;
	buf_addf(lc->problems, "%s:%u: placeholder text left: replace or delete the line "
		 "with '%s'\n", lc->d->path, lc->d->body_line + (unsigned)line - 1,
		 PLACEHOLDER);
	lc->n++;
}

/* With [compose] allow_raw_html, the editor's own <a href> and <img src>
 * reach subscribers too: their addresses are read from the rendered HTML
 * (which has no line numbers: the message names the address). */
static void check_raw_links(const struct render_doc *doc, struct link_check *lc)
{
	static const char *const attrs[] = { "href=\"", "src=\"" };
	struct render_options ro = RENDER_OPTIONS_INIT;
	struct buf html = BUF_INIT, url = BUF_INIT;
	const char *p, *q;
	size_t i;

	ro.allow_raw_html = 1;
	if (render_html(doc, &ro, &html) < 0)
		goto out;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		for (p = html.s; (p = strstr(p, attrs[i])); p = q) {
			p += strlen(attrs[i]);
			q = strchr(p, '"');
			if (!q)
				break;
			buf_reset(&url);
			buf_add(&url, p, (size_t)(q - p));
			if (!strncasecmp(url.s, "http://", 7) || !strncasecmp(url.s, "https://", 8) ||
			    !strncasecmp(url.s, "mailto:", 7) ||
			    (i == 1 && !strncasecmp(url.s, "data:image/", 11)))
				continue;
			buf_addf(lc->problems, "%s: raw HTML: address '%s' is not absolute (http, "
				 "https or mailto): subscribers could not follow it\n",
				 lc->d->path, url.s);
			lc->n++;
		}
out:
	buf_release(&html);
	buf_release(&url);
}

static unsigned meta_line(const struct draft_doc *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->nmeta; i++)
		if (!strcmp(d->meta[i].key, key))
			return d->meta[i].line;
	return 1;
}

size_t approve_check(const struct config *cfg, const struct draft_doc *d, struct buf *problems)
{
	struct link_check lc = { d, problems, 0, 0 };
	struct render_doc *doc;
	struct digest *dg;
	struct compose_week w;
	struct buf err = BUF_INIT, html = BUF_INIT, text = BUF_INIT;
	const char *v;
	size_t i, n = 0;
	char *end;

	for (i = 0; i < sizeof(required_keys) / sizeof(required_keys[0]); i++) {
		v = draft_meta(d, required_keys[i]);
		if (!v || !*v) {
			buf_addf(problems, "%s:1: the front matter has no '%s'\n", d->path,
				 required_keys[i]);
			n++;
		}
	}
	v = draft_meta(d, "week");
	if (v && *v && compose_week_parse(v, &w) < 0) {
		buf_addf(problems, "%s:%u: week '%s' is not an ISO week such as 2026-W48\n",
			 d->path, meta_line(d, "week"), v);
		n++;
	}
	v = draft_meta(d, "issue");
	if (v && *v && (strtol(v, &end, 10) < 1 || *end)) {
		buf_addf(problems, "%s:%u: issue '%s' is not a number\n", d->path,
			 meta_line(d, "issue"), v);
		n++;
	}
	doc = render_parse(d->text + d->body, d->len - d->body);
	if (!doc) {
		buf_addf(problems, "%s:%u: the Markdown cannot be rendered\n", d->path,
			 d->body_line);
		n++;
	} else {
		render_links(doc, check_link, &lc);
		/* placeholders in what subscribers would read, not in comments */
		render_texts(doc, check_placeholder, &lc);
		if (cfg->compose.allow_raw_html)
			check_raw_links(doc, &lc);
		n += lc.n;
		render_doc_free(doc);
	}
	dg = digest_new(cfg, d, &err);
	if (!dg || digest_personalise(dg, &digest_sample_person, &html, &text, &err) < 0) {
		buf_addf(problems, "%s\n", err.s);
		n++;
	}
	digest_free(dg);
	buf_release(&err);
	buf_release(&html);
	buf_release(&text);
	return n;
}

int approve_record(struct store *st, const struct draft_doc *d, const char hex[65],
		   struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int ret = -1;
	long long begun = 0;

	/* once subscribers have the approved bytes, other bytes would reach
	 * only the rest of the list */
	if (store_prepare(st, "SELECT count(*) FROM digests g JOIN deliveries d ON d.digest = g.id "
			  "WHERE g.week = ?1 AND d.state IN ('sent', 'sending') "
			  "AND g.approved_hash IS NOT ?2", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, draft_meta(d, "week"), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return store_fail(st, "reading the digest's deliveries", err);
	}
	begun = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	q = NULL;
	if (begun) {
		buf_addf(err, "the digest of %s has gone out to %lld subscriber%s already: a "
			 "changed file would reach only the rest; finish the send with the "
			 "approved file ('newsdigest send')", draft_meta(d, "week"), begun,
			 begun == 1 ? "" : "s");
		return APPROVE_SENDING;
	}
	if (store_prepare(st, "INSERT INTO digests (week, path, approved_hash, approved_at, "
			  "issue) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (week) DO UPDATE SET "
			  "path = ?2, approved_hash = ?3, approved_at = ?4, "
			  "issue = coalesce(issue, ?5)", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, draft_meta(d, "week"), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (long long)time(NULL));
	sqlite3_bind_int64(q, 5, strtol(draft_meta(d, "issue"), NULL, 10));
	if (sqlite3_step(q) != SQLITE_DONE)
		store_fail(st, "recording the approval", err);
	else
		ret = 0;
	sqlite3_finalize(q);
	return ret;
}
