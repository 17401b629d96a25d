#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static const char TEXT[] = "Hello caf\xc3\xa9 \xf0\x9f\x8e\x89\nsecond line\n\n= tail =\n";
static const char HTML[] = "<p>Hello caf\xc3\xa9 \xf0\x9f\x8e\x89</p>\n<p>x=1</p>\n";

static struct mime_message sample(void)
{
	struct mime_message m = {
		.from = "News Digest <news@example.org>",
		.reply_to = "editor@example.org",
		.to_name = "Ada Lovelace",
		.to_addr = "ada@example.com",
		.subject = "Weekly digest",
		.date = 1795000000LL,
		.message_id = "0123abcd@news-digest.example.org",
		.list_id = "news-digest.example.org",
		.unsub_mailto = "mailto:unsubscribe+tok123@example.org",
		.unsub_https = NULL,
		.archive_url = NULL,
		.text = TEXT,
		.html = HTML,
	};
	return m;
}

static void build_ok(const struct mime_message *m, struct buf *out)
{
	struct buf err = BUF_INIT;
	int rc = mime_build(m, out, &err);

	if (rc)
		print_error("mime_build: %s\n", err.s);
	assert_int_equal(rc, 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(strlen(out->s), out->len);
	buf_release(&err);
}

/* The header block: up to (not including) the blank line. */
static size_t header_len(const struct buf *msg)
{
	const char *end = strstr(msg->s, "\r\n\r\n");

	assert_non_null(end);
	return (size_t)(end - msg->s) + 2;
}

/* Every line ends in CRLF, is at most 998 octets, and header lines at most
 * 78; returns the number of header fields (lines not starting with WSP). */
static int check_lines(const struct buf *msg)
{
	size_t hlen = header_len(msg), start = 0;
	int fields = 0;

	for (size_t i = 0; i < msg->len; i++) {
		if (msg->s[i] == '\n') {
			fail_msg("bare LF at %zu", i);
		} else if (msg->s[i] == '\r') {
			assert_true(i + 1 < msg->len);
			assert_int_equal(msg->s[i + 1], '\n');
			assert_true(i - start <= 998);
			if (start < hlen) {
				if (i - start > 78)
					print_error("long header line: %.*s\n",
						    (int)(i - start), msg->s + start);
				assert_true(i - start <= 78);
				if (msg->s[start] != ' ' && msg->s[start] != '\t')
					fields++;
			}
			i++;
			start = i + 1;
		}
	}
	assert_int_equal(start, msg->len);
	return fields;
}

/* The unfolded value of the one header field called name, or NULL. */
static char *header(const struct buf *msg, const char *name)
{
	size_t hlen = header_len(msg), nlen = strlen(name);
	const char *p = msg->s;
	char *found = NULL;

	while ((size_t)(p - msg->s) < hlen) {
		const char *eol = strstr(p, "\r\n");

		if (!strncasecmp(p, name, nlen) && p[nlen] == ':') {
			struct buf v = BUF_INIT;
			const char *q = p + nlen + 1;

			assert_null(found);   /* at most once */
			for (;;) {
				buf_add(&v, q, (size_t)(eol - q));
				q = eol + 2;
				if (*q != ' ' && *q != '\t')
					break;
				eol = strstr(q, "\r\n");
			}
			found = buf_detach(&v);
		}
		p = eol + 2;
	}
	return found;
}

static void assert_header(const struct buf *msg, const char *name, const char *want)
{
	char *v = header(msg, name);

	if (!want) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static char *crlf(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		if (*s == '\n')
			buf_addch(&b, '\r');
		buf_addch(&b, *s);
	}
	return buf_detach(&b);
}

static int part_encoding(struct mailmime *part)
{
	clistiter *it;

	assert_non_null(part->mm_mime_fields);
	for (it = clist_begin(part->mm_mime_fields->fld_list); it; it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING)
			return f->fld_data.fld_encoding->enc_type;
	}
	return -1;
}

static void check_part(struct mailmime *part, const char *subtype, const char *want)
{
	struct mailmime_content *ct = part->mm_content_type;
	struct mailmime_data *body = part->mm_data.mm_single;
	char *charset, *dec = NULL, *exp = crlf(want);
	size_t idx = 0, declen = 0;

	assert_int_equal(part->mm_type, MAILMIME_SINGLE);
	assert_int_equal(ct->ct_type->tp_type, MAILMIME_TYPE_DISCRETE_TYPE);
	assert_int_equal(ct->ct_type->tp_data.tp_discrete_type->dt_type,
			 MAILMIME_DISCRETE_TYPE_TEXT);
	assert_string_equal(ct->ct_subtype, subtype);
	charset = mailmime_content_param_get(ct, "charset");
	assert_non_null(charset);
	assert_string_equal(charset, "utf-8");
	assert_int_equal(part_encoding(part), MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	assert_non_null(body);
	assert_int_equal(mailmime_part_parse(body->dt_data.dt_text.dt_data,
					     body->dt_data.dt_text.dt_length, &idx,
					     MAILMIME_MECHANISM_QUOTED_PRINTABLE,
					     &dec, &declen), MAILIMF_NO_ERROR);
	assert_int_equal(declen, strlen(exp));
	assert_memory_equal(dec, exp, declen);
	mailmime_decoded_part_free(dec);
	free(exp);
}

/* Parse msg back with libetpan and check the structure and both bodies. */
static void check_structure(const struct buf *msg, const char *text, const char *html)
{
	struct mailmime *mime = NULL, *mp;
	size_t idx = 0;
	clistiter *it;

	assert_int_equal(mailmime_parse(msg->s, msg->len, &idx, &mime), MAILIMF_NO_ERROR);
	assert_int_equal(mime->mm_type, MAILMIME_MESSAGE);
	mp = mime->mm_data.mm_message.mm_msg_mime;
	assert_non_null(mp);
	assert_int_equal(mp->mm_type, MAILMIME_MULTIPLE);
	assert_int_equal(mp->mm_content_type->ct_type->tp_type, MAILMIME_TYPE_COMPOSITE_TYPE);
	assert_string_equal(mp->mm_content_type->ct_subtype, "alternative");
	assert_int_equal(clist_count(mp->mm_data.mm_multipart.mm_mp_list), 2);
	it = clist_begin(mp->mm_data.mm_multipart.mm_mp_list);
	check_part(clist_content(it), "plain", text);
	check_part(clist_content(clist_next(it)), "html", html);
	mailmime_free(mime);
}

static void test_structure(void **state)
{
	struct mime_message m = sample();
	struct buf msg = BUF_INIT;

	build_ok(&m, &msg);
	check_lines(&msg);
	check_structure(&msg, TEXT, HTML);
	assert_header(&msg, "From", " News Digest <news@example.org>");
	assert_header(&msg, "Reply-To", " <editor@example.org>");
	assert_header(&msg, "To", " Ada Lovelace <ada@example.com>");
	assert_header(&msg, "Subject", " Weekly digest");
	assert_header(&msg, "MIME-Version", " 1.0");
	assert_header(&msg, "Message-ID", " <0123abcd@news-digest.example.org>");
	assert_header(&msg, "List-Id", " <news-digest.example.org>");
	buf_release(&msg);
}

static void test_long_line(void **state)
{
	struct mime_message m = sample();
	struct buf msg = BUF_INIT, text = BUF_INIT, html = BUF_INIT;

	for (int i = 0; i < 2000; i++)
		buf_addch(&text, "ab =."[i % 5]);
	buf_addstr(&text, "\xc3\xa9\xf0\x9f\x98\x80 end \n\t\nx\t \n.\n");
	buf_addstr(&html, "<p>");
	for (int i = 0; i < 700; i++)
		buf_addstr(&html, "\xe2\x82\xac");
	buf_addstr(&html, "</p>");       /* no final newline */
	m.text = text.s;
	m.html = html.s;
	build_ok(&m, &msg);
	check_lines(&msg);
	check_structure(&msg, text.s, html.s);
	buf_release(&msg);
	buf_release(&text);
	buf_release(&html);
}

static void test_subject_encoded(void **state)
{
	static const char *const subjects[] = {
		"R\xc3\xa9sum\xc3\xa9 de la semaine : caf\xc3\xa9, na\xc3\xafve",
		"\xf0\x9f\x8e\x89 Nouvelles \xe2\x80\x94 une tr\xc3\xa8s longue ligne d'objet "
		"qui doit \xc3\xaatre pli\xc3\xa9" "e sur plusieurs lignes \xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80 fin",
		"Plain ASCII but looks like =?utf-8?q?x?= an encoded word",
	};

	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		struct mime_message m = sample();
		struct buf msg = BUF_INIT;
		char *raw, *dec = NULL;
		size_t idx = 0;

		m.subject = subjects[i];
		build_ok(&m, &msg);
		check_lines(&msg);
		raw = header(&msg, "Subject");
		assert_non_null(raw);
		assert_non_null(strstr(raw, "=?UTF-8?Q?"));
		for (const char *p = raw; *p; p++)
			assert_true((unsigned char)*p < 0x80);
		/* each encoded word is at most 75 characters */
		for (const char *p = strstr(raw, "=?"); p; p = strstr(p + 2, "=?")) {
			const char *e = strstr(p + 10, "?=");

			assert_non_null(e);
			assert_true(e + 2 - p <= 75);
			p = e;
		}
		assert_int_equal(mailmime_encoded_phrase_parse("utf-8", raw, strlen(raw),
							       &idx, "utf-8", &dec),
				 MAILIMF_NO_ERROR);
		assert_string_equal(dec, subjects[i]);
		free(dec);
		free(raw);
		check_structure(&msg, TEXT, HTML);
		buf_release(&msg);
	}
}

static void test_subject_folded(void **state)
{
	struct mime_message m = sample();
	struct buf msg = BUF_INIT;
	char *v;

	m.subject = "This week: a fairly long plain ASCII subject line that has to be "
		    "folded over two or more lines to stay within the limit";
	build_ok(&m, &msg);
	check_lines(&msg);
	assert_non_null(strstr(msg.s, "\r\n folded over"));
	v = header(&msg, "Subject");
	assert_string_equal(v + 1, m.subject);
	free(v);
	buf_release(&msg);
}

static void test_hostile(void **state)
{
	struct mime_message m = sample();
	struct buf msg = BUF_INIT, err = BUF_INIT;
	char *v;
	int clean_fields, fields;

	build_ok(&m, &msg);
	clean_fields = check_lines(&msg);
	buf_release(&msg);

	m.to_name = "Eve\r\nBcc: x@evil";
	m.subject = "Hello\r\nBcc: y@evil\r\n\r\nbody\tand\x01\x7f" "\xc2\x85" "more";
	m.from = "Evil\nX-Injected: 1 <news@example.org>";
	build_ok(&m, &msg);
	fields = check_lines(&msg);
	assert_int_equal(fields, clean_fields);
	assert_null(strstr(msg.s, "\r\nBcc"));
	assert_null(strstr(msg.s, "\r\nX-Injected"));
	assert_header(&msg, "To", " \"Eve Bcc: x@evil\" <ada@example.com>");
	assert_header(&msg, "Subject", " Hello Bcc: y@evil body and more");
	assert_header(&msg, "From", " \"Evil X-Injected: 1\" <news@example.org>");
	check_structure(&msg, TEXT, HTML);
	buf_release(&msg);

	/* non-ASCII hostile name: encoded, still one line */
	m.to_name = "\xc3\x89ve \"the\" \\ hacker\r\nBcc: x@evil";
	build_ok(&m, &msg);
	assert_int_equal(check_lines(&msg), clean_fields);
	v = header(&msg, "To");
	assert_non_null(strstr(v, "=?UTF-8?Q?"));
	free(v);
	buf_release(&msg);

	/* values that cannot be cleaned are refused */
	m = sample();
	m.to_addr = "ada@example.com\r\nBcc: x@evil";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	assert_int_equal(msg.len, 0);
	assert_non_null(strstr(err.s, "To"));
	buf_reset(&err);
	m = sample();
	m.unsub_https = "https://example.org/u\r\nBcc: x@evil";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	buf_reset(&err);
	m = sample();
	m.unsub_https = "http://example.org/u";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	buf_reset(&err);
	m = sample();
	m.unsub_mailto = "https://example.org/u";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	buf_reset(&err);
	m = sample();
	m.message_id = "a b@c";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	buf_reset(&err);
	m = sample();
	m.subject = "bad \xc3\x28 utf-8";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	assert_non_null(strstr(err.s, "UTF-8"));
	buf_reset(&err);
	m = sample();
	m.html = "overlong \xc0\xaf";
	assert_int_equal(mime_build(&m, &msg, &err), -1);
	assert_int_equal(msg.len, 0);
	buf_release(&err);
	buf_release(&msg);
}

static void test_list_headers(void **state)
{
	struct mime_message m = sample();
	struct buf msg = BUF_INIT;

	build_ok(&m, &msg);
	assert_header(&msg, "List-Unsubscribe", " <mailto:unsubscribe+tok123@example.org>");
	assert_header(&msg, "List-Unsubscribe-Post", NULL);
	assert_header(&msg, "List-Archive", NULL);
	assert_header(&msg, "List-Id", " <news-digest.example.org>");
	buf_release(&msg);

	m.unsub_https = "https://news.example.org/unsubscribe?token=tok123";
	m.archive_url = "https://news.example.org/archive/";
	build_ok(&m, &msg);
	check_lines(&msg);
	assert_header(&msg, "List-Unsubscribe",
		      " <mailto:unsubscribe+tok123@example.org>, "
		      "<https://news.example.org/unsubscribe?token=tok123>");
	assert_header(&msg, "List-Unsubscribe-Post", " List-Unsubscribe=One-Click");
	assert_header(&msg, "List-Archive", " <https://news.example.org/archive/>");
	buf_release(&msg);

	m.unsub_https = "";
	m.archive_url = "";
	m.reply_to = NULL;
	build_ok(&m, &msg);
	assert_header(&msg, "List-Unsubscribe-Post", NULL);
	assert_header(&msg, "List-Archive", NULL);
	assert_header(&msg, "Reply-To", NULL);
	buf_release(&msg);
}

static void test_message_id(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT, d = BUF_INIT;
	struct mime_message m = sample();
	struct buf msg1 = BUF_INIT, msg2 = BUF_INIT;

	mime_message_id("2026-W48", "ada@example.com", "news-digest.example.org", &a);
	mime_message_id("2026-W48", "ADA@example.com", "news-digest.example.org", &b);
	mime_message_id("2026-W48", "bob@example.com", "news-digest.example.org", &c);
	mime_message_id("2026-W49", "ada@example.com", "news-digest.example.org", &d);
	assert_string_equal(a.s, b.s);
	assert_string_not_equal(a.s, c.s);
	assert_string_not_equal(a.s, d.s);
	assert_int_equal(a.len, 32 + 1 + strlen("news-digest.example.org"));
	assert_non_null(strstr(a.s, "@news-digest.example.org"));
	mime_message_id("2026-W48", "ada@example.com", "bad <list>\r\n", &b);
	assert_null(strpbrk(b.s, "<> \r\n"));
	mime_message_id("2026-W48", "ada@example.com", "", &b);
	assert_non_null(strstr(b.s, "@localhost"));

	/* a resend is the same message, byte for byte */
	m.message_id = a.s;
	build_ok(&m, &msg1);
	build_ok(&m, &msg2);
	assert_string_equal(msg1.s, msg2.s);
	buf_release(&msg1);
	buf_release(&msg2);
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
	buf_release(&d);
}

static void test_date(void **state)
{
	struct mime_message m = sample();
	struct buf msg = BUF_INIT;
	struct mailimf_fields *f = NULL;
	size_t idx = 0;
	clistiter *it;
	int seen = 0;

	build_ok(&m, &msg);
	assert_header(&msg, "Date", " Wed, 18 Nov 2026 11:06:40 +0000");
	m.date = 0;
	buf_release(&msg);
	build_ok(&m, &msg);
	assert_header(&msg, "Date", " Thu, 1 Jan 1970 00:00:00 +0000");
	assert_int_equal(mailimf_fields_parse(msg.s, msg.len, &idx, &f), MAILIMF_NO_ERROR);
	for (it = clist_begin(f->fld_list); it; it = clist_next(it)) {
		struct mailimf_field *fld = clist_content(it);

		if (fld->fld_type == MAILIMF_FIELD_ORIG_DATE) {
			struct mailimf_date_time *dt = fld->fld_data.fld_orig_date->dt_date_time;

			assert_int_equal(dt->dt_year, 1970);
			assert_int_equal(dt->dt_month, 1);
			assert_int_equal(dt->dt_day, 1);
			assert_int_equal(dt->dt_zone, 0);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	mailimf_fields_free(f);
	buf_release(&msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_subject_encoded),
		cmocka_unit_test(test_subject_folded),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_list_headers),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
