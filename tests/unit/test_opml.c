/*
 * Unit tests for src/fetch/opml.c: the reader on OPML 1.0 and 2.0 files and
 * on hostile ones (XXE, entity expansion), and the writer's byte-stability.
 * Files go to a mkdtemp directory that the group teardown removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "opml.h"
#include "xalloc.h"

#define SECRET "s3cr3t-0f-the-h0st-4f2a"

struct got {
	char *xml_url, *html_url, *title, *language, *topics, *topics_error, *category;
	unsigned long line;
};

struct collect {
	struct got *v;
	size_t n, alloc;
	size_t fail_at;         /* 1-based feed whose callback fails; 0: none */
	const char *reason;     /* what the failing callback appends */
};

static char tmpdir[] = "/tmp/test_opml.XXXXXX";
static char pathbuf[4][512];
static int pathnext;

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int collect_fn(const struct opml_feed *feed, void *data, struct buf *err)
{
	struct collect *c = data;
	struct got *g;

	assert_non_null(feed->xml_url);
	assert_non_null(feed->category);
	xgrow(&c->v, &c->alloc, c->n + 1, sizeof(*c->v));
	g = &c->v[c->n++];
	g->xml_url = xstrdup(feed->xml_url);
	g->html_url = dup_or_null(feed->html_url);
	g->title = dup_or_null(feed->title);
	g->language = dup_or_null(feed->language);
	g->topics = dup_or_null(feed->topics);
	g->topics_error = dup_or_null(feed->topics_error);
	/* the invariant: a hint is either there and clean, or refused */
	if (feed->topics) {
		assert_null(feed->topics_error);
		assert_true(feed->topics[0] != '\0');
		assert_int_equal(strspn(feed->topics, "abcdefghijklmnopqrstuvwxyz0123456789- "),
				 strlen(feed->topics));
		assert_null(strstr(feed->topics, "  "));
		assert_true(feed->topics[0] != ' ');
		assert_true(feed->topics[strlen(feed->topics) - 1] != ' ');
	}
	g->category = xstrdup(feed->category);
	g->line = feed->line;
	if (c->fail_at && c->n == c->fail_at) {
		if (c->reason)
			buf_addstr(err, c->reason);
		return -1;
	}
	return 0;
}

static void collect_release(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].xml_url);
		free(c->v[i].html_url);
		free(c->v[i].title);
		free(c->v[i].language);
		free(c->v[i].topics);
		free(c->v[i].topics_error);
		free(c->v[i].category);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* Views of what was collected, to write it out again. */
static struct opml_feed *collect_feeds(const struct collect *c)
{
	struct opml_feed *f = xcalloc(c->n ? c->n : 1, sizeof(*f));
	size_t i;

	for (i = 0; i < c->n; i++) {
		f[i].xml_url = c->v[i].xml_url;
		f[i].html_url = c->v[i].html_url;
		f[i].title = c->v[i].title;
		f[i].language = c->v[i].language;
		f[i].topics = c->v[i].topics;
		f[i].category = c->v[i].category;
		f[i].line = c->v[i].line;
	}
	return f;
}

static const char *tmp_path(const char *name)
{
	char *p = pathbuf[pathnext++ % 4];
	int n = snprintf(p, sizeof(pathbuf[0]), "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < sizeof(pathbuf[0]));
	return p;
}

static void write_bytes(const char *path, const char *s, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const char *write_file(const char *name, const char *content)
{
	const char *path = tmp_path(name);

	write_bytes(path, content, strlen(content));
	return path;
}

static long parse(const char *path, size_t max, struct collect *c,
		  struct buf *err)
{
	long n;

	buf_reset(err);
	n = opml_parse_file(path, max, collect_fn, c, err);
	/* The invariant: -1 comes with a message, a count without one. */
	if (n < 0) {
		assert_true(err->len > 0);
		assert_null(strchr(err->s, '\n'));
	} else {
		assert_int_equal(err->len, 0);
		assert_int_equal((size_t)n, c->n);
	}
	return n;
}

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("'%s' does not start with '%s'", s, prefix);
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("'%s' does not contain '%s'", s, part);
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void assert_feed(const struct got *g, const char *url, const char *title,
			const char *category)
{
	assert_string_equal(g->xml_url, url);
	assert_str_or_null(g->title, title);
	assert_string_equal(g->category, category);
}

static char *write_to_string(const struct opml_feed *feeds, size_t n,
			     const char *title)
{
	struct buf err = BUF_INIT;
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	if (opml_write(f, title, feeds, n, &err))
		fail_msg("opml_write: %s", err.s);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(s), len);
	buf_release(&err);
	return s;
}

/* Everything stderr receives between begin and end goes to a file. */
static int stderr_saved = -1;

static void stderr_begin(void)
{
	int fd = open(tmp_path("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	fflush(stderr);
	stderr_saved = dup(2);
	assert_true(stderr_saved >= 0);
	assert_true(dup2(fd, 2) >= 0);
	close(fd);
}

static off_t stderr_end(void)
{
	struct stat st;

	fflush(stderr);
	assert_true(dup2(stderr_saved, 2) >= 0);
	close(stderr_saved);
	stderr_saved = -1;
	assert_int_equal(stat(tmp_path("stderr.txt"), &st), 0);
	return st.st_size;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[600];

	(void)state;
	if (!d)
		return -1;
	for (;;) {
		e = readdir(d);
		if (!e)
			break;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static void test_opml20_sample(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("v20.opml",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<opml version=\"2.0\">\n"
		"  <head>\n"
		"    <title>Subscriptions</title>\n"
		"    <dateCreated>Mon, 01 Jan 2024 00:00:00 GMT</dateCreated>\n"
		"  </head>\n"
		"  <body>\n"
		"    <outline type=\"rss\" text=\"EFF Updates\" title=\"EFF Updates\"\n"
		"             xmlUrl=\"https://www.eff.org/rss/updates.xml\"\n"
		"             htmlUrl=\"https://www.eff.org/\" language=\"en\"/>\n"
		"    <outline text=\"Canada\" title=\"Canada\">\n"
		"      <outline type=\"rss\" text=\"CBC Politics\" xmlUrl=\"https://rss.cbc.ca/lineup/politics.xml\"/>\n"
		"    </outline>\n"
		"    <outline type=\"rss\" text=\"Top\" xmlUrl=\"https://example.org/top.xml\" language=\"fr-CA\"/>\n"
		"  </body>\n"
		"</opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 3);
	assert_feed(&c.v[0], "https://www.eff.org/rss/updates.xml", "EFF Updates", "");
	assert_string_equal(c.v[0].html_url, "https://www.eff.org/");
	assert_string_equal(c.v[0].language, "en");
	assert_int_equal(c.v[0].line, 10);
	assert_feed(&c.v[1], "https://rss.cbc.ca/lineup/politics.xml", "CBC Politics", "Canada");
	assert_null(c.v[1].html_url);
	assert_null(c.v[1].language);
	assert_int_equal(c.v[1].line, 12);
	assert_feed(&c.v[2], "https://example.org/top.xml", "Top", "");
	assert_string_equal(c.v[2].language, "fr-CA");
	assert_int_equal(c.v[2].line, 14);
	collect_release(&c);
	buf_release(&err);
}

static void test_opml10_sample(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("v10.opml",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
		"<opml version=\"1.0\">\n"
		"<head><title>Old reader export</title></head>\n"
		"<body>\n"
		"<outline title=\"News\" text=\"News\">\n"
		"<outline text=\"lower\" type=\"rss\" xmlurl=\"http://a.example/rss\" htmlurl=\"http://a.example/\"/>\n"
		"<outline text=\"upper\" type=\"rss\" XMLURL=\"http://b.example/rss\"/>\n"
		"<outline text=\"mixed\" XmlUrl=\"http://c.example/rss\"/>\n"
		"<outline text=\"url only\" type=\"rss\" url=\"http://d.example/rss\"/>\n"
		"<outline text=\"url, RSS type\" type=\"RSS\" URL=\"http://e.example/rss\"/>\n"
		"<outline text=\"a page, not a feed\" url=\"http://f.example/\"/>\n"
		"</outline>\n"
		"</body>\n"
		"</opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 5);
	assert_feed(&c.v[0], "http://a.example/rss", "lower", "News");
	assert_string_equal(c.v[0].html_url, "http://a.example/");
	assert_feed(&c.v[1], "http://b.example/rss", "upper", "News");
	assert_feed(&c.v[2], "http://c.example/rss", "mixed", "News");
	assert_feed(&c.v[3], "http://d.example/rss", "url only", "News");
	assert_feed(&c.v[4], "http://e.example/rss", "url, RSS type", "News");
	collect_release(&c);
	buf_release(&err);
}

static void test_nested_folders(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("nested.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"Canada\">\n"
		"  <outline text=\"ignored\" title=\"Security\">\n"
		"    <outline text=\"Review bodies\">\n"
		"      <outline text=\"deep\" xmlUrl=\"http://x/deep\"/>\n"
		"    </outline>\n"
		"    <outline text=\"mid\" xmlUrl=\"http://x/mid\"/>\n"
		"    <outline text=\"\">\n"
		"      <outline text=\"unnamed folder\" xmlUrl=\"http://x/unnamed\"/>\n"
		"    </outline>\n"
		"  </outline>\n"
		"  <outline text=\"top of Canada\" xmlUrl=\"http://x/canada\"/>\n"
		"  <outline text=\"feed with children\" xmlUrl=\"http://x/parent\">\n"
		"    <outline text=\"child\" xmlUrl=\"http://x/child\"/>\n"
		"  </outline>\n"
		"  <outline text=\"after\" xmlUrl=\"http://x/after\"/>\n"
		"  <outline text=\"Empty folder\"/>\n"
		"</outline>\n"
		"<outline text=\"root\" xmlUrl=\"http://x/root\"/>\n"
		"</body></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 8);
	assert_feed(&c.v[0], "http://x/deep", "deep", "Canada/Security/Review bodies");
	assert_feed(&c.v[1], "http://x/mid", "mid", "Canada/Security");
	assert_feed(&c.v[2], "http://x/unnamed", "unnamed folder", "Canada/Security");
	assert_feed(&c.v[3], "http://x/canada", "top of Canada", "Canada");
	assert_feed(&c.v[4], "http://x/parent", "feed with children", "Canada");
	assert_feed(&c.v[5], "http://x/child", "child", "Canada");
	assert_feed(&c.v[6], "http://x/after", "after", "Canada");
	assert_feed(&c.v[7], "http://x/root", "root", "");
	assert_int_equal(c.v[0].line, 5);
	assert_int_equal(c.v[7].line, 19);
	collect_release(&c);
	buf_release(&err);
}

static void test_folder_escaping(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("escape.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"News/Actualités\">\n"
		"  <outline text=\"C:\\temp\">\n"
		"    <outline text=\"a\" xmlUrl=\"http://x/a\"/>\n"
		"  </outline>\n"
		"  <outline text=\"  spaced  \">\n"
		"    <outline text=\"b\" xmlUrl=\"http://x/b\"/>\n"
		"  </outline>\n"
		"</outline>\n"
		"</body></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 2);
	assert_string_equal(c.v[0].category, "News\\/Actualités/C:\\\\temp");
	assert_string_equal(c.v[1].category, "News\\/Actualités/spaced");
	collect_release(&c);
	buf_release(&err);
}

static void test_title_and_text(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("titles.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline title=\"title only\" xmlUrl=\"http://x/1\"/>\n"
		"<outline text=\"text only\" xmlUrl=\"http://x/2\"/>\n"
		"<outline xmlUrl=\"http://x/3\"/>\n"
		"<outline text=\"the text\" title=\"the title\" xmlUrl=\"http://x/4\"/>\n"
		"<outline text=\"text wins over blank title\" title=\"   \" xmlUrl=\"http://x/5\"/>\n"
		"<outline text=\"  padded \" xmlUrl=\"  http://x/6\t\" htmlUrl=\" \" language=\"\"/>\n"
		"</body></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 6);
	assert_feed(&c.v[0], "http://x/1", "title only", "");
	assert_feed(&c.v[1], "http://x/2", "text only", "");
	assert_feed(&c.v[2], "http://x/3", NULL, "");
	assert_feed(&c.v[3], "http://x/4", "the title", "");
	assert_feed(&c.v[4], "http://x/5", "text wins over blank title", "");
	assert_feed(&c.v[5], "http://x/6", "padded", "");
	assert_null(c.v[5].html_url);
	assert_null(c.v[5].language);
	collect_release(&c);
	buf_release(&err);
}

static void test_link_and_include_skipped(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("link.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline type=\"link\" text=\"a web page\" url=\"http://x/page\" xmlUrl=\"http://x/linked\"/>\n"
		"<outline type=\"include\" text=\"another list\" url=\"http://x/list.opml\"/>\n"
		"<outline type=\"Link\" text=\"links with children\">\n"
		"  <outline text=\"inside\" xmlUrl=\"http://x/inside\"/>\n"
		"</outline>\n"
		"<outline type=\"rss\" text=\"real\" xmlUrl=\"http://x/real\"/>\n"
		"</body></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 2);
	assert_feed(&c.v[0], "http://x/inside", "inside", "");
	assert_feed(&c.v[1], "http://x/real", "real", "");
	collect_release(&c);
	buf_release(&err);
}

static void test_entities_and_utf8(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("utf8.opml",
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"Sécurité nationale — Québec\">\n"
		"<outline text=\"Droits &amp; libertés\" xmlUrl=\"http://x/1?a=1&amp;b=2\"/>\n"
		"<outline text=\"Num&#233;rique &#x2014; &lt;b&gt;gras&lt;/b&gt; &quot;cité&quot; &apos;\" xmlUrl=\"http://x/2\"/>\n"
		"<outline text=\"double-escaped &amp;eacute; stays literal\" xmlUrl=\"http://x/3\"/>\n"
		"<outline text=\"Ligue des droits et libertés\" xmlUrl=\"http://x/4\" language=\"fr\"/>\n"
		"</outline>\n"
		"</body></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), 4);
	assert_feed(&c.v[0], "http://x/1?a=1&b=2", "Droits & libertés",
		    "Sécurité nationale — Québec");
	assert_string_equal(c.v[1].title,
			    "Numérique \xe2\x80\x94 <b>gras</b> \"cité\" '");
	assert_string_equal(c.v[2].title, "double-escaped &eacute; stays literal");
	assert_string_equal(c.v[3].title, "Ligue des droits et libertés");
	collect_release(&c);
	buf_release(&err);
}

static void test_latin1_file(void **state)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
		"<opml version=\"1.0\"><head/><body>\n"
		"<outline text=\"Libert\xe9s civiles\" xmlUrl=\"http://x/1\"/>\n"
		"</body></opml>\n";
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = tmp_path("latin1.opml");

	(void)state;
	write_bytes(path, doc, sizeof(doc) - 1);
	assert_int_equal(parse(path, 100, &c, &err), 1);
	assert_string_equal(c.v[0].title, "Libertés civiles");
	collect_release(&c);
	buf_release(&err);
}

static void test_html_entity_is_an_error(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("html-entity.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"ok\" xmlUrl=\"http://x/ok\"/>\n"
		"\n"
		"<outline text=\"S&eacute;curit&eacute;\" xmlUrl=\"http://x/1\"/>\n"
		"</body></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_prefix(err.s, "cannot parse '");
	assert_contains(err.s, "html-entity.opml': line 4: ");
	assert_contains(err.s, "eacute");
	collect_release(&c);
	buf_release(&err);
}

static void test_not_xml(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path;
	off_t printed;

	(void)state;
	path = write_file("mismatch.opml",
		"<?xml version=\"1.0\"?>\n"
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"a\" xmlUrl=\"http://x/a\">\n"
		"</body>\n"
		"</opml>\n");
	stderr_begin();
	assert_int_equal(parse(path, 100, &c, &err), -1);
	printed = stderr_end();
	assert_int_equal(printed, 0);
	buf_addf(&want, "cannot parse '%s': line 4: ", path);
	assert_prefix(err.s, want.s);
	assert_contains(err.s, "mismatch");
	assert_true(err.s[err.len - 1] != ' ' && err.s[err.len - 1] != '?');
	collect_release(&c);

	path = write_file("text.opml", "This is a plain text file,\nnot XML at all.\n");
	stderr_begin();
	assert_int_equal(parse(path, 100, &c, &err), -1);
	printed = stderr_end();
	assert_int_equal(printed, 0);
	buf_reset(&want);
	buf_addf(&want, "cannot parse '%s': line 1: ", path);
	assert_prefix(err.s, want.s);
	assert_true(err.len > want.len);
	assert_int_equal(c.n, 0);
	collect_release(&c);

	path = write_file("html.opml",
		"<!DOCTYPE html>\n<html><head><title>Feeds</title></head>\n"
		"<body><p>Feeds<br></p></body></html>\n");
	stderr_begin();
	assert_int_equal(parse(path, 100, &c, &err), -1);
	printed = stderr_end();
	assert_int_equal(printed, 0);
	assert_prefix(err.s, "cannot parse '");
	collect_release(&c);
	buf_release(&want);
	buf_release(&err);
}

static void test_cannot_open(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path;
	off_t printed;

	(void)state;
	path = tmp_path("missing.opml");
	stderr_begin();
	assert_int_equal(parse(path, 100, &c, &err), -1);
	buf_addf(&want, "cannot open '%s': %s", path, strerror(ENOENT));
	assert_string_equal(err.s, want.s);

	assert_int_equal(parse(tmpdir, 100, &c, &err), -1);
	buf_reset(&want);
	buf_addf(&want, "cannot open '%s': not a regular file", tmpdir);
	assert_string_equal(err.s, want.s);

	path = write_file("empty.opml", "");
	assert_int_equal(parse(path, 100, &c, &err), -1);
	buf_reset(&want);
	buf_addf(&want, "cannot parse '%s': empty file", path);
	assert_string_equal(err.s, want.s);
	printed = stderr_end();
	assert_int_equal(printed, 0);
	assert_int_equal(c.n, 0);
	buf_release(&want);
	buf_release(&err);
}

static void test_root_not_opml(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path = write_file("rss.opml",
		"<?xml version=\"1.0\"?>\n"
		"<rss version=\"2.0\"><channel><title>t</title></channel></rss>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), -1);
	buf_addf(&want, "cannot parse '%s': line 2: root element is <rss>, not <opml>",
		 path);
	assert_string_equal(err.s, want.s);
	buf_release(&want);
	buf_release(&err);
}

static void test_no_body(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path = write_file("nobody.opml",
		"<opml version=\"2.0\"><head><title>t</title></head></opml>\n");

	(void)state;
	assert_int_equal(parse(path, 100, &c, &err), -1);
	buf_addf(&want, "cannot parse '%s': no <body> element", path);
	assert_string_equal(err.s, want.s);

	/* A <body> nested deeper is not the document's body. */
	path = write_file("deepbody.opml",
		"<opml version=\"2.0\"><head><body>"
		"<outline text=\"a\" xmlUrl=\"http://x/a\"/></body></head></opml>\n");
	assert_int_equal(parse(path, 100, &c, &err), -1);
	buf_reset(&want);
	buf_addf(&want, "cannot parse '%s': no <body> element", path);
	assert_string_equal(err.s, want.s);
	assert_int_equal(c.n, 0);
	buf_release(&want);
	buf_release(&err);
}

static void test_no_feed_outlines(void **state)
{
	static const char *const docs[] = {
		"<opml version=\"2.0\"><head/><body/></opml>\n",
		"<opml version=\"2.0\"><head/><body>\n</body></opml>\n",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"Canada\"><outline text=\"Québec\">\n"
		"<outline text=\"empty\"/></outline></outline>\n"
		"<outline text=\"International\"/>\n"
		"</body></opml>\n",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline type=\"link\" text=\"l\" xmlUrl=\"http://x/l\"/>\n"
		"</body></opml>\n",
	};
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		path = write_file("nofeeds.opml", docs[i]);
		assert_int_equal(parse(path, 100, &c, &err), -1);
		buf_reset(&want);
		buf_addf(&want,
			 "cannot parse '%s': no feed outlines (outlines with an xmlUrl)",
			 path);
		assert_string_equal(err.s, want.s);
		assert_int_equal(c.n, 0);
	}
	buf_release(&want);
	buf_release(&err);
}

static void test_empty_xmlurl(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path = write_file("emptyurl.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"a\" xmlUrl=\"http://x/a\"/>\n"
		"<outline text=\"b\" xmlUrl=\"  \"/>\n"
		"</body></opml>\n");

	(void)state;
	/* the file parses; the empty URL reaches the caller to be rejected */
	assert_int_equal(parse(path, 100, &c, &err), 2);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[1].xml_url, "");
	assert_int_equal(c.v[1].line, 3);
	collect_release(&c);
	buf_release(&want);
	buf_release(&err);
}

static const char *write_many(const char *name, size_t n, int folders)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	fputs("<?xml version=\"1.0\"?>\n<opml version=\"2.0\">\n"
	      "<head><title>many</title></head>\n<body>\n", f);
	for (i = 0; i < n; i++) {
		if (folders && i % 1000 == 0)
			fprintf(f, "%s<outline text=\"Folder %zu\">\n",
				i ? "</outline>\n" : "", i / 1000);
		fprintf(f, "<outline type=\"rss\" text=\"Feed %zu\" "
			"xmlUrl=\"https://example.org/%zu.xml\"/>\n", i, i);
	}
	if (folders && n)
		fputs("</outline>\n", f);
	fputs("</body>\n</opml>\n", f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void test_max_outlines(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path = write_many("1000.opml", 1000, 0);

	(void)state;
	assert_int_equal(parse(path, 999, &c, &err), -1);
	buf_addf(&want,
		 "cannot parse '%s': line 1004: more than 999 outlines (raise [fetch] max_feeds)",
		 path);
	assert_string_equal(err.s, want.s);
	collect_release(&c);

	assert_int_equal(parse(path, 1000, &c, &err), 1000);
	assert_string_equal(c.v[999].xml_url, "https://example.org/999.xml");
	collect_release(&c);

	/* Folders are outlines too. */
	path = write_many("999-in-folder.opml", 999, 1);
	assert_int_equal(parse(path, 999, &c, &err), -1);
	assert_contains(err.s, "more than 999 outlines");
	collect_release(&c);
	assert_int_equal(parse(path, 1000, &c, &err), 999);
	collect_release(&c);
	buf_release(&want);
	buf_release(&err);
}

static void test_callback_failure(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *path = write_many("cb.opml", 5, 0);

	(void)state;
	buf_addstr(&err, "kept: ");
	c.fail_at = 2;
	c.reason = "feed already subscribed";
	assert_int_equal(opml_parse_file(path, 100, collect_fn, &c, &err), -1);
	buf_addf(&want, "kept: cannot parse '%s': line 6: feed already subscribed",
		 path);
	assert_string_equal(err.s, want.s);
	assert_int_equal(c.n, 2);
	collect_release(&c);

	buf_reset(&err);
	c.fail_at = 1;
	assert_int_equal(opml_parse_file(path, 100, collect_fn, &c, &err), -1);
	buf_reset(&want);
	buf_addf(&want, "cannot parse '%s': line 5: stopped by the caller", path);
	assert_string_equal(err.s, want.s);
	collect_release(&c);

	/* Without a callback, feeds are only counted. */
	buf_reset(&err);
	assert_int_equal(opml_parse_file(path, 100, NULL, NULL, &err), 5);
	assert_int_equal(err.len, 0);
	buf_release(&want);
	buf_release(&err);
}

/* Nothing of the secret file may reach a callback or a message. */
static void assert_no_secret(const struct collect *c, const struct buf *err)
{
	size_t i;

	assert_null(strstr(err->s, SECRET));
	for (i = 0; i < c->n; i++) {
		assert_null(strstr(c->v[i].xml_url, SECRET));
		if (c->v[i].title)
			assert_null(strstr(c->v[i].title, SECRET));
		assert_null(strstr(c->v[i].category, SECRET));
	}
}

static void test_external_entities(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, doc = BUF_INIT;
	const char *secret = tmp_path("secret.txt");
	const char *dtd, *path;
	off_t printed;

	(void)state;
	write_bytes(secret, SECRET "\n", strlen(SECRET) + 1);
	dtd = write_file("evil.dtd",
			 "<!ENTITY t \"" SECRET "\">\n"
			 "<!ATTLIST outline title CDATA \"" SECRET "\">\n");
	stderr_begin();

	/* A general external entity, in an attribute and in text. */
	buf_addf(&doc,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE opml [\n"
		 "  <!ENTITY xxe SYSTEM \"file://%s\">\n"
		 "  <!ENTITY host SYSTEM \"file:///etc/hostname\">\n"
		 "]>\n"
		 "<opml version=\"2.0\"><head><title>&xxe;&host;</title></head><body>\n"
		 "<outline text=\"&xxe;\" xmlUrl=\"http://x/&xxe;\"/>\n"
		 "</body></opml>\n", secret);
	path = write_file("xxe1.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_no_secret(&c, &err);
	collect_release(&c);

	/* The same entity used only in text content. */
	buf_reset(&doc);
	buf_addf(&doc,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE opml [<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
		 "<opml version=\"2.0\"><head><title>&xxe;</title></head><body>\n"
		 "<outline text=\"t\" xmlUrl=\"http://x/1\"/>\n"
		 "</body></opml>\n", secret);
	path = write_file("xxe2.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_contains(err.s, "line 3: entity declarations are not allowed");
	assert_no_secret(&c, &err);
	collect_release(&c);

	/* An external parameter entity. */
	buf_reset(&doc);
	buf_addf(&doc,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE opml [<!ENTITY %% ext SYSTEM \"file://%s\"> %%ext;]>\n"
		 "<opml version=\"2.0\"><head/><body>\n"
		 "<outline text=\"a&t;\" xmlUrl=\"http://x/1\"/>\n"
		 "</body></opml>\n", dtd);
	path = write_file("xxe3.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_no_secret(&c, &err);
	collect_release(&c);

	/* An external DTD is never loaded: no entity, no default attribute. */
	buf_reset(&doc);
	buf_addf(&doc,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE opml SYSTEM \"file://%s\">\n"
		 "<opml version=\"2.0\"><head/><body>\n"
		 "<outline xmlUrl=\"http://x/1\"/>\n"
		 "</body></opml>\n", dtd);
	path = write_file("xxe4.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), 1);
	assert_null(c.v[0].title);
	assert_no_secret(&c, &err);
	collect_release(&c);

	buf_reset(&doc);
	buf_addf(&doc,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE opml SYSTEM \"file://%s\">\n"
		 "<opml version=\"2.0\"><head/><body>\n"
		 "<outline text=\"a&t;b\" xmlUrl=\"http://x/1\"/>\n"
		 "</body></opml>\n", dtd);
	path = write_file("xxe5.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_contains(err.s, "line 4: ");
	assert_contains(err.s, "'t'");
	assert_no_secret(&c, &err);
	collect_release(&c);

	printed = stderr_end();
	assert_int_equal(printed, 0);
	buf_release(&doc);
	buf_release(&err);
}

static void test_entity_expansion(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT, doc = BUF_INIT;
	const char *path;
	int i, j;

	(void)state;
	/* Billion laughs: ten levels of ten references each. */
	buf_addstr(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n"
		   "<!ENTITY lol0 \"lol\">\n");
	for (i = 1; i <= 10; i++) {
		buf_addf(&doc, "<!ENTITY lol%d \"", i);
		for (j = 0; j < 10; j++)
			buf_addf(&doc, "&lol%d;", i - 1);
		buf_addstr(&doc, "\">\n");
	}
	buf_addstr(&doc, "]>\n<opml version=\"2.0\"><head/><body>\n"
		   "<outline text=\"&lol10;\" xmlUrl=\"http://x/1\"/>\n"
		   "</body></opml>\n");
	path = write_file("laughs.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_prefix(err.s, "cannot parse '");
	collect_release(&c);

	/* Quadratic blow-up: one 50 kB entity referenced 100,000 times in an
	 * attribute would be 5 GB once expanded. */
	buf_reset(&doc);
	buf_addstr(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY a \"");
	for (i = 0; i < 50000; i++)
		buf_addch(&doc, 'x');
	buf_addstr(&doc, "\">]>\n<opml version=\"2.0\"><head/><body>\n<outline text=\"");
	for (i = 0; i < 100000; i++)
		buf_addstr(&doc, "&a;");
	buf_addstr(&doc, "\" xmlUrl=\"http://x/1\"/>\n</body></opml>\n");
	path = write_file("quadratic.opml", doc.s);
	assert_int_equal(parse(path, 100, &c, &err), -1);
	assert_contains(err.s, "line 3: entity declarations are not allowed in OPML");
	assert_int_equal(c.n, 0);
	collect_release(&c);

	/* A DOCTYPE without declarations is harmless. */
	path = write_file("doctype.opml",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE opml>\n"
		"<opml version=\"1.0\"><head/><body>\n"
		"<outline text=\"t\" xmlUrl=\"http://x/1\"/>\n"
		"</body></opml>\n");
	assert_int_equal(parse(path, 100, &c, &err), 1);
	collect_release(&c);
	buf_release(&doc);
	buf_release(&err);
}

static const char golden[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<opml version=\"2.0\">\n"
	"  <head>\n"
	"    <title>News &amp; Digest</title>\n"
	"  </head>\n"
	"  <body>\n"
	"    <outline type=\"rss\" text=\"Top\" title=\"Top\" xmlUrl=\"https://x/top\" language=\"en\" topics=\"oversight surveillance\"/>\n"
	"    <outline text=\"Canada\" title=\"Canada\">\n"
	"      <outline text=\"Review/oversight\" title=\"Review/oversight\">\n"
	"        <outline type=\"rss\" text=\"Commissariat à la protection de la vie privée\" title=\"Commissariat à la protection de la vie privée\" xmlUrl=\"https://x/opc\" htmlUrl=\"https://x/\" language=\"fr\"/>\n"
	"      </outline>\n"
	"      <outline type=\"rss\" text=\"https://x/untitled?a=1&amp;b=2\" xmlUrl=\"https://x/untitled?a=1&amp;b=2\" topics=\"no-fly\"/>\n"
	"    </outline>\n"
	"    <outline type=\"rss\" text=\"&quot;Quoted&quot; &lt;tag&gt;\" title=\"&quot;Quoted&quot; &lt;tag&gt;\" xmlUrl=\"https://x/q\"/>\n"
	"  </body>\n"
	"</opml>\n";

static void test_write_golden(void **state)
{
	static const struct opml_feed feeds[] = {
		{ "https://x/top", NULL, "Top", "en", " oversight,surveillance ", NULL, "", 0 },
		{ "https://x/opc", "https://x/",
		  "Commissariat à la protection de la vie privée", "fr", NULL, NULL,
		  "Canada/Review\\/oversight", 0 },
		{ "https://x/untitled?a=1&b=2", NULL, NULL, NULL, "no-fly", NULL, "Canada", 0 },
		{ "https://x/q", NULL, "\"Quoted\" <tag>", NULL, NULL, NULL, NULL, 0 },
	};
	char *s;

	(void)state;
	s = write_to_string(feeds, 4, "News & Digest");
	assert_string_equal(s, golden);
	free(s);
}

/* write(X), then parse and write again, twice: the bytes must not move. */
static void assert_round_trip(const struct opml_feed *feeds, size_t n,
			      const char *name, struct collect *c)
{
	struct buf err = BUF_INIT;
	struct opml_feed *again;
	char *s1, *s2, *s3;
	const char *path;

	s1 = write_to_string(feeds, n, "Round trip");
	path = write_file(name, s1);
	assert_int_equal(parse(path, 1000000, c, &err), (long)n);
	again = collect_feeds(c);
	s2 = write_to_string(again, c->n, "Round trip");
	assert_string_equal(s1, s2);
	free(again);

	collect_release(c);
	path = write_file(name, s2);
	assert_int_equal(parse(path, 1000000, c, &err), (long)n);
	again = collect_feeds(c);
	s3 = write_to_string(again, c->n, "Round trip");
	assert_string_equal(s2, s3);
	free(again);
	free(s1);
	free(s2);
	free(s3);
	buf_release(&err);
}

static void test_round_trip(void **state)
{
	static const struct opml_feed feeds[] = {
		{ "https://a/1", "https://a/", "Plain", "en", "oversight", NULL, "", 0 },
		{ "https://a/2", NULL, NULL, NULL, NULL, NULL, "Canada/Sécurité nationale", 0 },
		{ "https://a/3", NULL, "https://a/3", NULL, NULL, NULL, "", 0 },
		{ "https://a/4", NULL, "  padded\ttitle \n", "  fr ",
		  "\tsurveillance,,no-fly\n oversight surveillance ", NULL,
		  "  Canada  /  Review\\/oversight  ", 0 },
		{ "https://a/5", NULL, "ctl\x01" "char and bad \xff\xfe utf-8", NULL, NULL, NULL,
		  "Canada", 0 },
		{ "https://a/6?x=1&y=<2>", "", "multi\nline\r\ntitle & \"quotes\" 'single'",
		  "", "", NULL, "Back\\\\slash\\", 0 },
		{ "https://a/7", NULL, "emoji \xf0\x9f\x93\xb0 and U+FFFF \xef\xbf\xbf",
		  NULL, NULL, NULL, "//International//Europe", 0 },
		{ "https://a/8", NULL, "   ", NULL, " , ", NULL, "Canada/Sécurité nationale", 0 },
		{ " https://a/9 ", NULL, "Last", NULL, NULL, NULL, "", 0 },
	};
	struct collect c = { 0 };

	(void)state;
	assert_round_trip(feeds, sizeof(feeds) / sizeof(feeds[0]), "rt.opml", &c);

	/* What the second read returned, in folder order. */
	assert_int_equal(c.n, 9);
	assert_feed(&c.v[0], "https://a/1", "Plain", "");
	assert_string_equal(c.v[0].topics, "oversight");
	assert_feed(&c.v[1], "https://a/2", NULL, "Canada/Sécurité nationale");
	assert_null(c.v[1].topics);
	assert_feed(&c.v[2], "https://a/8", NULL, "Canada/Sécurité nationale");
	assert_null(c.v[2].topics);
	assert_feed(&c.v[3], "https://a/4", "padded\ttitle", "Canada/Review\\/oversight");
	assert_string_equal(c.v[3].language, "fr");
	assert_string_equal(c.v[3].topics, "surveillance no-fly oversight");
	assert_feed(&c.v[4], "https://a/5",
		    "ctl\xef\xbf\xbd" "char and bad \xef\xbf\xbd\xef\xbf\xbd utf-8",
		    "Canada");
	assert_feed(&c.v[5], "https://a/3", NULL, "");
	assert_feed(&c.v[6], "https://a/6?x=1&y=<2>",
		    "multi\nline\r\ntitle & \"quotes\" 'single'", "Back\\\\slash\\\\");
	assert_null(c.v[6].html_url);
	assert_null(c.v[6].language);
	assert_null(c.v[6].topics);
	assert_feed(&c.v[7], "https://a/7",
		    "emoji \xf0\x9f\x93\xb0 and U+FFFF \xef\xbf\xbd", "International/Europe");
	assert_feed(&c.v[8], "https://a/9", "Last", "");
	collect_release(&c);
}

static void test_write_errors(void **state)
{
	static const struct opml_feed ok[] = {
		{ "https://a/1", NULL, "t", NULL, NULL, NULL, "", 0 },
	};
	static const struct opml_feed no_url[] = {
		{ "https://a/1", NULL, "t", NULL, NULL, NULL, "", 0 },
		{ "   ", NULL, "t", NULL, NULL, NULL, "", 0 },
	};
	struct buf err = BUF_INIT;
	char small[64];
	FILE *f;

	(void)state;
	f = fmemopen(small, sizeof(small), "w");
	assert_non_null(f);
	assert_int_equal(opml_write(f, "t", ok, 1, &err), -1);
	assert_prefix(err.s, "cannot write OPML: ");
	fclose(f);

	f = fopen("/dev/full", "w");
	if (f) {
		buf_reset(&err);
		assert_int_equal(opml_write(f, "t", ok, 1, &err), -1);
		assert_string_equal(err.s, "cannot write OPML: No space left on device");
		fclose(f);
	}

	f = fopen(tmp_path("nourl.opml"), "w");
	assert_non_null(f);
	buf_reset(&err);
	assert_int_equal(opml_write(f, "t", no_url, 2, &err), -1);
	assert_string_equal(err.s, "cannot write OPML: feed 2 has no xmlUrl");
	assert_int_equal(ftell(f), 0);
	fclose(f);
	buf_release(&err);
}

static void test_write_empty_list(void **state)
{
	char *s;

	(void)state;
	s = write_to_string(NULL, 0, NULL);
	assert_string_equal(s,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<opml version=\"2.0\">\n"
		"  <head>\n"
		"    <title/>\n"
		"  </head>\n"
		"  <body/>\n"
		"</opml>\n");
	free(s);
}

static void test_100k_outlines(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_many("100k.opml", 100000, 1);
	size_t i;

	(void)state;
	assert_int_equal(parse(path, 200000, &c, &err), 100000);
	for (i = 0; i < c.n; i += 9973) {
		char want[64];

		snprintf(want, sizeof(want), "Folder %zu", i / 1000);
		assert_string_equal(c.v[i].category, want);
	}
	assert_string_equal(c.v[99999].xml_url, "https://example.org/99999.xml");
	/* Feed i is on line 6 + i + 2 * (i / 1000): exact below libxml2's
	 * 16-bit line numbers, close above them. */
	assert_int_equal(c.v[1000].line, 6 + 1000 + 2);
	assert_int_equal(c.v[60000].line, 6 + 60000 + 120);
	assert_true(c.v[99999].line >= 100203 && c.v[99999].line <= 100203 + 20);
	collect_release(&c);
	buf_release(&err);
}

static void test_shipped_feed_list(void **state)
{
	static const char path[] = "feeds/feeds.opml";
	struct collect c = { 0 }, again = { 0 };
	struct buf err = BUF_INIT;
	struct opml_feed *feeds;
	size_t i, j, fr = 0, hinted = 0, oversight = 0;
	long n;

	(void)state;
	if (access(path, R_OK))
		skip();
	n = parse(path, 1000, &c, &err);
	if (n < 0)
		fail_msg("%s", err.s);
	assert_true(n >= 25 && n <= 40);
	for (i = 0; i < c.n; i++) {
		assert_non_null(c.v[i].title);
		assert_non_null(c.v[i].html_url);
		assert_non_null(c.v[i].language);
		assert_true(!strcmp(c.v[i].language, "en") ||
			    !strcmp(c.v[i].language, "fr"));
		fr += !strcmp(c.v[i].language, "fr");
		assert_true(c.v[i].category[0] != '\0');
		assert_true(!strncmp(c.v[i].xml_url, "https://", 8) ||
			    !strncmp(c.v[i].xml_url, "http://", 7));
		for (j = 0; j < i; j++)
			assert_string_not_equal(c.v[i].xml_url, c.v[j].xml_url);
		if (c.v[i].topics_error)
			fail_msg("line %lu: %s", c.v[i].line, c.v[i].topics_error);
		hinted += c.v[i].topics != NULL;
		oversight += c.v[i].topics && strstr(c.v[i].topics, "oversight");
	}
	assert_true(fr * 4 >= c.n);
	/* hints are for the feeds that clearly lean to a topic: a few */
	assert_true(oversight >= 1);
	assert_true(hinted * 2 < c.n);

	/* The writer's form of it is stable too. */
	feeds = collect_feeds(&c);
	assert_round_trip(feeds, c.n, "shipped.opml", &again);
	collect_release(&again);
	free(feeds);
	collect_release(&c);
	buf_release(&err);
}

/*
 * Topic hints. The ids are not looked up in feeds/topics.ini here: the
 * reader only checks their form, and the curator's `topics check` says
 * which ids are unknown.
 */
static void assert_normalized(const char *in, const char *want, int n)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	buf_addstr(&out, "stale");
	assert_int_equal(opml_topics_normalize(in, &out, &err), n);
	assert_string_equal(out.s, want);
	assert_int_equal(err.len, 0);
	buf_release(&out);
	buf_release(&err);
}

static void assert_refused(const char *in, const char *reason)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	buf_addstr(&out, "stale");
	buf_addstr(&err, "kept: ");
	assert_int_equal(opml_topics_normalize(in, &out, &err), -1);
	assert_int_equal(out.len, 0);
	assert_string_equal(out.s, "");
	assert_prefix(err.s, "kept: ");
	assert_string_equal(err.s + 6, reason);
	buf_release(&out);
	buf_release(&err);
}

static void test_topics_normalize(void **state)
{
	struct buf many = BUF_INIT, want = BUF_INIT;
	char id[OPML_TOPIC_ID_MAX + 2];
	int i;

	(void)state;
	assert_normalized(NULL, "", 0);
	assert_normalized("", "", 0);
	assert_normalized(" ,\t, \n", "", 0);
	assert_normalized("oversight", "oversight", 1);
	assert_normalized("oversight surveillance", "oversight surveillance", 2);
	assert_normalized("  oversight,surveillance , no-fly  ",
			  "oversight surveillance no-fly", 3);
	assert_normalized("a,,b\t\tc\r\nd", "a b c d", 4);
	/* order kept, a repeat dropped: it would only double the bonus */
	assert_normalized("no-fly oversight no-fly oversight", "no-fly oversight", 2);
	assert_normalized("9-11 c-51 -", "9-11 c-51 -", 3);

	assert_refused("Oversight",
		       "topic id 'Oversight' has a character other than a-z, 0-9 and '-'");
	assert_refused("oversight no_fly",
		       "topic id 'no_fly' has a character other than a-z, 0-9 and '-'");
	assert_refused("oversight;surveillance",
		       "topic id 'oversight;surveillance' has a character other than "
		       "a-z, 0-9 and '-'");
	assert_refused("sécurité",
		       "topic id 'sécurité' has a character other than a-z, 0-9 and '-'");
	/* a control character is not printed as is */
	assert_refused("x\x1b[2Jy",
		       "topic id 'x?[2Jy' has a character other than a-z, 0-9 and '-'");

	/* 64 bytes is an id, 65 is not */
	memset(id, 'a', OPML_TOPIC_ID_MAX);
	id[OPML_TOPIC_ID_MAX] = '\0';
	assert_normalized(id, id, 1);
	id[OPML_TOPIC_ID_MAX] = 'a';
	id[OPML_TOPIC_ID_MAX + 1] = '\0';
	assert_refused(id, "a topic id is longer than 64 bytes");

	/* 16 ids, repeats not counted, then a 17th */
	for (i = 0; i < OPML_TOPICS_MAX; i++) {
		buf_addf(&many, "t%d,", i);
		buf_addf(&want, "%st%d", i ? " " : "", i);
	}
	buf_addstr(&many, "t0 t15");
	assert_normalized(many.s, want.s, OPML_TOPICS_MAX);
	buf_addstr(&many, " t16");
	assert_refused(many.s, "more than 16 topic ids");
	buf_release(&many);
	buf_release(&want);
}

static void test_topics_read(void **state)
{
	struct collect c = { 0 };
	struct buf err = BUF_INIT;
	const char *path = write_file("topics.opml",
		"<opml version=\"2.0\"><head/><body>\n"
		"<outline text=\"Review\" topics=\"ignored on a folder\">\n"
		"  <outline text=\"a\" xmlUrl=\"http://x/a\" language=\"en\" topics=\"oversight\"/>\n"
		"  <outline text=\"b\" xmlUrl=\"http://x/b\" topics=\" oversight, surveillance ,no-fly \"/>\n"
		"</outline>\n"
		"<outline text=\"c\" xmlUrl=\"http://x/c\" TOPICS=\"a&#9;b&#10;c a\"/>\n"
		"<outline text=\"d\" xmlUrl=\"http://x/d\" topics=\"\"/>\n"
		"<outline text=\"e\" xmlUrl=\"http://x/e\" topics=\" , \"/>\n"
		"<outline text=\"f\" xmlUrl=\"http://x/f\"/>\n"
		"<outline text=\"g\" xmlUrl=\"http://x/g\" topics=\"oversight Surveillance\"/>\n"
		"<outline text=\"h\" xmlUrl=\"http://x/h\" topics=\"x&#127;y&#x85;z\"/>\n"
		"<outline type=\"link\" text=\"i\" xmlUrl=\"http://x/i\" topics=\"BAD\"/>\n"
		"<outline text=\"j\" xmlUrl=\"http://x/j\" topics=\"surveillance\"/>\n"
		"</body></opml>\n");

	(void)state;
	/* a bad hint does not fail the file: it reaches the caller */
	assert_int_equal(parse(path, 100, &c, &err), 9);
	assert_feed(&c.v[0], "http://x/a", "a", "Review");
	assert_string_equal(c.v[0].topics, "oversight");
	assert_null(c.v[0].topics_error);
	assert_string_equal(c.v[1].topics, "oversight surveillance no-fly");
	assert_string_equal(c.v[2].topics, "a b c");
	assert_null(c.v[3].topics);
	assert_null(c.v[3].topics_error);
	assert_null(c.v[4].topics);
	assert_null(c.v[4].topics_error);
	assert_null(c.v[5].topics);
	assert_null(c.v[5].topics_error);
	assert_feed(&c.v[6], "http://x/g", "g", "");
	assert_null(c.v[6].topics);
	assert_string_equal(c.v[6].topics_error,
			    "topic id 'Surveillance' has a character other than a-z, 0-9 and '-'");
	assert_int_equal(c.v[6].line, 10);
	assert_null(c.v[7].topics);
	assert_string_equal(c.v[7].topics_error,
			    "topic id 'x?y?z' has a character other than a-z, 0-9 and '-'");
	/* the error does not stick to the next outline */
	assert_feed(&c.v[8], "http://x/j", "j", "");
	assert_string_equal(c.v[8].topics, "surveillance");
	assert_null(c.v[8].topics_error);
	collect_release(&c);
	buf_release(&err);
}

static void test_write_topics_refused(void **state)
{
	static const struct opml_feed feeds[] = {
		{ "https://a/1", NULL, "t", NULL, "oversight", NULL, "", 0 },
		{ " https://a/2", NULL, "t", NULL, "oversight No-Fly", NULL, "", 0 },
	};
	struct buf err = BUF_INIT;
	FILE *f = fopen(tmp_path("badtopics.opml"), "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(opml_write(f, "t", feeds, 2, &err), -1);
	assert_string_equal(err.s, "cannot write OPML: feed 2 'https://a/2': "
			    "topic id 'No-Fly' has a character other than a-z, 0-9 and '-'");
	/* nothing is written: what is written always reads back */
	assert_int_equal(ftell(f), 0);
	fclose(f);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opml20_sample),
		cmocka_unit_test(test_opml10_sample),
		cmocka_unit_test(test_nested_folders),
		cmocka_unit_test(test_folder_escaping),
		cmocka_unit_test(test_title_and_text),
		cmocka_unit_test(test_link_and_include_skipped),
		cmocka_unit_test(test_entities_and_utf8),
		cmocka_unit_test(test_latin1_file),
		cmocka_unit_test(test_html_entity_is_an_error),
		cmocka_unit_test(test_not_xml),
		cmocka_unit_test(test_cannot_open),
		cmocka_unit_test(test_root_not_opml),
		cmocka_unit_test(test_no_body),
		cmocka_unit_test(test_no_feed_outlines),
		cmocka_unit_test(test_empty_xmlurl),
		cmocka_unit_test(test_max_outlines),
		cmocka_unit_test(test_callback_failure),
		cmocka_unit_test(test_external_entities),
		cmocka_unit_test(test_entity_expansion),
		cmocka_unit_test(test_write_golden),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_write_empty_list),
		cmocka_unit_test(test_100k_outlines),
		cmocka_unit_test(test_shipped_feed_list),
		cmocka_unit_test(test_topics_normalize),
		cmocka_unit_test(test_topics_read),
		cmocka_unit_test(test_write_topics_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
