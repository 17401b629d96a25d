#!/bin/sh
# Benchmark: compose a week's draft from a store of 100,000 curated items (a
# year of 500 feeds, 2025) and render its preview. Times `newsdigest
# compose --week 2025-W27` (a week in the middle of the year), then
# `preview FILE -o out.html` and `preview FILE --text`, and prints seconds
# and peak RSS for each (the median of a few runs, the highest RSS) and the
# items in the draft. Composing must not scan the whole store: the script
# prints SQLite's plan for compose's two window queries (the week's
# included items, the near misses; copied from src/compose/compose.c) and
# whether it goes through the items_when index, and composes the same way
# from a store ten times smaller (10,000 items over 36.5 days around the
# week, so the week holds as many items in both stores and only the rest of
# the store differs): the compose time ratio 100k/10k is near 1 when the
# window is indexed. For scale, the week's query alone in sqlite3, through
# the index and forced to scan. Figures, not verdicts.
# usage: tests/bench/compose.sh [PATH/TO/newsdigest] [ITEMS]
#   environment: BENCH_TIMEOUT  seconds one run may take (default 600)
#                BENCH_RUNS     runs of each command (default 5)
#                BENCH_KEEP     set: keep the work folder
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
nd=${1:-$top/newsdigest}
nitems=${2:-100000}
runs=${BENCH_RUNS:-5}
limit=${BENCH_TIMEOUT:-600}
case $nd in /*) ;; *) nd=$(pwd)/$nd ;; esac
[ -x "$nd" ] || { echo "no newsdigest binary at $nd (run make first)"; exit 1; }
nsmall=$((nitems / 10))
nfeeds=500

# Tools from Debian, installed when missing.
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
need=
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
	echo "installing:$need"
	# shellcheck disable=SC2086
	$sudo apt-get install -y $need >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y $need >/dev/null 2>&1; } ||
		echo "could not install some of:$need"
fi
for p in sqlite3 /usr/bin/time; do
	command -v "$p" >/dev/null 2>&1 || { echo "$p is needed and missing"; exit 1; }
done

work=$(mktemp -d /tmp/nd-bench.XXXXXX)
child=
# shellcheck disable=SC2317 # (called by the trap)
cleanup() {
	# a run still going (signal): timeout passes TERM to its group
	[ -z "$child" ] || { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null || :; }
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"
cp "$nd" ./newsdigest && nd=$work/newsdigest
LC_ALL=C.UTF-8; export LC_ALL
unset NEWSDIGEST_CONFIG || :

# The week: ISO 2025-W27 is Monday 30 June 2025 to Sunday 6 July (UTC);
# compose's window is the 7 days ([compose] window_days) before its end.
week=2025-W27
year_start=1735689600                  # 2025-01-01T00:00:00Z
week_start=$((year_start + 180 * 86400)) # 2025-06-30T00:00:00Z
week_end=$((week_start + 7 * 86400))
# the small store: a tenth of the items over a tenth of the year, centred on
# the week (the same items per day as the big one)
small_span=$((365 * 86400 / 10))
small_start=$((week_start + 7 * 86400 / 2 - small_span / 2))

# gen_sql N START SPAN: the SQL that fills a new store with FEEDS feeds and N
# items fetched at an even pace from START over SPAN seconds, each
# published up to two days before it was fetched (one in fifty without a
# date: compose then takes when it was fetched). Every item is curated:
# about 20% included, with a score from 2 and one to three topics (real ids
# and phrases of feeds/topics.ini, the first phrase in the title, its
# evidence JSON as the curator writes it); about 6% near misses (one topic,
# a score from 1 to 2); the rest scored 0. An item is its own story
# (cluster = id) but now and then joins the story of the items just
# before it, up to three. A Park-Miller generator with a fixed seed: every
# awk gives the same SQL. Reads the topic list on standard input.
gen_sql() {
	awk -v n="$1" -v start="$2" -v span="$3" -v nfeeds="$nfeeds" '
function rnd(k) { seed = seed * 16807 % 2147483647; return int(seed / 2147483647 * k) }
function q(s) { gsub(/\047/, "\047\047", s); return "\047" s "\047" }
function words(k,   s, i) {
	s = pick()
	for (i = 2; i <= k; i++) s = s " " pick()
	return s
}
# one word in six from the mandate vocabulary, the rest ordinary news
function pick() { return rnd(6) == 0 ? mw[1 + rnd(nmw)] : ow[1 + rnd(now)] }
function cap(s) { return toupper(substr(s, 1, 1)) substr(s, 2) }
# the phrases of each topic: plain ASCII ones, weights dropped
/^\[/ {
	t = $0; gsub(/[][]/, "", t)
	intopic = t != "reference"
	if (intopic) topic[++ntopics] = t
	next
}
intopic && /^en[ \t]*=/ {
	v = $0; sub(/^en[ \t]*=[ \t]*/, "", v)
	np = split(v, a, ";")
	for (i = 1; i <= np; i++) {
		p = a[i]; sub(/\^.*/, "", p); sub(/^[ \t]+/, "", p); sub(/[ \t]+$/, "", p)
		if (p ~ /^[A-Za-z0-9 -]+$/) phrase[ntopics, ++nphrase[ntopics]] = p
	}
}
END {
	seed = 20250630
	nmw = split("surveillance|national security|civil liberties|no-fly list|CSIS|RCMP|" \
		"terrorism|detention|privacy commissioner|facial recognition|oversight|watchdog|" \
		"Federal Court|charter rights|extradition|citizenship|border agents|metadata|" \
		"protesters|intelligence agency|public inquiry|torture|drone strikes|encryption", mw, "|")
	now = split("the|the|of|and|to|in|a|for|on|with|said|says|government|minister|city|" \
		"council|budget|year|people|new|report|week|police|court|federal|province|" \
		"election|vote|party|leader|housing|health|hospital|school|students|weather|" \
		"storm|hockey|game|team|season|market|prices|economy|jobs|workers|union|strike|" \
		"company|bank|rates|inflation|tax|plan|announced|Tuesday|Monday|Friday|officials|" \
		"residents|community|local|national|public|program|funding|million|percent|last|" \
		"first|more|after|before|Ottawa|Toronto|Canada|review|law|policy|data|security|" \
		"rights|agency|service|military|border|travel|privacy|airport|delivery|film", ow, "|")
	nplace = split("Ottawa Toronto Montreal Halifax Winnipeg Regina Calgary Edmonton " \
		"Vancouver Victoria Quebec Moncton Sudbury Kingston Hamilton London", place, " ")
	nkind = split("Ledger Tribune Herald Observer Chronicle Gazette Dispatch Monitor " \
		"Courier Review", kind, " ")
	print "PRAGMA foreign_keys = OFF;"
	print "BEGIN;"
	for (f = 1; f <= nfeeds; f++) {
		host = sprintf("feed%03d.example.org", f)
		failing = f % 167 == 0
		printf "INSERT INTO feeds (id, url, title, html_url, category, lang, position, " \
			"added_at, status, error, failures, last_fetched_at) VALUES (%d, %s, %s, %s, " \
			"%s, \047en\047, %d, %d, %s, %s, %d, %d);\n", f,
			q("https://" host "/rss.xml"), q(sprintf("%s %s %d", place[1 + f % nplace],
			kind[1 + f % nkind], f)), q("https://" host "/"), q(f % 3 ? "news" : "rights"),
			f, start - 30 * 86400, failing ? "\047error\047" : "\047ok\047",
			failing ? q("HTTP 503 Service Unavailable") : "NULL", failing ? 4 : 0,
			start + span
	}
	cl = 0; cllen = 0
	for (i = 1; i <= n; i++) {
		fetched = start + int((i - 0.5) * span / n)
		pub = rnd(50) == 0 ? "NULL" : fetched - rnd(172800)
		feed = 1 + rnd(nfeeds)
		if (cl && cllen < 3 && rnd(100) < 8) cllen++
		else { cl = i; cllen = 1 }
		r = rnd(100)
		ntop = r < 20 ? 1 + rnd(3) : r < 26 ? 1 : 0
		pre = ""; title = ""; sum = words(30 + rnd(20)) "."
		ev = ""; topics_sql = ""; score = 0
		for (k = 1; k <= ntop; k++) {
			# distinct topics
			do { t = 1 + rnd(ntopics); dup = 0; for (j = 1; j < k; j++) dup = dup || tk[j] == t } while (dup)
			tk[k] = t
			p = phrase[t, 1 + rnd(nphrase[t])]
			if (k == 1) {
				pre = rnd(2) ? cap(words(1 + rnd(3))) " " : ""
				title = pre p " " words(3 + rnd(6))
				if (pre == "") title = cap(title)
				field = "title"; pos = length(pre); pts = 2
			} else {
				pos = length(sum) + 1
				sum = sum " " cap(p) " " words(8 + rnd(8)) "."
				field = "summary"; pts = 1
			}
			tscore = r < 20 ? (k == 1 ? 2 + rnd(400) / 100 : 0.5 + rnd(150) / 100) : 1 + rnd(100) / 100
			score += tscore
			ev = sprintf("[{\"topic\":\"%s\",\"phrase\":\"%s\",\"field\":\"%s\",\"position\":%d,\"points\":%d}]",
				topic[t], p, field, pos, pts)
			topics_sql = topics_sql sprintf("INSERT INTO item_topics VALUES (%d, %s, %.2f, %s);\n",
				i, q(topic[t]), tscore, q(ev))
		}
		if (title == "") title = cap(words(5 + rnd(7)))
		url = sprintf("https://feed%03d.example.org/news/%d", feed, i)
		printf "INSERT INTO items (id, feed, guid, url, canonical_url, title, summary, " \
			"summary_text, author, published_at, fetched_at, lang, curated_at, score, " \
			"included, cluster) VALUES (%d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %d, " \
			"\047en\047, %d, %.2f, %d, %d);\n%s", i, feed, q("urn:bench:" i), q(url), q(url),
			q(title), q("<p>" sum "</p>"), q(sum), q(cap(ow[1 + rnd(now)]) " Staff"), pub,
			fetched, fetched + 600, score, r < 20, cl, topics_sql
	}
	print "COMMIT;"
}'
}

# build NAME N START SPAN: a store NAME.db and its config NAME.ini; the
# store is created and migrated by newsdigest itself, then filled in one
# transaction. Puts the seconds it took in NAME.build.
build() {
	printf '[store]\npath = %s/%s.db\n[curate]\ntopics = %s/feeds/topics.ini\n' \
		"$work" "$1" "$top" >"$1.ini"
	printf '[compose]\ndigests_dir = %s/%s-digests\ntemplates = %s/templates\n' \
		"$work" "$1" "$top" >>"$1.ini"
	mkdir -p "$1-digests"
	t0=$(date +%s)
	"$nd" -c "$1.ini" feeds list >/dev/null 2>"$1.err" ||
		{ echo "newsdigest cannot create the store:"; tail -n 5 "$1.err"; exit 1; }
	gen_sql "$2" "$3" "$4" <"$top/feeds/topics.ini" >"$1.sql"
	sqlite3 -bail "$1.db" <"$1.sql" >/dev/null 2>"$1.err" ||
		{ echo "cannot fill the store $1.db:"; tail -n 5 "$1.err"; exit 1; }
	echo $(($(date +%s) - t0)) >"$1.build"
	rm -f "$1.sql"
}

# measure LABEL COMMAND...: runs COMMAND >LABEL.out, appends "seconds
# max_rss_kib" to LABEL.time; returns the command's status (124: it ran out
# of time). In the background, so that a signal stops the benchmark at once.
measure() {
	label=$1; shift
	st=0
	timeout "$limit" /usr/bin/time -f '%e %M' -a -o "$label.time" "$@" \
		</dev/null >"$label.out" 2>"$label.err" &
	child=$!
	wait "$child" || st=$?
	child=
	return "$st"
}
run() { # run LABEL COMMAND...: measure BENCH_RUNS times, or stop with the reason
	k=0
	while [ "$k" -lt "$runs" ]; do
		st=0; measure "$@" || st=$?
		if [ "$st" != 0 ]; then
			if [ "$st" = 124 ]; then echo "$1: stopped after ${limit}s"
			else echo "$1: exit status $st"; fi
			tail -n 5 "$1.err" | sed 's/^/    /'
			exit 1
		fi
		k=$((k + 1))
	done
}
# median LABEL: "seconds max_rss_kib", the median time and the highest RSS
median() {
	sort -n "$1.time" | awk '{ s[NR] = $1; if ($2 > m) m = $2 }
		END { printf "%s %d\n", NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2, m }'
}

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') ($(nproc) cores)"
build big "$nitems" "$year_start" $((365 * 86400))
build small "$nsmall" "$small_start" "$small_span"
in_week() { # in_week NAME: included items and all items of the week
	sqlite3 "$1.db" "SELECT sum(included), count(*) FROM items
		WHERE coalesce(published_at, fetched_at) >= $week_start
		AND coalesce(published_at, fetched_at) < $week_end"
}
for s in big small; do
	case $s in big) n=$nitems; d="365 days" ;; *) n=$nsmall; d="36.5 days" ;; esac
	w=$(in_week "$s")
	printf '%-5s store: %6d items from %d feeds over %-9s %4d MiB, built in %ss; week %s: %d items, %d included\n' \
		"$s" "$n" "$nfeeds" "$d" $(($(wc -c <"$s.db") / 1048576)) "$(cat "$s.build")" "$week" \
		"${w#*|}" "${w%|*}"
done
echo

# The drafts: the first run writes it, the others replace the unedited draft.
for s in big small; do
	run "compose_$s" "$nd" -c "$s.ini" compose --week "$week"
done
draft=$work/big-digests/$week.md
[ -s "$draft" ] || { echo "compose wrote no $draft"; exit 1; }
run preview_html "$nd" -c big.ini preview "$draft" -o "$work/out.html"
run preview_text "$nd" -c big.ini preview "$draft" --text

# compose's report: "wrote FILE: issue N, 60 items in 9 sections, 10 near
# misses, 2 failing feeds (replaced the unedited draft)"
report=$(cat compose_big.out compose_big.err | grep '^wrote ' | tail -n 1 | sed "s|$work/||" || :)
items=$(echo "$report" | sed -n 's/.*, \([0-9]*\) items in .*/\1/p')
echo "draft: ${items:-?} items ($(wc -c <"$draft" | tr -d ' ') bytes); compose said: $report"
echo "preview: $(wc -c <out.html | tr -d ' ') bytes of HTML, $(wc -c <preview_text.out | tr -d ' ') bytes of text"
echo
printf '%-34s %7s %8s   (median of %d runs, highest RSS)\n' run s "RSS MiB" "$runs"
row() { # row TEXT LABEL
	median "$2" | awk -v t="$1" '{ printf "%-34s %7.2f %8.1f\n", t, $1, $2 / 1024 }'
}
row "compose --week $week ($nitems)" compose_big
row "preview -o out.html" preview_html
row "preview --text" preview_text
row "compose --week $week ($nsmall)" compose_small
echo

# The window queries, as src/compose/compose.c writes them (ITEM_COLUMNS,
# compose_select and select_near); ?1 and ?2 are the window.
cols="i.id, i.title, i.url, i.summary_text, coalesce(f.title, f.feed_title, f.url),
 coalesce(i.published_at, i.fetched_at), coalesce(i.score, 0),
 (SELECT group_concat(topic, ',') FROM (SELECT topic FROM item_topics
  WHERE item = i.id ORDER BY score DESC, topic)),
 (SELECT group_concat(DISTINCT json_extract(e.value, '\$.phrase'))
  FROM item_topics it, json_each(it.evidence) e WHERE it.item = i.id)"
when="coalesce(i.published_at, i.fetched_at)"
week_q="SELECT $cols, coalesce(i.cluster, i.id) FROM items i JOIN feeds f ON f.id = i.feed
 WHERE $when >= ?1 AND $when < ?2 AND i.included = 1
 ORDER BY i.score DESC, $when DESC, i.id"
near_q="SELECT $cols FROM items i JOIN feeds f ON f.id = i.feed
 WHERE $when >= ?1 AND $when < ?2 AND i.included = 0
 AND i.score > 0 AND i.score >= ?3 ORDER BY i.score DESC, i.id LIMIT ?4"
plan() { # plan NAME QUERY [all]: the lines on the items (all: the whole plan)
	sqlite3 big.db "EXPLAIN QUERY PLAN $2" >plan.txt 2>&1 || :
	echo "query plan, $1:"
	if [ -n "${3:-}" ]; then sed 's/^/    /' plan.txt
	else grep -E '(SEARCH|SCAN) i( |$)' plan.txt | sed 's/^/    /' || sed 's/^/    /' plan.txt; fi
	if grep -q 'USING INDEX items_when' plan.txt; then
		echo "  OK: the window is read through items_when"
	else
		echo "  WARNING: no 'USING INDEX items_when' in the plan: the window may scan the store"
	fi
}
plan "the week's items (compose_select)" "$week_q" all
plan "near misses (select_near)" "$near_q"
echo

# For scale: the week's query alone in sqlite3, through the index and made
# to scan (NOT INDEXED), each run five times; the median of sqlite3's timer.
bound() { # bound [NOT INDEXED]: the week's query with the window filled in
	echo "$week_q" | sed -e "s/?1/$week_start/; s/?2/$week_end/" \
		-e "s/FROM items i JOIN/FROM items i ${1:-} JOIN/"
}
timed() { # timed FILE: milliseconds, the median of five runs
	{ echo ".timer on"; echo ".output /dev/null"; for _ in 1 2 3 4 5; do cat "$1"; echo ";"; done; } |
		sqlite3 big.db 2>&1 | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | sort -n |
		awk '{ s[NR] = $1 } END { printf "%.1f", NR ? s[int((NR + 1) / 2)] * 1000 : -1 }'
}
bound >q_index.sql
bound "NOT INDEXED" >q_scan.sql
ms_index=$(timed q_index.sql)
ms_scan=$(timed q_scan.sql)

read -r big_s _ <<EOF
$(median compose_big)
EOF
read -r small_s _ <<EOF
$(median compose_small)
EOF
awk -v b="$big_s" -v s="$small_s" -v nb="$nitems" -v ns="$nsmall" 'BEGIN {
	printf "compose time %d/%d items: %.2fx (%.2f s / %.2f s; near 1 when the window is " \
		"indexed)\n", nb, ns, b / (s < 0.01 ? 0.01 : s), b, s }'
echo "the week's query in sqlite3 on the $nitems-item store: ${ms_index} ms through the index," \
	"${ms_scan} ms made to scan (NOT INDEXED)"
