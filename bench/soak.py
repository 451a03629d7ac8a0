#!/usr/bin/env python3
"""soak.py: issue 6's soak test. Run it with `make soak` (or python3 bench/soak.py --build build).

Starts one batchstatus stack through scripts/run.sh (nginx + the server + the fake Partner
Center and fake sign-in of tests/fake_pc.py, on a free port, RUN_DIR under BUILD/soak/),
then sends SOAK_REQUESTS requests over SOAK_CONNECTIONS keep-alive connections (a thread
each, Python's http.client): a mix of good batches (the docs' example, the 400-device
batch, a processing one, unknown GUIDs -> 404, .json and .csv, the form, the form's
redirect, bad input -> 400, an unknown path -> 404, /healthz) and about SOAK_FAULT_PCT %
injected upstream faults (scenarios of tests/fixtures/scenarios.json that answer quickly:
a reset mid-body, 500, 502, 503, 504, a 401 even with a good token, a hang-up, broken
chunked encoding, wrong-shape JSON). Every response's status is checked against the
statuses allowed for its URL. A 429 pauses every Partner Center call for its Retry-After,
so 429s are not part of the random mix: SOAK_THROTTLES (default 2) requests for the
scenario `throttled_date` (Retry-After 4 s) are placed at evenly spaced points, and a
503 (with a Retry-After) for a URL that needs Partner Center is allowed only when its
request overlapped such a pause (from the throttled request's start to its answer plus
its Retry-After + 1 s), and for a finished batch only until it was first answered 200
(kept batches still serve while paused).

Checks (exit 1 when one fails):
  - crashes: the server keeps its pid and is alive at the end (0 restarts), and its log
    has no sanitizer report, "Segmentation" or "Aborted" line;
  - unexpected statuses (transport errors included): 0;
  - the server's open file descriptors (/proc/PID/fd) and RSS (VmRSS) at start (after
    the first 10 % of the requests), middle (50 %) and end (100 %): flat means
    end RSS <= middle RSS + 10 %; fds bounded means idle after the load <= idle before
    + 64 (the upstream connections it may keep alive) + 16: a per-request leak over
    50,000 requests would be far past it.
Reports also: upstream calls (lines of the fake's request log for Partner Center paths,
and the server's /metrics), upstream connections (distinct client ports of TCP
connections to the fake Partner Center's port seen by `ss` every SOAK_SS_INTERVAL s,
TIME-WAIT included: a lower bound on connections opened), requests/s, p50/p99.
Prints a table and writes bench/soak-results.md (SOAK_RESULTS) with the machine's details.

Settings (environment): SOAK_REQUESTS (50000), SOAK_CONNECTIONS (128), SOAK_FAULT_PCT (5),
SOAK_THROTTLES (2), SOAK_SEED (6), SOAK_LATENCY_MS (20, the fake's added latency),
SOAK_UPSTREAM_TIMEOUT_MS (3000), SOAK_SS_INTERVAL (0.1), SOAK_TIMEOUT (30 s per request).
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench as B  # noqa: E402  (bench/bench.py: its helpers; its main() is not run)

TOP = B.TOP


def env_num(name, default, cast=int):
    v = os.environ.get(name, "")
    return cast(v) if v.strip() else default


REQUESTS = env_num("SOAK_REQUESTS", 50000)
CONNECTIONS = env_num("SOAK_CONNECTIONS", 128)
FAULT_PCT = env_num("SOAK_FAULT_PCT", 5.0, float)
THROTTLES = env_num("SOAK_THROTTLES", 2)
SEED = env_num("SOAK_SEED", 6)
LATENCY_MS = env_num("SOAK_LATENCY_MS", 20)
UPSTREAM_TIMEOUT_MS = env_num("SOAK_UPSTREAM_TIMEOUT_MS", 3000)
SS_INTERVAL = env_num("SOAK_SS_INTERVAL", 0.1, float)
TIMEOUT = env_num("SOAK_TIMEOUT", 30.0, float)
RSS_SLACK = 0.10
FD_SLACK = 16
# The server keeps at most this many connections to each upstream host alive for reuse
# (BATCHSTATUS_UPSTREAM_CONNECTIONS' default): idle fds may vary within it, not past it.
UPSTREAM_CONNECTIONS = 64


def log(msg):
    print("soak: " + msg, file=sys.stderr, flush=True)


def load_scenarios():
    with open(os.path.join(TOP, "tests", "fixtures", "scenarios.json"), encoding="utf-8") as f:
        t = json.load(f)
    return t["customer"], {s["name"]: s["tracking"] for s in t["scenarios"]}


C, T = load_scenarios()
OTHER_C = "11111111-2222-4333-8444-555555555555"    # a customer the fake does not know: 404


def batch(tracking, suffix="", customer=C, query=""):
    return "/customers/%s/batches/%s%s%s" % (customer, tracking, suffix, ("?" + query) if query else "")


# (weight, kind, path, allowed statuses, needs Partner Center: "finished" (kept once
# fetched), "always" (errors and running batches: not kept, or 5 s), or None)
def mix():
    good = [
        (14, "seed", batch(T["seed"]), {200}, "finished"),
        (5, "seed.json", batch(T["seed"], ".json"), {200}, "finished"),
        (4, "seed.csv", batch(T["seed"], ".csv"), {200}, "finished"),
        (3, "seed hu", batch(T["seed"], query="lang=hu-HU"), {200}, "finished"),
        (8, "large", batch(T["large"]), {200}, "finished"),
        (3, "large failed p1", batch(T["large"], query="status=failed&page=1"), {200}, "finished"),
        (4, "large.csv", batch(T["large"], ".csv"), {200}, "finished"),
        (4, "large.json", batch(T["large"], ".json"), {200}, "finished"),
        (8, "processing", batch(T["processing"]), {200}, "always"),
        (3, "processing.json", batch(T["processing"], ".json"), {200}, "always"),
        (2, "queued embed", batch(T["queued"], query="embed=1"), {200}, "always"),
        (3, "nodevices", batch(T["nodevices"]), {200}, "finished"),
        (2, "odd", batch(T["odd"]), {200}, "finished"),
        (2, "hostile.csv", batch(T["hostile"], ".csv"), {200}, "finished"),
        (4, "notfound (scenario 404)", batch(T["notfound"]), {404}, "always"),
        (3, "unknown GUID", None, {404}, "always"),          # a fresh random GUID each time
        (2, "unknown GUID .json", None, {404}, "always"),
        (2, "other customer", batch(T["seed"], customer=OTHER_C), {404}, "always"),
        (5, "form", "/", {200}, None),
        (2, "form ja", "/?lang=ja", {200}, None),
        (3, "form submit", "/?customer=%s&tracking=%s" % (C, T["large"]), {303}, None),
        (1, "PC path", "/v1/customers/%s/batchJobStatus/%s" % (C, T["seed"]), {303}, None),
        (2, "bad tracking", batch("not-a-guid"), {400}, None),
        (1, "bad form", "/?customer=%s&tracking=nope" % C, {400}, None),
        (1, "bad %2F", "/customers/%s/batches/..%%2F..%%2Fetc" % C, {400, 404}, None),
        (1, "too long ID", batch("a" * 200), {400}, None),
        (1, "too long form value", "/?customer=%s&tracking=%s" % (C, "b" * 400), {400}, None),
        # A path over 1024 bytes is no route at all in src/route.c: 404 (README says 400
        # for a too long ID; both are a clean refusal without an upstream call).
        (1, "path > 1024 bytes", batch("a" * 1100), {400, 404}, None),
        (1, "unknown path", "/nope", {404}, None),
        (2, "healthz", "/healthz", {200}, None),
    ]
    faults = [
        (3, "F reset", batch(T["reset"]), {502}, "always"),
        (2, "F reset.json", batch(T["reset"], ".json"), {502}, "always"),
        (3, "F 500", batch(T["servererror"]), {502}, "always"),
        (2, "F 502", batch(T["badgateway"]), {502}, "always"),
        (2, "F 503", batch(T["unavailable"], ".json"), {502}, "always"),
        (2, "F 504", batch(T["gatewaytimeout"]), {502}, "always"),
        (1, "F 401", batch(T["unauthorized"]), {502}, "always"),
        (2, "F hangup", batch(T["hangup"]), {502}, "always"),
        (1, "F badchunked", batch(T["badchunked"], ".csv"), {502}, "always"),
        (1, "F wrongshape", batch(T["wrongshape"]), {502}, "always"),
    ]
    return good, faults


THROTTLE = ("F 429 (Retry-After 4 s)", batch(T["throttled_date"]), {503}, "always")


def plan(n):
    """The list of n requests (kind, path, allowed, needs), the same for the same seed."""
    rnd = random.Random(SEED)
    good, faults = mix()
    gw = [w for w, *_ in good]
    fw = [w for w, *_ in faults]
    out = []
    for i in range(n):
        pool, weights = (faults, fw) if rnd.random() * 100 < FAULT_PCT else (good, gw)
        _, kind, path, allowed, needs = rnd.choices(pool, weights)[0]
        if path is None:
            g = "%08x-%04x-4%03x-8%03x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16),
                                                  rnd.getrandbits(12), rnd.getrandbits(12),
                                                  rnd.getrandbits(48))
            path = batch(g, ".json" if kind.endswith(".json") else "")
        out.append((kind, path, allowed, needs))
    for k in range(THROTTLES):
        out[int(n * (k + 1) / (THROTTLES + 1))] = THROTTLE
    return out


class SSWatch(threading.Thread):
    """Distinct client ports of TCP connections to the fake Partner Center's port."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.ports = set()
        self.samples = 0
        self.max_open = 0
        self.stopping = threading.Event()
        self.error = None

    def sample(self):
        f = "( dport = :%d or sport = :%d )" % (self.port, self.port)
        r = subprocess.run(["ss", "-tanH", f], capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            self.error = r.stderr.strip()[:200]
            return
        est = 0
        for line in r.stdout.splitlines():
            v = line.split()
            if len(v) < 5:
                continue
            state, local, peer = v[0], v[3], v[4]
            if state == "LISTEN" or ":" not in local or ":" not in peer:
                continue
            lp, pp = local.rsplit(":", 1)[1], peer.rsplit(":", 1)[1]
            if pp == str(self.port):          # the client's side (batchstatus)
                self.ports.add(int(lp))
                if state == "ESTAB":
                    est += 1
            elif lp == str(self.port):        # the fake's side (e.g. its TIME-WAIT)
                self.ports.add(int(pp))
        self.max_open = max(self.max_open, est)
        self.samples += 1

    def run(self):
        while not self.stopping.is_set():
            try:
                self.sample()
            except Exception as e:  # noqa: BLE001 - a sampler must not die silently
                self.error = "%s: %s" % (type(e).__name__, e)
            self.stopping.wait(SS_INTERVAL)


class Soak:
    def __init__(self, build):
        self.b = B.Bench(build)           # process handling (spawn/stop) and machine details
        self.build = build
        self.dir = os.path.join(build, "soak")
        self.run_dir = os.path.join(self.dir, "run")
        self.results = []                 # (idx, kind, path, status, t0, t1, retry_after, err)
        self.lock = threading.Lock()
        self.samples = {}
        self.fails = []
        self.notes = []
        self.info = {}

    # -- the stack -------------------------------------------------------
    def start(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.run_dir)
        self.port = B.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
        env.update({
            "PORT": str(self.port),
            "RUN_DIR": self.run_dir,
            "BATCHSTATUS_BIN": os.path.join(self.build, "batchstatus"),
            "FAKE_PC_LATENCY_MS": str(LATENCY_MS),
            "BATCHSTATUS_UPSTREAM_TIMEOUT_MS": str(UPSTREAM_TIMEOUT_MS),
        })
        self.runsh_out = os.path.join(self.dir, "run-sh.out")
        self.proc = self.b.spawn("run.sh", [os.path.join(TOP, "scripts", "run.sh")], env=env,
                                 out_path=self.runsh_out, cwd=TOP)
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(self.run_dir, "ready")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise B.BenchError("scripts/run.sh did not get ready:\n%s" % B.tail(self.runsh_out))
            time.sleep(0.05)
        self.pid = self.b.server_pid(self.run_dir, self.proc.pid)
        if not self.pid:
            raise B.BenchError("no batchstatus pid in %s" % self.run_dir)
        with open(os.path.join(self.run_dir, "fake-pc.port")) as f:
            self.pc_port = int(f.read().strip())
        self.server_log = os.path.join(self.run_dir, "logs", "batchstatus.log")
        self.fake_log = os.path.join(self.run_dir, "fake-requests.jsonl")
        self.base = "http://127.0.0.1:%d" % self.port
        log("stack up: nginx :%d, batchstatus pid %d, fake Partner Center :%d (latency %d ms)" % (
            self.port, self.pid, self.pc_port, LATENCY_MS))

    def sample(self, label, done=None):
        """fds (by kind), RSS and threads of the server, read by one `ls -l` + `cat` process so
        that the snapshot is not stretched by this program's 128 threads waiting for the GIL."""
        done = len(self.results) if done is None else done
        r = subprocess.run(["sh", "-c", "ls -l /proc/%d/fd; echo ===; cat /proc/%d/status" % (
            self.pid, self.pid)], capture_output=True, text=True, timeout=30)
        fds, status = r.stdout.split("===\n", 1) if "===\n" in r.stdout else (r.stdout, "")
        kinds = collections.Counter()
        for line in fds.splitlines():
            if " -> " in line:
                t = line.split(" -> ", 1)[1]
                kinds["file" if t.startswith("/") else t.split(":", 1)[0]] += 1
        st = {}
        for line in status.splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                st[k] = int(v.split()[0]) / 1024.0
            elif k == "Threads":
                st[k] = int(v)
        try:
            peers = dict(self.socket_peers())
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            peers = {}
        self.samples[label] = {"fd": sum(kinds.values()) if st else None, "kinds": dict(kinds),
                               "rss": st.get("VmRSS"), "hwm": st.get("VmHWM"),
                               "threads": st.get("Threads"), "done": done, "peers": peers}
        log("%s: fds %s, RSS %s MiB, threads %s, %d answers" % (
            label, self.samples[label]["fd"],
            "%.1f" % st["VmRSS"] if st.get("VmRSS") else "?", st.get("Threads"), done))

    def socket_peers(self):
        """The server's sockets by what they are: TCP to the fake Partner Center, to the fake
        sign-in, unix (the FastCGI listener and nginx's connections)."""
        out = collections.Counter()
        try:
            with open(os.path.join(self.run_dir, "fake-signin.port")) as f:
                signin = f.read().strip()
        except OSError:
            signin = None
        tag = "pid=%d," % self.pid
        r = subprocess.run(["ss", "-tanpH"], capture_output=True, text=True, timeout=10)
        for line in r.stdout.splitlines():
            if tag not in line:
                continue
            v = line.split()
            peer = v[4].rsplit(":", 1)[-1]
            what = "PC" if peer == str(self.pc_port) else "sign-in" if peer == signin else "tcp other"
            out["%s %s" % (what, v[0])] += 1
        r = subprocess.run(["ss", "-xapH"], capture_output=True, text=True, timeout=10)
        mine = [line.split() for line in r.stdout.splitlines() if tag in line]
        inodes = {v[5] for v in mine if len(v) > 7}
        for v in mine:
            if v[1] == "LISTEN":
                out["unix listener"] += 1
            elif len(v) > 7 and v[7] in inodes:
                out["unix pair, both ends in the server"] += 1
            else:
                out["unix " + v[1] + " (nginx)"] += 1
        return out

    # -- the load ----------------------------------------------------------
    def load(self, reqs):
        nxt = iter(range(len(reqs)))
        nlock = threading.Lock()
        marks = {int(len(reqs) * 0.10): "start (10 %)", int(len(reqs) * 0.50): "middle (50 %)"}
        taken = set()

        def worker():
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            while True:
                with nlock:
                    i = next(nxt, None)
                if i is None:
                    break
                kind, path, allowed, needs = reqs[i]
                t0 = time.monotonic()
                status, ra, err = -1, None, None
                try:
                    conn.request("GET", path, headers={"Accept-Language": "en-US"})
                    r = conn.getresponse()
                    r.read()
                    status = r.status
                    ra = r.getheader("Retry-After")
                    if r.will_close:
                        conn.close()
                except (OSError, http.client.HTTPException) as e:
                    err = "%s: %s" % (type(e).__name__, str(e)[:80])
                    conn.close()
                t1 = time.monotonic()
                with self.lock:
                    self.results.append((i, kind, path, status, t0, t1, ra, err))
                    n = len(self.results)
                label = marks.get(n)
                if label and label not in taken:
                    taken.add(label)
                    threading.Thread(target=self.sample, args=(label, n), daemon=True).start()
            conn.close()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONNECTIONS)]
        t0 = self.load_t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.elapsed = time.monotonic() - t0
        for label in marks.values():
            deadline = time.monotonic() + 30
            while label not in self.samples and time.monotonic() < deadline:
                time.sleep(0.05)
        self.sample("end (100 %)")

    # -- judging -----------------------------------------------------------
    def judge(self, reqs):
        # Pauses: each throttled request's [start, answer + Retry-After + 1 s].
        pauses = []
        for (i, kind, path, status, t0, t1, ra, err) in self.results:
            if kind == THROTTLE[0]:
                try:
                    secs = float(ra) if ra is not None else 60.0
                except ValueError:
                    secs = 60.0
                pauses.append((t0, t1 + secs + 1.0))
        first_ok = {}
        for (i, kind, path, status, t0, t1, ra, err) in self.results:
            if status == 200:
                first_ok[path] = min(first_ok.get(path, t1), t1)
        unexpected, paused503 = [], collections.Counter()
        by_kind = collections.defaultdict(collections.Counter)
        for rec in sorted(self.results):
            i, kind, path, status, t0, t1, ra, err = rec
            allowed, needs = reqs[i][2], reqs[i][3]
            by_kind[kind][status] += 1
            if status in allowed:
                continue
            if status == 503 and needs and ra is not None and any(a <= t1 and t0 <= b for a, b in pauses):
                # A finished batch is kept once fetched: while paused it must still serve.
                if needs == "always" or path not in first_ok or first_ok[path] > t0:
                    paused503[kind] += 1
                    continue
            unexpected.append(rec)
        self.unexpected, self.paused503, self.by_kind, self.pauses = unexpected, paused503, by_kind, pauses

    def crashes(self):
        alive = os.path.exists("/proc/%d" % self.pid) and self.proc.poll() is None
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                alive = alive and f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except OSError:
            alive = False
        now_pid = None
        try:
            with open(os.path.join(self.run_dir, "batchstatus.pid")) as f:
                now_pid = int(f.read().strip())
        except (OSError, ValueError):
            pass
        bad = []
        pat = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer|"
                         r"runtime error:|Segmentation|Aborted|SIGSEGV|SIGABRT|double free|stack smashing")
        with open(self.server_log, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                if pat.search(line):
                    bad.append(line[:200])
        return alive, now_pid, bad

    def upstream(self):
        calls, by_status, signin = 0, collections.Counter(), 0
        try:
            with open(self.fake_log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if e.get("path", "").startswith("/v1/"):
                        calls += 1
                        by_status[e.get("status")] += 1
                    else:
                        signin += 1
        except OSError:
            pass
        metrics = {}
        try:
            with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
                for line in r.read().decode().splitlines():
                    m = re.match(r"^(batchstatus_(?:upstream_calls_total|cache_requests_total|"
                                 r"token_requests_total)\S*)\s+(\S+)$", line)
                    if m:
                        metrics[m.group(1)] = float(m.group(2))
        except OSError as e:
            self.notes.append("/metrics not read: %s" % e)
        return calls, by_status, signin, metrics


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--results", default=os.environ.get("SOAK_RESULTS") or os.path.join(HERE, "soak-results.md"))
    a = ap.parse_args()
    build = os.path.abspath(a.build)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
    except (ValueError, OSError):
        pass

    s = Soak(build)
    s.b.machine()
    reqs = plan(REQUESTS)
    rc = 0
    try:
        s.start()
        s.sample("idle before")
        watch = SSWatch(s.pc_port)
        watch.start()
        log("%d requests at %d connections (%.1f %% faults, %d throttles)" % (
            REQUESTS, CONNECTIONS, FAULT_PCT, THROTTLES))
        s.load(reqs)
        time.sleep(max(2 * SS_INTERVAL, 0.3))
        watch.stopping.set()
        watch.join(15)
        s.judge(reqs)
        alive, now_pid, bad_lines = s.crashes()
        calls, up_status, signin, metrics = s.upstream()
        time.sleep(2)
        s.sample("idle after (2 s)")
    except B.BenchError as e:
        log("error: %s" % e)
        return 1
    finally:
        for sg in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sg, signal.SIG_IGN)
        s.b.stop_all()
        for sg in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sg, signal.SIG_DFL)

    lat = sorted(r[5] - r[4] for r in s.results)
    n = len(s.results)
    sm = s.samples
    st, mi, en = sm["start (10 %)"], sm["middle (50 %)"], sm["end (100 %)"]
    rss_ok = en["rss"] is not None and mi["rss"] is not None and en["rss"] <= mi["rss"] * (1 + RSS_SLACK)
    # Idle keep-alive connections to the fake come and go within the server's bound on
    # them; what may not happen is fds growing with requests: idle after the load stays
    # within idle before + that bound.
    ib, ia = sm["idle before"], sm["idle after (2 s)"]
    fd_bound = ib["fd"] + UPSTREAM_CONNECTIONS + FD_SLACK if ib["fd"] is not None else None
    fd_ok = None not in (fd_bound, ia["fd"]) and ia["fd"] <= fd_bound
    restarts = 0 if (alive and now_pid == s.pid) else 1
    checks = [
        ("crashes / restarts (same pid %d, alive at the end)" % s.pid, "0",
         "0" if restarts == 0 else "server gone or pid changed (%s -> %s)" % (s.pid, now_pid),
         restarts == 0),
        ("sanitizer / Segmentation / Aborted lines in the server log", "0", str(len(bad_lines)),
         not bad_lines),
        ("responses with an unexpected status (transport errors included)", "0",
         str(len(s.unexpected)), not s.unexpected and n == REQUESTS),
        ("RSS flat: end <= middle + 10 %", "<= %.1f MiB" % (mi["rss"] * 1.1 if mi["rss"] else 0),
         "%.1f MiB (start %.1f, middle %.1f)" % (en["rss"] or 0, st["rss"] or 0, mi["rss"] or 0),
         rss_ok),
        ("fds bounded: idle after <= idle before + %d upstream connections + %d"
         % (UPSTREAM_CONNECTIONS, FD_SLACK), "<= %s" % (fd_bound if fd_bound else "?"),
         "%s (start %s, middle %s, end %s)" % (ia["fd"], st["fd"], mi["fd"], en["fd"]), fd_ok),
    ]
    rc = 0 if all(c[3] for c in checks) else 1

    out = []
    w = out.append
    w("# Soak (issue 6): `make soak`")
    w("")
    w("%d requests over %d keep-alive connections through nginx, %.1f %% of them injected upstream "
      "faults plus %d throttled (429) requests; the fake Partner Center adds %d ms, the upstream "
      "deadline is %d ms, caches at their defaults. Load generator: bench/soak.py (Python threads, "
      "one http.client connection each), so the latencies include Python's own overhead." % (
          REQUESTS, CONNECTIONS, FAULT_PCT, THROTTLES, LATENCY_MS, UPSTREAM_TIMEOUT_MS))
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    for k, v in s.b.info.items():
        w("| %s | %s |" % (k, v))
    w("")
    w("## Must")
    w("")
    w("| check | wanted | got | result |")
    w("|---|---|---|---|")
    for c in checks:
        w("| %s | %s | %s | **%s** |" % (c[0], c[1], c[2], "PASS" if c[3] else "FAIL"))
    w("")
    if s.unexpected:
        w("First unexpected answers (kind, path, status, allowed, error):")
        w("")
        for (i, kind, path, status, t0, t1, ra, err) in s.unexpected[:10]:
            w("- #%d %s `%s` -> %s (allowed %s)%s" % (i, kind, path[:120], status,
                                                       sorted(reqs[i][2]), (" " + err) if err else ""))
        w("")
    if bad_lines:
        w("Log lines:")
        w("")
        for l in bad_lines[:10]:
            w("    " + l)
        w("")
    w("## The FastCGI server (pid %d)" % s.pid)
    w("")
    w("| when | answers so far | open fds | of them | its sockets (`ss`, a moment later) | VmRSS MiB | VmHWM MiB | threads |")
    w("|---|---|---|---|---|---|---|---|")
    for label, v in sm.items():
        w("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
            label, v["done"], v["fd"], ", ".join("%s %d" % kv for kv in sorted(v["kinds"].items())),
            ", ".join("%s %d" % kv for kv in sorted(v["peers"].items())),
            "%.1f" % v["rss"] if v["rss"] else "?",
            "%.1f" % v["hwm"] if v["hwm"] else "?", v["threads"]))
    w("")
    w("## Throughput and upstream")
    w("")
    w("| figure | value |")
    w("|---|---|")
    w("| answers | %d in %.1f s |" % (n, s.elapsed))
    w("| requests/s | %.0f |" % (n / s.elapsed if s.elapsed else 0))
    w("| p50 / p99 / max | %.1f / %.1f / %.1f ms |" % (pct(lat, 50) * 1000, pct(lat, 99) * 1000,
                                                      (lat[-1] if lat else 0) * 1000))
    w("| upstream calls (fake's request log, /v1/ paths) | %d (%s) |" % (
        calls, ", ".join("%s ×%d" % (k if k is not None else "hang-up", v)
                         for k, v in sorted(up_status.items(), key=lambda kv: str(kv[0])))))
    w("| sign-in calls (fake's request log, token endpoint) | %d |" % signin)
    w("| upstream connections: distinct client ports to the fake's port, `ss` every %.2f s "
      "(%d samples, TIME-WAIT included; a lower bound on connections opened) | %d |" % (
          SS_INTERVAL, watch.samples, len(watch.ports)))
    w("| upstream connections established at once, most seen | %d |" % watch.max_open)
    if watch.error:
        w("| ss error | %s |" % watch.error)
    for k, v in sorted(metrics.items()):
        if v:
            w("| /metrics `%s` | %d |" % (k.replace("batchstatus_", ""), v))
    w("")
    w("## Answers by kind")
    w("")
    w("| kind | allowed | answers by status | 503 while a 429 pause was in force |")
    w("|---|---|---|---|")
    allowed_of = {}
    for kind, path, allowed, needs in reqs:
        allowed_of.setdefault(kind, allowed)
    for kind in sorted(s.by_kind, key=lambda k: (k.startswith("F "), k)):
        w("| %s | %s | %s | %s |" % (kind, ",".join(map(str, sorted(allowed_of[kind]))),
                                      ", ".join("%s ×%d" % kv for kv in sorted(s.by_kind[kind].items())),
                                      s.paused503.get(kind, 0) or ""))
    w("")
    w("Pauses (429, from the throttled request's start to its answer + Retry-After + 1 s): %s." % (
        ", ".join("%.1f–%.1f s into the load" % (a - s.load_t0, b - s.load_t0) for a, b in s.pauses)
        or "none"))
    inpause = sum(1 for r in s.results if any(a <= r[5] and r[4] <= b for a, b in s.pauses))
    w("Requests that overlapped a pause: %d of %d (%.0f %%); 503 was accepted for %d of them "
      "(URLs that need Partner Center and were not kept)." % (
          inpause, n, 100.0 * inpause / max(n, 1), sum(s.paused503.values())))
    w("Logs: `%s/logs/` (server, nginx, fake), the fake's request log `%s`." % (
        os.path.relpath(s.run_dir, TOP), os.path.relpath(s.fake_log, TOP)))
    for note in s.notes:
        w("- " + note)
    w("")
    w("Result: **%s**." % ("PASS" if rc == 0 else "FAIL"))
    text = "\n".join(out) + "\n"
    print(text)
    with open(a.results, "w") as f:
        f.write(text)
    log("wrote %s" % a.results)
    return rc


if __name__ == "__main__":
    sys.exit(main())
