#ifndef NEWSDIGEST_HTML_H
#define NEWSDIGEST_HTML_H
/*
 * Untrusted HTML from feeds, through libxml2's HTML parser: an allow-list
 * sanitiser, a plain-text excerpt, and feed discovery in a web page.
 * Nothing here touches the network or the file system.
 */
#include <stddef.h>

#include "buf.h"

/*
 * Sanitise an HTML fragment: keep only allow-listed elements (text
 * structure and sections, lists, links, images, tables, quotes, code,
 * headings, old presentational ones such as font and center) and inert
 * attributes (alt, title, class, widths, colours, ...; never on* handlers,
 * never one that loads or sends something such as background or ping;
 * style only through css_filter_style); drop script, style, iframe, form
 * and its controls, SVG and MathML with their content; unwrap unknown
 * elements and media (audio, video, canvas: their fallback text stays);
 * keep only http, https and mailto URLs (others dropped: javascript:,
 * data:, vbscript:), made absolute against base (may be NULL). Text is
 * escaped. Appends the result (HTML) to out. Input is UTF-8.
 */
void html_sanitize(const char *html, size_t len, const char *base, struct buf *out);

/*
 * Plain text of an HTML fragment (or of plain text with entities): tags
 * removed, entities decoded, block elements as spaces, white space
 * collapsed, control characters removed, at most max_chars characters
 * (code points, the "…" included; when cut, the cut goes to the last space
 * within the final 20% of what fits, and "…" is added; 0: no limit).
 * Appends to out.
 */
void html_to_text(const char *html, size_t len, size_t max_chars, struct buf *out);

/*
 * The same as html_to_text, for HTML that html_sanitize wrote (or text
 * escaped with only &amp; &lt; &gt; &quot;): that grammar is ours, so its
 * text is found by a scan instead of a second HTML parse.
 */
void html_safe_to_text(const char *html, size_t len, size_t max_chars, struct buf *out);

struct html_feed_link {
	char *url;     /* absolute */
	char *title;   /* may be NULL */
	char *type;    /* application/rss+xml, application/atom+xml, ... */
};

/*
 * Find the feeds a web page announces: <link rel="alternate"> with an RSS,
 * Atom, RDF or JSON Feed type, in document order, URLs resolved against
 * base (and the page's <base href>); only http and https URLs, each once.
 * Returns the number found (links in *out, an array the caller frees with
 * html_feed_links_free), 0 when none (*out is then NULL).
 */
size_t html_find_feeds(const char *html, size_t len, const char *base,
		       struct html_feed_link **out);
void html_feed_links_free(struct html_feed_link *links, size_t n);

/* 1 when the bytes look like an HTML page rather than a feed (a doctype or
 * <html> before any feed root), else 0. */
int html_looks_like_page(const char *data, size_t len);

#endif
