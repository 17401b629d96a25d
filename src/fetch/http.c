/*
 * Many fetches over one libcurl multi handle.
 *
 * libcurl moves the bytes; the policy is ours. Scheduling is ours because
 * CURLMOPT_MAX_HOST_CONNECTIONS counts connections, not transfers (HTTP/2
 * streams share one), and because a queue we walk in order keeps one
 * publisher from seeing a burst. Redirects are ours (CURLOPT_FOLLOWLOCATION
 * off) so that each hop's scheme is checked, each hop counts against its own
 * host when it starts, and "moved permanently" can be told from "moved for
 * now". The conditional headers go to every hop: the stored validators came
 * from the end of the chain.
 *
 * Everything runs on the caller's thread; callbacks never block.
 */
#include "http.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "curlmulti.h"
#include "xalloc.h"

/* Header values we keep (ETag, Last-Modified, Content-Type, reason phrase)
 * are short in practice; a longer one is dropped rather than cut. */
#define HEADER_VALUE_MAX 2048
/* Retry-After as an HTTP-date goes through a fixed buffer for curl_getdate. */
#define DATE_MAX 128

enum xfer_state {
	XFER_QUEUED,
	XFER_RUNNING,
	XFER_DONE
};

struct host_slot {
	char *name;            /* lower-cased host:port */
	long active;
};

struct xfer {
	struct http_request *req;
	enum xfer_state state;
	CURL *easy;
	struct curl_slist *conditional;
	char *url;             /* the current hop's URL */
	size_t host;           /* index into fetch.hosts */
	long hops;
	int all_permanent;
	char errbuf[CURL_ERROR_SIZE];

	/* The current response; reset by every status line. */
	long status;
	struct buf reason;
	struct buf etag;
	struct buf last_modified;
	struct buf content_type;
	long max_age;
	long retry_after;
	struct buf body;
	size_t discarded;      /* bytes of a non-2xx body, counted not kept */
	int toobig;
};

struct fetch {
	const struct http_options *opt;
	CURLM *multi;
	CURLSH *share;
	struct xfer *xfers;
	size_t n;
	size_t first_queued;   /* no queued transfer sits below this index */
	long running;
	long concurrency;
	long per_host;
	size_t max_bytes;
	struct host_slot *hosts;
	size_t nhosts;
	size_t hosts_alloc;
	http_done_fn done;
	void *data;
};

static int url_check(const char *url, int redirect, struct buf *host,
		     struct buf *why);
static size_t host_intern(struct fetch *f, const char *name);
static int xfer_set_url(struct fetch *f, struct xfer *x, const char *url,
			int redirect, struct buf *why);
static void xfer_queue_first(struct fetch *f, struct xfer *x);
static void add_conditional(struct xfer *x, const char *name,
			    const char *value);
static void run(struct fetch *f);
static void abort_all(struct fetch *f, CURLMcode mc);
static void response_reset(struct xfer *x);
static int xfer_setup(struct fetch *f, struct xfer *x, struct buf *why);
static void start_ready(struct fetch *f);
static void xfer_start(struct fetch *f, struct xfer *x);
static void xfer_stop(struct fetch *f, struct xfer *x);
static void xfer_complete(struct fetch *f, struct xfer *x, CURLcode rc);
static int xfer_redirect(struct fetch *f, struct xfer *x, struct buf *why);
static void transport_error(struct fetch *f, struct xfer *x, CURLcode rc,
			    struct buf *why);
static void xfer_finish(struct fetch *f, struct xfer *x,
			enum http_outcome outcome, const char *error);
static void xfer_release(struct xfer *x);
static size_t write_cb(char *p, size_t size, size_t nmemb, void *userdata);
static size_t header_cb(char *p, size_t size, size_t nmemb, void *userdata);
static void parse_status_line(struct xfer *x, const char *p, size_t len);
static void keep_value(struct buf *b, const char *v, size_t len);
static long parse_max_age(const char *v, size_t len);
static long parse_retry_after(const char *v, size_t len);
static long parse_seconds(const char *v, size_t len);
static int is_redirect(long status);
static int is_http_scheme(const char *scheme);
static void trim(const char **p, size_t *len);
static const char *or_null(const struct buf *b);

static int is_http_scheme(const char *scheme)
{
	return !strcasecmp(scheme, "http") || !strcasecmp(scheme, "https");
}

static int is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/*
 * Parse url with libcurl's own parser (the one the transfer will use), so
 * that the host we count is the host it connects to. host receives
 * "host:port", lower-cased, with the scheme's default port filled in.
 * redirect only changes the wording of the refusal.
 */
static int url_check(const char *url, int redirect, struct buf *host,
		     struct buf *why)
{
	CURLU *u;
	CURLUcode uc;
	char *scheme = NULL;
	char *name = NULL;
	char *port = NULL;
	size_t i;
	int ret = -1;

	u = curl_url();
	if (!u)
		xdie_oom();
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		buf_addstr(why, redirect ? "cannot parse redirect URL '" :
				    "cannot parse URL '");
		buf_addsanitized(why, url);
		buf_addf(why, "': %s", curl_url_strerror(uc));
		goto out;
	}
	uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (uc != CURLUE_OK || !is_http_scheme(scheme)) {
		buf_addstr(why, redirect ? "redirect to '" : "unsupported URL '");
		buf_addsanitized(why, url);
		buf_addstr(why, redirect ? "' refused: only http and https" :
				    "': only http and https");
		goto out;
	}
	uc = curl_url_get(u, CURLUPART_HOST, &name, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	if (uc != CURLUE_OK || !*name) {
		buf_addstr(why, "cannot parse URL '");
		buf_addsanitized(why, url);
		buf_addstr(why, "': no host");
		goto out;
	}
	buf_reset(host);
	for (i = 0; name[i]; i++)
		buf_addch(host, tolower((unsigned char)name[i]));
	buf_addf(host, ":%s", port);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(name);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

/* A linear table: a run fetches from tens or hundreds of hosts, not more. */
static size_t host_intern(struct fetch *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (!strcmp(f->hosts[i].name, name))
			return i;
	xgrow(&f->hosts, &f->hosts_alloc, f->nhosts + 1, sizeof(*f->hosts));
	f->hosts[f->nhosts].name = xstrdup(name);
	f->hosts[f->nhosts].active = 0;
	return f->nhosts++;
}

/* Point x at url (the first request or the next hop) and queue it. */
static int xfer_set_url(struct fetch *f, struct xfer *x, const char *url,
			int redirect, struct buf *why)
{
	struct buf host = BUF_INIT;
	int ret = -1;

	if (url_check(url, redirect, &host, why) < 0)
		goto out;
	free(x->url);
	x->url = xstrdup(url);
	x->host = host_intern(f, host.s);
	x->state = XFER_QUEUED;
	if (f->first_queued > (size_t)(x - f->xfers))
		f->first_queued = (size_t)(x - f->xfers);
	ret = 0;
out:
	buf_release(&host);
	return ret;
}

static void response_reset(struct xfer *x)
{
	x->status = 0;
	buf_reset(&x->reason);
	buf_reset(&x->etag);
	buf_reset(&x->last_modified);
	buf_reset(&x->content_type);
	x->max_age = -1;
	x->retry_after = -1;
	buf_reset(&x->body);
	x->discarded = 0;
	x->toobig = 0;
	x->errbuf[0] = '\0';
}

/* Options that stay for every hop of one request. */
static int xfer_setup(struct fetch *f, struct xfer *x, struct buf *why)
{
	const struct http_options *opt = f->opt;
	CURL *e;
	CURLcode rc = CURLE_OK;

	e = curl_easy_init();
	if (!e) {
		buf_addstr(why, "cannot set up a libcurl transfer");
		return -1;
	}
	x->easy = e;
	/* Each setopt below can fail only on a libcurl built without the
	 * feature or out of memory; the first failure is the one reported. */
#define SET(opt_, val_) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(e, opt_, val_); \
	} while (0)
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_SHARE, f->share);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HEADERDATA, x);
	if (opt->user_agent && *opt->user_agent)
		SET(CURLOPT_USERAGENT, opt->user_agent);
	if (opt->connect_timeout > 0)
		SET(CURLOPT_CONNECTTIMEOUT, opt->connect_timeout);
	/* Per hop: a request may take (max_redirects + 1) * timeout at most. */
	if (opt->timeout > 0)
		SET(CURLOPT_TIMEOUT, opt->timeout);
	if (opt->low_speed_bytes > 0 && opt->low_speed_time > 0) {
		SET(CURLOPT_LOW_SPEED_LIMIT, opt->low_speed_bytes);
		SET(CURLOPT_LOW_SPEED_TIME, opt->low_speed_time);
	}
	/* Refuses early on Content-Length; write_cb catches chunked bodies
	 * and decoded sizes, which this cannot see. */
	if (f->max_bytes)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_bytes);
	if (opt->ca_file && *opt->ca_file)
		SET(CURLOPT_CAINFO, opt->ca_file);
	if (x->conditional)
		SET(CURLOPT_HTTPHEADER, x->conditional);
#undef SET
	if (rc != CURLE_OK) {
		buf_addf(why, "cannot set up a libcurl transfer: %s",
			 curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Start queued transfers in queue order while there is room, skipping
 * those whose host is full. A hop of a redirect keeps its request's place.
 */
static void start_ready(struct fetch *f)
{
	size_t i;
	int gap = 0;

	for (i = f->first_queued; i < f->n; i++) {
		struct xfer *x = &f->xfers[i];

		if (x->state == XFER_QUEUED) {
			if (f->running >= f->concurrency)
				break;
			if (f->hosts[x->host].active >= f->per_host) {
				gap = 1;
				continue;
			}
			xfer_start(f, x);
		}
		if (!gap)
			f->first_queued = i + 1;
	}
}

static void xfer_start(struct fetch *f, struct xfer *x)
{
	struct buf why = BUF_INIT;
	CURLcode rc;
	CURLMcode mc;

	if (!x->easy && xfer_setup(f, x, &why) < 0)
		goto out;
	rc = curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	/*
	 * PIPEWAIT: wait for a connection that may carry HTTP/2 streams
	 * rather than open another. Only over https, where ALPN settles the
	 * question in the handshake; over http (HTTP/1.1 only, here) libcurl
	 * 7.88 waits for the whole first transfer, serialising a host.
	 */
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(x->easy, CURLOPT_PIPEWAIT,
				      strncasecmp(x->url, "https:", 6) ? 0L : 1L);
	if (rc != CURLE_OK) {
		buf_addstr(&why, "cannot fetch '");
		buf_addsanitized(&why, x->url);
		buf_addf(&why, "': %s", curl_easy_strerror(rc));
		goto out;
	}
	response_reset(x);
	mc = curl_multi_add_handle(f->multi, x->easy);
	if (mc != CURLM_OK) {
		buf_addf(&why, "cannot start a libcurl transfer: %s",
			 curl_multi_strerror(mc));
		goto out;
	}
	x->state = XFER_RUNNING;
	f->running++;
	f->hosts[x->host].active++;
out:
	if (x->state != XFER_RUNNING)
		xfer_finish(f, x, HTTP_FAILED, why.s);
	buf_release(&why);
}

static void xfer_stop(struct fetch *f, struct xfer *x)
{
	curl_multi_remove_handle(f->multi, x->easy);
	x->state = XFER_DONE;
	f->running--;
	f->hosts[x->host].active--;
}

/* Decide what a finished hop means: an outcome, or the next hop. */
static void xfer_complete(struct fetch *f, struct xfer *x, CURLcode rc)
{
	struct buf why = BUF_INIT;
	long status = 0;
	int by_status;

	xfer_stop(f, x);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	x->status = status;
	/*
	 * A non-2xx status decides even when its body was cut short by our
	 * own limits (write_cb, MAXFILESIZE): that body was never wanted.
	 */
	by_status = rc == CURLE_OK ||
		    (status >= 300 && (rc == CURLE_WRITE_ERROR ||
				       rc == CURLE_FILESIZE_EXCEEDED));
	if (!by_status) {
		transport_error(f, x, rc, &why);
		xfer_finish(f, x, HTTP_FAILED, why.s);
	} else if (status >= 200 && status <= 299) {
		xfer_finish(f, x, HTTP_OK, NULL);
	} else if (status == 304) {
		xfer_finish(f, x, HTTP_NOT_MODIFIED, NULL);
	} else if (status == 410) {
		xfer_finish(f, x, HTTP_GONE, NULL);
	} else if (is_redirect(status)) {
		if (xfer_redirect(f, x, &why) < 0)
			xfer_finish(f, x, HTTP_FAILED, why.s);
	} else {
		buf_addf(&why, "HTTP %ld", status);
		if (x->reason.len) {
			buf_addch(&why, ' ');
			buf_addsanitized(&why, x->reason.s);
		}
		xfer_finish(f, x, HTTP_FAILED, why.s);
	}
	buf_release(&why);
}

/* Queue the next hop; -1 with the reason when the redirect ends here. */
static int xfer_redirect(struct fetch *f, struct xfer *x, struct buf *why)
{
	struct buf target = BUF_INIT;
	char *location = NULL;
	int ret = -1;

	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &location);
	if (!location) {
		buf_addf(why, "HTTP %ld without a usable Location", x->status);
		goto out;
	}
	if (x->hops >= f->opt->max_redirects) {
		/* A loop ends here too, after max_redirects hops. */
		buf_addf(why, "more than %ld redirects", f->opt->max_redirects);
		goto out;
	}
	/* location lives in the easy handle, which the next hop rewrites. */
	buf_addstr(&target, location);
	if (xfer_set_url(f, x, target.s, 1, why) < 0)
		goto out;
	x->hops++;
	if (x->status != 301 && x->status != 308)
		x->all_permanent = 0;
	/* The validators stay: they came from the end of this same chain last
	 * time, so a feed behind a temporary redirect still gets its 304. */
	ret = 0;
out:
	buf_release(&target);
	return ret;
}

static void transport_error(struct fetch *f, struct xfer *x, CURLcode rc,
			    struct buf *why)
{
	const struct http_options *opt = f->opt;
	const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
	curl_off_t connected = 0;
	curl_off_t total = 0;
	const char *colon;

	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (rc == CURLE_FILESIZE_EXCEEDED || x->toobig) {
			buf_addf(why, "body larger than %zu bytes", f->max_bytes);
			return;
		}
		break;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connected);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total);
		/* A reused connection may report no connect time; a status
		 * line proves the connection all the same. */
		if (!connected && !x->status) {
			buf_addstr(why, "cannot connect: ");
			buf_addsanitized(why, detail);
			return;
		}
		/* libcurl's message is the only direct sign of a low-speed
		 * abort; ending well before the deadline is the fallback. */
		if (opt->low_speed_bytes > 0 && opt->low_speed_time > 0 &&
		    (strstr(x->errbuf, "too slow") ||
		     (opt->timeout > 0 &&
		      total < (curl_off_t)(opt->timeout - 1) * 1000000))) {
			buf_addf(why, "slower than %ld bytes/s for %ld s",
				 opt->low_speed_bytes, opt->low_speed_time);
			return;
		}
		buf_addf(why, "timed out after %ld s", opt->timeout);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		/* The host key is host:port; the port is not part of the name. */
		colon = strrchr(f->hosts[x->host].name, ':');
		buf_addstr(why, "cannot resolve host '");
		buf_add(why, f->hosts[x->host].name,
			(size_t)(colon - f->hosts[x->host].name));
		buf_addch(why, '\'');
		return;
	case CURLE_COULDNT_CONNECT:
		buf_addstr(why, "cannot connect: ");
		buf_addsanitized(why, detail);
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		buf_addf(why, "TLS: %s", curl_easy_strerror(rc));
		if (x->errbuf[0]) {
			buf_addstr(why, ": ");
			buf_addsanitized(why, x->errbuf);
		}
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
		buf_addstr(why, "unsupported URL '");
		buf_addsanitized(why, x->url);
		buf_addstr(why, "': only http and https");
		return;
	default:
		break;
	}
	buf_addstr(why, "cannot fetch: ");
	buf_addsanitized(why, detail);
}

/* Hand the outcome to the caller, then free all but the request itself. */
static void xfer_finish(struct fetch *f, struct xfer *x,
			enum http_outcome outcome, const char *error)
{
	struct http_response resp;

	memset(&resp, 0, sizeof(resp));
	resp.outcome = outcome;
	resp.status = x->status;
	resp.final_url = x->url ? x->url : x->req->url;
	resp.moved_permanently = x->hops > 0 && x->all_permanent;
	resp.etag = or_null(&x->etag);
	resp.last_modified = or_null(&x->last_modified);
	resp.content_type = or_null(&x->content_type);
	resp.max_age = x->max_age;
	resp.retry_after = x->status == 429 || x->status == 503 ?
			   x->retry_after : -1;
	if (outcome == HTTP_OK) {
		resp.body = x->body.s;
		resp.body_len = x->body.len;
	}
	if (outcome == HTTP_FAILED)
		resp.error = error && *error ? error : "failed";
	x->state = XFER_DONE;
	f->done(x->req, &resp, f->data);
	xfer_release(x);
}

static void xfer_release(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	x->easy = NULL;
	curl_slist_free_all(x->conditional);
	x->conditional = NULL;
	free(x->url);
	x->url = NULL;
	buf_release(&x->reason);
	buf_release(&x->etag);
	buf_release(&x->last_modified);
	buf_release(&x->content_type);
	buf_release(&x->body);
}

static const char *or_null(const struct buf *b)
{
	return b->len ? b->s : NULL;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;

	if (x->status < 200 || x->status > 299) {
		/* Bodies of redirects and errors are not kept, but a
		 * server still may not send without limit. */
		if (x->body.max && len > x->body.max - x->discarded) {
			x->toobig = 1;
			return 0;
		}
		x->discarded += len;
		return len;
	}
	if (buf_add(&x->body, p, len) < 0) {
		/* Any count but len aborts with CURLE_WRITE_ERROR; len > 0
		 * here, since an empty append never fails. */
		x->toobig = 1;
		return 0;
	}
	return len;
}

static size_t header_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;
	const char *colon;
	const char *v;
	size_t namelen, vlen;

	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		/* A new response (after a 1xx, say): forget the last one. */
		response_reset(x);
		parse_status_line(x, p, len);
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	namelen = (size_t)(colon - p);
	v = colon + 1;
	vlen = len - namelen - 1;
	trim(&v, &vlen);
#define IS(name_) (namelen == sizeof(name_) - 1 && \
		   !strncasecmp(p, name_, namelen))
	if (IS("ETag"))
		keep_value(&x->etag, v, vlen);
	else if (IS("Last-Modified"))
		keep_value(&x->last_modified, v, vlen);
	else if (IS("Content-Type"))
		keep_value(&x->content_type, v, vlen);
	else if (IS("Cache-Control") && x->max_age < 0)
		x->max_age = parse_max_age(v, vlen);
	else if (IS("Retry-After"))
		x->retry_after = parse_retry_after(v, vlen);
#undef IS
	return len;
}

/* "HTTP/1.1 404 Not Found", "HTTP/2 200": the reason phrase is optional. */
static void parse_status_line(struct xfer *x, const char *p, size_t len)
{
	const char *end = p + len;
	long status = 0;
	int digits = 0;

	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	while (p < end && digits < 3 && isdigit((unsigned char)*p)) {
		status = status * 10 + (*p - '0');
		p++;
		digits++;
	}
	if (digits == 3)
		x->status = status;
	len = (size_t)(end - p);
	trim(&p, &len);
	keep_value(&x->reason, p, len);
}

static void keep_value(struct buf *b, const char *v, size_t len)
{
	size_t i;

	buf_reset(b);
	/* A value with control characters would be echoed back in a
	 * request header or reach a log; no honest server sends one. */
	for (i = 0; i < len; i++)
		if (iscntrl((unsigned char)v[i]) && v[i] != '\t')
			return;
	if (buf_add(b, v, len) < 0)
		buf_reset(b);
}

/* Cache-Control: "public, max-age=600", "Max-Age=\"60\""; s-maxage is
 * another directive. -1 when absent or unreadable. */
static long parse_max_age(const char *v, size_t len)
{
	const char *end = v + len;

	while (v < end) {
		const char *d = v;
		const char *comma = memchr(v, ',', (size_t)(end - v));
		size_t dlen;

		if (!comma)
			comma = end;
		dlen = (size_t)(comma - d);
		v = comma + (comma < end);
		trim(&d, &dlen);
		if (dlen > 8 && !strncasecmp(d, "max-age", 7)) {
			const char *val = d + 7;
			size_t vlen = dlen - 7;

			trim(&val, &vlen);
			if (!vlen || *val != '=')
				continue;
			val++;
			vlen--;
			trim(&val, &vlen);
			if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
				val++;
				vlen -= 2;
			}
			return parse_seconds(val, vlen);
		}
	}
	return -1;
}

/* Retry-After: delta-seconds or an HTTP-date (curl_getdate reads the
 * IMF-fixdate and the two obsolete forms RFC 7231 asks us to accept). */
static long parse_retry_after(const char *v, size_t len)
{
	char date[DATE_MAX];
	time_t when, now;

	if (len && isdigit((unsigned char)v[0]))
		return parse_seconds(v, len);
	if (!len || len >= sizeof(date))
		return -1;
	memcpy(date, v, len);
	date[len] = '\0';
	when = curl_getdate(date, NULL);
	if (when == -1)
		return -1;
	now = time(NULL);
	if (when <= now)
		return 0;
	if ((unsigned long long)(when - now) > LONG_MAX)
		return LONG_MAX;
	return (long)(when - now);
}

/* Digits only; a number too large for a long is clamped, not refused. */
static long parse_seconds(const char *v, size_t len)
{
	long n = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		if (n > (LONG_MAX - (v[i] - '0')) / 10)
			n = LONG_MAX;
		else
			n = n * 10 + (v[i] - '0');
	}
	return n;
}

static void trim(const char **p, size_t *len)
{
	while (*len && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t' ||
			(*p)[*len - 1] == '\r' || (*p)[*len - 1] == '\n'))
		(*len)--;
}

/* The validators are set once and kept for every hop; a bad URL fails here,
 * before any transfer starts. */
static void xfer_queue_first(struct fetch *f, struct xfer *x)
{
	struct buf why = BUF_INIT;

	add_conditional(x, "If-None-Match", x->req->etag);
	add_conditional(x, "If-Modified-Since", x->req->last_modified);
	if (xfer_set_url(f, x, x->req->url ? x->req->url : "", 0, &why) < 0)
		xfer_finish(f, x, HTTP_FAILED, why.s);
	buf_release(&why);
}

/* A stored validator with a line break would smuggle in another header;
 * such a value is not sent at all. */
static void add_conditional(struct xfer *x, const char *name,
			    const char *value)
{
	struct buf line = BUF_INIT;
	struct curl_slist *l;
	size_t i;

	if (!value || !*value)
		return;
	for (i = 0; value[i]; i++)
		if (iscntrl((unsigned char)value[i]) && value[i] != '\t')
			return;
	buf_addf(&line, "%s: %s", name, value);
	l = curl_slist_append(x->conditional, line.s);
	if (!l)
		xdie_oom();
	x->conditional = l;
	buf_release(&line);
}

static void on_done(void *ctx, char *private, CURLcode rc)
{
	xfer_complete(ctx, (struct xfer *)(void *)private, rc);
}

static void run(struct fetch *f)
{
	CURLMcode mc = CURLM_OK;

	start_ready(f);
	while (f->running > 0) {
		int still = 0;

		mc = curl_multi_perform(f->multi, &still);
		if (mc != CURLM_OK)
			break;
		curlmulti_each_done(f->multi, on_done, f);
		start_ready(f);
		if (!f->running)
			break;
		/* Wakes for socket activity or libcurl's next timer. */
		mc = curl_multi_poll(f->multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK)
			break;
	}
	if (mc != CURLM_OK)
		abort_all(f, mc);
}

/* The multi handle itself failed (out of memory, in practice): every
 * request still open ends now, each with the reason. */
static void abort_all(struct fetch *f, CURLMcode mc)
{
	struct buf why = BUF_INIT;
	size_t i;

	buf_addf(&why, "cannot fetch: %s", curl_multi_strerror(mc));
	for (i = 0; i < f->n; i++) {
		struct xfer *x = &f->xfers[i];

		if (x->state == XFER_RUNNING)
			xfer_stop(f, x);
		else if (x->state != XFER_QUEUED)
			continue;
		xfer_finish(f, x, HTTP_FAILED, why.s);
	}
	buf_release(&why);
}

int http_fetch_all(const struct http_options *opt, struct http_request *reqs,
		   size_t n, http_done_fn done, void *data, struct buf *err)
{
	struct fetch f;
	size_t i;
	int ret = -1;

	memset(&f, 0, sizeof(f));
	f.opt = opt;
	f.n = n;
	f.done = done;
	f.data = data;
	/* Fewer than one would start nothing and wait for ever. */
	f.concurrency = opt->concurrency > 0 ? opt->concurrency : 1;
	f.per_host = opt->per_host > 0 ? opt->per_host : 1;
	f.max_bytes = opt->max_bytes > 0 ? (size_t)opt->max_bytes : 0;
	if (curlmulti_global_init(err) < 0)
		goto out;
	f.multi = curl_multi_init();
	f.share = curl_share_init();
	if (!f.multi || !f.share) {
		buf_addstr(err, "cannot set up libcurl");
		goto out;
	}
	/* One thread uses the share, so it needs no lock callbacks. The multi
	 * handle already shares connections and the DNS cache among its
	 * transfers; TLS sessions it does not. */
	if (curl_share_setopt(f.share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    curl_multi_setopt(f.multi, CURLMOPT_PIPELINING,
			      CURLPIPE_MULTIPLEX) != CURLM_OK) {
		buf_addstr(err, "cannot set up libcurl");
		goto out;
	}
	f.xfers = n ? xcalloc(n, sizeof(*f.xfers)) : NULL;
	for (i = 0; i < n; i++) {
		struct xfer *x = &f.xfers[i];

		x->req = &reqs[i];
		x->state = XFER_DONE;
		x->all_permanent = 1;
		buf_init(&x->reason, HEADER_VALUE_MAX);
		buf_init(&x->etag, HEADER_VALUE_MAX);
		buf_init(&x->last_modified, HEADER_VALUE_MAX);
		buf_init(&x->content_type, HEADER_VALUE_MAX);
		buf_init(&x->body, f.max_bytes);
	}
	f.first_queued = n;
	for (i = 0; i < n; i++)
		xfer_queue_first(&f, &f.xfers[i]);
	run(&f);
	ret = 0;
out:
	for (i = 0; f.xfers && i < n; i++)
		xfer_release(&f.xfers[i]);
	free(f.xfers);
	/* Transfers hold the share; it goes last. */
	if (f.multi)
		curl_multi_cleanup(f.multi);
	if (f.share)
		curl_share_cleanup(f.share);
	for (i = 0; i < f.nhosts; i++)
		free(f.hosts[i].name);
	free(f.hosts);
	return ret;
}
