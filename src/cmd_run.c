#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cmd.h"
#include "curate.h"
#include "draft.h"
#include "feeds.h"
#include "fetch.h"
#include "journal.h"
#include "log.h"
#include "sender.h"
#include "subscribers.h"

static const char usage[] =
	"usage: newsdigest run [--send]\n"
	"\n"
	"The weekly job, for cron. On the first run it seeds the feed list from\n"
	"[fetch] feeds (feeds/feeds.opml by default); every run then fetches the\n"
	"feeds that are due (as 'newsdigest fetch' does), tags the new items with\n"
	"the topic list (as 'newsdigest curate' does), writes this week's draft\n"
	"(as 'newsdigest compose' does, never over an edited one) and reports the\n"
	"state of the feeds and the subscriber list. Exits 0 unless something needs a\n"
	"person: 69 when every feed failed, 75 on a store error, 78 when the\n"
	"topic list is broken.\n"
	"\n"
	"With --send, the run sends instead: this week's draft goes to every\n"
	"active subscriber once (as 'newsdigest send' does) when it is approved\n"
	"and not yet sent. When nothing is sent (no draft, not approved, changed\n"
	"since it was approved, already sent, a quiet week with [compose]\n"
	"quiet_week = skip) it says why and exits 0; otherwise it exits as send\n"
	"does.\n"
	"\n"
	"options:\n"
	"  -s, --send  send this week's approved draft (the second weekly run)\n"
	"  -h, --help  this help\n";

struct run_totals {
	long feeds, never, failing, subscribers;
};

static int count_feed(const struct feed_row *row, void *data)
{
	struct run_totals *t = data;

	t->feeds++;
	if (!strcmp(row->status, "never"))
		t->never++;
	else if (!strcmp(row->status, "error"))
		t->failing++;
	return 0;
}

static int count_subscriber(const struct subscriber_row *row, void *data)
{
	struct run_totals *t = data;

	t->subscribers++;
	return 0;
}

static void print_line(const char *line, void *data)
{
	log_report("%s", line);
}

static void print_reject(const char *message, void *data)
{
	log_warn("%s: %s", (const char *)data, message);
}

/* Tag what the fetch brought; the topic list is read here, after the
 * fetch, so a broken list still lets the items in. */
static int curate_stage(struct cmd_ctx *ctx, struct progress *progress, struct buf *err)
{
	struct curate_report crep;
	struct topics topics;
	struct matcher *m;
	struct buf line = BUF_INIT;
	int ret = EX_OK;

	if (curate_prepare(ctx->cfg, &topics, &m, err) < 0) {
		log_error("curate: %s", err->s);
		return EX_CONFIG;
	}
	if (curate_run(ctx->st, ctx->cfg, &topics, m, 0, progress, &crep, err) < 0) {
		ret = cmd_fail(ctx, 0, err);
	} else {
		curate_summary(&crep, &line);
		log_report("%s", line.s);
	}
	matcher_free(m);
	topics_release(&topics);
	buf_release(&line);
	return ret;
}

/* Write this week's draft, unless the editor has edited it already. */
static int compose_stage(struct cmd_ctx *ctx, struct buf *err)
{
	struct compose_week week;
	struct draft_report rep;
	struct topics topics;
	struct buf path = BUF_INIT, line = BUF_INIT;
	char name[16];
	int ret = EX_OK;

	if (topics_load(&topics, ctx->cfg->curate.topics, err) < 0) {
		log_error("compose: %s", err->s);
		return EX_CONFIG;
	}
	compose_week_of((long long)time(NULL), &week);
	compose_week_name(&week, name, sizeof(name));
	buf_addf(&path, "%s/%s.md", ctx->cfg->compose.digests_dir, name);
	switch (draft_compose(ctx->st, ctx->cfg, &topics, &week, path.s, 0, &rep, &line, err)) {
	case 0:
		log_report("%s", line.s);
		break;
	case DRAFT_EDITED:
		log_report("the draft %s was edited since compose wrote it: left as is", path.s);
		break;
	case DRAFT_SENDING:
		log_report("the draft %s has been sent: left as is", path.s);
		break;
	default:
		ret = cmd_compose_fail(ctx, &rep, err);
	}
	draft_report_release(&rep);
	topics_release(&topics);
	buf_release(&path);
	buf_release(&line);
	return ret;
}

/* run --send: this week's approved draft, or why nothing was sent. */
static int send_stage(struct cmd_ctx *ctx)
{
	struct compose_week week;
	struct journal_digest dg = { 0 };
	struct draft_doc d = { 0 };
	struct buf err = BUF_INIT;
	char name[16];
	long items;
	int found, ret;

	compose_week_of((long long)time(NULL), &week);
	compose_week_name(&week, name, sizeof(name));
	log_report("newsdigest run --send, week %s", name);
	found = journal_digest_find(ctx->st, name, &dg, &err);
	if (found < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	if (found > 0) {
		log_report("nothing sent: there is no draft of %s ('newsdigest run' writes one)",
			   name);
		ret = EX_OK;
		goto out;
	}
	if (draft_read(dg.path, &d, &err) < 0) {
		log_error("run: nothing sent: %s", err.s);
		ret = EX_DATAERR;
		goto out;
	}
	items = sender_count_items(&d);
	if (ctx->cfg->compose.quiet_week == QUIET_WEEK_SKIP && !dg.send_started_at &&
	    items < ctx->cfg->compose.min_items) {
		log_report("nothing sent: a quiet week (%ld item%s in %s, fewer than [compose] "
			   "min_items = %ld) and [compose] quiet_week = skip; 'newsdigest send "
			   "%s' sends it all the same", items, items == 1 ? "" : "s", dg.path,
			   ctx->cfg->compose.min_items, dg.path);
		ret = EX_OK;
		goto out;
	}
	ret = cmd_send_digest(ctx, &d, SEND_FROM_RUN);
out:
	journal_digest_release(&dg);
	draft_doc_release(&d);
	buf_release(&err);
	return ret;
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "send", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_totals t = { 0 };
	struct fetch_options fopt = { 0 };
	struct fetch_report rep;
	struct progress progress;
	struct buf err = BUF_INIT;
	const char *opml = ctx->cfg->fetch.feeds;
	char week[16];
	struct tm tm;
	time_t now = time(NULL);
	int bad_input;
	long seeded;
	int send = 0;
	int ret;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "sh", options, NULL)) != -1) {
		if (c == 's') {
			send = 1;
			continue;
		}
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		return usage_error(usage, "run: unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return usage_error(usage, "run: unexpected argument '%s'", argv[optind]);
	ret = cmd_open_store(ctx, 1);
	if (ret)
		return ret;
	if (send)
		return send_stage(ctx);

	gmtime_r(&now, &tm);
	strftime(week, sizeof(week), "%G-W%V", &tm);
	log_report("newsdigest run, week %s", week);
	seeded = feeds_seed(ctx->st, opml, ctx->cfg->fetch.max_feeds, print_reject,
			    (void *)opml, &bad_input, &err);
	if (seeded < 0) {
		ret = cmd_fail(ctx, bad_input, &err);
		log_error("the feed list was not seeded; fix '%s' or set [fetch] feeds", opml);
		goto out;
	}
	if (seeded > 0)
		log_report("first run: %ld feeds seeded from '%s'", seeded, opml);
	if (fetch_run(ctx->st, ctx->cfg, &fopt, print_line, NULL, &progress, &rep, &err) < 0) {
		log_error("fetch: %s", err.s);
		ret = ctx->st->code == STORE_OK ? EX_SOFTWARE : EX_TEMPFAIL;
		goto out;
	}
	log_report("fetched %ld feeds: %ld ok (%ld new items, %ld updated), %ld not "
		   "modified, %ld failed, %ld gone; %ld not due yet", rep.due, rep.ok,
		   rep.new_items, rep.updated_items, rep.not_modified, rep.failed,
		   rep.gone, rep.not_due);
	ret = curate_stage(ctx, &progress, &err);
	if (ret)
		goto out;
	ret = compose_stage(ctx, &err);
	if (ret)
		goto out;
	if (feeds_foreach(ctx->st, count_feed, &t, &err) < 0 ||
	    subscribers_foreach(ctx->st, 0, count_subscriber, &t, &err) < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	log_report("feeds: %ld (%ld never fetched, %ld failing)", t.feeds, t.never, t.failing);
	log_report("subscribers: %ld active", t.subscribers);
	if (!t.feeds)
		log_warn("no feeds: add some with 'newsdigest feeds add URL'");
	ret = EX_OK;
	if (rep.due && rep.failed + rep.gone == rep.due) {
		log_error("run: every feed failed to fetch (is the network down?)");
		ret = EX_UNAVAILABLE;
	}
out:
	buf_release(&err);
	return ret;
}
