/*
 * The feed parser: XML feeds through libxml2's SAX2 push parser, chunk by
 * chunk, and JSON Feed through jansson.
 *
 * ACCEPTED
 *   RSS 0.90 (RDF, Netscape namespace), 0.91-0.94, 2.0 (no namespace, or
 *     Userland's and Harvard's RSS namespaces), RSS 1.0 (RDF), Atom 0.3
 *     and 1.0, JSON Feed 1.0 and 1.1.
 *   Modules: Dublin Core (creator, date, subject, language, title,
 *     description; dc:author, which is not DC but is seen), DC terms
 *     (modified, issued, created), content:encoded, xhtml:body, <body> and
 *     <fullitem> with no namespace (content, like content:encoded), Media
 *     RSS (title, description, also inside media:group and media:content),
 *     atom:link, atom:updated and atom:published inside RSS.
 *   Base64 text: Atom 0.3 mode="base64", and Atom 1.0 text constructs
 *     whose type is a media type neither text nor XML; decoded, then read
 *     as HTML unless the type is text/plain. Binary content is dropped.
 *   Precedence when a feed says a thing twice: the first element of the
 *     best kind wins (RSS title, then dc:title, then media:title), except
 *     for dates, where the last of the best kind wins (two <updated>;
 *     Atom 0.3's <issued> then <published>), as in feedparser.
 *   Element names are matched by namespace, not prefix; an undeclared
 *     prefix (dc:creator without xmlns:dc, a common mistake) is read by its
 *     usual meaning (dc, dcterms, content, media, atom, rdf).
 *   Undefined HTML entities (&nbsp;, &eacute;): rewritten before parsing,
 *     see entities.c, which also escapes a bare '&' ("?a=1&b=2") and
 *     lowers "&#X41;"; either makes the document not well-formed.
 *   C1 controls in text (U+0080-U+009F: windows-1252 labelled ISO-8859-1)
 *     are read as the windows-1252 characters, see map_c1().
 *   Ill-formed XML: libxml2's recovery mode keeps what it can, entry by
 *     entry; wellformed is 0 and each problem is a warning with its line.
 * REFUSED
 *   Entity declarations (<!ENTITY, in a DOCTYPE): the document is not
 *     parsed at all. No external entity or DTD is ever loaded (no NOENT,
 *     DTDLOAD or HUGE; NONET).
 *   HTML pages, and XML whose root is not rss, rdf:RDF or feed.
 * LIMITS
 *   Nesting: opt->max_depth (libxml2 stops at 256 by itself). Titles,
 *   ids, links, authors, dates: FEED_TEXT_MAX bytes; summary and content:
 *   FEED_HTML_MAX; larger values are dropped with a warning. Categories:
 *   FEED_MAX_CATEGORIES per entry. JSON: read whole, up to max_json bytes.
 *   libxml2 buffers a start tag or a comment whole before parsing it, up
 *   to 10 MB (XML_MAX_LOOKUP_LIMIT, without HUGE), then stops ("Huge
 *   input lookup"): that is the most memory a document can take.
 *   Undefined HTML entities are not rewritten in UTF-16/32 documents (the
 *   filter reads bytes as ASCII): libxml2 drops them there.
 *
 * The engine is libxml2's SAX2 push parser, the one xmlTextReader is built
 * on, fed chunk by chunk: it builds no tree at all, so memory stays flat.
 * Not xmlTextReader itself: it gives up at the first fatal error even in
 * RECOVER mode (xmlTextReaderPushData returns -1 once the context is not
 * well-formed), so it cannot salvage the other items of a feed with one
 * broken item. Recovery runs in the same pass: the parser runs in RECOVER
 * mode and a fatal error reported to the structured handler marks the
 * document ill-formed. For a well-formed document RECOVER changes nothing;
 * for an ill-formed one this gives what a strict pass followed by a
 * recovery pass would, without handing the first entries to the callback
 * twice or rewinding the input (a pipe cannot be).
 * Entities: the entityDecl handler stops the parser at the first
 * declaration, and with no getEntity handler libxml2 never looks one up,
 * so none can be expanded, whatever the encoding (the byte filter, which
 * refuses them earlier, cannot read UTF-16).
 */
#include "feed.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#include <nettle/base64.h>

#include "buf.h"
#include "date.h"
#include "entities.h"
#include "html.h"
#include "url.h"
#include "xalloc.h"
#include "xmlquiet.h"

/* libxml2 2.12 made the error passed to structured handlers const. */
#if LIBXML_VERSION >= 21200
#define FEED_XMLERROR const xmlError
#else
#define FEED_XMLERROR xmlError
#endif

#define FEED_TEXT_MAX 65536             /* titles, ids, links, dates */
#define FEED_HTML_MAX (1024 * 1024)     /* summary, content */
#define FEED_SANE_MAX (2 * FEED_HTML_MAX) /* after sanitising (escapes grow) */
#define FEED_MAX_CATEGORIES 64
#define FEED_CHUNK 65536                /* bytes read (and filtered) at a time */
#define FEED_HEAD 65536                 /* bytes a file is sniffed on */
#define FEED_JSON_DEFAULT (32 * 1024 * 1024)
#define FEED_WARNINGS_MAX 65536
#define FEED_XML_WARNINGS 20            /* libxml2 messages reported at most */
#define FEED_QUOTE_MAX 80               /* of a bad value quoted in a warning */
#define FEED_DEFAULT_DEPTH 256
#define FEED_DEFAULT_SUMMARY 300

#define NS_URI_XML "http://www.w3.org/XML/1998/namespace"

enum ns {
	NS_NONE,        /* no namespace: RSS 0.9x/2.0 */
	NS_RSS,         /* Userland's and Harvard's RSS 2.0 namespaces */
	NS_RSS10,
	NS_RSS09,
	NS_RDF,
	NS_ATOM10,
	NS_ATOM03,
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_MEDIA,
	NS_XHTML,
	NS_OTHER
};

static const struct {
	const char *uri;
	enum ns ns;
	int prefix_match;       /* the URI only starts so (Atom 0.3 drafts) */
} known_ns[] = {
	{ "http://backend.userland.com/rss2", NS_RSS, 0 },
	{ "http://backend.userland.com/rss", NS_RSS, 0 },
	{ "http://blogs.law.harvard.edu/tech/rss", NS_RSS, 0 },
	{ "http://purl.org/rss/1.0/", NS_RSS10, 0 },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_RSS09, 0 },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF, 0 },
	{ "http://www.w3.org/2005/Atom", NS_ATOM10, 0 },
	{ "http://purl.org/atom/ns#", NS_ATOM03, 1 },
	{ "http://purl.org/dc/elements/1.1/", NS_DC, 0 },
	{ "http://purl.org/dc/elements/1.0/", NS_DC, 0 },
	{ "http://purl.org/dc/terms/", NS_DCTERMS, 0 },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENT, 0 },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA, 0 },
	{ "http://search.yahoo.com/mrss", NS_MEDIA, 0 },
	{ "http://www.w3.org/1999/xhtml", NS_XHTML, 0 },
};

/* The usual prefixes, for elements whose prefix was never declared. */
static const struct {
	const char *prefix;
	enum ns ns;
} prefixes[] = {
	{ "dc", NS_DC }, { "dcterms", NS_DCTERMS }, { "content", NS_CONTENT },
	{ "media", NS_MEDIA }, { "atom", NS_ATOM10 }, { "rdf", NS_RDF },
};

enum family { FAM_NONE, FAM_RSS, FAM_ATOM };

/* What an open element is to the parser: only children of a channel, an
 * entry, an author or a media group can be fields. */
enum role { R_OTHER, R_ROOT, R_CHANNEL, R_ENTRY, R_AUTHOR, R_MEDIA };

enum field {
	F_TITLE, F_LINK, F_ID, F_GUID, F_AUTHOR, F_NAME, F_EMAIL, F_SUMMARY,
	F_CONTENT, F_PUBLISHED, F_UPDATED, F_DCDATE, F_CATEGORY, F_LANG
};

/* How a field's text is to be read. */
enum kind {
	K_PLAIN,        /* text; child elements dropped, their text kept */
	K_HTML,         /* HTML source (RSS, Atom type=html); inline elements kept */
	K_SNIFF,        /* an RSS title: HTML if it looks like HTML, as in feedparser */
	K_XHTML,        /* inline XHTML (Atom type=xhtml): serialised, div dropped */
	K_SKIP          /* out-of-line content (src=): ignored */
};

struct level {
	const char *base;       /* xml:base in scope (absolute if it could be made so) */
	const char *lang;       /* xml:lang in scope */
	char *own_base, *own_lang;
	const char *name;       /* local name, interned by the parser */
	size_t tag_end;         /* where its start tag ends in a collected field */
	enum role role;
};

/* A value and the rank of the element it came from (lower wins). */
struct slot {
	struct buf v;
	int prio;
};

/* What an entry (or the channel) has said so far. */
struct item {
	struct slot id, title, link, author, summary, content, lang;
	long long published, updated, dcdate;
	int pub_prio, upd_prio;
	struct buf guid;                /* for the link, when a permalink */
	int guid_permalink;
	struct buf name, email;         /* of the <author> being read */
	char **cats;
	size_t ncats, acats;
	const char *scope_lang;         /* xml:lang at the entry's element */
	unsigned long line;
};

/* The field whose text is being gathered. */
struct collect {
	int active;
	int depth;
	enum field field;
	enum kind kind;
	int prio;
	int wrapper_pending;    /* Atom 1.0 xhtml: the div wrapper may come next */
	int div_depth;          /* depth of the dropped xhtml div, or -1 */
	int permalink;          /* guid isPermaLink */
	int base64;             /* the text is base64, decoded at the end */
	unsigned long line;
	const char *base;
	struct item *it;
	struct buf text;
	struct buf name;        /* the element's name, for warnings */
};

struct source {
	const char *head;       /* bytes in memory: all, or what was sniffed */
	size_t head_len, head_off;
	FILE *fp;               /* the rest, or NULL */
	char *chunk;
	int filter;             /* run the entity filter */
	struct entities ent;
	struct buf out;         /* filtered bytes not yet passed on */
	int eof;
	int ioerr;              /* errno of a failed read, or 0 */
};

struct parser {
	const struct feed_options *opt;
	size_t summary_chars, max_depth;
	feed_entry_fn fn;
	void *fn_data;
	struct feed_info *info;
	struct buf *err;
	xmlParserCtxtPtr ctxt;
	/* the attributes of the element being started (SAX2's layout:
	 * localname, prefix, URI, value, end) */
	const xmlChar **attrs;
	int nattrs;

	enum family family;
	enum ns root_ns;
	char *root_uri;         /* an unknown namespace the root is in, or NULL */
	int seen_root;
	int done;               /* stop reading */
	int failed;             /* and return -1 */
	unsigned nxml;          /* libxml2 messages reported */
	struct buf xml_first;   /* libxml2's first fatal error */
	unsigned long xml_first_line;

	struct level *stack;
	size_t nstack, astack;
	struct collect c;
	struct item feed, entry;
	int in_entry;
	char *root_lang;
	struct buf tmp, tmp2;
};

static void warn(struct parser *p, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_quoted(struct buf *b, const char *s);
static void on_xml_error(void *data, FEED_XMLERROR *e);
static void halt(struct parser *p);
static unsigned long node_line(struct parser *p);

static void plain_text(const char *s, size_t len, struct buf *out);
static void escape_html(const char *s, size_t len, struct buf *out, int attr);
static int looks_like_html(const char *s);
static void trim(const char *s, size_t len, struct buf *out);
static const char *slot_str(const struct slot *s);
static void slot_offer(struct slot *s, int prio, const char *v, size_t len);
static void item_init(struct item *it);
static void item_reset(struct item *it);
static void item_release(struct item *it);
static void item_add_category(struct item *it, const char *s, size_t len);

static enum ns ns_id(const char *uri, const char **local);
static int is_home(const struct parser *p, enum ns ns);
static char *get_attr_ns(struct parser *p, const char *uri, const char *name);
static char *get_attr(struct parser *p, const char *name);
static void attr_value(const xmlChar *v, const xmlChar *end, struct buf *out);
static int attr_is(struct parser *p, const char *name, const char *value);
static enum kind atom_kind(struct parser *p, int *base64);
static void begin_atom_field(struct parser *p, struct item *it, enum field f);
static int decode_base64(struct parser *p);
static enum kind media_kind(struct parser *p);

static int push_level(struct parser *p);
static void close_level(struct parser *p);
static void begin_field(struct parser *p, struct item *it, enum field f,
			enum kind k, int prio);
static void finish_field(struct parser *p);
static void collect_start(struct parser *p, struct level *lv);
static void collect_end(struct parser *p, struct level *lv);
static int on_root(struct parser *p, struct level *lv, const char *local,
		   const char *uri, int nb_namespaces, const xmlChar **namespaces);
static void on_link(struct parser *p, struct item *it, struct level *lv,
		    int prio_add);
static void on_atom_category(struct parser *p, struct item *it);
static void begin_entry(struct parser *p, struct level *lv);
static void end_author(struct parser *p, struct item *it);
static void restart_entry(struct parser *p, struct level *lv);
static void end_entry(struct parser *p);
static void dispatch(struct parser *p, struct level *lv, struct level *parent,
		     enum ns ns, const char *local);
static void sax_start(void *ctx, const xmlChar *localname,
		      const xmlChar *prefix, const xmlChar *URI, int nb_namespaces,
		      const xmlChar **namespaces, int nb_attributes,
		      int nb_defaulted, const xmlChar **attributes);
static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		    const xmlChar *URI);
static const char *map_c1(const char *s, size_t *len, struct buf *out);
static void sax_text(void *ctx, const xmlChar *ch, int len);
static void sax_entity_decl(void *ctx, const xmlChar *name, int type,
			    const xmlChar *publicId, const xmlChar *systemId,
			    xmlChar *content);
static void sync_one(char **dst, const struct slot *s);
static void sync_info(struct parser *p);

static int source_fill(struct source *s);
static void charset_param(const char *content_type, struct buf *out);
static void declared_encoding(const char *s, size_t len, struct buf *out);
static int encoding_known(const char *name);
static void sniff_encoding(const unsigned char *h, size_t len, size_t *bom,
			   const char **encoding);
static int parse_xml(struct parser *p, struct source *src);

static void json_str(json_t *o, const char *key, struct buf *out, size_t max);
static int parse_json(struct parser *p, const char *data, size_t len);
static void json_entry(struct parser *p, json_t *item, size_t n);

static void parser_init(struct parser *p, const struct feed_options *opt,
			feed_entry_fn fn, void *fn_data, struct feed_info *info,
			struct buf *err);
static void parser_release(struct parser *p);
static const char *skip_bom_space(const char *s, size_t len);

/*
 * Reports
 */

static void warn(struct parser *p, unsigned long line, const char *fmt, ...)
{
	struct buf *w = &p->info->warnings;
	size_t mark = w->len;
	va_list ap;

	if (w->toobig)
		return;
	if (line)
		buf_addf(w, "line %lu: ", line);
	va_start(ap, fmt);
	buf_vaddf(w, fmt, ap);
	va_end(ap);
	buf_addch(w, '\n');
	/* a message that did not fit is dropped whole, not cut, and the
	 * ones after it too */
	if (w->toobig)
		buf_setlen(w, mark);
}

static int fail(struct parser *p, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (line)
		buf_addf(p->err, "line %lu: ", line);
	va_start(ap, fmt);
	buf_vaddf(p->err, fmt, ap);
	va_end(ap);
	p->failed = 1;
	halt(p);
	return -1;
}

/* Untrusted text quoted in a message: bounded, controls replaced. */
static void add_quoted(struct buf *b, const char *s)
{
	char cut[FEED_QUOTE_MAX + 1];
	size_t n = strlen(s);

	if (n > FEED_QUOTE_MAX) {
		n = FEED_QUOTE_MAX;
		/* back to the start of a UTF-8 sequence */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(cut, s, n);
	cut[n] = '\0';
	buf_addsanitized(b, cut);
	if (n < strlen(s))
		buf_addstr(b, "...");
}

static void on_xml_error(void *data, FEED_XMLERROR *e)
{
	struct parser *p = data;
	struct buf msg = BUF_INIT;
	unsigned long line;

	if (!e)
		return;
	line = e->line > 0 ? (unsigned long)e->line : 0;
	if (!line && p->ctxt)
		line = node_line(p);
	trim(e->message ? e->message : "", e->message ? strlen(e->message) : 0, &msg);
	/* only fatal errors break well-formedness; namespace errors (an
	 * undeclared prefix) and warnings do not */
	if (e->level == XML_ERR_FATAL) {
		if (p->info->wellformed && !p->xml_first.len) {
			add_quoted(&p->xml_first, msg.len ? msg.s : "parse error");
			p->xml_first_line = line;
		}
		p->info->wellformed = 0;
	}
	if (p->nxml < FEED_XML_WARNINGS) {
		struct buf q = BUF_INIT;

		add_quoted(&q, msg.len ? msg.s : "parse error");
		warn(p, line, "%s", q.s);
		buf_release(&q);
	} else if (p->nxml == FEED_XML_WARNINGS) {
		warn(p, line, "more XML errors, not reported");
	}
	p->nxml++;
	buf_release(&msg);
}

/* Stop reading: no more callbacks from the parser. */
static void halt(struct parser *p)
{
	p->done = 1;
	if (p->ctxt)
		xmlStopParser(p->ctxt);
}

/* In a SAX callback: the line where the parser is (the end of a start tag,
 * which is the start tag's line but for tags split over lines). */
static unsigned long node_line(struct parser *p)
{
	int line = p->ctxt ? xmlSAX2GetLineNumber(p->ctxt) : 0;

	return line > 0 ? (unsigned long)line : 0;
}

/*
 * Strings
 */

/* White space collapsed, C0, DEL and C1 controls dropped; the input is
 * UTF-8 (libxml2 and jansson hand out nothing else). */
static void plain_text(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	int space = 0;
	size_t start = out->len;

	for (; p < end; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = 1;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			continue;
		if (*p == 0xc2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++;
			continue;
		}
		/* U+00A0, no-break space, is white space to a reader too */
		if (*p == 0xc2 && p + 1 < end && p[1] == 0xa0) {
			p++;
			space = 1;
			continue;
		}
		if (space && out->len > start)
			buf_addch(out, ' ');
		space = 0;
		buf_addch(out, *p);
	}
}

static void escape_html(const char *s, size_t len, struct buf *out, int attr)
{
	const char *end = s + len, *q;

	while (s < end) {
		for (q = s; q < end && *q != '&' && *q != '<' && *q != '>' &&
		     !(attr && *q == '"'); q++)
			;
		buf_add(out, s, (size_t)(q - s));
		if (q == end)
			break;
		if (*q == '&')
			buf_addstr(out, "&amp;");
		else if (*q == '<')
			buf_addstr(out, "&lt;");
		else if (*q == '>')
			buf_addstr(out, "&gt;");
		else
			buf_addstr(out, "&quot;");
		s = q + 1;
	}
}

/*
 * feedparser's test for RSS text that is HTML: an end tag, a void tag or
 * a reference. "I <3 AT&T" and "a<b" stay text, "x &amp;amp; y" and
 * "<b>x</b>" are HTML.
 */
static int looks_like_html(const char *s)
{
	static const char *const voids[] = { "br", "img", "hr", "p" };
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char *p, *q;
	size_t i, n;

	for (p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
		if (p[1] == '/' && isalpha((unsigned char)p[2]))
			return 1;
		for (i = 0; i < sizeof(voids) / sizeof(voids[0]); i++) {
			n = strlen(voids[i]);
			if (!strncasecmp(p + 1, voids[i], n) &&
			    !isalnum((unsigned char)p[1 + n]))
				return 1;
		}
	}
	for (p = strchr(s, '&'); p; p = strchr(p + 1, '&')) {
		q = p[1] == '#' ? p + 2 : p + 1;
		n = strspn(q, alnum);
		if (n && q[n] == ';')
			return 1;
	}
	return 0;
}

static void trim(const char *s, size_t len, struct buf *out)
{
	buf_reset(out);
	while (len && strchr(" \t\r\n", *s)) {
		s++;
		len--;
	}
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	buf_add(out, s, len);
}

static const char *slot_str(const struct slot *s)
{
	return s->v.len ? s->v.s : NULL;
}

static void slot_offer(struct slot *s, int prio, const char *v, size_t len)
{
	if (!len || prio >= s->prio)
		return;
	buf_reset(&s->v);
	if (buf_add(&s->v, v, len) < 0) {
		buf_reset(&s->v);
		s->v.toobig = 0;
		return;
	}
	s->prio = prio;
}

static void item_init(struct item *it)
{
	memset(it, 0, sizeof(*it));
	buf_init(&it->id.v, FEED_TEXT_MAX);
	buf_init(&it->title.v, FEED_TEXT_MAX);
	buf_init(&it->link.v, FEED_TEXT_MAX);
	buf_init(&it->author.v, FEED_TEXT_MAX);
	buf_init(&it->summary.v, FEED_SANE_MAX);
	buf_init(&it->content.v, FEED_SANE_MAX);
	buf_init(&it->lang.v, FEED_TEXT_MAX);
	buf_init(&it->guid, FEED_TEXT_MAX);
	buf_init(&it->name, FEED_TEXT_MAX);
	buf_init(&it->email, FEED_TEXT_MAX);
	item_reset(it);
}

static void item_reset(struct item *it)
{
	size_t i;

	buf_reset(&it->id.v);
	buf_reset(&it->title.v);
	buf_reset(&it->link.v);
	buf_reset(&it->author.v);
	buf_reset(&it->summary.v);
	buf_reset(&it->content.v);
	buf_reset(&it->lang.v);
	buf_reset(&it->guid);
	buf_reset(&it->name);
	buf_reset(&it->email);
	it->id.prio = it->title.prio = it->link.prio = it->author.prio = INT_MAX;
	it->summary.prio = it->content.prio = it->lang.prio = INT_MAX;
	it->published = it->updated = it->dcdate = FEED_NO_DATE;
	it->pub_prio = it->upd_prio = INT_MAX;
	it->guid_permalink = 0;
	for (i = 0; i < it->ncats; i++)
		free(it->cats[i]);
	it->ncats = 0;
	it->scope_lang = NULL;
	it->line = 0;
}

static void item_release(struct item *it)
{
	item_reset(it);
	buf_release(&it->id.v);
	buf_release(&it->title.v);
	buf_release(&it->link.v);
	buf_release(&it->author.v);
	buf_release(&it->summary.v);
	buf_release(&it->content.v);
	buf_release(&it->lang.v);
	buf_release(&it->guid);
	buf_release(&it->name);
	buf_release(&it->email);
	free(it->cats);
	it->cats = NULL;
	it->acats = 0;
}

static void item_add_category(struct item *it, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;

	plain_text(s, len, &b);
	if (!b.len || it->ncats >= FEED_MAX_CATEGORIES)
		goto out;
	for (i = 0; i < it->ncats; i++)
		if (!strcmp(it->cats[i], b.s))
			goto out;
	xgrow(&it->cats, &it->acats, it->ncats + 1, sizeof(*it->cats));
	it->cats[it->ncats++] = buf_detach(&b);
out:
	buf_release(&b);
}

/*
 * Elements and attributes
 */

static enum ns ns_id(const char *uri, const char **local)
{
	const char *colon;
	size_t i, n;

	if (!uri || !*uri) {
		/* libxml2 leaves an undeclared prefix in the local name */
		colon = strchr(*local, ':');
		if (!colon)
			return NS_NONE;
		n = (size_t)(colon - *local);
		for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			if (strlen(prefixes[i].prefix) == n &&
			    !strncmp(*local, prefixes[i].prefix, n)) {
				*local = colon + 1;
				return prefixes[i].ns;
			}
		}
		return NS_OTHER;
	}
	for (i = 0; i < sizeof(known_ns) / sizeof(known_ns[0]); i++) {
		n = strlen(known_ns[i].uri);
		if (known_ns[i].prefix_match ? !strncmp(uri, known_ns[i].uri, n) :
		    !strcmp(uri, known_ns[i].uri))
			return known_ns[i].ns;
	}
	return NS_OTHER;
}

/* RSS versions share their element names, and feeds mix their namespaces
 * up: any RSS namespace is at home in any RSS document. */
static int is_home(const struct parser *p, enum ns ns)
{
	if (p->family == FAM_RSS)
		return ns == NS_NONE || ns == NS_RSS || ns == NS_RSS10 ||
		       ns == NS_RSS09;
	return ns == NS_ATOM10 || ns == NS_ATOM03 || ns == p->root_ns;
}

/*
 * Without entity substitution libxml2 hands attribute values to SAX with
 * '&' (from &amp; or &#38;) kept as "&#38;", for the tree builder to
 * decode; nothing else is left encoded (undeclared entities stay "&name;",
 * which is what they were).
 */
static void attr_value(const xmlChar *v, const xmlChar *end, struct buf *out)
{
	const char *s = (const char *)v, *e = (const char *)end, *q;

	buf_reset(out);
	while (s < e) {
		q = memchr(s, '&', (size_t)(e - s));
		if (!q) {
			buf_add(out, s, (size_t)(e - s));
			break;
		}
		buf_add(out, s, (size_t)(q - s));
		buf_addch(out, '&');
		s = q + 1;
		if (e - s >= 4 && !memcmp(s, "#38;", 4))
			s += 4;
	}
}

/* The attribute of the element being started (free() it), or NULL. */
static char *get_attr_ns(struct parser *p, const char *uri, const char *name)
{
	const xmlChar **a = p->attrs;
	struct buf v = BUF_INIT;
	int i;

	for (i = 0; i < p->nattrs; i++, a += 5) {
		if (strcmp((const char *)a[0], name))
			continue;
		if (uri ? !a[2] || strcmp((const char *)a[2], uri) : a[2] != NULL)
			continue;
		attr_value(a[3], a[4], &v);
		return buf_detach(&v);
	}
	return NULL;
}

static char *get_attr(struct parser *p, const char *name)
{
	return get_attr_ns(p, NULL, name);
}

static int attr_is(struct parser *p, const char *name, const char *value)
{
	char *v = get_attr(p, name);
	struct buf t = BUF_INIT;
	int ret;

	if (!v)
		return 0;
	trim(v, strlen(v), &t);
	ret = !strcasecmp(t.s, value);
	buf_release(&t);
	free(v);
	return ret;
}

/* Atom 1.0's type (text, html, xhtml or a media type) and Atom 0.3's
 * type (a media type) and mode (xml, escaped, base64). *base64 is set
 * when the text is base64 (Atom 0.3's mode, or Atom 1.0's rule for media
 * types that are neither text nor XML); what it decodes to is read as HTML
 * unless the type says plain text, as feedparser does. */
static enum kind atom_kind(struct parser *p, int *base64)
{
	char *type = get_attr(p, "type"), *mode = get_attr(p, "mode");
	char *src = get_attr(p, "src");
	enum kind k = K_HTML;
	size_t n;

	*base64 = 0;
	if (src) {
		k = K_SKIP;
	} else if (mode && !strcasecmp(mode, "base64")) {
		*base64 = 1;
		k = type && (!strcasecmp(type, "text") ||
			     !strcasecmp(type, "text/plain")) ? K_PLAIN : K_HTML;
	} else if (mode && !strcasecmp(mode, "escaped")) {
		k = type && !strcasecmp(type, "text/plain") ? K_PLAIN : K_HTML;
	} else if (!type || !*type || !strcasecmp(type, "text") ||
		   !strcasecmp(type, "text/plain")) {
		k = K_PLAIN;
	} else if (!strcasecmp(type, "html") || !strcasecmp(type, "text/html")) {
		k = K_HTML;
	} else if (!strcasecmp(type, "xhtml") ||
		   !strcasecmp(type, "application/xhtml+xml")) {
		k = K_XHTML;
	} else {
		n = strlen(type);
		if ((n > 4 && !strcasecmp(type + n - 4, "+xml")) ||
		    (n > 4 && !strcasecmp(type + n - 4, "/xml")))
			k = K_XHTML;
		else if (!strncasecmp(type, "text/", 5))
			k = K_PLAIN;
		else
			*base64 = 1;    /* other media types come base64-encoded */
		if (*base64)
			k = K_HTML;
	}
	free(type);
	free(mode);
	free(src);
	return k;
}

static void begin_atom_field(struct parser *p, struct item *it, enum field f)
{
	int base64;
	enum kind k = atom_kind(p, &base64);

	begin_field(p, it, f, k, 0);
	p->c.base64 = base64;
	/* Atom 1.0's type="xhtml" wraps the content in a div that is not part
	 * of it (RFC 4287 3.1.1.3); Atom 0.3's mode="xml" has no such rule,
	 * so a div there is content */
	p->c.wrapper_pending = k == K_XHTML && attr_is(p, "type", "xhtml");
}

static enum kind media_kind(struct parser *p)
{
	return attr_is(p, "type", "html") ? K_HTML : K_PLAIN;
}

/*
 * The element stack
 */

static int push_level(struct parser *p)
{
	struct level *lv, *parent;
	char *v;

	if (p->nstack + 1 > p->max_depth)
		return fail(p, node_line(p), "nesting deeper than %zu elements",
			    p->max_depth);
	xgrow(&p->stack, &p->astack, p->nstack + 1, sizeof(*p->stack));
	parent = p->nstack ? &p->stack[p->nstack - 1] : NULL;
	lv = &p->stack[p->nstack++];
	memset(lv, 0, sizeof(*lv));
	lv->base = parent ? parent->base : p->opt->base_url;
	lv->lang = parent ? parent->lang : NULL;

	v = get_attr_ns(p, NS_URI_XML, "base");
	if (v) {
		buf_reset(&p->tmp);
		trim(v, strlen(v), &p->tmp2);
		url_resolve(lv->base, p->tmp2.s, &p->tmp);
		lv->own_base = xstrdup(p->tmp.s);
		lv->base = lv->own_base;
		free(v);
	}
	v = get_attr_ns(p, NS_URI_XML, "lang");
	if (v) {
		trim(v, strlen(v), &p->tmp2);
		lv->own_lang = xstrdup(p->tmp2.s);
		/* xml:lang="" means "unknown" */
		lv->lang = *lv->own_lang ? lv->own_lang : NULL;
		free(v);
	}
	return 0;
}

static void close_level(struct parser *p)
{
	struct level *lv = &p->stack[p->nstack - 1];

	if (p->c.active) {
		if ((size_t)p->c.depth == p->nstack - 1)
			finish_field(p);
		else
			collect_end(p, lv);
	} else if (lv->role == R_ENTRY) {
		end_entry(p);
	} else if (lv->role == R_AUTHOR) {
		end_author(p, p->in_entry ? &p->entry : &p->feed);
	}
	free(lv->own_base);
	free(lv->own_lang);
	p->nstack--;
}

/*
 * Fields
 */

static void begin_field(struct parser *p, struct item *it, enum field f,
			enum kind k, int prio)
{
	struct collect *c = &p->c;

	c->active = 1;
	c->depth = (int)p->nstack - 1;
	c->field = f;
	c->kind = k;
	c->prio = prio;
	c->wrapper_pending = 0;
	c->div_depth = -1;
	c->permalink = 1;
	c->base64 = 0;
	c->line = node_line(p);
	c->base = p->stack[p->nstack - 1].base;
	c->it = it;
	buf_reset(&c->text);
	c->text.max = f == F_SUMMARY || f == F_CONTENT ? FEED_HTML_MAX :
		      FEED_TEXT_MAX;
	buf_reset(&c->name);
	buf_addstr(&c->name, p->stack[p->nstack - 1].name);
	if (f == F_GUID && attr_is(p, "isPermaLink", "false"))
		c->permalink = 0;
}

static void finish_field(struct parser *p)
{
	struct collect *c = &p->c;
	struct item *it = c->it;
	struct buf *t = &p->tmp;
	long long when;

	c->active = 0;
	if (c->text.toobig) {
		warn(p, c->line, "<%s> longer than %zu bytes, dropped", c->name.s,
		     c->text.max);
		return;
	}
	if (c->kind == K_SKIP)
		return;
	if (c->base64 && decode_base64(p) < 0)
		return;
	buf_reset(t);
	switch (c->field) {
	case F_TITLE:
		if (c->kind == K_PLAIN ||
		    (c->kind == K_SNIFF && !looks_like_html(c->text.s)))
			plain_text(c->text.s, c->text.len, t);
		else
			html_to_text(c->text.s, c->text.len, 0, t);
		slot_offer(&it->title, c->prio, t->s, t->len);
		break;
	case F_SUMMARY:
	case F_CONTENT:
		/* the white space around the text (the newlines around
		 * inline XHTML, the indentation of a CDATA section) is
		 * layout of the feed, not content */
		trim(c->text.s, c->text.len, &p->tmp2);
		if (c->kind == K_PLAIN)
			escape_html(p->tmp2.s, p->tmp2.len, t, 0);
		else
			html_sanitize(p->tmp2.s, p->tmp2.len, c->base, t);
		if (t->toobig) {
			warn(p, c->line, "<%s> longer than %zu bytes, dropped",
			     c->name.s, t->max);
		} else {
			slot_offer(c->field == F_SUMMARY ? &it->summary : &it->content,
				   c->prio, t->s, t->len);
		}
		break;
	case F_LINK:
		trim(c->text.s, c->text.len, &p->tmp2);
		if (!p->tmp2.len)
			break;
		url_resolve(c->base, p->tmp2.s, t);
		slot_offer(&it->link, c->prio, t->s, t->len);
		break;
	case F_ID:
		trim(c->text.s, c->text.len, t);
		slot_offer(&it->id, c->prio, t->s, t->len);
		break;
	case F_GUID:
		trim(c->text.s, c->text.len, t);
		slot_offer(&it->id, c->prio, t->s, t->len);
		if (t->len && !it->guid.len) {
			buf_add(&it->guid, t->s, t->len);
			it->guid_permalink = c->permalink;
		}
		break;
	case F_AUTHOR:
		plain_text(c->text.s, c->text.len, t);
		slot_offer(&it->author, c->prio, t->s, t->len);
		break;
	case F_NAME:
	case F_EMAIL:
		plain_text(c->text.s, c->text.len, t);
		if (c->field == F_NAME && !it->name.len)
			buf_add(&it->name, t->s, t->len);
		else if (c->field == F_EMAIL && !it->email.len)
			buf_add(&it->email, t->s, t->len);
		break;
	case F_PUBLISHED:
	case F_UPDATED:
	case F_DCDATE:
		trim(c->text.s, c->text.len, t);
		if (!t->len)
			break;
		if (date_parse(t->s, &when) < 0) {
			buf_reset(&p->tmp2);
			add_quoted(&p->tmp2, t->s);
			warn(p, c->line, "cannot parse date '%s'", p->tmp2.s);
			break;
		}
		/* dates: of two of the same kind, the last wins (see the top) */
		if (c->field == F_DCDATE) {
			it->dcdate = when;
			if (c->prio <= it->pub_prio) {
				it->published = when;
				it->pub_prio = c->prio;
			}
		} else if (c->field == F_PUBLISHED && c->prio <= it->pub_prio) {
			it->published = when;
			it->pub_prio = c->prio;
		} else if (c->field == F_UPDATED && c->prio <= it->upd_prio) {
			it->updated = when;
			it->upd_prio = c->prio;
		}
		break;
	case F_CATEGORY:
		item_add_category(it, c->text.s, c->text.len);
		break;
	case F_LANG:
		trim(c->text.s, c->text.len, t);
		slot_offer(&it->lang, c->prio, t->s, t->len);
		break;
	}
	buf_reset(&p->tmp);
}

/* Replaces the field's base64 text with what it decodes to. Whitespace
 * between the groups is skipped by nettle. What does not decode to UTF-8
 * text (an image, say) is dropped without a word: it was never text. */
static int decode_base64(struct parser *p)
{
	struct collect *c = &p->c;
	struct base64_decode_ctx ctx;
	uint8_t *out = xmalloc(BASE64_DECODE_LENGTH(c->text.len) + 1);
	size_t n = 0;
	int ret = -1;

	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, out, c->text.len, c->text.s) ||
	    !base64_decode_final(&ctx)) {
		warn(p, c->line, "<%s> is not valid base64, dropped", c->name.s);
		goto out;
	}
	out[n] = '\0';
	if (strlen((char *)out) != n || !xmlCheckUTF8(out))
		goto out;
	buf_reset(&c->text);
	buf_add(&c->text, out, n);
	ret = 0;
out:
	free(out);
	return ret;
}

/* An element inside a field: kept as markup in HTML and XHTML fields. */
static void collect_start(struct parser *p, struct level *lv)
{
	struct collect *c = &p->c;
	struct buf *t = &c->text;
	const xmlChar **a = p->attrs;
	struct buf v = BUF_INIT;
	const char *value;
	int i, first = c->wrapper_pending, depth = (int)p->nstack - 1;

	c->wrapper_pending = 0;
	if (c->kind == K_PLAIN || c->kind == K_SKIP)
		return;
	/* Atom's xhtml content is wrapped in a div that is not content */
	if (c->kind == K_XHTML && first && depth == c->depth + 1 &&
	    !strcmp(lv->name, "div")) {
		c->div_depth = depth;
		return;
	}
	buf_addch(t, '<');
	buf_addstr(t, lv->name);
	for (i = 0; i < p->nattrs; i++, a += 5) {
		if (a[2] && !strcmp((const char *)a[2], NS_URI_XML))
			continue;
		attr_value(a[3], a[4], &v);
		value = v.s;
		/* nested xml:base is resolved here: the sanitiser knows one
		 * base for the whole field */
		if ((!strcasecmp((const char *)a[0], "href") ||
		     !strcasecmp((const char *)a[0], "src")) &&
		    lv->base && lv->base != c->base) {
			buf_reset(&p->tmp2);
			url_resolve(lv->base, v.s, &p->tmp2);
			value = p->tmp2.s;
		}
		buf_addch(t, ' ');
		buf_addstr(t, (const char *)a[0]);
		buf_addstr(t, "=\"");
		escape_html(value, strlen(value), t, 1);
		buf_addch(t, '"');
	}
	buf_addch(t, '>');
	lv->tag_end = t->len;
	buf_release(&v);
}

static void collect_end(struct parser *p, struct level *lv)
{
	struct collect *c = &p->c;
	int depth = (int)p->nstack - 1;

	if (c->kind == K_PLAIN || c->kind == K_SKIP)
		return;
	if (depth == c->div_depth) {
		c->div_depth = -1;
		return;
	}
	/* <br/> stays one element: "<br></br>" is two line breaks to HTML */
	if (lv->tag_end && lv->tag_end == c->text.len) {
		buf_setlen(&c->text, c->text.len - 1);
		buf_addstr(&c->text, " />");
		return;
	}
	buf_addstr(&c->text, "</");
	buf_addstr(&c->text, lv->name);
	buf_addch(&c->text, '>');
}

/*
 * C1 controls (U+0080-U+009F) in text are nearly always windows-1252
 * bytes in a feed that says it is ISO-8859-1 (or a UTF-8 feed made from
 * one): they become the characters windows-1252 has there, as browsers
 * and feedparser read them. The five code points windows-1252 leaves
 * undefined stay, for the sanitiser to remove. Returns s itself when there
 * is nothing to map, else the mapped copy in out.
 */
static const char *map_c1(const char *s, size_t *len, struct buf *out)
{
	static const char *const cp1252[32] = {
		"\xe2\x82\xac", NULL, "\xe2\x80\x9a", "\xc6\x92",
		"\xe2\x80\x9e", "\xe2\x80\xa6", "\xe2\x80\xa0", "\xe2\x80\xa1",
		"\xcb\x86", "\xe2\x80\xb0", "\xc5\xa0", "\xe2\x80\xb9",
		"\xc5\x92", NULL, "\xc5\xbd", NULL,
		NULL, "\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x9c",
		"\xe2\x80\x9d", "\xe2\x80\xa2", "\xe2\x80\x93", "\xe2\x80\x94",
		"\xcb\x9c", "\xe2\x84\xa2", "\xc5\xa1", "\xe2\x80\xba",
		"\xc5\x93", NULL, "\xc5\xbe", "\xc5\xb8",
	};
	const unsigned char *u = (const unsigned char *)s;
	const char *to;
	size_t i, n = *len, from = 0;

	for (i = 0; i + 1 < n; i++) {
		if (u[i] != 0xc2 || u[i + 1] < 0x80 || u[i + 1] > 0x9f)
			continue;
		to = cp1252[u[i + 1] - 0x80];
		if (!to)
			continue;
		buf_add(out, s + from, i - from);
		buf_addstr(out, to);
		from = i + 2;
		i++;
	}
	if (!from)
		return s;
	buf_add(out, s + from, n - from);
	*len = out->len;
	return out->s;
}

static void sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct parser *p = ctx;
	struct collect *c = &p->c;
	const char *s;
	size_t n;

	if (p->done || !c->active || c->kind == K_SKIP || len <= 0)
		return;
	n = (size_t)len;
	buf_reset(&p->tmp);
	s = map_c1((const char *)ch, &n, &p->tmp);
	/* text is HTML source in an HTML field, except inside the inline
	 * elements some feeds put there, where it is text again */
	if (c->kind == K_XHTML ||
	    ((c->kind == K_HTML || c->kind == K_SNIFF) && (int)p->nstack > c->depth + 1))
		escape_html(s, n, &c->text, 0);
	else
		buf_add(&c->text, s, n);
	buf_reset(&p->tmp);
}

/* Declared entities could expand without bound: a feed has no use for them. */
static void sax_entity_decl(void *ctx, const xmlChar *name, int type,
			    const xmlChar *publicId, const xmlChar *systemId,
			    xmlChar *content)
{
	struct parser *p = ctx;

	if (!p->done)
		fail(p, 0, "DOCTYPE declares entities (refused)");
}

/*
 * Structure
 */

static int on_root(struct parser *p, struct level *lv, const char *local,
		   const char *uri, int nb_namespaces, const xmlChar **namespaces)
{
	const char *qname = local;
	enum ns ns = ns_id(uri, &local);
	char *version = get_attr(p, "version");
	int i, draft, ret = 0;

	p->seen_root = 1;
	p->root_ns = ns;
	/* RSS or Atom in a namespace of its own (Userland's rss2.1, Atom's
	 * drafts): that namespace is at home in the document */
	if (ns == NS_OTHER && uri)
		p->root_uri = xstrdup(uri);
	/* the drafts before Atom 0.3 (Echo, Pie, Necho) had namespaces of
	 * their own, and a version="0.x" */
	draft = ns == NS_OTHER && version && !strncmp(version, "0.", 2);
	if (!strcasecmp(local, "html")) {
		ret = fail(p, 0, "an HTML page, not a feed");
	} else if (!strcmp(local, "rss")) {
		p->info->format = version && !strncmp(version, "0.9", 3) ?
				  FEED_FORMAT_RSS09 : FEED_FORMAT_RSS20;
		p->family = FAM_RSS;
		lv->role = R_ROOT;
	} else if (!strcmp(local, "RDF") && ns == NS_RDF) {
		/* RSS 1.0 and 0.90 differ by the namespace of their elements,
		 * declared on the root */
		p->info->format = FEED_FORMAT_RSS10;
		for (i = 0; i < nb_namespaces; i++) {
			const char *v = (const char *)namespaces[2 * i + 1];
			const char *l = "";

			if (v && ns_id(v, &l) == NS_RSS09)
				p->info->format = FEED_FORMAT_RSS09;
		}
		p->family = FAM_RSS;
		lv->role = R_ROOT;
	} else if (!strcmp(local, "feed") && (ns == NS_ATOM10 || ns == NS_ATOM03 ||
					      ns == NS_NONE || draft)) {
		p->info->format = ns == NS_ATOM10 || ns == NS_NONE ?
				  FEED_FORMAT_ATOM10 : FEED_FORMAT_ATOM03;
		p->family = FAM_ATOM;
		lv->role = R_CHANNEL;
	} else {
		buf_addstr(p->err, "root element <");
		add_quoted(p->err, qname);
		buf_addstr(p->err, "> is not RSS, RDF or Atom");
		p->failed = 1;
		halt(p);
		ret = -1;
	}
	if (!ret && lv->lang)
		p->root_lang = xstrdup(lv->lang);
	free(version);
	return ret;
}

/* <link rel="alternate" href="..."> of Atom, and atom:link in RSS. */
static void on_link(struct parser *p, struct item *it, struct level *lv,
		    int prio_add)
{
	char *rel = get_attr(p, "rel"), *type = get_attr(p, "type");
	char *href = get_attr(p, "href");
	int prio;

	if (rel && strcasecmp(rel, "alternate") &&
	    strcmp(rel, "http://www.iana.org/assignments/relation/alternate"))
		goto out;
	if (!type || !*type)
		prio = 1;
	else if (!strcasecmp(type, "text/html") ||
		 !strcasecmp(type, "application/xhtml+xml"))
		prio = 0;
	else
		prio = 2;
	if (!href) {
		/* <link>URL</link>, the RSS habit, seen in Atom feeds too */
		begin_field(p, it, F_LINK, K_PLAIN, prio + prio_add);
		goto out;
	}
	trim(href, strlen(href), &p->tmp2);
	if (!p->tmp2.len)
		goto out;
	buf_reset(&p->tmp);
	url_resolve(lv->base, p->tmp2.s, &p->tmp);
	slot_offer(&it->link, prio + prio_add, p->tmp.s, p->tmp.len);
	buf_reset(&p->tmp);
out:
	free(rel);
	free(type);
	free(href);
}

static void on_atom_category(struct parser *p, struct item *it)
{
	char *v = get_attr(p, "term");

	if (!v || !*v) {
		free(v);
		v = get_attr(p, "label");
	}
	if (v)
		item_add_category(it, v, strlen(v));
	free(v);
}

static void begin_entry(struct parser *p, struct level *lv)
{
	char *about;

	lv->role = R_ENTRY;
	p->in_entry = 1;
	item_reset(&p->entry);
	p->entry.line = node_line(p);
	p->entry.scope_lang = lv->lang;
	about = get_attr_ns(p, "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
			    "about");
	if (about) {
		trim(about, strlen(about), &p->tmp);
		slot_offer(&p->entry.id, 1, p->tmp.s, p->tmp.len);
		buf_reset(&p->tmp);
		free(about);
	}
}

/*
 * An entry starting inside an entry: the previous one was never closed
 * (recovery leaves it open, as in "<title>two</item><item>"). It ends here
 * with what it had, and its element no longer counts as an entry.
 */
static void restart_entry(struct parser *p, struct level *lv)
{
	size_t i;

	if (p->c.active)
		finish_field(p);
	for (i = p->nstack - 1; i-- > 0;) {
		if (p->stack[i].role == R_ENTRY) {
			p->stack[i].role = R_OTHER;
			break;
		}
	}
	end_entry(p);
	if (!p->done)
		begin_entry(p, lv);
}

/* "Name (email)" as feedparser writes it, when both are known. */
static void end_author(struct parser *p, struct item *it)
{
	struct buf *t = &p->tmp;

	buf_reset(t);
	if (it->name.len && it->email.len)
		buf_addf(t, "%s (%s)", it->name.s, it->email.s);
	else
		buf_addstr(t, it->name.len ? it->name.s : it->email.s);
	slot_offer(&it->author, 0, t->s, t->len);
	buf_reset(t);
	buf_reset(&it->name);
	buf_reset(&it->email);
}

static void sync_one(char **dst, const struct slot *s)
{
	const char *v = slot_str(s);

	if (!v || (*dst && !strcmp(*dst, v)))
		return;
	free(*dst);
	*dst = xstrdup(v);
}

static void sync_info(struct parser *p)
{
	struct feed_info *info = p->info;
	char *q;

	sync_one(&info->title, &p->feed.title);
	sync_one(&info->link, &p->feed.link);
	sync_one(&info->language, &p->feed.lang);
	if (!info->language && p->root_lang)
		info->language = xstrdup(p->root_lang);
	/* "en_US", a POSIX locale name, is a common slip for the tag "en-US" */
	for (q = info->language; q && *q; q++)
		if (*q == '_')
			*q = '-';
}

static void end_entry(struct parser *p)
{
	struct item *it = &p->entry;
	struct feed_entry e;
	size_t mark = p->err->len;
	const char *text_src;
	int stop;

	p->in_entry = 0;
	if (p->done)
		return;
	memset(&e, 0, sizeof(e));
	e.id = slot_str(&it->id);
	e.title = slot_str(&it->title);
	e.link = slot_str(&it->link);
	if (!e.link && it->guid_permalink && url_is_http(it->guid.s))
		e.link = it->guid.s;
	e.published = it->published;
	e.updated = it->updated;
	/* "dc:date" is the last change when the item has no pubDate */
	if (e.updated == FEED_NO_DATE && it->dcdate != FEED_NO_DATE &&
	    it->pub_prio > 0)
		e.updated = it->dcdate;
	e.author = slot_str(&it->author);
	if (!e.author)
		e.author = slot_str(&p->feed.author);
	e.summary = slot_str(&it->summary);
	e.content = slot_str(&it->content);
	text_src = e.summary ? e.summary : e.content;
	buf_reset(&p->tmp2);
	if (text_src)
		html_safe_to_text(text_src, strlen(text_src), p->summary_chars, &p->tmp2);
	e.summary_text = p->tmp2.len ? p->tmp2.s : NULL;
	e.lang = slot_str(&it->lang);
	if (!e.lang)
		e.lang = it->scope_lang;
	e.categories = (const char *const *)it->cats;
	e.ncategories = it->ncats;
	e.line = it->line;

	sync_info(p);
	p->info->entries++;
	stop = p->fn ? p->fn(&e, p->fn_data) : 0;
	item_reset(it);
	buf_reset(&p->tmp2);
	if (stop) {
		if (p->err->len == mark)
			buf_addstr(p->err, "stopped");
		p->failed = 1;
		halt(p);
		return;
	}
	if (p->opt->max_entries && p->info->entries >= p->opt->max_entries)
		halt(p);
}

/* A child of the channel, an entry, an author or a media group. */
static void dispatch(struct parser *p, struct level *lv, struct level *parent,
		     enum ns ns, const char *local)
{
	enum role pr = parent->role;
	int entry = pr == R_ENTRY ||
		    ((pr == R_AUTHOR || pr == R_MEDIA) && p->in_entry);
	struct item *it = entry ? &p->entry : &p->feed;
	int home = is_home(p, ns);

#define IS(s) (!strcmp(local, (s)))
	if (pr == R_AUTHOR) {
		if (home && IS("name"))
			begin_field(p, it, F_NAME, K_PLAIN, 0);
		else if (home && IS("email"))
			begin_field(p, it, F_EMAIL, K_PLAIN, 0);
		return;
	}
	if (pr == R_MEDIA) {
		if (ns == NS_MEDIA && IS("title"))
			begin_field(p, it, F_TITLE, media_kind(p), 3);
		else if (ns == NS_MEDIA && IS("description"))
			begin_field(p, it, F_SUMMARY, media_kind(p), 3);
		return;
	}
	if (pr == R_ROOT) {
		if (home && IS("channel"))
			lv->role = R_CHANNEL;
		else if (home && IS("item"))
			begin_entry(p, lv);
		return;
	}
	if (pr != R_CHANNEL && pr != R_ENTRY)
		return;
	if (pr == R_CHANNEL && home && (IS("item") || IS("entry"))) {
		begin_entry(p, lv);
		return;
	}

	if (p->family == FAM_RSS && home) {
		if (IS("title"))
			begin_field(p, it, F_TITLE, K_SNIFF, 0);
		else if (IS("link"))
			begin_field(p, it, F_LINK, K_PLAIN, 0);
		else if (IS("description") && entry)
			begin_field(p, it, F_SUMMARY, K_HTML, 0);
		else if (IS("language") && !entry)
			begin_field(p, it, F_LANG, K_PLAIN, 0);
		else if (IS("guid") && entry)
			begin_field(p, it, F_GUID, K_PLAIN, 0);
		else if (IS("author") && entry)
			begin_field(p, it, F_AUTHOR, K_PLAIN, 0);
		else if (IS("pubDate") && entry)
			begin_field(p, it, F_PUBLISHED, K_PLAIN, 0);
		else if (IS("category") && entry)
			begin_field(p, it, F_CATEGORY, K_PLAIN, 0);
		/* <body> and <fullitem> with no namespace: full content
		 * some feeds carry like content:encoded (feedparser reads
		 * them so), after it */
		else if ((IS("body") || IS("fullitem")) && entry)
			begin_field(p, it, F_CONTENT, K_HTML, 1);
	} else if (p->family == FAM_ATOM && home) {
		if (IS("title"))
			begin_atom_field(p, it, F_TITLE);
		else if (IS("link"))
			on_link(p, it, lv, 0);
		else if (IS("id"))
			begin_field(p, it, F_ID, K_PLAIN, 0);
		else if (IS("author"))
			lv->role = R_AUTHOR;
		else if (!entry)
			return;
		else if (IS("published") || IS("issued"))
			begin_field(p, it, F_PUBLISHED, K_PLAIN, 0);
		else if (IS("created"))
			begin_field(p, it, F_PUBLISHED, K_PLAIN, 2);
		else if (IS("updated") || IS("modified"))
			begin_field(p, it, F_UPDATED, K_PLAIN, 0);
		else if (IS("summary"))
			begin_atom_field(p, it, F_SUMMARY);
		else if (IS("content"))
			begin_atom_field(p, it, F_CONTENT);
		else if (IS("category"))
			on_atom_category(p, it);
	} else if (ns == NS_DC) {
		if (IS("title"))
			begin_field(p, it, F_TITLE, K_SNIFF, 1);
		else if (IS("language"))
			begin_field(p, it, F_LANG, K_PLAIN, 1);
		else if (IS("creator") && entry)
			begin_field(p, it, F_AUTHOR, K_PLAIN, 1);
		else if (IS("author") && entry)     /* not DC, but seen */
			begin_field(p, it, F_AUTHOR, K_PLAIN, 2);
		else if (IS("date") && entry)
			begin_field(p, it, F_DCDATE, K_PLAIN, 1);
		else if (IS("subject") && entry)
			begin_field(p, it, F_CATEGORY, K_PLAIN, 0);
		else if (IS("description") && entry)
			begin_field(p, it, F_SUMMARY, K_HTML, 2);
	} else if (ns == NS_DCTERMS && entry) {
		if (IS("modified"))
			begin_field(p, it, F_UPDATED, K_PLAIN, 1);
		else if (IS("issued") || IS("created"))
			begin_field(p, it, F_PUBLISHED, K_PLAIN, 2);
	} else if (ns == NS_CONTENT && entry) {
		if (IS("encoded"))
			begin_field(p, it, F_CONTENT, K_HTML, 0);
	} else if (ns == NS_XHTML && entry && p->family == FAM_RSS) {
		/* <body xmlns="http://www.w3.org/1999/xhtml">, an old habit */
		if (IS("body"))
			begin_field(p, it, F_CONTENT, K_XHTML, 1);
	} else if (ns == NS_MEDIA && entry) {
		if (IS("title"))
			begin_field(p, it, F_TITLE, media_kind(p), 3);
		else if (IS("description"))
			begin_field(p, it, F_SUMMARY, media_kind(p), 3);
		else if (IS("group") || IS("content"))
			lv->role = R_MEDIA;
	} else if (ns == NS_ATOM10 && p->family == FAM_RSS) {
		/* atom:link rel="self" is what RSS feeds mostly carry; only
		 * an alternate link counts, after RSS's own <link> */
		if (IS("link"))
			on_link(p, it, lv, 4);
		else if (IS("updated") && entry)
			begin_field(p, it, F_UPDATED, K_PLAIN, 0);
		else if (IS("published") && entry)
			begin_field(p, it, F_PUBLISHED, K_PLAIN, 1);
	}
#undef IS
}

static void sax_start(void *ctx, const xmlChar *localname,
		      const xmlChar *prefix, const xmlChar *URI, int nb_namespaces,
		      const xmlChar **namespaces, int nb_attributes,
		      int nb_defaulted, const xmlChar **attributes)
{
	struct parser *p = ctx;
	const char *local = (const char *)localname;
	const char *uri = (const char *)URI;
	struct level *lv;
	enum ns ns;

	if (p->done || !local)
		return;
	p->attrs = attributes;
	p->nattrs = nb_attributes;
	if (push_level(p) < 0)
		goto out;
	lv = &p->stack[p->nstack - 1];
	/* an undeclared prefix: libxml2 passes it with no URI, and the name
	 * is matched as "prefix:local" (see ns_id) */
	if (prefix && !uri) {
		buf_reset(&p->tmp2);
		buf_addf(&p->tmp2, "%s:%s", (const char *)prefix, local);
		local = (const char *)xmlDictLookup(p->ctxt->dict,
						   (const xmlChar *)p->tmp2.s, -1);
		if (!local)
			xdie_oom();
	}
	lv->name = local;
	if (!p->seen_root) {
		on_root(p, lv, local, uri, nb_namespaces, namespaces);
		goto out;
	}
	ns = ns_id(uri, &local);
	if (ns == NS_OTHER && p->root_uri && uri && !strcmp(uri, p->root_uri))
		ns = p->family == FAM_ATOM ? NS_ATOM03 : NS_RSS;
	if (p->in_entry && is_home(p, ns) &&
	    (!strcmp(local, "item") || !strcmp(local, "entry")))
		restart_entry(p, lv);
	else if (p->c.active)
		collect_start(p, lv);
	else if (p->nstack >= 2)
		dispatch(p, lv, &p->stack[p->nstack - 2], ns, local);
out:
	p->attrs = NULL;
	p->nattrs = 0;
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		    const xmlChar *URI)
{
	struct parser *p = ctx;

	if (!p->done && p->nstack)
		close_level(p);
}

/*
 * Input
 */

static int source_fill(struct source *s)
{
	const char *in = NULL;
	size_t n = 0;

	if (s->head_off < s->head_len) {
		n = s->head_len - s->head_off;
		if (n > FEED_CHUNK)
			n = FEED_CHUNK;
		in = s->head + s->head_off;
		s->head_off += n;
	} else if (s->fp) {
		n = fread(s->chunk, 1, FEED_CHUNK, s->fp);
		if (!n && ferror(s->fp)) {
			s->ioerr = errno ? errno : EIO;
			return -1;
		}
		in = s->chunk;
	}
	if (!n) {
		s->eof = 1;
		if (s->filter)
			entities_finish(&s->ent, &s->out);
		return 0;
	}
	if (!s->filter)
		return buf_add(&s->out, in, n);
	return entities_filter(&s->ent, in, n, &s->out);
}

/* The charset parameter of a Content-Type, unquoted, or "". */
static void charset_param(const char *content_type, struct buf *out)
{
	const char *p = content_type, *end;

	buf_reset(out);
	if (!p)
		return;
	while ((p = strchr(p, ';'))) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset", 7))
			continue;
		p += 7;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		if (*p == '"' || *p == '\'') {
			end = strchr(p + 1, *p);
			p++;
		} else {
			end = p + strcspn(p, " \t;");
		}
		if (!end)
			end = p + strlen(p);
		if (end - p > 0 && end - p < 64)
			buf_add(out, p, (size_t)(end - p));
		return;
	}
}

/* The encoding="..." of an XML declaration at s, or "". */
static void declared_encoding(const char *s, size_t len, struct buf *out)
{
	const char *end, *p, *q;
	char quote;

	buf_reset(out);
	if (len < 6 || memcmp(s, "<?xml", 5))
		return;
	end = memchr(s, '>', len < 512 ? len : 512);
	if (!end)
		return;
	for (p = s + 5; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8))
			continue;
		p += 8;
		while (p < end && strchr(" \t\r\n", *p))
			p++;
		if (p >= end || *p != '=')
			return;
		p++;
		while (p < end && strchr(" \t\r\n", *p))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return;
		quote = *p++;
		q = memchr(p, quote, (size_t)(end - p));
		if (q && q - p < 64)
			buf_add(out, p, (size_t)(q - p));
		return;
	}
}

static int encoding_known(const char *name)
{
	xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(name);

	if (!h)
		return 0;
	xmlCharEncCloseFunc(h);
	return 1;
}

/*
 * What the first bytes say (XML 1.0 appendix F): a byte order mark (its
 * length in *bom), or "<?" in UTF-16/32. *encoding is set for UTF-16/32
 * and left NULL for UTF-8.
 */
static void sniff_encoding(const unsigned char *h, size_t len, size_t *bom,
			   const char **encoding)
{
	static const struct {
		const char *bytes;
		size_t n, bom;
		const char *encoding;
	} marks[] = {
		{ "\x00\x00\xfe\xff", 4, 4, "UTF-32BE" },
		{ "\xff\xfe\x00\x00", 4, 4, "UTF-32LE" },
		{ "\xfe\xff", 2, 2, "UTF-16BE" },
		{ "\xff\xfe", 2, 2, "UTF-16LE" },
		{ "\xef\xbb\xbf", 3, 3, NULL },
		{ "\x00\x00\x00\x3c", 4, 0, "UTF-32BE" },
		{ "\x3c\x00\x00\x00", 4, 0, "UTF-32LE" },
		{ "\x00\x3c\x00\x3f", 4, 0, "UTF-16BE" },
		{ "\x3c\x00\x3f\x00", 4, 0, "UTF-16LE" },
	};
	size_t i;

	*bom = 0;
	*encoding = NULL;
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (len >= marks[i].n && !memcmp(h, marks[i].bytes, marks[i].n)) {
			*bom = marks[i].bom;
			*encoding = marks[i].encoding;
			return;
		}
	}
}

static int parse_xml(struct parser *p, struct source *src)
{
	const unsigned char *h = (const unsigned char *)src->head;
	size_t hl = src->head_len;
	struct buf charset = BUF_INIT, declared = BUF_INIT;
	const char *encoding = NULL;
	int options = XML_PARSE_NONET | XML_PARSE_RECOVER;
	xmlSAXHandler sax;
	struct xml_quiet q;
	size_t bom;
	int wide, ret = -1;

	/* The encoding: a byte order mark or the shape of "<?" in UTF-16/32,
	 * then the HTTP charset (RFC 3023: it overrides the declaration),
	 * then the declaration; libxml2 does the converting. */
	sniff_encoding(h, hl, &bom, &encoding);
	if (bom || encoding) {
		/* the mark is dropped here: libxml2 2.9 only skips the UTF-8
		 * and UTF-16 ones, and a UTF-16 document's encoding="u16"
		 * must not override what its bytes say */
		src->head_off = bom;
		options |= XML_PARSE_IGNORE_ENC;
	}
	wide = encoding || (hl >= 4 && h[0] == 0x4c && h[1] == 0x6f &&
			     h[2] == 0xa7 && h[3] == 0x94);     /* EBCDIC */
	charset_param(p->opt->content_type, &charset);
	/* US-ASCII is what RFC 3023 assumes of text/xml, and what servers
	 * say by default: the declaration knows better, and agrees with it
	 * on every ASCII document */
	if (!strcasecmp(charset.s, "us-ascii") || !strcasecmp(charset.s, "ascii"))
		buf_reset(&charset);
	if (charset.len && !wide && !bom) {
		if (encoding_known(charset.s)) {
			encoding = charset.s;
			options |= XML_PARSE_IGNORE_ENC;
		} else {
			buf_reset(&p->tmp2);
			add_quoted(&p->tmp2, charset.s);
			warn(p, 0, "unknown encoding '%s' in the Content-Type, ignored",
			     p->tmp2.s);
		}
	}
	if (!wide)
		declared_encoding(src->head + bom, hl - bom, &declared);
	if (!encoding && !bom && declared.len && !encoding_known(declared.s)) {
		buf_reset(&p->tmp2);
		add_quoted(&p->tmp2, declared.s);
		warn(p, 1, "unknown encoding '%s', read as UTF-8", p->tmp2.s);
		options |= XML_PARSE_IGNORE_ENC;
		buf_reset(&declared);
	}
	src->filter = !wide && entities_encoding_ok(encoding ? encoding :
						     declared.len ? declared.s : NULL);
	entities_init(&src->ent);

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.cdataBlock = sax_text;
	sax.entityDecl = sax_entity_decl;
	sax.serror = on_xml_error;

	xml_quiet_begin(&q, (xmlStructuredErrorFunc)on_xml_error, p);
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, p->opt->base_url);
	if (!p->ctxt)
		xdie_oom();
	xmlCtxtUseOptions(p->ctxt, options);
	if (encoding) {
		xmlCharEncodingHandlerPtr hdlr = xmlFindCharEncodingHandler(encoding);

		if (hdlr)
			xmlSwitchToEncoding(p->ctxt, hdlr);
	}
	for (;;) {
		if (source_fill(src) < 0)
			break;
		if (src->out.len && !p->done)
			xmlParseChunk(p->ctxt, src->out.s, (int)src->out.len, 0);
		buf_reset(&src->out);
		if (p->done || src->eof)
			break;
	}
	if (!p->done && src->eof)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	if (src->ent.refused && !p->failed) {
		fail(p, 0, "DOCTYPE declares entities (refused)");
		goto out;
	}
	if (src->ioerr) {
		fail(p, 0, "cannot read the document: %s", strerror(src->ioerr));
		goto out;
	}
	if (p->failed)
		goto out;
	if (!p->seen_root) {
		if (p->xml_first.len)
			fail(p, p->xml_first_line, "%s", p->xml_first.s);
		else
			fail(p, 0, "no root element");
		goto out;
	}
	/* the filter's repairs were errors in the document as sent */
	if (src->ent.repaired) {
		p->info->wellformed = 0;
		warn(p, src->ent.repaired_line,
		     "bare '&' or '&#X' in the document, read as '&amp;' or "
		     "'&#x' (%lu in all)", src->ent.repaired);
	}
	/* salvage what a truncated document left open */
	while (p->nstack && !p->done)
		close_level(p);
	ret = 0;
out:
	/* libxml2 keeps a document of its own for entity declarations in
	 * SAX mode ("expat compatibility"), even with our entityDecl */
	if (p->ctxt && p->ctxt->myDoc)
		xmlFreeDoc(p->ctxt->myDoc);
	if (p->ctxt)
		xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	xml_quiet_end(&q);
	buf_release(&charset);
	buf_release(&declared);
	return ret;
}

/*
 * JSON Feed
 */

/* A string member (a number is taken as its decimal form: ids often are). */
static void json_str(json_t *o, const char *key, struct buf *out, size_t max)
{
	json_t *v = json_object_get(o, key);
	char num[64];

	buf_reset(out);
	if (json_is_string(v) && json_string_length(v) <= max)
		buf_add(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_add(out, num, (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
						  json_integer_value(v)));
}

static void json_entry(struct parser *p, json_t *o, size_t n)
{
	struct item *it = &p->entry;
	struct buf v = BUF_INIT, t = BUF_INIT;
	const char *base = p->opt->base_url;
	json_t *a, *x;
	size_t i;
	long long when;

	item_reset(it);
	p->in_entry = 1;
	json_str(o, "id", &v, FEED_TEXT_MAX);
	trim(v.s, v.len, &t);
	slot_offer(&it->id, 0, t.s, t.len);
	json_str(o, "title", &v, FEED_TEXT_MAX);
	buf_reset(&t);
	plain_text(v.s, v.len, &t);
	slot_offer(&it->title, 0, t.s, t.len);
	json_str(o, "url", &v, FEED_TEXT_MAX);
	if (!v.len)
		json_str(o, "external_url", &v, FEED_TEXT_MAX);
	trim(v.s, v.len, &t);
	if (t.len) {
		buf_reset(&v);
		url_resolve(base, t.s, &v);
		slot_offer(&it->link, 0, v.s, v.len);
	}
	json_str(o, "content_html", &v, FEED_HTML_MAX);
	buf_release(&t);
	buf_init(&t, FEED_SANE_MAX);
	if (v.len) {
		html_sanitize(v.s, v.len, base, &t);
	} else {
		json_str(o, "content_text", &v, FEED_HTML_MAX);
		escape_html(v.s, v.len, &t, 0);
	}
	if (!t.toobig)
		slot_offer(&it->content, 0, t.s, t.len);
	/* JSON Feed's summary is plain text */
	json_str(o, "summary", &v, FEED_HTML_MAX);
	buf_reset(&t);
	escape_html(v.s, v.len, &t, 0);
	if (!t.toobig)
		slot_offer(&it->summary, 0, t.s, t.len);
	buf_release(&t);
	buf_init(&t, 0);
	for (i = 0; i < 2; i++) {
		json_str(o, i ? "date_modified" : "date_published", &v, FEED_TEXT_MAX);
		trim(v.s, v.len, &t);
		if (!t.len)
			continue;
		if (date_parse(t.s, &when) < 0) {
			buf_reset(&v);
			add_quoted(&v, t.s);
			warn(p, 0, "item %zu: cannot parse date '%s'", n, v.s);
		} else if (i) {
			it->updated = when;
		} else {
			it->published = when;
		}
	}
	/* authors (1.1) replaces author (1.0) */
	a = json_object_get(o, "authors");
	x = json_is_array(a) ? json_array_get(a, 0) : json_object_get(o, "author");
	if (json_is_object(x)) {
		json_str(x, "name", &v, FEED_TEXT_MAX);
		buf_reset(&t);
		plain_text(v.s, v.len, &t);
		slot_offer(&it->author, 0, t.s, t.len);
	}
	a = json_object_get(o, "tags");
	if (json_is_array(a)) {
		json_array_foreach(a, i, x) {
			if (json_is_string(x) && json_string_length(x) <= FEED_TEXT_MAX)
				item_add_category(it, json_string_value(x),
						  json_string_length(x));
		}
	}
	json_str(o, "language", &v, FEED_TEXT_MAX);
	trim(v.s, v.len, &t);
	slot_offer(&it->lang, 0, t.s, t.len);
	it->scope_lang = slot_str(&p->feed.lang);
	buf_release(&v);
	buf_release(&t);
	end_entry(p);
}

static int parse_json(struct parser *p, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *root, *items, *o;
	struct buf v = BUF_INIT, t = BUF_INIT;
	const char *version;
	size_t i;
	int ret = -1;

	root = json_loadb(data, len, 0, &jerr);
	if (!root) {
		fail(p, (unsigned long)(jerr.line > 0 ? jerr.line : 0),
		     "not a JSON Feed: %s", jerr.text);
		goto out;
	}
	version = json_string_value(json_object_get(root, "version"));
	if (!json_is_object(root) || !version ||
	    (strncmp(version, "https://jsonfeed.org/version/", 29) &&
	     strncmp(version, "http://jsonfeed.org/version/", 28))) {
		fail(p, 0, "JSON, but not a JSON Feed (no jsonfeed.org version)");
		goto out;
	}
	if (strcmp(version + strlen(version) - 2, "/1") &&
	    strcmp(version + strlen(version) - 4, "/1.1")) {
		buf_reset(&p->tmp2);
		add_quoted(&p->tmp2, version);
		warn(p, 0, "unknown JSON Feed version '%s', read as 1.1", p->tmp2.s);
	}
	p->info->format = FEED_FORMAT_JSON;
	json_str(root, "title", &v, FEED_TEXT_MAX);
	plain_text(v.s, v.len, &t);
	slot_offer(&p->feed.title, 0, t.s, t.len);
	json_str(root, "home_page_url", &v, FEED_TEXT_MAX);
	trim(v.s, v.len, &t);
	if (t.len) {
		buf_reset(&v);
		url_resolve(p->opt->base_url, t.s, &v);
		slot_offer(&p->feed.link, 0, v.s, v.len);
	}
	json_str(root, "language", &v, FEED_TEXT_MAX);
	trim(v.s, v.len, &t);
	slot_offer(&p->feed.lang, 0, t.s, t.len);
	sync_info(p);
	items = json_object_get(root, "items");
	if (items && !json_is_array(items))
		warn(p, 0, "'items' is not an array");
	if (json_is_array(items)) {
		json_array_foreach(items, i, o) {
			if (p->done)
				break;
			if (!json_is_object(o)) {
				warn(p, 0, "item %zu: not an object, skipped", i + 1);
				continue;
			}
			json_entry(p, o, i + 1);
		}
	}
	ret = p->failed ? -1 : 0;
out:
	json_decref(root);
	buf_release(&v);
	buf_release(&t);
	return ret;
}

/*
 * Entry points
 */

static void parser_init(struct parser *p, const struct feed_options *opt,
			feed_entry_fn fn, void *fn_data, struct feed_info *info,
			struct buf *err)
{
	static const struct feed_options none;

	memset(p, 0, sizeof(*p));
	p->opt = opt ? opt : &none;
	p->summary_chars = p->opt->summary_chars ? p->opt->summary_chars :
			   FEED_DEFAULT_SUMMARY;
	p->max_depth = p->opt->max_depth ? p->opt->max_depth : FEED_DEFAULT_DEPTH;
	p->fn = fn;
	p->fn_data = fn_data;
	p->info = info;
	p->err = err;
	buf_init(&p->xml_first, 0);
	/* tmp takes sanitised HTML, tmp2 short strings and summary_text */
	buf_init(&p->tmp, FEED_SANE_MAX);
	buf_init(&p->tmp2, 0);
	buf_init(&p->c.text, FEED_TEXT_MAX);
	buf_init(&p->c.name, 0);
	item_init(&p->feed);
	item_init(&p->entry);
	info->format = FEED_FORMAT_UNKNOWN;
	info->wellformed = 1;
	info->entries = 0;
}

static void parser_release(struct parser *p)
{
	size_t i;

	sync_info(p);
	for (i = 0; i < p->nstack; i++) {
		free(p->stack[i].own_base);
		free(p->stack[i].own_lang);
	}
	free(p->stack);
	free(p->root_lang);
	free(p->root_uri);
	item_release(&p->feed);
	item_release(&p->entry);
	buf_release(&p->xml_first);
	buf_release(&p->tmp);
	buf_release(&p->tmp2);
	buf_release(&p->c.text);
	buf_release(&p->c.name);
}

static const char *skip_bom_space(const char *s, size_t len)
{
	const char *end = s + len;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (s < end && strchr(" \t\r\n", *s) && *s)
		s++;
	return s;
}

void feed_info_init(struct feed_info *info)
{
	memset(info, 0, sizeof(*info));
	info->wellformed = 1;
	buf_init(&info->warnings, FEED_WARNINGS_MAX);
}

void feed_info_release(struct feed_info *info)
{
	free(info->title);
	free(info->link);
	free(info->language);
	buf_release(&info->warnings);
	feed_info_init(info);
}

int feed_parse(const char *data, size_t len, const struct feed_options *opt,
	       feed_entry_fn fn, void *fn_data, struct feed_info *info,
	       struct buf *err)
{
	struct parser p;
	struct source src;
	const char *s = data && len ? skip_bom_space(data, len) : NULL;
	int ret = -1;

	parser_init(&p, opt, fn, fn_data, info, err);
	memset(&src, 0, sizeof(src));
	buf_init(&src.out, 0);
	if (!s || s == data + len) {
		buf_addstr(err, "empty document");
		goto out;
	}
	if (*s == '{') {
		ret = parse_json(&p, s, len - (size_t)(s - data));
		goto out;
	}
	if (html_looks_like_page(data, len)) {
		buf_addstr(err, "an HTML page, not a feed");
		goto out;
	}
	src.head = data;
	src.head_len = len;
	ret = parse_xml(&p, &src);
out:
	buf_release(&src.out);
	parser_release(&p);
	return ret;
}

int feed_parse_file(FILE *in, size_t max_json, const struct feed_options *opt,
		    feed_entry_fn fn, void *fn_data, struct feed_info *info,
		    struct buf *err)
{
	struct parser p;
	struct source src;
	struct buf head = BUF_INIT;
	char *chunk = xmalloc(FEED_CHUNK);
	const char *s;
	size_t n;
	int ret = -1;

	parser_init(&p, opt, fn, fn_data, info, err);
	memset(&src, 0, sizeof(src));
	buf_init(&src.out, 0);
	if (!max_json)
		max_json = FEED_JSON_DEFAULT;

	/* the head decides what the document is; a JSON Feed is read whole */
	while (head.len < FEED_HEAD) {
		n = fread(chunk, 1, FEED_HEAD - head.len, in);
		if (!n)
			break;
		buf_add(&head, chunk, n);
	}
	if (ferror(in)) {
		buf_addf(err, "cannot read the document: %s", strerror(errno));
		goto out;
	}
	s = skip_bom_space(head.s, head.len);
	if (s == head.s + head.len) {
		buf_addstr(err, "empty document");
		goto out;
	}
	if (*s == '{') {
		if (head.len > max_json) {
			buf_addf(err, "JSON Feed larger than %zu bytes", max_json);
			goto out;
		}
		head.max = max_json;
		while ((n = fread(chunk, 1, FEED_CHUNK, in)) > 0) {
			if (buf_add(&head, chunk, n) < 0) {
				buf_addf(err, "JSON Feed larger than %zu bytes", max_json);
				goto out;
			}
		}
		if (ferror(in)) {
			buf_addf(err, "cannot read the document: %s", strerror(errno));
			goto out;
		}
		s = skip_bom_space(head.s, head.len);
		ret = parse_json(&p, s, head.len - (size_t)(s - head.s));
		goto out;
	}
	if (html_looks_like_page(head.s, head.len)) {
		buf_addstr(err, "an HTML page, not a feed");
		goto out;
	}
	src.head = head.s;
	src.head_len = head.len;
	src.fp = in;
	src.chunk = chunk;
	ret = parse_xml(&p, &src);
out:
	buf_release(&src.out);
	buf_release(&head);
	free(chunk);
	parser_release(&p);
	return ret;
}

const char *feed_format_name(enum feed_format format)
{
	switch (format) {
	case FEED_FORMAT_RSS09:
		return "rss0.9x";
	case FEED_FORMAT_RSS10:
		return "rss1.0";
	case FEED_FORMAT_RSS20:
		return "rss2.0";
	case FEED_FORMAT_ATOM03:
		return "atom0.3";
	case FEED_FORMAT_ATOM10:
		return "atom1.0";
	case FEED_FORMAT_JSON:
		return "json";
	case FEED_FORMAT_UNKNOWN:
		break;
	}
	return "unknown";
}
