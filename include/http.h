#ifndef NEWSDIGEST_HTTP_H
#define NEWSDIGEST_HTTP_H
/*
 * Fetching many URLs at once politely (libcurl multi): at most `concurrency`
 * transfers in all and `per_host` per host at any moment, HTTP/2
 * multiplexing and connection reuse, every Accept-Encoding libcurl supports,
 * conditional GET, only http and https (for redirects too), TLS verified,
 * bodies bounded (aborted past max_bytes, never buffered beyond it).
 */
#include <stddef.h>

#include "buf.h"

struct http_options {
	long concurrency;         /* below 1: 1 */
	long per_host;            /* below 1: 1 */
	long connect_timeout;     /* seconds; 0: libcurl's default */
	long timeout;             /* seconds for a whole transfer (each
				     redirect hop gets its own); 0: none */
	long low_speed_bytes;     /* abort below this many bytes/s ... */
	long low_speed_time;      /* ... for this many seconds */
	long max_bytes;           /* largest (decoded) body accepted; 0: no limit */
	long max_redirects;
	const char *user_agent;
	const char *ca_file;      /* NULL or "": the system's */
};

struct http_request {
	const char *url;
	const char *etag;          /* sent as If-None-Match; NULL: none */
	const char *last_modified; /* sent as If-Modified-Since; NULL: none */
	void *data;                /* the caller's */
};

enum http_outcome {
	HTTP_OK,                   /* 2xx with a body */
	HTTP_NOT_MODIFIED,         /* 304 */
	HTTP_GONE,                 /* 410 */
	HTTP_FAILED                /* anything else: error says why */
};

struct http_response {
	enum http_outcome outcome;
	long status;               /* the final HTTP status; 0 when none */
	const char *final_url;     /* after redirects */
	int moved_permanently;     /* every redirect followed was 301 or 308 */
	const char *etag;          /* NULL when absent */
	const char *last_modified;
	const char *content_type;
	long max_age;              /* Cache-Control max-age, -1 when absent */
	long retry_after;          /* seconds (429/503 Retry-After), -1 when absent */
	const char *body;          /* HTTP_OK: the decoded body */
	size_t body_len;
	const char *error;         /* HTTP_FAILED: "HTTP 404 Not Found",
				      "timed out after 30 s", "body larger than
				      10485760 bytes", "redirect to 'file:///' refused",
				      "more than 5 redirects", "TLS: ..." */
};

/* Called once per request, in completion order; everything in resp is valid
 * only during the call. */
typedef void (*http_done_fn)(const struct http_request *req,
			     const struct http_response *resp, void *data);

/*
 * Fetch every request. Returns 0 when all were attempted (each outcome
 * went to done), or -1 with the reason in err when libcurl could not be set
 * up at all (then done was called for none). One thread only: the first
 * call initialises libcurl globally.
 */
int http_fetch_all(const struct http_options *opt, struct http_request *reqs,
		   size_t n, http_done_fn done, void *data, struct buf *err);

#endif
