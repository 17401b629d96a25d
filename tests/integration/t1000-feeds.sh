#!/bin/sh
# newsdigest feeds: list, add, remove, OPML import and export, and the
# refusal of bad input (bad URLs, files that are not OPML, oversized lists,
# external entities).
. "$(dirname "$0")/lib.sh"

F=$FIX/t1000
write_config


ESC=$(printf '\033')
COLS='SELECT url, title, html_url, category, lang, position FROM feeds ORDER BY position'

# --- an empty list -------------------------------------------------------------
nd feeds list
is 0 "feeds list on a new store succeeds"
has out '^no feeds: add one' "an empty list says there are no feeds and how to add one"

# --- add -----------------------------------------------------------------------
nd feeds add https://one.example.org/feed.xml
is 0 "feeds add URL succeeds"
has out '^added https://one\.example\.org/feed\.xml$' "feeds add says added"
equal "$(sql "SELECT count(*) FROM feeds WHERE url = 'https://one.example.org/feed.xml' AND title IS NULL")" 1 \
	"the feed is stored, without a title"

nd feeds list
is 0 "feeds list succeeds"
has out '^never fetched +0  https://one\.example\.org/feed\.xml$' "the list shows the URL as never fetched"
has out '^1 feeds: 0 ok, 0 failing, 1 never fetched, 0 disabled$' "the list ends with the totals"

nd feeds add https://one.example.org/feed.xml
is 0 "adding the same URL again succeeds"
has out 'already in the list' "adding the same URL again says it is already there"
equal "$(sql "SELECT count(*) FROM feeds")" 1 "adding twice keeps one row"

nd feeds add https://two.example.org/atom --title 'Deux : l’été'
is 0 "feeds add URL --title succeeds"
equal "$(sql "SELECT title FROM feeds WHERE url = 'https://two.example.org/atom'")" 'Deux : l’été' \
	"--title is stored as given"
equal "$(sql "SELECT position FROM feeds WHERE url = 'https://two.example.org/atom'")" 2 \
	"a new feed goes to the end of the list"
nd feeds add https://one.example.org/feed.xml --title 'Numéro un'
is 0 "feeds add of a known URL with --title succeeds"
equal "$(sql "SELECT title || '|' || position FROM feeds WHERE url = 'https://one.example.org/feed.xml'")" \
	'Numéro un|1' "--title on a known feed updates its title and keeps its place"

for url in 'ftp://x' 'file:///etc/passwd'; do
	nd feeds add "$url"
	is 65 "feeds add $url exits 65"
	has err "feeds add: '$url': not an http or https URL" "feeds add $url says why"
done
nd feeds add 'not a url'
is 65 "feeds add 'not a url' exits 65"
has err "feeds add: 'not a url': " "feeds add 'not a url' names the URL and a reason"
nd feeds add 'https:///no-host'
is 65 "feeds add of a URL without a host exits 65"
has err 'no host' "feeds add says the host is missing"
equal "$(sql "SELECT count(*) FROM feeds")" 2 "refused URLs are not stored"

# --- remove --------------------------------------------------------------------
nd feeds add https://three.example.org/rss
sql "INSERT INTO items (feed, guid, title, fetched_at)
     SELECT id, 'guid-1', 'An item', 1 FROM feeds WHERE url = 'https://three.example.org/rss'"
nd feeds remove https://three.example.org/rss
is 0 "feeds remove of a listed feed succeeds"
has out '^removed https://three\.example\.org/rss$' "feeds remove says removed"
equal "$(sql "SELECT count(*) FROM feeds WHERE url = 'https://three.example.org/rss'")" 0 \
	"the removed feed is gone from the store"
equal "$(sql "SELECT count(*) FROM items WHERE guid = 'guid-1'")" 0 "the removed feed's items are gone too"
nd feeds remove https://unknown.example.org/rss
is 65 "feeds remove of an unknown URL exits 65"
has err "'https://unknown\.example\.org/rss' is not in the list" "feeds remove says the URL is not listed"
equal "$(sql "SELECT count(*) FROM feeds")" 2 "removing an unknown URL changes nothing"
nd feeds remove "$(printf 'https://x.example.org/\033[2J')"
is 65 "feeds remove of a URL with control characters exits 65"
hasnt err "$ESC" "the error message prints no ESC byte"

# --- a failing feed, and a title with control characters -------------------------
sql "UPDATE feeds SET status = 'error', error = 'HTTP 404', failures = 3
     WHERE url = 'https://two.example.org/atom'"
nd feeds list
is 0 "feeds list with a failing feed succeeds"
has out '^error +3  https://two\.example\.org/atom' "the list shows the failing feed's status and failure count"
has out 'last error: HTTP 404$' "the list shows the last error text"
has out '^2 feeds: 0 ok, 1 failing, 1 never fetched, 0 disabled$' "the totals count the failing feed"

sql "UPDATE feeds SET title = 'Evil' || char(27) || '[31mRed' || char(27) || '[0m', error = 'boom' || char(27) || ']0;pwned' || char(7)
     WHERE url = 'https://two.example.org/atom'"
nd feeds list
is 0 "feeds list with control characters in a title succeeds"
hasnt out "$ESC" "the list prints no ESC byte"
has out 'Evil.\[31mRed' "the rest of the title is printed"
nd feeds export -o "$T/ctrl.opml"
is 0 "export with control characters in a title succeeds"
hasnt "$T/ctrl.opml" "$ESC" "the export holds no ESC byte"
if xmllint --noout "$T/ctrl.opml" 2>"$T/xmllint.err"; then pass "the export with control characters is well-formed"
else fail "the export with control characters is well-formed" "$(head -3 "$T/xmllint.err")"; fi

# --- a list exported and imported into the same store is unchanged ---------------
sql "UPDATE feeds SET title = 'Deux', status = 'never', error = NULL, failures = 0
     WHERE url = 'https://two.example.org/atom'"
nd feeds add https://four.example.org/untitled.xml
sql "$COLS" >"$T/self.before"
nd feeds export -o "$T/self.opml"
is 0 "export of the hand-made list succeeds"
nd feeds import "$T/self.opml"
is 0 "importing our own export succeeds"
has out ': 0 added, 0 updated, 3 unchanged, 0 rejected$' "importing our own export changes nothing"
sql "$COLS" >"$T/self.after"
same "$T/self.before" "$T/self.after" "a feed added without a title still has none after export and import"

# --- OPML 2.0 import ---------------------------------------------------------------
other_config a
nd -c "$T/a.ini" feeds import "$F/feeds-2.0.opml"
is 65 "importing an OPML with a bad outline exits 65"
has err "feeds-2\.0\.opml: line 16: 'ftp://files\.example\.org/feed\.xml': not an http or https URL" \
	"the bad outline is reported with its line, URL and reason"
has out ': 6 added, 0 updated, 0 unchanged, 1 rejected$' "the summary counts added and rejected feeds"
equal "$(sqlo a "SELECT count(*) FROM feeds")" 6 "the good outlines are imported"
equal "$(sqlo a "SELECT count(*) FROM feeds WHERE url LIKE 'ftp:%'")" 0 "the bad outline is not"
equal "$(sqlo a "SELECT count(*) FROM feeds WHERE url LIKE '%pas-un-flux%' OR url LIKE '%www.example.fr%'")" 0 \
	"a type=\"link\" outline is skipped"
equal "$(sqlo a "SELECT title || '|' || category || '|' || lang FROM feeds WHERE url = 'https://www.lemonde.example/rss/une.xml'")" \
	'Le Monde — À la une|Actualités|fr' "a feed in a folder: accented title, folder as category, language"
equal "$(sqlo a "SELECT title || '|' || category || '|' || lang FROM feeds WHERE url = 'https://echos.example.fr/rss/marches.xml'")" \
	'Les Échos : marchés|Actualités/Économie|fr-FR' "xmlurl in odd case is read; two nested folders make a path"
equal "$(sqlo a "SELECT title || '|' || category FROM feeds WHERE url = 'https://epargne.example.fr/feed?cat=1&lang=fr'")" \
	'Crédit & Épargne|Actualités/Économie' "character references are decoded in URLs and titles"
equal "$(sqlo a "SELECT category FROM feeds WHERE url = 'https://sciences.example.fr/atom.xml'")" \
	'Tech/Science\/Recherche' "a '/' in a folder name is escaped in the path"
equal "$(sqlo a "SELECT quote(category) || '|' || html_url FROM feeds WHERE url = 'https://planete.example.org/rss.xml'")" \
	"''|https://planete.example.org/" "a top-level feed has an empty category and keeps its htmlUrl"
equal "$(sqlo a "SELECT group_concat(position, ',') FROM (SELECT position FROM feeds ORDER BY position)")" \
	'1,2,3,4,5,6' "feeds are numbered in document order"

# --- OPML 1.0 import -----------------------------------------------------------------
nd -c "$T/a.ini" feeds import "$F/feeds-1.0.opml"
is 0 "importing an OPML 1.0 file succeeds"
has out ': 3 added, 0 updated, 0 unchanged, 0 rejected$' "all three OPML 1.0 feeds are added"
equal "$(sqlo a "SELECT title || '|' || html_url FROM feeds WHERE url = 'http://scripting.example.com/rss.xml'")" \
	'Scripting News|http://scripting.example.com/' "OPML 1.0: XMLURL and htmlurl in any case"
equal "$(sqlo a "SELECT title FROM feeds WHERE url = 'http://old.example.com/index.rdf'")" \
	'Old style' "OPML 1.0: url= on a type=\"rss\" outline"
equal "$(sqlo a "SELECT title || '|' || category FROM feeds WHERE url = 'http://resume.example.fr/rss'")" \
	'Résumé quotidien|Nouvelles' "OPML 1.0: an ISO-8859-1 file is read as such"

# --- re-import -----------------------------------------------------------------------
sqlo a "$COLS" >"$T/a.before"
nd -c "$T/a.ini" feeds import "$F/feeds-2.0.opml"
has out ': 0 added, 0 updated, 6 unchanged, 1 rejected$' "re-importing the same file: 0 added, 6 unchanged"
sqlo a "$COLS" >"$T/a.after"
same "$T/a.before" "$T/a.after" "re-importing the same file leaves the store as it was"

# --- round trip ------------------------------------------------------------------------
nd -c "$T/a.ini" feeds export -o "$T/e1.opml"
is 0 "feeds export -o succeeds"
hasnt out . "feeds export -o prints nothing on stdout"
if xmllint --noout "$T/e1.opml" 2>"$T/xmllint.err"; then pass "the exported file is well-formed XML (xmllint)"
else fail "the exported file is well-formed XML (xmllint)" "$(head -3 "$T/xmllint.err")"; fi
has "$T/e1.opml" '<opml version="2\.0">' "the export is OPML 2.0"
has "$T/e1.opml" 'text="Le Monde — À la une"' "accented titles are written as UTF-8, not character references"
nd -c "$T/a.ini" feeds export
is 0 "feeds export to stdout succeeds"
same "$T/e1.opml" "$T/out" "export to stdout equals export -o"

other_config b
nd -c "$T/b.ini" feeds import "$T/e1.opml"
is 0 "importing the export into a fresh store succeeds"
has out ': 9 added, 0 updated, 0 unchanged, 0 rejected$' "every exported feed is imported"
nd -c "$T/b.ini" feeds export -o "$T/e2.opml"
is 0 "exporting the second store succeeds"
same "$T/e1.opml" "$T/e2.opml" "export, import, export gives the same bytes"
sqlo a "$COLS" >"$T/a.rows"
sqlo b "$COLS" >"$T/b.rows"
same "$T/a.rows" "$T/b.rows" "both stores hold the same feeds (url, title, html_url, category, lang, position)"

# --- bad files: nothing changes ----------------------------------------------------------
count_a() { sqlo a "SELECT count(*) FROM feeds"; }
before=$(count_a)

nd -c "$T/a.ini" feeds import "$F/not-xml.opml"
is 65 "importing a file that is not XML exits 65"
has err "cannot parse '[^']*not-xml\.opml': line [0-9]+: " "the error names the file and a line"
has err 'nothing was imported' "the error says nothing was imported"
equal "$(count_a)" "$before" "a file that is not XML changes nothing"

nd -c "$T/a.ini" feeds import "$F/no-outlines.opml"
is 65 "importing an OPML without outlines exits 65"
has err "no-outlines\.opml'.*no feed outlines" "the error says there are no feed outlines"
equal "$(count_a)" "$before" "an OPML without outlines changes nothing"

nd -c "$T/a.ini" feeds import "$F/not-opml.opml"
is 65 "importing an XML file whose root is not <opml> exits 65"
has err 'root element is <rss>, not <opml>' "the error names the root element"
equal "$(count_a)" "$before" "a file that is not OPML changes nothing"

nd -c "$T/a.ini" feeds import "$T/no-such-file.opml"
is 66 "importing a missing file: exit 66"
has err "no-such-file\.opml'?: No such file or directory" "the error names the missing file and why"
equal "$(count_a)" "$before" "a missing file changes nothing"

: >"$T/empty.opml"
nd -c "$T/a.ini" feeds import "$T/empty.opml"
is 65 "importing an empty file exits 65"
equal "$(count_a)" "$before" "an empty file changes nothing"

# --- a big list, under and over max_feeds ---------------------------------------------------
python3 - "$T/big.opml" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
            '<head><title>big</title></head>\n<body>\n')
    for i in range(100000):
        f.write('<outline type="rss" text="Feed %d" xmlUrl="https://f%d.example.com/rss"/>\n' % (i, i))
    f.write('</body>\n</opml>\n')
EOF
nd -c "$T/a.ini" feeds import "$T/big.opml"
is 65 "a 100000-outline OPML is refused with the default max_feeds"
has err 'max_feeds' "the refusal names max_feeds"
equal "$(count_a)" "$before" "the refused big file changes nothing"

other_config big "[fetch]" "max_feeds = 200000"
nd -c "$T/big.ini" feeds import "$T/big.opml"
is 0 "with max_feeds = 200000 the big OPML imports"
has out ': 100000 added, 0 updated, 0 unchanged, 0 rejected$' "the summary counts 100000 feeds"
equal "$(sqlo big "SELECT count(*) FROM feeds")" 100000 "100000 feeds are stored"

# --- external entities ---------------------------------------------------------------------------
host=$(tr -d '\n' </etc/hostname 2>/dev/null)
secret="XXE-SECRET-$$-7f3a"
echo "$secret" >"$T/secret.txt"
for fx in xxe-hostname xxe-param xxe-dtd; do
	sed -e "s|file:///etc/hostname|file://$T/secret.txt|" "$F/$fx.opml" >"$T/$fx-secret.opml"
done
other_config xxe
for fx in xxe-hostname xxe-param xxe-dtd; do
	for file in "$F/$fx.opml" "$T/$fx-secret.opml"; do
		nd -c "$T/xxe.ini" feeds import "$file"
		sqlo xxe "SELECT * FROM feeds" >"$T/xxe.dump"
		cat "$T/out" "$T/err" >>"$T/xxe.dump"
		hasnt "$T/xxe.dump" "$secret" "$(basename "$file"): the file's content is neither stored nor printed"
		if [ -n "$host" ] && [ "$file" = "$F/$fx.opml" ]; then
			n=$(sqlite3 "$T/xxe.db" "SELECT count(*) FROM feeds WHERE instr(coalesce(title, ''), '$host') > 0")
			equal "$n" 0 "$fx.opml: /etc/hostname's content is not in the store"
		fi
	done
done
equal "$(sqlo xxe "SELECT count(*) FROM feeds WHERE url = 'https://xxe.example.org/rss'")" 0 \
	"an OPML that uses an external entity is refused"

# --- topic hints (the topics attribute, feeds add --topics) ------------------------
# Only the form of the ids is checked ([a-z0-9-]+, at most 16 of at most 64
# bytes), not that feeds/topics.ini has them: the curator's 'topics check'
# does that.
other_config hint
nd -c "$T/hint.ini" feeds import "$F/topics.opml"
is 65 "importing an OPML with a bad topics attribute exits 65"
has err "topics\.opml: line 15: 'https://bad\.example\.org/rss': bad 'topics' attribute: topic id 'No_Fly' has a character other than a-z, 0-9 and '-'$" \
	"the bad hint is reported with its line, URL and reason"
has out ': 5 added, 0 updated, 0 unchanged, 1 rejected$' "the outline with the bad hint is refused, the others imported"
equal "$(sqlo hint "SELECT count(*) FROM feeds WHERE url = 'https://bad.example.org/rss'")" 0 \
	"the outline with the bad hint is not stored"
equal "$(sqlo hint "SELECT group_concat(quote(topics), ',') FROM (SELECT topics FROM feeds ORDER BY position)")" \
	"'oversight','surveillance oversight','no-fly','',''" \
	"feeds.topics holds the hints normalised (single spaces, repeats dropped), '' for none"
nd -c "$T/hint.ini" feeds list
is 0 "feeds list with topic hints succeeds"
has out '^never fetched +0  https://review\.example\.org/feed  Review agency  \[Review bodies\]$' \
	"the feed's line is as before"
has out '^                      topics: oversight$' "the list shows a hint on a topics: line"
has out '^                      topics: surveillance oversight$' "the list shows a two-topic hint"
equal "$(grep -c 'topics:' "$T/out")" 3 "feeds without a hint have no topics: line"
nd -c "$T/hint.ini" feeds export -o "$T/hint1.opml"
is 0 "export with topic hints succeeds"
same "$F/topics.expect" "$T/hint1.opml" "the export writes topics after language, only when there are any"
nd -c "$T/hint.ini" feeds import "$T/hint1.opml"
has out ': 0 added, 0 updated, 5 unchanged, 0 rejected$' "importing the export into the same store changes nothing"
other_config hint2
nd -c "$T/hint2.ini" feeds import "$T/hint1.opml"
is 0 "importing the export into a fresh store succeeds"
nd -c "$T/hint2.ini" feeds export -o "$T/hint2.opml"
same "$T/hint1.opml" "$T/hint2.opml" "export, import, export with topics gives the same bytes"
equal "$(sqlo hint2 "SELECT group_concat(url || '=' || topics, ',') FROM (SELECT url, topics FROM feeds ORDER BY position)")" \
	"$(sqlo hint "SELECT group_concat(url || '=' || topics, ',') FROM (SELECT url, topics FROM feeds ORDER BY position)")" \
	"both stores hold the same hints"

nd -c "$T/hint.ini" feeds add https://new.example.org/rss --no-check --topics 'oversight, listed-entities'
is 0 "feeds add --topics succeeds"
has out '^added https://new\.example\.org/rss$' "feeds add --topics says added"
equal "$(sqlo hint "SELECT topics FROM feeds WHERE url = 'https://new.example.org/rss'")" \
	'oversight listed-entities' "--topics is stored normalised"
nd -c "$T/hint.ini" feeds add https://review.example.org/feed --no-check --topics extradition
is 0 "feeds add --topics on a known feed succeeds"
has out 'already in the list; its topics are updated$' "feeds add --topics on a known feed says the topics are updated"
equal "$(sqlo hint "SELECT topics FROM feeds WHERE url = 'https://review.example.org/feed'")" \
	'extradition' "--topics replaces a known feed's hint"
nd -c "$T/hint.ini" feeds add https://review.example.org/feed --no-check --title 'Review agency'
equal "$(sqlo hint "SELECT topics FROM feeds WHERE url = 'https://review.example.org/feed'")" \
	'extradition' "feeds add without --topics keeps the hint"
nd -c "$T/hint.ini" feeds add https://review.example.org/feed --no-check --topics ''
is 0 "feeds add --topics '' succeeds"
equal "$(sqlo hint "SELECT quote(topics) FROM feeds WHERE url = 'https://review.example.org/feed'")" \
	"''" "--topics '' clears the hint"
before=$(sqlo hint "SELECT count(*) || '|' || group_concat(topics, ',') FROM feeds")
# no --no-check: a bad hint is refused before the URL is fetched
nd -c "$T/hint.ini" feeds add https://bad.example.org/rss --topics 'oversight No-Fly'
is 64 "feeds add with a bad --topics id exits 64"
has err "^newsdigest: feeds add: bad --topics 'oversight No-Fly': topic id 'No-Fly' has a character other than a-z, 0-9 and '-'$" \
	"the refusal names the option, the value and the bad id"
hasnt err '^usage:' "the refusal of a bad id does not print the whole usage"
nd -c "$T/hint.ini" feeds add https://bad.example.org/rss --no-check \
	--topics 't1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 t13 t14 t15 t16 t17'
is 64 "feeds add with 17 topic ids exits 64"
has err 'more than 16 topic ids$' "the refusal says there are too many ids"
nd -c "$T/hint.ini" feeds add https://review.example.org/feed --no-check \
	--topics "$(printf '%065d' 0)"
is 64 "feeds add with a 65-byte topic id exits 64"
has err 'a topic id is longer than 64 bytes$' "the refusal says the id is too long"
nd -c "$T/hint.ini" feeds add https://review.example.org/feed --no-check --topics "$(printf 'a\033[2Jb')"
is 64 "feeds add with a control character in --topics exits 64"
hasnt err "$ESC" "the refusal prints no ESC byte"
equal "$(sqlo hint "SELECT count(*) || '|' || group_concat(topics, ',') FROM feeds")" "$before" \
	"refused --topics change nothing"
nd -c "$T/hint.ini" feeds list --topics oversight
is 64 "feeds list --topics: exit 64"
nd feeds --help
has out '^  --topics IDS ' "feeds --help documents --topics"

# --- usage -----------------------------------------------------------------------------------------
nd feeds
is 64 "feeds without a subcommand exits 64"
has err '^usage: newsdigest feeds' "feeds without a subcommand prints the usage on stderr"
nd feeds bogus
is 64 "feeds bogus exits 64"
has err "unknown subcommand 'bogus'" "feeds bogus names the unknown subcommand"
has err '^usage: newsdigest feeds' "feeds bogus prints the usage on stderr"
nd feeds list --bogus
is 64 "an unknown option exits 64"
nd feeds add
is 64 "feeds add without a URL exits 64"
nd feeds --help
is 0 "feeds --help exits 0"
has out '^usage: newsdigest feeds list' "feeds --help prints the usage on stdout"
hasnt err . "feeds --help prints nothing on stderr"

# options that do not go with the subcommand
nd -c "$T/a.ini" feeds list --title x
is 64 "feeds list --title: exit 64"
nd -c "$T/a.ini" feeds import -o x.opml "$F/feeds-2.0.opml"
is 64 "feeds import -o: exit 64"
nd -c "$T/a.ini" feeds export -o /nonexistent/dir/feeds.opml
is 73 "export to a path that cannot be created: exit 73"

finish
