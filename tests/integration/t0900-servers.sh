#!/bin/sh
# Self-test of tests/lib/servers.sh: a private nginx serves fixtures and
# logs the conditional-request headers, a private Postfix takes mail over
# SMTP on loopback and delivers it to a Maildir (one per recipient, also
# for many messages in a row), smtp-sink counts (and on demand keeps)
# what it is sent, and all of them stop cleanly.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
servers_trap

F=$FIX/t0900

# --- helpers -----------------------------------------------------------------
port_closed() { ! port_open "$1"; }

PY=/usr/bin/python3
# blast PORT COUNT CONNECTIONS [FIRST]: COUNT small messages over
# CONNECTIONS SMTP sessions, message i to u<i>@example.test (odd i) or
# u<i>@example.org (even i), i from FIRST (default 1), round robin.
blast() {
	"$PY" - "$@" <<'EOF'
import smtplib, sys, threading
port, count, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
first = int(sys.argv[4]) if len(sys.argv) > 4 else 1
errors = []
def session(k):
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=30)
        for i in range(first + k, first + count, conns):
            rcpt = "u%d@%s" % (i, "example.test" if i % 2 else "example.org")
            s.sendmail("list@example.test", [rcpt],
                       "From: list@example.test\r\nTo: %s\r\nSubject: blast %d\r\n"
                       "Message-ID: <blast.%d@example.test>\r\n\r\nmessage %d\r\n" % (rcpt, i, i, i))
        s.quit()
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=session, args=(k,)) for k in range(conns)]
for t in threads: t.start()
for t in threads: t.join()
for e in errors: print(e)
sys.exit(1 if errors else 0)
EOF
}

# --- free_port ---------------------------------------------------------------
p=$(free_port)
case $p in
'' | *[!0-9]*) fail "free_port prints a port number" "got '$p'" ;;
*) if [ "$p" -gt 1024 ] && [ "$p" -lt 65536 ] && port_closed "$p"; then
	pass "free_port prints a free unprivileged port"
   else fail "free_port prints a free unprivileged port" "got $p"; fi ;;
esac

# --- nginx -------------------------------------------------------------------
NGINX_EXTRA='
        location = /gone { return 410; }
        location = /old { return 301 /feed.xml; }'
nginx_start "$F/www"
rc=$?
[ "$rc" = 77 ] && skip_all "$SERVERS_ERROR"
equal "$rc" 0 "nginx_start succeeds"
[ "$rc" = 0 ] || { finish; exit 1; }
nginx_pid=$NGINX_PID nginx_port=$NGINX_PORT
equal "$NGINX_URL" "http://127.0.0.1:$NGINX_PORT" "NGINX_URL points at NGINX_PORT"

curl -s -o "$T/feed.out" "$NGINX_URL/feed.xml"
same "$F/www/feed.xml" "$T/feed.out" "nginx serves the fixture byte for byte"

curl -s -D "$T/head" -o /dev/null "$NGINX_URL/feed.xml"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$T/head" | tr -d '\r')
lastmod=$(sed -n 's/^[Ll]ast-[Mm]odified: *//p' "$T/head" | tr -d '\r')
has "$T/head" '^[Ee][Tt][Aa][Gg]: "' "the response carries an ETag"

code=$(curl -s -o /dev/null -w '%{http_code}' -A 'newsdigest-t0900/1.0' \
	-H "If-None-Match: $etag" "$NGINX_URL/feed.xml")
equal "$code" 304 "If-None-Match with the ETag gets 304"
TAB=$(printf '\t')
if nginx_log_wait "^GET /feed.xml 304 "; then
	line=$(grep '^GET /feed.xml 304 ' "$NGINX_DIR/access.log" | head -1)
	case $line in
	*"${TAB}inm=$etag$TAB"*) pass "the access log shows If-None-Match as sent" ;;
	*) fail "the access log shows If-None-Match as sent" "line: $line" ;;
	esac
	case $line in
	*"${TAB}ua=newsdigest-t0900/1.0$TAB"*) pass "the access log shows the User-Agent" ;;
	*) fail "the access log shows the User-Agent" "line: $line" ;;
	esac
else
	fail "the access log shows If-None-Match as sent" "no 304 line in $NGINX_DIR/access.log"
	fail "the access log shows the User-Agent" "no 304 line"
fi

code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lastmod" \
	"$NGINX_URL/feed.xml")
equal "$code" 304 "If-Modified-Since with Last-Modified gets 304"
nginx_log_wait "${TAB}ims=$lastmod$TAB"
has "$NGINX_DIR/access.log" "${TAB}ims=$lastmod$TAB" "the access log shows If-Modified-Since"

code=$(curl -s -o /dev/null -w '%{http_code}' "$NGINX_URL/gone")
equal "$code" 410 "NGINX_EXTRA adds a location (410)"
out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$NGINX_URL/old")
equal "$out" "301 $NGINX_URL/feed.xml" "NGINX_EXTRA adds a location (301)"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NGINX_URL/missing.xml")
equal "$code" 404 "a missing file is a 404"

# --- Postfix -----------------------------------------------------------------
postfix_start
rc=$?
if [ "$rc" = 77 ]; then
	pass "# SKIP postfix: $SERVERS_ERROR"
else
	equal "$rc" 0 "postfix_start succeeds"
fi
if [ "$rc" = 0 ]; then
	pf_pid=$POSTFIX_PID pf_port=$SMTP_PORT

	curl -sS --max-time 20 --url "smtp://127.0.0.1:$SMTP_PORT/client.example.test" --crlf \
		--mail-from a@example.test --mail-rcpt b@example.test \
		--upload-file "$F/msg.txt" >"$T/out" 2>"$T/err"
	RC=$?
	is 0 "Postfix accepts mail for b@example.test"

	if mail_wait 1 b@example.test; then
		pass "the message is delivered"
	else
		fail "the message is delivered" "$(tail -5 "$POSTFIX_DIR/maillog")"
	fi
	msg=$(mail_files b@example.test | head -1)
	case $msg in
	"$T/mail/example.test/b/new/"*) pass "it is in b's Maildir ($T/mail/example.test/b/new)" ;;
	*) fail "it is in b's Maildir" "got '$msg'" ;;
	esac
	subj=$(grep -m1 '^Subject:' "${msg:-/dev/null}" | tr -d '\r')
	equal "$subj" "$(grep -m1 '^Subject:' "$F/msg.txt")" "the Subject is intact"
	has "${msg:-/dev/null}" '^Delivered-To: b@example\.test$' "Postfix added Delivered-To"
	has "${msg:-/dev/null}" '^\.a line that starts with a dot$' "the body is intact (dot-stuffing undone)"

	curl -sS --max-time 20 --url "smtp://127.0.0.1:$SMTP_PORT/client.example.test" --crlf \
		--mail-from a@example.test --mail-rcpt someone@elsewhere.invalid \
		--upload-file "$F/msg.txt" >"$T/out" 2>"$T/err"
	RC=$?
	if [ "$RC" != 0 ] && grep -q ' 5[0-9][0-9]' "$T/err"; then
		pass "a recipient outside the test domains is refused with 5xx"
	else
		fail "a recipient outside the test domains is refused with 5xx" "curl exit $RC"
	fi
	equal "$(mail_files | wc -l | tr -d ' ')" 1 "nothing else was delivered"
	equal "$(mail_count)" 1 "mail_count counts the delivered message"
	equal "$(mail_count b@example.test)" 1 "mail_count USER@DOMAIN counts one mailbox"
	equal "$(mail_count nobody@example.test)" 0 "mail_count of an empty mailbox is 0"

	# Many messages to distinct recipients over one session, as the
	# sender sends a list (1,200 take about 7 s here; 60 keep this quick).
	if [ -x "$PY" ]; then
		n=60
		blast "$SMTP_PORT" "$n" 1 >"$T/out" 2>"$T/err"
		RC=$?
		is 0 "Postfix takes $n messages to $n recipients in one session"
		if mail_wait_total $((n + 1)); then pass "mail_wait_total sees all $((n + 1)) delivered"
		else fail "mail_wait_total sees all $((n + 1)) delivered" "$(mail_count) delivered"; fi
		equal "$(mail_log_counts)" "sent=$((n + 1)) deferred=0 bounced=0" "mail_log_counts reads the mail log"
		bad=
		i=1
		while [ "$i" -le "$n" ]; do
			dom=example.org; [ $((i % 2)) = 1 ] && dom=example.test
			c=$(find "$MAIL_DIR/$dom/u$i/new" -type f 2>/dev/null | wc -l | tr -d ' ')
			[ "$c" = 1 ] || bad="$bad u$i@$dom:$c"
			i=$((i + 1))
		done
		equal "${bad:-none}" none "each recipient has exactly one message in its own Maildir"
		order=$(mail_files | sed -n 's|.*/example\.[a-z]*/u\([0-9]*\)/new/.*|\1|p' | tr '\n' ' ')
		equal "$order" "$(seq 1 "$n" | tr '\n' ' ')" "mail_files lists them in the order they were sent"
		mail_wait_total $((n + 2)) 1 2>"$T/err"
		RC=$?
		is 1 "mail_wait_total N SECONDS gives up after SECONDS"
		has err "$((n + 1)) of $((n + 2)) messages after 1s \(sent=$((n + 1)) " \
			"and says how many came, and what the mail log says"
	else
		pass "# SKIP many messages: no /usr/bin/python3"
	fi

	# A temporary failure (exit 75: a Maildir nobody may write) is
	# retried within seconds, not after Postfix's usual five minutes.
	box=$MAIL_DIR/example.test/later
	mkdir -p "$box/new" "$box/cur" "$box/tmp" && chown -R nobody "$box" && chmod 500 "$box/tmp"
	curl -sS --max-time 20 --url "smtp://127.0.0.1:$SMTP_PORT/client.example.test" --crlf \
		--mail-from a@example.test --mail-rcpt later@example.test \
		--upload-file "$F/msg.txt" >"$T/out" 2>"$T/err"
	RC=$?
	is 0 "Postfix accepts mail for later@example.test"
	i=0
	until grep -q 'to=<later@example.test>.* status=deferred' "$POSTFIX_DIR/maillog" 2>/dev/null; do
		[ "$i" -ge 100 ] && break
		i=$((i + 1)); sleep 0.1
	done
	has "$POSTFIX_DIR/maillog" 'to=<later@example.test>.* status=deferred' "an unwritable Maildir defers the delivery"
	chmod 755 "$box/tmp"
	if SERVERS_TIMEOUT=5 mail_wait 1 later@example.test 2>"$T/err"; then
		pass "the deferred message is delivered within seconds once it can be"
	else
		fail "the deferred message is delivered within seconds once it can be" "$(mail_log_counts)"
	fi
fi

# --- smtp-sink -----------------------------------------------------------------
smtp_sink_start
src=$?
if [ "$src" = 77 ]; then
	pass "# SKIP smtp-sink: $SERVERS_ERROR"
else
	equal "$src" 0 "smtp_sink_start succeeds"
fi
if [ "$src" = 0 ]; then
	equal "$(smtp_sink_count)" 0 "smtp_sink_count is 0 before any message"
	if [ -x "$PY" ]; then
		blast "$SINK_PORT" 40 2 >"$T/out" 2>"$T/err"
		RC=$?
		is 0 "smtp-sink takes 40 messages over 2 sessions"
		smtp_sink_wait 40
		equal "$(smtp_sink_count)" 40 "smtp_sink_count counts them"
	fi
	curl -sS --max-time 20 --url "smtp://127.0.0.1:$SINK_PORT/client.example.test" --crlf \
		--mail-from a@example.test --mail-rcpt b@example.test \
		--upload-file "$F/msg.txt" >"$T/out" 2>"$T/err"
	RC=$?
	is 0 "smtp-sink takes a message from curl"
	[ -x "$PY" ] && want=41 || want=1
	smtp_sink_wait "$want"
	equal "$(smtp_sink_count)" "$want" "and counts it"
	if [ -e "$SINK_DIR/dump" ]; then fail "without --dump nothing is kept" "$SINK_DIR/dump exists"
	else pass "without --dump nothing is kept"; fi
	sink_pid=$SINK_PID sink_port=$SINK_PORT

	smtp_sink_start --dump
	equal "$?" 0 "smtp_sink_start --dump restarts it"
	if proc_alive "$sink_pid"; then fail "the first smtp-sink is gone" "pid $sink_pid"
	else pass "the first smtp-sink is gone"; fi
	equal "$(smtp_sink_count)" 0 "the restarted sink counts from 0"
	curl -sS --max-time 20 --url "smtp://127.0.0.1:$SINK_PORT/client.example.test" --crlf \
		--mail-from a@example.test --mail-rcpt b@example.test \
		--upload-file "$F/msg.txt" >"$T/out" 2>"$T/err"
	RC=$?
	is 0 "the dumping sink takes a message"
	smtp_sink_wait 1
	dump=$(smtp_sink_files | head -1)
	equal "$(smtp_sink_files | wc -l | tr -d ' ')" 1 "smtp_sink_files lists one dump"
	has "${dump:-/dev/null}" '^X-Rcpt-Args: <b@example\.test>' "the dump starts with smtp-sink's envelope lines"
	if grep -qxF "$(grep -m1 '^Subject:' "$F/msg.txt")" "${dump:-/dev/null}"; then
		pass "and holds the message"
	else
		fail "and holds the message" "no Subject line of $F/msg.txt in $dump"
	fi

	smtp_sink_start -f RCPT
	equal "$?" 0 "smtp_sink_start passes options on (-f RCPT)"
	curl -sS --max-time 20 --url "smtp://127.0.0.1:$SINK_PORT/client.example.test" --crlf \
		--mail-from a@example.test --mail-rcpt b@example.test \
		--upload-file "$F/msg.txt" >"$T/out" 2>"$T/err"
	RC=$?
	if [ "$RC" != 0 ] && grep -q ' 5[0-9][0-9]' "$T/err"; then
		pass "with -f RCPT every recipient is refused with 5xx"
	else
		fail "with -f RCPT every recipient is refused with 5xx" "curl exit $RC"
	fi
	sink_pid=$SINK_PID sink_port=$SINK_PORT

	smtp_sink_start -Z 2>"$T/err"
	RC=$?
	is 1 "smtp_sink_start with a bad option fails"
	has err 'invalid option' "and shows smtp-sink's complaint"
	if [ -z "$SINK_PID" ] && ! proc_alive "$sink_pid"; then pass "and leaves nothing running"
	else fail "and leaves nothing running" "pids $sink_pid ${SINK_PID:-}"; fi

	smtp_sink_start
	sink_pid=$SINK_PID sink_port=$SINK_PORT
fi

# --- stopping ----------------------------------------------------------------
nginx_stop
equal "$?" 0 "nginx_stop succeeds"
if proc_alive "$nginx_pid"; then fail "the nginx master is gone" "pid $nginx_pid"
else pass "the nginx master is gone"; fi
if port_closed "$nginx_port"; then pass "the HTTP port is closed"
else fail "the HTTP port is closed" "127.0.0.1:$nginx_port answers"; fi

if [ "$rc" = 0 ]; then
	postfix_stop
	equal "$?" 0 "postfix_stop succeeds"
	if proc_alive "$pf_pid"; then fail "the Postfix master is gone" "pid $pf_pid"
	else pass "the Postfix master is gone"; fi
	if port_closed "$pf_port"; then pass "the SMTP port is closed"
	else fail "the SMTP port is closed" "127.0.0.1:$pf_port answers"; fi
	[ -n "$(mail_files b@example.test)" ] && pass "delivered mail is still readable after the stop" ||
		fail "delivered mail is still readable after the stop"
fi

if [ "$src" = 0 ]; then
	servers_stop_all
	equal "$?" 0 "servers_stop_all stops smtp-sink"
	if proc_alive "$sink_pid"; then fail "the smtp-sink process is gone" "pid $sink_pid"
	else pass "the smtp-sink process is gone"; fi
	if port_closed "$sink_port"; then pass "the smtp-sink port is closed"
	else fail "the smtp-sink port is closed" "127.0.0.1:$sink_port answers"; fi
fi

servers_stop_all
equal "$?" 0 "servers_stop_all is harmless when nothing runs"

finish
