#!/bin/sh
# make install PREFIX=...: the binary, the man page, the templates, the
# example config and the feed list, all usable from where they land.
. "$(dirname "$0")/lib.sh"
p=$T/prefix
# a build of its own, so this never relinks the binary under test
unset MAKEFLAGS MFLAGS MAKELEVEL
mk() { make -s -C "$TOP" BUILD="$T/build" BIN="$T/newsdigest" PREFIX="$p" "$@"; }
if ! mk install >"$T/out" 2>"$T/err"; then
	fail "make install succeeds"
	finish
	exit 1
fi
pass "make install succeeds"
[ -x "$p/bin/newsdigest" ] && pass "the binary is installed" || fail "the binary is installed"
"$p/bin/newsdigest" --version >"$T/out" 2>"$T/err"
RC=$?
is 0 "the installed binary runs"
[ -f "$p/share/man/man1/newsdigest.1" ] && pass "the man page is installed" || fail "the man page is installed"
MANWIDTH=80 man -l "$p/share/man/man1/newsdigest.1" >"$T/man" 2>/dev/null
has "$T/man" 'newsdigest' "the installed man page renders"
same "$TOP/config.example.ini" "$p/share/newsdigest/config.example.ini" "the example config is installed"
same "$TOP/feeds/feeds.opml" "$p/share/newsdigest/feeds/feeds.opml" "the feed list is installed"
same "$TOP/feeds/topics.ini" "$p/share/newsdigest/feeds/topics.ini" "the topic list is installed"
[ -d "$p/share/newsdigest/templates" ] && pass "the templates are installed" || fail "the templates are installed"
# the installed example works as a config, with the installed feed list
sed -e "s|^path = newsdigest.db|path = $T/installed.db|" \
    -e "s|^feeds = feeds/feeds.opml|feeds = $p/share/newsdigest/feeds/feeds.opml|" \
    -e "s|^topics = feeds/topics.ini|topics = $p/share/newsdigest/feeds/topics.ini|" \
    -e "s|^templates = templates|templates = $p/share/newsdigest/templates|" \
    -e "s|^digests_dir = digests|digests_dir = $T/digests|" \
    "$p/share/newsdigest/config.example.ini" >"$T/installed.ini"
"$p/bin/newsdigest" -c "$T/installed.ini" run >"$T/out" 2>"$T/err"
RC=$?
# offline, every real feed fails to fetch: exit 69, and the job ran
is 69 "the installed program runs the weekly job with the installed files (offline: 69)"
has out 'first run: [0-9]+ feeds seeded' "it seeds the installed feed list"
mk uninstall >/dev/null 2>&1
[ -e "$p/bin/newsdigest" ] && fail "make uninstall removes the binary" || pass "make uninstall removes the binary"
finish
