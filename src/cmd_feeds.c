#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cmd.h"
#include "feeds.h"
#include "log.h"

static const char usage[] =
	"usage: newsdigest feeds list\n"
	"       newsdigest feeds add URL [--title TITLE]\n"
	"       newsdigest feeds remove URL\n"
	"       newsdigest feeds import FILE.opml\n"
	"       newsdigest feeds export [-o FILE]\n"
	"\n"
	"  list    every feed with its last status: never fetched, ok, or the\n"
	"          last error and how many fetches in a row have failed\n"
	"  add     add one feed (an http or https URL)\n"
	"  remove  remove a feed and the items fetched from it\n"
	"  import  add or refresh the feeds of an OPML 1.0 or 2.0 file, in one\n"
	"          transaction; folders become categories\n"
	"  export  write the feed list as OPML 2.0 (stdout, or FILE with -o)\n"
	"\n"
	"options:\n"
	"  --title TITLE  the feed's title (add)\n"
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

int cmd_feeds(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "title", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	const char *title = NULL, *output = NULL, *sub;
	int bad_input;
	int ret;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		default: return usage_error(usage, "feeds: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(usage, "feeds: which one: list, add, remove, import or export?");
	sub = argv[optind++];
	if (title && strcmp(sub, "add"))
		return usage_error(usage, "feeds %s: --title goes with 'add' only", sub);
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
		ret = cmd_open_store(ctx, 1);
		if (ret)
			return ret;
		ret = feeds_add(ctx->st, argv[optind], title, &bad_input, &err);
		if (ret < 0) {
			if (bad_input) {
				struct buf msg = BUF_INIT;

				buf_addstr(&msg, "feeds add: '");
				buf_addsanitized(&msg, argv[optind]);
				buf_addf(&msg, "': %s", err.s);
				ret = cmd_fail(ctx, 1, &msg);
				buf_release(&msg);
			} else {
				ret = cmd_fail(ctx, 0, &err);
			}
		} else {
			log_report(ret ? "added %s" : title ? "%s is already in the list; its title "
				   "is updated" : "%s is already in the list", argv[optind]);
			ret = EX_OK;
		}
		buf_release(&err);
		return ret;
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
