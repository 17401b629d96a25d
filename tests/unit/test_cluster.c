/*
 * Unit tests for src/curate/cluster.c: stories joined by canonical link
 * and by near-identical titles within the time window, transitively, and
 * named by their smallest item id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "textnorm.h"

#define DAY (24LL * 3600)
#define NOT_SET (-99)

/* As curate.c calls it: similarity 0.6, 3 days, 4 significant words. */
static const struct cluster_options options = { 0.6, 3 * DAY, 4 };

static struct text_norm *tn;

static int setup(void **state)
{
	tn = text_norm_new();
	return tn ? 0 : -1;
}

static int teardown(void **state)
{
	text_norm_free(tn);
	return 0;
}

/* Cluster items[0..n) and check what holds for any input: each cluster is
 * named by the smallest id among its items, and inputs stay unchanged. */
static void cluster(struct cluster_item *items, size_t n, const struct cluster_options *o)
{
	size_t i, j;
	long long smallest;

	for (i = 0; i < n; i++)
		items[i].cluster = NOT_SET;
	assert_int_equal(cluster_items(tn, items, n, o), 0);
	for (i = 0; i < n; i++) {
		smallest = items[i].id;
		for (j = 0; j < n; j++)
			if (items[j].cluster == items[i].cluster && items[j].id < smallest)
				smallest = items[j].id;
		assert_int_equal(items[i].cluster, smallest);
		/* the name is an id of the cluster: an item of its own */
		for (j = 0; j < n; j++)
			if (items[j].id == items[i].cluster)
				break;
		assert_true(j < n);
		assert_int_equal(items[j].cluster, items[i].cluster);
	}
}

static void test_empty(void **state)
{
	struct cluster_item one = { 7, 0, "Anything at all here today", NULL, NOT_SET };

	assert_int_equal(cluster_items(tn, NULL, 0, &options), 0);
	assert_int_equal(cluster_items(tn, &one, 0, &options), 0);
	assert_int_equal(one.cluster, NOT_SET);        /* n = 0 touches nothing */
	cluster(&one, 1, &options);
	assert_int_equal(one.cluster, 7);
}

static void test_same_url(void **state)
{
	struct cluster_item v[] = {
		{ 5, 100 * DAY, "Harkat loses bid", "https://example.com/a", 0 },
		{ 3, 0, "Une tout autre manchette", "https://example.com/a", 0 },
		{ 4, 50 * DAY, "Totally different words entirely", "https://example.com/b", 0 },
		{ 9, 0, "No link at all here", NULL, 0 },
		{ 8, 0, "Another without link here", NULL, 0 },
		{ 6, 0, "An empty link does not join", "", 0 },
		{ 7, 0, "Another empty link never joins", "", 0 },
	};

	/* equal links join whatever their titles and times */
	cluster(v, 7, &options);
	assert_int_equal(v[0].cluster, 3);
	assert_int_equal(v[1].cluster, 3);
	assert_int_equal(v[2].cluster, 4);
	assert_int_equal(v[3].cluster, 9);
	assert_int_equal(v[4].cluster, 8);
	assert_int_equal(v[5].cluster, 6);
	assert_int_equal(v[6].cluster, 7);
}

static void test_near_titles(void **state)
{
	struct cluster_item v[] = {
		{ 20, 1000, "Harkat loses bid to quash security certificate", NULL, 0 },
		{ 10, 1000 + 2 * DAY,
		  "Harkat loses bid to quash security certificate, faces deportation",
		  "https://example.org/x", 0 },
		{ 30, 1000 + DAY, "Budget surplus forecast for the coming fiscal year", NULL, 0 },
	};

	cluster(v, 3, &options);
	assert_int_equal(v[0].cluster, 10);
	assert_int_equal(v[1].cluster, 10);
	assert_int_equal(v[2].cluster, 30);

	/* case, accents and punctuation do not matter */
	v[1].title = "HARKAT loses bid to quash SECURITY certificate!";
	v[0].title = "Sécurité : Harkat perd sa contestation du certificat";
	v[2].title = "securite -- Harkat perd sa contestation du certificat";
	cluster(v, 3, &options);
	assert_int_equal(v[0].cluster, 20);
	assert_int_equal(v[1].cluster, 10);
	assert_int_equal(v[2].cluster, 20);
}

static void test_window(void **state)
{
	struct cluster_item v[] = {
		{ 1, 0, "Harkat loses bid to quash security certificate", NULL, 0 },
		{ 2, 3 * DAY,
		  "Harkat loses bid to quash security certificate, faces deportation", NULL, 0 },
	};

	cluster(v, 2, &options);                /* exactly the window apart */
	assert_int_equal(v[1].cluster, 1);
	v[1].when = 3 * DAY + 1;
	cluster(v, 2, &options);
	assert_int_equal(v[0].cluster, 1);
	assert_int_equal(v[1].cluster, 2);
	/* order of the array or of time does not matter */
	v[0].when = 3 * DAY + 1;
	v[1].when = 0;
	cluster(v, 2, &options);
	assert_int_equal(v[1].cluster, 2);
	v[1].when = 2 * DAY;
	cluster(v, 2, &options);
	assert_int_equal(v[1].cluster, 1);
}

static void test_different_stories(void **state)
{
	struct cluster_item v[] = {
		{ 1, 0, "Harkat loses bid to quash security certificate", NULL, 0 },
		{ 2, 0, "Charkaoui wins bid to quash security certificate", NULL, 0 },
		{ 3, 0, "Senate passes the new anti-terrorism act today", NULL, 0 },
		{ 4, 0, "Privacy commissioner slams border data sharing", NULL, 0 },
		/* the same function words are not a likeness */
		{ 5, 0, "The one and the other with the same words for the day", NULL, 0 },
		{ 6, 0, "The this and the that with the for from are was has", NULL, 0 },
	};
	size_t i;

	/* 1 and 2: 4 words shared of 8, 0.5 < 0.6 */
	cluster(v, 6, &options);
	for (i = 0; i < 6; i++)
		assert_int_equal(v[i].cluster, v[i].id);
}

/* Fewer than min_words significant words: never joined by title, even
 * when identical; still joined by link. Words of one or two letters and
 * function words do not count, numbers do. */
static void test_short_titles(void **state)
{
	struct cluster_item v[] = {
		{ 1, 0, "Harkat freed on bail", NULL, 0 },
		{ 2, 0, "Harkat freed on bail", NULL, 0 },
		{ 3, 0, "Harkat is freed on a bail by the court", NULL, 0 },
		{ 4, 0, "Harkat is freed on a bail by the court", NULL, 0 },
		{ 5, 0, "Bill C-51 passes 3rd reading", NULL, 0 },
		{ 6, 0, "Bill C-51 passes 3rd reading", NULL, 0 },
		{ 7, 0, "", "https://example.com/same", 0 },
		{ 8, 0, NULL, "https://example.com/same", 0 },
		{ 9, 0, NULL, NULL, 0 },
		{ 10, 0, NULL, NULL, 0 },
	};

	cluster(v, 10, &options);
	assert_int_equal(v[0].cluster, 1);      /* harkat freed bail: 3 words */
	assert_int_equal(v[1].cluster, 2);
	assert_int_equal(v[2].cluster, 3);      /* + court: 4 */
	assert_int_equal(v[3].cluster, 3);
	assert_int_equal(v[4].cluster, 5);      /* bill 51 passes 3rd reading */
	assert_int_equal(v[5].cluster, 5);
	assert_int_equal(v[6].cluster, 7);
	assert_int_equal(v[7].cluster, 7);
	assert_int_equal(v[8].cluster, 9);
	assert_int_equal(v[9].cluster, 10);

	/* with min_words 3, the first pair joins */
	{
		struct cluster_options three = options;

		three.min_words = 3;
		cluster(v, 2, &three);
		assert_int_equal(v[1].cluster, 1);
	}
}

/* A ~ B and B ~ C, A !~ C: one cluster. */
static void test_transitive(void **state)
{
	struct cluster_item v[] = {
		{ 42, 2 * DAY, "bravo charlie delta echo foxtrot golf", NULL, 0 },
		{ 17, 0, "alpha bravo charlie delta echo foxtrot", NULL, 0 },
		{ 99, 4 * DAY, "charlie delta echo foxtrot golf hotel", NULL, 0 },
		{ 50, 4 * DAY, "kilo lima mike november oscar papa", NULL, 0 },
		{ 60, 4 * DAY, "other", "https://e.com/1", 0 },
		{ 61, 40 * DAY, "another", "https://e.com/1", 0 },
		{ 62, 80 * DAY, "kilo lima mike november oscar papa", "https://e.com/2", 0 },
		{ 63, 80 * DAY, "still another", "https://e.com/2", 0 },
	};

	/* 17 and 99 share 4 words of 8 (0.5), 42 shares 5 of 7 with each;
	 * 17 and 99 are 4 days apart, 42 two days from each */
	cluster(v, 8, &options);
	assert_int_equal(v[0].cluster, 17);
	assert_int_equal(v[1].cluster, 17);
	assert_int_equal(v[2].cluster, 17);
	assert_int_equal(v[3].cluster, 50);
	/* links and titles chain too: 60 = 61 by link only */
	assert_int_equal(v[4].cluster, 60);
	assert_int_equal(v[5].cluster, 60);
	assert_int_equal(v[6].cluster, 62);
	assert_int_equal(v[7].cluster, 62);
	/* without the middle item, two stories */
	v[0].title = "zulu";
	cluster(v, 3, &options);
	assert_int_equal(v[1].cluster, 17);
	assert_int_equal(v[2].cluster, 99);
	/* a title link and a URL link in one chain: 62 now a day after 50,
	 * 50 ~ 62 by title, then 62 = 63 by link */
	v[6].when = 5 * DAY;
	cluster(v, 8, &options);
	assert_int_equal(v[3].cluster, 50);
	assert_int_equal(v[6].cluster, 50);
	assert_int_equal(v[7].cluster, 50);
}

/* The similarity threshold is inclusive. */
static void test_threshold(void **state)
{
	struct cluster_item v[] = {
		{ 1, 0, "alpha bravo charlie delta echo", NULL, 0 },
		{ 2, 0, "alpha bravo charlie delta echo foxtrot golf", NULL, 0 },
	};
	struct cluster_options o = options;

	o.similarity = 5.0 / 7.0;
	cluster(v, 2, &o);
	assert_int_equal(v[1].cluster, 1);
	o.similarity = 5.0 / 7.0 + 1e-9;
	cluster(v, 2, &o);
	assert_int_equal(v[1].cluster, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_same_url),
		cmocka_unit_test(test_near_titles),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_different_stories),
		cmocka_unit_test(test_short_titles),
		cmocka_unit_test(test_transitive),
		cmocka_unit_test(test_threshold),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
