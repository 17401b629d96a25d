#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feeds.h"

static char dir[] = "/tmp/nd-feeds-XXXXXX";
static char db[256], opml[256];
static struct store st;
static int rejects;

static void count_reject(const char *message, void *data)
{
	rejects++;
	if (data)
		assert_non_null(strstr(message, (const char *)data));
}

static void write_opml(const char *body)
{
	FILE *f = fopen(opml, "w");

	assert_non_null(f);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n"
		"<head><title>t</title></head>\n<body>\n%s</body>\n</opml>\n", body);
	fclose(f);
}

static int setup_each(void **state)
{
	struct buf err = BUF_INIT;
	char name[300];

	snprintf(name, sizeof(name), "%s-wal", db);
	unlink(name);
	snprintf(name, sizeof(name), "%s-shm", db);
	unlink(name);
	unlink(db);
	rejects = 0;
	if (store_open(&st, db, 1000, &err) < 0)
		return -1;
	buf_release(&err);
	return 0;
}

static int teardown_each(void **state)
{
	store_close(&st);
	return 0;
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/store.db", dir);
	snprintf(opml, sizeof(opml), "%s/feeds.opml", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int count_row(const struct feed_row *row, void *data)
{
	(*(int *)data)++;
	return 0;
}

static int nfeeds(void)
{
	struct buf err = BUF_INIT;
	int n = 0;

	assert_int_equal(feeds_foreach(&st, count_row, &n, &err), 0);
	buf_release(&err);
	return n;
}

static void test_check_url(void **state)
{
	struct buf err = BUF_INIT;

	assert_int_equal(feeds_check_url("https://example.org/feed.xml", &err), 0);
	assert_int_equal(feeds_check_url("HTTP://Example.org", &err), 0);
	assert_int_equal(feeds_check_url("ftp://example.org/f", &err), -1);
	assert_string_equal(err.s, "not an http or https URL");
	buf_reset(&err);
	assert_int_equal(feeds_check_url("file:///etc/passwd", &err), -1);
	assert_int_equal(feeds_check_url("https:///path", &err), -1);
	assert_int_equal(feeds_check_url("https://", &err), -1);
	buf_reset(&err);
	assert_int_equal(feeds_check_url("https://a b.org/", &err), -1);
	assert_non_null(strstr(err.s, "white space"));
	assert_int_equal(feeds_check_url("https://a.org/\n", &err), -1);
	buf_release(&err);
}

static void test_add_remove(void **state)
{
	struct buf err = BUF_INIT;
	int bad;

	assert_int_equal(feeds_add(&st, "https://example.org/a.xml", NULL, NULL, &bad, &err), 1);
	assert_int_equal(feeds_add(&st, "https://example.org/a.xml", "A", NULL, &bad, &err), 0);
	assert_int_equal(feeds_add(&st, "https://example.org/b.xml", "B", NULL, &bad, &err), 1);
	assert_int_equal(nfeeds(), 2);
	assert_int_equal(feeds_add(&st, "gopher://x", NULL, NULL, &bad, &err), -1);
	assert_true(bad);
	assert_int_equal(feeds_remove(&st, "https://example.org/a.xml", &err), 1);
	assert_int_equal(feeds_remove(&st, "https://example.org/a.xml", &err), 0);
	assert_int_equal(nfeeds(), 1);
	buf_release(&err);
}

struct seen {
	char urls[8][64];
	char categories[8][64];
	int n;
};

static int remember(const struct feed_row *row, void *data)
{
	struct seen *s = data;

	snprintf(s->urls[s->n], sizeof(s->urls[0]), "%s", row->url);
	snprintf(s->categories[s->n], sizeof(s->categories[0]), "%s", row->category);
	assert_string_equal(row->status, "never");
	s->n++;
	return 0;
}

static void test_import(void **state)
{
	struct feeds_import_report rep;
	struct buf err = BUF_INIT;
	struct seen s = { .n = 0 };
	int bad;

	write_opml("<outline text=\"News\">\n"
		   " <outline text=\"Canada\">\n"
		   "  <outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\"/>\n"
		   " </outline>\n"
		   " <outline type=\"rss\" text=\"B\" xmlUrl=\"https://b.example/rss\"/>\n"
		   "</outline>\n"
		   "<outline type=\"rss\" text=\"Bad\" xmlUrl=\"ftp://c.example/rss\"/>\n"
		   "<outline type=\"rss\" text=\"D\" xmlUrl=\"https://d.example/rss\"/>\n");
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, "not an http",
					   &rep, &bad, &err), 0);
	assert_int_equal(rep.added, 3);
	assert_int_equal(rep.rejected, 1);
	assert_int_equal(rejects, 1);
	assert_int_equal(feeds_foreach(&st, remember, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.urls[0], "https://a.example/rss");
	assert_string_equal(s.categories[0], "News/Canada");
	assert_string_equal(s.categories[1], "News");
	assert_string_equal(s.categories[2], "");
	/* again: nothing new */
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, NULL,
					   &rep, &bad, &err), 0);
	assert_int_equal(rep.added, 0);
	assert_int_equal(rep.unchanged, 3);
	buf_release(&err);
}

/* a file that fails part way leaves the store as it was */
static void test_import_is_atomic(void **state)
{
	struct feeds_import_report rep;
	struct buf err = BUF_INIT;
	int bad;

	write_opml("<outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\"/>\n"
		   "<outline type=\"rss\" text=\"B\" xmlUrl=\"https://b.example/rss\"/>\n"
		   "<outline type=\"rss\" text=\"C\" xmlUrl=\"https://c.example/rss\"/>\n");
	assert_int_equal(feeds_import_opml(&st, opml, 2, count_reject, NULL,
					   &rep, &bad, &err), -1);
	assert_true(bad);
	assert_non_null(strstr(err.s, "max_feeds"));
	assert_int_equal(nfeeds(), 0);
	buf_reset(&err);
	write_opml("<outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\"/>\n"
		   "<outline text=\"broken\"></outline></body></opml>");
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, NULL,
					   &rep, &bad, &err), -1);
	assert_true(bad);
	assert_int_equal(nfeeds(), 0);
	buf_release(&err);
}

static void test_seed_once(void **state)
{
	struct buf err = BUF_INIT;
	int bad;

	write_opml("<outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\"/>\n");
	assert_int_equal(feeds_seed(&st, opml, 100, count_reject, NULL, &bad, &err), 1);
	assert_int_equal(feeds_remove(&st, "https://a.example/rss", &err), 1);
	/* a feed the user removed is not seeded again */
	assert_int_equal(feeds_seed(&st, opml, 100, count_reject, NULL, &bad, &err), 0);
	assert_int_equal(nfeeds(), 0);
	buf_release(&err);
}

static void test_seed_missing_file(void **state)
{
	struct buf err = BUF_INIT, v = BUF_INIT;
	int bad;

	assert_int_equal(feeds_seed(&st, "/nonexistent.opml", 100, count_reject, NULL,
				    &bad, &err), -1);
	assert_true(bad);
	/* not marked seeded: the next run tries again */
	assert_int_equal(store_meta_get(&st, "feeds_seeded", &v, &err), 0);
	buf_release(&err);
	buf_release(&v);
}

static void test_export_round_trip(void **state)
{
	struct feeds_import_report rep;
	struct buf err = BUF_INIT;
	char *first = NULL, *second = NULL;
	size_t n1 = 0, n2 = 0;
	FILE *f;
	int bad;

	write_opml("<outline text=\"Société\">\n"
		   " <outline type=\"rss\" text=\"Le Devoir\" xmlUrl=\"https://a.example/rss\" "
		   "htmlUrl=\"https://a.example/\" language=\"fr\"/>\n"
		   "</outline>\n"
		   "<outline type=\"rss\" text=\"B &amp; C\" xmlUrl=\"https://b.example/rss?x=1&amp;y=2\"/>\n");
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, NULL,
					   &rep, &bad, &err), 0);
	f = open_memstream(&first, &n1);
	assert_int_equal(feeds_export_opml(&st, f, &err), 0);
	fclose(f);
	assert_non_null(strstr(first, "xmlUrl=\"https://b.example/rss?x=1&amp;y=2\""));
	assert_non_null(strstr(first, "Société"));
	f = fopen(opml, "w");
	fputs(first, f);
	fclose(f);
	store_close(&st);
	setup_each(state);
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, NULL,
					   &rep, &bad, &err), 0);
	assert_int_equal(rep.added, 2);
	f = open_memstream(&second, &n2);
	assert_int_equal(feeds_export_opml(&st, f, &err), 0);
	fclose(f);
	assert_string_equal(first, second);
	free(first);
	free(second);
	buf_release(&err);
}

/* The topic hint of each feed, in list order: "[a b][]". */
static int join_topics(const struct feed_row *row, void *data)
{
	assert_non_null(row->topics);
	buf_addf(data, "[%s]", row->topics);
	return 0;
}

static void assert_topics(const char *want)
{
	struct buf got = BUF_INIT, err = BUF_INIT;

	assert_int_equal(feeds_foreach(&st, join_topics, &got, &err), 0);
	assert_string_equal(got.s, want);
	buf_release(&got);
	buf_release(&err);
}

static void test_add_topics(void **state)
{
	struct buf err = BUF_INIT, ids = BUF_INIT;
	int bad;

	assert_int_equal(feeds_check_topics(" oversight,surveillance ", &ids, &err), 2);
	assert_string_equal(ids.s, "oversight surveillance");
	assert_int_equal(feeds_check_topics("Oversight", &ids, &err), -1);
	assert_non_null(strstr(err.s, "'Oversight'"));
	buf_reset(&err);

	assert_int_equal(feeds_add(&st, "https://example.org/a.xml", NULL,
				   "oversight, surveillance", &bad, &err), 1);
	assert_int_equal(feeds_add(&st, "https://example.org/b.xml", "B", NULL, &bad, &err), 1);
	assert_topics("[oversight surveillance][]");
	/* NULL keeps a known feed's hint, a new one replaces it, "" clears it */
	assert_int_equal(feeds_add(&st, "https://example.org/a.xml", "A", NULL, &bad, &err), 0);
	assert_topics("[oversight surveillance][]");
	assert_int_equal(feeds_add(&st, "https://example.org/a.xml", NULL, "no-fly", &bad, &err), 0);
	assert_topics("[no-fly][]");
	assert_int_equal(feeds_add(&st, "https://example.org/a.xml", NULL, " ", &bad, &err), 0);
	assert_topics("[][]");
	/* a bad id: refused as bad input, nothing changes */
	assert_int_equal(feeds_add(&st, "https://example.org/c.xml", NULL, "ok no_fly",
				   &bad, &err), -1);
	assert_true(bad);
	assert_non_null(strstr(err.s, "'no_fly'"));
	assert_int_equal(nfeeds(), 2);
	buf_release(&err);
	buf_release(&ids);
}

static void test_import_topics(void **state)
{
	struct feeds_import_report rep;
	struct buf err = BUF_INIT;
	char *out = NULL;
	size_t n = 0;
	FILE *f;
	int bad;

	write_opml("<outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\" "
		   "topics=\"oversight,surveillance\"/>\n"
		   "<outline type=\"rss\" text=\"B\" xmlUrl=\"https://b.example/rss\" "
		   "topics=\"Oversight\"/>\n"
		   "<outline type=\"rss\" text=\"C\" xmlUrl=\"https://c.example/rss\"/>\n");
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject,
					   "line 6: 'https://b.example/rss': bad 'topics' attribute: "
					   "topic id 'Oversight' has a character other than a-z, 0-9 and '-'",
					   &rep, &bad, &err), 0);
	assert_int_equal(rep.added, 2);
	assert_int_equal(rep.rejected, 1);
	assert_topics("[oversight surveillance][]");

	f = open_memstream(&out, &n);
	assert_int_equal(feeds_export_opml(&st, f, &err), 0);
	fclose(f);
	assert_non_null(strstr(out, "xmlUrl=\"https://a.example/rss\" topics=\"oversight surveillance\"/>"));
	assert_non_null(strstr(out, "xmlUrl=\"https://c.example/rss\"/>"));
	free(out);

	/* a changed hint updates the feed; a missing one clears it */
	write_opml("<outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\"/>\n"
		   "<outline type=\"rss\" text=\"C\" xmlUrl=\"https://c.example/rss\" "
		   "topics=\"no-fly\"/>\n");
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, NULL,
					   &rep, &bad, &err), 0);
	assert_int_equal(rep.updated, 2);
	assert_topics("[][no-fly]");
	assert_int_equal(feeds_import_opml(&st, opml, 100, count_reject, NULL,
					   &rep, &bad, &err), 0);
	assert_int_equal(rep.unchanged, 2);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_url, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_add_remove, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_import, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_import_is_atomic, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_seed_once, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_seed_missing_file, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_export_round_trip, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_add_topics, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_import_topics, setup_each, teardown_each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
