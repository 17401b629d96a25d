#!/bin/sh
# newsdigest send and run --send without a mail server: the approval gate
# (exit 77), test sends (--to) and dry runs that touch no journal row, a
# complete send through the maildir transport, nothing sent twice, the
# archive, a sent draft that compose and approve leave alone, run --send's
# reasons for sending nothing, the sendmail transport's temporary and
# permanent failures, bounces, --include-new and --resume, hostile names and
# subjects, and kill -9 at random moments with resumes: no subscriber lost,
# duplicates no more than the rows left in flight.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3"

D=$T/digests
O=$T/outbox
# one feed, on a closed port of loopback: run fails its fetch at once
cat >"$T/feeds.opml" <<EOF
<?xml version="1.0"?>
<opml version="2.0"><head><title>t</title></head><body>
<outline type="rss" text="closed" xmlUrl="http://127.0.0.1:9/feed.xml"/>
</body></opml>
EOF
conf() { # conf [LINE...]: the test's configuration, and the extra lines
	write_config "[fetch]" "feeds = $T/feeds.opml" "[compose]" "digests_dir = $D" "templates = $TOP/templates" \
		"[send]" "maildir = $O" "retry_delay = 0" "batch = 4" "$@"
}
conf
count() { find "$1" -type f 2>/dev/null | wc -l | tr -d ' '; }
week=$(date -u +%G-W%V)
F=$D/$week.md

# --- a draft of this week, and five subscribers -----------------------------------
{
	echo "email,name"
	for i in 1 2 3 4 5; do echo "u$i@example.test,User $i"; done
} >"$T/subs.csv"
nd subscribers import "$T/subs.csv"
is 0 "subscribers imported"
nd compose
is 0 "compose writes this week's draft"
# the editor's work: the placeholders out, two items in
sed -i '/TODO:/d' "$F"
cat >>"$F" <<'EOF'

## Surveillance

- [A court rules on bulk collection](https://example.org/a)
  <!-- nd:item id=1 topics=surveillance score=3 evidence="bulk collection" -->
- [A bill on lawful access](https://example.org/b)
  <!-- nd:item id=2 topics=surveillance score=2 evidence="lawful access" -->
EOF

# --- the gate ----------------------------------------------------------------------
nd send "$F"
is 77 "send refuses a draft that is not approved: exit 77"
has err "is not approved: .*newsdigest approve" "and says what to do"
equal "$(count "$O")" 0 "nothing written"
equal "$(sql 'SELECT count(*) FROM deliveries')" 0 "no journal row"

nd approve "$F"
is 0 "approve"
echo "an edit after approval" >>"$F"
nd send "$F"
is 77 "send refuses a draft changed since approval: exit 77"
has err "changed since it was approved" "and says so"
sed -i '$d' "$F"

nd send
is 64 "send without a file: exit 64"
nd send "$T/none.md"
is 65 "send of a missing file: exit 65"
nd send --to 'not an address' "$F"
is 64 "a bad --to address: exit 64"
has err "not an address" "names it"

# --- a test send --------------------------------------------------------------------
nd send --to u2@example.test --to editor@example.org "$F"
is 0 "a test send exits 0"
has out "test send: sent 2, failed 0" "reports it"
equal "$(count "$O/new")" 2 "two messages written"
equal "$(sql 'SELECT count(*) FROM deliveries')" 0 "no journal row touched"
grep -l '^To: User 2 <u2@example.test>' "$O"/new/* >/dev/null &&
	pass "a subscriber gets their name" || fail "a subscriber gets their name"
grep -q 'unsubscribe%20SAMPLE-TOKEN' "$O"/new/* &&
	pass "another address gets a sample unsubscribe link" ||
	fail "another address gets a sample unsubscribe link"
test_mid=$(grep -h '^Message-ID:' "$O"/new/* | sort | head -1)
rm -rf "$O"

# --- a dry run ----------------------------------------------------------------------
nd send --dry-run "$F"
is 0 "a dry run exits 0"
has out "dry run: 5 messages written to $O/new" "reports where"
equal "$(count "$O/new")" 5 "one message per subscriber"
equal "$(sql 'SELECT count(*) FROM deliveries')" 0 "the journal untouched"
rm -rf "$O"

# --- the send -----------------------------------------------------------------------
nd send "$F"
is 0 "send exits 0 when every message is accepted"
has out "sent 5, failed 0, tempfail 0, possible duplicates 0" "reports the counts"
has out "complete: 5 sent, 0 failed in all, archive updated" "and the end"
equal "$(count "$O/new")" 5 "five messages"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent' AND attempts = 1")" 5 \
	"five journal rows sent, each at the first attempt"
for i in 1 2 3 4 5; do
	n=$(grep -l "^To: User $i <u$i@example.test>" "$O"/new/* | wc -l)
	[ "$n" = 1 ] || { fail "u$i got exactly one message" "got $n"; continue; }
	pass "u$i got exactly one message"
done
grep -h '^Message-ID:' "$O"/new/* | grep -qxF "$test_mid" &&
	fail "the test send's Message-ID is not a real one's" ||
	pass "the test send's Message-ID is not a real one's"
[ -s "$D/archive/$week.html" ] && pass "the archive has the issue's page" ||
	fail "the archive has the issue's page"
has "$D/archive/feed.xml" "$week" "and the feed its entry"
[ "$(sql "SELECT sent_at IS NOT NULL FROM digests WHERE week = '$week'")" = 1 ] &&
	pass "the digest is recorded as sent" || fail "the digest is recorded as sent"

nd send "$F"
is 0 "a second send exits 0"
has out "nothing sent: the digest of $week was sent on .* \\(5 sent, 0 failed\\)" "and says why"
equal "$(count "$O/new")" 5 "and sends nothing"
nd run --send
is 0 "run --send after the send exits 0"
has out "nothing sent: the digest of $week was sent" "and says why"
equal "$(count "$O/new")" 5 "and sends nothing"

# a sent draft stays what was sent
cp "$F" "$T/sent.md"
echo "late edit" >>"$F"
nd approve "$F"
is 65 "approve refuses other bytes once the week has gone out"
has err "has gone out to 5 subscribers" "and says why"
cp "$T/sent.md" "$F"
nd compose --force
is 65 "compose leaves a sent week's draft alone, even with --force"
has err "has been sent to subscribers" "and says so"
same "$T/sent.md" "$F" "the draft is as it was sent"
nd run
has out "the draft $F has been sent: left as is" "run leaves it too"
same "$T/sent.md" "$F" "still as it was sent"

# --include-new: a subscriber who joined after the send
nd subscribers add late@example.test 'Late Comer'
nd send "$F"
has out "nothing sent" "a new subscriber is not sent to unless asked"
nd send --include-new "$F"
is 0 "send --include-new exits 0"
has out "sent 1, failed 0" "sends to the new subscriber only"
equal "$(grep -l '^To: Late Comer <late@example.test>' "$O"/new/* | wc -l)" 1 \
	"late@ got the digest"
equal "$(count "$O/new")" 6 "and no one else got another"

# --- run --send's reasons for sending nothing ----------------------------------------
rm -rf "$T/store.db" "$T/store.db-wal" "$T/store.db-shm" "$D" "$O"
nd subscribers import "$T/subs.csv"
nd run --send
is 0 "run --send without a draft exits 0"
has out "nothing sent: there is no draft of $week" "and says why"
nd compose
sed -i '/TODO:/d' "$F"
nd run --send
is 0 "run --send in a quiet week exits 0"
has out "nothing sent: a quiet week \\(0 items .* quiet_week = skip" "and says why"
write_config "[compose]" "digests_dir = $D" "templates = $TOP/templates" "quiet_week = send" \
	"[send]" "maildir = $O" "retry_delay = 0" "batch = 4"
nd run --send
is 0 "run --send with a draft not approved exits 0"
has out "nothing sent: .* is not approved" "and says why"
equal "$(count "$O")" 0 "nothing written"
nd approve "$F"
nd run --send
is 0 "run --send sends the approved draft"
has out "sent 5, failed 0" "to everyone"
equal "$(count "$O/new")" 5 "five messages"

# --- hostile names and subjects ------------------------------------------------------
conf
rm -rf "$O"
nd subscribers add 'evil@example.test' 'Eve Bcc: all@example.net'
sed -i "s/^subject: .*/subject: \"Line one\\\\r\\\\nBcc: victim@example.net\\\\u0007\"/" "$F"
nd send --dry-run --to evil@example.test "$F"
is 0 "a dry run with a hostile subject and name exits 0"
msg=$(find "$O/new" -type f | head -1)
sed '/^\r*$/q' "$msg" >"$T/head"
hasnt "$T/head" '^Bcc:' "no header line comes from the subject"
has "$T/head" '^Subject: Line one Bcc: victim@example.net' "the subject keeps its text, on one line"
if LC_ALL=C grep -q "$(printf '\007')" "$T/head"; then fail "no control character in the header"
else pass "no control character in the header"; fi
has "$T/head" '^To: "Eve Bcc: all@example.net" <evil@example.test>' "the name is quoted"

# --- the sendmail transport: failures, retries, bounces ------------------------------
# a sendmail-compatible program: records "RCPT" per delivery (after reading
# the whole message), refuses tmp* with 75 and gone* with 67 (EX_NOUSER)
cat >"$T/sendmail" <<'EOF'
#!/bin/sh
[ "$1" = -i ] && [ "$2" = -f ] && [ "$4" = -- ] || { echo "bad argv: $*" >&2; exit 64; }
rcpt=$5
cat >"$SM_DIR/msg.$$"
case $rcpt in
tmp*) echo "queue full" >&2; rm -f "$SM_DIR/msg.$$"; exit 75 ;;
gone*) echo "$rcpt: User unknown" >&2; rm -f "$SM_DIR/msg.$$"; exit 67 ;;
esac
[ -n "${SM_SLEEP:-}" ] && sleep "$SM_SLEEP"
mv "$SM_DIR/msg.$$" "$SM_DIR/$rcpt.$$"
echo "$rcpt" >>"$SM_DIR/log"
EOF
chmod +x "$T/sendmail"
SM_DIR=$T/sm
export SM_DIR
mkdir -p "$SM_DIR"
sm_conf() {
	write_config "[compose]" "digests_dir = $D" "templates = $TOP/templates" \
		"quiet_week = send" "[send]" "transport = sendmail" "sendmail = $T/sendmail" \
		"retry_delay = 0" "retries = 1" "batch = 4" "bounce_after = 1" "$@"
}
sm_conf
rm -rf "$T/store.db" "$T/store.db-wal" "$T/store.db-shm" "$D"
{
	echo "email,name"
	echo "ok1@example.test,One"
	echo "tmp1@example.test,Later"
	echo "gone1@example.test,Gone"
	echo "ok2@example.test,Two"
} >"$T/subs2.csv"
nd subscribers import "$T/subs2.csv"
nd compose
sed -i '/TODO:/d' "$F"
nd approve "$F"
nd send "$F"
is 75 "send exits 75 while temporary failures remain"
has out "sent 2, failed 1, tempfail 1" "and counts each kind"
has out "trying again in 0 s \\(round 1 of 1\\)" "temporary failures are retried within the run"
has err "gone1@example.test refused: sendmail exited 67: gone1@example.test: User unknown" \
	"a permanent failure is reported with the reply"
equal "$(sql "SELECT state || ' ' || attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber WHERE email = 'tmp1@example.test'")" \
	"tempfail 2" "the temporary failure is kept, with its attempts"
equal "$(sql "SELECT reply FROM deliveries d JOIN subscribers s ON s.id = d.subscriber WHERE email = 'gone1@example.test'")" \
	"sendmail exited 67: gone1@example.test: User unknown" "the permanent one with its reply"
equal "$(sql "SELECT status FROM subscribers WHERE email = 'gone1@example.test'")" bounced \
	"a refused mailbox is marked bounced ([send] bounce_after = 1)"
has out "1 address marked bounced" "and the report says so"
grep -c '' "$SM_DIR/log" | grep -qx 2 && pass "the program got the two good ones" ||
	fail "the program got the two good ones"
# the next run: only the temporary failure is tried again; still failing
nd send "$F"
is 75 "the next run exits 75 again"
has out "sent 0, failed 0, tempfail 1,.*; 2 sent by an earlier run" "only the tempfail is tried"
grep -c '' "$SM_DIR/log" | grep -qx 2 && pass "no one got a second copy" ||
	fail "no one got a second copy"
# the address is fixed: the row is still the same subscriber's, so rename
sql "UPDATE subscribers SET email = 'ok3@example.test' WHERE email = 'tmp1@example.test'"
nd send "$F"
is 0 "the last run exits 0: every message it sent was accepted"
has out "sent 1, failed 0, tempfail 0" "the rest goes"
has out "complete: 3 sent, 1 failed in all" "and the digest is complete"
nd send --resume "$F"
is 0 "send --resume after the end exits 0"
has out "nothing sent: the digest of $week was sent" "and says so"

# --- an error no retry cures stops the send; once put right, it resumes ---------
rm -rf "$T/store.db" "$T/store.db-wal" "$T/store.db-shm" "$D" "$SM_DIR"
mkdir -p "$SM_DIR"
nd subscribers import "$T/subs.csv"
nd compose
sed -i '/TODO:/d' "$F"
nd approve "$F"
write_config "[compose]" "digests_dir = $D" "templates = $TOP/templates" \
	"quiet_week = send" "[send]" "transport = sendmail" "sendmail = $T/no-such-sendmail"
nd send "$F"
is 78 "a sendmail program that cannot be run: exit 78 (EX_CONFIG)"
has err "no-such-sendmail" "the error names the program"
has out "stopped by the error above: once it is put right, the same command resumes" \
	"the report says what to do, not \"interrupted\""
hasnt out "interrupted" "and does not call it an interruption"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent'")" 0 "nothing is marked sent"
sm_conf
nd send "$F"
is 0 "with the program put right, the same command exits 0"
has out "complete:" "and completes the digest"

# --- kill -9 at random moments, then resume -----------------------------------------
# each trial: a fresh journal, a slow program (50 ms a message), a kill
# after a random delay, the rows left `sending` counted, then a resume to
# the end. Every subscriber must be delivered; the extra deliveries may
# not exceed the rows that were in flight at the kill.
rm -rf "$SM_DIR"
mkdir -p "$SM_DIR"
sm_conf "connections = 1"
{
	echo "email,name"
	i=1
	while [ "$i" -le 40 ]; do echo "c$i@example.test,Crash $i"; i=$((i + 1)); done
} >"$T/subs3.csv"
trial=1 lost=0 over=0 in_flight_all=0 dups_all=0
while [ "$trial" -le 10 ]; do
	rm -rf "$T/store.db" "$T/store.db-wal" "$T/store.db-shm" "$T/store.db.lock" "$D" "$SM_DIR"
	mkdir -p "$SM_DIR"
	nd subscribers import "$T/subs3.csv"
	nd compose
	sed -i '/TODO:/d' "$F"
	nd approve "$F"
	delay=$(awk -v s="$trial$$" 'BEGIN { srand(s); printf "%.2f", 0.1 + rand() * 1.6 }')
	SM_SLEEP=0.05 "$ND" send "$F" >"$T/crash.out" 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	in_flight=$(sql "SELECT count(*) FROM deliveries WHERE state = 'sending'")
	nd send "$F"
	[ "$RC" = 0 ] || fail "trial $trial: the resume exits 0" "exit $RC: $(cat "$T/err")"
	delivered=$(sort -u "$SM_DIR/log" | wc -l | tr -d ' ')
	total=$(wc -l <"$SM_DIR/log" | tr -d ' ')
	dups=$((total - delivered))
	[ "$delivered" = 40 ] || lost=$((lost + 40 - delivered))
	[ "$dups" -le "$in_flight" ] || over=$((over + 1))
	has out "possible duplicates $in_flight" "trial $trial (kill after $delay s): the resume counts the $in_flight rows in flight as possible duplicates"
	in_flight_all=$((in_flight_all + in_flight)) dups_all=$((dups_all + dups))
	trial=$((trial + 1))
done
equal "$lost" 0 "ten kill -9 trials: no subscriber lost"
equal "$over" 0 "ten kill -9 trials: duplicates never exceed the rows in flight"
echo "# kill -9 trials: $dups_all duplicate deliveries, $in_flight_all rows in flight at the kills"

finish
