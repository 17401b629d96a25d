#!/bin/sh
# Benchmark: send the week's digest to N subscribers (1,200 and 100,000 by
# default) over SMTP to Postfix's smtp-sink on loopback (it answers at once,
# keeps nothing and counts the messages), and the same number of messages of
# the same size over the same number of connections with two peers, in the
# same run:
#   smtp-source  Postfix's SMTP load generator (one process, C, no MIME
#                work: the floor for "N messages over C connections");
#   msmtp        one process per message, the way a shell script or a
#                sendmail-style loop would send a list (C loops in parallel).
#                For a large N, msmtp sends a sample (BENCH_MSMTP_SAMPLE,
#                default 2,000) and its time is extrapolated to N: the
#                figures say so. (Measured here: about 55 ms a message, of
#                which about 44 ms wait for the reply to the final dot,
#                Nagle against delayed ACKs, the stall DESIGN.md describes
#                for libetpan; the rest is the process and its setup.)
# Prints seconds, messages/s and peak RSS per tool and N, and ratios taken
# in this one run (figures, not verdicts: the machines are noisy). Checks
# that smtp-sink counted every message each tool says it sent.
#
# newsdigest's run (run_newsdigest below) sends a draft sized so that its
# message is about as large as the peers', to N imported subscribers, with
# the journal on (every delivery committed to the store, as in real use).
#
# usage: tests/bench/send.sh [PATH/TO/newsdigest] [N...]
#   environment: BENCH_CONNECTIONS   SMTP connections (default 2)
#                BENCH_SIZE          message size in bytes (default 30000,
#                                    about the size of a digest)
#                BENCH_MSMTP_SAMPLE  msmtp messages at most per N (2000)
#                BENCH_TIMEOUT       seconds one tool run may take (900)
#                BENCH_KEEP          set: keep the work folder
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
nd=$top/newsdigest
case ${1:-} in
'' | *[!0-9]*) [ $# -gt 0 ] && { nd=$1; shift; } ;;
esac
counts=${*:-1200 100000}
conns=${BENCH_CONNECTIONS:-2}
size=${BENCH_SIZE:-30000}
sample=${BENCH_MSMTP_SAMPLE:-2000}
limit=${BENCH_TIMEOUT:-900}
case $nd in /*) ;; *) nd=$(pwd)/$nd ;; esac
for v in $counts "$conns" "$size" "$sample" "$limit"; do
	case $v in '' | *[!0-9]* | 0) echo "not a positive number: '$v'"; exit 64 ;; esac
done

# Peers and tools from Debian, installed when missing. Postfix (smtp-sink,
# smtp-source) asks debconf questions unless preseeded; the service itself
# is never started (nothing here uses it).
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
need=
[ -x /usr/sbin/smtp-sink ] && [ -x /usr/sbin/smtp-source ] || need="$need postfix"
command -v msmtp >/dev/null 2>&1 || need="$need msmtp"
command -v curl >/dev/null 2>&1 || need="$need curl"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
	echo "installing:$need"
	echo 'postfix postfix/main_mailer_type select Local only' | $sudo debconf-set-selections 2>/dev/null || :
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1 ||
		{ $sudo apt-get update -qq >/dev/null 2>&1 &&
		  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1; } ||
		echo "could not install some of:$need (the tools that are missing are skipped)"
fi
for p in /usr/sbin/smtp-sink /usr/bin/time; do
	[ -x "$p" ] || { echo "$p is needed and missing"; exit 1; }
done
command -v curl >/dev/null 2>&1 || { echo "curl is needed and missing"; exit 1; }

work=$(mktemp -d /tmp/nd-bench.XXXXXX)
chmod 755 "$work" # smtp-sink runs as nobody
T=$work # servers.sh keeps smtp-sink's files in $T/smtp-sink
export T
# shellcheck source=SCRIPTDIR/../lib/servers.sh
. "$top/tests/lib/servers.sh"
child=
# shellcheck disable=SC2317 # (called by the trap)
cleanup() {
	# a tool still running (signal): timeout passes TERM to its group
	[ -z "$child" ] || { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null || :; }
	smtp_sink_stop || :
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"
# a copy: a rebuild of the tree during the run changes nothing here
have_nd=
if [ -x "$nd" ]; then cp "$nd" ./newsdigest && nd=$work/newsdigest && have_nd=yes; fi
mkdir home
HOME=$work/home; export HOME
LC_ALL=C.UTF-8; export LC_ALL
unset NEWSDIGEST_CONFIG || :

# --- the message ----------------------------------------------------------------
# gen_message SIZE FILE: a digest-like message of about SIZE bytes (LF line
# ends): multipart/alternative, text/plain then text/html, both UTF-8 and
# quoted-printable (lines of at most 76), List-* headers, a French accent
# now and then. The peers send this file as it is.
gen_message() {
	awk -v size="$1" 'BEGIN {
		nw = split("surveillance detention oversight inquiry charter privacy border " \
			"agency court minister report watchdog security certificate no-fly list " \
			"coalition rights review police intelligence tribunal federal hearing", w, " ")
		hdr = "From: Coalition News Digest <digest@example.org>\n" \
			"To: Subscriber <subscriber@example.test>\n" \
			"Subject: News Digest 2026-W48: surveillance, =?UTF-8?Q?d=C3=A9tention?=\n" \
			"Date: Thu, 26 Nov 2026 09:00:00 -0500\n" \
			"Message-ID: <2026-W48.bench@digest.example.org>\n" \
			"MIME-Version: 1.0\n" \
			"List-Id: Coalition News Digest <digest.example.org>\n" \
			"List-Unsubscribe: <mailto:unsubscribe+tok0123456789@example.org>,\n" \
			" <https://digest.example.org/unsubscribe/tok0123456789>\n" \
			"List-Unsubscribe-Post: List-Unsubscribe=One-Click\n" \
			"Content-Type: multipart/alternative; boundary=\"=_nd_bench\"\n\n"
		text = html = ""; i = 0
		while (length(hdr) + length(text) + length(html) + 420 < size) {
			i++
			t = ""; for (k = 0; k < 4; k++) t = t " " w[1 + (i * 7 + k * 3) % nw]
			u = ""; for (k = 0; k < 4; k++) u = u " " w[1 + (i * 5 + k * 11) % nw]
			text = text sprintf("%d. Court rules on%s\n   https://news.example.org/2026/11/item-%d\n" \
				"   The d=C3=A9cision follows a review of\n  %s.\n\n", i, t, i, u)
			html = html sprintf("<li><a href=3D\"https://news.example.org/2026/11/item-%d\">Court rules=\n" \
				" on%s</a><br>=\nThe d=C3=A9cision follows a review of=\n%s.</li>\n", i, t, u)
		}
		printf "%s", hdr
		printf "--=_nd_bench\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
		printf "%sUnsubscribe: https://digest.example.org/unsubscribe/tok0123456789\n\n", text
		printf "--=_nd_bench\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
		printf "<html><body><ul>\n%s</ul><p><a href=3D\"https://digest.example.org/unsubscribe/tok0123456789\">=\nUnsubscribe</a></p></body></html>\n\n", html
		printf "--=_nd_bench--\n"
	}' >"$2"
}
gen_message "$size" msg.eml
msg_bytes=$(wc -c <msg.eml | tr -d ' ')
long=$(awk 'length > 76 { n++ } END { print n + 0 }' msg.eml)
[ "$long" = 0 ] || { echo "the generated message has $long lines over 76 characters"; exit 1; }

# gen_subscribers N FILE: a subscriber CSV (email,name) of N distinct
# addresses of the domains the sink accepts (all of them: it accepts any).
gen_subscribers() {
	awk -v n="$1" 'BEGIN {
		print "email,name"
		for (i = 1; i <= n; i++)
			printf "reader%d@%s,Reader %d\n", i, (i % 2 ? "example.test" : "example.org"), i
	}' >"$2"
}

# --- the sink -------------------------------------------------------------------
smtp_sink_start || { echo "smtp-sink could not start: $SERVERS_ERROR"; exit 1; }

# --- measuring ------------------------------------------------------------------
# run LABEL COMMAND...: LABEL.time gets "seconds max_rss_kib user_s sys_s",
# LABEL.out and LABEL.err what it printed, LABEL.sunk the messages smtp-sink
# counted during the run. Returns the command's status (124: out of time).
# The command runs in the background so that a signal stops the benchmark
# at once: the shell runs traps only between foreground commands, but
# interrupts a wait.
run() {
	_rl=$1; shift
	_rb=$(smtp_sink_count)
	_rs=0
	timeout "$limit" /usr/bin/time -f '%e %M %U %S' -o "$_rl.time" "$@" \
		</dev/null >"$_rl.out" 2>"$_rl.err" &
	child=$!
	wait "$child" || _rs=$?
	child=
	# the counter is written as each "." comes: settle (bounded) on it
	_ri=0 _rlast=
	while [ "$(smtp_sink_count)" != "$_rlast" ] && [ "$_ri" -lt 10 ]; do
		_rlast=$(smtp_sink_count); sleep 0.2; _ri=$((_ri + 1))
	done
	echo $(($(smtp_sink_count) - _rb)) >"$_rl.sunk"
	return "$_rs"
}
failed() { # failed LABEL STATUS: say why a run failed
	if [ "$2" = 124 ]; then echo "  $1: stopped after ${limit}s"
	else echo "  $1: exit status $2"; fi
	tail -n 5 "$1.err" "$1.out" 2>/dev/null | sed 's/^/    /'
}
# row TOOL LABEL MESSAGES [NOTE]: one line of the table from LABEL.time
row() {
	read -r _s _kb _u _sy <"$2.time"
	awk -v t="$1" -v s="$_s" -v kb="$_kb" -v u="$_u" -v sy="$_sy" -v m="$3" -v note="${4:-}" 'BEGIN {
		if (s < 0.01) s = 0.01
		printf "  %-24s %8.2f %9.0f %8.2f %9.1f  %s\n", t, s, m / s, u + sy, kb / 1024, note
	}'
}
header() {
	printf "  %-24s %8s %9s %8s %9s  %s\n" tool "s" "msg/s" "CPU s" "RSS MiB" ""
}
# check_sunk LABEL EXPECTED: smtp-sink counted EXPECTED messages for LABEL
check_sunk() {
	_got=$(cat "$1.sunk")
	[ "$_got" = "$2" ] && return 0
	echo "  $1: smtp-sink counted $_got messages, expected $2"
	rc=1
	return 1
}

# --- newsdigest --------------------------------------------------------------------
# nd_draft ITEMS FILE: an approved-to-be draft of this week with ITEMS items
# under four topics, French accents in some titles
nd_draft() {
	awk -v n="$1" -v week="$(date -u +%G-W%V)" 'BEGIN {
		printf "---\ntitle: News Digest\nissue: 48\nweek: %s\ndate: 2026-11-26\n", week
		printf "subject: \"News Digest %s: surveillance, d\303\251tention\"\n---\n", week
		split("Surveillance|D\303\251tention|Oversight|Borders", sec, "|")
		for (i = 1; i <= n; i++) {
			if ((i - 1) % (n / 4 < 1 ? 1 : int(n / 4)) == 0 && (i - 1) / (n / 4 < 1 ? 1 : int(n / 4)) < 4)
				printf "\n## %s\n\n", sec[1 + int((i - 1) / (n / 4 < 1 ? 1 : int(n / 4)))]
			printf "- [Court rules on bulk collection and the d\303\251cision %d](https://news.example.org/2026/11/item-%d)", i, i
			printf " \342\200\224 The review of the agency found the watchdog lacked the powers it needs.\n"
		}
	}' >"$2"
}

# nd_config N: nd-N.ini, smtp to the sink over $conns connections
nd_config() {
	cat >"nd-$1.ini" <<EOF
[store]
path = $work/nd-$1.db
[curate]
topics = $top/feeds/topics.ini
[compose]
digests_dir = $work/digests-$1
templates = $top/templates
[mail]
from = Coalition News Digest <digest@example.org>
list_id = digest.example.org
unsubscribe_mailto = unsubscribe@example.org
unsubscribe_url = https://digest.example.org/unsubscribe
archive_url = https://digest.example.org/archive/
[send]
transport = smtp
connections = $conns
maildir = $work/sizing-$1
[smtp]
host = 127.0.0.1
port = $SINK_PORT
tls = none
EOF
}

# nd_size ITEMS N FILE: write the draft of ITEMS items, and set bytes to
# the size of its message (a dry-run test send into a Maildir)
nd_size() {
	nd_draft "$1" "$3"
	rm -rf "sizing-$2"
	"$nd" -c "nd-$2.ini" -q send --dry-run --to sizing@example.test "$3" || return 1
	bytes=$(cat "sizing-$2"/new/* | wc -c | tr -d ' ')
}

# run_newsdigest N LABEL: newsdigest sends the digest to N subscribers
# through smtp-sink over $conns connections; its draft is sized so that one
# message is about $size bytes, as the peers' (a dry run measures it).
run_newsdigest() {
	[ -n "$have_nd" ] || return 77
	nd_config "$1"
	gen_subscribers "$1" "subs-$1.csv"
	"$nd" -c "nd-$1.ini" -q subscribers import "subs-$1.csv" || return 1
	mkdir -p "digests-$1"
	draft=$work/digests-$1/draft.md
	# two sizes give the bytes of the frame and of one item
	nd_size 20 "$1" "$draft" || return 1
	b20=$bytes
	nd_size 40 "$1" "$draft" || return 1
	items=$((20 + (size - b20) * 20 / (bytes - b20)))
	[ "$items" -ge 4 ] || items=4
	nd_size "$items" "$1" "$draft" || return 1
	"$nd" -c "nd-$1.ini" -q approve "$draft" || return 1
	echo "  (newsdigest's message: $bytes bytes; the peers': $msg_bytes)"
	run "$2" "$nd" -c "nd-$1.ini" send "$draft" || return $?
	check_sunk "$2" "$1" || return 1
}

# --- the runs -------------------------------------------------------------------
echo "message: $msg_bytes bytes (digest-like: multipart/alternative, quoted-printable)"
echo "smtp-sink on 127.0.0.1:$SINK_PORT: answers at once, counts, keeps nothing"
echo "connections: $conns for every tool (msmtp: $conns loops, one process per message)"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') ($(nproc) cores)"
if [ -n "$have_nd" ]; then echo "newsdigest: $nd"
else echo "newsdigest: no binary at ${1:-$top/newsdigest}; its runs are skipped"; fi

# msmtp: no TLS, no auth, loopback; the EHLO name is fixed (no lookups)
cat >msmtprc <<EOF
defaults
tls off
auth off
logfile
syslog off
account bench
host 127.0.0.1
port $SINK_PORT
from digest@example.org
domain bench.example.org
timeout 30
account default : bench
EOF
chmod 600 msmtprc

# msmtp_loops COUNT: COUNT messages, one msmtp process each, in $conns
# parallel loops; fails when any msmtp does.
cat >msmtp-loops.sh <<'EOF'
#!/bin/sh
# msmtp-loops.sh COUNT LOOPS RC MSG: COUNT messages in LOOPS parallel loops
count=$1 loops=$2 rc=$3 msg=$4
pids= k=0
while [ "$k" -lt "$loops" ]; do
	(
		i=$k fails=0
		while [ "$i" -lt "$count" ]; do
			msmtp -C "$rc" "reader$i@example.test" <"$msg" || fails=$((fails + 1))
			i=$((i + loops))
		done
		[ "$fails" = 0 ] || { echo "msmtp failed $fails times" >&2; exit 1; }
	) &
	pids="$pids $!"
	k=$((k + 1))
done
st=0
for p in $pids; do wait "$p" || st=1; done
exit "$st"
EOF

# ratio NAME LABEL_A MSGS_A LABEL_B MSGS_B: B's time per message over A's,
# and B's peak RSS over A's
ratio() {
	read -r _sa _ka _ <"$2.time"; read -r _sb _kb _ <"$4.time"
	awk -v nm="$1" -v sa="$_sa" -v ma="$3" -v sb="$_sb" -v mb="$5" -v ka="$_ka" -v kb="$_kb" 'BEGIN {
		if (sa < 0.01) sa = 0.01; if (sb < 0.01) sb = 0.01
		printf "  ratio %s: time per message %.2fx, peak RSS %.2fx\n", nm, (sb / mb) / (sa / ma), kb / ka
	}'
}

rc=0
for n in $counts; do
	echo
	echo "N = $n subscribers, $conns connections"
	header
	pfx=n$n

	# newsdigest
	st=0; run_newsdigest "$n" "${pfx}_nd" || st=$?
	nd_ok=
	case $st in
	0) row "newsdigest send" "${pfx}_nd" "$n"; nd_ok=yes ;;
	77) printf "  %-24s %8s %9s %8s %9s  %s\n" "newsdigest send" "-" "-" "-" "-" \
		"not run (no newsdigest binary)" ;;
	*) echo "  newsdigest send failed:"; failed "${pfx}_nd" "$st"; rc=1 ;;
	esac

	# smtp-source: the same message file, N distinct recipients (-N),
	# $conns sessions in parallel, each reused for its messages (-d)
	st=0; run "${pfx}_src" /usr/sbin/smtp-source -d -s "$conns" -m "$n" -N -F msg.eml \
		-M bench.example.org -f digest@example.org -t reader@example.test \
		"127.0.0.1:$SINK_PORT" || st=$?
	src_ok=
	if [ "$st" = 0 ]; then
		row "smtp-source -s $conns -d" "${pfx}_src" "$n"
		check_sunk "${pfx}_src" "$n" && src_ok=yes
	else
		echo "  smtp-source failed:"; failed "${pfx}_src" "$st"; rc=1
	fi

	# msmtp: one process per message; a sample when N is large
	m=$n; [ "$m" -gt "$sample" ] && m=$sample
	ms_ok=
	if command -v msmtp >/dev/null 2>&1; then
		st=0; run "${pfx}_msmtp" sh msmtp-loops.sh "$m" "$conns" "$work/msmtprc" "$work/msg.eml" || st=$?
		if [ "$st" = 0 ]; then
			if [ "$m" = "$n" ]; then
				row "msmtp x$m" "${pfx}_msmtp" "$m" "one process per message"
			else
				row "msmtp x$m (sample)" "${pfx}_msmtp" "$m" "a sample of $m of $n"
				read -r ms_s _ <"${pfx}_msmtp.time"
				awk -v s="$ms_s" -v m="$m" -v n="$n" 'BEGIN {
					printf "  %-24s %8.1f %9.0f %8s %9s  %s\n", "msmtp x" n " (projected)", s * n / m,
						m / (s < 0.01 ? 0.01 : s), "-", "-", "extrapolated from the sample, not run"
				}'
			fi
			check_sunk "${pfx}_msmtp" "$m" && ms_ok=yes
		else
			echo "  msmtp failed:"; failed "${pfx}_msmtp" "$st"; rc=1
		fi
	else
		echo "  msmtp: not installed, skipped"
	fi

	# ratios, all from this run (msmtp: per message, so a sample compares)
	if [ -n "$nd_ok" ]; then
		[ -n "$src_ok" ] && ratio "newsdigest/smtp-source" "${pfx}_src" "$n" "${pfx}_nd" "$n"
		[ -n "$ms_ok" ] && ratio "msmtp/newsdigest" "${pfx}_nd" "$n" "${pfx}_msmtp" "$m"
	else
		echo "  ratios to newsdigest: none (newsdigest did not run)"
	fi
	[ -n "$src_ok" ] && [ -n "$ms_ok" ] && ratio "msmtp/smtp-source" "${pfx}_src" "$n" "${pfx}_msmtp" "$m"
done
echo
echo "smtp-sink counted $(smtp_sink_count) messages in all"
exit "$rc"
