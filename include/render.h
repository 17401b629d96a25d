#ifndef NEWSDIGEST_RENDER_H
#define NEWSDIGEST_RENDER_H
/*
 * The body of a digest draft (Markdown, front matter already removed),
 * parsed once with cmark and rendered twice: an HTML fragment for the
 * text/html part (a template wraps it) and plain text for the text/plain
 * part, the latter from the same cmark tree, never by stripping tags.
 *
 * What parsing removes, whatever the options:
 *  - HTML comments: the draft's item markers (<!-- nd: id=42 ... -->) and
 *    any other comment, inline or as an HTML block (CommonMark 0.31
 *    comments: <!-- up to the first -->, so "--" inside is allowed; an
 *    unclosed <!-- in an HTML block runs to the end of that block). A
 *    marker that cmark 0.30 leaves as text (inline, with "--" in it) is
 *    removed from the text too; other comment-like text the editor wrote
 *    (e.g. escaped, \<!-- x -->) stays.
 *  - Dangerous link and image destinations (javascript:, vbscript:,
 *    file:, data: except data:image/png|gif|jpeg|webp; any case), the
 *    same list cmark's safe mode uses: the destination becomes "" (the
 *    link's text stays, not clickable), even with allow_raw_html, which is
 *    about raw HTML, not URLs. render_links still reports the original.
 * Raw HTML other than comments is omitted from the HTML unless
 * allow_raw_html, and always omitted from the text.
 *
 * Input is UTF-8; invalid sequences and NUL become U+FFFD (cmark's
 * VALIDATE_UTF8). cmark has no input limit of its own: the caller bounds
 * the draft's size (it is read from a file). Rendering never modifies the
 * document, so a parsed document can be rendered any number of times.
 */
#include <stddef.h>

#include "buf.h"

#define RENDER_WRAP 72          /* default text width, in columns */
#define RENDER_LINE_MAX 998     /* octets per text line (RFC 5322), the newline excluded */
#define RENDER_INDENT_MAX 40    /* columns of nesting prefix ("> ", "- ", ...) at most */

struct render_options {
	int allow_raw_html;     /* keep raw HTML from the draft (cmark's UNSAFE); default 0 */
	size_t wrap;            /* text width, default 72; 0 means 72, above 998 means 998 */
};
#define RENDER_OPTIONS_INIT { 0, RENDER_WRAP }

struct render_doc;

/* Parse markdown[0..len) once (markdown may be NULL when len is 0).
 * Returns a document to free with render_doc_free(); NULL only on out of
 * memory. */
struct render_doc *render_parse(const char *markdown, size_t len);
/* Free d; NULL is allowed. */
void render_doc_free(struct render_doc *d);

/*
 * Append the HTML fragment (no <html>/<body>) to out; o may be NULL for
 * the defaults. Safe mode (allow_raw_html 0): raw HTML is omitted without
 * cmark's "<!-- raw HTML omitted -->" placeholder. Text is escaped by
 * cmark. Returns 0, or -1 when out's limit refused the fragment (out is
 * then unchanged apart from toobig).
 */
int render_html(const struct render_doc *d, const struct render_options *o, struct buf *out);

/*
 * Append the plain text to out; o may be NULL for the defaults.
 *  - Headings: the text, then a line of '=' (level 1) or '-' (levels 2-6)
 *    as wide as the text (columns: UTF-8 aware, East Asian wide and emoji
 *    count 2, combining marks 0).
 *  - Paragraphs wrapped at o->wrap columns on spaces (runs of spaces
 *    collapse); a word wider than that stays whole on a line of its own.
 *    Hard breaks start a new line.
 *  - Emphasis: the text only. Strong: *text* (the usual plain-text mark,
 *    which mutt and others display as bold). Inline code: the code,
 *    without backticks.
 *  - Lists: "- " or "1. " (the draft's ")" delimiter kept), continuation
 *    lines indented to the text; tight lists without blank lines between
 *    items, loose lists with them.
 *  - Block quotes: "> " before each line (">" on a blank line inside).
 *  - Code blocks: indented 4 spaces, not wrapped, trailing spaces removed.
 *  - Thematic breaks: a line of dashes as wide as the text may be.
 *  - Links: "text [N]" ("[N]" never starts a line), and at the end a
 *    blank line, "References:" and one "[N] URL" line per URL in order of
 *    first appearance; the same URL gets the same N. A link whose text is
 *    its URL (autolinks; mailto: with its address) is just the text. An
 *    empty or dangerous destination, or a data: URL, gets no number.
 *    Spaces and control characters in a reference are %-encoded.
 *  - Images: "[image: alt] [N]" ("[image] [N]" without alt).
 *  - Raw HTML dropped (its inline text stays: <b>x</b> gives x).
 *  - Control characters in text become '?'; tabs in code blocks stay.
 * One blank line between blocks; no trailing spaces; no line longer than
 * RENDER_LINE_MAX octets (longer words, code lines and URLs are cut at a
 * character boundary). The nesting prefix is cut at RENDER_INDENT_MAX
 * columns, or half the width if less (but not under 8), so deep nesting
 * cannot multiply the output. Appends nothing for a document without text, else text ending in
 * exactly one newline. Returns 0, or -1 when out's limit was reached (out
 * is then unchanged apart from toobig).
 */
int render_text(const struct render_doc *d, const struct render_options *o, struct buf *out);

/*
 * Call fn(url, line, data) for every Markdown link and image destination
 * in document order (the destination as written after entity decoding,
 * "" for an empty one, the original for a dangerous one), with the 1-based
 * line (of the markdown given to render_parse) cmark gives the link (cmark_node_get_start_line; for link
 * text spread over lines, the line of its "](", where the destination
 * is). Reference-style links give the line of the use, not of the
 * definition. Links inside raw HTML are not seen. Returns the number of
 * calls.
 */
int render_links(const struct render_doc *d, void (*fn)(const char *url, int line, void *data),
		 void *data);

/* Every piece of text a reader sees (text, code spans, code blocks; never
 * comments or raw HTML, which are dropped), in document order, with the
 * 1-based line it starts on (counted like render_links). Returns how many. */
int render_texts(const struct render_doc *d, void (*fn)(const char *text, int line, void *data),
		 void *data);

#endif
