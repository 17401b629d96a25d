#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "cmd.h"
#include "log.h"
#include "progress.h"
#include "subscribers.h"

static const char usage[] =
	"usage: newsdigest subscribers list [--all]\n"
	"       newsdigest subscribers add EMAIL [NAME] [--lang LANG]\n"
	"       newsdigest subscribers remove EMAIL\n"
	"       newsdigest subscribers import FILE.csv [--dry-run]\n"
	"       newsdigest subscribers export [-o FILE]\n"
	"       newsdigest subscribers unsubscribe TOKEN\n"
	"\n"
	"  list         active subscribers (--all: suppressed ones too)\n"
	"  add          add an address, or resubscribe one that was removed or\n"
	"               unsubscribed (the only way to do that)\n"
	"  remove       stop sending to an address; it stays as a suppression so\n"
	"               a later import does not bring it back\n"
	"  import       add subscribers from CSV with a header line 'email,name'\n"
	"               or 'email,name,lang' (RFC 4180; '-' reads standard input),\n"
	"               in one transaction; every rejected row is reported\n"
	"  export       write active subscribers as CSV that import reads back\n"
	"               (mode 0600 with -o)\n"
	"  unsubscribe  unsubscribe the holder of an unsubscribe token\n"
	"\n"
	"options:\n"
	"  --all          list suppressed addresses too (list)\n"
	"  --lang LANG    the subscriber's language, e.g. en or fr (add)\n"
	"  -n, --dry-run  check the file and report, change nothing (import)\n"
	"  -o FILE        write to FILE instead of standard output (export)\n"
	"  -h, --help     this help\n";

struct list_totals {
	long active, unsubscribed, removed, bounced;
};

static int list_row(const struct subscriber_row *row, void *data)
{
	struct list_totals *t = data;
	struct buf line = BUF_INIT;

	if (!strcmp(row->status, "active"))
		t->active++;
	else if (!strcmp(row->status, "unsubscribed"))
		t->unsubscribed++;
	else if (!strcmp(row->status, "removed"))
		t->removed++;
	else
		t->bounced++;
	buf_addf(&line, "%-12s %-5s %s", row->status, row->lang, row->email);
	if (*row->name) {
		buf_addstr(&line, "  ");
		buf_addsanitized(&line, row->name);
	}
	/* the list is the command's output, printed even under -q */
	printf("%s\n", line.s);
	buf_release(&line);
	return 0;
}

static int subscribers_list(struct cmd_ctx *ctx, int all)
{
	struct list_totals t = { 0 };
	struct buf err = BUF_INIT;
	int ret = EX_OK;

	if (subscribers_foreach(ctx->st, all, list_row, &t, &err) < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	if (all)
		log_report("%ld active, %ld unsubscribed, %ld removed, %ld bounced",
			   t.active, t.unsubscribed, t.removed, t.bounced);
	else
		log_report("%ld active subscribers", t.active);
out:
	buf_release(&err);
	return ret;
}

struct note_ctx {
	const char *path;
	long shown;
};

static void print_note(int is_error, const char *message, void *data)
{
	struct note_ctx *n = data;

	n->shown++;
	if (is_error)
		log_error("%s: %s", n->path, message);
	else
		log_warn("%s: %s", n->path, message);
}

static int subscribers_import(struct cmd_ctx *ctx, const char *path, int dry_run)
{
	struct subscribers_import_options opt = {
		ctx->cfg->subscribers.max_import_rows,
		ctx->cfg->subscribers.max_field_bytes,
		ctx->cfg->subscribers.default_lang,
		dry_run
	};
	struct subscribers_import_report rep;
	struct note_ctx note = { path, 0 };
	struct progress progress;
	struct buf err = BUF_INIT;
	struct stat sb;
	FILE *in;
	int bad_input;
	int ret;

	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	progress_start(&progress, stderr, "importing subscribers", "bytes",
		       fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0,
		       1024 * 1024);
	ret = subscribers_import_csv(ctx->st, in, &opt, print_note, &note, &progress,
				     &rep, &bad_input, &err);
	progress_finish(&progress);
	if (ret < 0) {
		struct buf msg = BUF_INIT;

		buf_addf(&msg, "cannot import '%s': %s", path, err.s);
		ret = cmd_fail(ctx, bad_input, &msg);
		log_error("nothing was imported; the subscriber list is as it was");
		buf_release(&msg);
		goto out;
	}
	log_report("%s '%s': %ld rows: %ld added, %ld updated, %ld unchanged, "
		   "%ld suppressed, %ld duplicates, %ld rejected",
		   dry_run ? "checked (dry run, nothing changed)" : "imported", path,
		   rep.rows, rep.added, rep.updated, rep.unchanged, rep.suppressed,
		   rep.duplicates, rep.rejected);
	if (rep.rejected)
		log_error("%ld rows of '%s' were rejected (listed above); fix them and "
			  "import the file again", rep.rejected, path);
	ret = rep.rejected ? EX_DATAERR : EX_OK;
out:
	if (in != stdin)
		fclose(in);
	buf_release(&err);
	return ret;
}

static int subscribers_add_one(struct cmd_ctx *ctx, const char *email,
			       const char *name, const char *lang)
{
	static const char *const said[] = {
		[SUBSCRIBER_ADDED] = "added",
		[SUBSCRIBER_RESUBSCRIBED] = "resubscribed (it had been removed or unsubscribed)",
		[SUBSCRIBER_UPDATED] = "updated",
		[SUBSCRIBER_UNCHANGED] = "already subscribed",
	};
	struct buf err = BUF_INIT;
	int bad_input;
	int ret;

	ret = subscribers_add(ctx->st, email, name, lang,
			      ctx->cfg->subscribers.default_lang,
			      ctx->cfg->subscribers.max_field_bytes, &bad_input, &err);
	if (ret < 0) {
		struct buf msg = BUF_INIT;

		buf_addstr(&msg, "subscribers add: '");
		buf_addsanitized(&msg, email);
		buf_addf(&msg, "': %s", err.s);
		ret = cmd_fail(ctx, bad_input, &msg);
		buf_release(&msg);
	} else {
		log_report("%s: %s", email, said[ret]);
		ret = EX_OK;
	}
	buf_release(&err);
	return ret;
}

static int subscribers_unsubscribe_one(struct cmd_ctx *ctx, const char *token)
{
	struct buf err = BUF_INIT, email = BUF_INIT;
	int ret;

	ret = subscribers_unsubscribe(ctx->st, token, &email, &err);
	if (ret < 0) {
		ret = cmd_fail(ctx, 0, &err);
	} else if (ret == 0) {
		cmd_error_arg("subscribers unsubscribe: no subscriber has the token", token, "");
		ret = EX_DATAERR;
	} else {
		log_report(ret == 1 ? "unsubscribed %s" : "%s was already unsubscribed", email.s);
		ret = EX_OK;
	}
	buf_release(&err);
	buf_release(&email);
	return ret;
}

static int subscribers_remove_one(struct cmd_ctx *ctx, const char *email)
{
	struct buf err = BUF_INIT;
	int ret;

	ret = subscribers_remove(ctx->st, email, &err);
	if (ret < 0) {
		ret = cmd_fail(ctx, 0, &err);
	} else if (ret == 0) {
		cmd_error_arg("subscribers remove:", email, " is not an active subscriber");
		ret = EX_DATAERR;
	} else {
		log_report("removed %s (kept as a suppression: imports will not add it back)",
			   email);
		ret = EX_OK;
	}
	buf_release(&err);
	return ret;
}

int cmd_subscribers(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "lang", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *lang = NULL, *output = NULL, *sub;
	int all = 0, dry_run = 0;
	int nargs;
	int ret;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "no:h", options, NULL)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'l': lang = optarg; break;
		case 'n': dry_run = 1; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		default:
			return usage_error(usage, "subscribers: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(usage, "subscribers: which one: list, add, remove, "
				   "import, export or unsubscribe?");
	sub = argv[optind++];
	nargs = argc - optind;
	if ((all && strcmp(sub, "list")) || (lang && strcmp(sub, "add")) ||
	    (dry_run && strcmp(sub, "import")) || (output && strcmp(sub, "export")))
		return usage_error(usage, "subscribers %s: an option given does not go "
				   "with '%s' (see the options below)", sub, sub);
#define ARGS(lo, hi) if (nargs < (lo) || nargs > (hi)) \
		return usage_error(usage, "subscribers %s: wrong number of arguments", sub)
	if (!strcmp(sub, "list")) {
		ARGS(0, 0);
		ret = cmd_open_store(ctx, 0);
		return ret ? ret : subscribers_list(ctx, all);
	}
	if (!strcmp(sub, "export")) {
		ARGS(0, 0);
		ret = cmd_open_store(ctx, 0);
		return ret ? ret : cmd_write_output(ctx, output, 0600,
							 subscribers_export_csv);
	}
	if (!strcmp(sub, "import")) {
		ARGS(1, 1);
		ret = cmd_open_store(ctx, 1);
		return ret ? ret : subscribers_import(ctx, argv[optind], dry_run);
	}
	if (!strcmp(sub, "add")) {
		ARGS(1, 2);
		ret = cmd_open_store(ctx, 1);
		return ret ? ret : subscribers_add_one(ctx, argv[optind],
						       nargs > 1 ? argv[optind + 1] : NULL, lang);
	}
	if (!strcmp(sub, "remove")) {
		ARGS(1, 1);
		ret = cmd_open_store(ctx, 1);
		return ret ? ret : subscribers_remove_one(ctx, argv[optind]);
	}
	if (!strcmp(sub, "unsubscribe")) {
		ARGS(1, 1);
		ret = cmd_open_store(ctx, 1);
		return ret ? ret : subscribers_unsubscribe_one(ctx, argv[optind]);
	}
#undef ARGS
	return usage_error(usage, "subscribers: unknown subcommand '%s'", sub);
}
