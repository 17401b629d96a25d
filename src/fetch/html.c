/*
 * Untrusted HTML from feeds and web pages: an allow-list sanitiser, a
 * plain-text excerpt, feed discovery and a page sniffer.
 *
 * Parsing is libxml2's HTML 4 parser in recovery mode; we walk the tree
 * ourselves and serialise ourselves, so nothing the parser keeps (comments,
 * processing instructions, unknown attributes, odd names) can reach the
 * output unless it is on an allow-list. Limits and known gaps:
 *  - libxml2 knows the HTML 4 entities only: `&nbsp;`, `&eacute;` and the
 *    numeric references are decoded, HTML 5 additions such as `&colon;`
 *    stay literal text (and are escaped again on output, which is safe);
 *  - libxml2 stops at 256 levels of nesting and drops the rest of the
 *    input: deeper documents come out cut, never crash us;
 *  - libxml2 2.9 lets bytes that are not UTF-8 through into the tree, so
 *    every string we emit is checked again (invalid bytes become U+FFFD in
 *    HTML, and are dropped from plain text);
 *  - inputs of 2 GB or more are refused (libxml2 takes an int size) and
 *    give an empty result.
 * The tree is walked without recursion: a crafted page must not be able to
 * choose our stack depth. We never call xmlNodeGetContent() (entity
 * references can make it expand without limit); only TEXT and CDATA nodes
 * are read, and we never descend into anything but elements.
 */
#include "html.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "css.h"
#include "xalloc.h"
#include "xmlquiet.h"

/*
 * Fragments are parsed inside an element of our own: text before the first
 * tag then stays where it is (libxml2 would otherwise wrap it in a <p>),
 * and, unlike a <div>, a stray `</div>` in the input cannot close it.
 * Unknown elements are unwrapped, so the wrapper never reaches the output.
 */
#define HTML_WRAPPER "<newsdigest-fragment>"

#define HTML_OPTS (HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
		   HTML_PARSE_NONET | HTML_PARSE_COMPACT)

/* Feed item content is UTF-8 by contract: a <meta charset> inside it is
 * a leftover from the page it was cut from and must not switch encoding.
 * Whole pages keep their <meta charset>, and get the implied html, head
 * and body elements: without them libxml2 2.9 nests the elements that
 * follow a void element at the top level (a <link>) inside it. */
enum parse_mode {
	PARSE_FRAGMENT,
	PARSE_PAGE,
};

enum attr_kind {
	ATTR_TEXT,
	ATTR_URL,
	ATTR_NUM,
	ATTR_STYLE,
};

struct allowed_attr {
	const char *elem;
	const char *attr;
	enum attr_kind kind;
};

/* Walker callbacks: enter returns 1 to visit the children (leave is then
 * called after them), 0 to skip them. */
typedef int (*walk_enter_fn)(xmlNodePtr n, void *data);
typedef void (*walk_leave_fn)(xmlNodePtr n, void *data);

struct sanitizer {
	struct buf *out;
	const char *base;
	struct buf val;         /* attribute value, reused */
	struct buf url;         /* cleaned URL or filtered style, reused */
};

/* Plain-text accumulator: white space collapsed, controls dropped. */
struct text {
	struct buf s;
	size_t nchars;          /* code points in s */
	size_t stop;            /* stop after this many code points; 0: never */
	int pending_space;
	int full;               /* reached stop: there was more text */
};

struct feed_scan {
	int have_base;
	struct buf base_href;
	struct html_feed_link *links;
	size_t n, alloc;
	const char *base;       /* effective base, set between the two walks */
	struct buf val, url;
};

static htmlDocPtr parse_html(const char *data, size_t len, enum parse_mode mode);
static void walk(xmlNodePtr top, walk_enter_fn enter, walk_leave_fn leave, void *data);
static int cmp_name(const void *key, const void *elem);
static int in_list(const char *name, const char *const *list, size_t n);
#define LIST(a) (a), sizeof(a) / sizeof((a)[0])
static int is_element(xmlNodePtr n, const char *name);
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
static int is_space_cp(uint32_t cp);
static int is_control_cp(uint32_t cp);
static void add_escaped(struct buf *out, const char *s, int in_attr);
static void attr_value(xmlAttrPtr a, struct buf *v);
static size_t scheme_len(const char *s);
static int scheme_allowed(const char *s, int http_only);
static int clean_url(const char *raw, const char *base, struct buf *out);
static int is_number(const char *s);
static const struct allowed_attr *find_attr(const char *elem, const char *attr);
static void emit_start_tag(struct sanitizer *z, xmlNodePtr n, const char *name);
static int sanitize_enter(xmlNodePtr n, void *data);
static void sanitize_leave(xmlNodePtr n, void *data);
static void text_init(struct text *t, size_t stop);
static void text_feed(struct text *t, const char *s);
static void text_space(struct text *t);
static void text_truncate(struct text *t, size_t max_chars, struct buf *out);
static int text_enter(xmlNodePtr n, void *data);
static void text_leave(xmlNodePtr n, void *data);
static int has_token(const char *list, const char *token);
static int feed_type(const char *raw, struct buf *type);
static int base_enter(xmlNodePtr n, void *data);
static int links_enter(xmlNodePtr n, void *data);
static int skip_prefix(const char *p, const char *end, const char *word);
static const char *find(const char *p, const char *end, const char *what);

/* Every name list below is sorted and lower case: in_list bisects it. */

/* Dropped with everything inside: active content, forms, foreign
 * content (SVG and MathML can carry scripts and links of their own) and
 * the parts of a page that are not its body. Not <embed>: libxml2 2.9
 * does not know it is a void element and nests everything after it
 * inside it, so it is unwrapped like an unknown element (its attributes
 * go, what follows it stays). Not <object> either: feeds leave it
 * unclosed as often as not, and then all that follows is inside it;
 * unwrapped, it loses its attributes (the plugin and its data), its
 * <param>s are unknown elements, and what is left is its fallback
 * content, sanitised like the rest. */
static const char *const drop_elems[] = {
	"applet", "base", "button", "form", "frame", "frameset", "head",
	"iframe", "input", "link", "math", "meta", "noscript", "script",
	"select", "style", "svg", "template", "textarea", "title"
};

/* Text, structure and presentation, old and new; nothing interactive
 * (forms, <details> toggles stay as plain blocks), nothing that loads
 * media (audio, video, canvas, source: their fallback content stays). */
static const char *const allowed_elems[] = {
	"a", "abbr", "acronym", "address", "area", "article", "aside", "b",
	"bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite",
	"code", "col", "colgroup", "datagrid", "dd", "del", "details", "dfn",
	"dialog", "dir", "div", "dl", "dt", "em", "fieldset", "figcaption",
	"figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
	"header", "hgroup", "hr", "i", "img", "ins", "kbd", "label", "legend",
	"li", "m", "main", "map", "mark", "menu", "meter", "multicol", "nav",
	"nextid", "nobr", "ol", "output", "p", "pre", "progress", "q", "rp",
	"rt", "ruby", "s", "samp", "section", "small", "spacer", "span",
	"strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
	"tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr"
};

static const char *const void_elems[] = {
	"area", "br", "col", "hr", "img", "wbr"
};

static const struct allowed_attr element_attrs[] = {
	{ "a", "href", ATTR_URL },
	{ "img", "src", ATTR_URL },
	{ "blockquote", "cite", ATTR_URL },
	{ "q", "cite", ATTR_URL },
	{ "del", "cite", ATTR_URL },
	{ "ins", "cite", ATTR_URL },
	{ "area", "href", ATTR_URL },
	{ NULL, NULL, ATTR_TEXT }
};

/* Sorted by name (strcmp order) for bsearch.
 * Harmless on any element: presentation, structure, accessibility
	 * and form-control state (inert here, since forms are dropped). No
	 * URL (background, dynsrc, lowsrc, longdesc, ping, poster and the
	 * like load or send something, so they are not here), no script
	 * (on*), and style only through css_filter_style. */
static const struct allowed_attr global_attrs[] = {
	{ "*", "abbr", ATTR_TEXT },
	{ "*", "accept", ATTR_TEXT },
	{ "*", "accept-charset", ATTR_TEXT },
	{ "*", "accesskey", ATTR_TEXT },
	{ "*", "align", ATTR_TEXT },
	{ "*", "alt", ATTR_TEXT },
	{ "*", "autocomplete", ATTR_TEXT },
	{ "*", "autofocus", ATTR_TEXT },
	{ "*", "axis", ATTR_TEXT },
	{ "*", "balance", ATTR_TEXT },
	{ "*", "bgcolor", ATTR_TEXT },
	{ "*", "bgproperties", ATTR_TEXT },
	{ "*", "border", ATTR_NUM },
	{ "*", "bordercolor", ATTR_TEXT },
	{ "*", "bordercolordark", ATTR_TEXT },
	{ "*", "bordercolorlight", ATTR_TEXT },
	{ "*", "bottompadding", ATTR_TEXT },
	{ "*", "cellpadding", ATTR_NUM },
	{ "*", "cellspacing", ATTR_NUM },
	{ "*", "ch", ATTR_TEXT },
	{ "*", "challenge", ATTR_TEXT },
	{ "*", "char", ATTR_TEXT },
	{ "*", "charoff", ATTR_TEXT },
	{ "*", "charset", ATTR_TEXT },
	{ "*", "checked", ATTR_TEXT },
	{ "*", "choff", ATTR_TEXT },
	{ "*", "class", ATTR_TEXT },
	{ "*", "clear", ATTR_TEXT },
	{ "*", "color", ATTR_TEXT },
	{ "*", "cols", ATTR_TEXT },
	{ "*", "colspan", ATTR_NUM },
	{ "*", "compact", ATTR_TEXT },
	{ "*", "contenteditable", ATTR_TEXT },
	{ "*", "coords", ATTR_TEXT },
	{ "*", "datafld", ATTR_TEXT },
	{ "*", "datapagesize", ATTR_TEXT },
	{ "*", "datetime", ATTR_TEXT },
	{ "*", "default", ATTR_TEXT },
	{ "*", "delay", ATTR_TEXT },
	{ "*", "dir", ATTR_TEXT },
	{ "*", "disabled", ATTR_TEXT },
	{ "*", "draggable", ATTR_TEXT },
	{ "*", "enctype", ATTR_TEXT },
	{ "*", "end", ATTR_TEXT },
	{ "*", "face", ATTR_TEXT },
	{ "*", "for", ATTR_TEXT },
	{ "*", "form", ATTR_TEXT },
	{ "*", "frame", ATTR_TEXT },
	{ "*", "galleryimg", ATTR_TEXT },
	{ "*", "gutter", ATTR_TEXT },
	{ "*", "headers", ATTR_TEXT },
	{ "*", "height", ATTR_NUM },
	{ "*", "hidden", ATTR_TEXT },
	{ "*", "hidefocus", ATTR_TEXT },
	{ "*", "high", ATTR_TEXT },
	{ "*", "hreflang", ATTR_TEXT },
	{ "*", "hspace", ATTR_NUM },
	{ "*", "id", ATTR_TEXT },
	{ "*", "inputmode", ATTR_TEXT },
	{ "*", "ismap", ATTR_TEXT },
	{ "*", "keytype", ATTR_TEXT },
	{ "*", "label", ATTR_TEXT },
	{ "*", "lang", ATTR_TEXT },
	{ "*", "leftspacing", ATTR_TEXT },
	{ "*", "list", ATTR_TEXT },
	{ "*", "loop", ATTR_TEXT },
	{ "*", "loopcount", ATTR_TEXT },
	{ "*", "loopend", ATTR_TEXT },
	{ "*", "loopstart", ATTR_TEXT },
	{ "*", "low", ATTR_TEXT },
	{ "*", "max", ATTR_TEXT },
	{ "*", "maxlength", ATTR_TEXT },
	{ "*", "media", ATTR_TEXT },
	{ "*", "method", ATTR_TEXT },
	{ "*", "min", ATTR_TEXT },
	{ "*", "multiple", ATTR_TEXT },
	{ "*", "name", ATTR_TEXT },
	{ "*", "nohref", ATTR_TEXT },
	{ "*", "noshade", ATTR_TEXT },
	{ "*", "nowrap", ATTR_TEXT },
	{ "*", "open", ATTR_TEXT },
	{ "*", "optimum", ATTR_TEXT },
	{ "*", "pattern", ATTR_TEXT },
	{ "*", "point-size", ATTR_TEXT },
	{ "*", "pqg", ATTR_TEXT },
	{ "*", "preload", ATTR_TEXT },
	{ "*", "prompt", ATTR_TEXT },
	{ "*", "radiogroup", ATTR_TEXT },
	{ "*", "readonly", ATTR_TEXT },
	{ "*", "rel", ATTR_TEXT },
	{ "*", "repeat-max", ATTR_TEXT },
	{ "*", "repeat-min", ATTR_TEXT },
	{ "*", "replace", ATTR_TEXT },
	{ "*", "required", ATTR_TEXT },
	{ "*", "rev", ATTR_TEXT },
	{ "*", "rightspacing", ATTR_TEXT },
	{ "*", "rows", ATTR_TEXT },
	{ "*", "rowspan", ATTR_NUM },
	{ "*", "rules", ATTR_TEXT },
	{ "*", "scope", ATTR_TEXT },
	{ "*", "selected", ATTR_TEXT },
	{ "*", "shape", ATTR_TEXT },
	{ "*", "size", ATTR_TEXT },
	{ "*", "span", ATTR_NUM },
	{ "*", "start", ATTR_NUM },
	{ "*", "step", ATTR_TEXT },
	{ "*", "style", ATTR_STYLE },
	{ "*", "summary", ATTR_TEXT },
	{ "*", "suppress", ATTR_TEXT },
	{ "*", "tabindex", ATTR_TEXT },
	{ "*", "target", ATTR_TEXT },
	{ "*", "template", ATTR_TEXT },
	{ "*", "title", ATTR_TEXT },
	{ "*", "toppadding", ATTR_TEXT },
	{ "*", "type", ATTR_TEXT },
	{ "*", "unselectable", ATTR_TEXT },
	{ "*", "urn", ATTR_TEXT },
	{ "*", "usemap", ATTR_TEXT },
	{ "*", "valign", ATTR_TEXT },
	{ "*", "value", ATTR_TEXT },
	{ "*", "variable", ATTR_TEXT },
	{ "*", "volume", ATTR_TEXT },
	{ "*", "vspace", ATTR_NUM },
	{ "*", "width", ATTR_NUM },
	{ "*", "wrap", ATTR_TEXT },
};

/* Elements that separate words in plain text. */
static const char *const block_elems[] = {
	"address", "article", "aside", "blockquote", "br", "caption", "dd",
	"details", "dialog", "div", "dl", "dt", "fieldset", "figcaption",
	"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
	"hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
	"table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"
};

static const char *const feed_types[] = {
	"application/atom+xml", "application/feed+json", "application/json",
	"application/rdf+xml", "application/rss+xml"
};

static htmlDocPtr parse_html(const char *data, size_t len, enum parse_mode mode)
{
	struct buf in = BUF_INIT;
	struct xml_quiet q;
	htmlDocPtr doc = NULL;
	int opts = HTML_OPTS;

	if (len > (size_t)INT_MAX - sizeof(HTML_WRAPPER))
		goto out;
	if (mode == PARSE_FRAGMENT) {
		buf_addstr(&in, HTML_WRAPPER);
		opts |= HTML_PARSE_IGNORE_ENC | HTML_PARSE_NOIMPLIED;
	}
	if (len)
		buf_add(&in, data, len);
	if (!in.len)
		goto out;
	xml_quiet_begin(&q, NULL, NULL);
	doc = htmlReadMemory(in.s, (int)in.len, NULL, "UTF-8", opts);
	xml_quiet_end(&q);
out:
	buf_release(&in);
	return doc;
}

static void walk(xmlNodePtr top, walk_enter_fn enter, walk_leave_fn leave, void *data)
{
	xmlNodePtr n = top;
	int down;

	if (!n)
		return;
	down = enter(n, data);
	for (;;) {
		if (down && n->children) {
			n = n->children;
			down = enter(n, data);
			continue;
		}
		if (down && leave)
			leave(n, data);
		while (n != top && !n->next) {
			n = n->parent;
			if (leave)
				leave(n, data);
		}
		if (n == top)
			return;
		n = n->next;
		down = enter(n, data);
	}
}

static int cmp_name(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

/* 1 + the index of name in list (sorted, see the top), 0 when absent. */
static int in_list(const char *name, const char *const *list, size_t n)
{
	const char *const *hit = bsearch(name, list, n, sizeof(*list), cmp_name);

	return hit ? (int)(hit - list) + 1 : 0;
}

static int is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name &&
	       !strcasecmp((const char *)n->name, name);
}

/* Length of the valid UTF-8 sequence at s, 0 when it is not one
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Unicode White_Space, so that NBSP and friends collapse like spaces;
 * but NEL (U+0085) is a C1 control here, and removed like the others. */
static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) ||
	       cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	       cp == 0x3000;
}

static int is_control_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/*
 * Append s escaped for HTML text (or a double-quoted attribute value),
 * without control characters other than tab and newlines, and with bytes
 * that are not UTF-8 replaced by U+FFFD.
 */
static void add_escaped(struct buf *out, const char *s, int in_attr)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	size_t n = strlen(s), k;
	uint32_t cp;

	while (n) {
		/* a run of printable ASCII that needs no escape: one copy */
		for (run = p; n && *p >= 0x20 && *p < 0x7f && *p != '&' && *p != '<' &&
			      *p != '>' && (*p != '"' || !in_attr); p++)
			n--;
		buf_add(out, run, (size_t)(p - run));
		if (!n)
			break;
		k = utf8_next(p, n, &cp);
		if (!k) {
			buf_addstr(out, "\xef\xbf\xbd");
			p++;
			n--;
			continue;
		}
		if (cp == '&')
			buf_addstr(out, "&amp;");
		else if (cp == '<')
			buf_addstr(out, "&lt;");
		else if (cp == '>')
			buf_addstr(out, "&gt;");
		else if (cp == '"' && in_attr)
			buf_addstr(out, "&quot;");
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			buf_addch(out, in_attr ? ' ' : (int)cp);
		else if (!is_control_cp(cp))
			buf_add(out, p, k);
		p += k;
		n -= k;
	}
}

/* The text of an attribute, from its TEXT children only (see the top). */
static void attr_value(xmlAttrPtr a, struct buf *v)
{
	xmlNodePtr c;

	buf_reset(v);
	for (c = a->children; c; c = c->next)
		if (c->type == XML_TEXT_NODE && c->content)
			buf_addstr(v, (const char *)c->content);
}

/* Length of the RFC 3986 scheme that s starts with (without the colon),
 * 0 when s has none. */
static size_t scheme_len(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i]; i++) {
		if (s[i] == ':')
			return i;
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' ||
		      s[i] == '.'))
			return 0;
	}
	return 0;
}

/* 1 when s has an allowed scheme: http or https, or mailto too. */
static int scheme_allowed(const char *s, int http_only)
{
	size_t n = scheme_len(s);

	if (n == 4 && !strncasecmp(s, "http", 4))
		return 1;
	if (n == 5 && !strncasecmp(s, "https", 5))
		return 1;
	if (n == 6 && !strncasecmp(s, "mailto", 6))
		return !http_only;
	return 0;
}

/*
 * Clean a URL attribute into out: 0 to keep it, -1 to drop it.
 * Browsers strip leading and trailing controls and spaces and remove tabs
 * and newlines anywhere before they look for a scheme ("java\tscript:"
 * runs script), so we do the same before we check it. libxml2's URI
 * parser is strict: spaces, non-ASCII bytes and stray '%' are
 * percent-encoded first, as a browser would, so that such links survive
 * resolution; a backslash is encoded too, since browsers read it as '/'.
 * The scheme is checked before resolution and again after it, since the
 * base is only as trustworthy as the feed. Relative URLs without a base
 * are kept when they have no scheme.
 */
static int clean_url(const char *raw, const char *base, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)raw;
	const unsigned char *end = p + strlen(raw);
	xmlChar *abs = NULL;
	int ret = -1;

	buf_reset(out);
	while (p < end && *p <= 0x20)
		p++;
	while (end > p && end[-1] <= 0x20)
		end--;
	for (; p < end; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if (*p < 0x20 || *p == 0x7f)
			goto out;
		if (*p >= 0x80 || strchr(" \"<>\\^`{|}", *p) ||
		    (*p == '%' && !(end - p > 2 && isxdigit(p[1]) &&
				    isxdigit(p[2])))) {
			buf_addch(out, '%');
			buf_addch(out, hex[*p >> 4]);
			buf_addch(out, hex[*p & 15]);
		} else {
			buf_addch(out, *p);
		}
	}
	if (!out->len)
		goto out;
	if (scheme_len(out->s) && !scheme_allowed(out->s, 0))
		goto out;
	if (base) {
		abs = xmlBuildURI((const xmlChar *)out->s, (const xmlChar *)base);
		if (!abs || !*abs)
			goto out;
		buf_reset(out);
		buf_addstr(out, (const char *)abs);
		if (scheme_len(out->s) && !scheme_allowed(out->s, 0))
			goto out;
	}
	ret = 0;
out:
	xmlFree(abs);
	if (ret)
		buf_reset(out);
	return ret;
}

/* A width, span or start: an optional sign, digits, an optional '%'. */
static int is_number(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '-')
		i++;
	while (s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (s[i] == '%')
		i++;
	return digits > 0 && digits <= 9 && !s[i];
}

static int cmp_attr(const void *key, const void *elem)
{
	return strcmp(key, ((const struct allowed_attr *)elem)->attr);
}

static const struct allowed_attr *find_attr(const char *elem, const char *attr)
{
	char lower[32];
	size_t i;

	for (i = 0; attr[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)attr[i]);
	if (attr[i])
		return NULL;    /* longer than any name we keep */
	lower[i] = '\0';
	for (i = 0; element_attrs[i].elem; i++)
		if (!strcmp(element_attrs[i].elem, elem) &&
		    !strcmp(element_attrs[i].attr, lower))
			return &element_attrs[i];
	return bsearch(lower, global_attrs, sizeof(global_attrs) / sizeof(global_attrs[0]),
		       sizeof(global_attrs[0]), cmp_attr);
}

/* name is our own spelling from allowed_elems, never the input's. */
static void emit_start_tag(struct sanitizer *z, xmlNodePtr n, const char *name)
{
	const struct allowed_attr *aa;
	xmlAttrPtr a;
	const char *v;

	buf_addch(z->out, '<');
	buf_addstr(z->out, name);
	for (a = n->properties; a; a = a->next) {
		if (!a->name || a->ns)
			continue;
		aa = find_attr(name, (const char *)a->name);
		if (!aa)
			continue;
		attr_value(a, &z->val);
		v = z->val.s;
		if (aa->kind == ATTR_URL) {
			if (clean_url(z->val.s, z->base, &z->url))
				continue;
			v = z->url.s;
		} else if (aa->kind == ATTR_STYLE) {
			css_filter_style(v, &z->url);
			if (!z->url.len)
				continue;
			v = z->url.s;
		} else if (aa->kind == ATTR_NUM && *v && !is_number(v)) {
			continue;
		}
		buf_addch(z->out, ' ');
		buf_addstr(z->out, aa->attr);
		buf_addstr(z->out, "=\"");
		add_escaped(z->out, v, 1);
		buf_addch(z->out, '"');
	}
	/* "<br />": valid HTML, and what XHTML-minded readers expect */
	buf_addstr(z->out, in_list(name, LIST(void_elems)) ? " />" : ">");
}

static int sanitize_enter(xmlNodePtr n, void *data)
{
	struct sanitizer *z = data;
	int i;

	switch (n->type) {
	case XML_DOCUMENT_NODE:
	case XML_HTML_DOCUMENT_NODE:
		return 1;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content)
			add_escaped(z->out, (const char *)n->content, 0);
		return 0;
	case XML_ELEMENT_NODE:
		break;
	default:
		/* comments, PIs, doctypes, entity references */
		return 0;
	}
	if (!n->name || in_list((const char *)n->name, LIST(drop_elems)))
		return 0;
	i = in_list((const char *)n->name, LIST(allowed_elems));
	if (!i)
		return 1;
	emit_start_tag(z, n, allowed_elems[i - 1]);
	/* Children of a void element could not be serialised inside it. */
	return !in_list(allowed_elems[i - 1], LIST(void_elems));
}

static void sanitize_leave(xmlNodePtr n, void *data)
{
	struct sanitizer *z = data;
	int i;

	if (n->type != XML_ELEMENT_NODE || !n->name)
		return;
	i = in_list((const char *)n->name, LIST(allowed_elems));
	if (!i)
		return;
	buf_addstr(z->out, "</");
	buf_addstr(z->out, allowed_elems[i - 1]);
	buf_addch(z->out, '>');
}

void html_sanitize(const char *html, size_t len, const char *base, struct buf *out)
{
	struct sanitizer z = { out, base, BUF_INIT, BUF_INIT };
	htmlDocPtr doc;

	doc = parse_html(html, len, PARSE_FRAGMENT);
	if (!doc)
		return;
	walk((xmlNodePtr)doc, sanitize_enter, sanitize_leave, &z);
	xmlFreeDoc(doc);
	buf_release(&z.val);
	buf_release(&z.url);
}

static void text_init(struct text *t, size_t stop)
{
	buf_init(&t->s, 0);
	t->nchars = 0;
	t->stop = stop;
	t->pending_space = 0;
	t->full = 0;
}

static void text_space(struct text *t)
{
	if (t->nchars)
		t->pending_space = 1;
}

static void text_feed(struct text *t, const char *str)
{
	const unsigned char *p = (const unsigned char *)str, *run;
	size_t n = strlen(str), k, room;
	uint32_t cp;

	while (n && !t->full) {
		/* a run of printable ASCII but the space: one copy */
		if (*p > 0x20 && *p < 0x7f) {
			if (t->pending_space) {
				buf_addch(&t->s, ' ');
				t->nchars++;
				t->pending_space = 0;
			}
			room = t->stop ? t->stop - t->nchars : n;
			for (run = p; n && room && *p > 0x20 && *p < 0x7f; p++, n--)
				room--;
			buf_add(&t->s, run, (size_t)(p - run));
			t->nchars += (size_t)(p - run);
			if (t->stop && t->nchars >= t->stop) {
				t->full = 1;
				break;
			}
			continue;
		}
		k = utf8_next(p, n, &cp);
		if (!k) {
			p++;
			n--;
			continue;
		}
		if (is_space_cp(cp)) {
			text_space(t);
		} else if (!is_control_cp(cp)) {
			if (t->pending_space) {
				buf_addch(&t->s, ' ');
				t->nchars++;
				t->pending_space = 0;
			}
			buf_add(&t->s, p, k);
			t->nchars++;
			if (t->stop && t->nchars >= t->stop)
				t->full = 1;
		}
		p += k;
		n -= k;
	}
}

/*
 * Append the text, cut to max_chars code points including the "…" when it
 * is longer. The cut goes to the last space within the final 20% of what
 * fits, so that a word is not split unless it is very long.
 */
static void text_truncate(struct text *t, size_t max_chars, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)t->s.s;
	size_t keep, lo, i = 0, off = 0, cut, space = (size_t)-1, k;
	uint32_t cp;

	if (!max_chars || t->nchars <= max_chars) {
		buf_add(out, t->s.s, t->s.len);
		return;
	}
	keep = max_chars - 1;
	lo = keep - keep / 5;
	/* The text is valid UTF-8 (text_feed only adds whole sequences);
	 * the byte step below only keeps a broken invariant from looping. */
	while (i < keep) {
		k = utf8_next(s + off, t->s.len - off, &cp);
		if (!k) {
			k = 1;
			cp = 0;
		}
		if (cp == ' ' && i >= lo)
			space = off;
		off += k;
		i++;
	}
	cut = off;
	if (s[off] != ' ' && space != (size_t)-1)
		cut = space;
	while (cut && s[cut - 1] == ' ')
		cut--;
	buf_add(out, s, cut);
	buf_addstr(out, "\xe2\x80\xa6");
}

static int text_enter(xmlNodePtr n, void *data)
{
	struct text *t = data;

	if (t->full)
		return 0;
	switch (n->type) {
	case XML_DOCUMENT_NODE:
	case XML_HTML_DOCUMENT_NODE:
		return 1;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content)
			text_feed(t, (const char *)n->content);
		return 0;
	case XML_ELEMENT_NODE:
		break;
	default:
		return 0;
	}
	/* The sanitiser's drop list: the text is what its HTML would show. */
	if (!n->name || in_list((const char *)n->name, LIST(drop_elems)))
		return 0;
	if (in_list((const char *)n->name, LIST(block_elems)))
		text_space(t);
	return 1;
}

static void text_leave(xmlNodePtr n, void *data)
{
	struct text *t = data;

	if (n->type == XML_ELEMENT_NODE && n->name &&
	    in_list((const char *)n->name, LIST(block_elems)))
		text_space(t);
}

void html_to_text(const char *html, size_t len, size_t max_chars, struct buf *out)
{
	struct text t;
	htmlDocPtr doc;

	/* One code point past the limit tells us whether we cut. */
	text_init(&t, max_chars ? max_chars + 1 : 0);
	doc = parse_html(html, len, PARSE_FRAGMENT);
	if (doc) {
		walk((xmlNodePtr)doc, text_enter, text_leave, &t);
		xmlFreeDoc(doc);
	}
	text_truncate(&t, max_chars, out);
	buf_release(&t.s);
}

void html_safe_to_text(const char *html, size_t len, size_t max_chars, struct buf *out)
{
	static const struct { const char *ref; char c; } refs[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }
	};
	const char *p = html, *end = html + len, *q, *n;
	struct buf chunk = BUF_INIT, name = BUF_INIT;
	struct text t;
	size_t i;

	text_init(&t, max_chars ? max_chars + 1 : 0);
	while (p < end && !t.full) {
		if (*p == '<') {
			/* attribute values have '>' escaped: the first one ends the tag */
			q = memchr(p, '>', (size_t)(end - p));
			if (!q)
				break;
			n = p + 1 + (p + 1 < q && p[1] == '/');
			buf_reset(&name);
			while (n < q && isalnum((unsigned char)*n))
				buf_addch(&name, tolower((unsigned char)*n++));
			if (in_list(name.s, LIST(block_elems)))
				text_space(&t);
			p = q + 1;
			continue;
		}
		q = memchr(p, '<', (size_t)(end - p));
		if (!q)
			q = end;
		buf_reset(&chunk);
		while (p < q) {
			for (i = 0; *p == '&' && i < sizeof(refs) / sizeof(refs[0]); i++)
				if (!strncmp(p, refs[i].ref, strlen(refs[i].ref)))
					break;
			if (*p == '&' && i < sizeof(refs) / sizeof(refs[0])) {
				buf_addch(&chunk, refs[i].c);
				p += strlen(refs[i].ref);
			} else {
				buf_addch(&chunk, *p++);
			}
		}
		text_feed(&t, chunk.s);
	}
	text_truncate(&t, max_chars, out);
	buf_release(&t.s);
	buf_release(&chunk);
	buf_release(&name);
}

/* 1 when the space-separated list holds token, without case. */
static int has_token(const char *list, const char *token)
{
	size_t n = strlen(token), k;
	const char *p = list;

	for (;;) {
		p += strspn(p, " \t\n\f\r");
		if (!*p)
			return 0;
		k = strcspn(p, " \t\n\f\r");
		if (k == n && !strncasecmp(p, token, n))
			return 1;
		p += k;
	}
}

/* The MIME type of raw, lower case and without parameters, into type;
 * 1 when it is a feed type. */
static int feed_type(const char *raw, struct buf *type)
{
	size_t n;

	buf_reset(type);
	raw += strspn(raw, " \t\n\f\r");
	n = strcspn(raw, ";");
	while (n && strchr(" \t\n\f\r", raw[n - 1]))
		n--;
	for (; n; n--, raw++)
		buf_addch(type, (*raw >= 'A' && *raw <= 'Z') ? *raw + 32 : *raw);
	return in_list(type->s, LIST(feed_types)) != 0;
}

/* The first <base href> applies to the whole page, links before it too. */
static int base_enter(xmlNodePtr n, void *data)
{
	struct feed_scan *f = data;
	xmlAttrPtr a;

	if (f->have_base)
		return 0;
	if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE)
		return 1;
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	if (!is_element(n, "base"))
		return 1;
	for (a = n->properties; a; a = a->next) {
		if (a->name && !a->ns && !strcasecmp((const char *)a->name, "href")) {
			attr_value(a, &f->base_href);
			f->have_base = 1;
		}
	}
	return 0;
}

static int links_enter(xmlNodePtr n, void *data)
{
	struct feed_scan *f = data;
	struct html_feed_link *l;
	struct buf rel = BUF_INIT, type = BUF_INIT, href = BUF_INIT;
	struct text title;
	xmlAttrPtr a;
	const char *name;
	size_t i;
	int have_href = 0;

	if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE)
		return 1;
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	if (!is_element(n, "link"))
		return 1;
	text_init(&title, 0);
	for (a = n->properties; a; a = a->next) {
		if (!a->name || a->ns)
			continue;
		name = (const char *)a->name;
		attr_value(a, &f->val);
		if (!strcasecmp(name, "rel")) {
			buf_reset(&rel);
			buf_addstr(&rel, f->val.s);
		} else if (!strcasecmp(name, "type")) {
			feed_type(f->val.s, &type);
		} else if (!strcasecmp(name, "href")) {
			buf_reset(&href);
			buf_addstr(&href, f->val.s);
			have_href = 1;
		} else if (!strcasecmp(name, "title")) {
			buf_release(&title.s);
			text_init(&title, 0);
			text_feed(&title, f->val.s);
		}
	}
	if (!have_href || !has_token(rel.s, "alternate") ||
	    !in_list(type.s, LIST(feed_types)))
		goto out;
	if (clean_url(href.s, f->base, &f->url) || !scheme_allowed(f->url.s, 1))
		goto out;
	for (i = 0; i < f->n; i++)
		if (!strcmp(f->links[i].url, f->url.s))
			goto out;
	xgrow(&f->links, &f->alloc, f->n + 1, sizeof(*f->links));
	l = &f->links[f->n++];
	l->url = xstrdup(f->url.s);
	l->title = title.s.len ? xstrdup(title.s.s) : NULL;
	l->type = xstrdup(type.s);
out:
	buf_release(&rel);
	buf_release(&type);
	buf_release(&href);
	buf_release(&title.s);
	/* A <link> has no children, unless libxml2 misplaced some. */
	return 1;
}

size_t html_find_feeds(const char *html, size_t len, const char *base,
		       struct html_feed_link **out)
{
	struct feed_scan f = { 0, BUF_INIT, NULL, 0, 0, NULL, BUF_INIT, BUF_INIT };
	htmlDocPtr doc;

	*out = NULL;
	doc = parse_html(html, len, PARSE_PAGE);
	if (!doc)
		goto out;
	walk((xmlNodePtr)doc, base_enter, NULL, &f);
	f.base = base;
	/* A <base href> that does not resolve to http(s) is ignored, as a
	 * browser ignores one it cannot use. */
	if (f.have_base && !clean_url(f.base_href.s, base, &f.val) &&
	    scheme_allowed(f.val.s, 1)) {
		buf_reset(&f.base_href);
		buf_addstr(&f.base_href, f.val.s);
		f.base = f.base_href.s;
	}
	walk((xmlNodePtr)doc, links_enter, NULL, &f);
	xmlFreeDoc(doc);
	*out = f.links;
out:
	buf_release(&f.base_href);
	buf_release(&f.val);
	buf_release(&f.url);
	return f.n;
}

void html_feed_links_free(struct html_feed_link *links, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(links[i].url);
		free(links[i].title);
		free(links[i].type);
	}
	free(links);
}

/* memmem() is a GNU extension; this is all we need of it. */
static const char *find(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; (size_t)(end - p) >= n; p++)
		if (!memcmp(p, what, n))
			return p;
	return NULL;
}

/* 1 when p starts with word (no case) and a name ends right after it. */
static int skip_prefix(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - p) < n || strncasecmp(p, word, n))
		return 0;
	return p + n == end || (p[n] && strchr(" \t\n\f\r/>", p[n]));
}

/* 1 when an element start follows (after white space and comments). */
static int html_root_follows(const char *p, const char *end)
{
	for (;;) {
		while (p < end && strchr(" \t\n\f\r", *p))
			p++;
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			p = find(p + 4, end, "-->");
			if (!p)
				return 0;
			p += 3;
			continue;
		}
		return p < end - 1 && *p == '<' && isalpha((unsigned char)p[1]);
	}
}

int html_looks_like_page(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *q;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (;;) {
		while (p < end && *p && strchr(" \t\n\f\r", *p))
			p++;
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			q = find(p + 4, end, "-->");
			if (!q)
				return 0;
			p = q + 3;
		} else if (end - p >= 2 && !memcmp(p, "<?", 2)) {
			q = find(p + 2, end, "?>");
			if (!q)
				return 0;
			p = q + 2;
		} else {
			break;
		}
	}
	if (end - p >= 9 && !strncasecmp(p, "<!doctype", 9)) {
		const char *name = p + 9;

		/* feeds too carry XHTML doctypes: a root element, when there is
		 * one, decides; else the doctype does */
		q = find(p + 9, end, ">");
		if (q && html_root_follows(q + 1, end))
			return html_looks_like_page(q + 1, (size_t)(end - q - 1));
		while (name < end && *name && strchr(" \t\n\f\r", *name))
			name++;
		return skip_prefix(name, end, "html");
	}
	if (p < end && *p == '<') {
		p++;
		return skip_prefix(p, end, "html") || skip_prefix(p, end, "head") ||
		       skip_prefix(p, end, "body");
	}
	return 0;
}
