#!/bin/sh
# shellcheck disable=SC1112,SC2015
# (typographic quotes in the text on purpose; pass/fail return 0)
# The whole week, end to end, through the command line and real servers:
# feeds dated this week served by nginx; Thursday's `newsdigest run`
# (seed, fetch, curate, compose); the editor's edits (the placeholders
# out, an introduction written, a title changed) and `approve`; Friday's
# `newsdigest run --send` over SMTP to a private Postfix, which delivers
# one message to every subscriber's Maildir (checked by mimecheck.py and
# SpamAssassin); the web archive updated; a second `run --send` sends
# nothing. (Send's faults and crashes over SMTP are t1710's.)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
. "$TOP/tests/lib/spamcheck.sh"
servers_trap

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no /usr/bin/python3 (for mimecheck.py)"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3"

FX=$FIX/t1710
D=$T/digests
W=$T/www
week=$(date -u +%G-W%V)
F=$D/$week.md

# --- this week's feeds ----------------------------------------------------------------
# compose takes the items of the current ISO week (UTC) up to now: the
# fixtures' @Dn@ become dates spread between Monday 00:00 UTC and a minute
# ago
now=$(date -u +%s)
dow=$(date -u +%u)
start=$((now - now % 86400 - (dow - 1) * 86400))
span=$((now - 60 - start))
[ "$span" -gt 0 ] || span=1
mkdir -p "$W"
for f in courier signal; do
	sed_args=
	i=1
	while [ "$i" -le 10 ]; do
		t=$((start + span * i / 11))
		sed_args="$sed_args -e s/@D$i@/$(LC_ALL=C date -u -d "@$t" '+%a, %d %b %Y %H:%M:%S GMT' | sed 's/ /\\ /g')/"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # one word per sed argument, spaces escaped
	eval sed $sed_args <"$FX/$f.xml.in" >"$W/$f.xml"
done
if grep -q '@D[0-9]*@' "$W/courier.xml" "$W/signal.xml"; then fail "(the feeds are dated)"; fi

nginx_start "$W"
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "nginx starts" "$SERVERS_ERROR"; finish; exit 1; }
postfix_start
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
[ "$rc" = 0 ] || { fail "postfix starts" "$SERVERS_ERROR"; finish; exit 1; }

cat >"$T/feeds.opml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>This week's feeds</title></head><body>
<outline type="rss" text="Lakeshore Courier" xmlUrl="$NGINX_URL/courier.xml"/>
<outline type="rss" text="Le Signal des Prairies" xmlUrl="$NGINX_URL/signal.xml"/>
</body></opml>
EOF
write_config "[fetch]" "feeds = $T/feeds.opml" \
	"[compose]" "digests_dir = $D" "templates = $TOP/templates" \
	"[mail]" "unsubscribe_url = https://example.org/unsubscribe" \
	"archive_url = https://example.org/archive" \
	"[send]" "transport = smtp" "retry_delay = 0" "retries = 1" \
	"[smtp]" "host = 127.0.0.1" "port = $SMTP_PORT" "tls = none" "timeout = 10"

# 40 subscribers, some with non-ASCII or awkward names
{
	echo "email,name"
	echo 'smith@example.test,"Smith, John"'
	echo "obrien@example.test,Siobhán O'Brien"
	echo 'quoted@example.org,"Jean ""le Juge"" Côté"'
	echo "plain@example.test,"
	awk 'BEGIN {
		split("Zoë Lefèvre|François Bélanger|Ærøskøbing Ødegård|李小龍|Reader", n, "|")
		for (i = 1; i <= 36; i++) printf "w%02d@example.test,%s %d\n", i, n[i % 5 + 1], i
	}'
} >"$T/list.csv"
nd subscribers import "$T/list.csv"
is 0 "40 subscribers imported"

# =================================================================================
# Thursday: newsdigest run
# =================================================================================
nd run
is 0 "run exits 0"
has out "^first run: 2 feeds seeded from '$T/feeds\\.opml'" "it seeds the feed list from the OPML file"
has out "^fetched 2 feeds: 2 ok \\(10 new items, 0 updated\\)" "it fetches the ten items of both feeds"
has out "^tagged 10 items: [0-9]+ included" "it tags them"
has out "^wrote $D/$week\\.md: issue 1, [0-9]+ items in [0-9]+ sections" "it writes this week's draft"
has out "^subscribers: 40 active" "and reports the list"
[ -f "$F" ] || { fail "the draft exists: $F"; finish; exit 1; }
cp "$F" "$T/composed.md"
items=$(grep -c '<!-- nd:item ' "$F")
[ "$items" -ge 5 ] && pass "the draft has $items items, not a quiet week" ||
	fail "the draft has at least 5 items" "it has $items"
has "$F" 'Appeal court halts the extradition of an engineer' "the extradition item is in it"
has "$F" 'Reconnaissance faciale : la police de Montréal' "and a French one, accents and all"
hasnt "$F" 'ferry terminal' "the off-topic item is not"

nd run --send
is 0 "run --send before approval exits 0"
has out "nothing sent: .* is not approved" "and says why"
equal "$(sql 'SELECT count(*) FROM deliveries')" 0 "no journal row"

# =================================================================================
# the editor's day
# =================================================================================
NEW_TITLE='Engineer’s extradition halted: the appeal court orders a new hearing'
if "$PY" -S - "$F" "$NEW_TITLE" <<'EOF'
import re, sys
p, new = sys.argv[1], sys.argv[2]
s = open(p, encoding="utf-8").read()
intro = "TODO: write the introduction (two or three sentences on the week).\n"
assert s.count(intro) == 1, "no introduction placeholder"
s = s.replace(intro, "Cette semaine : extraditions, reconnaissance faciale et la liste d’interdiction de vol. "
              "This week: extraditions, facial recognition and the no-fly list.\n")
# the Events and Calls to action sections are left empty: out with them
s = re.sub(r"\n## Events[^\n]*\n.*", "\n", s, flags=re.S)
old = "[Appeal court halts the extradition of an engineer pending a new hearing]"
assert s.count(old) == 1, "no such title"
s = s.replace(old, "[" + new + "]")
open(p, "w", encoding="utf-8").write(s)
EOF
then pass "(the draft is edited)"; else fail "(the draft is edited)"; fi
hasnt "$F" 'TODO' "(no placeholder left)"
nd approve "$F"
is 0 "approve the edited draft"
nd run
is 0 "a run after the edits exits 0"
has out "the draft $D/$week\\.md was edited since compose wrote it: left as is" "and leaves the draft alone"
nd approve "$F"
is 0 "(still approved: the bytes are the same)"

# =================================================================================
# Friday: newsdigest run --send
# =================================================================================
nd run --send
is 0 "run --send exits 0"
has out "^newsdigest run --send, week $week" "it names the week"
has out "^$week: sent 40, failed 0, tempfail 0, possible duplicates 0 .*complete: 40 sent, 0 failed in all, archive updated" \
	"40 sent, and the archive updated"
if mail_wait_total 40; then pass "Postfix delivers 40 messages"
else fail "Postfix delivers 40 messages" "$(mail_count) delivered: $(mail_log_counts)"; fi
sleep 1
equal "$(mail_count)" 40 "exactly 40"
equal "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent'")" 40 "40 journal rows sent"

sqlite3 -csv -header "$T/store.db" "SELECT email, name, token FROM subscribers" >"$T/expect.csv"
"$PY" "$TOP/tests/lib/mimecheck.py" --maildir-root "$MAIL_DIR/" \
	--expect "$T/expect.csv" --subject "News Digest #1, $week" --from news-digest@example.org \
	--list-id news-digest.example.org --unsub-mailto news-digest-unsubscribe@example.org \
	--unsub-https https://example.org/unsubscribe --archive https://example.org/archive \
	>"$T/mimecheck.out" 2>&1
rc=$?
tail -n 1 "$T/mimecheck.out" | sed 's/^/# /'
[ "$rc" = 0 ] && pass "mimecheck: one right message in every subscriber's Maildir" ||
	fail "mimecheck: one right message in every subscriber's Maildir" "$(head -20 "$T/mimecheck.out")"

# what a subscriber reads: the edits, in both parts
msg=$(mail_files obrien@example.test | head -n 1)
cat >"$T/parts.py" <<'EOF'
import sys
from email import policy
from email.parser import BytesParser
m = BytesParser(policy=policy.default).parse(open(sys.argv[1], "rb"))
for part in m.walk():
    if part.get_content_type() in ("text/plain", "text/html"):
        open(sys.argv[2] + "." + part.get_content_subtype(), "w", encoding="utf-8").write(part.get_content())
EOF
"$PY" "$T/parts.py" "$msg" "$T/obrien"
# (the text part wraps its lines: compare with white space runs as one space)
tr -s ' \n' '  ' <"$T/obrien.plain" >"$T/obrien.flat" && mv "$T/obrien.flat" "$T/obrien.plain"
for p in plain html; do
	has "$T/obrien.$p" "Engineer’s extradition halted: the appeal court orders a new hearing" \
		"the $p part has the title as the editor changed it"
	hasnt "$T/obrien.$p" "Appeal court halts the extradition" "and not the old one"
	has "$T/obrien.$p" "Cette semaine : extraditions" "the $p part has the introduction"
	hasnt "$T/obrien.$p" "TODO|nd:item" "no placeholder or marker"
done
has "$T/obrien.html" "Reconnaissance faciale : la police de Montréal" "the French item is in the HTML, accents and all"

# the web archive
A=$D/archive
[ -s "$A/$week.html" ] && pass "the archive has the week's page" || fail "the archive has the week's page"
has "$A/$week.html" "Engineer’s extradition halted" "the page is the edited issue"
hasnt "$A/$week.html" "Appeal court halts the extradition|unsubscribe[^ ]*token=[A-Za-z0-9]{8}" \
	"not the composed one, and no subscriber's token"
has "$A/index.html" "$week" "the index lists the week"
has "$A/feed.xml" "$week" "the Atom feed has it"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$A/feed.xml" 2>"$T/xmllint.err" && pass "the Atom feed is well-formed XML" ||
		fail "the Atom feed is well-formed XML" "$(head -5 "$T/xmllint.err")"
fi

# SpamAssassin's opinion of what a subscriber got
spamcheck "$msg"
case $? in
77) pass "# SKIP $SPAMCHECK_ERROR" ;;
0)
	if spam_below 2.0; then pass "SpamAssassin scores the digest $SPAM_SCORE (below 2.0)"
	else fail "SpamAssassin scores the digest below 2.0" "score $SPAM_SCORE: $SPAM_RULES"; fi
	;;
*) fail "SpamAssassin runs" "$SPAMCHECK_ERROR" ;;
esac

# the same cron job again
conns=$(grep -c ' connect from ' "$POSTFIX_DIR/maillog")
nd run --send
is 0 "run --send again exits 0"
has out "nothing sent: the digest of $week was sent on .* \\(40 sent, 0 failed\\)" "and says nothing was sent, and why"
sleep 1
equal "$(mail_count)" 40 "Postfix got nothing more"
equal "$(grep -c ' connect from ' "$POSTFIX_DIR/maillog")" "$conns" "not even a connection"
nd run
is 0 "Thursday's run after the send exits 0"
has out "the draft $D/$week\\.md has been sent: left as is" "and leaves the sent draft alone"

finish
