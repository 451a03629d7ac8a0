#!/usr/bin/env python3
"""Several nodes, one Partner Center budget (issue 12): three servers behind nginx share one
real redis-server (scripts/run.sh NODES=3 starts it on a unix socket), and the fake Partner
Center's request log counts the calls. Each node is also asked directly on its own FastCGI
socket, so a test knows which node answered.

    python3 tests/blackbox/test_shared.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `shared: N passed, N failed`;
exits 1 when any failed. stdlib only (redis-cli for the forged entry).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as bb  # noqa: E402
import test_budget as tb  # noqa: E402
from fcgi_client import fcgi_get  # noqa: E402
from harness import C, Failure, Stack, batch_path, check, short  # noqa: E402

TESTS = []


def test(stack_name):
    def deco(fn):
        TESTS.append((stack_name, fn.__name__, fn))
        return fn
    return deco


def node_name(n):
    return "batchstatus" if n == 1 else "batchstatus-%d" % n


def ask(s, n, path):
    """GET path from node n on its own FastCGI socket: (status, headers text, body)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.path.join(s.run_dir, node_name(n) + ".sock"))
    try:
        out = fcgi_get(sock, path, timeout=20)
    finally:
        sock.close()
    head, _, body = out.partition("\r\n\r\n")
    m = re.match(r"Status: (\d+)", head)
    return (int(m.group(1)) if m else 0), head, body


def node_log(s, n):
    with open(os.path.join(s.run_dir, "logs", node_name(n) + ".log"), "rb") as f:
        return f.read().decode("utf-8", "replace")


def node_metric(s, n, name):
    status, _, body = ask(s, n, "/metrics")
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise Failure("node %d: no %s in /metrics (status %d)" % (n, name, status))


def redis_cli(s, *args):
    return subprocess.run(["redis-cli", "-s", os.path.join(s.run_dir, "redis.sock")] + list(args),
                          capture_output=True, timeout=10)


def wait_for(cond, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise Failure("%s: not within %d s" % (what, seconds))


def stale_in(body):
    return 'id="stale"' in body


@test("nodes")
def thirty_viewers_over_three_nodes_make_one_call(s):
    t = tb.steer_id()
    tb.steer(s, t, status="processing")
    answers, lock = [], threading.Lock()

    def view(n):
        st, _, _ = ask(s, n, batch_path(t))
        with lock:
            answers.append(st)

    threads = [threading.Thread(target=view, args=(1 + i % 3,)) for i in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    check(answers == [200] * 30, "statuses %r" % sorted(set(answers)))
    n = tb.calls(s, t)
    check(n == 1, "30 viewers over 3 nodes made %d calls" % n)


@test("nodes")
def a_batch_fetched_on_one_node_is_served_by_the_others(s):
    t = tb.steer_id()
    tb.steer(s, t, status="finished")
    st, _, body = ask(s, 1, batch_path(t))
    check(st == 200 and tb.calls(s, t) == 1, "node 1: %d, %d calls" % (st, tb.calls(s, t)))
    for n in (2, 3):
        st, head, body2 = ask(s, n, batch_path(t))
        check(st == 200, "node %d: %d" % (n, st))
        check(t in body2 and "batch-status" in body2, "node %d: not the batch page" % n)
        check("from Redis" in node_log(s, n), "node %d's log does not say the answer came from Redis" % n)
    check(tb.calls(s, t) == 1, "nodes 2 and 3 made %d more calls" % (tb.calls(s, t) - 1))
    # The same upstream answer: the same ETag on every node.
    etags = {re.search(r"ETag: (\S+)", ask(s, n, batch_path(t))[1]).group(1) for n in (1, 2, 3)}
    check(len(etags) == 1, "ETags differ between nodes: %s" % etags)


@test("nodes")
def a_429_on_one_node_pauses_the_others_which_serve_stale(s):
    t, other = tb.steer_id(), tb.steer_id()
    tb.steer(s, t, status="processing")
    for n in (1, 2, 3):
        check(ask(s, n, batch_path(t))[0] == 200, "warming node %d" % n)
    check(tb.calls(s, t) == 1, "warming made %d calls" % tb.calls(s, t))
    tb.steer(s, t, fail=429, retry_after="4")
    time.sleep(2.3)  # past the running batches' keep time (2 s here)
    st, _, body = ask(s, 1, batch_path(t))
    check(st == 200 and stale_in(body), "node 1 after its 429: %d, stale %s" % (st, stale_in(body)))
    before = tb.calls(s, t)
    for n in (2, 3):
        st, _, body = ask(s, n, batch_path(t))
        check(st == 200 and stale_in(body), "node %d while paused: %d, stale %s" % (n, st, stale_in(body)))
        st, head, _ = ask(s, n, batch_path(other))
        check(st == 503 and "Retry-After:" in head, "node %d, a batch not held, while paused: %d" % (n, st))
    check(tb.calls(s, t) == before and tb.calls(s, other) == 0,
          "nodes 2 and 3 called during node 1's pause")
    tb.steer(s, t, fail=None)
    time.sleep(4.5)


@test("nodes")
def a_forged_entry_in_redis_is_ignored(s):
    t = tb.steer_id()
    tb.steer(s, t, status="finished_with_errors")
    check(ask(s, 1, batch_path(t))[0] == 200, "node 1")
    key = "batchstatus:b:%s/%s" % (C, t)
    real = redis_cli(s, "--no-raw", "GET", key).stdout
    check(real.strip() not in (b"", b"(nil)"), "no entry in Redis under %s" % key)
    # Whoever can write to Redis: a page of their own under the batch's key.
    forged = redis_cli(s, "SET", key, "BSS1" + "0" * 32 + "forged page: finished", "PX", "60000")
    check(forged.returncode == 0, "redis-cli SET failed: %s" % forged.stderr)
    before = tb.calls(s, t)
    st, _, body = ask(s, 2, batch_path(t))
    check(st == 200 and "forged" not in body, "node 2 served %d %s" % (st, short(body, 80)))
    check("fails its seal" in node_log(s, 2), "node 2 did not log the forged entry")
    check(tb.calls(s, t) == before + 1, "node 2 did not call Partner Center itself")
    check(node_metric(s, 2, 'batchstatus_shared_total{result="forged"}') >= 1, "not counted")


def pid_of(path):
    with open(path, encoding="ascii") as f:
        return int(f.read().strip())


@test("nodes")
def redis_killed_mid_run_makes_no_error_page_and_sharing_resumes(s):
    redis_pid = pid_of(os.path.join(s.run_dir, "redis.pid"))
    os.kill(redis_pid, signal.SIGKILL)
    wait_for(lambda: not os.path.exists("/proc/%d" % redis_pid), 5, "redis-server gone")
    bad = []
    for i in range(12):
        t = tb.steer_id()
        tb.steer(s, t, status="finished")
        for n in (1, 2, 3):
            t0 = time.monotonic()
            st, _, _ = ask(s, n, batch_path(t))
            if st != 200 or time.monotonic() - t0 > 5:
                bad.append("node %d: %d in %.1f s" % (n, st, time.monotonic() - t0))
    check(not bad, "with Redis gone: %s" % bad[:4])
    for n in (1, 2, 3):
        check(node_metric(s, n, "batchstatus_shared_up") == 0, "node %d says Redis is up" % n)
        check("calls alone until it is back" in node_log(s, n), "node %d did not log Redis away" % n)
    # Back (the same configuration): every node rejoins by itself.
    os.unlink(os.path.join(s.run_dir, "redis.pid"))
    subprocess.Popen(["redis-server", os.path.join(s.run_dir, "redis.conf")],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for n in (1, 2, 3):
        wait_for(lambda: node_metric(s, n, "batchstatus_shared_up") == 1, 10, "node %d back on Redis" % n)
    t = tb.steer_id()
    tb.steer(s, t, status="finished")
    check(ask(s, 3, batch_path(t))[0] == 200, "node 3 after Redis is back")
    check(ask(s, 1, batch_path(t))[0] == 200, "node 1 after Redis is back")
    check(tb.calls(s, t) == 1, "sharing did not resume: %d calls" % tb.calls(s, t))


@test("nodes")
def through_nginx_pages_are_whole(s):
    t = tb.steer_id()
    tb.steer(s, t, status="processing")
    for _ in range(9):
        r = s.get(batch_path(t))
        bb.expect_status(r, 200)
        bb.expect_html(r)
    check(tb.calls(s, t) == 1, "9 views through nginx over 3 nodes made %d calls" % tb.calls(s, t))


# A second stack: App+User sign-in, a short token lifetime (8 s: renewed 2 s before expiry).
@test("user")
def one_sign_in_for_three_nodes_and_the_rotated_refresh_token_is_everyones(s):
    import test_tokens as tt
    s0 = tt.stats(s)
    t = tb.steer_id()
    tb.steer(s, t, status="processing")
    for n in (1, 2, 3):
        st, _, body = ask(s, n, batch_path(t))
        check(st == 200, "node %d first: %d %s" % (n, st, short(body, 200)))
    s1 = tt.stats(s)
    check(s1["token_calls"] - s0["token_calls"] == 1,
          "three nodes made %d sign-ins for their first token" % (s1["token_calls"] - s0["token_calls"]))
    # 18 s of views on every node: renewals rotate the refresh token each time; every node
    # must use the newest (the fake refuses a used one: a stranded node would get 502).
    bad, t0 = [], time.monotonic()
    while time.monotonic() - t0 < 18:
        for n in (1, 2, 3):
            u = tb.steer_id()
            tb.steer(s, u, status="finished")
            st, _, body = ask(s, n, batch_path(u))
            if st != 200:
                bad.append("node %d: %d %s" % (n, st, short(re.sub(r"<[^>]+>", " ", body), 160)))
        time.sleep(0.3)
    s2 = tt.stats(s)
    calls = s2["token_calls"] - s1["token_calls"]
    check(not bad, "%d answers were not 200: %s" % (len(bad), bad[:3]))
    check(1 <= calls <= 5, "%d sign-ins in 18 s for 3 nodes (one per lifetime: about 3)" % calls)
    logs = "".join(node_log(s, n) for n in (1, 2, 3))
    check("invalid_grant" not in logs, "a node signed in with a used refresh token")
    check("another node's, from Redis" in logs, "no node took another's token")


def key_file_checks():
    """No stack: BATCHSTATUS_SHARED without its key file, or with a loose one, stops the start."""
    results = []
    tmp = os.path.join(bb.RUN_ROOT, "shared-keys")
    os.makedirs(tmp, exist_ok=True)
    token = os.path.join(tmp, "token")
    with open(token, "w") as f:
        f.write("t0k3n\n")
    os.chmod(token, 0o600)
    loose = os.path.join(tmp, "loose-key")
    with open(loose, "w") as f:
        f.write("k" * 64 + "\n")
    os.chmod(loose, 0o644)
    short_key = os.path.join(tmp, "short-key")
    with open(short_key, "w") as f:
        f.write("tiny\n")
    os.chmod(short_key, 0o600)
    base = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
    base.update({"BATCHSTATUS_TOKEN_FILE": token, "BATCHSTATUS_SHARED": "redis+unix:/nonexistent.sock",
                 "BATCHSTATUS_TEMPLATES_DIR": os.path.join(bb.ROOT, "templates")})
    binary = os.environ.get("BATCHSTATUS_BIN") or os.path.join(bb.ROOT, "build", "batchstatus")
    cases = [("the key file missing", {}, "BATCHSTATUS_SHARED_KEY_FILE"),
             ("a key file others can read", {"BATCHSTATUS_SHARED_KEY_FILE": loose}, loose),
             ("a URL of another kind", {"BATCHSTATUS_SHARED": "http://x", "BATCHSTATUS_SHARED_KEY_FILE": loose},
              "BATCHSTATUS_SHARED")]
    for what, env, named in cases:
        p = subprocess.run([binary, "--check-config"], env=dict(base, **env), capture_output=True, timeout=20)
        err = p.stderr.decode("utf-8", "replace")
        ok = p.returncode == 2 and named in err
        results.append(("shared: %s stops the start, naming it" % what,
                        None if ok else "exit %d: %s" % (p.returncode, short(err, 300))))
    # A key too short: found by reading it, --check-config included.
    p = subprocess.run([binary, "--check-config"], env=dict(base, BATCHSTATUS_SHARED_KEY_FILE=short_key),
                       capture_output=True, timeout=20)
    err = p.stderr.decode("utf-8", "replace")
    results.append(("shared: a key shorter than 32 characters stops the start",
                    None if p.returncode == 2 and "shorter than 32" in err else
                    "exit %d: %s" % (p.returncode, short(err, 300))))
    return results


def main(argv):
    verbose = "-v" in argv
    only = argv[argv.index("-k") + 1] if "-k" in argv else None
    results = []

    def report(name, err):
        results.append(err is None)
        if err is not None:
            err = short(re.sub(r"\s+", " ", err).strip(), 700)
        print("ok  %s" % name if err is None else "FAIL %s: %s" % (name, err), flush=True)

    if not only or "key" in only or "shared:" in only:
        for name, err in key_file_checks():
            report(name, err)
    stacks = [("nodes", {"NODES": "3", "FAKE_PC_LATENCY_MS": "300",
                         "BATCHSTATUS_CACHE_RUNNING_SECONDS": "2"}),
              ("user", {"NODES": "3", "DEMO_SIGNIN": "user", "FAKE_SIGNIN_LIFETIME": "8"})]
    for stack_name, env in stacks:
        run_stack(stack_name, env, only, report, verbose)
    passed, failed = results.count(True), results.count(False)
    print("shared: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run_stack(stack_name, env, only, report, verbose):
    tests = [(n, f) for sn, n, f in TESTS if sn == stack_name and (not only or only in n)]
    if tests:
        stack = Stack("shared-" + stack_name, env)
        try:
            started = stack.start()
            report("%s: three nodes and Redis start (scripts/run.sh NODES=3)" % stack_name,
                   None if started else stack.start_error)
            if started:
                failed = []
                bb.run_tests(tests, stack, lambda n, e: (failed.append(n) if e else None, report(n, e)),
                            verbose)
                if failed:
                    sys.stderr.write("logs of %s:\n%s\n" % (stack.name, stack.log_tail(12)))
            else:
                sys.stderr.write(stack.log_tail() + "\n")
        finally:
            took = stack.stop()
            if stack.proc is not None:
                report("%s: run.sh stops on SIGTERM within %ds" % (stack_name, bb.STOP_TIMEOUT),
                       None if took is not None else "still running")
                left = bb.processes_using(stack.run_dir)
                report("%s: nothing left running (Redis included)" % stack_name,
                       None if not left else "still running: %s" % "; ".join(left[:3]))
            stack.kill_leftovers()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
