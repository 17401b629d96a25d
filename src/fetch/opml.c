/*
 * OPML subscription lists: a streaming reader and a byte-stable writer.
 *
 * The reader takes OPML 1.0 and 2.0 and these habits of exporters in the
 * wild:
 *  - the xmlUrl attribute name in any case (`xmlurl`, `XMLURL`: OPML 1.0);
 *    the other attribute names are matched without case too;
 *  - `url` instead of xmlUrl on an outline with type="rss";
 *  - a feed outline with child outlines: the children are filed in the
 *    feed's folder, as if they were its siblings;
 *  - outlines of type "link" or "include" (links, and OPML files to include,
 *    which we never fetch) are skipped even when they carry an xmlUrl;
 *  - surrounding white space in attribute values is dropped;
 *  - our own `topics` attribute, the feed's topic hint: ids separated by
 *    commas or white space (opml_topics_normalize), written back as ids
 *    joined by single spaces.
 * It refuses:
 *  - anything libxml2 reports as an error (not well-formed, undeclared
 *    entities, bad namespaces): no recovery mode, so nothing is silently
 *    dropped;
 *  - a DOCTYPE that declares entities. OPML has no use for them, and libxml2
 *    expands entity references in attribute values without a size limit,
 *    in quadratic time, when they are read: a 350 kB file asking for 5 GB
 *    had not finished after a minute without this check;
 *  - an outline whose `topics` attribute is bad (an id with a character
 *    other than [a-z0-9-], too long, too many ids). Like an empty xmlUrl it
 *    does not fail the file: the outline reaches the caller's fn with
 *    topics_error set, and feeds import refuses that outline with its line,
 *    the rest of the batch going on. The outline is refused rather than
 *    imported without its hint so that the file's author sees the mistake
 *    and nothing is silently dropped, as for libxml2's errors above.
 * libxml2 runs without network access, without loading DTDs and without
 * substituting entities (no XML_PARSE_NOENT, DTDLOAD or HUGE), so an
 * external entity can never pull a local file into a title.
 */
#include "opml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/hash.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#include "buf.h"
#include "xalloc.h"

/* libxml2 2.12 made the error passed to structured handlers const. */
#if LIBXML_VERSION >= 21200
#define OPML_XMLERROR const xmlError
#else
#define OPML_XMLERROR xmlError
#endif

/* Bounds for one attribute value and for a folder path: far above any real
 * title or URL, far below libxml2's own 10 MB limit on attribute values. */
#define OPML_VALUE_MAX 65536
#define OPML_CATEGORY_MAX 65536

#define OPML_WS " \t\n\r"
/* What separates the ids of a topic hint, and what an id is made of. */
#define OPML_TOPIC_SEP OPML_WS ","
#define OPML_TOPIC_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

/* The attributes of one <outline>, reused from outline to outline. */
struct opml_attrs {
	struct buf xml_url;
	struct buf url;
	struct buf type;
	struct buf title;
	struct buf text;
	struct buf html_url;
	struct buf language;
	struct buf topics;
	int has_xml_url;        /* an xmlUrl attribute was present, maybe empty */
};

struct opml_reader {
	const char *path;
	xmlTextReaderPtr xr;
	size_t max_outlines;
	opml_feed_fn fn;
	void *data;
	struct buf *err;

	struct buf xml_error;   /* libxml2's first error message */
	unsigned long xml_error_line;
	int xml_failed;

	struct opml_attrs a;
	struct buf category;    /* folder path of the current outline */
	struct buf topics;      /* the current outline's normalised hint */
	struct buf topics_error;
	size_t *stack;          /* category lengths of the open outlines */
	size_t stack_nr, stack_alloc;

	size_t outlines;
	long feeds;
	int seen_root, seen_body, in_body;
};

/* A folder of the tree opml_write builds; children keep first appearance. */
struct opml_child {
	struct opml_folder *folder;     /* NULL: feeds[feed] */
	size_t feed;
};

struct opml_folder {
	char *name;
	struct opml_child *kids;
	size_t nr, alloc;
};

static void on_xml_error(void *data, OPML_XMLERROR *e);
static void add_prefix(struct opml_reader *r, unsigned long line);
static int fail(struct opml_reader *r, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_xml(struct opml_reader *r);
static unsigned long node_line(struct opml_reader *r);
static int has_entity_decls(struct opml_reader *r);
static void trim_into(struct buf *b, const char *s);
static int is_name(const xmlChar *name, const char *want);
static int read_attrs(struct opml_reader *r, unsigned long line);
static int add_folder(struct opml_reader *r, const char *name,
		      unsigned long line);
static int on_outline(struct opml_reader *r);
static int on_element(struct opml_reader *r);
static void on_end_element(struct opml_reader *r);
static void attrs_release(struct opml_attrs *a);
static int has_topic(const struct buf *ids, const char *id, size_t len);

static size_t utf8_len(const unsigned char *s, uint32_t *c);
static int xml_char_ok(uint32_t c);
static void clean_value(struct buf *out, const char *s);
static void escape_xml(struct buf *out, const char *s, int attr);
static int write_attr(xmlTextWriterPtr w, struct buf *tmp, const char *name,
		      const char *value);
static struct opml_folder *folder_child(struct opml_folder *f,
					const char *name);
static void folder_add_feed(struct opml_folder *root,
			    const struct opml_feed *feed, size_t i,
			    struct buf *tmp);
static void folder_free(struct opml_folder *f);
static int write_folder(xmlTextWriterPtr w, const struct opml_folder *f,
			const struct opml_feed *feeds, struct buf *tmp);
static int write_feed(xmlTextWriterPtr w, const struct opml_feed *feed,
		      struct buf *tmp);
static int write_doc(xmlTextWriterPtr w, const char *title,
		     const struct opml_folder *root,
		     const struct opml_feed *feeds, struct buf *tmp);

/*
 * Reading
 */

static void on_xml_error(void *data, OPML_XMLERROR *e)
{
	struct opml_reader *r = data;
	char *msg;

	/* Warnings (a relative namespace URI, say) do not make a file unusable. */
	if (!e || e->level < XML_ERR_ERROR || r->xml_failed)
		return;
	r->xml_failed = 1;
	r->xml_error_line = e->line > 0 ? (unsigned long)e->line : 0;
	trim_into(&r->xml_error, e->message ? e->message : "");
	msg = xstrdup(r->xml_error.len ? r->xml_error.s : "parse error");
	buf_reset(&r->xml_error);
	buf_addsanitized(&r->xml_error, msg);
	free(msg);
}

static void add_prefix(struct opml_reader *r, unsigned long line)
{
	buf_addf(r->err, "cannot parse '%s': ", r->path);
	if (line)
		buf_addf(r->err, "line %lu: ", line);
}

static int fail(struct opml_reader *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	add_prefix(r, line);
	va_start(ap, fmt);
	buf_vaddf(r->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_xml(struct opml_reader *r)
{
	if (!r->xml_failed)
		return fail(r, (unsigned long)xmlTextReaderGetParserLineNumber(r->xr),
			    "read error");
	return fail(r, r->xml_error_line, "%s", r->xml_error.s);
}

/*
 * The parser runs up to a chunk ahead of the node the reader is on, so its
 * line number can be a few lines late; the node's own line is exact but
 * stored in 16 bits, so past line 65534 the parser's is the better guess.
 */
static unsigned long node_line(struct opml_reader *r)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(r->xr);
	long line = node ? xmlGetLineNo(node) : -1;

	if (line > 0 && line < 65535)
		return (unsigned long)line;
	line = xmlTextReaderGetParserLineNumber(r->xr);
	return line > 0 ? (unsigned long)line : 0;
}

static int has_entity_decls(struct opml_reader *r)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(r->xr);
	xmlDtdPtr dtd;

	if (!node || !node->doc || !node->doc->intSubset)
		return 0;
	dtd = node->doc->intSubset;
	return (dtd->entities && xmlHashSize(dtd->entities) > 0) ||
	       (dtd->pentities && xmlHashSize(dtd->pentities) > 0);
}

static void trim_into(struct buf *b, const char *s)
{
	size_t len;

	buf_reset(b);
	s += strspn(s, OPML_WS);
	len = strlen(s);
	while (len && strchr(OPML_WS, s[len - 1]))
		len--;
	buf_add(b, s, len);
}

static int is_name(const xmlChar *name, const char *want)
{
	return name && !strcasecmp((const char *)name, want);
}

static int read_attrs(struct opml_reader *r, unsigned long line)
{
	struct opml_attrs *a = &r->a;
	int more = xmlTextReaderMoveToFirstAttribute(r->xr);
	int ret = 0;

	buf_reset(&a->xml_url);
	buf_reset(&a->url);
	buf_reset(&a->type);
	buf_reset(&a->title);
	buf_reset(&a->text);
	buf_reset(&a->html_url);
	buf_reset(&a->language);
	buf_reset(&a->topics);
	a->has_xml_url = 0;

	while (more == 1) {
		const xmlChar *name = xmlTextReaderConstName(r->xr);
		struct buf *dst = NULL;
		xmlChar *value;

		if (is_name(name, "xmlUrl")) {
			dst = &a->xml_url;
			a->has_xml_url = 1;
		} else if (is_name(name, "url")) {
			dst = &a->url;
		} else if (is_name(name, "type")) {
			dst = &a->type;
		} else if (is_name(name, "title")) {
			dst = &a->title;
		} else if (is_name(name, "text")) {
			dst = &a->text;
		} else if (is_name(name, "htmlUrl")) {
			dst = &a->html_url;
		} else if (is_name(name, "language")) {
			dst = &a->language;
		} else if (is_name(name, "topics")) {
			dst = &a->topics;
		}
		/* First non-empty wins when case variants repeat a name. */
		if (dst && !dst->len) {
			value = xmlTextReaderValue(r->xr);
			if (value)
				trim_into(dst, (const char *)value);
			xmlFree(value);
			if (dst->toobig) {
				ret = fail(r, line, "'%s' attribute longer than %d bytes",
					   (const char *)name, OPML_VALUE_MAX);
				break;
			}
		}
		more = xmlTextReaderMoveToNextAttribute(r->xr);
	}
	xmlTextReaderMoveToElement(r->xr);
	if (!ret && more < 0)
		ret = fail_xml(r);
	return ret;
}

/* Folder names are escaped so that '/' can join them into one string. */
static int add_folder(struct opml_reader *r, const char *name,
		      unsigned long line)
{
	const char *p;

	if (!*name)
		return 0;
	if (r->category.len)
		buf_addch(&r->category, '/');
	for (p = name; *p; p++) {
		if (*p == '/' || *p == '\\')
			buf_addch(&r->category, '\\');
		buf_addch(&r->category, *p);
	}
	if (r->category.toobig)
		return fail(r, line, "folder path longer than %d bytes",
			    OPML_CATEGORY_MAX);
	return 0;
}

static int on_outline(struct opml_reader *r)
{
	struct opml_attrs *a = &r->a;
	int empty = xmlTextReaderIsEmptyElement(r->xr);
	unsigned long line = node_line(r);
	const char *type, *xml_url = NULL;
	struct opml_feed feed;
	size_t mark, reason;

	if (++r->outlines > r->max_outlines)
		return fail(r, line, "more than %zu outlines (raise [fetch] max_feeds)",
			    r->max_outlines);
	if (!r->in_body)
		return 0;
	if (read_attrs(r, line) < 0)
		return -1;
	if (!empty) {
		xgrow(&r->stack, &r->stack_alloc, r->stack_nr + 1,
		      sizeof(*r->stack));
		r->stack[r->stack_nr++] = r->category.len;
	}

	type = a->type.s;
	if (!strcasecmp(type, "link") || !strcasecmp(type, "include"))
		return 0;
	if (a->has_xml_url) {
		/* an empty xmlUrl is still a feed entry: the caller rejects it
		 * with the rest of the bad URLs instead of failing the file */
		xml_url = a->xml_url.s;
	} else if (!strcasecmp(type, "rss") && a->url.len) {
		xml_url = a->url.s;
	}

	if (!xml_url) {
		if (empty)
			return 0;
		return add_folder(r, a->title.len ? a->title.s : a->text.s, line);
	}

	feed.xml_url = xml_url;
	feed.html_url = a->html_url.len ? a->html_url.s : NULL;
	/* the writer puts the URL in `text` of an untitled feed (OPML 2.0
	 * requires text): read that back as no title */
	feed.title = a->title.len ? a->title.s :
		     a->text.len && strcmp(a->text.s, xml_url) ? a->text.s : NULL;
	feed.language = a->language.len ? a->language.s : NULL;
	feed.topics = NULL;
	feed.topics_error = NULL;
	buf_reset(&r->topics_error);
	if (opml_topics_normalize(a->topics.s, &r->topics, &r->topics_error) < 0)
		feed.topics_error = r->topics_error.s;
	else if (r->topics.len)
		feed.topics = r->topics.s;
	feed.category = r->category.s;
	feed.line = line;
	r->feeds++;

	/* fn appends only its reason: the prefix is added before the call and
	 * taken back when fn succeeds. */
	mark = r->err->len;
	add_prefix(r, line);
	reason = r->err->len;
	if (r->fn && r->fn(&feed, r->data, r->err)) {
		if (r->err->len == reason)
			buf_addstr(r->err, "stopped by the caller");
		return -1;
	}
	buf_setlen(r->err, mark);
	return 0;
}

static int on_element(struct opml_reader *r)
{
	const xmlChar *name = xmlTextReaderConstName(r->xr);
	int depth = xmlTextReaderDepth(r->xr);

	if (!name)
		return 0;
	if (!r->seen_root) {
		r->seen_root = 1;
		if (has_entity_decls(r))
			return fail(r, node_line(r),
				    "entity declarations are not allowed in OPML");
		if (strcmp((const char *)name, "opml")) {
			add_prefix(r, node_line(r));
			buf_addstr(r->err, "root element is <");
			buf_addsanitized(r->err, (const char *)name);
			buf_addstr(r->err, ">, not <opml>");
			return -1;
		}
		return 0;
	}
	if (depth == 1 && !strcmp((const char *)name, "body")) {
		r->seen_body = 1;
		r->in_body = !xmlTextReaderIsEmptyElement(r->xr);
		return 0;
	}
	if (!strcmp((const char *)name, "outline"))
		return on_outline(r);
	return 0;
}

static void on_end_element(struct opml_reader *r)
{
	const xmlChar *name = xmlTextReaderConstName(r->xr);

	if (!name)
		return;
	if (r->in_body && !strcmp((const char *)name, "outline")) {
		if (r->stack_nr)
			buf_setlen(&r->category, r->stack[--r->stack_nr]);
	} else if (xmlTextReaderDepth(r->xr) == 1 &&
		   !strcmp((const char *)name, "body")) {
		r->in_body = 0;
	}
}

static void attrs_release(struct opml_attrs *a)
{
	buf_release(&a->xml_url);
	buf_release(&a->url);
	buf_release(&a->type);
	buf_release(&a->title);
	buf_release(&a->text);
	buf_release(&a->html_url);
	buf_release(&a->language);
	buf_release(&a->topics);
}

long opml_parse_file(const char *path, size_t max_outlines, opml_feed_fn fn,
		     void *data, struct buf *err)
{
	struct opml_reader r;
	struct stat st;
	long ret = -1;
	int type, rd, fd = -1;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.max_outlines = max_outlines;
	r.fn = fn;
	r.data = data;
	r.err = err;
	buf_init(&r.xml_error, 0);
	buf_init(&r.a.xml_url, OPML_VALUE_MAX);
	buf_init(&r.a.url, OPML_VALUE_MAX);
	buf_init(&r.a.type, OPML_VALUE_MAX);
	buf_init(&r.a.title, OPML_VALUE_MAX);
	buf_init(&r.a.text, OPML_VALUE_MAX);
	buf_init(&r.a.html_url, OPML_VALUE_MAX);
	buf_init(&r.a.language, OPML_VALUE_MAX);
	buf_init(&r.a.topics, OPML_VALUE_MAX);
	buf_init(&r.topics, 0);
	buf_init(&r.topics_error, 0);
	buf_init(&r.category, OPML_CATEGORY_MAX);

	/*
	 * Not xmlReaderForFile: libxml2 reports a missing file or a directory
	 * only through its global handler, on stderr. Opened here, the file
	 * gets our own message, and the reader only ever sees a regular file.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st)) {
		buf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_addf(err, "cannot open '%s': not a regular file", path);
		goto out;
	}
	if (!st.st_size) {
		fail(&r, 0, "empty file");
		goto out;
	}
	r.xr = xmlReaderForFd(fd, path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!r.xr)
		xdie_oom();
	xmlTextReaderSetStructuredErrorHandler(r.xr, on_xml_error, &r);

	for (;;) {
		rd = xmlTextReaderRead(r.xr);
		if (rd < 0 || r.xml_failed) {
			fail_xml(&r);
			goto out;
		}
		if (rd == 0)
			break;
		type = xmlTextReaderNodeType(r.xr);
		if (type == XML_READER_TYPE_ELEMENT) {
			if (on_element(&r) < 0)
				goto out;
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			on_end_element(&r);
		}
	}
	if (!r.seen_root) {
		fail(&r, 0, "no root element");
		goto out;
	}
	if (!r.seen_body) {
		fail(&r, 0, "no <body> element");
		goto out;
	}
	if (!r.feeds) {
		fail(&r, 0, "no feed outlines (outlines with an xmlUrl)");
		goto out;
	}
	ret = r.feeds;
out:
	if (r.xr)
		xmlFreeTextReader(r.xr);
	if (fd >= 0)
		close(fd);
	attrs_release(&r.a);
	buf_release(&r.category);
	buf_release(&r.topics);
	buf_release(&r.topics_error);
	buf_release(&r.xml_error);
	free(r.stack);
	return ret;
}

/*
 * Topic hints
 */

static int has_topic(const struct buf *ids, const char *id, size_t len)
{
	const char *p = ids->s;
	size_t k;

	while (*p) {
		k = strcspn(p, " ");
		if (k == len && !memcmp(p, id, len))
			return 1;
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}

int opml_topics_normalize(const char *value, struct buf *out, struct buf *err)
{
	const char *p = value ? value : "";
	char id[OPML_TOPIC_ID_MAX + 1];
	size_t len;
	int n = 0;

	buf_reset(out);
	for (;;) {
		p += strspn(p, OPML_TOPIC_SEP);
		if (!*p)
			break;
		len = strcspn(p, OPML_TOPIC_SEP);
		/* the length first: an id quoted in a message is then short */
		if (len > OPML_TOPIC_ID_MAX) {
			buf_addf(err, "a topic id is longer than %d bytes",
				 OPML_TOPIC_ID_MAX);
			goto fail;
		}
		memcpy(id, p, len);
		id[len] = '\0';
		if (strspn(id, OPML_TOPIC_CHARS) != len) {
			buf_addstr(err, "topic id '");
			buf_addsanitized(err, id);
			buf_addstr(err, "' has a character other than a-z, 0-9 and '-'");
			goto fail;
		}
		p += len;
		/* a repeated id would only double the curator's bonus */
		if (has_topic(out, id, len))
			continue;
		if (++n > OPML_TOPICS_MAX) {
			buf_addf(err, "more than %d topic ids", OPML_TOPICS_MAX);
			goto fail;
		}
		if (out->len)
			buf_addch(out, ' ');
		buf_add(out, id, len);
	}
	return n;
fail:
	buf_reset(out);
	return -1;
}

/*
 * Writing
 *
 * Values are cleaned the way the reader would see them (valid UTF-8 without
 * the control characters XML forbids, surrounding white space dropped) and
 * escaped by hand: libxml2's writer turns every non-ASCII character of an
 * attribute into a character reference when it has no document, and French
 * titles should stay readable in a file people edit.
 */

/* Length of the well-formed UTF-8 sequence at s, its character in *c; 0 for
 * a byte that starts none. */
static size_t utf8_len(const unsigned char *s, uint32_t *c)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*c = (*c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && *c < 0x800) || (n == 4 && (*c < 0x10000 || *c > 0x10ffff)) ||
	    (*c >= 0xd800 && *c <= 0xdfff))
		return 0;
	return n;
}

/* The characters XML 1.0 allows (its Char production). */
static int xml_char_ok(uint32_t c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n' || c == '\r';
	return c != 0xfffe && c != 0xffff;
}

/* A byte that starts no character, and a character XML forbids, each
 * become one U+FFFD. */
static void clean_value(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf tmp = BUF_INIT;
	uint32_t c;
	size_t n;

	while (*p) {
		n = utf8_len(p, &c);
		if (n && xml_char_ok(c))
			buf_add(&tmp, p, n);
		else
			buf_addstr(&tmp, "\xef\xbf\xbd");
		p += n ? n : 1;
	}
	trim_into(out, tmp.s);
	buf_release(&tmp);
}

static void escape_xml(struct buf *out, const char *s, int attr)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_addstr(out, "&amp;");
			break;
		case '<':
			buf_addstr(out, "&lt;");
			break;
		case '>':
			buf_addstr(out, "&gt;");
			break;
		case '"':
			buf_addstr(out, attr ? "&quot;" : "\"");
			break;
		case '\r':
			buf_addstr(out, "&#13;");
			break;
		case '\t':
			buf_addstr(out, attr ? "&#9;" : "\t");
			break;
		case '\n':
			buf_addstr(out, attr ? "&#10;" : "\n");
			break;
		default:
			buf_addch(out, *s);
		}
	}
}

/* tmp is scratch space, reused to spare an allocation per value. */
static int write_attr(xmlTextWriterPtr w, struct buf *tmp, const char *name,
		      const char *value)
{
	struct buf esc = BUF_INIT;
	int ret = 0;

	clean_value(tmp, value);
	escape_xml(&esc, tmp->s, 1);
	if (xmlTextWriterStartAttribute(w, BAD_CAST name) < 0 ||
	    xmlTextWriterWriteRaw(w, BAD_CAST esc.s) < 0 ||
	    xmlTextWriterEndAttribute(w) < 0)
		ret = -1;
	buf_release(&esc);
	return ret;
}

static struct opml_folder *folder_child(struct opml_folder *f,
					const char *name)
{
	struct opml_folder *sub;
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (f->kids[i].folder && !strcmp(f->kids[i].folder->name, name))
			return f->kids[i].folder;
	sub = xcalloc(1, sizeof(*sub));
	sub->name = xstrdup(name);
	xgrow(&f->kids, &f->alloc, f->nr + 1, sizeof(*f->kids));
	f->kids[f->nr].folder = sub;
	f->kids[f->nr].feed = 0;
	f->nr++;
	return sub;
}

/* Split the category on unescaped '/'; names are cleaned as the reader
 * would see them, and empty names add no folder, as in the reader. */
static void folder_add_feed(struct opml_folder *root,
			    const struct opml_feed *feed, size_t i,
			    struct buf *tmp)
{
	struct opml_folder *f = root;
	struct buf name = BUF_INIT;
	const char *p = feed->category ? feed->category : "";

	for (;;) {
		if (*p == '\\' && p[1]) {
			buf_addch(&name, p[1]);
			p += 2;
			continue;
		}
		if (*p && *p != '/') {
			buf_addch(&name, *p++);
			continue;
		}
		clean_value(tmp, name.s);
		if (tmp->len)
			f = folder_child(f, tmp->s);
		buf_reset(&name);
		if (!*p)
			break;
		p++;
	}
	buf_release(&name);
	xgrow(&f->kids, &f->alloc, f->nr + 1, sizeof(*f->kids));
	f->kids[f->nr].folder = NULL;
	f->kids[f->nr].feed = i;
	f->nr++;
}

static void folder_free(struct opml_folder *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++) {
		if (f->kids[i].folder) {
			folder_free(f->kids[i].folder);
			free(f->kids[i].folder);
		}
	}
	free(f->kids);
	free(f->name);
}

static int write_feed(xmlTextWriterPtr w, const struct opml_feed *feed,
		      struct buf *tmp)
{
	struct buf url = BUF_INIT, title = BUF_INIT, topics = BUF_INIT;
	int ret = -1;

	clean_value(&url, feed->xml_url);
	clean_value(&title, feed->title ? feed->title : "");
	/* A title equal to the URL reads back from text="URL" alone: leaving
	 * it out keeps a second write identical to the first. */
	if (!strcmp(title.s, url.s))
		buf_reset(&title);
	if (xmlTextWriterStartElement(w, BAD_CAST "outline") < 0 ||
	    write_attr(w, tmp, "type", "rss") < 0 ||
	    write_attr(w, tmp, "text", title.len ? title.s : url.s) < 0)
		goto out;
	if (title.len && write_attr(w, tmp, "title", title.s) < 0)
		goto out;
	if (write_attr(w, tmp, "xmlUrl", url.s) < 0)
		goto out;
	clean_value(tmp, feed->html_url ? feed->html_url : "");
	if (tmp->len && write_attr(w, tmp, "htmlUrl", feed->html_url) < 0)
		goto out;
	clean_value(tmp, feed->language ? feed->language : "");
	if (tmp->len && write_attr(w, tmp, "language", feed->language) < 0)
		goto out;
	/* opml_write refused bad hints before writing anything: this does
	 * not fail (tmp, scratch space, would take the reason) */
	if (opml_topics_normalize(feed->topics, &topics, tmp) < 0)
		goto out;
	if (topics.len && write_attr(w, tmp, "topics", topics.s) < 0)
		goto out;
	if (xmlTextWriterEndElement(w) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&url);
	buf_release(&title);
	buf_release(&topics);
	return ret;
}

static int write_folder(xmlTextWriterPtr w, const struct opml_folder *f,
			const struct opml_feed *feeds, struct buf *tmp)
{
	const struct opml_child *c;
	size_t i;

	for (i = 0; i < f->nr; i++) {
		c = &f->kids[i];
		if (!c->folder) {
			if (write_feed(w, &feeds[c->feed], tmp) < 0)
				return -1;
			continue;
		}
		if (xmlTextWriterStartElement(w, BAD_CAST "outline") < 0 ||
		    write_attr(w, tmp, "text", c->folder->name) < 0 ||
		    write_attr(w, tmp, "title", c->folder->name) < 0 ||
		    write_folder(w, c->folder, feeds, tmp) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	return 0;
}

static int write_doc(xmlTextWriterPtr w, const char *title,
		     const struct opml_folder *root,
		     const struct opml_feed *feeds, struct buf *tmp)
{
	struct buf esc = BUF_INIT;
	int ret = -1;

	clean_value(tmp, title ? title : "");
	escape_xml(&esc, tmp->s, 0);
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "opml") < 0 ||
	    write_attr(w, tmp, "version", "2.0") < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "head") < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "title") < 0)
		goto out;
	if (esc.len && xmlTextWriterWriteRaw(w, BAD_CAST esc.s) < 0)
		goto out;
	if (xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "body") < 0 ||
	    write_folder(w, root, feeds, tmp) < 0 ||
	    xmlTextWriterEndDocument(w) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&esc);
	return ret;
}

int opml_write(FILE *out, const char *title, const struct opml_feed *feeds,
	       size_t n, struct buf *err)
{
	struct opml_folder root;
	struct buf tmp = BUF_INIT, topics = BUF_INIT, reason = BUF_INIT;
	xmlBufferPtr xb = NULL;
	xmlTextWriterPtr w = NULL;
	size_t i, len;
	int ret = -1;

	memset(&root, 0, sizeof(root));
	for (i = 0; i < n; i++) {
		clean_value(&tmp, feeds[i].xml_url ? feeds[i].xml_url : "");
		if (!tmp.len) {
			buf_addf(err, "cannot write OPML: feed %zu has no xmlUrl", i + 1);
			goto out;
		}
		/* the same check as the reader's, so that what is written can
		 * be read back: a hint the reader would refuse is not written */
		buf_reset(&reason);
		if (opml_topics_normalize(feeds[i].topics, &topics, &reason) < 0) {
			buf_addf(err, "cannot write OPML: feed %zu '", i + 1);
			buf_addsanitized(err, tmp.s);
			buf_addf(err, "': %s", reason.s);
			goto out;
		}
		folder_add_feed(&root, &feeds[i], i, &tmp);
	}

	xb = xmlBufferCreate();
	if (!xb)
		xdie_oom();
	w = xmlNewTextWriterMemory(xb, 0);
	if (!w)
		xdie_oom();
	if (write_doc(w, title, &root, feeds, &tmp) < 0) {
		buf_addstr(err, "cannot write OPML: libxml2's writer failed");
		goto out;
	}
	/* Freeing the writer flushes what it still holds into xb. */
	xmlFreeTextWriter(w);
	w = NULL;

	len = (size_t)xmlBufferLength(xb);
	errno = 0;
	if (fwrite(xmlBufferContent(xb), 1, len, out) != len || fflush(out) ||
	    ferror(out)) {
		buf_addf(err, "cannot write OPML: %s",
			 errno ? strerror(errno) : "write error");
		goto out;
	}
	ret = 0;
out:
	if (w)
		xmlFreeTextWriter(w);
	if (xb)
		xmlBufferFree(xb);
	folder_free(&root);
	buf_release(&tmp);
	buf_release(&topics);
	buf_release(&reason);
	return ret;
}
