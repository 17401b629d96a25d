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
	 * Folder path: the titles of the enclosing outlines that have no
	 * xmlUrl, outermost first, joined with '/'; a '/' or '\' inside a
	 * name is escaped with '\'. "" at the top level.
	 */
	const char *category;
	unsigned long line;    /* line of the <outline> in the file */
};

/* Called once per feed outline in document order; non-zero stops parsing and
 * becomes opml_parse_file's failure (fn appends its reason to err). */
typedef int (*opml_feed_fn)(const struct opml_feed *feed, void *data,
			    struct buf *err);

/*
 * Parse the OPML file at `path`, calling fn for each outline that has an
 * xmlUrl (outlines of type "link" or "include" are not feeds and are
 * skipped). Returns the number of feeds seen, or -1 with a message appended
 * to err of the form "cannot parse 'PATH': line N: REASON" for: not XML, root
 * not <opml>, no <body>, more than max_outlines <outline> elements, no feed
 * outline at all, an xmlUrl that is empty, or fn failing.
 */
long opml_parse_file(const char *path, size_t max_outlines, opml_feed_fn fn,
		     void *data, struct buf *err);

/*
 * Write feeds[0..n) as an OPML 2.0 document titled `title` to out. Feeds are
 * grouped into nested folder outlines by category, folders and feeds in
 * order of first appearance. Returns 0, or -1 with a message in err when
 * writing failed.
 */
int opml_write(FILE *out, const char *title, const struct opml_feed *feeds,
	       size_t n, struct buf *err);

#endif
