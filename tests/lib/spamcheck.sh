# shellcheck shell=sh disable=SC1007
# (empty assignments)
# SpamAssassin's opinion of a message, for the tests: local tests only
# (-L: no DNS, no network), a private HOME (no user prefs, no Bayes
# learning), the rules Debian ships.  One run takes about 2 s (the rules
# are compiled each time): check a sample, not a whole list.
#
# The trace lines that the test servers put on top of a message (Postfix's
# Return-Path, X-Original-To, Delivered-To and Received; smtp-sink's X-*
# envelope lines and Received) are taken off first: a Received from
# 127.0.0.1 alone is worth -1.0 (ALL_TRUSTED), which would hide a real
# problem.  What is scored is the message as newsdigest wrote it.
#
# In a test (sourced after lib.sh):
#   . "$TOP/tests/lib/spamcheck.sh"
#   spamcheck "$msg"                   # prints "# " lines: score, rules hit
#   case $? in 77) pass "# SKIP $SPAMCHECK_ERROR" ;; 0) ... ;; *) fail ... ;; esac
#   spam_below 2.0 && pass "SpamAssassin scores it $SPAM_SCORE" || fail ...
# sets SPAM_SCORE ("0.8"), SPAM_REQUIRED ("5.0"), SPAM_RULES
# ("RULE=score,RULE=score", empty when none hit) and returns 0; 77 when
# spamassassin is not installed, 1 when it could not run (SPAMCHECK_ERROR
# says why, in both cases).
#
# As a script: sh tests/lib/spamcheck.sh MSG prints the same "# " lines on
# stderr and the score alone on stdout (score=$(sh .../spamcheck.sh MSG)),
# exit status as above.
#
# Knobs: SPAMCHECK_TIMEOUT     seconds one run may take (default 120)
#        SPAMCHECK_KEEP_TRACE  set: score the message with its trace lines

SPAM_SCORE= SPAM_REQUIRED= SPAM_RULES= SPAMCHECK_ERROR=

# spamcheck MSG: run SpamAssassin on MSG (see above).
spamcheck() {
	SPAM_SCORE= SPAM_REQUIRED= SPAM_RULES= SPAMCHECK_ERROR=
	[ $# -ge 1 ] && [ -r "$1" ] || { SPAMCHECK_ERROR="spamcheck: cannot read ${1:-(no file)}"; echo "# $SPAMCHECK_ERROR"; return 1; }
	_spbin=$(command -v spamassassin 2>/dev/null) ||
		{ SPAMCHECK_ERROR="spamassassin is not installed (Debian package spamassassin)"; return 77; }
	_sphome=$(mktemp -d "${TMPDIR:-/tmp}/newsdigest-spam.XXXXXX") ||
		{ SPAMCHECK_ERROR="spamcheck: mktemp failed"; echo "# $SPAMCHECK_ERROR"; return 1; }
	if [ -n "${SPAMCHECK_KEEP_TRACE:-}" ]; then
		cp "$1" "$_sphome/msg"
	else
		spam_strip_trace "$1" >"$_sphome/msg"
	fi
	_sptime=
	command -v timeout >/dev/null 2>&1 && _sptime="timeout ${SPAMCHECK_TIMEOUT:-120}"
	# -t appends the report (rules with descriptions); the NewsDigest*
	# headers give the score and the rules in a form that does not depend
	# on the report's wording.
	# shellcheck disable=SC2086 # ($_sptime is a command and its argument)
	HOME=$_sphome LC_ALL=C LANG=C $_sptime "$_spbin" -L -t -x \
		--cf='dns_available no' --cf='use_bayes 0' --cf='bayes_auto_learn 0' \
		--cf='add_header all NewsDigestScore _SCORE_' \
		--cf='add_header all NewsDigestRequired _REQD_' \
		--cf='add_header all NewsDigestRules _TESTSSCORES(,)_' \
		<"$_sphome/msg" >"$_sphome/out" 2>"$_sphome/err"
	_sprc=$?
	# the added headers (unfolded), up to the end of the header block
	_sphead=$(awk '/^\r?$/ { exit } { print }' "$_sphome/out" |
		awk '/^[ \t]/ { sub(/^[ \t]+/, ""); line = line $0; next }
		     { if (line != "") print line; line = $0 }
		     END { if (line != "") print line }' | tr -d '\r')
	SPAM_SCORE=$(printf '%s\n' "$_sphead" | sed -n 's/^X-Spam-NewsDigestScore: *//p' | head -n 1)
	SPAM_REQUIRED=$(printf '%s\n' "$_sphead" | sed -n 's/^X-Spam-NewsDigestRequired: *//p' | head -n 1)
	SPAM_RULES=$(printf '%s\n' "$_sphead" | sed -n 's/^X-Spam-NewsDigestRules: *//p' | head -n 1 | tr -d ' ')
	[ "$SPAM_RULES" = none ] && SPAM_RULES=
	case $SPAM_SCORE in
	'' | *[!0-9.-]*)
		SPAMCHECK_ERROR="spamassassin gave no score (exit $_sprc)"
		echo "# spamcheck: $SPAMCHECK_ERROR"
		tail -n 5 "$_sphome/err" | sed 's/^/#   /'
		rm -rf "$_sphome"
		SPAM_SCORE=
		return 1 ;;
	esac
	echo "# spamassassin: score $SPAM_SCORE (its spam threshold: $SPAM_REQUIRED) for $1"
	# the report's table: " pts rule name  description" after a "---- ---" line
	_sprep=$(awk '/^---- ----/ { t = 1; next } t && /^$/ { t = 0 } t' "$_sphome/out")
	if [ -n "$_sprep" ]; then
		printf '%s\n' "$_sprep" | sed 's/^/#   /'
	elif [ -n "$SPAM_RULES" ]; then
		printf '%s\n' "$SPAM_RULES" | tr ',' '\n' | sed 's/^\(.*\)=\(.*\)$/#   \2 \1/'
	else
		echo "#   (no rule hit)"
	fi
	rm -rf "$_sphome"
	return 0
}

# spam_strip_trace MSG: MSG on stdout without the test servers' trace
# lines at its top (each with its continuation lines); the first other
# header ends them.
spam_strip_trace() {
	awk 'BEGIN { top = 1 }
		top && /^[ \t]/ { if (!skip) print; next }
		top && tolower($0) ~ /^(return-path|x-original-to|delivered-to|received|x-client-addr|x-client-proto|x-helo-args|x-mail-args|x-rcpt-args):/ { skip = 1; next }
		{ top = 0; print }' "$1"
}

# spam_below LIMIT: the last spamcheck's score is below LIMIT.
spam_below() {
	[ -n "$SPAM_SCORE" ] || return 1
	awk -v s="$SPAM_SCORE" -v l="$1" 'BEGIN { exit !(s + 0 < l + 0) }'
}

# spam_rule_hit RULE: the last spamcheck's message hit RULE.
spam_rule_hit() {
	case ",$SPAM_RULES," in *",$1="*) return 0 ;; esac
	return 1
}

# Run as a script: the "# " lines on stderr, the score on stdout.
case ${0##*/} in
spamcheck.sh)
	[ $# = 1 ] || { echo "usage: sh spamcheck.sh MSG" >&2; exit 64; }
	spamcheck "$1" >&2
	_sprc=$?
	[ "$_sprc" = 77 ] && echo "# SKIP: $SPAMCHECK_ERROR" >&2
	[ "$_sprc" = 0 ] && echo "$SPAM_SCORE"
	exit "$_sprc"
	;;
esac
