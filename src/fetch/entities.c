/*
 * The undefined HTML entities of real feeds, as character references.
 *
 * RSS feeds write &nbsp;, &eacute;, &hellip; or &rsquo; without a DTD that
 * declares them (RSS 0.91's did, and nobody loads it). To libxml2 each is an
 * undeclared entity: a fatal error, and in recovery mode the character is
 * dropped ("Caf&eacute;" reads "Caf"). The filter rewrites them before the
 * parser sees the bytes.
 *
 * Rewritten: &name; where name is an HTML 4 entity (libxml2's table,
 * htmlEntityLookup, case-sensitive like HTML) and not one of XML's five.
 * Left alone:
 *  - CDATA sections, comments and processing instructions, whose text the
 *    parser does not scan for references (HTML in CDATA keeps its entities
 *    for the HTML parser that reads it later);
 *  - numeric references, and names libxml2 does not know (the XML parser
 *    reports those, which is right: the feed is broken).
 * Repaired, and counted so that the caller can call the feed ill-formed:
 *  - a bare '&', one that starts no reference (a URL's "?a=1&b=2" written
 *    unescaped, "&eacute" without ';'), becomes "&amp;": libxml2 would
 *    report it and, in recovery mode, drop it with what follows up to the
 *    next ';' or '=' ("?a=1=2");
 *  - "&#X41;" becomes "&#x41;": XML wants the x in lower case, HTML (and
 *    so feeds) takes either.
 * Refused: any <!ENTITY declaration outside comments and CDATA. Feeds have
 * no use for them, and declared entities are how "billion laughs" and
 * external-entity attacks work; the caller refuses the whole document
 * rather than let libxml2 see the declarations.
 */
#include "entities.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

enum {
	S_TEXT,
	S_AMP,          /* after '&': collecting a name */
	S_NUM,          /* after "&#": collecting [xX] and digits */
	S_LT,           /* after '<': is it CDATA, a comment, a PI, <!ENTITY? */
	S_CDATA,
	S_COMMENT,
	S_PI
};

/* What may follow '<' and changes the state, in S_LT's order of tests. */
static const struct {
	const char *word;
	int state;      /* -1: refuse */
} markup[] = {
	{ "![CDATA[", S_CDATA },
	{ "!--", S_COMMENT },
	{ "?", S_PI },
	{ "!ENTITY", -1 },
};

static int stops(int state, char c);
static int is_alpha(int c);
static int is_alnum(int c);
static void emit_reference(struct entities *e, struct buf *out);
static void emit_bare(struct entities *e, struct buf *out);
static int is_digit_in(int c, int hex);
static int step(struct entities *e, int c, struct buf *out);
static int step_lt(struct entities *e, int c, struct buf *out);

/* The bytes that may change the state (or complete a terminator). */
static int stops(int state, char c)
{
	switch (state) {
	case S_TEXT:
		return c == '&' || c == '<';
	case S_CDATA:
		return c == ']' || c == '>';
	case S_COMMENT:
		return c == '-' || c == '>';
	case S_PI:
		return c == '?' || c == '>';
	}
	return 1;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static void emit_reference(struct entities *e, struct buf *out)
{
	static const char *const xml_names[] = { "amp", "lt", "gt", "quot", "apos" };
	const htmlEntityDesc *d = NULL;
	char num[32];
	size_t i;
	int known_to_xml = 0;

	e->pend[e->npend] = '\0';
	for (i = 0; i < sizeof(xml_names) / sizeof(xml_names[0]); i++)
		if (!strcmp(e->pend, xml_names[i]))
			known_to_xml = 1;
	if (!known_to_xml)
		d = htmlEntityLookup((const xmlChar *)e->pend);
	if (d) {
		snprintf(num, sizeof(num), "&#%u;", d->value);
		buf_addstr(out, num);
	} else {
		buf_addch(out, '&');
		buf_add(out, e->pend, e->npend);
		buf_addch(out, ';');
	}
	e->npend = 0;
}

/* A '&' that starts no reference, and what was held after it. */
static void emit_bare(struct entities *e, struct buf *out)
{
	buf_addstr(out, "&amp;");
	if (e->state == S_NUM)
		buf_addch(out, '#');
	buf_add(out, e->pend, e->npend);
	e->npend = 0;
	if (!e->repaired++)
		e->repaired_line = e->line;
}

static int is_digit_in(int c, int hex)
{
	return (c >= '0' && c <= '9') ||
	       (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

/* One byte in a state other than S_TEXT's fast path. */
static int step(struct entities *e, int c, struct buf *out)
{
	int hex;

	switch (e->state) {
	case S_TEXT:
		if (c == '&') {
			e->state = S_AMP;
			e->npend = 0;
		} else if (c == '<') {
			e->state = S_LT;
			e->npend = 0;
		} else {
			buf_addch(out, c);
		}
		return 0;
	case S_AMP:
		if (c == ';' && e->npend) {
			emit_reference(e, out);
			e->state = S_TEXT;
			return 0;
		}
		if (c == '#' && !e->npend) {
			e->state = S_NUM;
			return 0;
		}
		if ((e->npend ? is_alnum(c) : is_alpha(c)) &&
		    e->npend < ENTITIES_NAME_MAX) {
			e->pend[e->npend++] = (char)c;
			return 0;
		}
		/* not a named reference: give back what was held and look at
		 * c again, which may itself start one. A name too long to hold
		 * may still be a reference: libxml2 is left to judge it. */
		if (e->npend == ENTITIES_NAME_MAX && is_alnum(c)) {
			buf_addch(out, '&');
			buf_add(out, e->pend, e->npend);
			e->npend = 0;
		} else {
			emit_bare(e, out);
		}
		e->state = S_TEXT;
		return step(e, c, out);
	case S_NUM:
		hex = e->npend && e->pend[0] == 'x';
		if (c == ';' && e->npend > (size_t)hex) {
			buf_addstr(out, "&#");
			buf_add(out, e->pend, e->npend);
			buf_addch(out, ';');
			e->npend = 0;
			e->state = S_TEXT;
			return 0;
		}
		if (e->npend < ENTITIES_NAME_MAX &&
		    ((!e->npend && (c == 'x' || c == 'X')) || is_digit_in(c, hex))) {
			if (c == 'X' && !e->repaired++)
				e->repaired_line = e->line;
			e->pend[e->npend++] = c == 'X' ? 'x' : (char)c;
			return 0;
		}
		emit_bare(e, out);
		e->state = S_TEXT;
		return step(e, c, out);
	case S_LT:
		return step_lt(e, c, out);
	case S_CDATA:
		buf_addch(out, c);
		if (c == ']')
			e->run = e->run < 2 ? e->run + 1 : 2;
		else if (c == '>' && e->run == 2)
			e->state = S_TEXT;
		if (c != ']')
			e->run = 0;
		return 0;
	case S_COMMENT:
		buf_addch(out, c);
		if (c == '-')
			e->run = e->run < 2 ? e->run + 1 : 2;
		else if (c == '>' && e->run == 2)
			e->state = S_TEXT;
		if (c != '-')
			e->run = 0;
		return 0;
	case S_PI:
		buf_addch(out, c);
		if (c == '>' && e->run)
			e->state = S_TEXT;
		e->run = c == '?';
		return 0;
	}
	return 0;
}

static int step_lt(struct entities *e, int c, struct buf *out)
{
	size_t i, n;
	int prefix = 0;

	e->pend[e->npend++] = (char)c;
	for (i = 0; i < sizeof(markup) / sizeof(markup[0]); i++) {
		n = strlen(markup[i].word);
		if (e->npend > n || memcmp(e->pend, markup[i].word, e->npend))
			continue;
		if (e->npend < n) {
			prefix = 1;
			continue;
		}
		if (markup[i].state < 0) {
			e->refused = 1;
			return -1;
		}
		buf_addch(out, '<');
		buf_add(out, e->pend, e->npend);
		e->npend = 0;
		e->run = 0;
		e->state = markup[i].state;
		return 0;
	}
	if (prefix)
		return 0;
	/* an ordinary tag: give back '<' and all but c, then look at c again */
	buf_addch(out, '<');
	buf_add(out, e->pend, e->npend - 1);
	e->npend = 0;
	e->state = S_TEXT;
	return step(e, c, out);
}

void entities_init(struct entities *e)
{
	memset(e, 0, sizeof(*e));
	e->state = S_TEXT;
	e->line = 1;
}

int entities_filter(struct entities *e, const char *in, size_t len,
		    struct buf *out)
{
	const char *p = in, *end = in + len, *q;

	if (e->refused)
		return -1;
	while (p < end) {
		if (e->state != S_AMP && e->state != S_NUM && e->state != S_LT) {
			/* copy runs of bytes that change nothing in one go:
			 * this is most of the document */
			for (q = p; q < end && !stops(e->state, *q); q++)
				e->line += *q == '\n';
			if (q > p) {
				buf_add(out, p, (size_t)(q - p));
				e->run = 0;
				p = q;
			}
			if (p == end)
				break;
		}
		if (step(e, (unsigned char)*p, out) < 0)
			return -1;
		e->line += *p == '\n';
		p++;
	}
	return 0;
}

void entities_finish(struct entities *e, struct buf *out)
{
	if (e->state == S_AMP || e->state == S_NUM) {
		emit_bare(e, out);
	} else if (e->state == S_LT) {
		buf_addch(out, '<');
		buf_add(out, e->pend, e->npend);
	}
	e->npend = 0;
	e->state = S_TEXT;
}

int entities_encoding_ok(const char *encoding)
{
	static const char *const bad[] = {
		"utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4",
		"ucs4", "iso-10646", "utf-7", "utf7", "iso-2022", "ebcdic", "cp037",
		"ibm037", "ibm500", "cp500", "ibm1047", "cp1047", "unicode"
	};
	size_t i, n;

	if (!encoding)
		return 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]);
		if (!strncasecmp(encoding, bad[i], n))
			return 0;
	}
	return 1;
}
