/*
 * The tagger. Each phrase of the list is compiled into two automata, once
 * stemmed as English and once as French; an item's words are stemmed in
 * the item's language and scanned with that language's automaton, so a
 * phrase and a text always meet through the same stemmer (an English name
 * in a French lede included). An item whose language is unknown is
 * scanned with both and the evidence merged.
 */
#include "match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wordmatch.h"
#include "xalloc.h"

#define NLANGS 2        /* the automata: 0 English, 1 French */

/* The topic index that marks a [reference] phrase. */
#define REFERENCE_TOPIC SIZE_MAX

/* One phrase, as compiled in one language. */
struct pattern {
	size_t topic;           /* or REFERENCE_TOPIC */
	size_t phrase;
	uint32_t *words;        /* the phrase's word ids (for topics check) */
	size_t nwords;          /* 0: nothing left once normalised */
	uint32_t *context;      /* requires =: the context word ids */
	size_t ncontext, context_alloc;
};

struct acronym {
	const char *word;       /* the phrase text, as written */
	size_t topic, phrase;
};

/* A hit of the scan, before the rules. */
struct hit {
	size_t pattern;
	size_t first, count;
};

struct matcher {
	const struct topics *t;
	struct match_options o;
	struct text_norm *tn;
	struct wordmatch *wm[NLANGS];
	struct pattern *pat[NLANGS];    /* indexed by the automaton's value */
	size_t npat, pat_alloc;
	struct acronym *acr;
	size_t nacr;
	/* per run, reused */
	struct text_tokens tok;
	uint32_t *ids;
	size_t ids_alloc;
	struct hit *hits;
	size_t nhits, hits_alloc;
	double *scores;         /* per topic */
	unsigned char *vetoed;
	unsigned char *hinted;
	unsigned char *tagged;
};

static enum text_lang lang_of(int l);
static const struct topic_phrase *phrase_at(const struct topics *t, size_t topic, size_t phrase);
static int compile_phrase(struct matcher *m, size_t topic, size_t phrase,
			  const struct topic_phrase *p, struct buf *err);
static int cmp_acronym(const void *a, const void *b);
static void on_hit(uint32_t value, size_t first, size_t count, void *data);
static int has_context(const struct matcher *m, const struct pattern *pt, size_t first,
		       size_t count);
static void add_evidence(struct matcher *m, struct match_result *r, size_t topic,
			 size_t phrase, enum match_field field, size_t offset,
			 size_t length);
static int scan_field(struct matcher *m, int l, const char *text, enum match_field field,
		      struct match_result *r);
static void scan_acronyms(struct matcher *m, enum match_field field, struct match_result *r);
static int source_is_reference(const struct topics *t, const char *source);
static int cmp_tag(const void *a, const void *b, void *topics);
static void sort_tags(struct match_result *r, const struct topics *t);
static void sort_evidence(struct match_result *r);
static int cmp_pattern_words(const void *a, const void *b);
static int contains(const struct pattern *outer, const struct pattern *inner);
static const char *topic_name(const struct topics *t, size_t topic);

static enum text_lang lang_of(int l)
{
	return l == 0 ? TEXT_LANG_EN : TEXT_LANG_FR;
}

static const struct topic_phrase *phrase_at(const struct topics *t, size_t topic, size_t phrase)
{
	return topic == REFERENCE_TOPIC ? &t->reference.phrases[phrase]
					: &t->v[topic].phrases[phrase];
}

void match_result_init(struct match_result *r)
{
	memset(r, 0, sizeof(*r));
}

void match_result_release(struct match_result *r)
{
	free(r->tags);
	free(r->ev);
	match_result_init(r);
}

/* Stem p's words (and its context words) in each language and add them. */
static int compile_phrase(struct matcher *m, size_t topic, size_t phrase,
			  const struct topic_phrase *p, struct buf *err)
{
	uint32_t words[WORDMATCH_MAX_PHRASE_WORDS];
	struct pattern *pt;
	const char *w, *semi;
	size_t i, n;
	int l;

	for (l = 0; l < NLANGS; l++) {
		pt = &m->pat[l][m->npat];
		memset(pt, 0, sizeof(*pt));
		pt->topic = topic;
		pt->phrase = phrase;
		if (text_tokenize(m->tn, lang_of(l), p->text, strlen(p->text), &m->tok) < 0)
			goto too_long;
		n = m->tok.n;
		pt->nwords = n;
		if (n > WORDMATCH_MAX_PHRASE_WORDS)
			goto too_long;
		if (!n)
			continue;       /* reported by matcher_check */
		for (i = 0; i < n; i++)
			words[i] = wordmatch_word(m->wm[l], text_token_stem(&m->tok, i), 1);
		pt->words = xmalloc(n * sizeof(*pt->words));
		memcpy(pt->words, words, n * sizeof(*pt->words));
		if (wordmatch_add(m->wm[l], words, n, (uint32_t)m->npat) < 0)
			goto too_long;
		if (p->kind != PHRASE_CONTEXT)
			continue;
		/* the context words, ';'-separated; each may be several words,
		 * and each of its words counts */
		for (w = p->context; *w; w = *semi ? semi + 1 : semi) {
			semi = w + strcspn(w, ";");
			if (text_tokenize(m->tn, lang_of(l), w, (size_t)(semi - w), &m->tok) < 0)
				goto too_long;
			for (i = 0; i < m->tok.n; i++) {
				xgrow(&pt->context, &pt->context_alloc, pt->ncontext + 1,
				      sizeof(*pt->context));
				pt->context[pt->ncontext++] =
					wordmatch_word(m->wm[l], text_token_stem(&m->tok, i), 1);
			}
		}
	}
	m->npat++;
	return 0;
too_long:
	buf_addf(err, "%s:%u: phrase '%s' has more than %d words", m->t->file, p->line,
		 p->text, WORDMATCH_MAX_PHRASE_WORDS);
	return -1;
}

static int cmp_acronym(const void *a, const void *b)
{
	return strcmp(((const struct acronym *)a)->word, ((const struct acronym *)b)->word);
}

struct matcher *matcher_new(const struct topics *t, const struct match_options *o,
			    struct buf *err)
{
	struct matcher *m = xcalloc(1, sizeof(*m));
	size_t i, j, total = t->reference.n;
	int l;

	m->t = t;
	m->o = *o;
	m->tn = text_norm_new();
	text_tokens_init(&m->tok);
	for (i = 0; i < t->n; i++)
		total += t->v[i].n;
	m->pat_alloc = total ? total : 1;
	for (l = 0; l < NLANGS; l++) {
		m->wm[l] = wordmatch_new();
		m->pat[l] = xcalloc(m->pat_alloc, sizeof(*m->pat[l]));
	}
	m->acr = xcalloc(total ? total : 1, sizeof(*m->acr));
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->v[i].n; j++) {
			const struct topic_phrase *p = &t->v[i].phrases[j];

			if (p->kind == PHRASE_ACRONYM) {
				m->acr[m->nacr++] = (struct acronym){ p->text, i, j };
				continue;
			}
			if (compile_phrase(m, i, j, p, err) < 0)
				goto fail;
		}
	}
	for (j = 0; j < t->reference.n; j++)
		if (compile_phrase(m, REFERENCE_TOPIC, j, &t->reference.phrases[j], err) < 0)
			goto fail;
	qsort(m->acr, m->nacr, sizeof(*m->acr), cmp_acronym);
	for (l = 0; l < NLANGS; l++)
		if (wordmatch_compile(m->wm[l]) < 0) {
			buf_addf(err, "%s: too many phrases", t->file);
			goto fail;
		}
	m->scores = xcalloc(t->n, sizeof(*m->scores));
	m->vetoed = xcalloc(t->n, 1);
	m->hinted = xcalloc(t->n, 1);
	m->tagged = xcalloc(t->n, 1);
	return m;
fail:
	matcher_free(m);
	return NULL;
}

void matcher_free(struct matcher *m)
{
	size_t i;
	int l;

	if (!m)
		return;
	for (l = 0; l < NLANGS; l++) {
		/* calloc'ed: a pattern that failed half-way frees like the rest */
		for (i = 0; m->pat[l] && i < m->pat_alloc; i++) {
			free(m->pat[l][i].context);
			free(m->pat[l][i].words);
		}
		free(m->pat[l]);
		wordmatch_free(m->wm[l]);
	}
	free(m->acr);
	text_tokens_release(&m->tok);
	text_norm_free(m->tn);
	free(m->ids);
	free(m->hits);
	free(m->scores);
	free(m->vetoed);
	free(m->hinted);
	free(m->tagged);
	free(m);
}

size_t matcher_phrases(const struct matcher *m)
{
	return m->npat + m->nacr;
}

static void on_hit(uint32_t value, size_t first, size_t count, void *data)
{
	struct matcher *m = data;

	xgrow(&m->hits, &m->hits_alloc, m->nhits + 1, sizeof(*m->hits));
	m->hits[m->nhits++] = (struct hit){ value, first, count };
}

/* One of pt's context words within the window around [first, first+count). */
static int has_context(const struct matcher *m, const struct pattern *pt, size_t first,
		       size_t count)
{
	size_t w = (size_t)m->o.context_window;
	size_t lo = first > w ? first - w : 0, hi = first + count + w, i, k;

	if (hi > m->tok.n)
		hi = m->tok.n;
	for (i = lo; i < hi; i++)
		for (k = 0; k < pt->ncontext; k++)
			if (m->ids[i] == pt->context[k] && m->ids[i] != WORDMATCH_NONE)
				return 1;
	return 0;
}

/*
 * A phrase counts once per field, however often it occurs; and a stretch
 * of text counts once per topic, however many of its phrases meet there
 * ("Maher Arar" and "Arar"; "tortured" and "torture", one word once
 * stemmed): of the evidence a new phrase overlaps, only the heaviest
 * (the new one included) stays.
 */
static void add_evidence(struct matcher *m, struct match_result *r, size_t topic,
			 size_t phrase, enum match_field field, size_t offset,
			 size_t length)
{
	const struct topic *tp = &m->t->v[topic];
	double points = tp->phrases[phrase].weight * tp->weight;
	struct match_evidence *e, *keep = NULL;
	size_t i, kept;

	if (field == MATCH_TITLE)
		points *= m->o.title_weight;
	for (i = 0; i < r->nev; i++) {
		e = &r->ev[i];
		if (e->topic != topic || e->field != field)
			continue;
		if (e->phrase == phrase)
			return;
		if (offset < e->offset + e->length && e->offset < offset + length &&
		    (!keep || e->points > keep->points))
			keep = e;
	}
	if (keep && keep->points >= points) {
		/* the heaviest overlapped one stays; drop the others it
		 * now overlaps through the new phrase */
		offset = keep->offset < offset ? keep->offset : offset;
		length = keep->offset + keep->length > offset + length
			 ? keep->offset + keep->length - offset : length;
	}
	for (i = kept = 0; i < r->nev; i++) {
		e = &r->ev[i];
		if (e != keep && e->topic == topic && e->field == field &&
		    offset < e->offset + e->length && e->offset < offset + length)
			continue;
		r->ev[kept++] = *e;
		if (e == keep)
			keep = &r->ev[kept - 1];
	}
	r->nev = kept;
	if (keep && keep->points >= points)
		return;
	if (keep)
		*keep = (struct match_evidence){ topic, phrase, field, offset, length, points };
	else {
		xgrow(&r->ev, &r->ev_alloc, r->nev + 1, sizeof(*r->ev));
		r->ev[r->nev++] = (struct match_evidence){ topic, phrase, field, offset,
							   length, points };
	}
}

static int scan_field(struct matcher *m, int l, const char *text, enum match_field field,
		      struct match_result *r)
{
	const struct pattern *pt;
	const struct topic_phrase *p;
	size_t i;

	if (text_tokenize(m->tn, lang_of(l), text, strlen(text), &m->tok) < 0)
		return -1;
	xgrow(&m->ids, &m->ids_alloc, m->tok.n + 1, sizeof(*m->ids));
	for (i = 0; i < m->tok.n; i++)
		m->ids[i] = wordmatch_word(m->wm[l], text_token_stem(&m->tok, i), 0);
	m->nhits = 0;
	wordmatch_scan(m->wm[l], m->ids, m->tok.n, on_hit, m);
	for (i = 0; i < m->nhits; i++) {
		pt = &m->pat[l][m->hits[i].pattern];
		p = phrase_at(m->t, pt->topic, pt->phrase);
		if (pt->topic == REFERENCE_TOPIC) {
			if (field == MATCH_TITLE)
				r->reference = 1;
			continue;
		}
		if (p->kind == PHRASE_EXCLUDE) {
			m->vetoed[pt->topic] = 1;
			continue;
		}
		if (p->kind == PHRASE_CONTEXT &&
		    !has_context(m, pt, m->hits[i].first, m->hits[i].count))
			continue;
		add_evidence(m, r, pt->topic, pt->phrase, field,
			     m->tok.v[m->hits[i].first].start,
			     m->tok.v[m->hits[i].first + m->hits[i].count - 1].end -
			     m->tok.v[m->hits[i].first].start);
	}
	return 0;
}

/* Acronyms compare with the word as written: "CSE", never "cse". */
static void scan_acronyms(struct matcher *m, enum match_field field, struct match_result *r)
{
	struct acronym key, *hit, *lo, *hi;
	const char *w;
	size_t i;

	for (i = 0; m->nacr && i < m->tok.n; i++) {
		w = text_token_exact(&m->tok, i);
		key.word = w;
		hit = bsearch(&key, m->acr, m->nacr, sizeof(*m->acr), cmp_acronym);
		if (!hit)
			continue;
		/* the same acronym may be in several topics */
		for (lo = hit; lo > m->acr && !strcmp(lo[-1].word, w); lo--)
			;
		for (hi = hit; hi < m->acr + m->nacr && !strcmp(hi->word, w); hi++)
			add_evidence(m, r, hi->topic, hi->phrase, field, m->tok.v[i].start,
				     m->tok.v[i].end - m->tok.v[i].start);
		for (; lo < hit; lo++)
			add_evidence(m, r, lo->topic, lo->phrase, field, m->tok.v[i].start,
				     m->tok.v[i].end - m->tok.v[i].start);
	}
}

static int source_is_reference(const struct topics *t, const char *source)
{
	size_t i, n, k;

	if (!source)
		return 0;
	for (i = 0; i < t->reference.nsources; i++) {
		n = strlen(t->reference.sources[i]);
		for (k = 0; source[k]; k++)
			if (!strncasecmp(source + k, t->reference.sources[i], n))
				return 1;
	}
	return 0;
}

static int cmp_tag(const void *a, const void *b, void *topics)
{
	const struct match_tag *x = a, *y = b;
	const struct topics *t = topics;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return t->v[x->topic].priority < t->v[y->topic].priority ? -1 : 1;
}

/* Title first, then summary, each by position (an item read in both
 * languages gathers its evidence in two passes). Insertion sort: a few
 * entries, and already in order but for that case. */
static void sort_evidence(struct match_result *r)
{
	struct match_evidence tmp;
	size_t i, j;

	for (i = 1; i < r->nev; i++)
		for (j = i; j > 0 && (r->ev[j - 1].field > r->ev[j].field ||
				      (r->ev[j - 1].field == r->ev[j].field &&
				       r->ev[j - 1].offset > r->ev[j].offset)); j--) {
			tmp = r->ev[j];
			r->ev[j] = r->ev[j - 1];
			r->ev[j - 1] = tmp;
		}
}

static void sort_tags(struct match_result *r, const struct topics *t)
{
	size_t i, j;
	struct match_tag tmp;

	/* a handful of tags: insertion sort, no qsort_r portability worry */
	for (i = 1; i < r->ntags; i++)
		for (j = i; j > 0 && cmp_tag(&r->tags[j - 1], &r->tags[j], (void *)t) > 0; j--) {
			tmp = r->tags[j];
			r->tags[j] = r->tags[j - 1];
			r->tags[j - 1] = tmp;
		}
}

int matcher_run(struct matcher *m, const struct match_input *in, struct match_result *r)
{
	const struct topics *t = m->t;
	const char *title = in->title ? in->title : "", *summary = in->summary ? in->summary : "";
	enum text_lang lang = text_lang_from_tag(in->lang);
	size_t i, k, kept;
	double best, threshold;
	struct buf both = BUF_INIT;
	int l, ret = -1;

	r->ntags = r->nev = 0;
	r->score = r->hint = 0;
	r->include = r->reference = 0;
	memset(m->vetoed, 0, t->n);
	memset(m->hinted, 0, t->n);
	if (lang == TEXT_LANG_UNKNOWN) {
		buf_addstr(&both, title);
		buf_addch(&both, '\n');
		buf_addstr(&both, summary);
		lang = text_detect_lang(both.s, both.len);
	}
	r->lang = lang;
	for (l = 0; l < NLANGS; l++) {
		if (lang != TEXT_LANG_UNKNOWN && lang != lang_of(l))
			continue;
		if (scan_field(m, l, title, MATCH_TITLE, r) < 0)
			goto out;
		scan_acronyms(m, MATCH_TITLE, r);
		if (scan_field(m, l, summary, MATCH_SUMMARY, r) < 0)
			goto out;
		scan_acronyms(m, MATCH_SUMMARY, r);
	}
	for (i = 0; i < in->nhints; i++)
		for (k = 0; k < t->n; k++)
			if (!strcmp(t->v[k].id, in->hints[i]))
				m->hinted[k] = 1;
	/* vetoed topics lose their evidence; the rest adds up per topic */
	memset(m->scores, 0, t->n * sizeof(*m->scores));
	for (i = kept = 0; i < r->nev; i++) {
		if (m->vetoed[r->ev[i].topic])
			continue;
		m->scores[r->ev[i].topic] += r->ev[i].points;
		r->ev[kept++] = r->ev[i];
	}
	r->nev = kept;
	best = 0;
	for (k = 0; k < t->n; k++) {
		/* a feed's lean only tips a topic the item already speaks of */
		if (m->hinted[k] && m->scores[k] > 0)
			m->scores[k] += m->o.hint_bonus;
		if (m->scores[k] > best)
			best = m->scores[k];
	}
	/* a topic far below the item's main one is a mention, not a subject */
	threshold = m->o.topic_share * best;
	if (threshold < m->o.topic_min)
		threshold = m->o.topic_min;
	for (k = 0; k < t->n; k++) {
		m->tagged[k] = m->scores[k] > 0 && m->scores[k] >= threshold;
		if (!m->tagged[k])
			continue;
		xgrow(&r->tags, &r->tags_alloc, r->ntags + 1, sizeof(*r->tags));
		r->tags[r->ntags++] = (struct match_tag){ k, m->scores[k] };
		r->score += m->scores[k];
		if (m->hinted[k])
			r->hint += m->o.hint_bonus;
	}
	/* evidence of the topics not tagged is not shown as a reason */
	for (i = kept = 0; i < r->nev; i++)
		if (m->tagged[r->ev[i].topic])
			r->ev[kept++] = r->ev[i];
	r->nev = kept;
	sort_evidence(r);
	if (source_is_reference(t, in->source))
		r->reference = 1;
	if (r->reference)
		r->score -= t->reference.penalty;
	sort_tags(r, t);
	r->include = r->ntags > 0 && r->score >= m->o.min_score;
	ret = 0;
out:
	buf_release(&both);
	if (ret)
		r->ntags = r->nev = 0;
	return ret;
}

/* Orders pointers to patterns by their words, for finding duplicates. */
static int cmp_pattern_words(const void *a, const void *b)
{
	const struct pattern *x = *(const struct pattern *const *)a;
	const struct pattern *y = *(const struct pattern *const *)b;
	size_t i;

	if (x->nwords != y->nwords)
		return x->nwords < y->nwords ? -1 : 1;
	for (i = 0; i < x->nwords; i++)
		if (x->words[i] != y->words[i])
			return x->words[i] < y->words[i] ? -1 : 1;
	return 0;
}

/* 1 when the words of inner occur in order inside those of outer. */
static int contains(const struct pattern *outer, const struct pattern *inner)
{
	size_t i;

	if (!inner->nwords || inner->nwords > outer->nwords)
		return 0;
	for (i = 0; i + inner->nwords <= outer->nwords; i++)
		if (!memcmp(outer->words + i, inner->words, inner->nwords * sizeof(*inner->words)))
			return 1;
	return 0;
}

static const char *topic_name(const struct topics *t, size_t topic)
{
	return topic == REFERENCE_TOPIC ? "reference" : t->v[topic].id;
}

size_t matcher_check(const struct matcher *m, struct buf *report)
{
	const struct topics *t = m->t;
	const struct pattern *pat = m->pat[0], *x, *y, *xf, *yf;
	const struct topic_phrase *p, *q;
	const struct pattern **order;
	struct text_tokens tok;
	size_t i, j, k, problems = 0;
	int has_en, has_fr, l;

	for (k = 0; k < topics_nmandated; k++)
		if (!topics_find(t, topics_mandated[k])) {
			buf_addf(report, "%s: topic [%s] is missing (other tools rely on it)\n",
				 t->file, topics_mandated[k]);
			problems++;
		}
	for (k = 0; k < t->n; k++) {
		has_en = has_fr = 0;
		for (j = 0; j < t->v[k].n; j++) {
			has_en |= t->v[k].phrases[j].lang == PHRASE_LANG_EN;
			has_fr |= t->v[k].phrases[j].lang == PHRASE_LANG_FR;
		}
		if (!has_en || !has_fr) {
			buf_addf(report, "%s:%u: topic [%s] has no %s phrases\n", t->file,
				 t->v[k].line, t->v[k].id, has_en ? "French (fr =)" : "English (en =)");
			problems++;
		}
	}
	for (i = 0; i < m->npat; i++) {
		p = phrase_at(t, pat[i].topic, pat[i].phrase);
		for (l = 0; l < NLANGS; l++)
			if (!m->pat[l][i].nwords)
				break;
		if (l < NLANGS) {
			buf_addf(report, "%s:%u: phrase '%s' in [%s] can never match: "
				 "it has no words once normalised\n", t->file, p->line, p->text,
				 topic_name(t, pat[i].topic));
			problems++;
			continue;
		}
		if (p->kind != PHRASE_PLAIN && p->kind != PHRASE_CONTEXT)
			continue;
		for (j = 0; j < m->npat; j++) {
			q = phrase_at(t, pat[j].topic, pat[j].phrase);
			if (q->kind == PHRASE_EXCLUDE && pat[j].topic == pat[i].topic &&
			    contains(&pat[i], &pat[j])) {
				buf_addf(report, "%s:%u: phrase '%s' in [%s] can never count: "
					 "the topic's exclude '%s' (line %u) always vetoes it\n",
					 t->file, p->line, p->text, topic_name(t, pat[i].topic),
					 q->text, q->line);
				problems++;
				break;
			}
		}
	}
	/* duplicates: the same words once stemmed (English stemming) */
	order = xmalloc((m->npat ? m->npat : 1) * sizeof(*order));
	for (i = 0; i < m->npat; i++)
		order[i] = &pat[i];
	qsort(order, m->npat, sizeof(*order), cmp_pattern_words);
	for (i = 1; i < m->npat; i++) {
		x = order[i - 1];
		y = order[i];
		if (!x->nwords || cmp_pattern_words(&order[i - 1], &order[i]))
			continue;
		/* the same in English is not enough: the same in French too */
		xf = &m->pat[1][x - pat];
		yf = &m->pat[1][y - pat];
		if (cmp_pattern_words(&xf, &yf))
			continue;
		p = phrase_at(t, x->topic, x->phrase);
		q = phrase_at(t, y->topic, y->phrase);
		if ((p->kind == PHRASE_EXCLUDE) != (q->kind == PHRASE_EXCLUDE))
			continue;
		buf_addf(report, "%s:%u: phrase '%s' in [%s] duplicates '%s' in [%s] (line %u)\n",
			 t->file, q->line > p->line ? q->line : p->line,
			 q->line > p->line ? q->text : p->text,
			 topic_name(t, q->line > p->line ? y->topic : x->topic),
			 q->line > p->line ? p->text : q->text,
			 topic_name(t, q->line > p->line ? x->topic : y->topic),
			 q->line > p->line ? p->line : q->line);
		problems++;
	}
	free(order);
	/* acronyms compare with one word as written: "C-51" is two */
	text_tokens_init(&tok);
	for (i = 0; i < m->nacr; i++) {
		if (text_tokenize(m->tn, TEXT_LANG_UNKNOWN, m->acr[i].word,
				  strlen(m->acr[i].word), &tok) == 0 && tok.n == 1 &&
		    !strcmp(text_token_exact(&tok, 0), m->acr[i].word))
			continue;
		buf_addf(report, "%s:%u: acronym '%s' in [%s] can never match: it is not "
			 "one word of letters and digits (use en = or fr =)\n", t->file,
			 phrase_at(t, m->acr[i].topic, m->acr[i].phrase)->line,
			 m->acr[i].word, topic_name(t, m->acr[i].topic));
		problems++;
	}
	text_tokens_release(&tok);
	for (i = 1; i < m->nacr; i++)
		if (!strcmp(m->acr[i - 1].word, m->acr[i].word)) {
			buf_addf(report, "%s:%u: acronym '%s' is listed twice\n", t->file,
				 phrase_at(t, m->acr[i].topic, m->acr[i].phrase)->line,
				 m->acr[i].word);
			problems++;
		}
	return problems;
}
