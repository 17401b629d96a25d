/*
 * The digest as a MIME message.
 *
 * The header block is written here, not with libetpan's mailimf writer:
 * libetpan has no RFC 2047 encoder, its writer folds on its own terms (it
 * cannot keep an encoded word whole) and it has no fields for List-*.
 * libetpan builds and writes the body (multipart/alternative, and the
 * quoted-printable encoder via MAILMIME_MECHANISM_QUOTED_PRINTABLE).
 *
 * Accepted in header values: UTF-8 text; control characters become spaces and
 * runs of white space one space. Addresses, URLs, the List-Id and the
 * Message-ID must be printable ASCII without white space or <>: else -1.
 */
#include "mime.h"

#include <libetpan/libetpan.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xalloc.h"

#define LINE_SOFT 78    /* RFC 5322 2.1.1: SHOULD */
#define LINE_HARD 998   /* RFC 5322 2.1.1: MUST */
#define EW_MAX 75       /* RFC 2047 2: an encoded word */

static void clean_text(const char *in, struct buf *out);
static int needs_encoding(const char *s);
static void add_encoded_words(struct buf *out, size_t *col, const char *s);
static void add_folded_text(struct buf *out, size_t *col, const char *s);
static int phrase_plain(const char *s);
static int addr_ok(const char *s);
static int add_mailbox(struct buf *out, size_t *col, const char *name,
		       const char *addr, const char *what, struct buf *err);
static int add_mailbox_spec(struct buf *out, size_t *col, const char *spec,
			    const char *what, struct buf *err);
static void add_token(struct buf *out, size_t *col, const char *tok, size_t len);
static void add_date(struct buf *out, long long t);
static struct mailmime *text_part(const char *type, const char *marker);
static void write_body(const struct mime_message *m, const struct mime_frame *f,
		       struct buf *out);
static int check_lines(const struct buf *out, struct buf *err);

int mime_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p;
		int n;
		unsigned cp, min;

		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* Control characters (C0, DEL, C1) to spaces, runs of spaces to one, no
 * space at either end: what is left cannot start a header line. */
static void clean_text(const char *in, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	int space = 0;

	buf_reset(out);
	for (; *p; p++) {
		int ctl = *p < 0x20 || *p == 0x7f ||
			(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);

		if (ctl || *p == ' ') {
			if (ctl && *p == 0xc2)
				p++;
			space = 1;
			continue;
		}
		if (space && out->len)
			buf_addch(out, ' ');
		space = 0;
		buf_addch(out, *p);
	}
}

/* Non-ASCII, something a decoder would take for an encoded word, or a word
 * too long to fold. */
static int needs_encoding(const char *s)
{
	size_t word = 0;

	if (strstr(s, "=?"))
		return 1;
	for (; *s; s++) {
		if ((unsigned char)*s >= 0x80)
			return 1;
		word = *s == ' ' ? 0 : word + 1;
		if (word > LINE_SOFT - 12)
			return 1;
	}
	return 0;
}

/* s (clean UTF-8) as Q-encoded words, folded between words. Only the
 * characters RFC 2047 5(3) allows in a phrase go unencoded, so the result
 * fits both unstructured fields and display names. */
static void add_encoded_words(struct buf *out, size_t *col, const char *s)
{
	static const char pre[] = "=?UTF-8?Q?";
	const unsigned char *p = (const unsigned char *)s;
	size_t wlen = 0;        /* length of the open word; 0: none open */

	while (*p) {
		size_t n = 1, enc = 0;
		char tmp[16];

		if ((*p & 0xe0) == 0xc0)
			n = 2;
		else if ((*p & 0xf0) == 0xe0)
			n = 3;
		else if ((*p & 0xf8) == 0xf0)
			n = 4;
		for (size_t i = 0; i < n; i++) {
			unsigned c = p[i];

			if (c == ' ')
				tmp[enc++] = '_';
			else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || strchr("!*+-/", (int)c))
				tmp[enc++] = (char)c;
			else {
				snprintf(tmp + enc, 4, "=%02X", c);
				enc += 3;
			}
		}
		if (wlen && (wlen + enc + 2 > EW_MAX ||
			     *col + enc + 2 > LINE_SOFT)) {
			buf_addstr(out, "?=");
			*col += 2;
			wlen = 0;
		}
		if (!wlen) {
			if (*col + 1 + strlen(pre) + enc + 2 > LINE_SOFT) {
				buf_addstr(out, "\r\n");
				*col = 0;
			}
			buf_addch(out, ' ');
			buf_addstr(out, pre);
			*col += 1 + strlen(pre);
			wlen = strlen(pre);
		}
		buf_add(out, tmp, enc);
		*col += enc;
		wlen += enc;
		p += n;
	}
	if (wlen) {
		buf_addstr(out, "?=");
		*col += 2;
	}
}

/* Clean ASCII text, folded before a space when a line would pass 78. */
static void add_folded_text(struct buf *out, size_t *col, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, " ");

		add_token(out, col, s, n);
		s += n;
		while (*s == ' ')
			s++;
	}
}

/* One space and tok, folding first when the line would pass 78 and is not
 * empty. */
static void add_token(struct buf *out, size_t *col, const char *tok, size_t len)
{
	if (*col > 0 && *col + 1 + len > LINE_SOFT) {
		buf_addstr(out, "\r\n");
		*col = 0;
	}
	buf_addch(out, ' ');
	buf_add(out, tok, len);
	*col += 1 + len;
}

/* 1 when s is atoms and spaces only (RFC 5322 3.2.3). */
static int phrase_plain(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(" !#$%&'*+-/=?^_`{|}~", *s)))
			return 0;
	return 1;
}

/* An addr-spec, URL, List-Id or Message-ID: printable ASCII, no white
 * space, no angle brackets, not empty, and short enough for one line. */
static int addr_ok(const char *s)
{
	if (!*s || strlen(s) > 900)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == '<' || *s == '>')
			return 0;
	return 1;
}

static int add_mailbox(struct buf *out, size_t *col, const char *name,
		       const char *addr, const char *what, struct buf *err)
{
	struct buf clean = BUF_INIT;
	struct buf tok = BUF_INIT;

	if (!addr_ok(addr) || !strchr(addr, '@') || strpbrk(addr, "()[],;:\\\"")) {
		buf_addf(err, "cannot write the %s header: bad address '", what);
		buf_addsanitized(err, addr);
		buf_addstr(err, "'");
		return -1;
	}
	clean_text(name ? name : "", &clean);
	if (clean.len) {
		if (needs_encoding(clean.s) || clean.len > 60) {
			add_encoded_words(out, col, clean.s);
		} else if (phrase_plain(clean.s)) {
			add_folded_text(out, col, clean.s);
		} else {
			buf_addch(&tok, '"');
			for (const char *p = clean.s; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_addch(&tok, '\\');
				buf_addch(&tok, *p);
			}
			buf_addch(&tok, '"');
			add_token(out, col, tok.s, tok.len);
		}
	}
	buf_reset(&tok);
	buf_addf(&tok, "<%s>", addr);
	add_token(out, col, tok.s, tok.len);
	buf_release(&tok);
	buf_release(&clean);
	return 0;
}

/* "Name <addr>", "<addr>" or "addr". */
static int add_mailbox_spec(struct buf *out, size_t *col, const char *spec,
			    const char *what, struct buf *err)
{
	const char *lt = strrchr(spec, '<');
	size_t len = strlen(spec);
	int ret;

	while (len && (spec[len - 1] == ' ' || spec[len - 1] == '\t'))
		len--;
	if (lt && len && spec[len - 1] == '>') {
		char *name = xstrndup(spec, (size_t)(lt - spec));
		char *addr = xstrndup(lt + 1, len - (size_t)(lt - spec) - 2);
		size_t nl = strlen(name);

		/* a configured "Quoted Name" loses its quotes */
		while (nl && name[nl - 1] == ' ')
			name[--nl] = '\0';
		if (nl >= 2 && name[0] == '"' && name[nl - 1] == '"') {
			name[nl - 1] = '\0';
			memmove(name, name + 1, nl - 1);
		}
		ret = add_mailbox(out, col, name, addr, what, err);
		free(name);
		free(addr);
		return ret;
	}
	{
		char *addr = xstrndup(spec, len);

		ret = add_mailbox(out, col, NULL, addr, what, err);
		free(addr);
	}
	return ret;
}

/* RFC 5322 3.3, in UTC. */
static void add_date(struct buf *out, long long t)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	buf_addf(out, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n",
		 day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Quoted-printable (RFC 2045 6.7) with CRLF hard breaks and lines of at
 * most 76 characters. Our own: libetpan 1.9.4's encoder
 * (MAILMIME_MECHANISM_QUOTED_PRINTABLE with an unencoded body) writes a
 * space before a line end twice ("x \n" becomes "x =20"), which changes
 * the text. LF, CRLF and a lone CR are all line ends. */
void mime_qp_encode(const char *in, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	size_t col = 0;

	/* literal runs go in one piece: a byte at a time, this loop was most
	 * of the cost of a send */
	while (p < end) {
		const unsigned char *run = p;
		int eol;

		while (p < end && col + (size_t)(p - run) < 75 && *p > ' ' && *p < 0x7f && *p != '=')
			p++;
		if (p > run) {
			buf_add(out, run, (size_t)(p - run));
			col += (size_t)(p - run);
			continue;
		}
		if (*p == '\r' || *p == '\n') {
			if (*p == '\r' && p + 1 < end && p[1] == '\n')
				p++;
			p++;
			buf_add(out, "\r\n", 2);
			col = 0;
			continue;
		}
		eol = p + 1 == end || p[1] == '\n' || p[1] == '\r';
		if ((*p > ' ' && *p < 0x7f && *p != '=') || ((*p == ' ' || *p == '\t') && !eol)) {
			/* a soft break leaves room for the '=' within 76 */
			if (col + 1 > (eol ? 76 : 75)) {
				buf_add(out, "=\r\n", 3);
				col = 0;
			}
			buf_add(out, p, 1);
			col++;
		} else {
			char esc[3] = { '=', hex[*p >> 4], hex[*p & 15] };

			if (col + 3 > (eol ? 76 : 75)) {
				buf_add(out, "=\r\n", 3);
				col = 0;
			}
			buf_add(out, esc, 3);
			col += 3;
		}
		p++;
	}
}

/* A text part whose body is the given marker; it is replaced by the real,
 * already encoded, body when a message is built. */
static struct mailmime *text_part(const char *type, const char *marker)
{
	struct mailmime_content *ct = mailmime_content_new_with_str(type);
	struct mailmime_fields *fields =
		mailmime_fields_new_encoding(MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	struct mailmime_parameter *param;
	struct mailmime *part;

	if (!ct || !fields)
		xdie_oom();
	param = mailmime_param_new_with_data("charset", "utf-8");
	if (!param || clist_append(ct->ct_parameters, param) < 0)
		xdie_oom();
	part = mailmime_new_empty(ct, fields);
	if (!part)
		xdie_oom();
	part->mm_data.mm_single = mailmime_data_new(MAILMIME_DATA_TEXT,
		MAILMIME_MECHANISM_QUOTED_PRINTABLE, 1, marker, strlen(marker), NULL);
	if (!part->mm_data.mm_single)
		xdie_oom();
	return part;
}

/* What every message of one digest shares: the multipart's Content-Type,
 * boundaries and part headers, written once by libetpan, in three pieces
 * around the text and the HTML bodies. */
struct mime_frame {
	char *before_text, *before_html, *after_html;
};

#define MARK_TEXT "=_nd_text_body_"
#define MARK_HTML "=_nd_html_body_"

struct mime_frame *mime_frame_new(const char *seed, struct buf *err)
{
	struct mime_frame *f = xcalloc(1, sizeof(*f));
	struct buf boundary = BUF_INIT, all = BUF_INIT;
	struct mailmime_content *ct;
	struct mailmime_parameter *param;
	struct mailmime *mp;
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	MMAPString *s;
	char *t, *h;
	int col = 0;

	/* from the seed, so the same message is the same bytes; "=_" never
	 * occurs in quoted-printable output */
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(seed), (const uint8_t *)seed);
	sha256_digest(&ctx, sizeof(d), d);
	buf_addstr(&boundary, "=_nd_");
	for (size_t i = 0; i < 12; i++)
		buf_addf(&boundary, "%02x", d[i]);

	ct = mailmime_content_new_with_str("multipart/alternative");
	if (!ct)
		xdie_oom();
	param = mailmime_param_new_with_data("boundary", boundary.s);
	if (!param || clist_append(ct->ct_parameters, param) < 0)
		xdie_oom();
	mp = mailmime_new_empty(ct, mailmime_fields_new_empty());
	if (!mp)
		xdie_oom();
	if (mailmime_smart_add_part(mp, text_part("text/plain", MARK_TEXT)) != MAILIMF_NO_ERROR ||
	    mailmime_smart_add_part(mp, text_part("text/html", MARK_HTML)) != MAILIMF_NO_ERROR)
		xdie_oom();
	s = mmap_string_new("");
	if (!s || mailmime_write_mem(s, &col, mp) != MAILIMF_NO_ERROR)
		xdie_oom();
	/* libetpan writes no Content-Type for a multipart without a parent */
	buf_addf(&all, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
		 boundary.s);
	buf_add(&all, s->str, s->len);
	t = strstr(all.s, MARK_TEXT);
	h = t ? strstr(t, MARK_HTML) : NULL;
	if (!t || !h) {
		buf_addstr(err, "cannot build the message: libetpan wrote an unexpected MIME frame");
		free(f);
		f = NULL;
		goto out;
	}
	f->before_text = xstrndup(all.s, (size_t)(t - all.s));
	f->before_html = xstrndup(t + strlen(MARK_TEXT), (size_t)(h - t - strlen(MARK_TEXT)));
	f->after_html = xstrdup(h + strlen(MARK_HTML));
out:
	mmap_string_free(s);
	mailmime_free(mp);
	buf_release(&boundary);
	buf_release(&all);
	return f;
}

void mime_frame_free(struct mime_frame *f)
{
	if (!f)
		return;
	free(f->before_text);
	free(f->before_html);
	free(f->after_html);
	free(f);
}

static void write_body(const struct mime_message *m, const struct mime_frame *f,
		       struct buf *out)
{
	const char *text = m->text ? m->text : "", *html = m->html ? m->html : "";

	buf_addstr(out, f->before_text);
	if (m->text_qp)
		buf_add(out, m->text_qp->s, m->text_qp->len);
	else
		mime_qp_encode(text, strlen(text), out);
	buf_addstr(out, f->before_html);
	if (m->html_qp)
		buf_add(out, m->html_qp->s, m->html_qp->len);
	else
		mime_qp_encode(html, strlen(html), out);
	buf_addstr(out, f->after_html);
}

/* Every line ends in CRLF and fits in 998 octets; no bare CR or LF. */
static int check_lines(const struct buf *out, struct buf *err)
{
	const char *p = out->s, *end = out->s + out->len;

	/* memchr: this runs over every byte of every message */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			goto bad;
		if (nl == p || nl[-1] != '\r' || memchr(p, '\r', (size_t)(nl - 1 - p))) {
			buf_addstr(err, "cannot build the message: a bare CR or LF");
			return -1;
		}
		if (nl - 1 - p > LINE_HARD)
			goto bad;
		p = nl + 1;
	}
	return 0;
bad:
	buf_addstr(err, "cannot build the message: a line is over 998 octets or lacks CRLF");
	return -1;
}

int mime_build(const struct mime_message *m, struct buf *out, struct buf *err)
{
	struct mime_frame *f = mime_frame_new(m->message_id ? m->message_id : "", err);
	int ret = f ? mime_build_framed(m, f, out, err) : -1;

	mime_frame_free(f);
	return ret;
}

int mime_build_framed(const struct mime_message *m, const struct mime_frame *f,
		      struct buf *out, struct buf *err)
{
	const char *check[] = { m->from, m->reply_to, m->to_name, m->to_addr,
				m->subject, m->message_id, m->list_id,
				m->unsub_mailto, m->unsub_https, m->archive_url };
	const char *urls[] = { m->message_id, m->list_id, m->unsub_mailto,
			       m->unsub_https, m->archive_url };
	const char *url_what[] = { "Message-ID", "List-Id", "List-Unsubscribe",
				   "List-Unsubscribe", "List-Archive" };
	int has_https = m->unsub_https && *m->unsub_https;
	struct buf clean = BUF_INIT, tok = BUF_INIT;
	size_t col;
	int ret = -1;

	buf_reset(out);
	for (size_t i = 0; i < sizeof(check) / sizeof(check[0]); i++) {
		if (check[i] && !mime_utf8_valid(check[i])) {
			buf_addstr(err, "cannot build the message: a header value is not valid UTF-8");
			goto out;
		}
	}
	if ((!m->text_qp && !mime_utf8_valid(m->text ? m->text : "")) ||
	    (!m->html_qp && !mime_utf8_valid(m->html ? m->html : ""))) {
		buf_addstr(err, "cannot build the message: a body is not valid UTF-8");
		goto out;
	}
	if (!m->from || !m->to_addr || !m->subject || !m->message_id ||
	    !m->list_id || !m->unsub_mailto) {
		buf_addstr(err, "cannot build the message: From, To, Subject, Message-ID, List-Id or List-Unsubscribe missing");
		goto out;
	}
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		if (urls[i] && *urls[i] && !addr_ok(urls[i])) {
			buf_addf(err, "cannot write the %s header: bad value '", url_what[i]);
			buf_addsanitized(err, urls[i]);
			buf_addstr(err, "'");
			goto out;
		}
	}
	if (strncasecmp(m->unsub_mailto, "mailto:", 7) ||
	    (m->unsub_https && *m->unsub_https &&
	     strncasecmp(m->unsub_https, "https://", 8))) {
		buf_addstr(err, "cannot write the List-Unsubscribe header: want a mailto: and an https: URL");
		goto out;
	}
	if (!strchr(m->message_id, '@')) {
		buf_addstr(err, "cannot write the Message-ID header: no '@' in '");
		buf_addsanitized(err, m->message_id);
		buf_addstr(err, "'");
		goto out;
	}

	buf_addstr(out, "From:");
	col = 5;
	if (add_mailbox_spec(out, &col, m->from, "From", err) < 0)
		goto out;
	buf_addstr(out, "\r\n");
	if (m->reply_to && *m->reply_to) {
		buf_addstr(out, "Reply-To:");
		col = 9;
		if (add_mailbox_spec(out, &col, m->reply_to, "Reply-To", err) < 0)
			goto out;
		buf_addstr(out, "\r\n");
	}
	buf_addstr(out, "To:");
	col = 3;
	if (add_mailbox(out, &col, m->to_name, m->to_addr, "To", err) < 0)
		goto out;
	buf_addstr(out, "\r\n");

	buf_addstr(out, "Subject:");
	col = 8;
	clean_text(m->subject, &clean);
	if (needs_encoding(clean.s))
		add_encoded_words(out, &col, clean.s);
	else
		add_folded_text(out, &col, clean.s);
	buf_addstr(out, "\r\n");

	add_date(out, m->date);
	buf_addf(out, "Message-ID: <%s>\r\n", m->message_id);
	buf_addstr(out, "MIME-Version: 1.0\r\n");
	buf_addf(out, "List-Id: <%s>\r\n", m->list_id);

	buf_addstr(out, "List-Unsubscribe:");
	col = 17;
	buf_addf(&tok, "<%s>%s", m->unsub_mailto, has_https ? "," : "");
	add_token(out, &col, tok.s, tok.len);
	if (has_https) {
		buf_reset(&tok);
		buf_addf(&tok, "<%s>", m->unsub_https);
		add_token(out, &col, tok.s, tok.len);
	}
	buf_addstr(out, "\r\n");
	if (has_https)
		buf_addstr(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	if (m->archive_url && *m->archive_url) {
		buf_addstr(out, "List-Archive:");
		col = 13;
		buf_reset(&tok);
		buf_addf(&tok, "<%s>", m->archive_url);
		add_token(out, &col, tok.s, tok.len);
		buf_addstr(out, "\r\n");
	}

	write_body(m, f, out);
	if (check_lines(out, err) < 0)
		goto out;
	if (out->toobig) {
		buf_addstr(err, "cannot build the message: it is too big");
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		buf_reset(out);
	buf_release(&clean);
	buf_release(&tok);
	return ret;
}

void mime_message_id(const char *week, const char *email, const char *list_id,
		     struct buf *out)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t start;

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(week), (const uint8_t *)week);
	sha256_update(&ctx, 1, (const uint8_t *)"\n");
	for (const char *p = email; *p; p++) {
		uint8_t c = (uint8_t)*p;

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		sha256_update(&ctx, 1, &c);
	}
	sha256_digest(&ctx, sizeof(d), d);
	buf_reset(out);
	for (size_t i = 0; i < 16; i++)
		buf_addf(out, "%02x", d[i]);
	buf_addch(out, '@');
	start = out->len;
	for (const char *p = list_id ? list_id : ""; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(".-_", *p))
			buf_addch(out, *p);
	if (out->len == start)
		buf_addstr(out, "localhost");
}
