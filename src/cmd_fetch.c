#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "fetch.h"
#include "log.h"

static const char usage[] =
	"usage: newsdigest fetch [--jobs N] [--feed URL] [--force]\n"
	"\n"
	"Fetch every enabled feed that is due, store new and changed items, and\n"
	"report one line per feed. Feeds are fetched at once, at most [fetch]\n"
	"concurrency in all and per_host per publisher; unchanged feeds cost a\n"
	"304. A failing feed waits longer after each failure; a 410 Gone disables\n"
	"it; a permanent redirect updates its stored URL.\n"
	"\n"
	"options:\n"
	"  -j, --jobs N   fetch at most N feeds at once (default: [fetch] concurrency)\n"
	"      --feed URL fetch only this feed, now\n"
	"  -f, --force    fetch every feed now, whatever its schedule\n"
	"  -h, --help     this help\n"
	"\n"
	"exit status: 0 when at least one feed was fetched (or none was due),\n"
	"69 when every feed failed, 75 on a store error.\n";

static void print_line(const char *line, void *data)
{
	log_report("%s", line);
}

int cmd_fetch(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "feed", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fetch_options opt = { 0 };
	struct fetch_report rep;
	struct progress progress;
	struct buf err = BUF_INIT;
	char *end;
	int ret;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:fh", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt.jobs = strtol(optarg, &end, 10);
			if (*end || opt.jobs < 1 || opt.jobs > 256)
				return usage_error(usage, "fetch: --jobs takes a number "
						   "from 1 to 256, not '%s'", optarg);
			break;
		case 'F': opt.only_url = optarg; break;
		case 'f': opt.flags |= FETCH_FORCE; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		case ':':
			return usage_error(usage, "fetch: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(usage, "fetch: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(usage, "fetch: unexpected argument '%s'", argv[optind]);
	ret = cmd_open_store(ctx, 1);
	if (ret)
		return ret;
	if (fetch_run(ctx->st, ctx->cfg, &opt, print_line, NULL, &progress, &rep, &err) < 0) {
		log_error("fetch: %s", err.s);
		/* a store failure part way keeps the feeds done so far: try again */
		if (ctx->st->code != STORE_OK)
			ret = EX_TEMPFAIL;
		else
			ret = opt.only_url ? EX_DATAERR : EX_SOFTWARE;
		goto out;
	}
	if (!rep.due && !rep.not_due)
		log_report("no feeds to fetch: add some with 'newsdigest feeds add URL'");
	log_report("fetched %ld feeds: %ld ok (%ld new items, %ld updated), %ld not "
		   "modified, %ld failed, %ld gone, %ld moved; %ld not due yet",
		   rep.due, rep.ok, rep.new_items, rep.updated_items, rep.not_modified,
		   rep.failed, rep.gone, rep.moved, rep.not_due);
	ret = rep.due && rep.failed + rep.gone == rep.due ? EX_UNAVAILABLE : EX_OK;
	if (ret)
		log_error("fetch: every feed failed (is the network down?)");
out:
	buf_release(&err);
	return ret;
}
