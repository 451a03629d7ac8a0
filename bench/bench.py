#!/usr/bin/env python3
"""bench.py: issue 3's benchmark. Run it through bench/run.sh BUILD (make bench).

Starts, on 127.0.0.1 only:
  - a fast fake Partner Center: the system's nginx with the echo module, under
    BUILD/bench/pc/, HTTPS with a throwaway CA (tests/make_ca.sh), checking the
    bearer token, two listeners (0 ms and 250 ms of added latency), one
    access-log line per upstream call;
  - for (1), a plain nginx proxy_pass to it (the limit of anything behind nginx);
  - for every other scenario a fresh batchstatus stack through scripts/run.sh,
    so that the server's peak RSS (VmHWM) is per scenario.
Drives them with wrk (and, for (6b), a small FastCGI client straight at the
server's socket, past nginx's page cache; (6a) is BUILD/bench/render_bench),
prints the table to stdout and writes bench/results.md with the machine's
details. It notes how much CPU other processes took during each scenario.
Everything it starts runs in its own session and is stopped on exit, on error
and on SIGINT/SIGTERM/SIGHUP.

Settings (environment): BENCH_SECONDS (12), BENCH_WARMUP (2), BENCH_LONG_SECONDS
(30, scenario 5), BENCH_E2E_SECONDS (5), BENCH_RENDER_RUNS (20), BENCH_THREADS
(BATCHSTATUS_THREADS for scenarios 2, 3, 5 and 6; unset = the server's default),
BENCH_THREADS_256 and BENCH_THREADS_1024 (unset = the server's default), BENCH_RUNNING_CACHE (5),
BENCH_ONLY (comma-separated scenario names to run, for development: cap, 1, 2,
3, 4, 5, 6, 6a; results.md is then left alone).
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
RSS_LIMIT_MIB = 64.0


def env_num(name, default, cast=int):
    v = os.environ.get(name, "")
    return cast(v) if v.strip() else default


SECONDS = env_num("BENCH_SECONDS", 12)
WARMUP = env_num("BENCH_WARMUP", 2)
LONG_SECONDS = env_num("BENCH_LONG_SECONDS", 30)
E2E_SECONDS = env_num("BENCH_E2E_SECONDS", 5)
RENDER_RUNS = env_num("BENCH_RENDER_RUNS", 20)
THREADS = os.environ.get("BENCH_THREADS", "").strip() or None
THREADS_256 = os.environ.get("BENCH_THREADS_256", "").strip() or None
THREADS_1024 = os.environ.get("BENCH_THREADS_1024", "").strip() or None
RUNNING_CACHE = env_num("BENCH_RUNNING_CACHE", 5)
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
        self.pc0, self.pc250 = free_port(), free_port()
        self.pc_log0 = os.path.join(prefix, "logs", "calls-0ms.log")
        self.pc_log250 = os.path.join(prefix, "logs", "calls-250ms.log")
        conf = fake_pc_conf(prefix, self.echo_module, self.data, self.tls, self.token,
                            self.pc0, self.pc250, self.pc_log0, self.pc_log250)
        path = os.path.join(prefix, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.pc_proc = self.start_nginx("fake-pc", prefix, path, [self.pc0, self.pc250])
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

    def https_get(self, port, path, token=True):
        ctx = ssl.create_default_context(cafile=self.ca)
        req = urllib.request.Request("https://127.0.0.1:%d%s" % (port, path))
        if token:
            req.add_header("Authorization", "Bearer " + self.token)
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
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
        log("fake Partner Center up: 0 ms on %d, 250 ms on %d (token checked, echo_sleep "
            "non-blocking: %s calls in 1 s on 20 connections)" % (self.pc0, self.pc250, m.group(1)))

    # -- wrk ---------------------------------------------------------------
    def wrk(self, label, url, conns, seconds, script="report.lua", args=(), headers=(),
            threads=2):
        argv = ["wrk", "-t", str(min(threads, conns)), "-c", str(conns), "-d", "%ds" % seconds,
                "--latency", "--timeout", WRK_TIMEOUT,
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
        p = self.spawn("wrk " + label, argv, out_path=out_path)
        try:
            p.wait(timeout=seconds + 60)
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
                "rss_start": st.get("VmRSS")}

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
        self.stop(st["proc"])
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
        before = file_size(pc_log)
        log("%s: %s, %d connections, %d s" % (key, what, conns, seconds))
        r = self.wrk(key, url, conns, seconds, script, args, headers)
        time.sleep(settle)
        calls = read_from(pc_log, before).splitlines()
        r["calls"] = len(calls)
        r["calls_non200"] = sum(1 for c in calls if c.split(" ")[1:2] != ["200"])
        r["calls_steady"] = steady_rate(calls)
        r["calls_p99_ms"] = upstream_p99_ms(calls)
        r["key"], r["what"] = key, what
        if stack is not None:
            self.stop_stack(stack)
            r["hwm_mib"] = stack["hwm_mib"]
            r["threads_set"] = stack["settings"].get("BATCHSTATUS_THREADS") or "default"
            r["threads_seen"] = stack["threads_seen"]
            r["diag"] = stack["diag"]
            r["cache"] = stack["cache"]
            r["rss_start"] = stack["rss_start"]
        log("%s: %.0f req/s ok, p50 %.1f ms, p99 %.1f ms, errors %d, upstream calls %d%s" % (
            key, r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["errors"], r["calls"],
            ", peak RSS %.1f MiB" % r["hwm_mib"] if r.get("hwm_mib") else ""))
        return r

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

    def attempt(self, key, fn, *args):
        if ONLY and key not in ONLY and key.rstrip("ab") not in ONLY:
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
        self.capacity["0ms"] = self.load(
            "cap-0ms", "fake Partner Center alone, 0 ms, finished batch (TLS)",
            "https://127.0.0.1:%d%s%s" % (self.pc0, pc_path, FINISHED), 64, SECONDS,
            self.pc_log0, headers=auth)
        self.capacity["250ms"] = self.load(
            "cap-250ms", "fake Partner Center alone, 250 ms, a new GUID per request (TLS)",
            "https://127.0.0.1:%d/" % self.pc250, 1024, SECONDS, self.pc_log250,
            script="random_guid.lua", args=[pc_path], headers=auth)

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
        for conns, threads in ((256, THREADS_256), (1024, THREADS_1024)):
            st = self.start_stack("4-%d" % conns, self.pc250, self.cache_on(threads))
            self.rows.append(self.load(
                "4-%d" % conns, "250 ms upstream, a new batch per request",
                st["base"] + "/", conns, SECONDS, self.pc_log250, script="random_guid.lua",
                args=[page], stack=st, settle=1.0))

    def scenario_5(self, page):
        st = self.start_stack("5-crowd", self.pc250, self.cache_on(THREADS))
        # No warm-up and no check first: the cold start's call is the "+ 1" of the target.
        self.rows.append(self.load(
            "5", "1000 viewers of one processing batch, 250 ms upstream",
            st["base"] + page + PROCESSING, 1000, LONG_SECONDS, self.pc_log250,
            warmup=False, stack=st, settle=1.0))

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


def fake_pc_conf(prefix, module, data, tls, token, p0, p250, log0, log250):
    """The fake Partner Center: static files, optionally after a non-blocking echo_sleep."""
    route = "~^/v1/customers/[^/]+/batchJobStatus/"
    return """# Generated by bench/bench.py: the load-test fake Partner Center.
load_module {module};
worker_processes 2;
worker_rlimit_nofile 20000;
{common}
events {{
    worker_connections 8192;
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
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    open_file_cache max=16;
    open_file_cache_valid 600s;
    log_format calls '$msec $status $request_time $request_uri';
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
        listen 127.0.0.1:{p0} ssl;
        access_log {log0} calls;
        root {data};
        location / {{
            if ($pc_auth_ok = 0) {{ return 401; }}
            if ($pc_file = "") {{ return 404; }}
            try_files $pc_file =404;
        }}
    }}

    server {{
        listen 127.0.0.1:{p250} ssl;
        access_log {log250} calls;
        location / {{
            if ($pc_auth_ok = 0) {{ return 401; }}
            if ($pc_file = "") {{ return 404; }}
            echo_sleep {lat};
            echo_exec /_files$pc_file;
        }}
        location /_files/ {{
            internal;
            alias {data}/;
        }}
    }}
}}
""".format(module=module, common=nginx_common(prefix), temps=temp_paths(prefix), tls=tls,
           route=route, token=token, p0=p0, p250=p250, log0=log0, log250=log250, data=data,
           lat=LATENCY_S)


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
    ("worker_connections are not enough", "nginx: worker_connections are not enough"),
    ("Too many open files", "nginx: too many open files"),
    ("Resource temporarily unavailable", "nginx: FastCGI socket backlog full (EAGAIN on connect)"),
    ("upstream timed out", "nginx: upstream timed out"),
    ("Connection refused", "nginx: connection refused by upstream"),
    ("prematurely closed", "nginx: upstream closed the connection early"),
]


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


def upstream_p99_ms(lines):
    """The fake's own p99 answer time ($request_time, ms resolution), over the window."""
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
    return t[min(len(t) - 1, int(len(t) * 0.99))]


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
    return tally(re.findall(r" -> \d+ \S+ .*?cache=(\S+)", text))


def tally(items):
    out = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


# -- the report ------------------------------------------------------------
def fmt_ms(us):
    return "—" if not us else ("%.1f" % (us / 1e3) if us < 100e3 else "%.0f" % (us / 1e3))


def verdict(ok):
    return "PASS" if ok else "FAIL"


def report(b):
    rows = {r["key"]: r for r in b.rows}
    limit = rows.get("1")
    lim = limit["rps"] if limit else None
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
              "commit", "ulimit -n", "net.core.somaxconn", "CPU idle before the run (1 s)"):
        w("- %s: %s" % (k, b.info.get(k, "?")))
    w("")
    w("## Settings")
    w("")
    w("- wrk: 2 threads, %d s per scenario after a %d s warm-up (scenario 5: %d s, no warm-up), "
      "`--timeout %s`; req/s counts answers < 400 only" % (SECONDS, WARMUP, LONG_SECONDS, WRK_TIMEOUT))
    w("- fake Partner Center: nginx + echo module (`echo_sleep`), 2 workers, TLS, bearer token "
      "checked; listeners with 0 ms and %d ms added latency" % (LATENCY_S * 1000))
    w("- cache on = `BATCHSTATUS_CACHE_FINISHED_SECONDS=600`, `BATCHSTATUS_CACHE_RUNNING_SECONDS=%d`; "
      "cache off = both 0" % RUNNING_CACHE)
    w("- `BATCHSTATUS_THREADS`: %s for (2), (3), (5), (6); %s and %s for (4)" % (
        THREADS or "the server's default (unset)", THREADS_256 or "the default",
        THREADS_1024 or "the default"))
    w("- peak RSS: VmHWM of the batchstatus process, a fresh stack per scenario")
    w("")

    w("## Load")
    w("")
    w("| # | scenario | conns | threads | req/s | p50 ms | p99 ms | errors | upstream calls | peak RSS MiB (at start) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in ("cap-0ms", "cap-250ms"):
        r = b.capacity.get(key.split("-", 1)[1])
        if r:
            w("| fake | %s | %d | – | %.0f (steady %s) | %s | %s | %s | – | – |" % (
                r["what"], r["conns"], r["rps"],
                "%.0f" % r["calls_steady"] if r["calls_steady"] is not None else "?",
                fmt_ms(r["p50_us"]), fmt_ms(r["p99_us"]), err_text(r)))
    for r in b.rows:
        w("| %s | %s | %d | %s | %.0f | %s | %s | %s | %d | %s |" % (
            r["key"], r["what"], r["conns"], threads_text(r), r["rps"], fmt_ms(r["p50_us"]),
            fmt_ms(r["p99_us"]), err_text(r), r["calls"],
            rss_text(r)))
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
    cap0 = b.capacity.get("0ms")
    cap250 = b.capacity.get("250ms")
    if cap0 and any(r["key"] in ("1", "2", "2b", "3") for r in b.rows):
        # The most any scenario asked of the 0 ms listener, in calls per second.
        asked = max([r["calls"] / r["seconds"] for r in b.rows
                     if r["key"] in ("1", "2", "2b", "3")] or [0])
        t.append(("fake upstream not the bottleneck (0 ms)",
                  "its capacity alone > the most calls/s any scenario made",
                  "%.0f req/s alone vs %.0f calls/s at most = %.2f×" % (
                      cap0["rps"], asked, cap0["rps"] / asked if asked else float("inf")),
                  verdict(cap0["rps"] > asked)))
    if cap250:
        st = cap250["calls_steady"]
        if st is None:          # a run too short to have whole seconds inside it
            st = cap250["rps"]
        own = cap250["calls_p99_ms"]
        t.append(("fake upstream not the bottleneck (250 ms)",
                  "steady ≥ 0.95 × 4096 req/s at 1024 conns; its own p99 ≤ 275 ms",
                  "steady %.0f req/s = %.2f× (wrk, TLS start-up included: %.0f); own p99 %s ms "
                  "(wrk's p99, TLS handshakes included: %s ms)" % (
                      st, st / 4096, cap250["rps"], "%.0f" % own if own is not None else "?",
                      fmt_ms(cap250["p99_us"])),
                  verdict(st >= 0.95 * 4096 and own is not None and own <= 275)))
    for key, need in (("2", 0.4), ("3", 1.0)):
        r = rows.get(key)
        if r and lim:
            ratio = r["rps"] / lim
            t.append(("(%s) %s" % (key, "cache off" if key == "2" else "cache on, finished"),
                      "≥ %.1f× the limit" % need,
                      "%.0f / %.0f req/s = %.3f×%s" % (r["rps"], lim, ratio, err_note(r)),
                      verdict(ratio >= need and clean(r))))
    r = rows.get("2b")
    if r and lim:
        t.append(("(2b) cache off, a new batch per request", "information: (2) without coalescing",
                  "%.0f / %.0f req/s = %.2f×%s" % (r["rps"], lim, r["rps"] / lim, err_note(r)),
                  "info"))
    r = rows.get("4-256")
    if r:
        bound = 256 / LATENCY_S
        ratio = r["rps"] / bound
        t.append(("(4) 256 conns, 250 ms, new batch each", "≥ 0.9× 1024 req/s, p99 ≤ 350 ms",
                  "%.0f req/s = %.3f×, p99 %s ms%s" % (r["rps"], ratio, fmt_ms(r["p99_us"]), err_note(r)),
                  verdict(ratio >= 0.9 and r["p99_us"] <= 350e3 and r["p99_us"] > 0 and clean(r))))
    r = rows.get("4-1024")
    if r:
        bound = 1024 / LATENCY_S
        ratio = r["rps"] / bound
        t.append(("(4) 1024 conns, 250 ms, new batch each", "≥ 0.8× 4096 req/s",
                  "%.0f req/s = %.3f×, p99 %s ms%s" % (r["rps"], ratio, fmt_ms(r["p99_us"]), err_note(r)),
                  verdict(ratio >= 0.8 and clean(r))))
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
    rss = [(r["key"], r["hwm_mib"]) for r in b.rows if r.get("hwm_mib")]
    if e2e.get("hwm_mib"):
        rss.append(("6", e2e["hwm_mib"]))
    if rss:
        worst = max(rss, key=lambda x: x[1])
        t.append(("peak RSS of batchstatus, every scenario", "≤ %.0f MiB" % RSS_LIMIT_MIB,
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
        if r.get("threads_seen") and r.get("threads_set") not in ("default", "-", None):
            pass
    if e2e.get("diag"):
        diag.append("(6): %s" % "; ".join("%s ×%d" % kv for kv in e2e["diag"].items()))
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
    w("Raw wrk output: `build/bench/logs/`; each stack's logs: `build/bench/run/<scenario>/logs/`.")
    w("")
    return "\n".join(out)


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
    if r.get("threads_seen"):
        return "%s (%s)" % (t, r["threads_seen"]) if t == "default" else str(t)
    return str(t)


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
