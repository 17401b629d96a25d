/*
 * http_fetch_all against a private nginx on 127.0.0.1: the server is real,
 * so are gzip, redirects, validators and rate limits. What nginx saw (access
 * log) is checked as well as what the caller got. Skipped, with a message,
 * where nginx is not installed.
 */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

#ifndef NGINX
#define NGINX "/usr/sbin/nginx"
#endif
#ifndef OPENSSL
#define OPENSSL "/usr/bin/openssl"
#endif
#define MAX_REQS 16
#define FEED_SIZE 4000
#define BIG_SIZE 200000
#define SLOW_SIZE 2048
#define RATE_SIZE 1100
#define RATE_REQS 4

struct result {
	int calls;
	int order;
	enum http_outcome outcome;
	long status;
	char *final_url;
	int moved;
	char *etag;
	char *last_modified;
	char *content_type;
	long max_age;
	long retry_after;
	char *body;
	size_t body_len;
	char *error;
};

struct batch {
	struct http_request reqs[MAX_REQS];
	struct result res[MAX_REQS];
	size_t n;
	int done_calls;
};

struct interval {
	double start;
	double end;
};

static struct {
	int ok;
	int tls;               /* openssl made a certificate: https is served */
	pid_t pid;
	int port;
	int tls_port;
	char dir[64];
	char base[64];
	char feed[FEED_SIZE + 1];
} srv;

static void assert_sane_buf(const struct buf *b);
static char *dupnull(const char *s);
static void on_done(const struct http_request *req,
		    const struct http_response *resp, void *data);
static void default_options(struct http_options *opt);
static void add(struct batch *b, const char *path, const char *etag,
		const char *last_modified);
static void add_url(struct batch *b, const char *url);
static void fetch(const struct http_options *opt, struct batch *b);
static void batch_release(struct batch *b);
static double now(void);
static int free_port(void);
static void write_file(const char *dir, const char *name, const char *data,
		       size_t len);
static void fill_text(char *p, size_t len, unsigned seed);
static int wait_for_port(int port, pid_t pid);
static int make_certificate(void);
static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw);
static size_t read_log(const char *tag, size_t want, struct interval *iv,
		       long *bytes, struct buf *line);
static int max_overlap(const struct interval *iv, size_t n);
static void expand(struct buf *out, const char *tmpl);
static int server_up(void **state);
static int server_down(void **state);

static void assert_sane_buf(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(strlen(b->s), b->len);
	if (b->max)
		assert_true(b->len <= b->max);
}

static char *dupnull(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Copies what the contract says lives only during the call, and checks the
 * invariants every response must keep. */
static void on_done(const struct http_request *req,
		    const struct http_response *resp, void *data)
{
	struct batch *b = data;
	struct result *r = req->data;

	assert_ptr_equal(req, &b->reqs[r - b->res]);
	assert_int_equal(r->calls, 0);
	r->calls++;
	r->order = b->done_calls++;
	r->outcome = resp->outcome;
	r->status = resp->status;
	assert_non_null(resp->final_url);
	r->final_url = xstrdup(resp->final_url);
	r->moved = resp->moved_permanently;
	r->etag = dupnull(resp->etag);
	r->last_modified = dupnull(resp->last_modified);
	r->content_type = dupnull(resp->content_type);
	r->max_age = resp->max_age;
	r->retry_after = resp->retry_after;
	if (resp->outcome == HTTP_OK) {
		assert_non_null(resp->body);
		assert_int_equal(resp->body[resp->body_len], '\0');
		r->body = xmalloc(resp->body_len + 1);
		memcpy(r->body, resp->body, resp->body_len + 1);
		r->body_len = resp->body_len;
	} else {
		assert_null(resp->body);
	}
	if (resp->outcome == HTTP_FAILED) {
		assert_non_null(resp->error);
		assert_true(resp->error[0] != '\0');
		r->error = xstrdup(resp->error);
	} else {
		assert_null(resp->error);
		r->error = NULL;
	}
}

static void default_options(struct http_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->concurrency = 8;
	opt->per_host = 4;
	opt->connect_timeout = 5;
	opt->timeout = 10;
	opt->max_bytes = 65536;
	opt->max_redirects = 5;
	opt->user_agent = "newsdigest-test/1";
}

static void add(struct batch *b, const char *path, const char *etag,
		const char *last_modified)
{
	struct buf url = BUF_INIT;

	buf_addf(&url, "%s%s", srv.base, path);
	add_url(b, url.s);
	b->reqs[b->n - 1].etag = etag;
	b->reqs[b->n - 1].last_modified = last_modified;
	buf_release(&url);
}

/* The batch owns its URLs (freed in batch_release). */
static void add_url(struct batch *b, const char *url)
{
	assert_true(b->n < MAX_REQS);
	b->reqs[b->n].url = xstrdup(url);
	b->reqs[b->n].data = &b->res[b->n];
	b->n++;
}

static void fetch(const struct http_options *opt, struct batch *b)
{
	struct buf err = BUF_INIT;
	size_t i;

	assert_int_equal(http_fetch_all(opt, b->reqs, b->n, on_done, b, &err), 0);
	assert_sane_buf(&err);
	assert_string_equal(err.s, "");
	for (i = 0; i < b->n; i++)
		assert_int_equal(b->res[i].calls, 1);
	assert_int_equal(b->done_calls, (int)b->n);
	buf_release(&err);
}

static void batch_release(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct result *r = &b->res[i];

		free((char *)b->reqs[i].url);
		free(r->final_url);
		free(r->etag);
		free(r->last_modified);
		free(r->content_type);
		free(r->body);
		free(r->error);
	}
	memset(b, 0, sizeof(*b));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A port nobody listens on right now; nginx binds it a moment later, a race
 * that loopback-only tests can afford. */
static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, port = -1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void write_file(const char *dir, const char *name, const char *data,
		       size_t len)
{
	struct buf path = BUF_INIT;
	FILE *fp;

	buf_addf(&path, "%s/%s", dir, name);
	fp = fopen(path.s, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	/* nginx's workers may run as nobody. */
	chmod(path.s, 0644);
	buf_release(&path);
}

/* Compressible, but not a single repeated byte. */
static void fill_text(char *p, size_t len, unsigned seed)
{
	static const char *words[] = { "news ", "digest ", "feed ", "item ",
				       "<title>", "</title>\n", "link ", "2024 " };
	size_t i = 0;

	while (i < len) {
		const char *w = words[(seed = seed * 1103515245u + 12345u) >> 29];

		while (*w && i < len)
			p[i++] = *w++;
	}
}

static int wait_for_port(int port, pid_t pid)
{
	struct sockaddr_in sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	for (i = 0; i < 250; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int rc;

		if (fd < 0)
			return -1;
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (rc == 0)
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(20000);
	}
	return -1;
}

/* A self-signed certificate for 127.0.0.1, which doubles as its own CA. */
static int make_certificate(void)
{
	struct buf key = BUF_INIT;
	struct buf cert = BUF_INIT;
	pid_t pid;
	int status = -1;

	if (access(OPENSSL, X_OK) != 0)
		return -1;
	buf_addf(&key, "%s/key.pem", srv.dir);
	buf_addf(&cert, "%s/cert.pem", srv.dir);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(OPENSSL, "openssl", "req", "-x509", "-newkey", "ec",
		      "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		      "-keyout", key.s, "-out", cert.s, "-days", "2",
		      "-subj", "/CN=127.0.0.1",
		      "-addext", "subjectAltName=IP:127.0.0.1", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	buf_release(&key);
	buf_release(&cert);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

/* @DIR@ and @PORT@ in the nginx.conf template (ISO C has no %1$s). */
static void expand(struct buf *out, const char *tmpl)
{
	const char *p = tmpl;

	while (*p) {
		if (!strncmp(p, "@DIR@", 5)) {
			buf_addstr(out, srv.dir);
			p += 5;
		} else if (!strncmp(p, "@PORT@", 6)) {
			buf_addf(out, "%d", srv.port);
			p += 6;
		} else if (!strncmp(p, "@TLS@", 5)) {
			/* The https server exists only with a certificate. */
			if (srv.tls)
				buf_addf(out, "  server {\n"
					 "    listen 127.0.0.1:%d ssl http2;\n"
					 "    ssl_certificate %s/cert.pem;\n"
					 "    ssl_certificate_key %s/key.pem;\n"
					 "    root %s/www;\n"
					 "  }\n", srv.tls_port, srv.dir,
					 srv.dir, srv.dir);
			p += 5;
		} else {
			buf_addch(out, *p++);
		}
	}
}

static int server_up(void **state)
{
	struct buf conf = BUF_INIT;
	struct buf www = BUF_INIT;
	struct buf path = BUF_INIT;
	const char *conf_template;
	char *big;
	int ret = 0;

	/* The proxy a developer's shell may set has no business with
	 * 127.0.0.1. */
	setenv("NO_PROXY", "*", 1);
	setenv("no_proxy", "*", 1);
	if (access(NGINX, X_OK) != 0) {
		fprintf(stderr, "# skipping http tests: %s is not installed\n",
			NGINX);
		return 0;
	}
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/test_http.XXXXXX");
	if (!mkdtemp(srv.dir)) {
		fprintf(stderr, "# skipping http tests: mkdtemp: %s\n",
			strerror(errno));
		srv.dir[0] = '\0';
		return 0;
	}
	chmod(srv.dir, 0755);
	buf_addf(&www, "%s/www", srv.dir);
	buf_addf(&path, "%s/tmp", srv.dir);
	if (mkdir(www.s, 0755) < 0 || mkdir(path.s, 0755) < 0) {
		ret = -1;
		goto out;
	}
	fill_text(srv.feed, FEED_SIZE, 1);
	write_file(www.s, "feed.xml", srv.feed, FEED_SIZE);
	big = xmalloc(BIG_SIZE);
	fill_text(big, BIG_SIZE, 2);
	write_file(www.s, "big.txt", big, BIG_SIZE);
	write_file(www.s, "slow.txt", big, SLOW_SIZE);
	write_file(www.s, "rate.txt", big, RATE_SIZE);
	free(big);

	srv.port = free_port();
	if (srv.port < 0) {
		ret = -1;
		goto out;
	}
	snprintf(srv.base, sizeof(srv.base), "http://127.0.0.1:%d", srv.port);
	srv.tls_port = free_port();
	srv.tls = srv.tls_port > 0 && srv.tls_port != srv.port &&
		  make_certificate() == 0;
	if (!srv.tls)
		fprintf(stderr, "# no certificate (%s): https tests skipped\n",
			OPENSSL);
	conf_template =
		 "daemon off;\n"
		 "worker_processes 1;\n"
		 "pid @DIR@/nginx.pid;\n"
		 "error_log @DIR@/error.log;\n"
		 "events { worker_connections 128; }\n"
		 "http {\n"
		 "  log_format t '$msec $request_time $status $body_bytes_sent "
		 "$request_uri \"$http_user_agent\" $server_protocol';\n"
		 "  access_log @DIR@/access.log t;\n"
		 "  client_body_temp_path @DIR@/tmp/body;\n"
		 "  proxy_temp_path @DIR@/tmp/proxy;\n"
		 "  fastcgi_temp_path @DIR@/tmp/fastcgi;\n"
		 "  uwsgi_temp_path @DIR@/tmp/uwsgi;\n"
		 "  scgi_temp_path @DIR@/tmp/scgi;\n"
		 "  types { text/xml xml; text/plain txt; }\n"
		 "  keepalive_requests 10000;\n"
		 "  server {\n"
		 "    listen 127.0.0.1:@PORT@;\n"
		 "    root @DIR@/www;\n"
		 "    location = /moved { return 301 /feed.xml; }\n"
		 "    location = /temp { return 302 /feed.xml; }\n"
		 "    location = /chain1 { return 301 /chain2; }\n"
		 "    location = /chain2 { return 308 /chain3; }\n"
		 "    location = /chain3 { return 301 /feed.xml; }\n"
		 "    location = /mixed { return 301 /temp; }\n"
		 "    location = /loop { return 301 /loop; }\n"
		 "    location = /gone { return 410; }\n"
		 "    location = /missing { return 404; }\n"
		 "    location = /busy { add_header Retry-After 120 always; "
		 "return 429; }\n"
		 "    location = /busy-date { add_header Retry-After "
		 "\"Fri, 01 Jan 2100 00:00:00 GMT\" always; return 503; }\n"
		 "    location = /cached { add_header Cache-Control "
		 "\"public, Max-Age=600, s-maxage=5\"; alias @DIR@/www/feed.xml; }\n"
		 "    location = /file { return 302 file:///etc/passwd; }\n"
		 "    location = /big-error { error_page 404 /big.txt; "
		 "return 404; }\n"
		 "    location /gz/ { gzip on; gzip_types *; gzip_min_length 1; "
		 "alias @DIR@/www/; }\n"
		 "    location = /slow.txt { limit_rate 10; }\n"
		 "    location = /rate.txt { limit_rate 1000; }\n"
		 "  }\n"
		 "@TLS@"
		 "}\n";
	expand(&conf, conf_template);
	write_file(srv.dir, "nginx.conf", conf.s, conf.len);

	srv.pid = fork();
	if (srv.pid < 0) {
		ret = -1;
		goto out;
	}
	if (srv.pid == 0) {
		buf_reset(&path);
		buf_addf(&path, "%s/nginx.conf", srv.dir);
		buf_reset(&conf);
		buf_addf(&conf, "%s/error.log", srv.dir);
		/* Should this process die without its teardown, nginx goes
		 * too rather than hold the port for ever. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(NGINX, "nginx", "-p", srv.dir, "-c", path.s, "-e", conf.s,
		      (char *)NULL);
		_exit(127);
	}
	if (wait_for_port(srv.port, srv.pid) < 0 ||
	    (srv.tls && wait_for_port(srv.tls_port, srv.pid) < 0)) {
		fprintf(stderr, "# nginx did not start; see %s/error.log\n",
			srv.dir);
		kill(srv.pid, SIGKILL);
		waitpid(srv.pid, NULL, 0);
		srv.pid = 0;
		srv.dir[0] = '\0';	/* keep it for the post-mortem */
		ret = -1;
		goto out;
	}
	srv.ok = 1;
out:
	buf_release(&conf);
	buf_release(&www);
	buf_release(&path);
	return ret;
}

static int server_down(void **state)
{
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
		srv.pid = 0;
	}
	if (srv.dir[0])
		nftw(srv.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

#define NEED_SERVER() \
	do { \
		if (!srv.ok) \
			skip(); \
	} while (0)

/*
 * Collect the access-log lines whose request URI contains tag, waiting a
 * little: nginx logs after its last write, which may be after our callback.
 * Returns how many were found; bytes gets the last one's body size.
 */
static size_t read_log(const char *tag, size_t want, struct interval *iv,
		       long *bytes, struct buf *line)
{
	struct buf path = BUF_INIT;
	char l[1024];
	size_t found = 0;
	int tries;

	buf_addf(&path, "%s/access.log", srv.dir);
	for (tries = 0; tries < 100 && found < want; tries++) {
		FILE *fp = fopen(path.s, "r");

		found = 0;
		if (!fp)
			break;
		while (fgets(l, sizeof(l), fp)) {
			double end, taken;
			long status, sent;
			char uri[512];

			if (sscanf(l, "%lf %lf %ld %ld %511s", &end, &taken,
				   &status, &sent, uri) != 5 ||
			    !strstr(uri, tag))
				continue;
			if (iv && found < want) {
				iv[found].start = end - taken;
				iv[found].end = end;
			}
			if (bytes)
				*bytes = sent;
			if (line) {
				buf_reset(line);
				buf_addstr(line, l);
			}
			found++;
		}
		fclose(fp);
		if (found < want)
			usleep(10000);
	}
	buf_release(&path);
	return found;
}

/* The most requests nginx was serving at one moment; the log's millisecond
 * resolution makes touching ends (a reused connection) not count. */
static int max_overlap(const struct interval *iv, size_t n)
{
	size_t i, j;
	int best = 0;

	for (i = 0; i < n; i++) {
		int c = 0;
		double t = iv[i].start + 0.002;

		for (j = 0; j < n; j++)
			if (iv[j].start < t && t < iv[j].end - 0.002)
				c++;
		if (c > best)
			best = c;
	}
	return best;
}

static void test_ok_headers_and_user_agent(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	struct buf line = BUF_INIT;

	NEED_SERVER();
	default_options(&opt);
	add(&b, "/feed.xml?ok", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_OK);
	assert_int_equal(b.res[0].status, 200);
	assert_int_equal(b.res[0].body_len, FEED_SIZE);
	assert_memory_equal(b.res[0].body, srv.feed, FEED_SIZE);
	assert_string_equal(b.res[0].final_url, b.reqs[0].url);
	assert_int_equal(b.res[0].moved, 0);
	assert_string_equal(b.res[0].content_type, "text/xml");
	assert_non_null(b.res[0].etag);
	assert_int_equal(b.res[0].etag[0], '"');
	assert_non_null(b.res[0].last_modified);
	assert_non_null(strstr(b.res[0].last_modified, " GMT"));
	assert_int_equal(b.res[0].max_age, -1);
	assert_int_equal(b.res[0].retry_after, -1);
	assert_int_equal(read_log("?ok", 1, NULL, NULL, &line), 1);
	assert_non_null(strstr(line.s, "\"newsdigest-test/1\""));
	buf_release(&line);
	batch_release(&b);
}

static void test_conditional_get(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	struct batch c = { 0 };

	NEED_SERVER();
	default_options(&opt);
	add(&b, "/feed.xml", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_OK);
	assert_non_null(b.res[0].etag);
	assert_non_null(b.res[0].last_modified);

	add(&c, "/feed.xml", b.res[0].etag, b.res[0].last_modified);
	add(&c, "/feed.xml", b.res[0].etag, NULL);
	add(&c, "/feed.xml", NULL, b.res[0].last_modified);
	add(&c, "/feed.xml", "\"stale\"", NULL);
	/* A validator with a line break is not sent (it would add a header). */
	add(&c, "/feed.xml", "\"x\"\r\nX-Evil: 1", NULL);
	fetch(&opt, &c);
	assert_int_equal(c.res[0].outcome, HTTP_NOT_MODIFIED);
	assert_int_equal(c.res[0].status, 304);
	assert_int_equal(c.res[1].outcome, HTTP_NOT_MODIFIED);
	assert_int_equal(c.res[2].outcome, HTTP_NOT_MODIFIED);
	assert_int_equal(c.res[3].outcome, HTTP_OK);
	assert_int_equal(c.res[3].body_len, FEED_SIZE);
	assert_int_equal(c.res[4].outcome, HTTP_OK);
	batch_release(&b);
	batch_release(&c);
}

static void test_gzip_decoded(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	long sent = -1;

	NEED_SERVER();
	default_options(&opt);
	add(&b, "/gz/feed.xml?gz", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_OK);
	assert_int_equal(b.res[0].body_len, FEED_SIZE);
	assert_memory_equal(b.res[0].body, srv.feed, FEED_SIZE);
	/* nginx really did compress it. */
	assert_int_equal(read_log("?gz", 1, NULL, &sent, NULL), 1);
	assert_true(sent > 0 && sent < FEED_SIZE / 2);
	batch_release(&b);
}

static void test_redirects(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	struct batch e = { 0 };
	struct buf feed = BUF_INIT;

	NEED_SERVER();
	default_options(&opt);
	buf_addf(&feed, "%s/feed.xml", srv.base);
	add(&e, "/feed.xml", NULL, NULL);
	fetch(&opt, &e);

	add(&b, "/moved", NULL, NULL);
	add(&b, "/temp", NULL, NULL);
	add(&b, "/chain1", NULL, NULL);
	add(&b, "/mixed", NULL, NULL);
	add(&b, "/loop", NULL, NULL);
	/* The validators came from the end of the chain last time: they
	 * follow the redirect, so the feed behind it answers 304. */
	add(&b, "/moved", e.res[0].etag, e.res[0].last_modified);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_OK);
	assert_string_equal(b.res[0].final_url, feed.s);
	assert_int_equal(b.res[0].moved, 1);
	assert_int_equal(b.res[0].body_len, FEED_SIZE);
	assert_int_equal(b.res[1].outcome, HTTP_OK);
	assert_string_equal(b.res[1].final_url, feed.s);
	assert_int_equal(b.res[1].moved, 0);
	assert_int_equal(b.res[2].outcome, HTTP_OK);
	assert_string_equal(b.res[2].final_url, feed.s);
	assert_int_equal(b.res[2].moved, 1);
	assert_int_equal(b.res[3].outcome, HTTP_OK);
	assert_int_equal(b.res[3].moved, 0);
	assert_int_equal(b.res[4].outcome, HTTP_FAILED);
	assert_string_equal(b.res[4].error, "more than 5 redirects");
	assert_int_equal(b.res[4].status, 301);
	assert_int_equal(b.res[5].outcome, HTTP_NOT_MODIFIED);
	assert_int_equal(b.res[5].status, 304);
	batch_release(&b);

	opt.max_redirects = 2;
	add(&b, "/chain1", NULL, NULL);
	add(&b, "/moved", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error, "more than 2 redirects");
	assert_int_equal(b.res[1].outcome, HTTP_OK);
	batch_release(&b);

	opt.max_redirects = 0;
	add(&b, "/moved", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error, "more than 0 redirects");
	batch_release(&b);
	batch_release(&e);
	buf_release(&feed);
}

static void test_redirect_to_file_refused(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };

	NEED_SERVER();
	default_options(&opt);
	add(&b, "/file", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error,
			    "redirect to 'file:///etc/passwd' refused: only http and https");
	assert_string_equal(b.res[0].final_url, b.reqs[0].url);
	batch_release(&b);
}

static void test_status_outcomes(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };

	NEED_SERVER();
	default_options(&opt);
	add(&b, "/gone", NULL, NULL);
	add(&b, "/missing", NULL, NULL);
	add(&b, "/busy", NULL, NULL);
	add(&b, "/busy-date", NULL, NULL);
	add(&b, "/cached", NULL, NULL);
	/* An error page larger than max_bytes: still the status decides. */
	add(&b, "/big-error", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_GONE);
	assert_int_equal(b.res[0].status, 410);
	assert_int_equal(b.res[1].outcome, HTTP_FAILED);
	assert_string_equal(b.res[1].error, "HTTP 404 Not Found");
	assert_int_equal(b.res[1].retry_after, -1);
	assert_int_equal(b.res[2].outcome, HTTP_FAILED);
	assert_string_equal(b.res[2].error, "HTTP 429 Too Many Requests");
	assert_int_equal(b.res[2].retry_after, 120);
	assert_int_equal(b.res[3].outcome, HTTP_FAILED);
	assert_int_equal(b.res[3].status, 503);
	/* 2100-01-01 is more than 60 years away (and fits in a long). */
	assert_true(b.res[3].retry_after > 60L * 365 * 86400);
	assert_int_equal(b.res[4].outcome, HTTP_OK);
	assert_int_equal(b.res[4].max_age, 600);
	assert_int_equal(b.res[4].body_len, FEED_SIZE);
	assert_int_equal(b.res[5].outcome, HTTP_FAILED);
	assert_string_equal(b.res[5].error, "HTTP 404 Not Found");
	batch_release(&b);
}

static void test_body_limit(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };

	NEED_SERVER();
	default_options(&opt);
	add(&b, "/big.txt", NULL, NULL);       /* Content-Length: refused early */
	add(&b, "/gz/big.txt", NULL, NULL);    /* chunked: cut in write_cb */
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error, "body larger than 65536 bytes");
	assert_int_equal(b.res[1].outcome, HTTP_FAILED);
	assert_string_equal(b.res[1].error, "body larger than 65536 bytes");
	batch_release(&b);

	/* Exactly max_bytes passes; one byte less does not, both ways. */
	opt.max_bytes = FEED_SIZE;
	add(&b, "/feed.xml", NULL, NULL);
	add(&b, "/gz/feed.xml", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_OK);
	assert_int_equal(b.res[1].outcome, HTTP_OK);
	assert_int_equal(b.res[1].body_len, FEED_SIZE);
	batch_release(&b);
	opt.max_bytes = FEED_SIZE - 1;
	add(&b, "/feed.xml", NULL, NULL);
	add(&b, "/gz/feed.xml", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error, "body larger than 3999 bytes");
	assert_int_equal(b.res[1].outcome, HTTP_FAILED);
	assert_string_equal(b.res[1].error, "body larger than 3999 bytes");
	batch_release(&b);
}

static void test_slow_body_aborted(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	double t0, took;

	NEED_SERVER();
	default_options(&opt);
	opt.low_speed_bytes = 100;
	opt.low_speed_time = 2;
	add(&b, "/slow.txt", NULL, NULL);
	t0 = now();
	fetch(&opt, &b);
	took = now() - t0;
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error, "slower than 100 bytes/s for 2 s");
	assert_true(took < 6.0);
	batch_release(&b);
}

static void test_timeout(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };

	NEED_SERVER();
	default_options(&opt);
	opt.timeout = 1;
	add(&b, "/slow.txt", NULL, NULL);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error, "timed out after 1 s");
	batch_release(&b);
}

/*
 * Four transfers to one host, each held about a second by limit_rate
 * (nginx sends rate bytes, then waits a second). What nginx was serving at
 * once must never pass per_host, nor concurrency; the run with room for all
 * four shows the log can see overlap at all. The log, not the wall clock,
 * is the evidence: a slow machine stretches it, never raises the count.
 */
static void test_per_host_limit(void **state)
{
	static const struct {
		long concurrency, per_host;
		int lo, hi;
	} runs[] = { { 8, 2, 2, 2 }, { 2, 8, 2, 2 }, { 8, 8, 3, 4 } };
	struct http_options opt;
	struct batch b = { 0 };
	struct interval iv[RATE_REQS];
	size_t r;
	int i;

	NEED_SERVER();
	for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		char tag[32];
		int overlap;

		default_options(&opt);
		opt.concurrency = runs[r].concurrency;
		opt.per_host = runs[r].per_host;
		for (i = 0; i < RATE_REQS; i++) {
			char path[64];

			snprintf(path, sizeof(path), "/rate.txt?run%zu-%d", r, i);
			add(&b, path, NULL, NULL);
		}
		fetch(&opt, &b);
		for (i = 0; i < RATE_REQS; i++) {
			assert_int_equal(b.res[i].outcome, HTTP_OK);
			assert_int_equal(b.res[i].body_len, RATE_SIZE);
		}
		snprintf(tag, sizeof(tag), "?run%zu-", r);
		assert_int_equal(read_log(tag, RATE_REQS, iv, NULL, NULL),
				 RATE_REQS);
		overlap = max_overlap(iv, RATE_REQS);
		if (overlap < runs[r].lo || overlap > runs[r].hi)
			fail_msg("run %zu: %d at once, want %d..%d", r, overlap,
				 runs[r].lo, runs[r].hi);
		batch_release(&b);
	}
}

/* One transfer at a time: requests start, so finish, in queue order. */
static void test_queue_order(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	int i;

	NEED_SERVER();
	default_options(&opt);
	opt.concurrency = 1;
	add(&b, "/feed.xml", NULL, NULL);
	add(&b, "/moved", NULL, NULL);
	add(&b, "/missing", NULL, NULL);
	add(&b, "/gz/feed.xml", NULL, NULL);
	add(&b, "/gone", NULL, NULL);
	fetch(&opt, &b);
	for (i = 0; i < 5; i++)
		assert_int_equal(b.res[i].order, i);
	batch_release(&b);
}

static void test_transport_errors(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	struct buf refused = BUF_INIT;
	double t0;

	NEED_SERVER();
	default_options(&opt);
	buf_addf(&refused, "http://127.0.0.1:%d/", free_port());
	add_url(&b, "http://nonexistent.invalid/");
	add_url(&b, "ftp://x/");
	add_url(&b, "file:///etc/passwd");
	add_url(&b, "not a url");
	add_url(&b, refused.s);
	add(&b, "/feed.xml", NULL, NULL);  /* the batch goes on */
	t0 = now();
	fetch(&opt, &b);
	assert_true(now() - t0 < 5.0);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	assert_string_equal(b.res[0].error,
			    "cannot resolve host 'nonexistent.invalid'");
	assert_int_equal(b.res[1].outcome, HTTP_FAILED);
	assert_string_equal(b.res[1].error,
			    "unsupported URL 'ftp://x/': only http and https");
	assert_int_equal(b.res[1].status, 0);
	assert_string_equal(b.res[2].error,
			    "unsupported URL 'file:///etc/passwd': only http and https");
	assert_non_null(strstr(b.res[3].error, "cannot parse URL 'not a url'"));
	assert_int_equal(b.res[4].outcome, HTTP_FAILED);
	assert_true(!strncmp(b.res[4].error, "cannot connect: ", 16));
	assert_int_equal(b.res[5].outcome, HTTP_OK);
	batch_release(&b);
	buf_release(&refused);
}

static void test_empty_batch(void **state)
{
	struct http_options opt;
	struct buf err = BUF_INIT;

	default_options(&opt);
	assert_int_equal(http_fetch_all(&opt, NULL, 0, on_done, NULL, &err), 0);
	assert_string_equal(err.s, "");
}

/*
 * TLS is verified: a certificate nobody vouches for fails with a "TLS:"
 * reason; with it as ca_file the same URLs pass, over HTTP/2 (ALPN), four
 * streams with room for two at a time.
 */
static void test_tls(void **state)
{
	struct http_options opt;
	struct batch b = { 0 };
	struct buf url = BUF_INIT;
	struct buf ca = BUF_INIT;
	struct buf line = BUF_INIT;
	int i;

	NEED_SERVER();
	if (!srv.tls)
		skip();
	default_options(&opt);
	buf_addf(&url, "https://127.0.0.1:%d/feed.xml?tls", srv.tls_port);
	buf_addf(&ca, "%s/cert.pem", srv.dir);
	add_url(&b, url.s);
	fetch(&opt, &b);
	assert_int_equal(b.res[0].outcome, HTTP_FAILED);
	if (strncmp(b.res[0].error, "TLS: ", 5))
		fail_msg("want a TLS reason, got '%s'", b.res[0].error);
	batch_release(&b);

	opt.ca_file = ca.s;
	opt.per_host = 2;
	for (i = 0; i < 4; i++)
		add_url(&b, url.s);
	fetch(&opt, &b);
	for (i = 0; i < 4; i++) {
		assert_int_equal(b.res[i].outcome, HTTP_OK);
		assert_int_equal(b.res[i].body_len, FEED_SIZE);
		assert_memory_equal(b.res[i].body, srv.feed, FEED_SIZE);
	}
	assert_int_equal(read_log("?tls", 4, NULL, NULL, &line), 4);
	assert_non_null(strstr(line.s, "HTTP/2.0"));
	batch_release(&b);
	buf_release(&url);
	buf_release(&ca);
	buf_release(&line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_batch),
		cmocka_unit_test(test_ok_headers_and_user_agent),
		cmocka_unit_test(test_conditional_get),
		cmocka_unit_test(test_gzip_decoded),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_redirect_to_file_refused),
		cmocka_unit_test(test_status_outcomes),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_slow_body_aborted),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_per_host_limit),
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_tls),
	};

	return cmocka_run_group_tests(tests, server_up, server_down);
}
