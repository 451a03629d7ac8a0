#!/usr/bin/env python3
"""The server's life outside the happy path: how it listens, refusing to start on a bad setting, a clean stop on SIGTERM, and upstream failures as 502 pages.

How it listens: a socket on fd 0 as spawn-fcgi and systemd hand it, unix:/path,
host:port; --config; refusing to start on a bad setting or a broken template, naming it;
a clean stop on SIGTERM, parked requests answered first; upstream failures nginx users
meet (a CA that does not trust Partner Center, nothing listening) as 502 pages; HTTP/2 to
an upstream that offers it. The servers here are started without nginx and asked on
their FastCGI socket (Server); the 502 pages come through stacks of harness.py.

    python3 tests/blackbox/test_server.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `server: N passed, N failed`;
exits 1 when any failed. stdlib only.
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

import harness
from fcgi_client import fcgi_get
from harness import BIN, ROOT, Fixture, Group, Stack, check, expect_status, short, test

C = "47021739-3426-40bf-9601-61b4b6d7c793"
T = "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
# Every server here reads this token file; main() removes the directory at the end.
tmp = tempfile.mkdtemp(prefix="bs-server-")
token = os.path.join(tmp, "token")
with open(token, "w") as f:
    f.write("server-test-token\n")
os.chmod(token, 0o600)  # a secret: the server refuses one others may read


def env(**kw):
    """The server's environment: nothing inherited of BATCHSTATUS_*, the token file above,
    the templates, and a Partner Center where nothing listens, unless kw says otherwise."""
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


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def sigterm(proc, seconds=10):
    """SIGTERM, then the exit status ("hung" if it did not exit in time: then killed)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "hung"


# --- a server without nginx ----------------------------------------------------------------

class Server(Fixture):
    """One batchstatus process asked on its FastCGI socket. address: ("unix", path) or
    ("tcp", port); handed: the listening socket is made here and handed over as fd 0 (as
    spawn-fcgi and systemd do), else the server makes it from BATCHSTATUS_LISTEN or
    --config. Its stderr goes to a file (self.log_path). after_stop: functions (server) ->
    [(name, error or None)], more checks once it has stopped."""

    def __init__(self, name, address, args=(), handed=False, after_stop=(), **env_kw):
        self.name = name
        self.address = address
        self.args = list(args)
        self.handed = handed
        self.after_stop = list(after_stop)
        self.env_kw = env_kw
        self.proc = None
        self.log_path = os.path.join(tmp, "%s.log" % name.replace(" ", "-").replace(":", ""))

    def setup(self):
        kind, where = self.address
        log = open(self.log_path, "wb")
        try:
            if self.handed:
                ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                ls.bind(where)
                ls.listen(16)
                self.proc = subprocess.Popen([BIN] + self.args, stdin=ls.fileno(), stderr=log,
                                             env=env(**self.env_kw))
                ls.close()
                return []  # the socket is there before the server
            self.proc = subprocess.Popen([BIN] + self.args, stdin=subprocess.DEVNULL, stderr=log,
                                         env=env(**self.env_kw))
        finally:
            log.close()
        if kind == "unix":
            return [("%s: the socket appears" % self.name, None if wait_for(lambda: os.path.exists(where))
                     else "no %s after 10 s" % where)]
        return [("%s: listens" % self.name, None if wait_for(lambda: port_open(where))
                 else "nothing on 127.0.0.1:%d after 10 s" % where)]

    def connect(self):
        kind, where = self.address
        return connect_unix(where) if kind == "unix" else socket.create_connection(("127.0.0.1", where))

    def ask(self, uri, method="GET", timeout=10):
        """One request on a connection of its own; the raw CGI answer."""
        sock = self.connect()
        try:
            return fcgi_get(sock, uri, method=method, timeout=timeout)
        finally:
            sock.close()

    def teardown(self):
        if self.proc is None:
            return []
        rc = sigterm(self.proc)
        checks = [("%s: SIGTERM stops it with exit 0" % self.name, None if rc == 0 else "exit %r" % rc)]
        for fn in self.after_stop:
            checks.extend(fn(self))
        return checks

    def log_tail(self, n=25):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""


def socket_removed(server):
    path = server.address[1]
    return [("%s: the socket is removed on stop" % server.name,
             None if not os.path.exists(path) else "%s is still there" % path)]


def token_not_logged(server):
    with open(server.log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    return [("%s: the token never reaches the log" % server.name,
             None if "server-test-token" not in log else short(log[-300:], 300))]


# 1. fd 0: a listening socket handed over, as by spawn-fcgi or systemd.
@test("fd 0", "fd 0: answers the form")
def fd0_answers_the_form(srv):
    out = srv.ask("/")
    check(out.startswith("Status: 200") and 'name="tracking"' in out, out[:200])


@test("fd 0", "fd 0: nothing listening upstream -> 502 with a correlation ID")
def fd0_nothing_listening_upstream(srv):
    out = srv.ask("/customers/%s/batches/%s" % (C, T))
    check(out.startswith("Status: 502 Bad Gateway\r\n") and 'id="correlation-id"' in out, out[:200])


@test("fd 0", "fd 0: DELETE -> 405 with Allow")
def fd0_delete_is_405(srv):
    out = srv.ask("/", method="DELETE")
    check(out.startswith("Status: 405 Method Not Allowed\r\n") and "Allow: GET, HEAD" in out, out[:200])


# 1b. SIGTERM while requests are parked on upstream (it never answers): each is answered
# (504 at its deadline), then the server exits 0.
PARKED = ["%s%04d" % (T[:-4], i) for i in range(8)]


class InFlightShutdown(Fixture):
    """The whole scenario runs in setup(): a server whose Partner Center accepts and never
    answers, 8 requests parked on it, then SIGTERM. Its tests read what happened."""
    name = "in flight"

    def __init__(self):
        self.path = os.path.join(tmp, "inflight.sock")
        self.silent = None
        self.proc = None
        self.accepted = []
        self.answers = {}
        self.rc = None
        self.took = None

    def setup(self):
        self.silent = socket.socket()
        self.silent.bind(("127.0.0.1", 0))
        self.silent.listen(64)
        self.proc = subprocess.Popen([BIN], stderr=subprocess.DEVNULL, env=env(
            BATCHSTATUS_LISTEN="unix:" + self.path, BATCHSTATUS_UPSTREAM_TIMEOUT_MS="1500",
            BATCHSTATUS_PC_BASE_URL="http://127.0.0.1:%d" % self.silent.getsockname()[1]))
        if not wait_for(lambda: os.path.exists(self.path)):
            return [("in flight: the socket appears", "no %s after 10 s" % self.path)]

        def inflight(tracking):
            try:
                self.answers[tracking] = fcgi_get(connect_unix(self.path),
                                                  "/customers/%s/batches/%s" % (C, tracking))
            except Exception as e:  # noqa: BLE001
                self.answers[tracking] = repr(e)
        threads = [threading.Thread(target=inflight, args=(t,)) for t in PARKED]
        for t in threads:
            t.start()

        def upstream_called():
            while select.select([self.silent], [], [], 0)[0]:
                self.accepted.append(self.silent.accept()[0])
            return len(self.accepted) >= len(PARKED)
        wait_for(upstream_called, 5)
        time.sleep(0.2)
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        for t in threads:
            t.join(10)
        try:
            self.rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.rc = "hung"
        self.took = time.time() - t0
        return [("in flight: the socket appears", None)]

    def teardown(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for c in self.accepted:
            c.close()
        if self.silent is not None:
            self.silent.close()
        return []


@test("in flight", "in flight: upstream was called for each of the %d" % len(PARKED))
def inflight_upstream_called_for_each(fx):
    check(len(fx.accepted) >= len(PARKED), "%d upstream connections within 5 s" % len(fx.accepted))


@test("in flight", "in flight: every parked request still gets its answer (504)")
def inflight_every_parked_request_answered(fx):
    outs = [fx.answers.get(t, "") for t in PARKED]
    check(all(o.startswith("Status: 504 Gateway Timeout\r\n") for o in outs), [o[:60] for o in outs])


@test("in flight", "in flight: exit 0 within the deadline")
def inflight_exit_0_within_the_deadline(fx):
    check(fx.rc == 0 and fx.took < 3, "exit %r after %.1fs" % (fx.rc, fx.took))


@test("in flight", "in flight: the socket is removed")
def inflight_socket_removed(fx):
    check(not os.path.exists(fx.path), "%s is still there" % fx.path)


# 2. unix:/path it creates, and removes when it stops; --config supplies the settings.
def unix_server():
    path = os.path.join(tmp, "own.sock")
    conf = os.path.join(tmp, "batchstatus.conf")
    with open(conf, "w") as f:
        f.write("# test\nlisten = unix:%s\nupstream_timeout_ms = 1500\n" % path)
    return Server("unix", ("unix", path), args=["--config", conf], after_stop=[socket_removed])


@test("unix", "unix: socket is not world-writable")
def unix_socket_not_world_writable(srv):
    mode = os.stat(srv.address[1]).st_mode
    check((mode & 0o007) == 0, oct(mode))


@test("unix", "unix: bad input -> 400 with the form")
def unix_bad_input_is_400(srv):
    out = srv.ask("/?customer=nope&tracking=" + T)
    check(out.startswith("Status: 400 Bad Request\r\n") and 'value="nope"' in out, out[:200])


# 3. host:port.
def tcp_server():
    port = harness.free_port()
    return Server("host:port", ("tcp", port), BATCHSTATUS_LISTEN="127.0.0.1:%d" % port)


@test("host:port", "host:port: unknown path -> 404")
def tcp_unknown_path_is_404(srv):
    out = srv.ask("/nope")
    check(out.startswith("Status: 404 Not Found\r\n"), out[:200])


# 4. Refusing to start, with a message naming what is wrong.
def start_refused(args, want, **kw):
    p = subprocess.run([BIN] + args, env=env(**kw), capture_output=True, text=True, timeout=10)
    check(p.returncode != 0 and want in p.stderr, "exit %d, stderr %r" % (p.returncode, p.stderr[-300:]))


LISTEN = "unix:" + os.path.join(tmp, "refused.sock")  # never made: these servers do not start


@test(name="bad timeout is named")
def refused_bad_timeout():
    start_refused([], "BATCHSTATUS_UPSTREAM_TIMEOUT_MS", BATCHSTATUS_UPSTREAM_TIMEOUT_MS="soon",
                  BATCHSTATUS_LISTEN=LISTEN)


@test(name="bad body cap is named")
def refused_bad_body_cap():
    start_refused([], "BATCHSTATUS_MAX_BODY_BYTES", BATCHSTATUS_MAX_BODY_BYTES="lots", BATCHSTATUS_LISTEN=LISTEN)


@test(name="bad base URL is named")
def refused_bad_base_url():
    start_refused([], "BATCHSTATUS_PC_BASE_URL", BATCHSTATUS_PC_BASE_URL="ftp://x", BATCHSTATUS_LISTEN=LISTEN)


@test(name="missing token file is named")
def refused_missing_token_file():
    start_refused([], "BATCHSTATUS_TOKEN_FILE", BATCHSTATUS_TOKEN_FILE=os.path.join(tmp, "nope"),
                  BATCHSTATUS_LISTEN=LISTEN)


@test(name="a token file others may read is refused, naming it and the fix")
def refused_loose_token_file():
    loose = os.path.join(tmp, "loose-token")
    with open(loose, "w") as f:
        f.write("server-test-token\n")
    os.chmod(loose, 0o644)
    start_refused([], "chmod 600 " + loose, BATCHSTATUS_TOKEN_FILE=loose, BATCHSTATUS_LISTEN=LISTEN)


@test(name="two sources of tokens are refused")
def refused_two_token_sources():
    start_refused([], "choose one", BATCHSTATUS_CLIENT_ID="1950a258-227b-4e31-a9cf-717495945fc2",
                  BATCHSTATUS_LISTEN=LISTEN)


@test(name="bad listen is named")
def refused_bad_listen():
    start_refused([], "BATCHSTATUS_LISTEN", BATCHSTATUS_LISTEN="here")


@test(name="no socket at all is explained")
def refused_no_socket():
    start_refused([], "BATCHSTATUS_LISTEN")


@test(name="unknown config key is named")
def refused_unknown_config_key():
    bad = os.path.join(tmp, "unknown-key.conf")
    with open(bad, "w") as f:
        f.write("no_such = 1\n")
    start_refused(["--config", bad], "no_such", BATCHSTATUS_LISTEN=LISTEN)


def templates_copy(name):
    """A copy of the templates under tmp, to break."""
    d = os.path.join(tmp, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "templates"), d)
    return d


@test(name="broken template is named")
def refused_broken_template():
    broken = templates_copy("templates-broken")
    with open(os.path.join(broken, "batch.tpl"), "w") as f:
        f.write('{{%AUTOESCAPE context="HTML"}}\n{{#NEVER_CLOSED}}\n')
    start_refused([], "batch.tpl", BATCHSTATUS_TEMPLATES_DIR=broken, BATCHSTATUS_LISTEN=LISTEN)


@test(name="missing template is named")
def refused_missing_template():
    missing = templates_copy("templates-missing")
    os.remove(os.path.join(missing, "error.tpl"))
    start_refused([], "error.tpl", BATCHSTATUS_TEMPLATES_DIR=missing, BATCHSTATUS_LISTEN=LISTEN)


def run_bin(args, **kw):
    return subprocess.run([BIN] + args, env=env(**kw), capture_output=True, text=True, timeout=10)


@test(name="--check passes a good configuration")
def check_passes_good_configuration():
    p = run_bin(["--check"])
    check(p.returncode == 0, p.stderr[-300:])


@test(name="--check-config: a bad setting exits 2, naming it")
def check_config_bad_setting():
    p = run_bin(["--check-config"], BATCHSTATUS_LOG_LEVEL="loud")
    check(p.returncode == 2 and "BATCHSTATUS_LOG_LEVEL" in p.stderr, "exit %d: %s" % (p.returncode, p.stderr[-300:]))


@test(name="--check-config --online with a token file passes")
def check_config_online_with_token_file():
    p = run_bin(["--check-config", "--online"])
    check(p.returncode == 0, p.stderr[-300:])


@test(name="--online alone is a usage error")
def online_alone_is_usage_error():
    p = run_bin(["--online"])
    check(p.returncode == 2 and "usage" in p.stderr, p.stderr[-300:])


@test(name="--help documents --check-config")
def help_documents_check_config():
    p = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=10)
    check(p.returncode == 0 and "--check-config" in p.stdout, p.stdout[-300:])


@test(name="log_level=warn drops info lines")
def log_level_warn_drops_info():
    p = run_bin(["--check"], BATCHSTATUS_LOG_LEVEL="warn")
    check(p.returncode == 0 and " info " not in p.stderr, p.stderr[-300:])


@test(name="an http:// base is accepted with a warning")
def http_base_accepted_with_warning():
    p = run_bin(["--check"], BATCHSTATUS_PC_BASE_URL="http://127.0.0.1:9")
    check(p.returncode == 0 and "warn" in p.stderr and "http" in p.stderr, p.stderr[-300:])


# 5. Through nginx: TLS that does not verify, and nothing listening, are 502 pages.
def no_sanitizer_report(label):
    def checks(stack):
        out = []
        logs = os.path.join(stack.run_dir, "logs")
        for log in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
            with open(os.path.join(logs, log), errors="replace") as f:
                text = f.read()
            out.append(("%s: no sanitizer report in %s" % (label, log),
                        None if "Sanitizer" not in text and "runtime error:" not in text else text[-500:]))
        return out
    return checks


UPSTREAM_502 = [
    ("wrong CA", "wrong-ca", {"BATCHSTATUS_CA_FILE": "/etc/ssl/certs/ca-certificates.crt", "DEMO_SIGNIN": "file"},
     "TLS"),
    ("sign-in with a wrong CA", "signin-wrong-ca",
     {"BATCHSTATUS_CA_FILE": "/etc/ssl/certs/ca-certificates.crt", "DEMO_SIGNIN": "app"},
     "Sign-in error: <code id=\"error-detail\">tls</code>"),
    ("nothing listening", "nothing-listening",
     {"BATCHSTATUS_PC_BASE_URL": "https://127.0.0.1:1", "BATCHSTATUS_TOKEN_FILE": token}, "could not connect"),
]


def make_502_test(want):
    def fn(s):
        r = s.get("/customers/%s/batches/%s" % (C, T))
        expect_status(r, 502)
        check(want in r.text and 'id="correlation-id"' in r.text, r.where())
    return fn


def still_serving_after_a_502(s):
    expect_status(s.get("/customers/%s/batches/%s" % (C, T)), 502, "the batch: ")
    expect_status(s.get("/"), 200, "the form afterwards: ")


for _label, _group, _env, _want in UPSTREAM_502:
    test(_group, "%s: 502 page" % _label)(make_502_test(_want))
    test(_group, "%s: still serving afterwards" % _label)(still_serving_after_a_502)


# 6. HTTP/2 to an upstream that offers it: nginx as Partner Center, h2 over TLS. Calls made
# at once share one multiplexed connection instead of a connection each.
class H2Upstream(Fixture):
    """A TLS nginx answering every batch path with a finished batch, after half a second
    (a proxy_pass to an unanswering local port that times out, then error_page: the wait
    without nginx's echo module), and a server calling it. The burst of 30 calls is made
    once, by the first test that needs it (burst())."""
    name = "h2"

    def __init__(self):
        self.d = os.path.join(tmp, "h2")
        self.nginx = None
        self.hole = None
        self.server = None
        self._burst = None

    def setup(self):
        d = self.d
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        subprocess.run([os.path.join(ROOT, "tests", "make_ca.sh"), os.path.join(d, "tls")], check=True,
                       stdout=subprocess.DEVNULL)
        self.port = harness.free_port()
        self.hole = socket.socket()    # accepts connections (the kernel does) and never answers
        self.hole.bind(("127.0.0.1", 0))
        self.hole.listen(256)
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
        self.access = os.path.join(d, "access.log")
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
""" % {"d": d, "port": self.port, "hole": self.hole.getsockname()[1], "body": body, "big": big,
           "user": "user root;" if os.getuid() == 0 else ""}
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        self.nginx = subprocess.Popen(["nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e",
                                       os.path.join(d, "error.log")], stderr=subprocess.DEVNULL)
        if not wait_for(lambda: port_open(self.port), 10):
            return [("h2: nginx upstream starts", "nothing on port %d after 10 s" % self.port)]
        checks = [("h2: nginx upstream starts", None)]
        self.server = Server("h2", ("unix", os.path.join(tmp, "h2.sock")),
                             BATCHSTATUS_LISTEN="unix:" + os.path.join(tmp, "h2.sock"),
                             BATCHSTATUS_CA_FILE=os.path.join(d, "tls", "ca.pem"),
                             BATCHSTATUS_PC_BASE_URL="https://127.0.0.1:%d" % self.port)
        return checks + self.server.setup()

    def burst(self):
        """30 batches asked at once: the answers, the upstream's access log lines of their
        calls, and /metrics right after."""
        if self._burst is None:
            outs = {}

            def one(i):
                try:
                    outs[i] = self.server.ask("/customers/%s/batches/%s%04d" % (C, T[:-4], i))
                except Exception as e:  # noqa: BLE001
                    outs[i] = repr(e)
            ths = [threading.Thread(target=one, args=(i,)) for i in range(30)]
            for t in ths:
                t.start()
            for t in ths:
                t.join(15)
            with open(self.access) as f:
                lines = [l.split() for l in f if "/batchJobStatus/" in l]
            self._burst = (outs, lines, self.server.ask("/metrics"))
        return self._burst

    def teardown(self):
        checks = self.server.teardown() if self.server is not None else []
        if self.nginx is not None:
            sigterm(self.nginx)
        if self.hole is not None:
            self.hole.close()
        return checks


@test("h2", "h2: 30 batches at once, all answered")
def h2_thirty_at_once(fx):
    outs = fx.burst()[0]
    check(all(o.startswith("Status: 200") for o in outs.values()) and len(outs) == 30,
          [o[:40] for o in outs.values()][:3])


@test("h2", "h2: Partner Center was asked over HTTP/2")
def h2_asked_over_http2(fx):
    lines = fx.burst()[1]
    check(lines and all(l[1] == "HTTP/2.0" for l in lines), lines[:2])


@test("h2", "h2: the 30 calls shared one connection")
def h2_one_connection(fx):
    lines = fx.burst()[1]
    conns = {l[0] for l in lines}
    check(len(lines) == 30 and len(conns) == 1, "%d calls on %d connections" % (len(lines), len(conns)))


@test("h2", "h2: /metrics counts one upstream connection")
def h2_metrics_one_connection(fx):
    out = fx.burst()[2]
    check("batchstatus_upstream_connections_total 1\n" in out, out[-600:])


@test("h2", "h2: six 3.6 MB answers at once, all whole")
def h2_six_large_answers(fx):
    # Large answers over HTTP/2, several at once: every byte arrives (libcurl 7.88's HTTP/2
    # overflowed or stalled with a receive buffer smaller than its default).
    outs = {}

    def big_one(i):
        try:
            outs[i] = fx.server.ask("/customers/%s/batches/b16b0000-0000-4000-8000-%012d.json" % (C, i % 3),
                                    timeout=30)
        except Exception as e:  # noqa: BLE001
            outs[i] = repr(e)
    ths = [threading.Thread(target=big_one, args=(i,)) for i in range(6)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(40)
    check(len(outs) == 6 and all(o.startswith("Status: 200") and o.count('"serialNumber"') == 10000
                                 for o in outs.values()),
          [(o[:40], o.count('"serialNumber"')) for o in outs.values()][:3])


def main():
    groups = [
        Group("fd 0", lambda: Server("fd 0", ("unix", os.path.join(tmp, "fd0.sock")), handed=True,
                                     after_stop=[token_not_logged])),
        Group("in flight", InFlightShutdown),
        Group("unix", unix_server),
        Group("host:port", tcp_server),
    ]
    groups += [Group(group, lambda label=label, group=group, kw=kw: Stack(
        "server-" + group, kw, after_stop=[no_sanitizer_report(label)])) for label, group, kw, _ in UPSTREAM_502]
    groups.append(Group("h2", H2Upstream))
    try:
        return harness.main("server", groups)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
