# shellcheck shell=sh disable=SC1007,SC2034,SC2046
# (empty assignments, variables for the caller, pid lists split on purpose)
# Private nginx, Postfix and smtp-sink instances on loopback for the
# integration tests and benchmarks.
# POSIX sh; sourced after tests/integration/lib.sh (needs $T and $TOP, and
# lives with lib.sh's "set -u"):
#
#   . "$TOP/tests/lib/servers.sh"
#   servers_trap                        # stop everything on exit / signal
#   nginx_start "$FIX/t0900/www" || { [ $? = 77 ] && skip_all "$SERVERS_ERROR"; exit 1; }
#   curl -s "$NGINX_URL/feed.xml"
#   postfix_start || ...
#   curl --url "smtp://127.0.0.1:$SMTP_PORT/client.example.test" --crlf \
#        --mail-from a@example.test --mail-rcpt b@example.test --upload-file msg.txt
#   mail_wait 1 b@example.test && mail_files b@example.test
#   mail_wait_total 1200 && mail_count        # many messages: bounded by N
#   smtp_sink_start || ...                    # counts messages, keeps none
#   ... ; smtp_sink_count                     # messages received so far
# (curl says EHLO with the URL's path, or with the upload's file name when
# the URL has none; --crlf because the message files have bare LFs.)
#
# Every start function returns 0 when the server answers, 77 when a needed
# program is missing (reason in $SERVERS_ERROR: hand it to skip_all), and
# 1 on any other failure (reason on stderr as "# " lines and in
# $SERVERS_ERROR); a failed start leaves nothing running.  The stop
# functions are safe to call at any time, any number of times.
#
# Layout (one instance of each server per test):
#   $T/nginx/    nginx.conf nginx.pid error.log access.log tmp/
#   $T/postfix/  conf/{main.cf,master.cf} recipients deliver queue/ data/ maillog
#   $T/mail/     DOMAIN/USER/{new,cur,tmp}/  - delivered mail (Maildir)
#   $T/smtp-sink/  counter (smtp-sink -c output) log dump/ (with --dump)
#
# Knobs (environment or shell variables, read when a server starts):
#   NGINX_EXTRA       lines inserted in nginx's server block, e.g.
#                     'location = /gone { return 410; }'
#   NGINX_HTTP_EXTRA  lines inserted in nginx's http block
#   POSTFIX_DOMAINS   domains that accept mail for any user
#                     (default "example.test example.org")
#   SERVERS_TIMEOUT   start/stop/wait bound in seconds (default 10;
#                     nginx uses half of it; mail_wait_total and
#                     smtp_sink_wait scale theirs with the count)
#   SINK_BACKLOG      smtp-sink's listen backlog (default 256)

NGINX_PORT= NGINX_URL= NGINX_PID= NGINX_DIR=
SMTP_PORT= POSTFIX_PID= POSTFIX_DIR= MAIL_DIR=
SINK_PORT= SINK_PID= SINK_DIR= SINK_DUMP=
SERVERS_ERROR=
_srv_nginx_kids= _srv_pf_priv= _srv_sink_priv=

# --- small helpers ----------------------------------------------------------

_srv_say() { # message lines on stderr, as TAP comments
	for _svl in "$@"; do echo "# servers.sh: $_svl" >&2; done
}

_srv_err() { # _srv_err STATUS MESSAGE [DETAIL...]: record, report, return STATUS
	_svst=$1; shift
	SERVERS_ERROR=$1
	_srv_say "$@"
	return "$_svst"
}

_srv_find() { # _srv_find PROGRAM: print its path (PATH, then the sbin dirs)
	command -v "$1" 2>/dev/null && return 0
	for _svd in /usr/sbin /sbin /usr/local/sbin /usr/local/nginx/sbin; do
		[ -x "$_svd/$1" ] && { echo "$_svd/$1"; return 0; }
	done
	return 1
}

_srv_alive() { # _srv_alive PID: the process exists (zombies count as gone)
	[ -n "${1:-}" ] || return 1
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		# field 3 is the state; Z = zombie (not reaped yet, already dead)
		case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) in Z*) return 1 ;; esac
	fi
	return 0
}

# proc_alive PID: the process runs (a zombie waiting for its reaper counts
# as gone).
proc_alive() { _srv_alive "$@"; }

_srv_sleep() { sleep 0.1 2>/dev/null || sleep 1; }

_srv_ticks() { # bound in seconds -> number of 0.1 s ticks
	echo $(($1 * 10))
}

_srv_wait_gone() { # _srv_wait_gone SECONDS PID...: 0 once all are gone
	_svsecs=$1; shift
	_svi=0 _svmax=$(_srv_ticks "$_svsecs")
	while :; do
		_svleft=
		for _svp in "$@"; do _srv_alive "$_svp" && _svleft="$_svleft $_svp"; done
		[ -z "$_svleft" ] && return 0
		[ "$_svi" -ge "$_svmax" ] && return 1
		_svi=$((_svi + 1)); _srv_sleep
	done
}

# _srv_kill SECONDS MASTER [CHILD...]: TERM to the master (nginx and the
# Postfix master stop their children themselves; a worker killed first
# could be respawned), wait for all of them, then KILL what is left.
_srv_kill() {
	_svsecs=$1; shift
	if _srv_alive "$1"; then
		kill -TERM "$1" 2>/dev/null
	else # orphans: no master left to stop them
		for _svp in "$@"; do _srv_alive "$_svp" && kill -TERM "$_svp" 2>/dev/null; done
	fi
	_srv_wait_gone "$_svsecs" "$@" && return 0
	for _svp in "$@"; do _srv_alive "$_svp" && kill -KILL "$_svp" 2>/dev/null; done
	_srv_wait_gone 2 "$@"
}

_srv_children() { # pids of the direct children of PID
	if command -v pgrep >/dev/null 2>&1; then
		pgrep -P "$1" 2>/dev/null | tr '\n' ' '
	elif [ -d /proc ]; then
		for _svs in /proc/[0-9]*/stat; do
			sed -n 's/^\([0-9]*\) (.*) . \([0-9]*\) .*/\1 \2/p' "$_svs" 2>/dev/null
		done | awk -v p="$1" '$2 == p { printf "%s ", $1 }'
	fi
}

_srv_read_pid() { # first number in FILE
	[ -s "$1" ] || return 1
	_svpid=$(awk 'NR == 1 { print $1 + 0; exit }' "$1" 2>/dev/null)
	[ -n "$_svpid" ] && [ "$_svpid" != 0 ] && echo "$_svpid"
}

# Can USER write (w) or read (r) PATH, walking every parent directory?
# _srv_user_can USER r|w PATH.  Unknown when no tool: says yes.
_srv_user_can() {
	_svu=$1 _svm=$2 _svpath=$3
	_svcmd="test -$_svm \"\$1\" && test -x \"\$1\""
	if command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid="$(id -u "$_svu")" --regid="$(id -g "$_svu")" \
			--clear-groups sh -c "$_svcmd" sh "$_svpath" 2>/dev/null
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u "$_svu" -- sh -c "$_svcmd" sh "$_svpath" 2>/dev/null
	else
		return 0
	fi
}

# free_port: prints a TCP port of 127.0.0.1 that no socket uses.  It is
# taken below the kernel's ephemeral range, so outgoing connections do not
# grab it between this check and the server's bind; two tests may still
# pick the same port at the same moment, so the start functions retry
# with another port when the bind fails.
free_port() {
	_svlo=10000 _svhi=30000
	if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
		# (dash's read gets "3" from a /proc file: it reads byte by byte
		# and /proc answers the second read with nothing)
		_sva=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range)
		_svb=$(awk '{ print $2 }' /proc/sys/net/ipv4/ip_local_port_range)
		if [ "$_sva" -gt 12000 ]; then _svhi=$((_sva - 1))
		elif [ "$_svb" -lt 50000 ]; then _svlo=$((_svb + 1)) _svhi=65000
		fi
	fi
	_svtry=0
	while [ "$_svtry" -lt 200 ]; do
		_svtry=$((_svtry + 1))
		_svr=$(od -An -N4 -tu4 /dev/urandom 2>/dev/null | tr -d ' ')
		[ -n "$_svr" ] || _svr=$(awk -v s="$$$_svtry" 'BEGIN { srand(s + srand()); print int(rand() * 1000000) }')
		_svp=$((_svlo + _svr % (_svhi - _svlo + 1)))
		_srv_port_used "$_svp" || { echo "$_svp"; return 0; }
	done
	return 1
}

# _srv_port_used PORT: some TCP socket (any state, IPv4 or IPv6) has it.
_srv_port_used() {
	if [ -r /proc/net/tcp ]; then
		_svhex=$(printf ':%04X' "$1")
		awk -v h="$_svhex" 'FNR > 1 && substr($2, length($2) - 4) == h { f = 1; exit } END { exit !f }' \
			/proc/net/tcp /proc/net/tcp6 2>/dev/null
	elif command -v python3 >/dev/null 2>&1; then
		! python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
	elif command -v ss >/dev/null 2>&1; then
		ss -Htan "sport = :$1" 2>/dev/null | grep -q .
	else
		return 1
	fi
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	[ -n "${1:-}" ] || return 1
	curl -s -o /dev/null --max-time 2 "telnet://127.0.0.1:$1" </dev/null 2>/dev/null
	case $? in 7|6|5) return 1 ;; *) return 0 ;; esac
}

# --- nginx ------------------------------------------------------------------

# nginx_start DOCROOT: serve DOCROOT on 127.0.0.1:$NGINX_PORT.
# Sets NGINX_PORT, NGINX_URL (http://127.0.0.1:PORT), NGINX_PID, NGINX_DIR.
# The access log ($NGINX_DIR/access.log) has one line per request, fields
# separated by TABs, header values exactly as sent (empty when absent):
#   METHOD URI STATUS BYTES<TAB>ua=User-Agent<TAB>inm=If-None-Match<TAB>
#   ims=If-Modified-Since<TAB>ae=Accept-Encoding<TAB>host=Host<TAB>proto=HTTP/1.1
# e.g. awk -F'\t' '$3 == "inm=\"abc\""' "$NGINX_DIR/access.log"
nginx_start() {
	SERVERS_ERROR=
	[ $# -ge 1 ] && [ -d "$1" ] || { _srv_err 1 "nginx_start: no such directory: ${1:-(none)}"; return 1; }
	_srv_nginx_up && nginx_stop
	_svbin=$(_srv_find nginx) || { _srv_err 77 "nginx is not installed"; return 77; }
	command -v curl >/dev/null 2>&1 || { _srv_err 77 "curl is not installed"; return 77; }
	_svroot=$(cd "$1" && pwd)
	NGINX_DIR=$T/nginx
	_srv_reap_nginx
	rm -rf "$NGINX_DIR"
	mkdir -p "$NGINX_DIR/tmp" || { _srv_err 1 "nginx_start: cannot create $NGINX_DIR"; return 1; }

	# Workers drop to nobody when we are root; keep root only if nobody
	# cannot read the docroot (a checkout under /root, say).
	_svuser=
	if [ "$(id -u)" = 0 ]; then
		if id nobody >/dev/null 2>&1 && _srv_user_can nobody r "$_svroot"; then
			_svuser="user nobody $(id -gn nobody);"
		else
			_svuser="user root $(id -gn root);"
		fi
	fi
	# -e (error log before the config is read) exists since nginx 1.19.5.
	_svver=$("$_svbin" -v 2>&1 | sed -n 's|.*nginx/\([0-9][0-9.]*\).*|\1|p')
	# escape=none (1.13.10+) keeps the quotes of an ETag as they came.
	_sveopt= _svesc=
	case $_svver in
	0.*|1.[0-9].*|1.1[0-2].*|1.13.[0-9]) ;;
	1.1[3-8].*|1.19.[0-4]) _svesc="escape=none " ;;
	*) _sveopt=yes _svesc="escape=none " ;;
	esac

	_svtries=0
	while :; do
		_svtries=$((_svtries + 1))
		NGINX_PORT=$(free_port) || { _srv_err 1 "nginx_start: no free port"; return 1; }
		NGINX_URL=http://127.0.0.1:$NGINX_PORT
		_srv_nginx_conf "$_svroot" "$_svuser" "$_svesc" >"$NGINX_DIR/nginx.conf"
		: >"$NGINX_DIR/error.log"
		if [ -n "$_sveopt" ]; then
			"$_svbin" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" \
				</dev/null >"$NGINX_DIR/start.log" 2>&1
		else
			"$_svbin" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" \
				</dev/null >"$NGINX_DIR/start.log" 2>&1
		fi
		_svrc=$?
		[ "$_svrc" = 0 ] && break
		_srv_nginx_cleanup
		if [ "$_svtries" -lt 4 ] && { grep -q 'in use' "$NGINX_DIR/error.log" "$NGINX_DIR/start.log" 2>/dev/null ||
			_srv_port_used "$NGINX_PORT"; }; then
			continue # lost a race for the port
		fi
		_srv_err 1 "nginx did not start (exit $_svrc)" \
			"$(cat "$NGINX_DIR/start.log" "$NGINX_DIR/error.log" 2>/dev/null | tail -5)"
		return 1
	done

	# The daemon writes its pid file after forking: wait for it and for
	# an HTTP answer.
	_svi=0 _svmax=$(_srv_ticks $((${SERVERS_TIMEOUT:-10} / 2)))
	while :; do
		NGINX_PID=$(_srv_read_pid "$NGINX_DIR/nginx.pid")
		if [ -n "$NGINX_PID" ] && curl -s -o /dev/null --max-time 2 "$NGINX_URL/.servers-probe" 2>/dev/null; then
			_srv_nginx_kids=$(_srv_children "$NGINX_PID")
			return 0
		fi
		if [ "$_svi" -ge "$_svmax" ]; then
			_srv_nginx_cleanup
			_srv_err 1 "nginx did not answer on $NGINX_URL" \
				"$(tail -5 "$NGINX_DIR/error.log" 2>/dev/null)"
			return 1
		fi
		_svi=$((_svi + 1)); _srv_sleep
	done
}

_srv_nginx_up() { _srv_alive "${NGINX_PID:-}"; }

_srv_nginx_conf() { # _srv_nginx_conf DOCROOT USERLINE ESCAPE
	_svD=$NGINX_DIR
	cat <<EOF
# generated by tests/lib/servers.sh
${2}
daemon on;
master_process on;
worker_processes 1;
pid $_svD/nginx.pid;
error_log $_svD/error.log notice;
events { worker_connections 128; }
http {
    types {
        text/html                 html htm;
        text/plain                txt;
        text/xml                  xml;
        application/rss+xml       rss;
        application/atom+xml      atom;
        application/json          json;
        text/x-opml               opml;
    }
    default_type application/octet-stream;
    log_format newsdigest ${3}'\$request_method \$request_uri \$status \$body_bytes_sent'
                          '\tua=\$http_user_agent\tinm=\$http_if_none_match'
                          '\tims=\$http_if_modified_since\tae=\$http_accept_encoding'
                          '\thost=\$http_host\tproto=\$server_protocol';
    access_log $_svD/access.log newsdigest;
    client_body_temp_path $_svD/tmp/body;
    proxy_temp_path $_svD/tmp/proxy;
    fastcgi_temp_path $_svD/tmp/fastcgi;
    uwsgi_temp_path $_svD/tmp/uwsgi;
    scgi_temp_path $_svD/tmp/scgi;
    sendfile off;
    keepalive_timeout 5;
    server_tokens off;
${NGINX_HTTP_EXTRA:-}
    server {
        listen 127.0.0.1:$NGINX_PORT;
        server_name localhost;
        root $1;
        location = /.servers-probe { access_log off; return 204; }
${NGINX_EXTRA:-}
    }
}
EOF
}

# Forget the instance; kill a master that is still there (failed start).
_srv_nginx_cleanup() {
	_svp=$(_srv_read_pid "$NGINX_DIR/nginx.pid" 2>/dev/null)
	[ -n "$_svp" ] && _srv_kill 3 "$_svp" $(_srv_children "$_svp")
	rm -f "$NGINX_DIR/nginx.pid"
	NGINX_PID= _srv_nginx_kids=
}

# A test killed with SIGKILL leaves its nginx running and lib.sh removes
# its $T: stop masters started with this test's prefix.
_srv_reap_nginx() {
	command -v pgrep >/dev/null 2>&1 && [ -d /proc ] || return 0
	for _svp in $(pgrep -x nginx 2>/dev/null); do
		case " $( { tr '\0' ' ' <"/proc/$_svp/cmdline"; } 2>/dev/null) " in
		*"master process"*" -p $NGINX_DIR/ "*) _srv_kill 3 "$_svp" $(_srv_children "$_svp") ;;
		esac
	done
}

# nginx_stop: stop the private nginx (TERM to the master, bounded wait,
# then KILL); clears NGINX_PID.  Safe when nothing runs.
nginx_stop() {
	if [ -n "${NGINX_PID:-}" ]; then
		_srv_kill "${SERVERS_TIMEOUT:-10}" "$NGINX_PID" ${_srv_nginx_kids:-} $(_srv_children "$NGINX_PID")
		_svrc=$?
		[ "$_svrc" = 0 ] || _srv_say "nginx $NGINX_PID did not stop"
		rm -f "$NGINX_DIR/nginx.pid"
		NGINX_PID= _srv_nginx_kids=
		return "$_svrc"
	fi
	return 0
}

# nginx_log: the access log's path ($NGINX_DIR/access.log).  nginx writes
# the line after sending the response, so a client may see the answer a
# moment before the line: nginx_log_wait PATTERN waits (bounded) for it.
nginx_log() { echo "$NGINX_DIR/access.log"; }

nginx_log_wait() {
	_svi=0 _svmax=$(_srv_ticks 5)
	until grep -qE -- "${1:-.}" "${NGINX_DIR:-$T/nginx}/access.log" 2>/dev/null; do
		[ "$_svi" -ge "$_svmax" ] && return 1
		_svi=$((_svi + 1)); _srv_sleep
	done
}

# --- Postfix ----------------------------------------------------------------

# postfix_start: a private Postfix whose smtpd listens on 127.0.0.1 only,
# accepts mail from loopback for any user of $POSTFIX_DOMAINS and delivers
# it to $T/mail/DOMAIN/USER/new/ (Maildir, owned by nobody; user and
# domain in lower case).  Other domains are refused at RCPT (554 relay
# access denied); nothing ever leaves the machine.  A second call starts
# afresh (new port, empty queue, logs and mail), as does nginx_start.
# Sets SMTP_PORT, POSTFIX_PID (master), POSTFIX_DIR, MAIL_DIR ($T/mail).
postfix_start() {
	SERVERS_ERROR=
	_srv_pf_up && postfix_stop
	_svpfx=$(_srv_find postfix) || { _srv_err 77 "postfix is not installed"; return 77; }
	_svpconf=$(_srv_find postconf) || { _srv_err 77 "postconf is not installed"; return 77; }
	command -v curl >/dev/null 2>&1 || { _srv_err 77 "curl is not installed"; return 77; }
	_svdaemons=$("$_svpconf" -dh daemon_directory 2>/dev/null)
	[ -x "$_svdaemons/master" ] || { _srv_err 77 "no Postfix master in '$_svdaemons'"; return 77; }
	_svmowner=$("$_svpconf" -dh mail_owner 2>/dev/null)
	id "$_svmowner" >/dev/null 2>&1 || { _srv_err 77 "Postfix user '$_svmowner' does not exist"; return 77; }
	[ "$(id -u)" = 0 ] || { _srv_err 77 "a private Postfix needs root"; return 77; }

	POSTFIX_DIR=$T/postfix
	MAIL_DIR=$T/mail
	_srv_reap_postfix
	_srv_mail_restore
	rm -rf "$POSTFIX_DIR" "$MAIL_DIR"
	mkdir -p "$POSTFIX_DIR/conf" "$POSTFIX_DIR/queue" "$POSTFIX_DIR/data" "$MAIL_DIR" ||
		{ _srv_err 1 "postfix_start: cannot create $POSTFIX_DIR"; return 1; }
	chmod 755 "$POSTFIX_DIR" "$POSTFIX_DIR/conf" "$POSTFIX_DIR/queue"

	# Unprivileged processes use some paths by absolute name: the master
	# as mail_owner (data_directory/master.lock), smtpd (the recipient
	# table), the delivery script as nobody (the script, the mail).  They
	# need every parent directory searchable; when $T is not (a checkout
	# under /root, say) those go to a private directory under /tmp, and
	# $T/mail links there until postfix_stop copies the mail back.
	_svmuser=nobody
	_svmog=$(id -g "$_svmowner")
	_svshared=$POSTFIX_DIR _svbase=$MAIL_DIR
	chown "$(id -u "$_svmuser"):$(id -g "$_svmuser")" "$MAIL_DIR"
	if ! _srv_user_can "$_svmowner" r "$POSTFIX_DIR" || ! _srv_user_can "$_svmuser" w "$MAIL_DIR"; then
		_srv_pf_priv=$(mktemp -d /tmp/newsdigest-postfix.XXXXXX) ||
			{ _srv_err 1 "postfix_start: mktemp failed"; return 1; }
		chmod 755 "$_srv_pf_priv"
		_svshared=$_srv_pf_priv _svbase=$_srv_pf_priv/mail
		mkdir "$_svbase" "$_svshared/data"
		chown "$(id -u "$_svmuser"):$(id -g "$_svmuser")" "$_svbase"
		rmdir "$POSTFIX_DIR/data" "$MAIL_DIR" && ln -s "$_svbase" "$MAIL_DIR"
	fi
	chown "$_svmowner:$_svmog" "$_svshared/data" && chmod 700 "$_svshared/data"

	_svver=$("$_svpconf" -dh mail_version 2>/dev/null)
	_svlevel=2
	case $_svver in 3.[6-9]*|3.[1-9][0-9]*|[4-9].*) _svlevel=3.6 ;; esac
	_svpostlog=
	[ -x "$_svdaemons/postlogd" ] && _svpostlog=yes

	# smtpd takes user@DOMAIN for these users (the table only says which
	# addresses exist; virtual(8) cannot compute a mailbox per user, see
	# _srv_pf_deliver).
	_svdre=$(echo "${POSTFIX_DOMAINS:-example.test example.org}" | tr ', ' '\n\n' |
		sed -n 's/\./\\./g; /./p' | paste -sd '|' -)
	echo "/^[a-z0-9_+=-][a-z0-9._+=-]*@($_svdre)\$/ OK" >"$_svshared/recipients"
	_srv_pf_deliver >"$_svshared/deliver"
	chmod 644 "$_svshared/recipients"; chmod 755 "$_svshared/deliver"

	# "postfix start" spends 1.5-2.5 s in its checks (post-install
	# create-missing, postsuper, find over the install: ~30 postconf
	# runs).  Make the queue the way postfix-files says and skip them with
	# the quick-start flag; if that start fails, try once more the full way.
	_svquick=
	_srv_pf_mkqueue "$POSTFIX_DIR/queue" "$_svmowner" "$("$_svpconf" -dh setgid_group 2>/dev/null)" &&
		_svquick=yes
	_svtries=0
	while :; do
		_svtries=$((_svtries + 1))
		SMTP_PORT=$(free_port) || { _srv_err 1 "postfix_start: no free port"; return 1; }
		_srv_pf_main "$_svshared" "$_svlevel" "$_svpostlog" >"$POSTFIX_DIR/conf/main.cf"
		_srv_pf_master "$_svpostlog" "$_svshared" "$_svbase" "$_svmuser" >"$POSTFIX_DIR/conf/master.cf"
		# Postfix rereads a main.cf changed less than 2 s ago every 0.3 s
		# until it "cools down" (dict_load_file): date the files back.
		touch -t 200001010000 "$POSTFIX_DIR/conf/main.cf" "$POSTFIX_DIR/conf/master.cf" \
			"$_svshared/recipients"
		: >"$POSTFIX_DIR/maillog"
		rm -f "$POSTFIX_DIR/queue/quick-start"
		[ -n "$_svquick" ] && : >"$POSTFIX_DIR/queue/quick-start"
		MAIL_CONFIG=$POSTFIX_DIR/conf "$_svpfx" -c "$POSTFIX_DIR/conf" start \
			</dev/null >"$POSTFIX_DIR/start.log" 2>&1
		_svrc=$?
		POSTFIX_PID=$(_srv_read_pid "$POSTFIX_DIR/queue/pid/master.pid")
		[ "$_svrc" = 0 ] && [ -n "$POSTFIX_PID" ] && break
		_srv_pf_cleanup
		# A lost race for the port: the master's "bind ... in use" goes
		# nowhere (postlogd is not up yet), so look at the port itself.
		if [ "$_svtries" -lt 4 ] && _srv_port_used "$SMTP_PORT"; then
			continue
		fi
		if [ -n "$_svquick" ]; then
			_srv_say "postfix quick start failed, trying the full start:" \
				"$(cat "$POSTFIX_DIR/start.log" "$POSTFIX_DIR/maillog" 2>/dev/null | tail -3)"
			_svquick=
			continue
		fi
		_srv_err 1 "postfix did not start (exit $_svrc)" \
			"$(cat "$POSTFIX_DIR/start.log" "$POSTFIX_DIR/maillog" 2>/dev/null | tail -8)"
		return 1
	done

	# master -w has bound the port; wait for smtpd's greeting.
	_svi=0 _svmax=$(_srv_ticks "${SERVERS_TIMEOUT:-10}")
	while :; do
		if _srv_smtp_ready "$SMTP_PORT"; then
			return 0
		fi
		if [ "$_svi" -ge "$_svmax" ]; then
			_srv_pf_cleanup
			_srv_err 1 "postfix does not greet on 127.0.0.1:$SMTP_PORT" \
				"$(tail -8 "$POSTFIX_DIR/maillog" 2>/dev/null)"
			return 1
		fi
		_svi=$((_svi + 1)); _srv_sleep
	done
}

# _srv_pf_mkqueue QUEUE MAIL_OWNER SETGID_GROUP: the queue directories of
# postfix-files (what "post-install create-missing" makes).
_srv_pf_mkqueue() {
	[ -n "$3" ] && getent group "$3" >/dev/null 2>&1 || return 1
	mkdir -p "$1/pid" && chown root "$1" "$1/pid" && chmod 755 "$1" "$1/pid" || return 1
	for _svq in active bounce corrupt defer deferred flush hold incoming private saved trace; do
		mkdir -p "$1/$_svq" && chown "$2" "$1/$_svq" && chmod 700 "$1/$_svq" || return 1
	done
	mkdir -p "$1/maildrop" "$1/public" &&
		chown "$2:$3" "$1/maildrop" "$1/public" &&
		chmod 730 "$1/maildrop" && chmod 710 "$1/public"
}

_srv_pf_up() { _srv_alive "${POSTFIX_PID:-}"; }

# A 220 greeting and a 250 to NOOP (curl says EHLO first).
_srv_smtp_ready() {
	curl -s --max-time 3 -X NOOP "smtp://127.0.0.1:$1/" </dev/null >/dev/null 2>&1
}

_srv_pf_main() { # SHARED_DIR COMPAT_LEVEL POSTLOG
	_svP=$POSTFIX_DIR
	cat <<EOF
# generated by tests/lib/servers.sh: a private, loopback-only instance
compatibility_level = $2
queue_directory = $_svP/queue
data_directory = $1/data
syslog_name = postfix-t-$(basename "$T")
myhostname = mail.newsdigest.test
mydomain = newsdigest.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
relayhost =
relay_transport = error:no relaying from a test instance
default_transport = error:no outbound mail from a test instance
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
biff = no
append_dot_mydomain = no
recipient_delimiter =
message_size_limit = 10240000
delay_warning_time = 0
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
smtpd_banner = \$myhostname ESMTP newsdigest-test
virtual_mailbox_domains = ${POSTFIX_DOMAINS:-example.test example.org}
virtual_mailbox_maps = regexp:$1/recipients
virtual_transport = ndmaildir
ndmaildir_destination_recipient_limit = 1
# Many messages quickly (a whole list of 1,200 in seconds): smtpd never
# waits for the queue manager, a deferred message is retried within a
# second or two instead of minutes, and long queue ids (time-ordered) name
# the Maildir files in the order the messages arrived.
in_flow_delay = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
enable_long_queue_ids = yes
EOF
	if [ -n "$3" ]; then
		echo "maillog_file = $_svP/maillog"
		echo "maillog_file_prefixes = $_svP"
	fi
}

# The installed master.cf (so daemon names match the installed Postfix),
# without its inet services (the system's port 25) and without chroot,
# plus our smtpd on 127.0.0.1:$SMTP_PORT, the delivery pipe and, if
# missing, postlog.
_srv_pf_master() { # POSTLOG SHARED_DIR MAIL_BASE MAIL_USER
	_svsrc=/etc/postfix/master.cf
	[ -r "$_svsrc" ] || _svsrc=$("$_svpconf" -dh meta_directory 2>/dev/null)/master.cf.proto
	echo "# generated by tests/lib/servers.sh from $_svsrc"
	awk '
		/^#/ || /^[ \t]*$/ { print; next }
		/^[ \t]/ { if (!skip) print; next }
		{
			skip = ($2 == "inet")
			if (skip) next
			if ($2 == "unix-dgram" && $NF == "postlogd") postlog = 1
			if (NF >= 8) $5 = "n"
			print
		}
		END { if (!postlog) print "#no-postlog" }
	' "$_svsrc" | {
		_svnopl=
		while IFS= read -r _svline; do
			[ "$_svline" = "#no-postlog" ] && { _svnopl=yes; continue; }
			printf '%s\n' "$_svline"
		done
		[ -n "$_svnopl" ] && [ -n "$1" ] &&
			echo "postlog   unix-dgram n  -       n       -       1       postlogd"
		:
	}
	echo "127.0.0.1:$SMTP_PORT inet n - n - - smtpd"
	echo "ndmaildir unix - n n - - pipe"
	echo "  flags=DORXhu user=$4 argv=/bin/sh $2/deliver $3 \${domain} \${user} \${queue_id}"
}

# The delivery agent: pipe(8) runs it as nobody for one recipient, with
# Delivered-To, X-Original-To and Return-Path added.  virtual(8) would be
# simpler, but it refuses $1-style substitutions from regexp tables
# ("regular expression substitution is not allowed"), so it cannot give
# each user a Maildir without a table listing every address.
_srv_pf_deliver() {
	cat <<'EOF'
#!/bin/sh
# deliver BASE DOMAIN USER QUEUE_ID <message: Maildir delivery to
# BASE/DOMAIN/USER (written in tmp/, renamed into new/).  The file is named
# after the (long, time-ordered) queue id, so that names sort in the order
# Postfix received the messages.  Few programs per message: delivering
# 1,200 of them is CPU-bound on a small machine.  Exit 67: no such user,
# 75: retry.
umask 022
base=$1 domain=$2 user=$3
case "$domain/$user" in
/*|*/|.*|*/.*|*/*/*|*[!a-z0-9._+=/-]*) echo "bad recipient $user@$domain"; exit 67 ;;
esac
dir=$base/$domain/$user
[ -d "$dir/new" ] || mkdir -p "$dir/tmp" "$dir/new" "$dir/cur" || exit 75
name=${4:-$(date +%s.N%N 2>/dev/null)}.P$$.newsdigest-test
cat >"$dir/tmp/$name" && mv "$dir/tmp/$name" "$dir/new/$name" && exit 0
rm -f "$dir/tmp/$name"
exit 75
EOF
}

# Kill the master and its children (failed start), forget the instance.
_srv_pf_cleanup() {
	_svp=${POSTFIX_PID:-}
	[ -n "$_svp" ] || _svp=$(_srv_read_pid "$POSTFIX_DIR/queue/pid/master.pid" 2>/dev/null)
	[ -n "$_svp" ] && _srv_kill 3 "$_svp" $(_srv_children "$_svp")
	POSTFIX_PID=
}

# Masters left by a killed run of this test: their cwd is our queue.
_srv_reap_postfix() {
	command -v pgrep >/dev/null 2>&1 && [ -d /proc ] || return 0
	for _svp in $(pgrep -x master 2>/dev/null); do
		case $(readlink "/proc/$_svp/cwd" 2>/dev/null) in
		"$POSTFIX_DIR/queue"|"$POSTFIX_DIR/queue "*) _srv_kill 3 "$_svp" $(_srv_children "$_svp") ;;
		esac
	done
}

# When mail went to /tmp (see postfix_start): copy it back into $T/mail.
_srv_mail_restore() {
	[ -n "${_srv_pf_priv:-}" ] || return 0
	if [ -L "${MAIL_DIR:-}" ]; then
		rm -f "$MAIL_DIR" && cp -Rp "$_srv_pf_priv/mail" "$MAIL_DIR"
	fi
	rm -rf "$_srv_pf_priv"
	_srv_pf_priv=
}

# postfix_stop: TERM to the master (what "postfix stop" does, without its
# one-second polling), bounded wait for it and its children, then KILL.
# Delivered mail stays in $T/mail.  Safe when nothing runs.
postfix_stop() {
	_svrc=0
	if [ -n "${POSTFIX_PID:-}" ]; then
		_svkids=$(_srv_children "$POSTFIX_PID")
		_srv_kill "${SERVERS_TIMEOUT:-10}" "$POSTFIX_PID" $_svkids
		_svrc=$?
		[ "$_svrc" = 0 ] || _srv_say "postfix master $POSTFIX_PID did not stop"
		POSTFIX_PID=
	fi
	_srv_mail_restore
	return "$_svrc"
}

# mail_files [USER@DOMAIN]: delivered messages, one path a line, in the
# order Postfix received them (all mailboxes, or one).
mail_files() {
	_svdir=${MAIL_DIR:-$T/mail}
	if [ $# -ge 1 ]; then
		_svdir=$_svdir/$(echo "${1#*@}/${1%%@*}" | tr 'A-Z' 'a-z')
	fi
	[ -d "$_svdir" ] || return 0
	# Maildir names start with the long queue id (base-52 digits of the
	# arrival time, in ASCII order): sort on them.
	find "$_svdir/" -type f \( -path '*/new/*' -o -path '*/cur/*' \) 2>/dev/null |
		awk '{ n = $0; sub(/.*\//, "", n); print n "\t" $0 }' | LC_ALL=C sort | cut -f2-
}

# mail_count [USER@DOMAIN]: how many messages have been delivered (all
# mailboxes, or one); cheaper than mail_files | wc -l for thousands.
# shellcheck disable=SC2120 # (the argument is optional)
mail_count() {
	_svdir=${MAIL_DIR:-$T/mail}
	if [ $# -ge 1 ]; then
		_svdir=$_svdir/$(echo "${1#*@}/${1%%@*}" | tr 'A-Z' 'a-z')
	fi
	[ -d "$_svdir" ] || { echo 0; return 0; }
	find "$_svdir/" -type f \( -path '*/new/*' -o -path '*/cur/*' \) 2>/dev/null |
		wc -l | tr -d ' '
}

# mail_log_counts: delivery attempts in the mail log, by outcome, on one
# line: "sent=N deferred=N bounced=N" (a message deferred twice and then
# sent counts in both).
mail_log_counts() {
	awk '/ status=sent / { s++ } / status=deferred / { d++ } / status=bounced / { b++ }
		END { printf "sent=%d deferred=%d bounced=%d\n", s, d, b }' \
		"${POSTFIX_DIR:-$T/postfix}/maillog" 2>/dev/null || echo "sent=0 deferred=0 bounced=0"
}

# mail_wait N [USER@DOMAIN]: wait (bounded, $SERVERS_TIMEOUT) until at
# least N messages have been delivered; non-zero on timeout, with the
# tail of the mail log on stderr.
mail_wait() {
	_svwant=${1:-1}; [ $# -gt 0 ] && shift
	_svi=0 _svmax=$(_srv_ticks "${SERVERS_TIMEOUT:-10}")
	while :; do
		_svhave=$(mail_count "$@")
		[ "$_svhave" -ge "$_svwant" ] && return 0
		if [ "$_svi" -ge "$_svmax" ]; then
			_srv_say "mail_wait: $_svhave of $_svwant messages after ${SERVERS_TIMEOUT:-10}s"
			[ -n "${POSTFIX_DIR:-}" ] && tail -5 "$POSTFIX_DIR/maillog" 2>/dev/null | sed 's/^/# /' >&2
			return 1
		fi
		_svi=$((_svi + 1)); _srv_sleep
	done
}

# _srv_scaled N [SECONDS]: SECONDS, else a bound for N messages: at least
# $SERVERS_TIMEOUT, else 10 s plus 1 s per 20 messages (1,200: 70 s).
_srv_scaled() {
	if [ -n "${2:-}" ]; then echo "$2"; return; fi
	_svs=$((10 + $1 / 20))
	[ "$_svs" -lt "${SERVERS_TIMEOUT:-10}" ] && _svs=${SERVERS_TIMEOUT:-10}
	echo "$_svs"
}

# mail_wait_total N [SECONDS]: wait until at least N messages have been
# delivered in all (a whole list), bounded by SECONDS (default: scaled
# with N, see _srv_scaled).  Non-zero on timeout, with the count, the mail
# log's outcomes and its tail on stderr.  It does not wait for more: check
# mail_count afterwards when extra messages matter.
mail_wait_total() {
	_svwant=${1:-1}
	_svsecs=$(_srv_scaled "$_svwant" "${2:-}")
	_svi=0 _svmax=$(_srv_ticks "$_svsecs")
	while :; do
		# shellcheck disable=SC2119 # (all mailboxes)
		_svhave=$(mail_count)
		[ "$_svhave" -ge "$_svwant" ] && return 0
		if [ "$_svi" -ge "$_svmax" ]; then
			_srv_say "mail_wait_total: $_svhave of $_svwant messages after ${_svsecs}s ($(mail_log_counts))"
			[ -n "${POSTFIX_DIR:-}" ] && tail -5 "$POSTFIX_DIR/maillog" 2>/dev/null | sed 's/^/# /' >&2
			return 1
		fi
		_svi=$((_svi + 1)); _srv_sleep
	done
}

# --- smtp-sink ----------------------------------------------------------------

# smtp_sink_start [--dump] [OPTION...]: Postfix's smtp-sink(1) on
# 127.0.0.1:$SINK_PORT, for benchmarks and SMTP fault tests: it answers
# every command at once and throws the messages away, counting them
# (smtp_sink_count).  With --dump it also keeps each message, one file per
# message in $SINK_DUMP/ (LF line ends; smtp-sink's own X-* and Received
# lines come first); without it nothing touches the disk, so it measures
# the client alone.  Other OPTIONs go to smtp-sink as they are, e.g.
#   smtp_sink_start -r RCPT        every RCPT gets a 450 (soft reject)
#   smtp_sink_start -f RCPT        every RCPT gets a 500 (hard reject)
#   smtp_sink_start -Q .           421 and hang up after each message
#   smtp_sink_start -W DATA:2      2 s pause before answering DATA
# (-c, -u and the address are set here).  As root it runs as nobody (-u),
# with a dump folder that nobody can write (under /tmp when $T is not
# reachable for nobody; copied back into $SINK_DIR/dump by smtp_sink_stop).
# Sets SINK_PORT, SINK_PID, SINK_DIR ($T/smtp-sink), SINK_DUMP (or empty).
# Knob: SINK_BACKLOG (listen backlog, default 256).
smtp_sink_start() {
	SERVERS_ERROR=
	_srv_sink_up && smtp_sink_stop
	_svbin=$(_srv_find smtp-sink) ||
		{ _srv_err 77 "smtp-sink is not installed (Debian package postfix)"; return 77; }
	command -v curl >/dev/null 2>&1 || { _srv_err 77 "curl is not installed"; return 77; }
	_svdump=
	[ "${1:-}" = --dump ] && { _svdump=yes; shift; }
	_svuopt=
	if [ "$(id -u)" = 0 ]; then
		id nobody >/dev/null 2>&1 || { _srv_err 77 "smtp-sink as root needs the user nobody"; return 77; }
		_svuopt=nobody
	fi
	SINK_DIR=$T/smtp-sink
	_srv_reap_sink
	_srv_sink_restore
	rm -rf "$SINK_DIR"
	mkdir -p "$SINK_DIR" || { _srv_err 1 "smtp_sink_start: cannot create $SINK_DIR"; return 1; }
	SINK_DUMP= _svdumpdir=
	if [ -n "$_svdump" ]; then
		SINK_DUMP=$SINK_DIR/dump _svdumpdir=$SINK_DIR/dump
		mkdir "$SINK_DUMP" || { _srv_err 1 "smtp_sink_start: cannot create $SINK_DUMP"; return 1; }
		if [ -n "$_svuopt" ]; then
			chown "$(id -u nobody):$(id -g nobody)" "$SINK_DUMP"
			if ! _srv_user_can nobody w "$SINK_DUMP"; then
				_srv_sink_priv=$(mktemp -d /tmp/newsdigest-sink.XXXXXX) ||
					{ _srv_err 1 "smtp_sink_start: mktemp failed"; return 1; }
				chmod 755 "$_srv_sink_priv"
				_svdumpdir=$_srv_sink_priv/dump
				mkdir "$_svdumpdir" && chown "$(id -u nobody):$(id -g nobody)" "$_svdumpdir"
				rmdir "$SINK_DUMP" && ln -s "$_svdumpdir" "$SINK_DUMP"
			fi
		fi
	fi

	_svtries=0
	while :; do
		_svtries=$((_svtries + 1))
		SINK_PORT=$(free_port) || { _srv_err 1 "smtp_sink_start: no free port"; return 1; }
		: >"$SINK_DIR/counter"
		# Started from $SINK_DIR: its cwd tells _srv_reap_sink whose it is.
		# -c: counters on stdout ("sess=N quit=N mesg=N" and a CR after
		# each "." and QUIT).
		(
			cd "$SINK_DIR" || exit 1
			set -- -c ${_svuopt:+-u "$_svuopt"} ${_svdumpdir:+-d "$_svdumpdir/%Y%m%d%H%M%S."} \
				"$@" "127.0.0.1:$SINK_PORT" "${SINK_BACKLOG:-256}"
			exec "$_svbin" "$@"
		) </dev/null >"$SINK_DIR/counter" 2>"$SINK_DIR/log" &
		SINK_PID=$!
		# It listens at once, or exits (the port was taken, a bad option).
		_svi=0 _svmax=$(_srv_ticks "${SERVERS_TIMEOUT:-10}")
		while _srv_alive "$SINK_PID" && ! _srv_listening "$SINK_PORT"; do
			[ "$_svi" -ge "$_svmax" ] && break
			_svi=$((_svi + 1)); _srv_sleep
		done
		_srv_alive "$SINK_PID" && _srv_listening "$SINK_PORT" && return 0
		_srv_sink_cleanup
		if [ "$_svtries" -lt 4 ] && { grep -qi 'in use' "$SINK_DIR/log" 2>/dev/null ||
			_srv_port_used "$SINK_PORT"; }; then
			continue # lost a race for the port
		fi
		_srv_err 1 "smtp-sink did not start on 127.0.0.1:$SINK_PORT" \
			"$(tail -5 "$SINK_DIR/log" 2>/dev/null)"
		return 1
	done
}

_srv_sink_up() { _srv_alive "${SINK_PID:-}"; }

# _srv_listening PORT: a socket listens on 127.0.0.1:PORT, seen in
# /proc/net/tcp (no connection: a probe would count as a session, and
# curl's telnet:// waits for its time limit on a server that greets);
# without /proc, an SMTP NOOP.
_srv_listening() {
	if [ -r /proc/net/tcp ]; then
		_svhex=$(printf '0100007F:%04X' "$1")
		awk -v a="$_svhex" 'FNR > 1 && $2 == a && $4 == "0A" { f = 1; exit } END { exit !f }' \
			/proc/net/tcp 2>/dev/null
	else
		_srv_smtp_ready "$1"
	fi
}

_srv_sink_cleanup() {
	[ -n "${SINK_PID:-}" ] && { _srv_kill 3 "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || :; }
	SINK_PID=
}

# smtp-sink processes left by a killed run of this test: their cwd is
# our $SINK_DIR.
_srv_reap_sink() {
	command -v pgrep >/dev/null 2>&1 && [ -d /proc ] || return 0
	for _svp in $(pgrep -x smtp-sink 2>/dev/null); do
		case $(readlink "/proc/$_svp/cwd" 2>/dev/null) in
		"$SINK_DIR"|"$SINK_DIR "*) _srv_kill 3 "$_svp" ;;
		esac
	done
}

# When the dumps went to /tmp (see smtp_sink_start): copy them back.
_srv_sink_restore() {
	[ -n "${_srv_sink_priv:-}" ] || return 0
	if [ -L "${SINK_DIR:-$T/smtp-sink}/dump" ]; then
		rm -f "$SINK_DIR/dump" && cp -Rp "$_srv_sink_priv/dump" "$SINK_DIR/dump"
	fi
	rm -rf "$_srv_sink_priv"
	_srv_sink_priv=
}

# smtp_sink_stop: TERM (bounded wait, then KILL); the counter, the log and
# the dumps stay in $SINK_DIR.  Safe when nothing runs.
smtp_sink_stop() {
	_svrc=0
	if [ -n "${SINK_PID:-}" ]; then
		_srv_kill "${SERVERS_TIMEOUT:-10}" "$SINK_PID"
		_svrc=$?
		[ "$_svrc" = 0 ] || _srv_say "smtp-sink $SINK_PID did not stop"
		wait "$SINK_PID" 2>/dev/null || :
		SINK_PID=
	fi
	_srv_sink_restore
	return "$_svrc"
}

# smtp_sink_count: messages smtp-sink has received so far (each "."; also
# after smtp_sink_stop).
smtp_sink_count() {
	_svc=$(tail -c 200 "${SINK_DIR:-$T/smtp-sink}/counter" 2>/dev/null | tr '\r' '\n' |
		sed -n 's/.*mesg=\([0-9][0-9]*\).*/\1/p' | tail -n 1)
	echo "${_svc:-0}"
}

# smtp_sink_wait N [SECONDS]: wait until smtp-sink has received at least N
# messages; bounded as mail_wait_total is.
smtp_sink_wait() {
	_svwant=${1:-1}
	_svsecs=$(_srv_scaled "$_svwant" "${2:-}")
	_svi=0 _svmax=$(_srv_ticks "$_svsecs")
	while :; do
		_svhave=$(smtp_sink_count)
		[ "$_svhave" -ge "$_svwant" ] && return 0
		if [ "$_svi" -ge "$_svmax" ]; then
			_srv_say "smtp_sink_wait: $_svhave of $_svwant messages after ${_svsecs}s"
			return 1
		fi
		_svi=$((_svi + 1)); _srv_sleep
	done
}

# smtp_sink_files: the dumped messages (smtp_sink_start --dump), one path a
# line, in the order of their names (the second they came, then random).
smtp_sink_files() {
	[ -n "${SINK_DIR:-}" ] && [ -d "$SINK_DIR/dump/" ] || return 0
	find "$SINK_DIR/dump/" -type f 2>/dev/null | LC_ALL=C sort
}

# --- all ----------------------------------------------------------------------

servers_stop_all() {
	_sva=0
	nginx_stop || _sva=1
	postfix_stop || _sva=1
	smtp_sink_stop || _sva=1
	return "$_sva"
}

# servers_trap: stop the servers when the test exits, also on HUP, INT,
# TERM (which then end the test with 128+signal).  Replaces EXIT traps.
servers_trap() {
	trap 'servers_stop_all' EXIT
	trap 'servers_stop_all; trap - EXIT; exit 129' HUP
	trap 'servers_stop_all; trap - EXIT; exit 130' INT
	trap 'servers_stop_all; trap - EXIT; exit 143' TERM
}
