#ifndef NEWSDIGEST_OPML_H
#define NEWSDIGEST_OPML_H
/*
 * OPML 1.0 and 2.0 subscription lists: a streaming reader (libxml2's
 * xmlTextReader; no network, no DTD, no entity loading) and a writer whose
 * output is byte-stable: writing what was read from a written file gives the
 * same bytes (no dates or generator versions in the head).
 */
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

struct opml_feed {
	const char *xml_url;   /* never NULL */
	const char *html_url;  /* NULL when absent */
	const char *title;     /* `title`, else `text`; NULL when both absent */
	const char *language;  /* NULL when absent */
	/*
	 * The topic hint: the `topics` attribute normalised by
	 * opml_topics_normalize, ids joined by single spaces. NULL when absent,
	 * empty or refused; the writer treats NULL and "" alike.
	 */
	const char *topics;
	/*
	 * Reader only: NULL, or why the `topics` attribute was refused (as
	 * opml_topics_normalize says it). The outline still reaches fn, as an
	 * empty xmlUrl does, for the caller to refuse it with its line.
	 */
	const char *topics_error;
	/*
	 * Folder path: the titles (else texts) of the enclosing outlines that
	 * have no xmlUrl, outermost first, joined with '/'; a '/' or '\'
	 * inside a name is escaped with '\'; outlines without a name add
	 * nothing. "" at the top level.
	 */
	const char *category;
	/*
	 * Line of the <outline> in the file (where its start tag ends). libxml2
	 * keeps exact line numbers up to 65534; past that this is the parser's
	 * position, which can be a few lines late.
	 */
	unsigned long line;
};

/* Limits of a topic hint (see opml_topics_normalize). */
#define OPML_TOPICS_MAX 16
#define OPML_TOPIC_ID_MAX 64

/*
 * Normalise a topic hint as written in a `topics` attribute or given to
 * `feeds add --topics`: topic ids separated by commas or white space, in
 * any number. Each id is 1 to OPML_TOPIC_ID_MAX bytes of [a-z0-9-]; there
 * are at most OPML_TOPICS_MAX distinct ids. out is reset and receives the
 * ids in the order given, a repeated id dropped, joined by single spaces
 * ("" when there are none). The ids are not checked against the topic
 * list: the curator's `topics check` does that. Returns the number of ids,
 * or -1 with out reset and a reason appended to err ("topic id 'Foo' has a
 * character other than a-z, 0-9 and '-'", "a topic id is longer than 64
 * bytes", "more than 16 topic ids"); the id quoted is cleaned of control
 * characters.
 */
int opml_topics_normalize(const char *value, struct buf *out, struct buf *err);

/*
 * Called once per feed outline in document order. The strings in *feed are
 * valid only during the call: copy what you keep. Non-zero stops parsing and
 * becomes opml_parse_file's failure: err then already holds
 * "cannot parse 'PATH': line N: " and fn appends only its reason.
 */
typedef int (*opml_feed_fn)(const struct opml_feed *feed, void *data,
			    struct buf *err);

/*
 * Parse the OPML file at `path`, calling fn for each outline that has an
 * xmlUrl (outlines of type "link" or "include" are not feeds and are
 * skipped). The file is streamed: memory does not grow with its size.
 * Returns the number of feeds seen, or -1 with a message appended to err of
 * the form "cannot parse 'PATH': line N: REASON" ("line N: " left out when
 * the problem has no place, like a missing <body>) for: not XML (REASON is
 * libxml2's message), a DOCTYPE declaring entities, root not <opml>, no
 * <body>, more than max_outlines <outline> elements, no feed outline at all,
 * or fn failing (an empty xmlUrl reaches fn as "", and a bad `topics`
 * attribute as topics_error, for it to reject); or "cannot open 'PATH': ..."
 * when the file cannot be opened or is not a regular file. Because the file is
 * streamed, fn may already have been called for earlier feeds when a later
 * problem is found.
 */
long opml_parse_file(const char *path, size_t max_outlines, opml_feed_fn fn,
		     void *data, struct buf *err);

/*
 * Write feeds[0..n) as an OPML 2.0 document titled `title` (NULL: empty) to
 * out, UTF-8, indented by two spaces. Feeds are grouped into nested folder
 * outlines by category, folders and feeds in order of first appearance.
 * Values are written as the reader would return them: invalid UTF-8 and
 * characters XML forbids become U+FFFD, surrounding white space is dropped,
 * a title equal to the xmlUrl is left out, topics are normalised and written
 * after language when there are any. So the output is byte-stable: writing
 * what opml_parse_file reads from it gives the same bytes. Flushes out.
 * Returns 0, or -1 with a message in err ("cannot write OPML: ...") when a
 * feed has no xmlUrl, a feed's topics are refused by opml_topics_normalize
 * ("cannot write OPML: feed N 'URL': REASON"; nothing is written then, so
 * that everything written reads back), or writing failed.
 */
int opml_write(FILE *out, const char *title, const struct opml_feed *feeds,
	       size_t n, struct buf *err);

#endif
