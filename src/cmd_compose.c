#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cmd.h"
#include "draft.h"
#include "log.h"
#include "topics.h"

static const char usage[] =
	"usage: newsdigest compose [--week YYYY-Www] [-o FILE] [--force]\n"
	"\n"
	"Write this week's draft digest for the editor: Markdown with YAML front\n"
	"matter, digests/YYYY-Www.md by default ([compose] digests_dir). It holds\n"
	"the included items of the last [compose] window_days days, one per story,\n"
	"under their best topic in the topics' order, best first; a comment at the\n"
	"top lists feeds failing this week and near misses. A draft edited since\n"
	"compose wrote it is never overwritten.\n"
	"\n"
	"options:\n"
	"  -w, --week YYYY-Www  the week (default: this week, UTC)\n"
	"  -o, --output FILE    write there instead\n"
	"  -f, --force          replace an edited draft, keeping it as FILE.bak-TIME\n"
	"  -h, --help           this help\n"
	"\n"
	"exit status: 0 written, 64 a bad week or option, 65 the draft was edited\n"
	"(nothing written), 73 cannot write, 75 store busy, 78 a broken topic list\n"
	"or template.\n";

int cmd_compose_fail(struct cmd_ctx *ctx, const struct draft_report *rep, struct buf *err)
{
	if (rep->failed == DRAFT_FAILED_STORE)
		return cmd_fail(ctx, 0, err);
	log_error("compose: %s", err->s);
	return rep->failed == DRAFT_FAILED_TEMPLATE ? EX_CONFIG : EX_CANTCREAT;
}

int cmd_compose(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "week", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct compose_week week;
	struct draft_report rep = { 0 };
	struct topics t;
	struct buf err = BUF_INIT, path = BUF_INIT, line = BUF_INIT;
	const char *output = NULL, *week_arg = NULL;
	char name[16];
	int flags = 0, ret, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:o:fh", options, NULL)) != -1) {
		switch (c) {
		case 'w': week_arg = optarg; break;
		case 'o': output = optarg; break;
		case 'f': flags |= DRAFT_FORCE; break;
		case 'h': fputs(usage, stdout); return EX_OK;
		case ':':
			return usage_error(usage, "compose: option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(usage, "compose: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(usage, "compose: unexpected argument '%s'", argv[optind]);
	if (week_arg) {
		if (compose_week_parse(week_arg, &week) < 0)
			return usage_error(usage, "compose: --week takes an ISO week such as "
					   "2026-W48, not '%s'", week_arg);
	} else {
		compose_week_of((long long)time(NULL), &week);
	}
	if (topics_load(&t, ctx->cfg->curate.topics, &err) < 0) {
		log_error("compose: %s", err.s);
		buf_release(&err);
		return EX_CONFIG;
	}
	ret = cmd_open_store(ctx, 1);
	if (ret)
		goto out;
	compose_week_name(&week, name, sizeof(name));
	if (output) {
		buf_addstr(&path, output);
		flags |= DRAFT_ELSEWHERE;
	}
	else
		buf_addf(&path, "%s/%s.md", ctx->cfg->compose.digests_dir, name);
	ret = draft_compose(ctx->st, ctx->cfg, &t, &week, path.s, flags, &rep, &line, &err);
	if (ret == DRAFT_EDITED && output) {
		cmd_error_arg("compose:", path.s, " exists: nothing was written. To replace "
			      "it, add --force (the file is kept as a .bak)");
		ret = EX_DATAERR;
		goto out;
	}
	if (ret == DRAFT_EDITED) {
		cmd_error_arg("compose:", path.s, " was edited since compose wrote it: "
			      "nothing was written, your edits are kept. To start over, "
			      "'newsdigest compose --force' (your file is kept as a .bak); "
			      "or write elsewhere with -o FILE");
		ret = EX_DATAERR;
		goto out;
	}
	if (ret == DRAFT_SENDING) {
		cmd_error_arg("compose:", path.s, " has been sent to subscribers (or is being "
			      "sent): it is kept as sent. Write elsewhere with -o FILE");
		ret = EX_DATAERR;
		goto out;
	}
	if (ret < 0) {
		ret = cmd_compose_fail(ctx, &rep, &err);
		goto out;
	}
	log_report("%s", line.s);
	ret = EX_OK;
out:
	draft_report_release(&rep);
	buf_release(&line);
	topics_release(&t);
	buf_release(&err);
	buf_release(&path);
	return ret;
}
