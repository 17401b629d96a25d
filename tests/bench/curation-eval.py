#!/usr/bin/python3
"""Evaluate `newsdigest curate --stdin` on hand-labelled news items.

usage: curation-eval.py [--floor-include F] [--floor-topics F] [--errors]
                        NEWSDIGEST_BIN LABELLED.jsonl

Each labelled line has id, lang (en|fr), source, title, summary, topics (a
list of topic ids) and relevance (include|exclude); see
../shared/corpus/curation/README.md. The items go through curate --stdin
with their title, summary, lang and source, and the answers are compared
with the labels, for English, French and both:

  include   precision, recall and F1 of the include decision
  topics    micro-averaged over all items, excluded ones included: the
            predicted topic set of each item against its labelled set
  per topic precision, recall and F1 over all items

--floor-include / --floor-topics: exit 1 unless include F1 and topic
micro-F1 reach the floor in English and in French separately.
--errors: list the items the curator got wrong.
Python 3 standard library only.
"""
import argparse
import collections
import json
import subprocess
import sys


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("labelled")
    ap.add_argument("--floor-include", type=float)
    ap.add_argument("--floor-topics", type=float)
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--config", help="newsdigest -c FILE")
    a = ap.parse_args(argv)

    items = [json.loads(l) for l in open(a.labelled, encoding="utf-8") if l.strip()]
    feed = "".join(json.dumps({"id": it["id"], "title": it["title"],
                               "summary": it.get("summary", ""), "lang": it.get("lang"),
                               "source": it.get("source")}, ensure_ascii=False) + "\n"
                   for it in items)
    cmd = [a.binary] + (["-c", a.config] if a.config else []) + ["curate", "--stdin"]
    p = subprocess.run(cmd, input=feed.encode("utf-8"), stdout=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit("curate --stdin exited %d" % p.returncode)
    answers = {}
    for line in p.stdout.decode("utf-8").splitlines():
        o = json.loads(line)
        answers[o["id"]] = o
    missing = [it["id"] for it in items if it["id"] not in answers]
    if missing:
        sys.exit("no answer for %d items, e.g. %s" % (len(missing), missing[0]))

    ok = True
    groups = [("en", [it for it in items if it["lang"] == "en"]),
              ("fr", [it for it in items if it["lang"] == "fr"]),
              ("all", items)]
    for name, group in groups:
        inc = collections.Counter()
        top = collections.Counter()
        per = collections.defaultdict(collections.Counter)
        for it in group:
            ans = answers[it["id"]]
            gold_inc = it["relevance"] == "include"
            pred_inc = bool(ans["include"])
            inc["tp"] += gold_inc and pred_inc
            inc["fp"] += pred_inc and not gold_inc
            inc["fn"] += gold_inc and not pred_inc
            gold, pred = set(it["topics"]), set(ans["topics"])
            top["tp"] += len(gold & pred)
            top["fp"] += len(pred - gold)
            top["fn"] += len(gold - pred)
            for t in gold | pred:
                per[t]["tp"] += t in gold and t in pred
                per[t]["fp"] += t in pred and t not in gold
                per[t]["fn"] += t in gold and t not in pred
        ip, ir, if1 = prf(inc["tp"], inc["fp"], inc["fn"])
        tp_, tr, tf1 = prf(top["tp"], top["fp"], top["fn"])
        print("%-3s %3d items  include: P %.3f R %.3f F1 %.3f   topics (micro): "
              "P %.3f R %.3f F1 %.3f" % (name, len(group), ip, ir, if1, tp_, tr, tf1))
        if name == "all":
            for t in sorted(per):
                c = per[t]
                p_, r_, f_ = prf(c["tp"], c["fp"], c["fn"])
                print("    %-24s P %.3f R %.3f F1 %.3f  (tp %d, fp %d, fn %d)"
                      % (t, p_, r_, f_, c["tp"], c["fp"], c["fn"]))
        elif name in ("en", "fr"):
            for floor, value, what in ((a.floor_include, if1, "include F1"),
                                       (a.floor_topics, tf1, "topic micro-F1")):
                if floor is not None and value < floor:
                    print("BELOW FLOOR: %s %s %.3f < %.3f" % (name, what, value, floor))
                    ok = False
    if a.errors:
        print("\nitems the curator got wrong:")
        for it in items:
            ans = answers[it["id"]]
            gold_inc = it["relevance"] == "include"
            if bool(ans["include"]) != gold_inc or set(ans["topics"]) != set(it["topics"]):
                print("  %s %s [%s] %s\n      labelled: %s %s\n      got:      %s %s (score %s) %s"
                      % (it["id"], it["lang"], it["source"], it["title"][:90],
                         it["relevance"], ",".join(sorted(it["topics"])),
                         "include" if ans["include"] else "exclude",
                         ",".join(sorted(ans["topics"])), ans["score"],
                         "; ".join("%s:%s" % (e["topic"], e["phrase"]) for e in ans["evidence"])))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
