/*
 * URLs: scheme checks, resolution against a base, canonical form.
 *
 * Resolution is libxml2's xmlBuildURI (RFC 3986 section 5), which the
 * feed parser links anyway. Its limits, seen in 2.9.14 and accepted: it
 * keeps "." segments of an absolute-path ref ("/./g" gives "http://a/./g")
 * and decodes escapes of unreserved characters ("%7e" gives "~"). The canonical form is parsed by hand instead:
 * xmlParseURI unescapes the path and xmlSaveUri escapes it again its own
 * way, so "%7E" and "~" or "%2f" and "%2F" would come back changed, and
 * the 2.9 series handles bracketed IPv6 hosts only partly. Here every
 * byte of userinfo, path and query is copied as it came, and only the
 * scheme, host, port, fragment and tracking parameters are touched.
 */
#include "url.h"

#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

struct authority {
	const char *user;	/* userinfo including its '@', or NULL */
	size_t user_len;
	const char *host;	/* with brackets for IPv6 */
	size_t host_len;
	const char *port;	/* digits after ':', or NULL */
	size_t port_len;
};

static int lower(int c);
static char *trim_dup(const char *s);
static int has_scheme(const char *s);
static int http_scheme(const char *url, size_t *len);
static int split_authority(const char *s, size_t n, struct authority *a);
static int is_tracking(const char *name, size_t n);
static void add_query(struct buf *out, const char *q, size_t n);

/*
 * Exact names, matched case-insensitively; any utm_* is matched
 * separately. They identify the click, not the story.
 */
static const char *const tracking[] = {
	"fbclid", "gclid", "dclid", "msclkid", "mc_eid", "mc_cid", "_ga",
	"igshid", "yclid",
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * A copy of s without leading and trailing ASCII white space, inner
 * spaces written %20: xmlBuildURI refuses a raw space, and feeds have them.
 */
static char *trim_dup(const char *s)
{
	struct buf b = BUF_INIT;
	size_t n, i;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		     s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			buf_addstr(&b, "%20");
		else
			buf_addch(&b, s[i]);
	}
	return buf_detach(&b);
}

/* RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
static int has_scheme(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	return *p == ':';
}

/*
 * Whether url starts with "http://" or "https://" (any case); *len gets
 * the scheme's length (4 or 5).
 */
static int http_scheme(const char *url, size_t *len)
{
	static const char *const schemes[] = { "http", "https" };
	size_t i, j;

	for (i = 0; i < 2; i++) {
		size_t n = strlen(schemes[i]);

		for (j = 0; j < n; j++)
			if (lower((unsigned char)url[j]) != schemes[i][j])
				break;
		if (j == n && !strncmp(url + n, "://", 3)) {
			*len = n;
			return 1;
		}
	}
	return 0;
}

/*
 * Split the authority s[0..n) into userinfo, host and port. The host
 * must not be empty; the port, when present, must be digits (it may be
 * empty: "host:" means the default). Returns 0 or -1.
 */
static int split_authority(const char *s, size_t n, struct authority *a)
{
	const char *end = s + n;
	const char *at = NULL, *p;

	memset(a, 0, sizeof(*a));
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		a->user = s;
		a->user_len = (size_t)(at + 1 - s);
		s = at + 1;
	}
	a->host = s;
	if (s < end && *s == '[') {
		p = memchr(s, ']', (size_t)(end - s));
		if (!p)
			return -1;
		p++;
	} else {
		p = memchr(s, ':', (size_t)(end - s));
		if (!p)
			p = end;
	}
	a->host_len = (size_t)(p - s);
	if (!a->host_len || (a->host[0] == '[' && a->host_len < 3))
		return -1;
	if (p < end) {
		if (*p != ':')
			return -1;
		a->port = p + 1;
		a->port_len = (size_t)(end - a->port);
		for (p = a->port; p < end; p++)
			if (*p < '0' || *p > '9')
				return -1;
	}
	return 0;
}

static int is_tracking(const char *name, size_t n)
{
	size_t i, j;

	if (n >= 4 && lower((unsigned char)name[0]) == 'u' &&
	    lower((unsigned char)name[1]) == 't' &&
	    lower((unsigned char)name[2]) == 'm' && name[3] == '_')
		return 1;
	for (i = 0; i < sizeof(tracking) / sizeof(tracking[0]); i++) {
		if (strlen(tracking[i]) != n)
			continue;
		for (j = 0; j < n; j++)
			if (lower((unsigned char)name[j]) != tracking[i][j])
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

/*
 * Append "?" and the parameters of q[0..n) that are not tracking ones, in
 * their order; nothing at all when none is left. Empty parameters ("&&")
 * carry nothing and go too.
 */
static void add_query(struct buf *out, const char *q, size_t n)
{
	const char *end = q + n;
	int first = 1;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		size_t name_len = (size_t)((eq ? eq : stop) - q);

		if (stop > q && !is_tracking(q, name_len)) {
			buf_addch(out, first ? '?' : '&');
			buf_add(out, q, (size_t)(stop - q));
			first = 0;
		}
		q = amp ? amp + 1 : end;
	}
}

int url_is_http(const char *url)
{
	struct authority a;
	size_t slen, n;

	if (!url || !http_scheme(url, &slen))
		return 0;
	url += slen + 3;
	n = strcspn(url, "/?#");
	return split_authority(url, n, &a) == 0;
}

int url_resolve(const char *base, const char *ref, struct buf *out)
{
	char *r = NULL, *b = NULL;
	xmlChar *res = NULL;
	int ret = -1;

	buf_reset(out);
	if (!ref)
		ref = "";
	/* feeds wrap links in white space ("<link>\n  http://...\n</link>") */
	r = trim_dup(ref);
	if (has_scheme(r)) {
		/* kept as written: xmlBuildURI would re-escape it */
		ret = buf_addstr(out, r);
		goto out;
	}
	if (base)
		b = trim_dup(base);
	/* a relative ref with nothing to resolve it against stays relative */
	if (!b || !*b)
		goto out;
	res = xmlBuildURI((const xmlChar *)r, (const xmlChar *)b);
	if (!res)
		goto out;
	ret = buf_addstr(out, (const char *)res);
out:
	if (ret < 0) {
		buf_reset(out);
		buf_addstr(out, ref);
	}
	if (res)
		xmlFree(res);
	free(b);
	free(r);
	return ret;
}

int url_canonical(const char *url, struct buf *out)
{
	struct authority a;
	size_t slen, n, i;
	const char *p, *q;
	unsigned long port = 0;

	if (!url || !http_scheme(url, &slen))
		return -1;
	p = url + slen + 3;
	n = strcspn(p, "/?#");
	if (split_authority(p, n, &a) < 0)
		return -1;

	buf_reset(out);
	for (i = 0; i < slen; i++)
		buf_addch(out, lower((unsigned char)url[i]));
	buf_addstr(out, "://");
	if (a.user)
		buf_add(out, a.user, a.user_len);
	/* lower case, but not the hex digits of a %XX escape */
	for (i = 0; i < a.host_len; i++) {
		if (a.host[i] == '%' && i + 2 < a.host_len) {
			buf_add(out, a.host + i, 3);
			i += 2;
			continue;
		}
		buf_addch(out, lower((unsigned char)a.host[i]));
	}
	if (a.port && a.port_len) {
		for (i = 0; i < a.port_len && port <= 65535; i++)
			port = port * 10 + (unsigned long)(a.port[i] - '0');
		if (port > 65535)
			return -1;
		if (port != (slen == 4 ? 80UL : 443UL))
			buf_addf(out, ":%lu", port);
	}

	p += n;
	n = strcspn(p, "?#");
	if (n)
		buf_add(out, p, n);
	else
		buf_addch(out, '/');
	p += n;
	if (*p == '?') {
		p++;
		q = p;
		n = strcspn(q, "#");
		add_query(out, q, n);
	}
	return out->toobig ? -1 : 0;
}
