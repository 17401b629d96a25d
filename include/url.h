#ifndef NEWSDIGEST_URL_H
#define NEWSDIGEST_URL_H
/*
 * URLs: resolving relative references (RFC 3986, via libxml2's URI code),
 * checking the scheme, and the canonical form that identifies a story
 * across feeds.
 */
#include "buf.h"

/* 1 when url is absolute with scheme http or https (any case), else 0. */
int url_is_http(const char *url);

/* Resolve ref against base (either may be NULL or ""); the result replaces
 * out's contents. A ref that is already absolute (has a scheme) is kept as
 * written; NULL or "" as ref gives the base. White space around ref is
 * ignored and inner spaces become %20. Returns 0, or -1 when the result
 * cannot be built: no base for a relative ref, a ref libxml2 refuses, or
 * out's limit (out then holds ref unchanged, as far as the limit allows). */
int url_resolve(const char *base, const char *ref, struct buf *out);

/*
 * The canonical form of an http(s) URL: scheme and host lower-cased, the
 * default port (80, 443) and the fragment dropped, tracking parameters
 * (utm_*, fbclid, gclid, dclid, msclkid, mc_eid, mc_cid, _ga, igshid, yclid)
 * removed from the query (the others keep their order), an empty path made
 * "/". Returns 0, or -1 when url is not an http(s) URL (out unspecified).
 */
int url_canonical(const char *url, struct buf *out);

#endif
