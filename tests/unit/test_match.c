/*
 * Unit tests for src/curate/match.c: the rules of topics.ini and the scores,
 * on tests/fixtures/topics/match.ini, where each topic exercises one rule so
 * that every score below can be worked out by hand (options as in
 * config.example.ini, with a context window of 5); then matcher_check on
 * small lists written to a temporary directory, and the shipped
 * feeds/topics.ini. Run from the top of the repository.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "match.h"
#include "topics.h"
#include "xalloc.h"

#define FIXTURES "tests/fixtures/topics/"
#define SHIPPED "feeds/topics.ini"

static const struct match_options options = {
	.title_weight = 2,
	.topic_min = 1,
	.topic_share = 0.2,
	.min_score = 2,
	.hint_bonus = 0.5,
	.context_window = 5,
};

static struct topics topics;
static struct matcher *matcher;
static struct match_result res;
static char dir[] = "/tmp/nd-match-XXXXXX";
static char path[256];

static int setup(void **state)
{
	struct buf err = BUF_INIT;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/topics.ini", dir);
	if (topics_load(&topics, FIXTURES "match.ini", &err) < 0) {
		fprintf(stderr, "%s\n", err.s);
		buf_release(&err);
		return -1;
	}
	matcher = matcher_new(&topics, &options, &err);
	if (!matcher)
		fprintf(stderr, "%s\n", err.s);
	buf_release(&err);
	match_result_init(&res);
	return matcher ? 0 : -1;
}

static int teardown(void **state)
{
	match_result_release(&res);
	matcher_free(matcher);
	topics_release(&topics);
	unlink(path);
	rmdir(dir);
	return 0;
}

static size_t topic_index(const char *id)
{
	const struct topic *tp = topics_find(&topics, id);

	assert_non_null(tp);
	return (size_t)(tp - topics.v);
}

/* The invariants of every result. */
static void assert_sane_result(const struct match_result *r)
{
	double sum = 0;
	size_t i, j;

	for (i = 0; i < r->ntags; i++) {
		assert_true(r->tags[i].topic < topics.n);
		assert_true(r->tags[i].score >= options.topic_min);
		if (i)
			assert_true(r->tags[i - 1].score >= r->tags[i].score);
		sum += r->tags[i].score;
	}
	if (r->reference)
		sum -= topics.reference.penalty;
	assert_true(r->score > sum - 1e-9 && r->score < sum + 1e-9);
	assert_int_equal(r->include, r->ntags > 0 && r->score >= options.min_score);
	for (i = 0; i < r->nev; i++) {
		const struct match_evidence *e = &r->ev[i];

		assert_true(e->points > 0);
		assert_true(e->length > 0);
		assert_true(e->phrase < topics.v[e->topic].n);
		assert_int_not_equal(topics.v[e->topic].phrases[e->phrase].kind, PHRASE_EXCLUDE);
		for (j = 0; j < r->ntags; j++)
			if (r->tags[j].topic == e->topic)
				break;
		assert_true(j < r->ntags);      /* evidence only of tagged topics */
	}
}

/* Tag one item into res. */
static void run_full(const char *title, const char *summary, const char *lang,
		     const char *source, const char *const *hints, size_t nhints)
{
	struct match_input in = { title, summary, lang, source, hints, nhints };

	assert_int_equal(matcher_run(matcher, &in, &res), 0);
	assert_sane_result(&res);
}

static void run(const char *title, const char *summary, const char *lang)
{
	run_full(title, summary, lang, NULL, NULL, 0);
}

/* The score of topic id in res, or 0 when it is not tagged. */
static double score(const char *id)
{
	size_t k = topic_index(id), i;

	for (i = 0; i < res.ntags; i++)
		if (res.tags[i].topic == k)
			return res.tags[i].score;
	return 0;
}

#define assert_score(id, want) assert_float_equal(score(id), (want), 1e-9)

/* The evidence number i is phrase of topic id, in field, over the bytes
 * of text that spell want. */
static void assert_evidence(size_t i, const char *id, const char *phrase,
			    enum match_field field, const char *text, const char *want)
{
	const struct match_evidence *e;
	const struct topic *tp;

	assert_true(i < res.nev);
	e = &res.ev[i];
	tp = &topics.v[e->topic];
	assert_string_equal(tp->id, id);
	assert_string_equal(tp->phrases[e->phrase].text, phrase);
	assert_int_equal(e->field, field);
	assert_true(e->offset + e->length <= strlen(text));
	if (e->length != strlen(want) || memcmp(text + e->offset, want, e->length))
		print_error("evidence %zu: '%.*s' at %zu, want '%s'\n", i, (int)e->length,
			    text + e->offset, e->offset, want);
	assert_int_equal(e->length, strlen(want));
	assert_memory_equal(text + e->offset, want, e->length);
}

static void test_accents_case(void **state)
{
	/* phrase "sécurité nationale", a fr = line, in French and English items */
	run(NULL, "La securite nationale en question.", "fr");
	assert_score("secnat", 1);
	assert_int_equal(res.ntags, 1);
	assert_int_equal(res.lang, TEXT_LANG_FR);
	run(NULL, "A debate on SECURITE NATIONALE in Quebec", "en");
	assert_score("secnat", 1);
	assert_int_equal(res.lang, TEXT_LANG_EN);
	run("Sécurité Nationale", NULL, "en");
	assert_score("secnat", 2);
	run("Sécurité nationale", NULL, "fr");
	assert_score("secnat", 2);
	/* one word is not the phrase; nor is the phrase in the wrong order */
	run("Sécurité", "nationale securite", "fr");
	assert_int_equal(res.ntags, 0);
	assert_int_equal(res.nev, 0);
}

static void test_stemming(void **state)
{
	run(NULL, "Two detentions were reviewed", "en");
	assert_score("detain", 1);
	run(NULL, "Les détentions sont contestées", "fr");
	assert_score("detain", 1);
	run(NULL, "Detained, then released", "en");
	assert_score("detain", 0);
}

static void test_title_edges(void **state)
{
	const char *t;

	t = "Zebra crossing";
	run(t, NULL, "en");
	assert_score("zebra", 2);
	assert_int_equal(res.nev, 1);
	assert_evidence(0, "zebra", "zebra crossing", MATCH_TITLE, t, "Zebra crossing");
	t = "Zebra crossing redesigned downtown";
	run(t, NULL, "en");
	assert_score("zebra", 2);
	assert_evidence(0, "zebra", "zebra crossing", MATCH_TITLE, t, "Zebra crossing");
	t = "Downtown gets a new zebra crossing.";
	run(t, NULL, "en");
	assert_score("zebra", 2);
	assert_evidence(0, "zebra", "zebra crossing", MATCH_TITLE, t, "zebra crossing");
	t = "A new zebra crossing";        /* the very last bytes */
	run(t, NULL, "en");
	assert_score("zebra", 2);
	assert_evidence(0, "zebra", "zebra crossing", MATCH_TITLE, t, "zebra crossing");
	run("crossing zebra", "zebra, then a crossing", "en");
	assert_int_equal(res.ntags, 0);
	/* punctuation is not a word: a phrase runs across it, even across a
	 * sentence end (a limit of matching words, not of this test) */
	run(NULL, "He rode a zebra. Crossing the road was hard", "en");
	assert_score("zebra", 1);
}

static void test_title_vs_summary(void **state)
{
	run("Zebra crossing", "A new zebra crossing.", "en");
	assert_score("zebra", 3);       /* title_weight 2, plus 1 */
	assert_int_equal(res.nev, 2);
	assert_int_equal(res.ev[0].field, MATCH_TITLE);
	assert_float_equal(res.ev[0].points, 2, 1e-9);
	assert_int_equal(res.ev[1].field, MATCH_SUMMARY);
	assert_float_equal(res.ev[1].points, 1, 1e-9);
	assert_int_equal(res.include, 1);
	run(NULL, "A new zebra crossing.", "en");
	assert_score("zebra", 1);
	assert_int_equal(res.include, 0);
}

static void test_once_per_field(void **state)
{
	const char *s = "Zebra crossing, zebra crossing and one more zebra crossing";

	run(NULL, s, "en");
	assert_score("zebra", 1);
	assert_int_equal(res.nev, 1);
	assert_evidence(0, "zebra", "zebra crossing", MATCH_SUMMARY, s, "Zebra crossing");
	run("Zebra crossing, zebra crossing", s, "en");
	assert_score("zebra", 3);
	assert_int_equal(res.nev, 2);
}

/* Overlapping phrases of one topic count once, with the heaviest weight. */
static void test_overlap(void **state)
{
	const char *t = "Maher Arar speaks";

	run(t, NULL, "en");
	assert_score("arar", 4);        /* "Maher Arar ^2" in a title, not + "Arar" */
	assert_int_equal(res.nev, 1);
	assert_evidence(0, "arar", "Maher Arar", MATCH_TITLE, t, "Maher Arar");
	run(NULL, "Arar", "en");
	assert_score("arar", 1);
}

/*
 * "alpha" and "beta" do not overlap each other, but each overlaps the
 * heavier "alpha beta gamma ^3": all three are one stretch of text.
 */
static void test_overlap_chain(void **state)
{
	const char *s = "alpha beta gamma";

	run(NULL, "alpha and beta", "en");
	assert_score("chain", 2);       /* apart: each counts */
	run(NULL, "alpha beta", "en");
	assert_score("chain", 2);
	run(NULL, "beta gamma alpha", "en");
	assert_score("chain", 2);
	/* "alpha beta gamma" overlaps both lighter phrases: it alone counts */
	run(NULL, s, "en");
	assert_score("chain", 3);
	assert_int_equal(res.nev, 1);
	assert_evidence(0, "chain", "alpha beta gamma", MATCH_SUMMARY, s, s);
}

static void test_requires(void **state)
{
	run(NULL, "Drones strike a village", "en");
	assert_score("drones", 1);
	run(NULL, "an attack by drones", "en");
	assert_score("drones", 1);
	/* within 5 words either side, not 6 */
	run(NULL, "drones one two three four strike", "en");
	assert_score("drones", 1);
	run(NULL, "drones one two three four five strike", "en");
	assert_score("drones", 0);
	run(NULL, "strikes one two three four drones", "en");
	assert_score("drones", 1);
	run(NULL, "strikes one two three four five drones", "en");
	assert_score("drones", 0);
	/* without a context word; with it in the other field only */
	run("Drones deliver parcels", "Drones fly over the city", "en");
	assert_int_equal(res.ntags, 0);
	run("Drones over the city", "a strike", "en");
	assert_int_equal(res.ntags, 0);
	run("Strike", NULL, "en");
	assert_int_equal(res.ntags, 0);
}

static void test_exclude(void **state)
{
	run("Torture inquiry opens", NULL, "en");
	assert_score("torture", 2);
	/* an exclude anywhere in the item vetoes the topic, evidence and all */
	run("Torture inquiry opens", "A review of torture porn films.", "en");
	assert_int_equal(res.ntags, 0);
	assert_int_equal(res.nev, 0);
	run("Torture porn, and CAT", NULL, "en");
	assert_int_equal(res.ntags, 0);
	/* ... and only its own topic */
	run("Torture porn and detention", NULL, "en");
	assert_int_equal(res.ntags, 1);
	assert_score("detain", 2);
	assert_int_equal(res.nev, 1);
	assert_string_equal(topics.v[res.ev[0].topic].id, "detain");
}

static void test_acronym(void **state)
{
	const char *t = "UN CAT report";

	run(t, NULL, "en");
	assert_score("torture", 2);
	assert_evidence(0, "torture", "CAT", MATCH_TITLE, t, "CAT");
	run(NULL, "the CAT said", "fr");
	assert_score("torture", 1);
	run(NULL, "the CAT said", NULL);
	assert_score("torture", 1);
	run("The cat sat on the mat", NULL, "en");
	assert_int_equal(res.ntags, 0);
	run("Cat and CATS", NULL, "en");
	assert_int_equal(res.ntags, 0);
}

/* An acronym is matched as written, whatever its first letter. */
static void test_acronym_lower_first(void **state)
{
	const char *t = "New eTA rules for travellers";

	run("New ETA rules", "an eta", "en");
	assert_int_equal(res.ntags, 0);
	/* an acronym need not start with a capital */
	run(t, NULL, "en");
	assert_score("eta", 2);
	assert_evidence(0, "eta", "eTA", MATCH_TITLE, t, "eTA");
}

static void test_weights(void **state)
{
	run("Quokka", NULL, "en");
	assert_score("quokka", 1);      /* ^0.5 times title_weight 2 */
	run(NULL, "a quokka", "en");
	assert_score("quokka", 0);      /* 0.5 is below topic_min */
	assert_int_equal(res.ntags, 0);
	run(NULL, "a pelican", "en");   /* topic weight 3 */
	assert_score("pelican", 3);
	run("Pelican", NULL, "en");
	assert_score("pelican", 6);
	assert_float_equal(res.ev[0].points, 6, 1e-9);
}

static void test_topic_share(void **state)
{
	run(NULL, "a narwhal", "en");
	assert_score("narwhal", 1);
	/* walrus ^5 in a title: 10, so a topic needs 0.2 * 10 = 2 */
	run("Walrus", "a narwhal", "en");
	assert_score("walrus", 10);
	assert_score("narwhal", 0);
	assert_int_equal(res.ntags, 1);
	assert_int_equal(res.nev, 1);   /* the narwhal's evidence is gone too */
	assert_float_equal(res.score, 10, 1e-9);
	run("Walrus and narwhal", NULL, "en");
	assert_score("walrus", 10);
	assert_score("narwhal", 2);
	assert_int_equal(res.tags[0].topic, topic_index("walrus"));
	assert_int_equal(res.tags[1].topic, topic_index("narwhal"));
	assert_float_equal(res.score, 12, 1e-9);
}

static void test_hints(void **state)
{
	static const char *const hints[] = { "narwhal", "walrus", "no-such-topic" };

	run_full(NULL, "a narwhal", "en", NULL, hints, 3);
	assert_score("narwhal", 1.5);   /* hinted and spoken of */
	assert_score("walrus", 0);      /* hinted, not spoken of */
	assert_int_equal(res.ntags, 1);
	assert_float_equal(res.hint, 0.5, 1e-9);
	assert_float_equal(res.score, 1.5, 1e-9);
	assert_int_equal(res.include, 0);
	run_full("Narwhal", NULL, "en", NULL, hints, 3);
	assert_score("narwhal", 2.5);
	assert_int_equal(res.include, 1);
	run_full("Pelican", NULL, "en", NULL, hints, 3);
	assert_float_equal(res.hint, 0, 1e-9);
	assert_score("pelican", 6);
	/* the bonus counts towards the share of the best topic too */
	run_full("Walrus", "a narwhal", "en", NULL, hints, 3);
	assert_score("walrus", 10.5);
	assert_score("narwhal", 0);
	assert_float_equal(res.score, 10.5, 1e-9);
}

static void test_reference(void **state)
{
	run_full("Zebra crossing", NULL, "en", "en.WikiPedia.org", NULL, 0);
	assert_int_equal(res.reference, 1);
	assert_score("zebra", 2);       /* the topic keeps its score ... */
	assert_float_equal(res.score, -1, 1e-9);        /* ... the item loses 3 */
	assert_int_equal(res.include, 0);
	run_full("Zebra crossing explainer", "more", "en", "The Daily", NULL, 0);
	assert_int_equal(res.reference, 1);
	assert_float_equal(res.score, -1, 1e-9);
	/* a reference phrase counts in a title only */
	run_full("Zebra crossing", "an explainer", "en", "The Daily", NULL, 0);
	assert_int_equal(res.reference, 0);
	assert_float_equal(res.score, 2, 1e-9);
	assert_int_equal(res.include, 1);
	run_full("Zebra crossing", NULL, "en", NULL, NULL, 0);
	assert_int_equal(res.reference, 0);
}

/* Equal scores: the topic with the lower priority number first. */
static void test_tie_order(void **state)
{
	run("Narwhal and detention", NULL, "en");
	assert_int_equal(res.ntags, 2);
	assert_int_equal(res.tags[0].topic, topic_index("detain"));
	assert_int_equal(res.tags[1].topic, topic_index("narwhal"));
	run("Detention and narwhal", NULL, "en");
	assert_int_equal(res.tags[0].topic, topic_index("detain"));
}

static void test_include(void **state)
{
	run(NULL, "On detention", "en");
	assert_int_equal(res.ntags, 1);
	assert_float_equal(res.score, 1, 1e-9);
	assert_int_equal(res.include, 0);
	run("On detention", NULL, "en");
	assert_float_equal(res.score, 2, 1e-9);
	assert_int_equal(res.include, 1);
	run(NULL, "detention and a pelican", "en");
	assert_float_equal(res.score, 4, 1e-9);
	assert_int_equal(res.ntags, 2);
	assert_int_equal(res.tags[0].topic, topic_index("pelican"));
	assert_int_equal(res.include, 1);
	run(NULL, NULL, NULL);
	assert_int_equal(res.ntags, 0);
	assert_int_equal(res.include, 0);
	assert_int_equal(res.lang, TEXT_LANG_UNKNOWN);
}

/*
 * The two automata: phrase "running" meets "runs" only through English
 * stems, phrase "journaux" meets "journal" only through French ones.
 */
static void test_language(void **state)
{
	run(NULL, "He runs", "en");
	assert_score("lang", 1);
	run(NULL, "He runs", "fr-CA");
	assert_score("lang", 0);
	assert_int_equal(res.lang, TEXT_LANG_FR);
	run(NULL, "Le journal", "FR");
	assert_score("lang", 1);
	run(NULL, "Le journal", "en-US");
	assert_score("lang", 0);
	/* detected from stop words: French, so "runs" is not "running" */
	run("runs", "Le chat est dans les rues, et il lit le journal des sports", NULL);
	assert_int_equal(res.lang, TEXT_LANG_FR);
	assert_score("lang", 1);
	assert_int_equal(res.nev, 1);
	assert_int_equal(res.ev[0].field, MATCH_SUMMARY);
	run("journal", "The cat is in the street and it reads with the runs", NULL);
	assert_int_equal(res.lang, TEXT_LANG_EN);
	assert_score("lang", 1);
	assert_int_equal(res.ev[0].field, MATCH_SUMMARY);
	/* an unknown tag and no stop words: both automata */
	run("journal", "runs", "klingon");
	assert_int_equal(res.lang, TEXT_LANG_UNKNOWN);
	assert_score("lang", 3);
	assert_int_equal(res.nev, 2);
}

/*
 * match.h: "ev: evidence of the tagged topics: title, then summary". With
 * the language unknown the English pass (title, summary) runs before the
 * French one (title, summary), so a title phrase found only through French
 * stems comes after a summary phrase found through English ones.
 */
static void test_evidence_order_unknown_lang(void **state)
{
	run("journal", "runs", NULL);
	assert_int_equal(res.lang, TEXT_LANG_UNKNOWN);
	assert_int_equal(res.nev, 2);
	/* read in English and in French, one after the other: the title's
	 * evidence still comes first (match.h) */
	assert_int_equal(res.ev[0].field, MATCH_TITLE);
	assert_int_equal(res.ev[1].field, MATCH_SUMMARY);
}

static void test_evidence_offsets(void **state)
{
	const char *t = "Sécurité nationale : un débat";
	const char *s = "Un débat sur la SÉCURITÉ  NATIONALE, puis une spy-agency.";

	run(t, s, "fr");
	assert_int_equal(res.ntags, 1);
	assert_score("secnat", 4);
	assert_int_equal(res.nev, 3);
	assert_evidence(0, "secnat", "sécurité nationale", MATCH_TITLE, t, "Sécurité nationale");
	assert_int_equal(res.ev[0].offset, 0);
	assert_int_equal(res.ev[0].length, 20);
	assert_evidence(1, "secnat", "sécurité nationale", MATCH_SUMMARY, s,
			"SÉCURITÉ  NATIONALE");
	assert_int_equal(res.ev[1].offset, strstr(s, "SÉC") - s);
	assert_evidence(2, "secnat", "spy agency", MATCH_SUMMARY, s, "spy-agency");
}

/* A 1 MB summary, its only phrase at the very end. */
static void test_large_summary(void **state)
{
	struct buf s = BUF_INIT;
	static const char *const hints[] = { "zebra" };

	while (s.len < ((size_t)1 << 20))
		buf_addstr(&s, "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
	buf_addstr(&s, "A zebra crossing");
	run_full("Nothing here", s.s, "en", NULL, hints, 1);
	assert_score("zebra", 1.5);
	assert_evidence(0, "zebra", "zebra crossing", MATCH_SUMMARY, s.s, "zebra crossing");
	assert_int_equal(res.ev[0].offset, s.len - strlen("zebra crossing"));
	run_full("Nothing here", s.s, NULL, NULL, NULL, 0);
	assert_score("zebra", 1);
	assert_int_equal(res.ev[0].offset, s.len - strlen("zebra crossing"));
	buf_release(&s);
}

/* Past textnorm's input limit: -1 and an empty result. */
static void test_too_large(void **state)
{
	struct match_input in = { "Zebra crossing", NULL, "en", NULL, NULL, 0 };
	char *big = xmalloc(TEXT_MAX_INPUT + 2);

	memset(big, 'a', TEXT_MAX_INPUT + 1);
	big[TEXT_MAX_INPUT + 1] = '\0';
	in.summary = big;
	assert_int_equal(matcher_run(matcher, &in, &res), -1);
	assert_int_equal(res.ntags, 0);
	assert_int_equal(res.nev, 0);
	free(big);
	/* and the matcher still works */
	run("Zebra crossing", NULL, "en");
	assert_score("zebra", 2);
}

/* ---- matcher_check ---- */

/*
 * Write the 16 mandated topics, each with one en and one fr phrase of its
 * own, then extra; compile and check. Returns the number of problems, the
 * report in report, and in *first_extra the line extra starts on.
 */
static size_t check_text(const char *skip, const char *extra, struct buf *report,
			 unsigned *first_extra)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct topics t;
	struct matcher *m;
	unsigned lines = 0;
	size_t k, problems, i;
	FILE *f;

	for (k = 0; k < topics_nmandated; k++) {
		if (skip && !strcmp(skip, topics_mandated[k]))
			continue;
		buf_addf(&text, "[%s]\ntitle = T\ntitle_fr = TF\npriority = %zu\n"
			 "en = word%c english\nfr = mot%c français\n", topics_mandated[k],
			 k + 1, (int)('a' + k), (int)('a' + k));
	}
	for (i = 0; i < text.len; i++)
		lines += text.s[i] == '\n';
	*first_extra = lines + 1;
	buf_addstr(&text, extra);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text.s, f);
	assert_int_equal(fclose(f), 0);
	if (topics_load(&t, path, &err) < 0)
		print_error("%s\n", err.s);
	assert_string_equal(err.s, "");
	m = matcher_new(&t, &options, &err);
	assert_non_null(m);
	buf_reset(report);
	problems = matcher_check(m, report);
	matcher_free(m);
	topics_release(&t);
	buf_release(&text);
	buf_release(&err);
	return problems;
}

/* extra must give exactly one problem, reported as "PATH" + want, where
 * an '@' in want stands for the line extra starts on plus delta. */
static void expect_problem(const char *skip, const char *extra, unsigned delta,
			   const char *want)
{
	struct buf report = BUF_INIT, w = BUF_INIT;
	unsigned first;
	size_t n = check_text(skip, extra, &report, &first);
	const char *at = strchr(want, '@');

	buf_addstr(&w, path);
	if (at) {
		buf_add(&w, want, (size_t)(at - want));
		buf_addf(&w, "%u%s", first + delta, at + 1);
	} else {
		buf_addstr(&w, want);
	}
	buf_addch(&w, '\n');
	if (n != 1 || strcmp(report.s, w.s))
		print_error("%zu problems:\n%s", n, report.s);
	assert_int_equal(n, 1);
	assert_string_equal(report.s, w.s);
	buf_release(&report);
	buf_release(&w);
}

static void test_check_clean(void **state)
{
	struct buf report = BUF_INIT;
	unsigned first;

	assert_int_equal(check_text(NULL, "", &report, &first), 0);
	assert_string_equal(report.s, "");
	/* an exclude longer than a phrase vetoes only some of its matches */
	assert_int_equal(check_text(NULL, "[extra]\ntitle = X\ntitle_fr = X\npriority = 17\n"
				    "en = drone strike\nfr = frappe de drone\n"
				    "exclude = drone strike game\n", &report, &first), 0);
	assert_string_equal(report.s, "");
	buf_release(&report);
}

#define EXTRA_HEAD "[extra]\ntitle = X\ntitle_fr = X\npriority = 17\n"

static void test_check_no_words(void **state)
{
	expect_problem(NULL, EXTRA_HEAD "en = fine phrase\nfr = phrase fine; !!!\n", 5,
		       ":@: phrase '!!!' in [extra] can never match: "
		       "it has no words once normalised");
	expect_problem(NULL, EXTRA_HEAD "en = fine phrase\nfr = phrase fine\n"
		       "requires = ' => strike\n", 6,
		       ":@: phrase ''' in [extra] can never match: "
		       "it has no words once normalised");
}

static void test_check_acronym_not_a_word(void **state)
{
	expect_problem(NULL, EXTRA_HEAD "en = fine phrase\nfr = phrase fine\nacronym = C-51\n", 6,
		       ":@: acronym 'C-51' in [extra] can never match: it is not one word "
		       "of letters and digits (use en = or fr =)");
}

static void test_check_duplicate(void **state)
{
	expect_problem(NULL, EXTRA_HEAD "en = detention\nfr = phrase fine\nen = Détentions\n",
		       6, ":@: phrase 'Détentions' in [extra] duplicates 'detention' "
		       "in [extra] (line 101)");
	/* across topics: names both */
	expect_problem(NULL, EXTRA_HEAD "en = detention\nfr = phrase fine\n"
		       "[other]\ntitle = O\ntitle_fr = O\npriority = 18\n"
		       "en = other words\nfr = DETENTIONS\n", 11,
		       ":@: phrase 'DETENTIONS' in [other] duplicates 'detention' "
		       "in [extra] (line 101)");
}

static void test_check_vetoed(void **state)
{
	expect_problem(NULL, EXTRA_HEAD "en = fine phrase; torture porn films\nfr = phrase fine\n"
		       "exclude = torture porn\n", 4,
		       ":@: phrase 'torture porn films' in [extra] can never count: "
		       "the topic's exclude 'torture porn' (line 103) always vetoes it");
}

static void test_check_mandated(void **state)
{
	expect_problem("drones", "", 0, ": topic [drones] is missing (other tools rely on it)");
}

static void test_check_languages(void **state)
{
	expect_problem(NULL, EXTRA_HEAD "en = only english\nacronym = ONLY\n", 0,
		       ":@: topic [extra] has no French (fr =) phrases");
	expect_problem(NULL, EXTRA_HEAD "fr = seulement français\n", 0,
		       ":@: topic [extra] has no English (en =) phrases");
}

/* A phrase beyond the automaton's 16 words: matcher_new refuses the list. */
static void test_too_many_words(void **state)
{
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *phrase = "a b c d e f g h i j k l m n o p q";
	struct topics t;
	struct matcher *m;
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "[x]\ntitle = X\ntitle_fr = X\npriority = 1\nen = ok\nfr = %s\n", phrase);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(topics_load(&t, path, &err), 0);
	m = matcher_new(&t, &options, &err);
	assert_null(m);
	buf_addf(&want, "%s:6: phrase '%s' has more than 16 words", path, phrase);
	assert_string_equal(err.s, want.s);
	topics_release(&t);
	buf_release(&err);
	buf_release(&want);
}

static void test_shipped(void **state)
{
	struct topics t;
	struct buf err = BUF_INIT, report = BUF_INIT;
	struct matcher *m;
	struct match_result r;
	struct match_input in = {
		"Harkat loses bid to quash security certificate", NULL, "en", NULL, NULL, 0
	};

	if (topics_load(&t, SHIPPED, &err) < 0)
		print_error("%s\n", err.s);
	assert_int_equal(err.len, 0);
	m = matcher_new(&t, &options, &err);
	if (!m)
		print_error("%s\n", err.s);
	assert_non_null(m);
	assert_true(matcher_phrases(m) > 16);
	if (matcher_check(m, &report))
		print_error("%s", report.s);
	assert_int_equal(matcher_check(m, &report), 0);
	assert_string_equal(report.s, "");
	/* and it tags the obvious */
	match_result_init(&r);
	assert_int_equal(matcher_run(m, &in, &r), 0);
	assert_true(r.ntags >= 1);
	assert_string_equal(t.v[r.tags[0].topic].id, "security-certificates");
	assert_int_equal(r.include, 1);
	match_result_release(&r);
	matcher_free(m);
	topics_release(&t);
	buf_release(&err);
	buf_release(&report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accents_case),
		cmocka_unit_test(test_stemming),
		cmocka_unit_test(test_title_edges),
		cmocka_unit_test(test_title_vs_summary),
		cmocka_unit_test(test_once_per_field),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_overlap_chain),
		cmocka_unit_test(test_requires),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_acronym),
		cmocka_unit_test(test_acronym_lower_first),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_topic_share),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_tie_order),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_language),
		cmocka_unit_test(test_evidence_order_unknown_lang),
		cmocka_unit_test(test_evidence_offsets),
		cmocka_unit_test(test_large_summary),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_check_clean),
		cmocka_unit_test(test_check_no_words),
		cmocka_unit_test(test_check_acronym_not_a_word),
		cmocka_unit_test(test_check_duplicate),
		cmocka_unit_test(test_check_vetoed),
		cmocka_unit_test(test_check_mandated),
		cmocka_unit_test(test_check_languages),
		cmocka_unit_test(test_too_many_words),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
