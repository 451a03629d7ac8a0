"""The black-box harness every suite under tests/blackbox/ shares: the stack, the HTTP client, common helpers, one @test registry and one runner.

A suite declares its tests with @test(group) and its groups (what the tests of a group run
against: a Stack, or another Fixture) and ends with

    sys.exit(harness.main("name", [Group("main", lambda: Stack("main", env)), ...]))

which runs each selected test under its name, prints `ok  name` / `FAIL name: why`, and
ends with `name: N passed, N failed` (the line tests/run_all.sh adds up); exit 1 when any
failed. Arguments: -v (timings on stderr), -k SUBSTRING (only the tests whose name has it).
stdlib only.
"""
import html.parser
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
# BLACKBOX_RUN_SH: another launcher with run.sh's contract (for testing the tests).
RUN_SH = os.environ.get("BLACKBOX_RUN_SH") or os.path.join(ROOT, "scripts", "run.sh")
# BLACKBOX_RUN_ROOT: where the stacks' RUN_DIRs go (default build/test-run).
RUN_ROOT = os.path.join(ROOT, os.environ.get("BLACKBOX_RUN_ROOT") or os.path.join("build", "test-run"))
# The server under test (a sanitizer build through BATCHSTATUS_BIN), for suites that start it themselves.
BIN = os.path.join(ROOT, os.environ.get("BATCHSTATUS_BIN") or os.path.join("build", "batchstatus"))
# Inherited settings that would point the stack elsewhere are dropped; the rest
# (BATCHSTATUS_BIN for a sanitizer build, ...) pass through to scripts/run.sh.
DROP_ENV = ("BATCHSTATUS_PC_BASE_URL", "BATCHSTATUS_TOKEN_FILE", "BATCHSTATUS_CA_FILE",
            "BATCHSTATUS_LISTEN", "BATCHSTATUS_MAX_BODY_BYTES", "BATCHSTATUS_UPSTREAM_TIMEOUT_MS",
            "BATCHSTATUS_CONFIG", "BATCHSTATUS_MAX_WAITING", "BATCHSTATUS_MAX_DEVICES",
            "BATCHSTATUS_UPSTREAM_CONNECTIONS", "BATCHSTATUS_THREADS", "BATCHSTATUS_MAX_RETRY_AFTER",
            "BATCHSTATUS_STALE_SECONDS", "BATCHSTATUS_NOTIFY_FILE", "BATCHSTATUS_STATE_DIR",
            "BATCHSTATUS_PUBLIC_URL", "DEMO_NOTIFY", "PORT", "RUN_DIR")

sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)
import fake_pc  # noqa: E402  (its markers and limits, and the in-process fake of test_faults)
import fcgi_client  # noqa: E402

with open(os.path.join(FIXTURES, "scenarios.json"), encoding="utf-8") as _f:
    _table = json.load(_f)
C = _table["customer"]
T = {s["name"]: s["tracking"] for s in _table["scenarios"]}
OTHER_CUSTOMER = "5b8e2c1a-0000-4a4a-9c9c-123456789abc"

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HTTP_TIMEOUT = 20.0
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

# The standard reason phrase (RFC 9110) of every status the application sends; nginx passes
# the application's status line through as it is, so a wrong phrase reaches the browser.
REASONS = {200: "OK", 303: "See Other", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def fixture_json(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return json.loads(data.decode("utf-8"))


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def short(s, n=160):
    s = s if isinstance(s, str) else repr(s)
    return s if len(s) <= n else s[:n] + "..."


# --- a small HTML tree ------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = {}
        for k, v in attrs:
            self.attrs.setdefault(k, v if v is not None else "")
        self.parent = parent
        self.children = []  # Node or str

    def classes(self):
        return self.attrs.get("class", "").split()

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag=None, **attrs):
        out = []
        for n in self.iter():
            if tag and n.tag != tag:
                continue
            if all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()):
                out.append(n)
        return out

    def text(self):
        parts = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag not in ("script", "style"):
                    parts.append(c.text())
            else:
                parts.append(c)
        return "".join(parts)


class TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.all_tags = []  # (tag, attrs) of every start tag, for hostile checks

    def handle_starttag(self, tag, attrs):
        self.all_tags.append((tag, attrs))
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.all_tags.append((tag, attrs))
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(body):
    tb = TreeBuilder()
    tb.feed(body)
    tb.close()
    return tb


def norm_ws(s):
    return re.sub(r"\s+", " ", s).strip()


def text_chunks(root):
    """Visible text, one normalised string per text node."""
    out = []

    def walk(n):
        for c in n.children:
            if isinstance(c, Node):
                if c.tag not in ("script", "style", "head"):
                    walk(c)
            else:
                t = norm_ws(c)
                if t:
                    out.append(t)
    walk(root)
    return out


# --- the HTTP client ----------------------------------------------------------

class Resp:
    """One HTTP answer: the status line's parts, every header as received, the body."""

    def __init__(self, status, headers, body, elapsed, method="GET", path="/", reason="",
                 version="HTTP/1.1"):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason          # the reason phrase as sent ("Forbidden"; "" if none)
        self.version = version
        self.headers = headers        # [(name, value)], repeated ones included, in order
        self.body = body
        self.elapsed = elapsed
        self._tree = None

    @property
    def status_line(self):
        return ("%s %d %s" % (self.version, self.status, self.reason)).rstrip()

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def tree(self):
        if self._tree is None:
            self._tree = parse_html(self.text)
        return self._tree

    def where(self):
        return "%s, body %s" % (self.status_line, short(self.text, 300))


def http_request(port, path, method="GET", headers=None, body=None, timeout=HTTP_TIMEOUT,
                 max_body=64 << 20):
    """One request on a connection of its own to 127.0.0.1:port; the answer as a Resp."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t0 = time.monotonic()
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        data = r.read(max_body)
        version = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1"}.get(r.version, "HTTP/?")
        # getheaders() is every header line in order, repeats included (email.message's list).
        return Resp(r.status, r.getheaders(), data, time.monotonic() - t0, method, path,
                    reason=r.reason, version=version)
    except (OSError, http.client.HTTPException) as e:
        raise Failure("%s %s: no HTTP answer (%s: %s) after %.1fs"
                      % (method, short(path, 80), type(e).__name__, e, time.monotonic() - t0))
    finally:
        conn.close()


# --- fixtures: what a group of tests runs against ------------------------------

class Fixture:
    """Started before the first test of its group and stopped after the last, even when
    one fails. setup() and teardown() return their own checks, [(name, error or None)],
    reported like tests; a failed setup check fails the group's tests unrun."""
    name = "fixture"

    def setup(self):
        return []

    def teardown(self):
        return []

    def log_tail(self, n=25):
        return ""


class Stack(Fixture):
    """One scripts/run.sh: nginx + batchstatus + the fake Partner Center (RUN_DIR
    RUN_ROOT/<name>-<port>). after_stop: functions (stack) -> [(name, error or None)],
    more checks once it has stopped (a suite's own hygiene). With DEMO_NOTIFY=1 in
    extra_env, run.sh also starts tests/webhook_receiver.py as the json, slack and teams
    targets (https://127.0.0.1:receiver_port/json, /slack, /teams): receiver_deliveries(),
    receiver_control(doc), receiver_url(path)."""

    def __init__(self, name, extra_env=None, after_stop=()):
        self.name = name
        self.port = free_port()
        self.run_dir = os.path.join(RUN_ROOT, "%s-%d" % (name, self.port))
        self.extra_env = extra_env or {}
        self.after_stop = list(after_stop)
        self.proc = None
        self.responses = []           # every Resp received, for token hygiene
        self.tokens = set()           # every token this stack ever had
        self.start_error = None
        self.stdout_path = None
        self.stopped_rc = None
        self.receiver_port = None     # the webhook receiver's (DEMO_NOTIFY=1)

    # lifecycle, as checks
    def describe(self):
        """What sets this stack apart, for its start check: NODES=3, DEMO_SIGNIN=user..."""
        shown = [k for k in ("NODES", "DEMO_SIGNIN", "MOUNT_PREFIX", "DEMO_NOTIFY") if k in self.extra_env]
        return "".join(" %s=%s" % (k, self.extra_env[k]) for k in shown)

    def setup(self):
        started = self.start()
        checks = [("%s: stack starts (scripts/run.sh%s, ready file)" % (self.name, self.describe()),
                   None if started else self.start_error)]
        if started:
            with open(self.stdout_path, "rb") as f:
                said = f.read().decode("utf-8", "replace")
            url = "http://127.0.0.1:%d/" % self.port
            checks.append(("%s: run.sh prints the URL" % self.name,
                           None if url in said else "no line with %s in its output" % url))
        return checks

    def teardown(self):
        if self.proc is None:
            return []
        took = self.stop()
        checks = [("%s: run.sh stops on SIGTERM within %ds" % (self.name, STOP_TIMEOUT),
                   None if took is not None else "still running after %ds" % STOP_TIMEOUT)]
        if took is not None:
            left = processes_using(self.run_dir)
            redis = " (Redis included)" if self.extra_env.get("NODES", "1") != "1" else ""
            checks.append(("%s: nothing left running%s" % (self.name, redis),
                           None if not left else "still running: %s" % "; ".join(left[:3])))
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                checks.append(("%s: port closed after stop" % self.name,
                               "something still listens on %d" % self.port))
            except OSError:
                checks.append(("%s: port closed after stop" % self.name, None))
        self.kill_leftovers()
        if self.start_error is None:
            if self.tokens:
                p = token_hygiene(self)
                checks.append(("%s: token in no response, log or URL" % self.name,
                               "; ".join(p) if p else None))
            for fn in self.after_stop:
                checks.extend(fn(self))
        return checks

    # lifecycle, the steps
    def start(self):
        if not os.path.exists(RUN_SH):
            self.start_error = "%s does not exist" % RUN_SH
            return False
        self.remove_old_runs()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        os.makedirs(self.run_dir)
        env = {k: v for k, v in os.environ.items()
               if k not in DROP_ENV and not k.startswith("FAKE_PC_")}
        env.update({
            "PORT": str(self.port),
            "RUN_DIR": self.run_dir,
            "FAKE_PC_LATENCY_MS": "0",
            "FAKE_PC_SLOW_MS": "10000",
            "BATCHSTATUS_UPSTREAM_TIMEOUT_MS": "2000",
        })
        env.update(self.extra_env)
        self.stdout_path = os.path.join(os.path.dirname(self.run_dir),
                                        "%s-%d.run-sh.out" % (self.name, self.port))
        out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen([RUN_SH], cwd=ROOT, env=env, stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        out.close()
        ready = os.path.join(self.run_dir, "ready")
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if os.path.exists(ready):
                break
            if self.proc.poll() is not None:
                self.start_error = "scripts/run.sh exited with %s before ready" % self.proc.returncode
                return False
            time.sleep(0.1)
        else:
            self.start_error = "no %s after %ds" % (ready, READY_TIMEOUT)
            return False
        for tok in (self.token_path(), os.path.join(self.run_dir, "client-secret")):
            if os.path.exists(tok):
                self.tokens.add(read_token(tok))
        if self.extra_env.get("DEMO_NOTIFY") == "1":
            try:
                with open(os.path.join(self.run_dir, "webhook-receiver.port"), encoding="ascii") as f:
                    self.receiver_port = int(f.read().strip())
            except (OSError, ValueError) as e:
                self.start_error = "DEMO_NOTIFY=1 but no webhook receiver port (%s)" % e
                return False
        return True

    def remove_old_runs(self, age=600):
        """Earlier runs' directories of this stack: gone once stopped and 10 min old
        (a running stack keeps its ready file, so concurrent runs are left alone)."""
        parent = os.path.dirname(self.run_dir)
        if not os.path.isdir(parent):
            return
        now = time.time()
        for fn in os.listdir(parent):
            if not re.fullmatch(r"%s-\d+(\.run-sh\.out)?" % re.escape(self.name), fn):
                continue
            p = os.path.join(parent, fn)
            try:
                if now - os.stat(p).st_mtime < age or os.path.exists(os.path.join(p, "ready")):
                    continue
                if os.path.isdir(p):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)
            except OSError:
                pass

    def stop(self):
        """SIGTERM to run.sh; returns the seconds it took, or None if it did not exit."""
        if not self.proc or self.proc.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.stopped_rc = self.proc.wait(STOP_TIMEOUT)
            return time.monotonic() - t0
        except subprocess.TimeoutExpired:
            return None

    def kill_leftovers(self):
        """Last resort for a run.sh that ignored SIGTERM: its own process group."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def token_path(self):
        return self.extra_env.get("BATCHSTATUS_TOKEN_FILE") or os.path.join(self.run_dir, "token")

    def log(self, name="batchstatus"):
        """The text of one log under RUN_DIR/logs (batchstatus, batchstatus-2, fake-pc...)."""
        with open(os.path.join(self.run_dir, "logs", name + ".log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def logs_text(self):
        """Every log under RUN_DIR/logs, one after the other."""
        out = []
        logs = os.path.join(self.run_dir, "logs")
        for p in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
            with open(os.path.join(logs, p), "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
        return "\n".join(out)

    def log_tail(self, n=25):
        out = []
        paths = [self.stdout_path] if self.stdout_path else []
        logs = os.path.join(self.run_dir, "logs")
        if os.path.isdir(logs):
            paths += sorted(os.path.join(logs, p) for p in os.listdir(logs))
        for p in paths:
            try:
                with open(p, "rb") as f:
                    lines = f.read().decode("utf-8", "replace").splitlines()[-n:]
            except OSError:
                continue
            out.append("--- %s" % os.path.relpath(p, ROOT))
            out.extend("    " + l for l in lines)
        text = "\n".join(out)
        for tok in self.tokens:
            text = text.replace(tok, "<TOKEN>")
        return text

    # HTTP, through nginx
    def request(self, path, method="GET", headers=None, body=None, timeout=HTTP_TIMEOUT,
                max_body=64 << 20):
        resp = http_request(self.port, path, method, headers, body, timeout, max_body)
        self.responses.append(resp)
        return resp

    def get(self, path, **kw):
        return self.request(path, **kw)

    # the fake's request log
    def fake_log_path(self):
        return os.path.join(self.run_dir, "fake-requests.jsonl")

    def fake_entries(self):
        try:
            with open(self.fake_log_path(), encoding="utf-8") as f:
                entries = [json.loads(l) for l in f if l.strip()]
        except OSError:
            return []
        # Partner Center's calls only; the fake's sign-in logs to the same file.
        return [e for e in entries if e.get("listener") != "signin"]

    def fake_count(self):
        return len(self.fake_entries())

    # the webhook receiver (DEMO_NOTIFY=1): where the server's notifications go
    def receiver_url(self, path="/"):
        """A URL on the receiver: https://127.0.0.1:PORT/path (its certificate: tls/ca.pem)."""
        check(self.receiver_port, "%s runs no webhook receiver (DEMO_NOTIFY=1)" % self.name)
        return "https://127.0.0.1:%d%s" % (self.receiver_port, path)

    def receiver_deliveries(self, path=None):
        """Every POST the receiver got so far (only those to path, if given), oldest first:
        {time, path, method, headers (lower-case names), body, json, answered}."""
        self.receiver_url()
        q = "?" + urllib.parse.urlencode({"path": path}) if path else ""
        return _fake_https(self, "webhook-receiver.port", "GET", "/_log" + q,
                           who="the webhook receiver")

    def receiver_control(self, doc):
        """Steers the receiver per path: {"path": "/slack", "fail": [503, 503]}, "status":
        400 | None, "delay_ms": N, "retry_after": "5"; or {"reset": True}. What is in force."""
        self.receiver_url()
        return _fake_https(self, "webhook-receiver.port", "POST", "/_control", doc,
                           who="the webhook receiver")


def allow_list(name, *customers):
    """A BATCHSTATUS_ALLOWED_CUSTOMERS file under RUN_ROOT/<name> holding these customers
    (mode 0600, replaced whole); its path."""
    d = os.path.join(RUN_ROOT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "allowed")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("".join("%s\n" % c for c in customers))
    os.chmod(path + ".tmp", 0o600)
    os.replace(path + ".tmp", path)
    return path


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_token(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().strip()


def processes_using(run_dir):
    """Processes (other than us) whose command line names the run directory."""
    out = []
    key = run_dir.encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if key in cmd:
            out.append("%s %s" % (pid, short(cmd.replace(b"\0", b" ").decode("utf-8", "replace"), 100)))
    return out


def token_hygiene(stack):
    """After stop: no token in any response or any log file."""
    problems = []
    for tok in stack.tokens:
        if not tok:
            continue
        tb = tok.encode()
        for r in stack.responses:
            if tb in r.body or any(tok in v for _, v in r.headers):
                problems.append("a response (HTTP %d) contains the token" % r.status)
                break
        logs = os.path.join(stack.run_dir, "logs")
        for dirpath, _, files in os.walk(logs):
            for fn in files:
                p = os.path.join(dirpath, fn)
                try:
                    with open(p, "rb") as f:
                        if tb in f.read():
                            problems.append("%s contains the token" % os.path.relpath(p, ROOT))
                except OSError:
                    pass
    leaks = [e for e in stack.fake_entries() if e.get("token_leak")]
    if leaks:
        problems.append("the token was sent upstream outside Authorization (%s)" % leaks[0]["path"])
    return problems


# --- helpers the suites share ---------------------------------------------------

def hdr(entry, name):
    """A header of a request the fake logged."""
    for k, v in entry.get("headers", {}).items():
        if k.lower() == name.lower():
            return v
    return None


def batch_path(tracking, suffix="", customer=C):
    return "/customers/%s/batches/%s%s" % (customer, tracking, suffix)


def query(**kw):
    return "/?" + urllib.parse.urlencode(kw)


def expect_status(r, status, what=""):
    """The status number, and for a status the application sends its standard phrase."""
    check(r.status == status, "%sexpected HTTP %d, got %s" % (what, status, r.where()))
    want = REASONS.get(status)
    check(want is None or r.reason == want, "%sstatus line %r, expected the reason phrase %r"
          % (what, r.status_line, want))


def location_path(r):
    loc = r.header("Location")
    check(loc, "303 without a Location header")
    u = urllib.parse.urlsplit(loc)
    if u.scheme or u.netloc:
        check(u.scheme in ("http", "https") and u.netloc.startswith("127.0.0.1"),
              "Location %r points to another host" % loc)
    return u.path + ("?" + u.query if u.query else "")


SEC_HEADERS_CSP = ["default-src 'self'", "object-src 'none'", "base-uri 'self'",
                   "frame-ancestors 'self'"]


def security_header_problems(r):
    p = []
    ct = r.header("Content-Type")
    if ct is None or ct.lower().replace(" ", "") != "text/html;charset=utf-8":
        p.append("Content-Type %r" % ct)
    if (r.header("X-Content-Type-Options") or "").lower() != "nosniff":
        p.append("X-Content-Type-Options %r" % r.header("X-Content-Type-Options"))
    if (r.header("Referrer-Policy") or "").lower() != "strict-origin-when-cross-origin":
        p.append("Referrer-Policy %r" % r.header("Referrer-Policy"))
    csp = " ".join(r.header_all("Content-Security-Policy"))
    for d in SEC_HEADERS_CSP:
        if d not in csp:
            p.append("CSP lacks %s (got %r)" % (d, csp))
    cc = r.header("Cache-Control") or ""
    # A finished batch's page may be revalidated by its ETag; everything else is not kept.
    if "no-store" not in cc and not ("no-cache" in cc and "private" in cc and r.header("ETag")):
        p.append("Cache-Control %r (ETag %r)" % (cc, r.header("ETag")))
    server = r.header("Server") or ""
    if re.search(r"nginx/\d", server):
        p.append("Server header shows a version: %r" % server)
    return p


def expect_html(r):
    p = security_header_problems(r)
    check(not p, "headers: " + "; ".join(p))


def correlation_id(r):
    codes = r.tree.root.find_all("code", id="correlation-id")
    check(len(codes) == 1, 'expected one <code id="correlation-id">, found %d in %s'
          % (len(codes), r.where()))
    cid = codes[0].text().strip()
    check(GUID_RE.match(cid), "correlation id %r is not a GUID" % cid)
    return cid


def page_text(r):
    return norm_ws(r.tree.root.text())


def html_lang(r):
    m = re.search(r'<html lang="([^"]+)"', r.text)
    return m.group(1) if m else None


def new_upstream(stack, before):
    return stack.fake_entries()[before:]


def upstream_calls(stack, tracking, before=0):
    """The Partner Center calls for one batch the fake logged, after the first `before`
    entries of its log (the steer family's control requests left out)."""
    return [e for e in new_upstream(stack, before)
            if tracking.lower() in e.get("path", "").lower() and not e.get("path", "").startswith("/_fake")]


def no_upstream_leak(r):
    """No part of an upstream error body on a page."""
    for bad in (fake_pc.DETAIL_MARKER, "PartnerFD", "Authentication failed",
                "Rate limit is exceeded", "Hotel WiFi", "Forbidden: the partner"):
        check(bad not in r.text, "page shows upstream body text %r" % bad)


def metric(stack, name):
    """One sample of /metrics (through nginx), by its full name with labels."""
    r = stack.get("/metrics")
    expect_status(r, 200, "/metrics: ")
    m = re.search(r"^%s (\S+)" % re.escape(name), r.text, re.M)
    check(m, "/metrics has no %s" % name)
    v = float(m.group(1))
    return int(v) if v.is_integer() else v


def statuses_at_once(s, paths):
    """GETs every path from a thread of its own, all at once; the statuses (or failures) in order."""
    out = [None] * len(paths)

    def view(i):
        try:
            out[i] = s.get(paths[i]).status
        except Failure as e:
            out[i] = str(e)
    threads = [threading.Thread(target=view, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def fcgi(sock_path, uri, method="GET", timeout=20, extra=()):
    """One request straight to a server's FastCGI socket (no nginx); the raw CGI answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sock_path)
        return fcgi_client.fcgi_get(s, uri, method=method, timeout=timeout, extra=extra)
    except (OSError, EOFError) as e:
        raise Failure("FastCGI to %s: %s" % (sock_path, e))
    finally:
        s.close()


# The fake Partner Center's "steer" family (tracking IDs 57ee0000-...): each answers what a
# test sets with POST /_fake/pc on the fake's Partner Center listener.
STEER_PREFIX = "57ee0000-0000-4000-8000-"
_steer_ids = itertools.count(1)


def steer_id():
    """A tracking ID of the steer family no other test of this process uses."""
    return STEER_PREFIX + "%012x" % next(_steer_ids)


def fake_request(stack, port_file, method, path, headers=None, body=None, timeout=10,
                 who="the fake"):
    """One HTTPS request straight to the stack's fake (its port in port_file, its test CA):
    (status, headers in order, body bytes). who: what it is, in a failure's message."""
    with open(os.path.join(stack.run_dir, port_file), encoding="ascii") as f:
        port = int(f.read().strip())
    ctx = ssl.create_default_context(cafile=os.path.join(stack.run_dir, "tls", "ca.pem"))
    ctx.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    except (OSError, http.client.HTTPException) as e:
        raise Failure("%s's %s %s: %s" % (who, method, path, e))
    finally:
        conn.close()


def _fake_https(stack, port_file, method, path, doc=None, who="the fake"):
    body = json.dumps(doc).encode() if doc is not None else None
    status, _, data = fake_request(stack, port_file, method, path,
                                   {"Content-Type": "application/json"} if body else {}, body,
                                   who=who)
    check(status == 200, "%s's %s %s: HTTP %d %s"
          % (who, method, path, status, short(data.decode("utf-8", "replace"))))
    return json.loads(data.decode()) if data.strip() else None


def steer(stack, tracking, **kw):
    """Sets what the fake answers for a steer batch (status, fail, retry_after)."""
    _fake_https(stack, "fake-pc.port", "POST", "/_fake/pc", dict(kw, tracking=tracking))


def signin_control(stack, **doc):
    """Steers the fake sign-in (DEMO_SIGNIN=app|user): revoke_all, fail, slow_ms..."""
    return _fake_https(stack, "fake-signin.port", "POST", "/_fake/control", doc)


def signin_stats(stack):
    """The fake sign-in's counters: token_calls, by_grant, pc_401, refresh_token_sha256..."""
    return _fake_https(stack, "fake-signin.port", "GET", "/_fake/stats")


# --- the registry ---------------------------------------------------------------

TESTS = []  # (group, name, fn) in the order they are declared


def test(group=None, name=None):
    """Registers a test under its name (the function's by default). With a group, it runs
    as fn(fixture) against that group's fixture; without, as fn() on its own."""
    def deco(fn):
        TESTS.append((group, name or fn.__name__, fn))
        return fn
    return deco


# --- the runner -------------------------------------------------------------------

class Group:
    """Tests registered under `name` run against make()'s fixture (made only when one of
    them is selected). A background group runs beside the others, its lines printed after
    theirs: for stacks that mostly wait (pauses, expiries)."""

    def __init__(self, name, make, background=False):
        self.name = name
        self.make = make
        self.background = background


class _Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.passed = 0
        self.failed = 0

    def reporter(self, buffer=None):
        """report(name, error or None): one line now, or into buffer for later."""
        def report(name, err):
            if err is not None:
                err = short(re.sub(r"\s+", " ", err).strip(), 800)  # one line per test
            line = "ok  %s" % name if err is None else "FAIL %s: %s" % (name, err)
            with self.lock:
                if err is None:
                    self.passed += 1
                else:
                    self.failed += 1
                if buffer is None:
                    print(line, flush=True)
                else:
                    buffer.append(line)
        return report


def run_tests(tests, fixture, report, verbose=False):
    """Runs (name, fn) tests, against fixture unless it is None: each reports ok, or FAIL
    with its reason."""
    for name, fn in tests:
        t0 = time.monotonic()
        try:
            if fixture is None:
                fn()
            else:
                fn(fixture)
            err = None
        except Failure as e:
            err = str(e)
        except Exception as e:  # a bug in a test, or garbage from the server
            err = "%s: %s" % (type(e).__name__, e)
        if verbose:
            sys.stderr.write("  (%s %.2fs)\n" % (name, time.monotonic() - t0))
        report(name, err)


def run_group(group, tests, report, verbose=False):
    """Makes and starts the group's fixture, runs its tests, stops it whatever happened."""
    failed = []

    def rep(name, err):
        if err is not None:
            failed.append(name)
        report(name, err)
    try:
        fixture = group.make()
    except Exception as e:  # its files or certificates could not be made
        rep("%s: prepared" % group.name, "%s: %s" % (type(e).__name__, e))
        for name, _ in tests:
            rep(name, "not run: %s was not prepared" % group.name)
        return
    try:
        try:
            checks = fixture.setup()
        except Exception as e:
            checks = [("%s: starts" % fixture.name, "%s: %s" % (type(e).__name__, e))]
        for name, err in checks:
            rep(name, err)
        if any(err is not None for _, err in checks):
            for name, _ in tests:
                rep(name, "not run: %s did not start" % fixture.name)
        else:
            run_tests(tests, fixture, rep, verbose)
    finally:
        try:
            checks = fixture.teardown()
        except Exception as e:
            checks = [("%s: stops" % fixture.name, "%s: %s" % (type(e).__name__, e))]
        for name, err in checks:
            rep(name, err)
        if failed:
            sys.stderr.write("logs of %s:\n%s\n" % (fixture.name, fixture.log_tail(12)))


def main(suite, groups=(), argv=None):
    """Runs the selected tests: those without a group first, then each group's (background
    groups beside the rest); prints `suite: N passed, N failed`; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    verbose = "-v" in argv
    only = argv[argv.index("-k") + 1] if "-k" in argv else None
    results = _Results()
    report = results.reporter()
    chosen = [(g, n, f) for g, n, f in TESTS if only is None or only in n]
    known = {g.name for g in groups}
    for g in sorted({g for g, _, _ in chosen if g is not None and g not in known}):
        report("%s: a group of this suite" % g, "tests are registered under %r, which main() "
               "does not start" % g)
    t_start = time.monotonic()
    run_tests([(n, f) for g, n, f in chosen if g is None], None, report, verbose)
    background, buffers = [], []
    foreground = []
    for group in groups:
        tests = [(n, f) for g, n, f in chosen if g == group.name]
        if not tests:
            continue
        if group.background:
            buf = []
            buffers.append(buf)
            th = threading.Thread(target=run_group, args=(group, tests, results.reporter(buf), verbose))
            th.start()
            background.append(th)
        else:
            foreground.append((group, tests))
    for group, tests in foreground:
        run_group(group, tests, report, verbose)
    for th in background:
        th.join()
    for buf in buffers:
        for line in buf:
            print(line, flush=True)
    if verbose:
        sys.stderr.write("%s: %.1fs\n" % (suite, time.monotonic() - t_start))
    print("%s: %d passed, %d failed" % (suite, results.passed, results.failed))
    return 1 if results.failed else 0
