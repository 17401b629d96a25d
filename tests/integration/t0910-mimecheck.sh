#!/bin/sh
# Self-test of tests/lib/mimecheck.py (the independent MIME check of the
# digest messages) and tests/lib/spamcheck.sh (SpamAssassin, local tests
# only): good messages built with Python's email package pass; messages
# with one thing wrong each (a missing or misplaced part, a defect, a line
# over 998 octets, two messages for one recipient, a To exposing two
# addresses, a wrong token, ...) are caught, with a line naming the file
# and the problem.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no /usr/bin/python3 (Debian's python3)"
MC=$TOP/tests/lib/mimecheck.py
CSV=$T/expect.csv
SUBJ='News Digest — semaine 2026-W48: surveillance, détention'
HTTPS=https://digest.example.org/unsubscribe/
ARCH=https://digest.example.org/archive/

# --- the messages ---------------------------------------------------------------
# Three subscribers (a name with an accent, a name with a comma, no name)
# and one outsider; good/ is a Maildir root as the test Postfix fills it,
# flat/ one Maildir for all, bad-*.eml one flaw each (for elise unless
# the name says otherwise).
"$PY" - "$T" "$SUBJ" "$HTTPS" "$ARCH" <<'EOF'
import copy, os, re, sys
from email import policy
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import formatdate

T, SUBJ, HTTPS, ARCH = sys.argv[1:5]
SUBS = [("elise@example.test", "Élise Tremblay", "tok-AAA111"),
        ("bob@example.org", "Doe, Bob", "tok-BBB222"),
        ("carol@example.test", "", "tok-CCC333")]
OUTSIDER = ("zed@example.test", "Zed", "tok-ZZZ999")
with open(os.path.join(T, "expect.csv"), "w", encoding="utf-8") as f:
    f.write("email,name,token,lang\n")
    for e, n, t in SUBS:
        f.write('%s,"%s",%s,fr\n' % (e, n, t))
with open(os.path.join(T, "notoken.csv"), "w") as f:
    f.write("email,name\nelise@example.test,Elise\n")
LF = policy.default.clone(linesep="\n")
serial = [0]

def make(sub, token=None, html_token=None, plain_only=False, parts=("plain", "html"),
         charset="utf-8", cte="quoted-printable", post=True, to=None, extra=(), drop=(),
         html_unsub=True, mailto=None):
    email, name, tok = sub
    token = token or tok
    html_token = html_token or token
    serial[0] += 1
    m = EmailMessage()
    m["From"] = Address("Coalition News Digest", addr_spec="digest@example.org")
    m["To"] = to if to is not None else Address(name, addr_spec=email)
    m["Subject"] = SUBJ
    m["Date"] = formatdate(1795000000 + serial[0])
    m["Message-ID"] = "<2026-W48.%d.%s@digest.example.org>" % (serial[0], token)
    m["List-Id"] = "Coalition News Digest <digest.example.org>"
    mt = mailto or "mailto:unsubscribe+%s@example.org" % token
    m["List-Unsubscribe"] = "<%s>, <%s%s>" % (mt, HTTPS, token)
    if post:
        m["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    m["List-Archive"] = "<%s>" % ARCH
    for h, v in extra:
        m[h] = v
    text = ("Cette semaine : détention, surveillance — and the No-Fly list.\n\n" * 20 +
            "Unsubscribe: %s%s\nor write to unsubscribe+%s@example.org\n" % (HTTPS, token, token))
    html = ("<html><body>" + "<p>Cette semaine&nbsp;: détention, surveillance — the No-Fly list.</p>\n" * 20 +
            ('<p><a href="%s%s?src=mail&amp;lang=fr">Se désabonner / unsubscribe</a></p>' % (HTTPS, html_token)
             if html_unsub else "<p>Bye.</p>") + "</body></html>\n")
    kinds = {"plain": (text, "plain"), "html": (html, "html")}
    first = True
    for p in (["plain"] if plain_only else parts):
        body, sub_type = kinds[p]
        if charset != "utf-8":
            body = body.replace("\u2014", "-")
        if first and not plain_only:
            m.set_content(body, subtype=sub_type, charset=charset, cte=cte)
            m.make_alternative()
        elif first:
            m.set_content(body, subtype=sub_type, charset=charset, cte=cte)
        else:
            m.add_alternative(body, subtype=sub_type, charset=charset, cte=cte)
        first = False
    for h in drop:
        del m[h]
    return m.as_bytes(policy=LF)

def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

def box(root, sub, name="1.P1.test"):
    local, domain = sub[0].split("@")
    return os.path.join(T, root, domain, local, "new", name)

elise, bob, carol = SUBS
for s in SUBS:
    put(box("good", s), make(s))
    put(os.path.join(T, "flat", "new", "%s.eml" % s[0]), make(s))
    put(box("two", s), make(s))
    put(box("outsider", s), make(s))
    if s is not carol:
        put(box("missing", s), make(s))
put(box("two", bob, "2.P2.test"), make(bob))
put(box("outsider", OUTSIDER), make(OUTSIDER))
os.makedirs(os.path.join(T, "flat", "cur"), exist_ok=True)
twice = make(elise)
put(os.path.join(T, "flat2", "new", "a"), twice)
put(os.path.join(T, "flat2", "new", "b"), make(bob))
put(os.path.join(T, "flat2", "new", "c"), twice)
put(os.path.join(T, "flat2", "new", "d"), make(OUTSIDER))

good = make(elise)
put(os.path.join(T, "good.eml"), good)
put(os.path.join(T, "good-bob.eml"), make(bob))
put(os.path.join(T, "good-mailto-query.eml"),
    make(elise, mailto="mailto:unsubscribe@example.org?subject=unsubscribe%20tok-AAA111"))
put(os.path.join(T, "bad-plain-only.eml"), make(elise, plain_only=True))
put(os.path.join(T, "bad-no-html.eml"), make(elise, parts=("plain",)))
put(os.path.join(T, "bad-html-first.eml"), make(elise, parts=("html", "plain")))
put(os.path.join(T, "bad-header-line.eml"),
    good.replace(b"\nMIME-Version:", b"\nthis is not a header line\nMIME-Version:", 1))
put(os.path.join(T, "bad-no-close.eml"), good[:good.rstrip().rfind(b"\n--")] + b"\n")
lines = good.split(b"\n")
i = lines.index(b"Content-Transfer-Encoding: quoted-printable") + 2
lines[i] = b"x" * 1200
put(os.path.join(T, "bad-long-line.eml"), b"\n".join(lines))
put(os.path.join(T, "bad-two-to.eml"),
    make(elise, to="Élise Tremblay <elise@example.test>, Doe Bob <bob@example.org>"))
put(os.path.join(T, "bad-cc.eml"), make(elise, extra=[("Cc", "bob@example.org")]))
put(os.path.join(T, "bad-exposed.eml"), make(elise, extra=[("X-Debug", "batch with carol@example.test")]))
put(os.path.join(T, "bad-wrong-token.eml"), make(elise, token="tok-BBB222"))
put(os.path.join(T, "bad-html-token.eml"), make(elise, html_token="tok-BBB222"))
put(os.path.join(T, "bad-no-body-link.eml"), make(elise, html_unsub=False))
put(os.path.join(T, "bad-8bit.eml"), good.replace(b"\nSubject:", "\nX-Note: déjà\nSubject:".encode(), 1))
put(os.path.join(T, "bad-latin1.eml"), make(elise, charset="iso-8859-1"))
put(os.path.join(T, "bad-base64.eml"), make(elise, cte="base64"))
put(os.path.join(T, "bad-no-post.eml"), make(elise, post=False))
put(os.path.join(T, "bad-no-mid-date.eml"), make(elise, drop=("Message-ID", "Date")))
put(os.path.join(T, "bad-no-mime-version.eml"), make(elise, drop=("MIME-Version",)))
put(os.path.join(T, "bad-to-name.eml"), make(elise, to="Elise <elise@example.test>"))
# a good one: the name in two adjacent encoded words, folded between them
# (RFC 2047 6.2: the white space between them is not part of the name)
put(os.path.join(T, "split-name.eml"),
    re.sub(rb"\nTo: [^\n]*\n", b"\nTo: =?utf-8?q?=C3=89lise_Tre?=\n =?utf-8?q?mblay?= <elise@example.test>\n",
           good, count=1))
put(os.path.join(T, "bad-long-word.eml"),
    good.replace(b"\nSubject:", b"\nX-Word: =?utf-8?q?" + b"a" * 80 + b"?=\nSubject:", 1))
EOF
[ -s "$CSV" ] && [ -f "$T/bad-long-word.eml" ] || { fail "the test messages are built"; finish; exit 1; }

# mc ARG...: run mimecheck; output in $T/out, status in $RC.
mc() { "$PY" "$MC" "$@" >"$T/out" 2>"$T/err"; RC=$?; }
# mcf ARG...: with the expected list and every option the digest uses
mcf() {
	mc --expect "$CSV" --subject "$SUBJ" --from digest@example.org --list-id digest.example.org \
		--unsub-mailto unsubscribe --unsub-https "$HTTPS" --archive "$ARCH" "$@"
}

# --- good messages pass -----------------------------------------------------------
mcf --maildir-root "$T/good"
is 0 "a good Maildir root passes"
has out '^mimecheck: ok, 3 messages, 3 subscribers, 0 problems$' "and the summary says so"
mcf --maildir "$T/flat"
is 0 "a good flat Maildir passes (messages matched by To)"
has out '^mimecheck: ok, 3 messages, 3 subscribers, 0 problems$' "and checks the three"
mcf --file "$T/good.eml" --file "$T/good-bob.eml"
is 0 "good single files pass (--file, twice)"
mcf --file "$T/good-mailto-query.eml"
is 0 "a mailto: with the token in ?subject= passes"
mc --file "$T/good.eml" --unsub-https "$HTTPS"
is 0 "--file without --expect checks the structure only"
has out '^mimecheck: ok, 1 messages, no subscribers, 0 problems$' "and says there was no list"
mcf -q --maildir-root "$T/good"
is 0 "-q passes quietly"
equal "$(wc -c <"$T/out" | tr -d ' ')" 0 "and prints nothing"

# --- layouts: one message per subscriber, no other --------------------------------
mcf --maildir-root "$T/two"
is 1 "two messages for one recipient fail"
has out "^$T/two/example.org/bob: 2 messages for bob@example.org \\(expected exactly one\\)$" \
	"the problem line names the mailbox and the count"
mcf --maildir-root "$T/missing"
is 1 "a subscriber without a message fails"
has out "0 messages for carol@example.test" "and is named"
mcf --maildir-root "$T/outsider"
is 1 "a message for someone outside the list fails"
has out "^$T/outsider/example.test/zed/new/[^:]*: a message for zed@example.test, who is not in the expected list$" \
	"the problem line names the file and the recipient"
has out '^mimecheck: FAILED, 4 messages, 3 subscribers, 1 problems$' "the summary counts it as one problem"
mcf --maildir "$T/flat2"
is 1 "a flat Maildir with a duplicate, a missing subscriber and an outsider fails"
has out "2 messages for elise@example.test" "the duplicate is found"
has out "0 messages for carol@example.test" "the missing subscriber is found"
has out "/d: To <zed@example.test> is not in the expected list" "the outsider is found"

mcf --maildir "$T/flat2" --jobs 2
is 1 "the same in two worker processes (--jobs 2)"
has out "2 messages for elise@example.test" "the duplicate is found"
has out "/c: Message-ID <[^>]*> is also the one of $T/flat2/new/a" "the repeated Message-ID is found"
has out "/d: To <zed@example.test> is not in the expected list" "the outsider is found"
mcf --maildir-root "$T/good" --jobs 3
is 0 "a good Maildir root passes in three worker processes"

# --- one flaw each ---------------------------------------------------------------------
while IFS='|' read -r file pattern desc; do
	[ -n "$file" ] || continue
	mcf --file "$T/$file"
	if [ "$RC" = 1 ] && grep -qE -- "^$T/$file: .*$pattern" "$T/out"; then
		pass "caught: $desc"
	else
		fail "caught: $desc" "exit $RC, expected 1 and a line matching: $T/$file: .*$pattern"
	fi
done <<EOF
bad-plain-only.eml|the message is text/plain, not multipart/alternative|a message with no HTML part, not multipart
bad-no-html.eml|the parts are text/plain, not text/plain then text/html|multipart/alternative missing its HTML part
bad-html-first.eml|the parts are text/html, text/plain, not|the parts in the wrong order
bad-header-line.eml|defect MissingHeaderBodySeparatorDefect|a bad line in the header block (a parser defect)
bad-no-close.eml|defect CloseBoundaryNotFoundDefect|a multipart without its closing boundary
bad-long-line.eml|line [0-9]+ is 1200 octets long \\(more than 998\\)|a line over 998 octets
bad-two-to.eml|To has 2 addresses|a To exposing two addresses
bad-two-to.eml|header To exposes another subscriber: bob@example.org|a To exposing another subscriber
bad-cc.eml|has a Cc header|a Cc header
bad-exposed.eml|header X-Debug exposes another subscriber: carol@example.test|another subscriber's address in any header
bad-wrong-token.eml|List-Unsubscribe does not carry the token tok-AAA111|someone else's token in List-Unsubscribe
bad-wrong-token.eml|text/plain: no unsubscribe link or address carries the token tok-AAA111|someone else's token in the text body
bad-html-token.eml|text/html: no unsubscribe link or address carries the token tok-AAA111|someone else's token in the HTML link only
bad-no-body-link.eml|text/html: no unsubscribe link or address \\(starting with|an HTML part without an unsubscribe link
bad-8bit.eml|8-bit byte 0xc3|a raw 8-bit header
bad-latin1.eml|text/plain: charset is iso-8859-1, not utf-8|a charset other than utf-8
bad-base64.eml|text/html: Content-Transfer-Encoding is 'base64', not quoted-printable|base64 instead of quoted-printable
bad-no-post.eml|no List-Unsubscribe-Post|no List-Unsubscribe-Post with an https unsubscribe URL
bad-no-mid-date.eml|no Message-ID|no Message-ID
bad-no-mid-date.eml|no Date|no Date
bad-no-mime-version.eml|no MIME-Version|no MIME-Version
bad-to-name.eml|To name 'Elise' is not 'Élise Tremblay'|the subscriber's name wrong in To
bad-long-word.eml|encoded word of 92 characters|an encoded word over 75 characters
EOF

mcf --file "$T/split-name.eml"
is 0 "a name split into adjacent encoded words reads as one (RFC 2047 6.2)"
grep -q '^To: =?utf-8?q?=C3=89lise_Tre?=$' "$T/split-name.eml" && pass "(the test message has the split name)" ||
	fail "(the test message has the split name)"

# --- options change what is expected ----------------------------------------------------
mc --file "$T/good.eml" --expect "$CSV" --unsub-mailto unsubscribe
is 1 "without --unsub-https, an https URI and List-Unsubscribe-Post are refused"
has out 'List-Unsubscribe has a web URI but no unsubscribe URL is configured' "the URI is named"
has out 'List-Unsubscribe-Post without an https unsubscribe URL' "the header is named"
mcf --file "$T/good.eml" --subject "Another subject"
is 1 "a different --subject fails"
has out "Subject 'News Digest — semaine 2026-W48: surveillance, détention' is not 'Another subject'" \
	"with the decoded Subject"
mcf --file "$T/good.eml" --list-id other.example.org --archive https://elsewhere.example/
is 1 "a different --list-id and --archive fail"
has out "List-Id .* does not contain 'other.example.org'" "List-Id is named"
has out "List-Archive .* does not contain 'https://elsewhere.example/'" "List-Archive is named"
mcf --file "$T/good.eml" --unsub-mailto leave-
is 1 "a different --unsub-mailto prefix fails"
has out "List-Unsubscribe has no mailto: address starting with leave-" "the prefix is named"
mcf --file "$T/good.eml" --file "$T/good.eml"
is 1 "the same message twice: a Message-ID that is not unique"
has out "Message-ID <[^>]*> is also the one of $T/good.eml" "the duplicate Message-ID is named"

# --- bad usage ----------------------------------------------------------------------------
mc --maildir-root "$T/good" --expect "$T/notoken.csv"
is 2 "a list without a token column is bad usage (2)"
has err 'no token' "and says so"
mc --maildir-root "$T/nowhere" --expect "$CSV"
is 2 "a missing folder is bad usage (2)"

# --- spamcheck ----------------------------------------------------------------------------
. "$TOP/tests/lib/spamcheck.sh"
spamcheck "$T/good.eml" >"$T/spam.out"
src=$?
sed 's/^/    /' "$T/spam.out" | sed 's/^    #/#/'
if [ "$src" = 77 ]; then
	pass "# SKIP spamcheck: $SPAMCHECK_ERROR"
else
	equal "$src" 0 "spamcheck runs SpamAssassin on a well-formed digest-like message"
	case $SPAM_SCORE in
	'' | *[!0-9.-]*) fail "spamcheck sets SPAM_SCORE to a number" "got '$SPAM_SCORE'" ;;
	*) pass "spamcheck sets SPAM_SCORE to a number ($SPAM_SCORE)" ;;
	esac
	has "$T/spam.out" '^# spamassassin: score ' "it prints the score as a TAP comment"
	has "$T/spam.out" '^#   +-?[0-9]+\.[0-9] [A-Z0-9_]+ ' "and the rules hit, one a line"
	if spam_below 2.0; then pass "a plain well-formed multipart message scores below 2.0"
	else fail "a plain well-formed multipart message scores below 2.0" "score $SPAM_SCORE: $SPAM_RULES"; fi
	if spam_rule_hit HTML_MESSAGE; then pass "spam_rule_hit finds a rule hit (HTML_MESSAGE)"
	else fail "spam_rule_hit finds a rule hit (HTML_MESSAGE)" "rules: $SPAM_RULES"; fi
fi
# the test servers' trace lines go before scoring (ALL_TRUSTED: -1.0)
{
	printf 'X-Client-Addr: 127.0.0.1\nX-Rcpt-Args: <elise@example.test>\n'
	printf 'Return-Path: <digest@example.org>\nX-Original-To: elise@example.test\n'
	printf 'Delivered-To: elise@example.test\nReceived: from [127.0.0.1] (unknown [127.0.0.1])\n'
	printf '\tby mail.newsdigest.test (Postfix) with ESMTP id 4jbyV21Qd0z1cvVR\n'
	printf '\tfor <elise@example.test>; Sat, 28 Nov 2026 04:48:42 +0000 (UTC)\n'
	cat "$T/good.eml"
} >"$T/traced.eml"
spam_strip_trace "$T/traced.eml" >"$T/stripped.eml"
same "$T/good.eml" "$T/stripped.eml" "spam_strip_trace takes off the test servers' trace lines, and only them"

PATH=/nonexistent /bin/sh "$TOP/tests/lib/spamcheck.sh" "$T/good.eml" >"$T/out" 2>"$T/err"
RC=$?
is 77 "spamcheck.sh as a script: 77 (skip) when spamassassin is missing"
equal "$(wc -c <"$T/out" | tr -d ' ')" 0 "and prints no score"
has err '^# SKIP: spamassassin is not installed' "and says why"

finish
