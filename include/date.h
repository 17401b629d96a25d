#ifndef NEWSDIGEST_DATE_H
#define NEWSDIGEST_DATE_H
/*
 * Dates as feeds write them, to UTC seconds. What is accepted is listed at
 * the top of src/fetch/date.c: RFC 822/1123 (named and numeric zones),
 * RFC 3339, ISO 8601 variants, and the common mistakes of real feeds
 * (two-digit years, missing seconds, wrong day names, French and other
 * month names).
 */
#include <stddef.h>

/* Parse s. Returns 0 and sets *out (seconds since 1970, UTC), or -1 when s
 * is not a date we understand (or out of the range 1970-9999). */
int date_parse(const char *s, long long *out);

/* Format t as RFC 3339 UTC ("2026-11-27T06:00:00Z") into out (at least 21
 * bytes). */
void date_format_rfc3339(long long t, char *out, size_t size);

#endif
