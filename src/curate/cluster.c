/*
 * Story clusters: union-find over items, joined by equal canonical links
 * and by similar titles within a time window (see cluster.h). Titles are
 * compared as sets of word hashes, so a comparison is a merge of two short
 * sorted arrays; a 64-bit FNV-1a collision between two title words is
 * possible in theory and harmless in practice (two titles look one word
 * more alike).
 */
#include "cluster.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "xalloc.h"

struct words {
	uint64_t *h;            /* sorted, unique */
	size_t n;
};

/* Function words that make unrelated titles look alike. */
static const char *const function_words[] = {
	"and", "are", "aux", "avec", "but", "ces", "dans", "des", "est", "for",
	"from", "has", "have", "its", "les", "mais", "not", "par", "pas", "plus",
	"pour", "que", "qui", "sont", "sur", "the", "this", "une", "was", "with",
};

static int is_function_word(const char *w);
static int cmp_u64(const void *a, const void *b);
static int title_words(struct text_norm *tn, struct text_tokens *tok, const char *title,
		       struct words *out);
static double jaccard(const struct words *a, const struct words *b);
static size_t find(size_t *parent, size_t i);
static void join(size_t *parent, size_t a, size_t b);
static int by_time(const void *a, const void *b);
static int by_url(const void *a, const void *b);

static int is_function_word(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(function_words) / sizeof(function_words[0]); i++)
		if (!strcmp(w, function_words[i]))
			return 1;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int title_words(struct text_norm *tn, struct text_tokens *tok, const char *title,
		       struct words *out)
{
	const char *w;
	size_t i, k;

	out->h = NULL;
	out->n = 0;
	if (!title)
		return 0;
	if (text_tokenize(tn, TEXT_LANG_UNKNOWN, title, strlen(title), tok) < 0)
		return -1;
	out->h = xmalloc((tok->n ? tok->n : 1) * sizeof(*out->h));
	for (i = 0; i < tok->n; i++) {
		w = text_token_stem(tok, i);
		/* numbers count ("C-51", a score); short words and
		 * function words do not */
		if ((strlen(w) < 3 && !(*w >= '0' && *w <= '9')) || is_function_word(w))
			continue;
		out->h[out->n++] = hash64_str(w);
	}
	qsort(out->h, out->n, sizeof(*out->h), cmp_u64);
	for (i = k = 0; i < out->n; i++)
		if (!k || out->h[k - 1] != out->h[i])
			out->h[k++] = out->h[i];
	out->n = k;
	return 0;
}

static double jaccard(const struct words *a, const struct words *b)
{
	size_t i = 0, j = 0, common = 0;

	while (i < a->n && j < b->n) {
		if (a->h[i] == b->h[j]) {
			common++;
			i++;
			j++;
		} else if (a->h[i] < b->h[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)common / (double)(a->n + b->n - common);
}

static size_t find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void join(size_t *parent, size_t a, size_t b)
{
	a = find(parent, a);
	b = find(parent, b);
	if (a != b)
		parent[a > b ? a : b] = a < b ? a : b;
}

/* Orderings of pointers to items. */
static int by_time(const void *a, const void *b)
{
	const struct cluster_item *x = *(struct cluster_item *const *)a;
	const struct cluster_item *y = *(struct cluster_item *const *)b;

	return x->when < y->when ? -1 : x->when > y->when;
}

static int by_url(const void *a, const void *b)
{
	const char *x = (*(struct cluster_item *const *)a)->canonical_url;
	const char *y = (*(struct cluster_item *const *)b)->canonical_url;

	return strcmp(x ? x : "", y ? y : "");
}

int cluster_items(struct text_norm *tn, struct cluster_item *items, size_t n,
		  const struct cluster_options *o)
{
	struct text_tokens tok;
	struct words *words = xcalloc(n ? n : 1, sizeof(*words));
	size_t *parent = xmalloc((n ? n : 1) * sizeof(*parent));
	struct cluster_item **order = xmalloc((n ? n : 1) * sizeof(*order));
	long long *smallest;
	size_t i, j, a, b;
	int ret = -1;

	text_tokens_init(&tok);
	for (i = 0; i < n; i++) {
		parent[i] = i;
		order[i] = &items[i];
		if (title_words(tn, &tok, items[i].title, &words[i]) < 0)
			goto out;
	}
	qsort(order, n, sizeof(*order), by_url);
	for (i = 1; i < n; i++)
		if (order[i]->canonical_url && *order[i]->canonical_url &&
		    !by_url(&order[i - 1], &order[i]))
			join(parent, (size_t)(order[i - 1] - items), (size_t)(order[i] - items));
	qsort(order, n, sizeof(*order), by_time);
	for (i = 0; i < n; i++) {
		a = (size_t)(order[i] - items);
		if (words[a].n < o->min_words)
			continue;
		for (j = i + 1; j < n && order[j]->when - items[a].when <= o->window; j++) {
			b = (size_t)(order[j] - items);
			if (words[b].n >= o->min_words && find(parent, a) != find(parent, b) &&
			    jaccard(&words[a], &words[b]) >= o->similarity)
				join(parent, a, b);
		}
	}
	/* a cluster is named by its smallest item id */
	smallest = xmalloc((n ? n : 1) * sizeof(*smallest));
	for (i = 0; i < n; i++)
		smallest[i] = -1;
	for (i = 0; i < n; i++) {
		a = find(parent, i);
		if (smallest[a] < 0 || items[i].id < smallest[a])
			smallest[a] = items[i].id;
	}
	for (i = 0; i < n; i++)
		items[i].cluster = smallest[find(parent, i)];
	free(smallest);
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(words[i].h);
	free(words);
	free(parent);
	free(order);
	text_tokens_release(&tok);
	return ret;
}
