#include "wordmatch.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "xalloc.h"

/*
 * The trie's goto edges live in one open-addressing table keyed by
 * (state, word), linear probing, load at most 1/2: the alphabet is the whole
 * dictionary, so per-state arrays would either waste memory or need a search
 * whose cost grows with the fan-out, while a global table gives O(1) average
 * lookups whatever the phrase count. The root gets a direct array indexed by
 * word id at compile time.
 *
 * Failure links come from one pass over the states in order of depth (a
 * counting sort of the edges by the child's depth), which is the BFS order
 * Aho-Corasick needs, without a queue and without keeping parent links
 * during the adds. Compile also renumbers the states in that order, so the
 * shallow states, where a scan spends its time, share cache lines.
 *
 * What keeps a scan's cost flat as phrases are added: in a text most words
 * continue no partial match, so the next state is simply root[w]. Each state
 * keeps a 64-bit filter (chain) of the words leaving it or any state on its
 * failure chain; one load and test tells that the walk down the failure chain
 * can be skipped, and the root's goto needs nothing from the current state.
 * Goto targets carry HAS_OUTPUT, so a state without hits costs no load at
 * all, and the per-state data a scan touches is 8 bytes.
 */

struct edge {
	uint32_t state;         /* EDGE_EMPTY when the slot is free */
	uint32_t word;
	uint32_t next;          /* after compile, with HAS_OUTPUT */
};

#define EDGE_EMPTY UINT32_MAX
#define HAS_OUTPUT 0x80000000u
#define STATE_MASK 0x7fffffffu

/* Filled by compile; 0 (the root) doubles as "none" for dict, since the
 * root never has outputs. */
struct state {
	uint32_t fail;          /* longest proper suffix that is a state */
	uint32_t dict;          /* longest proper suffix with outputs */
	uint32_t out;           /* first of this state's values */
	unsigned nout : 24;     /* number of values ending here; phrases are
				 * fewer than 1 << 24 */
	unsigned depth : 8;     /* words from the root */
};

struct phrase {
	uint32_t state;
	uint32_t value;
};

struct wordmatch {
	/* dictionary: strings NUL-separated in arena, ids dense */
	struct buf arena;
	struct word {
		uint32_t off;   /* of its string in arena */
		uint32_t hash;
	} *wd;                  /* per id */
	size_t nwords, walloc;
	uint32_t *wslots;       /* id + 1, 0 when free */
	size_t nwslots;         /* power of two, or 0 before the first word */

	/* trie */
	struct edge *edges;
	size_t nedges, nedge_slots;     /* nedge_slots: power of two */
	uint8_t *depth;                 /* per state; freed by compile */
	size_t nstates, depth_alloc;
	struct phrase *phrases;         /* freed by compile */
	size_t nphrases, phrases_alloc;

	/* automaton */
	int compiled;
	struct state *st;
	uint64_t *chain;        /* per state: child_bit() of every word leaving
				 * it or a state on its failure chain, the root
				 * excepted */
	uint32_t *root;         /* per word id below nroot: root's goto with
				 * HAS_OUTPUT, 0 none */
	size_t nroot;
	uint32_t *values;       /* phrase values grouped by state */
};

static uint32_t *word_slot(const struct wordmatch *wm, const char *word,
			   uint32_t h);
static void words_rehash(struct wordmatch *wm, size_t nslots);
static size_t edge_index(uint32_t state, uint32_t word, size_t mask);
static uint32_t edge_get(const struct wordmatch *wm, uint32_t state,
			 uint32_t word);
static void edge_put(struct wordmatch *wm, uint32_t state, uint32_t word,
		     uint32_t next);
static void edges_rehash(struct wordmatch *wm, size_t nslots);
static uint64_t child_bit(uint32_t word);

struct wordmatch *wordmatch_new(void)
{
	struct wordmatch *wm = xcalloc(1, sizeof(*wm));

	/* offsets are uint32_t */
	buf_init(&wm->arena, UINT32_MAX);
	edges_rehash(wm, 64);
	wm->depth_alloc = 64;
	wm->depth = xmalloc(wm->depth_alloc);
	wm->depth[0] = 0;
	wm->nstates = 1;
	return wm;
}

void wordmatch_free(struct wordmatch *wm)
{
	if (!wm)
		return;
	buf_release(&wm->arena);
	free(wm->wd);
	free(wm->wslots);
	free(wm->edges);
	free(wm->depth);
	free(wm->phrases);
	free(wm->st);
	free(wm->chain);
	free(wm->root);
	free(wm->values);
	free(wm);
}

/* The slot holding word, or the free slot where it would go. */
static uint32_t *word_slot(const struct wordmatch *wm, const char *word,
			   uint32_t h)
{
	size_t mask = wm->nwslots - 1;
	size_t i = h & mask;

	for (;;) {
		uint32_t *slot = &wm->wslots[i];
		uint32_t id;

		if (!*slot)
			return slot;
		id = *slot - 1;
		if (wm->wd[id].hash == h &&
		    !strcmp(wm->arena.s + wm->wd[id].off, word))
			return slot;
		i = (i + 1) & mask;
	}
}

static void words_rehash(struct wordmatch *wm, size_t nslots)
{
	size_t mask = nslots - 1;
	size_t id;

	free(wm->wslots);
	wm->wslots = xcalloc(nslots, sizeof(*wm->wslots));
	wm->nwslots = nslots;
	for (id = 0; id < wm->nwords; id++) {
		size_t i = wm->wd[id].hash & mask;

		while (wm->wslots[i])
			i = (i + 1) & mask;
		wm->wslots[i] = (uint32_t)id + 1;
	}
}

uint32_t wordmatch_word(struct wordmatch *wm, const char *word, int add)
{
	uint32_t *slot;
	uint32_t h;
	size_t len;
	size_t off;

	if (!word)
		return WORDMATCH_NONE;
	len = strnlen(word, WORDMATCH_MAX_WORD_BYTES + 1);
	if (len > WORDMATCH_MAX_WORD_BYTES)
		return WORDMATCH_NONE;
	h = hash_bytes(0, word, len);
	if (wm->nwslots) {
		slot = word_slot(wm, word, h);
		if (*slot)
			return *slot - 1;
	}
	if (!add || wm->nwords >= WORDMATCH_MAX_WORDS)
		return WORDMATCH_NONE;

	off = wm->arena.len;
	if (buf_add(&wm->arena, word, len + 1) < 0)
		return WORDMATCH_NONE;
	xgrow(&wm->wd, &wm->walloc, wm->nwords + 1, sizeof(*wm->wd));
	wm->wd[wm->nwords].off = (uint32_t)off;
	wm->wd[wm->nwords].hash = h;
	wm->nwords++;
	/* load at most 1/2; rehashing re-inserts the new word too */
	if (wm->nwords * 2 > wm->nwslots)
		words_rehash(wm, wm->nwslots ? wm->nwslots * 2 : 64);
	else
		*word_slot(wm, word, h) = (uint32_t)wm->nwords;
	return (uint32_t)wm->nwords - 1;
}

size_t wordmatch_words(const struct wordmatch *wm)
{
	return wm->nwords;
}

const char *wordmatch_word_str(const struct wordmatch *wm, uint32_t id)
{
	if (id >= wm->nwords)
		return NULL;
	return wm->arena.s + wm->wd[id].off;
}

/* murmur3's 64-bit finaliser over (state, word) */
static size_t edge_index(uint32_t state, uint32_t word, size_t mask)
{
	uint64_t k = (uint64_t)state << 32 | word;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (size_t)k & mask;
}

/* The goto of (state, word), or WORDMATCH_NONE. */
static uint32_t edge_get(const struct wordmatch *wm, uint32_t state,
			 uint32_t word)
{
	size_t mask = wm->nedge_slots - 1;
	size_t i = edge_index(state, word, mask);

	for (;;) {
		const struct edge *e = &wm->edges[i];

		if (e->state == state && e->word == word)
			return e->next;
		if (e->state == EDGE_EMPTY)
			return WORDMATCH_NONE;
		i = (i + 1) & mask;
	}
}

/* Insert an edge known to be absent. */
static void edge_put(struct wordmatch *wm, uint32_t state, uint32_t word,
		     uint32_t next)
{
	size_t mask;
	size_t i;

	if ((wm->nedges + 1) * 2 > wm->nedge_slots)
		edges_rehash(wm, wm->nedge_slots * 2);
	mask = wm->nedge_slots - 1;
	i = edge_index(state, word, mask);
	while (wm->edges[i].state != EDGE_EMPTY)
		i = (i + 1) & mask;
	wm->edges[i].state = state;
	wm->edges[i].word = word;
	wm->edges[i].next = next;
	wm->nedges++;
}

static void edges_rehash(struct wordmatch *wm, size_t nslots)
{
	struct edge *old = wm->edges;
	size_t nold = wm->nedge_slots;
	size_t mask = nslots - 1;
	size_t i;

	wm->edges = xmalloc(nslots * sizeof(*wm->edges));
	for (i = 0; i < nslots; i++)
		wm->edges[i].state = EDGE_EMPTY;
	wm->nedge_slots = nslots;
	for (i = 0; i < nold; i++) {
		size_t j;

		if (old[i].state == EDGE_EMPTY)
			continue;
		j = edge_index(old[i].state, old[i].word, mask);
		while (wm->edges[j].state != EDGE_EMPTY)
			j = (j + 1) & mask;
		wm->edges[j] = old[i];
	}
	free(old);
}

int wordmatch_add(struct wordmatch *wm, const uint32_t *words, size_t n,
		  uint32_t value)
{
	uint32_t s = 0;
	size_t i;

	if (wm->compiled || !words || n == 0 ||
	    n > WORDMATCH_MAX_PHRASE_WORDS ||
	    wm->nphrases >= WORDMATCH_MAX_PHRASES)
		return -1;
	for (i = 0; i < n; i++)
		if (words[i] >= wm->nwords)
			return -1;
	/* check the state limit before changing anything */
	for (i = 0; i < n; i++) {
		uint32_t t = edge_get(wm, s, words[i]);

		if (t == WORDMATCH_NONE)
			break;
		s = t;
	}
	if (n - i > WORDMATCH_MAX_STATES - wm->nstates)
		return -1;

	for (; i < n; i++) {
		uint32_t t = (uint32_t)wm->nstates;

		xgrow(&wm->depth, &wm->depth_alloc, wm->nstates + 1, 1);
		wm->depth[t] = (uint8_t)(i + 1);
		wm->nstates++;
		edge_put(wm, s, words[i], t);
		s = t;
	}
	xgrow(&wm->phrases, &wm->phrases_alloc, wm->nphrases + 1,
	      sizeof(*wm->phrases));
	wm->phrases[wm->nphrases].state = s;
	wm->phrases[wm->nphrases].value = value;
	wm->nphrases++;
	return 0;
}

/* The bit standing for word in the chain filters. */
static uint64_t child_bit(uint32_t word)
{
	return (uint64_t)1 << ((word * 0x9e3779b1u) >> 26);
}

int wordmatch_compile(struct wordmatch *wm)
{
	struct item {
		uint32_t child, parent, word;
	} *order;
	size_t start[WORDMATCH_MAX_PHRASE_WORDS + 2] = { 0 };
	size_t nitems = wm->nstates - 1;
	struct edge *old = wm->edges;
	uint32_t *renum;
	size_t i, d, slots;
	uint32_t acc = 0;

	if (wm->compiled)
		return -1;

	/* each non-root state has exactly one incoming edge: sort the edges
	 * by the child's depth, which puts parents before children */
	for (i = 1; i < wm->nstates; i++)
		start[wm->depth[i] + 1]++;
	for (d = 1; d < WORDMATCH_MAX_PHRASE_WORDS + 2; d++)
		start[d] += start[d - 1];
	order = xmalloc((nitems ? nitems : 1) * sizeof(*order));
	for (i = 0; i < wm->nedge_slots; i++) {
		const struct edge *e = &old[i];
		struct item *it;

		if (e->state == EDGE_EMPTY)
			continue;
		it = &order[start[wm->depth[e->next]]++];
		it->child = e->next;
		it->parent = e->state;
		it->word = e->word;
	}

	/* renumber the states in that order: the shallow states, where a
	 * scan spends its time, then share cache lines */
	wm->st = xcalloc(wm->nstates, sizeof(*wm->st));
	renum = xmalloc(wm->nstates * sizeof(*renum));
	renum[0] = 0;
	for (i = 0; i < nitems; i++) {
		renum[order[i].child] = (uint32_t)i + 1;
		wm->st[i + 1].depth = wm->depth[order[i].child];
	}
	free(wm->depth);
	wm->depth = NULL;
	wm->depth_alloc = 0;

	/* the root's edges move to root[]; the table is sized for the others
	 * (start[1] now ends the depth-1 bucket: it counts the root's edges),
	 * with no adds to come */
	for (slots = 64; slots < 2 * (nitems - start[1] + 1); slots *= 2)
		;
	wm->edges = xmalloc(slots * sizeof(*wm->edges));
	for (i = 0; i < slots; i++)
		wm->edges[i].state = EDGE_EMPTY;
	wm->nedge_slots = slots;
	wm->nedges = 0;
	for (i = 0; i < nitems; i++) {
		order[i].child = (uint32_t)i + 1;
		order[i].parent = renum[order[i].parent];
		if (order[i].parent)
			edge_put(wm, order[i].parent, order[i].word,
				 order[i].child);
	}
	free(old);
	for (i = 0; i < wm->nphrases; i++)
		wm->phrases[i].state = renum[wm->phrases[i].state];
	free(renum);

	wm->nroot = wm->nwords;
	wm->root = xcalloc(wm->nroot, sizeof(*wm->root));

	/* values grouped by state, each group in order of addition: out is
	 * first set past the group's end, then walked back while filling */
	for (i = 0; i < wm->nphrases; i++)
		wm->st[wm->phrases[i].state].nout++;
	for (i = 0; i < wm->nstates; i++) {
		acc += wm->st[i].nout;
		wm->st[i].out = acc;
	}
	wm->values = xmalloc((wm->nphrases ? wm->nphrases : 1) *
			     sizeof(*wm->values));
	for (i = wm->nphrases; i-- > 0;) {
		struct state *st = &wm->st[wm->phrases[i].state];

		wm->values[--st->out] = wm->phrases[i].value;
	}
	free(wm->phrases);
	wm->phrases = NULL;
	wm->phrases_alloc = 0;

	wm->chain = xcalloc(wm->nstates, sizeof(*wm->chain));
	for (i = 0; i < nitems; i++) {
		const struct item *it = &order[i];
		struct state *st = &wm->st[it->child];
		uint32_t f, t;

		if (it->parent == 0) {
			wm->root[it->word] = it->child;
			continue;       /* fail and dict: root */
		}
		wm->chain[it->parent] |= child_bit(it->word);
		for (f = wm->st[it->parent].fail;; f = wm->st[f].fail) {
			if (f == 0) {
				t = wm->root[it->word];
				break;
			}
			t = edge_get(wm, f, it->word);
			if (t != WORDMATCH_NONE)
				break;
		}
		st->fail = t;
		st->dict = wm->st[t].nout ? t : wm->st[t].dict;
	}
	/* a state's failure target comes before it */
	for (i = 1; i < wm->nstates; i++)
		wm->chain[i] |= wm->chain[wm->st[i].fail];
	for (i = 0; i < wm->nedge_slots; i++) {
		struct edge *e = &wm->edges[i];

		if (e->state != EDGE_EMPTY &&
		    (wm->st[e->next].nout || wm->st[e->next].dict))
			e->next |= HAS_OUTPUT;
	}
	for (i = 0; i < wm->nroot; i++)
		if (wm->st[wm->root[i]].nout || wm->st[wm->root[i]].dict)
			wm->root[i] |= HAS_OUTPUT;
	free(order);
	wm->compiled = 1;
	return 0;
}

void wordmatch_scan(const struct wordmatch *wm, const uint32_t *words,
		    size_t n, wordmatch_hit_fn fn, void *data)
{
	const struct state *st = wm->st;
	const uint64_t *chain = wm->chain;
	uint32_t s = 0;
	size_t i;

	assert(wm->compiled);
	if (!wm->compiled)
		return;
	for (i = 0; i < n; i++) {
		uint32_t w = words[i];
		uint64_t bit;
		uint32_t t, f, o;

		/* in no phrase: every partial match ends here */
		if (w >= wm->nroot) {
			s = 0;
			continue;
		}
		/* root[w] does not depend on s: the common path has no
		 * branch that waits on where the last word led */
		t = wm->root[w];
		bit = child_bit(w);
		for (f = s; chain[f] & bit; f = st[f].fail) {
			uint32_t u = edge_get(wm, f, w);

			if (u != WORDMATCH_NONE) {
				t = u;
				break;
			}
		}
		s = t & STATE_MASK;
		if (!(t & HAS_OUTPUT))
			continue;
		for (o = st[s].nout ? s : st[s].dict; o; o = st[o].dict) {
			size_t count = st[o].depth;
			uint32_t k;

			for (k = st[o].out; k < st[o].out + st[o].nout; k++)
				fn(wm->values[k], i + 1 - count, count, data);
		}
	}
}

size_t wordmatch_phrases(const struct wordmatch *wm)
{
	return wm->nphrases;
}

size_t wordmatch_states(const struct wordmatch *wm)
{
	return wm->nstates;
}

size_t wordmatch_memory(const struct wordmatch *wm)
{
	size_t m = sizeof(*wm);

	m += wm->arena.alloc;
	m += wm->walloc * sizeof(*wm->wd);
	m += wm->nwslots * sizeof(*wm->wslots);
	m += wm->nedge_slots * sizeof(*wm->edges);
	m += wm->depth_alloc;
	m += wm->phrases_alloc * sizeof(*wm->phrases);
	if (wm->compiled) {
		m += wm->nstates * (sizeof(*wm->st) + sizeof(*wm->chain));
		m += wm->nroot * sizeof(*wm->root);
		m += (wm->nphrases ? wm->nphrases : 1) * sizeof(*wm->values);
	}
	return m;
}
