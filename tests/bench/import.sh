#!/bin/sh
# Benchmark: import 100,000 subscribers from CSV. Prints rows/s and peak RSS
# for newsdigest, and for the same CSV loaded by the sqlite3 shell's .import
# into an equivalent table (a floor: SQLite's own bulk path, with no address
# checks, de-duplication or tokens). Also imports 10,000 rows to show that
# memory does not grow with the file. Figures, not verdicts: the machines are
# noisy, so compare ratios taken in one run.
# usage: tests/bench/import.sh [PATH/TO/newsdigest] [ROWS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
nd=${1:-$top/newsdigest}
rows=${2:-100000}
work=$(mktemp -d /tmp/nd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

gen() {
	awk -v n="$1" 'BEGIN {
		print "email,name,lang"
		for (i = 1; i <= n; i++)
			printf "user%d@example%d.org,\"Subscriber %d, Esq.\",%s\n", i, i % 97, i, (i % 4 ? "en" : "fr")
	}' >"$2"
}
gen "$rows" big.csv
gen $((rows / 10)) small.csv

# measure LABEL COMMAND...: prints "seconds max_rss_kib" into $LABEL.time
measure() {
	label=$1; shift
	/usr/bin/time -f '%e %M' -o "$label.time" "$@" >"$label.out" 2>"$label.err" || {
		echo "$label failed:"; cat "$label.err"; exit 1; }
}

printf '[store]\npath = %s/nd.db\n' "$work" >nd.ini
printf '[store]\npath = %s/small.db\n' "$work" >small.ini
measure nd "$nd" -c nd.ini -q subscribers import big.csv
measure nd_small "$nd" -c small.ini -q subscribers import small.csv

cat >schema.sql <<'SQL'
CREATE TABLE subscribers (email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT, lang TEXT);
SQL
sqlite3 peer.db <schema.sql
measure sqlite3 sqlite3 peer.db -cmd '.mode csv' -cmd 'PRAGMA journal_mode=WAL' \
	".import --skip 1 big.csv subscribers"

imported=$(sqlite3 nd.db "SELECT count(*) FROM subscribers WHERE status = 'active'")
peer=$(sqlite3 peer.db 'SELECT count(*) FROM subscribers')
read -r nd_s nd_kb <nd.time
read -r small_s small_kb <nd_small.time
read -r sq_s sq_kb <sqlite3.time

awk -v rows="$rows" -v imp="$imported" -v peer="$peer" \
    -v nd_s="$nd_s" -v nd_kb="$nd_kb" -v small_kb="$small_kb" -v small_s="$small_s" \
    -v sq_s="$sq_s" -v sq_kb="$sq_kb" 'BEGIN {
	if (nd_s < 0.01) nd_s = 0.01; if (sq_s < 0.01) sq_s = 0.01
	printf "rows in file:            %d\n", rows
	printf "newsdigest import:       %d rows stored, %.2f s, %.0f rows/s, peak RSS %.1f MiB\n", imp, nd_s, rows / nd_s, nd_kb / 1024
	printf "newsdigest, 1/10 file:   %.2f s, peak RSS %.1f MiB\n", small_s, small_kb / 1024
	printf "sqlite3 .import (floor): %d rows stored, %.2f s, %.0f rows/s, peak RSS %.1f MiB\n", peer, sq_s, rows / sq_s, sq_kb / 1024
	printf "ratio newsdigest/sqlite3: time %.2fx, memory %.2fx\n", nd_s / sq_s, nd_kb / sq_kb
	printf "memory growth, 10x rows: %.2fx\n", nd_kb / small_kb
}'
[ "$imported" = "$rows" ] || { echo "expected $rows rows imported, got $imported"; exit 1; }
