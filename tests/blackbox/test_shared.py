#!/usr/bin/env python3
"""Several nodes, one Partner Center budget (issue 12): three servers behind nginx share one real redis-server, and the fake's request log counts the calls.

scripts/run.sh NODES=3 starts Redis on a unix socket. Each node is also asked directly on
its own FastCGI socket, so a test knows which node answered. Stacks and the runner are
tests/blackbox/harness.py's.

    python3 tests/blackbox/test_shared.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `shared: N passed, N failed`;
exits 1 when any failed. stdlib only (redis-cli for the forged entry).
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import harness
from harness import (BIN, ROOT, RUN_ROOT, C, Failure, Group, Stack, batch_path, check, expect_html,
                     expect_status, short, signin_stats, steer, steer_id, test, upstream_calls)


def calls(s, tracking):
    """Partner Center calls for this batch so far, from any node (the fake's request log)."""
    return len(upstream_calls(s, tracking))


def node_name(n):
    return "batchstatus" if n == 1 else "batchstatus-%d" % n


def ask(s, n, path):
    """GET path from node n on its own FastCGI socket: (status, headers text, body)."""
    out = harness.fcgi(os.path.join(s.run_dir, node_name(n) + ".sock"), path, timeout=20)
    head, _, body = out.partition("\r\n\r\n")
    m = re.match(r"Status: (\d+) ([^\r\n]*)", head)
    check(m, "node %d: no status line in %r" % (n, short(head, 100)))
    status, reason = int(m.group(1)), m.group(2)
    # nginx passes the phrase on as it comes: every node must send the standard one.
    want = harness.REASONS.get(status, reason)
    check(reason == want, "node %d: %r, expected the phrase %r" % (n, head.split("\r\n")[0], want))
    return status, head, body


def node_log(s, n):
    return s.log(node_name(n))


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
    t = steer_id()
    steer(s, t, status="processing")
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
    n = calls(s, t)
    check(n == 1, "30 viewers over 3 nodes made %d calls" % n)


@test("nodes")
def a_batch_fetched_on_one_node_is_served_by_the_others(s):
    t = steer_id()
    steer(s, t, status="finished")
    st, _, body = ask(s, 1, batch_path(t))
    check(st == 200 and calls(s, t) == 1, "node 1: %d, %d calls" % (st, calls(s, t)))
    for n in (2, 3):
        st, head, body2 = ask(s, n, batch_path(t))
        check(st == 200, "node %d: %d" % (n, st))
        check(t in body2 and "batch-status" in body2, "node %d: not the batch page" % n)
        check("from Redis" in node_log(s, n), "node %d's log does not say the answer came from Redis" % n)
    check(calls(s, t) == 1, "nodes 2 and 3 made %d more calls" % (calls(s, t) - 1))
    # The same upstream answer: the same ETag on every node.
    etags = {re.search(r"ETag: (\S+)", ask(s, n, batch_path(t))[1]).group(1) for n in (1, 2, 3)}
    check(len(etags) == 1, "ETags differ between nodes: %s" % etags)


@test("nodes")
def a_429_on_one_node_pauses_the_others_which_serve_stale(s):
    t, other = steer_id(), steer_id()
    steer(s, t, status="processing")
    for n in (1, 2, 3):
        check(ask(s, n, batch_path(t))[0] == 200, "warming node %d" % n)
    check(calls(s, t) == 1, "warming made %d calls" % calls(s, t))
    steer(s, t, fail=429, retry_after="4")
    time.sleep(2.3)  # past the running batches' keep time (2 s here)
    st, _, body = ask(s, 1, batch_path(t))
    check(st == 200 and stale_in(body), "node 1 after its 429: %d, stale %s" % (st, stale_in(body)))
    before = calls(s, t)
    for n in (2, 3):
        st, _, body = ask(s, n, batch_path(t))
        check(st == 200 and stale_in(body), "node %d while paused: %d, stale %s" % (n, st, stale_in(body)))
        st, head, _ = ask(s, n, batch_path(other))
        check(st == 503 and "Retry-After:" in head, "node %d, a batch not held, while paused: %d" % (n, st))
    check(calls(s, t) == before and calls(s, other) == 0,
          "nodes 2 and 3 called during node 1's pause")
    steer(s, t, fail=None)
    time.sleep(4.5)


@test("nodes")
def a_forged_entry_in_redis_is_ignored(s):
    t = steer_id()
    steer(s, t, status="finished_with_errors")
    check(ask(s, 1, batch_path(t))[0] == 200, "node 1")
    key = "batchstatus:b:%s/%s" % (C, t)
    real = redis_cli(s, "--no-raw", "GET", key).stdout
    check(real.strip() not in (b"", b"(nil)"), "no entry in Redis under %s" % key)
    # Whoever can write to Redis: a page of their own under the batch's key.
    forged = redis_cli(s, "SET", key, "BSS1" + "0" * 32 + "forged page: finished", "PX", "60000")
    check(forged.returncode == 0, "redis-cli SET failed: %s" % forged.stderr)
    before = calls(s, t)
    st, _, body = ask(s, 2, batch_path(t))
    check(st == 200 and "forged" not in body, "node 2 served %d %s" % (st, short(body, 80)))
    check("fails its seal" in node_log(s, 2), "node 2 did not log the forged entry")
    check(calls(s, t) == before + 1, "node 2 did not call Partner Center itself")
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
        t = steer_id()
        steer(s, t, status="finished")
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
    t = steer_id()
    steer(s, t, status="finished")
    check(ask(s, 3, batch_path(t))[0] == 200, "node 3 after Redis is back")
    check(ask(s, 1, batch_path(t))[0] == 200, "node 1 after Redis is back")
    check(calls(s, t) == 1, "sharing did not resume: %d calls" % calls(s, t))


@test("nodes")
def through_nginx_pages_are_whole(s):
    t = steer_id()
    steer(s, t, status="processing")
    for _ in range(9):
        r = s.get(batch_path(t))
        expect_status(r, 200)
        expect_html(r)
    check(calls(s, t) == 1, "9 views through nginx over 3 nodes made %d calls" % calls(s, t))


# A second stack: App+User sign-in, a short token lifetime (8 s: renewed 2 s before expiry).
# Alone on it: it counts the sign-ins from a server's first token.
@test("user")
def one_sign_in_for_three_nodes_and_the_rotated_refresh_token_is_everyones(s):
    s0 = signin_stats(s)
    t = steer_id()
    steer(s, t, status="processing")
    for n in (1, 2, 3):
        st, _, body = ask(s, n, batch_path(t))
        check(st == 200, "node %d first: %d %s" % (n, st, short(body, 200)))
    s1 = signin_stats(s)
    check(s1["token_calls"] - s0["token_calls"] == 1,
          "three nodes made %d sign-ins for their first token" % (s1["token_calls"] - s0["token_calls"]))
    # 18 s of views on every node: renewals rotate the refresh token each time; every node
    # must use the newest (the fake refuses a used one: a stranded node would get 502).
    bad, t0 = [], time.monotonic()
    while time.monotonic() - t0 < 18:
        for n in (1, 2, 3):
            u = steer_id()
            steer(s, u, status="finished")
            st, _, body = ask(s, n, batch_path(u))
            if st != 200:
                bad.append("node %d: %d %s" % (n, st, short(re.sub(r"<[^>]+>", " ", body), 160)))
        time.sleep(0.3)
    s2 = signin_stats(s)
    calls = s2["token_calls"] - s1["token_calls"]
    check(not bad, "%d answers were not 200: %s" % (len(bad), bad[:3]))
    check(1 <= calls <= 5, "%d sign-ins in 18 s for 3 nodes (one per lifetime: about 3)" % calls)
    logs = "".join(node_log(s, n) for n in (1, 2, 3))
    check("invalid_grant" not in logs, "a node signed in with a used refresh token")
    check("another node's, from Redis" in logs, "no node took another's token")


# No stack: BATCHSTATUS_SHARED without its key file, or with a loose one, stops the start.
def key_files(tmp):
    """A token file, a key file others can read and one too short, under tmp; the environment
    of a node sharing through a Redis that is not there."""
    os.makedirs(tmp, exist_ok=True)
    files = {"token": ("t0k3n", 0o600), "loose-key": ("k" * 64, 0o644), "short-key": ("tiny", 0o600)}
    for name, (text, mode) in files.items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text + "\n")
        os.chmod(os.path.join(tmp, name), mode)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
    env.update({"BATCHSTATUS_TOKEN_FILE": os.path.join(tmp, "token"),
                "BATCHSTATUS_SHARED": "redis+unix:/nonexistent.sock",
                "BATCHSTATUS_TEMPLATES_DIR": os.path.join(ROOT, "templates")})
    return env


def make_key_file_test(env_of, named_of, said="{named}"):
    def fn():
        tmp = os.path.join(RUN_ROOT, "shared-keys")
        env = dict(key_files(tmp), **env_of(tmp))
        p = subprocess.run([BIN, "--check-config"], env=env, capture_output=True, timeout=20)
        err = p.stderr.decode("utf-8", "replace")
        want = said.format(named=named_of(tmp))
        check(p.returncode == 2 and want in err, "exit %d: %s" % (p.returncode, short(err, 300)))
    return fn


for _what, _env, _named in (
        ("the key file missing", lambda tmp: {}, lambda tmp: "BATCHSTATUS_SHARED_KEY_FILE"),
        ("a key file others can read",
         lambda tmp: {"BATCHSTATUS_SHARED_KEY_FILE": os.path.join(tmp, "loose-key")},
         lambda tmp: os.path.join(tmp, "loose-key")),
        ("a URL of another kind",
         lambda tmp: {"BATCHSTATUS_SHARED": "http://x",
                      "BATCHSTATUS_SHARED_KEY_FILE": os.path.join(tmp, "loose-key")},
         lambda tmp: "BATCHSTATUS_SHARED")):
    test(name="shared: %s stops the start, naming it" % _what)(make_key_file_test(_env, _named))
# A key too short: found by reading it, --check-config included.
test(name="shared: a key shorter than 32 characters stops the start")(make_key_file_test(
    lambda tmp: {"BATCHSTATUS_SHARED_KEY_FILE": os.path.join(tmp, "short-key")}, lambda tmp: "",
    said="shorter than 32"))


def main():
    return harness.main("shared", [
        Group("nodes", lambda: Stack("shared-nodes", {"NODES": "3", "FAKE_PC_LATENCY_MS": "300",
                                                      "BATCHSTATUS_CACHE_RUNNING_SECONDS": "2"})),
        Group("user", lambda: Stack("shared-user", {"NODES": "3", "DEMO_SIGNIN": "user",
                                                    "FAKE_SIGNIN_LIFETIME": "8"}))])


if __name__ == "__main__":
    sys.exit(main())
