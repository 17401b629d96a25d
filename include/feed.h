#ifndef NEWSDIGEST_FEED_H
#define NEWSDIGEST_FEED_H
/*
 * The feed parser: RSS 0.90-0.94 and 2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0
 * (libxml2's xmlTextReader, streamed), and JSON Feed 1.0/1.1 (jansson).
 * Entries are handed to a callback one at a time, so memory does not grow
 * with the document. No network or file access: no external entities, no
 * DTD loading; entity expansion and nesting are bounded. HTML entities that
 * XML does not define (&nbsp;, &eacute;) are decoded, not dropped.
 *
 * Strings are UTF-8. Text fields (titles, author, categories) are plain
 * text: entities decoded, tags stripped, white space collapsed, control
 * characters removed. summary and content are HTML after html_sanitize
 * (relative URLs resolved against xml:base, the document and the feed URL);
 * summary_text is the bounded plain-text excerpt the composer shows.
 */
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

enum feed_format {
	FEED_FORMAT_UNKNOWN,
	FEED_FORMAT_RSS09,      /* RSS 0.90 to 0.94 (and userland 0.9x) */
	FEED_FORMAT_RSS10,      /* RSS 1.0, RDF */
	FEED_FORMAT_RSS20,
	FEED_FORMAT_ATOM03,
	FEED_FORMAT_ATOM10,
	FEED_FORMAT_JSON        /* JSON Feed 1.0 or 1.1 */
};

#define FEED_NO_DATE (-1LL)

/* One entry; every pointer may be NULL when the feed did not say. Valid
 * only during the callback. */
struct feed_entry {
	const char *id;           /* guid, atom:id, rdf:about, JSON id */
	const char *title;
	const char *link;         /* absolute when it could be resolved */
	long long published;      /* UTC seconds, or FEED_NO_DATE */
	long long updated;
	const char *author;
	const char *summary;      /* sanitised HTML */
	const char *summary_text; /* plain text, at most summary_chars */
	const char *content;      /* sanitised HTML (content:encoded, atom:content) */
	const char *lang;         /* xml:lang, dc:language of the entry */
	const char *const *categories;
	size_t ncategories;
	unsigned long line;       /* where the entry starts (0 for JSON) */
};

/* What the document says of itself; filled as parsing goes, complete when
 * feed_parse returns. */
struct feed_info {
	enum feed_format format;
	char *title;              /* plain text */
	char *link;               /* the site's address */
	char *language;
	int wellformed;           /* 0 when the XML needed recovery */
	unsigned long entries;    /* entries passed to the callback */
	struct buf warnings;      /* "line N: ...\n" per problem met ("item N:"
				   * in JSON; no line when there is none);
				   * bounded, later ones dropped */
};

struct feed_options {
	const char *base_url;     /* the document's URL (for relative links); may be NULL */
	const char *content_type; /* the HTTP Content-Type, for its charset; may be NULL */
	size_t max_entries;       /* entries passed on at most (0: no limit) */
	size_t summary_chars;     /* length of summary_text (0: 300) */
	size_t max_depth;         /* element nesting allowed (0: 256) */
};

/* Return non-zero to stop parsing (feed_parse then returns -1 with
 * "stopped" in err, unless the callback wrote its own reason). */
typedef int (*feed_entry_fn)(const struct feed_entry *entry, void *data);

void feed_info_init(struct feed_info *info);
void feed_info_release(struct feed_info *info);

/*
 * Parse a document held in memory. Returns 0 when it was recognised as a
 * feed (info->wellformed says whether it needed recovery), or -1 with the
 * reason in err when nothing could be parsed: not a feed ("an HTML page,
 * not a feed", "root element <foo> is not RSS, RDF or Atom"), unrecoverable
 * XML or JSON, or the callback's refusal.
 */
int feed_parse(const char *data, size_t len, const struct feed_options *opt,
	       feed_entry_fn fn, void *fn_data, struct feed_info *info,
	       struct buf *err);
/* The same from an open file, read in chunks (memory stays flat however
 * large the file; JSON Feeds are read whole, up to max_json bytes, 0:
 * 32 MiB). The file need not be seekable. */
int feed_parse_file(FILE *in, size_t max_json, const struct feed_options *opt,
		    feed_entry_fn fn, void *fn_data, struct feed_info *info,
		    struct buf *err);

/* "rss2.0", "rss1.0", "rss0.9x", "atom1.0", "atom0.3", "json" or "unknown". */
const char *feed_format_name(enum feed_format format);

#endif
