#!/usr/bin/python3
"""An independent check of the digest messages, with Python's email package.

Run it with Debian's interpreter (/usr/bin/python3, see DESIGN.md "Two
Pythons"); it uses the standard library only.

  mimecheck.py --maildir-root DIR --expect FILE.csv [OPTIONS]
      DIR/DOMAIN/LOCALPART/{new,cur}/* (the Postfix of tests/lib/servers.sh):
      every subscriber of FILE.csv has exactly one message in their own
      Maildir, and there is no other message under DIR.
  mimecheck.py --maildir DIR --expect FILE.csv [OPTIONS]
      one flat Maildir, DIR/{new,cur}/*, holding the messages of many
      recipients (the maildir transport, a sendmail stand-in): each message
      is matched to its subscriber by its To header; every subscriber gets
      exactly one, and no message is for anyone else.
  mimecheck.py --file MSG.eml [--file MSG2.eml ...] [--expect FILE.csv] [OPTIONS]
      the given messages only (a --to test send): with --expect each one's
      To must be one of its rows, whose token is then checked; without it
      the To must be one address and the token checks are skipped.

FILE.csv: a header line naming the columns email, name and token (other
columns are ignored), or no header and those three columns in that order.
The token is taken from the file as it is: mimecheck knows nothing of its
format.

OPTIONS (each check runs only when its option is given, except the
structure checks that always run):
  --subject S          the decoded Subject equals S
  --from ADDR          the From address is ADDR
  --list-id ID         List-Id contains ID
  --unsub-mailto P     List-Unsubscribe has a mailto: URI whose address starts
                       with P and which carries the subscriber's token
  --unsub-https P      List-Unsubscribe has a URI starting with P that carries
                       the token, and List-Unsubscribe-Post is exactly
                       "List-Unsubscribe=One-Click"; without this option
                       neither an http(s) URI nor List-Unsubscribe-Post may
                       be there
  --archive URL        List-Archive contains URL
  --max-problems N     print at most N problem lines (default 100; 0: all)
  --jobs N             check in N processes (default: one per CPU, up to 8,
                       from 100 messages on; 1: in this process only)
  -q                   print problems and the summary only on failure

Always checked, per message: it parses with email.policy.default with no
defect (message, parts, headers); every raw line is at most 998 octets; the
raw message is 7-bit (non-ASCII only in RFC 2047 encoded words and
quoted-printable), encoded words are at most 75 characters; To is exactly
one address, the subscriber (and their name when the file gives one); no
Cc or Bcc; no other subscriber address anywhere in the headers;
Message-ID present and unique across the messages; Date present and
valid; From present; MIME-Version 1.0; multipart/alternative holding
exactly text/plain then text/html, each charset=utf-8 and
Content-Transfer-Encoding quoted-printable, decoding as UTF-8;
List-Unsubscribe present and carrying the token; both decoded bodies hold
an unsubscribe link or address (starting with a given prefix, when one is)
that carries the token.

Prints one line per problem, "FILE: what", then a summary line
"mimecheck: ok|FAILED, N messages, N subscribers, N problems".
Exit status: 0 no problem, 1 problems, 2 bad usage or unreadable input.
"""

import argparse
import csv
import html
import os
import re
import sys
import urllib.parse
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import parseaddr, unquote

ADDR_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
ENCODED_WORD_RE = re.compile(rb"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=")
URI_RE = re.compile(r"(?:https?://|mailto:)[^\s<>\"')\]]+", re.I)
ONE_CLICK = "List-Unsubscribe=One-Click"


class Subscriber:
    def __init__(self, email, name, token, line):
        self.email = email
        self.key = email.lower()
        self.name = name
        self.token = token
        self.line = line


def load_expect(path):
    """FILE.csv -> {lower-case email: Subscriber}."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise SystemExit(usage_error("cannot read %s: %s" % (path, e)))
    cols = {"email": 0, "name": 1, "token": 2}
    start = 0
    if rows and rows[0] and rows[0][0].strip().lower() in ("email", "e-mail", "address"):
        head = [c.strip().lower() for c in rows[0]]
        if head[0] in ("e-mail", "address"):
            head[0] = "email"
        missing = [c for c in ("email", "token") if c not in head]
        if missing:
            raise SystemExit(usage_error("%s: the header line has no %s column" % (path, " or ".join(missing))))
        cols = {c: head.index(c) for c in ("email", "name", "token") if c in head}
        start = 1
    subs = {}
    for n, row in enumerate(rows[start:], start + 1):
        if not row or all(not c.strip() for c in row):
            continue

        def col(c):
            i = cols.get(c)
            return row[i].strip() if i is not None and i < len(row) else ""
        email, token = col("email"), col("token")
        if "@" not in email:
            raise SystemExit(usage_error("%s:%d: no e-mail address in %r" % (path, n, row)))
        if not token:
            raise SystemExit(usage_error("%s:%d: no token for %s" % (path, n, email)))
        s = Subscriber(email, col("name"), token, n)
        if s.key in subs:
            raise SystemExit(usage_error("%s:%d: %s is listed twice (line %d)" % (path, n, email, subs[s.key].line)))
        subs[s.key] = s
    return subs


def usage_error(msg):
    sys.stderr.write("mimecheck: %s\n" % msg)
    return 2


def rfc2047_phrase(raw):
    """The display name of a raw To value, decoded as RFC 2047 section 6.2
    says: white space between two adjacent encoded words is not part of
    the text. CPython 3.11's policy.default keeps it, so a long name that a
    sender rightly splits into several encoded words ("...=CE=A0?=" CRLF SP
    "=?UTF-8?Q?=CE=B1...") reads with a space that is not in it; the
    legacy decoder follows the RFC, and is asked only when the two differ."""
    value = re.sub(r"\r?\n[ \t]", " ", raw)
    lt = value.rfind("<")
    phrase = (value[:lt] if lt >= 0 else value).strip()
    if phrase.startswith('"') and phrase.endswith('"'):
        return unquote(phrase)
    try:
        return str(make_header(decode_header(phrase)))
    except (ValueError, LookupError) as e:
        return "(undecodable: %s)" % e


class Headers:
    """A part's headers, each parsed once (policy.default parses a header
    again on every access: most of the time on a list of 1,200)."""

    def __init__(self, part):
        self.items = part.items()
        self.by = {}
        for name, value in self.items:
            self.by.setdefault(name.lower(), []).append(value)
        self.raw = {}
        for name, value in part.raw_items():
            self.raw.setdefault(name.lower(), []).append(value)

    def get(self, name):
        v = self.by.get(name.lower())
        return v[0] if v else None

    def all(self, name):
        return self.by.get(name.lower(), [])


def content_type(h):
    ct = h.get("Content-Type")
    return getattr(ct, "content_type", None) or "text/plain"


class MessageCheck:
    """The checks of one message file; run() returns (problems, the
    lower-case address of the subscriber it was for or None, Message-ID)."""

    def __init__(self, args, subs, path, expected=None):
        self.a = args
        self.subs = subs
        self.path = path
        self.expected = expected
        self.problems = []
        self.mid = None

    def p(self, what):
        self.problems.append("%s: %s" % (self.path, what))

    def run(self):
        try:
            with open(self.path, "rb") as f:
                raw = f.read()
        except OSError as e:
            self.p("cannot read: %s" % e)
            return self.problems, None, None
        head = self.check_raw(raw)
        try:
            msg = BytesParser(policy=policy.default).parsebytes(raw)
        except Exception as e:  # the parser is meant not to raise; say so if it does
            self.p("does not parse: %s" % e)
            return self.problems, None, None
        parts = [(part, Headers(part)) for part in msg.walk()]
        self.check_defects(parts)
        h = parts[0][1]
        sub = self.check_to(h)
        token = sub.token if sub else None
        self.check_headers(h, head, sub)
        self.check_list_headers(h, token)
        self.check_structure(msg, parts, token)
        return self.problems, (sub.key if sub else None), self.mid

    def check_raw(self, raw):
        p = self.p
        for n, line in enumerate(raw.split(b"\n"), 1):
            if len(line) > 998 and len(line.rstrip(b"\r")) > 998:
                p("line %d is %d octets long (more than 998)" % (n, len(line.rstrip(b"\r"))))
                break
        try:
            raw.decode("ascii")
        except UnicodeDecodeError as e:
            p("8-bit byte 0x%02x at offset %d (headers must be RFC 2047-encoded, bodies quoted-printable)"
              % (raw[e.start], e.start))
        end = raw.find(b"\n\n")
        end2 = raw.find(b"\r\n\r\n")
        if end < 0 or (0 <= end2 < end):
            end = end2
        head = raw if end < 0 else raw[:end]
        for w in ENCODED_WORD_RE.findall(head):
            if len(w) > 75:
                p("encoded word of %d characters (at most 75): %s..." % (len(w), w[:40].decode("ascii", "replace")))
                break
        return head

    def check_defects(self, parts):
        for i, (part, h) in enumerate(parts):
            where = "message" if i == 0 else "part %d (%s)" % (i, content_type(h))
            for d in part.defects:
                self.p("%s: defect %s%s" % (where, type(d).__name__, (": %s" % d) if str(d) else ""))
            for name, value in h.items:
                for d in getattr(value, "defects", ()):
                    self.p("%s: header %s: defect %s%s" % (where, name, type(d).__name__, (": %s" % d) if str(d) else ""))

    def check_to(self, h):
        p, expected = self.p, self.expected
        tos = h.all("To")
        if len(tos) != 1:
            p("%d To headers (expected exactly one)" % len(tos))
            if not tos:
                return expected
        try:
            addrs = list(tos[0].addresses)
        except Exception as e:
            p("To does not parse: %s" % e)
            return expected
        if len(addrs) != 1:
            p("To has %d addresses (expected exactly one): %s" % (len(addrs), str(tos[0])))
        for name in ("Cc", "Bcc"):
            if h.get(name) is not None:
                p("has a %s header: %s" % (name, h.get(name)))
        if not addrs:
            return expected
        a = addrs[0]
        addr = a.addr_spec
        sub = expected
        if expected is None and self.subs is not None:
            sub = self.subs.get(addr.lower())
            if sub is None:
                p("To <%s> is not in the expected list" % addr)
                return None
        if sub is not None:
            if addr.lower() != sub.key:
                p("To <%s> is not the mailbox's owner <%s>" % (addr, sub.email))
            if sub.name and a.display_name != sub.name:
                name = rfc2047_phrase(h.raw.get("to", [""])[0])
                if name != sub.name:
                    p("To name %r is not %r" % (name, sub.name))
            if not sub.name and a.display_name:
                p("To name %r given for a subscriber without a name" % a.display_name)
        return sub

    def check_headers(self, h, head, sub):
        p, a = self.p, self.a
        # the list is never exposed: no other subscriber's address in any
        # header, raw (unfolded) or decoded
        if self.subs:
            own = sub.key if sub else None
            seen = set()
            texts = [(n, str(v)) for n, v in h.items]
            unfolded = re.sub(rb"\r?\n[ \t]", b" ", head).decode("ascii", "replace")
            texts += [(line.split(":", 1)[0], line) for line in unfolded.splitlines()]
            for name, text in texts:
                for m in ADDR_RE.findall(text):
                    k = m.lower()
                    if k != own and k in self.subs and k not in seen:
                        seen.add(k)
                        p("header %s exposes another subscriber: %s" % (name, m))
        if a.subject is not None:
            s = h.get("Subject")
            if s is None:
                p("no Subject")
            elif str(s) != a.subject:
                p("Subject %r is not %r" % (str(s), a.subject))
        f = h.get("From")
        if a.from_addr is not None:
            got = parseaddr(str(f))[1] if f is not None else None
            if got is None or got.lower() != a.from_addr.lower():
                p("From %r is not <%s>" % (str(f) if f is not None else None, a.from_addr))
        elif f is None:
            p("no From")
        mid = h.get("Message-ID")
        if mid is None or not str(mid).strip():
            p("no Message-ID")
        else:
            self.mid = str(mid).strip()
            if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", self.mid):
                p("Message-ID %r is not <left@right>" % self.mid)
        date = h.get("Date")
        if date is None:
            p("no Date")
        elif getattr(date, "datetime", None) is None:
            p("Date %r does not parse" % str(date))
        mv = h.get("MIME-Version")
        if mv is None:
            p("no MIME-Version")
        elif str(mv).strip() != "1.0":
            p("MIME-Version is %r, not 1.0" % str(mv))

    def check_list_headers(self, h, token):
        p, a = self.p, self.a
        if a.list_id is not None:
            lid = h.get("List-Id")
            if lid is None:
                p("no List-Id")
            elif a.list_id not in str(lid):
                p("List-Id %r does not contain %r" % (str(lid), a.list_id))
        lu = h.get("List-Unsubscribe")
        post = h.get("List-Unsubscribe-Post")
        if lu is None:
            p("no List-Unsubscribe")
            uris = []
        else:
            # RFC 2369: a list of <URI>, comma-separated
            uris = [u.strip() for u in re.findall(r"<([^<>]*)>", str(lu))]
            if not uris:
                p("List-Unsubscribe holds no <URI>: %r" % str(lu))
            if token is not None and not any(token in urllib.parse.unquote(u) for u in uris):
                p("List-Unsubscribe does not carry the token %s: %s" % (token, str(lu)))
        mailtos = [u for u in uris if u.lower().startswith("mailto:")]
        webs = [u for u in uris if u.lower().startswith(("https:", "http:"))]
        if a.unsub_mailto is not None and lu is not None:
            ok = [u for u in mailtos if urllib.parse.unquote(u[7:]).lower().startswith(a.unsub_mailto.lower())]
            if not ok:
                p("List-Unsubscribe has no mailto: address starting with %s: %s" % (a.unsub_mailto, str(lu)))
            elif token is not None and not any(token in urllib.parse.unquote(u) for u in ok):
                p("the List-Unsubscribe mailto: does not carry the token %s: %s" % (token, " ".join(ok)))
        if a.unsub_https is not None:
            if lu is not None:
                ok = [u for u in webs if u.startswith(a.unsub_https)]
                if not ok:
                    p("List-Unsubscribe has no URI starting with %s: %s" % (a.unsub_https, str(lu)))
                elif token is not None and not any(token in urllib.parse.unquote(u) for u in ok):
                    p("the List-Unsubscribe URI does not carry the token %s: %s" % (token, " ".join(ok)))
            if post is None:
                p("no List-Unsubscribe-Post (one-click, RFC 8058)")
            elif str(post).strip() != ONE_CLICK:
                p("List-Unsubscribe-Post is %r, not %r" % (str(post), ONE_CLICK))
        else:
            if webs:
                p("List-Unsubscribe has a web URI but no unsubscribe URL is configured: %s" % " ".join(webs))
            if post is not None:
                p("List-Unsubscribe-Post without an https unsubscribe URL: %r" % str(post))
        if a.archive is not None:
            arch = h.get("List-Archive")
            if arch is None:
                p("no List-Archive")
            elif a.archive not in str(arch):
                p("List-Archive %r does not contain %r" % (str(arch), a.archive))

    def check_structure(self, msg, parts, token):
        p = self.p
        top = content_type(parts[0][1])
        if top != "multipart/alternative":
            p("the message is %s, not multipart/alternative" % top)
            return
        kids = msg.get_payload()
        if not isinstance(kids, list):
            p("multipart/alternative without parts")
            return
        hs = {id(part): h for part, h in parts}
        kids = [(q, hs.get(id(q)) or Headers(q)) for q in kids]
        types = [content_type(h) for q, h in kids]
        if types != ["text/plain", "text/html"]:
            p("the parts are %s, not text/plain then text/html" % (", ".join(types) or "none"))
        for q, h in kids:
            ct = content_type(h)
            if ct not in ("text/plain", "text/html"):
                continue
            ctype = h.get("Content-Type")
            cs = ctype.params.get("charset") if ctype is not None else None
            if cs is None or str(cs).lower() != "utf-8":
                p("%s: charset is %s, not utf-8" % (ct, cs))
            cte = str(h.get("Content-Transfer-Encoding") or "").strip().lower()
            if cte != "quoted-printable":
                p("%s: Content-Transfer-Encoding is %r, not quoted-printable" % (ct, cte or None))
            data = q.get_payload(decode=True)
            try:
                text = (data or b"").decode("utf-8")
            except UnicodeDecodeError as e:
                p("%s: the decoded body is not UTF-8 (%s)" % (ct, e))
                continue
            if not text.strip():
                p("%s: the body is empty" % ct)
                continue
            self.check_body_unsub(ct, text, token)

    def check_body_unsub(self, ct, text, token):
        p, a = self.p, self.a
        if ct == "text/html":
            text = html.unescape(text)
        cands = set(URI_RE.findall(text))
        cands.update(ADDR_RE.findall(text))
        cands = {urllib.parse.unquote(c).rstrip(".,;:") for c in cands}
        prefixes = []
        if a.unsub_https:
            prefixes.append(a.unsub_https)
        if a.unsub_mailto:
            prefixes += ["mailto:" + a.unsub_mailto, a.unsub_mailto]
        if prefixes:
            cands = {c for c in cands if any(c.lower().startswith(x.lower()) for x in prefixes)}
            if not cands:
                p("%s: no unsubscribe link or address (starting with %s)" % (ct, " or ".join(prefixes)))
                return
        if token is not None and not any(token in c for c in cands):
            if prefixes:
                p("%s: no unsubscribe link or address carries the token %s (found: %s)"
                  % (ct, token, " ".join(sorted(cands)[:3])))
            else:
                p("%s: no link or address carries the token %s" % (ct, token))


# Worker processes (fork) see these module globals.
_ARGS = _SUBS = None


def _check_one(job):
    path, key = job
    expected = _SUBS.get(key) if (key is not None and _SUBS) else None
    return MessageCheck(_ARGS, _SUBS, path, expected).run()


class Run:
    """The messages to check, in order: (path, expected subscriber key or
    None); problems found on the way; then the checks, in parallel when
    there are many, and what needs all of them (one each, unique ids)."""

    def __init__(self, args, subs):
        self.a = args
        self.subs = subs
        self.jobs = []
        self.problems = []
        self.extra = 0  # messages counted without a check (outsiders)

    def maildir_files(self, d):
        out = []
        for sub in ("new", "cur"):
            try:
                names = sorted(os.listdir(os.path.join(d, sub)))
            except FileNotFoundError:
                continue
            out += [os.path.join(d, sub, n) for n in names if not n.startswith(".")]
        return out

    def add_maildir_root(self, root):
        if not os.path.isdir(root):
            raise SystemExit(usage_error("no such folder: %s" % root))
        expected_dirs = {}
        for s in self.subs.values():
            local, _, domain = s.email.rpartition("@")
            expected_dirs[os.path.join(root, domain.lower(), local.lower())] = s
        for domain in sorted(os.listdir(root)):
            ddir = os.path.join(root, domain)
            if not os.path.isdir(ddir):
                continue
            for user in sorted(os.listdir(ddir)):
                udir = os.path.join(ddir, user)
                s = expected_dirs.get(udir)
                for f in self.maildir_files(udir):
                    if s is None:
                        self.extra += 1
                        self.problems.append("%s: a message for %s@%s, who is not in the expected list"
                                             % (f, user, domain))
                    else:
                        self.jobs.append((f, s.key))
        self.where = lambda s: os.path.join(root, *reversed(s.key.rsplit("@", 1)))

    def add_flat(self, d):
        if not os.path.isdir(d):
            raise SystemExit(usage_error("no such folder: %s" % d))
        self.jobs += [(f, None) for f in self.maildir_files(d)]
        self.where = lambda s: d

    def add_files(self, files):
        self.jobs += [(f, None) for f in files]
        self.where = None

    def check(self):
        global _ARGS, _SUBS
        _ARGS, _SUBS = self.a, self.subs
        jobs = self.jobs
        workers = self.a.jobs or min(os.cpu_count() or 1, 8)
        if workers > 1 and (self.a.jobs or len(jobs) >= 100):
            import multiprocessing
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_check_one, jobs, chunksize=16)
        else:
            results = [_check_one(j) for j in jobs]
        found = {}
        mids = {}
        for (path, _), (problems, key, mid) in zip(jobs, results):
            self.problems += problems
            if key is not None:
                found.setdefault(key, []).append(path)
            if mid is not None:
                if mid in mids:
                    self.problems.append("%s: Message-ID %s is also the one of %s" % (path, mid, mids[mid]))
                else:
                    mids[mid] = path
        if self.subs is not None and self.where is not None:
            for s in self.subs.values():
                got = found.get(s.key, [])
                if len(got) != 1:
                    more = (" (%s)" % ", ".join(got[:3])) if got and self.a.maildir else ""
                    self.problems.append("%s: %d messages for %s (expected exactly one)%s"
                                         % (self.where(s), len(got), s.email, more))
        return len(jobs) + self.extra


def main(argv=None):
    ap = argparse.ArgumentParser(prog="mimecheck.py", description="Check digest messages (see the source).")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--maildir-root", metavar="DIR")
    where.add_argument("--maildir", metavar="DIR")
    where.add_argument("--file", metavar="MSG", action="append")
    ap.add_argument("--expect", metavar="FILE.csv")
    ap.add_argument("--subject")
    ap.add_argument("--from", dest="from_addr", metavar="ADDR")
    ap.add_argument("--list-id")
    ap.add_argument("--unsub-mailto", metavar="PREFIX")
    ap.add_argument("--unsub-https", metavar="PREFIX")
    ap.add_argument("--archive", metavar="URL")
    ap.add_argument("--max-problems", type=int, default=100, metavar="N")
    ap.add_argument("--jobs", type=int, default=0, metavar="N")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    if (a.maildir_root or a.maildir) and not a.expect:
        ap.error("--maildir-root and --maildir need --expect FILE.csv")
    subs = load_expect(a.expect) if a.expect else None

    r = Run(a, subs)
    if a.maildir_root:
        r.add_maildir_root(a.maildir_root)
    elif a.maildir:
        r.add_flat(a.maildir)
    else:
        r.add_files(a.file)
    checked = r.check()

    n = len(r.problems)
    if n or not a.quiet:
        shown = r.problems if a.max_problems <= 0 else r.problems[:a.max_problems]
        for line in shown:
            print(line)
        if len(shown) < n:
            print("... and %d more problems" % (n - len(shown)))
        print("mimecheck: %s, %d messages, %s subscribers, %d problems"
              % ("FAILED" if n else "ok", checked, len(subs) if subs is not None else "no", n))
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())
