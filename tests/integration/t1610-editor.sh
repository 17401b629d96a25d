#!/bin/sh
# newsdigest preview and approve: the editor's work after compose. A week's
# draft is edited by script (an item deleted, a section moved, a summary
# rewritten, an event and an introduction written, a section deleted);
# approve lists what is left with FILE:LINE and approves nothing until it
# is clean, then records the SHA-256 of the bytes; preview shows exactly
# the edits in HTML and in wrapped text, with the sample subscriber's
# unsubscribe link; hostile feed text comes out escaped and whole; compose
# never clobbers the edited draft (--force keeps it) and a new draft is not
# approved; bad input. (compose itself is t1600's.)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
servers_trap

# the interpreter itself, with -S (standard library only): fast to start
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no /usr/bin/python3 to read the preview"
command -v sha256sum >/dev/null 2>&1 || skip_all "no sha256sum"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3"

F=$FIX/t1610
W=$T/www
mkdir -p "$W"
# courier and signal: eight stories of 2025-W10 over four topics (one off
# topic, one near miss); wire: one hostile item whose title is 1,500
# characters of HTML, Markdown, </script>, emoji, Arabic and Hebrew
cp "$F/courier.xml" "$F/signal.xml" "$F/wire.xml" "$W/"

nginx_start "$W"
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "nginx starts" "$SERVERS_ERROR"; finish; exit 1; }
U=$NGINX_URL

# --- helpers ---------------------------------------------------------------------
sha() { sha256sum "$1" | cut -d' ' -f1; }
approved() { sql "SELECT coalesce(approved_hash, 'NULL') FROM digests WHERE week = '2025-W10'"; }

# check.py CHECK FILE [ARG...]: one check of a preview (or a draft); prints
# why and exits 1 when it fails. Text is compared as characters, not bytes.
cat >"$T/check.py" <<'EOF'
import re, sys

check, path = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
text = open(path, "rb").read().decode("utf-8")
lines = text.split("\n")

def die(msg):
    sys.exit(msg)

def hostile_title():
    feed = open(args[0], "rb").read().decode("utf-8")
    t = re.search(r"<entry>\s*<title[^>]*>(.*?)</title>", feed, re.S).group(1)
    return t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

if check == "order":
    # order TAG PATTERN...: the headings, in this order and no others
    tag = args[0]
    if tag == "h2":
        got = re.findall(r"<h2>(.*?)</h2>", text)
    else:
        # text: a line underlined with '-' is a heading
        got = [lines[i] for i in range(len(lines) - 1)
               if lines[i] and re.fullmatch(r"-+", lines[i + 1])]
    want = args[1:]
    if len(got) != len(want) or not all(g.startswith(w) for g, w in zip(got, want)):
        die("headings %r, want %r" % (got, want))

elif check == "hrefs":
    # hrefs: every href is absolute http(s) or mailto; at least one
    hrefs = re.findall(r"""href\s*=\s*["']?([^"' >]*)""", text, re.I)
    bad = [h for h in hrefs if not re.match(r"(https?://[^/]|mailto:)", h, re.I)]
    if not hrefs or bad:
        die("%d hrefs, not absolute: %r" % (len(hrefs), bad))

elif check == "width":
    # width: no line over 72 characters, except one that a single long
    # word (a URL) makes longer: it is alone on its line after the
    # prefix, or it is a URL after a short label
    for n, l in enumerate(lines, 1):
        if len(l) <= 72:
            continue
        words = l.split()
        longw = max(words, key=len)
        rest = len(l) - len(longw)
        if rest <= 20 and (len(words) == 1 or re.match(r"(https?://|mailto:)", longw) or
                           re.fullmatch(r"[-*>\[\]0-9. ]*", l[:l.index(longw)])):
            continue
        die("line %d is %d characters: %r" % (n, len(l), l))

elif check == "references":
    # references URL...: the body ends with "References:" and "[n] URL"
    # lines, numbered from 1, each used in the text; the URLs given are
    # among them
    try:
        r = lines.index("References:")
    except ValueError:
        die("no References: line")
    refs = []
    k = r + 1
    while k < len(lines) and re.match(r"\[[0-9]+\] ", lines[k]):
        refs.append(lines[k])
        k += 1
    if lines[k:k + 2] != ["", "-- "]:
        die("after the references: %r, not the "-- " signature line" % lines[k:k + 2])
    for i, ref in enumerate(refs, 1):
        if not ref.startswith("[%d] " % i):
            die("reference %d is %r" % (i, ref))
        if "[%d]" % i not in "\n".join(lines[:r]):
            die("[%d] is never used in the text" % i)
    urls = [ref.split(" ", 1)[1] for ref in refs]
    for u in args:
        if u not in urls:
            die("%s is not a reference: %r" % (u, urls))

elif check == "html-title":
    # html-title FEED: the hostile title is whole in the HTML, escaped
    t = hostile_title()
    if len(t) != 1500:
        die("the fixture's title is %d characters" % len(t))
    esc = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if esc not in text:
        die("the escaped 1,500-character title is not in the HTML")

elif check == "text-title":
    # text-title FEED: the hostile title is whole in the text part, its
    # words wrapped (the continuation lines are indented)
    t = " ".join(hostile_title().split())
    flat = " ".join(text.split())
    if t not in flat:
        die("the 1,500-character title is not whole in the text")

elif check == "has-bytes":
    # has-bytes HEX [flat]: the file holds these UTF-8 bytes; flat: once
    # each run of white space (a wrapped line's break and indent) is one
    # space
    if args[1:] == ["flat"]:
        text = " ".join(text.split())
    if bytes.fromhex(args[0]) not in text.encode("utf-8"):
        die("%s not found" % args[0])

else:
    die("unknown check " + check)
EOF
# pycheck DESC CHECK FILE [ARG...]
pycheck() {
	_desc=$1
	shift
	if why=$("$PY" -S "$T/check.py" "$@" 2>&1); then pass "$_desc"
	else fail "$_desc" "$why"; fi
}

# =================================================================================
# 1. a store with the week's items, and its draft
# =================================================================================
write_config
for f in courier signal wire; do
	nd feeds add --no-check "$U/$f.xml"
	is 0 "feeds add $f.xml"
done
nd fetch
is 0 "fetch exits 0"
has out '^fetched 3 feeds: 3 ok \(10 new items, 0 updated\)' "ten items are fetched"
equal "$(sql "SELECT length(title) FROM items WHERE guid = 'wire-hostile'")" 1500 \
	"the hostile title is stored whole (1,500 characters)"
nd curate
is 0 "curate exits 0"
has out '^tagged 10 items: 8 included, ' "eight items are included"
nd compose --week 2025-W10
is 0 "compose --week 2025-W10 exits 0"
has out '^wrote digests/2025-W10\.md: issue 1, 8 items in 4 sections, 1 near misses, 0 failing feeds$' \
	"eight items in four sections, one near miss"
D=digests/2025-W10.md
[ -f "$T/$D" ] || { fail "the draft exists"; finish; exit 1; }
cp "$T/$D" "$T/composed.md"

# =================================================================================
# 2. the editor's session
# =================================================================================
# delete an item: its list item lines and its marker
sed -i '/^- \[Transit police quietly ran facial recognition/,/<!-- nd:item /d' "$T/$D"
# move the Extradition section above Torture and rendition
awk '
	/^## / { sec = ($0 ~ /^## Extradition/) }
	sec { moved = moved $0 "\n"; next }
	{ rest[++n] = $0 }
	END {
		for (i = 1; i <= n; i++) {
			if (rest[i] ~ /^## Torture and rendition/) printf "%s", moved
			print rest[i]
		}
	}' "$T/$D" >"$T/moved.md" && mv "$T/moved.md" "$T/$D"
# rewrite a summary
sed -i 's/^  The family was held at the check-in counter.*$/  A two-year-old was stopped for the fourth time this year, the editor writes./' "$T/$D"
# an event, by hand, in place of the Events placeholder
"$PY" -S - "$T/$D" <<'EOF'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
old = "TODO: add this week's events, or delete this section.\n"
new = ("- [Public forum on the no-fly list, Winnipeg](https://events.example.org/2025/no-fly-forum)"
       " — 20 March, 7 p.m.\n")
assert s.count(old) == 1
open(p, "w", encoding="utf-8").write(s.replace(old, new))
EOF
hasnt "$T/$D" 'Transit police quietly' "(the draft has lost the deleted item)"
equal "$(grep -c '<!-- nd:item ' "$T/$D")" 7 "(seven markers are left)"
grep '^## ' "$T/$D" >"$T/sections"
cat >"$T/sections.expected" <<'EOF'
## Extradition · Extradition
## Torture and rendition · Torture et restitution
## Surveillance and privacy · Surveillance et vie privée
## No-fly list · Liste d'interdiction de vol
## Events · Événements
## Calls to action · Appels à l'action
EOF
same "$T/sections.expected" "$T/sections" "(the Extradition section is first in the draft)"

# =================================================================================
# 3. approve lists every problem left, with its line
# =================================================================================
todo_lines=$(grep -n 'TODO:' "$T/$D" | cut -d: -f1 | tr '\n' ' ')
equal "$(echo "$todo_lines" | wc -w | tr -d ' ')" 2 "(two placeholders left: the introduction, calls to action)"
nd approve "$D"
is 65 "approve with placeholders left exits 65"
for l in $todo_lines; do
	has err "^digests/2025-W10\.md:$l: placeholder text left" "the placeholder on line $l is listed with FILE:LINE"
done
equal "$(grep -c '^digests/2025-W10\.md:[0-9]*: ' "$T/err")" 2 "exactly those two problems are listed"
has err "2 problems in 'digests/2025-W10\.md': nothing was approved" "it says nothing was approved"
equal "$(approved)" NULL "the digests row has no approved_hash"

# a relative link, on the second line of a paragraph
sed -i 's|^- \[Public forum on the no-fly list, Winnipeg\].*$|&  \n  Details and the map: [x](/relative) on the site.|' "$T/$D"
rel=$(grep -n '\](/relative)' "$T/$D" | cut -d: -f1)
nd approve "$D"
is 65 "approve with a relative link exits 65"
has err "^digests/2025-W10\.md:$rel: link '/relative' is not absolute" "the relative link is listed with its line ($rel)"
has err "3 problems in 'digests/2025-W10\.md': nothing was approved" "three problems now"
equal "$(approved)" NULL "still no approved_hash"

# a link to javascript: that the editor typed is a problem too
cp "$T/$D" "$T/script.md"
printf '\nClick [here](javascript:alert(1)) for more.\n' >>"$T/script.md"
js=$(grep -n 'javascript:alert(1)) for more' "$T/script.md" | cut -d: -f1)
nd approve script.md
is 65 "approve with a javascript: link exits 65"
has err "^script\.md:$js: link 'javascript:alert\(1\)' is not absolute" "the javascript: link is listed with its line ($js)"
nd preview script.md
is 0 "preview of that draft exits 0"
hasnt out 'href="javascript:' "its HTML links nowhere near javascript:"

# a broken front matter: no week
grep -v '^week: ' "$T/$D" >"$T/broken.md"
nd approve broken.md
is 65 "approve without 'week:' in the front matter exits 65"
has err "^broken\.md:1: the front matter has no 'week'" "the problem names the missing key"
has err 'nothing was approved' "nothing was approved"
equal "$(approved)" NULL "no approved_hash"
printf -- "---\ntitle: \"News Digest\"\nissue: 1\nweek: 2025-W10\nweek: 2025-W11\n---\nBody.\n" >"$T/twice.md"
nd approve twice.md
is 65 "approve with a key set twice exits 65"
has err "twice\.md:5: front matter: 'week' is set twice" "the message names the key and its line"

# everything fixed: the introduction written, calls to action deleted, the
# link made absolute
sed -i 's|^TODO: write the introduction.*$|This week the courts slowed an extradition and a watchdog took on a transit app; the no-fly redress deadline came and went.|' "$T/$D"
sed -i '/^## Calls to action/,$d' "$T/$D"
sed -i 's|(/relative)|(https://events.example.org/2025/no-fly-forum/map)|' "$T/$D"
hasnt "$T/$D" 'TODO' "(no placeholder left)"
nd approve "$D"
is 0 "approve of the finished draft exits 0"
has out "^approved digests/2025-W10\.md \(week 2025-W10, sha256 $(sha "$T/$D" | cut -c1-12)\.\.\.\)" \
	"it reports the file, the week and the hash"
hasnt err . "and prints no problem"
equal "$(approved)" "$(sha "$T/$D")" "digests.approved_hash is the sha256sum of the file"
equal "$(sql "SELECT path || '|' || issue || '|' || (approved_at > 0) FROM digests WHERE week = '2025-W10'")" \
	"digests/2025-W10.md|1|1" "the row keeps path and issue, with approved_at"
cp "$T/$D" "$T/approved.md"

# a placeholder after an editor's `<!--` in a code span: cmark shows both
# to subscribers, so approve must see the placeholder
# (in a store of its own: an approval of the week in the test store would
# replace the one above)
other_config side
cp "$T/approved.md" "$T/codespan.md"
# shellcheck disable=SC2016 # backquotes are Markdown here
printf '\nTip: in HTML a comment starts with `<!--` and never shows.\n\nTODO: thank the readers.\n' \
	>>"$T/codespan.md"
cs=$(grep -n '^TODO: thank the readers' "$T/codespan.md" | cut -d: -f1)
nd preview codespan.md
has out '<p>TODO: thank the readers\.</p>' "(the preview shows the placeholder to subscribers)"
nd -c "$T/side.ini" approve codespan.md
# placeholders are found in what subscribers read (the rendered tree), so a
# "<!--" in a code span cannot hide the ones after it
is 65 "approve with a placeholder after \`<!--\` in a code span exits 65"
has err "^codespan\.md:$cs: placeholder text left" "the placeholder is listed with its line ($cs)"

# =================================================================================
# 4. preview shows exactly the edits
# =================================================================================
nd preview "$D" --text
is 0 "preview --text exits 0"
cp "$T/out" "$T/preview.txt"
P=$T/preview.txt
has "$P" '^News Digest$' "the text starts with the title"
has "$P" '^No\. 1 · 2025-W10 · ' "then the issue line"
hasnt "$P" 'Transit police|forty thousand' "the deleted item is absent"
pycheck "the text's sections are in the new order" order "$P" text \
	'Extradition' 'Torture and rendition' 'Surveillance and privacy' 'No-fly list' 'Events'
has "$P" 'stopped for the fourth time this year' "the rewritten summary is there"
hasnt "$P" 'check-in counter' "the old summary is not"
has "$P" '^- Public forum on the no-fly list, Winnipeg \[[0-9]+\] — 20 March, 7' "the event added by hand is there"
has "$P" '^This week the courts slowed an extradition' "the introduction is there"
hasnt "$P" 'nd:item|nd:notes|<!--|-->' "no marker or notes comment"
hasnt "$P" 'Former detainee tells court' "the near miss listed in the notes is not"
hasnt "$P" 'TODO|Calls to action' "no placeholder, no deleted section"
pycheck "every text line is at most 72 characters, long URLs aside" width "$P"
pycheck "the text ends with numbered References, the event's links among them" references "$P" \
	https://events.example.org/2025/no-fly-forum https://events.example.org/2025/no-fly-forum/map
hasnt "$P" 'transit-facial-recognition' "the deleted item's link is no reference"
has "$P" '^To unsubscribe: mailto:news-digest-unsubscribe@example\.org\?subject=unsubscribe%20SAMPLE-TOKEN$' \
	"the text's footer has the sample unsubscribe link"
hasnt "$P" 'Read it in a browser' "no archive line without [mail] archive_url"

nd preview "$D" -o out.html
is 0 "preview -o out.html exits 0"
has out '^wrote out\.html \([0-9]+ bytes of HTML\)$' "it reports the file written"
H=$T/out.html
nd preview "$D"
same "$H" "$T/out" "the file is what preview prints on standard output"
has "$H" '<title>News Digest #1, 2025-W10</title>' "the subject is the HTML <title>"
hasnt "$H" 'Transit police|forty thousand' "the deleted item is absent from the HTML"
pycheck "the HTML's sections are in the new order" order "$H" h2 \
	'Extradition' 'Torture and rendition' 'Surveillance and privacy' 'No-fly list' 'Events'
has "$H" 'stopped for the fourth time this year' "the rewritten summary is in the HTML"
has "$H" '<a href="https://events\.example\.org/2025/no-fly-forum">Public forum on the no-fly list, Winnipeg</a> — 20 March' \
	"the event is a link"
has "$H" '<p>This week the courts slowed an extradition' "the introduction is a paragraph"
hasnt "$H" 'nd:item|nd:notes|<!--|TODO|Former detainee tells court' "no marker, notes, comment or placeholder"
has "$H" 'href="mailto:news-digest-unsubscribe@example\.org\?subject=unsubscribe%20SAMPLE-TOKEN"' \
	"the unsubscribe link is a mailto: with the sample token"
hasnt "$H" 'View in a browser' "no 'View in a browser' without [mail] archive_url"
pycheck "every href is absolute http(s) or mailto" hrefs "$H"

other_config urls "[mail]" "unsubscribe_url = https://example.org/u" "archive_url = https://example.org/archive"
nd -c "$T/urls.ini" preview "$D" -o urls.html
is 0 "preview with [mail] unsubscribe_url and archive_url exits 0"
has "$T/urls.html" 'href="https://example\.org/u\?token=SAMPLE-TOKEN"' \
	"the unsubscribe link is the page with ?token=SAMPLE-TOKEN"
hasnt "$T/urls.html" 'mailto:' "and no mailto: is left"
has "$T/urls.html" '<a href="https://example\.org/archive/2025-W10\.html"[^>]*>View in a browser</a>' \
	"'View in a browser' links the week's page in the archive"
pycheck "every href there is absolute too" hrefs "$T/urls.html"
other_config query "[mail]" "unsubscribe_url = https://example.org/u?list=weekly" \
	"archive_url = https://example.org/archive/"
nd -c "$T/query.ini" preview "$D"
has out 'href="https://example\.org/u\?list=weekly&amp;token=SAMPLE-TOKEN"' \
	"an unsubscribe_url with a query gets &token=, escaped in the HTML"
has out 'href="https://example\.org/archive/2025-W10\.html"' "an archive_url ending in '/' gets no second one"
nd -c "$T/urls.ini" preview "$D" --text
has out '^Read it in a browser: https://example\.org/archive/2025-W10\.html$' "the text part has the archive line"
has out '^To unsubscribe: https://example\.org/u\?token=SAMPLE-TOKEN$' "and the unsubscribe page"

# =================================================================================
# 5. hostile feed text
# =================================================================================
hasnt "$H" '<script|</script' "no <script> or </script> tag in the HTML"
has "$H" 'spoke &lt;script&gt;alert\(1\)&lt;/script&gt; for three days' "the summary's <script> is text"
has "$H" '&lt;b&gt;bold&lt;/b&gt; \*stars\* \[x\]\(javascript:alert\(1\)\) &lt;/script&gt; ' \
	"the title's HTML and Markdown are text, character for character"
hasnt "$H" '<b>bold|<em>stars|href="javascript|href=""' "none of it became markup or a link"
# 🕊️ (U+1F54A U+FE0F), then Arabic and Hebrew, as bytes
pycheck "the emoji is intact in the HTML" has-bytes "$H" f09f958aefb88f
pycheck "the Arabic text is intact in the HTML" has-bytes "$H" \
	d8aad8add982d98ad98220d981d98a20d8a7d984d8aad8b9d8b0d98ad8a8
pycheck "the Hebrew text is intact in the HTML" has-bytes "$H" d797d7a7d799d7a8d7aa20d7a2d799d7a0d795d799d799d79d
pycheck "the 1,500-character title is whole in the HTML, escaped" html-title "$H" "$F/wire.xml"
pycheck "the emoji is intact in the text" has-bytes "$P" f09f958aefb88f
pycheck "the Arabic and Hebrew text is intact in the text (wrapped between words)" has-bytes "$P" \
	d8aad8add982d98ad98220d981d98a20d8a7d984d8aad8b9d8b0d98ad8a820d797d7a7d799d7a8d7aa20d7a2d799d7a0d795d799d799d79d flat
pycheck "the 1,500-character title is whole in the text" text-title "$P" "$F/wire.xml"
has "$P" 'spoke <script>alert\(1\)</script> for three days' "the text part shows the summary literally"
has "$P" '^- <b>bold</b> \*stars\* \[x\]\(javascript:alert\(1\)\) </script> ' "and the title literally"

# hostile text from the editor: a subject that closes <title>, raw HTML
# (dropped without [compose] allow_raw_html)
sed 's|^subject: .*$|subject: "Week 10: </title><script>alert(1)</script> \& more"|' \
	"$T/approved.md" >"$T/raw.md"
printf '\n<script>alert(2)</script>\n\nA picture <img src=x onerror=alert(3)> and <a href="javascript:alert(4)">a link</a>.\n\n<div onclick="alert(5)">div</div>\n' \
	>>"$T/raw.md"
nd preview raw.md
is 0 "preview of a draft with raw HTML exits 0"
has out '<title>Week 10: &lt;/title&gt;&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; more</title>' \
	"a subject with </title> and <script> is escaped in <title>"
hasnt out '<script|onerror|onclick|alert\([2-5]\)|<div|<img' "the raw HTML is dropped from the HTML"
has out '<p>A picture +and a link\.</p>' "the text around it stays"
nd preview raw.md --text
hasnt out 'script>alert\([2-5]|onerror|onclick|alert\([2-5]\)|<div|<img|<a ' "and from the text part"

# =================================================================================
# 6. an edit changes the bytes: the approval is of the old ones
# =================================================================================
printf ' ' >>"$T/$D"
if [ "$(sha "$T/$D")" != "$(approved)" ]; then
	pass "a space appended: the file's sha256 differs from digests.approved_hash"
else
	fail "a space appended: the file's sha256 differs from digests.approved_hash"
fi
equal "$(approved)" "$(sha "$T/approved.md")" "the recorded approval is still the approved bytes'"
cp "$T/approved.md" "$T/$D"
equal "$(approved)" "$(sha "$T/$D")" "(the approved bytes restored)"

# =================================================================================
# 7. compose never clobbers the editor's draft
# =================================================================================
ls "$T/digests" >"$T/ls.before"
nd compose --week 2025-W10
is 65 "a second compose of the week refuses (exit 65)"
has err "'digests/2025-W10\.md' was edited since compose wrote it" "it names the edited draft"
same "$T/approved.md" "$T/$D" "the draft is byte for byte the approved one"
ls "$T/digests" >"$T/ls.after"
same "$T/ls.before" "$T/ls.after" "no file appeared in digests/"
equal "$(approved)" "$(sha "$T/approved.md")" "the approval stands"

nd compose --week 2025-W10 --force
is 0 "compose --force exits 0"
bak=$(sed -n 's/.*the edited draft was kept as //p' "$T/out")
case $bak in
digests/2025-W10.md.bak-*) pass "it names the backup, $bak" ;;
*) fail "it names the backup" "backup: '$bak'" ;;
esac
if [ -n "$bak" ] && [ -f "$T/$bak" ]; then same "$T/approved.md" "$T/$bak" "the backup is the edited draft, byte for byte"
else fail "the backup is the edited draft, byte for byte" "no file '$bak'"; fi
has "$T/$D" 'Transit police quietly' "the fresh draft has the deleted item back"
has "$T/$D" '^TODO: write the introduction' "and its placeholders"
equal "$(approved)" NULL "compose rewrote the draft: digests.approved_hash is NULL"
equal "$(sql "SELECT coalesce(approved_at, 'NULL') FROM digests WHERE week = '2025-W10'")" NULL "and approved_at too"
equal "$(sql "SELECT written_hash FROM digests WHERE week = '2025-W10'")" "$(sha "$T/$D")" \
	"written_hash is the fresh draft's"
if [ "$(sha "$T/$D")" != "$(sha "$T/approved.md")" ]; then pass "the fresh draft is not the bytes approved"
else fail "the fresh draft is not the bytes approved"; fi
nd approve "$D"
is 65 "approve of the fresh draft exits 65 (its placeholders)"
equal "$(approved)" NULL "the new draft is not approved"

# =================================================================================
# 8. bad input
# =================================================================================
nd preview
is 64 "preview without FILE exits 64"
has err 'which draft' "it asks which draft"
nd approve
is 64 "approve without FILE exits 64"
has err 'which draft' "it asks which draft"
nd preview no-such.md
is 65 "preview of a missing file exits 65"
has err "cannot read 'no-such\.md'" "it cannot read the file"
nd approve no-such.md
is 65 "approve of a missing file exits 65"
has err "cannot read 'no-such\.md'" "it cannot read the file"
has err 'nothing was approved' "nothing was approved"
printf '# A digest\n\nNo front matter here.\n' >"$T/nofm.md"
nd preview nofm.md
is 65 "preview of a file without front matter exits 65"
has err 'nofm\.md:1: no front matter' "the message names the file and line 1"
nd approve nofm.md
is 65 "approve of a file without front matter exits 65"
has err 'nofm\.md:1: ' "the message names the file and line 1"
nd preview "$D" -o "$T/no-such-dir/out.html"
is 73 "preview -o into a missing folder exits 73"
has err "cannot write '$T/no-such-dir/out\.html'" "it names the file"
nd preview "$D" --frobnicate
is 64 "preview with an unknown option exits 64"

cp -R "$TOP/templates" "$T/tpl"
sed -i 's|^{{{body}}}$|{{{body}}}\n<p>{{nosuch}}</p>|' "$T/tpl/digest.html"
nosuch=$(grep -n '{{nosuch}}' "$T/tpl/digest.html" | cut -d: -f1)
[ -n "$nosuch" ] || fail "(the template has {{nosuch}})"
other_config tpl "[compose]" "templates = $T/tpl"
nd -c "$T/tpl.ini" preview "$T/approved.md"
is 78 "preview with an unknown template variable exits 78"
has err "digest\.html:$nosuch: unknown variable 'nosuch'" "the message gives digest.html:$nosuch and the name"
nd -c "$T/tpl.ini" approve "$T/approved.md"
is 65 "approve with that template exits 65"
has err "digest\.html:$nosuch: unknown variable 'nosuch'" "and lists the template's problem"

# with [compose] allow_raw_html, the editor's raw <a href> reaches
# subscribers: approve checks those addresses too
other_config rawhtml "[compose]" "allow_raw_html = true"
cp "$T/approved.md" "$T/raw.md"
printf '%s\n' '<a href="/relative">x</a> and <a href="javascript:alert(1)">y</a>' >>"$T/raw.md"
nd -c "$T/rawhtml.ini" approve "$T/raw.md"
is 65 "approve with raw-HTML links that are not absolute exits 65"
has err "raw HTML: address '/relative' is not absolute" "it names the relative address"
has err "raw HTML: address 'javascript:alert\(1\)' is not absolute" "and the javascript: one"

finish
