#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

void xdie_oom(void)
{
	fputs("newsdigest: out of memory\n", stderr);
	exit(EX_OSERR);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xdie_oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		xdie_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		xdie_oom();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		xdie_oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		xdie_oom();
	return p;
}

void xgrow(void *pp, size_t *alloc, size_t want, size_t elem)
{
	void **p = pp;
	size_t n = *alloc;

	if (want <= n)
		return;
	n = n ? n * 2 : 8;
	if (n < want)
		n = want;
	if (n > (size_t)-1 / elem)
		xdie_oom();
	*p = xrealloc(*p, n * elem);
	*alloc = n;
}
