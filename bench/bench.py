#!/usr/bin/env python3
"""bench.py: issue 3's benchmark. Run it through bench/run.sh BUILD (make bench).

Starts, on 127.0.0.1 only:
  - a fast fake Partner Center: the system's nginx with the echo module, under
    BUILD/bench/pc/, HTTPS with a throwaway CA (tests/make_ca.sh) offering
    HTTP/2 by ALPN as the real one (Azure Front Door) does (HTTP/1.1 to a client
    that does not ask for h2, such as wrk or nginx's proxy), checking the bearer
    token, three listeners: 0 ms and 250 ms of added latency, and one whose
    answers hang (60 s, past the server's 15 s deadline) except the one finished
    batch, which it answers at once; one access-log line per upstream call,
    with the protocol and the connection it came on;
  - for (1), a plain nginx proxy_pass to it (the limit of anything behind nginx);
  - for every other scenario a fresh batchstatus stack through scripts/run.sh,
    so that the server's peak RSS (VmHWM) is per scenario; its /metrics is read
    over the FastCGI socket before the stack stops (CPU threads, upstream
    connections opened, requests shed).
Drives them with wrk (and, for (6b), a small FastCGI client straight at the
server's socket, past nginx's page cache; (6a) is BUILD/bench/render_bench; the
fake's HTTP/2 capacity with h2load), prints the table to stdout and writes
bench/results.md with the machine's details. It notes how much CPU other
processes took during each scenario. Everything it starts runs in its own
session and is stopped on exit, on error and on SIGINT/SIGTERM/SIGHUP.

Scenarios: cap (the fake alone: wrk over HTTP/1.1, h2load over HTTP/2), 1 (the
limit), 2 and 2b (cache off, 0 ms upstream; 2b a new batch per request: what the
CPUs can do for new batches), 3 (cache on, finished batch), 4 (250 ms upstream, a
new batch per request, 256, 1024 and 4096 connections, each a fresh stack at
the server's defaults), 5 (1000 viewers of one processing batch), 6/6a (render),
7 (brownout: 2000 connections of new batches hang on the upstream while 64
connections read /healthz and a finished batch the app holds).

Settings (environment): BENCH_SECONDS (12), BENCH_WARMUP (2), BENCH_LONG_SECONDS
(30, scenario 5), BENCH_E2E_SECONDS (5), BENCH_RENDER_RUNS (20), BENCH_THREADS
(BATCHSTATUS_THREADS, the server's CPU threads, for every stack; unset = the
server's default, one per core), BENCH_RUNNING_CACHE (5), BENCH_HANG_CONNS
(2000, scenario 7), BENCH_ONLY (comma-separated scenario names to run, for
development: cap, 1, 2, 3, 4, 4-256, 4-1024, 4-4096, 5, 6, 6a, 7; results.md is
then left alone).
"""
import argparse
import datetime
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_SRC = os.path.join(TOP, "bench")

CUSTOMER = "47021739-3426-40bf-9601-61b4b6d7c793"
FINISHED = "0127ed8e-ff72-4983-a3d8-e8d8bd378932"      # tests/fixtures/seed.json
PROCESSING = "bbbbbbbb-0000-4000-8000-000000000001"    # bench/fixtures/processing.json
D1K = "dddd1000-0000-4000-8000-000000001000"
D10K = "dddd9999-0000-4000-8000-000000010000"
LATENCY_S = 0.25
HANG_S = 60                 # the brownout listener: longer than the server's 15 s deadline
H2_STREAMS = 128            # the fake's http2_max_concurrent_streams (nginx's default, set explicitly)
RSS_LIMIT_MIB = 64.0        # every scenario up to 1024 connections
RSS_LIMIT_4096_MIB = 128.0  # (4-4096)
SIZES_4 = (256, 1024, 4096)


def env_num(name, default, cast=int):
    v = os.environ.get(name, "")
    return cast(v) if v.strip() else default


SECONDS = env_num("BENCH_SECONDS", 12)
WARMUP = env_num("BENCH_WARMUP", 2)
LONG_SECONDS = env_num("BENCH_LONG_SECONDS", 30)
E2E_SECONDS = env_num("BENCH_E2E_SECONDS", 5)
RENDER_RUNS = env_num("BENCH_RENDER_RUNS", 20)
THREADS = os.environ.get("BENCH_THREADS", "").strip() or None
RUNNING_CACHE = env_num("BENCH_RUNNING_CACHE", 5)
HANG_CONNS = env_num("BENCH_HANG_CONNS", 2000)
MIX_CONNS = 64              # (7): the load on /healthz and the held page
HANG_RAMP_S = 20            # (7): how long the 2000 may take to be waiting
ONLY = set(x.strip() for x in os.environ.get("BENCH_ONLY", "").split(",") if x.strip())
WRK_TIMEOUT = "10s"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def tail(path, n=15):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join("    " + l for l in lines[-n:])
    except OSError:
        return "    (no %s)" % path


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_from(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def proc_status(pid):
    """VmHWM / VmRSS in MiB and the thread count of a live process, or {}."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    out[k] = int(v.split()[0]) / 1024.0
                elif k == "Threads":
                    out[k] = int(v)
    except (OSError, ValueError):
        pass
    return out


def cpu_idle(seconds):
    """Percent of all CPUs idle over the next `seconds`: something else busy skews every figure."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i0, t0 = snap()
    time.sleep(seconds)
    i1, t1 = snap()
    return 100.0 * (i1 - i0) / max(t1 - t0, 1)


def fcgi_get(sock_path, uri, timeout=30):
    """One GET straight to the FastCGI server (no nginx, so no nginx page cache):
    (status, body bytes, seconds). The FastCGI 1.0 records nginx would send."""
    def record(rtype, content, rid=1):
        return bytes([1, rtype, rid >> 8, rid & 255, len(content) >> 8, len(content) & 255, 0, 0]) + content

    def pair(k, v):
        k, v = k.encode(), v.encode()
        def ln(n):
            return bytes([n]) if n < 128 else (n | 0x80000000).to_bytes(4, "big")
        return ln(len(k)) + ln(len(v)) + k + v
    params = b"".join(pair(k, v) for k, v in (
        ("REQUEST_METHOD", "GET"), ("REQUEST_URI", uri), ("QUERY_STRING", ""),
        ("CONTENT_TYPE", ""), ("CONTENT_LENGTH", ""), ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REMOTE_ADDR", "127.0.0.1"), ("SERVER_NAME", "localhost")))
    msg = (record(1, bytes([0, 1, 0, 0, 0, 0, 0, 0]))      # BEGIN_REQUEST, RESPONDER, no keep-conn
           + record(4, params) + record(4, b"") + record(5, b""))
    t0 = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(timeout)
        c.connect(sock_path)
        c.sendall(msg)
        data = bytearray()
        while True:
            chunk = c.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    took = time.monotonic() - t0
    out, i = bytearray(), 0
    while i + 8 <= len(data):
        rtype, clen, plen = data[i + 1], (data[i + 4] << 8) | data[i + 5], data[i + 6]
        if rtype == 6:                                          # STDOUT
            out += data[i + 8:i + 8 + clen]
        i += 8 + clen + plen
    head, _, body = bytes(out).partition(b"\r\n\r\n")
    m = re.search(rb"^Status: (\d+)", head, re.M | re.I)
    return (int(m.group(1)) if m else 200), body, took


def parse_metrics(text):
    """Prometheus text to {"name{labels}": value}; comments skipped."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        k, _, v = line.rpartition(" ")
        try:
            out[k] = float(v)
        except ValueError:
            continue
    return out


def server_metrics(sock_path, timeout=5):
    """The server's /metrics, straight from its FastCGI socket, or {} if it does not answer."""
    try:
        code, body, _ = fcgi_get(sock_path, "/metrics", timeout=timeout)
    except OSError:
        return {}
    return parse_metrics(body.decode("utf-8", "replace")) if code == 200 else {}


def calls_fields(lines):
    """The fake's access-log lines split: $msec $status $request_time $request_uri
    $server_protocol $pid $connection (the last three absent in an older log)."""
    return [l.split(" ") for l in lines if l]


def calls_protocols(lines):
    """{protocol: calls} of the fake's log lines ($server_protocol: HTTP/2.0 or HTTP/1.1)."""
    return tally(f[4] for f in calls_fields(lines) if len(f) > 4)


def calls_connections(lines):
    """How many connections the calls came on (distinct worker pid and $connection)."""
    return len(set((f[5], f[6]) for f in calls_fields(lines) if len(f) > 6))


def nginx_statuses(path, offset, keep=None):
    """{status: n} of the stack nginx's access-log lines after offset (combined format),
    only requests whose path keep(path) accepts when keep is given."""
    out = {}
    for m in re.finditer(r'"[A-Z]+ (\S+) [^"]*" (\d{3}) ', read_from(path, offset)):
        if keep is None or keep(m.group(1)):
            out[m.group(2)] = out.get(m.group(2), 0) + 1
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:80] or "?"
    except OSError:
        return "pid %d (gone)" % pid


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class Bench:
    def __init__(self, build):
        self.build = build
        self.bin = os.path.join(build, "batchstatus")
        self.dir = os.path.join(build, "bench")
        self.logdir = os.path.join(self.dir, "logs")
        self.data = os.path.join(self.dir, "data")
        self.tls = os.path.join(self.dir, "tls")
        self.procs = []          # (name, Popen): every process we started, each its own session
        self.rows = []           # the load scenarios
        self.render = {}         # scenario 6
        self.notes = []          # diagnostics for the closing notes
        self.capacity = {}
        self.info = {}
        self.failed = []         # scenarios that did not complete
        self.foreign = {}        # scenario: % of the CPUs other processes used meanwhile
        self.pc_diag = {}        # signs in the fake Partner Center's error log

    # -- processes -------------------------------------------------------
    def spawn(self, name, argv, env=None, out_path=None, cwd=None):
        out = open(out_path, "ab") if out_path else subprocess.DEVNULL
        try:
            p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        finally:
            if out_path:
                out.close()
        self.procs.append((name, p))
        return p

    def stop(self, p, grace=20.0):
        """SIGTERM the process, wait, then make sure nothing of its session is left."""
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                log("pid %d did not stop in %.0f s: SIGKILL to its process group" % (p.pid, grace))
        # Children of ours left behind (a server ignoring SIGTERM, say): same session.
        deadline = time.monotonic() + 5
        while group_alive(p.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if group_alive(p.pid):
            log("process group %d still alive: SIGKILL" % p.pid)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if p.poll() is None:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def stop_all(self):
        for name, p in reversed(list(self.procs)):
            self.stop(p, grace=10.0)

    # -- set-up ----------------------------------------------------------
    def prepare(self):
        for d in (self.dir, self.logdir, self.data):
            os.makedirs(d, exist_ok=True)
        subprocess.run([os.path.join(TOP, "tests", "make_ca.sh"), self.tls], check=True)
        self.ca = os.path.join(self.tls, "ca.pem")
        self.token = "bench-" + secrets.token_hex(24)
        self.token_file = os.path.join(self.dir, "token")
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.token + "\n")
        shutil.copyfile(os.path.join(TOP, "tests", "fixtures", "seed.json"),
                        os.path.join(self.data, "finished.json"))
        shutil.copyfile(os.path.join(BENCH_SRC, "fixtures", "processing.json"),
                        os.path.join(self.data, "processing.json"))
        rb = os.path.join(self.dir, "render_bench")
        for n, name in ((1000, "d1000.json"), (10000, "d10000.json")):
            subprocess.run([rb, "--write", str(n), os.path.join(self.data, name)], check=True)
        self.echo_module = find_echo_module()

    def machine(self):
        def run(argv):
            try:
                r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
                return (r.stdout + r.stderr).strip()
            except (OSError, subprocess.SubprocessError):
                return "?"
        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = "?"
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1024.0 / 1024.0)
        try:
            with open("/proc/sys/net/core/somaxconn") as f:
                somaxconn = f.read().strip()
        except OSError:
            somaxconn = "?"
        rev = run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"])
        dirty = run(["git", "-C", TOP, "status", "--porcelain", "--untracked-files=no"])
        self.info = {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "nproc": str(os.cpu_count()),
            "cpu": cpu,
            "memory": mem,
            "kernel": os.uname().release,
            "os": run(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]),
            "nginx": run(["nginx", "-v"]).replace("nginx version: ", ""),
            "curl": run(["curl", "--version"]).splitlines()[0],
            "wrk": run(["sh", "-c", "wrk -v 2>&1 | head -1"]),
            "h2load": run(["h2load", "--version"]),
            "dev.conf": dev_conf_summary(),
            "openssl": run(["openssl", "version"]),
            "commit": rev + (" (with uncommitted changes)" if dirty and dirty != "?" else ""),
            "ulimit -n": str(resource.getrlimit(resource.RLIMIT_NOFILE)[0]),
            "net.core.somaxconn": somaxconn,
            "CPU idle before the run (1 s)": "%.0f%%" % cpu_idle(1.0),
        }

    # -- the fake Partner Center ------------------------------------------
    def start_fake_pc(self):
        prefix = os.path.join(self.dir, "pc")
        shutil.rmtree(prefix, ignore_errors=True)
        os.makedirs(os.path.join(prefix, "logs"))
        os.makedirs(os.path.join(prefix, "tmp"))
        self.pc0, self.pc250, self.pchang = free_port(), free_port(), free_port()
        self.pc_status = free_port()
        self.pc_log0 = os.path.join(prefix, "logs", "calls-0ms.log")
        self.pc_log250 = os.path.join(prefix, "logs", "calls-250ms.log")
        self.pc_loghang = os.path.join(prefix, "logs", "calls-hang.log")
        self.pc_error_log = os.path.join(prefix, "logs", "error.log")
        conf = fake_pc_conf(prefix, self.echo_module, self.data, self.tls, self.token,
                            self.pc0, self.pc250, self.pchang,
                            self.pc_log0, self.pc_log250, self.pc_loghang, self.pc_status)
        path = os.path.join(prefix, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.pc_proc = self.start_nginx("fake-pc", prefix, path,
                                        [self.pc0, self.pc250, self.pchang, self.pc_status])
        self.check_fake_pc()

    def start_nginx(self, name, prefix, conf, ports):
        p = self.spawn(name, ["nginx", "-p", prefix, "-c", conf, "-e",
                              os.path.join(prefix, "logs", "error.log")],
                       out_path=os.path.join(prefix, "logs", "stdout.log"))
        deadline = time.monotonic() + 15
        while not all(port_open(x) for x in ports):
            if p.poll() is not None or time.monotonic() > deadline:
                raise BenchError("%s (nginx) did not come up:\n%s" %
                                 (name, tail(os.path.join(prefix, "logs", "error.log"))))
            time.sleep(0.05)
        return p

    def https_get(self, port, path, token=True, timeout=10):
        ctx = ssl.create_default_context(cafile=self.ca)
        req = urllib.request.Request("https://127.0.0.1:%d%s" % (port, path))
        if token:
            req.add_header("Authorization", "Bearer " + self.token)
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=timeout) as r:
                return r.status, r.read(), time.monotonic() - t0
        except urllib.error.HTTPError as e:
            return e.code, e.read(), time.monotonic() - t0

    def check_fake_pc(self):
        """The fake answers what the scenarios rely on; stop here if it does not."""
        base = "/v1/customers/%s/batchJobStatus/" % CUSTOMER
        checks = [
            (self.pc0, FINISHED, True, 200, "finished", 0),
            (self.pc0, FINISHED, False, 401, None, 0),
            (self.pc250, FINISHED, False, 401, None, 0),
            (self.pc250, PROCESSING, True, 200, "processing", LATENCY_S),
            (self.pc0, D1K, True, 200, "finished_with_errors", 0),
            (self.pc250, D10K, True, 200, "finished_with_errors", LATENCY_S),
            (self.pchang, FINISHED, True, 200, "finished", 0),
            (self.pchang, PROCESSING, False, 401, None, 0),
        ]
        for port, tid, tok, want, status, min_s in checks:
            code, body, took = self.https_get(port, base + tid, tok)
            ok = code == want and took >= min_s * 0.95
            if ok and status:
                doc = json.loads(body)
                ok = doc.get("status") == status
            if not ok:
                raise BenchError("fake Partner Center: %s on port %d (token %s) gave %d in %.3f s"
                                 % (tid, port, tok, code, took))
        code, _, _ = self.https_get(self.pc0, "/v1/customers/x/other/y")
        if code != 404:
            raise BenchError("fake Partner Center: unknown path gave %d, not 404" % code)
        # The brownout listener hangs on every other batch.
        try:
            code, _, took = self.https_get(self.pchang, base + PROCESSING, timeout=1.5)
            raise BenchError("fake Partner Center: the hanging listener answered %d in %.3f s"
                             % (code, took))
        except (socket.timeout, TimeoutError, urllib.error.URLError) as e:
            if isinstance(e, urllib.error.URLError) and not isinstance(
                    getattr(e, "reason", None), (socket.timeout, TimeoutError)):
                raise BenchError("fake Partner Center: the hanging listener: %s" % e)
        # ALPN: every listener offers h2 (curl asks for it, as libcurl in the server does).
        protos = {}
        for port in (self.pc0, self.pc250, self.pchang):
            p = subprocess.run(["curl", "-sS", "--http2", "--cacert", self.ca, "-o", "/dev/null",
                                "-w", "%{http_version} %{http_code}",
                                "-H", "Authorization: Bearer " + self.token,
                                "https://127.0.0.1:%d%s%s" % (port, base, FINISHED)],
                               capture_output=True, text=True, timeout=30)
            protos[port] = p.stdout.strip()
            if protos[port] != "2 200":
                raise BenchError("fake Partner Center: port %d does not answer over HTTP/2 "
                                 "(curl --http2: %r %s)" % (port, p.stdout, p.stderr.strip()))
        # Non-blocking: 20 concurrent 250 ms calls take about 250 ms, not 5 s.
        t0 = time.monotonic()
        p = subprocess.run(["wrk", "-t1", "-c20", "-d1s", "--timeout", "5s",
                            "-H", "Authorization: Bearer " + self.token,
                            "https://127.0.0.1:%d%s%s" % (self.pc250, base, PROCESSING)],
                           capture_output=True, text=True, timeout=30)
        m = re.search(r"(\d+) requests in", p.stdout)
        if not m or int(m.group(1)) < 40:
            raise BenchError("fake Partner Center: echo_sleep blocks (20 connections, 1 s: %s)"
                             % (m.group(1) if m else p.stdout))
        # The same over HTTP/2: 256 calls as 128 streams at a time on one connection, ~0.5 s.
        p = subprocess.run(["h2load", "-n", "256", "-c", "1", "-m", str(H2_STREAMS),
                            "-H", "Authorization: Bearer " + self.token,
                            "https://127.0.0.1:%d%s%s" % (self.pc250, base, PROCESSING)],
                           capture_output=True, text=True, timeout=30)
        h = parse_h2load(p.stdout)
        if h.get("succeeded") != 256 or h.get("seconds", 99) > 1.5 or h.get("protocol") != "h2":
            raise BenchError("fake Partner Center: 256 calls over one HTTP/2 connection, %d "
                             "streams at a time: %s" % (H2_STREAMS, (p.stdout + p.stderr)[-800:]))
        log("fake Partner Center up: 0 ms on %d, 250 ms on %d, hanging (%d s) on %d; HTTP/2 by "
            "ALPN on each, token checked, echo_sleep non-blocking: %s calls in 1 s on 20 "
            "HTTP/1.1 connections, 256 calls in %.2f s on one HTTP/2 connection"
            % (self.pc0, self.pc250, HANG_S, self.pchang, m.group(1), h["seconds"]))

    def fake_status(self):
        """The fake's stub_status: {"active": connections, "requests": total, "writing":
        requests in progress (HTTP/2 streams included)}, or {}."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/status" % self.pc_status,
                                        timeout=5) as r:
                text = r.read().decode()
        except (OSError, urllib.error.URLError):
            return {}
        out = {}
        m = re.search(r"Active connections:\s*(\d+)", text)
        if m:
            out["active"] = int(m.group(1))
        m = re.search(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M)
        if m:
            out["requests"] = int(m.group(3))
        m = re.search(r"Writing:\s*(\d+)", text)
        if m:
            out["writing"] = int(m.group(1))
        return out

    # -- wrk ---------------------------------------------------------------
    def wrk(self, label, url, conns, seconds, script="report.lua", args=(), headers=(),
            threads=2, timeout=WRK_TIMEOUT):
        p, out_path = self.wrk_start(label, url, conns, seconds, script, args, headers,
                                     threads, timeout)
        return self.wrk_finish(label, p, out_path, conns, seconds + 60)

    def wrk_start(self, label, url, conns, seconds, script="report.lua", args=(), headers=(),
                  threads=2, timeout=WRK_TIMEOUT):
        argv = ["wrk", "-t", str(min(threads, conns)), "-c", str(conns), "-d", "%ds" % seconds,
                "--latency", "--timeout", timeout,
                "-s", os.path.join(BENCH_SRC, "wrk", script)]
        for h in headers:
            argv += ["-H", h]
        argv.append(url)
        if args:
            argv += ["--"] + list(args)
        out_path = os.path.join(self.logdir, label + ".wrk.txt")
        with open(out_path, "w") as f:
            f.write("$ " + " ".join(a if not a.startswith("Authorization") else
                                    "'Authorization: Bearer ...'" for a in argv) + "\n")
        return self.spawn("wrk " + label, argv, out_path=out_path), out_path

    def wrk_finish(self, label, p, out_path, conns, wait_s, interrupt=False):
        """wrk's result; interrupt=True stops it first (SIGINT: wrk stops and reports)."""
        if interrupt and p.poll() is None:
            p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.stop(p)
            raise BenchError("wrk %s did not finish" % label)
        self.procs = [(n, q) for n, q in self.procs if q is not p]
        text = read_from(out_path, 0)
        m = re.search(r"^BENCHJSON (\{.*\})$", text, re.M)
        if not m:
            raise BenchError("wrk %s: no result (exit %s):\n%s" % (label, p.returncode, text[-2000:]))
        r = json.loads(m.group(1))
        dur = r["duration_us"] / 1e6
        r["seconds"] = dur
        r["ok"] = r["requests"] - r["status"]
        r["rps"] = r["ok"] / dur if dur > 0 else 0.0
        r["errors"] = r["status"] + r["timeout"] + r["connect"] + r["read"] + r["write"]
        r["conns"] = conns
        return r

    # -- h2load: the fake over HTTP/2, as the server reaches it --------------
    def h2load(self, label, url, conns, streams, seconds, threads=1):
        argv = ["h2load", "-t", str(min(threads, conns)), "-c", str(conns), "-m", str(streams),
                "-D", str(seconds), "--warm-up-time", str(max(WARMUP, 1)),
                "-H", "Authorization: Bearer " + self.token, url]
        out_path = os.path.join(self.logdir, label + ".h2load.txt")
        with open(out_path, "w") as f:
            f.write("$ " + " ".join(a if not a.startswith("Authorization") else
                                    "'Authorization: Bearer ...'" for a in argv) + "\n")
        p = self.spawn("h2load " + label, argv, out_path=out_path)
        try:
            p.wait(timeout=seconds + WARMUP + 60)
        except subprocess.TimeoutExpired:
            self.stop(p)
            raise BenchError("h2load %s did not finish" % label)
        self.procs = [(n, q) for n, q in self.procs if q is not p]
        h = parse_h2load(read_from(out_path, 0))
        if "rps" not in h or "done" not in h:
            raise BenchError("h2load %s: no result (exit %s):\n%s" % (
                label, p.returncode, read_from(out_path, 0)[-2000:]))
        bad = h.get("done", 0) - h.get("2xx", 0)
        # Its "finished in" counts the warm-up; its req/s and counts are the main duration's.
        secs = h["done"] / h["rps"] if h["rps"] else float(seconds)
        return {"requests": h["done"], "seconds": secs, "rps": h.get("2xx", 0) / secs
                if secs else 0.0, "status": bad, "timeout": h.get("timeout", 0),
                "connect": 0, "read": h.get("errored", 0), "write": 0,
                "errors": bad + h.get("timeout", 0) + h.get("errored", 0),
                "conns": conns, "streams": streams, "protocol": h.get("protocol"),
                "p50_us": 0, "p99_us": 0}

    # -- a batchstatus stack through scripts/run.sh ------------------------
    def start_stack(self, name, pc_port, settings):
        run_dir = os.path.join(self.dir, "run", name)
        shutil.rmtree(run_dir, ignore_errors=True)
        os.makedirs(run_dir)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
        env.update({
            "PORT": str(port),
            "RUN_DIR": run_dir,
            "BATCHSTATUS_BIN": self.bin,
            "BATCHSTATUS_PC_BASE_URL": "https://127.0.0.1:%d" % pc_port,
            "BATCHSTATUS_CA_FILE": self.ca,
            "BATCHSTATUS_TOKEN_FILE": self.token_file,
        })
        env.update({k: str(v) for k, v in settings.items() if v is not None})
        out = os.path.join(self.dir, "run", name + ".run-sh.out")
        p = self.spawn("run.sh " + name, [os.path.join(TOP, "scripts", "run.sh")], env=env,
                       out_path=out, cwd=TOP)
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(run_dir, "ready")):
            if p.poll() is not None or time.monotonic() > deadline:
                self.stop(p)
                last = tail(os.path.join(run_dir, "logs", "batchstatus.log"), 1).strip()
                raise BenchError("scripts/run.sh (%s) did not get ready (server log: %s):\n%s" % (
                    name, last or "empty", tail(out)))
            time.sleep(0.05)
        pid = self.server_pid(run_dir, p.pid)
        time.sleep(0.2)
        st = proc_status(pid) if pid else {}
        log("stack %s up: nginx :%d, batchstatus pid %s (%s threads), settings %s" % (
            name, port, pid, st.get("Threads", "?"),
            " ".join("%s=%s" % (k.replace("BATCHSTATUS_", ""), v)
                     for k, v in settings.items() if v is not None) or "defaults"))
        return {"name": name, "proc": p, "run_dir": run_dir, "port": port, "pid": pid,
                "settings": settings, "base": "http://127.0.0.1:%d" % port,
                "rss_start": st.get("VmRSS"),
                "sock": os.path.join(run_dir, "batchstatus.sock"),
                "access_log": os.path.join(run_dir, "logs", "nginx-access.log")}

    def server_pid(self, run_dir, runsh_pid):
        try:
            with open(os.path.join(run_dir, "batchstatus.pid")) as f:
                pid = int(f.read().strip())
            if os.path.exists("/proc/%d" % pid):
                return pid
        except (OSError, ValueError):
            pass
        # No pid file: the child of our run.sh whose executable is the binary.
        want = os.path.realpath(self.bin)
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == runsh_pid and os.path.realpath("/proc/%s/exe" % d) == want:
                    return int(d)
            except (OSError, ValueError, IndexError):
                continue
        return None

    def stop_stack(self, st):
        status = proc_status(st["pid"]) if st["pid"] else {}
        # The server's own counters, before it goes: CPU threads, upstream connections, shed.
        st["metrics"] = server_metrics(st["sock"])
        t0 = time.monotonic()
        self.stop(st["proc"])
        st["stop_s"] = time.monotonic() - t0
        if st["stop_s"] > 5:
            self.notes.append("stack %s took %.1f s to stop (SIGTERM to scripts/run.sh)"
                              % (st["name"], st["stop_s"]))
        st["hwm_mib"] = status.get("VmHWM")
        st["threads_seen"] = status.get("Threads")
        st["diag"] = diagnose(st["run_dir"])
        st["cache"] = cache_tally(st["run_dir"])
        return st

    def http_get(self, st, path):
        try:
            with urllib.request.urlopen(st["base"] + path, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    # -- one load scenario -------------------------------------------------
    def load(self, key, what, url, conns, seconds, pc_log, warmup=True, script="report.lua",
             args=(), headers=(), stack=None, settle=0.5):
        if warmup and WARMUP > 0:
            self.wrk(key + "-warmup", url, conns, WARMUP, script, args, headers)
            time.sleep(settle)
        drain = self.drain(stack, key) if stack else None
        before = file_size(pc_log)
        before_nginx = file_size(stack["access_log"]) if stack else 0
        log("%s: %s, %d connections, %d s" % (key, what, conns, seconds))
        sampler = MetricsSampler(stack["sock"], 1.0) if stack else None
        if sampler:
            sampler.start()
        ticks0, wall0 = self.session_ticks(), time.monotonic()
        r = self.wrk(key, url, conns, seconds, script, args, headers)
        r["cpu_split"] = cpu_split(ticks0, self.session_ticks(), time.monotonic() - wall0)
        r["drain_s"] = drain
        if sampler:
            r["gauges"] = gauges(sampler.finish())
        time.sleep(settle)
        self.upstream_window(r, read_from(pc_log, before).splitlines())
        r["key"], r["what"] = key, what
        if stack is not None:
            r["nginx_status"] = nginx_statuses(stack["access_log"], before_nginx)
            self.stop_stack(stack)
            self.stack_fields(r, stack)
        log("%s: %.0f req/s ok, p50 %.1f ms, p99 %.1f ms, errors %d, upstream calls %d%s%s" % (
            key, r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["errors"], r["calls"],
            " (%s)" % proto_text(r) if r.get("calls_proto") else "",
            ", peak RSS %.1f MiB" % r["hwm_mib"] if r.get("hwm_mib") else ""))
        if r.get("nginx_status") and set(r["nginx_status"]) - {"200"}:
            log("%s: nginx answered %s" % (key, status_text(r["nginx_status"], all_=True)))
        return r

    def drain(self, stack, key, limit=30.0):
        """After a warm-up: wait until the server holds no parked request. nginx keeps a
        request whose page it may cache going after its client left (no 499, no FastCGI
        abort), so the warm-up's last requests would otherwise still be waiting, counted
        against BATCHSTATUS_MAX_WAITING, when the measured run starts. Seconds it took."""
        t0 = time.monotonic()
        m = {}
        while time.monotonic() - t0 < limit:
            m = server_metrics(stack["sock"])
            if not m or m.get("batchstatus_requests_waiting", 0) == 0:
                break
            time.sleep(0.2)
        took = time.monotonic() - t0
        left = m.get("batchstatus_requests_waiting", 0) if m else None
        if left:
            self.notes.append("(%s): %d requests of the warm-up still waiting in the server "
                              "%.0f s after it ended; measured anyway" % (key, left, took))
        if took > 1.0:
            log("%s: the server took %.1f s to let the warm-up's requests go (%s left)"
                % (key, took, left))
        return took

    def session_ticks(self):
        """{(pid, name): CPU ticks} of every process in a session this run started (the
        stacks, the fake, wrk); the name says which is which: batchstatus, nginx (the
        stack's or the fake's, told apart by the session), wrk, h2load."""
        sessions = {}
        for name, p in self.procs:
            who = ("fake" if name == "fake-pc" else "stack" if name.startswith("run.sh")
                   else "limit" if name == "limit" else "")
            sessions[p.pid] = who
        out = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    raw = f.read()
            except OSError:
                continue
            comm = raw[raw.index("(") + 1:raw.rindex(")")]
            v = raw.rsplit(")", 1)[1].split()
            sid = int(v[3])
            if sid not in sessions:
                continue
            label = comm if comm not in ("nginx",) else "nginx (%s)" % (sessions[sid] or "?")
            if label in ("bash", "sh", "run.sh", "python3"):
                continue
            out[(int(d), label)] = int(v[11]) + int(v[12])
        # Children waited for meanwhile (wrk, h2load: gone before the second snapshot).
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        out[(0, "wrk")] = int(round((ru.ru_utime + ru.ru_stime) * CLK_TCK))
        return out

    @staticmethod
    def upstream_window(r, calls):
        """What the fake's log says of the calls made in a window."""
        r["calls"] = len(calls)
        r["calls_non200"] = sum(1 for c in calls if c.split(" ")[1:2] != ["200"])
        r["calls_steady"] = steady_rate(calls)
        r["calls_p99_ms"] = upstream_p99_ms(calls)
        r["calls_p50_ms"] = upstream_p99_ms(calls, 0.5)
        r["calls_proto"] = calls_protocols(calls)
        r["calls_conns"] = calls_connections(calls)

    @staticmethod
    def stack_fields(r, stack):
        m = stack.get("metrics") or {}
        r["hwm_mib"] = stack["hwm_mib"]
        r["threads_set"] = stack["settings"].get("BATCHSTATUS_THREADS") or "default"
        r["threads_seen"] = stack["threads_seen"]
        r["cpu_threads"] = m.get("batchstatus_threads")
        r["up_conns"] = m.get("batchstatus_upstream_connections_total")
        r["shed"] = m.get("batchstatus_requests_shed_total")
        r["admitted"] = m.get("batchstatus_requests_admitted_total")
        r["metrics_ok"] = bool(m)
        r["diag"] = stack["diag"]
        r["cache"] = stack["cache"]
        r["rss_start"] = stack["rss_start"]
        r["stop_s"] = stack.get("stop_s")

    # -- the scenarios -----------------------------------------------------
    def run(self):
        """Every scenario; one that fails is reported and the others still run."""
        self.machine()
        self.prepare()
        pc_path = "/v1/customers/%s/batchJobStatus/" % CUSTOMER
        page = "/customers/%s/batches/" % CUSTOMER
        # First, while nothing else runs: the render micro-benchmark is the most sensitive to noise.
        self.attempt("6a", self.scenario_render_micro)
        self.start_fake_pc()
        self.attempt("cap", self.scenario_capacity, pc_path)
        self.attempt("1", self.scenario_limit, pc_path)
        self.attempt("2", self.scenario_2, page)
        self.attempt("3", self.scenario_3, page)
        self.attempt("4", self.scenario_4, page)
        self.attempt("5", self.scenario_5, page)
        self.attempt("6", self.scenario_render_e2e, page)
        self.attempt("7", self.scenario_7, page)
        self.attempt("8", self.scenario_8, page)
        self.pc_diag = diagnose_nginx(self.pc_error_log)

    def attempt(self, key, fn, *args):
        if not wanted(key):
            return
        w0, o0 = time.monotonic(), self.other_ticks()
        try:
            fn(*args)
            # Someone else's work on these 2 cores skews every figure: say how much there was.
            wall = time.monotonic() - w0
            o1 = self.other_ticks()
            other = sum(t - o0.get(pid, 0) for pid, t in o1.items())
            pct = 100.0 * other / (wall * CLK_TCK * (os.cpu_count() or 1)) if wall > 0 else 0
            self.foreign[key] = max(pct, 0.0)
            if pct > 5:
                top = sorted(((t - o0.get(pid, 0), pid) for pid, t in o1.items()), reverse=True)
                who = ", ".join(cmdline(pid) for t, pid in top[:3] if t > 0)
                self.notes.append("during scenario %s other processes used %.0f%% of the "
                                  "machine's CPU (%s): its figures are skewed; run again on a "
                                  "quiet machine" % (key, pct, who))
                log("warning: other processes used %.0f%% of the CPU during scenario %s: %s"
                    % (pct, key, who))
        except BenchError as e:
            log("scenario %s failed: %s" % (key, e))
            self.failed.append(key)
            self.notes.append("scenario %s did not complete: %s" % (key, str(e).splitlines()[0]))
            # Whatever it left running goes now; the fake Partner Center stays.
            for name, p in list(self.procs):
                if p is not getattr(self, "pc_proc", None):
                    self.stop(p)

    def other_ticks(self):
        """{pid: CPU ticks, children waited for included} of every user-space process that
        is not this run's: not us or our ancestors, not in a session we started."""
        mine = {os.getpid()} | {p.pid for _, p in self.procs}
        pc = getattr(self, "pc_proc", None)
        if pc is not None:
            mine.add(pc.pid)
        ancestors, pid = set(), os.getppid()
        while pid > 1:
            ancestors.add(pid)
            try:
                with open("/proc/%d/stat" % pid) as f:
                    pid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                break
        out = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    v = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid, sid = int(d), int(v[1]), int(v[3])
            if pid in mine or sid in mine or pid in ancestors or pid == 2 or ppid == 2:
                continue
            out[pid] = int(v[11]) + int(v[12]) + int(v[13]) + int(v[14])
        return out

    def cache_on(self, threads):
        return {"BATCHSTATUS_CACHE_FINISHED_SECONDS": 600,
                "BATCHSTATUS_CACHE_RUNNING_SECONDS": RUNNING_CACHE, "BATCHSTATUS_THREADS": threads}

    def scenario_capacity(self, pc_path):
        auth = ["Authorization: Bearer " + self.token]
        # HTTP/1.1 (wrk offers no ALPN, so the fake falls back): what nginx's proxy_pass in (1) gets.
        self.capacity["0ms"] = self.load(
            "cap-0ms", "fake Partner Center alone, 0 ms, finished batch (TLS, HTTP/1.1, wrk)",
            "https://127.0.0.1:%d%s%s" % (self.pc0, pc_path, FINISHED), 64, SECONDS,
            self.pc_log0, headers=auth)
        self.capacity["250ms"] = self.load(
            "cap-250ms", "fake Partner Center alone, 250 ms, a new GUID per request (TLS, "
            "HTTP/1.1, wrk)", "https://127.0.0.1:%d/" % self.pc250, 1024, SECONDS,
            self.pc_log250, script="random_guid.lua", args=[pc_path], headers=auth)
        # HTTP/2 (h2load), the way the server reaches it: 64 streams on one connection
        # (64 callers fit in one), and 4096 streams on 4096 / 128 connections.
        self.capacity["h2-0ms"] = self.load_h2(
            "cap-h2-0ms", "fake Partner Center alone, 0 ms, finished batch (TLS, HTTP/2, h2load, "
            "1 connection × 64 streams)",
            "https://127.0.0.1:%d%s%s" % (self.pc0, pc_path, FINISHED), 1, 64, self.pc_log0)
        n = 4096 // H2_STREAMS
        self.capacity["h2-250ms"] = self.load_h2(
            "cap-h2-250ms", "fake Partner Center alone, 250 ms (TLS, HTTP/2, h2load, "
            "%d connections × %d streams)" % (n, H2_STREAMS),
            "https://127.0.0.1:%d%s%s" % (self.pc250, pc_path, FINISHED), n, H2_STREAMS,
            self.pc_log250, threads=2)

    def load_h2(self, key, what, url, conns, streams, pc_log, threads=1):
        before = file_size(pc_log)
        log("%s: %s, %d s" % (key, what, SECONDS))
        r = self.h2load(key, url, conns, streams, SECONDS, threads)
        time.sleep(0.5)
        self.upstream_window(r, read_from(pc_log, before).splitlines())
        # h2load reports no percentiles: the fake's own answer times stand in (ms resolution).
        r["p50_us"] = r["calls_p50_ms"] * 1e3 if r["calls_p50_ms"] is not None else None
        r["p99_us"] = r["calls_p99_ms"] * 1e3 if r["calls_p99_ms"] is not None else None
        r["key"], r["what"] = key, what
        log("%s: %.0f req/s (%s), steady %s calls/s, the fake's own p50 %s ms p99 %s ms, errors %d"
            % (key, r["rps"], r["protocol"], r["calls_steady"], r["calls_p50_ms"],
               r["calls_p99_ms"], r["errors"]))
        return r

    def scenario_2(self, page):
        off = {"BATCHSTATUS_CACHE_FINISHED_SECONDS": 0, "BATCHSTATUS_CACHE_RUNNING_SECONDS": 0,
               "BATCHSTATUS_THREADS": THREADS}
        st = self.start_stack("2-cache-off", self.pc0, off)
        self.sanity(st, page + FINISHED)
        self.rows.append(self.load("2", "batchstatus, cache off, 0 ms upstream, finished batch",
                                   st["base"] + page + FINISHED, 64, SECONDS, self.pc_log0,
                                   stack=st))
        st = self.start_stack("2b-cache-off-new-batches", self.pc0, off)
        self.rows.append(self.load(
            "2b", "batchstatus, cache off, 0 ms upstream, a new batch per request (nothing to coalesce)",
            st["base"] + "/", 64, SECONDS, self.pc_log0, script="random_guid.lua",
            args=[page], stack=st))

    def scenario_3(self, page):
        st = self.start_stack("3-cache-on", self.pc0, self.cache_on(THREADS))
        self.sanity(st, page + FINISHED)
        self.rows.append(self.load("3", "batchstatus, cache on, 0 ms upstream, finished batch",
                                   st["base"] + page + FINISHED, 64, SECONDS, self.pc_log0,
                                   stack=st))

    def scenario_4(self, page):
        for conns in SIZES_4:
            key = "4-%d" % conns
            if not (wanted("4", exact=True) or key in ONLY or not ONLY):
                continue
            st = self.start_stack(key, self.pc250, self.cache_on(THREADS))
            self.rows.append(self.load(
                key, "250 ms upstream, a new batch per request",
                st["base"] + "/", conns, SECONDS, self.pc_log250, script="random_guid.lua",
                args=[page], stack=st, settle=1.5 if conns > 1024 else 1.0))

    def scenario_5(self, page):
        st = self.start_stack("5-crowd", self.pc250, self.cache_on(THREADS))
        # No warm-up and no check first: the cold start's call is the "+ 1" of the target.
        self.rows.append(self.load(
            "5", "1000 viewers of one processing batch, 250 ms upstream",
            st["base"] + page + PROCESSING, 1000, LONG_SECONDS, self.pc_log250,
            warmup=False, stack=st, settle=1.0))

    def scenario_8(self, page):
        """Three nodes sharing one Redis (issue 12): a crowd on one processing batch, a cached
        finished batch, and what a Redis hit costs beside a hit in the node's own cache."""
        nodes = dict(self.cache_on(THREADS), NODES=3)
        if wanted("8a", exact=True) or not ONLY or "8" in ONLY:
            st = self.start_stack("8a-3-nodes-crowd", self.pc250, nodes)
            self.rows.append(self.load(
                "8a", "3 nodes + Redis: 1000 viewers of one processing batch, 250 ms upstream",
                st["base"] + page + PROCESSING, 1000, LONG_SECONDS, self.pc_log250,
                warmup=False, stack=st, settle=1.0))
        st = self.start_stack("8b-3-nodes-cached", self.pc0, nodes)
        self.sanity(st, page + FINISHED)
        self.rows.append(self.load("8b", "3 nodes + Redis: cache on, 0 ms upstream, finished batch",
                                   st["base"] + page + FINISHED, 64, SECONDS, self.pc_log0,
                                   stack=st))
        self.shared_hit_cost(page)

    def shared_hit_cost(self, page):
        """(8c): node 1 fetches a new finished batch (the call, then Redis has it); node 2 gets
        it from Redis (its own cache misses), then again from its own cache. Medians over the
        batches, straight over the FastCGI sockets (no nginx)."""
        st = self.start_stack("8c-3-nodes-hits", self.pc0, dict(self.cache_on(THREADS), NODES=3))
        n1 = os.path.join(st["run_dir"], "batchstatus.sock")
        n2 = os.path.join(st["run_dir"], "batchstatus-2.sock")
        redis_ms, local_ms, bad = [], [], 0
        for i in range(300):
            path = page + "8c000000-0000-4000-8000-%012d" % i
            code, _, _ = fcgi_get(n1, path)
            code2, _, t_redis = fcgi_get(n2, path)
            code3, _, t_local = fcgi_get(n2, path)
            if (code, code2, code3) != (200, 200, 200):
                bad += 1
                continue
            redis_ms.append(t_redis * 1000)
            local_ms.append(t_local * 1000)
        self.stop(st["proc"])
        if not redis_ms:
            raise BenchError("8c: no batch answered 200 on both nodes")
        redis_ms.sort()
        local_ms.sort()
        self.shared = {"n": len(redis_ms), "bad": bad,
                       "redis_p50": redis_ms[len(redis_ms) // 2],
                       "local_p50": local_ms[len(local_ms) // 2],
                       "redis_p99": redis_ms[int(len(redis_ms) * 0.99) - 1],
                       "local_p99": local_ms[int(len(local_ms) * 0.99) - 1]}
        log("8c: Redis hit p50 %.2f ms, own cache hit p50 %.2f ms (%d batches)"
            % (self.shared["redis_p50"], self.shared["local_p50"], len(redis_ms)))

    def sanity(self, st, path):
        code, body = self.http_get(st, path)
        if code != 200:
            self.notes.append("stack %s: GET %s answered %d before the run (%s)"
                              % (st["name"], path, code, body[:200]))
            log("warning: %s answered %d" % (path, code))

    def scenario_limit(self, pc_path):
        prefix = os.path.join(self.dir, "limit")
        shutil.rmtree(prefix, ignore_errors=True)
        os.makedirs(os.path.join(prefix, "logs"))
        os.makedirs(os.path.join(prefix, "tmp"))
        port = free_port()
        path = os.path.join(prefix, "nginx.conf")
        with open(path, "w") as f:
            f.write(limit_conf(prefix, port, self.pc0, self.ca, self.token))
        p = self.start_nginx("limit", prefix, path, [port])
        try:
            url = "http://127.0.0.1:%d%s%s" % (port, pc_path, FINISHED)
            with urllib.request.urlopen(url, timeout=10) as r:
                if r.status != 200 or json.loads(r.read()).get("status") != "finished":
                    raise BenchError("limit nginx: unexpected answer")
            r = self.load("1", "limit: nginx proxy_pass to the fake, 0 ms, finished batch",
                          url, 64, SECONDS, self.pc_log0)
        finally:
            self.stop(p)
        r["diag"] = diagnose_nginx(os.path.join(prefix, "logs", "error.log"))
        r["threads_set"] = "-"
        self.rows.insert(0, r)

    def scenario_render_micro(self):
        rb = os.path.join(self.dir, "render_bench")
        files = [os.path.join(self.data, "d1000.json"), os.path.join(self.data, "d10000.json")]
        log("6a: render_bench, %d runs each, 1,000 and 10,000 devices" % RENDER_RUNS)
        p = subprocess.run([rb, "--templates", os.path.join(TOP, "templates"), "--runs",
                            str(RENDER_RUNS)] + files, capture_output=True, text=True,
                           timeout=600)
        with open(os.path.join(self.logdir, "6a-render_bench.txt"), "w") as f:
            f.write(p.stdout + p.stderr)
        if p.returncode != 0:
            raise BenchError("render_bench failed:\n" + p.stdout + p.stderr)
        micro = [json.loads(m) for m in re.findall(r"^RENDER (\{.*\})$", p.stdout, re.M)]
        self.render["micro"] = {m["devices"]: m for m in micro}
        for m in micro:
            log("6a: %d devices: %.1f ms (parse %.1f, view %.1f, render %.1f; json-c alone %.1f)"
                % (m["devices"], m["median_ms"], m["parse_ms"], m["view_ms"], m["render_ms"],
                   m["jsonc_ms"]))

    def scenario_render_e2e(self, page):
        """(6b) the application alone, straight over FastCGI (past any nginx page cache),
        its own cache holding the batch: client-side time and the server's `ms=`;
        (6c) the same page through nginx, as a browser gets it."""
        st = self.start_stack("6-render", self.pc0, self.cache_on(THREADS))
        sock = os.path.join(st["run_dir"], "batchstatus.sock")
        log_path = os.path.join(st["run_dir"], "logs", "batchstatus.log")
        e2e = {}
        try:
            for n, tid in ((1000, D1K), (10000, D10K)):
                path = page + tid
                code, body = self.http_get(st, path)     # fills the caches
                if code != 200:
                    self.notes.append("6b: %s answered %d" % (path, code))
                r = {"html_bytes": len(body)}
                before_log, before = file_size(log_path), file_size(self.pc_log0)
                took, t_end = [], time.monotonic() + E2E_SECONDS
                while time.monotonic() < t_end and len(took) < 400:
                    code, _, t = fcgi_get(sock, path)
                    if code != 200:
                        raise BenchError("6b: FastCGI GET %s answered %d" % (path, code))
                    took.append(t * 1000)
                time.sleep(0.3)
                logged = re.findall(r" -> 200 \S+(.*?) ms=(\d+)", read_from(log_path, before_log))
                r["app_n"] = len(took)
                r["app_ms"] = statistics.median(took)
                r["server_ms"] = statistics.median([int(x) for _, x in logged]) if logged else None
                r["cache_tags"] = tally(re.findall(r"cache=(\S+)", " ".join(t for t, _ in logged)))
                before2 = file_size(self.pc_log0)
                w = self.wrk("6c-%d" % n, st["base"] + path, 1, E2E_SECONDS, threads=1)
                time.sleep(0.3)
                r["nginx_p50_us"], r["nginx_n"] = w["p50_us"], w["requests"]
                r["calls"] = len(read_from(self.pc_log0, before).splitlines())
                r["calls_nginx"] = len(read_from(self.pc_log0, before2).splitlines())
                e2e[n] = r
                log("6b: %d devices: the app alone %.1f ms (median of %d FastCGI requests), server "
                    "log %s ms, cache %s; 6c through nginx %.1f ms (p50 of %d); %d upstream calls"
                    % (n, r["app_ms"], r["app_n"], r["server_ms"], r["cache_tags"],
                       w["p50_us"] / 1e3, w["requests"], r["calls"]))
        finally:
            self.stop_stack(st)
        e2e["hwm_mib"] = st["hwm_mib"]
        e2e["diag"] = st["diag"]
        self.render["e2e"] = e2e

    def scenario_7(self, page):
        """(7) brownout: HANG_CONNS connections of new batches whose calls hang on the
        upstream, and meanwhile 64 connections alternating /healthz and a finished batch
        that the app holds (a different query each time: nginx's page cache misses, the
        app answers from its own cache)."""
        st = self.start_stack("7-brownout", self.pchang, self.cache_on(THREADS))
        held = page + FINISHED
        try:
            for path in ("/healthz", held, held + "?lang=hu-HU&r=check"):
                code, body = self.http_get(st, path)
                if code != 200:
                    raise BenchError("7: GET %s answered %d before the brownout (%s)"
                                     % (path, code, body[:200]))
            m0 = server_metrics(st["sock"])
            if not m0:
                raise BenchError("7: no /metrics over the FastCGI socket")
            before_hang = file_size(self.pc_loghang)
            fake_base = self.fake_status()      # the fake's own check still sleeping, say
            hang_s = HANG_RAMP_S + SECONDS + 30       # stopped (SIGINT) once the mix is done
            log("7: brownout: %d connections of new batches on the hanging listener"
                % HANG_CONNS)
            hp, hout = self.wrk_start("7-hang", st["base"] + "/", HANG_CONNS, hang_s,
                                      "random_guid.lua", [page], timeout="60s")
            t0 = time.monotonic()
            waiting, m = 0, {}
            while time.monotonic() - t0 < HANG_RAMP_S:
                m = server_metrics(st["sock"])
                waiting = m.get("batchstatus_requests_waiting", 0)
                if waiting >= 0.97 * HANG_CONNS or hp.poll() is not None:
                    break
                time.sleep(0.25)
            ramp = time.monotonic() - t0
            log("7: %d waiting after %.1f s (in flight upstream %s, shed %s)" % (
                waiting, ramp, m.get("batchstatus_upstream_in_flight"),
                m.get("batchstatus_requests_shed_total")))
            if waiting < 0.97 * HANG_CONNS:
                self.notes.append("7: only %d requests were waiting %.0f s after %d connections "
                                  "started asking for new batches" % (waiting, ramp, HANG_CONNS))
            fake0 = self.fake_status()
            sampler = MetricsSampler(st["sock"], 0.5)
            sampler.start()
            before_nginx = file_size(st["access_log"])
            log("7: %d connections on /healthz and %s?lang=hu-HU&r=<n>, %d s, while they hang"
                % (MIX_CONNS, held, SECONDS))
            ticks0, wall0 = self.session_ticks(), time.monotonic()
            r = self.wrk("7", st["base"] + "/", MIX_CONNS, SECONDS, "brownout_mix.lua",
                         [held, "vary"])
            r["cpu_split"] = cpu_split(ticks0, self.session_ticks(), time.monotonic() - wall0)
            samples = sampler.finish()
            r["gauges"] = gauges(samples)
            fake1 = self.fake_status()
            r["nginx_status"] = nginx_statuses(
                st["access_log"], before_nginx, lambda u: u == "/healthz" or u.startswith(held))
            hang = self.wrk_finish("7-hang", hp, hout, HANG_CONNS, 30, interrupt=True)
            # The hanging clients are gone: does the server let their requests go?
            after = []
            for wait in (1.0, 2.0):
                time.sleep(wait)
                after.append(server_metrics(st["sock"]).get("batchstatus_requests_waiting"))
            hang["nginx_status"] = nginx_statuses(
                st["access_log"], 0, lambda u: not (u == "/healthz" or u.startswith(held)))
        except BaseException:
            self.stop_stack(st)
            raise
        self.stop_stack(st)
        # The fake logs a call when it ends: the held batch's at once, a hanging one only
        # when its sleep does (so stub_status above counts those).
        calls = read_from(self.pc_loghang, before_hang).splitlines()
        self.upstream_window(hang, [c for c in calls if FINISHED not in c])
        held_calls = [c for c in calls if FINISHED in c]
        w = [x["waiting"] for x in samples if x.get("waiting") is not None]
        shed = [x["shed"] for x in samples if x.get("shed") is not None]
        r["waiting"] = {"min": min(w), "median": statistics.median(w), "max": max(w),
                        "n": len(w)} if w else None
        r["in_flight"] = statistics.median([x["in_flight"] for x in samples
                                            if x.get("in_flight") is not None] or [0])
        r["shed_during"] = (shed[-1] - shed[0]) if len(shed) > 1 else None
        r["ramp_s"], r["waiting_start"], r["waiting_after"] = ramp, waiting, after
        # How many of the waiting requests' calls the fake really had (the rest queued in
        # the server): its requests in progress, less what it held before (the check's
        # hanging call, our own stub_status request).
        r["fake_in_progress"] = [f["writing"] - fake_base.get("writing", 1)
                                 if "writing" in f else None for f in (fake0, fake1)]
        r["fake_conns"] = [f["active"] - fake_base.get("active", 1)
                           if "active" in f else None for f in (fake0, fake1)]
        # The held batch is in the app's cache: the viewers should cost no upstream call.
        self.upstream_window(r, held_calls)
        r["key"] = "7"
        r["what"] = ("brownout: /healthz and a finished batch the app holds, alternately, "
                     "while %d calls hang" % HANG_CONNS)
        r["stack_conns"] = MIX_CONNS + HANG_CONNS
        self.stack_fields(r, st)
        hang["key"] = "7-hang"
        hang["what"] = ("brownout: the %d connections of new batches whose calls hang (%d s at "
                        "the fake; the server's deadline first); upstream calls and connections: "
                        "in progress at the fake at the end of (7)'s window (stub_status)"
                        % (HANG_CONNS, HANG_S))
        # The fake logs a hanging call only when its sleep ends: count what it holds instead.
        if r["fake_in_progress"][1] is not None:
            hang["calls"] = r["fake_in_progress"][1]
        if r["fake_conns"][1] is not None:
            hang["calls_conns"] = r["fake_conns"][1]
        hang["stack_conns"] = MIX_CONNS + HANG_CONNS
        for k in ("threads_set", "threads_seen", "cpu_threads", "up_conns"):
            hang[k] = r.get(k)
        self.rows.append(hang)
        self.rows.append(r)
        log("7: %.0f req/s, p50 %.1f ms, p99 %.1f ms, errors %d; waiting during it %s; shed %s; "
            "waiting 1 s and 3 s after the hanging clients left: %s; peak RSS %s MiB" % (
                r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["errors"], r["waiting"],
                r["shed_during"], after, r["hwm_mib"]))
        log("7-hang: %d answers (%s), nginx %s; the fake had %s calls in progress (start, end "
            "of the window) on %s connections; the server opened %s upstream connections" % (
                hang["requests"], err_text(hang), status_text(hang["nginx_status"], all_=True),
                r["fake_in_progress"], r["fake_conns"], r["up_conns"]))


class MetricsSampler:
    """Reads the server's /metrics every `every` seconds in a thread, until finish()."""

    def __init__(self, sock, every):
        import threading
        self.sock, self.every, self.samples = sock, every, []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        self.thread.start()

    def loop(self):
        while not self.done.is_set():
            m = server_metrics(self.sock, timeout=2)
            if m:
                self.samples.append({"t": time.monotonic(),
                                     "waiting": m.get("batchstatus_requests_waiting"),
                                     "in_flight": m.get("batchstatus_upstream_in_flight"),
                                     "busy": m.get("batchstatus_threads_busy"),
                                     "shed": m.get("batchstatus_requests_shed_total")})
            self.done.wait(self.every)

    def finish(self):
        self.done.set()
        self.thread.join(timeout=10)
        return self.samples


def cpu_split(t0, t1, wall):
    """% of one core each kind of process of ours used between two session_ticks()."""
    if wall <= 0:
        return {}
    out = {}
    for (pid, label), t in t1.items():
        out[label] = out.get(label, 0) + t - t0.get((pid, label), 0)
    return {k: 100.0 * v / (wall * CLK_TCK) for k, v in out.items() if v > 0}


def gauges(samples):
    """The most the server's gauges showed over a window of MetricsSampler samples."""
    out = {}
    for k in ("waiting", "in_flight", "busy"):
        v = [x[k] for x in samples if x.get(k) is not None]
        if v:
            out[k] = max(v)
    sh = [x["shed"] for x in samples if x.get("shed") is not None]
    if len(sh) > 1:
        out["shed"] = sh[-1] - sh[0]
    out["n"] = len(samples)
    return out


def wanted(key, exact=False):
    """Whether BENCH_ONLY asks for scenario key (all when unset). Also 2 for 2b, 6 for 6a,
    and 4 when only 4-1024 (say) is asked for, unless exact."""
    if not ONLY:
        return True
    if key in ONLY or (not exact and key.rstrip("ab") in ONLY):
        return True
    return not exact and any(o.startswith(key + "-") for o in ONLY)


def parse_h2load(text):
    """h2load's summary: seconds, req/s, the request counts, 2xx, the protocol."""
    out = {}
    m = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", text)
    if m:
        out["seconds"] = float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)
        out["rps"] = float(m.group(3))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    if m:
        for k, v in zip(("total", "started", "done", "succeeded", "failed", "errored",
                         "timeout"), m.groups()):
            out[k] = int(v)
    m = re.search(r"status codes: (\d+) 2xx", text)
    if m:
        out["2xx"] = int(m.group(1))
    m = re.search(r"Application protocol: (\S+)", text)
    if m:
        out["protocol"] = m.group(1)
    return out


def find_echo_module():
    cands = ["/usr/lib/nginx/modules/ngx_http_echo_module.so"]
    try:
        out = subprocess.run(["dpkg", "-L", "libnginx-mod-http-echo"], capture_output=True,
                             text=True).stdout
        cands += [l for l in out.splitlines() if l.endswith("ngx_http_echo_module.so")]
    except OSError:
        pass
    for c in cands:
        if os.path.exists(c):
            return c
    raise BenchError("ngx_http_echo_module.so not found: apt-get install libnginx-mod-http-echo")


def nginx_common(prefix):
    return """pid {p}/nginx.pid;
error_log {p}/logs/error.log warn;
daemon off;
{user}
""".format(p=prefix, user="user root;" if os.getuid() == 0 else "")


def temp_paths(prefix):
    return "\n".join("    %s_temp_path %s/tmp/%s;" % (k, prefix, k)
                     for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def fake_pc_conf(prefix, module, data, tls, token, p0, p250, phang, log0, log250, loghang,
                 pstatus):
    """The fake Partner Center: static files, optionally after a non-blocking echo_sleep.
    HTTPS with HTTP/2 offered by ALPN (h2, else HTTP/1.1), as Azure Front Door does;
    reuseport spreads the connections over both workers."""
    route = "~^/v1/customers/[^/]+/batchJobStatus/"
    listen = "listen 127.0.0.1:%d ssl http2 reuseport backlog=4096;"
    auth = """if ($pc_auth_ok = 0) { return 401; }
            if ($pc_file = "") { return 404; }"""
    return """# Generated by bench/bench.py: the load-test fake Partner Center.
load_module {module};
worker_processes 2;
worker_rlimit_nofile 20000;
{common}
events {{
    # Thousands of clients over HTTP/1.1 (wrk, or a server falling back to it),
    # or thousands of streams over a few HTTP/2 connections (the server).
    worker_connections 16384;
}}

http {{
    server_tokens off;
    access_log off;
{temps}
    default_type application/json;
    ssl_certificate {tls}/server.pem;
    ssl_certificate_key {tls}/server.key;
    ssl_session_cache shared:pc:10m;
    ssl_session_timeout 1h;
    # keepalive_requests and keepalive_timeout bound HTTP/2 connections too (nginx >= 1.19.7).
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    http2_max_concurrent_streams {streams};
    open_file_cache max=16;
    open_file_cache_valid 600s;
    # New fields go at the end: bench.py reads the first ones by position.
    log_format calls '$msec $status $request_time $request_uri $server_protocol $pid $connection';
    map_hash_bucket_size 256;

    # GET /v1/customers/{{any}}/batchJobStatus/{{any}}: which file answers.
    map $uri $pc_file {{
        {route}bbbbbbbb-[^/]*$  /processing.json;
        {route}dddd1000-[^/]*$  /d1000.json;
        {route}dddd9999-[^/]*$  /d10000.json;
        {route}[^/]+$           /finished.json;
        default                 "";
    }}
    map $http_authorization $pc_auth_ok {{
        "Bearer {token}" 1;
        default 0;
    }}

    server {{
        {listen0}
        access_log {log0} calls;
        root {data};
        location / {{
            {auth}
            try_files $pc_file =404;
        }}
    }}

    server {{
        {listen250}
        access_log {log250} calls;
        location / {{
            {auth}
            echo_sleep {lat};
            echo_exec /_files$pc_file;
        }}
        location /_files/ {{
            internal;
            alias {data}/;
        }}
    }}

    # (7) the brownout: every call hangs {hang} s (the server gives up first), but the
    # one finished batch the viewers read, answered at once so that the server keeps it.
    server {{
        {listenhang}
        access_log {loghang} calls;
        root {data};
        location / {{
            {auth}
            echo_sleep {hang};
            echo_exec /_files$pc_file;
        }}
        location ~ ^/v1/customers/[^/]+/batchJobStatus/{finished}$ {{
            {auth}
            try_files /finished.json =404;
        }}
        location /_files/ {{
            internal;
            alias {data}/;
        }}
    }}

    # For bench.py only (plain HTTP): requests in progress, HTTP/2 streams included, across
    # both workers; a hanging call is logged only when its sleep ends, this sees it at once.
    server {{
        listen 127.0.0.1:{pstatus};
        location = /status {{
            stub_status;
        }}
    }}
}}
""".format(pstatus=pstatus, module=module, common=nginx_common(prefix), temps=temp_paths(prefix), tls=tls,
           route=route, token=token, log0=log0, log250=log250, loghang=loghang, data=data,
           lat=LATENCY_S, hang=HANG_S, streams=H2_STREAMS, auth=auth, finished=FINISHED,
           listen0=listen % p0, listen250=listen % p250, listenhang=listen % phang)


def limit_conf(prefix, port, pc0, ca, token):
    """Scenario 1: the same nginx binary as the system under test, one worker like
    nginx/dev.conf.in, proxying to the fake over kept-alive, session-reusing TLS."""
    return """# Generated by bench/bench.py: scenario 1, the limit.
worker_processes 1;
worker_rlimit_nofile 20000;
{common}
events {{
    worker_connections 4096;
}}

http {{
    server_tokens off;
    access_log {p}/logs/access.log;
{temps}
    upstream fake_pc {{
        server 127.0.0.1:{pc0};
        keepalive 128;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass https://fake_pc;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "Bearer {token}";
            proxy_ssl_trusted_certificate {ca};
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_ssl_session_reuse on;
        }}
    }}
}}
""".format(common=nginx_common(prefix), temps=temp_paths(prefix), p=prefix, pc0=pc0,
           port=port, token=token, ca=ca)


NGINX_SIGNS = [
    ("exited on signal", "nginx: a worker process crashed"),
    ("worker_connections are not enough", "nginx: worker_connections are not enough"),
    ("Too many open files", "nginx: too many open files"),
    ("Resource temporarily unavailable", "nginx: FastCGI socket backlog full (EAGAIN on connect)"),
    ("upstream timed out", "nginx: upstream timed out"),
    ("Connection refused", "nginx: connection refused by upstream"),
    ("prematurely closed", "nginx: upstream closed the connection early"),
]


def dev_conf_summary():
    """What nginx/dev.conf.in (the stack's nginx) sets for capacity."""
    try:
        with open(os.path.join(TOP, "nginx", "dev.conf.in")) as f:
            text = f.read()
    except OSError:
        return "?"
    got = []
    for k in ("worker_processes", "worker_rlimit_nofile", "worker_connections"):
        m = re.search(r"^\s*%s\s+(\S+);" % k, text, re.M)
        got.append("`%s %s`" % (k, m.group(1) if m else "?"))
    m = re.search(r"backlog=(\d+)", text)
    got.append("`backlog=%s`" % (m.group(1) if m else "default"))
    return ", ".join(got)


def steady_rate(lines):
    """Upstream calls per second once running: the median count of the whole
    seconds of the window (the first and last, partial, left out), from the
    fake's $msec log field. None when the window is too short."""
    per = {}
    for l in lines:
        try:
            sec = int(float(l.split(" ", 1)[0]))
        except ValueError:
            continue
        per[sec] = per.get(sec, 0) + 1
    secs = sorted(per)
    if len(secs) < 4:
        return None
    inner = range(secs[0] + 1, secs[-1])
    return statistics.median(per.get(s, 0) for s in inner)


def upstream_p99_ms(lines, q=0.99):
    """The fake's own p99 (or quantile q) answer time ($request_time, ms resolution)."""
    t = []
    for l in lines:
        f = l.split(" ")
        try:
            t.append(float(f[2]) * 1000)
        except (IndexError, ValueError):
            continue
    if not t:
        return None
    t.sort()
    return t[min(len(t) - 1, int(len(t) * q))]


def diagnose_nginx(path):
    text = read_from(path, 0)
    found = {}
    for needle, what in NGINX_SIGNS:
        n = text.count(needle)
        if n:
            found[what] = n
    return found


def diagnose(run_dir):
    """What the stack's logs say went wrong: nginx error-log signs, server answers by status."""
    found = diagnose_nginx(os.path.join(run_dir, "logs", "nginx-error.log"))
    text = read_from(os.path.join(run_dir, "logs", "batchstatus.log"), 0)
    by = {}
    for status, outcome in re.findall(r" -> (\d+) (\S+)", text):
        if status != "200":
            by[(status, outcome)] = by.get((status, outcome), 0) + 1
    for (status, outcome), n in sorted(by.items()):
        found["server answered %s %s" % (status, outcome)] = n
    return found


def cache_tally(run_dir):
    """The server's cache=... request-log field, counted (empty for a server without it)."""
    text = read_from(os.path.join(run_dir, "logs", "batchstatus.log"), 0)
    # ("-": a request that asked no cache, such as bench.py's own /metrics.)
    return tally(c for c in re.findall(r" -> \d+ \S+ .*?cache=(\S+)", text) if c != "-")


def tally(items):
    out = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


# -- the report ------------------------------------------------------------
def fmt_ms(us):
    return "—" if not us else ("%.1f" % (us / 1e3) if us < 100e3 else "%.0f" % (us / 1e3))


def fmt_fake_ms(us):
    """A latency that may be the fake's own $request_time (ms resolution: 0 is < 1 ms)."""
    return "< 1" if us == 0 else fmt_ms(us)


def verdict(ok):
    return "PASS" if ok else "FAIL"


def report(b):
    rows = {r["key"]: r for r in b.rows}
    limit = rows.get("1")
    lim = limit["rps"] if limit else None
    ceiling = rows.get("2b")
    out = []
    w = out.append
    w("# make bench: results")
    w("")
    w("Issue 3's benchmark, written by `bench/run.sh` (`make bench`). Every load goes to 127.0.0.1;")
    w("wrk runs on the same %s cores as everything else (2 threads)." % b.info.get("nproc"))
    w("")
    w("## Machine")
    w("")
    for k in ("date", "nproc", "cpu", "memory", "kernel", "os", "nginx", "curl", "openssl", "wrk",
              "h2load", "commit", "ulimit -n", "net.core.somaxconn",
              "CPU idle before the run (1 s)"):
        w("- %s: %s" % (k, b.info.get(k, "?")))
    w("")
    w("## Settings")
    w("")
    w("- wrk: 2 threads, %d s per scenario after a %d s warm-up (scenario 5: %d s, no warm-up; "
      "(7): no warm-up), `--timeout %s`; req/s counts answers < 400 only; wrk speaks HTTP/1.1"
      % (SECONDS, WARMUP, LONG_SECONDS, WRK_TIMEOUT))
    w("- fake Partner Center: nginx + echo module (`echo_sleep`), 2 workers (`reuseport`), TLS "
      "offering HTTP/2 by ALPN (`listen ... ssl http2`), as Azure Front Door does; a client that "
      "asks for no h2 (wrk, the limit's proxy_pass) gets HTTP/1.1. `http2_max_concurrent_streams "
      "%d` (nginx's default, set explicitly), `keepalive_requests 1000000` (HTTP/2 connections "
      "too), `worker_connections 16384`; bearer token checked. Three listeners: 0 ms and %d ms "
      "added latency, and (7)'s, where every call hangs %d s (past the server's deadline) except "
      "the one finished batch %s, answered at once. Its access log records `$server_protocol` "
      "and the connection of every call: the \"upstream\" columns below come from it"
      % (H2_STREAMS, LATENCY_S * 1000, HANG_S, FINISHED))
    w("- the fake alone: wrk over HTTP/1.1 (what (1) gets), h2load over HTTP/2 (what the server "
      "gets); h2load gives no percentiles, so its rows show the fake's own answer times "
      "(`$request_time`)")
    w("- the stack's nginx: nginx/dev.conf.in (%s)" % b.info.get("dev.conf", "?"))
    w("- cache on = `BATCHSTATUS_CACHE_FINISHED_SECONDS=600`, `BATCHSTATUS_CACHE_RUNNING_SECONDS=%d`; "
      "cache off = both 0" % RUNNING_CACHE)
    w("- `BATCHSTATUS_THREADS` (CPU threads): %s, every stack; every other setting at the "
      "server's default (`BATCHSTATUS_MAX_WAITING`, `BATCHSTATUS_UPSTREAM_CONNECTIONS`, the "
      "15 s upstream deadline). The threads column: CPU threads (`batchstatus_threads`) and, in "
      "brackets, all the process's threads (/proc)" % (
          THREADS or "the server's default (unset: one per core)"))
    w("- (4): a fresh stack per size, 256, 1024 and 4096 connections, each request a new batch "
      "(random_guid.lua); the Little bound is connections / 250 ms (1024, 4096, 16,384 req/s). "
      "(4-4096) is also set beside (2b), the same run's cache-off CPU ceiling for new batches")
    w("- (7) brownout: one stack on the hanging listener; the finished batch fetched once (the "
      "app keeps it); then %d connections of new batches (7-hang), and once the server's "
      "`batchstatus_requests_waiting` shows ≥ 97%% of them, %d connections for %d s alternating "
      "`/healthz` and `%s?lang=hu-HU&r=<n>` (brownout_mix.lua: a different query each time, so "
      "nginx's page cache never has it and the app answers every one from its own cache; nginx "
      "then stores each). The gauge is read from the FastCGI socket every 0.5 s meanwhile. The "
      "calls time out at the server's deadline (15 s after they started): with BENCH_SECONDS "
      "> ~12 the window sees them go and come back"
      % (HANG_CONNS, MIX_CONNS, SECONDS, "/customers/<c>/batches/" + FINISHED))
    w("- peak RSS: VmHWM of the batchstatus process, a fresh stack per scenario; upstream "
      "connections opened: `batchstatus_upstream_connections_total` at the end (warm-up "
      "included), beside the connections the fake saw in the measured window")
    w("- nginx non-200: the stack nginx's access log over the measured window (wrk counts only "
      "≥ 400 and socket errors). A request wrk leaves in flight when it stops is finished by nginx "
      "anyway when its page may be cached (the location has `fastcgi_cache`), else logged 499. "
      "So after each warm-up the run waits until the server's `batchstatus_requests_waiting` is 0 "
      "before measuring")
    w("")

    w("## Load")
    w("")
    w("| # | scenario | conns | threads | req/s | vs | p50 ms | p99 ms | wrk errors | nginx non-200 "
      "| upstream calls | upstream protocol | upstream conns opened (fake saw) | peak RSS MiB (at start) |")
    w("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for key in ("cap-0ms", "cap-250ms", "cap-h2-0ms", "cap-h2-250ms"):
        r = b.capacity.get(key.split("-", 1)[1])
        if r:
            conns = ("%d × %d streams" % (r["conns"], r["streams"]) if r.get("streams")
                     else "%d" % r["conns"])
            w("| fake | %s | %s | – | %.0f | steady %s | %s | %s | %s | – | %d | %s | – (%s) | – |" % (
                r["what"], conns, r["rps"],
                "%.0f" % r["calls_steady"] if r["calls_steady"] is not None else "?",
                fmt_fake_ms(r["p50_us"]), fmt_fake_ms(r["p99_us"]), err_text(r), r["calls"],
                proto_text(r), r.get("calls_conns", "?")))
    for r in b.rows:
        w("| %s | %s | %d | %s | %.0f | %s | %s | %s | %s | %s | %d | %s | %s | %s |" % (
            r["key"], r["what"], r["conns"], threads_text(r), r["rps"], vs_text(r, lim, ceiling),
            fmt_ms(r["p50_us"]), fmt_ms(r["p99_us"]), err_text(r),
            status_text(r.get("nginx_status")), r["calls"], proto_text(r) or "–",
            conns_text(r), rss_text(r)))
    w("")

    micro = b.render.get("micro", {})
    e2e = b.render.get("e2e", {})
    if micro or e2e:
        w("## Render (6)")
        w("")
        w("| devices | JSON bytes | HTML bytes | (a) render_bench median ms | parse | view | render | json-c alone | (b) app alone ms | (b) server log ms | (c) through nginx p50 ms | upstream calls in (b)+(c) |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in (1000, 10000):
            m, e = micro.get(n), e2e.get(n)
            w("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n, m["json_bytes"] if m else "–", m["html_bytes"] if m else "–",
                "%.2f" % m["median_ms"] if m else "–", "%.2f" % m["parse_ms"] if m else "–",
                "%.2f" % m["view_ms"] if m else "–", "%.2f" % m["render_ms"] if m else "–",
                "%.2f" % m["jsonc_ms"] if m else "–",
                "%.2f" % e["app_ms"] if e else "–",
                e["server_ms"] if e and e["server_ms"] is not None else "–",
                fmt_ms(e["nginx_p50_us"]) if e else "–",
                e["calls"] if e else "–"))
        w("")
        w("(a) links the server's objects and times batch_parse + view_batch_build + "
          "tpage_new/view_fill_batch/tpage_render on the bytes the fake serves, median of %d "
          "runs; json-c alone is the tokenizer on the same bytes (part of parse). (b) the running "
          "server, its cache holding the batch, asked straight over its FastCGI socket (so no "
          "nginx page cache answers): median client-side time of up to 400 requests in %d s, and "
          "the median of the server's own `ms=` log field (whole ms). (c) the same page through "
          "nginx, 1 connection for %d s, p50 of wrk: what a browser waits, whichever cache "
          "answers. No upstream calls in (b)+(c) means every answer came from a cache."
          % (RENDER_RUNS, E2E_SECONDS, E2E_SECONDS))
        w("")

    # Targets
    t = []
    cap0, cap250 = b.capacity.get("0ms"), b.capacity.get("250ms")
    caph2, caph2_250 = b.capacity.get("h2-0ms"), b.capacity.get("h2-250ms")
    zero = [r for r in b.rows if r["key"] in ("1", "2", "2b", "3") and r["seconds"] > 0]
    h1 = [r for r in zero if not mostly_h2(r)]
    h2 = [r for r in zero if mostly_h2(r)]
    for cap, who, proto in ((cap0, h1, "HTTP/1.1"), (caph2, h2, "HTTP/2")):
        if cap and who:
            asked = max(who, key=lambda r: r["calls"] / r["seconds"])
            rate = asked["calls"] / asked["seconds"]
            t.append(("fake upstream not the bottleneck (0 ms, %s)" % proto,
                      "its capacity alone > the most calls/s a scenario made over %s" % proto,
                      "%.0f req/s alone vs %.0f calls/s at most, (%s) = %.2f×" % (
                          cap["rps"], rate, asked["key"], cap["rps"] / rate if rate else float("inf")),
                      verdict(cap["rps"] > rate)))
    for cap, conns, proto in ((cap250, 1024, "HTTP/1.1, 1024 conns"),
                              (caph2_250, 4096, "HTTP/2, 4096 streams")):
        if not cap:
            continue
        st = cap["calls_steady"]
        if st is None:          # a run too short to have whole seconds inside it
            st = cap["rps"]
        own = cap["calls_p99_ms"]
        bound = conns / LATENCY_S
        t.append(("fake upstream not the bottleneck (250 ms, %s)" % proto,
                  "steady ≥ 0.95 × %.0f req/s; its own p99 ≤ 275 ms" % bound,
                  "steady %.0f req/s = %.2f× (%s: %.0f); own p99 %s ms%s" % (
                      st, st / bound, "h2load" if cap.get("streams") else
                      "wrk, TLS start-up included", cap["rps"],
                      "%.0f" % own if own is not None else "?",
                      "" if cap.get("streams") else " (wrk's p99, TLS handshakes included: %s ms)"
                      % fmt_ms(cap["p99_us"])),
                  verdict(st >= 0.95 * bound and own is not None and own <= 275)))
    for key, need in (("2", 0.5), ("3", 1.5)):
        r = rows.get(key)
        if r and lim:
            ratio = r["rps"] / lim
            t.append(("(%s) %s" % (key, "cache off" if key == "2" else "cache on, finished"),
                      "≥ %.1f× the limit" % need,
                      "%.0f / %.0f req/s = %.3f×%s" % (r["rps"], lim, ratio, err_note(r)),
                      verdict(ratio >= need and clean(r))))
    r = rows.get("2b")
    if r and lim:
        t.append(("(2b) cache off, a new batch per request", "information: (2) without "
                  "coalescing; the CPU ceiling for new batches",
                  "%.0f / %.0f req/s = %.2f×%s" % (r["rps"], lim, r["rps"] / lim, err_note(r)),
                  "info"))
    r = rows.get("4-256")
    if r:
        ratio = r["rps"] / (256 / LATENCY_S)
        t.append(("(4) 256 conns, 250 ms, new batch each", "≥ 0.9× 1024 req/s, p99 ≤ 350 ms",
                  "%.0f req/s = %.3f×, p99 %s ms%s" % (r["rps"], ratio, fmt_ms(r["p99_us"]), err_note(r)),
                  verdict(ratio >= 0.9 and 0 < r["p99_us"] <= 350e3 and clean(r))))
    r = rows.get("4-1024")
    if r:
        ratio = r["rps"] / (1024 / LATENCY_S)
        rss = r.get("hwm_mib")
        t.append(("(4) 1024 conns, 250 ms, new batch each",
                  "≥ 0.8× 4096 req/s, p99 ≤ 400 ms, peak RSS ≤ %.0f MiB" % RSS_LIMIT_MIB,
                  "%.0f req/s = %.3f×, p99 %s ms, peak RSS %s MiB%s" % (
                      r["rps"], ratio, fmt_ms(r["p99_us"]), "%.1f" % rss if rss else "?",
                      err_note(r)),
                  verdict(ratio >= 0.8 and 0 < r["p99_us"] <= 400e3 and clean(r)
                          and rss is not None and rss <= RSS_LIMIT_MIB)))
    r = rows.get("4-4096")
    if r:
        bound = 4096 / LATENCY_S
        rss = r.get("hwm_mib")
        ns = r.get("nginx_status") or {}
        bad = sum(n for c, n in ns.items() if c not in ("200", "499"))
        n499 = ns.get("499", 0)
        all200 = r["errors"] == 0 and bad == 0 and n499 <= r["conns"] and bool(ns)
        t.append(("(4) 4096 conns, 250 ms, new batch each",
                  "every request answered 200 (no errors, no timeouts), p99 ≤ 1.5 s, peak RSS "
                  "≤ %.0f MiB" % RSS_LIMIT_4096_MIB,
                  "wrk errors: %s; nginx non-200: %s; p99 %s ms; peak RSS %s MiB%s" % (
                      err_text(r), status_text(ns) if ns else "? (no access log)",
                      fmt_ms(r["p99_us"]), "%.1f" % rss if rss else "?",
                      "; shed %d" % r["shed"] if r.get("shed") else ""),
                  verdict(all200 and 0 < r["p99_us"] <= 1.5e6 and rss is not None
                          and rss <= RSS_LIMIT_4096_MIB)))
        t.append(("(4) 4096 conns: req/s beside the bound and the CPU ceiling",
                  "information: the Little bound 16,384 req/s; (2b) the same run's cache-off "
                  "ceiling for new batches",
                  "%.0f req/s = %.3f× 16,384; %s" % (
                      r["rps"], r["rps"] / bound,
                      "%.2f× (2b)'s %.0f req/s" % (r["rps"] / ceiling["rps"], ceiling["rps"])
                      if ceiling and ceiling["rps"] else "(2b) not run"),
                  "info"))
    r = rows.get("8a")
    if r:
        dur = r["seconds"]
        allowed = int(dur // RUNNING_CACHE) + 1
        t.append(("(8a) 3 nodes + Redis, 1000 viewers, one processing batch, %.0f s" % dur,
                  "upstream calls ≤ %.0f/%d + 1 = %d" % (dur, RUNNING_CACHE, allowed),
                  "%d upstream calls (%.0f req/s answered, p99 %s ms%s)" % (
                      r["calls"], r["rps"], fmt_ms(r["p99_us"]), err_note(r)),
                  verdict(r["calls"] <= allowed and r["calls"] > 0 and clean(r))))
    r, one = rows.get("8b"), rows.get("3")
    if r:
        t.append(("(8b) 3 nodes + Redis, cached finished batch", "information: req/s beside (3), "
                  "one node",
                  "%.0f req/s%s%s" % (r["rps"], " = %.2f× (3)'s %.0f" % (r["rps"] / one["rps"],
                                                                          one["rps"])
                                      if one and one["rps"] else "", err_note(r)), "info"))
    sh = getattr(b, "shared", None)
    if sh:
        t.append(("(8c) a hit through Redis beside a hit in the node's own cache",
                  "information: the cost of shared mode's cache hit, as a ratio",
                  "p50 %.2f ms vs %.2f ms = %.2f×; p99 %.2f vs %.2f ms (%d batches, FastCGI "
                  "socket, no nginx%s)" % (sh["redis_p50"], sh["local_p50"],
                                            sh["redis_p50"] / sh["local_p50"] if sh["local_p50"]
                                            else float("inf"), sh["redis_p99"], sh["local_p99"],
                                            sh["n"], ", %d not 200" % sh["bad"] if sh["bad"] else ""),
                  "info"))
    r = rows.get("5")
    if r:
        dur = r["seconds"]
        allowed = int(dur // RUNNING_CACHE) + 1
        t.append(("(5) 1000 viewers, one processing batch, %.0f s" % dur,
                  "upstream calls ≤ %.0f/%d + 1 = %d" % (dur, RUNNING_CACHE, allowed),
                  "%d upstream calls (%.0f req/s answered, p99 %s ms%s)" % (r["calls"], r["rps"],
                                                               fmt_ms(r["p99_us"]), err_note(r)),
                  verdict(r["calls"] <= allowed and r["calls"] > 0 and clean(r))))
    if micro.get(10000):
        m10, m1 = micro[10000], micro.get(1000)
        t.append(("(6a) render 10,000 devices (render_bench)", "≤ 50 ms",
                  "%.1f ms" % m10["median_ms"], verdict(m10["median_ms"] <= 50)))
        if m1:
            g = m10["median_ms"] / m1["median_ms"]
            t.append(("(6a) growth 1,000 → 10,000 devices", "linear: ≈ 10×, at most 15×",
                      "%.1f ms → %.1f ms = %.1f×" % (m1["median_ms"], m10["median_ms"], g),
                      verdict(g <= 15)))
    if e2e.get(10000):
        e10, e1 = e2e[10000], e2e.get(1000)
        server = e10["server_ms"] if e10["server_ms"] is not None else e10["app_ms"]
        t.append(("(6b) 10,000 devices, the app with the batch cached", "≤ 50 ms of server time",
                  "%s ms server log, %.1f ms at the FastCGI client (cache %s; through nginx: %s ms)" % (
                      e10["server_ms"] if e10["server_ms"] is not None else "?", e10["app_ms"],
                      ", ".join("%s ×%d" % kv for kv in sorted(e10["cache_tags"].items())) or "–",
                      fmt_ms(e10["nginx_p50_us"])),
                  verdict(server <= 50)))
        if e1 and e1.get("app_ms"):
            g = e10["app_ms"] / e1["app_ms"]
            t.append(("(6b) growth 1,000 → 10,000 devices, the app with the batch cached",
                      "linear: ≈ 10×, at most 15×",
                      "%.1f ms → %.1f ms = %.1f×" % (e1["app_ms"], e10["app_ms"], g),
                      verdict(g <= 15)))
    r = rows.get("7")
    if r:
        wt = r.get("waiting")
        hanging = wt is not None and wt["median"] >= 0.97 * HANG_CONNS
        t.append(("(7) brownout: /healthz and a held finished page while %d calls hang"
                  % HANG_CONNS,
                  "p99 ≤ 50 ms under %d connections, no errors, with ≥ 97%% of the %d waiting"
                  % (MIX_CONNS, HANG_CONNS),
                  "p99 %s ms (p50 %s), %.0f req/s%s; waiting during it %s%s; peak RSS %s MiB "
                  "(%d connections: outside the 64 MiB row)" % (
                      fmt_ms(r["p99_us"]), fmt_ms(r["p50_us"]), r["rps"],
                      "; errors: " + err_text(r) if r["errors"] else ", no errors",
                      "min %d, median %.0f, max %d (%d samples)" % (
                          wt["min"], wt["median"], wt["max"], wt["n"]) if wt else "? (no samples)",
                      "; shed %d meanwhile" % r["shed_during"] if r.get("shed_during") else "",
                      "%.1f" % r["hwm_mib"] if r.get("hwm_mib") else "?",
                      r["stack_conns"]),
                  verdict(0 < r["p99_us"] <= 50e3 and r["errors"] == 0 and hanging
                          and not (set(r.get("nginx_status") or {}) - {"200", "499"}))))
    rss = [(r["key"], r["hwm_mib"]) for r in b.rows
           if r.get("hwm_mib") and r.get("stack_conns", r["conns"]) <= 1024]
    if e2e.get("hwm_mib"):
        rss.append(("6", e2e["hwm_mib"]))
    if rss:
        worst = max(rss, key=lambda x: x[1])
        t.append(("peak RSS of batchstatus, every scenario up to 1024 connections",
                  "≤ %.0f MiB" % RSS_LIMIT_MIB,
                  ", ".join("(%s) %.1f" % kv for kv in rss) + " MiB; worst (%s)" % worst[0],
                  verdict(worst[1] <= RSS_LIMIT_MIB)))
    for k in b.failed:
        t.append(("scenario %s" % k, "completes", "did not complete (see the notes below)", "FAIL"))
    w("## Targets")
    w("")
    w("| target | wanted | got | result |")
    w("|---|---|---|---|")
    for row in t:
        w("| %s | %s | %s | **%s** |" % row)
    w("")
    npass = sum(1 for row in t if row[3] == "PASS")
    nfail = sum(1 for row in t if row[3] == "FAIL")
    w("%d of %d targets met, %d not." % (npass, npass + nfail, nfail))
    w("")

    diag = []
    for r in b.rows:
        if r.get("diag"):
            diag.append("(%s): %s" % (r["key"], "; ".join("%s ×%d" % kv for kv in r["diag"].items())))
        if r.get("cache"):
            diag.append("(%s): server cache field: %s" % (
                r["key"], ", ".join("%s ×%d" % kv for kv in sorted(r["cache"].items()))))
        if r.get("calls_non200"):
            diag.append("(%s): %d upstream calls not answered 200 by the fake" % (r["key"], r["calls_non200"]))
        if r.get("shed"):
            diag.append("(%s): the server shed %d requests (503, BATCHSTATUS_MAX_WAITING "
                        "reached; warm-up included)" % (r["key"], r["shed"]))
        if r.get("key") == "7":
            diag.append("(7): waiting %d after %.1f s of the hanging load; %s 1 s and 3 s "
                        "after its %d clients left; upstream in flight (median) %s" % (
                            r["waiting_start"], r["ramp_s"],
                            " and ".join(str(int(x)) if x is not None else "?"
                                         for x in r["waiting_after"]),
                            HANG_CONNS, int(r["in_flight"]) if r.get("in_flight") is not None
                            else "?"))
            diag.append("(7): calls in progress at the fake (stub_status, less what it held "
                        "before) at the start and the end of the window: %s, on %s connections"
                        % (" and ".join(fmt_num(x) for x in r.get("fake_in_progress") or []),
                                   " and ".join(fmt_num(x) for x in r.get("fake_conns") or [])))
        if r.get("metrics_ok") is False:
            diag.append("(%s): no /metrics from the server at the end" % r["key"])
        if r.get("drain_s") is not None and r["drain_s"] > 1.0:
            diag.append("(%s): after the warm-up, %.1f s until the server held no parked "
                        "request (nginx finishes a cacheable request whose client left)"
                        % (r["key"], r["drain_s"]))
        g = r.get("gauges")
        if g and g.get("n"):
            diag.append("(%s): the server's gauges at most, over the window (%d samples): "
                        "requests waiting %s, upstream in flight %s, CPU threads busy %s" % (
                            r["key"], g["n"], fmt_num(g.get("waiting")),
                            fmt_num(g.get("in_flight")), fmt_num(g.get("busy"))))
        if r.get("cpu_split"):
            diag.append("(%s): CPU over the window, %% of one core: %s" % (r["key"], ", ".join(
                "%s %.0f%%" % kv for kv in sorted(r["cpu_split"].items(), key=lambda kv: -kv[1]))))
    for k, r in b.capacity.items():
        if r.get("calls_non200"):
            diag.append("(cap-%s): %d calls not answered 200 by the fake" % (k, r["calls_non200"]))
    if e2e.get("diag"):
        diag.append("(6): %s" % "; ".join("%s ×%d" % kv for kv in e2e["diag"].items()))
    if b.pc_diag:
        diag.append("the fake Partner Center's error log: %s" % "; ".join(
            "%s ×%d" % kv for kv in b.pc_diag.items()))
    w("## What the logs said")
    w("")
    if diag or b.notes:
        for d in diag + b.notes:
            w("- " + d)
    else:
        w("- nothing: no nginx capacity warnings, no server answers other than 200")
    w("")
    if b.foreign:
        w("CPU used by processes other than this run's, per scenario (%% of both cores): %s." % ", ".join(
            "(%s) %.0f%%" % kv for kv in b.foreign.items()))
    w("Threads seen in the server (/proc, at the end of each scenario): " + ", ".join(
        "(%s) %s" % (r["key"], r["threads_seen"]) for r in b.rows if r.get("threads_seen")) + ".")
    w("Raw wrk and h2load output: `build/bench/logs/`; each stack's logs: "
      "`build/bench/run/<scenario>/logs/`; the fake's: `build/bench/pc/logs/`.")
    w("")
    return "\n".join(out)


def fmt_num(x):
    return "?" if x is None else "%d" % x


def mostly_h2(r):
    p = r.get("calls_proto") or {}
    return p.get("HTTP/2.0", 0) > sum(p.values()) / 2


def proto_text(r):
    p = r.get("calls_proto") or {}
    return ", ".join("%s ×%d" % (k.replace("HTTP/2.0", "h2"), n)
                     for k, n in sorted(p.items(), key=lambda kv: -kv[1]))


def conns_text(r):
    up, seen = r.get("up_conns"), r.get("calls_conns")
    if up is None and not seen:
        return "–"
    return "%s (%s)" % ("%d" % up if up is not None else "–", seen if seen else "–")


def status_text(d, all_=False):
    """{status: n} as '504 ×12, 499 ×3' (200 left out unless all_); '0' when only 200s."""
    if d is None:
        return "–"
    items = sorted(((c, n) for c, n in d.items() if all_ or c != "200"), key=lambda kv: -kv[1])
    return ", ".join("%s ×%d" % kv for kv in items) or "0"


def vs_text(r, lim, ceiling):
    k = r["key"]
    if k in ("1", "2", "2b", "3") and lim:
        return "%.2f× limit" % (r["rps"] / lim)
    if k.startswith("4-"):
        bound = int(k[2:]) / LATENCY_S
        s = "%.2f× %.0f" % (r["rps"] / bound, bound)
        if k == "4-4096" and ceiling and ceiling["rps"]:
            s += "; %.2f× (2b)" % (r["rps"] / ceiling["rps"])
        return s
    return "–"


def err_text(r):
    if not r["errors"]:
        return "0"
    parts = []
    for k, name in (("status", "≥400"), ("timeout", "timeout"), ("connect", "connect"),
                    ("read", "read"), ("write", "write")):
        if r[k]:
            parts.append("%d %s" % (r[k], name))
    return " ".join(parts)


def clean(r):
    """At most 1% of requests failed."""
    total = max(r["requests"], 1)
    return (r["status"] + r["timeout"] + r["connect"]) <= 0.01 * total


def err_note(r):
    return "" if clean(r) else "; errors: " + err_text(r)


def rss_text(r):
    if not r.get("hwm_mib"):
        return "–"
    if r.get("rss_start"):
        return "%.1f (%.1f)" % (r["hwm_mib"], r["rss_start"])
    return "%.1f" % r["hwm_mib"]


def threads_text(r):
    t = r.get("threads_set", "-")
    cpu, seen = r.get("cpu_threads"), r.get("threads_seen")
    if cpu is None and not seen:
        return str(t)
    return "%s: %s (%s)" % (t, "%d" % cpu if cpu is not None else "?", seen or "?")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--results", default=os.path.join(BENCH_SRC, "results.md"))
    a = ap.parse_args()
    build = os.path.abspath(a.build)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    b = Bench(build)
    t0 = time.monotonic()
    rc = 0
    try:
        b.run()
        if b.failed:
            rc = 1
    except BenchError as e:
        log("error: %s" % e)
        b.notes.append("the run stopped: %s" % str(e).splitlines()[0])
        rc = 1
    finally:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        b.stop_all()
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
    if b.rows or b.render or b.capacity or b.failed or b.notes:
        text = report(b)
        text += "\nThe whole run took %.0f s.\n" % (time.monotonic() - t0)
        print(text)
        if not ONLY:
            with open(a.results, "w") as f:
                f.write(text)
            log("wrote %s%s" % (a.results, " (incomplete: see its notes)" if rc else ""))
        else:
            log("BENCH_ONLY run: %s not written" % a.results)
    return rc


if __name__ == "__main__":
    sys.exit(main())
