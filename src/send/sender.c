/*
 * The send stage (sender.h): the subscriber loop over the journal.
 *
 * One batch at a time: read up to [send] batch rows, build their messages,
 * commit them as `sending`, hand them to the transport, commit what the
 * transport says. A crash therefore leaves at most one batch `sending`,
 * and those are the only messages a resumed send may deliver twice.
 */
#include "sender.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "log.h"
#include "mime.h"
#include "transport.h"
#include "xalloc.h"

#define ROUND_SLICE 1   /* seconds between checks of the stop flag while waiting */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stopped(const struct send_options *o)
{
	return o->stop && *o->stop;
}

/* One variant of the parts (digest_split), its constant pieces encoded
 * once: a message is then a copy of those with the personal values
 * encoded between them. */
struct plan {
	int ready;
	struct digest_split split;
	struct buf *html_enc, *text_enc;   /* per piece; empty for a value */
};

/* What every message of one send shares. */
struct batch {
	const struct config *cfg;
	struct digest *dg;
	struct transport *tr;
	struct mime_frame *frame;
	const char *week;
	long long date;
	int test;               /* a test send: Message-IDs of their own */
	size_t cap;
	struct transport_msg *msgs;
	struct buf *data;       /* the messages' bytes, one buffer per slot, reused */
	struct buf html, text, mid, mailto, https, why, html_qp, text_qp, value;
	struct plan plan[2];    /* subscribers without a name, with one */
};

/* Encode a piece so that the next one can follow it: it ends with a line
 * end or a soft break. */
static void encode_piece(const char *s, size_t len, struct buf *out)
{
	mime_qp_encode(s, len, out);
	if (out->len < 2 || out->s[out->len - 2] != '\r' || out->s[out->len - 1] != '\n')
		buf_add(out, "=\r\n", 3);
}

static void encode_constants(const struct digest_piece *pc, size_t n, struct buf **enc)
{
	*enc = xcalloc(n ? n : 1, sizeof(**enc));
	for (size_t i = 0; i < n; i++) {
		(*enc)[i] = (struct buf)BUF_INIT;
		if (pc[i].field == DIGEST_FIELD_NONE)
			encode_piece(pc[i].s, pc[i].len, &(*enc)[i]);
	}
}

static void plan_release(struct plan *pl)
{
	if (!pl->ready)
		return;
	for (size_t i = 0; i < pl->split.nhtml; i++)
		buf_release(&pl->html_enc[i]);
	for (size_t i = 0; i < pl->split.ntext; i++)
		buf_release(&pl->text_enc[i]);
	free(pl->html_enc);
	free(pl->text_enc);
	digest_split_release(&pl->split);
	pl->ready = 0;
}

/* Prepare both variants; a variant that cannot be prepared is built
 * message by message instead (the same bytes, more work). */
static void plan_prepare(struct batch *b)
{
	struct buf why = BUF_INIT;

	for (int named = 0; named < 2; named++) {
		struct plan *pl = &b->plan[named];

		if (digest_split(b->dg, named, &pl->split, &why) < 0) {
			log_debug("send: each message rendered on its own: %s", why.s);
			buf_reset(&why);
			continue;
		}
		/* the values are checked with each message; the rest here */
		if (!mime_utf8_valid(pl->split.html.s) || !mime_utf8_valid(pl->split.text.s)) {
			digest_split_release(&pl->split);
			continue;
		}
		encode_constants(pl->split.html_pieces, pl->split.nhtml, &pl->html_enc);
		encode_constants(pl->split.text_pieces, pl->split.ntext, &pl->text_enc);
		pl->ready = 1;
	}
	buf_release(&why);
}

/* One part of p's message from the plan into out. Returns -1 when a value
 * cannot be put in as it is. */
static int assemble(const struct digest_piece *pc, const struct buf *enc, size_t n,
		    const struct digest_person *p, struct buf *value, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (pc[i].field == DIGEST_FIELD_NONE) {
			buf_add(out, enc[i].s, enc[i].len);
			continue;
		}
		buf_reset(value);
		if (digest_piece_value(&pc[i], p, value) < 0)
			return -1;
		encode_piece(value->s, value->len, out);
	}
	/* the last soft break would only add an empty line */
	if (out->len >= 3 && !memcmp(out->s + out->len - 3, "=\r\n", 3))
		buf_setlen(out, out->len - 3);
	return 0;
}

static int batch_open(struct batch *b, const struct config *cfg, const struct draft_doc *d,
		      const struct send_options *o, long long date, struct buf *err)
{
	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->week = draft_meta(d, "week");
	b->date = date;
	b->cap = (size_t)cfg->send.batch;
	b->msgs = xcalloc(b->cap, sizeof(*b->msgs));
	b->data = xcalloc(b->cap, sizeof(*b->data));
	for (size_t i = 0; i < b->cap; i++)
		b->data[i] = (struct buf)BUF_INIT;
	b->html = b->text = b->mid = b->mailto = b->https = b->why = (struct buf)BUF_INIT;
	b->html_qp = b->text_qp = b->value = (struct buf)BUF_INIT;
	if (!b->week) {
		buf_addf(err, "'%s' has no week in its front matter", d->path);
		return EX_DATAERR;
	}
	b->dg = digest_new(cfg, d, err);
	if (!b->dg)
		return EX_CONFIG;
	/* one boundary per digest: a message built again is the same bytes */
	buf_addf(&b->mid, "%s@%s", b->week, cfg->mail.list_id);
	b->frame = mime_frame_new(b->mid.s, err);
	if (!b->frame)
		return EX_SOFTWARE;
	plan_prepare(b);
	b->tr = transport_open(cfg, o->transport, o->maildir, err);
	if (!b->tr)
		return EX_CONFIG;
	return 0;
}

static void batch_close(struct batch *b)
{
	transport_close(b->tr);
	plan_release(&b->plan[0]);
	plan_release(&b->plan[1]);
	mime_frame_free(b->frame);
	digest_free(b->dg);
	for (size_t i = 0; i < b->cap; i++)
		buf_release(&b->data[i]);
	free(b->data);
	free(b->msgs);
	buf_release(&b->html);
	buf_release(&b->text);
	buf_release(&b->mid);
	buf_release(&b->mailto);
	buf_release(&b->https);
	buf_release(&b->why);
	buf_release(&b->html_qp);
	buf_release(&b->text_qp);
	buf_release(&b->value);
}

/*
 * Build person's message into slot i. Returns 0, or -1 with the reason in
 * b->why (the message cannot be built: a bad value of this subscriber's, or
 * a template that fails on it).
 */
static int build(struct batch *b, size_t i, const struct digest_person *p)
{
	struct mime_message m = { 0 };
	const struct plan *pl = &b->plan[p->name && *p->name];

	buf_reset(&b->why);
	buf_reset(&b->mailto);
	buf_reset(&b->https);
	if (pl->ready &&
	    assemble(pl->split.text_pieces, pl->text_enc, pl->split.ntext, p, &b->value,
		     &b->text_qp) == 0 &&
	    assemble(pl->split.html_pieces, pl->html_enc, pl->split.nhtml, p, &b->value,
		     &b->html_qp) == 0) {
		m.text_qp = &b->text_qp;
		m.html_qp = &b->html_qp;
	} else if (digest_personalise(b->dg, p, &b->html, &b->text, &b->why) < 0) {
		return -1;
	}
	if (b->test) {
		/* never the real digest's Message-ID: a client that saw the test
		 * would drop the real one as a duplicate */
		char salt[64];

		snprintf(salt, sizeof(salt), "%s-test-%lld-%ld", b->week, (long long)time(NULL),
			 (long)getpid());
		mime_message_id(salt, p->email, b->cfg->mail.list_id, &b->mid);
	} else {
		mime_message_id(b->week, p->email, b->cfg->mail.list_id, &b->mid);
	}
	digest_unsubscribe_mailto(b->cfg, p->token, &b->mailto);
	digest_unsubscribe_https(b->cfg, p->token, &b->https);
	m.from = b->cfg->mail.from;
	m.reply_to = b->cfg->mail.reply_to;
	m.to_name = p->name;
	m.to_addr = p->email;
	m.subject = digest_subject(b->dg);
	m.date = b->date;
	m.message_id = b->mid.s;
	m.list_id = b->cfg->mail.list_id;
	m.unsub_mailto = b->mailto.s;
	m.unsub_https = b->https.s;
	m.archive_url = b->cfg->mail.archive_url;
	if (!m.text_qp) {
		m.text = b->text.s;
		m.html = b->html.s;
	}
	if (mime_build_framed(&m, b->frame, &b->data[i], &b->why) < 0)
		return -1;
	b->msgs[i].rcpt = p->email;
	b->msgs[i].data = b->data[i].s;
	b->msgs[i].len = b->data[i].len;
	return 0;
}

static int result_state(int result)
{
	return result == TRANSPORT_SENT ? JOURNAL_SENT
	     : result == TRANSPORT_TEMPFAIL ? JOURNAL_TEMPFAIL : JOURNAL_FAILED;
}

static void count_result(struct send_report *rep, int state)
{
	if (state == JOURNAL_SENT)
		rep->sent++;
	else if (state == JOURNAL_TEMPFAIL)
		rep->tempfail++;
	else
		rep->failed++;
}

/*
 * One pass over the journal rows in `states`: batch after batch to the
 * end. A row that fails temporarily is not met again in the same pass.
 */
static int send_pass(struct store *st, struct batch *b, long long digest, unsigned states,
		     const struct send_options *o, struct send_report *rep, struct buf *err)
{
	struct journal_row *rows = NULL;
	struct journal_result *results = xcalloc(b->cap, sizeof(*results));
	struct transport_msg **slot = xcalloc(b->cap, sizeof(*slot));
	size_t cap = 0, n, nsend, i;
	long long after = 0;
	int status = 0;

	while (!stopped(o)) {
		if (journal_next(st, digest, after, states, b->cap, &rows, &cap, &n, err) < 0) {
			status = EX_TEMPFAIL;
			break;
		}
		if (n == 0)
			break;
		after = rows[n - 1].subscriber;
		/* a message that cannot be built fails its row alone */
		nsend = 0;
		for (i = 0; i < n; i++) {
			struct digest_person p = { rows[i].name, rows[i].email, rows[i].token };

			results[i].subscriber = rows[i].subscriber;
			results[i].reply = NULL;
			if (build(b, nsend, &p) < 0) {
				log_warn("send: cannot build the message to %s: %s", rows[i].email,
					 b->why.s);
				results[i].state = JOURNAL_FAILED;
				results[i].reply = xstrdup(b->why.s);
				slot[i] = NULL;
				continue;
			}
			slot[i] = &b->msgs[nsend++];
		}
		if (journal_mark_sending(st, digest, rows, n, (long long)time(NULL), err) < 0) {
			status = EX_TEMPFAIL;
			goto free_replies;
		}
		status = transport_send(b->tr, b->msgs, nsend, err);
		for (i = 0; i < n; i++) {
			if (!slot[i])
				continue;
			results[i].state = result_state(slot[i]->result);
			results[i].reply = xstrdup(slot[i]->reply);
			if (rows[i].state == JOURNAL_SENDING || slot[i]->maybe_delivered)
				rep->duplicates++;
			if (results[i].state == JOURNAL_FAILED)
				log_warn("send: %s refused: %s", rows[i].email, slot[i]->reply);
		}
		if (journal_record(st, digest, results, n, (long long)time(NULL), err) < 0) {
			/* the rows stay `sending`: the next run sends them again and
			 * counts them as possible duplicates, which is what they are */
			status = EX_TEMPFAIL;
			goto free_replies;
		}
		for (i = 0; i < n; i++)
			count_result(rep, results[i].state);
		if (o->progress)
			progress_update(o->progress, (uint64_t)(rep->sent + rep->failed + rep->tempfail));
free_replies:
		for (i = 0; i < n; i++)
			free((char *)results[i].reply);
		if (status)
			break;
	}
	journal_rows_release(rows, cap);
	free(results);
	free(slot);
	return status;
}

/* Wait seconds, or less when asked to stop. */
static void wait_round(long seconds, const struct send_options *o)
{
	while (seconds > 0 && !stopped(o)) {
		unsigned slice = seconds < ROUND_SLICE ? (unsigned)seconds : ROUND_SLICE;

		sleep(slice);
		seconds -= slice;
	}
}

/* The digest's totals after this run. */
static int tally(struct store *st, struct journal_digest *dg, struct send_report *rep,
		 struct buf *err)
{
	struct journal_counts c;

	if (journal_count(st, dg->id, &c, err) < 0)
		return EX_TEMPFAIL;
	rep->total_sent = c.state[JOURNAL_SENT];
	rep->total_failed = c.state[JOURNAL_FAILED];
	rep->skipped = c.skipped;
	rep->tempfail = c.state[JOURNAL_TEMPFAIL] + c.state[JOURNAL_SENDING] +
			c.state[JOURNAL_PENDING];
	return 0;
}

/* What follows from a run that went to its end: bounces, and when nothing
 * is left, the digest recorded as sent and the archive updated. */
static int settle(struct store *st, const struct config *cfg, const struct draft_doc *d,
		  struct journal_digest *dg, const struct send_options *o,
		  struct send_report *rep, struct buf *err)
{
	long long now = (long long)time(NULL);

	if (journal_bounce(st, dg->id, cfg->send.bounce_after, now, &rep->bounced, err) < 0 ||
	    tally(st, dg, rep, err))
		return EX_TEMPFAIL;
	if (rep->tempfail || rep->interrupted)
		return 0;
	if (journal_finish(st, dg, now, err) < 0)
		return EX_TEMPFAIL;
	rep->complete = 1;
	if (o->archive_dir) {
		if (archive_add(cfg, d, o->archive_dir, err) < 0) {
			/* the digest went out; only its web copy is behind */
			log_warn("send: the archive was not updated: %s (newsdigest send "
				 "FILE again updates it)", err->s);
			buf_reset(err);
		} else {
			rep->archived = 1;
		}
	}
	return 0;
}

int sender_run(struct store *st, const struct config *cfg, const struct draft_doc *d,
	       struct journal_digest *dg, const struct send_options *o,
	       struct send_report *rep, struct buf *err)
{
	const unsigned todo = 1u << JOURNAL_PENDING | 1u << JOURNAL_SENDING | 1u << JOURNAL_TEMPFAIL;
	struct journal_counts c;
	struct batch b;
	double started = now_seconds();
	int status;

	memset(rep, 0, sizeof(*rep));
	status = batch_open(&b, cfg, d, o, 0, err);
	if (status)
		goto out;
	if (journal_start(st, dg, (long long)time(NULL), o->include_new, &rep->added, err) < 0 ||
	    journal_count(st, dg->id, &c, err) < 0) {
		status = EX_TEMPFAIL;
		goto out;
	}
	/* every message of a digest carries the time its send began, so a
	 * resumed or repeated message is the same message */
	b.date = dg->send_started_at;
	rep->before = c.state[JOURNAL_SENT];
	if (o->progress)
		progress_start(o->progress, stderr, "sending", "messages",
			       (uint64_t)(c.state[JOURNAL_PENDING] + c.state[JOURNAL_SENDING] +
					  c.state[JOURNAL_TEMPFAIL]), 100);
	status = send_pass(st, &b, dg->id, todo, o, rep, err);
	for (long round = 0; !status && round < cfg->send.retries && !stopped(o); round++) {
		long delay = cfg->send.retry_delay << round;
		long left = rep->tempfail;

		if (!left)
			break;
		if (o->progress)
			progress_clear(o->progress);
		log_report("%ld temporary failure%s: trying again in %ld s (round %ld of %ld)",
			   left, left == 1 ? "" : "s", delay, round + 1, cfg->send.retries);
		wait_round(delay, o);
		if (stopped(o))
			break;
		rep->tempfail = 0;
		status = send_pass(st, &b, dg->id, 1u << JOURNAL_TEMPFAIL, o, rep, err);
	}
	if (o->progress)
		progress_finish(o->progress);
	rep->interrupted = stopped(o) ? 1 : 0;
	if (!status) {
		status = settle(st, cfg, d, dg, o, rep, err);
	} else {
		struct buf ignored = BUF_INIT;

		/* the report still says where the send stopped */
		tally(st, dg, rep, &ignored);
		buf_release(&ignored);
	}
out:
	rep->halted = status != 0;
	rep->seconds = now_seconds() - started;
	batch_close(&b);
	return status;
}

int sender_to(const struct config *cfg, const struct draft_doc *d,
	      const struct digest_person *people, size_t n, const struct send_options *o,
	      struct send_report *rep, struct buf *err)
{
	struct batch b;
	double started = now_seconds();
	size_t done = 0, k, i;
	int status;

	memset(rep, 0, sizeof(*rep));
	status = batch_open(&b, cfg, d, o, (long long)time(NULL), err);
	b.test = 1;
	while (!status && done < n && !stopped(o)) {
		size_t nsend = 0;

		k = n - done < b.cap ? n - done : b.cap;
		for (i = 0; i < k; i++) {
			if (build(&b, nsend, &people[done + i]) < 0) {
				log_warn("send: cannot build the message to %s: %s",
					 people[done + i].email, b.why.s);
				rep->failed++;
				continue;
			}
			nsend++;
		}
		status = transport_send(b.tr, b.msgs, nsend, err);
		for (i = 0; i < nsend; i++) {
			count_result(rep, result_state(b.msgs[i].result));
			if (b.msgs[i].result != TRANSPORT_SENT)
				log_warn("send: %s: %s", b.msgs[i].rcpt, b.msgs[i].reply);
		}
		done += k;
		if (o->progress)
			progress_update(o->progress, (uint64_t)done);
	}
	rep->interrupted = stopped(o) ? 1 : 0;
	rep->seconds = now_seconds() - started;
	batch_close(&b);
	return status;
}

long sender_count_items(const struct draft_doc *d)
{
	const char *p = d->text + d->body;
	long n = 0;

	while ((p = strstr(p, "<!-- nd:item ")) != NULL) {
		n++;
		p++;
	}
	return n;
}

void sender_summary(const struct send_report *rep, struct buf *out)
{
	double rate = rep->seconds > 0 ? rep->sent / rep->seconds : 0;

	buf_addf(out, "sent %ld, failed %ld, tempfail %ld, possible duplicates %ld in %.1f s",
		 rep->sent, rep->failed, rep->tempfail, rep->duplicates, rep->seconds);
	if (rep->sent && rep->seconds > 0)
		buf_addf(out, " (%.0f/s)", rate);
	if (rep->before)
		buf_addf(out, "; %ld sent by an earlier run", rep->before);
	if (rep->added && rep->before)
		buf_addf(out, "; %ld new subscriber%s added", rep->added, rep->added == 1 ? "" : "s");
	if (rep->skipped)
		buf_addf(out, "; %ld skipped (no longer subscribed)", rep->skipped);
	if (rep->bounced)
		buf_addf(out, "; %ld address%s marked bounced", rep->bounced,
			 rep->bounced == 1 ? "" : "es");
	if (rep->complete)
		buf_addf(out, "; complete: %ld sent, %ld failed in all%s", rep->total_sent,
			 rep->total_failed, rep->archived ? ", archive updated" : "");
	else if (rep->halted)
		buf_addstr(out, "; stopped by the error above: once it is put right, "
			   "the same command resumes where this one stopped");
	else if (rep->interrupted)
		buf_addstr(out, "; interrupted: run the same command again to resume");
	else if (rep->tempfail)
		buf_addstr(out, "; run the same command again later to retry");
}

int sender_status(const struct send_report *rep)
{
	if (rep->tempfail || rep->interrupted)
		return EX_TEMPFAIL;
	if (rep->failed)
		return EX_DATAERR;
	return EX_OK;
}
