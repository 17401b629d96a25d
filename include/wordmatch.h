#ifndef NEWSDIGEST_WORDMATCH_H
#define NEWSDIGEST_WORDMATCH_H
/*
 * Multi-phrase matching over words: a word dictionary (string -> id) and an
 * Aho-Corasick automaton whose alphabet is the word ids. Texts arrive as
 * arrays of ids, already normalised and stemmed by the caller; one scan finds
 * every occurrence of every phrase in time linear in the text plus the hits.
 *
 * Life cycle: wordmatch_new, then wordmatch_word/wordmatch_add as often as
 * needed, one wordmatch_compile, then any number of wordmatch_scan calls.
 * After compile the structure is read-only for scanning: scans allocate
 * nothing and several threads may scan the same automaton at once, provided
 * nobody adds words to the dictionary meanwhile.
 *
 * Limits (the calls below refuse beyond them): words of at most
 * WORDMATCH_MAX_WORD_BYTES bytes, WORDMATCH_MAX_WORDS distinct words,
 * WORDMATCH_MAX_PHRASES phrases, WORDMATCH_MAX_STATES automaton states (one
 * per distinct phrase prefix, plus the root). Memory is proportional to the
 * total number of phrase words plus the dictionary's bytes.
 */
#include <stddef.h>
#include <stdint.h>

#define WORDMATCH_NONE UINT32_MAX
#define WORDMATCH_MAX_PHRASE_WORDS 16
#define WORDMATCH_MAX_WORD_BYTES 1024
#define WORDMATCH_MAX_WORDS (1u << 24)
#define WORDMATCH_MAX_PHRASES 1000000u
#define WORDMATCH_MAX_STATES (1u << 24)

struct wordmatch;

/* A new, empty dictionary and automaton; free it with wordmatch_free.
 * Never NULL (exits on OOM like xmalloc). */
struct wordmatch *wordmatch_new(void);

/* Free wm and everything it holds; NULL is allowed. Strings returned by
 * wordmatch_word_str become invalid. */
void wordmatch_free(struct wordmatch *wm);

/*
 * The id of word (a NUL-terminated string, compared byte for byte). When it
 * is absent and add is non-zero it is copied into wm and gets the next id
 * (ids are dense: 0, 1, 2, ... in order of addition). Returns
 * WORDMATCH_NONE when word is NULL, longer than WORDMATCH_MAX_WORD_BYTES
 * bytes, absent while add is zero, or when adding it would pass
 * WORDMATCH_MAX_WORDS. Adding is allowed after compile, but such words
 * belong to no phrase and so match nothing.
 */
uint32_t wordmatch_word(struct wordmatch *wm, const char *word, int add);

/* The number of words in the dictionary. */
size_t wordmatch_words(const struct wordmatch *wm);

/* The string of id, owned by wm and valid until the next word is added or
 * wm is freed; NULL when id is not in the dictionary. */
const char *wordmatch_word_str(const struct wordmatch *wm, uint32_t id);

/*
 * Add the phrase words[0..n) (ids from wordmatch_word) with the caller's
 * value, reported back on each hit (e.g. an index into the caller's phrase
 * table). The same word sequence may be added several times with different
 * (or equal) values: each addition is reported separately. Returns 0, or -1
 * (wm unchanged) when n is 0 or above WORDMATCH_MAX_PHRASE_WORDS, words is
 * NULL, an id is not in the dictionary (WORDMATCH_NONE included), the
 * phrase or state limit would be passed, or wm is already compiled.
 */
int wordmatch_add(struct wordmatch *wm, const uint32_t *words, size_t n,
		  uint32_t value);

/* Build the failure and output links; call once, after the last add.
 * Returns 0, or -1 when wm was already compiled (nothing is changed). */
int wordmatch_compile(struct wordmatch *wm);

/*
 * Called for each hit: value as given to wordmatch_add, first the index in
 * the scanned array of the phrase's first word, count its number of words.
 */
typedef void (*wordmatch_hit_fn)(uint32_t value, size_t first, size_t count,
				 void *data);

/*
 * Report every occurrence of every phrase in words[0..n) through fn (data
 * is passed through), including overlapping occurrences and phrases that
 * are suffixes or infixes of others. Order: by end position; at one end
 * position, longer phrases first; one phrase added several times, in order
 * of addition. An id that is WORDMATCH_NONE or in no phrase breaks every
 * phrase across it. Time O(n + hits); allocates nothing. wm must be
 * compiled: scanning before wordmatch_compile is a programming error
 * (assert; with NDEBUG it reports nothing). words may be NULL when n is 0.
 */
void wordmatch_scan(const struct wordmatch *wm, const uint32_t *words,
		    size_t n, wordmatch_hit_fn fn, void *data);

/* The number of phrases added (duplicates included). */
size_t wordmatch_phrases(const struct wordmatch *wm);

/* The number of automaton states, the root included. */
size_t wordmatch_states(const struct wordmatch *wm);

/* The bytes of heap memory wm holds (tables and strings, excluding the
 * allocator's own overhead), for reports. */
size_t wordmatch_memory(const struct wordmatch *wm);

#endif
