#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

static void assert_sane(const struct buf *b)
{
	assert_non_null(b->s);
	assert_int_equal(b->s[b->len], '\0');
	assert_int_equal(strlen(b->s), b->len);
}

static void resolve(const char *base, const char *ref, int rc,
		    const char *want)
{
	struct buf out = BUF_INIT;

	buf_addstr(&out, "stale contents");
	if (url_resolve(base, ref, &out) != rc || strcmp(out.s, want))
		print_error("resolve('%s', '%s') gave '%s'\n",
			    base ? base : "(null)", ref ? ref : "(null)",
			    out.s);
	assert_int_equal(url_resolve(base, ref, &out), rc);
	assert_sane(&out);
	assert_string_equal(out.s, want);
	buf_release(&out);
}

static void canon(const char *url, const char *want)
{
	struct buf out = BUF_INIT;
	int rc = url_canonical(url, &out);

	if (!want) {
		assert_int_equal(rc, -1);
		buf_release(&out);
		return;
	}
	if (rc != 0 || strcmp(out.s, want))
		print_error("canonical('%s') gave %d '%s'\n", url, rc, out.s);
	assert_int_equal(rc, 0);
	assert_sane(&out);
	assert_string_equal(out.s, want);
	/* the canonical form is a fixed point */
	assert_int_equal(url_canonical(want, &out), 0);
	assert_string_equal(out.s, want);
	buf_release(&out);
}

static void test_is_http(void **state)
{
	assert_int_equal(url_is_http("http://example.com/"), 1);
	assert_int_equal(url_is_http("https://example.com"), 1);
	assert_int_equal(url_is_http("HTTP://x"), 1);
	assert_int_equal(url_is_http("HtTpS://x/a?b#c"), 1);
	assert_int_equal(url_is_http("http://user:pw@x:8080/"), 1);
	assert_int_equal(url_is_http("http://[::1]/"), 1);
	assert_int_equal(url_is_http("http://[::1]:8080/"), 1);
	assert_int_equal(url_is_http("http://x?q"), 1);
	assert_int_equal(url_is_http(NULL), 0);
	assert_int_equal(url_is_http(""), 0);
	assert_int_equal(url_is_http("javascript:alert(1)"), 0);
	assert_int_equal(url_is_http("file:///etc/passwd"), 0);
	assert_int_equal(url_is_http("ftp://example.com/"), 0);
	assert_int_equal(url_is_http("mailto:a@b"), 0);
	assert_int_equal(url_is_http("http:/x"), 0);
	assert_int_equal(url_is_http("http:x"), 0);
	assert_int_equal(url_is_http("http://"), 0);
	assert_int_equal(url_is_http("http:///x"), 0);
	assert_int_equal(url_is_http("http://user@/x"), 0);
	assert_int_equal(url_is_http("http://x:port/"), 0);
	assert_int_equal(url_is_http("http://[::1/"), 0);
	assert_int_equal(url_is_http("httpx://x"), 0);
	assert_int_equal(url_is_http("htt://x"), 0);
	assert_int_equal(url_is_http("//example.com/"), 0);
	assert_int_equal(url_is_http("/a/b"), 0);
	assert_int_equal(url_is_http(" http://x/"), 0);
}

static void test_resolve_rfc3986(void **state)
{
	/* RFC 3986 section 5.4.1 */
	static const char base[] = "http://a/b/c/d;p?q";
	static const struct {
		const char *ref, *want;
	} t[] = {
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "//host/p", "http://host/p" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../a", "http://a/b/a" },
		{ "../..", "http://a/" },
		{ "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ "g;x=1/../y", "http://a/b/c/y" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		resolve(base, t[i].ref, 0, t[i].want);
}

static void test_resolve(void **state)
{
	/* absolute refs are kept as written */
	resolve("http://a/b", "https://other/x", 0, "https://other/x");
	resolve("http://a/b", "HTTP://Other/%7e?x#y", 0, "HTTP://Other/%7e?x#y");
	resolve("http://a/b", "mailto:x@y", 0, "mailto:x@y");
	resolve("http://a/b", "javascript:void(0)", 0, "javascript:void(0)");
	resolve(NULL, "http://x/", 0, "http://x/");
	resolve("", "http://x/", 0, "http://x/");
	/* base with query and fragment */
	resolve("http://a/dir/page?id=1#top", "other", 0, "http://a/dir/other");
	resolve("http://a/dir/page?id=1#top", "?id=2", 0,
		"http://a/dir/page?id=2");
	resolve("http://a/dir/page?id=1#top", "#f", 0,
		"http://a/dir/page?id=1#f");
	resolve("http://a/dir/page?id=1", "", 0, "http://a/dir/page?id=1");
	/* base without a path */
	resolve("http://example.com", "a", 0, "http://example.com/a");
	resolve("https://example.com", "/feed.xml", 0,
		"https://example.com/feed.xml");
	/* protocol-relative refs take the base's scheme */
	resolve("https://a/b", "//cdn.example/x.png", 0,
		"https://cdn.example/x.png");
	/* IPv6 base */
	resolve("http://[::1]:8080/x/y", "../z", 0, "http://[::1]:8080/z");
	/* white space around the ref, spaces inside it */
	resolve("http://a/b/", "  c\n", 0, "http://a/b/c");
	resolve("http://a/b/", " http://x/ ", 0, "http://x/");
	resolve("http://a/b/", "my file.html", 0, "http://a/b/my%20file.html");
	/* nothing to resolve against: -1 and the ref unchanged */
	resolve(NULL, "../a", -1, "../a");
	resolve("", "?q", -1, "?q");
	resolve(NULL, NULL, -1, "");
	resolve("", "", -1, "");
	/* no ref is the base itself */
	resolve("http://a/b", NULL, 0, "http://a/b");
	/* a relative base gives a relative result */
	resolve("foo/bar", "baz", 0, "foo/baz");
}

static void test_resolve_limit(void **state)
{
	struct buf out;

	/* a buffer too small for the result: -1, and out holds what fits */
	buf_init(&out, 8);
	assert_int_equal(url_resolve("http://example.com/", "abc", &out), -1);
	assert_sane(&out);
	assert_true(out.len <= 8);
	buf_release(&out);
}

static void test_canonical(void **state)
{
	canon("HTTP://Example.COM:80/a?utm_source=x&id=3&fbclid=y#top",
	      "http://example.com/a?id=3");
	canon("https://example.com:443/a", "https://example.com/a");
	canon("HTTPS://EXAMPLE.COM:443", "https://example.com/");
	canon("http://example.com:8080/a", "http://example.com:8080/a");
	canon("https://example.com:80/a", "https://example.com:80/a");
	canon("http://example.com:443/a", "http://example.com:443/a");
	canon("http://example.com:/a", "http://example.com/a");
	canon("http://example.com:0080/a", "http://example.com/a");
	canon("http://example.com", "http://example.com/");
	canon("http://example.com?a=1", "http://example.com/?a=1");
	canon("http://example.com#x", "http://example.com/");
	canon("http://example.com/a?utm_source=x&utm_medium=y",
	      "http://example.com/a");
	canon("http://example.com/a?fbclid=1", "http://example.com/a");
	canon("http://example.com/a?", "http://example.com/a");
	canon("http://example.com/a?#frag", "http://example.com/a");
	canon("http://example.com/a?b=1&utm_campaign=z&c=2&gclid=3&d",
	      "http://example.com/a?b=1&c=2&d");
	canon("http://example.com/a?dclid=1&msclkid=2&mc_eid=3&mc_cid=4"
	      "&_ga=5&igshid=6&yclid=7&keep=1",
	      "http://example.com/a?keep=1");
	canon("http://example.com/a?UTM_Source=x&FBCLID=y&k",
	      "http://example.com/a?k");
	canon("http://example.com/a?utm=1&utmx=2&gclid_x=3",
	      "http://example.com/a?utm=1&utmx=2&gclid_x=3");
	canon("http://example.com/a?&&x=1&&", "http://example.com/a?x=1");
	canon("http://example.com/a?x=1&x=1", "http://example.com/a?x=1&x=1");
	/* path, query and userinfo bytes stay as they are */
	canon("http://example.com/A/%7e/%2F?Q=%20#f",
	      "http://example.com/A/%7e/%2F?Q=%20");
	canon("http://User:PW@Example.com/", "http://User:PW@example.com/");
	canon("http://a@b@Example.com/", "http://a@b@example.com/");
	canon("http://ex%41mple.com/", "http://ex%41mple.com/");
	/* IPv6 */
	canon("http://[::1]/", "http://[::1]/");
	canon("http://[::1]:80/x", "http://[::1]/x");
	canon("http://[FE80::1]:8080", "http://[fe80::1]:8080/");
	canon("https://user@[::1]:443/?utm_id=1", "https://user@[::1]/");
	/* not http(s), or broken */
	canon("ftp://example.com/", NULL);
	canon("javascript:alert(1)", NULL);
	canon("http:/x", NULL);
	canon("/relative", NULL);
	canon("", NULL);
	canon(NULL, NULL);
	canon("http://", NULL);
	canon("http://:80/", NULL);
	canon("http://x:http/", NULL);
	canon("http://x:99999/", NULL);
	canon("http://x:999999999999999999999/", NULL);
	canon("http://[::1/", NULL);
	canon("http://[]/", NULL);
	canon("http://[::1]x/", NULL);
}

static void test_canonical_reuses_out(void **state)
{
	struct buf out = BUF_INIT;

	buf_addstr(&out, "leftover");
	assert_int_equal(url_canonical("http://A/", &out), 0);
	assert_string_equal(out.s, "http://a/");
	assert_int_equal(url_canonical("http://B/c", &out), 0);
	assert_string_equal(out.s, "http://b/c");
	buf_release(&out);

	buf_init(&out, 10);
	assert_int_equal(url_canonical("http://example.com/long/path", &out),
			 -1);
	assert_sane(&out);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_http),
		cmocka_unit_test(test_resolve_rfc3986),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_limit),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_canonical_reuses_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
