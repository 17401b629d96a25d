/*
 * Unit tests for src/compose/template.c: rendering (escaping, sections,
 * standalone lines), every compile error with its FILE:LINE, render
 * errors, reuse of a compiled template and of a context, and the limits.
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
#include "template.h"
#include "xalloc.h"

static void assert_sane(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
}

static struct template *compile(const char *text, enum tpl_escape mode)
{
	struct buf err = BUF_INIT;
	struct template *t = template_compile(text, strlen(text), "t.html",
					      mode, &err);

	if (!t)
		print_error("compile('%s') failed: %s\n", text, err.s);
	assert_non_null(t);
	assert_int_equal(err.len, 0);
	buf_release(&err);
	return t;
}

/* Render text with ctx in mode and compare; out starts with a prefix that
 * rendering must keep (it appends). */
static void expect(const char *text, enum tpl_escape mode,
		   const struct tpl_context *ctx, const char *want)
{
	struct template *t = compile(text, mode);
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc;

	buf_addstr(&out, "<<");
	rc = template_render(t, ctx, &out, &err);
	if (rc || strncmp(out.s, "<<", 2) || strcmp(out.s + 2, want))
		print_error("render('%s') gave %d '%s' (%s), want '%s'\n",
			    text, rc, out.s, err.s, want);
	assert_int_equal(rc, 0);
	assert_sane(&out);
	assert_int_equal(err.len, 0);
	assert_memory_equal(out.s, "<<", 2);
	assert_string_equal(out.s + 2, want);
	assert_int_equal(out.len, 2 + strlen(want));
	buf_release(&out);
	buf_release(&err);
	template_free(t);
}

static void compile_fails(const char *text, size_t len, const char *want)
{
	struct buf err = BUF_INIT;
	struct template *t;

	buf_addstr(&err, "before: ");
	t = template_compile(text, len, "t.html", TPL_HTML, &err);
	if (t || strcmp(err.s + 8, want))
		print_error("compile('%s') gave '%s', want '%s'\n", text,
			    err.s, want);
	assert_null(t);
	assert_sane(&err);
	assert_memory_equal(err.s, "before: ", 8);
	assert_string_equal(err.s + 8, want);
	buf_release(&err);
}

#define FAILS(text, want) compile_fails(text, strlen(text), want)

static void render_fails(const char *text, const struct tpl_context *ctx,
			 const char *want)
{
	struct template *t = compile(text, TPL_HTML);
	struct buf out = BUF_INIT, err = BUF_INIT;

	buf_addstr(&out, "kept");
	assert_int_equal(template_render(t, ctx, &out, &err), -1);
	/* a failed render leaves out as it was */
	assert_string_equal(out.s, "kept");
	assert_int_equal(out.len, 4);
	assert_string_equal(err.s, want);
	buf_release(&out);
	buf_release(&err);
	template_free(t);
}

static void test_plain_text(void **state)
{
	struct tpl_context *c = tpl_context_new();

	expect("", TPL_HTML, c, "");
	expect("hello", TPL_HTML, c, "hello");
	expect("line 1\nline 2\r\n\n  indented\t\n", TPL_HTML, c,
	       "line 1\nline 2\r\n\n  indented\t\n");
	/* template text is never escaped, single braces are text */
	expect("<p class=\"x\">&amp; { a } }} {x}</p>", TPL_HTML, c,
	       "<p class=\"x\">&amp; { a } }} {x}</p>");
	expect("a {", TPL_TEXT, c, "a {");
	expect("}", TPL_TEXT, c, "}");
	tpl_context_free(c);
}

static void test_escaping(void **state)
{
	struct tpl_context *c = tpl_context_new();

	tpl_set_str(c, "v", "a & b < c > d \" e ' f");
	expect("{{v}}", TPL_HTML, c,
	       "a &amp; b &lt; c &gt; d &quot; e &#39; f");
	expect("{{v}}", TPL_TEXT, c, "a & b < c > d \" e ' f");
	expect("{{{v}}}", TPL_HTML, c, "a & b < c > d \" e ' f");
	expect("{{&v}}", TPL_HTML, c, "a & b < c > d \" e ' f");
	expect("{{& v}}", TPL_HTML, c, "a & b < c > d \" e ' f");
	expect("{{{v}}}", TPL_TEXT, c, "a & b < c > d \" e ' f");
	/* already-escaped text is escaped again: values are text, not HTML */
	tpl_set_str(c, "v", "&amp;&&lt;");
	expect("[{{v}}]", TPL_HTML, c, "[&amp;amp;&amp;&amp;lt;]");
	tpl_set_str(c, "v", "<<>>");
	expect("{{v}}{{v}}", TPL_HTML, c, "&lt;&lt;&gt;&gt;&lt;&lt;&gt;&gt;");
	tpl_set_str(c, "v", "");
	expect("[{{v}}]", TPL_HTML, c, "[]");
	tpl_context_free(c);
}

static void test_hostile_values(void **state)
{
	struct tpl_context *c = tpl_context_new();
	char bytes[256];
	struct buf want = BUF_INIT;
	int i;

	tpl_set_str(c, "v", "</script><script>alert('x')</script>");
	expect("<script>var t = \"{{v}}\";</script>", TPL_HTML, c,
	       "<script>var t = \"&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)"
	       "&lt;/script&gt;\";</script>");
	expect("{{v}}", TPL_TEXT, c, "</script><script>alert('x')</script>");

	/* a value holding tags is not expanded again */
	tpl_set_str(c, "v", "{{v}} {{{w}}} {{#s}}x{{/s}} {{! c }}");
	tpl_set_str(c, "w", "W");
	expect("{{v}}", TPL_HTML, c, "{{v}} {{{w}}} {{#s}}x{{/s}} {{! c }}");
	expect("{{{v}}}", TPL_HTML, c, "{{v}} {{{w}}} {{#s}}x{{/s}} {{! c }}");
	expect("{{v}}", TPL_TEXT, c, "{{v}} {{{w}}} {{#s}}x{{/s}} {{! c }}");

	/* UTF-8: accents, CJK, emoji (with ZWJ), right-to-left text and
	 * bidi controls pass through byte for byte */
	tpl_set_str(c, "v", "Sécurité — 日本語 👩\xe2\x80\x8d💻 🇨🇦 "
		    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 "
		    "\xe2\x80\x8f\xe2\x80\xae!\xe2\x80\xac");
	expect("{{v}}", TPL_HTML, c, "Sécurité — 日本語 👩\xe2\x80\x8d💻 🇨🇦 "
	       "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 "
	       "\xe2\x80\x8f\xe2\x80\xae!\xe2\x80\xac");

	/* every byte but NUL: raw and TEXT copy it, HTML changes only five */
	for (i = 1; i < 256; i++)
		bytes[i - 1] = (char)i;
	bytes[255] = '\0';
	tpl_set_str(c, "v", bytes);
	expect("{{{v}}}", TPL_HTML, c, bytes);
	expect("{{v}}", TPL_TEXT, c, bytes);
	for (i = 1; i < 256; i++) {
		switch (i) {
		case '&': buf_addstr(&want, "&amp;"); break;
		case '<': buf_addstr(&want, "&lt;"); break;
		case '>': buf_addstr(&want, "&gt;"); break;
		case '"': buf_addstr(&want, "&quot;"); break;
		case '\'': buf_addstr(&want, "&#39;"); break;
		default: buf_addch(&want, i);
		}
	}
	expect("{{v}}", TPL_HTML, c, want.s);
	buf_release(&want);
	tpl_context_free(c);
}

static void test_whitespace_in_tags(void **state)
{
	struct tpl_context *c = tpl_context_new();

	tpl_set_str(c, "name", "<N>");
	tpl_set_bool(c, "on", 1);
	expect("{{ name }}|{{\tname\t}}|{{{ name }}}|{{& name }}|{{&name}}",
	       TPL_HTML, c, "&lt;N&gt;|&lt;N&gt;|<N>|<N>|<N>");
	expect("{{# on }}a{{/ on }}{{^ on }}b{{/on}}", TPL_HTML, c, "a");
	expect("{{ #on }}a{{ /on }}", TPL_HTML, c, "a");
	expect("{{! a comment }}{{!}}x", TPL_HTML, c, "x");
	tpl_set_str(c, "under_score-dash9", "ok");
	expect("{{under_score-dash9}}", TPL_HTML, c, "ok");
	tpl_context_free(c);
}

static struct tpl_context *items_context(int n)
{
	struct tpl_context *c = tpl_context_new();
	struct tpl_context *it;
	char name[32];
	int i;

	tpl_set_str(c, "site", "S&S");
	tpl_set_str(c, "title", "outer");
	tpl_set_list(c, "items");
	for (i = 0; i < n; i++) {
		it = tpl_add_item(c, "items");
		snprintf(name, sizeof(name), "t%d<", i + 1);
		tpl_set_str(it, "title", name);
		tpl_set_bool(it, "first", i == 0);
	}
	return c;
}

static void test_list_sections(void **state)
{
	static const char tpl[] =
		"{{title}}:{{#items}}[{{title}}@{{site}}{{#first}}*{{/first}}]"
		"{{/items}}{{^items}}none{{/items}};{{title}}";
	struct tpl_context *c;

	c = items_context(0);
	expect(tpl, TPL_HTML, c, "outer:none;outer");
	tpl_context_free(c);

	c = items_context(1);
	expect(tpl, TPL_HTML, c, "outer:[t1&lt;@S&amp;S*];outer");
	tpl_context_free(c);

	/* an element's name hides the outer one only inside the section */
	c = items_context(3);
	expect(tpl, TPL_HTML, c,
	       "outer:[t1&lt;@S&amp;S*][t2&lt;@S&amp;S][t3&lt;@S&amp;S];outer");
	expect(tpl, TPL_TEXT, c, "outer:[t1<@S&S*][t2<@S&S][t3<@S&S];outer");
	tpl_context_free(c);
}

static void test_nested_sections(void **state)
{
	struct tpl_context *c = tpl_context_new();
	struct tpl_context *sec, *it;

	tpl_set_str(c, "lang", "en");
	sec = tpl_add_item(c, "sections");
	tpl_set_str(sec, "name", "Surveillance");
	it = tpl_add_item(sec, "items");
	tpl_set_str(it, "title", "A");
	tpl_set_bool(it, "hot", 0);
	it = tpl_add_item(sec, "items");
	tpl_set_str(it, "title", "B");
	tpl_set_bool(it, "hot", 1);
	sec = tpl_add_item(c, "sections");
	tpl_set_str(sec, "name", "No-Fly");
	tpl_set_list(sec, "items");
	/* the inner {{name}} falls back two scopes to the section */
	expect("{{#sections}}<{{name}}:{{#items}}({{title}}/{{name}}/{{lang}}"
	       "{{#hot}}!{{/hot}}){{/items}}{{^items}}empty{{/items}}>"
	       "{{/sections}}", TPL_HTML, c,
	       "<Surveillance:(A/Surveillance/en)(B/Surveillance/en!)>"
	       "<No-Fly:empty>");
	/* the same name nested in itself */
	tpl_set_bool(c, "on", 1);
	expect("{{#on}}a{{#on}}b{{^on}}x{{/on}}{{/on}}c{{/on}}", TPL_HTML, c,
	       "abc");
	tpl_context_free(c);
}

static void test_bool_and_string_sections(void **state)
{
	struct tpl_context *c = tpl_context_new();

	tpl_set_bool(c, "yes", 1);
	tpl_set_bool(c, "no", 0);
	tpl_set_str(c, "full", "x");
	tpl_set_str(c, "empty", "");
	tpl_set_str(c, "v", "V");
	expect("{{#yes}}Y{{v}}{{/yes}}{{#no}}N{{/no}}", TPL_HTML, c, "YV");
	expect("{{#full}}F{{full}}{{/full}}{{#empty}}E{{/empty}}", TPL_HTML, c,
	       "Fx");
	/* a string "0" or "false" is non-empty, so true */
	tpl_set_str(c, "full", "0");
	expect("{{#full}}T{{/full}}", TPL_HTML, c, "T");
	tpl_set_bool(c, "yes", 42);
	expect("{{#yes}}T{{/yes}}", TPL_HTML, c, "T");
	tpl_context_free(c);
}

static void test_inverted_sections(void **state)
{
	struct tpl_context *c = tpl_context_new();

	tpl_set_bool(c, "yes", 1);
	tpl_set_bool(c, "no", 0);
	tpl_set_str(c, "full", "x");
	tpl_set_str(c, "empty", "");
	tpl_set_list(c, "none");
	tpl_add_item(c, "some");
	expect("{{^yes}}1{{/yes}}{{^no}}2{{/no}}{{^full}}3{{/full}}"
	       "{{^empty}}4{{/empty}}{{^none}}5{{/none}}{{^some}}6{{/some}}",
	       TPL_HTML, c, "245");
	/* the inverted body is rendered once, in the same scope */
	tpl_set_str(c, "v", "<v>");
	expect("{{^none}}{{v}}{{/none}}", TPL_HTML, c, "&lt;v&gt;");
	tpl_context_free(c);
}

static void test_comments(void **state)
{
	struct tpl_context *c = tpl_context_new();

	tpl_set_str(c, "v", "V");
	expect("a{{! note }}b", TPL_HTML, c, "ab");
	expect("a{{!{ < & {{v }}b", TPL_HTML, c, "ab");
	expect("a{{!\nmulti\nline\n}}b{{v}}", TPL_HTML, c, "abV");
	/* standalone multi-line comment */
	expect("Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n",
	       TPL_HTML, c, "Begin.\nEnd.\n");
	expect("1\n  {{! indented }}  \n2", TPL_HTML, c, "1\n2");
	tpl_context_free(c);
}

static void test_standalone_lines(void **state)
{
	struct tpl_context *c = items_context(2);

	tpl_set_bool(c, "yes", 1);
	tpl_set_bool(c, "no", 0);
	/* the readable layout of a real template */
	expect("<ul>\n"
	       "  {{#items}}\n"
	       "  <li>{{title}}</li>\n"
	       "  {{/items}}\n"
	       "</ul>\n", TPL_HTML, c,
	       "<ul>\n  <li>t1&lt;</li>\n  <li>t2&lt;</li>\n</ul>\n");
	/* the same with CRLF line endings */
	expect("<ul>\r\n"
	       "\t{{#items}}\r\n"
	       "<li>{{title}}</li>\r\n"
	       "\t{{/items}}\r\n"
	       "</ul>\r\n", TPL_HTML, c,
	       "<ul>\r\n<li>t1&lt;</li>\r\n<li>t2&lt;</li>\r\n</ul>\r\n");
	/* first line, last line without newline, a false section */
	expect("{{#no}}\nhidden\n{{/no}}\nshown\n{{#yes}}\nyes\n{{/yes}}",
	       TPL_HTML, c, "shown\nyes\n");
	expect("  {{^no}}\n#{{/no}}\n/", TPL_HTML, c, "#\n/");
	expect("#{{#yes}}\n/\n  {{/yes}}", TPL_HTML, c, "#\n/\n");
	/* several section tags alone on a line are standalone too */
	expect("a\n{{#yes}}{{^no}} \nb\n {{/no}} {{/yes}}\nc\n", TPL_HTML, c,
	       "a\nb\nc\n");
	/* a section tag with text or a variable on its line keeps the line */
	expect("  {{#yes}}x{{/yes}}\n", TPL_HTML, c, "  x\n");
	expect("{{#yes}}{{site}}{{/yes}}\nnext", TPL_HTML, c, "S&amp;S\nnext");
	expect("[\n{{#no}}{{/no}}]\n", TPL_HTML, c, "[\n]\n");
	/* a variable alone on its line is not standalone, even when empty */
	tpl_set_str(c, "e", "");
	expect("a\n{{e}}\nb\n", TPL_HTML, c, "a\n\nb\n");
	/* a blank line with no tag stays */
	expect("a\n  \n\nb", TPL_HTML, c, "a\n  \n\nb");
	tpl_context_free(c);
}

static void test_compile_errors(void **state)
{
	struct buf deep = BUF_INIT;
	int i;

	FAILS("a\nb\n  {{#items}}\nx\n", "t.html:3: unclosed section 'items'");
	FAILS("{{#a}}\n{{#b}}\n{{/b}}\n",
	      "t.html:1: unclosed section 'a'");
	FAILS("{{#a}}\n{{^b}}\n\n{{/a}}\n",
	      "t.html:4: '{{/a}}' does not close section 'b' opened on line 2");
	FAILS("x\n{{/a}}", "t.html:2: '{{/a}}' closes no open section");
	FAILS("one\ntwo {{name\nthree\n", "t.html:2: unclosed tag: '{{' without '}}'");
	FAILS("one\n{{name\n{{other}}\n",
	      "t.html:2: unclosed tag: '{{' without '}}'");
	FAILS("\n\n{{{raw}}\n", "t.html:3: unclosed tag: '{{{' without '}}}'");
	FAILS("{{!never closed", "t.html:1: unclosed tag: '{{' without '}}'");
	FAILS("a\n{{}}", "t.html:2: empty name in tag");
	FAILS("a\n{{  }}", "t.html:2: empty name in tag");
	FAILS("{{#}}{{/}}", "t.html:1: empty name in tag");
	FAILS("{{{ }}}", "t.html:1: empty name in tag");
	FAILS("{{& }}", "t.html:1: empty name in tag");
	FAILS("{{a b}}", "t.html:1: invalid name 'a b' in tag");
	FAILS("{{a.b}}", "t.html:1: invalid name 'a.b' in tag");
	FAILS("{{{x}} {{{y}}}", "t.html:1: invalid name 'x}} {{{y' in tag");
	FAILS("{{a\nb}}", "t.html:1: invalid name 'a...' in tag");
	FAILS("{{{ 0123456789012345678901234567890123456789--and more }}}",
	      "t.html:1: invalid name '0123456789012345678901234567890123456789...' in tag");
	FAILS("{{> partial}}", "t.html:1: unsupported tag '{{>'");
	FAILS("{{=<% %>=}}", "t.html:1: unsupported tag '{{='");

	/* line numbers count newlines in text, in tags and in CRLF files */
	FAILS("{{!\n\n}}\n{{#a}}\n", "t.html:4: unclosed section 'a'");
	FAILS("a\r\nb\r\n{{#s}}\r\n{{/t}}\r\n",
	      "t.html:4: '{{/t}}' does not close section 's' opened on line 3");
	FAILS("\r\n\r\n\r\n{{}}", "t.html:4: empty name in tag");
	FAILS("{{#a\n}}\n{{/b}}",
	      "t.html:3: '{{/b}}' does not close section 'a' opened on line 1");
	FAILS("x\n  {{#a}}\n  {{/a}}\n{{ }}", "t.html:4: empty name in tag");

	/* a NUL byte */
	compile_fails("a\nb\0c", 5, "t.html:2: NUL byte in template");

	/* 32 nested sections compile, 33 do not */
	for (i = 0; i < 32; i++)
		buf_addf(&deep, "{{#s%d}}\n", i);
	for (i = 31; i >= 0; i--)
		buf_addf(&deep, "{{/s%d}}\n", i);
	template_free(compile(deep.s, TPL_HTML));
	buf_reset(&deep);
	for (i = 0; i < 33; i++)
		buf_addf(&deep, "{{#s%d}}\n", i);
	FAILS(deep.s, "t.html:33: sections nested deeper than 32");
	buf_release(&deep);
}

static void test_compile_file_name(void **state)
{
	struct buf err = BUF_INIT;

	assert_null(template_compile("{{", 2, "templates/digest.txt", TPL_TEXT,
				     &err));
	assert_string_equal(err.s,
			    "templates/digest.txt:1: unclosed tag: '{{' without '}}'");
	buf_reset(&err);
	assert_null(template_compile("{{", 2, NULL, TPL_TEXT, &err));
	assert_string_equal(err.s,
			    "template:1: unclosed tag: '{{' without '}}'");
	buf_release(&err);
}

static void test_render_errors(void **state)
{
	struct tpl_context *c = items_context(2);

	render_fails("a\nb\n{{titel}}", c, "t.html:3: unknown variable 'titel'");
	render_fails("\r\n{{#itemz}}\r\n{{/itemz}}", c,
		     "t.html:2: unknown variable 'itemz'");
	render_fails("{{^nope}}{{/nope}}", c, "t.html:1: unknown variable 'nope'");
	render_fails("{{#items}}{{first}}{{/items}}", c,
		     "t.html:1: 'first' is a boolean, not a string");
	/* found in an element, unknown once out of the section */
	render_fails("{{#items}}\n{{#first}}{{/first}}\n{{/items}}\n{{first}}", c,
		     "t.html:4: unknown variable 'first'");
	render_fails("x {{{items}}}", c,
		     "t.html:1: 'items' is a list, not a string");
	/* an unknown name after output was written: out is cut back */
	render_fails("{{#items}}{{title}}\n{{/items}}{{!\n}}\n{{bad}}", c,
		     "t.html:4: unknown variable 'bad'");
	/* a name inside a section that is not rendered is not looked up */
	tpl_set_bool(c, "no", 0);
	expect("{{#no}}{{typo}}{{/no}}ok", TPL_HTML, c, "ok");
	tpl_context_free(c);
}

static void test_render_twice(void **state)
{
	struct template *t = compile("Dear {{name}},\n"
				     "{{#items}}\n"
				     "- {{title}}\n"
				     "{{/items}}\n"
				     "{{^items}}\nnothing\n{{/items}}\n"
				     "bye {{name}}\n", TPL_TEXT);
	struct tpl_context *a = items_context(2), *b = tpl_context_new();
	struct buf out = BUF_INIT, err = BUF_INIT;

	tpl_set_str(a, "name", "Ann");
	tpl_set_str(b, "name", "Bob");
	tpl_set_list(b, "items");
	assert_int_equal(template_render(t, a, &out, &err), 0);
	assert_string_equal(out.s, "Dear Ann,\n- t1<\n- t2<\nbye Ann\n");
	buf_reset(&out);
	assert_int_equal(template_render(t, b, &out, &err), 0);
	assert_string_equal(out.s, "Dear Bob,\nnothing\nbye Bob\n");
	buf_reset(&out);
	/* refilling one context per subscriber: longer, shorter, NULL */
	tpl_set_str(a, "name", "Annabelle-Marie");
	assert_int_equal(template_render(t, a, &out, &err), 0);
	assert_string_equal(out.s,
			    "Dear Annabelle-Marie,\n- t1<\n- t2<\nbye Annabelle-Marie\n");
	buf_reset(&out);
	tpl_set_str(a, "name", "Al");
	tpl_set_list(a, "items");
	assert_int_equal(template_render(t, a, &out, &err), 0);
	assert_string_equal(out.s, "Dear Al,\nnothing\nbye Al\n");
	buf_reset(&out);
	tpl_set_str(a, "name", NULL);
	assert_int_equal(template_render(t, a, &out, &err), 0);
	assert_string_equal(out.s, "Dear ,\nnothing\nbye \n");
	assert_int_equal(err.len, 0);
	buf_release(&out);
	buf_release(&err);
	tpl_context_free(a);
	tpl_context_free(b);
	template_free(t);
}

static void test_context_types(void **state)
{
	struct tpl_context *c = tpl_context_new();
	struct tpl_context *it;

	/* a name changes type when set again */
	tpl_set_str(c, "x", "str");
	expect("{{#x}}[{{x}}]{{/x}}", TPL_HTML, c, "[str]");
	tpl_set_bool(c, "x", 0);
	expect("{{#x}}T{{/x}}{{^x}}F{{/x}}", TPL_HTML, c, "F");
	tpl_set_str(c, "x", "back");
	expect("{{x}}", TPL_HTML, c, "back");
	it = tpl_add_item(c, "x");
	tpl_set_str(it, "y", "1");
	it = tpl_add_item(c, "x");
	tpl_set_str(it, "y", "2");
	expect("{{#x}}{{y}}{{/x}}", TPL_HTML, c, "12");
	tpl_set_str(c, "x", "str again");
	expect("{{x}}", TPL_HTML, c, "str again");
	/* refilling a string in place, across its allocation's edge (the
	 * sanitizer build catches an off-by-one here) */
	tpl_set_str(c, "r", "ab");
	tpl_set_str(c, "r", "abc");
	expect("{{r}}", TPL_HTML, c, "abc");
	tpl_set_str(c, "r", "a");
	tpl_set_str(c, "r", "abc");
	expect("{{r}}", TPL_HTML, c, "abc");
	tpl_set_str(c, "r", "abcd");
	expect("{{r}}", TPL_HTML, c, "abcd");
	/* tpl_set_list empties a list */
	tpl_add_item(c, "l");
	tpl_set_list(c, "l");
	expect("{{#l}}x{{/l}}{{^l}}empty{{/l}}", TPL_HTML, c, "empty");
	tpl_context_free(c);
	tpl_context_free(NULL);
	template_free(NULL);
}

static void test_large_list(void **state)
{
	struct template *t = compile("{{#items}}<li>{{title}}</li>\n{{/items}}",
				     TPL_HTML);
	struct tpl_context *c = items_context(10000);
	struct buf out = BUF_INIT, err = BUF_INIT;
	size_t want = 0;
	char line[64];
	int i;

	assert_int_equal(template_render(t, c, &out, &err), 0);
	for (i = 1; i <= 10000; i++)
		want += (size_t)snprintf(line, sizeof(line),
					 "<li>t%d&lt;</li>\n", i);
	assert_int_equal(out.len, want);
	assert_sane(&out);
	assert_memory_equal(out.s, "<li>t1&lt;</li>\n<li>t2&lt;</li>\n", 32);
	assert_string_equal(out.s + out.len - 20, "<li>t10000&lt;</li>\n");
	buf_release(&out);
	buf_release(&err);
	tpl_context_free(c);
	template_free(t);
}

static void test_size_limits(void **state)
{
	char *big = xmalloc(TEMPLATE_MAX_SIZE + 2);
	struct template *t;
	struct tpl_context *c = tpl_context_new();
	struct buf out = BUF_INIT, err = BUF_INIT;

	/* exactly 1 MiB compiles and renders whole */
	memset(big, 'x', TEMPLATE_MAX_SIZE + 1);
	memcpy(big + 1000, "{{v}}", 5);
	big[TEMPLATE_MAX_SIZE] = '\0';
	tpl_set_str(c, "v", "VVVVV");
	t = compile(big, TPL_HTML);
	assert_int_equal(template_render(t, c, &out, &err), 0);
	assert_int_equal(out.len, TEMPLATE_MAX_SIZE);
	assert_memory_equal(out.s + 1000, "VVVVV", 5);
	template_free(t);

	/* one byte more does not */
	big[TEMPLATE_MAX_SIZE] = 'x';
	big[TEMPLATE_MAX_SIZE + 1] = '\0';
	compile_fails(big, TEMPLATE_MAX_SIZE + 1,
		      "t.html: template larger than 1048576 bytes");

	/* the output limit is out's max: -1, out cut back, toobig set */
	t = compile("{{#items}}<li>{{title}}</li>{{/items}}", TPL_HTML);
	tpl_context_free(c);
	c = items_context(100);
	buf_release(&out);
	buf_init(&out, 50);
	buf_addstr(&out, "head");
	assert_int_equal(template_render(t, c, &out, &err), -1);
	assert_string_equal(out.s, "head");
	assert_int_equal(out.toobig, 1);
	assert_string_equal(err.s, "t.html: output exceeds 50 bytes");
	/* a limit that fits succeeds */
	buf_release(&out);
	buf_init(&out, 2000);
	buf_reset(&err);
	assert_int_equal(template_render(t, c, &out, &err), 0);
	assert_int_equal(out.toobig, 0);
	/* the limit also stops escaped output midway */
	buf_release(&out);
	buf_init(&out, 10);
	tpl_set_str(c, "v", "<<<<<<");
	template_free(t);
	t = compile("{{v}}", TPL_HTML);
	assert_int_equal(template_render(t, c, &out, &err), -1);
	assert_int_equal(out.len, 0);

	buf_release(&out);
	buf_release(&err);
	tpl_context_free(c);
	template_free(t);
	free(big);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/nd-template-XXXXXX";
	char path[256], bigpath[256];
	struct buf out = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	struct tpl_context *c = tpl_context_new();
	struct template *t;
	FILE *f;
	size_t i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/digest.txt", dir);
	snprintf(bigpath, sizeof(bigpath), "%s/big.html", dir);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Hello {{name}}\r\n{{#x}}\r\n{{/y}}\r\n", f);
	assert_int_equal(fclose(f), 0);
	assert_null(template_load(path, TPL_TEXT, &err));
	buf_addf(&want, "%s:3: '{{/y}}' does not close section 'x' opened on line 2",
		 path);
	assert_string_equal(err.s, want.s);
	buf_reset(&err);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Hello {{name}}\n{{#x}}\n{{/x}}\n", f);
	assert_int_equal(fclose(f), 0);
	t = template_load(path, TPL_TEXT, &err);
	assert_non_null(t);
	tpl_set_str(c, "name", "<you>");
	tpl_set_bool(c, "x", 1);
	assert_int_equal(template_render(t, c, &out, &err), 0);
	assert_string_equal(out.s, "Hello <you>\n");
	template_free(t);

	/* render errors name the loaded file */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\n{{nobody}}", f);
	assert_int_equal(fclose(f), 0);
	t = template_load(path, TPL_TEXT, &err);
	assert_non_null(t);
	assert_int_equal(template_render(t, c, &out, &err), -1);
	buf_reset(&want);
	buf_addf(&want, "%s:2: unknown variable 'nobody'", path);
	assert_string_equal(err.s, want.s);
	template_free(t);
	buf_reset(&err);

	/* a file over the limit */
	f = fopen(bigpath, "w");
	assert_non_null(f);
	for (i = 0; i <= TEMPLATE_MAX_SIZE; i++)
		fputc('x', f);
	assert_int_equal(fclose(f), 0);
	assert_null(template_load(bigpath, TPL_HTML, &err));
	buf_reset(&want);
	buf_addf(&want, "%s: template larger than 1048576 bytes", bigpath);
	assert_string_equal(err.s, want.s);
	buf_reset(&err);

	/* a missing file */
	unlink(path);
	assert_null(template_load(path, TPL_HTML, &err));
	buf_reset(&want);
	buf_addf(&want, "cannot read '%s': No such file or directory", path);
	assert_string_equal(err.s, want.s);

	unlink(bigpath);
	rmdir(dir);
	buf_release(&out);
	buf_release(&err);
	buf_release(&want);
	tpl_context_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_whitespace_in_tags),
		cmocka_unit_test(test_list_sections),
		cmocka_unit_test(test_nested_sections),
		cmocka_unit_test(test_bool_and_string_sections),
		cmocka_unit_test(test_inverted_sections),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_compile_file_name),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_render_twice),
		cmocka_unit_test(test_context_types),
		cmocka_unit_test(test_large_list),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
