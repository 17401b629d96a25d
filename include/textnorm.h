#ifndef NEWSDIGEST_TEXTNORM_H
#define NEWSDIGEST_TEXTNORM_H
/*
 * Text normalisation for the topic tagger, English and French: UTF-8 text
 * becomes a sequence of word tokens, each with its form as written and a
 * normalised, stemmed form, so that phrases and texts compare word by word.
 * Stem phrases with the same call and language as the texts they are matched
 * against: the stems are only meant to agree with each other.
 *
 * A word is a maximal run of Unicode letters, digits and combining marks
 * (categories L*, N*, M*). Everything else separates words: space,
 * punctuation, hyphens, apostrophes (' and U+2019, and U+02BC although it is
 * a letter), and bytes that are not valid UTF-8. So "l'État" gives "l" and
 * "État", "C-51" gives "C" and "51".
 *
 * The stem of a word is made in this order:
 *   1. NFKC and case folding ("ﬁ" -> "fi", full-width -> ASCII, "ß" -> "ss"),
 *      then "œ" -> "oe" and "æ" -> "ae", so "cœur" and "coeur" agree;
 *   2. TEXT_LANG_FR: accents are put back on a few word endings that
 *      Snowball's French stemmer needs and that people often type bare
 *      ("-ite(s)" -> "-ité(s)", "-ee(s)" -> "-ée(s)", "-iere(s)" -> "-ière(s)",
 *      "-erent" -> "-èrent"), then Snowball French runs on the accented word;
 *      TEXT_LANG_EN: marks are stripped, then Snowball English runs (it
 *      ignores accents, so stripping first costs nothing and makes "café"
 *      and "cafe" agree);
 *      TEXT_LANG_UNKNOWN: no stemming;
 *   3. combining marks are stripped and the result recomposed (NFC), so
 *      "sécurité" and "securite" agree.
 * A stem is thus lower case and without accents, but not always ASCII
 * (other scripts, and letters such as "ø" or "ł" that have no mark to strip).
 * French words with and without accents give the same stem for the usual
 * word forms; known exceptions are in src/curate/textnorm.c.
 *
 * Not thread-safe per struct text_norm: use one per thread.
 */
#include <stddef.h>

#include "buf.h"

/* Input larger than this many bytes is refused (text_tokenize returns -1). */
#define TEXT_MAX_INPUT ((size_t)16 << 20)
/* At most this many tokens per call; text_tokenize stops there and returns
 * -1, keeping the tokens it made. */
#define TEXT_MAX_TOKENS ((size_t)1000000)
/* A word longer than this many bytes is normalised from its first
 * TEXT_MAX_WORD bytes, cut at a character boundary (its span still covers
 * the whole word). */
#define TEXT_MAX_WORD 256
/* text_tokens.pool refuses to grow past this (text_tokenize returns -1);
 * normal text needs about twice its size. */
#define TEXT_MAX_POOL ((size_t)128 << 20)
/* Stem cache, one per language in each struct text_norm, made on first
 * use: at most this many distinct words (as written, case included); when
 * it is full it is emptied and fills again, so memory stays bounded (512
 * KiB of slots plus at most 4 MiB of strings a language) and the cache
 * follows the vocabulary of recent texts. */
#define TEXT_CACHE_WORDS 32768

enum text_lang { TEXT_LANG_UNKNOWN = 0, TEXT_LANG_EN, TEXT_LANG_FR };

struct text_token {
	size_t start, end;  /* byte span of the word in the input: utf8[start..end) */
	size_t stem;        /* offset in pool of the stem, NUL-terminated, never empty */
	size_t exact;       /* offset in pool of the word as written in NFC (case and
	                       accents kept), NUL-terminated; may equal stem */
};

struct text_tokens {
	struct text_token *v;
	size_t n, alloc;
	struct buf pool;    /* the strings the tokens point into */
};

/* Make t empty; allocates nothing. The pool is bounded by TEXT_MAX_POOL. */
void text_tokens_init(struct text_tokens *t);
/* Free what t holds; t is left as after text_tokens_init. */
void text_tokens_release(struct text_tokens *t);

/* The stem and the exact form of token i < t->n; valid until t changes. */
static inline const char *text_token_stem(const struct text_tokens *t, size_t i)
{
	return t->pool.s + t->v[i].stem;
}

static inline const char *text_token_exact(const struct text_tokens *t, size_t i)
{
	return t->pool.s + t->v[i].exact;
}

/* Stemmers, caches and scratch buffers; one per thread. */
struct text_norm;

/* A new normaliser; free it with text_norm_free. Returns NULL only when the
 * Snowball stemmers cannot be created (out of memory). */
struct text_norm *text_norm_new(void);
/* Free tn and all it holds; NULL is allowed. */
void text_norm_free(struct text_norm *tn);

/*
 * Tokenise utf8[0..len) in lang and store the tokens in out, which is
 * emptied first (its memory is reused). utf8 need not be NUL-terminated and
 * may be NULL when len is 0. Invalid UTF-8 bytes separate words. Words that
 * normalise to nothing (a lone combining mark) give no token. Returns 0;
 * -1 when len > TEXT_MAX_INPUT (out left empty), or when TEXT_MAX_TOKENS or
 * TEXT_MAX_POOL is reached (out keeps the tokens made before the limit).
 */
int text_tokenize(struct text_norm *tn, enum text_lang lang, const char *utf8,
		  size_t len, struct text_tokens *out);

/* The language of a tag such as "fr", "fr-CA", "FR_ca", "en-US", "eng",
 * "fre", "fra", "english", "French" (case-insensitive, surrounding spaces
 * ignored): TEXT_LANG_EN, TEXT_LANG_FR, else (and for NULL)
 * TEXT_LANG_UNKNOWN. */
enum text_lang text_lang_from_tag(const char *tag);

/*
 * A cheap guess from stop words ("le", "les", "des", "est", "dans", "qui",
 * "l'"... against "the", "of", "and", "is", "with", "that"...; words common
 * in both languages such as "on", "a" or "un" do not count), compared case
 * -insensitively: TEXT_LANG_EN or TEXT_LANG_FR when one language has at
 * least twice the stop words of the other and there are at least three in
 * all, else TEXT_LANG_UNKNOWN (also for len 0 or utf8 NULL). Allocates
 * nothing.
 */
enum text_lang text_detect_lang(const char *utf8, size_t len);

#endif
