#ifndef NEWSDIGEST_MIME_H
#define NEWSDIGEST_MIME_H
/*
 * mime: one subscriber's digest as an Internet message (RFC 5322, MIME):
 * multipart/alternative with text/plain and text/html, both UTF-8 and
 * quoted-printable, CRLF line ends, every line within 998 octets and header
 * lines folded to 78 where the value allows it.
 *
 * Every value that reaches a header has its control characters (CR, LF, TAB,
 * other C0, DEL and C1) replaced by a space first, so no value can add a
 * header line. Non-ASCII subjects and display names become RFC 2047 encoded
 * words (Q encoding, UTF-8, at most 75 characters each, split on character
 * boundaries).
 */
#include "buf.h"

struct mime_message {
	const char *from;          /* "Name <addr>" or "addr", as configured */
	const char *reply_to;      /* the same forms, or NULL/"" for none */
	const char *to_name;       /* the subscriber's name, or NULL/"" */
	const char *to_addr;       /* the subscriber's address */
	const char *subject;       /* UTF-8 */
	long long date;            /* Unix time, written in UTC */
	const char *message_id;    /* without <>, e.g. "hash@list-id" */
	const char *list_id;       /* "news-digest.example.org" */
	const char *unsub_mailto;  /* full mailto: URL */
	const char *unsub_https;   /* or NULL/"": adds List-Unsubscribe-Post */
	const char *archive_url;   /* or NULL/"": no List-Archive */
	const char *text, *html;   /* bodies, UTF-8, LF (or CRLF) line ends */
	/* or the bodies already encoded with mime_qp_encode (their UTF-8
	 * checked by the caller), used as they are when not NULL */
	const struct buf *text_qp, *html_qp;
};

/* Build the whole message into out (reset first): headers, a blank line and
 * the MIME body, CRLF throughout, ready for SMTP DATA once the transport has
 * dot-stuffed it. Returns 0, or -1 with a sentence appended to err when a
 * value is not valid UTF-8, an address, URL, List-Id or Message-ID holds a
 * character it may not, or a line would exceed 998 octets; out is then
 * empty. */
int mime_build(const struct mime_message *m, struct buf *out, struct buf *err);

/* 1 when s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int mime_utf8_valid(const char *s);

/* Append len bytes of in as quoted-printable (RFC 2045 6.7): lines of at
 * most 76 characters, CRLF for every line end, white space before a line
 * end encoded. It starts at a line's first column; pieces encoded one by
 * one may be joined when each but the last ends in a line end or a soft
 * break ("=\r\n"). */
void mime_qp_encode(const char *in, size_t len, struct buf *out);

/* What the messages of one digest share (libetpan writes the multipart
 * structure once): its boundary comes from seed, so a message built again
 * is the same bytes. NULL with the reason in err if libetpan fails. */
struct mime_frame;
struct mime_frame *mime_frame_new(const char *seed, struct buf *err);
void mime_frame_free(struct mime_frame *f);
/* mime_build with a frame made once for many messages. */
int mime_build_framed(const struct mime_message *m, const struct mime_frame *f,
		      struct buf *out, struct buf *err);

/* Append to out (reset first) a Message-ID without the <>: "<hash>@<list_id>"
 * where hash is the SHA-256 of week and the lower-cased email, in hex
 * (32 digits), so a resend of a week's digest to a subscriber is the same
 * message. Characters of list_id that may not appear in a Message-ID are
 * dropped ("localhost" if none remain). */
void mime_message_id(const char *week, const char *email, const char *list_id,
		     struct buf *out);

#endif
