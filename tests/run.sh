#!/bin/sh
# Runs every unit test (cmocka, TAP output) and every integration test
# (tests/integration/t*.sh, TAP), then prints "N passed, N failed" last.
# usage: tests/run.sh PATH/TO/newsdigest UNIT_TEST_DIR [PATTERN]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
unitdir=$2
pattern=${3:-}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
case $unitdir in /*) ;; *) unitdir=$top/$unitdir ;; esac
export NEWSDIGEST_BIN="$bin" NEWSDIGEST_TOP="$top"
logdir=${NEWSDIGEST_LOGDIR:-$top/tests/tmp/logs}
rm -rf "$logdir"; mkdir -p "$logdir"

passed=0 failed=0 skipped=0

# count_tap NAME LOG STATUS: add the log's TAP results to the totals; a
# program that died without reporting a failure counts as one failure.
count_tap() {
	name=$1 log=$2 status=$3
	# cmocka writes a skipped test as "not ok N # SKIP": a skip, not a failure
	p=$(grep -c '^ok ' "$log")
	f=$(grep '^not ok ' "$log" | grep -vc '# [Ss][Kk][Ii][Pp]')
	s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log")
	s=$((s + $(grep -c '^not ok .*# [Ss][Kk][Ii][Pp]' "$log")))
	if [ "$status" = 77 ]; then
		echo "SKIP $name: $(grep -m1 -i 'skip' "$log" || echo 'skipped')"
		skipped=$((skipped + 1)); return
	fi
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		f=1; echo "not ok - $name exited with status $status" >>"$log"
	fi
	passed=$((passed + p - $(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log")))
	failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" = 0 ]; then
		echo "PASS $name ($p)"
	else
		echo "FAIL $name ($f of $((p + f)) failed)"
		grep -v '# [Ss][Kk][Ii][Pp]' "$log" | grep -B2 -A12 '^not ok' | sed 's/^/    /' | head -80
	fi
}

for t in "$unitdir"/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	case $name in *.d|*.o) continue ;; esac
	[ -n "$pattern" ] && case $name in *$pattern*) ;; *) continue ;; esac
	log=$logdir/$name.log
	(cd "$top" && CMOCKA_MESSAGE_OUTPUT=TAP "$t") >"$log" 2>&1
	count_tap "$name" "$log" $?
done

for t in "$top"/tests/integration/t*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	[ -n "$pattern" ] && case $name in *$pattern*) ;; *) continue ;; esac
	log=$logdir/$name.log
	(cd "$top" && sh "$t") >"$log" 2>&1
	count_tap "$name" "$log" $?
done

echo "logs: $logdir"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
