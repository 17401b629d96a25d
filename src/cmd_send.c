#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "address.h"
#include "cmd.h"
#include "compose.h"
#include "draft.h"
#include "journal.h"
#include "log.h"
#include "progress.h"
#include "sender.h"
#include "subscribers.h"
#include "xalloc.h"

static const char usage[] =
	"usage: newsdigest send FILE [--to ADDR]... [--dry-run] [--include-new] [--resume]\n"
	"\n"
	"Send the approved draft FILE to every active subscriber, exactly once.\n"
	"FILE must be byte for byte what 'newsdigest approve' approved. Each\n"
	"subscriber's delivery is journalled in the store, so running the same\n"
	"command again after a crash, a Ctrl-C or temporary failures resumes: no\n"
	"one who got the digest gets it again, except those whose message was in\n"
	"the air at the crash (counted as possible duplicates). A digest sent to\n"
	"everyone says so and sends nothing. After a complete send the web archive\n"
	"(DIGESTS_DIR/archive) is updated.\n"
	"\n"
	"options:\n"
	"  -t, --to ADDR     a test send: only to ADDR (repeatable), through the\n"
	"                    configured transport; needs no approval and touches\n"
	"                    no subscriber's delivery\n"
	"  -n, --dry-run     write every subscriber's message into [send] maildir\n"
	"                    instead of sending (with --to: only those); the\n"
	"                    journal is not touched, and no approval is needed\n"
	"                    (the report says whether a real send would refuse)\n"
	"      --include-new also send to subscribers who joined after this\n"
	"                    digest's send began (left out otherwise)\n"
	"      --resume      only resume a send already begun; never begin one\n"
	"  -h, --help        this help\n"
	"\n"
	"exit status: 0 every message accepted (or nothing left to send), 64 bad\n"
	"usage or address, 65 the draft cannot be read or some addresses were\n"
	"refused for good, 69 the server cannot be reached, 73 the Maildir cannot\n"
	"be written, 75 temporary failures remain (run it again later) or the\n"
	"store is busy, 77 FILE is not the approved draft, 78 configuration\n"
	"(authentication refused, certificate not trusted, templates).\n";

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Finish the batch in hand on SIGINT and SIGTERM instead of dying in it. */
static void catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void date_of(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M UTC", &tm);
}

static void archive_dir(const struct config *cfg, struct buf *out)
{
	buf_addf(out, "%s/archive", cfg->compose.digests_dir);
}

/* People for a send outside the journal: the --to addresses (a subscriber's
 * name and token when the address is one), or every active subscriber. */
struct people {
	struct digest_person *v;
	size_t n, cap;
	char **to;              /* NULL: everyone active */
	size_t nto;
};

static void people_add(struct people *pl, const char *email, const char *name,
		       const char *token)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		pl->v = xrealloc(pl->v, pl->cap * sizeof(*pl->v));
	}
	pl->v[pl->n].email = xstrdup(email);
	pl->v[pl->n].name = xstrdup(name ? name : "");
	pl->v[pl->n].token = xstrdup(token);
	pl->n++;
}

static int collect_person(const struct subscriber_row *row, void *data)
{
	struct people *pl = data;

	if (!pl->to) {
		people_add(pl, row->email, row->name, row->token);
		return 0;
	}
	for (size_t i = 0; i < pl->nto; i++) {
		if (pl->to[i] && !strcasecmp(pl->to[i], row->email)) {
			people_add(pl, pl->to[i], row->name, row->token);
			free(pl->to[i]);
			pl->to[i] = NULL;
		}
	}
	return 0;
}

static void people_release(struct people *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free((char *)pl->v[i].email);
		free((char *)pl->v[i].name);
		free((char *)pl->v[i].token);
	}
	free(pl->v);
	for (size_t i = 0; i < pl->nto; i++)
		free(pl->to[i]);
	free(pl->to);
}

/* Why FILE may not be sent as its week's digest, into why; 0 when it may. */
static int gate(const struct journal_digest *dg, int found, const char *path,
		struct buf *why, struct buf *err)
{
	char hex[65];
	int rc;

	if (found != 0 || !dg->approved_hash) {
		buf_addf(why, "'%s' is not approved: check it with 'newsdigest preview', "
			 "then run 'newsdigest approve %s'", path, path);
		return 1;
	}
	rc = draft_file_hash(path, hex, err);
	if (rc < 0)
		return -1;
	if (rc > 0 || strcmp(hex, dg->approved_hash)) {
		buf_addf(why, "'%s' changed since it was approved (sha256 %.12s..., approved "
			 "%.12s...): check it and run 'newsdigest approve %s' again",
			 path, rc > 0 ? "(missing)" : hex, dg->approved_hash, path);
		return 1;
	}
	return 0;
}

static int send_outside_journal(struct cmd_ctx *ctx, const struct draft_doc *d,
				struct people *pl, int dry_run, const struct buf *refusal)
{
	struct send_options o = { 0 };
	struct send_report rep;
	struct progress progress;
	struct buf err = BUF_INIT, line = BUF_INIT;
	int ret;

	ret = cmd_open_store(ctx, 0);
	if (ret)
		return ret;
	if (subscribers_foreach(ctx->st, pl->to != NULL, collect_person, pl, &err) < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	for (size_t i = 0; i < pl->nto; i++)
		if (pl->to[i])  /* not a subscriber: a sample token */
			people_add(pl, pl->to[i], "", digest_sample_person.token);
	o.transport = dry_run ? TRANSPORT_MAILDIR : ctx->cfg->send.transport;
	o.maildir = ctx->cfg->send.maildir;
	o.stop = &stop_requested;
	o.progress = &progress;
	progress_start(&progress, stderr, dry_run ? "writing" : "sending", "messages",
		       (uint64_t)pl->n, 100);
	ret = sender_to(ctx->cfg, d, pl->v, pl->n, &o, &rep, &err);
	progress_finish(&progress);
	if (ret) {
		log_error("send: %s", err.s);
		goto out;
	}
	if (dry_run)
		log_report("dry run: %ld message%s written to %s/new (nothing sent, the journal "
			   "untouched), %ld failed", rep.sent, rep.sent == 1 ? "" : "s",
			   ctx->cfg->send.maildir, rep.failed);
	else
		log_report("test send: sent %ld, failed %ld, tempfail %ld (the journal untouched)",
			   rep.sent, rep.failed, rep.tempfail);
	if (refusal && refusal->len)
		log_report("a real send would refuse: %s", refusal->s);
	ret = sender_status(&rep);
out:
	buf_release(&err);
	buf_release(&line);
	return ret;
}

int cmd_send_digest(struct cmd_ctx *ctx, const struct draft_doc *d, int flags)
{
	struct journal_digest dg = { 0 };
	struct send_options o = { 0 };
	struct send_report rep;
	struct progress progress;
	struct buf err = BUF_INIT, why = BUF_INIT, dir = BUF_INIT, line = BUF_INIT;
	const char *week = draft_meta(d, "week");
	char when[32];
	int found, rc, ret;

	ret = cmd_open_store(ctx, 1);
	if (ret)
		goto out;
	found = journal_digest_find(ctx->st, week, &dg, &err);
	if (found < 0) {
		ret = cmd_fail(ctx, 0, &err);
		goto out;
	}
	rc = gate(&dg, found, d->path, &why, &err);
	if (rc < 0) {
		log_error("send: %s", err.s);
		ret = EX_IOERR;
		goto out;
	}
	if (rc > 0) {
		if (flags & SEND_FROM_RUN) {
			log_report("nothing sent: %s", why.s);
			ret = EX_OK;
		} else {
			log_error("send: %s", why.s);
			ret = EX_NOPERM;
		}
		goto out;
	}
	if (dg.sent_at && !(flags & SEND_INCLUDE_NEW)) {
		struct journal_counts c;

		if (journal_count(ctx->st, dg.id, &c, &err) < 0) {
			ret = cmd_fail(ctx, 0, &err);
			goto out;
		}
		date_of(dg.sent_at, when, sizeof(when));
		log_report("nothing sent: the digest of %s was sent on %s (%ld sent, %ld failed)",
			   week, when, c.state[JOURNAL_SENT], c.state[JOURNAL_FAILED]);
		ret = EX_OK;
		goto out;
	}
	if ((flags & SEND_RESUME) && !dg.send_started_at) {
		log_report("nothing sent: no send of %s has begun, and --resume never begins one",
			   week);
		ret = EX_OK;
		goto out;
	}
	archive_dir(ctx->cfg, &dir);
	o.transport = ctx->cfg->send.transport;
	o.maildir = ctx->cfg->send.maildir;
	o.include_new = (flags & SEND_INCLUDE_NEW) != 0;
	o.archive_dir = dir.s;
	o.stop = &stop_requested;
	o.progress = &progress;
	if (dg.send_started_at)
		log_report("resuming the send of %s begun %s", week,
			   (date_of(dg.send_started_at, when, sizeof(when)), when));
	ret = sender_run(ctx->st, ctx->cfg, d, &dg, &o, &rep, &err);
	sender_summary(&rep, &line);
	if (ret) {
		log_error("send: %s", err.s);
		log_report("%s: %s", week, line.s);
		goto out;
	}
	log_report("%s: %s", week, line.s);
	ret = sender_status(&rep);
out:
	journal_digest_release(&dg);
	buf_release(&err);
	buf_release(&why);
	buf_release(&dir);
	buf_release(&line);
	return ret;
}

int cmd_send(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option options[] = {
		{ "to", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "include-new", no_argument, NULL, 'N' },
		{ "resume", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct people pl = { 0 };
	struct draft_doc d = { 0 };
	struct journal_digest dg = { 0 };
	struct buf err = BUF_INIT, addr = BUF_INIT, why = BUF_INIT;
	struct compose_week w;
	int dry_run = 0, flags = 0, found, ret, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:nh", options, NULL)) != -1) {
		switch (c) {
		case 't':
			buf_reset(&addr);
			buf_reset(&err);
			if (address_normalize(optarg, &addr, &err) < 0) {
				cmd_error_arg("send: --to", optarg, "");
				log_error("send: %s", err.s);
				ret = EX_USAGE;
				goto out;
			}
			pl.to = xrealloc(pl.to, (pl.nto + 1) * sizeof(*pl.to));
			pl.to[pl.nto++] = xstrdup(addr.s);
			break;
		case 'n': dry_run = 1; break;
		case 'N': flags |= SEND_INCLUDE_NEW; break;
		case 'r': flags |= SEND_RESUME; break;
		case 'h': fputs(usage, stdout); ret = EX_OK; goto out;
		case ':':
			ret = usage_error(usage, "send: option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			ret = usage_error(usage, "send: unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error(usage, "send: which draft? (digests/YYYY-Www.md)");
		goto out;
	}
	if (optind + 1 < argc) {
		ret = usage_error(usage, "send: unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	if (pl.to && (flags & (SEND_INCLUDE_NEW | SEND_RESUME))) {
		ret = usage_error(usage, "send: --to sends outside the journal: no --include-new "
				  "or --resume with it");
		goto out;
	}
	if (draft_read(argv[optind], &d, &err) < 0) {
		log_error("send: %s", err.s);
		ret = EX_DATAERR;
		goto out;
	}
	if (!draft_meta(&d, "week") || compose_week_parse(draft_meta(&d, "week"), &w) < 0) {
		log_error("send: '%s' has no week (such as 2026-W48) in its front matter", d.path);
		ret = EX_DATAERR;
		goto out;
	}
	catch_stop();
	if (pl.to || dry_run) {
		if (dry_run) {
			/* say what a real send would say, without refusing */
			ret = cmd_open_store(ctx, 0);
			if (ret)
				goto out;
			found = journal_digest_find(ctx->st, draft_meta(&d, "week"), &dg, &err);
			if (found < 0 || gate(&dg, found, d.path, &why, &err) < 0) {
				ret = cmd_fail(ctx, 0, &err);
				goto out;
			}
		}
		ret = send_outside_journal(ctx, &d, &pl, dry_run, &why);
		goto out;
	}
	ret = cmd_send_digest(ctx, &d, flags);
out:
	people_release(&pl);
	draft_doc_release(&d);
	journal_digest_release(&dg);
	buf_release(&err);
	buf_release(&addr);
	buf_release(&why);
	return cmd_finish_output(ret);
}
