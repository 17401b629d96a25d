#!/bin/sh
# Precision, recall and F1 of the curator on the labelled news items of
# ../shared/corpus/curation/ (include/exclude, topics micro-averaged and per
# topic, English and French apart). See curation-eval.py for the measures.
# usage: tests/bench/curation-eval.sh [PATH/TO/newsdigest] [LABELLED.jsonl] [--errors]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
nd=${1:-$top/newsdigest}
labelled=${2:-$top/../shared/corpus/curation/dev.jsonl}
[ $# -gt 2 ] && shift 2 || set --
[ -x "$nd" ] || { echo "no newsdigest binary at $nd (run make first)"; exit 1; }
[ -f "$labelled" ] || { echo "no labelled items at $labelled"; exit 1; }
cd "$top"
exec /usr/bin/python3 -S "$top/tests/bench/curation-eval.py" "$@" "$nd" "$labelled"
