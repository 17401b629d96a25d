#ifndef NEWSDIGEST_BUF_H
#define NEWSDIGEST_BUF_H
/*
 * struct buf: the one growable string type. Always NUL-terminated, never
 * NULL (an empty buf points at a shared empty string), and bounded: appending
 * past `max` (when non-zero) sets `toobig` and drops the appended bytes, so
 * untrusted input can never grow a buffer without limit.
 * Low-level: this module knows nothing of feeds, items or the store.
 */
#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *s;        /* contents, NUL-terminated */
	size_t len;     /* bytes used, without the NUL */
	size_t alloc;   /* bytes allocated; 0 while s is the shared empty string */
	size_t max;     /* 0 = unbounded; else appends beyond max bytes are refused */
	int toobig;     /* set once an append was refused */
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0, 0, 0 }

/* Initialise with a byte limit (0: none). Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Free the contents; b is left as BUF_INIT with the same max. */
void buf_release(struct buf *b);
/* Hand the contents to the caller (free() them); b is reset. Never NULL. */
char *buf_detach(struct buf *b);
/* Empty the buffer without freeing its memory. */
void buf_reset(struct buf *b);
/* Append; each returns 0, or -1 when the limit refused the bytes (toobig set). */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, int c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append s with control characters (C0, DEL, C1 in UTF-8) replaced by '?',
 * for untrusted text on its way to a terminal or log. */
int buf_addsanitized(struct buf *b, const char *s);
/* Shorten to len bytes (len <= b->len). */
void buf_setlen(struct buf *b, size_t len);
/* Remove trailing ASCII white space. */
void buf_rtrim(struct buf *b);

#endif
