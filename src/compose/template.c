/*
 * Logic-less templates: the mustache subset described in template.h.
 * No Debian package offers one for C, so this stays small.
 *
 * Compiling turns the text into a flat array of nodes; a section node
 * records the index of its END node, so rendering walks the array and
 * recurses only into section bodies (at most TEMPLATE_MAX_DEPTH deep).
 * Rendering keeps its scope chain on the C stack and writes straight into
 * the caller's buffer: nothing is allocated per render beyond out's growth.
 *
 * Standalone lines: text is cut into nodes that never run past a newline,
 * so when a line ends holding only blanks and section/comment tags, the
 * text nodes emitted for it are exactly the ones to drop. Section END
 * indices are resolved only after all drops, so dropping cannot skew them.
 */
#include "template.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum tpl_type {
	TPL_STR,
	TPL_BOOL,
	TPL_LIST,
};

struct tpl_entry {
	char *name;
	size_t namelen;
	enum tpl_type type;
	char *s;                        /* TPL_STR: NUL-terminated */
	size_t len, cap;                /* cap: bytes allocated for s */
	int b;                          /* TPL_BOOL */
	struct tpl_context **items;     /* TPL_LIST: owned */
	size_t n, alloc;
};

struct tpl_context {
	struct tpl_entry *v;
	size_t n, alloc;
};

enum tpl_op {
	OP_TEXT,
	OP_VAR,                         /* escaped per the template's mode */
	OP_RAW,
	OP_SECTION,
	OP_INVERTED,
	OP_END,
};

struct tpl_node {
	enum tpl_op op;
	unsigned line;
	size_t off, len;                /* OP_TEXT: the text; others: the name */
	size_t end;                     /* OP_SECTION, OP_INVERTED: index of OP_END */
};

struct template {
	char *file;
	char *text;                     /* a copy of the source; nodes point into it */
	enum tpl_escape mode;
	struct tpl_node *v;
	size_t n, alloc;
};

/* An open section while compiling. */
struct open_section {
	size_t off, len;
	unsigned line;
};

/* Compiling state: where the current line began and what it holds. */
struct compiler {
	struct template *t;
	const char *src;
	size_t srclen;
	unsigned line;
	size_t line_node;               /* first node emitted on this line */
	int line_tags;                  /* section/comment tags on this line */
	int line_other;                 /* text or a variable: not standalone */
	struct open_section open[TEMPLATE_MAX_DEPTH];
	size_t depth;
	struct buf *err;
};

/* The render scope chain, innermost first. */
struct scope {
	const struct tpl_context *ctx;
	const struct scope *up;
};

static struct tpl_entry *entry_find(const struct tpl_context *c,
				    const char *name, size_t len);
static struct tpl_entry *entry_set(struct tpl_context *c, const char *name,
				   enum tpl_type type);
static void entry_clear(struct tpl_entry *e);
static int is_blank(char c);
static int is_name_char(char c);
static const char *find(const char *s, size_t len, const char *needle);
static void emit(struct compiler *cp, enum tpl_op op, size_t off, size_t len);
static void end_line(struct compiler *cp);
static int add_text(struct compiler *cp, size_t from, size_t to);
static int add_tag(struct compiler *cp, size_t *pos);
static void finish(struct template *t);
static int bad_name(struct compiler *cp, unsigned line, const char *name,
		    size_t len);
static int compile_error(struct compiler *cp, unsigned line,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static const struct tpl_entry *lookup(const struct scope *sc,
				      const char *name, size_t len);
static int add_escaped(struct buf *out, const char *s, size_t len);
int template_escape_html(struct buf *out, const char *s, size_t len)
{
	return add_escaped(out, s, len);
}

static int render_range(const struct template *t, size_t from, size_t to,
			const struct scope *sc, struct buf *out,
			struct buf *err);

/* ---- the data model ---- */

struct tpl_context *tpl_context_new(void)
{
	return xcalloc(1, sizeof(struct tpl_context));
}

static void entry_clear(struct tpl_entry *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		tpl_context_free(e->items[i]);
	free(e->items);
	e->items = NULL;
	e->n = e->alloc = 0;
	free(e->s);
	e->s = NULL;
	e->len = e->cap = 0;
	e->b = 0;
}

void tpl_context_free(struct tpl_context *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		entry_clear(&c->v[i]);
		free(c->v[i].name);
	}
	free(c->v);
	free(c);
}

static struct tpl_entry *entry_find(const struct tpl_context *c,
				    const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].namelen == len && !memcmp(c->v[i].name, name, len))
			return &c->v[i];
	return NULL;
}

/* The entry for name. Moving to or from a list empties it; a string's
 * memory survives a turn as a boolean, for reuse. */
static struct tpl_entry *entry_set(struct tpl_context *c, const char *name,
				   enum tpl_type type)
{
	size_t len = strlen(name);
	struct tpl_entry *e = entry_find(c, name, len);

	if (e) {
		if ((type == TPL_LIST) != (e->type == TPL_LIST))
			entry_clear(e);
		e->type = type;
		return e;
	}
	xgrow(&c->v, &c->alloc, c->n + 1, sizeof(*c->v));
	e = &c->v[c->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrndup(name, len);
	e->namelen = len;
	e->type = type;
	return e;
}

void tpl_set_str(struct tpl_context *c, const char *name, const char *value)
{
	struct tpl_entry *e = entry_set(c, name, TPL_STR);
	size_t len = value ? strlen(value) : 0;

	if (!e->s || len >= e->cap) {
		free(e->s);
		e->s = xmalloc(len + 1);
		e->cap = len + 1;
	}
	if (len)
		memcpy(e->s, value, len);
	e->s[len] = '\0';
	e->len = len;
}

void tpl_set_bool(struct tpl_context *c, const char *name, int value)
{
	struct tpl_entry *e = entry_set(c, name, TPL_BOOL);

	e->b = !!value;
}

void tpl_set_list(struct tpl_context *c, const char *name)
{
	struct tpl_entry *e = entry_set(c, name, TPL_LIST);
	size_t i;

	for (i = 0; i < e->n; i++)
		tpl_context_free(e->items[i]);
	e->n = 0;
}

struct tpl_context *tpl_add_item(struct tpl_context *c, const char *name)
{
	struct tpl_entry *e = entry_set(c, name, TPL_LIST);

	xgrow(&e->items, &e->alloc, e->n + 1, sizeof(*e->items));
	e->items[e->n] = tpl_context_new();
	return e->items[e->n++];
}

/* ---- compiling ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The first needle in s[0..len), or NULL (memmem is a GNU extension). */
static const char *find(const char *s, size_t len, const char *needle)
{
	size_t nlen = strlen(needle);
	const char *end = s + len, *p;

	while ((size_t)(end - s) >= nlen) {
		p = memchr(s, needle[0], (size_t)(end - s) - nlen + 1);
		if (!p)
			return NULL;
		if (!memcmp(p, needle, nlen))
			return p;
		s = p + 1;
	}
	return NULL;
}

static int compile_error(struct compiler *cp, unsigned line,
			 const char *fmt, ...)
{
	va_list ap;

	buf_addf(cp->err, "%s:%u: ", cp->t->file, line);
	va_start(ap, fmt);
	buf_vaddf(cp->err, fmt, ap);
	va_end(ap);
	return -1;
}

static void emit(struct compiler *cp, enum tpl_op op, size_t off, size_t len)
{
	struct template *t = cp->t;
	struct tpl_node *nd;

	xgrow(&t->v, &t->alloc, t->n + 1, sizeof(*t->v));
	nd = &t->v[t->n++];
	nd->op = op;
	nd->line = cp->line;
	nd->off = off;
	nd->len = len;
	nd->end = 0;
}

/* A line ended (at a newline or the end of the text): if it was
 * standalone, drop its text nodes (blanks and the line ending). */
static void end_line(struct compiler *cp)
{
	struct template *t = cp->t;
	size_t i, j;

	if (cp->line_tags && !cp->line_other) {
		for (i = j = cp->line_node; i < t->n; i++)
			if (t->v[i].op != OP_TEXT)
				t->v[j++] = t->v[i];
		t->n = j;
	}
	cp->line_node = t->n;
	cp->line_tags = 0;
	cp->line_other = 0;
}

/* Text src[from..to), cut at each newline. */
static int add_text(struct compiler *cp, size_t from, size_t to)
{
	const char *s = cp->src;
	size_t i, start = from;

	for (i = from; i < to; i++) {
		if (s[i] == '\0')
			return compile_error(cp, cp->line, "NUL byte in template");
		if (s[i] == '\n') {
			emit(cp, OP_TEXT, start, i + 1 - start);
			end_line(cp);
			cp->line++;
			start = i + 1;
		} else if (!is_blank(s[i]) &&
			   !(s[i] == '\r' && i + 1 < to && s[i + 1] == '\n')) {
			cp->line_other = 1;
		}
	}
	if (start < to)
		emit(cp, OP_TEXT, start, to - start);
	return 0;
}

/* The name is quoted up to its first line break and at most 40 bytes: a
 * stray '{{' can make it span much of the file. */
static int bad_name(struct compiler *cp, unsigned line, const char *name,
		    size_t len)
{
	size_t show = len < 40 ? len : 40, i;

	for (i = 0; i < show; i++)
		if (name[i] == '\n' || name[i] == '\r')
			show = i;
	return compile_error(cp, line, "invalid name '%.*s%s' in tag",
			     (int)show, name, show < len ? "..." : "");
}

/* The tag at src[*pos] ("{{"); *pos is left after it. */
static int add_tag(struct compiler *cp, size_t *pos)
{
	const char *s = cp->src;
	size_t p = *pos, in, stop, closelen, i;
	const char *close;
	unsigned line = cp->line;
	char sigil = 0;
	int triple = p + 2 < cp->srclen && s[p + 2] == '{';
	struct open_section *o;

	in = p + (triple ? 3 : 2);
	close = find(s + in, cp->srclen - in, triple ? "}}}" : "}}");
	if (!close)
		return compile_error(cp, line, "unclosed tag: '%s' without '%s'",
				     triple ? "{{{" : "{{", triple ? "}}}" : "}}");
	stop = (size_t)(close - s);
	closelen = triple ? 3 : 2;

	for (i = p; i < stop; i++) {
		if (s[i] == '\0')
			return compile_error(cp, cp->line, "NUL byte in template");
		if (s[i] == '\n')
			cp->line++;
	}
	*pos = stop + closelen;

	while (in < stop && (is_blank(s[in]) || s[in] == '\r' || s[in] == '\n'))
		in++;
	if (!triple && in < stop && s[in] && strchr("#^/!&>=", s[in]))
		sigil = s[in++];
	if (sigil == '!') {
		cp->line_tags++;
		return 0;
	}
	if (sigil == '>' || sigil == '=')
		return compile_error(cp, line, "unsupported tag '{{%c'", sigil);
	/* a '{{' before the '}}' means the first tag was never closed */
	if (!triple && find(s + in, stop - in, "{{"))
		return compile_error(cp, line, "unclosed tag: '{{' without '}}'");
	while (in < stop && (is_blank(s[in]) || s[in] == '\r' || s[in] == '\n'))
		in++;
	while (stop > in && (is_blank(s[stop - 1]) || s[stop - 1] == '\r' ||
			     s[stop - 1] == '\n'))
		stop--;
	if (in == stop)
		return compile_error(cp, line, "empty name in tag");
	for (i = in; i < stop; i++)
		if (!is_name_char(s[i]))
			return bad_name(cp, line, s + in, stop - in);

	switch (sigil) {
	case '#':
	case '^':
		if (cp->depth == TEMPLATE_MAX_DEPTH)
			return compile_error(cp, line,
					     "sections nested deeper than %d",
					     TEMPLATE_MAX_DEPTH);
		o = &cp->open[cp->depth++];
		o->off = in;
		o->len = stop - in;
		o->line = line;
		cp->line_tags++;
		emit(cp, sigil == '#' ? OP_SECTION : OP_INVERTED, in, stop - in);
		cp->t->v[cp->t->n - 1].line = line;
		return 0;
	case '/':
		if (!cp->depth)
			return compile_error(cp, line,
					     "'{{/%.*s}}' closes no open section",
					     (int)(stop - in), s + in);
		o = &cp->open[cp->depth - 1];
		if (o->len != stop - in || memcmp(s + o->off, s + in, o->len))
			return compile_error(cp, line,
					     "'{{/%.*s}}' does not close section '%.*s' opened on line %u",
					     (int)(stop - in), s + in,
					     (int)o->len, s + o->off, o->line);
		cp->depth--;
		cp->line_tags++;
		emit(cp, OP_END, in, stop - in);
		return 0;
	default:
		cp->line_other = 1;
		emit(cp, triple || sigil == '&' ? OP_RAW : OP_VAR, in, stop - in);
		cp->t->v[cp->t->n - 1].line = line;
		return 0;
	}
}

/* Link sections to their ends and merge text nodes left adjacent. */
static void finish(struct template *t)
{
	size_t stack[TEMPLATE_MAX_DEPTH], depth = 0, i, j;

	for (i = j = 0; i < t->n; i++) {
		struct tpl_node *nd = &t->v[i];

		if (nd->op == OP_TEXT && j && t->v[j - 1].op == OP_TEXT &&
		    t->v[j - 1].off + t->v[j - 1].len == nd->off) {
			t->v[j - 1].len += nd->len;
			continue;
		}
		t->v[j++] = *nd;
	}
	t->n = j;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].op == OP_SECTION || t->v[i].op == OP_INVERTED)
			stack[depth++] = i;
		else if (t->v[i].op == OP_END)
			t->v[stack[--depth]].end = i;
	}
}

struct template *template_compile(const char *text, size_t len,
				  const char *file, enum tpl_escape mode,
				  struct buf *err)
{
	struct compiler cp;
	struct template *t = xcalloc(1, sizeof(*t));
	size_t pos = 0, from;
	const char *tag;

	t->file = xstrdup(file ? file : "template");
	t->mode = mode;
	if (len > TEMPLATE_MAX_SIZE) {
		buf_addf(err, "%s: template larger than %d bytes", t->file,
			 TEMPLATE_MAX_SIZE);
		goto fail;
	}
	t->text = xmalloc(len + 1);
	if (len)
		memcpy(t->text, text, len);
	t->text[len] = '\0';

	memset(&cp, 0, sizeof(cp));
	cp.t = t;
	cp.src = t->text;
	cp.srclen = len;
	cp.line = 1;
	cp.err = err;
	while (pos < len) {
		from = pos;
		tag = find(t->text + pos, len - pos, "{{");
		pos = tag ? (size_t)(tag - t->text) : len;
		if (add_text(&cp, from, pos))
			goto fail;
		if (tag && add_tag(&cp, &pos))
			goto fail;
	}
	end_line(&cp);
	if (cp.depth) {
		struct open_section *o = &cp.open[cp.depth - 1];

		compile_error(&cp, o->line, "unclosed section '%.*s'",
			      (int)o->len, t->text + o->off);
		goto fail;
	}
	finish(t);
	return t;
fail:
	template_free(t);
	return NULL;
}

struct template *template_load(const char *path, enum tpl_escape mode,
			       struct buf *err)
{
	struct template *t = NULL;
	struct buf text;
	char chunk[8192];
	size_t n;
	FILE *in = fopen(path, "rb");

	buf_init(&text, TEMPLATE_MAX_SIZE);
	if (!in) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		if (buf_add(&text, chunk, n)) {
			buf_addf(err, "%s: template larger than %d bytes", path,
				 TEMPLATE_MAX_SIZE);
			goto out;
		}
	}
	if (ferror(in)) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	t = template_compile(text.s, text.len, path, mode, err);
out:
	if (in)
		fclose(in);
	buf_release(&text);
	return t;
}

void template_free(struct template *t)
{
	if (!t)
		return;
	free(t->file);
	free(t->text);
	free(t->v);
	free(t);
}

/* ---- rendering ---- */

static const struct tpl_entry *lookup(const struct scope *sc,
				      const char *name, size_t len)
{
	const struct tpl_entry *e;

	for (; sc; sc = sc->up) {
		e = entry_find(sc->ctx, name, len);
		if (e)
			return e;
	}
	return NULL;
}

static int add_escaped(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buf_add(out, s + run, i - run) || buf_addstr(out, rep))
			return -1;
		run = i + 1;
	}
	return buf_add(out, s + run, len - run);
}

static int render_range(const struct template *t, size_t from, size_t to,
			const struct scope *sc, struct buf *out,
			struct buf *err)
{
	const struct tpl_node *nd;
	const struct tpl_entry *e;
	const char *name;
	struct scope inner;
	size_t i, k;
	int truth;

	for (i = from; i < to; i++) {
		nd = &t->v[i];
		if (nd->op == OP_TEXT) {
			if (buf_add(out, t->text + nd->off, nd->len))
				goto toobig;
			continue;
		}
		if (nd->op == OP_END)
			continue;
		name = t->text + nd->off;
		e = lookup(sc, name, nd->len);
		if (!e) {
			buf_addf(err, "%s:%u: unknown variable '%.*s'", t->file,
				 nd->line, (int)nd->len, name);
			return -1;
		}
		if (nd->op == OP_VAR || nd->op == OP_RAW) {
			if (e->type != TPL_STR) {
				buf_addf(err, "%s:%u: '%.*s' is a %s, not a string",
					 t->file, nd->line, (int)nd->len, name,
					 e->type == TPL_LIST ? "list" : "boolean");
				return -1;
			}
			if ((nd->op == OP_VAR && t->mode == TPL_HTML) ?
			    add_escaped(out, e->s, e->len) :
			    buf_add(out, e->s, e->len))
				goto toobig;
			continue;
		}
		truth = e->type == TPL_LIST ? e->n > 0 :
			e->type == TPL_BOOL ? e->b : e->len > 0;
		if (nd->op == OP_INVERTED) {
			if (!truth && render_range(t, i + 1, nd->end, sc, out, err))
				return -1;
		} else if (e->type == TPL_LIST) {
			inner.up = sc;
			for (k = 0; k < e->n; k++) {
				inner.ctx = e->items[k];
				if (render_range(t, i + 1, nd->end, &inner, out,
						 err))
					return -1;
			}
		} else if (truth) {
			if (render_range(t, i + 1, nd->end, sc, out, err))
				return -1;
		}
		i = nd->end;
	}
	return 0;
toobig:
	buf_addf(err, "%s: output exceeds %zu bytes", t->file, out->max);
	return -1;
}

int template_render(const struct template *t, const struct tpl_context *ctx,
		    struct buf *out, struct buf *err)
{
	struct scope top = { ctx, NULL };
	size_t len = out->len;

	if (render_range(t, 0, t->n, &top, out, err)) {
		buf_setlen(out, len);
		return -1;
	}
	return 0;
}
