#!/usr/bin/env python3
"""A webhook receiver over HTTPS: where batchstatus's notifications go in the demo
(scripts/run.sh with DEMO_NOTIFY=1) and in tests (tests/blackbox/harness.py).

Every POST to a path other than /_control is a delivery: it is answered 200 {"ok":true}
unless steered, logged (one JSON line per delivery to --log, and kept for GET /_log) and
shown on stdout in one or two lines: the path, the status answered, the Idempotency-Key
and what the payload says (a Slack {"text"}, a Teams Workflows message's Adaptive Card
as its texts, facts and links, any other JSON compact). A log line, and an element of
GET /_log's array, is {"time": epoch seconds, "path", "method", "headers" (lower-case
names, repeats joined with ", "), "body" (text, UTF-8 with replacements), "json" (the
body parsed, or null), "answered" (the status sent)}; a body over --max-body (1 MiB)
is answered 413 unread, logged with "body": "", "too_large": true. A delivery is in the
log before its answer is sent.

Steered per path (the path without its query) with POST /_control, a JSON object:
    {"path": "/x", "fail": [503, 503, 503]}   the next three deliveries to /x answer
                                               these, in order; then 200 again
    {"path": "/x", "status": 400}             every delivery to /x answers 400 ...
    {"path": "/x", "status": null}            ... until this
    {"path": "/x", "delay_ms": N}             answers to /x wait N ms (null or 0: none)
    {"path": "/x", "retry_after": "5"}        failed answers to /x carry Retry-After: 5
    {"reset": true}                           every path's settings dropped
keys left out keep their value; the answer is that path's settings now. GET /_control
lists every path's settings; GET /_log (optionally ?path=/x) the deliveries so far.

    python3 tests/webhook_receiver.py --cert DIR/server.pem --key DIR/server.key \\
        [--listen 127.0.0.1:0] [--ready-file READY] [--log DELIVERIES.jsonl] [--max-body BYTES]

--ready-file gets the bound port (written atomically) once it listens. stdlib only.
Exits 0 on SIGTERM/SIGINT.
"""
import argparse
import json
import os
import signal
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20
SHOW = 300           # characters of a payload shown on stdout
CONTROL_KEYS = {"path", "fail", "status", "delay_ms", "retry_after", "reset"}
DEFAULTS = {"fail": [], "status": None, "delay_ms": 0, "retry_after": None}


def valid_status(v):
    return isinstance(v, int) and not isinstance(v, bool) and 200 <= v <= 599


class Receiver:
    """The deliveries so far and the per-path settings, shared by the handler threads."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.deliveries = []
        self.settings = {}
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None

    def control(self, doc):
        if not isinstance(doc, dict):
            raise ValueError("a JSON object is wanted")
        unknown = set(doc) - CONTROL_KEYS
        if unknown:
            raise ValueError("unknown keys %s (known: %s)" % (sorted(unknown), sorted(CONTROL_KEYS)))
        if doc.get("reset") is True:
            if set(doc) != {"reset"}:
                raise ValueError("reset goes alone")
            with self.lock:
                self.settings.clear()
            return {}
        if "reset" in doc:
            raise ValueError("reset must be true")
        path = doc.get("path")
        if not isinstance(path, str) or not path.startswith("/") or path == "/_control":
            raise ValueError("path must be a path like /slack (not /_control)")
        fail = doc.get("fail", [])
        if fail is None:
            fail = []
        if not isinstance(fail, list) or not all(valid_status(s) for s in fail):
            raise ValueError("fail must be a list of HTTP statuses (200 to 599)")
        if "status" in doc and doc["status"] is not None and not valid_status(doc["status"]):
            raise ValueError("status must be an HTTP status (200 to 599) or null")
        delay = doc.get("delay_ms", 0)
        if delay is not None and (not isinstance(delay, int) or isinstance(delay, bool)
                                  or not 0 <= delay <= 600000):
            raise ValueError("delay_ms must be 0 to 600000 or null")
        ra = doc.get("retry_after")
        if ra is not None and (not isinstance(ra, str) or not ra.isprintable()):
            raise ValueError("retry_after must be a string (the raw header value) or null")
        with self.lock:
            cur = self.settings.setdefault(path, {k: (list(v) if isinstance(v, list) else v)
                                                  for k, v in DEFAULTS.items()})
            if "fail" in doc:
                cur["fail"] = list(fail)
            if "status" in doc:
                cur["status"] = doc["status"]
            if "delay_ms" in doc:
                cur["delay_ms"] = delay or 0
            if "retry_after" in doc:
                cur["retry_after"] = ra
            return json.loads(json.dumps(cur))

    def all_settings(self):
        with self.lock:
            return json.loads(json.dumps(self.settings))

    def decide(self, path):
        """(status, delay in seconds, Retry-After or None) for one delivery to path."""
        with self.lock:
            cur = self.settings.get(path)
            if not cur:
                return 200, 0.0, None
            if cur["fail"]:
                status = cur["fail"].pop(0)
            elif cur["status"] is not None:
                status = cur["status"]
            else:
                status = 200
            return status, cur["delay_ms"] / 1000.0, cur["retry_after"]

    def record(self, entry):
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock:
            self.deliveries.append(entry)
            if self.log:
                self.log.write(line + "\n")
                self.log.flush()

    def log_entries(self, path=None):
        with self.lock:
            return [e for e in self.deliveries
                    if path is None or urllib.parse.urlsplit(e["path"]).path == path]


# --- what a delivery shows on stdout ---------------------------------------------

def q(s, n=SHOW):
    """A string quoted and escaped (no control characters reach the terminal), cut to n."""
    s = s if isinstance(s, str) else json.dumps(s, ensure_ascii=False)
    if len(s) > n:
        s = s[:n] + "…"
    return json.dumps(s, ensure_ascii=False)


def compact(doc, n=SHOW):
    s = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return s if len(s) <= n else s[:n] + "…"


def card_parts(node, out):
    """Texts, facts and links of an Adaptive Card, in document order."""
    if isinstance(node, list):
        for x in node:
            card_parts(x, out)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
        out.append(q(node["text"], 160))
    elif kind == "RichTextBlock":
        card_parts(node.get("inlines"), out)
    elif kind == "FactSet" and isinstance(node.get("facts"), list):
        out.append(", ".join("%s %s" % (q(f.get("title", ""), 60), q(f.get("value", ""), 100))
                             for f in node["facts"] if isinstance(f, dict)))
    elif kind == "Action.OpenUrl":
        out.append("[%s] %s" % (q(node.get("title", ""), 60), q(node.get("url", ""), 200)))
    for key in ("body", "items", "columns", "actions"):
        if key in node:
            card_parts(node[key], out)
    if isinstance(node.get("selectAction"), dict):
        card_parts(node["selectAction"], out)


def describe(doc):
    """What the payload says, for a person watching the terminal: one or more lines."""
    if doc is None:
        return ["(not JSON)"]
    if isinstance(doc, dict) and doc.get("type") == "message" and "attachments" in doc:
        atts = doc.get("attachments")
        if not (isinstance(atts, list) and atts and isinstance(atts[0], dict)):
            return ["teams message without attachments: " + compact(doc)]
        att = atts[0]
        if att.get("contentType") != "application/vnd.microsoft.card.adaptive":
            return ["teams attachment of contentType %s: %s" % (q(att.get("contentType")), compact(doc))]
        card = att.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
            return ["teams attachment whose content is no AdaptiveCard: " + compact(doc)]
        parts = []
        card_parts(card, parts)
        return ["teams AdaptiveCard %s: %s" % (card.get("version", "?"), " | ".join(parts) or "(empty)")]
    if isinstance(doc, dict) and isinstance(doc.get("text"), str) and set(doc) <= {"text", "blocks", "mrkdwn"}:
        return ["text=" + q(doc["text"], 500)]
    return ["json " + compact(doc)]


def say(line):
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        pass  # the terminal (or tee) went first


# --- HTTP ----------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, ssl_ctx, receiver, max_body):
        super().__init__(addr, Handler)
        self.ssl_ctx = ssl_ctx
        self.receiver = receiver
        self.max_body = max_body

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        sys.stderr.write("webhook receiver: connection error: %s: %s\n" % (type(exc).__name__, exc))
        sys.stderr.flush()


class BodyTooLarge(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WebhookReceiver/1.0"
    sys_version = ""
    timeout = 60

    def setup(self):
        self.request.settimeout(30)
        self.request = self.server.ssl_ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (OSError, ValueError):
            self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        try:
            self.request.close()
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's name
        pass

    def handle_expect_100(self):
        # A body announced too large is refused before the client sends it.
        if self.declared_length() > self.server.max_body:
            return True  # the 413 is sent by do_POST, unread
        return super().handle_expect_100()

    def declared_length(self):
        n = self.headers.get("Content-Length")
        if n is None:
            return 0
        try:
            return int(n) if int(n) >= 0 else -1
        except ValueError:
            return -1

    def read_body(self):
        """The body (Content-Length or chunked) up to max_body; BodyTooLarge past it,
        ValueError for bad framing."""
        limit = self.server.max_body
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                total += size
                if total > limit:
                    raise BodyTooLarge()
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)
        n = self.declared_length()
        if n < 0:
            raise ValueError("bad Content-Length")
        if n > limit:
            raise BodyTooLarge()
        return self.rfile.read(n) if n else b""

    def send_json(self, status, doc, headers=()):
        body = (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        rec = self.server.receiver
        if u.path == "/_log":
            only = urllib.parse.parse_qs(u.query).get("path", [None])[0]
            self.send_json(200, rec.log_entries(only))
        elif u.path == "/_control":
            self.send_json(200, rec.all_settings())
        else:
            self.send_json(404, {"ok": False, "error": "deliveries are POSTs; GET /_log, /_control"})

    do_HEAD = do_GET

    def do_other(self):
        self.close_connection = True
        self.send_json(405, {"ok": False, "error": "only POST (deliveries, /_control) and GET"},
                       [("Allow", "GET, HEAD, POST")])

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_other

    def do_POST(self):
        received = time.time()
        path_only = urllib.parse.urlsplit(self.path).path
        too_large = False
        try:
            body = self.read_body()
        except BodyTooLarge:
            body, too_large = b"", True
            self.close_connection = True
        except (ValueError, OSError):
            self.close_connection = True
            self.send_json(400, {"ok": False, "error": "a body with Content-Length or chunked, please"})
            return
        text = body.decode("utf-8", "replace")
        try:
            doc = json.loads(text) if text.strip() else None
        except ValueError:
            doc = None
        rec = self.server.receiver
        if path_only == "/_control":
            try:
                if too_large or doc is None:
                    raise ValueError("a JSON object is wanted")
                self.send_json(200, rec.control(doc))
            except ValueError as e:
                self.send_json(400, {"ok": False, "error": str(e)})
            return
        status, delay, retry_after = rec.decide(path_only)
        if too_large:
            status = 413
        if delay:
            time.sleep(delay)
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = headers[k] + ", " + v if k in headers else v
        entry = {"time": received, "path": self.path, "method": self.command, "headers": headers,
                 "body": text, "json": doc, "answered": status}
        if too_large:
            entry["too_large"] = True
        rec.record(entry)
        self.show(entry, len(body))
        extra = [("Retry-After", retry_after)] if retry_after is not None and status >= 400 else []
        if status < 300:
            self.send_json(status, {"ok": True})
        else:
            self.send_json(status, {"ok": False, "status": status,
                                    "error": "too large" if too_large else "steered by /_control"}, extra)

    def show(self, e, size):
        h = e["headers"]
        key = h.get("idempotency-key")
        first = "webhook receiver: %s %s %d Idempotency-Key=%s" % (
            e["method"], q(e["path"], 120)[1:-1], e["answered"], q(key, 120)[1:-1] if key else "(none!)")
        ctype = h.get("content-type", "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            first += " Content-Type=%s" % q(ctype, 80)
        if e.get("too_large"):
            say(first + " body over %d bytes, not read" % self.server.max_body)
            return
        if e["json"] is not None:
            lines = describe(e["json"])
        elif e["body"]:
            lines = ["(not JSON, %d bytes) %s" % (size, q(e["body"], 200))]
        else:
            lines = ["(empty body)"]
        if lines[0].startswith("text="):
            say(first + " " + lines[0])
            lines = lines[1:]
        else:
            say(first)
        for line in lines:
            say("    " + line)


def parse_listen(value):
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("--listen wants HOST:PORT, got %r" % value)
    return host.strip("[]"), int(port)


def write_ready(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="an HTTPS webhook receiver for batchstatus's notifications")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 0))
    ap.add_argument("--ready-file")
    ap.add_argument("--log", help="one JSON line per delivery (appended)")
    ap.add_argument("--max-body", type=int, default=MAX_BODY)
    opts = ap.parse_args(argv)
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError):
        pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(opts.cert, opts.key)
    server = Server(opts.listen, ctx, Receiver(opts.log), opts.max_body)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    port = server.server_address[1]
    if opts.ready_file:
        write_ready(opts.ready_file, port)
    say("webhook receiver: listening on https://%s:%d/ (deliveries: any POST; GET /_log)"
        % (opts.listen[0], port))

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    if opts.ready_file:
        try:
            os.unlink(opts.ready_file)
        except OSError:
            pass
    say("webhook receiver: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
