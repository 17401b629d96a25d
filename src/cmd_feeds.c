#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cmd.h"
#include "discover.h"
#include "fetch.h"
#include "feeds.h"
#include "log.h"
#include "url.h"

static const char usage[] =
	"usage: newsdigest feeds list\n"
	"       newsdigest feeds add URL [--title TITLE] [--topics IDS] [--no-check]\n"
	"       newsdigest feeds remove URL\n"
	"       newsdigest feeds import FILE.opml\n"
	"       newsdigest feeds export [-o FILE]\n"
	"\n"
	"  list    every feed with its last status: never fetched, ok, or the\n"
	"          last error and how many fetches in a row have failed\n"
	"  add     add one feed (an http or https URL); the URL is fetched once:\n"
	"          a web page's announced feed is found and stored instead, and\n"
	"          when it announces several they are listed to choose from\n"
	"  remove  remove a feed and the items fetched from it\n"
	"  import  add or refresh the feeds of an OPML 1.0 or 2.0 file, in one\n"
	"          transaction; folders become categories\n"
	"  export  write the feed list as OPML 2.0 (stdout, or FILE with -o)\n"
	"\n"
	"options:\n"
	"  --title TITLE  the feed's title (add)\n"
	"  --topics IDS   the topics the feed leans to, which the curator favours a\n"
	"                 little: topic ids of [curate] topics (a-z, 0-9, '-'),\n"
	"                 separated by spaces or commas, at most 16; \"\" clears\n"
	"                 them (add)\n"
	"  --no-check     add the URL as given, without fetching it (add)\n"
	"  -o FILE        write to FILE instead of standard output (export)\n"
	"  -h, --help     this help\n";

struct list_totals {
	long feeds, never, ok, error, disabled;
};

static int list_row(const struct feed_row *row, void *data)
{
	struct list_totals *t = data;
	struct buf line = BUF_INIT;
	const char *status = row->status;

	if (!t->feeds++)
		printf("%-14s %s  %s\n", "status", "fails", "url  title  [folder]");
	if (row->disabled) {
		t->disabled++;
		status = "disabled";
	} else if (!strcmp(row->status, "never")) {
		t->never++;
		status = "never fetched";
	} else if (!strcmp(row->status, "ok")) {
		t->ok++;
	} else {
		t->error++;
	}
	buf_addf(&line, "%-14s %5ld  %s", status, row->failures, row->url);
	if (row->title) {
		buf_addstr(&line, "  ");
		buf_addsanitized(&line, row->title);
	}
	if (*row->category) {
		buf_addstr(&line, "  [");
		buf_addsanitized(&line, row->category);
		buf_addch(&line, ']');
	}
	if (*row->topics) {
		buf_addstr(&line, "\n                      topics: ");
		buf_addsanitized(&line, row->topics);
	}
	if (row->error) {
		buf_addstr(&line, "\n                      last error: ");
		buf_addsanitized(&line, row->error);
	}
	/* the list is the command's output, printed even under -q */
	printf("%s\n", line.s);
	buf_release(&line);
	return 0;
}

static int feeds_list(struct cmd_ctx *ctx)
{
	struct list_totals t = { 0 };
	struct buf err = BUF_INIT;
	int ret;

	if (feeds_foreach(ctx->st, list_row, &t, &err) < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	if (!t.feeds)
		log_report("no feeds: add one with 'newsdigest feeds add URL' or "
			   "'newsdigest feeds import FILE.opml'");
	else
		log_report("%ld feeds: %ld ok, %ld failing, %ld never fetched, %ld disabled",
			   t.feeds, t.ok, t.error, t.never, t.disabled);
	ret = EX_OK;
out:
	buf_release(&err);
	return ret;
}

static void print_reject(const char *message, void *data)
{
	const char *path = data;

	log_error("%s: %s", path, message);
}

static int feeds_import(struct cmd_ctx *ctx, const char *path)
{
	struct feeds_import_report rep;
	struct buf err = BUF_INIT;
	int bad_input;
	int ret;
	FILE *probe = fopen(path, "r");

	if (!probe) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	fclose(probe);
	if (feeds_import_opml(ctx->st, path, ctx->cfg->fetch.max_feeds, print_reject,
			      (void *)path, &rep, &bad_input, &err) < 0) {
		ret = cmd_fail(ctx, bad_input, &err);
		log_error("nothing was imported from '%s'", path);
		goto out;
	}
	log_report("imported '%s': %ld added, %ld updated, %ld unchanged, %ld rejected",
		   path, rep.added, rep.updated, rep.unchanged, rep.rejected);
	ret = rep.rejected ? EX_DATAERR : EX_OK;
out:
	buf_release(&err);
	return ret;
}

static int add_one(struct cmd_ctx *ctx, const char *url, const char *title,
		   const char *topics)
{
	struct buf err = BUF_INIT;
	int bad_input;
	int ret;

	ret = feeds_add(ctx->st, url, title, topics, &bad_input, &err);
	if (ret < 0) {
		if (bad_input) {
			struct buf reason = BUF_INIT;

			buf_addf(&reason, ": %s", err.s);
			cmd_error_arg("feeds add:", url, reason.s);
			buf_release(&reason);
			ret = EX_DATAERR;
		} else {
			ret = cmd_fail(ctx, 0, &err);
		}
	} else {
		log_report(ret ? "added %s" : title && topics ? "%s is already in the list; "
			   "its title and topics are updated" : title ? "%s is already in the "
			   "list; its title is updated" : topics ? "%s is already in the list; "
			   "its topics are updated" : "%s is already in the list", url);
		ret = EX_OK;
	}
	buf_release(&err);
	return ret;
}

/* Fetch the URL once to learn what it is (discover.h), then add the feed
 * it is or announces. Offline, the URL is added as given, with a warning. */
static int feeds_add_checked(struct cmd_ctx *ctx, const char *url, const char *title,
			     const char *topics, int no_check)
{
	struct discover_result r;
	struct http_options hopt;
	struct buf err = BUF_INIT;
	size_t i;
	int ret;

	if (no_check || !url_is_http(url))
		return add_one(ctx, url, title, topics);
	fetch_http_options(ctx->cfg, &hopt);
	discover_result_init(&r);
	if (discover(&hopt, url, &r, &err) < 0) {
		log_error("feeds add: %s", err.s);
		ret = EX_SOFTWARE;
		goto out;
	}
	switch (r.kind) {
	case DISCOVER_FEED:
		if (strcmp(r.feed_url.s, url))
			log_report("%s moved permanently to %s", url, r.feed_url.s);
		ret = add_one(ctx, r.feed_url.s, title ? title : r.title.len ? r.title.s : NULL,
			      topics);
		break;
	case DISCOVER_PAGE:
		if (r.ncandidates == 1) {
			log_report("%s is a web page; its feed is %s", url, r.candidates[0].url);
			ret = add_one(ctx, r.candidates[0].url,
				      title ? title : r.candidates[0].title, topics);
			break;
		}
		cmd_error_arg("feeds add:", url, " is a web page announcing several "
			      "feeds; add the one you want:");
		for (i = 0; i < r.ncandidates; i++)
			log_error("  newsdigest feeds add '%s'   (%s%s%s)", r.candidates[i].url,
				  r.candidates[i].type,
				  r.candidates[i].title ? ": " : "",
				  r.candidates[i].title ? r.candidates[i].title : "");
		ret = EX_DATAERR;
		break;
	case DISCOVER_NOTHING:
		buf_addf(&err, ": %s; nothing was added", r.reason.s);
		cmd_error_arg("feeds add:", url, err.s);
		ret = EX_DATAERR;
		break;
	case DISCOVER_UNREACHABLE:
	default:
		buf_addf(&err, " could not be fetched to check it (%s); it is added as "
			 "given, and 'fetch' will tell", r.reason.s);
		cmd_error_arg("feeds add: warning:", url, err.s);
		ret = add_one(ctx, url, title, topics);
		break;
	}
out:
	discover_result_release(&r);
	buf_release(&err);
	return ret;
}

/* A bad --topics is a usage error (64), told without the whole usage. */
static int check_topics(const char *topics)
{
	struct buf ids = BUF_INIT, reason = BUF_INIT;
	int ret;

	buf_addstr(&reason, ": ");
	ret = feeds_check_topics(topics, &ids, &reason);
	if (ret < 0)
		cmd_error_arg("feeds add: bad --topics", topics, reason.s);
	buf_release(&ids);
	buf_release(&reason);
	return ret;
}

int cmd_feeds(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "title", required_argument, NULL, 't' },
		{ "topics", required_argument, NULL, 'T' },
		{ "no-check", no_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	const char *title = NULL, *topics = NULL, *output = NULL, *sub;
	int no_check = 0;
	int ret;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'T': topics = optarg; break;
		case 'N': no_check = 1; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		default: return usage_error(usage, "feeds: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(usage, "feeds: which one: list, add, remove, import or export?");
	sub = argv[optind++];
	if ((title || topics || no_check) && strcmp(sub, "add"))
		return usage_error(usage, "feeds %s: --title, --topics and --no-check go "
				   "with 'add' only", sub);
	if (output && strcmp(sub, "export"))
		return usage_error(usage, "feeds %s: -o goes with 'export' only", sub);
#define ARGS(n) if (argc - optind != (n)) \
		return usage_error(usage, "feeds %s: expected %d argument%s", sub, (n), (n) == 1 ? "" : "s")
	if (!strcmp(sub, "list")) {
		ARGS(0);
		ret = cmd_open_store(ctx, 0);
		return ret ? ret : feeds_list(ctx);
	}
	if (!strcmp(sub, "export")) {
		ARGS(0);
		ret = cmd_open_store(ctx, 0);
		return ret ? ret : cmd_write_output(ctx, output, 0644,
							 feeds_export_opml);
	}
	if (!strcmp(sub, "import")) {
		ARGS(1);
		ret = cmd_open_store(ctx, 1);
		return ret ? ret : feeds_import(ctx, argv[optind]);
	}
	if (!strcmp(sub, "add")) {
		ARGS(1);
		/* checked before the store is opened and the URL fetched; the
		 * ids are not looked up in the topic list: 'topics check' and
		 * the curator do that */
		if (topics && check_topics(topics) < 0)
			return EX_USAGE;
		ret = cmd_open_store(ctx, 1);
		return ret ? ret : feeds_add_checked(ctx, argv[optind], title, topics,
							 no_check);
	}
	if (!strcmp(sub, "remove")) {
		ARGS(1);
		ret = cmd_open_store(ctx, 1);
		if (ret)
			return ret;
		ret = feeds_remove(ctx->st, argv[optind], &err);
		if (ret < 0) {
			ret = cmd_fail(ctx, 0, &err);
		} else if (ret == 0) {
			cmd_error_arg("feeds remove:", argv[optind],
				      " is not in the list (see 'newsdigest feeds list')");
			ret = EX_DATAERR;
		} else {
			log_report("removed %s", argv[optind]);
			ret = EX_OK;
		}
		buf_release(&err);
		return ret;
	}
#undef ARGS
	return usage_error(usage, "feeds: unknown subcommand '%s'", sub);
}
