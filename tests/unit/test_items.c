#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "items.h"

static char dir[] = "/tmp/nd-items-XXXXXX";
static char db[256];
static struct store st;
static long feed_a, feed_b;

static long long query(const char *sql)
{
	struct buf err = BUF_INIT;
	long long v = -1;

	assert_int_equal(store_query_int(&st, sql, "test", &v, &err), 0);
	buf_release(&err);
	return v;
}

static int setup(void **state)
{
	struct buf err = BUF_INIT;

	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/store.db", dir);
	if (store_open(&st, db, 1000, &err) < 0 ||
	    store_exec(&st, "INSERT INTO feeds (url, position, added_at) VALUES "
		       "('https://a.example/rss', 1, 0), ('https://b.example/rss', 2, 0)",
		       &err) < 0)
		return -1;
	feed_a = (long)query("SELECT id FROM feeds WHERE position = 1");
	feed_b = (long)query("SELECT id FROM feeds WHERE position = 2");
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct feed_entry entry(const char *id, const char *link, const char *title)
{
	struct feed_entry e;

	memset(&e, 0, sizeof(e));
	e.id = id;
	e.link = link;
	e.title = title;
	e.summary = "<p>Summary</p>";
	e.summary_text = "Summary";
	e.published = 1700000000;
	e.updated = FEED_NO_DATE;
	return e;
}

static int put(long feed, const struct feed_entry *e)
{
	struct items_writer w;
	struct buf err = BUF_INIT;
	int rc;

	assert_int_equal(items_writer_init(&w, &st, &err), 0);
	rc = items_put(&w, feed, e, 1700000100, &err);
	items_writer_release(&w);
	buf_release(&err);
	return rc;
}

static void test_identity(void **state)
{
	struct buf id = BUF_INIT;
	struct feed_entry e = entry("urn:x:1", "https://a.example/1", "T");

	items_identity(&e, &id);
	assert_string_equal(id.s, "urn:x:1");
	e.id = NULL;
	e.link = "HTTPS://A.example:443/1?utm_source=rss&x=2#top";
	items_identity(&e, &id);
	assert_string_equal(id.s, "https://a.example/1?x=2");
	e.link = NULL;
	items_identity(&e, &id);
	assert_int_equal(strncmp(id.s, "sha256:", 7), 0);
	assert_int_equal(id.len, 7 + 32);
	buf_release(&id);
}

static void test_new_unchanged_updated(void **state)
{
	struct feed_entry e = entry("guid-1", "https://a.example/1", "First title");

	assert_int_equal(put(feed_a, &e), ITEM_NEW);
	assert_int_equal(put(feed_a, &e), ITEM_UNCHANGED);
	e.title = "First title, corrected";
	assert_int_equal(put(feed_a, &e), ITEM_UPDATED);
	assert_int_equal(query("SELECT count(*) FROM items WHERE guid = 'guid-1'"), 1);
	assert_int_equal(query("SELECT count(*) FROM items WHERE title = 'First title, corrected' "
			       "AND updated_at = 1700000100"), 1);
	e.summary = "<p>New summary</p>";
	assert_int_equal(put(feed_a, &e), ITEM_UPDATED);
}

/* the same link in two feeds: two rows, one story */
static void test_same_story_two_sources(void **state)
{
	struct feed_entry a = entry(NULL, "https://news.example/story?utm_medium=rss", "Story");
	struct feed_entry b = entry(NULL, "https://NEWS.example/story#comments", "Story");

	assert_int_equal(put(feed_a, &a), ITEM_NEW);
	assert_int_equal(put(feed_b, &b), ITEM_NEW);
	assert_int_equal(query("SELECT count(DISTINCT feed) FROM items "
			       "WHERE canonical_url = 'https://news.example/story'"), 2);
	/* again from the same feed: not a new item */
	assert_int_equal(put(feed_a, &a), ITEM_UNCHANGED);
}

static void test_fields_stored(void **state)
{
	const char *cats[] = { "Surveillance", "Canada" };
	struct feed_entry e = entry("guid-fields", "https://a.example/f", "Fields");

	e.author = "Jane";
	e.lang = "fr";
	e.content = "<p>Body</p>";
	e.categories = cats;
	e.ncategories = 2;
	assert_int_equal(put(feed_a, &e), ITEM_NEW);
	assert_int_equal(query("SELECT count(*) FROM items WHERE guid = 'guid-fields' AND "
			       "author = 'Jane' AND lang = 'fr' AND content = '<p>Body</p>' AND "
			       "categories = 'Surveillance' || char(10) || 'Canada' AND "
			       "summary_text = 'Summary' AND published_at = 1700000000"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_new_unchanged_updated),
		cmocka_unit_test(test_same_story_two_sources),
		cmocka_unit_test(test_fields_stored),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
