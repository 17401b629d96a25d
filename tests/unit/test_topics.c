/*
 * Unit tests for src/curate/topics.c: a good file with every key
 * (tests/fixtures/topics/good.ini), then one broken file per error, each
 * written to a temporary directory so that its line numbers sit next to
 * the expected message, and the shipped feeds/topics.ini. Run from the top
 * of the repository.
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
#include "topics.h"

#define FIXTURES "tests/fixtures/topics/"
#define SHIPPED "feeds/topics.ini"

static char dir[] = "/tmp/nd-topics-XXXXXX";
static char path[256];

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/topics.ini", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A failed load leaves t as topics_init made it. */
static void assert_released(const struct topics *t)
{
	assert_null(t->file);
	assert_null(t->v);
	assert_int_equal(t->n, 0);
	assert_null(t->reference.sources);
	assert_null(t->reference.phrases);
}

/* Every topic a load accepts keeps these. */
static void assert_sane_topics(const struct topics *t)
{
	size_t i, j;

	assert_non_null(t->file);
	assert_true(t->n > 0 && t->n <= TOPICS_MAX_TOPICS);
	for (i = 0; i < t->n; i++) {
		const struct topic *tp = &t->v[i];
		size_t plain = 0;

		assert_non_null(tp->id);
		assert_non_null(tp->title);
		assert_non_null(tp->title_fr);
		assert_true(tp->priority >= 1 && tp->priority <= TOPICS_MAX_TOPICS);
		assert_true(tp->weight >= 0.01 && tp->weight <= 100);
		assert_true(tp->line > 0);
		assert_ptr_equal(topics_find(t, tp->id), tp);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(t->v[j].id, tp->id);
			assert_int_not_equal(t->v[j].priority, tp->priority);
		}
		for (j = 0; j < tp->n; j++) {
			const struct topic_phrase *p = &tp->phrases[j];

			assert_non_null(p->text);
			assert_true(p->text[0] != '\0');
			assert_true(strlen(p->text) <= TOPICS_MAX_PHRASE);
			assert_null(strchr(p->text, '^'));
			assert_true(p->weight >= 0.01 && p->weight <= 100);
			assert_true(p->line > tp->line);
			assert_int_equal(p->kind == PHRASE_CONTEXT, p->context != NULL);
			plain += p->kind != PHRASE_EXCLUDE;
		}
		assert_true(plain > 0);
	}
}

/* Load text from the temporary file; the message, if any, is in err. */
static int load_text(struct topics *t, const char *text, struct buf *err)
{
	write_file(text);
	buf_reset(err);
	return topics_load(t, path, err);
}

/* text must fail with "cannot parse 'PATH': line LINE: WHAT". */
static void expect_error(const char *text, unsigned line, const char *what)
{
	struct topics t;
	struct buf err = BUF_INIT, want = BUF_INIT;

	buf_addf(&want, "cannot parse '%s': line %u: %s", path, line, what);
	if (load_text(&t, text, &err) != -1 || strcmp(err.s, want.s))
		print_error("file:\n%s\ngave: %s\n", text, err.s);
	assert_int_equal(load_text(&t, text, &err), -1);
	assert_string_equal(err.s, want.s);
	assert_released(&t);
	buf_release(&want);
	buf_release(&err);
}

/* A topic that loads, to put before or after a broken one. */
#define OK_TOPIC(id, prio) \
	"[" id "]\ntitle = T\ntitle_fr = TF\npriority = " prio "\nen = " id " words\n"

static void test_good_file(void **state)
{
	struct topics t;
	struct buf err = BUF_INIT;
	const struct topic *a, *b;
	const struct topic_phrase *p;
	static const struct {
		const char *text;
		enum topic_phrase_kind kind;
		enum topic_phrase_lang lang;
		double weight;
		unsigned line;
	} want[] = {
		{ "first phrase", PHRASE_PLAIN, PHRASE_LANG_EN, 1, 10 },
		{ "second phrase", PHRASE_PLAIN, PHRASE_LANG_EN, 2, 10 },
		{ "third phrase", PHRASE_PLAIN, PHRASE_LANG_EN, 1, 11 },
		{ "première phrase", PHRASE_PLAIN, PHRASE_LANG_FR, 1, 12 },
		{ "deuxième phrase", PHRASE_PLAIN, PHRASE_LANG_FR, 0.5, 12 },
		{ "troisième phrase", PHRASE_PLAIN, PHRASE_LANG_FR, 1, 13 },
		{ "ABC", PHRASE_ACRONYM, PHRASE_LANG_ANY, 0.5, 14 },
		{ "DEF", PHRASE_ACRONYM, PHRASE_LANG_ANY, 1, 14 },
		{ "drones", PHRASE_CONTEXT, PHRASE_LANG_ANY, 1, 15 },
		{ "UAV", PHRASE_CONTEXT, PHRASE_LANG_ANY, 3, 15 },
		{ "drone delivery", PHRASE_EXCLUDE, PHRASE_LANG_ANY, 1, 16 },
		{ "light show", PHRASE_EXCLUDE, PHRASE_LANG_ANY, 1, 16 },
	};
	size_t i;

	if (topics_load(&t, FIXTURES "good.ini", &err) < 0)
		print_error("%s\n", err.s);
	assert_string_equal(err.s, "");
	assert_sane_topics(&t);
	assert_string_equal(t.file, FIXTURES "good.ini");
	assert_int_equal(t.n, 2);

	a = &t.v[0];
	assert_ptr_equal(topics_find(&t, "alpha"), a);
	assert_string_equal(a->title, "Alpha topic");
	assert_string_equal(a->title_fr, "Sujet alpha");
	assert_int_equal(a->priority, 2);
	assert_true(a->weight == 1.5);
	assert_int_equal(a->line, 5);
	assert_int_equal(a->n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < a->n; i++) {
		p = &a->phrases[i];
		assert_string_equal(p->text, want[i].text);
		assert_int_equal(p->kind, want[i].kind);
		assert_int_equal(p->lang, want[i].lang);
		assert_true(p->weight == want[i].weight);
		assert_int_equal(p->line, want[i].line);
		if (p->kind == PHRASE_CONTEXT)
			assert_string_equal(p->context, "strike; armed attack");
		else
			assert_null(p->context);
	}

	b = &t.v[1];
	assert_ptr_equal(topics_find(&t, "beta-2"), b);
	assert_string_equal(b->title_fr, "Bêta");
	assert_int_equal(b->priority, 1);
	assert_true(b->weight == 1.0);
	assert_int_equal(b->line, 18);
	assert_int_equal(b->n, 1);
	assert_null(topics_find(&t, "reference"));
	assert_null(topics_find(&t, "beta"));

	assert_int_equal(t.reference.nsources, 2);
	assert_string_equal(t.reference.sources[0], "wikipedia");
	assert_string_equal(t.reference.sources[1], "Encyclopedia");
	assert_int_equal(t.reference.n, 2);
	assert_string_equal(t.reference.phrases[0].text, "what is");
	assert_true(t.reference.phrases[0].weight == 1.0);
	assert_string_equal(t.reference.phrases[1].text, "explainer");
	assert_true(t.reference.phrases[1].weight == 2.0);
	assert_int_equal(t.reference.phrases[1].line, 26);
	assert_true(t.reference.penalty == 4.5);

	topics_release(&t);
	assert_released(&t);
	topics_release(&t);     /* twice is harmless */
	buf_release(&err);
}

/* A byte order mark, CRLF line ends, no final newline, [reference] first. */
static void test_bom_crlf(void **state)
{
	struct topics t;
	struct buf err = BUF_INIT;

	assert_int_equal(load_text(&t, "\xef\xbb\xbf[reference]\r\npenalty = 1\r\n\r\n"
				   "[a]\r\ntitle = A\r\ntitle_fr = A fr\r\npriority = 1\r\n"
				   "en = x ^2\r\nfr = y", &err), 0);
	assert_sane_topics(&t);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].title_fr, "A fr");
	assert_int_equal(t.v[0].line, 4);
	assert_string_equal(t.v[0].phrases[0].text, "x");
	assert_true(t.v[0].phrases[0].weight == 2.0);
	assert_string_equal(t.v[0].phrases[1].text, "y");
	assert_int_equal(t.v[0].phrases[1].line, 9);
	assert_true(t.reference.penalty == 1.0);
	topics_release(&t);
	buf_release(&err);
}

static void test_unknown_key(void **state)
{
	expect_error("[a]\ntitle = A\nwieght = 2\n", 3,
		     "unknown key 'wieght' in [a] (title, title_fr, priority, weight, "
		     "en, fr, acronym, requires, exclude)");
	expect_error(OK_TOPIC("a", "1") "\n[reference]\nsource = wiki\nweight = 1\n", 9,
		     "unknown key 'weight' in [reference] (source, phrase, penalty)");
	expect_error(OK_TOPIC("a", "1") "[reference]\nen = what is\n", 7,
		     "unknown key 'en' in [reference] (source, phrase, penalty)");
}

static void test_outside_section(void **state)
{
	expect_error("# topics\n\ntitle = A\n" OK_TOPIC("a", "1"), 3,
		     "'title' is outside any [section]");
	expect_error("just words\n", 1, "expected '[topic-id]' or 'key = value'");
	expect_error(OK_TOPIC("a", "1") "[b\n", 6, "expected '[topic-id]'");
	expect_error(OK_TOPIC("a", "1") "[b] x\n", 6, "expected '[topic-id]'");
}

/* Missing parts are found when the topic ends: at the next section or at
 * the end of the file; the message names the topic's header line. */
static void test_incomplete_topic(void **state)
{
	expect_error(OK_TOPIC("a", "1") "\n[b]\ntitle_fr = B\npriority = 2\nen = b\n"
		     OK_TOPIC("c", "3"), 7, "topic [b] has no title");
	expect_error(OK_TOPIC("a", "1") "[b]\ntitle = B\npriority = 2\nen = b\n", 6,
		     "topic [b] has no title_fr");
	expect_error("[b]\ntitle = B\ntitle_fr = B\nen = b\n[reference]\npenalty = 1\n", 1,
		     "topic [b] has no priority");
	expect_error("[b]\ntitle = B\ntitle_fr = B\npriority = 1\n", 1,
		     "topic [b] has no phrases (en =, fr =, acronym = or requires =)");
	/* an exclude alone is no phrase */
	expect_error("[b]\ntitle = B\ntitle_fr = B\npriority = 1\nexclude = x\n"
		     OK_TOPIC("a", "2"), 1,
		     "topic [b] has no phrases (en =, fr =, acronym = or requires =)");
	/* an acronym alone, or a rule alone, is enough */
	expect_error("[b]\ntitle = B\ntitle_fr = B\npriority = 1\nacronym = BB\n"
		     "[c]\ntitle = C\ntitle_fr = C\npriority = 2\nrequires = c => d\n"
		     "[d]\n", 11, "topic [d] has no title");
	expect_error("[b]\ntitle = B\ntitle =  Again\n", 3, "'title' is set twice in [b]");
	expect_error("[b]\ntitle_fr =\n", 2, "'title_fr' is empty");
	expect_error("[b]\npriority = 1\npriority = 2\n", 3, "'priority' is set twice in [b]");
}

static void test_duplicates(void **state)
{
	expect_error(OK_TOPIC("a", "1") OK_TOPIC("b", "2") "\n" OK_TOPIC("a", "3"), 12,
		     "topic [a] is defined twice (first on line 1)");
	expect_error(OK_TOPIC("a", "1") OK_TOPIC("b", "2") "\n" OK_TOPIC("c", "1"), 12,
		     "topics [a] and [c] have the same priority 1");
	/* the last topic too, checked at the end of the file */
	expect_error(OK_TOPIC("a", "7") OK_TOPIC("b", "7"), 6,
		     "topics [a] and [b] have the same priority 7");
}

static void test_bad_values(void **state)
{
	expect_error("[Bad_Id]\n", 1,
		     "bad topic id [Bad_Id] (lower-case letters, digits and '-')");
	expect_error(OK_TOPIC("a", "1") "[-b]\n", 6,
		     "bad topic id [-b] (lower-case letters, digits and '-')");
	expect_error("[ ]\n", 1, "bad topic id [] (lower-case letters, digits and '-')");
	expect_error("[a]\nen = torture ^x\n", 2,
		     "bad weight 'x' (a number from 0.01 to 100 after '^')");
	expect_error("[a]\nen = torture ^0\n", 2,
		     "bad weight '0' (a number from 0.01 to 100 after '^')");
	expect_error("[a]\nen = torture ^101\n", 2,
		     "bad weight '101' (a number from 0.01 to 100 after '^')");
	expect_error("[a]\nen = torture ^\n", 2,
		     "bad weight '' (a number from 0.01 to 100 after '^')");
	expect_error("[a]\nweight = heavy\n", 2, "weight must be a number from 0.01 to 100");
	expect_error("[a]\npriority = 0\n", 2, "priority must be a whole number from 1 to 256");
	expect_error("[a]\npriority = 1.5\n", 2, "priority must be a whole number from 1 to 256");
	expect_error("[a]\npriority = 257\n", 2, "priority must be a whole number from 1 to 256");
	expect_error("[reference]\npenalty = -1\n", 2, "penalty must be a number from 0 to 1000");
	expect_error("[reference]\nsource = a;;b\n", 2, "empty source (two ';' in a row?)");
}

static void test_bad_phrases(void **state)
{
	const char *empty = "empty phrase (two ';' in a row, or a ';' at an end?)";

	expect_error("[a]\nen = one;;two\n", 2, empty);
	expect_error("[a]\nen = one; ; two\n", 2, empty);
	expect_error("[a]\n\nfr = one;\n", 3, empty);
	expect_error("[a]\nen =\n", 2, empty);
	expect_error("[a]\nen = ^2\n", 2, empty);
	expect_error("[a]\nacronym = CSIS; CSE CST\n", 2,
		     "acronym 'CSE CST' is more than one word (use en = or fr =)");
	expect_error("[a]\nacronym = CSE\tCST ^2\n", 2,
		     "acronym 'CSE\tCST' is more than one word (use en = or fr =)");
	expect_error("[a]\nrequires = drones strike\n", 2,
		     "requires needs 'PHRASES => CONTEXT WORDS'");
	expect_error("[a]\nrequires = drones =>\n", 2, "empty context word after '=>'");
	expect_error("[a]\nrequires = drones => strike;\n", 2,
		     "empty context word after '=>'");
	expect_error("[a]\nrequires = => strike\n", 2, empty);
	expect_error("[reference]\nphrase = what is;\n", 2, empty);
}

/* Lines up to TOPICS_MAX_LINE bytes (without the newline) and phrases up to
 * TOPICS_MAX_PHRASE bytes are taken; one byte more is an error. */
static void test_limits(void **state)
{
	struct topics t;
	struct buf err = BUF_INIT, text = BUF_INIT, phrase = BUF_INIT, line = BUF_INIT;
	size_t i;

	/* a comment of exactly TOPICS_MAX_LINE bytes, last in the file too */
	buf_addch(&line, '#');
	for (i = 1; i < TOPICS_MAX_LINE; i++)
		buf_addch(&line, 'x');
	buf_addf(&text, "%s\n" OK_TOPIC("a", "1") "%s", line.s, line.s);
	assert_int_equal(load_text(&t, text.s, &err), 0);
	topics_release(&t);

	buf_reset(&text);
	buf_addstr(&text, OK_TOPIC("a", "1") "#");
	for (i = 0; i < TOPICS_MAX_LINE; i++)
		buf_addch(&text, 'x');
	buf_addstr(&text, "\nen = more\n");
	expect_error(text.s, 6, "line longer than 4096 bytes");
	/* the same at the end of a file without a final newline */
	buf_setlen(&text, text.len - strlen("\nen = more\n"));
	expect_error(text.s, 6, "line longer than 4096 bytes");

	for (i = 0; i < TOPICS_MAX_PHRASE; i++)
		buf_addch(&phrase, i % 10 == 5 ? ' ' : 'p');
	buf_reset(&text);
	buf_addf(&text, "[a]\ntitle = A\ntitle_fr = A\npriority = 1\nen = %s ^2\n", phrase.s);
	assert_int_equal(load_text(&t, text.s, &err), 0);
	assert_int_equal(strlen(t.v[0].phrases[0].text), TOPICS_MAX_PHRASE);
	topics_release(&t);

	buf_addch(&phrase, 'p');
	buf_reset(&text);
	buf_addf(&text, "[a]\ntitle = A\ntitle_fr = A\n\nen = short; %s\n", phrase.s);
	expect_error(text.s, 5, "phrase longer than 200 bytes");

	/* TOPICS_MAX_TOPICS topics load, one more does not */
	buf_reset(&text);
	for (i = 1; i <= TOPICS_MAX_TOPICS; i++)
		buf_addf(&text, "[t%zu]\ntitle = T\ntitle_fr = T\npriority = %zu\nen = w%zu\n",
			 i, i, i);
	assert_int_equal(load_text(&t, text.s, &err), 0);
	assert_int_equal(t.n, TOPICS_MAX_TOPICS);
	topics_release(&t);
	buf_addstr(&text, "[one-more]\n");
	expect_error(text.s, 5 * TOPICS_MAX_TOPICS + 1, "more than 256 topics");

	buf_release(&line);
	buf_release(&phrase);
	buf_release(&text);
	buf_release(&err);
}

static void test_missing_file(void **state)
{
	struct topics t;
	struct buf err = BUF_INIT, want = BUF_INIT;
	char missing[300];

	snprintf(missing, sizeof(missing), "%s/nope.ini", dir);
	assert_int_equal(topics_load(&t, missing, &err), -1);
	buf_addf(&want, "cannot read '%s': No such file or directory", missing);
	assert_string_equal(err.s, want.s);
	assert_released(&t);

	/* a directory opens but does not read */
	buf_reset(&err);
	assert_int_equal(topics_load(&t, dir, &err), -1);
	buf_reset(&want);
	buf_addf(&want, "cannot read '%s': Is a directory", dir);
	assert_string_equal(err.s, want.s);
	assert_released(&t);

	buf_reset(&err);
	assert_int_equal(load_text(&t, "# nothing but comments\n\n", &err), -1);
	buf_reset(&want);
	buf_addf(&want, "cannot parse '%s': no topics", path);
	assert_string_equal(err.s, want.s);
	assert_released(&t);
	buf_release(&want);
	buf_release(&err);
}

static void test_shipped(void **state)
{
	struct topics t;
	struct buf err = BUF_INIT;
	const struct topic *tp;
	size_t k;

	if (topics_load(&t, SHIPPED, &err) < 0)
		print_error("%s\n", err.s);
	assert_string_equal(err.s, "");
	assert_sane_topics(&t);
	assert_int_equal(topics_nmandated, 16);
	assert_int_equal(t.n, topics_nmandated);
	for (k = 0; k < topics_nmandated; k++) {
		tp = topics_find(&t, topics_mandated[k]);
		if (!tp)
			print_error("missing [%s]\n", topics_mandated[k]);
		assert_non_null(tp);
		assert_true(tp->title[0] != '\0');
		assert_true(tp->title_fr[0] != '\0');
		/* unique priorities: checked by assert_sane_topics */
	}
	assert_true(t.reference.penalty > 0);
	topics_release(&t);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_outside_section),
		cmocka_unit_test(test_incomplete_topic),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_phrases),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
