# Shared helpers for the integration tests: TAP output, a private working
# folder, and a wrapper that runs newsdigest and keeps what it printed.
#
#   . "$(dirname "$0")/lib.sh"
#   nd feeds list            # runs newsdigest; stdout in $T/out, stderr in $T/err, status in $RC
#   is 0 "feeds list works"  # checks $RC
#   has out 'never fetched' "the status shows"   # grep -E in $T/out (or err, or a path)
#   same EXPECTED ACTUAL "desc"                   # byte comparison, diff on failure
#   finish                   # prints the plan; exit status 1 when anything failed
set -u

TOP=${NEWSDIGEST_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
ND=${NEWSDIGEST_BIN:-$TOP/newsdigest}
FIX=$TOP/tests/fixtures
SHARED=$TOP/../shared
T=$TOP/tests/tmp/$(basename "$0" .sh)
rm -rf "$T"; mkdir -p "$T"
cd "$T" || exit 1
unset NEWSDIGEST_CONFIG
_n=0 _failed=0 RC=0

nd() {
	"$ND" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

_ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
_notok() {
	_n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $1"
	shift
	for line in "$@"; do echo "# $line"; done
	for f in out err; do
		[ -s "$T/$f" ] && { echo "# --- $f:"; head -20 "$T/$f" | sed 's/^/#   /'; }
	done
	return 0
}

pass() { _ok "$1"; }
fail() { _notok "$@"; }

is() {
	if [ "$RC" = "$1" ]; then _ok "$2"; else _notok "$2" "expected exit $1, got $RC"; fi
}

_file() { case $1 in out|err) echo "$T/$1" ;; *) echo "$1" ;; esac; }

has() {
	if grep -qE -- "$2" "$(_file "$1")"; then _ok "$3"
	else _notok "$3" "no line of $1 matches: $2"; fi
}

hasnt() {
	if grep -qE -- "$2" "$(_file "$1")"; then _notok "$3" "a line of $1 matches: $2"
	else _ok "$3"; fi
}

same() {
	if cmp -s "$1" "$2"; then _ok "$3"
	else _notok "$3" "files differ: $1 $2" "$(diff "$1" "$2" | head -20)"; fi
}

# equal VALUE EXPECTED DESC
equal() {
	if [ "$1" = "$2" ]; then _ok "$3"; else _notok "$3" "got '$1', expected '$2'"; fi
}

# sql QUERY: run a query on the test store ($T/store.db)
sql() { sqlite3 "$T/store.db" "$1"; }

# _config INI DB [LINE...]: a config file INI whose store is DB, then the
# extra lines given
_config() {
	ini=$1 db=$2
	shift 2
	{
		echo "[store]"
		echo "path = $db"
		echo "lock_timeout = 2"
		for line in "$@"; do echo "$line"; done
		# tests run in $T: the shipped topic list by its full path,
		# unless the test sets its own
		case " $* " in
		*" topics ="*) ;;
		*) printf '[curate]\ntopics = %s\n' "$TOP/feeds/topics.ini" ;;
		esac
		case " $* " in
		*" templates ="*) ;;
		*) printf '[compose]\ntemplates = %s\n' "$TOP/templates" ;;
		esac
	} >"$ini"
}

# write_config [LINE...]: $T/newsdigest.ini with the store $T/store.db,
# and NEWSDIGEST_CONFIG pointing at it
write_config() {
	_config "$T/newsdigest.ini" "$T/store.db" "$@"
	export NEWSDIGEST_CONFIG="$T/newsdigest.ini"
}

# other_config NAME [LINE...]: a second configuration, $T/NAME.ini, whose
# store is $T/NAME.db (use it with nd -c); sqlo NAME QUERY queries that store
other_config() {
	name=$1
	shift
	_config "$T/$name.ini" "$T/$name.db" "$@"
}
sqlo() { sqlite3 "$T/$1.db" "$2"; }

skip_all() { echo "1..0 # SKIP $1"; exit 77; }

finish() {
	echo "1..$_n"
	[ "$_failed" = 0 ]
}
