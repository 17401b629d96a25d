#ifndef NEWSDIGEST_XALLOC_H
#define NEWSDIGEST_XALLOC_H
/*
 * Allocation that cannot fail: on exhaustion these print a message and exit
 * with EX_OSERR, so callers never check for NULL.
 */
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (an array of *alloc elements of size elem) to hold at least want. */
void xgrow(void *pp, size_t *alloc, size_t want, size_t elem);
void xdie_oom(void) __attribute__((noreturn));

#endif
