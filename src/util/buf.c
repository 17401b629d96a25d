#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char buf_empty[1];

void buf_init(struct buf *b, size_t max)
{
	b->s = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->toobig = 0;
}

void buf_release(struct buf *b)
{
	size_t max = b->max;

	if (b->alloc)
		free(b->s);
	buf_init(b, max);
}

char *buf_detach(struct buf *b)
{
	char *s = b->alloc ? b->s : xstrdup("");

	buf_init(b, b->max);
	return s;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->s[0] = '\0';
	b->toobig = 0;
}

static void buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > (size_t)-1 - b->len - 1)
		xdie_oom();
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return;
	if (want < b->alloc + b->alloc / 2)
		want = b->alloc + b->alloc / 2;
	if (want < 64)
		want = 64;
	if (b->alloc) {
		b->s = xrealloc(b->s, want);
	} else {
		b->s = xmalloc(want);
		b->s[0] = '\0';
	}
	b->alloc = want;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->max && (len > b->max || b->len > b->max - len)) {
		b->toobig = 1;
		return -1;
	}
	if (!len)
		return 0;
	buf_grow(b, len);
	memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (b->max && ((size_t)n > b->max || b->len > b->max - (size_t)n)) {
		b->toobig = 1;
		return -1;
	}
	buf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

int buf_addsanitized(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int ret = 0;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			ret |= buf_addch(b, '?');
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls encoded in UTF-8 move terminals too */
			ret |= buf_addch(b, '?');
			p++;
		} else {
			ret |= buf_addch(b, *p);
		}
	}
	return ret;
}

void buf_setlen(struct buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	b->s[len] = '\0';
}

void buf_rtrim(struct buf *b)
{
	while (b->len && strchr(" \t\r\n\f\v", b->s[b->len - 1]))
		b->len--;
	b->s[b->len] = '\0';
}
