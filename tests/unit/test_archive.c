#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "archive.h"
#include "config.h"
#include "draft.h"
#include "xalloc.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define MAX_ENTRIES 64

struct fx {
	char dir[64];           /* the test's own folder */
	char arc[96];           /* the archive inside it */
	struct config cfg;
};

/* What check_feed found, for the tests to compare. */
struct feed_seen {
	size_t n;
	char *id;
	char *self;
	char *updated;
	char *entry_id[MAX_ENTRIES];
	char *entry_title[MAX_ENTRIES];
	char *entry_href[MAX_ENTRIES];
	char *entry_updated[MAX_ENTRIES];
	char *entry_content[MAX_ENTRIES];
};

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_archive.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->arc, sizeof(fx->arc), "%s/archive", fx->dir);
	config_init(&fx->cfg);
	/* tests run from the repository's top (tests/run.sh) */
	set_str(&fx->cfg.compose.templates, "templates");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];
	int rc;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	rc = system(cmd);
	config_release(&fx->cfg);
	free(fx);
	return rc == 0 ? 0 : -1;
}

static void assert_sane(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
	assert_int_equal(strlen(b->s), b->len);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static char *slurp_in(const struct fx *fx, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", fx->arc, name);
	return slurp(path);
}

static int exists_in(const struct fx *fx, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", fx->arc, name);
	return stat(path, &st) == 0;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* The front matter as compose writes it, then a body with sections, a
 * link, markers, escaped HTML and emoji; extra goes at the end. */
static void write_draft(const struct fx *fx, const char *week, int issue, const char *date,
			const char *subject, const char *extra, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/draft.md", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "---\n"
		"title: \"News Digest\"\n"
		"issue: %d\n"
		"week: %s\n"
		"from: 2025-02-27\n"
		"to: 2025-03-05\n"
		"date: %s\n"
		"subject: %s\n"
		"---\n"
		"\n"
		"<!-- nd:notes\n"
		"Draft for the editor only.\n"
		"-->\n"
		"\n"
		"This week in %s: drones 🛰️ and \\<script>alert(1)\\</script> stays text.\n"
		"\n"
		"## Surveillance · Surveillance\n"
		"\n"
		"- [Court rules on metadata](https://example.com/a?x=1&y=2) — *Ledger*, 2025-03-04\n"
		"  <!-- nd:item id=42 topics=surveillance score=3.5 evidence=\"metadata\" -->\n"
		"\n"
		"## Events · Événements\n"
		"\n"
		"Vigil on Friday.\n"
		"%s",
		issue, week, date, subject, week, extra ? extra : "");
	assert_int_equal(fclose(f), 0);
}

static int add(struct fx *fx, const char *week, int issue, const char *date,
	       const char *subject, const char *extra, struct buf *err)
{
	struct draft_doc d;
	struct buf rerr = BUF_INIT;
	char path[256];
	int rc;

	write_draft(fx, week, issue, date, subject, extra, path, sizeof(path));
	memset(&d, 0, sizeof(d));
	if (draft_read(path, &d, &rerr) < 0)
		fail_msg("draft_read: %s", rerr.s);
	buf_release(&rerr);
	rc = archive_add(&fx->cfg, &d, fx->arc, err);
	assert_sane(err);
	draft_doc_release(&d);
	return rc;
}

static void add_ok(struct fx *fx, const char *week, int issue, const char *date,
		   const char *subject)
{
	struct buf err = BUF_INIT;

	if (add(fx, week, issue, date, subject, NULL, &err) != 0)
		fail_msg("archive_add %s: %s", week, err.s);
	assert_int_equal(err.len, 0);
	buf_release(&err);
}

/* RFC 3339 date-time: full-date "T" full-time, with Z or an offset. */
static int is_rfc3339(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	}
	s += i;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	}
	if (!strcmp(s, "Z"))
		return 1;
	return (s[0] == '+' || s[0] == '-') && s[1] >= '0' && s[1] <= '9' &&
	       s[2] >= '0' && s[2] <= '9' && s[3] == ':' && s[4] >= '0' && s[4] <= '9' &&
	       s[5] >= '0' && s[5] <= '9' && !s[6];
}

static int is_atom(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, ATOM_NS) &&
	       !strcmp((const char *)n->name, name);
}

static char *text_of(xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s = xstrdup(t ? (const char *)t : "");

	xmlFree(t);
	return s;
}

static char *attr_of(xmlNode *n, const char *name)
{
	xmlChar *t = xmlGetProp(n, BAD_CAST name);
	char *s = t ? xstrdup((const char *)t) : NULL;

	xmlFree(t);
	return s;
}

/* atom:link rel (absent means alternate, RFC 4287 4.2.7.2) */
static int link_rel_is(xmlNode *n, const char *rel)
{
	char *r = attr_of(n, "rel");
	int yes = !strcmp(r ? r : "alternate", rel);

	free(r);
	return yes;
}

static void check_entry(xmlNode *e, struct feed_seen *fs)
{
	size_t ids = 0, titles = 0, updateds = 0, alternates = 0, contents = 0;
	size_t k = fs->n;
	xmlNode *c;

	assert_true(k < MAX_ENTRIES);
	for (c = e->children; c; c = c->next) {
		if (is_atom(c, "id")) {
			ids++;
			fs->entry_id[k] = text_of(c);
		} else if (is_atom(c, "title")) {
			titles++;
			fs->entry_title[k] = text_of(c);
		} else if (is_atom(c, "updated")) {
			updateds++;
			fs->entry_updated[k] = text_of(c);
		} else if (is_atom(c, "link") && link_rel_is(c, "alternate")) {
			char *type = attr_of(c, "type");

			alternates++;
			fs->entry_href[k] = attr_of(c, "href");
			assert_non_null(fs->entry_href[k]);
			assert_non_null(type);
			assert_string_equal(type, "text/html");
			free(type);
		} else if (is_atom(c, "content")) {
			char *type = attr_of(c, "type");

			contents++;
			assert_non_null(type);
			assert_string_equal(type, "html");
			free(type);
			fs->entry_content[k] = text_of(c);
		}
	}
	/* RFC 4287 4.1.2: exactly one id, title, updated; at most one content
	 * and one alternate link per type */
	assert_int_equal(ids, 1);
	assert_int_equal(titles, 1);
	assert_int_equal(updateds, 1);
	assert_int_equal(alternates, 1);
	assert_int_equal(contents, 1);
	assert_true(strchr(fs->entry_id[k], ':') != NULL);     /* an absolute IRI */
	assert_true(is_rfc3339(fs->entry_updated[k]));
	assert_true(*fs->entry_title[k]);
	fs->n++;
}

/* Parse DIR/feed.xml and check everything RFC 4287 requires. */
static void check_feed(const struct fx *fx, struct feed_seen *fs)
{
	char path[256];
	xmlDoc *doc;
	xmlNode *root, *c;
	size_t ids = 0, titles = 0, updateds = 0, selfs = 0, authors = 0, i, j;

	memset(fs, 0, sizeof(*fs));
	snprintf(path, sizeof(path), "%s/feed.xml", fx->arc);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	assert_non_null(doc);
	root = xmlDocGetRootElement(doc);
	assert_non_null(root);
	assert_true(is_atom(root, "feed"));
	for (c = root->children; c; c = c->next) {
		if (is_atom(c, "id")) {
			ids++;
			fs->id = text_of(c);
		} else if (is_atom(c, "title")) {
			titles++;
		} else if (is_atom(c, "updated")) {
			updateds++;
			fs->updated = text_of(c);
		} else if (is_atom(c, "author")) {
			authors++;
		} else if (is_atom(c, "link") && link_rel_is(c, "self")) {
			selfs++;
			fs->self = attr_of(c, "href");
		} else if (is_atom(c, "entry")) {
			check_entry(c, fs);
		}
	}
	assert_int_equal(ids, 1);
	assert_int_equal(titles, 1);
	assert_int_equal(updateds, 1);
	assert_int_equal(selfs, 1);
	assert_int_equal(authors, 1);   /* no entry has one, so the feed must */
	assert_true(strchr(fs->id, ':') != NULL);
	assert_true(is_rfc3339(fs->updated));
	for (i = 0; i < fs->n; i++) {
		for (j = i + 1; j < fs->n; j++) {
			assert_string_not_equal(fs->entry_id[i], fs->entry_id[j]);
			assert_string_not_equal(fs->entry_href[i], fs->entry_href[j]);
		}
		/* the feed's updated is no older than any entry's */
		assert_true(strcmp(fs->updated, fs->entry_updated[i]) >= 0);
	}
	xmlFreeDoc(doc);
}

static void feed_seen_release(struct feed_seen *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->entry_id[i]);
		free(fs->entry_title[i]);
		free(fs->entry_href[i]);
		free(fs->entry_updated[i]);
		free(fs->entry_content[i]);
	}
	free(fs->id);
	free(fs->self);
	free(fs->updated);
	memset(fs, 0, sizeof(*fs));
}

/* ------------------------------------------------------------------ */

static void test_first_issue(void **state)
{
	struct fx *fx = *state;
	struct feed_seen fs;
	char *page, *index, *tsv;

	add_ok(fx, "2025-W10", 10, "2025-03-06", "\"News Digest #10, 2025-W10\"");

	page = slurp_in(fx, "2025-W10.html");
	assert_non_null(page);
	assert_non_null(strstr(page, "<!DOCTYPE html>"));
	assert_non_null(strstr(page, "<title>News Digest #10, 2025-W10</title>"));
	assert_non_null(strstr(page, "<h1>News Digest</h1>"));
	assert_non_null(strstr(page, "No. 10 · 2025-W10 · "));
	assert_non_null(strstr(page, "2025-03-06"));
	assert_non_null(strstr(page, "<h2>Surveillance · Surveillance</h2>"));
	assert_non_null(strstr(page, "href=\"https://example.com/a?x=1&amp;y=2\""));
	assert_non_null(strstr(page, "Vigil on Friday."));
	assert_non_null(strstr(page, "drones 🛰️"));
	assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "nd:item"));
	assert_null(strstr(page, "nd:notes"));
	assert_null(strstr(page, "Draft for the editor only"));
	assert_non_null(strstr(page, "href=\"index.html\""));
	/* nothing personal, nothing loaded from elsewhere */
	assert_null(strstr(page, "nsubscribe"));
	assert_null(strstr(page, "{{"));
	assert_null(strstr(page, "src=\"http"));
	assert_null(strstr(page, "rel=\"stylesheet\""));
	assert_null(strstr(page, "rel=\"canonical\""));       /* no archive_url */

	index = slurp_in(fx, "index.html");
	assert_non_null(index);
	assert_non_null(strstr(index, "<a href=\"2025-W10.html\">News Digest #10, 2025-W10</a>"));
	assert_int_equal(count(index, "class=\"issue\""), 1);
	assert_null(strstr(index, "No issue yet"));

	tsv = slurp_in(fx, "issues.tsv");
	assert_non_null(tsv);
	assert_non_null(strstr(tsv, "\nversion\t1\n"));
	assert_non_null(strstr(tsv, "\nfeed-id\ttag:example.org,2025:news-digest.example.org\n"));
	assert_non_null(strstr(tsv, "\nissue\t2025-W10\t10\t2025-03-06\tNews Digest\t"
			       "News Digest #10, 2025-W10\n"));

	check_feed(fx, &fs);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.id, "tag:example.org,2025:news-digest.example.org");
	assert_string_equal(fs.self, "feed.xml");
	assert_string_equal(fs.updated, "2025-03-06T00:00:00Z");
	assert_string_equal(fs.entry_id[0], "tag:example.org,2025:news-digest.example.org/2025-W10");
	assert_string_equal(fs.entry_title[0], "News Digest #10, 2025-W10");
	assert_string_equal(fs.entry_href[0], "2025-W10.html");
	assert_string_equal(fs.entry_updated[0], "2025-03-06T00:00:00Z");
	/* content type="html": the rendered body, as text once parsed */
	assert_non_null(strstr(fs.entry_content[0], "<h2>Surveillance · Surveillance</h2>"));
	assert_non_null(strstr(fs.entry_content[0], "&lt;script&gt;"));
	assert_null(strstr(fs.entry_content[0], "nd:item"));
	assert_null(strstr(fs.entry_content[0], "newsdigest:body"));
	feed_seen_release(&fs);
	free(page);
	free(index);
	free(tsv);
}

static void test_second_week_newest_first(void **state)
{
	struct fx *fx = *state;
	struct feed_seen fs;
	char *index, *w10, *w11;

	add_ok(fx, "2025-W10", 10, "2025-03-06", "\"Digest 10\"");
	add_ok(fx, "2025-W11", 11, "2025-03-13", "\"Digest 11\"");

	index = slurp_in(fx, "index.html");
	assert_non_null(index);
	assert_int_equal(count(index, "class=\"issue\""), 2);
	w10 = strstr(index, "href=\"2025-W10.html\"");
	w11 = strstr(index, "href=\"2025-W11.html\"");
	assert_non_null(w10);
	assert_non_null(w11);
	assert_true(w11 < w10);
	assert_true(exists_in(fx, "2025-W10.html"));
	assert_true(exists_in(fx, "2025-W11.html"));

	check_feed(fx, &fs);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.entry_title[0], "Digest 11");
	assert_string_equal(fs.entry_title[1], "Digest 10");
	assert_string_equal(fs.entry_href[0], "2025-W11.html");
	assert_string_equal(fs.entry_updated[1], "2025-03-06T00:00:00Z");
	assert_string_equal(fs.updated, "2025-03-13T00:00:00Z");
	/* the older entry's body was read back from its page */
	assert_non_null(strstr(fs.entry_content[1], "This week in 2025-W10"));
	assert_non_null(strstr(fs.entry_content[0], "This week in 2025-W11"));
	feed_seen_release(&fs);
	free(index);
}

static void test_same_week_replaced(void **state)
{
	struct fx *fx = *state;
	struct buf err = BUF_INIT;
	struct feed_seen before, after;
	char *index, *page, *tsv;

	add_ok(fx, "2025-W10", 10, "2025-03-06", "\"Digest 10\"");
	add_ok(fx, "2025-W11", 11, "2025-03-13", "\"Digest 11\"");
	check_feed(fx, &before);
	assert_int_equal(add(fx, "2025-W10", 10, "2025-03-07", "\"Digest 10, corrected\"",
			     "\nA correction.\n", &err), 0);
	buf_release(&err);

	index = slurp_in(fx, "index.html");
	assert_int_equal(count(index, "class=\"issue\""), 2);
	assert_int_equal(count(index, "href=\"2025-W10.html\""), 1);
	assert_non_null(strstr(index, "Digest 10, corrected"));
	assert_null(strstr(index, "Digest 10<"));
	page = slurp_in(fx, "2025-W10.html");
	assert_non_null(strstr(page, "A correction."));
	tsv = slurp_in(fx, "issues.tsv");
	assert_int_equal(count(tsv, "\nissue\t"), 2);
	assert_int_equal(count(tsv, "\nissue\t2025-W10\t"), 1);

	check_feed(fx, &after);
	assert_int_equal(after.n, 2);
	/* ids never change: readers see the same entry, updated */
	assert_string_equal(after.id, before.id);
	assert_string_equal(after.entry_id[1], before.entry_id[1]);
	assert_string_equal(after.entry_title[1], "Digest 10, corrected");
	assert_string_equal(after.entry_updated[1], "2025-03-07T00:00:00Z");
	assert_non_null(strstr(after.entry_content[1], "A correction."));
	feed_seen_release(&before);
	feed_seen_release(&after);
	free(index);
	free(page);
	free(tsv);
}

static void test_absolute_links(void **state)
{
	struct fx *fx = *state;
	struct feed_seen fs;
	char *page, *index, *feed;

	/* a trailing '/' makes no double slash */
	set_str(&fx->cfg.mail.archive_url, "https://example.org/digest/");
	add_ok(fx, "2025-W10", 10, "2025-03-06", "\"Digest 10\"");
	add_ok(fx, "2025-W11", 11, "2025-03-13", "\"Digest 11\"");

	check_feed(fx, &fs);
	assert_string_equal(fs.self, "https://example.org/digest/feed.xml");
	assert_string_equal(fs.entry_href[0], "https://example.org/digest/2025-W11.html");
	assert_string_equal(fs.entry_href[1], "https://example.org/digest/2025-W10.html");
	feed_seen_release(&fs);
	feed = slurp_in(fx, "feed.xml");
	assert_non_null(strstr(feed, "rel=\"alternate\" type=\"text/html\" "
			       "href=\"https://example.org/digest/index.html\""));
	assert_null(strstr(feed, "digest//"));
	page = slurp_in(fx, "2025-W10.html");
	assert_non_null(strstr(page, "<link rel=\"canonical\" "
			       "href=\"https://example.org/digest/2025-W10.html\">"));
	/* the page's own navigation stays relative: it works where it is */
	assert_non_null(strstr(page, "href=\"index.html\""));
	index = slurp_in(fx, "index.html");
	assert_non_null(strstr(index, "href=\"https://example.org/digest/index.html\""));
	free(feed);
	free(page);
	free(index);
}

static void test_hostile_front_matter(void **state)
{
	struct fx *fx = *state;
	struct feed_seen fs;
	char *page, *index, *tsv;

	/* YAML escapes bring a tab, a newline, a control character, markup */
	add_ok(fx, "2025-W10", 10, "2025-03-06",
	       "\"<b>Bold</b> & \\\"quoted\\\"\\ttab\\nline \\x01 back\\\\slash 🛰️\"");

	page = slurp_in(fx, "2025-W10.html");
	assert_non_null(strstr(page, "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;"));
	assert_null(strstr(page, "<b>Bold"));
	index = slurp_in(fx, "index.html");
	assert_non_null(strstr(index, "&lt;b&gt;Bold&lt;/b&gt;"));
	tsv = slurp_in(fx, "issues.tsv");
	/* one record per line whatever the subject holds */
	assert_non_null(strstr(tsv, "\\ttab\\nline \x01 back\\\\slash 🛰️\n"));

	/* the control character would make the feed ill-formed: replaced */
	check_feed(fx, &fs);
	assert_non_null(strstr(fs.entry_title[0], "<b>Bold</b> & \"quoted\"\ttab\nline "
			       "\xEF\xBF\xBD back\\slash 🛰️"));
	feed_seen_release(&fs);

	/* the escaped manifest reads back the same on the next add */
	add_ok(fx, "2025-W11", 11, "2025-03-13", "\"Digest 11\"");
	check_feed(fx, &fs);
	assert_int_equal(fs.n, 2);
	assert_non_null(strstr(fs.entry_title[1], "\ttab\nline \xEF\xBF\xBD back\\slash"));
	feed_seen_release(&fs);
	free(page);
	free(index);
	free(tsv);
}

static void test_bad_front_matter(void **state)
{
	struct fx *fx = *state;
	struct buf err = BUF_INIT;

	/* a week that is not one would name a file anywhere */
	assert_int_equal(add(fx, "../x", 10, "2025-03-06", "\"s\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "week '../x' is not an ISO week"));
	buf_reset(&err);
	assert_int_equal(add(fx, "2025-W10", 10, "next Thursday", "\"s\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "date 'next Thursday' is not a date"));
	assert_non_null(strstr(err.s, "cannot archive '"));
	assert_non_null(strstr(err.s, "/draft.md': "));
	buf_reset(&err);
	assert_int_equal(add(fx, "2025-W10", 10, "2025-03-06", "\"\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "no 'subject'"));
	assert_false(exists_in(fx, "2025-W10.html"));
	assert_false(exists_in(fx, "index.html"));
	assert_false(exists_in(fx, "feed.xml"));
	buf_release(&err);
}

static void test_bad_manifest_writes_nothing(void **state)
{
	struct fx *fx = *state;
	struct buf err = BUF_INIT;
	char path[256], *index;
	FILE *f;

	add_ok(fx, "2025-W10", 10, "2025-03-06", "\"Digest 10\"");
	snprintf(path, sizeof(path), "%s/issues.tsv", fx->arc);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("issue\t2025-W11\televen\t2025-03-13\tt\ts\n", f);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(add(fx, "2025-W12", 12, "2025-03-20", "\"Digest 12\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "issues.tsv': line 6: issue 'eleven' is not a number"));
	assert_false(exists_in(fx, "2025-W12.html"));
	index = slurp_in(fx, "index.html");
	assert_null(strstr(index, "2025-W12"));
	free(index);

	/* a manifest from a newer version is refused, not rewritten */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("version\t2\n", f);
	assert_int_equal(fclose(f), 0);
	buf_reset(&err);
	assert_int_equal(add(fx, "2025-W12", 12, "2025-03-20", "\"Digest 12\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "line 1: version '2'"));
	buf_release(&err);
}

static void test_deleted_page_unpublishes(void **state)
{
	struct fx *fx = *state;
	struct feed_seen fs;
	char path[256], *index;

	add_ok(fx, "2025-W10", 10, "2025-03-06", "\"Digest 10\"");
	add_ok(fx, "2025-W11", 11, "2025-03-13", "\"Digest 11\"");
	snprintf(path, sizeof(path), "%s/2025-W10.html", fx->arc);
	assert_int_equal(unlink(path), 0);
	add_ok(fx, "2025-W12", 12, "2025-03-20", "\"Digest 12\"");

	index = slurp_in(fx, "index.html");
	assert_int_equal(count(index, "class=\"issue\""), 2);
	assert_null(strstr(index, "2025-W10"));
	check_feed(fx, &fs);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.entry_href[0], "2025-W12.html");
	assert_string_equal(fs.entry_href[1], "2025-W11.html");
	feed_seen_release(&fs);
	free(index);
}

static void test_feed_keeps_newest_50(void **state)
{
	struct fx *fx = *state;
	struct feed_seen fs;
	char week[16], date[16], subject[32], *index;
	int i;

	/* 55 weeks out of order: 2024-W01..W52, then 2025-W01..W03 */
	for (i = 55; i >= 1; i--) {
		int year = i <= 52 ? 2024 : 2025, w = i <= 52 ? i : i - 52;

		snprintf(week, sizeof(week), "%d-W%02d", year, w);
		snprintf(date, sizeof(date), "%d-%02d-%02d", year, 1 + (w - 1) / 5, 1 + (w % 28));
		snprintf(subject, sizeof(subject), "\"Digest %d\"", i);
		add_ok(fx, week, i, date, subject);
	}
	index = slurp_in(fx, "index.html");
	assert_int_equal(count(index, "class=\"issue\""), 55);
	assert_true(strstr(index, "2025-W03.html") < strstr(index, "2025-W01.html"));
	assert_true(strstr(index, "2025-W01.html") < strstr(index, "2024-W52.html"));
	check_feed(fx, &fs);
	assert_int_equal(fs.n, ARCHIVE_FEED_ENTRIES);
	assert_string_equal(fs.entry_href[0], "2025-W03.html");
	assert_string_equal(fs.entry_href[49], "2024-W06.html");
	/* the feed id was chosen at the first add (2025-W03) and kept */
	assert_string_equal(fs.id, "tag:example.org,2025:news-digest.example.org");
	feed_seen_release(&fs);
	free(index);
}

static void test_raw_html(void **state)
{
	struct fx *fx = *state;
	struct buf err = BUF_INIT;
	char *page;

	assert_int_equal(add(fx, "2025-W10", 10, "2025-03-06", "\"s\"",
			     "\n<div class=\"callout\">Rally</div>\n", &err), 0);
	page = slurp_in(fx, "2025-W10.html");
	assert_null(strstr(page, "<div class=\"callout\">"));
	free(page);
	fx->cfg.compose.allow_raw_html = 1;
	assert_int_equal(add(fx, "2025-W10", 10, "2025-03-06", "\"s\"",
			     "\n<div class=\"callout\">Rally</div>\n", &err), 0);
	page = slurp_in(fx, "2025-W10.html");
	assert_non_null(strstr(page, "<div class=\"callout\">Rally</div>"));
	/* markers stay out whatever the option */
	assert_null(strstr(page, "nd:item"));
	free(page);
	buf_release(&err);
}

static void test_missing_template(void **state)
{
	struct fx *fx = *state;
	struct buf err = BUF_INIT;
	char empty[128];

	snprintf(empty, sizeof(empty), "%s/no-templates", fx->dir);
	set_str(&fx->cfg.compose.templates, empty);
	assert_int_equal(add(fx, "2025-W10", 10, "2025-03-06", "\"s\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "no-templates/archive-page.html"));
	assert_false(exists_in(fx, "2025-W10.html"));
	buf_release(&err);
}

static void test_no_domain_for_id(void **state)
{
	struct fx *fx = *state;
	struct buf err = BUF_INIT;

	set_str(&fx->cfg.mail.from, "nobody");
	assert_int_equal(add(fx, "2025-W10", 10, "2025-03-06", "\"s\"", NULL, &err), -1);
	assert_non_null(strstr(err.s, "[mail] from 'nobody' has no domain"));
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_issue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_week_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_week_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_front_matter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_front_matter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_manifest_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_page_unpublishes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_keeps_newest_50, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_domain_for_id, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
