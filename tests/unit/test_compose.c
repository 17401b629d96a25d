/*
 * Unit tests for src/compose/compose.c and src/compose/draft.c: ISO weeks
 * (parse, the week of an instant, the name), the Markdown escaping of feed
 * text (exact output, and a round trip through cmark that must give back
 * the literal text), and the draft file's SHA-256. The instants were
 * checked with date(1): date -u -d '2026-11-23 00:00 UTC' +%s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "compose.h"
#include "draft.h"

#define DAY 86400LL
#define WEEK (7 * DAY)

static void assert_sane(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
	assert_int_equal(strlen(b->s), b->len);
}

/* ---------------------------------------------------------------- weeks */

struct week_case {
	const char *s;
	int year, week;
	long long start;        /* Monday 00:00 UTC, from date(1) */
};

static const struct week_case good_weeks[] = {
	{ "2026-W48", 2026, 48, 1795392000LL },        /* 2026-11-23 */
	{ "2025-W10", 2025, 10, 1740960000LL },        /* 2025-03-03 */
	{ "2026-W01", 2026, 1, 1766966400LL },         /* 2025-12-29: the year before */
	{ "2026-W02", 2026, 2, 1767571200LL },         /* 2026-01-05 */
	{ "2025-W01", 2025, 1, 1735516800LL },         /* 2024-12-30 */
	{ "2021-W01", 2021, 1, 1609718400LL },         /* 2021-01-04: after 2020-W53 */
	{ "2020-W53", 2020, 53, 1609113600LL },        /* 2020 has 53 ISO weeks */
	{ "2026-W53", 2026, 53, 1798416000LL },        /* so has 2026 (starts on a Thursday) */
	{ "2015-W53", 2015, 53, 1451260800LL },
	{ "2009-W53", 2009, 53, 1261958400LL },
	{ "1970-W01", 1970, 1, -259200LL },            /* 1969-12-29 */
};

static void test_week_parse_valid(void **state)
{
	struct compose_week w;
	size_t i;

	for (i = 0; i < sizeof(good_weeks) / sizeof(good_weeks[0]); i++) {
		const struct week_case *c = &good_weeks[i];

		memset(&w, 0x55, sizeof(w));
		if (compose_week_parse(c->s, &w) != 0)
			print_error("'%s' was refused\n", c->s);
		assert_int_equal(compose_week_parse(c->s, &w), 0);
		if (w.start != c->start)
			print_error("'%s' starts at %lld, want %lld\n", c->s, w.start, c->start);
		assert_int_equal(w.year, c->year);
		assert_int_equal(w.week, c->week);
		assert_true(w.start == c->start);
		assert_true(w.end == c->start + WEEK);
	}
}

static void test_week_parse_invalid(void **state)
{
	static const char *bad[] = {
		"2021-W53",     /* 2021 has 52 weeks */
		"2025-W53",     /* so has 2025 */
		"2026-W00", "2026-W54", "2026-W99",
		"26-W48", "2026W48", "2026-W4", "2026-w48", "2026-48",
		"2026-W48x", "2026-W48 ", "2026-W480", "2026-W48\n",
		" 2026-W48", "12026-W48", "1969-W52", "0000-W01",
		"", "junk", "W48", "2026-", "2026-W",
		"2026-W-1", "-202-W48",
	};
	struct compose_week w;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (compose_week_parse(bad[i], &w) != -1)
			print_error("'%s' was taken for a week\n", bad[i]);
		assert_int_equal(compose_week_parse(bad[i], &w), -1);
	}
}

/*
 * "YYYY-Www" wants two digits: "2026-W 8" and "2026-W+8" (sscanf's "%2d"
 * would skip the space and take the sign) are refused.
 */
static void test_week_parse_sign_and_space(void **state)
{
	static const char *bad[] = { "2026-W 8", "2026-W+8" };
	struct compose_week w;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (compose_week_parse(bad[i], &w) != -1)
			print_error("'%s' was taken for week %d of %d\n", bad[i],
				    w.week, w.year);
		assert_int_equal(compose_week_parse(bad[i], &w), -1);
	}
}

struct instant_case {
	long long t;
	const char *name;
	long long start;
};

static const struct instant_case instants[] = {
	{ 1795392000LL, "2026-W48", 1795392000LL },    /* Monday 2026-11-23 00:00:00 */
	{ 1795996799LL, "2026-W48", 1795392000LL },    /* Sunday 2026-11-29 23:59:59 */
	{ 1795996800LL, "2026-W49", 1795996800LL },    /* the next Monday 00:00:00 */
	{ 1767225600LL, "2026-W01", 1766966400LL },    /* Thursday 2026-01-01 00:00 */
	{ 1766966400LL - 1, "2025-W52", 1766966400LL - WEEK }, /* Sunday 2025-12-28 23:59:59 */
	{ 1609502400LL, "2020-W53", 1609113600LL },    /* Friday 2021-01-01 12:00 */
	{ 1735516800LL, "2025-W01", 1735516800LL },    /* Monday 2024-12-30 00:00 */
	{ 1735516799LL, "2024-W52", 1735516800LL - WEEK }, /* Sunday 2024-12-29 23:59:59 */
	{ 1799020799LL, "2026-W53", 1798416000LL },    /* Sunday 2027-01-03 23:59:59 */
	{ 1799020800LL, "2027-W01", 1799020800LL },    /* Monday 2027-01-04 00:00 */
	{ 1740960000LL + 3 * DAY + 12345, "2025-W10", 1740960000LL },
	{ 0, "1970-W01", -259200LL },                  /* a Thursday */
};

static void test_week_of(void **state)
{
	struct compose_week w, back;
	char name[16];
	size_t i;

	for (i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		const struct instant_case *c = &instants[i];

		compose_week_of(c->t, &w);
		compose_week_name(&w, name, sizeof(name));
		if (strcmp(name, c->name) || w.start != c->start)
			print_error("%lld is in %s from %lld, want %s from %lld\n", c->t,
				    name, w.start, c->name, c->start);
		assert_string_equal(name, c->name);
		assert_true(w.start == c->start);
		assert_true(w.end == w.start + WEEK);
		assert_true(w.start <= c->t && c->t < w.end);
		/* the name parses back to the same week */
		assert_int_equal(compose_week_parse(name, &back), 0);
		assert_int_equal(back.year, w.year);
		assert_int_equal(back.week, w.week);
		assert_true(back.start == w.start && back.end == w.end);
	}
}

/* Every parsed week's instants map back to it, from Monday 00:00 to the
 * last second of Sunday, over a few years around boundaries. */
static void test_week_round_trip(void **state)
{
	struct compose_week w, of;
	char name[16], again[16];
	int year, week, n;

	for (year = 2019; year <= 2028; year++) {
		n = 0;
		for (week = 1; week <= 53; week++) {
			snprintf(name, sizeof(name), "%04d-W%02d", year, week);
			if (compose_week_parse(name, &w) < 0) {
				assert_int_equal(week, 53);
				continue;
			}
			n++;
			compose_week_of(w.start, &of);
			compose_week_name(&of, again, sizeof(again));
			assert_string_equal(again, name);
			compose_week_of(w.end - 1, &of);
			compose_week_name(&of, again, sizeof(again));
			assert_string_equal(again, name);
			assert_true(of.start == w.start);
			/* Monday: 1970-01-05 was one */
			assert_true(((w.start - 4 * DAY) % WEEK + WEEK) % WEEK == 0);
		}
		/* 53 weeks in 2020 and 2026 (checked with date(1)), else 52 */
		assert_int_equal(n, year == 2020 || year == 2026 ? 53 : 52);
	}
}

static void test_week_name(void **state)
{
	struct compose_week w = { 2026, 5, 0, 0 };
	char name[16], small[4];

	compose_week_name(&w, name, sizeof(name));
	assert_string_equal(name, "2026-W05");
	w.week = 48;
	compose_week_name(&w, name, sizeof(name));
	assert_string_equal(name, "2026-W48");
	w.year = 1970;
	w.week = 1;
	compose_week_name(&w, name, sizeof(name));
	assert_string_equal(name, "1970-W01");
	/* a short buffer is cut, never overrun */
	memset(small, 'z', sizeof(small));
	compose_week_name(&w, small, sizeof(small));
	assert_string_equal(small, "197");
}

/* ------------------------------------------------------------- escaping */

static char *escape(const char *s)
{
	struct buf out = BUF_INIT;

	draft_md_escape(s, &out);
	assert_sane(&out);
	return buf_detach(&out);
}

static void expect_escape(const char *s, const char *want)
{
	char *got = escape(s);
	int same = !strcmp(got, want);

	/* freed before the check: a failing one longjmps out */
	if (!same)
		print_error("escape('%s') = '%s', want '%s'\n", s, got, want);
	free(got);
	assert_true(same);
}

/* What cmark makes of literal text in a paragraph: & < > " escaped. */
static void html_text(const char *s, struct buf *out)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_addstr(out, "&amp;"); break;
		case '<': buf_addstr(out, "&lt;"); break;
		case '>': buf_addstr(out, "&gt;"); break;
		case '"': buf_addstr(out, "&quot;"); break;
		case '\n': case '\r': case '\t': buf_addch(out, ' '); break;
		default: buf_addch(out, *s);
		}
	}
}

/* Does the escaped s, rendered by cmark alone and as the summary line of
 * a draft item (after a hard break in a list item), give s back as text? */
static int round_trips(const char *s, char **why)
{
	struct buf md = BUF_INIT, want = BUF_INIT, item = BUF_INIT;
	char *html, *ihtml, *p;
	int ok;

	draft_md_escape(s, &md);
	buf_addstr(&want, "<p>");
	html_text(s, &want);
	buf_addstr(&want, "</p>\n");
	html = cmark_markdown_to_html(md.s, md.len, CMARK_OPT_DEFAULT);
	ok = !strcmp(html, want.s);
	/* in a draft: "- [title](url) — *source*, date  \n  SUMMARY" */
	buf_addf(&item, "- [t](https://example.org/) — *s*, 2025-03-03  \n  %s\n", md.s);
	ihtml = cmark_markdown_to_html(item.s, item.len, CMARK_OPT_DEFAULT);
	buf_setlen(&want, want.len - 5);        /* without "</p>\n" */
	p = strstr(ihtml, "<br />\n");
	if (!p || strncmp(p + 7, want.s + 3, want.len - 3) ||
	    strcmp(p + 7 + want.len - 3, "</li>\n</ul>\n"))
		ok = 0;
	if (!ok) {
		struct buf b = BUF_INIT;

		buf_addf(&b, "'%s' escaped as '%s' renders as '%s' and in an item as '%s'",
			 s, md.s, html, ihtml);
		*why = buf_detach(&b);
	}
	free(html);
	free(ihtml);
	buf_release(&md);
	buf_release(&want);
	buf_release(&item);
	return ok;
}

static void assert_round_trip(const char *s)
{
	char *why = NULL;

	if (!round_trips(s, &why)) {
		print_error("%s\n", why);
		free(why);
		fail();
	}
}

static void test_escape_exact(void **state)
{
	expect_escape("plain words, with a comma. And 'quotes' \"too\"",
		      "plain words, with a comma. And 'quotes' \"too\"");
	expect_escape("*bold*", "\\*bold\\*");
	expect_escape("_under_", "\\_under\\_");
	expect_escape("[link](javascript:alert(1))",
		      "\\[link\\]\\(javascript:alert\\(1\\)\\)");
	expect_escape("<script>alert(1)</script>",
		      "\\<script\\>alert\\(1\\)\\</script\\>");
	expect_escape("`code`", "\\`code\\`");
	expect_escape("back\\slash", "back\\\\slash");
	expect_escape("AT&T", "AT\\&T");
	expect_escape("a|b ~c~ !d", "a\\|b \\~c\\~ \\!d");
	expect_escape("![img](x)", "\\!\\[img\\]\\(x\\)");
	/* block markers at the start */
	expect_escape("# Heading", "\\# Heading");
	expect_escape("## Two", "\\## Two");
	expect_escape("- item", "\\- item");
	expect_escape("+ item", "\\+ item");
	expect_escape("=== under", "\\=== under");
	/* but not in the middle, where they are plain text */
	expect_escape("C# and F-16 + more", "C# and F-16 + more");
	/* newlines and tabs become spaces */
	expect_escape("one\ntwo\r\nthree\tfour", "one two  three four");
	/* UTF-8 passes through byte for byte */
	expect_escape("Sécurité nationale — Ça va", "Sécurité nationale — Ça va");
	expect_escape("🕊️ peace 🇨🇦", "🕊️ peace 🇨🇦");
	expect_escape("تحقيق في التعذيب", "تحقيق في التعذيب");
	expect_escape("חקירת עינויים", "חקירת עינויים");
	expect_escape("", "");
}

/* A leading '>' gets one backslash, not two (two would read as a literal
 * backslash followed by '>'). */
static void test_escape_leading_gt(void **state)
{
	expect_escape("> quote", "\\> quote");
}

static void test_escape_appends(void **state)
{
	struct buf out = BUF_INIT;

	buf_addstr(&out, "before ");
	draft_md_escape(NULL, &out);
	assert_sane(&out);
	assert_string_equal(out.s, "before ");
	draft_md_escape("", &out);
	assert_string_equal(out.s, "before ");
	draft_md_escape("*x*", &out);
	assert_sane(&out);
	assert_string_equal(out.s, "before \\*x\\*");
	/* the leading-marker rule is about the string, not the buffer */
	draft_md_escape("# y", &out);
	assert_string_equal(out.s, "before \\*x\\*\\# y");
	buf_release(&out);
}

static void test_escape_round_trip(void **state)
{
	static const char *texts[] = {
		"plain words",
		"*bold* and **strong** and _em_ and __strong__",
		"[link](javascript:alert(1))",
		"![image](http://evil.example/x.png)",
		"<script>alert(1)</script> and </script>",
		"<!-- not a comment -->",
		"<http://autolink.example/>",
		"`code` and ``more``",
		"back\\slash and trailing\\",
		"AT&T &amp; &copy; &#35; &#x41;",
		"a | b ~~strike~~ !bang {brace} (paren)",
		"# Not a heading",
		"###### Not either",
		"- not a list",
		"+ not a list",
		"* not a list",
		"--- not a break",
		"***",
		"___",
		"=== not setext",
		"> not a quote",
		"quotes \"double\" and 'single'",
		"line one\nline two",
		"Sécurité nationale : « guillemets » — tirets",
		"emoji 🕊️ 👩‍👩‍👧 🇨🇦",
		"تحقيق في التعذيب",
		"חקירת עינויים",
		"mixed English مع العربية ועברית",
		"http://bare.example/url_with_underscores_",
		"[ref]: http://example.org/",
		"a\\*b",
		"1 + 1 = 2 > 1 < 3",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i], "> not a quote"))  /* see test_escape_leading_gt */
			assert_round_trip(texts[i]);
}

/* Digits and '.' at the start would be an ordered list marker ("1. The
 * first report" a nested list in the draft's item): the '.' is escaped;
 * "1)" is safe, ')' being escaped anyway. */
static void test_escape_ordered_list(void **state)
{
	static const char *texts[] = {
		"1. The inquiry's first report",
		"1) The inquiry's first report",
		"2025. A year of secret trials",
	};
	char *why;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		why = NULL;
		if (!round_trips(texts[i], &why)) {
			print_error("%s\n", why);
			ok = 0;
		}
		free(why);
	}
	assert_true(ok);
}

static void test_escape_long(void **state)
{
	struct buf s = BUF_INIT;
	char *got;
	size_t i;

	for (i = 0; i < 500; i++)
		buf_addstr(&s, i ? " *[a]*" : "*[a]*");
	got = escape(s.s);
	assert_int_equal(strlen(got), 500 * 10 - 1);
	assert_int_equal(strncmp(got, "\\*\\[a\\]\\* \\*", 12), 0);
	free(got);
	assert_round_trip(s.s);
	buf_release(&s);
}

/* ------------------------------------------------------------- hashing */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_compose.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void expect_hash(const char *data, size_t len, const char *want)
{
	struct buf err = BUF_INIT;
	char path[128], hex[65];

	snprintf(path, sizeof(path), "%s/file", tmpdir);
	write_file(path, data, len);
	memset(hex, 'z', sizeof(hex));
	assert_int_equal(draft_file_hash(path, hex, &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(strlen(hex), 64);
	assert_string_equal(hex, want);
	buf_release(&err);
}

static void test_file_hash(void **state)
{
	char *big;

	/* FIPS 180-2 vectors, as sha256sum prints them */
	expect_hash("abc", 3,
		    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect_hash("", 0,
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a': many reads of the file */
	big = malloc(1000000);
	assert_non_null(big);
	memset(big, 'a', 1000000);
	expect_hash(big, 1000000,
		    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
	/* bytes, not text: a NUL and a CR count */
	expect_hash("a\0b\r\n", 5,
		    "eee4d3a83335b4ab5ef32addb24ce2f696624d7c6c64e8a3c4d1eaf48b0dc5de");
}

static void test_file_hash_missing(void **state)
{
	struct buf err = BUF_INIT;
	char path[128], hex[65] = "unchanged";

	snprintf(path, sizeof(path), "%s/no-such-file.md", tmpdir);
	assert_int_equal(draft_file_hash(path, hex, &err), 1);
	assert_int_equal(err.len, 0);
	snprintf(path, sizeof(path), "%s/no-such-dir/x.md", tmpdir);
	assert_int_equal(draft_file_hash(path, hex, &err), 1);
	assert_int_equal(err.len, 0);
	buf_release(&err);
}

static void test_file_hash_error(void **state)
{
	struct buf err = BUF_INIT;
	char path[128], hex[65];

	/* a folder opens but cannot be read */
	snprintf(path, sizeof(path), "%s/folder", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	buf_addstr(&err, "before: ");
	assert_int_equal(draft_file_hash(path, hex, &err), -1);
	assert_sane(&err);
	assert_memory_equal(err.s, "before: ", 8);
	if (!strstr(err.s, path))
		print_error("the message does not name the path: %s\n", err.s);
	assert_non_null(strstr(err.s, path));
	assert_non_null(strstr(err.s, "cannot read"));
	buf_release(&err);
}

static void check_sentence(const char *in, const char *want)
{
	struct buf out = BUF_INIT;

	draft_first_sentence(in, &out);
	assert_string_equal(out.s, want);
	buf_release(&out);
}

static void test_first_sentence(void **state)
{
	check_sentence("The review agency found the service kept data for years. It said more.",
		       "The review agency found the service kept data for years.");
	check_sentence("U.S. officials met their Canadian counterparts on Tuesday. Then left.",
		       "U.S. officials met their Canadian counterparts on Tuesday.");
	check_sentence("Short. Then a second sentence that is rather long indeed.",
		       "Short. Then a second sentence that is rather long indeed.");
	check_sentence("Un rapport publié mardi conclut à des abus graves. Équipe réagit.",
		       "Un rapport publié mardi conclut à des abus graves.");
	check_sentence("No end at all in this summary, which goes on and on and on",
		       "No end at all in this summary, which goes on and on and on");
	check_sentence("", "");
	check_sentence(NULL, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_sentence),
		cmocka_unit_test(test_week_parse_valid),
		cmocka_unit_test(test_week_parse_invalid),
		cmocka_unit_test(test_week_parse_sign_and_space),
		cmocka_unit_test(test_week_of),
		cmocka_unit_test(test_week_round_trip),
		cmocka_unit_test(test_week_name),
		cmocka_unit_test(test_escape_exact),
		cmocka_unit_test(test_escape_leading_gt),
		cmocka_unit_test(test_escape_appends),
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_escape_ordered_list),
		cmocka_unit_test(test_escape_long),
		cmocka_unit_test(test_file_hash),
		cmocka_unit_test(test_file_hash_missing),
		cmocka_unit_test(test_file_hash_error),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
