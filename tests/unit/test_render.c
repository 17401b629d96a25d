#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "render.h"

static void assert_sane(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
	assert_int_equal(strlen(b->s), b->len);
}

/* Columns as the renderer counts them. */
static size_t columns(const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t i = 0, w = 0;

	while (i < len) {
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		assert_true(k > 0);
		w += (size_t)utf8proc_charwidth(cp);
		i += (size_t)k;
	}
	return w;
}

/*
 * What every text rendering must be: valid UTF-8 ending in exactly one
 * newline (or empty), no line over 998 octets or with trailing blanks, no
 * control characters but tabs. Lines of text (not in code
 * blocks or references) are at most wrap columns unless one word.
 */
static void assert_sane_text(const char *s, size_t wrap)
{
	const char *line = s, *nl;
	size_t len, i;

	if (!*s)
		return;
	len = strlen(s);
	assert_int_equal(s[len - 1], '\n');
	if (len > 1)
		assert_true(s[len - 2] != '\n');
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		len = (size_t)(nl - line);
		if (len > RENDER_LINE_MAX)
			print_error("line of %zu octets\n", len);
		assert_true(len <= RENDER_LINE_MAX);
		if (len)
			assert_true(line[len - 1] != ' ' && line[len - 1] != '\t');
		for (i = 0; i < len; i++)
			assert_true((unsigned char)line[i] >= 0x20 || line[i] == '\t');
		/* valid UTF-8 throughout */
		(void)columns(line, len);
		/* a line over the width is one word (after its prefix) */
		if (wrap && columns(line, len) > wrap && strncmp(line, "    ", 4) &&
		    line[0] != '[') {
			const char *sp = memchr(line, ' ', len);
			const char *word = line;

			while (sp && (*word == '>' || *word == '-' || *word == ' ' ||
				      (*word >= '0' && *word <= '9') || *word == '.')) {
				word = sp + 1;
				sp = memchr(word, ' ', len - (size_t)(word - line));
			}
			if (sp)
				print_error("line wider than %zu: '%.*s'\n", wrap, (int)len, line);
			assert_null(sp);
		}
	}
}

/* strcasestr is a GNU extension */
static int has_nocase(const char *h, const char *needle)
{
	size_t n = strlen(needle);

	for (; *h; h++)
		if (!strncasecmp(h, needle, n))
			return 1;
	return 0;
}

static char *text_wrap(const char *md, size_t wrap)
{
	struct render_doc *d = render_parse(md, strlen(md));
	struct render_options o = RENDER_OPTIONS_INIT;
	struct buf out = BUF_INIT;

	assert_non_null(d);
	o.wrap = wrap;
	assert_int_equal(render_text(d, &o, &out), 0);
	assert_sane(&out);
	assert_sane_text(out.s, wrap ? wrap : RENDER_WRAP);
	render_doc_free(d);
	return buf_detach(&out);
}

static char *text(const char *md)
{
	return text_wrap(md, RENDER_WRAP);
}

static char *html(const char *md, int allow_raw_html)
{
	struct render_doc *d = render_parse(md, strlen(md));
	struct render_options o = RENDER_OPTIONS_INIT;
	struct buf out = BUF_INIT;

	assert_non_null(d);
	o.allow_raw_html = allow_raw_html;
	assert_int_equal(render_html(d, &o, &out), 0);
	assert_sane(&out);
	render_doc_free(d);
	return buf_detach(&out);
}

static void text_is(const char *md, const char *want)
{
	char *got = text(md);

	if (strcmp(got, want))
		print_error("text of:\n%s\n--- got:\n%s--- want:\n%s---\n", md, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void html_is(const char *md, int allow, const char *want)
{
	char *got = html(md, allow);

	if (strcmp(got, want))
		print_error("html of:\n%s\n--- got:\n%s--- want:\n%s---\n", md, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_empty(void **state)
{
	struct render_doc *d;
	struct buf out = BUF_INIT;

	d = render_parse(NULL, 0);
	assert_non_null(d);
	assert_int_equal(render_html(d, NULL, &out), 0);
	assert_int_equal(render_text(d, NULL, &out), 0);
	assert_int_equal(render_links(d, NULL, NULL), 0);
	assert_int_equal(out.len, 0);
	assert_sane(&out);
	render_doc_free(d);
	render_doc_free(NULL);

	text_is("", "");
	text_is("\n\n   \n\t\n", "");
	html_is("", 0, "");
	/* a document of markers and raw HTML has no text */
	text_is("<!-- nd: week=2026-W48 -->\n\n<div>x</div>\n", "");
	html_is("<!-- nd: week=2026-W48 -->\n", 0, "");
	html_is("<!-- nd: week=2026-W48 -->\n", 1, "");
	html_is("<div>x</div>\n", 0, "");
	/* blocks with nothing to show add no blank lines */
	text_is("a\n\n<div>x</div>\n\n```\n```\n\nb\n", "a\n\nb\n");
}

static void test_headings(void **state)
{
	text_is("# Weekly digest\n\n## Surveillance\n\n### Events and more\n",
		"Weekly digest\n=============\n\n"
		"Surveillance\n------------\n\n"
		"Events and more\n---------------\n");
	/* columns, not octets: the middle dot and é are one each */
	text_is("## Surveillance · Surveillance et vie privée\n\nText.\n",
		"Surveillance · Surveillance et vie privée\n"
		"-----------------------------------------\n\nText.\n");
	/* a combining accent is no column; wide characters are two */
	text_is("# Cafe\xcc\x81\n", "Cafe\xcc\x81\n====\n");
	text_is("## 東京 news\n", "東京 news\n---------\n");
	text_is("Setext\n======\n\nTwo\n---\n", "Setext\n======\n\nTwo\n---\n");
	/* a heading with a link counts the reference too */
	text_is("## [Events](https://example.org/e)\n",
		"Events [1]\n----------\n\nReferences:\n[1] https://example.org/e\n");
	html_is("## Events · Événements\n", 0, "<h2>Events · Événements</h2>\n");
}

static void test_wrap(void **state)
{
	static const char *words[] = {
		"Élève", "garçon", "Ça", "surveillance", "vie", "privée", "à",
		"Montréal", "l'été", "œuvre", "naïve", "déjà", "coûte", "liberté",
		"No-Fly", "lists", "and", "security", "certificates",
	};
	struct buf md = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	char *t, *line, *nl;
	size_t i, n = 0, wrap;

	for (i = 0; i < 400; i++) {
		buf_addstr(&md, words[(i * 7) % (sizeof words / sizeof words[0])]);
		buf_addch(&md, i % 13 == 12 ? '\n' : ' ');
	}
	buf_addch(&md, '\n');
	for (wrap = 20; wrap <= 100; wrap += 26) {
		t = text_wrap(md.s, wrap);
		buf_reset(&got);
		for (line = t; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			/* at most wrap columns, and full: the next word did not fit */
			assert_true(columns(line, (size_t)(nl - line)) <= wrap);
			if (nl[1]) {
				const char *next = nl + 1;
				size_t w = strcspn(next, " \n");

				assert_true(columns(line, (size_t)(nl - line)) + 1 +
					    columns(next, w) > wrap);
			}
			if (got.len)
				buf_addch(&got, ' ');
			buf_add(&got, line, (size_t)(nl - line));
			n++;
		}
		/* the same words in the same order, none cut */
		buf_reset(&want);
		buf_add(&want, md.s, md.len - 1);
		for (i = 0; i < want.len; i++)
			if (want.s[i] == '\n')
				want.s[i] = ' ';
		buf_rtrim(&want);
		assert_string_equal(got.s, want.s);
		free(t);
	}
	assert_true(n > 20);

	/* the default is 72: 0 means it */
	t = text_wrap(md.s, 0);
	for (line = t; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_true(columns(line, (size_t)(nl - line)) <= 72);
	}
	free(t);

	/* a word wider than the line stays whole, on a line of its own */
	text_is("short https://example.org/a/very/long/path/that/does/not/fit/in/seventy-two/columns/at/all end\n",
		"short\nhttps://example.org/a/very/long/path/that/does/not/fit/in/seventy-two/columns/at/all\nend\n");
	/* runs of spaces collapse; soft breaks are spaces; hard breaks stay */
	text_is("a    b\nc  \nd\\\ne\n", "a b c\nd\ne\n");
	/* hard breaks next to dropped HTML leave no blank line; two in a row do */
	text_is("<b>\\\nx\\\n\\\ny\\\n<b>\n", "x\n\ny\n");
	/* wide characters count two */
	t = text_wrap("東京 東京 東京 東京 東京 東京 東京 東京 東京 東京 東京 東京 東京 東京 東京\n", 20);
	assert_string_equal(t, "東京 東京 東京 東京\n東京 東京 東京 東京\n東京 東京 東京 東京\n東京 東京 東京\n");
	free(t);
	buf_release(&md);
	buf_release(&want);
	buf_release(&got);
}

static void test_lists(void **state)
{
	text_is("- one\n- two\n- three\n", "- one\n- two\n- three\n");
	/* continuation lines indented to the text */
	text_is("Intro.\n\n- This item is long enough to need a second line when it is wrapped at seventy-two.\n- b\n\nAfter.\n",
		"Intro.\n\n"
		"- This item is long enough to need a second line when it is wrapped at\n"
		"  seventy-two.\n"
		"- b\n\nAfter.\n");
	text_is("1. one\n2. two\n", "1. one\n2. two\n");
	text_is("7) seven\n8) eight\n", "7) seven\n8) eight\n");
	/* numbers follow the start, as in the HTML; width follows the number */
	text_is("9. nine\n1. ten is a longer item that wraps onto the next line because of its length\n",
		"9. nine\n"
		"10. ten is a longer item that wraps onto the next line because of its\n"
		"    length\n");
	/* nested, tight */
	text_is("- a\n  - b\n    1. c\n    2. d\n- e\n",
		"- a\n  - b\n    1. c\n    2. d\n- e\n");
	/* an item with two paragraphs makes the list loose */
	text_is("1. First\n\n   Second paragraph.\n2. Two\n",
		"1. First\n\n   Second paragraph.\n\n2. Two\n");
	/* an item starting with a list; an empty item */
	text_is("- - inner\n  - next\n-\n- last\n", "- - inner\n  - next\n-\n- last\n");
	/* the draft's items: a hard break before the summary */
	text_is("- [Title](https://example.org/x) — *Source*, 2026-11-20  \n"
		"  One-sentence summary. Also in: [Other](https://example.net/y).\n",
		"- Title [1] — Source, 2026-11-20\n"
		"  One-sentence summary. Also in: Other [2].\n\n"
		"References:\n[1] https://example.org/x\n[2] https://example.net/y\n");
	html_is("- a\n  - b\n", 0, "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n");
}

static void test_links(void **state)
{
	/* numbered in order, the same URL the same number */
	text_is("See [one](https://a.example/1), [two](https://a.example/2) and [one again](https://a.example/1).\n",
		"See one [1], two [2] and one again [1].\n\n"
		"References:\n[1] https://a.example/1\n[2] https://a.example/2\n");
	/* a link whose text is its URL has no number */
	text_is("Autolink <https://example.org/x>, mail <editor@example.org>, "
		"[https://example.org/y](https://example.org/y).\n",
		"Autolink https://example.org/x, mail editor@example.org,\n"
		"https://example.org/y.\n");
	/* reference-style links; relative; empty destination; empty text */
	text_is("[ref] and [rel](/about) and [nothing]() and [](https://e.example/).\n\n"
		"[ref]: https://r.example/ \"Title\"\n",
		"ref [1] and rel [2] and nothing and [3].\n\n"
		"References:\n[1] https://r.example/\n[2] /about\n[3] https://e.example/\n");
	/* "[N]" never starts a line */
	text_is("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx [link](https://l.example/)\n",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
		"link [1]\n\nReferences:\n[1] https://l.example/\n");
	/* spaces in a destination are encoded in the text */
	text_is("[s](<https://s.example/a b>)\n", "s [1]\n\nReferences:\n[1] https://s.example/a%20b\n");
	html_is("[a](https://a.example/?x=1&y=\"2\" \"T&\")\n", 0,
		"<p><a href=\"https://a.example/?x=1&amp;y=%222%22\" title=\"T&amp;\">a</a></p>\n");
}

static void test_images(void **state)
{
	text_is("![Logo of the coalition](https://img.example/logo.png) and ![](https://img.example/b.png)\n",
		"[image: Logo of the coalition] [1] and [image] [2]\n\n"
		"References:\n[1] https://img.example/logo.png\n[2] https://img.example/b.png\n");
	/* an image in a link; a data: image has no reference */
	text_is("[![alt](https://img.example/a.png)](https://example.org/) ![dot](data:image/png;base64,iVBORw0KGgo=)\n",
		"[image: alt] [1] [2] [image: dot]\n\n"
		"References:\n[1] https://img.example/a.png\n[2] https://example.org/\n");
	html_is("![a *b*](https://img.example/a.png \"t\")\n", 0,
		"<p><img src=\"https://img.example/a.png\" alt=\"a b\" title=\"t\" /></p>\n");
	html_is("![dot](data:image/png;base64,iVBORw0KGgo=)\n", 0,
		"<p><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"dot\" /></p>\n");
}

static void test_inline_styles(void **state)
{
	text_is("Plain *emphasis* and _more_, **strong** and __also__, `code  x` and ***both***.\n",
		"Plain emphasis and more, *strong* and *also*, code x and *both*.\n");
	text_is("*Source*, 2026-11-20\n", "Source, 2026-11-20\n");
	html_is("*e* **s** `c<d>`\n", 0,
		"<p><em>e</em> <strong>s</strong> <code>c&lt;d&gt;</code></p>\n");
}

static void test_block_quote(void **state)
{
	text_is("Before.\n\n> Quoted text that is fairly long and should wrap onto a second line with the prefix.\n>\n> Second.\n\nAfter.\n",
		"Before.\n\n"
		"> Quoted text that is fairly long and should wrap onto a second line\n"
		"> with the prefix.\n"
		">\n"
		"> Second.\n\n"
		"After.\n");
	text_is("> a\n> > b\n> > c\n>\n> - d\n", "> a\n>\n> > b c\n>\n> - d\n");
	html_is("> q\n", 0, "<blockquote>\n<p>q</p>\n</blockquote>\n");
}

static void test_code_block(void **state)
{
	const char *md = "Before:\n\n```c\nif (a < b && *p) {\n\tx = \"<b>\";   \n\n}\n```\n\n"
			 "    indented   code    with    many    spaces    that    goes    past    seventy-two    columns\n";

	text_is(md,
		"Before:\n\n"
		"    if (a < b && *p) {\n"
		"    \tx = \"<b>\";\n"
		"\n"
		"    }\n\n"
		"    indented   code    with    many    spaces    that    goes    past    seventy-two    columns\n");
	html_is("```\n<b> & *x*\n```\n", 0, "<pre><code>&lt;b&gt; &amp; *x*\n</code></pre>\n");
	html_is("```\n<b> & *x*\n```\n", 1, "<pre><code>&lt;b&gt; &amp; *x*\n</code></pre>\n");
	/* blank lines around a fenced block's code go, inner ones stay */
	text_is("a\n\n```\n\n  \nx\n\n\n  y\n\n```\n", "a\n\n    x\n\n\n      y\n");
	text_is("```\n\n```\n\nb\n", "b\n");
	/* in a list item, after the marker's indent */
	text_is("- item\n\n      code\n", "- item\n\n      code\n");
}

static void test_thematic_break(void **state)
{
	char *t;
	char want[80];

	memset(want, '-', 72);
	want[72] = '\0';
	t = text("a\n\n***\n\nb\n");
	assert_int_equal(strncmp(t, "a\n\n", 3), 0);
	assert_int_equal(strncmp(t + 3, want, 72), 0);
	assert_string_equal(t + 75, "\n\nb\n");
	free(t);
	t = text_wrap("> ---\n", 30);
	assert_string_equal(t, "> ----------------------------\n");
	free(t);
	html_is("---\n", 0, "<hr />\n");
}

static const char draft[] =
	"Intro paragraph. <!-- nd: intro -->\n"
	"\n"
	"<!-- nd: week=2026-W48 -->\n"
	"\n"
	"## Surveillance · Surveillance et vie privée\n"
	"\n"
	"<!-- nd: section=surveillance -->\n"
	"- [Title](https://example.org/x) — *Source*, 2026-11-20  <!-- nd: id=41 score=2 -->\n"
	"  One-sentence summary.\n"
	"  <!-- nd: id=42 topics=surveillance score=3.5 -->\n"
	"- [Two](https://example.org/2) <!-- nd: id=43 topics=no--fly score=1 -->\n"
	"- [Three](https://example.org/3) <!-- nd: id=44\n"
	"  topics=a,b -- split over lines -->\n"
	"\n"
	"> quoted <!-- nd: id=45 -->\n"
	"\n"
	"<!--nd: id=46-->\n"
	"<!-- an editor's own note -->\n"
	"<div class=\"kept\">raw</div>\n"
	"\n"
	"## Events\n"
	"\n"
	"<!-- nd: unclosed\n";

static void test_markers(void **state)
{
	char *h, *t;
	int allow;

	for (allow = 0; allow <= 1; allow++) {
		h = html(draft, allow);
		assert_null(strstr(h, "nd:"));
		assert_null(strstr(h, "<!--"));
		assert_null(strstr(h, "-->"));
		assert_null(strstr(h, "id="));
		assert_null(strstr(h, "editor's"));
		assert_null(strstr(h, "split over"));
		assert_non_null(strstr(h, "<h2>Events</h2>"));
		/* the hard break the marker hid is back */
		assert_non_null(strstr(h, "2026-11-20<br />\nOne-sentence summary.</li>"));
		assert_non_null(strstr(h, "<li><a href=\"https://example.org/2\">Two</a></li>"));
		if (allow)
			assert_non_null(strstr(h, "<div class=\"kept\">raw</div>"));
		else
			assert_null(strstr(h, "kept"));
		free(h);
	}
	t = text(draft);
	assert_null(strstr(t, "nd:"));
	assert_null(strstr(t, "id="));
	assert_null(strstr(t, "-->"));
	assert_string_equal(t,
		"Intro paragraph.\n\n"
		"Surveillance · Surveillance et vie privée\n"
		"-----------------------------------------\n\n"
		"- Title [1] — Source, 2026-11-20\n"
		"  One-sentence summary.\n"
		"- Two [2]\n"
		"- Three [3]\n\n"
		"> quoted\n\n"
		"Events\n------\n\n"
		"References:\n[1] https://example.org/x\n[2] https://example.org/2\n"
		"[3] https://example.org/3\n");
	free(t);
	/* several in one text; comments inside emphasis; an unclosed one is
	 * no marker and stays text */
	text_is("a <!-- nd: 1 -- x --> b <!-- nd: 2 -- y --> c\n", "a b c\n");
	text_is("x *e<!---->* <!-- c --> y\n", "x e y\n");
	html_is("x *e<!---->* <!-- c --> y\n", 1, "<p>x <em>e</em>  y</p>\n");
	text_is("x <!-- nd: open\nmore -- text\n", "x <!-- nd: open more -- text\n");
	/* only markers leave text: an escaped comment the editor wrote stays */
	text_is("Write \\<!-- like this --> to hide.\n", "Write <!-- like this --> to hide.\n");
	html_is("Write \\<!-- like this --> to hide.\n", 0,
		"<p>Write &lt;!-- like this --&gt; to hide.</p>\n");
	html_is("a <!-- x --> b\n", 1, "<p>a  b</p>\n");
}

static void test_raw_html(void **state)
{
	const char *md = "<script>alert(1)</script>\n\n"
			 "Some <b>bold</b> text and <span onclick=\"x()\">span</span>.\n\n"
			 "<div>\nblock\n</div>\n";
	char *h, *t;

	h = html(md, 0);
	assert_string_equal(h, "<p>Some bold text and span.</p>\n");
	free(h);
	h = html(md, 1);
	assert_string_equal(h, "<script>alert(1)</script>\n"
			       "<p>Some <b>bold</b> text and <span onclick=\"x()\">span</span>.</p>\n"
			       "<div>\nblock\n</div>\n");
	free(h);
	t = text(md);
	assert_string_equal(t, "Some bold text and span.\n");
	free(t);
	/* inline script: the tags go, its text stays as text */
	h = html("x <script>alert(1)</script> y\n", 0);
	assert_string_equal(h, "<p>x alert(1) y</p>\n");
	free(h);
}

static void test_dangerous_links(void **state)
{
	const char *md = "[a](javascript:alert(1)) [b](JavaScript:alert(2)) "
			 "[c](&#106;avascript:alert(3)) <javascript:alert(4)> [d](vbscript:x) "
			 "[e](file:///etc/passwd) [f](data:text/html;base64,PHNjcmlwdD4=) "
			 "![g](javascript:alert(5)) [ok](https://ok.example/)\n";
	char *h, *t;
	int allow;

	for (allow = 0; allow <= 1; allow++) {
		h = html(md, allow);
		/* no destination survives; an autolink's text stays text */
		assert_false(has_nocase(h, "=\"javascript"));
		assert_false(has_nocase(h, "alert(1)") || has_nocase(h, "alert(5)"));
		assert_non_null(strstr(h, "<a href=\"\">javascript:alert(4)</a>"));
		assert_null(strstr(h, "vbscript"));
		assert_null(strstr(h, "file:"));
		assert_null(strstr(h, "data:"));
		assert_non_null(strstr(h, "<a href=\"\">a</a>"));
		assert_non_null(strstr(h, "<img src=\"\" alt=\"g\" />"));
		assert_non_null(strstr(h, "<a href=\"https://ok.example/\">ok</a>"));
		free(h);
	}
	t = text(md);
	assert_string_equal(t, "a b c javascript:alert(4) d e f [image: g] ok [1]\n\n"
			       "References:\n[1] https://ok.example/\n");
	free(t);
}

static void test_hostile_text(void **state)
{
	const char *md = "\\*not emphasis\\* \\[not a link\\](x) \\</script> `</script>` &lt;b&gt; &amp;\n\n"
			 "مرحبا بالعالم — שלום עולם (RTL) 👍🏽 🇨🇦 👩‍👩‍👧 ✊\n\n"
			 "bell\a and C1 \xc2\x85 and bad \xff byte\n";
	char *h, *t;

	h = html(md, 0);
	assert_null(strstr(h, "</script>"));
	assert_non_null(strstr(h, "*not emphasis* [not a link](x) &lt;/script&gt; "
				  "<code>&lt;/script&gt;</code> &lt;b&gt; &amp;"));
	assert_non_null(strstr(h, "مرحبا بالعالم — שלום עולם (RTL) 👍🏽 🇨🇦 👩‍👩‍👧 ✊"));
	/* invalid UTF-8 becomes U+FFFD */
	assert_non_null(strstr(h, "bad \xef\xbf\xbd byte"));
	free(h);
	t = text(md);
	assert_string_equal(t,
		"*not emphasis* [not a link](x) </script> </script> <b> &\n\n"
		"مرحبا بالعالم — שלום עולם (RTL) 👍🏽 🇨🇦 👩‍👩‍👧 ✊\n\n"
		"bell? and C1 ? and bad \xef\xbf\xbd byte\n");
	free(t);
	/* a NUL in the draft */
	{
		static const char nul[] = "a\0b\n";
		struct render_doc *d = render_parse(nul, sizeof nul - 1);
		struct buf out = BUF_INIT;

		assert_int_equal(render_text(d, NULL, &out), 0);
		assert_string_equal(out.s, "a\xef\xbf\xbd" "b\n");
		buf_release(&out);
		render_doc_free(d);
	}
}

struct seen {
	char urls[16][64];
	int lines[16];
	int n;
};

static void collect(const char *url, int line, void *data)
{
	struct seen *s = data;

	assert_true(s->n < 16);
	snprintf(s->urls[s->n], sizeof s->urls[0], "%s", url);
	s->lines[s->n++] = line;
}

static void test_links_report(void **state)
{
	static const char md[] =
		"# [Head](https://h.example/)\n"                          /* 1 */
		"\n"
		"Text with `code\n"                                       /* 3 */
		"span` then [a](https://a.example/) and\n"                /* 4 */
		"<https://auto.example/> ![i](img.png)\n"                 /* 5 */
		"\n"
		"> quote\n"                                               /* 7 */
		"lazy [js](javascript:alert(1)) [empty]()\n"              /* 8 */
		"\n"
		"- item\n"                                                /* 10 */
		"  [ref]\n"                                               /* 11 */
		"\n"
		"<a href=\"https://raw.example/\">raw</a> [x](http://x.example/)\n" /* 13 */
		"\n"
		"[ref]: https://ref.example/\n";
	static const struct {
		const char *url;
		int line;
	} want[] = {
		{ "https://h.example/", 1 },
		{ "https://a.example/", 4 },
		{ "https://auto.example/", 5 },
		{ "img.png", 5 },
		{ "javascript:alert(1)", 8 },
		{ "", 8 },
		{ "https://ref.example/", 11 },
		{ "http://x.example/", 13 },
	};
	struct render_doc *d = render_parse(md, sizeof md - 1);
	struct seen s;
	struct buf out = BUF_INIT;
	size_t i;

	memset(&s, 0, sizeof s);
	assert_int_equal(render_links(d, collect, &s), (int)(sizeof want / sizeof want[0]));
	assert_int_equal(s.n, (int)(sizeof want / sizeof want[0]));
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_string_equal(s.urls[i], want[i].url);
		assert_int_equal(s.lines[i], want[i].line);
	}
	/* the doc is unchanged: the same again, and the HTML still safe */
	memset(&s, 0, sizeof s);
	assert_int_equal(render_links(d, collect, &s), 8);
	assert_int_equal(s.n, 8);
	assert_string_equal(s.urls[4], "javascript:alert(1)");
	assert_int_equal(render_html(d, NULL, &out), 0);
	assert_null(strstr(out.s, "javascript"));
	buf_release(&out);
	render_doc_free(d);
}

/* The same document renders the same twice, appended after what out held. */
static void test_render_again(void **state)
{
	struct render_doc *d = render_parse(draft, strlen(draft));
	struct buf a = BUF_INIT, b = BUF_INIT;

	buf_addstr(&b, "before\n");
	assert_int_equal(render_text(d, NULL, &a), 0);
	assert_int_equal(render_text(d, NULL, &b), 0);
	assert_string_equal(b.s + 7, a.s);
	buf_reset(&a);
	buf_reset(&b);
	assert_int_equal(render_html(d, NULL, &a), 0);
	assert_int_equal(render_html(d, NULL, &b), 0);
	assert_string_equal(a.s, b.s);
	buf_release(&a);
	buf_release(&b);
	render_doc_free(d);
}

static void test_limits(void **state)
{
	struct render_doc *d = render_parse(draft, strlen(draft));
	struct buf out;

	buf_init(&out, 40);
	buf_addstr(&out, "kept");
	assert_int_equal(render_text(d, NULL, &out), -1);
	assert_true(out.toobig);
	assert_string_equal(out.s, "kept");
	assert_sane(&out);
	assert_int_equal(render_html(d, NULL, &out), -1);
	assert_string_equal(out.s, "kept");
	buf_release(&out);
	render_doc_free(d);
}

static void test_long_lines(void **state)
{
	struct buf md = BUF_INIT;
	char *t, *p;
	size_t i;

	/* a 3000-octet word, a 4000-octet accented one, a long code line,
	 * a long URL: all cut at character boundaries */
	buf_addstr(&md, "x ");
	for (i = 0; i < 3000; i++)
		buf_addch(&md, 'a');
	buf_addstr(&md, " y ");
	for (i = 0; i < 2000; i++)
		buf_addstr(&md, "é");
	buf_addstr(&md, "\n\n    ");
	for (i = 0; i < 5000; i++)
		buf_addch(&md, "0123456789"[i % 10]);
	buf_addstr(&md, "\n\n[link](https://example.org/");
	for (i = 0; i < 2000; i++)
		buf_addch(&md, 'q');
	buf_addstr(&md, ")\n");
	t = text(md.s);
	/* 3 x 998 + 6 */
	p = strstr(t, "x\n");
	assert_non_null(p);
	for (i = 0; i < 3; i++) {
		p += strcspn(p, "\n") + 1;
		assert_int_equal(strcspn(p, "\n"), RENDER_LINE_MAX);
		assert_int_equal(strspn(p, "a"), RENDER_LINE_MAX);
	}
	p += strcspn(p, "\n") + 1;
	assert_int_equal(strncmp(p, "aaaaaa y\n", 9), 0);
	/* 499 two-octet characters a line */
	p += 9;
	assert_int_equal(strcspn(p, "\n"), RENDER_LINE_MAX);
	p = strstr(t, "\n[1] https://example.org/q");
	assert_non_null(p);
	assert_int_equal(strcspn(p + 1, "\n"), RENDER_LINE_MAX);
	free(t);

	/* deep nesting: the prefix stops growing */
	buf_reset(&md);
	for (i = 0; i < 3000; i++)
		buf_addstr(&md, "> ");
	buf_addstr(&md, "deep text\n");
	for (i = 0; i < 1000; i++)
		buf_addstr(&md, "- ");
	buf_addstr(&md, "deep item\n");
	t = text(md.s);
	assert_true(strlen(t) < 1000);
	free(t);
	buf_release(&md);
}

static void test_big_document(void **state)
{
	struct buf md = BUF_INIT, out = BUF_INIT;
	struct render_doc *d;
	size_t i;

	buf_addstr(&md, "# Weekly digest\n\nIntro.\n\n");
	for (i = 0; md.len < 1024 * 1024; i++) {
		if (i % 50 == 0)
			buf_addf(&md, "## Section %zu · Rubrique\n\n", i / 50);
		buf_addf(&md, "- [Item %zu with a title of some length](https://example.org/%zu) — "
			      "*Source*, 2026-11-20  <!-- nd: id=%zu score=1.5 -->\n"
			      "  A summary sentence about surveillance, élève, 東京 and "
			      "[another](https://example.org/%zu), long enough to wrap.\n",
			 i, i, i, i / 2);
		if (i % 50 == 49)
			buf_addstr(&md, "\n");
	}
	d = render_parse(md.s, md.len);
	assert_non_null(d);
	assert_int_equal(render_html(d, NULL, &out), 0);
	assert_true(out.len > md.len / 2);
	assert_null(strstr(out.s, "nd:"));
	buf_reset(&out);
	assert_int_equal(render_text(d, NULL, &out), 0);
	assert_sane_text(out.s, RENDER_WRAP);
	assert_non_null(strstr(out.s, "\n[1] https://example.org/0\n"));
	assert_true(render_links(d, NULL, NULL) == (int)(2 * i));
	buf_release(&out);
	render_doc_free(d);
	buf_release(&md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_inline_styles),
		cmocka_unit_test(test_block_quote),
		cmocka_unit_test(test_code_block),
		cmocka_unit_test(test_thematic_break),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_raw_html),
		cmocka_unit_test(test_dangerous_links),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_links_report),
		cmocka_unit_test(test_render_again),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_big_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
