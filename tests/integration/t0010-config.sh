#!/bin/sh
# Configuration: where it is found, and every kind of bad file (exit 78).
. "$(dirname "$0")/lib.sh"

# no config anywhere: built-in defaults, store in the working directory
nd subscribers list
is 0 "no config file: built-in defaults work"
[ -f "$T/newsdigest.db" ] && pass "default store is ./newsdigest.db" || fail "default store is ./newsdigest.db"

# ./newsdigest.ini is read when present
printf '[store]\npath = local.db\n' >newsdigest.ini
nd subscribers list
is 0 "./newsdigest.ini is used"
[ -f "$T/local.db" ] && pass "./newsdigest.ini's store path is used" || fail "./newsdigest.ini's store path is used"

# $NEWSDIGEST_CONFIG beats ./newsdigest.ini; -c beats both
printf '[store]\npath = env.db\n' >env.ini
printf '[store]\npath = flag.db\n' >flag.ini
NEWSDIGEST_CONFIG=$T/env.ini nd subscribers list
[ -f "$T/env.db" ] && pass "\$NEWSDIGEST_CONFIG is used" || fail "\$NEWSDIGEST_CONFIG is used"
NEWSDIGEST_CONFIG=$T/env.ini nd -c flag.ini subscribers list
[ -f "$T/flag.db" ] && pass "-c wins" || fail "-c wins"
rm -f newsdigest.ini

nd -c missing.ini feeds list
is 78 "missing config: exit 78"
has err "cannot read 'missing.ini': No such file or directory" "missing config: names the file"

NEWSDIGEST_CONFIG=$T/nowhere.ini nd feeds list
is 78 "missing \$NEWSDIGEST_CONFIG: exit 78"

# unreadable: root reads anything, so as root run as nobody
ro=$(mktemp -d /tmp/nd-cfg.XXXXXX)
cp "$ND" "$ro/newsdigest"
chmod 755 "$ro" "$ro/newsdigest"
printf '[store]\npath = %s/x.db\n' "$ro" >"$ro/unreadable.ini"
chmod 000 "$ro/unreadable.ini"
if [ "$(id -u)" = 0 ]; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$ro/newsdigest" -c "$ro/unreadable.ini" feeds list >"$T/out" 2>"$T/err"
else
	"$ro/newsdigest" -c "$ro/unreadable.ini" feeds list >"$T/out" 2>"$T/err"
fi
RC=$?
is 78 "unreadable config: exit 78"
has err "cannot read '$ro/unreadable.ini': Permission denied" "unreadable config: names the file and why"
rm -rf "$ro"

# bad_config NAME CONTENT EXPECTED-MESSAGE
bad_config() {
	printf "$2" >bad.ini
	nd -c bad.ini feeds list
	is 78 "$1: exit 78"
	has err "^newsdigest: cannot parse 'bad.ini': $3" "$1: says what and where"
	[ -f "$T/never.db" ] && fail "$1: nothing written" || pass "$1: nothing written"
}
bad_config "unknown key" '[store]\npath = never.db\n[fetch]\nconcurency = 4\n' \
	"line 4: unknown key 'concurency' in \[fetch\]"
bad_config "unknown section" '[store]\npath = never.db\n[stor]\n' \
	"line 3: unknown section \[stor\]"
bad_config "wrong type" '[fetch]\ntimeout = soon\n' \
	"line 2: 'timeout' must be a whole number, not 'soon'"
bad_config "out of range" '[fetch]\nper_host = 0\n' \
	"line 2: 'per_host' must be between 1 and 64, not 0"
bad_config "bad enum" '[send]\ntransport = pigeon\n' \
	"line 2: 'transport' must be one of 'smtp', 'sendmail' or 'maildir', not 'pigeon'"
bad_config "duplicate key" '[smtp]\nport = 25\nport = 587\n' \
	"line 3: 'port' is set twice in \[smtp\] \(first on line 2\)"
bad_config "syntax error" '[smtp]\nport 25\n' \
	"line 2: expected '\[section\]' or 'key = value'"

# secrets: a password file others can read is refused, with the fix
printf 'hunter2\n' >password
chmod 644 password
printf '[smtp]\npassword_file = %s/password\n' "$T" >secret.ini
nd -c secret.ini feeds list
is 78 "world-readable password file: exit 78"
has err "line 2: '.*password' is readable or writable by group or others; run 'chmod 600 " "says how to fix the password file"
hasnt err hunter2 "the password never appears"
chmod 600 password
nd -c secret.ini -v feeds list
is 0 "password file of mode 600 is accepted"
hasnt err hunter2 "-v does not print the password"
printf '[smtp]\npassword_file = %s/nope\n' "$T" >secret.ini
nd -c secret.ini feeds list
is 78 "missing password file: exit 78"
has err "cannot read '.*nope': No such file" "missing password file is named"

# the example config is a valid config
cp "$TOP/config.example.ini" example.ini
sed -i "s|^path = newsdigest.db|path = $T/example.db|" example.ini
nd -c example.ini feeds list
is 0 "config.example.ini loads"
finish
