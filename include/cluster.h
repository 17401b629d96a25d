#ifndef NEWSDIGEST_CLUSTER_H
#define NEWSDIGEST_CLUSTER_H
/*
 * Stories told more than once: the same wire story syndicated to several
 * outlets, with near-identical titles, or the same canonical link in two
 * feeds. Items in one cluster are one story; the composer shows it once,
 * "also in: ...".
 */
#include <stddef.h>

#include "textnorm.h"

struct cluster_item {
	long long id;           /* the item's id; the cluster is named by its smallest */
	long long when;         /* Unix time (published, else fetched) */
	const char *title;
	const char *canonical_url;      /* may be NULL */
	long long cluster;      /* out: the smallest id of the item's cluster */
};

struct cluster_options {
	double similarity;      /* shared share of title words (0..1] for one story */
	long long window;       /* seconds apart at most */
	size_t min_words;       /* titles with fewer significant words are never merged by title */
};

/*
 * Group items[0..n) into stories and set each item's cluster. Two items
 * are one story when their canonical URLs are equal, or when they are at
 * most window seconds apart and the Jaccard similarity of their titles'
 * word sets (normalised by tn, no stemming, one- and two-letter words and
 * a few function words left out) reaches similarity. Grouping is
 * transitive. Time O(n log n + n * k) where k is the number of items
 * within the window of one another. Returns 0, -1 on a textnorm limit.
 */
int cluster_items(struct text_norm *tn, struct cluster_item *items, size_t n,
		  const struct cluster_options *o);

#endif
