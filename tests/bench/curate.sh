#!/bin/sh
# Benchmark: tag 100,000 generated items (JSON Lines, about 70% English and
# 30% French, "lang" set) with `newsdigest curate --stdin`, once with the
# shipped topic list and once with a list ten times larger (each topic's
# phrase lines copied nine times with their words altered, so the same
# structure with 10x distinct phrases). The same items go, in the same run,
# to tests/bench/curate-naive.c: the same tokenising and stemming, then
# each phrase searched on its own in each item. Prints seconds, CPU
# seconds, items/s and peak RSS for each run, and the ratios: newsdigest
# 10x/shipped (the goal: under 1.5x), naive 10x/shipped and
# naive/newsdigest for each list. Figures, not verdicts: compare ratios
# taken in one run.
# usage: tests/bench/curate.sh [PATH/TO/newsdigest] [ITEMS]
#   environment: BENCH_TIMEOUT  seconds one run may take (default 600)
#                NAIVE_ITEMS    items given to the naive baseline (default
#                               10000: it is slow with the 10x list); its
#                               items/s compare with newsdigest's all the same
#                BENCH_KEEP     set: keep the work folder
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
nd=${1:-$top/newsdigest}
nitems=${2:-100000}
naive_items=${NAIVE_ITEMS:-10000}
limit=${BENCH_TIMEOUT:-600}
case $nd in /*) ;; *) nd=$(pwd)/$nd ;; esac
[ -x "$nd" ] || { echo "no newsdigest binary at $nd (run make first)"; exit 1; }
[ -f "$top/build/src/curate/textnorm.o" ] ||
	{ echo "no object files in $top/build (run make first)"; exit 1; }
[ "$naive_items" -le "$nitems" ] || naive_items=$nitems

# Tools from Debian, installed when missing (the libraries came with make).
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
need=
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v ar >/dev/null 2>&1 || need="$need binutils"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
	echo "installing:$need"
	# shellcheck disable=SC2086
	$sudo apt-get install -y $need >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y $need >/dev/null 2>&1; } ||
		echo "could not install some of:$need"
fi
for p in cc pkg-config ar /usr/bin/time; do
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

# The baseline links the project's objects through an archive, so that only
# the modules it uses come in (curate.o would drag in the store and SQLite).
ar rcs nd.a "$top"/build/src/curate/*.o "$top"/build/src/util/*.o
# shellcheck disable=SC2046 # (pkg-config prints several words)
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I"$top/include" $(pkg-config --cflags jansson libutf8proc) \
	-o naive "$top/tests/bench/curate-naive.c" nd.a \
	$(pkg-config --libs jansson libutf8proc) -lstemmer -lm ||
	{ echo "cannot build tests/bench/curate-naive.c"; exit 1; }

# The items. A Park-Miller generator with a fixed seed (exact in awk's
# doubles, so every awk gives the same file). A third of the items are on
# the mandate's themes (one word in eight from the mandate's vocabulary),
# the rest ordinary news that now and then drops such a word (1 in 100).
# Entries with spaces count as one word.
awk -v n="$nitems" '
function rnd(k) { seed = seed * 16807 % 2147483647; return int(seed / 2147483647 * k) }
function pick(fr, p) {
	if (rnd(1000) < p)
		return fr ? fm[1 + rnd(nfm)] : em[1 + rnd(nem)]
	return fr ? fo[1 + rnd(nfo)] : eo[1 + rnd(neo)]
}
function text(k, fr, p, sentences,   s, i, cut) {
	s = pick(fr, p); s = toupper(substr(s, 1, 1)) substr(s, 2)
	cut = 8 + rnd(8)
	for (i = 2; i <= k; i++) {
		if (sentences && --cut == 0) {
			s = s ". " pick(fr, p); cut = 8 + rnd(8)
		} else {
			s = s " " pick(fr, p)
		}
	}
	return sentences ? s "." : s
}
BEGIN {
	seed = 20240611
	nem = split("surveillance|terrorism|torture|citizenship|extradition|CSIS|no-fly list|" \
		"drone strike|drone strikes|national security|civil liberties|Guantanamo Bay|" \
		"Omar Khadr|racial profiling|security certificate|Federal Court|oversight|" \
		"watchdog|privacy commissioner|facial recognition|CBSA|protesters|Islamophobia|" \
		"Hassan Diab|listed entity|terrorist attack|human rights|RCMP|detention|" \
		"encryption|metadata|public inquiry|charter rights|intelligence agency|" \
		"Passenger Protect|Safe Third Country Agreement|border agents|revoke citizenship|" \
		"mass surveillance|Maher Arar|spy agency|kill list|anti-terrorism act|due process|" \
		"wiretap|mosque|dissent|NSIRA|CSE|lawful access", em, "|")
	neo = split("the|the|the|of|of|and|and|to|to|in|in|a|a|for|on|with|said|says|" \
		"government|minister|city|council|budget|year|people|new|report|week|police|" \
		"court|federal|province|election|vote|party|leader|housing|health|hospital|" \
		"school|students|teachers|weather|storm|hockey|game|team|season|players|market|" \
		"prices|economy|jobs|workers|union|strike|company|bank|rates|inflation|tax|plan|" \
		"announced|Tuesday|Monday|Friday|officials|residents|community|local|national|" \
		"public|program|funding|million|billion|percent|last|first|more|than|after|" \
		"before|during|about|over|Ottawa|Toronto|Canada|review|law|policy|data|security|" \
		"rights|agency|service|attack|military|war|civilians|border|list|travel|" \
		"privacy|charter|intelligence|inquiry|airport|drone|delivery|film|horror", eo, "|")
	nfm = split("sécurité nationale|surveillance|terrorisme|torture|citoyenneté|" \
		"extradition|SCRS|liste d'\''interdiction de vol|frappes de drones|" \
		"libertés civiles|vie privée|profilage racial|Cour fédérale|enquête publique|" \
		"reconnaissance faciale|manifestations|droits de la personne|loi antiterroriste|" \
		"renseignement|GRC|ASFC|islamophobie|détention|métadonnées|" \
		"commission d'\''enquête|déchéance de citoyenneté|entités terroristes|Hassan Diab|" \
		"services de renseignement|espionnage|mosquée|libertés fondamentales|" \
		"présomption d'\''innocence|attentat terroriste|extrémisme violent", fm, "|")
	nfo = split("le|le|la|la|les|les|des|des|du|de|de|et|et|à|en|pour|sur|avec|dans|" \
		"un|une|a|été|gouvernement|ministre|ville|conseil|budget|année|gens|nouveau|" \
		"rapport|semaine|police|tribunal|fédéral|province|élection|vote|parti|chef|" \
		"logement|santé|hôpital|école|élèves|enseignants|météo|tempête|hockey|match|" \
		"équipe|saison|joueurs|marché|prix|économie|emplois|travailleurs|syndicat|" \
		"grève|entreprise|banque|taux|inflation|impôt|plan|annoncé|mardi|lundi|" \
		"vendredi|responsables|résidents|communauté|locale|public|programme|" \
		"financement|millions|milliards|plus|après|avant|pendant|selon|Québec|" \
		"Montréal|l'\''État|qu'\''il|d'\''abord|sécurité|droits|loi|frontière|liste|" \
		"données|agence|guerre|armée|civils|drone|livraison|film|enquête", fo, "|")
	for (i = 1; i <= n; i++) {
		fr = rnd(10) < 3
		p = rnd(4) == 0 ? 83 : 5
		src = rnd(200) == 0 ? "Wikipedia" : (fr ? "Le Devoir" : "CBC News")
		printf "{\"id\":\"bench-%d\",\"title\":\"%s\",\"summary\":\"%s\",\"lang\":\"%s\",\"source\":\"%s\"}\n",
			i, text(8 + rnd(7), fr, p, 0), text(30 + rnd(31), fr, p, 1), fr ? "fr" : "en", src
	}
}' >items.jsonl
if [ "$naive_items" -lt "$nitems" ]; then
	head -n "$naive_items" items.jsonl >naive-items.jsonl
else
	cp items.jsonl naive-items.jsonl
fi

# The 10x list: every topic's en, fr, acronym, requires and exclude lines,
# each followed by nine altered copies. A copy of a phrase of one to three
# words gains a word; a longer one has its last word replaced; an acronym
# gains a capital letter; a requires line keeps its context words. A copy
# that is written like a phrase already in the list (case, hyphens and
# weights aside) takes the next word of the pool.
cp "$top/feeds/topics.ini" shipped-topics.ini
awk '
# a crude stand-in for the stemmer: "No Fly List X" and "no-fly lists X"
# are one phrase to topics check
function norm(s,   a, n, i, r) { s = tolower(s); sub(/[ \t]*\^[0-9.]+[ \t]*$/, "", s)
	gsub(/-/, " ", s); n = split(s, a, " "); r = ""
	for (i = 1; i <= n; i++) { if (length(a[i]) > 3) sub(/s$/, "", a[i]); r = r " " a[i] }
	return r }
function hash(s,   h, i) { h = 0; for (i = 1; i <= length(s); i++) h = (h * 31 + index(chars, substr(s, i, 1))) % 65521; return h }
function alter(ph, key, k,   weight, w, n, h, j, cand, a, i) {
	weight = ""
	if (match(ph, /[ \t]*\^[0-9.]+[ \t]*$/)) { weight = substr(ph, RSTART); ph = substr(ph, 1, RSTART - 1) }
	sub(/^[ \t]+/, "", ph); sub(/[ \t]+$/, "", ph)
	h = hash(ph)
	for (j = 0; j < 200; j++) {
		if (key == "acronym") {
			cand = ph substr(caps, 1 + (h + k + 10 * j) % 26, 1)
			if (!(cand in seen_acr)) { seen_acr[cand] = 1; return cand weight }
			continue
		}
		if (key == "fr") w = fp[1 + (h + k + 10 * j) % nfp]
		else w = ep[1 + (h + k + 10 * j) % nep]
		n = split(ph, a, " ")
		if (n < 4) cand = ph " " w
		else { cand = a[1]; for (i = 2; i < n; i++) cand = cand " " a[i]; cand = cand " " w }
		if (!(norm(cand) in seen)) { seen[norm(cand)] = 1; return cand weight }
	}
	return ph " " k weight  # the pool ran out: never with this list
}
function alter_list(v, key, k,   a, n, i, s) {
	n = split(v, a, ";"); s = alter(a[1], key, k)
	for (i = 2; i <= n; i++) s = s "; " alter(a[i], key, k)
	return s
}
BEGIN {
	chars = "abcdefghijklmnopqrstuvwxyz0123456789 -'\''"
	caps = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	nep = split("review policy reform report program rules case law powers office probe " \
		"plan data unit panel ruling debate bill regime framework agency concerns " \
		"changes measures network records", ep, " ")
	nfp = split("réforme rapport politique dossier programme règles régime projet loi " \
		"mesures cadre débat bureau unité comité plan enquête décision réseau " \
		"changements pouvoirs données registre", fp, " ")
}
# first pass: every phrase as written, so that no copy repeats one
NR == FNR {
	if ($0 ~ /^(en|fr|exclude|acronym|requires)[ \t]*=/) {
		v = $0; sub(/^[a-z]+[ \t]*=[ \t]*/, "", v); sub(/=>.*/, "", v)
		n = split(v, a, ";")
		for (i = 1; i <= n; i++) {
			if ($0 ~ /^acronym/) { x = a[i]; sub(/[ \t]*\^.*/, "", x); gsub(/[ \t]/, "", x); seen_acr[x] = 1 }
			else seen[norm(a[i])] = 1
		}
	}
	next
}
/^\[/ { intopic = $0 != "[reference]" }
{ print }
intopic && /^(en|fr|exclude|acronym|requires)[ \t]*=/ {
	key = $0; sub(/[ \t]*=.*/, "", key)
	v = $0; sub(/^[a-z]+[ \t]*=[ \t]*/, "", v)
	ctx = ""
	if (key == "requires") { ctx = v; sub(/.*=>/, " =>", ctx); sub(/=>.*/, "", v) }
	for (k = 1; k <= 9; k++) print key " = " alter_list(v, key, k) ctx
}' shipped-topics.ini shipped-topics.ini >big-topics.ini

for l in shipped big; do
	printf '[store]\npath = %s/nd.db\n[curate]\ntopics = %s/%s-topics.ini\n' \
		"$work" "$work" "$l" >"$l.ini"
done
"$nd" -c big.ini topics list >big.list 2>big.list.err ||
	{ echo "newsdigest cannot load the 10x list:"; tail -n 5 big.list.err; exit 1; }
# "FILE: 16 topics, 561 phrases, no problems" (exit 65 when problems)
"$nd" -c shipped.ini topics check >shipped.check 2>&1 || :
"$nd" -c big.ini topics check >big.check 2>&1 || :
counts() { sed -n 's/^[^ ]*: \([0-9]* topics, [0-9]* phrases\).*/\1/p' "$1" | head -n 1; }
problems() { sed -n 's/^[^ ]*: [0-9]* topics, [0-9]* phrases, //p' "$1" | head -n 1; }

# measure LABEL INPUT OUTPUT COMMAND...: runs COMMAND <INPUT >OUTPUT, puts
# "seconds max_rss_kib user_s sys_s" into LABEL.time; returns the command's
# status (124: it ran out of time). In the background, so that a signal
# stops the benchmark at once.
measure() {
	label=$1 input=$2 output=$3; shift 3
	st=0
	timeout "$limit" /usr/bin/time -f '%e %M %U %S' -o "$label.time" "$@" \
		<"$input" >"$output" 2>"$label.err" &
	child=$!
	wait "$child" || st=$?
	child=
	return "$st"
}
run() { # run LABEL INPUT OUTPUT COMMAND...: measure, or stop with the reason
	st=0; measure "$@" || st=$?
	[ "$st" = 0 ] && return 0
	if [ "$st" = 124 ]; then echo "$1: stopped after ${limit}s"
	else echo "$1: exit status $st"; fi
	tail -n 5 "$1.err" | sed 's/^/    /'
	exit 1
}

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') ($(nproc) cores)"
echo "items: $nitems ($(grep -c '"lang":"fr"' items.jsonl) French), $(wc -c <items.jsonl | tr -d ' ') bytes of JSON Lines"
echo "shipped list: $(counts shipped.check) ($(problems shipped.check))"
echo "10x list:     $(counts big.check) ($(problems big.check)); loads: $(($(wc -l <big.list) - 1)) topics listed"
echo

run nd_shipped items.jsonl nd_shipped.out "$nd" -c shipped.ini curate --stdin
run nd_big items.jsonl nd_big.out "$nd" -c big.ini curate --stdin
run naive_shipped naive-items.jsonl naive_shipped.out ./naive shipped-topics.ini
run naive_big naive-items.jsonl naive_big.out ./naive big-topics.ini

printf '%-11s %-8s %7s %7s %7s %9s %8s\n' tagger list items s "CPU s" items/s "RSS MiB"
row() { # row TAGGER LIST LABEL ITEMS
	read -r s kb u sy <"$3.time"
	awk -v t="$1" -v l="$2" -v n="$4" -v s="$s" -v kb="$kb" -v c="$u + $sy" 'BEGIN {
		split(c, p, " + "); printf "%-11s %-8s %7d %7.2f %7.2f %9.0f %8.1f\n", t, l, n, s,
			p[1] + p[2], n / (s < 0.01 ? 0.01 : s), kb / 1024 }'
}
row newsdigest shipped nd_shipped "$nitems"
row newsdigest 10x nd_big "$nitems"
row naive shipped naive_shipped "$naive_items"
row naive 10x naive_big "$naive_items"
echo
[ "$naive_items" = "$nitems" ] ||
	echo "note: the naive baseline ran on the first $naive_items items only (NAIVE_ITEMS);" \
		"its ratios against newsdigest compare time per item"

# ratio NAME A_LABEL A_ITEMS B_LABEL B_ITEMS [GOAL]: time per item of A over B
ratio() {
	read -r as _ au asy <"$2.time"
	read -r bs _ bu bsy <"$4.time"
	awk -v name="$1" -v as="$as" -v an="$3" -v ac="$au $asy" -v bs="$bs" -v bn="$5" \
	    -v bc="$bu $bsy" -v goal="${6:-}" 'BEGIN {
		split(ac, x, " "); split(bc, y, " ")
		bs = bs < 0.01 ? 0.01 : bs; bcpu = y[1] + y[2] < 0.01 ? 0.01 : y[1] + y[2]
		printf "%-36s %6.2fx (CPU %.2fx)%s\n", name, (as / an) / (bs / bn),
			((x[1] + x[2]) / an) / (bcpu / bn), goal }'
}
ratio "newsdigest 10x/shipped:" nd_big "$nitems" nd_shipped "$nitems" "   goal: under 1.5x"
ratio "naive 10x/shipped:" naive_big "$naive_items" naive_shipped "$naive_items"
ratio "naive/newsdigest, shipped list:" naive_shipped "$naive_items" nd_shipped "$nitems"
ratio "naive/newsdigest, 10x list:" naive_big "$naive_items" nd_big "$nitems"
echo

# What was tagged (outside the timings).
for l in shipped big; do
	lines=$(wc -l <"nd_$l.out" | tr -d ' ')
	inc=$(grep -c '"include":true' "nd_$l.out" || :)
	tagged=$(grep -vc '"topics":\[\]' "nd_$l.out" || :)
	case $l in shipped) name="shipped list" ;; *) name="10x list    " ;; esac
	echo "newsdigest, $name: $lines answers, $tagged items tagged, $inc included"
done
echo "naive hits on $naive_items items: shipped list $(sed -n 's/.*items, \([0-9]*\) hits/\1/p' \
	naive_shipped.out), 10x list $(sed -n 's/.*items, \([0-9]*\) hits/\1/p' naive_big.out)"
