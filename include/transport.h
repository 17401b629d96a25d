#ifndef NEWSDIGEST_TRANSPORT_H
#define NEWSDIGEST_TRANSPORT_H
/*
 * transport: hands finished messages to the next hop, as [send] transport
 * says:
 *   smtp      an SMTP relay, through libcurl (src/send/smtp.c);
 *   sendmail  a pipe to a sendmail-compatible program (src/send/pipe.c);
 *   maildir   one file per message in a Maildir folder (src/send/maildir.c).
 *
 * The sender gives a batch of messages at a time and gets a result per
 * message. A transport never decides what the journal says; it only reports
 * what happened to each message.
 */
#include <stddef.h>

#include "buf.h"
#include "config.h"

enum transport_result {
	TRANSPORT_SENT,      /* accepted (250 after the data, exit 0, file written) */
	TRANSPORT_TEMPFAIL,  /* not accepted now; may be tried again (4xx, timeout, exit 71/73/74/75) */
	TRANSPORT_FAILED     /* refused for good (5xx, other exit statuses) */
};

#define TRANSPORT_REPLY_MAX 512

struct transport_msg {
	/* given by the caller */
	const char *rcpt;          /* envelope recipient, a checked addr-spec */
	const char *data;          /* the whole message: CRLF line ends, not dot-stuffed */
	size_t len;
	/* set by transport_send for every message of the batch */
	int result;                /* enum transport_result */
	/* 1 when the whole message reached the server but its answer did not
	 * (a connection dropped or timed out after the data): a new attempt may
	 * deliver it twice */
	int maybe_delivered;
	/* one line: the server's last reply ("550 5.1.1 <a@b>: no such user"),
	 * or what went wrong ("connection dropped after the data",
	 * "sendmail exited 69: ..."); never holds CR or LF */
	char reply[TRANSPORT_REPLY_MAX];
};

struct transport;

/*
 * Prepare the transport `kind` (enum config_transport) from cfg: [send]
 * (connections, rate, reconnects, sendmail, sendmail_timeout), [smtp] and
 * [mail] from (whose address is the envelope sender). `maildir` is the
 * folder for TRANSPORT_MAILDIR (normally [send] maildir; send --dry-run
 * passes its own); its new/, cur/ and tmp/ are created when missing.
 * Checks what can be checked without sending: tls = none only for a
 * loopback host, the password readable, the folder writable. Connects
 * lazily. Returns NULL with a sentence in err.
 */
struct transport *transport_open(const struct config *cfg, int kind,
				 const char *maildir, struct buf *err);

/*
 * Hand over msgs[0..n) (in parallel over [send] connections for smtp),
 * pacing message starts to [send] rate per minute (smtp and sendmail: a
 * Maildir has no quota to respect), and set each message's
 * result, maybe_delivered and reply. A 421 or a dropped connection costs a
 * message a new connection and another try, up to [send] reconnects times.
 *
 * Returns 0 when the transport can go on. Returns a sysexits status when
 * every later message would fail the same way, with a sentence in err:
 * EX_CONFIG (78) for authentication refused, a certificate that does not
 * verify, STARTTLS not offered; EX_UNAVAILABLE (69) when the server cannot
 * be reached or the program cannot be run; EX_CANTCREAT (73) when the
 * Maildir cannot be written; EX_TEMPFAIL (75) when the server greets more
 * than [send] reconnects new sessions in a row with 421. Messages not
 * handed over are then
 * TRANSPORT_TEMPFAIL with that sentence as reply.
 */
int transport_send(struct transport *t, struct transport_msg *msgs, size_t n,
		   struct buf *err);

/* "smtp 127.0.0.1:2525 (starttls)", "sendmail /usr/sbin/sendmail",
 * "maildir digests/outbox": for the report. */
const char *transport_describe(const struct transport *t);

/* Close connections (QUIT) and free; NULL is fine. */
void transport_close(struct transport *t);

#endif
