/*
 * Accepted: RFC 5321 section 4.1.2 Mailbox, nothing more.
 *   Local-part  Dot-string (RFC 5322 atext atoms joined by single dots) or a
 *               Quoted-string (qtextSMTP and quoted-pairSMTP), ASCII only.
 *   Domain      LDH labels joined by dots (RFC 1035, RFC 1123 2.1: a label
 *               may start with a digit, the top label may not be all
 *               digits); non-ASCII domains go through IDNA 2008 (UTS #46
 *               non-transitional, libidn2) and the A-labels are checked.
 *   Literal     [IPv4] and [IPv6:...]. General-address-literal is refused:
 *               no tag other than IPv6 has been standardised.
 * Refused although some mailers take them: comments, obs-local-part
 * ("a".b), a trailing dot on the domain, SMTPUTF8 local parts, and white
 * space around the address (trimming is the caller's job).
 * A-labels in ASCII input ("xn--...") are not decoded to check them.
 */
#include "address.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <string.h>
#include <strings.h>

#define LOCAL_MAX 64
#define LABEL_MAX 63
#define DOMAIN_MAX 255
/* RFC 5321 4.5.3.1.3: a Path is at most 256 octets with its angle brackets */
#define ADDRESS_MAX 254
#define LDH "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

static int is_atext(int c);
static int is_ipv4(const char *s, size_t len);
static int check_controls(const char *in, struct buf *err);
static int parse_dot_string(const char *in, size_t *len, struct buf *err);
static int parse_quoted_string(const char *in, size_t *len, struct buf *err);
static int check_label(const char *label, size_t len, struct buf *err);
static int check_hostname(const char *dom, struct buf *out, struct buf *err);
static int copy_ipv6(const char *s, size_t len, char *addr, size_t size);
static int check_literal(const char *lit, struct buf *out, struct buf *err);
static int check_domain(const char *dom, struct buf *out, struct buf *err);

static int is_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* RFC 5321 IPv4-address-literal: exactly four Snum (1 to 3 digits, 0-255) */
static int is_ipv4(const char *s, size_t len)
{
	size_t i = 0;
	int part, digits, value;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
		digits = 0;
		value = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 3) {
			value = value * 10 + (s[i] - '0');
			digits++;
			i++;
		}
		if (!digits || value > 255)
			return 0;
	}
	return i == len;
}

/*
 * Neither grammar admits a control character anywhere, and reporting it
 * first keeps it out of the messages that quote parts of the address.
 */
static int check_controls(const char *in, struct buf *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)in; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			buf_addf(err, "control character 0x%02x at octet %zu",
				 *p, (size_t)(p - (const unsigned char *)in) + 1);
			return -1;
		}
	}
	return 0;
}

/* On success *len is the length of the local part and in[*len] is '@'. */
static int parse_dot_string(const char *in, size_t *len, struct buf *err)
{
	size_t i;
	size_t atom = 0;
	unsigned char c;

	for (i = 0; in[i] != '@'; i++) {
		c = (unsigned char)in[i];
		if (c == '.') {
			if (!atom)
				goto empty;
			atom = 0;
		} else if (c >= 0x80) {
			buf_addstr(err, "non-ASCII local part (needs SMTPUTF8)");
			return -1;
		} else if (!is_atext(c)) {
			buf_addf(err, "character '%c' not allowed in local part", c);
			return -1;
		} else {
			atom++;
		}
	}
	if (!i) {
		buf_addstr(err, "empty local part");
		return -1;
	}
	if (!atom)
		goto empty;
	*len = i;
	return 0;
empty:
	buf_addstr(err, "empty label in local part (two dots, or a dot at an end)");
	return -1;
}

/* As parse_dot_string; in[0] is the opening quote. */
static int parse_quoted_string(const char *in, size_t *len, struct buf *err)
{
	size_t i;
	unsigned char c;

	for (i = 1; in[i] != '"'; i++) {
		c = (unsigned char)in[i];
		if (c == '\\') {
			i++;
			c = (unsigned char)in[i];
		}
		if (!c) {
			buf_addstr(err, "unterminated quoted string");
			return -1;
		}
		if (c >= 0x80) {
			buf_addstr(err, "non-ASCII local part (needs SMTPUTF8)");
			return -1;
		}
	}
	i++;
	if (!in[i]) {
		buf_addstr(err, "no '@'");
		return -1;
	}
	if (in[i] != '@') {
		buf_addstr(err, "text after the closing quote of the local part");
		return -1;
	}
	*len = i;
	return 0;
}

static int check_label(const char *label, size_t len, struct buf *err)
{
	size_t i;

	if (!len) {
		buf_addstr(err, "empty label in domain (two dots, or a dot at an end)");
		return -1;
	}
	if (len > LABEL_MAX) {
		buf_addstr(err, "domain label longer than 63 octets");
		return -1;
	}
	/* a label ends at '.' or NUL, neither of which is in LDH */
	i = strspn(label, LDH);
	if (i < len) {
		buf_addf(err, "character '%c' not allowed in domain label '%.*s'",
			 label[i], (int)len, label);
		return -1;
	}
	if (label[0] == '-') {
		buf_addf(err, "domain label '%.*s' starts with '-'", (int)len, label);
		return -1;
	}
	if (label[len - 1] == '-') {
		buf_addf(err, "domain label '%.*s' ends with '-'", (int)len, label);
		return -1;
	}
	return 0;
}

/* dom is ASCII; it is appended to out in lower case. */
static int check_hostname(const char *dom, struct buf *out, struct buf *err)
{
	size_t len = strlen(dom);
	const char *label = dom;
	const char *top;
	size_t n;
	size_t i;

	for (;;) {
		n = strcspn(label, ".");
		if (check_label(label, n, err) < 0)
			return -1;
		if (!label[n])
			break;
		label += n + 1;
	}
	top = label;
	if (len > DOMAIN_MAX) {
		buf_addstr(err, "domain longer than 255 octets");
		return -1;
	}
	if (strspn(top, "0123456789") == strlen(top)) {
		if (is_ipv4(dom, len))
			buf_addf(err, "domain '%s' looks like an IP address; write it as [%s]",
				 dom, dom);
		else
			buf_addf(err, "top-level domain label '%s' is all digits", top);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (dom[i] >= 'A' && dom[i] <= 'Z')
			buf_addch(out, dom[i] - 'A' + 'a');
		else
			buf_addch(out, dom[i]);
	}
	return 0;
}

/* Copy s (len bytes) to addr as a string when it is an IPv6 address. */
static int copy_ipv6(const char *s, size_t len, char *addr, size_t size)
{
	struct in6_addr in6;

	/* a longer string cannot be an address, and inet_pton needs a NUL */
	if (len >= size)
		return 0;
	memcpy(addr, s, len);
	addr[len] = '\0';
	return inet_pton(AF_INET6, addr, &in6) == 1;
}

/* lit starts with '['; it is appended to out as given, bar the IPv6 tag. */
static int check_literal(const char *lit, struct buf *out, struct buf *err)
{
	size_t len = strlen(lit);
	const char *body = lit + 1;
	const char *colon;
	size_t blen, tag;
	char addr[INET6_ADDRSTRLEN + 1];
	size_t i;

	if (len < 2 || lit[len - 1] != ']') {
		buf_addstr(err, "address literal does not end with ']'");
		return -1;
	}
	blen = len - 2;
	/* keeps UTF-8 (C1 controls too) out of the messages below */
	for (i = 0; i < blen; i++) {
		if ((unsigned char)body[i] >= 0x80) {
			buf_addstr(err, "non-ASCII character in address literal");
			return -1;
		}
	}
	if (is_ipv4(body, blen)) {
		buf_add(out, lit, len);
		return 0;
	}
	colon = memchr(body, ':', blen);
	if (colon && colon - body == 4 && strncasecmp(body, "IPv6", 4) == 0) {
		if (!copy_ipv6(body + 5, blen - 5, addr, sizeof(addr))) {
			buf_addf(err, "address literal '%s' is not a valid IPv6 address",
				 lit);
			return -1;
		}
		buf_addstr(out, "[IPv6:");
		buf_addstr(out, addr);
		buf_addch(out, ']');
		return 0;
	}
	/* the usual mistake, worth its own message */
	if (copy_ipv6(body, blen, addr, sizeof(addr))) {
		buf_addf(err, "address literal '%s' needs the tag 'IPv6:'", lit);
		return -1;
	}
	tag = colon ? (size_t)(colon - body) : 0;
	if (tag && strspn(body, LDH) == tag) {
		buf_addf(err, "address literal tag '%.*s' is not standardised (only IPv6 is)",
			 (int)tag, body);
		return -1;
	}
	buf_addf(err, "address literal '%s' is not IPv4 or IPv6", lit);
	return -1;
}

static int check_domain(const char *dom, struct buf *out, struct buf *err)
{
	const unsigned char *p;
	char *ascii = NULL;
	int rc;
	int ret = -1;

	if (!*dom) {
		buf_addstr(err, "empty domain");
		goto out;
	}
	if (*dom == '[') {
		ret = check_literal(dom, out, err);
		goto out;
	}
	for (p = (const unsigned char *)dom; *p && *p < 0x80; p++)
		;
	if (!*p) {
		ret = check_hostname(dom, out, err);
		goto out;
	}
	rc = idn2_to_ascii_8z(dom, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		buf_addf(err, "cannot convert domain to A-labels: %s", idn2_strerror(rc));
		goto out;
	}
	ret = check_hostname(ascii, out, err);
out:
	idn2_free(ascii);
	return ret;
}

int address_normalize(const char *in, struct buf *out, struct buf *err)
{
	size_t local_len;
	const char *domain;
	int rc;

	buf_reset(out);
	if (!*in) {
		buf_addstr(err, "empty address");
		return -1;
	}
	if (check_controls(in, err) < 0)
		return -1;
	if (!strchr(in, '@')) {
		buf_addstr(err, "no '@'");
		return -1;
	}
	if (in[0] == '"')
		rc = parse_quoted_string(in, &local_len, err);
	else
		rc = parse_dot_string(in, &local_len, err);
	if (rc < 0)
		return -1;
	domain = in + local_len + 1;
	if (strchr(domain, '@')) {
		buf_addstr(err, "more than one '@' outside quotes");
		return -1;
	}
	if (local_len > LOCAL_MAX) {
		buf_addstr(err, "local part longer than 64 octets");
		return -1;
	}
	buf_add(out, in, local_len + 1);
	if (check_domain(domain, out, err) < 0)
		return -1;
	if (out->toobig) {
		buf_addstr(err, "address does not fit in the output buffer");
		return -1;
	}
	if (out->len > ADDRESS_MAX) {
		buf_addstr(err, "address longer than 254 octets");
		return -1;
	}
	return 0;
}
