#ifndef NEWSDIGEST_TOPICS_H
#define NEWSDIGEST_TOPICS_H
/*
 * The mandate's topic list (feeds/topics.ini): reading and checking it.
 * The format is documented at the top of feeds/topics.ini and in the man
 * page; matching the phrases against items is match.h's job.
 */
#include <stddef.h>

#include "buf.h"

/* Limits of one file (errors beyond them name the line). */
#define TOPICS_MAX_TOPICS 256
#define TOPICS_MAX_PHRASES 20000        /* all topics together */
#define TOPICS_MAX_LINE 4096            /* bytes per line */
#define TOPICS_MAX_PHRASE 200           /* bytes per phrase */

enum topic_phrase_kind {
	PHRASE_PLAIN,           /* en = / fr = */
	PHRASE_ACRONYM,         /* acronym = : one word, case-sensitive */
	PHRASE_CONTEXT,         /* requires = PHRASE => context words */
	PHRASE_EXCLUDE,         /* exclude = : vetoes the topic */
};

enum topic_phrase_lang {
	PHRASE_LANG_ANY,
	PHRASE_LANG_EN,
	PHRASE_LANG_FR,
};

struct topic_phrase {
	char *text;             /* as written, weight suffix removed */
	char *context;          /* PHRASE_CONTEXT: the context words, "; "-separated as written */
	double weight;          /* "phrase ^2": 2; default 1 */
	enum topic_phrase_kind kind;
	enum topic_phrase_lang lang;
	unsigned line;
};

struct topic {
	char *id;
	char *title;            /* English */
	char *title_fr;
	long priority;          /* 1 first */
	double weight;          /* multiplies the topic's score; default 1 */
	struct topic_phrase *phrases;
	size_t n, alloc;
	unsigned line;          /* of the [topic ID] header */
};

/* [reference]: signs of an evergreen page (an encyclopedia entry, an
 * explainer) rather than news; its penalty is taken off an item's score. */
struct topics_reference {
	char **sources;         /* substrings of an item's source, any case */
	size_t nsources, sources_alloc;
	struct topic_phrase *phrases;   /* matched in the title */
	size_t n, alloc;
	double penalty;
};

struct topics {
	char *file;
	struct topic *v;        /* in file order */
	size_t n, alloc;
	struct topics_reference reference;
};

/*
 * Read and validate path into t (topics_init'ed or zeroed). Errors,
 * appended to err as "cannot parse 'FILE': line N: what": unknown section
 * or key, a topic without title, title_fr, priority or phrases, a
 * duplicate topic id or priority, a bad number, a bad "=>" rule, a phrase
 * or line over the limits. Returns 0, or -1 with t released.
 */
int topics_load(struct topics *t, const char *path, struct buf *err);
void topics_init(struct topics *t);
void topics_release(struct topics *t);

/* The topic with that id, or NULL. */
const struct topic *topics_find(const struct topics *t, const char *id);

/* The topic ids the rest of the tool relies on, in the mandate's order. */
extern const char *const topics_mandated[];
extern const size_t topics_nmandated;

#endif
