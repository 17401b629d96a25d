#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "approve.h"
#include "cmd.h"
#include "draft.h"
#include "log.h"

static const char usage[] =
	"usage: newsdigest approve FILE\n"
	"\n"
	"Check the draft FILE and, when it has no problem, record its SHA-256 in\n"
	"the store: send will send exactly these bytes and refuse any other. The\n"
	"checks: front matter complete (title, issue, week, date, subject), the\n"
	"Markdown and the templates render, no placeholder left ('TODO:'), every\n"
	"link absolute. A draft with problems is not approved; they are all\n"
	"listed, with their line. Editing the file after approving it takes the\n"
	"approval away: approve it again.\n"
	"\n"
	"options:\n"
	"  -h, --help  this help\n"
	"\n"
	"exit status: 0 approved, 65 problems (nothing approved), 75 store busy.\n";

int cmd_approve(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct draft_doc d = { 0 };
	struct buf err = BUF_INIT, problems = BUF_INIT;
	char hex[65];
	size_t n;
	int ret, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		return usage_error(usage, "approve: unknown option '%s'", argv[optind - 1]);
	}
	if (optind >= argc)
		return usage_error(usage, "approve: which draft? (digests/YYYY-Www.md)");
	if (optind + 1 < argc)
		return usage_error(usage, "approve: unexpected argument '%s'", argv[optind + 1]);
	if (draft_read(argv[optind], &d, &err) < 0) {
		log_error("approve: %s", err.s);
		log_error("approve: nothing was approved");
		ret = EX_DATAERR;
		goto out;
	}
	n = approve_check(ctx->cfg, &d, &problems);
	if (n) {
		fputs(problems.s, stderr);
		log_error("approve: %zu problem%s in '%s': nothing was approved", n,
			  n == 1 ? "" : "s", d.path);
		ret = EX_DATAERR;
		goto out;
	}
	/* the bytes checked are the bytes approved: hash the file read */
	if (draft_file_hash(d.path, hex, &err) != 0) {
		log_error("approve: %s", err.s);
		ret = EX_IOERR;
		goto out;
	}
	ret = cmd_open_store(ctx, 1);
	if (ret)
		goto out;
	switch (approve_record(ctx->st, &d, hex, &err)) {
	case 0:
		break;
	case APPROVE_SENDING:
		log_error("approve: %s", err.s);
		log_error("approve: nothing was approved");
		ret = EX_DATAERR;
		goto out;
	default:
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	log_report("approved %s (week %s, sha256 %.12s...): 'newsdigest send %s' will send "
		   "exactly this file", d.path, draft_meta(&d, "week"), hex, d.path);
	ret = EX_OK;
out:
	draft_doc_release(&d);
	buf_release(&err);
	buf_release(&problems);
	return ret;
}
