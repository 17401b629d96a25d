/*
 * smtp: messages to a relay over SMTP, with libcurl.
 *
 * Why libcurl and not libetpan's SMTP client (libetpan builds our MIME):
 * libetpan cannot verify the server's certificate (mailstream_ssl.h only
 * hands out its DER, so we would be writing X.509 path validation), leaves
 * TCP_NODELAY to be set by hand (without it each ~30 KB message stalls
 * ~40 ms on the final dot) and has no PIPELINING. libcurl verifies TLS by
 * default against the system CAs, sets TCP_NODELAY, keeps connections in a
 * cache for reuse, does the dot-stuffing and the final ".", and speaks AUTH
 * PLAIN, LOGIN and XOAUTH2.
 *
 * Connections. One multi handle and [send] connections easy handles, kept
 * for the transport's life. An easy handle carries one message at a time;
 * when it finishes, its result is recorded and the handle goes back into the
 * multi with the next message, so the connection it used (back in the
 * multi's cache, which is sized to [send] connections) carries that one:
 * EHLO, STARTTLS and AUTH once per connection, then MAIL/RCPT/DATA per
 * message. Between transport_send calls the idle connections stay in the
 * cache; transport_close says QUIT (curl_multi_cleanup).
 *
 * What libcurl 7.88 does that shapes this file:
 *  - any failed transaction (a 550 to RCPT too) ends its connection with
 *    QUIT; the next message on that handle opens a new one; but a timeout
 *    waiting for the answer to the data leaves the connection in the cache
 *    (retire_connection closes it);
 *  - no PIPELINING for SMTP either: one round trip per command;
 *  - after the data it waits for the server's answer blocking the multi
 *    handle (smtp_done), so the other connections pause meanwhile; fine
 *    against a relay that queues, slow against one that scans content;
 *  - it reports the last reply's code (CURLINFO_RESPONSE_CODE) but never
 *    its text, and keeps that code when the connection then drops. So the
 *    replies are read here, from the debug callback (CURLINFO_HEADER_IN),
 *    together with what was sent last (CURLINFO_HEADER_OUT, only the verb
 *    is looked at: AUTH lines carry the credentials).
 *
 * Reconnects: a 421, or a connection that drops or answers with nothing,
 * costs the message a new attempt (a new connection, since curl closed the
 * old one) up to [send] reconnects times. maybe_delivered records a drop
 * after the whole message went out.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sysexits.h>

#include <curl/curl.h>

#include "backend.h"
#include "curlmulti.h"
#include "secret.h"
#include "xalloc.h"

/* A reply line longer than this is cut (RFC 5321 allows 512). */
#define REPLY_LINE_MAX 1024
/* The joined lines of one reply kept; more than transport_msg.reply. */
#define REPLY_KEEP (2 * TRANSPORT_REPLY_MAX)
/* How long one curl_multi_poll may sleep when nothing wakes it. */
#define POLL_MAX_MS 1000

/* The last thing sent on a transfer: what a reply or a drop answers. */
enum stage {
	STAGE_CONNECT,          /* nothing yet: the greeting, the TLS handshake */
	STAGE_HELLO,            /* EHLO, HELO */
	STAGE_STARTTLS,
	STAGE_AUTH,
	STAGE_MAIL,
	STAGE_RCPT,
	STAGE_DATA,
	STAGE_BODY,             /* the message and its final "." */
	STAGE_OTHER
};

struct smtp;

struct slot {
	struct smtp *s;
	CURL *easy;
	struct curl_slist *rcpt;
	long msg;               /* index in the batch; -1 when idle */
	/* the current transfer */
	size_t off;             /* bytes of the message handed to libcurl */
	curl_off_t data_out;    /* bytes of it written to the socket */
	enum stage stage;
	int answered;           /* a complete reply came after the last send */
	int replies;            /* complete replies on this transfer */
	int ignore_reply;       /* the next reply answers a QUIT */
	int code;               /* the last complete reply's code */
	struct buf line;        /* a reply line being received */
	struct buf cur;         /* the reply being received, lines joined */
	struct buf last;        /* the last complete reply */
	char errbuf[CURL_ERROR_SIZE];
};

struct smtp {
	CURLM *multi;
	struct slot *slots;
	long nslots;
	long running;
	char *hostport;         /* "host:port", for every sentence */
	char *from;             /* the envelope sender, an addr-spec */
	char *username;
	char *ca_file;
	long timeout;
	long reconnects;
	struct pacer *pace;
	/* the batch of the current transport_send */
	struct transport_msg *msgs;
	size_t n;
	size_t *queue;          /* a ring of message indices, capacity n */
	size_t qhead, qlen;
	long *tries;            /* reconnects used, per message */
	int fatal;              /* a sysexits status once every message would fail */
	struct buf *err;
	/* 421 greetings since a session last got past its greeting, over all
	 * batches: a server turning every new session away */
	long greeting_421s;
};

static int smtp_open(void **state, const struct config *cfg,
		     const char *maildir, struct pacer *pace,
		     struct buf *describe, struct buf *err);
static int smtp_send(void *state, struct transport_msg *msgs, size_t n,
		     struct buf *err);
static void smtp_close(void *state);
static int is_loopback(const char *host);
static int check_host(const char *host, struct buf *err);
static int slot_setup(struct smtp *s, struct slot *sl, const char *url,
		      const char *password, int tls, struct buf *err);
static size_t read_cb(char *p, size_t size, size_t nitems, void *data);
static int debug_cb(CURL *h, curl_infotype type, char *p, size_t len,
		    void *data);
static void reply_line(struct slot *sl, const char *p, size_t len);
static void note_sent(struct slot *sl, const char *p, size_t len);
static void transfer_reset(struct slot *sl);
static void queue_push(struct smtp *s, size_t i);
static long queue_pop(struct smtp *s);
static void start_ready(struct smtp *s);
static int slot_start(struct smtp *s, struct slot *sl, size_t i);
static void retire_connection(struct slot *sl);
static void slot_done(struct smtp *s, struct slot *sl, CURLcode rc);
static void classify(struct smtp *s, struct slot *sl, CURLcode rc,
		     struct transport_msg *m);
static void set_fatal(struct smtp *s, int status, const char *sentence);
static int is_drop(CURLcode rc);
static const char *stage_name(enum stage st);
static void run(struct smtp *s);

const struct backend_ops transport_smtp_ops = {
	"smtp", smtp_open, smtp_send, smtp_close
};

/* localhost, 127.0.0.0/8, ::1: names and addresses that never leave the
 * machine, the only places where tls = none sends nothing in clear. */
static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(host);

	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len > 2 && host[0] == '[' && host[len - 1] == ']' &&
	    len - 2 < sizeof(tmp)) {
		memcpy(tmp, host + 1, len - 2);
		tmp[len - 2] = '\0';
		host = tmp;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* A name or an address, nothing that would change the URL's meaning. */
static int check_host(const char *host, struct buf *err)
{
	const char *p;

	if (!host || !*host) {
		buf_addstr(err, "no SMTP relay: set [smtp] host");
		return -1;
	}
	for (p = host; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr(".-_:[]", *p)) {
			buf_addstr(err, "[smtp] host '");
			buf_addsanitized(err, host);
			buf_addstr(err, "' is not a host name or address");
			return -1;
		}
	}
	return 0;
}

static int smtp_open(void **state, const struct config *cfg,
		     const char *maildir, struct pacer *pace,
		     struct buf *describe, struct buf *err)
{
	static const char *const tls_names[] = { "starttls", "implicit", "none" };
	struct smtp *s = NULL;
	struct buf from = BUF_INIT;
	struct buf password = BUF_INIT;
	struct buf url = BUF_INIT;
	struct buf host = BUF_INIT;
	const char *at;
	char *ehlo = NULL;
	int have_password = 0;
	int tls = cfg->smtp.tls;
	long i;
	int ret = -1;

	if (check_host(cfg->smtp.host, err) < 0)
		goto out;
	if (tls < TLS_STARTTLS || tls > TLS_NONE) {
		buf_addf(err, "[smtp] tls: unknown value %d", tls);
		goto out;
	}
	/* An IPv6 address goes in brackets, in URLs and in sentences. */
	if (strchr(cfg->smtp.host, ':') && cfg->smtp.host[0] != '[')
		buf_addf(&host, "[%s]", cfg->smtp.host);
	else
		buf_addstr(&host, cfg->smtp.host);
	if (tls == TLS_NONE && !is_loopback(cfg->smtp.host)) {
		buf_addf(err, "[smtp] tls = none would send the messages and the "
			 "password in clear text to '%s'; it is allowed only for "
			 "a relay on this machine (localhost, 127.0.0.0/8, ::1): "
			 "set [smtp] tls = starttls or implicit", cfg->smtp.host);
		goto out;
	}
	if (transport_from_address(cfg->mail.from, &from, err) < 0)
		goto out;
	if (cfg->smtp.username && *cfg->smtp.username) {
		struct buf why = BUF_INIT;
		int got = secret_read(cfg->smtp.password_file, cfg->smtp.password_env,
				      &password, &why);

		if (got < 0)
			buf_addf(err, "cannot read the SMTP password: %s", why.s);
		else if (got == 0)
			buf_addstr(err, "[smtp] username is set but no password: set "
				   "[smtp] password_file or password_env");
		buf_release(&why);
		if (got <= 0)
			goto out;
		have_password = 1;
	} else if ((cfg->smtp.password_file && *cfg->smtp.password_file) ||
		   (cfg->smtp.password_env && *cfg->smtp.password_env)) {
		buf_addstr(err, "[smtp] has a password but no username: set "
			   "[smtp] username");
		goto out;
	}
	if (curlmulti_global_init(err) < 0)
		goto out;

	s = xcalloc(1, sizeof(*s));
	s->pace = pace;
	s->timeout = cfg->smtp.timeout > 0 ? cfg->smtp.timeout : 60;
	s->reconnects = cfg->send.reconnects > 0 ? cfg->send.reconnects : 0;
	s->nslots = cfg->send.connections > 0 ? cfg->send.connections : 1;
	s->from = buf_detach(&from);
	s->username = have_password ? xstrdup(cfg->smtp.username) : NULL;
	s->ca_file = cfg->smtp.ca_file && *cfg->smtp.ca_file ?
		     xstrdup(cfg->smtp.ca_file) : NULL;
	buf_addf(&url, "%s:%ld", host.s, cfg->smtp.port);
	s->hostport = buf_detach(&url);

	/* EHLO with the sender's domain: the name the relay will see in our
	 * From, the natural one for SPF and for its logs. */
	at = strrchr(s->from, '@');
	ehlo = curl_easy_escape(NULL, at ? at + 1 : "localhost", 0);
	if (!ehlo)
		xdie_oom();
	buf_addf(&url, "%s://%s/%s", tls == TLS_IMPLICIT ? "smtps" : "smtp",
		 s->hostport, ehlo);

	s->multi = curl_multi_init();
	if (!s->multi ||
	    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			      s->nslots) != CURLM_OK ||
	    curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS,
			      s->nslots) != CURLM_OK) {
		buf_addstr(err, "cannot set up libcurl");
		goto out;
	}
	s->slots = xcalloc((size_t)s->nslots, sizeof(*s->slots));
	for (i = 0; i < s->nslots; i++) {
		struct slot *sl = &s->slots[i];

		sl->s = s;
		sl->msg = -1;
		buf_init(&sl->line, REPLY_LINE_MAX);
		buf_init(&sl->cur, REPLY_KEEP);
		buf_init(&sl->last, REPLY_KEEP);
		if (slot_setup(s, sl, url.s, have_password ? password.s : NULL,
			       tls, err) < 0)
			goto out;
	}
	buf_addf(describe, "smtp %s (%s)", s->hostport, tls_names[tls]);
	*state = s;
	ret = 0;
out:
	if (ret && s)
		smtp_close(s);
	/* libcurl has its own copy; ours goes now */
	memset(password.s, 0, password.len);
	buf_release(&password);
	buf_release(&from);
	buf_release(&url);
	buf_release(&host);
	curl_free(ehlo);
	return ret;
}

/* The options that stay for every message a handle carries. */
static int slot_setup(struct smtp *s, struct slot *sl, const char *url,
		      const char *password, int tls, struct buf *err)
{
	CURLcode rc = CURLE_OK;
	CURL *e = curl_easy_init();
	struct buf sender = BUF_INIT;

	if (!e) {
		buf_addstr(err, "cannot set up libcurl");
		return -1;
	}
	sl->easy = e;
	buf_addf(&sender, "<%s>", s->from);
#define SET(opt_, val_) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(e, opt_, val_); \
	} while (0)
	SET(CURLOPT_PRIVATE, sl);
	SET(CURLOPT_ERRORBUFFER, sl->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* A proxy from the environment has no business with our relay. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_TCP_NODELAY, 1L);
	SET(CURLOPT_USE_SSL, tls == TLS_NONE ? (long)CURLUSESSL_NONE :
					       (long)CURLUSESSL_ALL);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_file)
		SET(CURLOPT_CAINFO, s->ca_file);
	if (password) {
		SET(CURLOPT_USERNAME, s->username);
		SET(CURLOPT_PASSWORD, password);
	}
	SET(CURLOPT_MAIL_FROM, sender.s);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, sl);
	/* The replies' text comes only through the debug callback; with it
	 * set, VERBOSE prints nothing. */
	SET(CURLOPT_DEBUGFUNCTION, debug_cb);
	SET(CURLOPT_DEBUGDATA, sl);
	SET(CURLOPT_VERBOSE, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, s->timeout);
	SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, s->timeout);
	/* A stalled upload sends nothing and waits for no reply: only the
	 * speed check catches it. */
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, s->timeout);
#undef SET
	buf_release(&sender);
	if (rc != CURLE_OK) {
		buf_addf(err, "cannot set up libcurl for smtp: %s",
			 curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

static size_t read_cb(char *p, size_t size, size_t nitems, void *data)
{
	struct slot *sl = data;
	const struct transport_msg *m = &sl->s->msgs[sl->msg];
	size_t room = size * nitems;
	size_t left = m->len - sl->off;
	size_t n = left < room ? left : room;

	if (sl->stage != STAGE_BODY) {
		sl->stage = STAGE_BODY;
		sl->answered = 0;
	}
	if (!n)
		return 0;
	memcpy(p, m->data + sl->off, n);
	sl->off += n;
	return n;
}

static int debug_cb(CURL *h, curl_infotype type, char *p, size_t len,
		    void *data)
{
	struct slot *sl = data;

	if (sl->msg < 0)
		return 0;
	switch (type) {
	case CURLINFO_HEADER_IN:
		reply_line(sl, p, len);
		break;
	case CURLINFO_HEADER_OUT:
		note_sent(sl, p, len);
		break;
	case CURLINFO_DATA_OUT:
		sl->data_out += (curl_off_t)len;
		if (sl->stage != STAGE_BODY) {
			sl->stage = STAGE_BODY;
			sl->answered = 0;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * A command went out. Only its verb is read: AUTH and its continuation
 * lines carry the credentials and are never copied.
 */
static void note_sent(struct slot *sl, const char *p, size_t len)
{
	static const struct {
		const char *verb;
		enum stage stage;
	} verbs[] = {
		{ "EHLO", STAGE_HELLO }, { "HELO", STAGE_HELLO },
		{ "STARTTLS", STAGE_STARTTLS }, { "AUTH", STAGE_AUTH },
		{ "MAIL", STAGE_MAIL }, { "RCPT", STAGE_RCPT },
		{ "DATA", STAGE_DATA },
	};
	size_t i;

	/* A QUIT closing some idle connection may run on this handle; its
	 * 221 answers nothing of ours. */
	if (len >= 4 && !strncasecmp(p, "QUIT", 4)) {
		sl->ignore_reply = 1;
		return;
	}
	sl->answered = 0;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t vl = strlen(verbs[i].verb);

		if (len >= vl && !strncasecmp(p, verbs[i].verb, vl) &&
		    (len == vl || p[vl] == ' ' || p[vl] == '\r')) {
			sl->stage = verbs[i].stage;
			return;
		}
	}
	/* an AUTH exchange's continuation, or something new */
	if (sl->stage != STAGE_AUTH)
		sl->stage = STAGE_OTHER;
}

/*
 * Collect reply lines ("250-first", "250 last") into one reply; keep it in
 * sl->last with its code once the last line came. libcurl hands over one
 * line per call, but a partial line is put together all the same.
 */
static void reply_line(struct slot *sl, const char *p, size_t len)
{
	const char *nl;

	while (len > 0) {
		const char *l;
		size_t ll;
		int final;

		nl = memchr(p, '\n', len);
		if (!nl) {
			size_t room = REPLY_LINE_MAX - sl->line.len;

			buf_add(&sl->line, p, len < room ? len : room);
			return;
		}
		if (sl->line.len) {
			size_t room = REPLY_LINE_MAX - sl->line.len;
			size_t part = (size_t)(nl - p);

			buf_add(&sl->line, p, part < room ? part : room);
			l = sl->line.s;
			ll = sl->line.len;
		} else {
			l = p;
			ll = (size_t)(nl - p);
		}
		len -= (size_t)(nl - p) + 1;
		p = nl + 1;
		while (ll > 0 && (l[ll - 1] == '\r' || l[ll - 1] == '\n'))
			ll--;
		if (ll >= 3 && isdigit((unsigned char)l[0]) &&
		    isdigit((unsigned char)l[1]) && isdigit((unsigned char)l[2]) &&
		    (ll == 3 || l[3] == ' ' || l[3] == '-')) {
			final = ll == 3 || l[3] == ' ';
			if (!sl->cur.len) {
				/* the first line whole, code and all */
				size_t room = REPLY_KEEP - sl->cur.len;

				buf_add(&sl->cur, l, ll < room ? ll : room);
				if (sl->cur.len > 3)
					sl->cur.s[3] = ' ';
			} else if (ll > 4) {
				/* later lines without their code */
				size_t room = REPLY_KEEP - sl->cur.len;

				if (room > 1) {
					buf_addch(&sl->cur, ' ');
					room--;
					buf_add(&sl->cur, l + 4, ll - 4 < room ? ll - 4 : room);
				}
			}
			if (final) {
				if (sl->ignore_reply) {
					sl->ignore_reply = 0;
				} else {
					buf_reset(&sl->last);
					buf_add(&sl->last, sl->cur.s, sl->cur.len);
					sl->code = (l[0] - '0') * 100 + (l[1] - '0') * 10 +
						   (l[2] - '0');
					sl->answered = 1;
					sl->replies++;
				}
				buf_reset(&sl->cur);
			}
		}
		buf_reset(&sl->line);
	}
}

static void transfer_reset(struct slot *sl)
{
	sl->off = 0;
	sl->data_out = 0;
	sl->stage = STAGE_CONNECT;
	sl->answered = 0;
	sl->replies = 0;
	sl->ignore_reply = 0;
	sl->code = 0;
	buf_reset(&sl->line);
	buf_reset(&sl->cur);
	buf_reset(&sl->last);
	sl->errbuf[0] = '\0';
}

static void queue_push(struct smtp *s, size_t i)
{
	s->queue[(s->qhead + s->qlen) % s->n] = i;
	s->qlen++;
}

static long queue_pop(struct smtp *s)
{
	size_t i;

	if (!s->qlen)
		return -1;
	i = s->queue[s->qhead];
	s->qhead = (s->qhead + 1) % s->n;
	s->qlen--;
	return (long)i;
}

/* Give queued messages to idle handles, as fast as the pace allows. */
static void start_ready(struct smtp *s)
{
	long i;

	for (i = 0; i < s->nslots && s->qlen && !s->fatal; i++) {
		struct slot *sl = &s->slots[i];
		long m;

		if (sl->msg >= 0)
			continue;
		if (pacer_delay_ms(s->pace) > 0)
			return;
		m = queue_pop(s);
		if (slot_start(s, sl, (size_t)m) < 0)
			return;
	}
}

static int slot_start(struct smtp *s, struct slot *sl, size_t i)
{
	struct transport_msg *m = &s->msgs[i];
	struct buf rcpt = BUF_INIT;
	struct buf why = BUF_INIT;
	CURLcode rc;
	CURLMcode mc;
	int ret = -1;

	buf_addf(&rcpt, "<%s>", m->rcpt);
	curl_slist_free_all(sl->rcpt);
	sl->rcpt = curl_slist_append(NULL, rcpt.s);
	if (!sl->rcpt)
		xdie_oom();
	rc = curl_easy_setopt(sl->easy, CURLOPT_MAIL_RCPT, sl->rcpt);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(sl->easy, CURLOPT_INFILESIZE_LARGE,
				      (curl_off_t)m->len);
	if (rc != CURLE_OK) {
		buf_addf(&why, "cannot send to %s: %s", s->hostport,
			 curl_easy_strerror(rc));
		set_fatal(s, EX_SOFTWARE, why.s);
		goto out;
	}
	sl->msg = (long)i;
	transfer_reset(sl);
	pacer_take(s->pace);
	mc = curl_multi_add_handle(s->multi, sl->easy);
	if (mc != CURLM_OK) {
		sl->msg = -1;
		buf_addf(&why, "cannot send to %s: %s", s->hostport,
			 curl_multi_strerror(mc));
		set_fatal(s, EX_OSERR, why.s);
		goto out;
	}
	s->running++;
	ret = 0;
out:
	buf_release(&rcpt);
	buf_release(&why);
	return ret;
}

/* The first status and sentence win: they stopped the batch. Other
 * connections usually fail the same way a moment later. */
static void set_fatal(struct smtp *s, int status, const char *sentence)
{
	if (s->fatal)
		return;
	s->fatal = status;
	buf_addstr(s->err, sentence);
}

/* The connection failed under the transfer: closed, reset, or a reply
 * cut short. (A 4xx or 5xx also ends in CURLE_SEND_ERROR, but those are
 * told apart by the reply that came; anything that ends with no reply to
 * the last command counts as a drop too.) */
static int is_drop(CURLcode rc)
{
	return rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE ||
	       rc == CURLE_UPLOAD_FAILED;
}

static const char *stage_name(enum stage st)
{
	switch (st) {
	case STAGE_CONNECT:
		return "before the greeting";
	case STAGE_HELLO:
		return "after EHLO";
	case STAGE_STARTTLS:
		return "after STARTTLS";
	case STAGE_AUTH:
		return "during AUTH";
	case STAGE_MAIL:
		return "after MAIL";
	case STAGE_RCPT:
		return "after RCPT";
	case STAGE_DATA:
		return "after DATA";
	case STAGE_BODY:
		return "after the data";
	default:
		return "";
	}
}

/*
 * What a finished transfer means for its message (result, reply,
 * maybe_delivered, or back in the queue) and, when every message would
 * fare the same, for the batch (s->fatal with the sentence in s->err).
 */
static void classify(struct smtp *s, struct slot *sl, CURLcode rc,
		     struct transport_msg *m)
{
	struct buf why = BUF_INIT;
	const char *detail = sl->errbuf[0] ? sl->errbuf : curl_easy_strerror(rc);
	/* the whole message went out: its final "." too, unless the very
	 * last write failed, which we cannot tell and count as gone */
	int uploaded = sl->stage == STAGE_BODY && sl->data_out >= (curl_off_t)m->len;
	int got421 = sl->answered && sl->code == 421;
	long i = (long)(m - s->msgs);

	if (got421 && sl->stage == STAGE_CONNECT) {
		/* Every message would cost reconnects + 1 sessions, per
		 * round, against a server that asked us to come back later:
		 * after that many refusals in a row the whole send waits. */
		if (++s->greeting_421s > s->reconnects) {
			buf_addf(&why, "%s turns new sessions away (", s->hostport);
			buf_addsanitized(&why, sl->last.s);
			buf_addf(&why, ", %ld times in a row); run the same command "
				 "again later", s->greeting_421s);
			set_fatal(s, EX_TEMPFAIL, why.s);
			goto out;
		}
	} else if (sl->stage != STAGE_CONNECT) {
		s->greeting_421s = 0;
	}
	if (rc == CURLE_OK) {
		m->result = TRANSPORT_SENT;
		transport_set_reply(m, sl->last.len ? sl->last.s : "250 accepted");
		goto out;
	}
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		buf_addf(&why, "%s refused the login of '%s'", s->hostport,
			 s->username ? s->username : "");
		if (sl->last.len) {
			buf_addstr(&why, ": ");
			buf_addsanitized(&why, sl->last.s);
		}
		buf_addstr(&why, "; check [smtp] username and the password");
		set_fatal(s, EX_CONFIG, why.s);
		goto out;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		buf_addf(&why, "cannot verify the certificate of %s: ", s->hostport);
		buf_addsanitized(&why, detail);
		if (s->ca_file)
			buf_addf(&why, "; is [smtp] ca_file '%s' the CA that "
				 "signed it?", s->ca_file);
		else
			buf_addstr(&why, "; set [smtp] ca_file to the CA that "
				   "signed it");
		set_fatal(s, EX_CONFIG, why.s);
		goto out;
	case CURLE_USE_SSL_FAILED:
		buf_addf(&why, "%s does not offer STARTTLS: ", s->hostport);
		buf_addsanitized(&why, detail);
		buf_addstr(&why, "; use its TLS port with [smtp] tls = implicit, "
			   "or another relay");
		set_fatal(s, EX_CONFIG, why.s);
		goto out;
	case CURLE_SSL_CONNECT_ERROR:
		buf_addf(&why, "TLS handshake with %s failed: ", s->hostport);
		buf_addsanitized(&why, detail);
		buf_addstr(&why, "; check [smtp] tls and port (implicit is "
			   "usually 465, starttls 587)");
		set_fatal(s, EX_CONFIG, why.s);
		goto out;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		buf_addf(&why, "cannot connect to %s: ", s->hostport);
		buf_addsanitized(&why, detail);
		set_fatal(s, EX_UNAVAILABLE, why.s);
		goto out;
	default:
		break;
	}
	if (sl->answered && sl->code >= 400 && !got421) {
		if (sl->stage == STAGE_CONNECT || sl->stage == STAGE_HELLO ||
		    sl->stage == STAGE_STARTTLS || sl->stage == STAGE_AUTH) {
			buf_addf(&why, "%s refused the session: ", s->hostport);
			buf_addsanitized(&why, sl->last.s);
			set_fatal(s, EX_UNAVAILABLE, why.s);
			goto out;
		}
		if (sl->stage == STAGE_MAIL && sl->code >= 500) {
			/* the same sender for every message: all would fail */
			buf_addf(&why, "%s refused the sender <%s>: ", s->hostport,
				 s->from);
			buf_addsanitized(&why, sl->last.s);
			buf_addstr(&why, "; check [mail] from, and [smtp] username "
				   "if the relay wants a login");
			set_fatal(s, EX_CONFIG, why.s);
			goto out;
		}
		m->result = sl->code >= 500 ? TRANSPORT_FAILED : TRANSPORT_TEMPFAIL;
		transport_set_reply(m, sl->last.s);
		goto out;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT && !got421) {
		if (sl->stage == STAGE_CONNECT && !sl->replies) {
			buf_addf(&why, "cannot connect to %s: no greeting within "
				 "%ld s", s->hostport, s->timeout);
			set_fatal(s, EX_UNAVAILABLE, why.s);
			goto out;
		}
		m->result = TRANSPORT_TEMPFAIL;
		m->maybe_delivered |= uploaded;
		buf_addf(&why, "no reply from %s within %ld s %s", s->hostport,
			 s->timeout, stage_name(sl->stage));
		transport_set_reply(m, why.s);
		goto out;
	}
	if (!is_drop(rc) && sl->answered && !got421) {
		/* a reply libcurl did not expect (250 to DATA, say), or a
		 * failure of its own: no reconnect would change it */
		m->result = TRANSPORT_TEMPFAIL;
		buf_addf(&why, "%s: ", s->hostport);
		buf_addsanitized(&why, detail);
		buf_addstr(&why, " (");
		buf_addsanitized(&why, sl->last.s);
		buf_addch(&why, ')');
		transport_set_reply(m, why.s);
		goto out;
	}
	/* A 421, a drop, or nothing where a reply should be: another try on
	 * a new connection (libcurl closed this one). A drop after the whole
	 * message may have delivered it; a 421 answer says it did not. */
	if (!got421)
		m->maybe_delivered |= uploaded;
	if (s->tries[i] < s->reconnects) {
		s->tries[i]++;
		queue_push(s, (size_t)i);
		goto out;
	}
	m->result = TRANSPORT_TEMPFAIL;
	if (got421) {
		transport_set_reply(m, sl->last.s);
		goto out;
	}
	buf_addf(&why, "connection to %s dropped %s", s->hostport,
		 stage_name(sl->stage));
	if (s->reconnects)
		buf_addf(&why, " (%ld tries)", s->tries[i] + 1);
	transport_set_reply(m, why.s);
out:
	buf_release(&why);
}

/*
 * libcurl 7.88 puts a connection back in its cache even when the answer to
 * the data timed out (smtp_done); reused, it would read that late answer as
 * the reply to the next MAIL ("554 rejected" taken for a refused sender).
 * RFC 5321 4.5.3.2 leaves a client that timed out nothing but to close, and
 * a failed transaction's connection is not worth keeping anyway: shut down,
 * its socket reads as closed, and libcurl drops it when it next looks for a
 * connection. The socket is asked for while the handle is still in the
 * multi, so it is -1 for a connection libcurl closed already (never a
 * number reused by another).
 */
static void retire_connection(struct slot *sl)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (curl_easy_getinfo(sl->easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
	    fd != CURL_SOCKET_BAD)
		shutdown(fd, SHUT_RDWR);
}

static void slot_done(struct smtp *s, struct slot *sl, CURLcode rc)
{
	struct transport_msg *m = &s->msgs[sl->msg];

	if (rc != CURLE_OK)
		retire_connection(sl);
	curl_multi_remove_handle(s->multi, sl->easy);
	s->running--;
	classify(s, sl, rc, m);
	sl->msg = -1;
}

static void on_done(void *ctx, char *private, CURLcode rc)
{
	slot_done(ctx, (struct slot *)(void *)private, rc);
}

static void run(struct smtp *s)
{
	struct buf why = BUF_INIT;
	CURLMcode mc = CURLM_OK;
	long i;

	for (;;) {
		int still = 0;
		long wait = POLL_MAX_MS;

		start_ready(s);
		if (!s->running && (!s->qlen || s->fatal))
			break;
		if (s->running) {
			mc = curl_multi_perform(s->multi, &still);
			if (mc != CURLM_OK)
				break;
		}
		curlmulti_each_done(s->multi, on_done, s);
		start_ready(s);
		if (!s->running && (!s->qlen || s->fatal))
			break;
		/* A handle idle only for the pace wakes when the pace allows;
		 * busy handles wake us through their sockets. */
		if (s->qlen && !s->fatal && s->running < s->nslots) {
			long d = pacer_delay_ms(s->pace);

			if (d > 0 && d < wait)
				wait = d;
		}
		/* Wakes for socket activity, libcurl's next timer or the pace. */
		mc = curl_multi_poll(s->multi, NULL, 0, (int)wait, NULL);
		if (mc != CURLM_OK)
			break;
	}
	if (mc == CURLM_OK)
		return;
	/* The multi handle itself failed (out of memory, in practice): what
	 * is running stops, and nothing more starts. */
	for (i = 0; i < s->nslots; i++) {
		struct slot *sl = &s->slots[i];

		if (sl->msg < 0)
			continue;
		curl_multi_remove_handle(s->multi, sl->easy);
		s->running--;
		if (sl->stage == STAGE_BODY)
			s->msgs[sl->msg].maybe_delivered = 1;
		sl->msg = -1;
	}
	buf_addf(&why, "cannot send to %s: %s", s->hostport,
		 curl_multi_strerror(mc));
	set_fatal(s, EX_OSERR, why.s);
	buf_release(&why);
}

static int smtp_send(void *state, struct transport_msg *msgs, size_t n,
		     struct buf *err)
{
	struct smtp *s = state;
	size_t i;
	int ret;

	s->msgs = msgs;
	s->n = n;
	s->queue = xcalloc(n, sizeof(*s->queue));
	s->tries = xcalloc(n, sizeof(*s->tries));
	s->qhead = s->qlen = 0;
	s->fatal = 0;
	s->err = err;
	for (i = 0; i < n; i++)
		if (msgs[i].result == TRANSPORT_PENDING)
			queue_push(s, i);
	run(s);
	ret = s->fatal;
	free(s->queue);
	free(s->tries);
	s->queue = NULL;
	s->tries = NULL;
	s->msgs = NULL;
	s->n = 0;
	s->err = NULL;
	return ret;
}

static void smtp_close(void *state)
{
	struct smtp *s = state;
	long i;

	if (!s)
		return;
	/* The multi goes first: it QUITs the cached connections. Every easy
	 * handle is out of it already (slot_done). */
	if (s->multi)
		curl_multi_cleanup(s->multi);
	for (i = 0; s->slots && i < s->nslots; i++) {
		struct slot *sl = &s->slots[i];

		if (sl->easy)
			curl_easy_cleanup(sl->easy);
		curl_slist_free_all(sl->rcpt);
		buf_release(&sl->line);
		buf_release(&sl->cur);
		buf_release(&sl->last);
	}
	free(s->slots);
	free(s->hostport);
	free(s->from);
	free(s->username);
	free(s->ca_file);
	free(s);
}
