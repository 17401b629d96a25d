#!/usr/bin/python3
"""Conformance of `newsdigest parse` against the feedparser corpus.

usage: conformance.py [options] [NEWSDIGEST_BIN]

Runs `newsdigest parse FILE` once per XML file of the corpus (default
../shared/corpus/feedparser from the repository top; see its README.md),
maps each row of expectations.tsv onto the JSON that was printed, and
prints the pass rate per path, then overall. Only the paths newsdigest
reports are counted ("supported"); the others (encoding, feed.subtitle,
*_detail, links[], ...) are listed as unsupported and not counted.

Titles: our contract makes every title plain text (tags stripped,
entities decoded, white space collapsed; null when nothing is left), where
feedparser keeps the HTML a feed declares. A title row passes when our
title equals feedparser's value, or equals that value read as plain text
(HTML parsed by Python's html.parser, white space collapsed); the report
counts the rows that passed the second way.

Files whose path contains "http" were served over HTTP upstream: they get
--base http://127.0.0.1:8097/tests/FILE and --content-type from
http_headers.tsv (text/xml when it gives none). feedparser's entries[N].summary
falls back to the content when the entry has no summary (feedparser copies
it): so does the comparison here. Content-Location and
Content-Language headers have no counterpart on the command line (our HTTP
layer does not use them either): rows that depend on them are expected to
fail and are labelled so in the failure list.

options:
  --corpus DIR       the corpus folder
  --floor RATE       exit 1 when the overall supported pass rate is below RATE
  --tap              print TAP: one informational line per supported path,
                     then the real assertions (pass rate >= floor; no file
                     crashed or hung the parser)
  --failures         also print every failing row, grouped by folder
  --report FILE      write the table and every failing row to FILE
  --jobs N           parallel runs (default 2)
  --timeout SECONDS  per file (default 20)

The binary is the argument, else $NEWSDIGEST_BIN. Exit status: 0 when the
rate reaches the floor and nothing crashed, 1 otherwise, 2 on usage errors.
Python 3 standard library only.
"""
import argparse
import collections
import concurrent.futures
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

HTTP_ROOT = "http://127.0.0.1:8097/tests/"

# feedparser's version codes -> our "format"
VERSIONS = {
    "rss090": "rss0.9x", "rss091n": "rss0.9x", "rss091u": "rss0.9x",
    "rss092": "rss0.9x", "rss093": "rss0.9x", "rss094": "rss0.9x",
    "rss10": "rss1.0", "rss20": "rss2.0",
    "rss": "rss2.0",  # <rss> without a version: we read it as RSS 2.0
    "atom03": "atom0.3", "atom10": "atom1.0",
}

ENTRY_FIELDS = ("title", "link", "id", "author", "summary", "content",
                "published", "updated")
FEED_FIELDS = ("title", "link", "language")

RE_ENTRY = re.compile(r"entries\[(\d+)\]\.(%s)$" % "|".join(ENTRY_FIELDS))
RE_TAG = re.compile(r"entries\[(\d+)\]\.tags\[(\d+)\]\.term$")
RE_FEED = re.compile(r"feed\.(%s)$" % "|".join(FEED_FIELDS))
MISSING = object()


def unescape(s):
    r"""The README's escaping: \\ \t \n \r \xHH \uHHHH."""
    if "\\" not in s:
        return s
    out, i, n = [], 0, len(s)
    simple = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            e = s[i + 1]
            if e in simple:
                out.append(simple[e])
                i += 2
                continue
            if e == "x" and re.match(r"[0-9A-Fa-f]{2}$", s[i + 2:i + 4]):
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            if e == "u" and re.match(r"[0-9A-Fa-f]{4}$", s[i + 2:i + 6]):
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
                continue
        out.append(c)
        i += 1
    return "".join(out)


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    header = lines[0].rstrip("\r").split("\t")
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        cols = line.split("\t")
        cols += [""] * (len(header) - len(cols))
        rows.append(dict(zip(header, cols)))
    return rows


def shape(path):
    return re.sub(r"\[\d+\]", "[N]", path)


def family(path):
    return os.path.dirname(path) or "."


def served_over_http(path):
    return "http" in path


class Row:
    __slots__ = ("file", "path", "op", "value", "shape", "supported")

    def __init__(self, r):
        self.file = r["file"]
        self.path = r["path"]
        self.op = r["op"]
        self.value = unescape(r["value"])
        self.shape = shape(self.path)
        self.supported = lookup(self.path) is not None


def lookup(path):
    """A function JSON -> our value for a supported path, else None."""
    if path == "bozo":
        return lambda j: (not j["wellformed"]) if isinstance(j.get("wellformed"), bool) else MISSING
    if path == "version":
        return lambda j: j.get("format", MISSING)
    m = RE_FEED.match(path)
    if m:
        key = m.group(1)
        return lambda j: j.get(key, MISSING)
    m = RE_ENTRY.match(path)
    if m:
        n, key = int(m.group(1)), m.group(2)

        def entry_field(j):
            entries = j.get("entries") or []
            if n >= len(entries) or not isinstance(entries[n], dict):
                return MISSING
            e = entries[n]
            if key == "summary" and e.get("summary") is None and e.get("content") is not None:
                # feedparser copies content to summary when there is no
                # summary element: compare like with like
                return e["content"]
            return e.get(key, MISSING)
        return entry_field
    m = RE_TAG.match(path)
    if m:
        n, k = int(m.group(1)), int(m.group(2))

        def category(j):
            entries = j.get("entries") or []
            if n >= len(entries) or not isinstance(entries[n], dict):
                return MISSING
            cats = entries[n].get("categories") or []
            return cats[k] if k < len(cats) else MISSING
        return category
    return None


def expected_value(row):
    """What our JSON must hold for an eq row."""
    if row.path == "bozo":
        return {"true": True, "false": False}.get(row.value, row.value)
    if row.path == "version":
        return VERSIONS.get(row.value, "?" + row.value)
    return row.value


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML fragment, as a reader sees it: tags dropped,
    character references decoded, unknown ones kept as written."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.parts.append(" ")


def plain_text(value):
    """feedparser's title, HTML when the feed said so, as the plain text
    our contract gives titles (tags stripped, entities decoded, white space
    collapsed, Unicode spaces included)."""
    p = _TextOf()
    p.feed(value)
    p.close()
    return " ".join("".join(p.parts).split())


def is_title(path):
    return path in ("feed.title",) or bool(re.match(r"entries\[\d+\]\.title$", path))


def check(row, result):
    """(passed, got, how) for a supported row; how is "" for a literal
    match and "plain-text title" for a title that matches feedparser's
    value once read as our contract reads titles."""
    if result.get("error"):
        return False, "<%s>" % result["error"], ""
    got = lookup(row.path)(result["json"])
    if row.op == "absent":
        return got is MISSING or got is None, got, ""
    if row.op == "contains":
        return isinstance(got, str) and row.value in got, got, ""
    want = expected_value(row)
    if got is not MISSING and got == want:
        return True, got, ""
    # a title with no text at all (an <img> alone) is null for us
    if is_title(row.path) and isinstance(want, str) and \
            (got is None or isinstance(got, str)) and \
            (got or None) == (plain_text(want) or None):
        return True, got, "plain-text title"
    return False, got, ""


def show(v, limit=300):
    if v is MISSING:
        return "(missing)"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + "...(%d chars)" % len(s)


def run_one(binary, corpus, rel, headers, timeout, cwd, env):
    cmd = [binary, "parse", os.path.join(corpus, rel)]
    if served_over_http(rel):
        cmd += ["--base", HTTP_ROOT + rel,
                "--content-type", headers.get("content-type", "text/xml")]
    res = {"file": rel, "cmd": cmd, "json": None, "error": None, "crash": None}
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        res["error"] = res["crash"] = "timed out after %ss" % timeout
        return res
    res["status"] = p.returncode
    res["stderr"] = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 65):
        why = ("killed by signal %d" % -p.returncode if p.returncode < 0
               else "exit status %d" % p.returncode)
        res["error"] = why
        res["crash"] = "%s: %s" % (why, res["stderr"].strip()[:200])
        return res
    try:
        res["json"] = json.loads(p.stdout.decode("utf-8"))
        if not isinstance(res["json"], dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError) as e:
        res["error"] = "exit %d, output is not JSON: %s" % (p.returncode, e)
        res["crash"] = res["error"]
    return res


def note_for(row, headers):
    """Why a row cannot pass through `newsdigest parse`, if known."""
    if not served_over_http(row.file):
        return ""
    if "content-location" in headers:
        return "needs Content-Location: %s" % headers["content-location"]
    if "content-language" in headers and row.path.endswith("language"):
        return "needs Content-Language: %s" % headers["content-language"]
    return ""


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.environ.get("NEWSDIGEST_TOP") or os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description="feedparser corpus conformance")
    ap.add_argument("binary", nargs="?", default=os.environ.get("NEWSDIGEST_BIN"))
    ap.add_argument("--corpus", default=os.path.join(top, "..", "shared", "corpus", "feedparser"))
    ap.add_argument("--floor", type=float, default=None)
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--failures", action="store_true")
    ap.add_argument("--report")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20)
    a = ap.parse_args(argv)
    if not a.binary:
        ap.error("no binary: give it as an argument or in $NEWSDIGEST_BIN")
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        ap.error("not executable: %s" % binary)
    corpus = os.path.abspath(a.corpus)
    exp_path = os.path.join(corpus, "expectations.tsv")
    if not os.path.isfile(exp_path):
        ap.error("no expectations.tsv in %s" % corpus)

    rows = [Row(r) for r in read_tsv(exp_path)]
    headers = collections.defaultdict(dict)
    hpath = os.path.join(corpus, "http_headers.tsv")
    if os.path.isfile(hpath):
        for r in read_tsv(hpath):
            headers[r["file"]][r["header"].lower()] = unescape(r["value"])
    files = sorted(os.path.relpath(os.path.join(d, f), corpus)
                   for d, _, fs in os.walk(corpus) for f in fs if f.endswith(".xml"))

    env = dict(os.environ)
    env.pop("NEWSDIGEST_CONFIG", None)  # built-in defaults, as the tests use
    results = {}
    with tempfile.TemporaryDirectory(prefix="conformance.") as cwd, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futs = [pool.submit(run_one, binary, corpus, rel, headers.get(rel, {}),
                            a.timeout, cwd, env) for rel in files]
        for fut in futs:
            r = fut.result()
            results[r["file"]] = r

    per_path = collections.OrderedDict()
    unsupported = collections.Counter()
    by_policy = collections.Counter()
    failures = []
    for row in rows:
        if not row.supported:
            unsupported[row.shape] += 1
            continue
        st = per_path.setdefault(row.shape, [0, 0])
        st[0] += 1
        res = results.get(row.file)
        if res is None:
            ok, got, how = False, "<file missing from the corpus>", ""
        else:
            ok, got, how = check(row, res)
        if ok:
            st[1] += 1
            if how:
                by_policy[how] += 1
        else:
            failures.append((row, got, note_for(row, headers.get(row.file, {}))))

    total = sum(s[0] for s in per_path.values())
    passed = sum(s[1] for s in per_path.values())
    rate = passed / total if total else 0.0
    crashes = [(f, r["crash"]) for f, r in sorted(results.items()) if r["crash"]]
    refused = sum(1 for r in results.values() if r.get("status") == 65)
    order = sorted(per_path, key=lambda p: (-per_path[p][0], p))

    def pct(p, n):
        return 100.0 * p / n if n else 0.0

    table = ["%-32s %6s %6s %7s" % ("path", "rows", "passed", "rate")]
    for p in order:
        n, ok = per_path[p]
        table.append("%-32s %6d %6d %6.1f%%" % (p, n, ok, pct(ok, n)))
    table.append("%-32s %6d %6d %6.1f%%" % ("TOTAL (supported)", total, passed, pct(passed, total)))
    for how, n in sorted(by_policy.items()):
        table.append("  of which passed as a %s: %d" % (how, n))
    table.append("")
    table.append("unsupported: %d rows in %d path shapes (not counted)"
                 % (sum(unsupported.values()), len(unsupported)))
    for p, n in sorted(unsupported.items(), key=lambda x: (-x[1], x[0])):
        table.append("  %-44s %5d  unsupported" % (p, n))
    table.append("")
    table.append("files run: %d; exit 65 (nothing parsed): %d; crashed or hung: %d"
                 % (len(results), refused, len(crashes)))
    for f, why in crashes[:50]:
        table.append("  CRASH %s: %s" % (f, why))
    if len(crashes) > 50:
        table.append("  ... and %d more" % (len(crashes) - 50))

    fail_lines = []
    by_family = collections.OrderedDict()
    for row, got, note in sorted(failures, key=lambda x: (family(x[0].file), x[0].file)):
        by_family.setdefault(family(row.file), []).append((row, got, note))
    for fam in sorted(by_family, key=lambda f: (-len(by_family[f]), f)):
        items = by_family[fam]
        fail_lines.append("== %s: %d failing rows" % (fam, len(items)))
        for row, got, note in items:
            want = "(absent)" if row.op == "absent" else show(expected_value(row))
            if row.path == "version":
                want += " (feedparser %s)" % row.value
            fail_lines.append("  %s\t%s\n      expected: %s\n      got:      %s%s"
                              % (row.file, row.path, want, show(got),
                                 "\n      note:     " + note if note else ""))
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write("\n".join(table) + "\n\nfailing rows by folder\n\n")
            f.write("\n".join(fail_lines) + "\n")

    floor_ok = a.floor is None or rate >= a.floor
    if a.tap:
        n = 0
        for p in order:
            n += 1
            cnt, ok = per_path[p]
            print("ok %d - %s: %d/%d (%.1f%%)" % (n, p, ok, cnt, pct(ok, cnt)))
        for how, cnt in sorted(by_policy.items()):
            print("# of the passing rows, %d passed as a %s" % (cnt, how))
        print("# unsupported paths: %d rows in %d shapes (not counted)"
              % (sum(unsupported.values()), len(unsupported)))
        floor = a.floor if a.floor is not None else 0.0
        n += 1
        print("%s %d - overall supported pass rate %.4f >= floor %.2f (%d/%d rows)"
              % ("ok" if rate >= floor else "not ok", n, rate, floor, passed, total))
        n += 1
        print("%s %d - no corpus file crashed or hung the parser (%d files run)"
              % ("not ok" if crashes else "ok", n, len(results)))
        for f, why in crashes[:20]:
            print("#   %s: %s" % (f, why))
        if len(crashes) > 20:
            print("#   ... and %d more (see --report)" % (len(crashes) - 20))
        if a.failures:
            for line in fail_lines:
                for sub in line.split("\n"):
                    print("# " + sub)
        print("1..%d" % n)
    else:
        print("\n".join(table))
        print("\noverall supported pass rate: %d/%d = %.4f%s"
              % (passed, total, rate,
                 "" if a.floor is None else " (floor %.2f: %s)"
                 % (a.floor, "ok" if floor_ok else "BELOW")))
        if a.failures:
            print("\nfailing rows by folder\n")
            print("\n".join(fail_lines))
    return 0 if floor_ok and not crashes else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
