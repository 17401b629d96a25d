#ifndef NEWSDIGEST_ENTITIES_H
#define NEWSDIGEST_ENTITIES_H
/*
 * The HTML entities real feeds use without declaring them (&nbsp;,
 * &eacute;, &hellip;, &rsquo;), rewritten as character references before
 * libxml2 reads the document, which would otherwise report them and, in
 * recovery mode, drop them. A filter over raw bytes, chunk by chunk: a
 * reference cut by a chunk boundary is held back for the next call.
 *
 * Only for encodings in which '&', '<', ';' and ASCII letters are bytes of
 * their own (UTF-8, ISO-8859-*, windows-125*, EUC-*, Shift_JIS, Big5, GBK):
 * not UTF-16/32, EBCDIC, ISO-2022-* or UTF-7 (see entities_encoding_ok).
 */
#include <stddef.h>

#include "buf.h"

/* The longest HTML 4 entity name is 8 bytes; anything longer is left as is. */
#define ENTITIES_NAME_MAX 16

struct entities {
	int state;
	char pend[ENTITIES_NAME_MAX + 1]; /* a reference's name, or what follows '<' */
	size_t npend;
	int run;        /* progress through "]]>", "-->" or "?>" */
	int refused;    /* an <!ENTITY declaration was seen */
	unsigned long line;             /* of the byte being read, from 1 */
	unsigned long repaired;         /* bare '&'s escaped, "&#X" lowered */
	unsigned long repaired_line;    /* where the first was */
};

/* Start a document. Allocates nothing. */
void entities_init(struct entities *e);

/*
 * Append the len bytes of in to out, with &name; rewritten as &#N; where
 * name is an HTML 4 entity that XML does not predefine (not amp, lt, gt,
 * quot, apos); not inside CDATA sections, comments and processing
 * instructions; unknown names are left for the XML parser to report.
 * Repairs what XML refuses and feeds mean plainly: a '&' that starts no
 * reference becomes "&amp;", "&#X" becomes "&#x"; e->repaired counts
 * them (the document was not well-formed) and e->repaired_line says where
 * the first was.
 * Returns 0, or -1 (and sets e->refused) once an entity declaration
 * (<!ENTITY) is met: the document must not be parsed at all, since its
 * entities could expand without bound.
 */
int entities_filter(struct entities *e, const char *in, size_t len,
		    struct buf *out);

/* At the end of the input: append what was held back. */
void entities_finish(struct entities *e, struct buf *out);

/* 1 when the filter may run on text in the named encoding (NULL: UTF-8),
 * 0 when its bytes cannot be read as ASCII. */
int entities_encoding_ok(const char *encoding);

#endif
