#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textnorm.h"
#include "xalloc.h"

struct fix {
	struct text_norm *tn;
	struct text_tokens t;
	struct buf joined;
};

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));

	f->tn = text_norm_new();
	if (!f->tn)
		return -1;
	text_tokens_init(&f->t);
	buf_init(&f->joined, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	text_norm_free(f->tn);
	text_tokens_release(&f->t);
	buf_release(&f->joined);
	free(f);
	return 0;
}

/* Is utf8[0..len) valid UTF-8 (no surrogates, no overlongs)? */
static int valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		if (i + n >= len)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Invariants of a token list made from in[0..len). */
static void assert_sane(const struct text_tokens *t, const char *in, size_t len)
{
	size_t i, prev_end = 0;

	assert_non_null(t->pool.s);
	assert_int_equal(t->pool.s[t->pool.len], '\0');
	assert_true(t->n <= t->alloc || t->n == 0);
	for (i = 0; i < t->n; i++) {
		const struct text_token *k = &t->v[i];
		const char *stem = text_token_stem(t, i);
		const char *exact = text_token_exact(t, i);

		assert_true(k->start < k->end);
		assert_true(k->end <= len);
		assert_true(k->start >= prev_end);
		/* separated from the previous word */
		if (i > 0)
			assert_true(k->start > prev_end);
		prev_end = k->end;
		assert_true(k->stem < t->pool.len);
		assert_true(k->exact < t->pool.len);
		assert_true(strlen(stem) > 0);
		assert_true(strlen(exact) > 0);
		assert_true(k->stem + strlen(stem) < t->pool.len + 1);
		assert_true(valid_utf8(stem, strlen(stem)));
		assert_true(valid_utf8(exact, strlen(exact)));
		assert_true(strlen(exact) <= 4 * TEXT_MAX_WORD);
		/* a word starts and ends on a character of the input */
		assert_true(valid_utf8(in + k->start, k->end - k->start));
		assert_true(in[k->start] != ' ' && in[k->end - 1] != ' ');
	}
}

static int tokenize(struct fix *f, enum text_lang lang, const char *s)
{
	int rc = text_tokenize(f->tn, lang, s, strlen(s), &f->t);

	assert_sane(&f->t, s, strlen(s));
	return rc;
}

/* The stems (or exact forms) of s, joined by single spaces. */
static const char *join(struct fix *f, enum text_lang lang, const char *s,
			int exact)
{
	size_t i;

	assert_int_equal(tokenize(f, lang, s), 0);
	buf_reset(&f->joined);
	for (i = 0; i < f->t.n; i++) {
		if (i)
			buf_addch(&f->joined, ' ');
		buf_addstr(&f->joined, exact ? text_token_exact(&f->t, i)
				       : text_token_stem(&f->t, i));
	}
	return f->joined.s;
}

static const char *stems(struct fix *f, enum text_lang lang, const char *s)
{
	return join(f, lang, s, 0);
}

static const char *exacts(struct fix *f, enum text_lang lang, const char *s)
{
	return join(f, lang, s, 1);
}

static void check_stems(struct fix *f, enum text_lang lang, const char *s,
			const char *want)
{
	const char *got = stems(f, lang, s);

	if (strcmp(got, want))
		print_error("stems(%d, '%s') gave '%s', want '%s'\n", (int)lang,
			    s, got, want);
	assert_string_equal(got, want);
}

/* Do a and b give the same stems in lang? */
static int same(struct fix *f, enum text_lang lang, const char *a,
		const char *b)
{
	char *sa = xstrdup(stems(f, lang, a));
	int eq = !strcmp(sa, stems(f, lang, b));

	if (!eq)
		print_message("'%s' -> '%s', '%s' -> '%s'\n", a, sa, b,
			      f->joined.s);
	free(sa);
	return eq;
}

static void test_accents(void **state)
{
	struct fix *f = *state;
	static const char *fr_pairs[][2] = {
		{ "sécurité", "securite" },
		{ "SÉCURITÉ", "SECURITE" },
		{ "sécurité", "Sécurite" },
		{ "cybersécurité", "cybersecurite" },
		{ "État", "Etat" },
		{ "arrêtée", "arretee" },
		{ "arrêtés", "arretes" },
		{ "surveillée", "surveillee" },
		{ "surveillées", "surveillees" },
		{ "données", "donnees" },
		{ "identité", "identite" },
		{ "autorités", "autorites" },
		{ "université", "universite" },
		{ "société", "societe" },
		{ "liberté", "liberte" },
		{ "première", "premiere" },
		{ "frontières", "frontieres" },
		{ "policière", "policiere" },
		{ "privée", "privee" },
		{ "élections", "elections" },
		{ "présidente", "presidente" },
		{ "ministère", "ministere" },
		{ "économie", "economie" },
		{ "défense", "defense" },
		{ "réfugiée", "refugiee" },
		{ "arrivèrent", "arriverent" },
		/* endings that must not be given accents */
		{ "différent", "different" },
		{ "différente", "differente" },
		{ "parfaites", "parfaite" },
	};
	size_t i;

	for (i = 0; i < sizeof(fr_pairs) / sizeof(*fr_pairs); i++)
		assert_true(same(f, TEXT_LANG_FR, fr_pairs[i][0], fr_pairs[i][1]));
	check_stems(f, TEXT_LANG_FR, "sécurité securite", "secur secur");
	check_stems(f, TEXT_LANG_FR, "candidat mandat attentat résultat",
		    "candidat mandat attentat resultat");
	check_stems(f, TEXT_LANG_FR, "surveillée surveillance", "surveil surveil");
	/* known misses, documented in textnorm.c: Snowball needs the accent */
	assert_false(same(f, TEXT_LANG_FR, "réfugié", "refugie"));
	assert_false(same(f, TEXT_LANG_FR, "caméra", "camera"));

	check_stems(f, TEXT_LANG_UNKNOWN, "sécurité securite SÉCURITÉ",
		    "securite securite securite");
	/* decomposed input: e + U+0301 */
	check_stems(f, TEXT_LANG_UNKNOWN, "se\xcc\x81\x63urite\xcc\x81", "securite");
	check_stems(f, TEXT_LANG_FR, "se\xcc\x81\x63urite\xcc\x81", "secur");
	check_stems(f, TEXT_LANG_EN, "café cafe Café naïve naive",
		    "cafe cafe cafe naiv naiv");
}

static void test_ligatures(void **state)
{
	struct fix *f = *state;

	check_stems(f, TEXT_LANG_UNKNOWN, "cœur coeur CŒUR Cœur", "coeur coeur coeur coeur");
	check_stems(f, TEXT_LANG_UNKNOWN, "æther Æther", "aether aether");
	assert_true(same(f, TEXT_LANG_FR, "œuvres", "oeuvres"));
	assert_true(same(f, TEXT_LANG_FR, "sœur", "soeur"));
	check_stems(f, TEXT_LANG_UNKNOWN, "\xef\xac\x81nance", "finance");
	assert_true(same(f, TEXT_LANG_EN, "\xef\xac\x81nance", "finance"));
	check_stems(f, TEXT_LANG_EN, "\xef\xac\x81nances", "financ");
	/* full-width letters and digits */
	check_stems(f, TEXT_LANG_UNKNOWN,
		    "\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x8c\xef\xbd\x8c \xef\xbc\x95\xef\xbc\x91",
		    "full 51");
	/* the exact form keeps what was written */
	assert_string_equal(exacts(f, TEXT_LANG_FR, "Cœur \xef\xac\x81n"),
			    "Cœur \xef\xac\x81n");
}

static void test_apostrophes(void **state)
{
	struct fix *f = *state;

	check_stems(f, TEXT_LANG_FR, "l'État", "l etat");
	assert_string_equal(exacts(f, TEXT_LANG_FR, "l'État"), "l État");
	check_stems(f, TEXT_LANG_FR, "aujourd’hui", "aujourd hui");
	check_stems(f, TEXT_LANG_UNKNOWN, "l\xca\xbc\xc3\x89tat", "l etat");
	check_stems(f, TEXT_LANG_UNKNOWN, "qu‘il «oui» don't", "qu il oui don t");
	check_stems(f, TEXT_LANG_FR, "d'arrêter l’enquête", "d arret l enquet");
}

static void test_case_folding(void **state)
{
	struct fix *f = *state;

	check_stems(f, TEXT_LANG_UNKNOWN, "Straße STRASSE strasse",
		    "strasse strasse strasse");
	check_stems(f, TEXT_LANG_UNKNOWN, "İstanbul ISTANBUL", "istanbul istanbul");
	check_stems(f, TEXT_LANG_EN, "İstanbul", "istanbul");
	check_stems(f, TEXT_LANG_FR, "İİİ ß ẞ", "iii ss ss");
	check_stems(f, TEXT_LANG_UNKNOWN, "ΟΔΟΣ Οδός", "οδοσ οδοσ");
	check_stems(f, TEXT_LANG_UNKNOWN, "MiXeD", "mixed");
	assert_string_equal(exacts(f, TEXT_LANG_UNKNOWN, "MiXeD İstanbul"),
			    "MiXeD İstanbul");
}

static void test_hyphens_digits(void **state)
{
	struct fix *f = *state;

	check_stems(f, TEXT_LANG_EN, "C-51", "c 51");
	assert_string_equal(exacts(f, TEXT_LANG_EN, "C-51"), "C 51");
	check_stems(f, TEXT_LANG_EN, "anti-terrorism", "anti terror");
	check_stems(f, TEXT_LANG_EN, "anti‑terrorism", "anti terror"); /* U+2011 */
	check_stems(f, TEXT_LANG_EN, "COVID19 3,5 % 2024-05-01",
		    "covid19 3 5 2024 05 01");
	check_stems(f, TEXT_LANG_FR, "projet de loi C‑2 — adopté",
		    "projet de loi c 2 adopt");
	check_stems(f, TEXT_LANG_UNKNOWN, "x²=½", "x2 1⁄2");
	check_stems(f, TEXT_LANG_UNKNOWN, "a_b a.b a/b a@b", "a b a b a b a b");
}

static void test_stemming_en(void **state)
{
	struct fix *f = *state;

	/* what Snowball English really does */
	check_stems(f, TEXT_LANG_EN, "detained detain detains detaining",
		    "detain detain detain detain");
	check_stems(f, TEXT_LANG_EN, "detention", "detent");
	assert_false(same(f, TEXT_LANG_EN, "detained", "detention"));
	check_stems(f, TEXT_LANG_EN, "terrorism terrorist terrorists",
		    "terror terrorist terrorist");
	assert_false(same(f, TEXT_LANG_EN, "terrorism", "terrorist"));
	check_stems(f, TEXT_LANG_EN, "surveillance Surveillance surveilled",
		    "surveil surveil surveil");
	check_stems(f, TEXT_LANG_EN, "nations national nationally",
		    "nation nation nation");
	check_stems(f, TEXT_LANG_EN, "the", "the");
	/* UNKNOWN does not stem */
	check_stems(f, TEXT_LANG_UNKNOWN, "detained terrorists", "detained terrorists");
}

static void test_stemming_fr(void **state)
{
	struct fix *f = *state;

	check_stems(f, TEXT_LANG_FR, "surveiller surveillance surveillé surveillés",
		    "surveil surveil surveil surveil");
	check_stems(f, TEXT_LANG_FR, "nationale national nationaux nationales",
		    "national national national national");
	check_stems(f, TEXT_LANG_FR, "terrorisme terroristes terroriste",
		    "terror terror terror");
	check_stems(f, TEXT_LANG_FR, "renseignement renseignements",
		    "renseign renseign");
	/* each language has its own stemmer */
	check_stems(f, TEXT_LANG_FR, "nations", "nation");
	check_stems(f, TEXT_LANG_EN, "running detained", "run detain");
	check_stems(f, TEXT_LANG_FR, "running detained", "running detained");
}

static void test_exact(void **state)
{
	struct fix *f = *state;

	assert_string_equal(exacts(f, TEXT_LANG_EN, "The CSE and CAT, cats"),
			    "The CSE and CAT cats");
	assert_string_equal(stems(f, TEXT_LANG_EN, "The CSE and CAT, cats"),
			    "the cse and cat cat");
	/* NFC, case and accents kept */
	assert_string_equal(exacts(f, TEXT_LANG_FR, "Sécurité se\xcc\x81\x63urite\xcc\x81 SECURITE"),
			    "Sécurité sécurité SECURITE");
	/* stem == exact may share the pool string */
	assert_int_equal(tokenize(f, TEXT_LANG_UNKNOWN, "abc"), 0);
	assert_int_equal(f->t.n, 1);
	assert_string_equal(text_token_exact(&f->t, 0), "abc");
	assert_string_equal(text_token_stem(&f->t, 0), "abc");
}

static void test_spans(void **state)
{
	struct fix *f = *state;
	const char *in = "  Le Conseil d’État, l'ŒUVRE (2024) se\xcc\x81\x63urite\xcc\x81!";
	static const char *words[] = {
		"Le", "Conseil", "d", "État", "l", "ŒUVRE", "2024",
		"se\xcc\x81\x63urite\xcc\x81",
	};
	size_t i;

	assert_int_equal(tokenize(f, TEXT_LANG_FR, in), 0);
	assert_int_equal(f->t.n, sizeof(words) / sizeof(*words));
	for (i = 0; i < f->t.n; i++) {
		size_t n = f->t.v[i].end - f->t.v[i].start;

		assert_int_equal(n, strlen(words[i]));
		assert_memory_equal(in + f->t.v[i].start, words[i], n);
	}
	assert_int_equal(f->t.v[0].start, 2);
	assert_int_equal(f->t.v[7].end, strlen(in) - 1);
	/* not NUL-terminated: the length is what counts */
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_EN, "word and more", 4,
				       &f->t), 0);
	assert_int_equal(f->t.n, 1);
	assert_string_equal(text_token_exact(&f->t, 0), "word");
}

static void test_invalid_utf8(void **state)
{
	struct fix *f = *state;
	static const char in[] = "\xff\xfe" "abc \xc3 d\xe9" "f \xed\xa0\x80x\xc0\xaf" "y"
				 "\xf4\x90\x80\x80z \xe2\x82 \xf0\x9f\x98\x80 end\xc3";
	char *garbage;
	size_t i, len = 200000;
	unsigned int seed = 12345;

	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_FR, in, sizeof(in) - 1,
				       &f->t), 0);
	assert_sane(&f->t, in, sizeof(in) - 1);
	assert_string_equal(stems(f, TEXT_LANG_UNKNOWN, in),
			    "abc d f x y z end");
	/* an embedded NUL separates words */
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_EN, "ab\0cd", 5, &f->t), 0);
	assert_int_equal(f->t.n, 2);
	/* a lone combining mark normalises to nothing and gives no token */
	check_stems(f, TEXT_LANG_UNKNOWN, "a \xcc\x81 b", "a b");

	garbage = xmalloc(len);
	for (int lang = TEXT_LANG_UNKNOWN; lang <= TEXT_LANG_FR; lang++) {
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			garbage[i] = (char)(seed >> 16);
		}
		assert_int_equal(text_tokenize(f->tn, (enum text_lang)lang, garbage,
					       len, &f->t), 0);
		assert_sane(&f->t, garbage, len);
		assert_true(f->t.n > 0);
		/* mostly high bytes: also a run biased toward valid sequences */
		for (i = 0; i + 2 < len; i += 3) {
			seed = seed * 1103515245u + 12345u;
			garbage[i] = (char)(0xc3 + (seed >> 16) % 3);
			garbage[i + 1] = (char)(0x80 + (seed >> 20) % 64);
			garbage[i + 2] = (char)((seed >> 8) % 4 ? 'a' + (seed >> 12) % 26 : ' ');
		}
		assert_int_equal(text_tokenize(f->tn, (enum text_lang)lang, garbage,
					       len, &f->t), 0);
		assert_sane(&f->t, garbage, len);
	}
	free(garbage);
}

static void test_empty(void **state)
{
	struct fix *f = *state;

	assert_int_equal(tokenize(f, TEXT_LANG_EN, "old tokens"), 0);
	assert_int_equal(f->t.n, 2);
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_EN, "", 0, &f->t), 0);
	assert_int_equal(f->t.n, 0);
	assert_int_equal(f->t.pool.len, 0);
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_FR, NULL, 0, &f->t), 0);
	assert_int_equal(f->t.n, 0);
	assert_int_equal(tokenize(f, TEXT_LANG_FR, " ,;' — … \t\n"), 0);
	assert_int_equal(f->t.n, 0);
	/* an unknown language value is taken as UNKNOWN */
	assert_int_equal(text_tokenize(f->tn, (enum text_lang)42, "Nations", 7,
				       &f->t), 0);
	assert_string_equal(text_token_stem(&f->t, 0), "nations");
	text_norm_free(NULL);
}

static enum text_lang detect(const char *s)
{
	return text_detect_lang(s, strlen(s));
}

static void test_detect(void **state)
{
	static const char fr[] =
		"Le gouvernement a déposé mardi un projet de loi qui élargit les "
		"pouvoirs de surveillance des services de renseignement, selon "
		"le ministre de la Sécurité publique.";
	static const char en[] =
		"The government tabled a bill on Tuesday that would expand the "
		"surveillance powers of the intelligence services, according to "
		"the minister of public safety.";
	static const char fr_caps[] = "LE MINISTRE EST À OTTAWA POUR LA RÉUNION";
	static const char mixed[] =
		"The ministre de la sécurité said le projet est dans the works";
	(void)state;

	assert_int_equal(text_detect_lang(fr, strlen(fr)), TEXT_LANG_FR);
	assert_int_equal(text_detect_lang(en, strlen(en)), TEXT_LANG_EN);
	assert_int_equal(text_detect_lang(fr_caps, strlen(fr_caps)), TEXT_LANG_FR);
	assert_int_equal(text_detect_lang(mixed, strlen(mixed)), TEXT_LANG_UNKNOWN);
	/* too few stop words */
	assert_int_equal(detect("Surveillance: le bilan"), TEXT_LANG_UNKNOWN);
	assert_int_equal(detect("CSE annual report"), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_detect_lang("", 0), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_detect_lang(NULL, 5), TEXT_LANG_UNKNOWN);
	/* "on", "a", "un" count for neither */
	assert_int_equal(detect("on a un on a un on a un"), TEXT_LANG_UNKNOWN);
	/* l' and qu' count, stop words are whole words only */
	assert_int_equal(detect("l'État qu'il dit"), TEXT_LANG_FR);
	assert_int_equal(detect("L’État qu’il dit"), TEXT_LANG_FR);
	assert_int_equal(detect("Theory Ofer Andes Tom Thea"), TEXT_LANG_UNKNOWN);
	assert_int_equal(detect("Où est-il, été comme hiver ?"), TEXT_LANG_FR);
	/* the length is respected */
	assert_int_equal(text_detect_lang("the of and le la les", 10),
			 TEXT_LANG_EN);
	/* invalid UTF-8 does not crash */
	assert_int_equal(detect("\xc3\xff\xc3 the \xe0 of and"), TEXT_LANG_EN);
}

static void test_lang_from_tag(void **state)
{
	(void)state;
	assert_int_equal(text_lang_from_tag("fr"), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag("fr-CA"), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag("FR_ca"), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag("fre"), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag("fra"), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag("French"), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag(" fr-fr "), TEXT_LANG_FR);
	assert_int_equal(text_lang_from_tag("en"), TEXT_LANG_EN);
	assert_int_equal(text_lang_from_tag("en-US"), TEXT_LANG_EN);
	assert_int_equal(text_lang_from_tag("EN_gb"), TEXT_LANG_EN);
	assert_int_equal(text_lang_from_tag("eng"), TEXT_LANG_EN);
	assert_int_equal(text_lang_from_tag("english"), TEXT_LANG_EN);
	assert_int_equal(text_lang_from_tag(NULL), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_lang_from_tag(""), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_lang_from_tag("de"), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_lang_from_tag("e"), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_lang_from_tag("frx"), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_lang_from_tag("enfr"), TEXT_LANG_UNKNOWN);
	assert_int_equal(text_lang_from_tag("-fr"), TEXT_LANG_UNKNOWN);
}

static void test_long_words(void **state)
{
	struct fix *f = *state;
	char in[1024];
	size_t i;

	/* ASCII: cut at TEXT_MAX_WORD bytes, span covers the whole word */
	memset(in, 'a', 300);
	memcpy(in + 300, " b", 3);
	assert_int_equal(tokenize(f, TEXT_LANG_EN, in), 0);
	assert_int_equal(f->t.n, 2);
	assert_int_equal(f->t.v[0].start, 0);
	assert_int_equal(f->t.v[0].end, 300);
	assert_int_equal(strlen(text_token_exact(&f->t, 0)), TEXT_MAX_WORD);
	assert_int_equal(f->t.v[1].start, 301);
	/* two-byte letters after one ASCII byte: the cut falls between them */
	in[0] = 'x';
	for (i = 0; i < 200; i++)
		memcpy(in + 1 + 2 * i, "\xc3\xa9", 2);
	in[401] = '\0';
	assert_int_equal(tokenize(f, TEXT_LANG_FR, in), 0);
	assert_int_equal(f->t.n, 1);
	assert_int_equal(f->t.v[0].end, 401);
	assert_int_equal(strlen(text_token_exact(&f->t, 0)), TEXT_MAX_WORD - 1);
	assert_int_equal(tokenize(f, TEXT_LANG_UNKNOWN, in), 0);
	assert_int_equal(strlen(text_token_stem(&f->t, 0)), (TEXT_MAX_WORD - 1) / 2 + 1);
}

static void test_big_text(void **state)
{
	struct fix *f = *state;
	static const char *vocab[] = {
		"Le", "gouvernement", "sécurité", "surveillance", "d’État",
		"the", "détenus", "C-51", "œuvre", "ﬁnal", "2024", "Québec",
	};
	/* words each item of vocab counts for */
	static const size_t nwords[] = { 1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1 };
	struct buf text = BUF_INIT;
	size_t want = 0, i = 0;
	char *big;

	while (text.len < ((size_t)1 << 20)) {
		size_t k = (i * 7 + i / 13) % (sizeof(vocab) / sizeof(*vocab));

		buf_addstr(&text, vocab[k]);
		buf_addstr(&text, i % 10 == 9 ? ". " : " ");
		want += nwords[k];
		i++;
	}
	assert_int_equal(tokenize(f, TEXT_LANG_FR, text.s), 0);
	assert_int_equal(f->t.n, want);
	assert_true(want > 100000);
	for (i = 0; i < f->t.n; i++)
		if (!strcmp(text_token_exact(&f->t, i), "sécurité"))
			assert_string_equal(text_token_stem(&f->t, i), "secur");
	assert_int_equal(tokenize(f, TEXT_LANG_EN, text.s), 0);
	assert_int_equal(f->t.n, want);
	buf_release(&text);

	/* limits */
	big = xmalloc(TEXT_MAX_INPUT + 1);
	memset(big, ' ', TEXT_MAX_INPUT + 1);
	memcpy(big, "word", 4);
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_EN, big, TEXT_MAX_INPUT + 1,
				       &f->t), -1);
	assert_int_equal(f->t.n, 0);
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_EN, big, TEXT_MAX_INPUT,
				       &f->t), 0);
	assert_int_equal(f->t.n, 1);
	memset(big, ' ', TEXT_MAX_INPUT + 1);
	for (i = 0; i < 2 * (TEXT_MAX_TOKENS + 5); i += 2)
		big[i] = (char)('a' + i / 2 % 26);
	assert_int_equal(text_tokenize(f->tn, TEXT_LANG_FR, big, 2 * (TEXT_MAX_TOKENS + 5),
				       &f->t), -1);
	assert_int_equal(f->t.n, TEXT_MAX_TOKENS);
	assert_int_equal(text_token_exact(&f->t, TEXT_MAX_TOKENS - 1)[0],
			 'a' + (TEXT_MAX_TOKENS - 1) % 26);
	assert_int_equal(f->t.v[TEXT_MAX_TOKENS - 1].start,
			 2 * (TEXT_MAX_TOKENS - 1));
	free(big);
}

/* A distinct letters-only word for i, with an ending the stemmers cut. */
static void make_word(char *w, size_t i, const char *ending)
{
	size_t n = 0;

	w[n++] = 'q';
	do {
		w[n++] = (char)('a' + i % 26);
		i /= 26;
	} while (i);
	memcpy(w + n, ending, strlen(ending) + 1);
}

static void test_cache(void **state)
{
	struct fix *f = *state;
	struct text_norm *cold;
	struct text_tokens t1;
	struct buf text = BUF_INIT;
	size_t i, n = 3 * TEXT_CACHE_WORDS + 17;
	char w[32];
	const char *endings[] = { "ations", "ées", "ité" };

	/* the same word twice, and after other words */
	check_stems(f, TEXT_LANG_FR, "sécurité Sécurité sécurité securite",
		    "secur secur secur secur");
	check_stems(f, TEXT_LANG_EN, "detained Detained detained", "detain detain detain");

	/* more distinct words than the cache holds: every stem still equals
	 * the one a cold normaliser gives */
	cold = text_norm_new();
	assert_non_null(cold);
	text_tokens_init(&t1);
	for (int lang = TEXT_LANG_EN; lang <= TEXT_LANG_FR; lang++) {
		buf_reset(&text);
		for (i = 0; i < n; i++) {
			make_word(w, i, endings[i % 3]);
			buf_addstr(&text, w);
			buf_addch(&text, ' ');
		}
		/* twice: the second pass runs on a cache that was emptied */
		for (int pass = 0; pass < 2; pass++) {
			assert_int_equal(tokenize(f, (enum text_lang)lang, text.s), 0);
			assert_int_equal(f->t.n, n);
		}
		for (i = 0; i < n; i += 97) {
			const char *word = text_token_exact(&f->t, i);

			make_word(w, i, endings[i % 3]);
			assert_string_equal(word, w);
			assert_int_equal(text_tokenize(cold, (enum text_lang)lang, w,
						       strlen(w), &t1), 0);
			assert_int_equal(t1.n, 1);
			assert_string_equal(text_token_stem(&t1, 0),
					    text_token_stem(&f->t, i));
			/* the ending was cut or changed in both languages */
			assert_true(strlen(text_token_stem(&t1, 0)) < strlen(w));
		}
	}
	text_tokens_release(&t1);
	text_norm_free(cold);
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_accents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ligatures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apostrophes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_folding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hyphens_digits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stemming_en, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stemming_fr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_lang_from_tag),
		cmocka_unit_test_setup_teardown(test_long_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
