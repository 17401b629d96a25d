#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "wordmatch.h"
#include "xalloc.h"

struct hit {
	uint32_t value;
	size_t first;
	size_t count;
};

struct hits {
	struct hit *v;
	size_t n, alloc;
};

static void collect(uint32_t value, size_t first, size_t count, void *data)
{
	struct hits *h = data;

	xgrow(&h->v, &h->alloc, h->n + 1, sizeof(*h->v));
	h->v[h->n].value = value;
	h->v[h->n].first = first;
	h->v[h->n].count = count;
	h->n++;
}

static void count_hits(uint32_t value, size_t first, size_t count,
		       void *data)
{
	(*(size_t *)data)++;
}

static void never_called(uint32_t value, size_t first, size_t count,
			 void *data)
{
	fail_msg("unexpected hit %u at %zu+%zu", value, first, count);
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return 0;
}

/* The documented order: by end position, then longer first. */
static void assert_scan_order(const struct hits *h)
{
	size_t i;

	for (i = 1; i < h->n; i++) {
		size_t e0 = h->v[i - 1].first + h->v[i - 1].count;
		size_t e1 = h->v[i].first + h->v[i].count;

		assert_true(e0 <= e1);
		if (e0 == e1)
			assert_true(h->v[i - 1].count >= h->v[i].count);
	}
}

/* Split space-separated words into ids, adding them when add is set;
 * returns the count. */
static size_t ids(struct wordmatch *wm, const char *text, int add,
		  uint32_t *out, size_t max)
{
	char word[64];
	size_t n = 0;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (len) {
			assert_true(len < sizeof(word));
			assert_true(n < max);
			memcpy(word, text, len);
			word[len] = '\0';
			out[n++] = wordmatch_word(wm, word, add);
		}
		text += len;
		text += strspn(text, " ");
	}
	return n;
}

static int add_phrase(struct wordmatch *wm, const char *phrase,
		      uint32_t value)
{
	uint32_t w[32];
	size_t n = ids(wm, phrase, 1, w, 32);

	return wordmatch_add(wm, w, n, value);
}

/* Scan text; the hits, in scan order, must be exactly want[] (value,
 * first, count triples). */
static void expect(struct wordmatch *wm, const char *text,
		   const struct hit *want, size_t nwant)
{
	uint32_t w[64];
	size_t n = ids(wm, text, 0, w, 64);
	struct hits h = { 0 };
	size_t i;

	wordmatch_scan(wm, w, n, collect, &h);
	if (h.n != nwant) {
		for (i = 0; i < h.n; i++)
			print_error("hit %u at %zu+%zu\n", h.v[i].value,
				    h.v[i].first, h.v[i].count);
	}
	assert_int_equal(h.n, nwant);
	for (i = 0; i < nwant; i++) {
		assert_int_equal(h.v[i].value, want[i].value);
		assert_int_equal(h.v[i].first, want[i].first);
		assert_int_equal(h.v[i].count, want[i].count);
	}
	assert_scan_order(&h);
	free(h.v);
}

/* xorshift64*: the same numbers on every platform, unlike rand() */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Every occurrence of every phrase, the slow obvious way. */
struct naive_phrase {
	uint32_t w[WORDMATCH_MAX_PHRASE_WORDS];
	size_t n;
	uint32_t value;
};

static void naive(const struct naive_phrase *p, size_t np,
		  const uint32_t *text, size_t n, struct hits *h)
{
	size_t i, j;

	for (j = 0; j < np; j++) {
		for (i = 0; i + p[j].n <= n; i++) {
			size_t k = 0;

			while (k < p[j].n && text[i + k] == p[j].w[k])
				k++;
			if (k == p[j].n)
				collect(p[j].value, i, p[j].n, h);
		}
	}
}

static void assert_same_hits(struct hits *a, struct hits *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	if (!a->n)
		return;         /* qsort must not get NULL */
	qsort(a->v, a->n, sizeof(*a->v), hit_cmp);
	qsort(b->v, b->n, sizeof(*b->v), hit_cmp);
	for (i = 0; i < a->n; i++)
		assert_int_equal(hit_cmp(&a->v[i], &b->v[i]), 0);
}

static void test_dict(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	uint32_t a, b;

	assert_int_equal(wordmatch_words(wm), 0);
	assert_int_equal(wordmatch_word(wm, "alpha", 0), WORDMATCH_NONE);
	a = wordmatch_word(wm, "alpha", 1);
	b = wordmatch_word(wm, "beta", 1);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(wordmatch_word(wm, "alpha", 1), a);
	assert_int_equal(wordmatch_word(wm, "alpha", 0), a);
	assert_int_equal(wordmatch_word(wm, "beta", 0), b);
	assert_int_equal(wordmatch_word(wm, "alph", 0), WORDMATCH_NONE);
	assert_int_equal(wordmatch_word(wm, "alphaa", 0), WORDMATCH_NONE);
	assert_int_equal(wordmatch_word(wm, "Alpha", 0), WORDMATCH_NONE);
	assert_int_equal(wordmatch_word(wm, NULL, 1), WORDMATCH_NONE);
	assert_int_equal(wordmatch_words(wm), 2);
	assert_string_equal(wordmatch_word_str(wm, a), "alpha");
	assert_string_equal(wordmatch_word_str(wm, b), "beta");
	assert_null(wordmatch_word_str(wm, 2));
	assert_null(wordmatch_word_str(wm, WORDMATCH_NONE));
	/* the empty string is a word like any other */
	assert_int_equal(wordmatch_word(wm, "", 1), 2);
	assert_int_equal(wordmatch_word(wm, "", 0), 2);
	assert_string_equal(wordmatch_word_str(wm, 2), "");
	wordmatch_free(wm);
	wordmatch_free(NULL);
}

static void test_dict_growth(void **state)
{
	enum { N = 50000 };
	struct wordmatch *wm = wordmatch_new();
	char word[32];
	uint32_t i;

	for (i = 0; i < N; i++) {
		snprintf(word, sizeof(word), "w%u", i);
		assert_int_equal(wordmatch_word(wm, word, 1), i);
		/* the first words stay findable across every rehash */
		assert_int_equal(wordmatch_word(wm, "w0", 0), 0);
	}
	assert_int_equal(wordmatch_words(wm), N);
	for (i = 0; i < N; i++) {
		snprintf(word, sizeof(word), "w%u", i);
		assert_int_equal(wordmatch_word(wm, word, 0), i);
		assert_int_equal(wordmatch_word(wm, word, 1), i);
		assert_string_equal(wordmatch_word_str(wm, i), word);
		snprintf(word, sizeof(word), "x%u", i);
		assert_int_equal(wordmatch_word(wm, word, 0), WORDMATCH_NONE);
	}
	assert_int_equal(wordmatch_words(wm), N);
	wordmatch_free(wm);
}

static void test_dict_long_word(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	char *w = xmalloc(WORDMATCH_MAX_WORD_BYTES + 2);
	uint32_t id;

	memset(w, 'x', WORDMATCH_MAX_WORD_BYTES + 1);
	w[WORDMATCH_MAX_WORD_BYTES + 1] = '\0';
	assert_int_equal(wordmatch_word(wm, w, 1), WORDMATCH_NONE);
	assert_int_equal(wordmatch_word(wm, w, 0), WORDMATCH_NONE);
	assert_int_equal(wordmatch_words(wm), 0);
	w[WORDMATCH_MAX_WORD_BYTES] = '\0';
	id = wordmatch_word(wm, w, 1);
	assert_int_equal(id, 0);
	assert_int_equal(wordmatch_word(wm, w, 0), id);
	assert_int_equal(strlen(wordmatch_word_str(wm, id)),
			 WORDMATCH_MAX_WORD_BYTES);
	free(w);
	wordmatch_free(wm);
}

static void test_single_word(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	static const struct hit want[] = { { 7, 1, 1 }, { 7, 3, 1 } };

	assert_int_equal(add_phrase(wm, "fox", 7), 0);
	assert_int_equal(wordmatch_phrases(wm), 1);
	assert_int_equal(wordmatch_states(wm), 2);
	assert_int_equal(wordmatch_compile(wm), 0);
	expect(wm, "the fox and fox", want, 2);
	expect(wm, "the dog", NULL, 0);
	wordmatch_free(wm);
}

static void test_start_and_end(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	static const struct hit want[] = { { 1, 0, 2 }, { 1, 5, 2 } };
	static const struct hit whole[] = { { 1, 0, 2 } };

	assert_int_equal(add_phrase(wm, "climate change", 1), 0);
	assert_int_equal(wordmatch_compile(wm), 0);
	expect(wm, "climate change is real and climate change", want, 2);
	expect(wm, "climate change", whole, 1);
	expect(wm, "climate", NULL, 0);
	expect(wm, "change climate", NULL, 0);
	wordmatch_free(wm);
}

static void test_overlapping(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	static const struct hit want[] = { { 1, 0, 2 }, { 2, 1, 2 } };
	static const struct hit run[] = {
		{ 3, 0, 2 }, { 3, 1, 2 }, { 3, 2, 2 },
	};

	assert_int_equal(add_phrase(wm, "a b", 1), 0);
	assert_int_equal(add_phrase(wm, "b c", 2), 0);
	assert_int_equal(add_phrase(wm, "x x", 3), 0);
	assert_int_equal(wordmatch_compile(wm), 0);
	expect(wm, "a b c", want, 2);
	/* a phrase overlapping itself */
	expect(wm, "x x x x", run, 3);
	wordmatch_free(wm);
}

static void test_nested(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	/* at end 2: "b" (1 word); at end 3: "a b c", then "b c", then "c" */
	static const struct hit want[] = {
		{ 2, 1, 1 }, { 1, 0, 3 }, { 3, 1, 2 }, { 4, 2, 1 },
	};
	static const struct hit inner[] = { { 2, 1, 1 }, { 3, 1, 2 },
					    { 4, 2, 1 } };

	assert_int_equal(add_phrase(wm, "a b c", 1), 0);
	assert_int_equal(add_phrase(wm, "b", 2), 0);
	assert_int_equal(add_phrase(wm, "b c", 3), 0);
	assert_int_equal(add_phrase(wm, "c", 4), 0);
	/* states: a, ab, abc, b, bc, c and the root */
	assert_int_equal(wordmatch_states(wm), 7);
	assert_int_equal(wordmatch_compile(wm), 0);
	expect(wm, "a b c", want, 4);
	expect(wm, "z b c", inner, 3);
	wordmatch_free(wm);
}

static void test_duplicate_phrase(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	static const struct hit want[] = {
		{ 10, 1, 2 }, { 20, 1, 2 }, { 10, 1, 2 }, { 30, 2, 1 },
	};

	assert_int_equal(add_phrase(wm, "red sea", 10), 0);
	assert_int_equal(add_phrase(wm, "sea", 30), 0);
	assert_int_equal(add_phrase(wm, "red sea", 20), 0);
	assert_int_equal(add_phrase(wm, "red sea", 10), 0);
	assert_int_equal(wordmatch_phrases(wm), 4);
	assert_int_equal(wordmatch_states(wm), 4);
	assert_int_equal(wordmatch_compile(wm), 0);
	/* one phrase's values in order of addition */
	expect(wm, "the red sea", want, 4);
	wordmatch_free(wm);
}

static void test_failure_links(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	static const struct hit want[] = { { 1, 1, 2 } };
	static const struct hit deep[] = { { 2, 2, 4 }, { 3, 4, 2 } };
	static const struct hit whole[] = { { 1, 0, 5 } };
	static const struct hit both[] = { { 2, 0, 4 }, { 3, 2, 2 } };

	assert_int_equal(add_phrase(wm, "a b", 1), 0);
	assert_int_equal(wordmatch_compile(wm), 0);
	expect(wm, "a a b", want, 1);
	wordmatch_free(wm);

	/* a failure that lands deep in the trie, not at the root */
	wm = wordmatch_new();
	assert_int_equal(add_phrase(wm, "a b a b c", 1), 0);
	assert_int_equal(add_phrase(wm, "a b a c", 2), 0);
	assert_int_equal(add_phrase(wm, "a c", 3), 0);
	assert_int_equal(wordmatch_compile(wm), 0);
	expect(wm, "a b a b a c", deep, 2);
	expect(wm, "a b a b c", whole, 1);
	expect(wm, "a b a c x", both, 2);
	wordmatch_free(wm);
}

static void test_unknown_word_breaks(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	uint32_t text[5];
	static const struct hit want[] = { { 1, 3, 2 } };
	struct hits h = { 0 };

	assert_int_equal(add_phrase(wm, "a b", 1), 0);
	assert_int_equal(add_phrase(wm, "a zzz b", 2), 0);
	/* a word added after compile belongs to no phrase */
	assert_int_equal(wordmatch_compile(wm), 0);
	assert_int_equal(wordmatch_word(wm, "late", 1), 3);
	expect(wm, "a nosuch b a b", want, 1);
	expect(wm, "a late b a b", want, 1);

	/* NONE and ids past the dictionary, given directly */
	text[0] = wordmatch_word(wm, "a", 0);
	text[1] = WORDMATCH_NONE;
	text[2] = wordmatch_word(wm, "b", 0);
	text[3] = 12345;
	text[4] = wordmatch_word(wm, "b", 0);
	wordmatch_scan(wm, text, 5, collect, &h);
	assert_int_equal(h.n, 0);
	free(h.v);
	wordmatch_free(wm);
}

static void test_empty(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	uint32_t a;

	/* an automaton without phrases matches nothing */
	a = wordmatch_word(wm, "a", 1);
	assert_int_equal(wordmatch_compile(wm), 0);
	assert_int_equal(wordmatch_phrases(wm), 0);
	assert_int_equal(wordmatch_states(wm), 1);
	wordmatch_scan(wm, &a, 1, never_called, NULL);
	wordmatch_free(wm);

	wm = wordmatch_new();
	assert_int_equal(add_phrase(wm, "a", 1), 0);
	assert_int_equal(wordmatch_compile(wm), 0);
	wordmatch_scan(wm, NULL, 0, never_called, NULL);
	expect(wm, "", NULL, 0);
	wordmatch_free(wm);
}

static void test_phrase_length(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	uint32_t w[WORDMATCH_MAX_PHRASE_WORDS + 1];
	uint32_t text[WORDMATCH_MAX_PHRASE_WORDS + 2];
	struct hits h = { 0 };
	size_t i;

	for (i = 0; i < WORDMATCH_MAX_PHRASE_WORDS + 1; i++) {
		char word[16];

		snprintf(word, sizeof(word), "w%zu", i);
		w[i] = wordmatch_word(wm, word, 1);
	}
	assert_int_equal(wordmatch_add(wm, w, WORDMATCH_MAX_PHRASE_WORDS + 1,
				       1), -1);
	assert_int_equal(wordmatch_add(wm, w, 0, 1), -1);
	assert_int_equal(wordmatch_add(wm, NULL, 1, 1), -1);
	assert_int_equal(wordmatch_phrases(wm), 0);
	assert_int_equal(wordmatch_states(wm), 1);
	assert_int_equal(wordmatch_add(wm, w, WORDMATCH_MAX_PHRASE_WORDS, 2),
			 0);
	assert_int_equal(wordmatch_states(wm), WORDMATCH_MAX_PHRASE_WORDS + 1);

	/* ids not in the dictionary are refused, nothing is added */
	w[0] = WORDMATCH_NONE;
	assert_int_equal(wordmatch_add(wm, w, 2, 3), -1);
	w[0] = (uint32_t)wordmatch_words(wm);
	assert_int_equal(wordmatch_add(wm, w, 1, 3), -1);
	assert_int_equal(wordmatch_phrases(wm), 1);
	assert_int_equal(wordmatch_states(wm), WORDMATCH_MAX_PHRASE_WORDS + 1);

	assert_int_equal(wordmatch_compile(wm), 0);
	text[0] = wordmatch_word(wm, "w3", 0);
	for (i = 0; i < WORDMATCH_MAX_PHRASE_WORDS; i++)
		text[i + 1] = (uint32_t)i;
	text[WORDMATCH_MAX_PHRASE_WORDS + 1] = 0;
	wordmatch_scan(wm, text, WORDMATCH_MAX_PHRASE_WORDS + 2, collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.v[0].value, 2);
	assert_int_equal(h.v[0].first, 1);
	assert_int_equal(h.v[0].count, WORDMATCH_MAX_PHRASE_WORDS);
	free(h.v);
	wordmatch_free(wm);
}

static void test_add_after_compile(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	static const struct hit want[] = { { 1, 0, 1 } };

	assert_int_equal(add_phrase(wm, "a", 1), 0);
	assert_int_equal(wordmatch_compile(wm), 0);
	assert_int_equal(add_phrase(wm, "b", 2), -1);
	assert_int_equal(add_phrase(wm, "a", 3), -1);
	assert_int_equal(wordmatch_phrases(wm), 1);
	assert_int_equal(wordmatch_compile(wm), -1);
	expect(wm, "a b", want, 1);
	wordmatch_free(wm);
}

static void test_phrase_limit(void **state)
{
	struct wordmatch *wm = wordmatch_new();
	uint32_t a = wordmatch_word(wm, "a", 1);
	size_t hits = 0;
	uint32_t i;

	for (i = 0; i < WORDMATCH_MAX_PHRASES; i++)
		assert_int_equal(wordmatch_add(wm, &a, 1, i), 0);
	assert_int_equal(wordmatch_add(wm, &a, 1, i), -1);
	assert_int_equal(wordmatch_phrases(wm), WORDMATCH_MAX_PHRASES);
	assert_int_equal(wordmatch_states(wm), 2);
	assert_int_equal(wordmatch_compile(wm), 0);
	wordmatch_scan(wm, &a, 1, count_hits, &hits);
	assert_int_equal(hits, WORDMATCH_MAX_PHRASES);
	wordmatch_free(wm);
}

/*
 * Random phrase sets against the naive search. Over a small alphabet,
 * prefixes, suffixes, repeats and overlaps are common; over a larger one,
 * words share bits of the automaton's 64-bit filters. Texts mix random words,
 * unknown words and pieces of the phrases, so that long phrases occur.
 */
static void random_rounds(uint32_t alpha, size_t maxphrases, int rounds)
{
	enum { TEXTS = 20, MAXTEXT = 120 };
	struct naive_phrase *p = xmalloc(maxphrases * sizeof(*p));
	uint32_t text[MAXTEXT];
	int round;

	for (round = 0; round < rounds; round++) {
		struct wordmatch *wm = wordmatch_new();
		size_t np = 1 + rnd((uint32_t)maxphrases);
		size_t i, j;
		int t;

		for (i = 0; i < alpha; i++) {
			char word[16];

			snprintf(word, sizeof(word), "w%zu", i);
			assert_int_equal(wordmatch_word(wm, word, 1), i);
		}
		for (i = 0; i < np; i++) {
			/* mostly short phrases, some up to the maximum */
			p[i].n = rnd(10) ? 1 + rnd(5)
					 : 1 + rnd(WORDMATCH_MAX_PHRASE_WORDS);
			for (j = 0; j < p[i].n; j++)
				p[i].w[j] = rnd(alpha);
			/* sometimes the same words again, or a prefix of an
			 * earlier phrase; sometimes a value used twice */
			if (i && !rnd(8)) {
				p[i] = p[rnd((uint32_t)i)];
				if (!rnd(2))
					p[i].n = 1 + rnd((uint32_t)p[i].n);
			}
			p[i].value = rnd(4) ? (uint32_t)i : rnd((uint32_t)np);
			assert_int_equal(wordmatch_add(wm, p[i].w, p[i].n,
						       p[i].value), 0);
		}
		assert_int_equal(wordmatch_phrases(wm), np);
		assert_int_equal(wordmatch_compile(wm), 0);
		for (t = 0; t < TEXTS; t++) {
			struct hits got = { 0 }, want = { 0 };
			size_t n = 0, len = rnd(MAXTEXT + 1);

			while (n < len) {
				uint32_t r = rnd(20);

				if (r < 8) {
					const struct naive_phrase *q =
						&p[rnd((uint32_t)np)];
					size_t from = rnd((uint32_t)q->n);

					for (j = from; j < q->n && n < len; j++)
						text[n++] = q->w[j];
				} else if (r < 19) {
					text[n++] = rnd(alpha);
				} else {
					text[n++] = WORDMATCH_NONE;
				}
			}
			wordmatch_scan(wm, text, n, collect, &got);
			assert_scan_order(&got);
			naive(p, np, text, n, &want);
			assert_same_hits(&got, &want);
			free(got.v);
			free(want.v);
		}
		wordmatch_free(wm);
	}
	free(p);
}

static void test_random_vs_naive(void **state)
{
	rng_state = 0x9e3779b97f4a7c15ull;
	random_rounds(2, 10, 100);
	random_rounds(5, 40, 300);
	random_rounds(300, 400, 100);
}

/* Word i of a made-up vocabulary: "t" followed by letters. */
static void vocab_word(char *out, size_t size, uint32_t i)
{
	size_t k = 0;

	out[k++] = 't';
	do {
		out[k++] = (char)('a' + i % 26);
		i /= 26;
	} while (i && k + 1 < size);
	out[k] = '\0';
}

/* About 1 MB of text, split into words and looked up, against the naive
 * search over a few hundred phrases. */
static void test_large_text(void **state)
{
	enum { VOCAB = 3000, FREQUENT = 30, PHRASES = 300, WORDS = 400000 };
	struct wordmatch *wm = wordmatch_new();
	struct naive_phrase *p = xmalloc(PHRASES * sizeof(*p));
	struct buf text = BUF_INIT;
	uint32_t *w = xmalloc(WORDS * sizeof(*w));
	struct hits got = { 0 }, want = { 0 };
	char word[16];
	size_t i, j, n = 0;
	const char *s;

	rng_state = 42;
	for (i = 0; i < PHRASES; i++) {
		p[i].n = 1 + rnd(4);
		/* half the words frequent in the text, so that multi-word
		 * phrases occur */
		for (j = 0; j < p[i].n; j++) {
			vocab_word(word, sizeof(word),
				   rnd(2) ? rnd(FREQUENT) : rnd(VOCAB / 2));
			p[i].w[j] = wordmatch_word(wm, word, 1);
		}
		p[i].value = (uint32_t)i;
		assert_int_equal(wordmatch_add(wm, p[i].w, p[i].n, p[i].value),
				 0);
	}
	assert_int_equal(wordmatch_compile(wm), 0);

	while (text.len < 1000000) {
		uint32_t r = rnd(4) ? rnd(FREQUENT) : rnd(VOCAB);

		vocab_word(word, sizeof(word), r);
		buf_addstr(&text, word);
		buf_addch(&text, ' ');
	}
	for (s = text.s; *s; ) {
		size_t len = strcspn(s, " ");

		assert_true(n < WORDS && len < sizeof(word));
		memcpy(word, s, len);
		word[len] = '\0';
		w[n++] = wordmatch_word(wm, word, 0);
		s += len + 1;
	}
	assert_true(n > 150000);

	wordmatch_scan(wm, w, n, collect, &got);
	assert_scan_order(&got);
	naive(p, PHRASES, w, n, &want);
	print_message("# large text: %zu bytes, %zu words, %zu hits\n",
		      text.len, n, got.n);
	assert_true(want.n > 1000);
	assert_same_hits(&got, &want);

	free(got.v);
	free(want.v);
	free(w);
	buf_release(&text);
	free(p);
	wordmatch_free(wm);
}

/* Build nphrases random phrases of minlen..4 words over the vocabulary;
 * the caller frees. */
static struct wordmatch *random_automaton(size_t nphrases, size_t minlen,
					  uint32_t vocab, size_t *words_out,
					  size_t *dict_bytes)
{
	struct wordmatch *wm = wordmatch_new();
	size_t i, j, total = 0;
	uint32_t v;

	for (v = 0; v < vocab; v++) {
		char word[16];

		vocab_word(word, sizeof(word), v);
		assert_int_equal(wordmatch_word(wm, word, 1), v);
	}
	*dict_bytes = wordmatch_memory(wm);
	for (i = 0; i < nphrases; i++) {
		uint32_t w[4];
		size_t n = minlen + rnd((uint32_t)(5 - minlen));

		for (j = 0; j < n; j++)
			w[j] = rnd(vocab);
		assert_int_equal(wordmatch_add(wm, w, n, (uint32_t)i), 0);
		total += n;
	}
	assert_int_equal(wordmatch_compile(wm), 0);
	*words_out = total;
	return wm;
}

/*
 * Scanning cost per word with 1,000 and 10,000 phrases over the same text,
 * printed only: tests never assert on wall-clock time. Phrases of 1..4 words
 * make hits grow with the phrase count (each costs a call); phrases of 2..4
 * words leave few hits, so the second pair shows the cost of walking the
 * automaton alone.
 */
static void test_scaling(void **state)
{
	enum { VOCAB = 20000, WORDS = 1000000, REPEAT = 5 };
	static const size_t sizes[] = { 1000, 10000 };
	uint32_t *text = xmalloc(WORDS * sizeof(*text));
	size_t i, minlen;

	rng_state = 7;
	for (i = 0; i < WORDS; i++)
		text[i] = rnd(3) ? rnd(2000) : rnd(VOCAB);
	for (minlen = 1; minlen <= 2; minlen++) {
		for (i = 0; i < 2; i++) {
			size_t words, dict, mem, hits = 0;
			struct wordmatch *wm;
			double best = 0;
			int r;

			wm = random_automaton(sizes[i], minlen, VOCAB, &words,
					      &dict);
			mem = wordmatch_memory(wm) - dict;
			for (r = 0; r < REPEAT; r++) {
				double t0 = now_ns(), t;

				hits = 0;
				wordmatch_scan(wm, text, WORDS, count_hits,
					       &hits);
				t = now_ns() - t0;
				if (!r || t < best)
					best = t;
			}
			print_message("# scaling: %5zu phrases of %zu..4 "
				      "words, %zu states: %5.2f ns/word, "
				      "%6zu hits; automaton %.1f bytes per "
				      "phrase word\n", sizes[i], minlen,
				      wordmatch_states(wm), best / WORDS,
				      hits, (double)mem / (double)words);
			wordmatch_free(wm);
		}
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dict),
		cmocka_unit_test(test_dict_growth),
		cmocka_unit_test(test_dict_long_word),
		cmocka_unit_test(test_single_word),
		cmocka_unit_test(test_start_and_end),
		cmocka_unit_test(test_overlapping),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_duplicate_phrase),
		cmocka_unit_test(test_failure_links),
		cmocka_unit_test(test_unknown_word_breaks),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_phrase_length),
		cmocka_unit_test(test_add_after_compile),
		cmocka_unit_test(test_phrase_limit),
		cmocka_unit_test(test_random_vs_naive),
		cmocka_unit_test(test_large_text),
		cmocka_unit_test(test_scaling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
