#!/usr/bin/env python3
"""The server's life outside the happy path: how it listens (a socket on fd 0 as
spawn-fcgi and systemd hand it, unix:/path, host:port), --config, refusing to
start on a bad setting or a broken template, a clean stop on SIGTERM, and
upstream failures nginx users meet (a CA that does not trust Partner Center,
nothing listening) as 502 pages.

    python3 tests/blackbox/test_server.py      (last line: "server: N passed, N failed")
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from fcgi_client import fcgi_get

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("BATCHSTATUS_BIN") or os.path.join(ROOT, "build", "batchstatus")
C = "47021739-3426-40bf-9601-61b4b6d7c793"
T = "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
results = {"passed": 0, "failed": 0}
tmp = tempfile.mkdtemp(prefix="bs-server-")
token = os.path.join(tmp, "token")
with open(token, "w") as f:
    f.write("server-test-token\n")
os.chmod(token, 0o600)  # a secret: the server refuses one others may read


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print("ok   %s" % name)
    else:
        results["failed"] += 1
        print("FAIL %s: %s" % (name, detail))


def env(**kw):
    e = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
    e.update({"BATCHSTATUS_TOKEN_FILE": token,
              "BATCHSTATUS_TEMPLATES_DIR": os.path.join(ROOT, "templates"),
              "BATCHSTATUS_PC_BASE_URL": "https://127.0.0.1:1"})
    e.update(kw)
    return e


def connect_unix(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def wait_for(cond, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def stop(proc, name):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "hung"
    check(name + ": SIGTERM stops it with exit 0", rc == 0, "exit %r" % rc)


def start_refused(name, args, want, **kw):
    p = subprocess.run([BIN] + args, env=env(**kw), capture_output=True, text=True, timeout=10)
    check(name, p.returncode != 0 and want in p.stderr,
          "exit %d, stderr %r" % (p.returncode, p.stderr[-300:]))


# 1. fd 0: a listening socket handed over, as by spawn-fcgi or systemd.
path = os.path.join(tmp, "fd0.sock")
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(path)
ls.listen(16)
proc = subprocess.Popen([BIN], stdin=ls.fileno(), stderr=subprocess.PIPE, env=env(), text=True)
ls.close()
try:
    out = fcgi_get(connect_unix(path), "/")
    check("fd 0: answers the form", out.startswith("Status: 200") and 'name="tracking"' in out,
          out[:200])
    out = fcgi_get(connect_unix(path), "/customers/%s/batches/%s" % (C, T))
    check("fd 0: nothing listening upstream -> 502 with a correlation ID",
          out.startswith("Status: 502") and 'id="correlation-id"' in out, out[:200])
    out = fcgi_get(connect_unix(path), "/", method="DELETE")
    check("fd 0: DELETE -> 405 with Allow", out.startswith("Status: 405") and
          "Allow: GET, HEAD" in out, out[:200])
except Exception as e:  # noqa: BLE001
    check("fd 0: answers", False, repr(e))
stop(proc, "fd 0")
log = proc.stderr.read()
check("fd 0: the token never reaches the log", "server-test-token" not in log, log[-300:])

# 1b. SIGTERM while requests are parked on upstream (it never answers): each is answered
# (504 at its deadline), then the server exits 0.
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(64)
path = os.path.join(tmp, "inflight.sock")
proc = subprocess.Popen([BIN], stderr=subprocess.DEVNULL, env=env(
    BATCHSTATUS_LISTEN="unix:" + path, BATCHSTATUS_UPSTREAM_TIMEOUT_MS="1500",
    BATCHSTATUS_PC_BASE_URL="http://127.0.0.1:%d" % silent.getsockname()[1]))
check("in flight: the socket appears", wait_for(lambda: os.path.exists(path)))
answers = {}
PARKED = ["%s%04d" % (T[:-4], i) for i in range(8)]


def inflight(tracking):
    try:
        answers[tracking] = fcgi_get(connect_unix(path), "/customers/%s/batches/%s" % (C, tracking))
    except Exception as e:  # noqa: BLE001
        answers[tracking] = repr(e)


threads = [threading.Thread(target=inflight, args=(t,)) for t in PARKED]
for t in threads:
    t.start()
accepted = []


def upstream_called():
    while select.select([silent], [], [], 0)[0]:
        accepted.append(silent.accept()[0])
    return len(accepted) >= len(PARKED)


check("in flight: upstream was called for each of the %d" % len(PARKED), wait_for(upstream_called, 5))
time.sleep(0.2)
t0 = time.time()
proc.send_signal(signal.SIGTERM)
for t in threads:
    t.join(10)
try:
    rc = proc.wait(10)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = "hung"
outs = [answers.get(t, "") for t in PARKED]
check("in flight: every parked request still gets its answer (504)",
      all(o.startswith("Status: 504") for o in outs), [o[:60] for o in outs])
check("in flight: exit 0 within the deadline", rc == 0 and time.time() - t0 < 3,
      "exit %r after %.1fs" % (rc, time.time() - t0))
check("in flight: the socket is removed", not os.path.exists(path))
for c in accepted:
    c.close()
silent.close()

# 2. unix:/path it creates, and removes when it stops; --config supplies the settings.
path = os.path.join(tmp, "own.sock")
conf = os.path.join(tmp, "batchstatus.conf")
with open(conf, "w") as f:
    f.write("# test\nlisten = unix:%s\nupstream_timeout_ms = 1500\n" % path)
proc = subprocess.Popen([BIN, "--config", conf], stderr=subprocess.DEVNULL, env=env())
check("unix: the socket appears", wait_for(lambda: os.path.exists(path)))
if os.path.exists(path):
    check("unix: socket is not world-writable", (os.stat(path).st_mode & 0o007) == 0,
          oct(os.stat(path).st_mode))
    out = fcgi_get(connect_unix(path), "/?customer=nope&tracking=" + T)
    check("unix: bad input -> 400 with the form", out.startswith("Status: 400") and
          'value="nope"' in out, out[:200])
stop(proc, "unix")
check("unix: the socket is removed on stop", not os.path.exists(path))

# 3. host:port.
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
proc = subprocess.Popen([BIN], stderr=subprocess.DEVNULL,
                        env=env(BATCHSTATUS_LISTEN="127.0.0.1:%d" % port))


def tcp_ready():
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


check("host:port: listens", wait_for(tcp_ready))
if tcp_ready():
    out = fcgi_get(socket.create_connection(("127.0.0.1", port)), "/nope")
    check("host:port: unknown path -> 404", out.startswith("Status: 404"), out[:200])
stop(proc, "host:port")

# 4. Refusing to start, with a message naming what is wrong.
start_refused("bad timeout is named", [], "BATCHSTATUS_UPSTREAM_TIMEOUT_MS",
              BATCHSTATUS_UPSTREAM_TIMEOUT_MS="soon", BATCHSTATUS_LISTEN="unix:" + path)
start_refused("bad body cap is named", [], "BATCHSTATUS_MAX_BODY_BYTES",
              BATCHSTATUS_MAX_BODY_BYTES="lots", BATCHSTATUS_LISTEN="unix:" + path)
start_refused("bad base URL is named", [], "BATCHSTATUS_PC_BASE_URL",
              BATCHSTATUS_PC_BASE_URL="ftp://x", BATCHSTATUS_LISTEN="unix:" + path)
start_refused("missing token file is named", [], "BATCHSTATUS_TOKEN_FILE",
              BATCHSTATUS_TOKEN_FILE=os.path.join(tmp, "nope"), BATCHSTATUS_LISTEN="unix:" + path)
loose = os.path.join(tmp, "loose-token")
with open(loose, "w") as f:
    f.write("server-test-token\n")
os.chmod(loose, 0o644)
start_refused("a token file others may read is refused, naming it and the fix", [], "chmod 600 " + loose,
              BATCHSTATUS_TOKEN_FILE=loose, BATCHSTATUS_LISTEN="unix:" + path)
start_refused("two sources of tokens are refused", [], "choose one",
              BATCHSTATUS_CLIENT_ID="1950a258-227b-4e31-a9cf-717495945fc2", BATCHSTATUS_LISTEN="unix:" + path)
start_refused("bad listen is named", [], "BATCHSTATUS_LISTEN", BATCHSTATUS_LISTEN="here")
start_refused("no socket at all is explained", [], "BATCHSTATUS_LISTEN")
with open(conf + ".bad", "w") as f:
    f.write("no_such = 1\n")
start_refused("unknown config key is named", ["--config", conf + ".bad"], "no_such",
              BATCHSTATUS_LISTEN="unix:" + path)
broken = os.path.join(tmp, "templates")
shutil.copytree(os.path.join(ROOT, "templates"), broken)
with open(os.path.join(broken, "batch.tpl"), "w") as f:
    f.write('{{%AUTOESCAPE context="HTML"}}\n{{#NEVER_CLOSED}}\n')
start_refused("broken template is named", [], "batch.tpl",
              BATCHSTATUS_TEMPLATES_DIR=broken, BATCHSTATUS_LISTEN="unix:" + path)
shutil.copy(os.path.join(ROOT, "templates", "batch.tpl"), broken)
os.remove(os.path.join(broken, "error.tpl"))
start_refused("missing template is named", [], "error.tpl",
              BATCHSTATUS_TEMPLATES_DIR=broken, BATCHSTATUS_LISTEN="unix:" + path)
p = subprocess.run([BIN, "--check"], env=env(), capture_output=True, text=True, timeout=10)
check("--check passes a good configuration", p.returncode == 0, p.stderr[-300:])
p = subprocess.run([BIN, "--check-config"], env=env(BATCHSTATUS_LOG_LEVEL="loud"), capture_output=True,
                   text=True, timeout=10)
check("--check-config: a bad setting exits 2, naming it", p.returncode == 2 and
      "BATCHSTATUS_LOG_LEVEL" in p.stderr, "exit %d: %s" % (p.returncode, p.stderr[-300:]))
p = subprocess.run([BIN, "--check-config", "--online"], env=env(), capture_output=True, text=True, timeout=10)
check("--check-config --online with a token file passes", p.returncode == 0, p.stderr[-300:])
p = subprocess.run([BIN, "--online"], env=env(), capture_output=True, text=True, timeout=10)
check("--online alone is a usage error", p.returncode == 2 and "usage" in p.stderr, p.stderr[-300:])
p = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=10)
check("--help documents --check-config", p.returncode == 0 and "--check-config" in p.stdout, p.stdout[-300:])
p = subprocess.run([BIN, "--check"], env=env(BATCHSTATUS_LOG_LEVEL="warn"), capture_output=True, text=True,
                   timeout=10)
check("log_level=warn drops info lines", p.returncode == 0 and " info " not in p.stderr, p.stderr[-300:])
p = subprocess.run([BIN, "--check"], env=env(BATCHSTATUS_PC_BASE_URL="http://127.0.0.1:9"),
                   capture_output=True, text=True, timeout=10)
check("an http:// base is accepted with a warning", p.returncode == 0 and "warn" in p.stderr
      and "http" in p.stderr, p.stderr[-300:])


# 5. Through nginx: TLS that does not verify, and nothing listening, are 502 pages.
def run_stack(name, **kw):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    run_dir = os.path.join(tmp, name)
    e = env(PORT=str(port), RUN_DIR=run_dir, FAKE_PC_LATENCY_MS="0", BATCHSTATUS_BIN=BIN, **kw)
    if "BATCHSTATUS_PC_BASE_URL" not in kw:
        e.pop("BATCHSTATUS_PC_BASE_URL")
        e.pop("BATCHSTATUS_TOKEN_FILE")
    proc = subprocess.Popen([os.path.join(ROOT, "scripts", "run.sh")], env=e,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    up = wait_for(lambda: os.path.exists(os.path.join(run_dir, "ready")), 30)
    return proc, port, up, run_dir


def http_get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


for name, kw, want in (
        ("wrong CA", {"BATCHSTATUS_CA_FILE": "/etc/ssl/certs/ca-certificates.crt", "DEMO_SIGNIN": "file"},
         "TLS"),
        ("sign-in with a wrong CA", {"BATCHSTATUS_CA_FILE": "/etc/ssl/certs/ca-certificates.crt",
                                     "DEMO_SIGNIN": "app"}, "Sign-in error: <code id=\"error-detail\">tls</code>"),
        ("nothing listening", {"BATCHSTATUS_PC_BASE_URL": "https://127.0.0.1:1"}, "could not connect")):
    proc, port, up, run_dir = run_stack(name.replace(" ", "-"), **kw)
    check(name + ": stack starts", up)
    if up:
        status, body = http_get(port, "/customers/%s/batches/%s" % (C, T))
        check(name + ": 502 page", status == 502 and want in body and 'id="correlation-id"' in body,
              "%s %r" % (status, body[:300]))
        status, body = http_get(port, "/")
        check(name + ": still serving afterwards", status == 200)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    if os.path.isdir(os.path.join(run_dir, "logs")):
        for log in os.listdir(os.path.join(run_dir, "logs")):
            with open(os.path.join(run_dir, "logs", log), errors="replace") as f:
                text = f.read()
            check(name + ": no sanitizer report in " + log,
                  "Sanitizer" not in text and "runtime error:" not in text, text[-500:])

# 6. HTTP/2 to an upstream that offers it: nginx as Partner Center, h2 over TLS. Calls made
# at once share one multiplexed connection instead of a connection each.
def h2_upstream():
    """A TLS nginx answering every batch path with a finished batch, after half a second
    (a proxy_pass to an unanswering local port that times out, then error_page: the wait
    without nginx's echo module). Returns (proc, port, access log) or None."""
    d = os.path.join(tmp, "h2")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    subprocess.run([os.path.join(ROOT, "tests", "make_ca.sh"), os.path.join(d, "tls")], check=True,
                   stdout=subprocess.DEVNULL)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    hole = socket.socket()    # accepts connections (the kernel does) and never answers
    hole.bind(("127.0.0.1", 0))
    hole.listen(256)
    body = '{"batchTrackingId":"x","status":"finished","devicesStatus":[]}'
    # A 10,000-device answer (3.6 MB) for b16b0000- batches: many DATA frames per call.
    big = os.path.join(d, "big")
    os.makedirs(os.path.join(big, "v1", "customers", C, "batchJobStatus"), exist_ok=True)
    devices = ",".join('{"serialNumber":"SN-%05d","productKey":"%029d","status":"finished",'
                       '"errorCode":"","errorDescription":"","attributes":{"objectType":'
                       '"DeviceUploadDetails"},"pad":"%s"}' % (i, i, "x" * 200) for i in range(10000))
    for i in range(3):
        with open(os.path.join(big, "v1", "customers", C, "batchJobStatus",
                               "b16b0000-0000-4000-8000-%012d" % i), "w") as f:
            f.write('{"batchTrackingId":"b","status":"finished","devicesStatus":[%s]}' % devices)
    conf = """daemon off; worker_processes 1; pid %(d)s/nginx.pid; error_log %(d)s/error.log warn;
%(user)s
events { worker_connections 1024; }
http {
  log_format h2 '$connection $server_protocol $status $request_uri';
  access_log %(d)s/access.log h2;
  client_body_temp_path %(d)s/tmp; proxy_temp_path %(d)s/tmp; fastcgi_temp_path %(d)s/tmp;
  uwsgi_temp_path %(d)s/tmp; scgi_temp_path %(d)s/tmp;
  server {
    listen 127.0.0.1:%(port)d ssl http2;
    ssl_certificate %(d)s/tls/server.pem; ssl_certificate_key %(d)s/tls/server.key;
    location / {
      proxy_pass http://127.0.0.1:%(hole)d; proxy_read_timeout 500ms;
      error_page 504 = @batch;
    }
    location @batch { default_type application/json; return 200 '%(body)s'; }
    location ~ /batchJobStatus/b16b0000- { root %(big)s; default_type application/json; }
  }
}
""" % {"d": d, "port": port, "hole": hole.getsockname()[1], "body": body, "big": big,
       "user": "user root;" if os.getuid() == 0 else ""}
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e",
                             os.path.join(d, "error.log")], stderr=subprocess.DEVNULL)
    ok = wait_for(lambda: port_open(port), 10)
    return (proc, port, os.path.join(d, "access.log"), os.path.join(d, "tls", "ca.pem"), hole) \
        if ok else None


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


up = h2_upstream()
check("h2: nginx upstream starts", up is not None)
if up is not None:
    nginx, port, access, ca, hole = up
    path = os.path.join(tmp, "h2.sock")
    proc = subprocess.Popen([BIN], stderr=subprocess.DEVNULL, env=env(
        BATCHSTATUS_LISTEN="unix:" + path, BATCHSTATUS_CA_FILE=ca,
        BATCHSTATUS_PC_BASE_URL="https://127.0.0.1:%d" % port))
    check("h2: the socket appears", wait_for(lambda: os.path.exists(path)))
    outs = {}

    def one(i):
        try:
            outs[i] = fcgi_get(connect_unix(path), "/customers/%s/batches/%s%04d" % (C, T[:-4], i))
        except Exception as e:  # noqa: BLE001
            outs[i] = repr(e)
    ths = [threading.Thread(target=one, args=(i,)) for i in range(30)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(15)
    check("h2: 30 batches at once, all answered", all(o.startswith("Status: 200") for o in outs.values())
          and len(outs) == 30, [o[:40] for o in outs.values()][:3])
    with open(access) as f:
        lines = [l.split() for l in f if "/batchJobStatus/" in l]
    check("h2: Partner Center was asked over HTTP/2", lines and all(l[1] == "HTTP/2.0" for l in lines),
          lines[:2])
    conns = {l[0] for l in lines}
    check("h2: the 30 calls shared one connection", len(lines) == 30 and len(conns) == 1,
          "%d calls on %d connections" % (len(lines), len(conns)))
    out = fcgi_get(connect_unix(path), "/metrics")
    check("h2: /metrics counts one upstream connection",
          "batchstatus_upstream_connections_total 1\n" in out, out[-600:])
    # Large answers over HTTP/2, several at once: every byte arrives (libcurl 7.88's HTTP/2
    # overflowed or stalled with a receive buffer smaller than its default).
    outs = {}

    def big_one(i):
        try:
            outs[i] = fcgi_get(connect_unix(path), "/customers/%s/batches/b16b0000-0000-4000-"
                               "8000-%012d.json" % (C, i % 3), timeout=30)
        except Exception as e:  # noqa: BLE001
            outs[i] = repr(e)
    ths = [threading.Thread(target=big_one, args=(i,)) for i in range(6)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(40)
    check("h2: six 3.6 MB answers at once, all whole",
          len(outs) == 6 and all(o.startswith("Status: 200") and o.count('"serialNumber"') == 10000
                                 for o in outs.values()),
          [(o[:40], o.count('"serialNumber"')) for o in outs.values()][:3])
    stop(proc, "h2")
    nginx.send_signal(signal.SIGTERM)
    nginx.wait(10)
    hole.close()

shutil.rmtree(tmp, ignore_errors=True)
print("server: %d passed, %d failed" % (results["passed"], results["failed"]))
sys.exit(1 if results["failed"] else 0)
