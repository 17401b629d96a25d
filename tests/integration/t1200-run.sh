#!/bin/sh
# run: the cron job: seeds the feed list on the first run, fetches, reports.
# This machine has no network, so every real feed fails: run says so and
# exits 69 (cron mails the owner). Fetching from a live server is in t1400.
. "$(dirname "$0")/lib.sh"

# the shipped feed list: 25-40 real feeds, at least a quarter in French
opml=$TOP/feeds/feeds.opml
xmllint --noout "$opml" 2>"$T/err" && pass "feeds/feeds.opml is well-formed XML" || fail "feeds/feeds.opml is well-formed XML"
n=$(grep -c 'xmlUrl=' "$opml")
fr=$(grep 'xmlUrl=' "$opml" | grep -c 'language="fr"')
[ "$n" -ge 25 ] && [ "$n" -le 40 ] && pass "feeds.opml has 25-40 feeds ($n)" || fail "feeds.opml has 25-40 feeds ($n)"
[ $((fr * 4)) -ge "$n" ] && pass "at least a quarter are French ($fr of $n)" || fail "at least a quarter are French ($fr of $n)"

# the default configuration, as 'make run' uses it: no config file at all,
# in a folder laid out like the project
mkdir -p proj/feeds proj/templates
cp "$opml" "$TOP/feeds/topics.ini" proj/feeds/
cp "$TOP"/templates/* proj/templates/
cd proj
nd run
is 69 "run with the built-in defaults, offline: exit 69"
has err 'every feed failed' "run says every feed failed"
has out "^error +https://" "run reports each failing feed"
has out '^newsdigest run, week [0-9]{4}-W[0-9]{2}$' "run names the week"
has out "^first run: $n feeds seeded from 'feeds/feeds.opml'" "the first run seeds the shipped feeds"
has out "^feeds: $n \(0 never fetched, $n failing\)" "run reports the feeds, all failing offline"
has out '^subscribers: 0 active' "run reports the subscribers"
equal "$(sqlite3 newsdigest.db 'SELECT count(*) FROM feeds')" "$n" "the feeds are in the store"
equal "$(sqlite3 newsdigest.db "SELECT count(*) FROM feeds WHERE lang = 'fr'")" "$fr" "their languages are kept"

nd run
is 0 "the second run exits 0: the failed feeds are not due again yet"
has out "$n not due yet" "the failed feeds wait (backoff)"
hasnt out 'seeded' "the second run does not seed again"
first=$(sqlite3 newsdigest.db 'SELECT url FROM feeds ORDER BY position LIMIT 1')
nd feeds remove "$first"
nd run
equal "$(sqlite3 newsdigest.db 'SELECT count(*) FROM feeds')" "$((n - 1))" "a removed feed is not seeded back"
nd -q run
is 0 "run -q exits 0"
[ -s "$T/out" ] && fail "run -q prints nothing" || pass "run -q prints nothing"
equal "$(sqlite3 newsdigest.db "SELECT count(*) FROM feeds WHERE status = 'error' AND failures = 1")" \
	"$((n - 1))" "each failing feed has its failure recorded once"
cd "$T"

# feeds imported by hand before the first run: no seeding on top of them
rm -f store.db*
write_config "[fetch]" "feeds = $opml"
nd feeds add https://mine.example.org/feed.xml
nd feeds list
nd run
is 69 "run after a manual feeds add: that feed is fetched (and fails offline)"
hasnt out 'seeded' "run does not seed over feeds the user chose"
equal "$(sql 'SELECT count(*) FROM feeds')" 1 "only the user's feed is there"
rm -f store.db*

# a broken seed file: a clear error, nothing half-imported, tried again next run
write_config "[fetch]" "feeds = $T/broken.opml"
printf '<opml version="2.0"><body><outline xmlUrl="https://a.example/rss"' >broken.opml
nd run
is 65 "run with a broken feed list: exit 65"
has err "cannot parse '.*broken.opml': line 1" "names the file and the line"
has err "the feed list was not seeded" "says the feed list was not seeded"
equal "$(sql 'SELECT count(*) FROM feeds')" 0 "nothing half-imported"
cp "$opml" broken.opml
nd run
is 69 "once fixed, the next run seeds (and fetches, offline)"
equal "$(sql 'SELECT count(*) FROM feeds')" "$n" "all the feeds are seeded"

# a missing seed file
rm -f store.db*
rm broken.opml
nd run
is 65 "run with a missing feed list: exit 65"
has err "broken.opml" "names the missing file"
finish
