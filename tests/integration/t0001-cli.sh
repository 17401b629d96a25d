#!/bin/sh
# The command line contract: help, usage errors (exit 64), version.
. "$(dirname "$0")/lib.sh"
write_config

nd --help
is 0 "--help exits 0"
has out '^usage: newsdigest \[-c FILE\] \[-v\|-q\] COMMAND' "--help prints the usage line"
for c in run fetch parse feeds subscribers curate topics compose preview approve send; do
	has out "^  $c " "--help lists $c"
done
hasnt out '^  (mail|deliver) ' "--help lists no command that does not exist"

nd --version
is 0 "--version exits 0"
has out '^newsdigest [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

nd
is 64 "no command: exit 64"
has err 'no command given' "no command: says so"
has err '^usage:' "no command: usage on stderr"

nd frobnicate
is 64 "unknown command: exit 64"
has err "unknown command 'frobnicate'" "unknown command is named"
has err '^usage:' "unknown command: usage on stderr"

nd --bogus feeds list
is 64 "unknown global option: exit 64"
has err "unknown option '--bogus'" "unknown global option is named"

nd -v -q feeds list
is 64 "-v with -q: exit 64"

for c in run fetch parse feeds subscribers curate topics compose preview approve send; do
	nd $c --help
	is 0 "$c --help exits 0"
	has out "^usage: newsdigest $c" "$c --help prints its usage"
	[ -s "$T/err" ] && fail "$c --help prints nothing on stderr" || pass "$c --help prints nothing on stderr"
	nd $c --no-such-option
	is 64 "$c with an unknown option: exit 64"
	has err "unknown option '--no-such-option'" "$c names the unknown option"
	has err "^usage: newsdigest $c" "$c prints its usage on stderr"
done

nd feeds
is 64 "feeds without a subcommand: exit 64"
nd subscribers frob
is 64 "unknown subscribers subcommand: exit 64"
nd feeds add
is 64 "feeds add without URL: exit 64"
nd run extra
is 64 "run with an argument: exit 64"

# -q keeps reports quiet, errors still print
nd -q subscribers add quiet@example.org
is 0 "-q subscribers add exits 0"
[ -s "$T/out" ] && fail "-q prints no report" || pass "-q prints no report"
nd -q subscribers add 'not an address'
is 65 "-q with an error exits 65"
has err "invalid address" "-q still prints errors"
nd -q subscribers list
has out 'quiet@example.org' "-q still prints a list: it is the output asked for"
nd -c
is 64 "-c without a file: exit 64"
has err "option '-c' needs a value" "-c without a file says so"

# -v says where each setting came from
nd -v feeds list
is 0 "-v feeds list exits 0"
has err "\[store\] path = .*store.db \(.*newsdigest.ini:2\)" "-v shows a setting from the file with its line"
has err "\[fetch\] concurrency = 16 \(default\)" "-v shows a built-in default"

# the man page renders
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$TOP/doc/newsdigest.1" >"$T/man.txt" 2>"$T/man.err"
	equal "$?" 0 "man ./doc/newsdigest.1 renders"
	has "$T/man.txt" 'EXIT STATUS' "the man page documents exit statuses"
	has "$T/man.txt" 'lock_timeout' "the man page documents config keys"
else
	fail "man is installed (make test installs man-db)"
fi

# a write error on stdout is an error
if [ -w /dev/full ]; then
	"$ND" feeds list >/dev/full 2>"$T/err"
	RC=$?
	is 74 "a failed write to stdout exits 74"
	has err 'cannot write to standard output' "a failed write to stdout says so"
fi
finish
