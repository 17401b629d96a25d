#!/bin/sh
# newsdigest compose: feeds served by a private nginx, fetched and curated
# into a store, then the week's draft: the report line, the YAML front
# matter, sections in topic order, items with their markers, the digests
# row; one line per story with "Also in"; near misses and failing feeds;
# hostile feed text kept literal; never losing an edit (-o, --force and its
# backups); a quiet week; bad input; the caps; and run's compose stage.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
servers_trap

# the interpreter itself, with -S (standard library only): fast to start
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no /usr/bin/python3 to read the draft"
command -v sha256sum >/dev/null 2>&1 || skip_all "no sha256sum"

F=$FIX/t1600
W=$T/www
mkdir -p "$W"
# ledger, tribune (one story in both), veille (French), hostile (Atom with
# feed text full of Markdown and HTML); missing.xml is not served: a 404
cp "$F/ledger.xml" "$F/tribune.xml" "$F/veille.xml" "$F/hostile.xml" "$W/"

nginx_start "$W"
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "nginx starts" "$SERVERS_ERROR"; finish; exit 1; }
U=$NGINX_URL

# --- helpers ---------------------------------------------------------------------
# check.py CHECK DRAFT [ARG...]: one check of a draft against the store
# ($T/store.db, read only); prints why and exits 1 when it fails.
cat >"$T/check.py" <<'EOF'
import re, sqlite3, sys

check, path = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
raw = open(path, "rb").read()

def die(msg):
    sys.exit(msg)

try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as err:
    die("not UTF-8: %s" % err)
lines = text.split("\n")

db = sqlite3.connect("file:store.db?mode=ro", uri=True)
def q(sql, *a):
    return db.execute(sql, a).fetchall()

# The characters CommonMark lets a backslash escape, and those that must be
# escaped in feed text to stay literal.
PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
SIG = set("\\`*_[]<>!&|~{}()")

def unescape(md, what, ordered=True):
    """The literal text md stands for; fails unless every significant
    character is escaped."""
    out, i = [], 0
    while i < len(md):
        c = md[i]
        if c == "\\":
            if i + 1 < len(md) and md[i + 1] in PUNCT:
                out.append(md[i + 1])
                i += 2
                continue
            die("%s: a lone backslash at %d: %r" % (what, i, md[:80]))
        if c in SIG:
            die("%s: %r not escaped at %d: %r" % (what, c, i, md[max(0, i - 30):i + 30]))
        out.append(c)
        i += 1
    if md[:1] in ("#", "+", "-", "=", ">"):
        die("%s: the block marker %r at the start is not escaped" % (what, md[0]))
    if ordered and re.match(r"[0-9]{1,9}[.)]( |$)", md):
        die("%s: starts with an ordered list marker: %r" % (what, md[:40]))
    return "".join(out)

def link_text(s, what):
    """'[TEXT](URL)REST' -> TEXT, URL, REST (the text ends at the first
    unescaped ']')."""
    assert s.startswith("[")
    i = 1
    while i < len(s) and s[i] != "]":
        i += 2 if s[i] == "\\" else 1
    if s[i:i + 2] != "](":
        die("%s: no link destination: %r" % (what, s[:80]))
    j = s.index(")", i)
    return s[1:i], s[i + 2:j], s[j + 1:]

# The draft's parts: front matter, notes comment, sections with items.
def parse():
    if lines[0] != "---":
        die("line 1 is %r, not ---" % lines[0])
    end = lines.index("---", 1)
    front = lines[1:end]
    n = end + 1
    sections, cur, item = [], None, None
    for k in range(n, len(lines)):
        l = lines[k]
        if l.startswith("## "):
            cur = {"heading": l, "items": [], "notes": []}
            sections.append(cur)
            item = None
        elif l.startswith("- ") and cur is not None:
            item = {"line": l, "more": [], "no": k + 1}
            cur["items"].append(item)
        elif l.startswith("  ") and item is not None:
            item["more"].append(l)
        elif l.startswith("<!-- nd:notes") and cur is not None:
            cur["notes"].append(l)
            item = None
        elif l == "":
            item = None
    return front, sections

MARKER = re.compile(r'^  <!-- nd:item id=([0-9]+) topics=([a-z0-9,-]+) '
                    r'score=([0-9]+\.[0-9]{2}) evidence="([^"]*)" -->$')

def items():
    front, sections = parse()
    for s in sections:
        for it in s["items"]:
            m = [MARKER.match(l) for l in it["more"]]
            m = [x for x in m if x]
            yield s, it, m

if check == "front":
    # front: the front matter's lines, exactly
    front, _ = parse()
    want = args
    if front != want:
        die("front matter is %r, want %r" % (front, want))

elif check == "sections":
    # sections TOPICS_LIST: the section headings are topics, in their order
    topics = []
    for l in open(args[0], encoding="utf-8").read().split("\n")[1:]:
        if l.strip():
            f = re.split(r"\s{2,}", l.strip())
            topics.append((f[1], f[2], f[3]))
    heads = ["## %s · %s" % (t[1], t[2]) for t in topics]
    _, sections = parse()
    ranks = []
    for s in sections:
        if s["heading"] in ("## Events · Événements", "## Calls to action · Appels à l'action"):
            continue
        if s["heading"] not in heads:
            die("%r is not a topic's heading" % s["heading"])
        ranks.append(heads.index(s["heading"]))
        if not s["items"]:
            die("%r has no items" % s["heading"])
    if ranks != sorted(ranks) or len(set(ranks)) != len(ranks):
        die("sections out of the topics' order: %r" % ranks)
    # each item sits under its best topic (the first of its marker's topics)
    for s, it, m in items():
        if len(m) != 1:
            die("line %d: %d markers" % (it["no"], len(m)))
        best = m[0].group(2).split(",")[0]
        t = [x for x in topics if x[0] == best]
        if not t or s["heading"] != "## %s · %s" % (t[0][1], t[0][2]):
            die("item %s (best topic %s) is under %r" % (m[0].group(1), best, s["heading"]))

elif check == "items":
    # items FROM TO: every item is an included item of [FROM, TO), one per
    # story, each with one marker matching the store, a link (or only the
    # text when its URL is not http), its source and date; titles and
    # sources are escaped so that they stay literal
    lo, hi = int(args[0]), int(args[1])
    seen, clusters = set(), set()
    n = 0
    for s, it, m in items():
        n += 1
        what = "line %d" % it["no"]
        if len(m) != 1:
            die("%s: %d markers" % (what, len(m)))
        iid = int(m[0].group(1))
        row = q("SELECT i.title, i.url, coalesce(f.title, f.feed_title, f.url), i.included, "
                "coalesce(i.published_at, i.fetched_at), coalesce(i.cluster, i.id), "
                "printf('%.2f', i.score), strftime('%Y-%m-%d', coalesce(i.published_at, "
                "i.fetched_at), 'unixepoch') FROM items i JOIN feeds f ON f.id = i.feed "
                "WHERE i.id = ?", iid)
        if not row:
            die("%s: no item %d" % (what, iid))
        title, url, source, included, when, cluster, score, day = row[0]
        if included != 1 or not (lo <= when < hi):
            die("%s: item %d is not an included item of the week" % (what, iid))
        if iid in seen or cluster in clusters:
            die("%s: item %d (story %d) twice" % (what, iid, cluster))
        seen.add(iid)
        clusters.add(cluster)
        if m[0].group(3) != score:
            die("%s: score %s, the store says %s" % (what, m[0].group(3), score))
        tops = ",".join(r[0] for r in q("SELECT topic FROM item_topics WHERE item = ? "
                                       "ORDER BY score DESC, topic", iid))
        if m[0].group(2) != tops:
            die("%s: topics %s, the store says %s" % (what, m[0].group(2), tops))
        l = it["line"][2:]
        if l.startswith("["):
            md, dest, rest = link_text(l, what)
            if not url or not re.match(r"https?://", url):
                die("%s: a link for the URL %r" % (what, url))
            if re.search(r"[\s()<>\"\\]", dest) or not dest.startswith(url[:8]):
                die("%s: the destination %r would break the link" % (what, dest))
        else:
            if url and re.match(r"https?://", url, re.I):
                die("%s: no link for %r" % (what, url))
            md, sep, rest = l.partition(" — *")
            rest = sep + rest
        if unescape(md, what + " title") != title:
            die("%s: the title reads %r, stored %r" % (what, unescape(md, what), title))
        mm = re.match(r"^ — \*(.*)\*, ([0-9]{4}-[0-9]{2}-[0-9]{2})(  )?$", rest)
        if not mm:
            die("%s: no ' — *source*, date' after the title: %r" % (what, rest[:80]))
        if unescape(mm.group(1), what + " source") != source:
            die("%s: the source reads %r, stored %r" % (what, mm.group(1), source))
        if mm.group(2) != day:
            die("%s: date %s, stored %s" % (what, mm.group(2), day))
    if len(args) > 2 and n != int(args[2]):
        die("%d items, want %s" % (n, args[2]))

elif check == "summaries":
    # summaries [ordered]: each item's summary line reads as the stored
    # summary; with "ordered", also never as an ordered list
    ordered = bool(args)
    for s, it, m in items():
        iid = int(m[0].group(1))
        want = q("SELECT coalesce(summary_text, '') FROM items WHERE id = ?", iid)[0][0]
        more = [l for l in it["more"] if not MARKER.match(l) and not l.startswith("  Also in: ")]
        if not want:
            if more:
                die("item %d: a summary line without a summary: %r" % (iid, more))
            continue
        if len(more) != 1 or not it["line"].endswith("  "):
            die("item %d: the summary is not one line after a hard break: %r" % (iid, more))
        got = unescape(more[0][2:].rstrip(" "), "item %d summary" % iid, ordered)
        if got != " ".join(want.split()):
            die("item %d: the summary reads %r, stored %r" % (iid, got, want))

elif check == "comments":
    # comments: every "<!--" opens a comment that its own "-->" closes:
    # the notes comment spans lines and closes on a line "-->" of its own,
    # markers are one line; nothing inside can close one early
    k = 0
    opened = 0
    while k < len(lines):
        l = lines[k]
        i = l.find("<!--")
        if i < 0:
            if "-->" in l:
                die("line %d: a '-->' outside a comment: %r" % (k + 1, l[:80]))
            k += 1
            continue
        opened += 1
        if l.startswith("<!-- nd:notes") and "-->" not in l:
            j = k + 1
            while j < len(lines) and "-->" not in lines[j]:
                if "<!--" in lines[j]:
                    die("line %d: '<!--' inside the notes comment: %r" % (j + 1, lines[j][:80]))
                j += 1
            if j == len(lines) or lines[j] != "-->":
                die("line %d: the notes comment ends early or never: %r" % (j + 1, lines[j][:80] if j < len(lines) else ""))
            k = j + 1
            continue
        if l.count("<!--") != 1 or l.count("-->") != 1 or not l.endswith(" -->"):
            die("line %d: a broken comment line: %r" % (k + 1, l[:120]))
        if "--" in l[i + 4:-3]:
            die("line %d: '--' inside a comment: %r" % (k + 1, l[:120]))
        k += 1
    if opened < 2:
        die("only %d comments" % opened)

elif check == "notes":
    # notes: print the notes comment (for the shell to grep)
    a = lines.index([l for l in lines if l.startswith("<!-- nd:notes")][0])
    b = lines.index("-->", a)
    print("\n".join(lines[a:b + 1]))

else:
    die("unknown check %s" % check)
EOF
# draft CHECK DESC [ARG...]: run a check of check.py on $D
draft() {
	_chk=$1 _desc=$2
	shift 2
	if why=$(cd "$T" && "$PY" -S "$T/check.py" "$_chk" "$D" "$@" 2>&1); then pass "$_desc"
	else fail "$_desc" "$why"; fi
}
# id GUID: the item id of GUID in the test store
id() { sql "SELECT id FROM items WHERE guid = '$1'"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# the week 2025-W10: Monday 2025-03-03 to Monday 2025-03-10 (date -u -d ... +%s)
FROM=1740960000 TO=1741564800

# =================================================================================
# 1. a store with items, then the week's draft
# =================================================================================
write_config
for f in ledger tribune veille hostile missing; do
	nd feeds add --no-check "$U/$f.xml"
	is 0 "feeds add $f.xml"
done
nd fetch
is 0 "fetch exits 0 (one feed of five fails)"
has out '^fetched 5 feeds: 4 ok \(17 new items, 0 updated\), 0 not modified, 1 failed' \
	"seventeen items are fetched, missing.xml fails"
nd curate
is 0 "curate exits 0"
has out '^tagged 17 items: 13 included, ' "curate includes 13 of the 17 items"
equal "$(sql "SELECT count(DISTINCT cluster) FROM items WHERE guid IN ('ledger-facial', 'tribune-facial')")" 1 \
	"the facial recognition story in two feeds is one cluster"

nd compose --week 2025-W10
is 0 "compose --week 2025-W10 exits 0"
has out '^wrote digests/2025-W10\.md: issue 1, 10 items in 5 sections, 2 near misses, 1 failing feeds$' \
	"the report: file, issue, 10 items in 5 sections, 2 near misses, 1 failing feed"
hasnt out 'quiet week' "ten items are not a quiet week"
D=digests/2025-W10.md
if [ -f "$T/$D" ]; then pass "digests/2025-W10.md exists"; else fail "digests/2025-W10.md exists"; fi
draft front "the front matter: title, issue 1, week, from Monday, to Sunday, today, subject" \
	'title: "News Digest"' 'issue: 1' 'week: 2025-W10' 'from: 2025-03-03' 'to: 2025-03-09' \
	"date: $(date -u +%Y-%m-%d)" 'subject: "News Digest #1, 2025-W10"'
nd topics list
cp "$T/out" "$T/topics.list"
draft sections "sections are '## Title · Titre' in the topics' priority order, each item under its best topic" \
	"$T/topics.list"
grep '^## ' "$T/$D" >"$T/sections"
cat >"$T/sections.expected" <<'EOF'
## Torture and rendition · Torture et restitution
## Surveillance and privacy · Surveillance et vie privée
## Security certificates · Certificats de sécurité
## No-fly list · Liste d'interdiction de vol
## Extradition · Extradition
## Events · Événements
## Calls to action · Appels à l'action
EOF
same "$T/sections.expected" "$T/sections" "the five topics of the week, then Events and Calls to action"
draft items "each item: an included item of the week, once per story, a link, source, date, its marker" \
	"$FROM" "$TO" 10
has "$T/$D" '^- \[Families of children flagged by Passenger Protect still wait for a redress system\]\(https://ledger\.example\.org/2025/03/passenger-protect-redress\) — \*Northern Ledger\*, 2025-03-03  $' \
	"an item is a Markdown link with its source and date"
has "$T/$D" "^  <!-- nd:item id=$(id ledger-nofly) topics=no-fly score=6\.00 evidence=\"[^\"]*Passenger Protect[^\"]*\" -->$" \
	"its marker gives id, topics, score and evidence"
draft summaries "each summary is the stored one, after a hard line break"
equal "$(grep -c '^  <!-- nd:item id=' "$T/$D")" 10 "ten markers for ten items"
equal "$(sql "SELECT week || '|' || path || '|' || issue FROM digests")" "2025-W10|digests/2025-W10.md|1" \
	"the digests row: week, path, issue 1"
equal "$(sql "SELECT written_hash FROM digests WHERE week = '2025-W10'")" "$(sha "$T/$D")" \
	"written_hash is the SHA-256 of the file"
equal "$(sql "SELECT coalesce(approved_hash, 'NULL') FROM digests WHERE week = '2025-W10'")" NULL \
	"a new draft is not approved"
has "$T/$D" '^TODO: write the introduction' "the introduction is left to write"

# =================================================================================
# 2. one line per story
# =================================================================================
equal "$(grep -c 'police used facial recognition on protesters' "$T/$D")" 1 \
	"the story told by two feeds appears once"
has "$T/$D" '^- \[Privacy commissioner finds police used facial recognition on protesters without any authority\]\(https://tribune\.example\.net/' \
	"with its best-scored copy (Harbour Tribune)"
has "$T/$D" '^  Also in: \[Northern Ledger\]\(https://ledger\.example\.org/2025/03/facial-recognition-protesters\)\.$' \
	"'Also in:' names the other source, linked"
equal "$(grep -c '^  Also in: ' "$T/$D")" 1 "no other item has an 'Also in:'"

# =================================================================================
# 3. what stays out, near misses, failing feeds
# =================================================================================
hasnt "$T/$D" 'Provincial budget|Ferry service' "off-topic items are absent"
hasnt "$T/$D" 'metadata on journalists' "an included item of the week before is absent"
hasnt "$T/$D" 'Hassan Diab' "an included item of a later week is absent"
draft notes "the notes comment can be read"
(cd "$T" && "$PY" -S "$T/check.py" notes "$D") >"$T/notes"
equal "$(grep -c 'Library board' "$T/$D")" 1 "the item just under the line appears once..."
has "$T/notes" '^  - \[Library board debates late fees for the spring season\]\(https://ledger\.example\.org/2025/03/library-fees\) \(Northern Ledger, score 1\.00, topics: oversight\)$' \
	"... in the near misses, with its link, source, score and topic"
has "$T/notes" '^Near misses, just under the line' "the near misses have their heading"
has "$T/notes" '^Feeds failing this week' "failing feeds have their heading"
has "$T/notes" "^  - $U/missing\.xml <$U/missing\.xml>: HTTP 404 Not Found \(1 in a row\)$" \
	"the 404 feed is listed with its error and count"
hasnt "$T/notes" 'ledger\.xml|tribune\.xml|veille\.xml' "the feeds that work are not listed"
hasnt "$T/$D" 'A QUIET WEEK' "the notes do not call ten items a quiet week"

# =================================================================================
# 4. hostile feed text
# =================================================================================
draft comments "every comment closes where it should: '-->' in feed text closes none"
has "$T/notes" '^  - \[Parks board - -> closes a trail <!- - for the spring\]\(https://hostile\.example\.com/parks--%3Etrail\) \(Desk - -> \*Wire\* \[beta\] <!- - x, ' \
	"a near miss with '-->' and '<!--' in its title and source is defused"
hasnt "$T/$D" '\]\(javascript:' "no link to javascript:"
has "$T/$D" '^- \\# \\\*bold\\\* \\\[link\\\]\\\(javascript:alert\\\(1\\\)\\\) \\<script\\>alert\\\(1\\\)\\</script\\> \\</script\\> torture inquiry --\\> ' \
	"the hostile title is text (its link is javascript:), every Markdown character escaped"
has "$T/$D" '🕊️ تحقيق في التعذيب חקירת עינויים ' "emoji, Arabic and Hebrew are kept byte for byte"
has "$T/$D" ' — \*Desk --\\> \\\*Wire\\\* \\\[beta\\\] \\<\\!-- x\*, 2025-03-03  $' \
	"the hostile source is escaped inside the emphasis"
long=$(sql "SELECT length(title) FROM items WHERE guid = 'hostile-long'")
equal "$long" 2000 "the 2,000-character title is stored whole"
has "$T/$D" '^- \[Torture inquiry hears day 1 .{1900,}\]\(https://hostile\.example\.com/long_%28title%29/a%20b\?x=1&y=%222%22\) — ' \
	"the long title is linked whole; its URL's parentheses, space and quotes are encoded"
# the "items" check above read every title and source back: here the
# summaries may not start an ordered list either
# a summary may not start an ordered list either ("1. " is escaped)
draft summaries "no summary line reads as an ordered list (hostile-numbered: '1. The first report')" ordered

# =================================================================================
# 5. never lose an edit
# =================================================================================
nd compose --week 2025-W10
is 0 "compose again, the draft unedited: exit 0"
has out '^wrote digests/2025-W10\.md: issue 1, 10 items .*\(replaced the unedited draft\)$' \
	"it says it replaced the unedited draft (issue 1 again)"
equal "$(sql "SELECT written_hash FROM digests WHERE week = '2025-W10'")" "$(sha "$T/$D")" \
	"written_hash follows the new file"
ls "$T/digests" >"$T/ls.before"

# the editor deletes an item and adds a line
sed -i '/Passenger Protect still wait/,/nd:item/d' "$T/$D"
printf 'A line the editor added.\n' >>"$T/$D"
cp "$T/$D" "$T/edited.md"
hasnt "$T/$D" 'Passenger Protect still wait' "(the edit deleted an item)"
nd compose --week 2025-W10
is 65 "compose over an edited draft exits 65"
has err "'digests/2025-W10\.md' was edited since compose wrote it" "the message names the file"
has err 'your edits are kept' "it says the edits are kept"
has err 'compose --force' "it says how to start over (--force)"
has err '\-o FILE' "and how to write elsewhere (-o)"
same "$T/edited.md" "$T/$D" "the edited file is byte for byte the edit"
ls "$T/digests" >"$T/ls.after"
same "$T/ls.before" "$T/ls.after" "no file was added or removed"

nd compose --week 2025-W10 --force
is 0 "compose --force exits 0"
has out '^wrote digests/2025-W10\.md: issue 1, 10 items .*; the edited draft was kept as digests/2025-W10\.md\.bak-[0-9]{8}T[0-9]{6}$' \
	"it names the backup"
bak=$(sed -n 's/.*the edited draft was kept as //p' "$T/out")
if [ -n "$bak" ] && [ -f "$T/$bak" ]; then same "$T/edited.md" "$T/$bak" "the backup holds the edit byte for byte"
else fail "the backup holds the edit byte for byte" "no backup '$bak'"; fi
has "$T/$D" 'Passenger Protect still wait' "the new draft is fresh (the deleted item is back)"
hasnt "$T/$D" 'A line the editor added' "and without the added line"
equal "$(sql "SELECT written_hash FROM digests WHERE week = '2025-W10'")" "$(sha "$T/$D")" \
	"written_hash is the fresh draft's"
nd compose --week 2025-W10
is 0 "after --force the draft counts as unedited again"

# a backup left by an earlier --force in the same second must survive the
# next one: decoys for the next few seconds' names
printf 'Second edit.\n' >>"$T/$D"
cp "$T/$D" "$T/edited2.md"
now=$(date -u +%s)
for k in 0 1 2 3 4; do
	stamp=$(date -u -d "@$((now + k))" +%Y%m%dT%H%M%S)
	printf 'an earlier edit, kept at %s\n' "$stamp" >"$T/$D.bak-$stamp"
done
nd compose --week 2025-W10 --force
is 0 "--force with backups of this second already there exits 0"
bak2=$(sed -n 's/.*the edited draft was kept as //p' "$T/out")
if [ -n "$bak2" ] && [ -f "$T/$bak2" ]; then same "$T/edited2.md" "$T/$bak2" "the second edit is kept"
else fail "the second edit is kept" "no backup '$bak2'"; fi
lost=
for k in 0 1 2 3 4; do
	stamp=$(date -u -d "@$((now + k))" +%Y%m%dT%H%M%S)
	grep -q "^an earlier edit, kept at $stamp\$" "$T/$D.bak-$stamp" 2>/dev/null || lost="$lost $stamp"
done
# two --force in one second keep both earlier edits (numbered backups)
equal "$lost" "" "no earlier backup was overwritten"

# -o: somewhere else, nothing recorded
hash=$(sql "SELECT written_hash FROM digests WHERE week = '2025-W10'")
nd compose --week 2025-W10 -o other.md
is 0 "compose -o other.md exits 0"
has out '^wrote other\.md: issue 1, 10 items in 5 sections' "it reports other.md"
has "$T/other.md" '^week: 2025-W10$' "other.md is the week's draft"
has "$T/other.md" 'Passenger Protect still wait' "with the week's items"
equal "$(sql "SELECT path || '|' || written_hash FROM digests WHERE week = '2025-W10'")" \
	"digests/2025-W10.md|$hash" "the digests row still names the week's draft"
cp "$T/other.md" "$T/other.copy"
nd compose --week 2025-W10 -o other.md
is 65 "-o onto an existing file exits 65"
has err "'other\.md' exists: nothing was written" "it names the file"
has err 'add --force' "and says how to replace it"
same "$T/other.copy" "$T/other.md" "other.md is untouched"
nd compose --week 2025-W10 -o other.md --force
is 0 "-o onto an existing file with --force exits 0"
has out 'the edited draft was kept as other\.md\.bak-' "the old file is kept as a backup"
set -- "$T"/other.md.bak-*
if [ -f "$1" ]; then same "$T/other.copy" "$1" "the backup is the old other.md"
else fail "the backup is the old other.md" "no other.md.bak-*"; fi

# =================================================================================
# 6. a quiet week
# =================================================================================
nd compose --week 2025-W20
is 0 "compose --week 2025-W20 exits 0"
has out '^wrote digests/2025-W20\.md: issue 2, 1 items in 1 sections, .* \(a quiet week\)$' \
	"a week of one item: issue 2, '(a quiet week)'"
has digests/2025-W20.md '^A QUIET WEEK: fewer than 5 items \(\[compose\] min_items\)' \
	"the notes say A QUIET WEEK"
has digests/2025-W20.md '^quiet_week = skip decides' "and what the weekly send does with it"
D=digests/2025-W20.md
draft items "its one item is the extradition story of 13 May" 1747008000 1747612800 1
has "$T/$D" 'Hassan Diab' "(the item of that week)"
equal "$(sql "SELECT issue FROM digests WHERE week = '2025-W20'")" 2 "the second week is issue 2"

# =================================================================================
# 7. bad input
# =================================================================================
ls -R "$T/digests" >"$T/ls.before"
nd compose --week 2025-W99
is 64 "--week 2025-W99 exits 64"
has err "not '2025-W99'" "it quotes the bad week"
nd compose --week junk
is 64 "--week junk exits 64"
has err "ISO week such as 2026-W48, not 'junk'" "it says what a week looks like"
nd compose --week
is 64 "--week without a value exits 64"
nd compose extra
is 64 "an extra argument exits 64"
nd compose --frobnicate
is 64 "an unknown option exits 64"
nd compose --help
is 0 "compose --help exits 0"
hasnt out 'or a bad$' "the help's exit statuses agree with a bad week's 64"

_config "$T/notpl.ini" "$T/store.db" "[compose]" "templates = $T/none" "digests_dir = $T/d-notpl"
nd -c "$T/notpl.ini" compose --week 2025-W10
is 78 "a missing templates/draft.md exits 78"
has err "cannot read '$T/none/draft\.md'" "it names the file"
mkdir -p "$T/badtpl"
printf -- '---\n{{{front_matter}}}---\n\n{{#sections}}\n## {{{title}}}\n' >"$T/badtpl/draft.md"
_config "$T/badtpl.ini" "$T/store.db" "[compose]" "templates = $T/badtpl" "digests_dir = $T/d-badtpl"
nd -c "$T/badtpl.ini" compose --week 2025-W10
is 78 "a template with an unclosed section exits 78"
has err "$T/badtpl/draft\.md:4: " "it gives FILE:LINE of the section"
printf -- '---\n{{{front_matter}}}---\n{{#sections}}{{{nosuchname}}}{{/sections}}\n' >"$T/badtpl/draft.md"
nd -c "$T/badtpl.ini" compose --week 2025-W10
is 78 "a template with an unknown name exits 78"
has err "$T/badtpl/draft\.md:3: unknown variable 'nosuchname'" "it names the name with FILE:LINE"
_config "$T/notopics.ini" "$T/store.db" "[curate]" "topics = $T/no-such.topics" \
	"[compose]" "templates = $TOP/templates" "digests_dir = $T/d-notopics"
nd -c "$T/notopics.ini" compose --week 2025-W10
is 78 "a missing topic list exits 78"
has err "no-such\.topics" "it names the topic list"
if [ -e "$T/d-notpl" ] || [ -e "$T/d-badtpl" ] || [ -e "$T/d-notopics" ]; then
	fail "the failed composes wrote nothing" "$(ls -d "$T"/d-*)"
else pass "the failed composes wrote nothing"; fi
ls -R "$T/digests" >"$T/ls.after"
same "$T/ls.before" "$T/ls.after" "nothing changed in digests/"

# =================================================================================
# 8. the caps
# =================================================================================
_config "$T/cap1.ini" "$T/store.db" "[compose]" "templates = $TOP/templates" "max_per_section = 1"
nd -c "$T/cap1.ini" compose --week 2025-W10 -o "$T/cap1.md"
is 0 "compose with max_per_section = 1 exits 0"
has out ': issue 1, 5 items in 5 sections' "five sections of one item"
D=$T/cap1.md
draft items "each is one of the week's included items" "$FROM" "$TO" 5
for h in 'Torture and rendition' 'Surveillance and privacy' 'Security certificates' 'No-fly list' 'Extradition'; do
	n=$(awk -v h="## $h " 'index($0, h) == 1 { s = 1; next } /^## / { s = 0 } s && /^- / { n++ } END { print n + 0 }' "$D")
	equal "$n" 1 "section $h has one item"
done
has "$D" '^<!-- nd:notes 3 more items in this topic were left out \(\[compose\] max_per_section or max_items\) -->$' \
	"the torture section notes 3 left out"
has "$D" '^<!-- nd:notes 2 more items in this topic were left out' "the surveillance section notes 2"
equal "$(grep -c 'more items in this topic were left out' "$D")" 2 "only those two sections lost items"
has "$D" '^- \[Torture inquiry hears day 1 ' "the best item of a section is the one kept (score 14)"

_config "$T/cap2.ini" "$T/store.db" "[compose]" "templates = $TOP/templates" "max_items = 2"
nd -c "$T/cap2.ini" compose --week 2025-W10 -o "$T/cap2.md"
is 0 "compose with max_items = 2 exits 0"
has out ': issue 1, 2 items in 2 sections' "two items in all"
D=$T/cap2.md
draft items "they are the week's two best" "$FROM" "$TO" 2
has "$D" '^- \[Torture inquiry hears day 1 ' "the best (14.00)"
has "$D" '^- \[Review agency says spy agency shared bulk data' "the second best (10.00)"
left=$(sed -n 's/^<!-- nd:notes \([0-9]*\) more items in this topic were left out.*/\1/p' "$D" |
	awk '{ n += $1 } END { print n + 0 }')
# a topic whose items were all left out keeps its section, which says so
equal "$left" 8 "the draft notes all 8 items left out"

# =================================================================================
# 9. run composes this week's draft
# =================================================================================
cat >"$T/feeds.opml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>t1600</title></head><body>
<outline type="rss" text="Northern Ledger" xmlUrl="$U/ledger.xml"/>
<outline type="rss" text="Harbour Tribune" xmlUrl="$U/tribune.xml"/>
<outline type="rss" text="La Veille" language="fr" xmlUrl="$U/veille.xml"/>
<outline type="rss" text="Hostile" xmlUrl="$U/hostile.xml"/>
<outline type="rss" text="Missing" xmlUrl="$U/missing.xml"/>
</body></opml>
EOF
other_config run "[fetch]" "feeds = $T/feeds.opml" \
	"[compose]" "templates = $TOP/templates" "digests_dir = $T/rundigests"
week=$(date -u +%G-W%V)
nd -c "$T/run.ini" run
is 0 "run with the served feeds exits 0"
has out '^tagged 17 items: 13 included' "run curates"
has out "^wrote $T/rundigests/$week\\.md: issue 1, " "run writes this week's draft ($week)"
R=$T/rundigests/$week.md
if [ -f "$R" ]; then pass "the draft exists"; else fail "the draft exists"; fi
equal "$(sqlo run "SELECT week || '|' || written_hash FROM digests")" "$week|$(sha "$R")" \
	"the run's store records the draft and its hash"
printf 'The editor was here.\n' >>"$R"
cp "$R" "$T/run-edited.md"
nd -c "$T/run.ini" run
is 0 "a second run, the draft edited, exits 0 as before (the feeds are not due)"
has out "^the draft $T/rundigests/$week\\.md was edited since compose wrote it: left as is$" \
	"it says the edited draft was left as is"
same "$T/run-edited.md" "$R" "the edited draft is untouched"
set -- "$T"/rundigests/*.bak-*
if [ -e "$1" ]; then fail "run made no backup" "$1"; else pass "run made no backup"; fi

finish
