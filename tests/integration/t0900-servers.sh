#!/bin/sh
# Self-test of tests/lib/servers.sh: a private nginx serves fixtures and
# logs the conditional-request headers, a private Postfix takes mail over
# SMTP on loopback and delivers it to a Maildir, and both stop cleanly.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/servers.sh"
servers_trap

F=$FIX/t0900

# --- helpers -----------------------------------------------------------------
port_closed() { ! port_open "$1"; }

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

servers_stop_all
equal "$?" 0 "servers_stop_all is harmless when nothing runs"

finish
