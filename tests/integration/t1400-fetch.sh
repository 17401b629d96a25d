#!/bin/sh
# newsdigest fetch (and feeds add's discovery, and run's fetch) against a
# private nginx: conditional GET, changed feeds, gzip, permanent and
# temporary redirects, redirect loops, 404/410/429, Cache-Control, slow and
# oversized bodies, redirects to other schemes, HTML error pages, malformed
# XML, per-host politeness, exit statuses, failing-feed call-outs and the
# User-Agent. Everything is checked in the report, the store and nginx's
# access log.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
servers_trap

# the interpreter itself, not a wrapper script (a pyenv shim costs 0.15 s a
# call), run with -S (no site packages needed) to start fast
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=python3

F=$FIX/t1400
W=$T/www
TAB=$(printf '\t')
UA='newsdigest-t1400/1.0 (+https://example.org/bot)'

# --- the document root ---------------------------------------------------------
mkdir -p "$W/gz" "$W/polite"
for f in feed.xml malformed.xml slow.xml error.html page-one.html page-two.html page-none.html; do
	cp "$F/$f" "$W/$f"
done
for f in one.xml direct.xml moved.xml temp.xml cached.xml gz/feed.xml run1.xml run2.xml; do
	cp "$F/feed.xml" "$W/$f"
done
# 300 KB, over max_bytes = 200K, with a Content-Length (static file)
"$PY" -S - "$W/big.xml" <<'EOF'
import sys
pad = "x" * 1000
items = "".join("<item><title>Big %d</title><guid>big-%d</guid><description>%s</description></item>\n"
                % (i, i, pad) for i in range(300))
open(sys.argv[1], "w").write('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Big</title>\n'
                             + items + "</channel></rss>\n")
EOF
# three feeds of ~1500 bytes served at 1000 bytes/s (about a second each)
for i in 1 2 3; do
	"$PY" -S - "$W/polite/p$i.xml" "$i" <<'EOF'
import sys
n = sys.argv[2]
doc = ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Polite %s</title>\n'
       '<item><title>Polite item %s</title><guid>polite-%s</guid><description>%s</description></item>\n'
       '</channel></rss>\n') % (n, n, n, "p" * 1400)
open(sys.argv[1], "w").write(doc)
EOF
done
# fixed modification times: fixed Last-Modified and ETag values
touch -d '2024-01-05 00:00:00 UTC' "$W/feed.xml"

# shellcheck disable=SC2034 # read by nginx_start
NGINX_EXTRA='
        location = /r1 { return 301 /r2; }
        location = /r2 { return 301 /moved.xml; }
        location = /t1 { return 302 /temp.xml; }
        location = /loop { return 301 /loop; }
        location = /gone.xml { return 410; }
        location = /busy.xml { add_header Retry-After 3600 always; return 429; }
        location = /cached.xml { add_header Cache-Control "max-age=7200"; }
        location = /slow.xml { limit_rate 100; }
        location = /tofile { return 301 file:///etc/passwd; }
        location /gz/ { gzip on; gzip_types *; gzip_min_length 1; }
        location /polite/ { limit_rate 1000; }'
# a second access log with times: when each request started and ended
# shellcheck disable=SC2034 # read by nginx_start
NGINX_HTTP_EXTRA="
    log_format timing '\$msec \$request_time \$uri';
    access_log $T/timing.log timing;"
nginx_start "$W"
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "nginx starts" "$SERVERS_ERROR"; finish; exit 1; }
U=$NGINX_URL
LOG=$(nginx_log)

# --- helpers ---------------------------------------------------------------------
# re TEXT: TEXT as an extended regular expression matching itself
# shellcheck disable=SC2016 # a sed program, not an expansion
re() { printf '%s' "$1" | sed 's/[].[*^$()+?{}|\\/]/\\&/g'; }
# hits URI [STATUS]: requests for URI (and with STATUS) in the access log
hits() {
	awk -F'\t' -v u="$1" -v s="${2:-}" '
		{ split($1, a, " "); if (a[2] == u && (s == "" || a[3] == s)) n++ }
		END { print n + 0 }' "$LOG"
}
# sync: wait until nginx has logged every request made so far
_sync=0
sync_log() {
	_sync=$((_sync + 1))
	curl -s -o /dev/null --max-time 5 "$U/sync-$_sync"
	nginx_log_wait "^GET /sync-$_sync " || true
}
FETCH_KEYS="timeout = 5
connect_timeout = 2
low_speed_time = 2
low_speed_bytes = 1000
max_bytes = 200K
max_redirects = 5
failing_after = 3
summary_chars = 300
user_agent = $UA"
# conf NAME [LINE...]: $T/NAME.ini (store $T/NAME.db) with the [fetch]
# keys above and the lines given, which go in [fetch]
conf() {
	_name=$1; shift
	# (the keys are split on newlines, the extra lines kept whole)
	_old_ifs=$IFS; IFS='
'
	# shellcheck disable=SC2086
	other_config "$_name" "[fetch]" $FETCH_KEYS "$@"
	IFS=$_old_ifs
}
now() { date +%s; }
# within VALUE LOW HIGH DESC
within() {
	if [ -n "$1" ] && [ "$1" -ge "$2" ] 2>/dev/null && [ "$1" -le "$3" ]; then _ok "$4"
	else _notok "$4" "got '$1', expected $2..$3"; fi
}

# --- a good feed: 200, then 304 --------------------------------------------------
_old_ifs=$IFS; IFS='
'
# shellcheck disable=SC2086
write_config "[fetch]" $FETCH_KEYS
IFS=$_old_ifs

nd feeds add --no-check "$U/feed.xml"
is 0 "feeds add --no-check of the local feed"
nd fetch
is 0 "fetch of a good feed exits 0"
has out "^ok +$(re "$U/feed.xml"): 3 new, 0 updated$" "the report says ok, 3 new"
has out '^fetched 1 feeds: 1 ok \(3 new items, 0 updated\), 0 not modified, 0 failed, 0 gone, 0 moved; 0 not due yet$' \
	"the report ends with the totals"
equal "$(sql 'SELECT count(*) FROM items')" 3 "three items are stored"
equal "$(sql "SELECT group_concat(title, '|') FROM (SELECT title FROM items ORDER BY published_at)")" \
	'Alpha arrives|Beta begins|Gamma goes' "with their titles"
equal "$(sql "SELECT group_concat(url, ' ') FROM (SELECT url FROM items ORDER BY published_at)")" \
	'https://news.example.org/alpha https://news.example.org/beta https://news.example.org/gamma' \
	"with their links"
equal "$(sql "SELECT group_concat(typeof(published_at) || ':' || published_at, ' ') FROM
	(SELECT published_at FROM items ORDER BY published_at)")" \
	'integer:1704067200 integer:1704196800 integer:1704256200' \
	"published dates are integers (UTC seconds, time zones applied)"
equal "$(sql "SELECT status || '|' || failures || '|' || coalesce(error, 'NULL') || '|' || feed_title FROM feeds")" \
	'ok|0|NULL|Fixture News' "the feed's status is ok, with the feed's own title"
equal "$(sql 'SELECT count(*) FROM items WHERE updated_at IS NOT NULL')" 0 "no item is marked updated"

curl -s -D "$T/head" -o /dev/null "$U/feed.xml"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$T/head" | tr -d '\r')
lastmod=$(sed -n 's/^[Ll]ast-[Mm]odified: *//p' "$T/head" | tr -d '\r')
equal "$(sql 'SELECT etag FROM feeds')" "$etag" "the ETag is stored as sent"
equal "$(sql 'SELECT last_modified FROM feeds')" "$lastmod" "the Last-Modified is stored as sent"

sync_log
line=$(grep '^GET /feed.xml 200 ' "$LOG" | head -1)
case $line in
*"${TAB}ua=$UA$TAB"*) pass "the User-Agent sent is [fetch] user_agent" ;;
*) fail "the User-Agent sent is [fetch] user_agent" "line: $line" ;;
esac
case $line in
*"${TAB}inm=${TAB}ims=$TAB"*) pass "the first fetch sends no validators" ;;
*) fail "the first fetch sends no validators" "line: $line" ;;
esac

fetched_at=$(sql 'SELECT group_concat(fetched_at) FROM items')
nd fetch --force
is 0 "fetch --force of an unchanged feed exits 0"
has out "^not modified +$(re "$U/feed.xml")$" "the report says not modified"
has out ', 1 not modified, ' "the totals count it as not modified"
sync_log
n304=$(awk -F'\t' -v inm="inm=$etag" -v ims="ims=$lastmod" \
	'$1 ~ /^GET \/feed\.xml 304 / && $3 == inm && $4 == ims { n++ } END { print n + 0 }' "$LOG")
equal "$n304" 1 "the second fetch sent If-None-Match and If-Modified-Since and got 304"
equal "$(sql 'SELECT count(*) FROM items')" 3 "nothing new is stored after a 304"
equal "$(sql 'SELECT count(*) FROM items WHERE updated_at IS NOT NULL')" 0 "no updated_at is set after a 304"
equal "$(sql 'SELECT group_concat(fetched_at) FROM items')" "$fetched_at" "the items are untouched"
equal "$(sql "SELECT status || '|' || failures FROM feeds")" 'ok|0' "the feed stays ok"

# --- a changed feed: one new item, one retitled ------------------------------------
beta_id=$(sql "SELECT id FROM items WHERE guid = 'https://news.example.org/beta'")
cp "$F/feed-changed.xml" "$W/feed.xml"
touch -d '2024-01-06 00:00:00 UTC' "$W/feed.xml"
nd fetch
is 0 "fetch of a changed feed exits 0"
has out "^ok +$(re "$U/feed.xml"): 1 new, 1 updated$" "the report says 1 new, 1 updated"
has out '\(1 new items, 1 updated\)' "the totals count them"
equal "$(sql 'SELECT count(*) FROM items')" 4 "one row more"
equal "$(sql "SELECT id || '|' || title FROM items WHERE guid = 'https://news.example.org/beta'")" \
	"$beta_id|Beta begins, corrected" "the retitled item is updated in place (same row)"
equal "$(sql 'SELECT guid FROM items WHERE updated_at IS NOT NULL')" 'https://news.example.org/beta' \
	"only the retitled item has updated_at"
equal "$(sql "SELECT published_at FROM items WHERE guid = 'https://news.example.org/delta'")" 1704355200 \
	"the new item is stored with its date"

# --- --feed, gzip, redirects, malformed XML -------------------------------------------
for p in gz/feed.xml r1 t1 malformed.xml; do
	nd feeds add --no-check "$U/$p"
done
sync_log
nd fetch --feed "$U/gz/feed.xml"
is 0 "fetch --feed of a gzip-encoded feed exits 0"
has out "^ok +$(re "$U/gz/feed.xml"): 3 new, 0 updated$" "the gzip-encoded feed is parsed"
has out '^fetched 1 feeds: ' "--feed fetches that feed only"
sync_log
equal "$(hits /r1)$(hits /malformed.xml)$(hits /feed.xml 304)" 001 "--feed requested no other feed"
gzline=$(grep '^GET /gz/feed.xml 200 ' "$LOG" | head -1)
case $gzline in
*"${TAB}ae="*gzip*) pass "fetch offers gzip (Accept-Encoding)" ;;
*) fail "fetch offers gzip (Accept-Encoding)" "line: $gzline" ;;
esac
sent=$(echo "$gzline" | awk -F'\t' '{ split($1, a, " "); print a[4] }')
size=$(wc -c <"$W/gz/feed.xml" | tr -d ' ')
if [ -n "$sent" ] && [ "$sent" -lt "$size" ]; then pass "nginx sent it compressed ($sent < $size bytes)"
else fail "nginx sent it compressed" "sent '$sent', file $size bytes"; fi
equal "$(sql "SELECT count(*) FROM items JOIN feeds ON feeds.id = items.feed WHERE feeds.url = '$U/gz/feed.xml'")" 3 \
	"the gzip feed's items are stored"

nd fetch --feed "$U/r1"
is 0 "fetch through two 301 redirects exits 0"
has out "^ok +$(re "$U/r1"): 3 new, 0 updated$" "the redirected feed is fetched"
has out "^moved +$(re "$U/r1") -> $(re "$U/moved.xml")" "the report says moved, with the final URL"
has out ', 1 moved; ' "the totals count it as moved"
equal "$(sql "SELECT count(*) FROM feeds WHERE url = '$U/moved.xml'")" 1 "the stored URL is now the final one"
equal "$(sql "SELECT count(*) FROM feeds WHERE url = '$U/r1'")" 0 "the old URL is gone from the list"
sync_log
equal "$(hits /r1 301)$(hits /r2 301)$(hits /moved.xml 200)" 111 "the chain was /r1 -> /r2 -> /moved.xml"
nd fetch --feed "$U/moved.xml"
is 0 "fetch --feed of the new URL exits 0"
has out "^not modified +$(re "$U/moved.xml")$" "the moved feed is fetched at its new address (304)"
sync_log
equal "$(hits /r1)" 1 "the old address is not requested again"

nd fetch --feed "$U/t1"
is 0 "fetch through a 302 exits 0"
has out "^ok +$(re "$U/t1"): 3 new, 0 updated$" "the temporarily redirected feed is fetched"
hasnt out '^moved ' "a 302 is not reported as moved"
equal "$(sql "SELECT count(*) FROM feeds WHERE url = '$U/t1'")" 1 "after a 302 the stored URL is unchanged"
equal "$(sql "SELECT count(*) FROM feeds WHERE url = '$U/temp.xml'")" 0 "the temporary target is not stored"
# The stored validators came with temp.xml's response: they must reach
# temp.xml (the 302 may be ignored), or such a feed never gets a 304.
temp_etag=$(sql "SELECT etag FROM feeds WHERE url = '$U/t1'")
nd fetch --feed "$U/t1"
is 0 "a second fetch through the 302 exits 0"
has out "^not modified +$(re "$U/t1")$" "an unchanged feed behind a 302 is not modified (304)"
sync_log
equal "$(awk -F'\t' -v inm="inm=$temp_etag" '$1 ~ /^GET \/temp\.xml / && $3 == inm { n++ } END { print n + 0 }' "$LOG")" 1 \
	"the stored ETag was sent to the redirect's target"

nd fetch --feed "$U/malformed.xml"
is 0 "fetch of malformed XML exits 0"
has out "^ok +$(re "$U/malformed.xml"): [0-9]+ new, 0 updated \(malformed XML, recovered\)$" \
	"the report says the XML was recovered"
equal "$(sql "SELECT count(*) FROM items JOIN feeds ON feeds.id = items.feed
	WHERE feeds.url = '$U/malformed.xml' AND items.title = 'Good item'
	AND items.url = 'https://malformed.example.org/good'")" 1 "the good item before the damage is stored"
equal "$(sql "SELECT status FROM feeds WHERE url = '$U/malformed.xml'")" ok "the recovered feed's status is ok"

# some feeds fail, some do not: exit 0
nd feeds add --no-check "$U/missing-main.xml"
nd fetch --force
is 0 "fetch where one feed of six fails exits 0"
has out "^error +$(re "$U/missing-main.xml"): HTTP 404" "the failing feed is reported"
has out '^fetched 6 feeds: .*, 1 failed, 0 gone, ' "the totals: 6 fetched, 1 failed"
hasnt err 'every feed failed' "it does not say every feed failed"

# --- usage errors ---------------------------------------------------------------
nd fetch --feed "$U/unknown.xml"
is 65 "fetch --feed with a URL not in the list exits 65"
has err 'not in the feed list' "it says the URL is not in the list"
nd fetch --jobs 0
is 64 "fetch --jobs 0 exits 64"
nd fetch --jobs x
is 64 "fetch --jobs x exits 64"
nd fetch extra
is 64 "fetch with an argument exits 64"

# --- failing feeds ----------------------------------------------------------------
conf bad
export NEWSDIGEST_CONFIG="$T/bad.ini"
for p in missing.xml gone.xml busy.xml loop slow.xml big.xml tofile error.html; do
	nd feeds add --no-check "$U/$p"
done
bsql() { sqlo bad "$1"; }
before=$(now)
nd fetch
after=$(now)
is 69 "fetch with only failing feeds exits 69"
has err 'every feed failed' "it says every feed failed"
has out "^error +$(re "$U/missing.xml"): HTTP 404" "404: an error with HTTP 404"
has out "^gone +$(re "$U/gone.xml"): 410 Gone" "410: the report says gone"
has out "^error +$(re "$U/busy.xml"): HTTP 429" "429: an error with HTTP 429"
has out "^error +$(re "$U/loop"): more than 5 redirects" "a redirect loop: more than 5 redirects"
has out "^error +$(re "$U/slow.xml"): slower than 1000 bytes/s for 2 s" "a slow body: aborted as slower than the limit"
has out "^error +$(re "$U/big.xml"): .*larger than" "an oversized body: larger than max_bytes"
has out "^error +$(re "$U/tofile"): .*only http and https" "a redirect to file:// is refused (only http and https)"
hasnt out 'root:' "nothing of /etc/passwd is read"
has out "^error +$(re "$U/error.html"): .*an HTML page, not a feed" "an HTML page served as 200: not a feed"
has out '^fetched 8 feeds: 0 ok \(0 new items, 0 updated\), 0 not modified, 7 failed, 1 gone, 0 moved; 0 not due yet$' \
	"the totals: 7 failed, 1 gone"
equal "$(bsql 'SELECT count(*) FROM items')" 0 "no item is stored from failing feeds"
equal "$(bsql "SELECT disabled || '|' || status FROM feeds WHERE url = '$U/gone.xml'")" '1|error' "410: the feed is disabled"
equal "$(bsql "SELECT count(*) FROM feeds WHERE disabled = 0 AND status = 'error' AND failures = 1")" 7 \
	"each other feed has one failure recorded"
equal "$(bsql "SELECT error FROM feeds WHERE url = '$U/missing.xml'")" 'HTTP 404 Not Found' "the error is stored"
loop_next=$(bsql "SELECT next_fetch_at FROM feeds WHERE url = '$U/loop'")
within "$loop_next" $((after + 1)) $((after + 86400)) "the loop's next_fetch_at is in the future"
busy_next=$(bsql "SELECT next_fetch_at FROM feeds WHERE url = '$U/busy.xml'")
within "$busy_next" $((before + 3600 - 60)) $((after + 3600 + 60)) "429 with Retry-After: 3600: next fetch in an hour"
sync_log
loop_hits=$(hits /loop)
gone_hits=$(hits /gone.xml)
equal "$(hits /loop 301)" 6 "the loop was followed 5 times, not more"

nd fetch
is 0 "a plain fetch right after exits 0 (nothing was due)"
has out '^fetched 0 feeds: .* 7 not due yet$' "it skips the failed feeds as not due"
sync_log
equal "$(hits /loop)|$(hits /gone.xml)" "$loop_hits|$gone_hits" "nothing was requested"

nd fetch --force
is 69 "fetch --force tries them again (exit 69)"
equal "$(bsql "SELECT failures FROM feeds WHERE url = '$U/loop'")" 2 "the loop now has 2 failures"
hasnt out 'failing for' "no call-out before failing_after runs"
sync_log
equal "$(hits /gone.xml)" "$gone_hits" "the disabled (gone) feed is not fetched again, even with --force"

nd fetch --force
is 69 "a third failing run exits 69"
has out "^failing for 3 runs in a row: $(re "$U/loop")" "after 3 failures in a row the report calls the feed out"
has out "^failing for 3 runs in a row: $(re "$U/missing.xml"): HTTP 404" "the call-out gives the last error"
hasnt out "failing for .*$(re "$U/gone.xml")" "the disabled feed is not called out"
nd fetch --feed "$U/gone.xml"
is 65 "fetch --feed of the disabled (gone) feed exits 65"
has err 'disabled' "it says the feed is disabled"

# --- Cache-Control max-age ----------------------------------------------------------
conf cache
export NEWSDIGEST_CONFIG="$T/cache.ini"
nd feeds add --no-check "$U/cached.xml"
before=$(now)
nd fetch
after=$(now)
is 0 "fetch of a feed with Cache-Control: max-age=7200 exits 0"
within "$(sqlo cache 'SELECT next_fetch_at FROM feeds')" $((before + 7200 - 60)) $((after + 7200 + 60)) \
	"next_fetch_at is two hours later"
nd fetch
is 0 "a plain fetch right after exits 0"
has out '^fetched 0 feeds: .*; 1 not due yet$' "it skips the feed as not due"
sync_log
equal "$(hits /cached.xml)" 1 "the cached feed was requested once"

# --- per-host politeness ---------------------------------------------------------
conf polite "per_host = 1" "concurrency = 8"
export NEWSDIGEST_CONFIG="$T/polite.ini"
for i in 1 2 3; do nd feeds add --no-check "$U/polite/p$i.xml"; done
nd fetch
is 0 "fetch of three feeds of one host with per_host = 1 exits 0"
equal "$(grep -c '^ok ' "$T/out")" 3 "all three are fetched"
sync_log
# each line: END DURATION URI; sorted by start, no request may start before
# the one before it ended (times are in ms)
overlap=$(awk '$3 ~ /^\/polite\// { printf "%.3f %.3f\n", $1 - $2, $1 }' "$T/timing.log" | sort -n |
	awk 'NR > 1 && $1 < end - 0.0005 { bad++ } { end = $2 } END { print NR ":" bad + 0 }')
equal "$overlap" "3:0" "the host's requests ran one at a time"

# --- feeds add discovery ---------------------------------------------------------------
conf disc
export NEWSDIGEST_CONFIG="$T/disc.ini"
dsql() { sqlo disc "$1"; }
nd feeds add "$U/direct.xml"
is 0 "feeds add of a feed URL exits 0"
has out "^added $(re "$U/direct.xml")$" "it says added"
equal "$(dsql "SELECT url || '|' || title FROM feeds")" "$U/direct.xml|Fixture News" "the feed is stored with its title"
nd feeds add "$U/page-one.html"
is 0 "feeds add of a page announcing one feed exits 0"
has out "$(re "$U/page-one.html") is a web page; its feed is $(re "$U/one.xml")" "it says which feed the page announces"
equal "$(dsql "SELECT group_concat(url, ' ') FROM (SELECT url FROM feeds ORDER BY position)")" \
	"$U/direct.xml $U/one.xml" "the announced feed's URL is stored, not the page's"
nd feeds add "$U/page-two.html"
is 65 "feeds add of a page announcing two feeds exits 65"
has err "$(re "$U/posts.xml")" "the first candidate is listed"
has err "$(re "$U/comments.atom")" "the second candidate is listed"
equal "$(dsql "SELECT count(*) FROM feeds")" 2 "nothing is stored"
nd feeds add "$U/page-none.html"
is 65 "feeds add of a page announcing no feed exits 65"
has err 'no feed' "it says the page announces no feed"
equal "$(dsql "SELECT count(*) FROM feeds")" 2 "nothing is stored"
nd feeds add 'http://127.0.0.1:1/x.xml'
is 0 "feeds add of an unreachable URL exits 0"
has err 'warning' "with a warning"
equal "$(dsql "SELECT count(*) FROM feeds WHERE url = 'http://127.0.0.1:1/x.xml'")" 1 "it is added as given"
sync_log
ua_bad=$(awk -F'\t' -v ua="ua=$UA" '$1 ~ /^GET \/(one\.xml|page-)/ && $2 != ua { n++ } END { print n + 0 }' "$LOG")
equal "$ua_bad" 0 "feeds add sends the configured User-Agent too"

# --- run ---------------------------------------------------------------------------------
cat >"$T/run.opml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>run</title></head><body>
<outline type="rss" text="Run one" xmlUrl="$U/run1.xml"/>
<outline type="rss" text="Run two" xmlUrl="$U/run2.xml"/>
</body></opml>
EOF
conf run "feeds = $T/run.opml"
export NEWSDIGEST_CONFIG="$T/run.ini"
nd run
is 0 "run with local feeds exits 0"
has out "^first run: 2 feeds seeded from " "the first run seeds the feed list"
has out "^ok +$(re "$U/run1.xml"): 3 new, 0 updated$" "run fetches the first feed"
has out "^ok +$(re "$U/run2.xml"): 3 new, 0 updated$" "run fetches the second feed"
equal "$(sqlo run 'SELECT count(*) FROM items')" 6 "run stores the items"

cat >"$T/off.opml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>off</title></head><body>
<outline type="rss" text="Missing" xmlUrl="$U/nowhere.xml"/>
<outline type="rss" text="Closed port" xmlUrl="http://127.0.0.1:1/feed.xml"/>
</body></opml>
EOF
conf off "feeds = $T/off.opml"
export NEWSDIGEST_CONFIG="$T/off.ini"
nd run
is 69 "run where every feed fails exits 69"
has err 'every feed failed' "it says every feed failed"
equal "$(sqlo off "SELECT count(*) FROM feeds WHERE status = 'error' AND failures = 1")" 2 "both failures are recorded"

finish
