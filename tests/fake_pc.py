#!/usr/bin/env python3
"""A fake Partner Center: GET /v1/customers/{c}/batchJobStatus/{t} over HTTPS.

Answers from the scenario table in tests/fixtures/scenarios.json (by tracking id),
checks the bearer token (re-read from --token-file on every request), and appends
one JSON line per request to --request-log with the token masked.

    python3 tests/fake_pc.py --cert DIR/server.pem --key DIR/server.key \\
        --token-file TOKEN --ready-file READY --request-log LOG.jsonl \\
        [--listen 127.0.0.1:0] [--latency-ms N] [--slow-ms N]

stdlib only. Exits 0 on SIGTERM/SIGINT.
"""
import argparse
import base64
import datetime
import hmac
import json
import os
import re
import secrets
import signal
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

KNOWN_CUSTOMER = "47021739-3426-40bf-9601-61b4b6d7c793"
SERVER_ID = "030020344"
PATH_RE = re.compile(r"^/v1/customers/([^/]+)/batchjobstatus/([^/]+)$", re.IGNORECASE)

# Every error description carries this marker so that tests can assert that no
# part of an upstream error body reaches a user.
DETAIL_MARKER = "fakepc-upstream-detail"


def load_scenarios():
    with open(os.path.join(FIXTURES, "scenarios.json"), encoding="utf-8") as f:
        table = json.load(f)
    return table["customer"], {s["tracking"].lower(): s for s in table["scenarios"]}


def read_fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def error_body(code, description):
    return json.dumps({"code": code,
                       "description": "%s (%s)" % (description, DETAIL_MARKER),
                       "data": [], "source": "PartnerFD"}).encode("utf-8")


THROTTLE_BODY = json.dumps({"statusCode": 429,
                            "message": "Rate limit is exceeded. Try again in 57 seconds."}
                           ).encode("utf-8")

ERRORS = {
    401: (900, "Authentication failed: the bearer token is missing, invalid or expired"),
    403: (2001, "Forbidden: the partner is not authorized to access this customer"),
    404: (600039, "The batch job was not found"),
    500: (5000, "Internal server error. Something unexpected happened at PartnerFD"),
    503: (5003, "Service unavailable: PartnerFD is temporarily overloaded"),
}


class Answer:
    """What to send: status, extra headers, body as bytes or a (length, chunk iterator)."""

    def __init__(self, status, body=b"", headers=None, content_type="application/json; charset=utf-8",
                 stream=None, delay_ms=0, hangup=False):
        self.status = status
        self.body = body
        self.headers = headers or []
        self.content_type = content_type
        self.stream = stream          # (content_length, callable returning an iterator)
        self.delay_ms = delay_ms
        self.hangup = hangup


def error_answer(status):
    code, desc = ERRORS[status]
    headers = [("WWW-Authenticate", "Bearer")] if status == 401 else []
    return Answer(status, error_body(code, desc), headers)


# --- generated bodies -------------------------------------------------------

def oversized_stream(tracking, target=40 * 1024 * 1024, dev_size=64 * 1024):
    """A valid ~40 MiB batch, produced device by device; returns (length, factory)."""
    head = ('{"batchTrackingId": "%s", "status": "finished", '
            '"startedTime": "2024-03-01T08:00:00", "completedTime": "2024-03-01T08:10:00", '
            '"devicesStatus": [' % tracking).encode()
    tail = b'], "attributes": {"objectType": "BatchUploadDetails"}}\n'
    template = ('{"serialNumber": "BIG-%06d-%s", "productKey": "", "status": "finished", '
                '"errorCode": "", "errorDescription": ""}')
    pad = dev_size - len((template % (0, "")).encode())
    count = max(1, (target - len(head) - len(tail)) // (dev_size + 1))

    def device(i):
        return (template % (i, "A" * pad)).encode()

    length = len(head) + len(tail) + count * dev_size + (count - 1)

    def chunks():
        yield head
        for i in range(count):
            yield (b"," if i else b"") + device(i + 1)
        yield tail

    return length, chunks


_deep_body = None


def deep_body():
    global _deep_body
    if _deep_body is None:
        _deep_body = b'{"x":' + b"[" * 100000 + b"]" * 100000 + b"}"
    return _deep_body


def processing_body(fixture):
    doc = json.loads(fixture.decode("utf-8"))
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=4)
    doc["startedTime"] = started.strftime("%Y-%m-%dT%H:%M:%S")
    return (json.dumps(doc, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def slow_body(fixture, tracking):
    doc = json.loads(fixture.decode("utf-8"))
    doc["batchTrackingId"] = tracking
    return (json.dumps(doc, indent=4) + "\n").encode("utf-8")


def scenario_answer(s, slow_ms):
    name = s["name"]
    if name == "hangup":
        return Answer(None, hangup=True)
    if name == "throttled":
        return Answer(429, THROTTLE_BODY, [("Retry-After", "57")])
    if s["upstream_status"] in ERRORS:
        return error_answer(s["upstream_status"])
    if name == "processing":
        return Answer(200, processing_body(read_fixture(s["fixture"])))
    if name == "slow":
        return Answer(200, slow_body(read_fixture(s["fixture"]), s["tracking"]), delay_ms=slow_ms)
    if name == "oversized":
        return Answer(200, stream=oversized_stream(s["tracking"]))
    if name == "deep":
        return Answer(200, deep_body())
    if name == "html":
        return Answer(200, read_fixture(s["fixture"]), content_type="text/html; charset=utf-8")
    return Answer(200, read_fixture(s["fixture"]))


# --- the server -------------------------------------------------------------

def random_cv():
    raw = base64.b64encode(secrets.token_bytes(12)).decode().replace("+", "A").replace("/", "B")
    return raw[:16] + ".0"


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, opts, ssl_ctx):
        super().__init__(addr, Handler)
        self.opts = opts
        self.ssl_ctx = ssl_ctx
        self.log_lock = threading.Lock()
        self.customer, self.scenarios = load_scenarios()
        self.request_log = open(opts.request_log, "a", encoding="utf-8")

    def token(self):
        try:
            with open(self.opts.token_file, encoding="utf-8", errors="replace") as f:
                return f.read().strip()
        except OSError:
            return ""

    def log_request_line(self, entry):
        line = json.dumps(entry, ensure_ascii=False)
        with self.log_lock:
            self.request_log.write(line + "\n")
            self.request_log.flush()

    def handle_error(self, request, client_address):
        # TLS handshake failures, resets, timeouts: one short line, no traceback.
        exc = sys.exc_info()[1]
        sys.stderr.write("fake-pc: connection error: %s\n" % type(exc).__name__)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PartnerCenterFake/1.0"
    sys_version = ""
    timeout = 120  # idle keep-alive connections

    # --- connection plumbing: TLS handshake in the worker thread, quiet errors
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

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's name
        pass

    # --- requests
    def do_GET(self):
        self.answer_request(get=True)

    def do_other(self):
        self.answer_request(get=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_other

    def auth_state(self, token):
        got = self.headers.get("Authorization")
        if got is None:
            return "missing"
        if token and hmac.compare_digest(got.encode("utf-8", "replace"),
                                         ("Bearer " + token).encode("utf-8")):
            return "ok"
        return "wrong"

    def answer_request(self, get):
        opts = self.server.opts
        token = self.server.token()
        auth = self.auth_state(token)

        # Drain a request body so the connection stays usable.
        length = self.headers.get("Content-Length")
        if length:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if 0 <= n <= 1 << 20:
                self.rfile.read(n)
            else:
                self.close_connection = True

        path = self.path.split("?", 1)[0]
        m = PATH_RE.match(path)
        if not get:
            ans = Answer(405, error_body(3000, "The requested method is not allowed"),
                         [("Allow", "GET")])
        elif auth != "ok":
            ans = error_answer(401)
        elif not m:
            ans = Answer(404, error_body(404, "The requested resource was not found"))
        elif m.group(1).lower() != self.server.customer:
            ans = Answer(404, error_body(600016, "The customer was not found"))
        elif m.group(2).lower() not in self.server.scenarios:
            ans = error_answer(404)
        else:
            ans = scenario_answer(self.server.scenarios[m.group(2).lower()], opts.slow_ms)

        self.record(auth, token, ans)
        delay = opts.latency_ms + ans.delay_ms
        if delay > 0:
            time.sleep(delay / 1000.0)
        if ans.hangup:
            self.close_connection = True
            return
        self.send_answer(ans)

    def record(self, auth, token, ans):
        leak = False

        def scrub(value):
            nonlocal leak
            if token and token in value:
                leak = True
                return value.replace(token, "<token>")
            return value

        headers = {}
        for name, value in self.headers.items():
            if name.lower() == "authorization":
                value = {"ok": "Bearer <ok>", "wrong": "Bearer <wrong>"}[auth]
            else:
                value = scrub(value)
            headers[name] = headers[name] + ", " + value if name in headers else value
        if auth == "missing":
            headers["Authorization"] = "<missing>"
        entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "method": self.command,
            "path": scrub(self.path),
            "headers": headers,
            "status": ans.status,
        }
        if leak:
            entry["token_leak"] = True
        self.server.log_request_line(entry)
        sys.stderr.write("fake-pc: %s %s -> %s\n" % (self.command, entry["path"][:200],
                                                     ans.status if ans.status else "hangup"))

    def send_answer(self, ans):
        corr = self.headers.get("MS-CorrelationId") or str(uuid.uuid4())
        reqid = self.headers.get("MS-RequestId") or str(uuid.uuid4())
        if ans.stream:
            length, chunks = ans.stream
        else:
            length, chunks = len(ans.body), None
        self.send_response(ans.status)
        for name, value in ans.headers:
            self.send_header(name, value)
        self.send_header("MS-CorrelationId", corr)
        self.send_header("MS-RequestId", reqid)
        self.send_header("MS-CV", random_cv())
        self.send_header("MS-ServerId", SERVER_ID)
        self.send_header("Content-Type", ans.content_type)
        self.send_header("Content-Length", str(length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunks:
            for chunk in chunks():
                self.wfile.write(chunk)
        else:
            self.wfile.write(ans.body)


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
    ap = argparse.ArgumentParser(description="fake Partner Center batch status API")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--request-log", required=True)
    ap.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 0))
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--slow-ms", type=int, default=30000)
    opts = ap.parse_args(argv)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(opts.cert, opts.key)

    server = FakeServer(opts.listen, opts, ctx)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                            daemon=True)
    loop.start()
    port = server.server_address[1]
    write_ready(opts.ready_file, port)
    sys.stderr.write("fake-pc: listening on https://%s:%d/\n" % (opts.listen[0], port))
    sys.stderr.flush()

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    try:
        os.unlink(opts.ready_file)
    except OSError:
        pass
    sys.stderr.write("fake-pc: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
