/*
 * The send stage over the real maildir transport and a real store: the
 * journal's rows, the messages written, resuming, test sends, reports.
 * (The SMTP and sendmail transports have their own tests; the sender does
 * not care which one it drives.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "mime.h"
#include "sender.h"
#include "xalloc.h"

struct fx {
	char dir[64];
	char maildir[96], archive[96], draft[96], db[96];
	struct config cfg;
	struct store st;
	struct draft_doc d;
	struct journal_digest dg;
};

static const char draft_text[] =
	"---\n"
	"title: News Digest\n"
	"issue: 7\n"
	"week: 2026-W48\n"
	"date: 2026-11-27\n"
	"subject: \"News Digest #7: \\u00c9tat d'urgence\"\n"
	"---\n"
	"# Surveillance\n"
	"\n"
	"- [A story](https://example.org/a)\n"
	"  <!-- nd:item id=1 topics=surveillance score=3 evidence=\"x\" -->\n"
	"- [Another](https://example.org/b)\n"
	"  <!-- nd:item id=2 topics=surveillance score=2 evidence=\"y\" -->\n";

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static void exec(struct fx *fx, const char *sql)
{
	struct buf err = BUF_INIT;

	assert_int_equal(store_exec(&fx->st, sql, &err), 0);
	buf_release(&err);
}

static long long query(struct fx *fx, const char *sql)
{
	struct buf err = BUF_INIT;
	long long v = -1;

	assert_int_equal(store_query_int(&fx->st, sql, "test", &v, &err), 0);
	buf_release(&err);
	return v;
}

static int setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	struct buf err = BUF_INIT;
	FILE *f;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_sender.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->maildir, sizeof(fx->maildir), "%s/outbox", fx->dir);
	snprintf(fx->archive, sizeof(fx->archive), "%s/archive", fx->dir);
	snprintf(fx->draft, sizeof(fx->draft), "%s/2026-W48.md", fx->dir);
	snprintf(fx->db, sizeof(fx->db), "%s/store.db", fx->dir);
	config_init(&fx->cfg);
	set_str(&fx->cfg.compose.templates, "templates");
	fx->cfg.send.batch = 3;
	fx->cfg.send.retry_delay = 0;
	f = fopen(fx->draft, "w");
	if (!f || fputs(draft_text, f) < 0 || fclose(f) != 0)
		return -1;
	if (draft_read(fx->draft, &fx->d, &err) < 0 ||
	    store_open(&fx->st, fx->db, 1000, &err) < 0)
		return -1;
	for (int i = 1; i <= 7; i++) {
		char sql[300];

		snprintf(sql, sizeof(sql), "INSERT INTO subscribers (id, email, name, token, "
			 "created_at, updated_at) VALUES (%d, 'u%d@example.test', 'User %d', "
			 "'tok%d', 0, 0)", i, i, i, i);
		if (store_exec(&fx->st, sql, &err) < 0)
			return -1;
	}
	if (store_exec(&fx->st, "INSERT INTO digests (id, week, path, approved_hash) "
		       "VALUES (1, '2026-W48', 'x', 'h')", &err) < 0 ||
	    journal_digest_find(&fx->st, "2026-W48", &fx->dg, &err) != 0)
		return -1;
	buf_release(&err);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];
	int rc;

	journal_digest_release(&fx->dg);
	draft_doc_release(&fx->d);
	store_close(&fx->st);
	config_release(&fx->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	rc = system(cmd);
	free(fx);
	return rc == 0 ? 0 : -1;
}

static struct send_options maildir_options(struct fx *fx)
{
	struct send_options o = { 0 };

	o.transport = TRANSPORT_MAILDIR;
	o.maildir = fx->maildir;
	o.archive_dir = fx->archive;
	return o;
}

/* The messages in the Maildir's new/, concatenated, and how many. */
static size_t read_maildir(const char *maildir, struct buf *all)
{
	char path[512];
	struct dirent *e;
	DIR *dir;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/new", maildir);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((e = readdir(dir)) != NULL) {
		char file[1024], chunk[4096];
		size_t got;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		f = fopen(file, "rb");
		assert_non_null(f);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(all, chunk, got);
		fclose(f);
		buf_addstr(all, "\n=====\n");
		n++;
	}
	closedir(dir);
	return n;
}

static void test_sends_each_active_subscriber_once(void **state)
{
	struct fx *fx = *state;
	struct send_options o = maildir_options(fx);
	struct send_report rep;
	struct buf err = BUF_INIT, all = BUF_INIT;

	exec(fx, "UPDATE subscribers SET status = 'unsubscribed' WHERE id = 7");
	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 6);
	assert_int_equal(rep.failed + rep.tempfail + rep.duplicates, 0);
	assert_int_equal(rep.added, 6);
	assert_true(rep.complete);
	assert_true(rep.archived);
	assert_int_equal(sender_status(&rep), EX_OK);
	assert_int_equal(query(fx, "SELECT count(*) FROM deliveries WHERE state = 'sent' "
			       "AND attempts = 1"), 6);
	assert_true(query(fx, "SELECT sent_at FROM digests WHERE id = 1") > 0);
	assert_int_equal(read_maildir(fx->maildir, &all), 6);
	assert_non_null(strstr(all.s, "To: User 3 <u3@example.test>"));
	assert_null(strstr(all.s, "u7@example.test"));
	/* the subject, RFC 2047-encoded; the token in List-Unsubscribe */
	assert_non_null(strstr(all.s, "Subject: =?UTF-8?Q?"));
	assert_non_null(strstr(all.s, "subject=unsubscribe%20tok3>"));
	/* the archive has the issue */
	{
		char page[160];
		FILE *f;

		snprintf(page, sizeof(page), "%s/2026-W48.html", fx->archive);
		f = fopen(page, "r");
		assert_non_null(f);
		fclose(f);
	}
	/* again: nothing left, nothing written */
	buf_reset(&all);
	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 0);
	assert_int_equal(rep.before, 6);
	assert_int_equal(read_maildir(fx->maildir, &all), 6);
	buf_release(&all);
	buf_release(&err);
}

/* A crash left a batch `sending`, some rows sent: the resumed send sends
 * the rest, counts the `sending` ones as possible duplicates, and the
 * Message-IDs are those of the first attempt. */
static void test_resume_after_a_crash(void **state)
{
	struct fx *fx = *state;
	struct send_options o = maildir_options(fx);
	struct send_report rep;
	struct buf err = BUF_INIT, all = BUF_INIT;
	long added;

	assert_int_equal(journal_start(&fx->st, &fx->dg, 1795000000, 0, &added, &err), 0);
	assert_int_equal(added, 7);
	exec(fx, "UPDATE deliveries SET state = 'sent', attempts = 1 WHERE subscriber <= 2");
	exec(fx, "UPDATE deliveries SET state = 'sending', attempts = 1 WHERE subscriber IN (3, 4)");
	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 5);
	assert_int_equal(rep.duplicates, 2);
	assert_int_equal(rep.before, 2);
	assert_true(rep.complete);
	assert_int_equal(read_maildir(fx->maildir, &all), 5);
	assert_null(strstr(all.s, "u1@example.test"));
	/* the Date is the send's start, so a resent message is the same */
	assert_non_null(strstr(all.s, "Date: Wed, 18 Nov 2026 11:06:40 +0000"));
	assert_int_equal(query(fx, "SELECT attempts FROM deliveries WHERE subscriber = 3"), 2);
	buf_release(&all);
	buf_release(&err);
}

/* A stop request (SIGTERM) ends the send after the batch in hand. */
static void test_stop_after_the_batch(void **state)
{
	struct fx *fx = *state;
	struct send_options o = maildir_options(fx);
	struct send_report rep;
	struct buf err = BUF_INIT, line = BUF_INIT;
	volatile sig_atomic_t stop = 0;

	o.stop = &stop;
	stop = 1;
	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 0);
	assert_true(rep.interrupted);
	assert_false(rep.complete);
	assert_int_equal(rep.tempfail, 7);      /* all still to send */
	assert_int_equal(sender_status(&rep), EX_TEMPFAIL);
	sender_summary(&rep, &line);
	assert_non_null(strstr(line.s, "interrupted"));
	assert_int_equal(query(fx, "SELECT count(*) FROM deliveries WHERE state = 'pending'"), 7);
	buf_release(&line);
	buf_release(&err);
}

static void test_include_new(void **state)
{
	struct fx *fx = *state;
	struct send_options o = maildir_options(fx);
	struct send_report rep;
	struct buf err = BUF_INIT;

	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 7);
	exec(fx, "INSERT INTO subscribers (id, email, token, created_at, updated_at) "
	     "VALUES (8, 'late@example.test', 'tok8', 0, 0)");
	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 0);
	o.include_new = 1;
	assert_int_equal(sender_run(&fx->st, &fx->cfg, &fx->d, &fx->dg, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(rep.added, 1);
	assert_int_equal(rep.total_sent, 8);
	buf_release(&err);
}

/* A test send: its own Message-IDs, no journal row. */
static void test_sender_to(void **state)
{
	struct fx *fx = *state;
	struct send_options o = maildir_options(fx);
	struct send_report rep;
	struct buf err = BUF_INIT, all = BUF_INIT, real = BUF_INIT;
	const struct digest_person people[] = {
		{ "Ed\r\nBcc: victim@example.net", "editor@example.org", "T1" },
	};
	assert_int_equal(sender_to(&fx->cfg, &fx->d, people, 1, &o, &rep, &err), 0);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(query(fx, "SELECT count(*) FROM deliveries"), 0);
	assert_int_equal(read_maildir(fx->maildir, &all), 1);
	/* a hostile name cannot add a header line (the body may show it) */
	/* (the Maildir holds LF line ends) */
	assert_non_null(strstr(all.s, "\n\n"));
	buf_setlen(&all, (size_t)(strstr(all.s, "\n\n") - all.s));
	assert_null(strstr(all.s, "\nBcc:"));
	assert_non_null(strstr(all.s, "\"Ed Bcc: victim@example.net\" <editor@example.org>"));
	assert_non_null(strstr(all.s, "Message-ID: <"));
	/* not the Message-ID the real digest to this address would carry */
	mime_message_id("2026-W48", "editor@example.org", fx->cfg.mail.list_id, &real);
	assert_null(strstr(all.s, real.s));
	buf_release(&all);
	buf_release(&real);
	buf_release(&err);
}

/* Decode the quoted-printable body of the part whose Content-Type starts
 * with type, in the LF-only message msg. */
static void qp_part(const char *msg, const char *type, struct buf *out)
{
	char head[80];
	const char *p, *end;

	snprintf(head, sizeof(head), "Content-Type: %s", type);
	p = strstr(msg, head);
	assert_non_null(p);
	p = strstr(p, "\n\n");
	assert_non_null(p);
	p += 2;
	end = strstr(p, "\n--=_nd_");
	assert_non_null(end);
	buf_reset(out);
	while (p < end) {
		if (*p == '=' && p[1] == '\n') {
			p += 2;
		} else if (*p == '=') {
			unsigned v;

			assert_int_equal(sscanf(p + 1, "%2X", &v), 1);
			buf_addch(out, (int)v);
			p += 3;
		} else {
			buf_addch(out, *p++);
		}
	}
}

/* Messages put together from pieces say exactly what the templates say
 * for the subscriber: names that need escaping, with and without a name. */
static void test_pieces_are_the_rendering(void **state)
{
	struct fx *fx = *state;
	struct send_options o = maildir_options(fx);
	struct send_report rep;
	struct buf err = BUF_INIT, all = BUF_INIT, got = BUF_INIT, html = BUF_INIT, text = BUF_INIT;
	const struct digest_person people[] = {
		{ "A & \"B\" <C> l'\u00e9t\u00e9", "a.b+c@example.org", "AAAAAAAAAAAAAAAAAAAA_-" },
		{ "", "noname@example.org", "BBBBBBBBBBBBBBBBBBBB12" },
	};
	struct digest *dg;

	dg = digest_new(&fx->cfg, &fx->d, &err);
	assert_non_null(dg);
	for (size_t i = 0; i < 2; i++) {
		char sub[128];

		snprintf(sub, sizeof(sub), "rm -rf '%s'", fx->maildir);
		assert_int_equal(system(sub), 0);
		assert_int_equal(sender_to(&fx->cfg, &fx->d, &people[i], 1, &o, &rep, &err), 0);
		assert_int_equal(rep.sent, 1);
		buf_reset(&all);
		assert_int_equal(read_maildir(fx->maildir, &all), 1);
		assert_int_equal(digest_personalise(dg, &people[i], &html, &text, &err), 0);
		qp_part(all.s, "text/html", &got);
		assert_string_equal(got.s, html.s);
		qp_part(all.s, "text/plain", &got);
		assert_string_equal(got.s, text.s);
	}
	digest_free(dg);
	buf_release(&all);
	buf_release(&got);
	buf_release(&html);
	buf_release(&text);
	buf_release(&err);
}

static void test_count_items_and_summary(void **state)
{
	struct fx *fx = *state;
	struct send_report rep = { 0 };
	struct buf line = BUF_INIT;

	assert_int_equal(sender_count_items(&fx->d), 2);
	rep.sent = 1200;
	rep.seconds = 4.0;
	rep.failed = 2;
	rep.complete = 1;
	rep.total_sent = 1200;
	rep.total_failed = 2;
	sender_summary(&rep, &line);
	assert_string_equal(line.s, "sent 1200, failed 2, tempfail 0, possible duplicates 0 "
			    "in 4.0 s (300/s); complete: 1200 sent, 2 failed in all");
	assert_int_equal(sender_status(&rep), EX_DATAERR);
	rep.tempfail = 1;
	assert_int_equal(sender_status(&rep), EX_TEMPFAIL);
	buf_release(&line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sends_each_active_subscriber_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_a_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_after_the_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_to, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pieces_are_the_rendering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_items_and_summary, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
