/*
 * Unit tests for src/fetch/html.c: the sanitiser against script injection
 * and URL tricks, the plain-text excerpt (entities, white space, UTF-8
 * safe truncation), feed discovery and the page sniffer. Every result is
 * checked to be a sane buf holding valid UTF-8; one test redirects stderr
 * to prove libxml2 prints nothing on broken input.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "html.h"
#include "xalloc.h"

#define BASE "https://example.org/blog/post.html"

static int valid_utf8(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, j;
	uint32_t c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			k = 2;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 3;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 4;
			c &= 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (len - i < k)
			return 0;
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + j] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += k;
	}
	return 1;
}

static size_t count_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void assert_sane_buf(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
	assert_int_equal(strlen(b->s), b->len);
	assert_true(b->alloc == 0 || b->len < b->alloc);
	assert_true(valid_utf8(b->s, b->len));
}

/* Sanitised HTML of html as a malloc'd string. */
static char *san(const char *html, const char *base)
{
	struct buf b = BUF_INIT;

	html_sanitize(html, strlen(html), base, &b);
	assert_sane_buf(&b);
	return buf_detach(&b);
}

static void check_san(const char *html, const char *base, const char *want)
{
	char *got = san(html, base);

	assert_string_equal(got, want);
	free(got);
}

static char *text(const char *html, size_t max)
{
	struct buf b = BUF_INIT;

	html_to_text(html, strlen(html), max, &b);
	assert_sane_buf(&b);
	if (max)
		assert_true(count_chars(b.s) <= max);
	return buf_detach(&b);
}

static void check_text(const char *html, size_t max, const char *want)
{
	char *got = text(html, max);

	assert_string_equal(got, want);
	free(got);
}

/* strcasestr() is a GNU extension. */
static void assert_lacks(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	for (p = s; *p; p++)
		if (!strncasecmp(p, needle, n))
			fail_msg("'%s' found in '%.80s'", needle, s);
}

/* --- html_sanitize ---------------------------------------------------- */

static void test_sanitize_plain(void **state)
{
	check_san("<p>Hello <b>world</b></p>", NULL, "<p>Hello <b>world</b></p>");
}

static void test_sanitize_script_removed(void **state)
{
	check_san("<p>a<script>alert(1)</script>b</p>", NULL, "<p>ab</p>");
	check_san("<SCRIPT type=\"text/javascript\">document.write('x')</SCRIPT>ok",
		  NULL, "ok");
	check_san("<script>if (a < b) { x = '</p>'; }</script>after", NULL, "after");
}

static void test_sanitize_style_filtered(void **state)
{
	/* the <style> element goes with its rules; the attribute keeps its
	 * presentational declarations (css_filter_style, tested below) */
	check_san("<style>p { color: red }</style><p style=\"color:red\">x</p>",
		  NULL, "<p style=\"color: red;\">x</p>");
	check_san("<p style=\"position:fixed;top:0;background:url(https://t.example/p.gif)\">x</p>",
		  NULL, "<p>x</p>");
	check_san("<p style='font-family: \"a\"; width: expression(alert(1))'>x</p>",
		  NULL, "<p style=\"font-family: &quot;a&quot;;\">x</p>");
}

static void test_sanitize_active_content_removed(void **state)
{
	char *got;

	got = san("<iframe src=\"https://evil.example/\">inner</iframe>"
		  "<embed src=\"x.swf\">"
		  "<form action=\"/steal\"><input name=p><button>Go</button>"
		  "<textarea>t</textarea><select><option>o</select></form>"
		  "<noscript>ns</noscript><svg><script>alert(1)</script>"
		  "<a xlink:href=\"javascript:alert(1)\">s</a></svg>"
		  "<math><mi>m</mi></math>end", NULL);
	assert_string_equal(got, "end");
	free(got);
	/* libxml2 nests what follows <embed> inside it: that must stay. */
	got = san("<embed src=\"x.swf\" onload=\"x()\">after <b>b</b>", NULL);
	assert_string_equal(got, "after <b>b</b>");
	free(got);
	/* <object> is unwrapped too: an unclosed one must not swallow what
	 * follows; its fallback content is sanitised like the rest */
	got = san("safe<object classid=\"clsid:C932\" data=\"x.swf\"> "
		  "<param name=\"a\" value=\"b\"><b>description</b>"
		  "<script>alert(1)</script>", NULL);
	assert_string_equal(got, "safe <b>description</b>");
	free(got);
	got = san("<object data=\"x.swf\"><param name=a>fallback "
		  "<iframe src=\"https://evil.example/\">i</iframe></object>end", NULL);
	assert_string_equal(got, "fallback end");
	free(got);
}

static void test_sanitize_event_handlers_removed(void **state)
{
	check_san("<p onclick=\"alert(1)\" ONMOUSEOVER=\"x()\" class=\"c\" id=\"i\">t</p>"
		  "<img src=\"https://example.com/a.png\" onerror=\"alert(1)\" alt=\"A\">",
		  NULL,
		  "<p class=\"c\" id=\"i\">t</p><img src=\"https://example.com/a.png\" alt=\"A\" />");
}

/* Attributes that load or send something stay off every element; the
 * inert ones feeds use are kept (a long list: here its ends and middle). */
static void test_sanitize_url_attributes_dropped(void **state)
{
	check_san("<p background=\"https://t.example/b.gif\" ping=\"https://t.example/\""
		  " dynsrc=\"x\" lowsrc=\"y\" longdesc=\"z\" datasrc=\"d\" data=\"e\""
		  " action=\"f\" href=\"g\" src=\"h\" cite=\"i\">t</p>", NULL, "<p>t</p>");
	check_san("<span abbr=\"a\" lang=\"fr\" width=\"\" wrap=\"w\">t</span>", NULL,
		  "<span abbr=\"a\" lang=\"fr\" width=\"\" wrap=\"w\">t</span>");
	check_san("<td WIDTH=\"50%\" height=\"x\" xmlns:foo=\"u\">t</td>", NULL,
		  "<td width=\"50%\">t</td>");
}

static void test_sanitize_javascript_href(void **state)
{
	check_san("<a href=\"javascript:alert(1)\">x</a>", NULL, "<a>x</a>");
	check_san("<a href=\"JaVaScRiPt:alert(1)\">x</a>", BASE, "<a>x</a>");
	check_san("<a href=\"java&#x09;script:alert(1)\">x</a>", BASE, "<a>x</a>");
	check_san("<a href=\"java&#10;script:alert(1)\">x</a>", NULL, "<a>x</a>");
	check_san("<a href=\" &#1;javascript:alert(1)\">x</a>", BASE, "<a>x</a>");
	check_san("<a href=\"vbscript:msgbox\">x</a>", NULL, "<a>x</a>");
	check_san("<a href='javascript:alert(\"1\")' title='t'>x</a>", NULL,
		  "<a title=\"t\">x</a>");
}

static void test_sanitize_data_url(void **state)
{
	check_san("<img src=\"data:image/png;base64,AAAA\" alt=\"d\">", BASE,
		  "<img alt=\"d\" />");
	check_san("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
		  NULL, "<a>x</a>");
}

static void test_sanitize_allowed_schemes(void **state)
{
	check_san("<a href=\"mailto:me@example.org\">m</a>", BASE,
		  "<a href=\"mailto:me@example.org\">m</a>");
	check_san("<a href=\"HTTPS://example.com/x\">h</a>", NULL,
		  "<a href=\"HTTPS://example.com/x\">h</a>");
	check_san("<a href=\"  http://example.com/  \">h</a>", NULL,
		  "<a href=\"http://example.com/\">h</a>");
	check_san("<a href=\"ftp://example.com/f\">f</a>", BASE, "<a>f</a>");
}

static void test_sanitize_relative_resolved(void **state)
{
	check_san("<a href=\"other.html\">o</a><img src=\"/img/a.png\">"
		  "<a href=\"../up?q=1&amp;r=2#f\">u</a>"
		  "<blockquote cite=\"//cdn.example.net/q\">q</blockquote>",
		  BASE,
		  "<a href=\"https://example.org/blog/other.html\">o</a>"
		  "<img src=\"https://example.org/img/a.png\" />"
		  "<a href=\"https://example.org/up?q=1&amp;r=2#f\">u</a>"
		  "<blockquote cite=\"https://cdn.example.net/q\">q</blockquote>");
}

static void test_sanitize_relative_without_base(void **state)
{
	check_san("<a href=\"other.html\">o</a>", NULL,
		  "<a href=\"other.html\">o</a>");
	check_san("<a href=\"/a b\">o</a>", NULL, "<a href=\"/a%20b\">o</a>");
}

static void test_sanitize_url_encoding(void **state)
{
	/* Spaces and non-ASCII survive resolution, percent-encoded. */
	check_san("<a href=\"caf\xc3\xa9 menu.html\">c</a>", BASE,
		  "<a href=\"https://example.org/blog/caf%C3%A9%20menu.html\">c</a>");
	check_san("<a href=\"a\"onclick=\"x\">q</a>", NULL, "<a href=\"a\">q</a>");
	check_san("<a href='x\"><script>alert(1)</script>'>q</a>", NULL,
		  "<a href=\"x%22%3E%3Cscript%3Ealert(1)%3C/script%3E\">q</a>");
}

static void test_sanitize_unknown_unwrapped(void **state)
{
	check_san("<blink>b</blink><custom-el x=1>c</custom-el><marquee>m</marquee>",
		  NULL, "bcm");
	check_san("<html><body><article><section><p>x</p></section></article>"
		  "</body></html>", NULL,
		  "<article><section><p>x</p></section></article>");
	/* old presentational elements are harmless and kept */
	check_san("<font color=red face=Arial>red</font> <center>b</center>",
		  NULL, "<font color=\"red\" face=\"Arial\">red</font> <center>b</center>");
	/* media and forms are not: their fallback text stays */
	check_san("<video src=\"https://t.example/v.mp4\" poster=\"https://t.example/p.jpg\">"
		  "no video</video><audio autoplay>no audio</audio><canvas>c</canvas>",
		  NULL, "no videono audioc");
	check_san("<form action=\"https://evil.example/\"><input name=p value=1>"
		  "<button>Go</button><select><option>o</select><textarea>t</textarea>"
		  "</form>after", NULL, "after");
}

static void test_sanitize_full_page(void **state)
{
	check_san("<!DOCTYPE html><html><head><title>T</title>"
		  "<meta charset=utf-8><link rel=stylesheet href=s.css>"
		  "<base href=\"https://evil.example/\"></head>"
		  "<body><p>Body</p></body></html>", NULL, "<p>Body</p>");
}

static void test_sanitize_entities(void **state)
{
	check_san("<p>caf&eacute; &amp; cr&egrave;me&nbsp;br&ucirc;l&eacute;e "
		  "&lt;b&gt; &#233; &#x263A; &quot;q&quot;</p>", NULL,
		  "<p>caf\xc3\xa9 &amp; cr\xc3\xa8me\xc2\xa0"
		  "br\xc3\xbbl\xc3\xa9" "e &lt;b&gt; \xc3\xa9 \xe2\x98\xba \"q\"</p>");
	check_san("<a title=\"&quot;&lt;x&gt;&amp;\" href=\"/?a=1&b=2\">t</a>",
		  NULL, "<a title=\"&quot;&lt;x&gt;&amp;\" href=\"/?a=1&amp;b=2\">t</a>");
}

static void test_sanitize_comments_cdata(void **state)
{
	check_san("a<!-- <script>alert(1)</script> -->b<?php echo 1 ?>c", NULL, "abc");
	check_san("x<![CDATA[<b>y</b>]]>", NULL, "x&lt;![CDATA[<b>y</b>]]&gt;");
}

static void test_sanitize_nested_lists(void **state)
{
	check_san("<ul><li>one<ol start=\"3\" type=\"a\"><li>a</li><li>b</ol>"
		  "<li>two</ul>", NULL,
		  "<ul><li>one<ol start=\"3\" type=\"a\"><li>a</li><li>b</li></ol></li>"
		  "<li>two</li></ul>");
	check_san("<ol start=\"x\"><li>a</ol>", NULL, "<ol><li>a</li></ol>");
}

static void test_sanitize_table(void **state)
{
	check_san("<table border=1 width=100><caption>C</caption><thead><tr>"
		  "<th colspan=\"2\" style=\"x\">H</th></tr></thead><tbody><tr>"
		  "<td rowspan=2 onclick=\"x\">1</td><td>2</td></tr></tbody>"
		  "</table>", NULL,
		  "<table border=\"1\" width=\"100\"><caption>C</caption><thead><tr><th colspan=\"2\">H</th>"
		  "</tr></thead><tbody><tr><td rowspan=\"2\">1</td><td>2</td>"
		  "</tr></tbody></table>");
}

static void test_sanitize_void_elements(void **state)
{
	check_san("a<br/>b<hr>c<br></br>d<img src=x.png width=10 height=\"5x\">",
		  NULL, "a<br />b<hr />c<br />d<img src=\"x.png\" width=\"10\" />");
}

static void test_sanitize_malformed(void **state)
{
	char *got;

	check_san("<p>one<p>two<b>bold<i>both</p>tail", NULL,
		  "<p>one</p><p>two<b>bold<i>both</i></b></p>tail");
	check_san("<div><span>x</div></span>y</div>z", NULL,
		  "<div><span>x</span></div>yz");
	check_san("<a href=\"https://x.example/\"<b>unterminated <p", NULL,
		  "<a href=\"https://x.example/\">unterminated <p></p></a>");
	got = san("<<<>>>&&&<p <p>", NULL);
	assert_lacks(got, "<<");
	free(got);
}

static void test_sanitize_text_only(void **state)
{
	check_san("just text, 1 < 2 & 3 > 2", NULL, "just text, 1 &lt; 2 &amp; 3 &gt; 2");
	check_san("  leading and trailing  ", NULL, "  leading and trailing  ");
	/* Closing our wrapper early loses nothing. */
	check_san("before</newsdigest-fragment>after", NULL, "before<p>after</p>");
	check_san("a</div>b</body>c</html>d", NULL, "abcd");
}

static void test_sanitize_empty(void **state)
{
	struct buf b = BUF_INIT;

	html_sanitize("", 0, NULL, &b);
	assert_sane_buf(&b);
	assert_int_equal(b.len, 0);
	html_sanitize(NULL, 0, BASE, &b);
	assert_int_equal(b.len, 0);
	check_san("<script>x</script><!-- c -->", NULL, "");
}

static void test_sanitize_appends(void **state)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "pre:");
	html_sanitize("<b>x</b>", 8, NULL, &b);
	assert_sane_buf(&b);
	assert_string_equal(b.s, "pre:<b>x</b>");
	buf_release(&b);
}

static void test_sanitize_controls_and_bad_utf8(void **state)
{
	static const char in[] = "a\x01" "b\x7f" "c\xff" "d\xc3(e&#x85;f";
	struct buf b = BUF_INIT;

	html_sanitize(in, sizeof(in) - 1, NULL, &b);
	assert_sane_buf(&b);
	assert_string_equal(b.s, "abc\xef\xbf\xbd" "d\xef\xbf\xbd(ef");
	buf_release(&b);
}

static void test_sanitize_nul_byte(void **state)
{
	static const char in[] = "<p>a\0<script>x</script>b</p>";
	struct buf b = BUF_INIT;

	html_sanitize(in, sizeof(in) - 1, NULL, &b);
	assert_sane_buf(&b);
	assert_lacks(b.s, "script");
	buf_release(&b);
}

static void test_sanitize_large(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; in.len < (1u << 20); i++)
		buf_addf(&in, "<p class=c%zu onclick=x>para %zu &amp; <a href=\"/p/%zu\">"
			 "link</a><script>bad()</script></p>\n", i, i, i);
	html_sanitize(in.s, in.len, BASE, &out);
	assert_sane_buf(&out);
	assert_lacks(out.s, "script");
	assert_lacks(out.s, "onclick");
	assert_non_null(strstr(out.s, "<a href=\"https://example.org/p/0\">"));
	assert_non_null(strstr(out.s, "para 1 &amp; "));
	buf_release(&in);
	buf_release(&out);
}

static void test_sanitize_deep_nesting(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; i < 100000; i++)
		buf_addstr(&in, "<div><span>");
	buf_addstr(&in, "deep");
	html_sanitize(in.s, in.len, NULL, &out);
	assert_sane_buf(&out);
	buf_reset(&out);
	html_to_text(in.s, in.len, 10, &out);
	assert_sane_buf(&out);
	buf_release(&in);
	buf_release(&out);
}

static void test_no_stderr(void **state)
{
	static const char *const inputs[] = {
		"<p>unclosed <b><i></p></b>", "<a href=x<b>", "&bogus; &#xffffffff; &#0;",
		"<html><html><body><head>", "\xff\xfe<\x80\x81>", "<!DOCTYPE",
		"<?xml version=\"1.0\" encoding=\"bogus\"?><x>",
		"<meta charset=\"no-such-charset\"><p>\xe9t\xe9</p>", "</p></p></x>",
		"<tag attr=\"1\" attr=\"2\">", NULL
	};
	char path[] = "/tmp/test_html.stderr.XXXXXX";
	struct html_feed_link *links;
	struct buf b = BUF_INIT;
	struct stat st;
	int fd, saved;
	size_t i, n;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	for (i = 0; inputs[i]; i++) {
		html_sanitize(inputs[i], strlen(inputs[i]), BASE, &b);
		html_to_text(inputs[i], strlen(inputs[i]), 5, &b);
		n = html_find_feeds(inputs[i], strlen(inputs[i]), BASE, &links);
		html_feed_links_free(links, n);
	}
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
	assert_sane_buf(&b);
	buf_release(&b);
}

/* --- html_to_text ----------------------------------------------------- */

static void test_text_tags_and_entities(void **state)
{
	check_text("<p>Caf&eacute; &amp; <b>bar</b></p>", 0, "Caf\xc3\xa9 & bar");
	check_text("AT&amp;T &lt;tag&gt; &nbsp;&quot;q&quot; &#8364;", 0,
		   "AT&T <tag> \"q\" \xe2\x82\xac");
	check_text("plain text, no tags", 0, "plain text, no tags");
	check_text("", 0, "");
}

static void test_text_script_style_dropped(void **state)
{
	check_text("<style>.a{}</style>Hi<script>var x = '<p>';</script> there"
		   "<noscript>enable js</noscript>", 0, "Hi there");
}

static void test_text_blocks_are_spaces(void **state)
{
	check_text("<p>one</p><p>two</p><ul><li>a<li>b</ul>x<br>y<h1>T</h1>"
		   "<table><tr><td>c1<td>c2</table>z", 0,
		   "one two a b x y T c1 c2 z");
	check_text("in<b>line</b><i>s</i>", 0, "inlines");
}

static void test_text_whitespace_collapsed(void **state)
{
	check_text("  a \t\n b&nbsp;&nbsp;c\xc2\xa0\xc2\xa0" "d\xe2\x80\x83" "e  ", 0,
		   "a b c d e");
	check_text(" \n\t&nbsp; ", 0, "");
	check_text("<p> </p><div>x</div><p>\n</p>", 0, "x");
}

static void test_text_controls_removed(void **state)
{
	static const char in[] = "a\x01" "b\x1b[31mc\x7f" "d&#x85;e&#x9b;f\xc2\x80g\xff";

	check_text(in, 0, "ab[31mcdefg");
	/* libxml2 itself drops VT and FF (not XML characters). */
	check_text("a\x0b" "b\x0c" "c\rd\te", 0, "abc d e");
}

static void test_text_truncate_word_boundary(void **state)
{
	/* 20 allowed: 19 plus the ellipsis; the cut falls on a space. */
	check_text("The quick brown fox jumps over the dog.", 20,
		   "The quick brown fox\xe2\x80\xa6");
	/* The last space within the last 20% of the 17 kept. */
	check_text("The quick brown fox jumps over the dog.", 18,
		   "The quick brown\xe2\x80\xa6");
	check_text("The quick brown fox", 19, "The quick brown fox");
	check_text("The quick brown fox!", 19, "The quick brown\xe2\x80\xa6");
	/* The cut falls just before a space: the word is whole. */
	check_text("abcd efgh ijkl", 10, "abcd efgh\xe2\x80\xa6");
}

static void test_text_truncate_long_word(void **state)
{
	/* No space in the last 20%: a hard cut. */
	check_text("a bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 11, "a bbbbbbbb\xe2\x80\xa6");
	check_text("abcdef", 1, "\xe2\x80\xa6");
	check_text("abcdef", 2, "a\xe2\x80\xa6");
}

static void test_text_truncate_utf8(void **state)
{
	char *got;
	size_t max;

	/* é is two bytes, ☺ three, 😀 four: never split, counted once. */
	check_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4,
		   "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	check_text("\xe2\x98\xba\xe2\x98\xba\xe2\x98\xba", 3,
		   "\xe2\x98\xba\xe2\x98\xba\xe2\x98\xba");
	for (max = 1; max < 12; max++) {
		got = text("\xf0\x9f\x98\x80 caf\xc3\xa9 \xe2\x98\xba\xe2\x98\xba "
			   "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", max);
		free(got);
	}
}

static void test_text_truncate_after_collapse(void **state)
{
	/* The limit counts collapsed text, not input bytes. */
	check_text("<p>a</p>\n\n\n<p>b</p>        c", 5, "a b c");
	check_text("<p>aaa</p>\n\n\n<p>bbbbbbbbbb</p>", 13, "aaa bbbbbbbb\xe2\x80\xa6");
	check_text("<p>aaaaaaaa</p>\n\n\n<p>bbbbbbbbbb</p>", 10, "aaaaaaaa\xe2\x80\xa6");
}

static void test_text_large(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	while (in.len < (1u << 20))
		buf_addstr(&in, "<p>word &amp; <i>more</i>  words</p>\n");
	html_to_text(in.s, in.len, 0, &out);
	assert_sane_buf(&out);
	assert_int_equal(strncmp(out.s, "word & more words word & ", 25), 0);
	buf_reset(&out);
	html_to_text(in.s, in.len, 100, &out);
	assert_sane_buf(&out);
	assert_true(count_chars(out.s) <= 100);
	buf_release(&in);
	buf_release(&out);
}

/* --- html_find_feeds -------------------------------------------------- */

static void test_feeds_several(void **state)
{
	static const char page[] =
		"<!DOCTYPE html><html><head><title>Blog</title>"
		"<link rel=\"stylesheet\" href=\"/s.css\" type=\"text/css\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"  RSS \n feed \" href=\"/feed.xml\">"
		"<LINK REL=\"Alternate\" TYPE=\"Application/Atom+XML; charset=utf-8\" HREF=\"https://example.org/atom\">"
		"<link rel=\"alternate nofollow\" type=\"application/feed+json\" href=\"feed.json\">"
		"<link rel=\"alternate\" type=\"application/json\" href=\"/wp-json/\">"
		"<link rel=\"alternate\" type=\"application/rdf+xml\" href=\"/index.rdf\" title=\"\">"
		"</head><body><p>x</p></body></html>";
	struct html_feed_link *l;
	size_t n;

	n = html_find_feeds(page, sizeof(page) - 1, BASE, &l);
	assert_int_equal(n, 5);
	assert_string_equal(l[0].url, "https://example.org/feed.xml");
	assert_string_equal(l[0].title, "RSS feed");
	assert_string_equal(l[0].type, "application/rss+xml");
	assert_string_equal(l[1].url, "https://example.org/atom");
	assert_null(l[1].title);
	assert_string_equal(l[1].type, "application/atom+xml");
	assert_string_equal(l[2].url, "https://example.org/blog/feed.json");
	assert_string_equal(l[2].type, "application/feed+json");
	assert_string_equal(l[3].url, "https://example.org/wp-json/");
	assert_string_equal(l[4].url, "https://example.org/index.rdf");
	assert_null(l[4].title);
	html_feed_links_free(l, n);
}

static void test_feeds_base_href(void **state)
{
	static const char page[] =
		"<html><head>"
		"<link rel=alternate type=application/rss+xml href=rss.xml>"
		"<base href=\"/sub/dir/\">"
		"<base href=\"https://ignored.example/\">"
		"<link rel=alternate type=application/atom+xml href=\"../atom.xml\">"
		"</head></html>";
	struct html_feed_link *l;
	size_t n;

	n = html_find_feeds(page, sizeof(page) - 1, "http://example.com/a/b", &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].url, "http://example.com/sub/dir/rss.xml");
	assert_string_equal(l[1].url, "http://example.com/sub/atom.xml");
	html_feed_links_free(l, n);
}

static void test_feeds_absolute_base_href_without_base(void **state)
{
	static const char page[] =
		"<head><base href=\"https://cdn.example/x/\">"
		"<link rel=alternate type=application/rss+xml href=rss>"
		"</head>";
	struct html_feed_link *l;
	size_t n;

	n = html_find_feeds(page, sizeof(page) - 1, NULL, &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "https://cdn.example/x/rss");
	html_feed_links_free(l, n);
}

static void test_feeds_relative_without_base(void **state)
{
	static const char page[] =
		"<link rel=alternate type=application/rss+xml href=/rss>"
		"<link rel=alternate type=application/rss+xml href=\"http://a.example/rss\">";
	struct html_feed_link *l;
	size_t n;

	/* Relative URLs cannot be made absolute: skipped. */
	n = html_find_feeds(page, sizeof(page) - 1, NULL, &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "http://a.example/rss");
	html_feed_links_free(l, n);
}

static void test_feeds_ignored(void **state)
{
	static const char page[] =
		"<html><head>"
		"<link rel=\"alternate\" hreflang=\"fr\" href=\"https://example.org/fr/\">"
		"<link rel=\"alternate\" hreflang=\"de\" type=\"text/html\" href=\"/de/\">"
		"<link rel=\"alternate\" media=\"only screen\" href=\"https://m.example.org/\">"
		"<link rel=\"canonical\" type=\"application/rss+xml\" href=\"/canon\">"
		"<link rel=\"alternates\" type=\"application/rss+xml\" href=\"/plural\">"
		"<link type=\"application/rss+xml\" href=\"/norel\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:alert(1)\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"ftp://example.org/f\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"mailto:a@example.org\">"
		"<link rel=\"alternate\" type=\"application/rss+xmlx\" href=\"/x\">"
		"</head></html>";
	struct html_feed_link *l = (struct html_feed_link *)1;
	size_t n;

	n = html_find_feeds(page, sizeof(page) - 1, BASE, &l);
	assert_int_equal(n, 0);
	assert_null(l);
	html_feed_links_free(l, n);
}

static void test_feeds_duplicates(void **state)
{
	static const char page[] =
		"<link rel=alternate type=application/rss+xml href=/feed title=A>"
		"<link rel=alternate type=application/rss+xml href=https://example.org/feed title=B>"
		"<link rel=alternate type=application/atom+xml href=/feed title=C>"
		"<link rel=alternate type=application/atom+xml href=/atom title=D>";
	struct html_feed_link *l;
	size_t n;

	n = html_find_feeds(page, sizeof(page) - 1, BASE, &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].title, "A");
	assert_string_equal(l[1].title, "D");
	html_feed_links_free(l, n);
}

static void test_feeds_in_body_and_empty(void **state)
{
	static const char page[] =
		"<p>text</p><link rel=alternate type=application/rss+xml href=/b>";
	struct html_feed_link *l;
	size_t n;

	n = html_find_feeds(page, sizeof(page) - 1, BASE, &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "https://example.org/b");
	html_feed_links_free(l, n);
	n = html_find_feeds("", 0, BASE, &l);
	assert_int_equal(n, 0);
	assert_null(l);
	html_feed_links_free(l, n);
}

/* --- html_looks_like_page --------------------------------------------- */

#define LOOKS(s) html_looks_like_page(s, sizeof(s) - 1)

static void test_looks_like_page_yes(void **state)
{
	assert_true(LOOKS("<!DOCTYPE html><html>"));
	assert_true(LOOKS("<!doctype HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">"));
	assert_true(LOOKS("\xef\xbb\xbf\n  <html lang=en>"));
	assert_true(LOOKS("<HTML>"));
	assert_true(LOOKS("<head><title>x</title>"));
	assert_true(LOOKS("<body>"));
	assert_true(LOOKS("<!-- generated --><!-- twice -->\r\n<html>"));
	assert_true(LOOKS("<?xml version=\"1.0\"?>\n<!DOCTYPE html>"));
	assert_true(LOOKS("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"));
}

static void test_looks_like_page_no(void **state)
{
	assert_false(LOOKS("<?xml version=\"1.0\"?><rss version=\"2.0\">"));
	assert_false(LOOKS("<rss version=\"2.0\"><channel>"));
	assert_false(LOOKS("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
	assert_false(LOOKS("<?xml version=\"1.0\"?>\n<!-- c -->\n<rdf:RDF>"));
	assert_false(LOOKS("{\"version\": \"https://jsonfeed.org/version/1.1\"}"));
	/* an XHTML doctype on a feed: the root element decides */
	assert_false(LOOKS("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\">\n<!-- x -->\n<rss version=\"2.0\">"));
	assert_false(LOOKS("<!DOCTYPE rss>"));
	assert_false(LOOKS("<htmlx>"));
	assert_false(LOOKS("<!-- unterminated <html>"));
	assert_false(LOOKS(""));
	assert_false(LOOKS("   "));
	assert_false(LOOKS("plain text <html>"));
	/* Only the first len bytes count. */
	assert_false(html_looks_like_page("<ht", 3));
	assert_false(html_looks_like_page(NULL, 0));
}

/* html_safe_to_text reads html_sanitize's output exactly as html_to_text
 * does, without parsing it again */
static void test_safe_to_text_matches(void **state)
{
	static const char *const inputs[] = {
		"<p>The <a href=\"/x?a=1&amp;b=2\" title=\"t &gt; u\">agency</a> said &eacute;t&eacute;</p>"
		"<p>second&nbsp;paragraph &lt;not a tag&gt; &amp; more</p>",
		"a<br>b<hr>c<ul><li>one</li><li>two</li></ul>tail",
		"<table><tr><td>1</td><td>2</td></tr></table><blockquote>q \"quoted\"</blockquote>",
		"<script>x</script><style>y</style>visible <b>bold</b>  spaced\n\tout",
		"plain text with &amp; and &lt;",
		"Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve r\xc3\xa9sum\xc3\xa9, a long enough sentence to be cut "
		"somewhere in the middle of its words by the limit",
		"",
	};
	struct buf safe = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	size_t i, limits[] = { 0, 20, 45 }, l;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		buf_reset(&safe);
		html_sanitize(inputs[i], strlen(inputs[i]), "https://example.org/", &safe);
		for (l = 0; l < 3; l++) {
			buf_reset(&a);
			buf_reset(&b);
			html_to_text(safe.s, safe.len, limits[l], &a);
			html_safe_to_text(safe.s, safe.len, limits[l], &b);
			assert_string_equal(b.s, a.s);
		}
	}
	buf_release(&safe);
	buf_release(&a);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_plain),
		cmocka_unit_test(test_sanitize_script_removed),
		cmocka_unit_test(test_sanitize_style_filtered),
		cmocka_unit_test(test_sanitize_active_content_removed),
		cmocka_unit_test(test_sanitize_event_handlers_removed),
		cmocka_unit_test(test_sanitize_url_attributes_dropped),
		cmocka_unit_test(test_sanitize_javascript_href),
		cmocka_unit_test(test_sanitize_data_url),
		cmocka_unit_test(test_sanitize_allowed_schemes),
		cmocka_unit_test(test_sanitize_relative_resolved),
		cmocka_unit_test(test_sanitize_relative_without_base),
		cmocka_unit_test(test_sanitize_url_encoding),
		cmocka_unit_test(test_sanitize_unknown_unwrapped),
		cmocka_unit_test(test_sanitize_full_page),
		cmocka_unit_test(test_sanitize_entities),
		cmocka_unit_test(test_sanitize_comments_cdata),
		cmocka_unit_test(test_sanitize_nested_lists),
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_void_elements),
		cmocka_unit_test(test_sanitize_malformed),
		cmocka_unit_test(test_sanitize_text_only),
		cmocka_unit_test(test_sanitize_empty),
		cmocka_unit_test(test_sanitize_appends),
		cmocka_unit_test(test_sanitize_controls_and_bad_utf8),
		cmocka_unit_test(test_sanitize_nul_byte),
		cmocka_unit_test(test_sanitize_large),
		cmocka_unit_test(test_sanitize_deep_nesting),
		cmocka_unit_test(test_no_stderr),
		cmocka_unit_test(test_text_tags_and_entities),
		cmocka_unit_test(test_text_script_style_dropped),
		cmocka_unit_test(test_text_blocks_are_spaces),
		cmocka_unit_test(test_text_whitespace_collapsed),
		cmocka_unit_test(test_text_controls_removed),
		cmocka_unit_test(test_text_truncate_word_boundary),
		cmocka_unit_test(test_text_truncate_long_word),
		cmocka_unit_test(test_text_truncate_utf8),
		cmocka_unit_test(test_text_truncate_after_collapse),
		cmocka_unit_test(test_text_large),
		cmocka_unit_test(test_feeds_several),
		cmocka_unit_test(test_feeds_base_href),
		cmocka_unit_test(test_feeds_absolute_base_href_without_base),
		cmocka_unit_test(test_feeds_relative_without_base),
		cmocka_unit_test(test_feeds_ignored),
		cmocka_unit_test(test_feeds_duplicates),
		cmocka_unit_test(test_feeds_in_body_and_empty),
		cmocka_unit_test(test_looks_like_page_yes),
		cmocka_unit_test(test_looks_like_page_no),
		cmocka_unit_test(test_safe_to_text_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
