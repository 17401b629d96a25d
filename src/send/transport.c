/*
 * transport: dispatch to a backend (smtp.c, pipe.c, maildir.c), the pacing
 * of message starts, and the checks every backend would otherwise repeat.
 *
 * The pace lives here, in the transport, not in one transport_send call:
 * the sender hands over batches of ~50, and a relay's quota does not reset
 * between them.
 */
#include "transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "address.h"
#include "backend.h"
#include "xalloc.h"

struct transport {
	const struct backend_ops *ops;
	void *state;
	struct pacer pace;
	char *describe;
};

static const struct backend_ops *ops_for(int kind);
static int check_msg(const struct transport_msg *m, struct buf *why);

double transport_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long pacer_delay_ms(const struct pacer *p)
{
	double wait;

	if (p->rate <= 0)
		return 0;
	wait = p->next - transport_now();
	if (wait <= 0)
		return 0;
	/* rounded up, so that a caller sleeping this long is never early */
	return (long)(wait * 1000.0) + 1;
}

void pacer_take(struct pacer *p)
{
	double now;
	double start;

	if (p->rate <= 0)
		return;
	now = transport_now();
	/* An idle spell earns no credit: starts stay evenly spaced. */
	start = p->next > now ? p->next : now;
	p->next = start + 60.0 / (double)p->rate;
}

void pacer_wait(struct pacer *p)
{
	long ms;

	for (;;) {
		struct timespec ts;

		ms = pacer_delay_ms(p);
		if (ms <= 0)
			break;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
		/* a signal cuts the sleep short; the loop sleeps the rest */
		if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
			break;
	}
	pacer_take(p);
}

void transport_set_reply(struct transport_msg *msg, const char *text)
{
	size_t max = sizeof(msg->reply) - 1;
	size_t len = 0;
	const unsigned char *p = (const unsigned char *)text;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	for (; *p && len < max; p++) {
		unsigned char c = *p;

		/* C0, DEL and the C1 controls (U+0080..U+009F, 0xC2 0x80-0x9F
		 * in UTF-8) never reach a log or terminal; line breaks and
		 * tabs become spaces, the rest '?' as buf_addsanitized does */
		if (c == '\r' || c == '\n' || c == '\t') {
			c = ' ';
		} else if (c < 0x20 || c == 0x7f) {
			c = '?';
		} else if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++;
			c = '?';
		}
		msg->reply[len++] = (char)c;
	}
	/* cut on a character boundary: drop a partial UTF-8 sequence */
	if (*p && len == max) {
		size_t i = len;

		while (i > 0 && ((unsigned char)msg->reply[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0 && (unsigned char)msg->reply[i - 1] >= 0xc0) {
			unsigned char lead = (unsigned char)msg->reply[i - 1];
			size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

			if (len - (i - 1) < want)
				len = i - 1;
		}
	}
	while (len > 0 && msg->reply[len - 1] == ' ')
		len--;
	msg->reply[len] = '\0';
}

int transport_from_address(const char *from, struct buf *out, struct buf *err)
{
	struct buf addr = BUF_INIT;
	struct buf why = BUF_INIT;
	const char *lt;
	const char *gt;
	const char *start;
	const char *end;
	int ret = -1;

	/* The last '<' is the address's: a display name may hold one only
	 * quoted, and RFC 5322 puts the angle-addr at the end. */
	lt = from ? strrchr(from, '<') : NULL;
	if (lt) {
		gt = strchr(lt, '>');
		if (!gt) {
			buf_addstr(err, "[mail] from '");
			buf_addsanitized(err, from);
			buf_addstr(err, "': no '>' after '<'");
			goto out;
		}
		start = lt + 1;
		end = gt;
	} else {
		start = from ? from : "";
		end = start + strlen(start);
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	buf_add(&addr, start, (size_t)(end - start));
	if (address_normalize(addr.s, out, &why) < 0) {
		buf_addstr(err, "[mail] from '");
		buf_addsanitized(err, from ? from : "");
		buf_addf(err, "': %s", why.s);
		goto out;
	}
	ret = 0;
out:
	buf_release(&addr);
	buf_release(&why);
	return ret;
}

static const struct backend_ops *ops_for(int kind)
{
	switch (kind) {
	case TRANSPORT_SMTP:
		return &transport_smtp_ops;
	case TRANSPORT_SENDMAIL:
		return &transport_pipe_ops;
	case TRANSPORT_MAILDIR:
		return &transport_maildir_ops;
	default:
		return NULL;
	}
}

struct transport *transport_open(const struct config *cfg, int kind,
				 const char *maildir, struct buf *err)
{
	struct transport *t = NULL;
	const struct backend_ops *ops = ops_for(kind);
	struct buf describe = BUF_INIT;
	void *state = NULL;

	if (!ops) {
		buf_addf(err, "unknown transport %d", kind);
		goto out;
	}
	t = xcalloc(1, sizeof(*t));
	t->ops = ops;
	t->pace.rate = cfg->send.rate > 0 ? cfg->send.rate : 0;
	if (ops->open(&state, cfg, maildir, &t->pace, &describe, err) < 0) {
		free(t);
		t = NULL;
		goto out;
	}
	t->state = state;
	t->describe = buf_detach(&describe);
out:
	buf_release(&describe);
	return t;
}

/*
 * The caller promises checked addr-specs; this is the cheap second look
 * that keeps a broken promise from becoming an SMTP command injection (CR,
 * LF). A leading '-' is a valid local part: pipe.c puts "--" before it.
 */
static int check_msg(const struct transport_msg *m, struct buf *why)
{
	const unsigned char *p;

	if (!m->rcpt || !*m->rcpt) {
		buf_addstr(why, "no recipient");
		return -1;
	}
	for (p = (const unsigned char *)m->rcpt; *p; p++) {
		if (*p < ' ' || *p == 0x7f) {
			buf_addstr(why, "recipient '");
			buf_addsanitized(why, m->rcpt);
			buf_addstr(why, "' is not an address");
			return -1;
		}
	}
	if (!strchr(m->rcpt, '@')) {
		buf_addstr(why, "recipient '");
		buf_addsanitized(why, m->rcpt);
		buf_addstr(why, "' is not an address");
		return -1;
	}
	if (!m->data && m->len) {
		buf_addstr(why, "no message data");
		return -1;
	}
	return 0;
}

int transport_send(struct transport *t, struct transport_msg *msgs, size_t n,
		   struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t err_start = err->len;
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		msgs[i].result = TRANSPORT_PENDING;
		msgs[i].maybe_delivered = 0;
		msgs[i].reply[0] = '\0';
		buf_reset(&why);
		if (check_msg(&msgs[i], &why) < 0) {
			msgs[i].result = TRANSPORT_FAILED;
			transport_set_reply(&msgs[i], why.s);
		}
	}
	if (n)
		ret = t->ops->send(t->state, msgs, n, err);
	for (i = 0; i < n; i++) {
		if (msgs[i].result != TRANSPORT_PENDING)
			continue;
		msgs[i].result = TRANSPORT_TEMPFAIL;
		if (ret) {
			transport_set_reply(&msgs[i], err->s + err_start);
		} else {
			/* a backend that returns 0 hands over every message */
			transport_set_reply(&msgs[i], "not attempted (internal error)");
		}
	}
	buf_release(&why);
	return ret;
}

const char *transport_describe(const struct transport *t)
{
	return t ? t->describe : "";
}

void transport_close(struct transport *t)
{
	if (!t)
		return;
	t->ops->close(t->state);
	free(t->describe);
	free(t);
}
