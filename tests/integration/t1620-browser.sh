#!/bin/sh
# newsdigest preview in a real browser: headless Chromium renders the
# preview of a draft (tests/fixtures/t1620/draft.md: an introduction, four
# sections of items as compose writes them, events and calls to action, a
# long URL, a long word, Arabic and Hebrew, emoji) at 600 and 375 CSS
# pixels wide, and dark at 375: no horizontal overflow, the long URL
# wraps, dark mode takes, and every link is absolute http(s) or mailto.
# "make screenshots" shows the same page the same way (frame.html).
. "$(dirname "$0")/lib.sh"

F=$FIX/t1620
BROWSER=
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then BROWSER=$b; break; fi
done
[ -n "$BROWSER" ] || skip_all "no chromium (the Debian package chromium, in the Makefile's TEST_PKGS)"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout (coreutils)"

# the templates of the tree; preview reads no store
write_config
nd preview "$F/draft.md" -o "$T/preview.html"
is 0 "preview of the fixture draft exits 0"
has out "^wrote $T/preview\\.html \\([0-9]+ bytes of HTML\\)$" "it reports the file"
: >"$T/out"
hasnt "$T/preview.html" 'nd:item|nd:notes' "the markers and notes are not in the HTML"
cp "$F/frame.html" "$T/frame.html"

# render NAME WIDTH [FLAG...]: load the preview in an iframe WIDTH pixels
# wide and keep frame.html's measurements in $T/NAME, one "key value" a
# line (entities of the dumped DOM decoded). --no-sandbox: tests run as
# root in CI, and the page is our own file; a profile of our own keeps
# the user's out of it.
render() {
	name=$1 w=$2
	shift 2
	timeout 30 "$BROWSER" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --user-data-dir="$T/profile" --allow-file-access-from-files \
		--window-size=800,1000 --virtual-time-budget=2000 "$@" \
		--dump-dom "file://$T/frame.html?w=$w&h=800&probe" >"$T/$name.dom" 2>"$T/$name.err"
	RC=$?
	sed -n '/<pre id="out">/,/<\/pre>/p' "$T/$name.dom" |
		sed -e 's/.*<pre id="out">//' -e 's/<\/pre>.*//' -e 's/&lt;/</g' -e 's/&gt;/>/g' \
		    -e 's/&quot;/"/g' -e 's/&nbsp;/ /g' -e 's/&amp;/\&/g' >"$T/$name"
}
# get NAME KEY: the first value of KEY
get() { sed -n "s/^$2 //p" "$T/$1" | head -1; }

# overflow NAME WIDTH DESC: the page is no wider than its viewport; when it
# is, say what is too wide
overflow() {
	sw=$(get "$1" scroll) cw=$(get "$1" client)
	if [ -n "$sw" ] && [ -n "$cw" ] && [ "$sw" -le "$cw" ]; then
		pass "$3 (scrollWidth $sw, clientWidth $cw)"
	else
		fail "$3" "scrollWidth $sw > clientWidth $cw: $((${sw:-0} - ${cw:-0})) px of horizontal overflow" \
			"table.nd-card is $(get "$1" card) px wide (max-width 600, viewport $2)," \
			"the widest unbreakable text: $(get "$1" word | sed 's/^\([0-9]*\) \([a-z0-9]*\) /\1 px, in <\2>: /' | cut -c1-120)" \
			"td.nd-body's text column is $(get "$1" column) px wide, not $(($2 < 616 ? $2 - 64 : 552))"
	fi
}

for w in 600 375; do
	render "w$w" "$w"
	is 0 "chromium renders the preview at $w px"
	has "$T/w$w" '^end$' "frame.html measured the page at $w px"
	equal "$(get "w$w" inner)" "$w" "the viewport is $w px wide (window.innerWidth)"
	# the draft's 86-letter word must wrap (overflow-wrap on the body cell),
	# or it widens the card's table past the viewport
	overflow "w$w" "$w" "no horizontal overflow at $w px"
	lines=$(get "w$w" longlink | cut -d' ' -f1)
	if [ -n "$lines" ] && [ "$lines" -ge 2 ]; then pass "the 210-character URL wraps at $w px ($lines lines)"
	else fail "the 210-character URL wraps at $w px" "it takes '$lines' lines"; fi
done

# every link, the template's unsubscribe link included: absolute http(s)
# with a host, or mailto with an address
sed -n 's/^href //p' "$T/w600" >"$T/hrefs"
equal "$(wc -l <"$T/hrefs" | tr -d ' ')" 17 "17 links: 16 of the draft and the unsubscribe link"
bad=$(grep -Evi '^(https?://[a-z0-9.-]+([:/?#][^[:space:]]*)?|mailto:[^[:space:]@]+@[a-z0-9.-]+([?][^[:space:]]*)?)$' "$T/hrefs")
equal "$bad" "" "every link is absolute http(s) or mailto"
has "$T/hrefs" '^mailto:news-digest-unsubscribe@example\.org\?subject=unsubscribe%20SAMPLE-TOKEN$' \
	"the unsubscribe link is the sample subscriber's mailto"
has "$T/hrefs" '^https://ledger\.example\.org/2025/03/torture-inquiry-week-one/transcripts/.*\?download=1&format=pdf&lang=en-CA$' \
	"the long URL's query keeps its '&' (not '&amp;' twice)"
has "$T/hrefs" '^https://arabic\.example\.org/2025/03/torture-inquiry$' "the right-to-left title's link is intact"

# dark: prefers-color-scheme dark, as a phone set to dark mode asks
render dark 375 --force-dark-mode
is 0 "chromium renders the preview dark at 375 px"
has "$T/dark" '^end$' "frame.html measured the dark page"
equal "$(get dark dark)" true "prefers-color-scheme: dark matches"
equal "$(get dark bg)|$(get dark fg)|$(get dark linkfg)" "rgb(28, 28, 28)|rgb(232, 232, 232)|rgb(138, 180, 248)" \
	"the card turns dark: background #1c1c1c, text #e8e8e8, links #8ab4f8"
equal "$(get w375 bg)|$(get w375 fg)" "rgb(255, 255, 255)|rgb(26, 26, 26)" "(light, it is #ffffff and #1a1a1a)"
overflow dark 375 "no horizontal overflow at 375 px, dark"

finish
