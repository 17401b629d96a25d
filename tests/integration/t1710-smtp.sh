#!/bin/sh
# shellcheck disable=SC1007,SC2015,SC2119,SC2120
# (empty assignments; pass/fail return 0; states takes an optional week)
# newsdigest send over SMTP ([send] transport = smtp), through the command
# line, against real servers on loopback:
#  1. a private Postfix delivering into one Maildir per address: 1,200
#     subscribers with awkward names (non-ASCII, quotes, commas, an
#     apostrophe, a very long one), a non-ASCII subject; every message
#     checked by tests/lib/mimecheck.py; a second send sends nothing; a
#     test send (--to) has a Message-ID of its own; SpamAssassin's score;
#  2. faults from tests/lib/smtpfault.py: a 421 in the middle of a session,
#     a connection dropped after the data, 451 and 550 to RCPT (a bounce
#     and the next week's digest without that address), a slow server
#     inside and beyond [smtp] timeout, AUTH right and wrong, STARTTLS with
#     a self-signed certificate (refused, then trusted through [smtp]
#     ca_file), a closed port; each with its exit status, report, journal
#     rows and what the server saw;
#  3. kill -9 at random moments of a send to smtpfault.py, then resumes:
#     no subscriber lost, duplicates never more than the rows in flight.
# (The CLI's other behaviours, the maildir and sendmail transports and
# kill -9 through sendmail are t1700's; the whole week end to end is
# t1720's.)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
. "$TOP/tests/lib/spamcheck.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no /usr/bin/python3 (for smtpfault.py and mimecheck.py)"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3"
command -v openssl >/dev/null 2>&1 || skip_all "no openssl (for the STARTTLS certificate)"

# --- smtpfault.py ------------------------------------------------------------------
# sf_start NAME [OPTION...]: a fault-injecting server on a free port of
# loopback, its event log in $T/NAME.log ($SF_LOG); sets SF_PORT, SF_PID.
SF_PID= SF_PORT= SF_LOG=
sf_start() {
	sf_stop
	SF_LOG=$T/$1.log
	shift
	: >"$SF_LOG"
	: >"$T/sf.port"
	"$PY" "$TOP/tests/lib/smtpfault.py" --log "$SF_LOG" "$@" >"$T/sf.port" 2>"$T/sf.err" &
	SF_PID=$!
	_i=0
	until grep -q '^[0-9][0-9]*$' "$T/sf.port" 2>/dev/null; do
		if ! proc_alive "$SF_PID" || [ "$_i" -ge 100 ]; then
			echo "# smtpfault.py did not start: $(cat "$T/sf.err")"
			return 1
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	SF_PORT=$(head -n 1 "$T/sf.port")
}
sf_stop() {
	if [ -n "$SF_PID" ]; then
		kill "$SF_PID" 2>/dev/null
		wait "$SF_PID" 2>/dev/null
	fi
	SF_PID=
}
# what the server accepted: "N ADDRESS" per address, N the times it was
accepted() { awk '$1 == "data-accepted" { print $3 }' "$SF_LOG" | sort | uniq -c | awk '{ print $1, $2 }'; }
# got ADDR: how many times the server accepted a message for ADDR
got() { awk -v a="$1" '$1 == "data-accepted" && $3 == a { n++ } END { print n + 0 }' "$SF_LOG"; }
# events EVENT: how many lines of the server's log are that event
events() { awk -v e="$1" '$1 == e { n++ } END { print n + 0 }' "$SF_LOG"; }

stop_all() { sf_stop; servers_stop_all; }
trap 'stop_all' EXIT
trap 'stop_all; trap - EXIT; exit 129' HUP
trap 'stop_all; trap - EXIT; exit 130' INT
trap 'stop_all; trap - EXIT; exit 143' TERM

# --- configuration, drafts ---------------------------------------------------------
D=$T/digests
week=$(date -u +%G-W%V)
F=$D/$week.md
# one feed, on a closed port: nothing here fetches
cat >"$T/feeds.opml" <<EOF
<?xml version="1.0"?>
<opml version="2.0"><head><title>t</title></head><body>
<outline type="rss" text="closed" xmlUrl="http://127.0.0.1:9/feed.xml"/>
</body></opml>
EOF
# conf PORT [LINE...]: smtp to 127.0.0.1:PORT, then the extra lines (with
# their own section headers)
conf() {
	_port=$1
	shift
	write_config "[fetch]" "feeds = $T/feeds.opml" \
		"[compose]" "digests_dir = $D" "templates = $TOP/templates" "quiet_week = send" \
		"[mail]" "unsubscribe_url = https://example.org/unsubscribe" \
		"archive_url = https://example.org/archive" \
		"[send]" "transport = smtp" "retry_delay = 0" "retries = ${RETRIES:-1}" "maildir = $T/outbox" \
		"[smtp]" "host = 127.0.0.1" "port = $_port" "$@"
}
SUBJECT='Digest nº 1 — libertés civiles, « surveillance » et vie privée'
# draft FILE: the composed draft as the editor leaves it: placeholders
# out, a non-ASCII subject, three items with non-ASCII titles
draft() {
	sed -i '/TODO:/d' "$1"
	sed -i "s/^subject: .*/subject: \"$SUBJECT\"/" "$1"
	cat >>"$1" <<'EOF'

## Surveillance · Surveillance

- [La GRC et la surveillance de masse : « un précédent inquiétant »](https://example.org/grc-surveillance)
  Le commissaire à la vie privée s'inquiète ; l'État répond « sécurité ».
  <!-- nd:item id=1 topics=surveillance score=3 evidence="surveillance" -->
- [A court rules on bulk collection — Québec's appeal court, 2–1](https://example.org/bulk)
  <!-- nd:item id=2 topics=surveillance score=2 evidence="bulk collection" -->

## No-fly list · Liste d'interdiction de vol

- [Zoë, 6, flagged again: the no-fly list's “false positives”](https://example.org/no-fly)
  <!-- nd:item id=3 topics=no-fly score=2 evidence="no-fly list" -->
EOF
}
# fresh CSV: a new store with the subscribers of CSV and this week's
# draft, edited and approved
fresh() {
	rm -rf "$T/store.db" "$T/store.db-wal" "$T/store.db-shm" "$T/store.db.lock" "$D"
	nd subscribers import "$1"
	[ "$RC" = 0 ] || { fail "(import $1)" "exit $RC"; return 1; }
	nd compose
	[ "$RC" = 0 ] || { fail "(compose)" "exit $RC"; return 1; }
	draft "$F"
	nd approve "$F"
	[ "$RC" = 0 ] || { fail "(approve)" "exit $RC"; return 1; }
}
# state EMAIL [WEEK]: "state attempts" of EMAIL's row for the week
state() {
	sql "SELECT d.state || ' ' || d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber
	     JOIN digests g ON g.id = d.digest WHERE s.email = '$1' AND g.week = '${2:-$week}'"
}
reply() {
	sql "SELECT d.reply FROM deliveries d JOIN subscribers s ON s.id = d.subscriber
	     JOIN digests g ON g.id = d.digest WHERE s.email = '$1' AND g.week = '${2:-$week}'"
}
states() { # "state=N ..." of the week's rows, in state order
	sql "SELECT group_concat(state || '=' || n, ' ') FROM (SELECT d.state, count(*) n FROM deliveries d
	     JOIN digests g ON g.id = d.digest WHERE g.week = '${1:-$week}' GROUP BY d.state ORDER BY d.state)"
}
# mimecheck ARG...: tests/lib/mimecheck.py with the checks of this test's
# configuration; prints its summary as "# " lines, its output in
# $T/mimecheck.out
mimecheck() {
	"$PY" "$TOP/tests/lib/mimecheck.py" "$@" \
		--subject "$SUBJECT" --from news-digest@example.org --list-id news-digest.example.org \
		--unsub-mailto news-digest-unsubscribe@example.org \
		--unsub-https https://example.org/unsubscribe \
		--archive https://example.org/archive >"$T/mimecheck.out" 2>&1
	_rc=$?
	tail -n 1 "$T/mimecheck.out" | sed 's/^/# /'
	return "$_rc"
}
# subs FILE N [PREFIX]: a CSV of N plain subscribers PREFIXi@example.test
subs() {
	awk -v n="$2" -v p="${3:-u}" 'BEGIN { print "email,name"; for (i = 1; i <= n; i++) printf "%s%d@example.test,Reader %d\n", p, i, i }' >"$1"
}

# =================================================================================
# 1. 1,200 subscribers through a real Postfix
# =================================================================================
postfix_start
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "postfix starts" "$SERVERS_ERROR"; finish; exit 1; }
conf "$SMTP_PORT" "tls = none"

# 1,200 subscribers; names in several scripts, and some awkward ones
long=$(awk 'BEGIN { for (i = 0; i < 12; i++) printf "Éloïse-Marguerite de la Vérendrye-Saint-Laurent "; }' | sed 's/ $//')
{
	echo "email,name"
	echo 'smith@example.test,"Smith, John"'
	echo 'boss@example.test,"The ""Boss"" Jones"'
	echo "obrien@example.test,Siobhán O'Brien"
	echo "long@example.test,$long"
	echo 'mixed@example.test,"Dr. ""Ann"" O'"'"'Hara, PhD (Ottawa; Gatineau)"'
	echo "noname@example.test,"
	echo "Mixed.Case@Example.Test,Upper Case"
	awk 'BEGIN {
		split("Zoë Lefèvre|Jean-François Côté|李小龍|محمد الأمين|Łukasz Żółć|Ærøskøbing Ødegård|Ναυσικά Παπαδοπούλου|Jürgen Groß|Иван Петров|Reader", n, "|")
		for (i = 1; i <= 1193; i++)
			printf "r%04d@%s,%s %d\n", i, (i % 5 == 0 ? "example.org" : "example.test"), n[i % 10 + 1], i
	}'
} >"$T/list.csv"
nd subscribers import "$T/list.csv"
is 0 "1,200 subscribers imported"
has out "1200 rows: 1200 added" "every row is added"
equal "$(sql "SELECT count(*) FROM subscribers WHERE status = 'active'")" 1200 "(1,200 active subscribers)"
equal "$(sql "SELECT name FROM subscribers WHERE email = 'long@example.test'")" "$long" \
	"(the long name, about 600 bytes, is stored whole)"
nd compose
is 0 "compose"
draft "$F"
nd approve "$F"
is 0 "the edited draft is approved"

nd send "$F"
is 0 "send over SMTP to Postfix exits 0"
has out "^$week: sent 1200, failed 0, tempfail 0, possible duplicates 0 " "the report: sent 1200"
has out "complete: 1200 sent, 0 failed in all, archive updated" "and the end"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent' AND attempts = 1")" 1200 \
	"1,200 journal rows sent, each at the first attempt"
equal "$(sql "SELECT count(*) FROM deliveries WHERE reply LIKE '250 %'")" 1200 "each row keeps Postfix's 250"
if mail_wait_total 1200; then pass "Postfix delivers 1,200 messages"
else fail "Postfix delivers 1,200 messages" "$(mail_count) delivered: $(mail_log_counts)"; fi
sleep 1
equal "$(mail_count)" 1200 "exactly 1,200, no more"
equal "$(find "$MAIL_DIR/" -mindepth 2 -maxdepth 2 -type d | wc -l | tr -d ' ')" 1200 "in 1,200 Maildirs"
equal "$(for f in $(mail_files); do dirname "$(dirname "$f")"; done | sort | uniq -d | wc -l | tr -d ' ')" 0 \
	"exactly one message per Maildir"

sqlite3 -csv -header "$T/store.db" "SELECT email, name, token FROM subscribers" >"$T/expect.csv"
if mimecheck --maildir-root "$MAIL_DIR/" --expect "$T/expect.csv"; then
	pass "mimecheck: every message is right for its subscriber"
else
	fail "mimecheck: every message is right for its subscriber" "$(head -20 "$T/mimecheck.out")"
fi
[ -s "$D/archive/$week.html" ] && pass "the archive has the issue's page" ||
	fail "the archive has the issue's page"

# the long name, the quoted ones and a non-ASCII one, as a reader sees them
for a in long@example.test boss@example.test smith@example.test obrien@example.test r0001@example.test; do
	f=$(mail_files "$a" | head -n 1)
	[ -n "$f" ] || { fail "$a got the digest"; continue; }
	pass "$a got the digest"
done

# a second send: nothing
before=$(mail_log_counts)
conns=$(grep -c ' connect from ' "$POSTFIX_DIR/maillog")
nd send "$F"
is 0 "a second send exits 0"
has out "nothing sent: the digest of $week was sent on .* \\(1200 sent, 0 failed\\)" "and says why"
sleep 1
equal "$(mail_count)" 1200 "Postfix got nothing more"
equal "$(grep -c ' connect from ' "$POSTFIX_DIR/maillog")" "$conns" "not even a connection"
equal "$(mail_log_counts)" "$before" "(its log agrees)"

# a test send to an address that is no subscriber
nd send --to x@example.test "$F"
is 0 "a test send (--to x@example.test) exits 0"
has out "test send: sent 1, failed 0, tempfail 0" "and reports it"
if mail_wait 1 x@example.test; then pass "the test message arrives"
else fail "the test message arrives"; fi
xf=$(mail_files x@example.test | head -n 1)
xmid=$(sed -n 's/^[Mm]essage-I[Dd]: *//p' "$xf" | head -n 1 | tr -d '\r')
case $xmid in
'<'*'>') pass "it has a Message-ID ($xmid)" ;;
*) fail "it has a Message-ID" "got '$xmid'" ;;
esac
for f in $(mail_files); do
	[ "$f" = "$xf" ] || sed -n '/^\r\{0,1\}$/q; s/^[Mm]essage-I[Dd]: *//p' "$f"
done | tr -d '\r' >"$T/mids"
equal "$(wc -l <"$T/mids" | tr -d ' ')" 1200 "(1,200 real Message-IDs)"
equal "$(sort -u "$T/mids" | wc -l | tr -d ' ')" 1200 "the real ones are all different"
if grep -qxF "$xmid" "$T/mids"; then fail "the test send's Message-ID is its own"
else pass "the test send's Message-ID is its own"; fi
if mimecheck --file "$xf"; then
	pass "mimecheck: the test message is well formed"
else
	fail "mimecheck: the test message is well formed" "$(head -20 "$T/mimecheck.out")"
fi
equal "$(mail_count)" 1201 "and no subscriber got anything"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state <> 'sent' OR attempts <> 1")" 0 "the journal is untouched"

# =================================================================================
# 5. SpamAssassin's opinion of one delivered message
# =================================================================================
msg=$(mail_files obrien@example.test | head -n 1)
spamcheck "$msg"
case $? in
77) pass "# SKIP $SPAMCHECK_ERROR" ;;
0)
	if spam_below 2.0; then pass "SpamAssassin scores a delivered digest $SPAM_SCORE (below 2.0)"
	else fail "SpamAssassin scores a delivered digest below 2.0" "score $SPAM_SCORE: $SPAM_RULES"; fi
	;;
*) fail "SpamAssassin runs" "$SPAMCHECK_ERROR" ;;
esac
postfix_stop

# =================================================================================
# 2. faults, from smtpfault.py
# =================================================================================
sf_or_die() {
	sf_start "$@" || { fail "smtpfault.py starts" "$(cat "$T/sf.err")"; finish; exit 1; }
}
rcpts() { # rcpts ADDR [CODE]: the RCPT commands for ADDR (answered with CODE)
	awk -v a="$1" -v c="${2:-}" '$1 == "rcpt" && $3 == a && (c == "" || $4 == c) { n++ } END { print n + 0 }' "$SF_LOG"
}
subs "$T/s6.csv" 6
subs "$T/s3.csv" 3

# --- a 421 in the middle of a session -----------------------------------------------
sf_or_die 421 --421-after 3
conf "$SF_PORT" "tls = none"
fresh "$T/s6.csv"
nd send "$F"
is 0 "a 421 in the middle of a session: send exits 0"
has out "^$week: sent 6, failed 0, tempfail 0, possible duplicates 0 " \
	"all six sent, no possible duplicate (a 421 says the message was not taken)"
equal "$(states)" "sent=6" "six journal rows sent"
equal "$(sql "SELECT max(attempts) FROM deliveries")" 1 "each at its first attempt (the new connection is part of it)"
has "$SF_LOG" '^drop [0-9]+ 421$' "(the server said 421 to the third MAIL and hung up)"
equal "$(events connect)" 3 "the message got a new connection: three in all, with [send] connections = 2"
[ "$(awk '$1 == "data-accepted" && $2 == 3' "$SF_LOG" | wc -l)" -ge 1 ] &&
	pass "the new connection carried messages" || fail "the new connection carried messages"
equal "$(accepted | awk '$1 == 1' | wc -l | tr -d ' ')" 6 "the server accepted each message exactly once"

# --- a connection dropped after the data ---------------------------------------------
sf_or_die drop --drop-after-data 2
conf "$SF_PORT" "tls = none" "[send]" "connections = 1"
fresh "$T/s6.csv"
nd send "$F"
is 0 "a connection dropped after the data, unanswered: send exits 0"
has out "^$week: sent 6, failed 0, tempfail 0, possible duplicates 1 " \
	"the message is sent again and counted as a possible duplicate"
equal "$(states)" "sent=6" "six journal rows sent"
equal "$(state u2@example.test)" "sent 1" "u2's row: sent, at the first attempt"
has "$SF_LOG" '^drop 1 after-data$' "(the server read u2's message and hung up)"
equal "$(rcpts u2@example.test)" 2 "u2's message went out twice"
equal "$(awk '$1 == "rcpt" && $3 == "u2@example.test" { print $2 }' "$SF_LOG" | sort -u | wc -l | tr -d ' ')" 2 \
	"on two connections"
equal "$(got u2@example.test)" 1 "and was accepted once"
equal "$(accepted | awk '$1 == 1' | wc -l | tr -d ' ')" 6 "every message accepted exactly once"

# --- 451 to some recipients: left for a later run ------------------------------------
printf 'email,name\nok1@example.test,One\ntmp1@example.test,Later One\nok2@example.test,Two\ntmp2@example.test,Later Two\n' \
	>"$T/s451.csv"
sf_or_die 451 --rcpt-reply 'tmp*=451 4.3.0 mailbox busy, try later'
conf "$SF_PORT" "tls = none"
fresh "$T/s451.csv"
nd send "$F"
is 75 "451 to two recipients: send exits 75"
has out "^2 temporary failures: trying again in 0 s \\(round 1 of 1\\)" "they are tried again in the run's retry round"
has out "^$week: sent 2, failed 0, tempfail 2, possible duplicates 0 .*run the same command again later" \
	"the report counts them and says what to do"
equal "$(state tmp1@example.test)" "tempfail 2" "tmp1's row: tempfail, two attempts"
equal "$(reply tmp1@example.test)" "451 4.3.0 mailbox busy, try later" "with the server's reply"
equal "$(state tmp2@example.test)" "tempfail 2" "tmp2's row too"
equal "$(rcpts tmp1@example.test 451)" 2 "the server refused tmp1 twice"
equal "$(got tmp1@example.test)$(got tmp2@example.test)" "00" "and took nothing for them"
equal "$(state ok1@example.test)" "sent 1" "ok1 was sent"
equal "$(sql "SELECT sent_at IS NULL FROM digests WHERE week = '$week'")" 1 "the digest is not complete"
sf_or_die 451-fixed
conf "$SF_PORT" "tls = none"
nd send "$F"
is 0 "the next run, the server fixed: exits 0"
has out "^resuming the send of $week begun " "it resumes"
has out "^$week: sent 2, failed 0, tempfail 0, possible duplicates 0 .*; 2 sent by an earlier run; complete: 4 sent, 0 failed in all" \
	"it sends the two left and completes the digest"
equal "$(state tmp1@example.test)/$(state tmp2@example.test)" "sent 3/sent 3" "their rows: sent at the third attempt"
equal "$(accepted | tr '\n' ' ')" "1 tmp1@example.test 1 tmp2@example.test " "the server got those two only"

# --- 550 5.1.1: failed, bounced, and left out of the next digest ---------------------
printf 'email,name\nok1@example.test,One\ngone1@example.test,Gone\nok2@example.test,Two\n' >"$T/s550.csv"
sf_or_die 550 --rcpt-reply 'gone*=550 5.1.1 <gone1@example.test>: Recipient address rejected: User unknown|in virtual mailbox table'
conf "$SF_PORT" "tls = none" "[send]" "bounce_after = 1"
fresh "$T/s550.csv"
nd send "$F"
is 65 "550 5.1.1 to one recipient: send exits 65"
has out "^$week: sent 2, failed 1, tempfail 0, possible duplicates 0 .*; 1 address marked bounced; complete: 2 sent, 1 failed in all" \
	"the report counts it, and the bounce"
has err "gone1@example\\.test refused: 550 5\\.1\\.1 <gone1@example\\.test>: Recipient address rejected: User unknown in virtual mailbox table" \
	"stderr names the address, with the reply (both lines of it)"
equal "$(state gone1@example.test)" "failed 1" "the row failed at the first attempt: a 5xx is not retried"
equal "$(reply gone1@example.test)" "550 5.1.1 <gone1@example.test>: Recipient address rejected: User unknown in virtual mailbox table" \
	"the reply is kept"
equal "$(rcpts gone1@example.test)" 1 "the server was asked once"
equal "$(sql "SELECT status FROM subscribers WHERE email = 'gone1@example.test'")" bounced \
	"the subscriber is bounced ([send] bounce_after = 1)"
# the next digest: next week's
week2=$(date -u -d '+7 days' +%G-W%V)
F2=$D/$week2.md
nd compose --week "$week2"
is 0 "compose --week $week2 (the next digest)"
draft "$F2"
nd approve "$F2"
is 0 "approve it"
nd send "$F2"
is 0 "send the next digest: exits 0"
has out "^$week2: sent 2, failed 0, tempfail 0, possible duplicates 0 .*complete: 2 sent, 0 failed in all" \
	"two messages: the bounced address is left out"
equal "$(rcpts gone1@example.test)" 1 "the server was never asked for the bounced address again"
equal "$(got ok1@example.test)" 2 "(ok1 got both digests)"
equal "$(sql "SELECT count(*) FROM deliveries d JOIN digests g ON g.id = d.digest JOIN subscribers s ON s.id = d.subscriber
	     WHERE g.week = '$week2' AND s.email = 'gone1@example.test'")" 0 "the next digest's journal has no row for it"

# --- a slow server ------------------------------------------------------------------
sf_or_die slow --delay 0.2
conf "$SF_PORT" "tls = none" "timeout = 2"
fresh "$T/s3.csv"
nd send "$F"
is 0 "a slow server (0.2 s before every reply) within [smtp] timeout = 2: send exits 0"
has out "^$week: sent 3, failed 0, tempfail 0, possible duplicates 0 " "all three sent"
equal "$(states)" "sent=3" "three rows sent"

subs "$T/s2.csv" 2
sf_or_die slower --delay-data 3
conf "$SF_PORT" "tls = none" "timeout = 1" "[send]" "connections = 1"
fresh "$T/s2.csv"
nd send "$F"
is 75 "a server that answers the data after 3 s, beyond [smtp] timeout = 1: send exits 75"
has out "^$week: sent 0, failed 0, tempfail 2, possible duplicates [1-9][0-9]* .*run the same command again later" \
	"both tempfail; the messages that went out whole count as possible duplicates"
equal "$(states)" "tempfail=2" "two rows tempfail"
equal "$(state u1@example.test)" "tempfail 2" "u1's row: two attempts (the retry round)"
reply u1@example.test >"$T/reply"
has "$T/reply" "^no reply from 127\\.0\\.0\\.1:$SF_PORT within 1 s after the data$" "its reply says what happened"
[ "$(got u1@example.test)" -ge 1 ] && pass "(the server did take u1's message: a possible duplicate indeed)" ||
	fail "(the server did take u1's message)"

# a late answer after a timeout belongs to the old command: the connection
# must not carry another one (RFC 5321 4.5.3.2 leaves a client that timed
# out nothing but to close). Here the late answer is a 554 to the first
# message's data; read as the answer to the next MAIL it would stop the
# send as "refused the sender".
printf 'email,name\nlate1@example.test,Late 1\nlate2@example.test,Late 2\nlate3@example.test,Late 3\n' >"$T/slate.csv"
sf_or_die late --delay-data 1.5 --data-reply 'late1*=554 5.7.1 rejected by the content filter'
RETRIES=0 conf "$SF_PORT" "tls = none" "timeout = 1" "[send]" "connections = 1"
fresh "$T/slate.csv"
nd send "$F"
is 75 "answers to the data later than the timeout, one of them a 554: send exits 75 (temporary), not 78"
hasnt err "refused the sender" "the late 554 is not taken for a refusal of the sender"
equal "$(states)" "tempfail=3" "three rows tempfail"
equal "$(awk '$1 == "mail" { print $2 }' "$SF_LOG" | sort | uniq -d | tr '\n' ' ')" "" \
	"a connection whose answer timed out carries no other command (one MAIL per connection)"
equal "$(awk '$1 == "rcpt" { print $3 }' "$SF_LOG" | sort -u | wc -l | tr -d ' ')" 3 "every message was tried"

# --- a server too busy to talk: 421 in its greeting ----------------------------------
sf_or_die busy --greeting-reply '421 4.3.2 too busy, come back later'
conf "$SF_PORT" "tls = none"
fresh "$T/s3.csv"
nd send "$F"
is 75 "a server that greets with 421: send exits 75"
has err "turns new sessions away \\(421 4.3.2 too busy, come back later, 4 times in a row\\); run the same command again later" \
	"the send stops after [send] reconnects + 1 refused sessions in a row, and says why"
has out "^$week: sent 0, failed 0, tempfail 3, possible duplicates 0 .*stopped by the error above" \
	"three temporary failures"
equal "$(states)" "tempfail=3" "three rows tempfail"
has_reply=$(reply u1@example.test)
case $has_reply in
*"421 4.3.2 too busy, come back later"*) pass "with the server's greeting in the reply" ;;
*) fail "with the server's greeting in the reply" "reply: $has_reply" ;;
esac
connects=$(events connect)
[ "$connects" -le 6 ] && pass "no more than reconnects + 1 sessions, plus those already under way ($connects)" ||
	fail "no more than reconnects + 1 sessions, plus those already under way" "$connects connections"
hasnt out "trying again in" "no retry round against a server that turns sessions away"

# --- AUTH ---------------------------------------------------------------------------
printf 's3cret pass\n' >"$T/password"
chmod 600 "$T/password"
sf_or_die auth --auth 'nd-user:s3cret pass'
conf "$SF_PORT" "tls = none" "username = nd-user" "password_file = $T/password"
fresh "$T/s3.csv"
nd send "$F"
is 0 "AUTH with the right password ([smtp] username, password_file): send exits 0"
has out "^$week: sent 3, failed 0, tempfail 0" "all three sent"
has "$SF_LOG" '^auth [0-9]+ PLAIN nd-user ok$' "the server saw the login"
equal "$(awk '$1 == "auth" && $5 != "ok"' "$SF_LOG" | wc -l | tr -d ' ')" 0 "and no failed one"

printf 'Wr0ng-Passw0rd\n' >"$T/password"
sf_or_die auth-wrong --auth 'nd-user:s3cret pass'
conf "$SF_PORT" "tls = none" "username = nd-user" "password_file = $T/password"
fresh "$T/s3.csv"
nd send "$F"
is 78 "AUTH with a wrong password: send exits 78"
has err "refused the login of 'nd-user': 535 5\\.7\\.8 Authentication credentials invalid; check \\[smtp\\] username and the password" \
	"the message says the login was refused, and what to check"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent'")" 0 "nothing is marked sent"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'tempfail')")" 3 "the rows wait for the next run"
equal "$(events mail)" 0 "the server got no MAIL"
if grep -q 'Wr0ng' "$T/out" "$T/err" || [ "$(sql "SELECT count(*) FROM deliveries WHERE reply LIKE '%Wr0ng%'")" != 0 ]; then
	fail "the password is in no output and no journal row"
else
	pass "the password is in no output and no journal row"
fi
chmod 644 "$T/password"
nd send "$F"
is 78 "a password file that others can read: exit 78"
has err "chmod 600" "the message says what to do"
printf 's3cret pass\n' >"$T/password"
chmod 600 "$T/password"
nd send "$F"
is 0 "the password fixed: the next run exits 0"
has out "^$week: sent 3, failed 0, tempfail 0, possible duplicates 0 .*complete: 3 sent" "and sends all three"

# --- STARTTLS with a self-signed certificate ------------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >"$T/openssl.log" 2>&1; then
	sf_or_die tls --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --require-tls
	conf "$SF_PORT" "tls = starttls"
	fresh "$T/s3.csv"
	nd send "$F"
	is 78 "STARTTLS to a self-signed certificate: send exits 78"
	has err "cannot verify the certificate of 127\\.0\\.0\\.1:$SF_PORT: .*\\[smtp\\] ca_file" \
		"the message says so and mentions [smtp] ca_file"
	equal "$(events mail)" 0 "nothing went over the untrusted connection"
	equal "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent'")" 0 "nothing is marked sent"
	conf "$SF_PORT" "tls = starttls" "ca_file = $T/cert.pem"
	nd send "$F"
	is 0 "with [smtp] ca_file = the certificate: send exits 0"
	has out "^$week: sent 3, failed 0, tempfail 0, possible duplicates 0 .*complete: 3 sent" "all three sent"
	has "$SF_LOG" '^starttls ' "over STARTTLS"
	equal "$(awk '$1 == "starttls" { t[$2] = 1 } $1 == "mail" && !t[$2] { n++ } END { print n + 0 }' "$SF_LOG")" 0 \
		"every MAIL came after the TLS handshake"
else
	fail "openssl makes a self-signed certificate" "$(tail -3 "$T/openssl.log")"
fi
sf_stop

# --- no server ----------------------------------------------------------------------
port=$(free_port)
conf "$port" "tls = none"
fresh "$T/s3.csv"
nd send "$F"
is 69 "no server on the port: send exits 69"
has err "cannot connect to 127\\.0\\.0\\.1:$port" "the message names the relay"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'tempfail')")" 3 "the rows are left for the next run"
equal "$(sql "SELECT sent_at IS NULL FROM digests WHERE week = '$week'")" 1 "the digest is not complete"
sf_or_die back --port "$port"
nd send "$F"
is 0 "the server back: the next run exits 0"
has out "^$week: sent 3, failed 0, tempfail 0, possible duplicates 0 .*complete: 3 sent" "and sends all three"
sf_stop

# =================================================================================
# 3. kill -9 at random moments of a send, then resume
# =================================================================================
# each trial: a fresh journal, 200 subscribers, a server that waits 4 ms
# before each reply (a send takes a few seconds), batches of 20, a kill
# after a random delay, the rows left `sending` counted, then a resume to
# the end. Every subscriber must be accepted at least once; the extra
# acceptances may not exceed the rows that were in flight at the kill.
subs "$T/s200.csv" 200 c
trial=1 lost=0 over=0 in_flight_all=0 dups_all=0 early=0 mids=0
while [ "$trial" -le 10 ]; do
	sf_or_die "crash$trial" --delay 0.004
	conf "$SF_PORT" "tls = none" "[send]" "batch = 20"
	fresh "$T/s200.csv"
	delay=$(awk -v s="$trial$$" 'BEGIN { srand(s); printf "%.2f", 0.05 + rand() * 2.2 }')
	"$ND" send "$F" >"$T/crash.out" 2>&1 &
	pid=$!
	sleep "$delay"
	if proc_alive "$pid"; then kill -9 "$pid" 2>/dev/null; else early=$((early + 1)); fi
	wait "$pid" 2>/dev/null
	in_flight=$(sql "SELECT count(*) FROM deliveries WHERE state = 'sending'")
	nd send "$F"
	[ "$RC" = 0 ] || fail "trial $trial: the resume exits 0" "exit $RC: $(cat "$T/err")"
	sf_stop
	delivered=$(accepted | wc -l | tr -d ' ')
	total=$(events data-accepted)
	dups=$((total - delivered))
	[ "$delivered" = 200 ] || lost=$((lost + 200 - delivered))
	[ "$dups" -le "$in_flight" ] || over=$((over + 1))
	# a message sent again is the same message: the same Message-ID
	mids=$((mids + $(awk '$1 == "data-accepted" { print $3, $4 }' "$SF_LOG" | sort -u | awk '{ print $1 }' | uniq -d | wc -l)))
	if grep -q '^nothing sent' "$T/out"; then
		pass "trial $trial (the send ended before the kill at $delay s): nothing left to resume"
	else
		has out "possible duplicates $in_flight " \
			"trial $trial (kill after $delay s, $in_flight rows sending): the resume counts them as possible duplicates"
	fi
	in_flight_all=$((in_flight_all + in_flight)) dups_all=$((dups_all + dups))
	trial=$((trial + 1))
done
equal "$lost" 0 "ten kill -9 trials: no subscriber lost"
equal "$over" 0 "ten kill -9 trials: duplicates never more than the rows in flight"
equal "$mids" 0 "a duplicate always has the first copy's Message-ID (a reader's client can drop it)"
echo "# kill -9 trials over SMTP: $dups_all duplicate acceptances, $in_flight_all rows in flight at the kills ($early sends ended before their kill)"

finish
