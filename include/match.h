#ifndef NEWSDIGEST_MATCH_H
#define NEWSDIGEST_MATCH_H
/*
 * Tagging an item with the topics of a topic list: every phrase of every
 * topic compiled once into one word automaton per language (wordmatch.h),
 * over words normalised and stemmed by textnorm.h; then the rules of
 * topics.ini (requires, exclude, weights, reference pages) and the scores.
 */
#include <stddef.h>

#include "buf.h"
#include "textnorm.h"
#include "topics.h"

struct match_options {
	double title_weight;    /* a phrase in a title counts this many times */
	double topic_min;       /* score a topic needs to be tagged */
	double topic_share;     /* ... and its share of the best topic's score */
	double min_score;       /* score an item needs to be included */
	double hint_bonus;      /* added to a topic its feed leans to */
	long context_window;    /* words either side for requires = */
};

enum match_field {
	MATCH_TITLE,
	MATCH_SUMMARY,
};

struct match_input {
	const char *title;      /* NULL counts as "" */
	const char *summary;
	const char *lang;       /* a language tag, or NULL: guessed from the text */
	const char *source;     /* the source's name, or NULL */
	const char *const *hints;       /* topic ids the item's feed leans to */
	size_t nhints;
};

struct match_evidence {
	size_t topic;           /* index in the topic list */
	size_t phrase;          /* index in that topic's phrases */
	enum match_field field;
	size_t offset;          /* byte offset of the first word in the field */
	size_t length;          /* bytes from there to the end of the last word */
	double points;
};

struct match_tag {
	size_t topic;
	double score;
};

struct match_result {
	struct match_tag *tags;         /* tagged topics, best first */
	size_t ntags, tags_alloc;
	struct match_evidence *ev;      /* evidence of the tagged topics: title, then summary,
					 * each by position */
	size_t nev, ev_alloc;
	double score;
	int include;
	int reference;          /* the [reference] penalty was taken */
	double hint;            /* the hint bonus given */
	enum text_lang lang;    /* the language the text was read in */
};

void match_result_init(struct match_result *r);
void match_result_release(struct match_result *r);

struct matcher;

/*
 * Compile the topics t (which must outlive the matcher) with options o.
 * Returns NULL with a message in err when a phrase cannot be compiled
 * (too many words). Free with matcher_free.
 */
struct matcher *matcher_new(const struct topics *t, const struct match_options *o,
			    struct buf *err);
void matcher_free(struct matcher *m);

/* Tag one item; out is overwritten (its memory reused). Returns 0, or -1
 * when the text is beyond textnorm's limits (out is then empty). */
int matcher_run(struct matcher *m, const struct match_input *in, struct match_result *out);

/*
 * `topics check`: append one line per problem to report ("FILE:LINE: what"):
 * phrases that can never match (no words once normalised, more words than
 * the automaton takes, always vetoed by their topic's own exclude),
 * phrases written twice (the same words once stemmed, in one topic or in
 * two), mandated topic ids missing, topics without English or French
 * phrases. Returns the number of problems.
 */
size_t matcher_check(const struct matcher *m, struct buf *report);

/* Phrases and automaton states compiled, for reports. */
size_t matcher_phrases(const struct matcher *m);

#endif
