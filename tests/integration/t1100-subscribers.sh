#!/bin/sh
# newsdigest subscribers: add, remove, list, CSV import (every rejected row
# reported, suppressions kept, all or nothing on fatal errors) and export,
# unsubscribe tokens, file modes.
. "$(dirname "$0")/lib.sh"

F=$FIX/t1100
write_config

count() { sql "SELECT count(*) FROM subscribers"; }
status_of() { sql "SELECT status FROM subscribers WHERE email = '$1'"; }

ESC=$(printf '\033')
CR=$(printf '\r')
ACTIVE="SELECT email, name, lang FROM subscribers WHERE status = 'active' ORDER BY id"

# --- add -------------------------------------------------------------------------
nd subscribers add Bob.Smith@Example.ORG
is 0 "subscribers add of a valid address succeeds"
has out 'added' "subscribers add says added"
equal "$(sql "SELECT email || '|' || name || '|' || lang || '|' || status FROM subscribers")" \
	'Bob.Smith@example.org||en|active' "the domain is lower-cased, the local part kept, default language en"

nd subscribers add alice@example.fr 'Alice Dupont' --lang fr
is 0 "subscribers add with a name and --lang fr succeeds"
equal "$(sql "SELECT name || '|' || lang FROM subscribers WHERE email = 'alice@example.fr'")" \
	'Alice Dupont|fr' "the name and language are stored"
nd subscribers add camille@example.ca Camille --lang FR-ca
equal "$(sql "SELECT lang FROM subscribers WHERE email = 'camille@example.ca'")" 'fr-CA' \
	"a language tag is normalised (fr-CA)"

n=$(count)
for a in 'bob@@example.org' 'no-at-sign' '@example.org'; do
	nd subscribers add "$a"
	is 65 "subscribers add '$a' exits 65"
	has err "'$a': invalid address \(" "subscribers add '$a' says invalid address and why"
done
nd subscribers add lang@example.org --lang francais
is 65 "subscribers add with a bad --lang exits 65"
has err 'invalid language' "the error says the language is invalid"
nd subscribers add ctrl@example.org "$(printf 'Evil\033[31m Name')"
is 65 "subscribers add with a control character in the name exits 65"
has err 'invalid name \(control character\)' "the error says the name is invalid"
equal "$(count)" "$n" "refused additions store nothing"

nd subscribers add BOB.SMITH@EXAMPLE.ORG
is 0 "adding the same address in another case succeeds"
has out 'already subscribed' "adding the same address in another case says already subscribed"
equal "$(sql "SELECT count(*) FROM subscribers WHERE lower(email) = 'bob.smith@example.org'")" 1 \
	"the address in another case is one row"

nd subscribers add alice@example.fr 'Alice Martin'
is 0 "subscribers add of a known address with a new name succeeds"
has out 'updated' "a changed name is reported as updated"
equal "$(sql "SELECT name || '|' || lang FROM subscribers WHERE email = 'alice@example.fr'")" \
	'Alice Martin|fr' "the new name is stored, the language kept"

# --- remove ----------------------------------------------------------------------
nd subscribers remove bob.smith@example.org
is 0 "subscribers remove succeeds"
has out 'removed' "subscribers remove says removed"
equal "$(sql "SELECT status FROM subscribers WHERE email = 'Bob.Smith@example.org'")" removed \
	"the removed subscriber has status removed"
equal "$(sql "SELECT count(*) FROM subscribers WHERE email = 'Bob.Smith@example.org'")" 1 \
	"the removed subscriber stays in the table"
nd subscribers remove bob.smith@example.org
is 65 "removing an inactive address again exits 65"
has err 'not an active subscriber' "removing again says it is not active"
nd subscribers remove nobody@example.org
is 65 "removing an unknown address exits 65"

nd subscribers remove "$(printf 'x\033[2J@example.org')"
is 65 "removing an address with control characters exits 65"
hasnt err "$ESC" "the error message prints no ESC byte"
nd subscribers unsubscribe "$(printf 'tok\033[2Jen')"
is 65 "unsubscribe with a control character in the token exits 65"
hasnt err "$ESC" "the unsubscribe error prints no ESC byte"

# --- list ------------------------------------------------------------------------
nd subscribers list
is 0 "subscribers list succeeds"
has out 'alice@example\.fr  Alice Martin' "the list shows an active subscriber with the name"
hasnt out 'Bob\.Smith@example\.org' "the list leaves out removed subscribers"
has out '^2 active subscribers$' "the list ends with the number of active subscribers"
nd subscribers list --all
is 0 "subscribers list --all succeeds"
has out '^removed +en +Bob\.Smith@example\.org' "--all shows removed subscribers with their status"
has out '^2 active, 0 unsubscribed, 1 removed, 0 bounced$' "--all ends with the summary by status"

# --- internationalised domains -----------------------------------------------------
nd subscribers add 'jorg@Bücher.Example'
is 0 "an internationalised domain is accepted"
equal "$(sql "SELECT count(*) FROM subscribers WHERE email = 'jorg@xn--bcher-kva.example'")" 1 \
	"the domain is stored in A-labels"

nd subscribers remove 'jorg@bücher.example'
is 0 "subscribers remove takes the address as it was added (internationalised domain)"
equal "$(status_of 'jorg@xn--bcher-kva.example')" removed "the internationalised address is removed"

# --- import ----------------------------------------------------------------------
nd subscribers add removed@example.org 'Removed Before'
nd subscribers remove removed@example.org
n=$(count)
nd subscribers import "$F/subscribers.csv"
is 65 "an import with rejected rows exits 65"
has out "^imported '.*subscribers\.csv': 12 rows: 4 added, 0 updated, 0 unchanged, 1 suppressed, 1 duplicates, 6 rejected$" \
	"the summary line on stdout counts every outcome"
has err "line 5: 'ALICE@EXAMPLE\.ORG': duplicate of line 2" "a duplicate in another case is reported with the first line"
has err "line 6: 'bob@@example\.org': invalid address \(.+\)" "bob@@example.org is reported with its line and reason"
has err "line 7: 'no-at-sign': invalid address \(.+\)" "no-at-sign is reported with its line and reason"
has err "line 8: 'dave@example\.org': .*fields" "a row with the wrong number of fields is reported"
has err "line 9: 'removed@example\.org': removed earlier, not resubscribed" "a removed address is reported as suppressed"
has err "line 10: 'erin@example\.org': invalid name \(not UTF-8\)" "a non-UTF-8 name is rejected"
has err "line 13: '@example\.org': invalid address \(.+\)" "@example.org is reported with its line (blank lines counted)"
has err "line 14: 'grace@example\.org': invalid language" "a bad language is rejected"
has err '6 rows .* were rejected' "the rejected rows are summed up on stderr"
equal "$(count)" "$((n + 4))" "the four valid rows are stored despite the rejected ones"
equal "$(sql "SELECT name || '|' || lang FROM subscribers WHERE email = 'alice@example.org'")" \
	'Dupont, Alice|fr' "a quoted name with a comma, and the lang column"
equal "$(sql "SELECT count(*) FROM subscribers WHERE email = 'alice@example.org' COLLATE NOCASE")" 1 \
	"the duplicate address is not inserted"
equal "$(sql "SELECT name FROM subscribers WHERE email = 'bob@example.org'")" \
	'Bob "The Builder" Smith' "doubled quotes in a quoted name"
equal "$(sql "SELECT email || '|' || lang FROM subscribers WHERE email = 'carol@example.com'")" \
	'carol@example.com|en' "an imported domain is lower-cased; an empty lang gives the default"
equal "$(sql "SELECT name || '|' || lang FROM subscribers WHERE email = 'frank@example.net'")" \
	'Frank, Jr.|de' "the last row before the blank line is stored"
equal "$(sql "SELECT count(*) FROM subscribers WHERE email IN ('dave@example.org', 'erin@example.org', 'grace@example.org', 'no-at-sign')")" \
	0 "rejected rows are not stored"
equal "$(status_of removed@example.org)" removed "the removed address is not resubscribed by the import"
equal "$(sql "SELECT name FROM subscribers WHERE email = 'removed@example.org'")" 'Removed Before' \
	"the suppressed row does not change the stored name"

nd subscribers add removed@example.org
is 0 "subscribers add of a removed address succeeds"
has out 'resubscribed' "subscribers add of a removed address says it resubscribed"
equal "$(status_of removed@example.org)" active "the removed address is active again"

# --- header variants, empty files ---------------------------------------------------
nd subscribers import "$F/name-email.csv"
is 0 "a header 'name,email' (other order, LF line ends) imports"
equal "$(sql "SELECT name || '|' || lang FROM subscribers WHERE email = 'paul.martin@example.org'")" \
	'Martin, Paul|en' "columns are found by name"
equal "$(sql "SELECT name FROM subscribers WHERE email = 'Zoe.Dubois@example.org'")" 'Zoé Dubois' \
	"UTF-8 names are kept"

n=$(count)
nd subscribers import "$F/no-email-column.csv"
is 65 "a header without an email column exits 65"
has err "no 'email' column" "the error says there is no email column"
equal "$(count)" "$n" "nothing is imported without an email column"

: >"$T/empty.csv"
nd subscribers import "$T/empty.csv"
is 65 "an empty file exits 65"
has err 'empty file' "the error says the file is empty"

nd subscribers import "$F/header-only.csv"
is 0 "a file with only a header exits 0"
has out ': 0 rows: 0 added' "a header-only file imports 0 rows"
equal "$(count)" "$n" "a header-only file stores nothing"

nd subscribers import "$F/unterminated.csv"
is 65 "an unterminated quote at the end of the file exits 65"
has err 'line 4: .*quote' "the error names the line where the quote opens"
has err 'nothing was imported' "the error says nothing was imported"
equal "$(count)" "$n" "a fatal error stores nothing, not even the valid rows before it"
equal "$(sql "SELECT count(*) FROM subscribers WHERE email LIKE 'early%'")" 0 \
	"the valid rows before the bad spot are rolled back"

# --- dry run, row limit -------------------------------------------------------------
nd subscribers import --dry-run "$F/dry-run.csv"
is 0 "import --dry-run of a good file exits 0"
has out 'dry run.*3 rows: 3 added' "--dry-run reports what it would do"
equal "$(count)" "$n" "--dry-run stores nothing"
nd subscribers import "$F/subscribers.csv" -n
is 65 "import -n of a file with bad rows exits 65"
has err "line 6: 'bob@@example\.org': invalid address" "-n reports the bad rows"
equal "$(count)" "$n" "-n stores nothing"

write_config "[subscribers]" "max_import_rows = 5"
nd subscribers import "$F/ten-rows.csv"
is 65 "a 10-row file with max_import_rows = 5 exits 65"
has err 'max_import_rows' "the refusal names max_import_rows"
equal "$(count)" "$n" "the refused file stores nothing"
nd subscribers import "$F/five-rows.csv"
is 0 "a 5-row file with max_import_rows = 5 imports"
equal "$(count)" "$((n + 5))" "the five rows are stored"
write_config

# --- export ------------------------------------------------------------------------
nd subscribers export
is 0 "subscribers export succeeds"
cp "$T/out" "$T/export.csv"
equal "$(head -1 "$T/export.csv")" "email,name,lang$CR" "the export starts with the header email,name,lang and CRLF"
equal "$(grep -c "$CR\$" "$T/export.csv")" "$(wc -l <"$T/export.csv" | tr -d ' ')" "every exported line ends in CRLF"
equal "$(($(wc -l <"$T/export.csv") - 1))" "$(sql "SELECT count(*) FROM subscribers WHERE status = 'active'")" \
	"the export has one line per active subscriber"
hasnt "$T/export.csv" '^Bob\.Smith@' "removed subscribers are not exported"
has "$T/export.csv" "^alice@example\.org,\"Dupont, Alice\",fr$CR\$" "a name with a comma is quoted"
has "$T/export.csv" "^bob@example\.org,\"Bob \"\"The Builder\"\" Smith\",en$CR\$" "quotes in a name are doubled"

echo 'old content' >"$T/export-o.csv"
chmod 644 "$T/export-o.csv"
nd subscribers export -o "$T/export-o.csv"
is 0 "subscribers export -o succeeds"
equal "$(stat -c %a "$T/export-o.csv")" 600 "the exported file has mode 600"
same "$T/export.csv" "$T/export-o.csv" "export -o writes what export prints"
equal "$(stat -c %a "$T/store.db")" 600 "the store file has mode 600"

other_config rt
nd -c "$T/rt.ini" subscribers import "$T/export-o.csv"
is 0 "the export imports into a fresh store"
sql "$ACTIVE" >"$T/active.a"
sqlo rt "$ACTIVE" >"$T/active.b"
same "$T/active.a" "$T/active.b" "export then import gives the same active subscribers (email, name, lang)"
equal "$(sqlo rt "SELECT name FROM subscribers WHERE email = 'bob@example.org'")" 'Bob "The Builder" Smith' \
	"a name with quotes survives the round trip"

# names with line breaks: import refuses them (control characters); export
# must still quote one that is in the store so the file reads back right
other_config nl
nd -c "$T/nl.ini" subscribers import "$F/newline-name.csv"
is 65 "a name with a quoted line break is refused"
has err "line 2: 'multi@example\.org': invalid name \(control character\)" "the name with a line break is reported on its first line"
has err "line 4: 'not-an-address': invalid address" "the record after the quoted line break has the right line number"
equal "$(sqlo nl "SELECT name FROM subscribers WHERE email = 'single@example.org'")" 'Quotes "and", commas' \
	"the row after them is read right"
sqlo nl "UPDATE subscribers SET name = 'Two' || char(10) || 'lines, \"quoted\"' WHERE email = 'single@example.org'"
nd -c "$T/nl.ini" subscribers export
is 0 "export of a name with a line break succeeds"
got=$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
print(repr(rows))' "$T/out")
equal "$got" "[['email', 'name', 'lang'], ['single@example.org', 'Two\\nlines, \"quoted\"', 'en']]" \
	"a name with a line break, a comma and quotes is exported as one quoted field"

# --- tokens and unsubscribe -----------------------------------------------------------
sql "SELECT token FROM subscribers" >"$T/tokens"
hasnt "$T/tokens" '^$' "every subscriber has a token"
if grep -Evq '^[A-Za-z0-9_-]{22}$' "$T/tokens"; then
	fail "every token is 22 characters of [A-Za-z0-9_-]" "$(grep -Ev '^[A-Za-z0-9_-]{22}$' "$T/tokens" | head -3)"
else pass "every token is 22 characters of [A-Za-z0-9_-]"; fi
equal "$(sort -u "$T/tokens" | wc -l | tr -d ' ')" "$(count)" "the tokens are all different"

tok=$(sql "SELECT token FROM subscribers WHERE email = 'alice@example.org'")
nd subscribers unsubscribe "$tok"
is 0 "subscribers unsubscribe TOKEN succeeds"
has out 'unsubscribed alice@example\.org' "unsubscribe names the address"
equal "$(status_of alice@example.org)" unsubscribed "the holder of the token is unsubscribed"
nd subscribers unsubscribe "$tok"
is 0 "unsubscribing twice succeeds"
has out 'already' "unsubscribing twice says already"
nd subscribers unsubscribe AAAAAAAAAAAAAAAAAAAAAA
is 65 "an unknown token exits 65"
has err 'no subscriber has the token' "an unknown token is reported"
nd subscribers unsubscribe short
is 65 "a malformed token exits 65"

nd subscribers import "$F/subscribers.csv"
has err "line 2: 'alice@example\.org': unsubscribed earlier, not resubscribed" \
	"re-importing reports the unsubscribed address as suppressed"
equal "$(status_of alice@example.org)" unsubscribed "re-importing does not resubscribe an unsubscribed address"
has out ': 12 rows: 0 added, 1 updated, 3 unchanged, 1 suppressed, 1 duplicates, 6 rejected$' \
	"re-importing adds nothing and updates only the changed name"

# --- standard input --------------------------------------------------------------------
printf 'email,name\nstdin@example.org,From Stdin\n' >"$T/stdin.csv"
nd subscribers import - <"$T/stdin.csv"
is 0 "import - reads standard input"
equal "$(sql "SELECT name FROM subscribers WHERE email = 'stdin@example.org'")" 'From Stdin' \
	"the row from standard input is stored"

# --- 100,000 rows ------------------------------------------------------------------------
python3 - "$T/big.csv" <<'EOF'
import sys
with open(sys.argv[1], "w", newline="") as f:
    f.write("email,name,lang\r\n")
    for i in range(100000):
        f.write('user%06d@example.com,"User %d, Jr.",%s\r\n' % (i, i, "fr" if i % 2 else "en"))
EOF
other_config big
nd -c "$T/big.ini" subscribers import "$T/big.csv"
is 0 "a 100000-row CSV imports"
has out ': 100000 rows: 100000 added' "the summary counts 100000 rows"
equal "$(sqlo big "SELECT count(*) FROM subscribers WHERE status = 'active'")" 100000 "100000 active subscribers are stored"
# not a terminal (as under cron): a few plain progress lines, no bar
has err '^importing subscribers: 25% \(' "without a terminal, progress is plain lines"
hasnt err "$(printf '\r')" "without a terminal, no carriage returns"
# on a terminal: a bar redrawn in place
if command -v script >/dev/null 2>&1; then
	rm -f "$T/big.db"*
	script -qec "'$ND' -c '$T/big.ini' subscribers import '$T/big.csv'" /dev/null >"$T/tty.out" 2>&1
	has "$T/tty.out" "$(printf '\r')importing subscribers +[0-9]+% \[#" "on a terminal, progress is a bar redrawn in place"
	has "$T/tty.out" '100000 added' "on a terminal, the report follows the bar"
fi

# --- usage -----------------------------------------------------------------------------------
nd subscribers
is 64 "subscribers without a subcommand exits 64"
has err '^usage: newsdigest subscribers' "the usage goes to stderr"
nd subscribers bogus
is 64 "an unknown subcommand exits 64"
has err "unknown subcommand 'bogus'" "the unknown subcommand is named"
nd subscribers list --bogus
is 64 "an unknown option exits 64"
has err "unknown option '--bogus'" "the unknown option is named"
nd subscribers add
is 64 "subscribers add without an address exits 64"
# options that do not go with the subcommand
nd subscribers list --lang fr
is 64 "subscribers list --lang: exit 64"
nd subscribers import --all "$T/big.csv"
is 64 "subscribers import --all: exit 64"
nd subscribers export -o /nonexistent/dir/out.csv
is 73 "export to a path that cannot be created: exit 73"
has err "cannot write '/nonexistent/dir/out.csv'" "names the path"
nd subscribers import "$T/no-such-file.csv"
is 66 "importing a missing CSV: exit 66"

# a file without a lang or name column keeps what is stored
nd subscribers add keep@example.org "Keep Me" --lang fr
printf 'email\nkeep@example.org\n' >"$T/email-only.csv"
nd subscribers import "$T/email-only.csv"
is 0 "an email-only CSV imports"
equal "$(sql "SELECT name || '/' || lang FROM subscribers WHERE email = 'keep@example.org'")" \
	"Keep Me/fr" "absent columns keep the stored name and language"

nd subscribers --help
is 0 "subscribers --help exits 0"
has out '^usage: newsdigest subscribers list' "subscribers --help prints the usage on stdout"

finish
