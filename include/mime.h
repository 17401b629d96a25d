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
};

/* Build the whole message into out (reset first): headers, a blank line and
 * the MIME body, CRLF throughout, ready for SMTP DATA once the transport has
 * dot-stuffed it. Returns 0, or -1 with a sentence appended to err when a
 * value is not valid UTF-8, an address, URL, List-Id or Message-ID holds a
 * character it may not, or a line would exceed 998 octets; out is then
 * empty. */
int mime_build(const struct mime_message *m, struct buf *out, struct buf *err);

/* Append to out (reset first) a Message-ID without the <>: "<hash>@<list_id>"
 * where hash is the SHA-256 of week and the lower-cased email, in hex
 * (32 digits), so a resend of a week's digest to a subscriber is the same
 * message. Characters of list_id that may not appear in a Message-ID are
 * dropped ("localhost" if none remain). */
void mime_message_id(const char *week, const char *email, const char *list_id,
		     struct buf *out);

#endif
