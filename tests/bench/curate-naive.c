/*
 * The naive baseline of tests/bench/curate.sh, not a product: each phrase
 * of each topic searched separately in each item. Titles and summaries are
 * tokenised and stemmed as the tagger does (textnorm, in the item's
 * language; both languages when it is unknown), the phrases once up front
 * in each language; then, for every phrase, a plain loop compares its stems
 * with the item's at every position. Acronyms compare with the word as
 * written. No rules, no scores: it prints the items read and the hits.
 *
 * usage: curate-naive TOPICS_FILE <ITEMS.jsonl
 *   (JSON Lines as for `newsdigest curate --stdin`)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "textnorm.h"
#include "topics.h"

struct phrase {
	char **words;           /* stems; the text as written for an acronym */
	size_t n;
	int acronym;
};

struct plist {
	struct phrase *v;
	size_t n;
};

static void compile(struct text_norm *tn, const struct topics *t, enum text_lang lang,
		    struct plist *out);
static unsigned long search(const struct plist *pl, const struct text_tokens *tok,
			    const char **stems, const char **exact);

/* Every phrase of every topic, stemmed in lang. */
static void compile(struct text_norm *tn, const struct topics *t, enum text_lang lang,
		    struct plist *out)
{
	struct text_tokens tok;
	struct phrase *p;
	size_t i, j, k, total = 0;

	text_tokens_init(&tok);
	for (i = 0; i < t->n; i++)
		total += t->v[i].n;
	out->v = calloc(total ? total : 1, sizeof(*out->v));
	out->n = 0;
	for (i = 0; i < t->n; i++)
		for (j = 0; j < t->v[i].n; j++) {
			const struct topic_phrase *tp = &t->v[i].phrases[j];

			p = &out->v[out->n];
			if (tp->kind == PHRASE_ACRONYM) {
				p->acronym = 1;
				p->n = 1;
				p->words = malloc(sizeof(*p->words));
				p->words[0] = strdup(tp->text);
				out->n++;
				continue;
			}
			if (text_tokenize(tn, lang, tp->text, strlen(tp->text), &tok) < 0 || !tok.n)
				continue;
			p->n = tok.n;
			p->words = malloc(tok.n * sizeof(*p->words));
			for (k = 0; k < tok.n; k++)
				p->words[k] = strdup(text_token_stem(&tok, k));
			out->n++;
		}
	text_tokens_release(&tok);
}

/* Hits of every phrase of pl in one field, each phrase on its own. */
static unsigned long search(const struct plist *pl, const struct text_tokens *tok,
			    const char **stems, const char **exact)
{
	unsigned long hits = 0;
	size_t i, k, pos;

	for (i = 0; i < pl->n; i++) {
		const struct phrase *p = &pl->v[i];
		const char **w = p->acronym ? exact : stems;

		for (pos = 0; pos + p->n <= tok->n; pos++) {
			for (k = 0; k < p->n && !strcmp(w[pos + k], p->words[k]); k++)
				;
			hits += k == p->n;
		}
	}
	return hits;
}

int main(int argc, char **argv)
{
	struct topics t;
	struct buf err = BUF_INIT, both = BUF_INIT;
	struct text_norm *tn;
	struct text_tokens tok;
	struct plist pl[2];             /* 0 English, 1 French */
	const char **stems = NULL, **exact = NULL;
	char *line = NULL;
	size_t cap = 0, alloc = 0, k;
	unsigned long items = 0, hits = 0;
	int l, f;

	if (argc != 2) {
		fputs("usage: curate-naive TOPICS_FILE <ITEMS.jsonl\n", stderr);
		return 64;
	}
	topics_init(&t);
	if (topics_load(&t, argv[1], &err) < 0) {
		fprintf(stderr, "curate-naive: %s\n", err.s);
		return 78;
	}
	tn = text_norm_new();
	text_tokens_init(&tok);
	compile(tn, &t, TEXT_LANG_EN, &pl[0]);
	compile(tn, &t, TEXT_LANG_FR, &pl[1]);
	while (getline(&line, &cap, stdin) > 0) {
		json_t *in = json_loads(line, 0, NULL);
		const char *field[2], *tag;
		enum text_lang lang;

		if (!in)
			continue;
		field[0] = json_string_value(json_object_get(in, "title"));
		field[1] = json_string_value(json_object_get(in, "summary"));
		tag = json_string_value(json_object_get(in, "lang"));
		for (f = 0; f < 2; f++)
			field[f] = field[f] ? field[f] : "";
		lang = text_lang_from_tag(tag);
		if (lang == TEXT_LANG_UNKNOWN) {
			buf_reset(&both);
			buf_addf(&both, "%s\n%s", field[0], field[1]);
			lang = text_detect_lang(both.s, both.len);
		}
		for (l = 0; l < 2; l++) {
			if (lang != TEXT_LANG_UNKNOWN && lang != (l ? TEXT_LANG_FR : TEXT_LANG_EN))
				continue;
			for (f = 0; f < 2; f++) {
				if (text_tokenize(tn, l ? TEXT_LANG_FR : TEXT_LANG_EN, field[f],
						  strlen(field[f]), &tok) < 0)
					continue;
				if (tok.n > alloc) {
					alloc = tok.n * 2;
					stems = realloc(stems, alloc * sizeof(*stems));
					exact = realloc(exact, alloc * sizeof(*exact));
				}
				for (k = 0; k < tok.n; k++) {
					stems[k] = text_token_stem(&tok, k);
					exact[k] = text_token_exact(&tok, k);
				}
				hits += search(&pl[l], &tok, stems, exact);
			}
		}
		items++;
		json_decref(in);
	}
	printf("%lu items, %lu hits\n", items, hits);
	/* the phrase lists live until exit: a baseline, not a library */
	free(stems);
	free(exact);
	free(line);
	text_tokens_release(&tok);
	text_norm_free(tn);
	topics_release(&t);
	buf_release(&err);
	buf_release(&both);
	return fflush(stdout) || ferror(stdout) ? 74 : 0;
}
