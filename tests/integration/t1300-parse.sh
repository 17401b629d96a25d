#!/bin/sh
# newsdigest parse: what the feed parser understands of RSS 2.0, Atom 1.0,
# RSS 1.0 and JSON Feed, printed as one JSON object; broken feeds (what
# can be salvaged), garbage, missing files, stdin, URLs (private nginx),
# --base and --content-type, hostile HTML, bounded fields, and no network
# access from inside a document (external entities, DTDs).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
servers_trap

# the interpreter itself, not a wrapper script (a pyenv shim costs 0.15 s a
# call), run with -S (no site packages needed) to start fast
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=python3

F=$FIX/t1300
W=$T/www
mkdir -p "$W"
cp "$F/rss2.xml" "$F/relative.xml" "$F/latin1.xml" "$W/"
echo 'SECRET-XXE-CONTENT' >"$W/xxe-secret.txt"
printf '<!ENTITY leak "SECRET-XXE-DTD">\n' >"$W/xxe.dtd"

# summary_chars at its minimum, to see summary_text cut
write_config "[fetch]" "summary_chars = 40" "timeout = 5" "connect_timeout = 2"

nginx_start "$W"
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "nginx starts" "$SERVERS_ERROR"; finish; exit 1; }
U=$NGINX_URL
LOG=$(nginx_log)

# --- helpers ---------------------------------------------------------------------
# json_ok: $T/out holds exactly one JSON object
json_ok() {
	"$PY" -S -c 'import json,sys; d = json.load(open(sys.argv[1], encoding="utf-8")); sys.exit(not isinstance(d, dict))' \
		"$T/out" 2>/dev/null
}
# j EXPR: EXPR (Python, d is the document in $T/out): strings as they are,
# None as null, anything else as JSON
j() {
	"$PY" -S -c '
import json, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))
    v = eval(sys.argv[2])
except Exception as e:
    print("<error: %s>" % e); sys.exit(0)
print("null" if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
' "$T/out" "$1" 2>&1
}
valid_json() { # valid_json DESC
	if json_ok; then pass "$1"; else fail "$1" "stdout is not one JSON object"; fi
}
E='d["entries"]'

# --- RSS 2.0 ---------------------------------------------------------------------
nd parse "$F/rss2.xml"
is 0 "parse of an RSS 2.0 file exits 0"
valid_json "it prints valid JSON"
equal "$(j 'd["format"]')" rss2.0 "format rss2.0"
equal "$(j 'd["title"]')" 'Example & Co news' "the feed's title (entity decoded)"
equal "$(j 'd["link"]')" 'https://www.example.org/' "the feed's link"
equal "$(j 'd["language"]')" en-gb "the feed's language"
equal "$(j 'd["wellformed"]')" true "wellformed is true"
equal "$(j "len(${E})")" 2 "two entries"
equal "$(j "${E}[0]['id']")" 'tag:example.org,2024:first' "entry id from guid"
equal "$(j "${E}[0]['title']")" 'First story' "entry title: plain text, tags stripped"
equal "$(j "${E}[0]['link']")" 'https://www.example.org/2024/first' "entry link"
equal "$(j "${E}[0]['published']")" '2024-01-02T09:30:00Z' "published: RFC 3339 in UTC (Z)"
equal "$(j "${E}[0]['updated']")" null "updated absent: null"
equal "$(j "${E}[0]['author']")" 'Ann Author' "author from dc:creator"
equal "$(j "${E}[0]['summary']")" '<p>A <em>short</em> summary.</p>' "summary: the description's HTML"
equal "$(j "${E}[0]['summary_text']")" 'A short summary.' "summary_text: plain text"
equal "$(j "${E}[0]['content']")" '<p>The <strong>full</strong> text.</p>' "content from content:encoded"
equal "$(j "${E}[0]['categories']")" '["Politics", "World"]' "categories"
equal "$(j "[${E}[1][k] for k in ('id', 'published', 'updated', 'author', 'summary', 'summary_text', 'content')]")" \
	'[null, null, null, null, null, null, null]' "absent values are null"
equal "$(j "${E}[1]['categories']")" '[]' "no categories: an empty list"
equal "$(j 'd["warnings"]')" '[]' "no warnings"

# --- Atom 1.0 ----------------------------------------------------------------------
nd parse "$F/atom.xml"
is 0 "parse of an Atom 1.0 file exits 0"
valid_json "it prints valid JSON"
equal "$(j 'd["format"]')" atom1.0 "format atom1.0"
equal "$(j 'd["title"]')" "Le journal d'exemple" "the feed's title"
equal "$(j 'd["link"]')" 'https://journal.example.fr/' "the feed's link is the alternate link, not self"
equal "$(j 'd["language"]')" fr "the language from xml:lang"
equal "$(j 'd["wellformed"]')" true "wellformed is true"
equal "$(j "${E}[0]['id']")" 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a' "entry id"
equal "$(j "${E}[0]['title']")" 'Premier article' "entry title"
equal "$(j "${E}[0]['link']")" 'https://journal.example.fr/premier' "entry link"
equal "$(j "${E}[0]['published']")" '2024-03-04T10:00:00Z' "published, converted to UTC"
equal "$(j "${E}[0]['updated']")" '2024-03-05T07:30:00Z' "updated"
case $(j "${E}[0]['author']") in
'Brigitte Auteur'*) pass "author from author/name" ;;
*) fail "author from author/name" "got '$(j "${E}[0]['author']")'" ;;
esac
equal "$(j "${E}[0]['summary']")" '<p>Un résumé <b>court</b>.</p>' "summary (type html)"
equal "$(j "${E}[0]['summary_text']")" 'Un résumé court.' "summary_text"
equal "$(j "${E}[0]['content']")" '<p>Le texte <em>complet</em>.</p>' "content (type xhtml, the div dropped)"
equal "$(j "${E}[0]['categories']")" '["économie"]' "category from term"
equal "$(j "[${E}[1][k] for k in ('link', 'published', 'author', 'summary', 'content')]")" \
	'[null, null, null, null, null]' "absent values are null"
equal "$(j "${E}[1]['updated']")" '2024-03-01T00:00:00Z' "the second entry's updated"

# --- RSS 1.0 -----------------------------------------------------------------------
nd parse "$F/rss1.xml"
is 0 "parse of an RSS 1.0 file exits 0"
valid_json "it prints valid JSON"
equal "$(j 'd["format"]')" rss1.0 "format rss1.0"
equal "$(j 'd["title"]')" 'RDF Site' "the feed's title"
equal "$(j 'd["link"]')" 'https://rdf.example.net/' "the feed's link"
equal "$(j 'd["language"]')" de "the language from dc:language"
equal "$(j "len(${E})")" 1 "one entry"
equal "$(j "${E}[0]['id']")" 'https://rdf.example.net/one' "entry id from rdf:about"
equal "$(j "${E}[0]['title']")" 'Item one' "entry title"
equal "$(j "${E}[0]['link']")" 'https://rdf.example.net/one' "entry link"
equal "$(j "${E}[0]['published']")" '2024-01-01T00:59:59Z' "published from dc:date, in UTC"
equal "$(j "${E}[0]['author']")" 'Carl Creator' "author from dc:creator"
equal "$(j "${E}[0]['summary_text']")" 'First RDF item' "summary_text from description"
equal "$(j "${E}[0]['categories']")" '["Science"]' "category from dc:subject"
equal "$(j "${E}[0]['content']")" null "no content: null"

# --- JSON Feed ---------------------------------------------------------------------
nd parse "$F/feed.json"
is 0 "parse of a JSON Feed exits 0"
valid_json "it prints valid JSON"
equal "$(j 'd["format"]')" json "format json"
equal "$(j 'd["title"]')" 'JSON Example' "the feed's title"
equal "$(j 'd["link"]')" 'https://json.example.com/' "the feed's link from home_page_url"
equal "$(j 'd["language"]')" es "the feed's language"
equal "$(j 'd["wellformed"]')" true "wellformed is true"
equal "$(j "${E}[0]['id']")" json-1 "entry id"
equal "$(j "${E}[0]['title']")" 'Hola mundo' "entry title"
equal "$(j "${E}[0]['link']")" 'https://json.example.com/posts/1' "entry link from url"
equal "$(j "${E}[0]['published']")" '2024-05-06T07:08:09Z' "published from date_published"
equal "$(j "${E}[0]['updated']")" '2024-05-07T00:00:00Z' "updated from date_modified"
equal "$(j "${E}[0]['author']")" 'Diego Autor' "author from authors"
equal "$(j "${E}[0]['summary']")" 'Un resumen' "summary"
equal "$(j "${E}[0]['content']")" '<p>Contenido <b>completo</b></p>' "content from content_html"
equal "$(j "${E}[0]['categories']")" '["tecnología", "web"]' "categories from tags"
equal "$(j "[${E}[1][k] for k in ('title', 'link', 'published', 'updated', 'author')]")" \
	'[null, null, null, null, null]' "absent values are null"
equal "$(j "${E}[1]['summary_text']")" 'Only text here' "summary_text from content_text"

# --- HTML entities, dates ------------------------------------------------------------
nd parse "$F/entities.xml"
is 0 "parse of a feed with HTML entities exits 0"
equal "$(j 'd["title"].replace("\u00a0", " ")')" 'Café du coin & été' \
	"HTML entities XML does not define (&eacute; &nbsp;) are decoded, not dropped"
equal "$(j "${E}[0]['title']")" 'Naïve — déjà vu…' "in entry titles too"
equal "$(j 'd["wellformed"]')" true "a feed using HTML entities is still wellformed"
equal "$(j "${E}[0]['published']")" '2002-09-07T05:00:01Z' "an RFC 822 date with a named zone (EST)"
equal "$(j "${E}[1]['published']")" null "an unreadable date is null"
has out 'sometime next week' "with a warning quoting it"
st=$(j "${E}[0]['summary_text']")
n=$(j "len(${E}[0]['summary_text'])")
if [ "$n" -gt 0 ] 2>/dev/null && [ "$n" -le 40 ]; then pass "summary_text of accented text has at most 40 characters ($n)"
else fail "summary_text of accented text has at most 40 characters" "got $n: '$st'"; fi
# shellcheck disable=SC1112 # the apostrophe of the fixture
case $st in
'Les élèves à l’école'*) pass "it is cut on characters, not bytes" ;;
*) fail "it is cut on characters, not bytes" "got '$st'" ;;
esac

# --- stdin ---------------------------------------------------------------------------
nd parse - <"$F/rss2.xml"
is 0 "parse - reads standard input"
equal "$(j 'd["format"] + "|" + d["entries"][0]["title"]')" 'rss2.0|First story' "the same feed from stdin"
nd parse - <"$F/feed.json"
is 0 "parse - reads a JSON Feed from standard input"
equal "$(j 'd["format"]')" json "format json from stdin"

# --- broken, garbage, missing ----------------------------------------------------------
nd parse "$F/broken.xml"
is 0 "parse of a broken feed exits 0"
valid_json "it prints valid JSON"
equal "$(j 'd["wellformed"]')" false "wellformed is false"
equal "$(j 'd["format"]')" rss2.0 "the format is still recognised"
equal "$(j 'd["title"]')" 'Broken feed' "the feed's title is salvaged"
equal "$(j "${E}[0]['title'] + '|' + ${E}[0]['link']")" 'Good item|https://broken.example.org/good' \
	"the good entry is salvaged"
equal "$(j 'len(d["warnings"]) > 0')" true "the problems are listed as warnings"
case $(j 'd["warnings"][0]') in
'line '[0-9]*) pass "a warning gives its line" ;;
*) fail "a warning gives its line" "got '$(j 'd["warnings"][0]')'" ;;
esac

nd parse "$F/garbage.txt"
is 65 "parse of garbage exits 65"
valid_json "it still prints one JSON object"
equal "$(j "${E}")" '[]' "with no entries"
equal "$(j 'd["wellformed"]')" false "and wellformed false"
has err 'nothing could be parsed' "stderr says nothing could be parsed"
equal "$(j 'len(d["warnings"]) == len(set(d["warnings"]))')" true "no warning is repeated"

nd parse "$T/no-such-file.xml"
is 66 "parse of a missing file exits 66"
has err 'no-such-file\.xml' "stderr names the file"

nd parse
is 64 "parse without an argument exits 64"

# --- URL ---------------------------------------------------------------------------------
nd parse "$U/rss2.xml"
is 0 "parse URL exits 0"
valid_json "it prints valid JSON"
equal "$(j 'd["format"] + "|" + d["title"]')" 'rss2.0|Example & Co news' "the feed is fetched and parsed"
nd parse "$U/relative.xml"
is 0 "parse URL of a feed with relative links exits 0"
equal "$(j "${E}[0]['link']")" "$U/posts/42.html" "a relative link is resolved against the URL"
nd parse "$U/missing.xml"
is 69 "parse URL of a 404 exits 69"
has err 'HTTP 404' "it says HTTP 404"

# --- --base and --content-type -------------------------------------------------------------
nd parse --base 'https://base.example.org/blog/feed.xml' "$F/relative.xml"
is 0 "parse --base exits 0"
equal "$(j "${E}[0]['link']")" 'https://base.example.org/posts/42.html' "a relative link is resolved against --base"
case $(j "${E}[0]['summary']") in
*'href="https://base.example.org/img/pic.html"'*) pass "a relative href in the summary is resolved against --base" ;;
*) fail "a relative href in the summary is resolved against --base" "got '$(j "${E}[0]['summary']")'" ;;
esac

nd parse "$F/latin1.xml"
is 0 "parse of an ISO-8859-1 file exits 0"
equal "$(j 'd["title"] + "|" + d["entries"][0]["title"]')" 'Café crème|Été à Paris' \
	"the declared ISO-8859-1 is decoded to UTF-8"
nd parse --content-type 'application/rss+xml; charset=ISO-8859-1' "$F/latin1.xml"
is 0 "parse with the right --content-type exits 0"
equal "$(j 'd["title"]')" 'Café crème' "the right charset gives the right text"
nd parse --content-type 'text/xml; charset=utf-8' "$F/latin1.xml"
valid_json "an ISO-8859-1 file labelled UTF-8 still gives valid JSON (valid UTF-8)"
t=$(j 'd["title"]')
if [ "$t" != 'Café crème' ]; then pass "the --content-type charset overrides the declaration ($t)"
else fail "the --content-type charset overrides the declaration" "the title decoded as ISO-8859-1 all the same"; fi
nd parse --content-type 'text/xml; charset=iso-8859-1' "$F/atom.xml"
is 0 "a UTF-8 file labelled ISO-8859-1 parses"
equal "$(j "${E}[1]['title']")" 'DeuxiÃ¨me article' "it is read as ISO-8859-1, as the label says"
nd parse --content-type 'text/xml' "$F/latin1.xml"
equal "$(j 'd["title"]')" 'Café crème' "a Content-Type without charset leaves the declaration in force"

# --- hostile HTML ------------------------------------------------------------------------
nd parse "$F/hostile.xml"
is 0 "parse of a feed with hostile HTML exits 0"
valid_json "it prints valid JSON"
for f in summary content; do
	v=$(j "${E}[0]['$f']")
	bad=
	for pat in '<script' 'alert' 'onclick' 'onerror' 'onmouseover' 'onload' 'javascript:' \
		'<iframe' '<style' '<form' '<object' '<svg' 'steal'; do
		case $(printf '%s' "$v" | tr '[:upper:]' '[:lower:]') in *"$pat"*) bad="$bad $pat" ;; esac
	done
	if [ -z "$bad" ]; then pass "$f: no script, event handler, javascript: link or active element"
	else fail "$f: no script, event handler, javascript: link or active element" "found:$bad in $v"; fi
done
case $(j "${E}[0]['content']") in
*'href="https://ok.example.org/"'*) pass "content: a safe link is kept" ;;
*) fail "content: a safe link is kept" "got '$(j "${E}[0]['content']")'" ;;
esac
case $(j "${E}[0]['summary']") in
*Hello*world*) pass "summary: the text is kept" ;;
*) fail "summary: the text is kept" "got '$(j "${E}[0]['summary']")'" ;;
esac
st=$(j "${E}[0]['summary_text']")
case $st in
*'<'* | *'>'* | *alert* | *display*) fail "summary_text is plain text" "got '$st'" ;;
Hello*) pass "summary_text is plain text" ;;
*) fail "summary_text is plain text" "got '$st'" ;;
esac
n=$(j "len(${E}[0]['summary_text'])")
if [ "$n" -gt 0 ] 2>/dev/null && [ "$n" -le 40 ]; then pass "summary_text has at most summary_chars (40) characters ($n)"
else fail "summary_text has at most summary_chars (40) characters" "got $n: '$st'"; fi
case $(j "${E}[0]['title']") in
*'<'*) fail "the title is plain text" "got '$(j "${E}[0]['title']")'" ;;
*) pass "the title is plain text" ;;
esac

# --- a 1 MB title ------------------------------------------------------------------------
"$PY" -S - "$T/huge.xml" <<'EOF'
import sys
open(sys.argv[1], "w").write(
    '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Huge</title>\n'
    '<item><title>' + "A" * (1024 * 1024) + '</title><guid>huge-1</guid></item>\n'
    '<item><title>Normal</title><guid>normal-1</guid></item>\n'
    '</channel></rss>\n')
EOF
nd parse "$T/huge.xml"
is 0 "parse of a feed with a 1 MB title exits 0"
valid_json "it prints valid JSON"
n=$(j "len(${E}[0]['title'] or '')")
if [ "$n" -le 65536 ] 2>/dev/null; then pass "the huge title is dropped or bounded ($n characters)"
else fail "the huge title is dropped or bounded" "got $n characters"; fi
equal "$(j 'len(d["warnings"]) > 0')" true "with a warning"
equal "$(j "${E}[1]['title']")" Normal "the next entry is intact"

# --- no network access from a document ---------------------------------------------------------
cat >"$T/xxe-entity.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY ext SYSTEM "$U/xxe-secret.txt">
]>
<rss version="2.0"><channel><title>XXE &ext;</title>
<item><title>Item &ext;</title><guid>x1</guid></item></channel></rss>
EOF
cat >"$T/xxe-param.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY % dtd SYSTEM "$U/xxe.dtd?param">
  %dtd;
]>
<rss version="2.0"><channel><title>XXE &leak;</title>
<item><title>Item</title><guid>x2</guid></item></channel></rss>
EOF
cat >"$T/xxe-dtd.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "$U/xxe.dtd?external">
<rss version="2.0"><channel><title>XXE &leak;</title>
<item><title>Item</title><guid>x3</guid></item></channel></rss>
EOF
for f in xxe-entity xxe-param xxe-dtd; do
	nd parse "$T/$f.xml"
	valid_json "$f: valid JSON on stdout"
	hasnt out 'SECRET-XXE' "$f: nothing fetched is expanded"
done
nd parse "$T/xxe-entity.xml"
is 65 "a document declaring an external entity is refused (65)"
nd parse - <"$T/xxe-param.xml"
is 65 "a document declaring a parameter entity is refused (65)"
cat >"$T/laughs.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss version="2.0"><channel><title>&d;&d;&d;&d;</title></channel></rss>
EOF
nd parse "$T/laughs.xml"
is 65 "a document declaring internal entities (entity expansion) is refused (65)"
valid_json "it still prints one JSON object"
# all requests made so far are logged once this one is
curl -s -o /dev/null --max-time 5 "$U/sync-done"
nginx_log_wait '^GET /sync-done ' || true
hasnt "$LOG" '^GET /xxe' "no external entity or DTD was ever requested from nginx"

finish
