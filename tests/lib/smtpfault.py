#!/usr/bin/python3
"""smtpfault: a scriptable SMTP server that misbehaves on request, for tests.

usage: /usr/bin/python3 tests/lib/smtpfault.py [options]

Standard library only (asyncio); run it with /usr/bin/python3 (a `python3`
elsewhere on PATH may be another interpreter). It listens on --host
(default 127.0.0.1) and prints the port as the first line of stdout once it
accepts connections, so `--port 0` (the default) gives an ephemeral port:

    exec 3< <(/usr/bin/python3 tests/lib/smtpfault.py --log L)  # or a pipe
    read -r port <&3

It runs until SIGTERM or SIGINT and then exits 0. Any number of connections
are served at once. Counters ("the Nth message") run over the server's whole
life, all connections together, starting at 1.

Protocol: EHLO/HELO, STARTTLS (with --tls-cert and --tls-key), AUTH PLAIN
and AUTH LOGIN (with --auth), MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT.
Commands may be pipelined. No BDAT/CHUNKING, no DSN.

Options:
  --host ADDR              address to listen on (default 127.0.0.1)
  --port N                 port (default 0: any free port)
  --log FILE               event log, format below (default: none)
  --maildir DIR            save each accepted message as DIR/new/NNNNNN.eml,
                           byte for byte as received (CRLF line ends, dot-
                           stuffing undone, without the final "."); DIR,
                           DIR/new, DIR/cur and DIR/tmp are created
  --tls-cert PEM, --tls-key PEM
                           offer STARTTLS with this certificate and key
  --implicit-tls           TLS from the first byte instead (SMTPS, what
                           port 465 does); needs --tls-cert and --tls-key
  --require-tls            answer MAIL before STARTTLS with 530
  --auth USER:PASS         offer AUTH PLAIN LOGIN and require a login before
                           MAIL (530 otherwise); a wrong one gets 535
  --size N                 advertise SIZE N and refuse a larger message with
                           552 after its data
  --greeting-reply 'CODE TEXT'
                           greet with this instead of 220; a 4xx or 5xx
                           greeting is followed by closing the connection
  --mail-reply 'GLOB=CODE TEXT'
  --rcpt-reply 'GLOB=CODE TEXT'
  --data-reply 'GLOB=CODE TEXT'
                           reply rules: a sender (MAIL) or recipient (RCPT,
                           DATA: any recipient of the message) matching the
                           shell-style GLOB (case-insensitive) gets this reply
                           instead of 250. Repeatable; the first matching
                           rule wins. In TEXT, '|' starts another line of a
                           multi-line reply ("550=5.1.1 a|5.1.1 b" sends
                           "550-5.1.1 a" and "550 5.1.1 b").
  --mail-reply-once RULE, --rcpt-reply-once RULE, --data-reply-once RULE
                           the same, but the rule is used up by its first
                           match (a 4xx that goes away on the next try);
                           "once" rules are tried before the others
  --421-after N            answer the Nth MAIL with "421 4.3.2 ..." and close
                           the connection (repeatable)
  --drop-after-data N      read the whole of the Nth message (counting DATA
                           commands answered with 354) and close the
                           connection without answering (repeatable)
  --delay SECONDS          wait this long before every reply, greeting too
  --delay-data SECONDS     wait this long before the reply to the data only
  --idle-timeout SECONDS   close a connection silent this long (default 300)
  --max-message BYTES      refuse larger messages with 552 (default 50000000)

Log format (--log): one line per event, UTF-8, LF-terminated, flushed at
once and always written before the reply that follows the event, so a client
that has read its reply will find the line:

    EVENT CONN ARG...

CONN is the connection's number, 1 for the first one accepted. ADDR below is
the address between the angle brackets, "<>" for an empty one. Events:

    connect CONN IP:PORT               a client connected
    greeting CONN CODE                 the greeting, when --greeting-reply
    ehlo CONN NAME                     (once per EHLO: a STARTTLS repeats it)
    helo CONN NAME
    starttls CONN                      the TLS handshake after STARTTLS
                                       succeeded (with --implicit-tls:
                                       none, the connection is TLS)
    tls-failed CONN REASON             that handshake failed
    auth CONN MECH USER ok|fail        never the password
    mail CONN ADDR CODE                the reply code given
    rcpt CONN ADDR CODE
    data CONN N                        354 given; N is the server-wide count
    data-accepted CONN RCPT MESSAGE-ID [FILE]
                                       one line per recipient; MESSAGE-ID
                                       without <>, "-" when the message has
                                       none; FILE: the name under DIR/new
    data-rejected CONN RCPT CODE       one line per recipient
    rset CONN
    noop CONN
    drop CONN REASON                   the server closed the connection on
                                       purpose: 421, after-data, greeting,
                                       idle, too-long
    quit CONN                          QUIT answered with 221
    disconnect CONN                    the client went away without QUIT

The reply texts: "250 2.0.0 Ok: queued as N" after the data (N: the
server-wide count of accepted messages), "250 2.1.0 Ok" and "250 2.1.5 Ok"
for MAIL and RCPT.
"""

import argparse
import asyncio
import base64
import fnmatch
import logging
import os
import signal
import ssl
import sys

LINE_MAX = 1 << 20


class Rule:
    def __init__(self, spec, once):
        glob, sep, reply = spec.partition("=")
        code, _, text = reply.partition(" ")
        if not sep or len(code) != 3 or not code.isdigit():
            raise argparse.ArgumentTypeError(
                "a reply rule is GLOB=CODE TEXT, not %r" % spec)
        self.glob = glob.lower()
        self.code = int(code)
        self.lines = text.split("|") if text else [""]
        self.once = once
        self.used = False

    def matches(self, addr):
        return not self.used and fnmatch.fnmatchcase(addr.lower(), self.glob)


class Server:
    def __init__(self, opts):
        self.o = opts
        self.conns = 0
        self.mails = 0
        self.datas = 0
        self.accepted = 0
        self.log = open(opts.log, "a", encoding="utf-8") if opts.log else None
        self.tls = None
        if opts.tls_cert:
            self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls.load_cert_chain(opts.tls_cert, opts.tls_key)
        if opts.maildir:
            for sub in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(opts.maildir, sub), exist_ok=True)
        self.rules = {}
        for kind in ("mail", "rcpt", "data"):
            once = [Rule(s, True) for s in getattr(opts, kind + "_reply_once")]
            always = [Rule(s, False) for s in getattr(opts, kind + "_reply")]
            self.rules[kind] = once + always

    def event(self, *words):
        if self.log:
            self.log.write(" ".join(str(w) for w in words) + "\n")
            self.log.flush()

    def rule(self, kind, addrs):
        for r in self.rules[kind]:
            for a in addrs:
                if r.matches(a):
                    if r.once:
                        r.used = True
                    return r
        return None

    def save(self, data):
        if not self.o.maildir:
            return None
        name = "%06d.eml" % self.accepted
        tmp = os.path.join(self.o.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.o.maildir, "new", name))
        return name

    async def handle(self, reader, writer):
        self.conns += 1
        s = Session(self, self.conns, reader, writer)
        try:
            await s.run()
        except asyncio.TimeoutError:
            # before OSError: since 3.11 it is the builtin TimeoutError
            self.event("drop", s.n, "idle")
            s.abort = True
        except (OSError, asyncio.IncompleteReadError):
            self.event("disconnect", s.n)
        except asyncio.LimitOverrunError:
            self.event("drop", s.n, "too-long")
            s.abort = True
        except Closed:
            pass
        finally:
            if s.abort:
                writer.transport.abort()
            else:
                writer.close()


class Closed(Exception):
    pass


class Session:
    def __init__(self, server, n, reader, writer):
        self.srv = server
        self.o = server.o
        self.n = n
        self.r = reader
        self.w = writer
        self.greeted = False
        self.tls = bool(server.o.implicit_tls)
        self.user = None
        self.abort = False
        self.reset()

    def reset(self):
        self.sender = None
        self.rcpts = []

    async def reply(self, code, *lines, delay=None):
        await asyncio.sleep(self.o.delay if delay is None else delay)
        lines = lines or ("",)
        out = []
        for i, text in enumerate(lines):
            sep = " " if i == len(lines) - 1 else "-"
            out.append("%03d%s%s\r\n" % (code, sep, text))
        self.w.write("".join(out).encode("utf-8", "replace"))
        await self.w.drain()

    async def readline(self):
        return await asyncio.wait_for(self.r.readuntil(b"\n"),
                                      self.o.idle_timeout)

    def drop(self, why):
        """Close now without a reply, as a crash would (RST)."""
        self.srv.event("drop", self.n, why)
        self.abort = True
        raise Closed()

    async def run(self):
        peer = self.w.get_extra_info("peername")
        self.srv.event("connect", self.n, "%s:%s" % (peer[0], peer[1]))
        if self.o.greeting_reply:
            code, _, text = self.o.greeting_reply.partition(" ")
            self.srv.event("greeting", self.n, code)
            if int(code) >= 400:
                self.srv.event("drop", self.n, "greeting")
            await self.reply(int(code), *text.split("|"))
            if int(code) >= 400:
                raise Closed()
        else:
            await self.reply(220, "localhost ESMTP smtpfault")
        while True:
            raw = await self.readline()
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            handler = getattr(self, "cmd_" + verb.lower(), None)
            if handler is None or not verb.isalpha():
                await self.reply(500, "5.5.2 Command not recognized")
                continue
            if await handler(arg.strip()) == "quit":
                return

    def extensions(self):
        ext = ["8BITMIME", "ENHANCEDSTATUSCODES", "PIPELINING"]
        if self.o.size:
            ext.append("SIZE %d" % self.o.size)
        if self.srv.tls and not self.tls:
            ext.append("STARTTLS")
        if self.o.auth:
            ext.append("AUTH PLAIN LOGIN")
        return ext

    async def cmd_ehlo(self, arg):
        self.srv.event("ehlo", self.n, arg or "-")
        self.greeted = True
        self.reset()
        await self.reply(250, "localhost greets " + (arg or "you"),
                         *self.extensions())

    async def cmd_helo(self, arg):
        self.srv.event("helo", self.n, arg or "-")
        self.greeted = True
        self.reset()
        await self.reply(250, "localhost")

    async def cmd_starttls(self, arg):
        if not self.srv.tls or self.tls:
            await self.reply(502, "5.5.1 STARTTLS not available")
            return
        await self.reply(220, "2.0.0 Ready to start TLS")
        try:
            await self.w.start_tls(self.srv.tls)
        except (ssl.SSLError, ConnectionError, OSError) as e:
            self.srv.event("tls-failed", self.n,
                           str(e).replace("\n", " ") or type(e).__name__)
            self.abort = True
            raise Closed()
        self.srv.event("starttls", self.n)
        self.tls = True
        self.greeted = False
        self.user = None
        self.reset()

    async def cmd_auth(self, arg):
        if not self.o.auth or not self.greeted:
            await self.reply(503, "5.5.1 AUTH not available")
            return
        if self.user:
            await self.reply(503, "5.5.1 Already authenticated")
            return
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        want_user, _, want_pass = self.o.auth.partition(":")
        try:
            if mech == "PLAIN":
                resp = initial or await self.challenge("")
                parts = base64.b64decode(resp, validate=True).split(b"\0")
                if len(parts) != 3:
                    raise ValueError
                user, pw = parts[1].decode(), parts[2].decode()
            elif mech == "LOGIN":
                resp = initial or await self.challenge("VXNlcm5hbWU6")
                user = base64.b64decode(resp, validate=True).decode()
                resp = await self.challenge("UGFzc3dvcmQ6")
                pw = base64.b64decode(resp, validate=True).decode()
            else:
                await self.reply(504, "5.5.4 Unrecognized authentication type")
                return
        except Cancelled:
            await self.reply(501, "5.7.0 Authentication cancelled")
            return
        except (ValueError, UnicodeDecodeError):
            await self.reply(501, "5.5.2 Cannot decode response")
            return
        ok = user == want_user and pw == want_pass
        self.srv.event("auth", self.n, mech, user.replace(" ", "_") or "-",
                       "ok" if ok else "fail")
        if ok:
            self.user = user
            await self.reply(235, "2.7.0 Authentication successful")
        else:
            await self.reply(535, "5.7.8 Authentication credentials invalid")

    async def challenge(self, text):
        await self.reply(334, text)
        resp = (await self.readline()).decode("ascii", "replace").strip()
        if resp == "*":
            raise Cancelled()
        return resp

    async def cmd_mail(self, arg):
        if not self.greeted:
            await self.reply(503, "5.5.1 Say EHLO first")
            return
        if self.o.require_tls and not self.tls:
            await self.reply(530, "5.7.0 Must issue a STARTTLS command first")
            return
        if self.o.auth and not self.user:
            await self.reply(530, "5.7.0 Authentication required")
            return
        if self.sender is not None:
            await self.reply(503, "5.5.1 Nested MAIL command")
            return
        addr = path_arg(arg, "FROM:")
        if addr is None:
            await self.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
            return
        self.srv.mails += 1
        if self.srv.mails in self.o.reply_421_after:
            self.srv.event("mail", self.n, addr or "<>", 421)
            self.srv.event("drop", self.n, "421")
            await self.reply(421, "4.3.2 Service shutting down, try again")
            raise Closed()  # a FIN: a RST could destroy the 421 unread
        r = self.srv.rule("mail", [addr])
        code = r.code if r else 250
        self.srv.event("mail", self.n, addr or "<>", code)
        if code < 300:
            self.sender = addr
        if r:
            await self.reply(r.code, *r.lines)
        else:
            await self.reply(250, "2.1.0 Ok")

    async def cmd_rcpt(self, arg):
        if self.sender is None:
            await self.reply(503, "5.5.1 Need MAIL command")
            return
        addr = path_arg(arg, "TO:")
        if not addr:
            await self.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
            return
        r = self.srv.rule("rcpt", [addr])
        code = r.code if r else 250
        self.srv.event("rcpt", self.n, addr, code)
        if code < 300:
            self.rcpts.append(addr)
        if r:
            await self.reply(r.code, *r.lines)
        else:
            await self.reply(250, "2.1.5 Ok")

    async def cmd_data(self, arg):
        if self.sender is None or not self.rcpts:
            await self.reply(503, "5.5.1 Need RCPT command")
            return
        self.srv.datas += 1
        count = self.srv.datas
        self.srv.event("data", self.n, count)
        await self.reply(354, "End data with <CR><LF>.<CR><LF>")
        chunks = []
        size = 0
        while True:
            line = await self.readline()
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size <= self.o.max_message:
                chunks.append(line)
        data = b"".join(chunks)
        rcpts, self.rcpts, self.sender = self.rcpts, [], None
        if count in self.o.drop_after_data:
            self.drop("after-data")
        limit = min(self.o.max_message, self.o.size or self.o.max_message)
        if size > limit:
            r = Rule("*=552 5.3.4 Message too big", False)
        else:
            r = self.srv.rule("data", rcpts)
        delay = self.o.delay + self.o.delay_data
        if r and r.code >= 300:
            for a in rcpts:
                self.srv.event("data-rejected", self.n, a, r.code)
            await self.reply(r.code, *r.lines, delay=delay)
            return
        self.srv.accepted += 1
        name = self.srv.save(data)
        mid = message_id(data)
        for a in rcpts:
            words = ["data-accepted", self.n, a, mid]
            if name:
                words.append(name)
            self.srv.event(*words)
        if r:
            await self.reply(r.code, *r.lines, delay=delay)
        else:
            await self.reply(250, "2.0.0 Ok: queued as %d" % self.srv.accepted,
                             delay=delay)

    async def cmd_rset(self, arg):
        self.srv.event("rset", self.n)
        self.reset()
        await self.reply(250, "2.0.0 Ok")

    async def cmd_noop(self, arg):
        self.srv.event("noop", self.n)
        await self.reply(250, "2.0.0 Ok")

    async def cmd_vrfy(self, arg):
        await self.reply(252, "2.5.2 Cannot VRFY user")

    async def cmd_quit(self, arg):
        self.srv.event("quit", self.n)
        await self.reply(221, "2.0.0 Bye")
        return "quit"


class Cancelled(Exception):
    pass


def path_arg(arg, keyword):
    """The address of 'FROM:<a@b> SIZE=1': 'a@b'; '' for '<>'; None if bad."""
    if not arg.upper().startswith(keyword):
        return None
    rest = arg[len(keyword):].strip()
    if not rest.startswith("<"):
        return None
    end = rest.find(">")
    if end < 0:
        return None
    return rest[1:end]


def message_id(data):
    head = data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    head = head.replace(b"\r\n\t", b" ")
    for line in head.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"message-id":
            v = value.decode("utf-8", "replace").strip().strip("<>").strip()
            return v.replace(" ", "_") or "-"
    return "-"


def options(argv):
    p = argparse.ArgumentParser(prog="smtpfault.py", add_help=True,
                                description="fault-injecting SMTP server "
                                "for tests (see the top of the file)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log")
    p.add_argument("--maildir")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--greeting-reply")
    for kind in ("mail", "rcpt", "data"):
        p.add_argument("--%s-reply" % kind, action="append", default=[])
        p.add_argument("--%s-reply-once" % kind, action="append", default=[])
    p.add_argument("--421-after", dest="reply_421_after", type=int,
                   action="append", default=[])
    p.add_argument("--drop-after-data", type=int, action="append", default=[])
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--delay-data", type=float, default=0.0)
    p.add_argument("--idle-timeout", type=float, default=300.0)
    p.add_argument("--max-message", type=int, default=50000000)
    o = p.parse_args(argv)
    if bool(o.tls_cert) != bool(o.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if o.implicit_tls and not o.tls_cert:
        p.error("--implicit-tls needs --tls-cert and --tls-key")
    if o.auth is not None and ":" not in o.auth:
        p.error("--auth is USER:PASS")
    if o.greeting_reply is not None:
        code = o.greeting_reply.partition(" ")[0]
        if len(code) != 3 or not code.isdigit():
            p.error("--greeting-reply is 'CODE TEXT'")
    for kind in ("mail", "rcpt", "data"):
        for spec in (getattr(o, kind + "_reply") +
                     getattr(o, kind + "_reply_once")):
            try:
                Rule(spec, False)
            except argparse.ArgumentTypeError as e:
                p.error(str(e))
    return o


async def main(argv):
    o = options(argv)
    # asyncio warns on stderr when a TLS client closes ("returning true
    # from eof_received() has no effect"): noise for the tests' output
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    srv = Server(o)
    server = await asyncio.start_server(srv.handle, o.host, o.port,
                                        limit=LINE_MAX + 2,
                                        ssl=srv.tls if o.implicit_tls else None)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    if srv.log:
        srv.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
