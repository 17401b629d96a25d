#ifndef NEWSDIGEST_ADDRESS_H
#define NEWSDIGEST_ADDRESS_H
/*
 * Strict e-mail address check: RFC 5321 section 4.1.2 `Mailbox`, what an SMTP
 * server must accept in RCPT TO. libetpan's mailimf_mailbox_parse cannot do
 * this (it accepts "bad@@example.org", "no-at-sign" and "@example.org").
 *
 * Accepted: Dot-string and Quoted-string local parts (at most 64 octets),
 * domains of LDH labels (at most 63 octets each, 255 in all, top label not all
 * digits), address literals [IPv4] and [IPv6:...], internationalised domains
 * (converted to A-labels with libidn2). The whole address is at most 254
 * octets (a 256-octet Path less its angle brackets).
 */
#include "buf.h"

/*
 * Check `in`, which is not trimmed: white space around it is an error. On
 * success return 0 and replace the contents of `out` with the normal form:
 * the local part as given, the domain lower-cased and in A-labels, an
 * address literal as given but for the tag, written "IPv6:". On failure
 * return -1 and append one short reason to `err` ("no '@'", "empty local
 * part", "domain label longer than 63 octets", ...); `out` is then
 * unspecified. Reasons quote parts of the address but never control
 * characters, which are refused first.
 */
int address_normalize(const char *in, struct buf *out, struct buf *err);

#endif
