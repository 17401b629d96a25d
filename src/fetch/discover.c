#include "discover.h"

#include <string.h>

#include "feed.h"

struct fetched {
	struct discover_result *r;
	const char *url;
};

void discover_result_init(struct discover_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->feed_url, 0);
	buf_init(&r->title, 0);
	buf_init(&r->reason, 0);
}

void discover_result_release(struct discover_result *r)
{
	buf_release(&r->feed_url);
	buf_release(&r->title);
	buf_release(&r->reason);
	html_feed_links_free(r->candidates, r->ncandidates);
	r->candidates = NULL;
	r->ncandidates = 0;
}

/* Only the feed's own fields matter here: stop at the first entry. */
static int first_entry_only(const struct feed_entry *e, void *data)
{
	return 1;
}

static void classify(struct discover_result *r, const char *request_url,
		     const struct http_response *resp)
{
	const char *where = resp->final_url ? resp->final_url : request_url;
	struct feed_options fopt = { 0 };
	struct feed_info info;
	struct buf err = BUF_INIT;

	if (html_looks_like_page(resp->body, resp->body_len)) {
		r->ncandidates = html_find_feeds(resp->body, resp->body_len, where,
						 &r->candidates);
		r->kind = r->ncandidates ? DISCOVER_PAGE : DISCOVER_NOTHING;
		if (!r->ncandidates)
			buf_addstr(&r->reason, "a web page that announces no feed "
				   "(no <link rel=\"alternate\"> of a feed type)");
		return;
	}
	feed_info_init(&info);
	fopt.base_url = where;
	fopt.content_type = resp->content_type;
	fopt.max_entries = 1;
	/* a stop from our callback is success: the feed was recognised */
	if (feed_parse(resp->body, resp->body_len, &fopt, first_entry_only, NULL,
		       &info, &err) < 0 && info.format == FEED_FORMAT_UNKNOWN) {
		r->kind = DISCOVER_NOTHING;
		buf_addf(&r->reason, "not a feed: %s", err.s);
	} else {
		r->kind = DISCOVER_FEED;
		/* a temporary redirect keeps the address the user gave */
		buf_addstr(&r->feed_url, resp->moved_permanently ? where : request_url);
		if (info.title)
			buf_addstr(&r->title, info.title);
	}
	feed_info_release(&info);
	buf_release(&err);
}

static void on_done(const struct http_request *req, const struct http_response *resp,
		    void *data)
{
	struct fetched *f = data;

	if (resp->outcome == HTTP_OK) {
		classify(f->r, f->url, resp);
		return;
	}
	f->r->kind = DISCOVER_UNREACHABLE;
	buf_addstr(&f->r->reason, resp->outcome == HTTP_GONE ? "410 Gone" :
		   resp->error ? resp->error : "no answer");
}

int discover(const struct http_options *opt, const char *url,
	     struct discover_result *r, struct buf *err)
{
	struct http_request req = { 0 };
	struct fetched f = { r, url };

	req.url = url;
	return http_fetch_all(opt, &req, 1, on_done, &f, err);
}
