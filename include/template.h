#ifndef NEWSDIGEST_TEMPLATE_H
#define NEWSDIGEST_TEMPLATE_H
/*
 * Logic-less templates (templates/digest.html, digest.txt, draft.md): a
 * mustache subset, compiled once and rendered many times (once per
 * subscriber), so rendering allocates nothing but the output's growth.
 *
 *   {{name}}            the value, escaped for the template's mode
 *   {{{name}}} {{&name}} the value, never escaped
 *   {{#name}}..{{/name}} a list: the body once per element, the element's
 *                       names in scope (lookups fall back to outer scopes);
 *                       a boolean or string: the body once if true/non-empty
 *   {{^name}}..{{/name}} the body once if false, empty or an empty list
 *   {{! comment }}      ignored; may span lines
 * White space may surround the name ({{ name }}). Names are ASCII letters,
 * digits, '_' and '-'; dotted names, partials ({{>x}}), delimiter changes
 * ({{=x y=}}) and lambdas are not supported. A line that holds only
 * section, inverted, close and comment tags and blanks (a "standalone"
 * line) is dropped whole, its line ending (LF or CRLF) included.
 *
 * Errors are "FILE:LINE: what". An unknown name is a render-time error:
 * the data model knows every name, so a typo in a template fails loudly.
 */
#include <stddef.h>

#include "buf.h"

#define TEMPLATE_MAX_SIZE (1024 * 1024)     /* bytes of template text */
#define TEMPLATE_MAX_DEPTH 32               /* nested sections */

enum tpl_escape {
	TPL_HTML,       /* {{name}} escapes & < > " ' */
	TPL_TEXT,       /* {{name}} is copied as is */
};

/*
 * The data: a set of name -> value, each value a string, a boolean or a
 * list of contexts. Names are looked up by a linear scan (with a length
 * check first): a context holds a handful of names, and a list's elements
 * are scanned only for the names they hold before falling back outwards.
 */
struct tpl_context;

/* A new empty context; free it with tpl_context_free(). Never NULL. */
struct tpl_context *tpl_context_new(void);
/* Free c, its strings and its lists' elements. NULL is allowed. */
void tpl_context_free(struct tpl_context *c);

/*
 * Set name (copied) to a value, replacing what name held before whatever
 * its type; a list it held is freed with its elements. tpl_set_str copies
 * value, reusing the old string's memory when it fits, so refilling the
 * same context per subscriber does not allocate. NULL value means "".
 */
void tpl_set_str(struct tpl_context *c, const char *name, const char *value);
void tpl_set_bool(struct tpl_context *c, const char *name, int value);
/* Make name an empty list (so {{^name}} can test it with no elements). */
void tpl_set_list(struct tpl_context *c, const char *name);
/*
 * Append a new empty element to the list name (created, or replacing a
 * string or boolean, when name is not a list yet) and return it for the
 * caller to fill. The element belongs to c: do not free it.
 */
struct tpl_context *tpl_add_item(struct tpl_context *c, const char *name);

struct template;

/*
 * Compile len bytes of text. file (copied; NULL means "template") names
 * the template in messages. Returns the template, to free with
 * template_free(), or NULL with "FILE:LINE: what" appended to err:
 * template over TEMPLATE_MAX_SIZE (no line), a NUL byte, a '{{' without
 * '}}' (or '{{{' without '}}}'), an empty or invalid name, an unsupported
 * tag ({{> or {{=), a close tag that does not match the open section or
 * closes none, a section left open (the line is the opening tag's),
 * sections nested deeper than TEMPLATE_MAX_DEPTH.
 */
struct template *template_compile(const char *text, size_t len,
				  const char *file, enum tpl_escape mode,
				  struct buf *err);
/* Read path and compile it, path naming it in messages. Returns NULL with
 * "cannot read 'PATH': why" or a template_compile() error in err. */
struct template *template_load(const char *path, enum tpl_escape mode,
			       struct buf *err);
/* Free t. NULL is allowed. */
void template_free(struct template *t);

/*
 * Render t with ctx, appending to out. Returns 0, or -1 with out cut back
 * to its length on entry and err given "FILE:LINE: unknown variable 'x'",
 * "FILE:LINE: 'x' is a list, not a string" (or a boolean, in {{x}}), or
 * "FILE: output exceeds N bytes" when out's max was reached (out->toobig
 * then stays set). Only names on the rendered path are looked up: a typo
 * inside a section that is skipped goes unnoticed until it is rendered.
 * t and ctx are only read: one compiled template may be rendered
 * concurrently with different contexts.
 */
int template_render(const struct template *t, const struct tpl_context *ctx,
		    struct buf *out, struct buf *err);

/* Append s escaped as TPL_HTML escapes {{name}}. Returns 0, or -1 when out
 * reached its max. */
int template_escape_html(struct buf *out, const char *s, size_t len);

#endif
