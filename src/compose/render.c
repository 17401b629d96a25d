/*
 * Markdown drafts to HTML and plain text through one cmark tree.
 *
 * Accepted input: CommonMark as cmark 0.30.2 parses it (no tables, no
 * extensions), in UTF-8. The tree is cleaned once after parsing (comments,
 * stray markers, dangerous destinations: see render.h), so that the HTML
 * and the text renderers need no cleaning of their own and rendering never
 * writes to the tree.
 *
 * The text renderer is ours because cmark_render_commonmark rewraps text
 * and cmark_render_plaintext neither numbers links nor marks structure. It
 * walks the tree with cmark_iter (no recursion, so deep nesting costs only
 * the stack of struct entry), gathers the inline content of a paragraph or
 * heading in one buffer with break opportunities marked, and wraps it.
 */
#include "render.h"

#include <cmark.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <utf8proc.h>

#include "hash.h"
#include "xalloc.h"

struct render_doc {
	cmark_node *root;
	char **orig;            /* original destinations of neutralised links */
	size_t norig, aorig;
};

/* In the inline buffer: control characters are replaced before they get
 * there, so these two cannot come from the draft. */
#define BRK '\001'              /* a break opportunity (a space) */
#define NBSP '\002'             /* a space that is no break opportunity */

enum entry_kind { ENT_QUOTE, ENT_LIST, ENT_ITEM };

struct entry {
	enum entry_kind kind;
	char first[24];         /* prefix on the first content line after the push */
	char cont[24];          /* prefix on the lines after it */
	size_t len;             /* of first and of cont: they are as wide */
	size_t lines;           /* content lines written when pushed */
	size_t list;            /* 1 + index of the innermost list at or below; 0: none */
	int tight;              /* ENT_LIST */
	int ordered;            /* ENT_LIST */
	long long next;         /* ENT_LIST: the next item's number */
	char delim;             /* ENT_LIST: '.' or ')' */
};

struct ref {
	const char *url;        /* owned by the tree */
	size_t len;
};

struct text_ctx {
	struct buf *out;
	size_t wrap;
	size_t indent_max;
	struct entry *st;       /* open block quotes, lists and items */
	size_t n, alloc;
	size_t lines;           /* content lines written (blank lines not counted) */
	size_t low;             /* lowest depth of st since the last content line */
	int in_inline;          /* inside a paragraph or heading */
	struct buf para;        /* its inline content, BRK and NBSP marked */
	struct buf line;        /* the line being filled */
	struct buf tmp;         /* the line being written, prefix included */
	size_t *marks;          /* para offsets where open links and images start */
	size_t nmarks, amarks;
	struct ref *refs;       /* numbered destinations, in order */
	size_t nrefs, arefs;
	uint32_t *slots;        /* refs by destination: 0 free, else index + 1 */
	size_t nslots;
	uint32_t seed;
	int failed;             /* out's limit was reached */
};

static const char *find_marker(const char *s);
static void strip_text_markers(cmark_node *parent);
static int strip_block_comments(cmark_node *node);
static void fix_breaks(cmark_node *parent);
static void note_parent(cmark_node ***list, size_t *n, size_t *alloc, cmark_node *parent);
static int cmp_nodes(const void *a, const void *b);
static size_t uniq_nodes(cmark_node **v, size_t n);
static int is_dangerous_url(const char *url);
static void clean_tree(struct render_doc *d);
static size_t drop_placeholders(char *s);
static size_t text_width(const char *s, size_t len);
static struct entry *push(struct text_ctx *c, enum entry_kind kind);
static void pop(struct text_ctx *c);
static void put_prefix(struct text_ctx *c, struct buf *into, int blank);
static void limits(struct text_ctx *c, size_t *avail, size_t *maxb);
static void put_line(struct text_ctx *c, const char *s, size_t len);
static void put_blank(struct text_ctx *c);
static void begin_block(struct text_ctx *c);
static void put_chunked(struct text_ctx *c, const char *s, size_t len);
static void flush_line(struct text_ctx *c, size_t *linew, size_t *widest);
static void add_word(struct text_ctx *c, const char *s, size_t n, size_t avail,
		     size_t maxb, size_t *linew, size_t *widest);
static size_t put_wrapped(struct text_ctx *c, const char *s, size_t len);
static int has_text(const struct buf *b);
static void add_text(struct buf *b, const char *s, size_t len, int code);
static int text_is_url(const char *s, size_t len, const char *url);
static size_t ref_number(struct text_ctx *c, const char *url);
static void link_ref(struct text_ctx *c, cmark_node *node, size_t pos, int image);
static void text_enter(struct text_ctx *c, cmark_node *node);
static void text_exit(struct text_ctx *c, cmark_node *node);
static void text_code_block(struct text_ctx *c, cmark_node *node);
static void text_references(struct text_ctx *c);

/* "<!--", blanks, "nd:": the start of one of the draft's item markers. */
static const char *find_marker(const char *s)
{
	const char *p, *q;

	for (;;) {
		p = strstr(s, "<!--");
		if (!p)
			return NULL;
		q = p + 4;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!strncmp(q, "nd:", 3))
			return p;
		s = p + 1;
	}
}

/*
 * cmark 0.30 follows CommonMark 0.30, where a comment may not contain
 * "--": such a marker stays text, perhaps spread over the text nodes of
 * several lines. Only markers are removed here; other comment-like text
 * may be what the editor escaped on purpose. Linear: each node's markers
 * go in one pass, and a marker left open skips the run it searched.
 */
static void strip_text_markers(cmark_node *parent)
{
	cmark_node *child = cmark_node_first_child(parent);
	cmark_node *sib, *found, *next;
	cmark_node_type t;
	struct buf b = BUF_INIT;
	const char *lit, *r, *m, *end;

	while (child) {
		lit = cmark_node_get_type(child) == CMARK_NODE_TEXT ?
		      cmark_node_get_literal(child) : NULL;
		if (!lit || !find_marker(lit)) {
			child = cmark_node_next(child);
			continue;
		}
		buf_reset(&b);
		for (r = lit;; r = end + 3) {
			m = find_marker(r);
			end = m ? strstr(m + 2, "-->") : NULL;
			if (!end)
				break;
			buf_add(&b, r, (size_t)(m - r));
		}
		if (!m) {
			buf_addstr(&b, r);
			cmark_node_set_literal(child, b.s);
			child = cmark_node_next(child);
			continue;
		}
		buf_add(&b, r, (size_t)(m - r));
		found = NULL;
		for (sib = cmark_node_next(child); sib; sib = cmark_node_next(sib)) {
			t = cmark_node_get_type(sib);
			if (t == CMARK_NODE_TEXT &&
			    strstr(cmark_node_get_literal(sib), "-->")) {
				found = sib;
				break;
			}
			if (t != CMARK_NODE_TEXT && t != CMARK_NODE_SOFTBREAK &&
			    t != CMARK_NODE_LINEBREAK && t != CMARK_NODE_CODE &&
			    t != CMARK_NODE_HTML_INLINE)
				break;
		}
		if (!found) {
			/* no "-->" in the rest of the run: nothing there closes */
			buf_addstr(&b, m);
			cmark_node_set_literal(child, b.s);
			child = sib;
			continue;
		}
		cmark_node_set_literal(child, b.s);
		for (sib = cmark_node_next(child); sib != found; sib = next) {
			next = cmark_node_next(sib);
			cmark_node_free(sib);
		}
		lit = cmark_node_get_literal(found);
		buf_reset(&b);
		buf_addstr(&b, strstr(lit, "-->") + 3);
		cmark_node_set_literal(found, b.s);
		child = found;
	}
	buf_release(&b);
}

/*
 * Remove the comments of an HTML block (CommonMark 0.31: "<!--" to the
 * first "-->", where "<!-->" and "<!--->" are whole comments; unclosed:
 * to the end, as a browser does). Returns 1 when only blanks remain.
 */
static int strip_block_comments(cmark_node *node)
{
	const char *lit = cmark_node_get_literal(node);
	const char *p, *end, *r = lit;
	struct buf b = BUF_INIT;
	size_t i;
	int blank = 1;

	if (!lit)
		return 1;
	if (!strstr(lit, "<!--"))
		return lit[strspn(lit, " \t\r\n")] == '\0';
	for (;;) {
		p = strstr(r, "<!--");
		if (!p) {
			buf_addstr(&b, r);
			break;
		}
		buf_add(&b, r, (size_t)(p - r));
		end = strstr(p + 2, "-->");
		if (!end)
			break;
		r = end + 3;
	}
	for (i = 0; i < b.len; i++)
		if (!strchr(" \t\r\n", b.s[i]))
			blank = 0;
	if (!blank)
		cmark_node_set_literal(node, b.s);
	buf_release(&b);
	return blank;
}

/*
 * After a marker was removed from "2026-11-20  <!-- nd: ... -->" at the
 * end of a line, the two spaces mean what the editor sees: a hard break.
 * cmark never leaves spaces at the end of a text before a line end or at
 * the end of a block itself, so only a removal leaves them.
 */
static void fix_breaks(cmark_node *parent)
{
	cmark_node *child, *next, *text = NULL, *br;
	cmark_node_type t = cmark_node_get_type(parent);
	int block = t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING;
	struct buf b = BUF_INIT;
	size_t spaces = 0;

	for (child = cmark_node_first_child(parent); child || text; child = next) {
		next = child ? cmark_node_next(child) : NULL;
		t = child ? cmark_node_get_type(child) : CMARK_NODE_NONE;
		if (t == CMARK_NODE_TEXT) {
			if (*cmark_node_get_literal(child))
				text = child;
			continue;
		}
		if (text && (t == CMARK_NODE_SOFTBREAK || (!child && block))) {
			buf_reset(&b);
			buf_addstr(&b, cmark_node_get_literal(text));
			spaces = b.len;
			while (b.len && b.s[b.len - 1] == ' ')
				b.len--;
			spaces -= b.len;
			b.s[b.len] = '\0';
			if (spaces)
				cmark_node_set_literal(text, b.s);
			if (spaces >= 2 && child) {
				br = cmark_node_new(CMARK_NODE_LINEBREAK);
				cmark_node_replace(child, br);
				cmark_node_free(child);
			}
		}
		text = NULL;
		if (!child)
			break;
	}
	buf_release(&b);
}

static void note_parent(cmark_node ***list, size_t *n, size_t *alloc, cmark_node *parent)
{
	if (*n && (*list)[*n - 1] == parent)
		return;
	xgrow(list, alloc, *n + 1, sizeof **list);
	(*list)[(*n)++] = parent;
}

static int cmp_nodes(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(cmark_node *const *)a;
	uintptr_t y = (uintptr_t)*(cmark_node *const *)b;

	return x < y ? -1 : x > y;
}

/* Each parent once: a paragraph alternating with its emphasis would
 * otherwise be listed, and walked, once per comment. */
static size_t uniq_nodes(cmark_node **v, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_nodes);
	for (i = 1; i < n; i++)
		if (v[i] != v[k])
			v[++k] = v[i];
	return k + 1;
}

/* The list of cmark's safe mode (scanners.re, _scan_dangerous_url). */
static int is_dangerous_url(const char *url)
{
	static const char *const images[] = {
		"image/png", "image/gif", "image/jpeg", "image/webp",
	};
	size_t i;

	if (!strncasecmp(url, "javascript:", 11) || !strncasecmp(url, "vbscript:", 9) ||
	    !strncasecmp(url, "file:", 5))
		return 1;
	if (strncasecmp(url, "data:", 5))
		return 0;
	for (i = 0; i < sizeof images / sizeof images[0]; i++)
		if (!strncasecmp(url + 5, images[i], strlen(images[i])))
			return 0;
	return 1;
}

static void clean_tree(struct render_doc *d)
{
	cmark_node **list = NULL, **parents = NULL, *node;
	size_t n = 0, alloc = 0, nparents = 0, aparents = 0, i;
	cmark_iter *it;
	cmark_event_type ev;
	const char *lit;

	/* Markers left as text first: that may free inline HTML nodes,
	 * which the second pass would otherwise have listed. Parents are
	 * listed, never freed, so the list stays valid. */
	it = cmark_iter_new(d->root);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(node) != CMARK_NODE_TEXT)
			continue;
		if (!find_marker(cmark_node_get_literal(node)))
			continue;
		note_parent(&parents, &nparents, &aparents, cmark_node_parent(node));
	}
	cmark_iter_free(it);
	nparents = uniq_nodes(parents, nparents);
	for (i = 0; i < nparents; i++)
		strip_text_markers(parents[i]);

	it = cmark_iter_new(d->root);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HTML_INLINE:
			lit = cmark_node_get_literal(node);
			if (lit && !strncmp(lit, "<!--", 4)) {
				xgrow(&list, &alloc, n + 1, sizeof *list);
				list[n++] = node;
				note_parent(&parents, &nparents, &aparents, cmark_node_parent(node));
			}
			break;
		case CMARK_NODE_HTML_BLOCK:
			if (strip_block_comments(node)) {
				xgrow(&list, &alloc, n + 1, sizeof *list);
				list[n++] = node;
			}
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			lit = cmark_node_get_url(node);
			if (!lit || !is_dangerous_url(lit))
				break;
			xgrow(&d->orig, &d->aorig, d->norig + 1, sizeof *d->orig);
			d->orig[d->norig] = xstrdup(lit);
			cmark_node_set_user_data(node, d->orig[d->norig]);
			d->norig++;
			cmark_node_set_url(node, "");
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	/* leaves only, so freeing one never frees another listed, nor a
	 * parent */
	for (i = 0; i < n; i++)
		cmark_node_free(list[i]);
	nparents = uniq_nodes(parents, nparents);
	for (i = 0; i < nparents; i++)
		fix_breaks(parents[i]);
	free(list);
	free(parents);
}

struct render_doc *render_parse(const char *markdown, size_t len)
{
	struct render_doc *d = xcalloc(1, sizeof *d);

	/* SOURCEPOS: without it, inline nodes after a code span spread over
	 * lines get the line of the span's start (render_links). */
	d->root = cmark_parse_document(markdown ? markdown : "", markdown ? len : 0,
				       CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SOURCEPOS);
	if (!d->root) {
		free(d);
		return NULL;
	}
	clean_tree(d);
	return d;
}

void render_doc_free(struct render_doc *d)
{
	size_t i;

	if (!d)
		return;
	cmark_node_free(d->root);
	for (i = 0; i < d->norig; i++)
		free(d->orig[i]);
	free(d->orig);
	free(d);
}

/*
 * Safe mode leaves "<!-- raw HTML omitted -->" where raw HTML was: tell-
 * tale noise for subscribers. cmark escapes '<' in text, code and
 * attributes, so the string can only be a placeholder (every comment of
 * the draft is gone). Returns the new length.
 */
static size_t drop_placeholders(char *s)
{
	static const char ph[] = "<!-- raw HTML omitted -->";
	char *r = s, *w = s, *p;
	size_t n;

	for (;;) {
		p = strstr(r, ph);
		if (!p)
			break;
		n = (size_t)(p - r);
		memmove(w, r, n);
		w += n;
		r = p + sizeof ph - 1;
		if (*r == '\n' && (w == s || w[-1] == '\n'))
			r++;
	}
	n = strlen(r);
	memmove(w, r, n + 1);
	return (size_t)(w - s) + n;
}

int render_html(const struct render_doc *d, const struct render_options *o, struct buf *out)
{
	int opts = CMARK_OPT_DEFAULT;
	char *html;
	size_t n;
	int ret;

	if (o && o->allow_raw_html)
		opts |= CMARK_OPT_UNSAFE;
	html = cmark_render_html(d->root, opts);
	if (!html)
		xdie_oom();
	n = drop_placeholders(html);
	ret = buf_add(out, html, n);
	free(html);
	return ret;
}

int render_links(const struct render_doc *d, void (*fn)(const char *url, int line, void *data),
		 void *data)
{
	cmark_iter *it = cmark_iter_new(d->root);
	cmark_event_type ev;
	cmark_node *node;
	cmark_node_type t;
	const char *url;
	int count = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		t = cmark_node_get_type(node);
		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
			continue;
		url = cmark_node_get_user_data(node);
		if (!url)
			url = cmark_node_get_url(node);
		if (fn)
			fn(url ? url : "", cmark_node_get_start_line(node), data);
		count++;
	}
	cmark_iter_free(it);
	return count;
}

int render_texts(const struct render_doc *d, void (*fn)(const char *text, int line, void *data),
		 void *data)
{
	cmark_iter *it = cmark_iter_new(d->root);
	cmark_event_type ev;
	cmark_node *node, *up;
	cmark_node_type t;
	const char *lit;
	int count = 0, line;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		t = cmark_node_get_type(node);
		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_TEXT && t != CMARK_NODE_CODE &&
						t != CMARK_NODE_CODE_BLOCK))
			continue;
		lit = cmark_node_get_literal(node);
		/* inlines may carry no position: their block's line then */
		for (up = node, line = 0; up && !(line = cmark_node_get_start_line(up));
		     up = cmark_node_parent(up))
			;
		if (fn && lit)
			fn(lit, line, data);
		count++;
	}
	cmark_iter_free(it);
	return count;
}

/* Columns: East Asian wide and emoji 2, combining marks 0 (utf8proc). */
static size_t text_width(const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t i = 0, w = 0;

	while (i < len) {
		if (p[i] < 0x80) {
			w += p[i] >= 0x20 || p[i] == NBSP;
			i++;
			continue;
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0) {
			w++;
			i++;
			continue;
		}
		w += (size_t)utf8proc_charwidth(cp);
		i += (size_t)k;
	}
	return w;
}

static struct entry *push(struct text_ctx *c, enum entry_kind kind)
{
	struct entry *e;

	xgrow(&c->st, &c->alloc, c->n + 1, sizeof *c->st);
	e = &c->st[c->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->lines = c->lines;
	e->list = kind == ENT_LIST ? c->n + 1 : c->n ? c->st[c->n - 1].list : 0;
	c->n++;
	return e;
}

static void pop(struct text_ctx *c)
{
	c->n--;
	if (c->low > c->n)
		c->low = c->n;
}

/*
 * The prefix of a line: each open quote and item adds its part, an item
 * its marker on its first line. A blank line takes only the part common
 * to the lines around it, so it does not start a quote early. The prefix
 * stops at indent_max columns: deep nesting cannot multiply the output.
 */
static void put_prefix(struct text_ctx *c, struct buf *into, int blank)
{
	size_t depth = blank && c->low < c->n ? c->low : c->n;
	size_t used = 0, i;
	const struct entry *e;

	for (i = 0; i < depth; i++) {
		e = &c->st[i];
		if (!e->len)
			continue;
		if (used + e->len > c->indent_max)
			break;
		if (!blank && e->kind == ENT_ITEM && e->lines == c->lines)
			buf_add(into, e->first, e->len);
		else
			buf_add(into, e->cont, e->len);
		used += e->len;
	}
}

/* Columns for text and octets for a line after the prefix. */
static void limits(struct text_ctx *c, size_t *avail, size_t *maxb)
{
	size_t pw;

	buf_reset(&c->tmp);
	put_prefix(c, &c->tmp, 0);
	pw = c->tmp.len;
	*avail = c->wrap > pw ? c->wrap - pw : 1;
	*maxb = RENDER_LINE_MAX - pw;
}

static void put_line(struct text_ctx *c, const char *s, size_t len)
{
	size_t start, i;

	buf_reset(&c->tmp);
	put_prefix(c, &c->tmp, 0);
	start = c->tmp.len;
	buf_add(&c->tmp, s, len);
	for (i = start; i < c->tmp.len; i++)
		if (c->tmp.s[i] == NBSP)
			c->tmp.s[i] = ' ';
	buf_rtrim(&c->tmp);
	buf_addch(&c->tmp, '\n');
	if (buf_add(c->out, c->tmp.s, c->tmp.len) < 0)
		c->failed = 1;
	c->lines++;
	c->low = c->n;
}

static void put_blank(struct text_ctx *c)
{
	buf_reset(&c->tmp);
	put_prefix(c, &c->tmp, 1);
	buf_rtrim(&c->tmp);
	buf_addch(&c->tmp, '\n');
	if (buf_add(c->out, c->tmp.s, c->tmp.len) < 0)
		c->failed = 1;
}

/*
 * Before a block with content: a blank line, except when the innermost
 * list holding both this block and the last line is tight. Lists opened
 * since the last line are skipped; they are few (each was pushed since).
 */
static void begin_block(struct text_ctx *c)
{
	size_t l = c->n ? c->st[c->n - 1].list : 0;

	if (!c->lines)
		return;
	while (l && c->st[l - 1].lines == c->lines)
		l = l > 1 ? c->st[l - 2].list : 0;
	if (l && c->st[l - 1].tight)
		return;
	put_blank(c);
}

/* One line, or several cut at character boundaries when too long. */
static void put_chunked(struct text_ctx *c, const char *s, size_t len)
{
	size_t avail, maxb, cut;

	limits(c, &avail, &maxb);
	while (len > maxb && !c->failed) {
		cut = maxb;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		put_line(c, s, cut);
		s += cut;
		len -= cut;
		limits(c, &avail, &maxb);
	}
	put_line(c, s, len);
}

static void flush_line(struct text_ctx *c, size_t *linew, size_t *widest)
{
	put_line(c, c->line.s, c->line.len);
	if (*linew > *widest)
		*widest = *linew;
	buf_reset(&c->line);
	*linew = 0;
}

static void add_word(struct text_ctx *c, const char *s, size_t n, size_t avail,
		     size_t maxb, size_t *linew, size_t *widest)
{
	size_t w = text_width(s, n), cut;

	if (c->line.len && (*linew + 1 + w > avail || c->line.len + 1 + n > maxb))
		flush_line(c, linew, widest);
	if (c->line.len) {
		buf_addch(&c->line, ' ');
		(*linew)++;
	}
	/* only on an empty line: a word longer than a mail line */
	while (c->line.len + n > maxb) {
		cut = maxb - c->line.len;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		buf_add(&c->line, s, cut);
		*linew += text_width(s, cut);
		flush_line(c, linew, widest);
		s += cut;
		n -= cut;
		w = text_width(s, n);
	}
	buf_add(&c->line, s, n);
	*linew += w;
}

/* Greedy fill. Returns the width of the widest line, for underlines.
 * Hard breaks at either end (next to dropped HTML) would leave blank
 * lines: they go. */
static size_t put_wrapped(struct text_ctx *c, const char *s, size_t len)
{
	size_t avail, maxb, i = 0, j, linew = 0, widest = 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == BRK))
		len--;
	while (len && (*s == '\n' || *s == BRK)) {
		s++;
		len--;
	}
	limits(c, &avail, &maxb);
	buf_reset(&c->line);
	while (i < len && !c->failed) {
		if (s[i] == '\n') {
			flush_line(c, &linew, &widest);
			i++;
			continue;
		}
		if (s[i] == BRK) {
			i++;
			continue;
		}
		for (j = i; j < len && s[j] != BRK && s[j] != '\n'; j++)
			;
		add_word(c, s + i, j - i, avail, maxb, &linew, &widest);
		i = j;
	}
	if (c->line.len)
		flush_line(c, &linew, &widest);
	return widest;
}

static int has_text(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (b->s[i] != BRK && b->s[i] != '\n')
			return 1;
	return 0;
}

/*
 * Text into the inline buffer: white space becomes BRK (code == 0) and
 * other control characters (C0, DEL, C1) '?'; in a code block (code ==
 * 1) tabs and spaces stay.
 */
static void add_text(struct buf *b, const char *s, size_t len, int code)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, j;

	while (i < len) {
		for (j = i; j < len; j++) {
			if (p[j] < 0x20 || p[j] == 0x7f || (p[j] == ' ' && !code))
				break;
			if (p[j] == 0xc2 && j + 1 < len && p[j + 1] >= 0x80 && p[j + 1] <= 0x9f)
				break;
		}
		buf_add(b, s + i, j - i);
		if (j == len)
			break;
		if (code && p[j] == '\t') {
			buf_addch(b, '\t');
		} else if (!code && strchr(" \t\n\r\v\f", p[j])) {
			buf_addch(b, BRK);
		} else if (p[j] == 0xc2) {
			buf_addch(b, '?');
			j++;
		} else {
			buf_addch(b, '?');
		}
		i = j + 1;
	}
}

static int text_is_url(const char *s, size_t len, const char *url)
{
	size_t i;

	if (!strncasecmp(url, "mailto:", 7) && strlen(url + 7) == len)
		url += 7;
	if (strlen(url) != len)
		return 0;
	for (i = 0; i < len; i++) {
		char ch = s[i] == BRK || s[i] == NBSP ? ' ' : s[i];

		if (ch != url[i])
			return 0;
	}
	return 1;
}

/* The number of url, a new one the first time. Open addressing, with a
 * random seed: destinations come from feeds. */
static size_t ref_number(struct text_ctx *c, const char *url)
{
	size_t len = strlen(url), i, mask, k;
	const struct ref *r;

	if ((c->nrefs + 1) * 2 > c->nslots) {
		size_t nslots = c->nslots ? c->nslots * 2 : 64;
		uint32_t *slots = xcalloc(nslots, sizeof *slots);

		for (k = 0; k < c->nrefs; k++) {
			r = &c->refs[k];
			i = hash_bytes(c->seed, r->url, r->len) & (nslots - 1);
			while (slots[i])
				i = (i + 1) & (nslots - 1);
			slots[i] = (uint32_t)(k + 1);
		}
		free(c->slots);
		c->slots = slots;
		c->nslots = nslots;
	}
	mask = c->nslots - 1;
	i = hash_bytes(c->seed, url, len) & mask;
	while (c->slots[i]) {
		r = &c->refs[c->slots[i] - 1];
		if (r->len == len && !memcmp(r->url, url, len))
			return c->slots[i];
		i = (i + 1) & mask;
	}
	xgrow(&c->refs, &c->arefs, c->nrefs + 1, sizeof *c->refs);
	c->refs[c->nrefs].url = url;
	c->refs[c->nrefs].len = len;
	c->slots[i] = (uint32_t)++c->nrefs;
	return c->nrefs;
}

/* At the end of a link or image whose text starts at para offset pos. */
static void link_ref(struct text_ctx *c, cmark_node *node, size_t pos, int image)
{
	const char *url = cmark_node_get_url(node);
	char last;

	/* data: shows nothing useful in text; dangerous ones are "" by now */
	if (!url || !*url || !strncasecmp(url, "data:", 5) || is_dangerous_url(url))
		return;
	if (!image && text_is_url(c->para.s + pos, c->para.len - pos, url))
		return;
	last = c->para.len ? c->para.s[c->para.len - 1] : BRK;
	if (last != BRK && last != '\n')
		buf_addch(&c->para, NBSP);
	buf_addf(&c->para, "[%zu]", ref_number(c, url));
}

/* Blank lines at the start and end of a fenced block would double the
 * blank line between blocks: they go; the others stay. */
static void text_code_block(struct text_ctx *c, cmark_node *node)
{
	const char *lit = cmark_node_get_literal(node);
	const char *p, *nl, *end;
	size_t len;

	if (!lit)
		return;
	p = lit;
	for (;;) {
		nl = p + strspn(p, " \t\r");
		if (*nl != '\n')
			break;
		p = nl + 1;
	}
	end = p + strlen(p);
	while (end > p && strchr(" \t\r\n", end[-1]))
		end--;
	if (end == p)
		return;
	begin_block(c);
	for (; p < end && !c->failed; p += len + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		buf_reset(&c->para);
		buf_addstr(&c->para, "    ");
		add_text(&c->para, p, len, 1);
		put_chunked(c, c->para.s, c->para.len);
	}
	buf_reset(&c->para);
}

static void text_enter(struct text_ctx *c, cmark_node *node)
{
	struct entry *e, *list;
	char marker[24];
	size_t avail, maxb;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_BLOCK_QUOTE:
		e = push(c, ENT_QUOTE);
		memcpy(e->first, "> ", 3);
		memcpy(e->cont, "> ", 3);
		e->len = 2;
		break;
	case CMARK_NODE_LIST:
		e = push(c, ENT_LIST);
		e->tight = cmark_node_get_list_tight(node);
		e->ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
		e->next = cmark_node_get_list_start(node);
		e->delim = cmark_node_get_list_delim(node) == CMARK_PAREN_DELIM ? ')' : '.';
		break;
	case CMARK_NODE_ITEM:
		list = c->n ? &c->st[c->n - 1] : NULL;
		if (list && list->kind == ENT_LIST && list->ordered)
			snprintf(marker, sizeof marker, "%lld%c ", list->next++, list->delim);
		else
			memcpy(marker, "- ", 3);
		e = push(c, ENT_ITEM);
		e->len = strlen(marker);
		memcpy(e->first, marker, e->len + 1);
		memset(e->cont, ' ', e->len);
		e->cont[e->len] = '\0';
		break;
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
		c->in_inline = 1;
		buf_reset(&c->para);
		break;
	case CMARK_NODE_CODE_BLOCK:
		text_code_block(c, node);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		begin_block(c);
		limits(c, &avail, &maxb);
		if (avail < 3)
			avail = 3;
		buf_reset(&c->line);
		while (avail--)
			buf_addch(&c->line, '-');
		put_line(c, c->line.s, c->line.len);
		break;
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		if (c->in_inline)
			add_text(&c->para, cmark_node_get_literal(node),
				 strlen(cmark_node_get_literal(node)), 0);
		break;
	case CMARK_NODE_SOFTBREAK:
		buf_addch(&c->para, BRK);
		break;
	case CMARK_NODE_LINEBREAK:
		buf_addch(&c->para, '\n');
		break;
	case CMARK_NODE_STRONG:
		buf_addch(&c->para, '*');
		break;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		xgrow(&c->marks, &c->amarks, c->nmarks + 1, sizeof *c->marks);
		c->marks[c->nmarks++] = c->para.len;
		if (cmark_node_get_type(node) == CMARK_NODE_IMAGE)
			buf_addstr(&c->para, "[image:\002");
		break;
	default:
		/* document, emphasis, HTML (dropped), custom nodes */
		break;
	}
}

static void text_exit(struct text_ctx *c, cmark_node *node)
{
	size_t pos, widest;
	int level;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_BLOCK_QUOTE:
	case CMARK_NODE_LIST:
		pop(c);
		break;
	case CMARK_NODE_ITEM:
		if (c->st[c->n - 1].lines == c->lines) {
			begin_block(c);
			put_line(c, "", 0);
		}
		pop(c);
		break;
	case CMARK_NODE_PARAGRAPH:
		c->in_inline = 0;
		if (!has_text(&c->para))
			break;
		begin_block(c);
		put_wrapped(c, c->para.s, c->para.len);
		break;
	case CMARK_NODE_HEADING:
		c->in_inline = 0;
		if (!has_text(&c->para))
			break;
		begin_block(c);
		widest = put_wrapped(c, c->para.s, c->para.len);
		level = cmark_node_get_heading_level(node);
		buf_reset(&c->line);
		while (widest--)
			buf_addch(&c->line, level == 1 ? '=' : '-');
		put_line(c, c->line.s, c->line.len);
		break;
	case CMARK_NODE_STRONG:
		buf_addch(&c->para, '*');
		break;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		pos = c->marks[--c->nmarks];
		if (cmark_node_get_type(node) == CMARK_NODE_IMAGE) {
			if (c->para.len == pos + strlen("[image:\002")) {
				buf_setlen(&c->para, pos);
				buf_addstr(&c->para, "[image");
			}
			buf_addch(&c->para, ']');
		}
		link_ref(c, node, pos, cmark_node_get_type(node) == CMARK_NODE_IMAGE);
		break;
	default:
		break;
	}
}

/* Spaces and control characters %-encoded: a reference is one word. */
static void text_references(struct text_ctx *c)
{
	const unsigned char *u;
	size_t k;

	if (!c->nrefs)
		return;
	if (c->lines)
		put_blank(c);
	put_line(c, "References:", strlen("References:"));
	for (k = 0; k < c->nrefs && !c->failed; k++) {
		buf_reset(&c->para);
		buf_addf(&c->para, "[%zu] ", k + 1);
		for (u = (const unsigned char *)c->refs[k].url; *u; u++) {
			if (*u <= 0x20 || *u == 0x7f ||
			    (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f))
				buf_addf(&c->para, "%%%02X", *u);
			else
				buf_addch(&c->para, *u);
		}
		put_chunked(c, c->para.s, c->para.len);
	}
}

int render_text(const struct render_doc *d, const struct render_options *o, struct buf *out)
{
	struct text_ctx c;
	size_t start = out->len;
	cmark_iter *it;
	cmark_event_type ev;
	cmark_node *node;

	memset(&c, 0, sizeof c);
	c.out = out;
	c.wrap = o && o->wrap ? o->wrap : RENDER_WRAP;
	if (c.wrap > RENDER_LINE_MAX)
		c.wrap = RENDER_LINE_MAX;
	/* narrow widths still show a few markers */
	c.indent_max = c.wrap / 2 < RENDER_INDENT_MAX ? c.wrap / 2 : RENDER_INDENT_MAX;
	if (c.indent_max < 8)
		c.indent_max = 8;
	buf_init(&c.para, 0);
	buf_init(&c.line, 0);
	buf_init(&c.tmp, 0);
	/* the numbers never depend on the seed; see ref_number */
	c.seed = (uint32_t)time(NULL) ^ (uint32_t)((uintptr_t)&c >> 4) * 2654435761u;

	it = cmark_iter_new(d->root);
	while (!c.failed && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER)
			text_enter(&c, node);
		else
			text_exit(&c, node);
	}
	cmark_iter_free(it);
	if (!c.failed)
		text_references(&c);

	buf_release(&c.para);
	buf_release(&c.line);
	buf_release(&c.tmp);
	free(c.st);
	free(c.marks);
	free(c.refs);
	free(c.slots);
	if (c.failed) {
		buf_setlen(out, start);
		return -1;
	}
	return 0;
}
