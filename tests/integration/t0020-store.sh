#!/bin/sh
# The store: created private, migrated forward, refused when it is not a
# store or cannot be written, and locked against a second writer.
. "$(dirname "$0")/lib.sh"
write_config

nd subscribers add ann@example.org Ann
is 0 "a new store is created"
equal "$(stat -c %a store.db)" 600 "the store is mode 600"
equal "$(sql 'PRAGMA journal_mode')" wal "the store is in WAL mode"
equal "$(sql 'PRAGMA user_version')" 6 "the store has the current schema version"

# a store made by an older newsdigest is migrated forward, data kept
rm -f store.db*
sqlite3 store.db <"$FIX/t0020/store-v1.sql" >/dev/null
equal "$(sql 'PRAGMA user_version')" 1 "the fixture is a version 1 store"
nd feeds list
is 0 "an old store opens"
equal "$(sql 'PRAGMA user_version')" 6 "the old store was migrated to version 6"
has out 'error +2 +https://www.eff.org/rss/updates.xml' "its feeds are kept, with their status"
has out 'last error: HTTP 503' "its error text is kept"
equal "$(sql 'SELECT count(*) FROM items')" 0 "the new tables exist"
nd subscribers list --all
has out 'unsubscribed +fr +bob@example.org' "its subscribers are kept, suppression included"
nd run
is 69 "run on the migrated store works (its feeds fail offline: 69)"
hasnt out 'seeded' "the migrated store is not seeded again"
equal "$(sql 'SELECT count(*) FROM feeds')" 2 "no feeds were added"

# a newer store is refused, not damaged
sql 'PRAGMA user_version = 42'
nd feeds list
is 65 "a store from a newer newsdigest: exit 65"
has err "schema version 42, newer than this newsdigest's 6" "says the store is newer"
equal "$(sql 'PRAGMA user_version')" 42 "the newer store is left alone"

# not a store at all
write_config
rm -f store.db*
cp "$TOP/config.example.ini" store.db
nd feeds list
is 65 "a store that is not SQLite: exit 65"
has err "store '.*store.db' is not an SQLite database" "says the file is not a store"
cmp -s store.db "$TOP/config.example.ini" && pass "the file is untouched" || fail "the file is untouched"

# a folder that does not exist
write_config "[store]" >/dev/null 2>&1
printf '[store]\npath = %s/no/such/dir/store.db\n' "$T" >nodir.ini
nd -c nodir.ini feeds list
is 74 "a store in a missing folder: exit 74"
has err "no/such/dir/store.db': cannot create: No such file or directory" "names the path and the reason"

# read-only: as root, permissions do not stop us, so test as nobody
rm -f store.db*
write_config
nd subscribers add ann@example.org
ro=$(mktemp -d /tmp/nd-ro.XXXXXX)
cp store.db "$ro/store.db"
cp "$ND" "$ro/newsdigest"
chmod 755 "$ro" "$ro/newsdigest"
chmod 644 "$ro/store.db"
printf '[store]\npath = %s/store.db\nlock_timeout = 1\n' "$ro" >"$ro/ro.ini"
chmod 644 "$ro/ro.ini"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	as_nobody() { "$@"; }
	chmod 555 "$ro"; chmod 444 "$ro/store.db"
fi
as_nobody "$ro/newsdigest" -c "$ro/ro.ini" subscribers add bob@example.org >"$T/out" 2>"$T/err"
RC=$?
is 73 "a read-only store: exit 73"
has err "store '$ro/store.db'.*(read-only|readonly|writable)" "says the store cannot be written"
equal "$(sqlite3 "$ro/store.db" 'SELECT count(*) FROM subscribers')" 1 "the read-only store is unchanged"
rm -rf "$ro"

# a second writer waits for the run lock, then gives up with the holder's pid
rm -f store.db*
write_config
nd subscribers list
mkfifo slow.csv
"$ND" subscribers import slow.csv >first.out 2>first.err &
first=$!
# the first holds the lock while it waits for its input
i=0; while [ $i -lt 50 ] && ! grep -q "^$first" store.db.lock 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
nd subscribers add zed@example.org
is 75 "a second writer: exit 75 after lock_timeout"
has err "another newsdigest is running \(pid $first\)" "names the running process"
nd subscribers list
is 0 "a reader does not wait for the lock"
printf 'email,name\nann@example.org,Ann\n' >slow.csv
wait $first
equal "$?" 0 "the first writer finishes"
equal "$(sql 'SELECT group_concat(email) FROM subscribers')" "ann@example.org" "only the first writer's change is stored"
nd subscribers add zed@example.org
is 0 "once the lock is free, writers go ahead"

# a writer that waits long enough gets the lock
rm -f slow.csv; mkfifo slow.csv
"$ND" subscribers import slow.csv >first.out 2>first.err &
first=$!
i=0; while [ $i -lt 50 ] && ! grep -q "^$first" store.db.lock 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
( sleep 1; printf 'email\nyan@example.org\n' >slow.csv ) &
printf '[store]\npath = %s/store.db\nlock_timeout = 20\n' "$T" >patient.ini
nd -c patient.ini subscribers add xi@example.org
is 0 "a writer with a longer lock_timeout waits and succeeds"
wait
equal "$(sql 'SELECT count(*) FROM subscribers')" 4 "both writers' changes are stored"
finish
