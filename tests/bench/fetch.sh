#!/bin/sh
# Benchmark: fetch 500 RSS 2.0 feeds of 50 items each (about 18 MB) from a
# private nginx on loopback, cold (nothing known: 500 x 200) and warm (the
# validators stored by the cold run: 500 x 304 when the tool sends them).
# The same feeds, in the same run, go to newsdigest and to Debian's
# newsboat (16 reload threads) and rss2email (one feed at a time: it has
# no setting for more); peers that cannot be installed or run are
# reported and left out. Prints seconds and peak RSS per tool and run, and
# ratios taken in this one run (figures, not verdicts: the machines are
# noisy). Checks that newsdigest stored every item and that its warm run
# was answered with 304s only.
# usage: tests/bench/fetch.sh [PATH/TO/newsdigest] [FEEDS] [ITEMS]
#   environment: BENCH_TIMEOUT  seconds one tool run may take (default 900)
#                BENCH_KEEP     set: keep the work folder (logs, stores)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# the feed generator shared with the other benchmark
feedgen=$(cat "$top/tests/bench/feedgen.awk")
nd=${1:-$top/newsdigest}
feeds=${2:-500}
items=${3:-50}
jobs=16
limit=${BENCH_TIMEOUT:-900}
case $nd in /*) ;; *) nd=$(pwd)/$nd ;; esac
[ -x "$nd" ] || { echo "no newsdigest binary at $nd (run make first)"; exit 1; }

# Peers and tools from Debian, installed when missing.
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
need=
for p in nginx:nginx-light curl:curl sqlite3:sqlite3 newsboat:newsboat r2e:rss2email; do
	command -v "${p%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${p%%:*}" ] || need="$need ${p#*:}"
done
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
	echo "installing:$need"
	# shellcheck disable=SC2086
	$sudo apt-get install -y $need >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y $need >/dev/null 2>&1; } ||
		echo "could not install some of:$need (the tools that are missing are skipped)"
fi
for p in nginx curl sqlite3; do
	command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || { echo "$p is needed and missing"; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed and missing"; exit 1; }

work=$(mktemp -d /tmp/nd-bench.XXXXXX)
T=$work # servers.sh keeps nginx's files in $T/nginx
export T
# shellcheck source=SCRIPTDIR/../lib/servers.sh
. "$top/tests/lib/servers.sh"
child=
# shellcheck disable=SC2317 # (called by the trap)
cleanup() {
	# a tool still running (signal): timeout passes TERM to its group
	[ -z "$child" ] || { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null || :; }
	nginx_stop || :
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"
# a copy: a rebuild of the tree during the run changes nothing here
cp "$nd" ./newsdigest && nd=$work/newsdigest
# the peers keep their state under $HOME: give them one of their own
mkdir home
HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
XDG_CACHE_HOME=$work/home/.cache
export HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME
LC_ALL=C.UTF-8; export LC_ALL
unset NEWSDIGEST_CONFIG || :

# --- the feeds ----------------------------------------------------------------
# Item i of feed f: a title of 40-90 bytes, a description of about 300 bytes
# of HTML (360 escaped in the file), a link, a non-permalink guid, two
# categories, and a pubDate 3 hours older than item i-1, counted back from
# now.
mkdir -p www/feeds
awk -v nfeeds="$feeds" -v nitems="$items" -v now="$(date +%s)" -v dir=www/feeds "$feedgen"'
BEGIN {
	feedgen_init()
	for (f = 1; f <= nfeeds; f++) {
		file = sprintf("%s/f%04d.xml", dir, f)
		printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
			"<rss version=\"2.0\">\n<channel>\n" \
			"<title>Bench Source %d: %s</title>\n" \
			"<link>https://source%d.example.org/</link>\n" \
			"<description>News from bench source %d about %s</description>\n" \
			"<language>en</language>\n<lastBuildDate>%s</lastBuildDate>\n" \
			"<ttl>60</ttl>\n", f, words(3, f), f, f, words(4, f + 3), rfc822(now - f * 60) >file
		for (i = 1; i <= nitems; i++) {
			s = f * 131 + i * 17
			t = words(4 + s % 6, s)
			link = sprintf("https://source%d.example.org/%04d/news/%s-%d", f, 2000 + i % 27, w[1 + s % nw], i)
			printf "<item>\n<title>%s %s, %d (%d)</title>\n<link>%s</link>\n" \
				"<guid isPermaLink=\"false\">urn:bench:source%d:item%d</guid>\n" \
				"<pubDate>%s</pubDate>\n<category>%s</category><category>%s</category>\n" \
				"<description>&lt;p&gt;%s. The %s said on %s that the %s &lt;a href=&quot;%s&quot;&gt;would be " \
				"reviewed&lt;/a&gt; &amp;amp; %s.&lt;/p&gt;&lt;p&gt;%s &#8212; %s.&lt;/p&gt;</description>\n" \
				"</item>\n",
				toupper(substr(t, 1, 1)) substr(t, 2), w[1 + (s + 5) % nw], f, i, link,
				f, i, rfc822(now - f * 60 - i * 10800), w[1 + s % nw], w[1 + (s + 11) % nw],
				words(4, s + 1), w[1 + (s + 2) % nw], w[1 + (s + 3) % nw], words(3, s + 4), link,
				words(4, s + 5), words(5, s + 6), words(4, s + 7) >file
		}
		printf "</channel>\n</rss>\n" >file
		close(file)
	}
}'
bytes=$(cat www/feeds/*.xml | wc -c)

nginx_start www || { echo "nginx could not start: $SERVERS_ERROR"; exit 1; }
log=$(nginx_log)
i=1
while [ "$i" -le "$feeds" ]; do
	printf '%s/feeds/f%04d.xml bench%04d\n' "$NGINX_URL" "$i" "$i"
	i=$((i + 1))
done >urls.txt
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<opml version="2.0"><head><title>bench</title></head><body>'
	awk '{ printf "<outline type=\"rss\" text=\"%s\" title=\"%s\" xmlUrl=\"%s\"/>\n", $2, $2, $1 }' urls.txt
	echo '</body></opml>'
} >feeds.opml

# --- measuring ----------------------------------------------------------------
# run LABEL COMMAND...: LABEL.time gets "seconds max_rss_kib user_s sys_s",
# LABEL.out and LABEL.err what it printed, LABEL.log the access log lines
# of its requests, LABEL.status "STATUS COUNT" lines. Returns the
# command's status (124: it ran out of time). The command runs in the
# background so that a signal stops the benchmark at once: the shell runs
# traps only between foreground commands, but interrupts a wait.
lines() { wc -l <"$log" | tr -d ' '; }
run() {
	label=$1; shift
	before=$(lines)
	st=0
	timeout "$limit" /usr/bin/time -f '%e %M %U %S' -o "$label.time" "$@" \
		</dev/null >"$label.out" 2>"$label.err" &
	child=$!
	wait "$child" || st=$?
	child=
	# nginx logs a request after answering it: wait (bounded) for the lines
	want=$((before + feeds)) n=0
	while [ "$(lines)" -lt "$want" ] && [ "$n" -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
	tail -n "+$((before + 1))" "$log" >"$label.log"
	awk '{ n[$3]++ } END { for (s in n) print s, n[s] }' "$label.log" | sort >"$label.status"
	return "$st"
}
statuses() { # "200 x500" or "200 x498, 404 x2"
	awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $1, $2 }' "$1.status"
}
failed() { # failed LABEL STATUS: say why a run failed
	if [ "$2" = 124 ]; then echo "  $1: stopped after ${limit}s"
	else echo "  $1: exit status $2"; fi
	tail -n 5 "$1.err" "$1.out" 2>/dev/null | sed 's/^/    /'
}
skipped=

echo "feeds:  $feeds x $items items, $((bytes / 1024)) KiB, served by nginx at $NGINX_URL"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') ($(nproc) cores)"
echo "concurrency: $jobs for newsdigest and newsboat; newsdigest per_host = $jobs too: every"
echo "             feed is on one host (127.0.0.1), so a lower per_host would be the only"
echo "             limit; rss2email fetches one feed at a time (it has no setting for more)"
echo

# --- newsdigest ---------------------------------------------------------------
cat >nd.ini <<EOF
[store]
path = $work/nd.db
[fetch]
feeds = $work/feeds.opml
max_feeds = $((feeds + 10))
concurrency = $jobs
per_host = $jobs
timeout = 30
EOF
"$nd" -c nd.ini -q feeds import feeds.opml >nd_import.out 2>&1 ||
	{ echo "newsdigest feeds import failed:"; cat nd_import.out; exit 1; }
st=0; run nd_cold "$nd" -c nd.ini fetch || st=$?
[ "$st" = 0 ] || { echo "newsdigest cold fetch failed:"; failed nd_cold "$st"; exit 1; }
nd_items=$(sqlite3 nd.db 'SELECT count(*) FROM items')
st=0; run nd_warm "$nd" -c nd.ini fetch --force || st=$?
[ "$st" = 0 ] || { echo "newsdigest warm fetch failed:"; failed nd_warm "$st"; exit 1; }
nd_items_after=$(sqlite3 nd.db 'SELECT count(*) FROM items')
nd_ok=$(sqlite3 nd.db "SELECT count(*) FROM feeds WHERE status = 'ok'")
echo "newsdigest cold: $(tail -n 1 nd_cold.out)"
echo "newsdigest warm: $(tail -n 1 nd_warm.out)"

# --- newsboat -----------------------------------------------------------------
nb=
if command -v newsboat >/dev/null 2>&1; then
	awk '{ print $1 }' urls.txt >nb.urls
	cat >nb.conf <<EOF
reload-threads $jobs
download-timeout 30
max-items 0
show-read-feeds yes
EOF
	# Newsboat 2.21 writes a feed's ETag and Last-Modified before the
	# feed's row exists on its first fetch, so they are lost: its second
	# run sends no validators and gets 200s again. Its warm run is the
	# third, the first that can be answered with 304s.
	for r in cold second warm; do
		st=0; run "nb_$r" newsboat -u nb.urls -c nb.db -C nb.conf -x reload || st=$?
		[ "$st" = 0 ] || { echo "newsboat $r reload failed:"; failed "nb_$r" "$st"; break; }
		[ "$r" = warm ] && nb=yes
	done
	[ -n "$nb" ] && nb_items=$(sqlite3 nb.db 'SELECT count(*) FROM rss_item' 2>/dev/null || echo '?')
else
	echo "newsboat: not installed (apt-get install newsboat failed), skipped"
fi
[ -n "$nb" ] || skipped="$skipped newsboat"

# --- rss2email ----------------------------------------------------------------
r2=
if command -v r2e >/dev/null 2>&1; then
	if r2e -c r2e.cfg -d r2e.json new you@example.org >r2e_setup.out 2>&1 &&
	   r2e -c r2e.cfg -d r2e.json opmlimport feeds.opml >>r2e_setup.out 2>&1; then
		st=0; run r2e_cold r2e -c r2e.cfg -d r2e.json run --no-send || st=$?
		if [ "$st" = 0 ]; then
			st=0; run r2e_warm r2e -c r2e.cfg -d r2e.json run --no-send || st=$?
			if [ "$st" = 0 ]; then r2=yes
			else echo "rss2email warm run failed:"; failed r2e_warm "$st"; fi
		else
			echo "rss2email cold run failed:"; failed r2e_cold "$st"
		fi
	else
		echo "rss2email: could not set up its feeds:"; tail -n 5 r2e_setup.out | sed 's/^/    /'
	fi
else
	echo "rss2email: not installed (apt-get install rss2email failed), skipped"
fi
[ -n "$r2" ] || skipped="$skipped rss2email"

# --- figures --------------------------------------------------------------------
echo
printf '%-11s %7s %7s %7s %7s %8s %8s  %s\n' "" cold warm "cold" "warm" cold warm ""
printf '%-11s %7s %7s %7s %7s %8s %8s  %s\n' tool "s" "s" "CPU s" "CPU s" "RSS MiB" "RSS MiB" \
	"requests (cold; warm)"
row() { # row NAME LABEL
	read -r c_s c_kb c_u c_sy <"$2_cold.time"
	read -r w_s w_kb w_u w_sy <"$2_warm.time"
	awk -v n="$1" -v cs="$c_s" -v ws="$w_s" -v ck="$c_kb" -v wk="$w_kb" -v st="$3" \
	    -v cu="$c_u" -v csy="$c_sy" -v wu="$w_u" -v wsy="$w_sy" 'BEGIN {
		printf "%-11s %7.2f %7.2f %7.2f %7.2f %8.1f %8.1f  %s\n", n, cs, ws, cu + csy, wu + wsy,
			ck / 1024, wk / 1024, st
	}'
}
row newsdigest nd "$(statuses nd_cold); $(statuses nd_warm)"
[ -n "$nb" ] && row newsboat nb "$(statuses nb_cold); $(statuses nb_warm)"
[ -n "$r2" ] && row rss2email r2e "$(statuses r2e_cold); $(statuses r2e_warm)"
for p in $skipped; do printf '%-11s %7s %7s %7s %7s %8s %8s\n' "$p" n/a n/a n/a n/a n/a n/a; done

echo
read -r nd_cs nd_ck nd_cu nd_csy <nd_cold.time
read -r nd_ws nd_wk nd_wu nd_wsy <nd_warm.time
ratio() { # ratio PEER_LABEL NAME
	read -r c_s c_kb _ _ <"$1_cold.time"
	read -r w_s w_kb _ _ <"$1_warm.time"
	awk -v n="$2" -v cs="$c_s" -v ws="$w_s" -v ck="$c_kb" -v wk="$w_kb" \
	    -v ncs="$nd_cs" -v nws="$nd_ws" -v nck="$nd_ck" -v nwk="$nd_wk" 'BEGIN {
		if (ncs < 0.01) ncs = 0.01; if (nws < 0.01) nws = 0.01
		printf "ratio %s/newsdigest: time cold %.2fx, warm %.2fx; peak RSS cold %.2fx, warm %.2fx\n",
			n, cs / ncs, ws / nws, ck / nck, wk / nwk
	}'
}
[ -n "$nb" ] && ratio nb newsboat
[ -n "$r2" ] && ratio r2e rss2email
awk -v cs="$nd_cs" -v ws="$nd_ws" -v cc="$nd_cu + $nd_csy" -v wc="$nd_wu + $nd_wsy" 'BEGIN {
	split(cc, a, " [+] "); split(wc, b, " [+] "); cc = a[1] + a[2]; wc = b[1] + b[2]
	if (ws < 0.01) ws = 0.01; if (wc < 0.01) wc = 0.01
	printf "newsdigest cold/warm: time %.1fx, CPU %.1fx (goal: warm at least 5x faster than cold)\n",
		cs / ws, cc / wc
}'
if [ -n "$nb" ]; then
	read -r nb2_s _ _ _ <nb_second.time
	echo "newsboat stored $nb_items items; its warm figures are from its third run: newsboat 2.21"
	echo "  loses the validators of a feed's first fetch, so its second run got $(statuses nb_second)"
	echo "  in $nb2_s s"
fi
echo "newsdigest stored $nd_items items after the cold run ($nd_items_after after the warm one;" \
	"$nd_ok of $feeds feeds ok)"
warm304=$(awk '$1 == 304 { print $2 }' nd_warm.status)
echo "newsdigest warm run: $(statuses nd_warm) from nginx"

rc=0
[ "$nd_items" = $((feeds * items)) ] ||
	{ echo "expected $((feeds * items)) items stored, got $nd_items"; rc=1; }
if [ "${warm304:-0}" != "$feeds" ] || [ "$(wc -l <nd_warm.status)" != 1 ]; then
	echo "expected $feeds requests, all 304, in the warm run"; rc=1
fi
exit "$rc"
