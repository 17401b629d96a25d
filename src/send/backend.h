#ifndef NEWSDIGEST_SEND_BACKEND_H
#define NEWSDIGEST_SEND_BACKEND_H
/*
 * Private to src/send/: what transport.c (dispatch, pacing, the checks
 * common to every transport) needs from each backend, and what it gives
 * them. The public surface stays include/transport.h.
 *
 * Contract of a backend's send: transport.c has set every message's result
 * to TRANSPORT_PENDING, maybe_delivered to 0 and reply to "", and made a
 * message that fails the common checks (no recipient, a control character
 * in it) TRANSPORT_FAILED. The backend hands over the messages still
 * PENDING and sets result and reply for each one it handed over (or tried
 * to); it returns 0, or a sysexits
 * status with a sentence appended to err when every later message would fail
 * the same way. Messages still TRANSPORT_PENDING after a non-zero return
 * were not handed over: transport.c makes them TEMPFAIL with err's sentence.
 */
#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "transport.h"

/* Not handed over yet; never seen by the caller. */
#define TRANSPORT_PENDING (-1)

/* Message starts at most `rate` per minute over a whole transport's life,
 * spaced evenly (no bursts: relays' quotas count messages per interval). */
struct pacer {
	long rate;              /* per minute; 0: no limit */
	double next;            /* monotonic seconds of the next allowed start */
};

/* Milliseconds until the next start is allowed, 0 when now. */
long pacer_delay_ms(const struct pacer *p);
/* Count a start now (the caller checked pacer_delay_ms). */
void pacer_take(struct pacer *p);
/* Sleep until a start is allowed, then count it. */
void pacer_wait(struct pacer *p);

/* Copy a reply into msg->reply: CR, LF and TAB become spaces, other
 * control characters '?', white space at the ends goes, and what does not
 * fit is cut on a UTF-8 character boundary. */
void transport_set_reply(struct transport_msg *msg, const char *text);

struct backend_ops {
	const char *name;
	/* Allocate the backend's state into *state; 0, or -1 with a sentence
	 * in err. describe receives the line for transport_describe. */
	int (*open)(void **state, const struct config *cfg, const char *maildir,
		    struct pacer *pace, struct buf *describe, struct buf *err);
	int (*send)(void *state, struct transport_msg *msgs, size_t n,
		    struct buf *err);
	void (*close)(void *state);
};

extern const struct backend_ops transport_smtp_ops;
extern const struct backend_ops transport_pipe_ops;
extern const struct backend_ops transport_maildir_ops;

/*
 * The addr-spec inside [mail] from ("News Digest <a@example.org>" or a bare
 * "a@example.org"), checked and normalised with address_normalize, into out
 * (reset first). 0, or -1 with "[mail] from '...': REASON" in err.
 */
int transport_from_address(const char *from, struct buf *out, struct buf *err);

/* Monotonic clock, seconds. */
double transport_now(void);

#endif
