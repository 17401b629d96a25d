#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "address.h"
#include "buf.h"

#define OK(in, want) check_ok((in), (want), __FILE__, __LINE__)
#define BAD(in, reason) check_bad((in), (reason), __FILE__, __LINE__)

static void assert_sane_buf(const struct buf *b, const char *file, int line);
static void check_ok(const char *in, const char *want, const char *file, int line);
static void check_bad(const char *in, const char *reason, const char *file,
		      int line);
static char *repeat(struct buf *b, const char *prefix, int c, size_t n,
		    const char *suffix);

static void assert_sane_buf(const struct buf *b, const char *file, int line)
{
	_assert_true(b->s != NULL, "b->s != NULL", file, line);
	_assert_int_equal(strlen(b->s), b->len, file, line);
	if (b->alloc)
		_assert_true(b->len < b->alloc, "b->len < b->alloc", file, line);
	else
		_assert_int_equal(b->len, 0, file, line);
	if (b->max)
		_assert_true(b->len <= b->max, "b->len <= b->max", file, line);
}

/* want NULL: the normal form is the input unchanged */
static void check_ok(const char *in, const char *want, const char *file, int line)
{
	struct buf out = BUF_INIT;
	struct buf err = BUF_INIT;
	int rc;

	rc = address_normalize(in, &out, &err);
	assert_sane_buf(&out, file, line);
	assert_sane_buf(&err, file, line);
	_assert_string_equal(err.s, "", file, line);
	_assert_int_equal(rc, 0, file, line);
	_assert_string_equal(out.s, want ? want : in, file, line);
	buf_release(&out);
	buf_release(&err);
}

/* The reason must match exactly: one failure, one reason. */
static void check_bad(const char *in, const char *reason, const char *file,
		      int line)
{
	struct buf out = BUF_INIT;
	struct buf err = BUF_INIT;
	int rc;

	rc = address_normalize(in, &out, &err);
	assert_sane_buf(&out, file, line);
	assert_sane_buf(&err, file, line);
	_assert_int_equal(rc, -1, file, line);
	_assert_string_equal(err.s, reason, file, line);
	buf_release(&out);
	buf_release(&err);
}

/* b = prefix, n times c, suffix; returns b->s */
static char *repeat(struct buf *b, const char *prefix, int c, size_t n,
		    const char *suffix)
{
	size_t i;

	buf_reset(b);
	buf_addstr(b, prefix);
	for (i = 0; i < n; i++)
		buf_addch(b, c);
	buf_addstr(b, suffix);
	return b->s;
}

static void test_at_sign(void **state)
{
	(void)state;
	OK("bob@example.org", NULL);
	OK("\"a@b\"@example.org", NULL);
	OK("\"@\"@example.org", NULL);
	BAD("no-at-sign", "no '@'");
	BAD("\"a@b\"", "no '@'");
	BAD("bob@@example.org", "more than one '@' outside quotes");
	BAD("a@b@example.org", "more than one '@' outside quotes");
	BAD("\"a@b\"@x@example.org", "more than one '@' outside quotes");
	BAD("bob@example.org@", "more than one '@' outside quotes");
}

static void test_empty_parts(void **state)
{
	(void)state;
	BAD("", "empty address");
	BAD("@", "empty local part");
	BAD("@example.org", "empty local part");
	BAD("a@", "empty domain");
	BAD("\"\"@", "empty domain");
	/* Quoted-string allows zero characters */
	OK("\"\"@example.org", NULL);
}

static void test_dot_string(void **state)
{
	(void)state;
	OK("a@x.org", NULL);
	OK("first.last@x.org", NULL);
	OK("a.b.c.d@x.org", NULL);
	OK("!#$%&'*+-/=?^_`{|}~@x.org", NULL);
	OK("0123456789@x.org", NULL);
	BAD("a.@x.org", "empty label in local part (two dots, or a dot at an end)");
	BAD(".a@x.org", "empty label in local part (two dots, or a dot at an end)");
	BAD("a..b@x.org", "empty label in local part (two dots, or a dot at an end)");
	BAD(".@x.org", "empty label in local part (two dots, or a dot at an end)");
	BAD("a(b)@x.org", "character '(' not allowed in local part");
	BAD("a,b@x.org", "character ',' not allowed in local part");
	BAD("a\\b@x.org", "character '\\' not allowed in local part");
	BAD("a[b]@x.org", "character '[' not allowed in local part");
	BAD("a:b@x.org", "character ':' not allowed in local part");
	BAD("a\"b\"@x.org", "character '\"' not allowed in local part");
}

static void test_quoted_string(void **state)
{
	(void)state;
	OK("\"a b\"@x.org", NULL);
	OK("\"a\\\"b\"@x.org", NULL);
	OK("\"a\\\\b\"@x.org", NULL);
	OK("\"a\\ b\"@x.org", NULL);
	OK("\"a..b.\"@x.org", NULL);
	OK("\"(),:;<>[]\"@x.org", NULL);
	OK("\"plain\"@x.org", NULL);
	BAD("\"a\"b@x.org", "text after the closing quote of the local part");
	BAD("\"a\".b@x.org", "text after the closing quote of the local part");
	BAD("\"a\"\"b\"@x.org", "text after the closing quote of the local part");
	BAD("\"abc@x.org", "unterminated quoted string");
	BAD("\"abc\\\"@x.org", "unterminated quoted string");
	BAD("\"a\\@x.org", "unterminated quoted string");
}

static void test_local_length(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	OK(repeat(&b, "", 'a', 64, "@x.org"), NULL);
	BAD(repeat(&b, "", 'a', 65, "@x.org"), "local part longer than 64 octets");
	/* the quotes count: the limit is on the local part as sent */
	OK(repeat(&b, "\"", ' ', 62, "\"@x.org"), NULL);
	BAD(repeat(&b, "\"", ' ', 63, "\"@x.org"), "local part longer than 64 octets");
	BAD(repeat(&b, "", 'a', 300, "@x.org"), "local part longer than 64 octets");
	buf_release(&b);
}

static void test_domain_labels(void **state)
{
	(void)state;
	OK("user@localhost", NULL);
	OK("user@a-b.example", NULL);
	OK("user@a--b.example", NULL);
	OK("user@3com.com", NULL);
	OK("user@x.y.z.example", NULL);
	BAD("user@a-.org", "domain label 'a-' ends with '-'");
	BAD("user@x.a-", "domain label 'a-' ends with '-'");
	BAD("user@-a.org", "domain label '-a' starts with '-'");
	BAD("user@-.org", "domain label '-' starts with '-'");
	BAD("user@a_b.org", "character '_' not allowed in domain label 'a_b'");
	BAD("user@x.org]", "character ']' not allowed in domain label 'org]'");
	BAD("user@x..org", "empty label in domain (two dots, or a dot at an end)");
	BAD("user@.x.org", "empty label in domain (two dots, or a dot at an end)");
	BAD("user@x.org.", "empty label in domain (two dots, or a dot at an end)");
	BAD("user@.", "empty label in domain (two dots, or a dot at an end)");
}

static void test_label_length(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	OK(repeat(&b, "user@", 'a', 63, ".example"), NULL);
	OK(repeat(&b, "user@x.", 'a', 63, ""), NULL);
	BAD(repeat(&b, "user@", 'a', 64, ".example"), "domain label longer than 63 octets");
	BAD(repeat(&b, "user@x.", 'a', 64, ""), "domain label longer than 63 octets");
	buf_release(&b);
}

static void test_numeric_top_label(void **state)
{
	(void)state;
	OK("user@x.1a", NULL);
	OK("user@123.example", NULL);
	BAD("user@1.2.3.4", "domain '1.2.3.4' looks like an IP address; write it as [1.2.3.4]");
	BAD("user@192.0.2.1", "domain '192.0.2.1' looks like an IP address; write it as [192.0.2.1]");
	BAD("user@x.123", "top-level domain label '123' is all digits");
	BAD("user@123", "top-level domain label '123' is all digits");
	BAD("user@1.2.3.256", "top-level domain label '256' is all digits");
}

static void test_total_length(void **state)
{
	struct buf b = BUF_INIT;
	/* 4 * 63 + 3 = 255 octets */
	const char *l63 = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	char dom[300];

	(void)state;
	assert_int_equal(strlen(l63), 63);
	/* 62 + 1 + 3 * 63 + 2 = 254 */
	snprintf(dom, sizeof(dom), "@%s.%s.%s", l63, l63, l63);
	OK(repeat(&b, "", 'a', 62, dom), NULL);
	assert_int_equal(b.len, 254);
	BAD(repeat(&b, "", 'a', 63, dom), "address longer than 254 octets");
	assert_int_equal(b.len, 255);
	/* a 255-octet domain is within its own limit but not the address's */
	snprintf(dom, sizeof(dom), "@%s.%s.%s.%s", l63, l63, l63, l63);
	BAD(repeat(&b, "", 'a', 1, dom), "address longer than 254 octets");
	snprintf(dom, sizeof(dom), "@%s.%s.%s.%s.a", l63, l63, l63, l63);
	BAD(repeat(&b, "", 'a', 1, dom), "domain longer than 255 octets");
	/* 254 octets as typed, 260 in A-labels: the limit is on what is sent */
	snprintf(dom, sizeof(dom), "@%s.%s.bücher.%.53s", l63, l63, l63);
	BAD(repeat(&b, "", 'a', 64, dom), "address longer than 254 octets");
	assert_int_equal(b.len, 254);
	buf_release(&b);
}

static void test_ipv4_literal(void **state)
{
	(void)state;
	OK("user@[192.0.2.1]", NULL);
	OK("user@[0.0.0.0]", NULL);
	OK("user@[255.255.255.255]", NULL);
	/* Snum is 1*3DIGIT: leading zeros are in the grammar */
	OK("user@[010.000.002.001]", NULL);
	BAD("user@[256.0.0.1]", "address literal '[256.0.0.1]' is not IPv4 or IPv6");
	BAD("user@[1.2.3]", "address literal '[1.2.3]' is not IPv4 or IPv6");
	BAD("user@[1.2.3.4.5]", "address literal '[1.2.3.4.5]' is not IPv4 or IPv6");
	BAD("user@[1.2.3.]", "address literal '[1.2.3.]' is not IPv4 or IPv6");
	BAD("user@[1234.1.1.1]", "address literal '[1234.1.1.1]' is not IPv4 or IPv6");
	BAD("user@[ 1.2.3.4]", "address literal '[ 1.2.3.4]' is not IPv4 or IPv6");
	BAD("user@[]", "address literal '[]' is not IPv4 or IPv6");
	BAD("user@[1.2.3.4", "address literal does not end with ']'");
	BAD("user@[1.2.3.4]x", "address literal does not end with ']'");
	BAD("user@[", "address literal does not end with ']'");
}

static void test_ipv6_literal(void **state)
{
	(void)state;
	OK("user@[IPv6:2001:db8::1]", NULL);
	OK("user@[IPv6:::1]", NULL);
	OK("user@[IPv6:::]", NULL);
	OK("user@[IPv6:2001:db8:0:0:0:0:0:1]", NULL);
	OK("user@[IPv6:::ffff:192.0.2.1]", NULL);
	OK("user@[ipv6:2001:DB8::1]", "user@[IPv6:2001:DB8::1]");
	OK("user@[IPV6:2001:db8::1]", "user@[IPv6:2001:db8::1]");
	BAD("user@[IPv6:zz::1]", "address literal '[IPv6:zz::1]' is not a valid IPv6 address");
	BAD("user@[IPv6:]", "address literal '[IPv6:]' is not a valid IPv6 address");
	BAD("user@[IPv6:1:2:3:4:5:6:7:8:9]",
	    "address literal '[IPv6:1:2:3:4:5:6:7:8:9]' is not a valid IPv6 address");
	BAD("user@[IPv6:192.0.2.1]", "address literal '[IPv6:192.0.2.1]' is not a valid IPv6 address");
	BAD("user@[IPv6:fe80::1%eth0]",
	    "address literal '[IPv6:fe80::1%eth0]' is not a valid IPv6 address");
	BAD("user@[IPv6:0000:0000:0000:0000:0000:0000:0000:0000:0000]",
	    "address literal '[IPv6:0000:0000:0000:0000:0000:0000:0000:0000:0000]' "
	    "is not a valid IPv6 address");
	BAD("user@[2001:db8::1]", "address literal '[2001:db8::1]' needs the tag 'IPv6:'");
}

static void test_general_literal(void **state)
{
	(void)state;
	BAD("user@[tag:foo]", "address literal tag 'tag' is not standardised (only IPv6 is)");
	BAD("user@[x-400:c=us]", "address literal tag 'x-400' is not standardised (only IPv6 is)");
	BAD("user@[IPv4:1.2.3.4]", "address literal tag 'IPv4' is not standardised (only IPv6 is)");
	BAD("user@[:foo]", "address literal '[:foo]' is not IPv4 or IPv6");
	BAD("user@[a b:foo]", "address literal '[a b:foo]' is not IPv4 or IPv6");
	BAD("user@[IPv6:\xc2\x9b::1]", "non-ASCII character in address literal");
	BAD("user@[1.2.3.4\xc2\xa0]", "non-ASCII character in address literal");
}

static void test_case(void **state)
{
	(void)state;
	OK("user@EXAMPLE.org", "user@example.org");
	OK("User@Example.ORG", "User@example.org");
	OK("\"A B\"@X.Org", "\"A B\"@x.org");
	OK("USER@LOCALHOST", "USER@localhost");
	OK("user@[192.0.2.1]", NULL);
}

static void test_non_ascii_local(void **state)
{
	(void)state;
	BAD("josé@x.org", "non-ASCII local part (needs SMTPUTF8)");
	BAD("\"josé\"@x.org", "non-ASCII local part (needs SMTPUTF8)");
	BAD("\"a\\é\"@x.org", "non-ASCII local part (needs SMTPUTF8)");
	BAD("ü@bücher.example", "non-ASCII local part (needs SMTPUTF8)");
	BAD("\xff@x.org", "non-ASCII local part (needs SMTPUTF8)");
}

static void test_idn(void **state)
{
	(void)state;
	OK("user@bücher.example", "user@xn--bcher-kva.example");
	OK("user@BÜCHER.Example", "user@xn--bcher-kva.example");
	OK("user@xn--bcher-kva.example", NULL);
	/* non-transitional: ß stays ß */
	OK("user@faß.de", "user@xn--fa-hia.de");
	/* UTS #46 mapping: full-width letters become ASCII */
	OK("user@ｅｘａｍｐｌｅ.com", "user@example.com");
	/* NFC: u + combining diaeresis */
	OK("user@bu\xcc\x88" "cher.example", "user@xn--bcher-kva.example");
	BAD("user@b\xfcr.example", "cannot convert domain to A-labels: string encoding error");
	BAD("user@ü-.example",
	    "cannot convert domain to A-labels: string start/ends with forbidden hyphen");
	BAD("user@bücher..example", "empty label in domain (two dots, or a dot at an end)");
	BAD("user@bücher.example.", "empty label in domain (two dots, or a dot at an end)");
	BAD("user@ü_x.example", "character '_' not allowed in domain label 'xn--_x-wka'");
	BAD("user@ü.123", "top-level domain label '123' is all digits");
}

static void test_controls(void **state)
{
	(void)state;
	BAD("us\ter@x.org", "control character 0x09 at octet 3");
	BAD("user@x.org\r\n", "control character 0x0d at octet 11");
	BAD("user@x.org\n", "control character 0x0a at octet 11");
	BAD("\nuser@x.org", "control character 0x0a at octet 1");
	BAD("\"a\rb\"@x.org", "control character 0x0d at octet 3");
	BAD("\"a\\\x01\"@x.org", "control character 0x01 at octet 4");
	BAD("a\x7f@x.org", "control character 0x7f at octet 2");
	BAD("user@x\x1b.org", "control character 0x1b at octet 7");
	BAD("user@[IPv6:::1\n]", "control character 0x0a at octet 15");
}

static void test_spaces(void **state)
{
	(void)state;
	OK("\" \"@x.org", NULL);
	BAD(" user@x.org", "character ' ' not allowed in local part");
	BAD("user @x.org", "character ' ' not allowed in local part");
	BAD("a b@x.org", "character ' ' not allowed in local part");
	BAD("user@ x.org", "character ' ' not allowed in domain label ' x'");
	BAD("user@x.org ", "character ' ' not allowed in domain label 'org '");
	BAD("user@x y.org", "character ' ' not allowed in domain label 'x y'");
	BAD(" ", "no '@'");
}

static void test_buffers(void **state)
{
	struct buf out = BUF_INIT;
	struct buf err = BUF_INIT;

	(void)state;
	/* out is replaced, err is appended to */
	buf_addstr(&out, "stale");
	buf_addstr(&err, "cannot add 'a@': ");
	assert_int_equal(address_normalize("a@", &out, &err), -1);
	assert_string_equal(err.s, "cannot add 'a@': empty domain");
	assert_int_equal(address_normalize("a@X.org", &out, &err), 0);
	assert_string_equal(out.s, "a@x.org");
	assert_string_equal(err.s, "cannot add 'a@': empty domain");
	assert_int_equal(address_normalize("b@y.org", &out, &err), 0);
	assert_string_equal(out.s, "b@y.org");
	buf_release(&out);

	/* a bounded out too small for the address is a failure, not a cut */
	buf_init(&out, 5);
	buf_reset(&err);
	assert_int_equal(address_normalize("abc@x.org", &out, &err), -1);
	assert_string_equal(err.s, "address does not fit in the output buffer");
	buf_release(&out);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at_sign),
		cmocka_unit_test(test_empty_parts),
		cmocka_unit_test(test_dot_string),
		cmocka_unit_test(test_quoted_string),
		cmocka_unit_test(test_local_length),
		cmocka_unit_test(test_domain_labels),
		cmocka_unit_test(test_label_length),
		cmocka_unit_test(test_numeric_top_label),
		cmocka_unit_test(test_total_length),
		cmocka_unit_test(test_ipv4_literal),
		cmocka_unit_test(test_ipv6_literal),
		cmocka_unit_test(test_general_literal),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_non_ascii_local),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_spaces),
		cmocka_unit_test(test_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
