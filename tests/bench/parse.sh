#!/bin/sh
# Benchmark: parse a 50 MiB RSS 2.0 file (about 49,000 items) with
# `newsdigest parse FILE` (JSON to /dev/null), with `xmllint --stream
# --noout` (libxml2's streaming reader doing nothing with what it reads: a
# floor, since newsdigest parses with that reader) and with Debian's sfeed
# (a small hand-written RSS/Atom parser that prints TSV). Prints seconds and
# peak RSS for each, the ratios newsdigest/xmllint and newsdigest/sfeed, and
# the same runs on a 5 MB file to show whether memory grows with the file
# (the goal: newsdigest's peak RSS does not). Figures, not verdicts: compare
# ratios taken in one run.
# usage: tests/bench/parse.sh [PATH/TO/newsdigest] [MB]
#   environment: BENCH_TIMEOUT  seconds one parser run may take (default 600)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# the feed generator shared with the other benchmark
feedgen=$(cat "$top/tests/bench/feedgen.awk")
nd=${1:-$top/newsdigest}
mb=${2:-50}
limit=${BENCH_TIMEOUT:-600}
case $nd in /*) ;; *) nd=$(pwd)/$nd ;; esac
[ -x "$nd" ] || { echo "no newsdigest binary at $nd (run make first)"; exit 1; }
small_mb=$((mb / 10)); [ "$small_mb" -ge 1 ] || small_mb=1

# Peers and tools from Debian, installed when missing.
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
need=
command -v xmllint >/dev/null 2>&1 || need="$need libxml2-utils"
command -v sfeed >/dev/null 2>&1 || need="$need sfeed"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
	echo "installing:$need"
	# shellcheck disable=SC2086
	$sudo apt-get install -y $need >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y $need >/dev/null 2>&1; } ||
		echo "could not install some of:$need (the tools that are missing are skipped)"
fi
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed and missing"; exit 1; }

work=$(mktemp -d /tmp/nd-bench.XXXXXX)
child=
# shellcheck disable=SC2317 # (called by the trap)
cleanup() {
	# a parser still running (signal): timeout passes TERM to its group
	[ -z "$child" ] || { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null || :; }
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"
cp "$nd" ./newsdigest && nd=$work/newsdigest
LC_ALL=C.UTF-8; export LC_ALL
unset NEWSDIGEST_CONFIG || :

# gen MB FILE: an RSS 2.0 feed of at least MB MiB. Each item has a title,
# a link, a guid, a pubDate, a dc:creator, two categories and a description
# of about 300 bytes of HTML (escaped); every fourth item also has a
# content:encoded of about 1 KB in CDATA.
gen() {
	awk -v want=$(($1 * 1048576)) -v now="$(date +%s)" "$feedgen"'
BEGIN {
	feedgen_init()
	head = sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
		"<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" " \
		"xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n" \
		"<title>Bench archive</title>\n<link>https://archive.example.org/</link>\n" \
		"<description>Every item the bench source ever published</description>\n" \
		"<language>en</language>\n<lastBuildDate>%s</lastBuildDate>\n", rfc822(now))
	printf "%s", head; bytes = length(head)
	for (i = 1; bytes < want; i++) {
		s = i * 17
		t = words(4 + s % 6, s)
		link = sprintf("https://archive.example.org/%04d/news/%s-%d", 2000 + i % 27, w[1 + s % nw], i)
		item = sprintf("<item>\n<title>%s %s (%d)</title>\n<link>%s</link>\n" \
			"<guid isPermaLink=\"false\">urn:bench:archive:item%d</guid>\n" \
			"<pubDate>%s</pubDate>\n<dc:creator>%s %s</dc:creator>\n" \
			"<category>%s</category><category>%s</category>\n" \
			"<description>&lt;p&gt;%s. The %s said on %s that the %s &lt;a href=&quot;%s&quot;&gt;would be " \
			"reviewed&lt;/a&gt; &amp;amp; %s.&lt;/p&gt;&lt;p&gt;%s &#8212; %s.&lt;/p&gt;</description>\n",
			toupper(substr(t, 1, 1)) substr(t, 2), w[1 + (s + 5) % nw], i, link,
			i, rfc822(now - i * 600), w[1 + (s + 8) % nw], w[1 + (s + 9) % nw],
			w[1 + s % nw], w[1 + (s + 11) % nw],
			words(4, s + 1), w[1 + (s + 2) % nw], w[1 + (s + 3) % nw], words(3, s + 4), link,
			words(4, s + 5), words(5, s + 6), words(4, s + 7))
		if (i % 4 == 0)
			item = item sprintf("<content:encoded><![CDATA[<p>%s.</p><p>%s, <em>%s</em>.</p>" \
				"<blockquote>%s</blockquote><p>%s &amp; %s.</p><p><a href=\"%s\">%s</a></p>" \
				"<ul><li>%s</li><li>%s</li><li>%s</li></ul><p>%s.</p>]]></content:encoded>\n",
				words(20, s + 12), words(15, s + 13), words(3, s + 14), words(18, s + 15),
				words(12, s + 16), words(8, s + 17), link, words(4, s + 18),
				words(5, s + 19), words(6, s + 20), words(4, s + 21), words(14, s + 22))
		item = item "</item>\n"
		printf "%s", item; bytes += length(item)
	}
	printf "</channel>\n</rss>\n"
}' >"$2"
}
gen "$mb" big.xml
gen "$small_mb" small.xml
big_items=$(grep -c '^<item>$' big.xml)
small_items=$(grep -c '^<item>$' small.xml)
big_bytes=$(wc -c <big.xml | tr -d ' ')

printf '[store]\npath = %s/nd.db\n' "$work" >nd.ini

# measure LABEL INPUT COMMAND...: runs COMMAND <INPUT >/dev/null, puts
# "seconds max_rss_kib user_s sys_s" into LABEL.time; returns the command's
# status (124: it ran out of time). The command runs in the background so
# that a signal stops the benchmark at once (the shell runs traps only
# between foreground commands, but interrupts a wait).
measure() {
	label=$1 input=$2; shift 2
	st=0
	timeout "$limit" /usr/bin/time -f '%e %M %U %S' -o "$label.time" "$@" \
		<"$input" >/dev/null 2>"$label.err" &
	child=$!
	wait "$child" || st=$?
	child=
	return "$st"
}
failed() { # failed LABEL STATUS
	if [ "$2" = 124 ]; then echo "$1: stopped after ${limit}s"
	else echo "$1: exit status $2"; fi
	tail -n 5 "$1.err" | sed 's/^/    /'
}

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') ($(nproc) cores)"
echo "files: $mb MiB ($big_items items) and $small_mb MiB ($small_items items) of RSS 2.0"
echo

st=0; measure nd_big /dev/null "$nd" -c nd.ini parse big.xml || st=$?
[ "$st" = 0 ] || { echo "newsdigest parse failed on the $mb MiB file:"; failed nd_big "$st"; exit 1; }
st=0; measure nd_small /dev/null "$nd" -c nd.ini parse small.xml || st=$?
[ "$st" = 0 ] || { echo "newsdigest parse failed on the $small_mb MiB file:"; failed nd_small "$st"; exit 1; }

tools=newsdigest
if command -v xmllint >/dev/null 2>&1; then
	st=0 l=xl_big; measure xl_big /dev/null xmllint --stream --noout big.xml || st=$?
	[ "$st" = 0 ] && { l=xl_small; measure xl_small /dev/null xmllint --stream --noout small.xml || st=$?; }
	if [ "$st" = 0 ]; then tools="$tools xmllint"
	else echo "xmllint failed:"; failed "$l" "$st"; fi
else
	echo "xmllint: not installed (apt-get install libxml2-utils failed), skipped"
fi
if command -v sfeed >/dev/null 2>&1; then
	st=0 l=sf_big; measure sf_big big.xml sfeed || st=$?
	[ "$st" = 0 ] && { l=sf_small; measure sf_small small.xml sfeed || st=$?; }
	if [ "$st" = 0 ]; then tools="$tools sfeed"
	else echo "sfeed failed:"; failed "$l" "$st"; fi
else
	echo "sfeed: not installed (apt-get install sfeed failed), skipped"
fi

# What each understood of the small file (outside the timings): entries
# are one JSON object a line for newsdigest, one TSV line for sfeed.
nd_seen=$("$nd" -c nd.ini parse small.xml | grep -c '^  {' || :)
sf_seen=n/a
case " $tools " in *" sfeed "*) sf_seen=$(sfeed <small.xml | wc -l | tr -d ' ') ;; esac

printf '%-11s %28s   %21s   %s\n' "" "---- $mb MiB file ----" "--- $small_mb MiB file ---" "RSS $mb MiB"
printf '%-11s %6s %6s %6s %8s   %6s %6s %7s   %s\n' tool s "CPU s" "MiB/s" "RSS MiB" \
	s "CPU s" "RSS MiB" "/ $small_mb MiB"
for t in $tools; do
	case $t in newsdigest) l=nd ;; xmllint) l=xl ;; sfeed) l=sf ;; esac
	read -r b_s b_kb b_u b_sy <"${l}_big.time"
	read -r s_s s_kb s_u s_sy <"${l}_small.time"
	awk -v t="$t" -v bs="$b_s" -v bk="$b_kb" -v ss="$s_s" -v sk="$s_kb" -v bytes="$big_bytes" \
	    -v bu="$b_u" -v bsy="$b_sy" -v su="$s_u" -v ssy="$s_sy" 'BEGIN {
		printf "%-11s %6.2f %6.2f %6.1f %8.1f   %6.2f %6.2f %7.1f   %.2fx\n", t, bs, bu + bsy,
			bytes / 1048576 / (bs < 0.01 ? 0.01 : bs), bk / 1024, ss, su + ssy, sk / 1024, bk / sk
	}'
done
echo
read -r nd_s nd_kb _ _ <nd_big.time
for t in $tools; do
	case $t in xmllint) l=xl ;; sfeed) l=sf ;; *) continue ;; esac
	read -r p_s p_kb _ _ <"${l}_big.time"
	awk -v t="$t" -v ns="$nd_s" -v nk="$nd_kb" -v ps="$p_s" -v pk="$p_kb" 'BEGIN {
		printf "ratio newsdigest/%s: time %.2fx, peak RSS %.2fx\n", t,
			ns / (ps < 0.01 ? 0.01 : ps), nk / pk
	}'
done
read -r _ ns_kb _ _ <nd_small.time
awk -v big="$mb" -v small="$small_mb" -v bk="$nd_kb" -v sk="$ns_kb" 'BEGIN {
	printf "newsdigest peak RSS: %.1f MiB for %d MiB, %.1f MiB for %d MiB: %.2fx for %dx the input " \
		"(goal: independent of the file size)\n", bk / 1024, big, sk / 1024, small, bk / sk, big / small
}'
echo "entries seen in the $small_mb MiB file ($small_items items): newsdigest $nd_seen, sfeed $sf_seen"
