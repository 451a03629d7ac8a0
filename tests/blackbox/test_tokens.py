#!/usr/bin/env python3
"""Black-box tests of signing in: nginx + the server + the fake Partner Center with its fake Entra ID sign-in, as scripts/run.sh starts them with DEMO_SIGNIN=app|user.

Driven over HTTP; the fake sign-in is steered and counted through its /_fake/control and
/_fake/stats (harness.signin_control, harness.signin_stats). Stacks and the runner are
tests/blackbox/harness.py's.

    python3 tests/blackbox/test_tokens.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `tokens: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid

import harness
from harness import (BIN, ROOT, T, Failure, Group, Stack, batch_path, check, expect_status, fake_pc,
                     short, signin_control, signin_stats, test)

PC_RESOURCE = fake_pc.PC_RESOURCE
TENANT = "8f1c2d3e-0000-4000-8000-00000000d3e0"     # what scripts/run.sh gives both sides
CLIENT = "1950a258-227b-4e31-a9cf-717495945fc2"
BOUNDED_WAIT = 10.0
SECRET_FILES = ("client-secret", "refresh-token", "fake-refresh-token-init", "token")

# Inherited sign-in settings would point the stack elsewhere: run.sh sets its own.
for _k in list(os.environ):
    if _k in ("DEMO_SIGNIN", "BATCHSTATUS_TENANT_ID", "BATCHSTATUS_CLIENT_ID",
              "BATCHSTATUS_CLIENT_SECRET_FILE", "BATCHSTATUS_REFRESH_TOKEN_FILE",
              "BATCHSTATUS_TOKEN_ENDPOINT", "BATCHSTATUS_AUTHORITY_URL", "BATCHSTATUS_CLOUD") \
            or _k.startswith("FAKE_SIGNIN_"):
        del os.environ[_k]


# --- the fake's request log, seen from a test -------------------------------------

def log_entries(stack):
    """Every line of the fake's request log: Partner Center's and the sign-in's."""
    try:
        with open(stack.fake_log_path(), encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]
    except OSError:
        return []


def pc_entries(stack):
    return [e for e in log_entries(stack) if e.get("listener") != "signin"]


def signin_entries(stack):
    return [e for e in log_entries(stack) if e.get("listener") == "signin"]


def only_signin_entry(stack):
    got = signin_entries(stack)
    check(len(got) == 1, "the fake sign-in logged %d token requests (want 1): %r"
          % (len(got), [(e["path"], e["status"], e.get("error")) for e in got]))
    return got[0]


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read().strip()).hexdigest()


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().strip()


def new_batch():
    """A batch nobody asked for yet: Partner Center answers 404, which needs a good token."""
    return batch_path(str(uuid.uuid4()))


def wait_until(cond, seconds=BOUNDED_WAIT, step=0.2):
    end = time.monotonic() + seconds
    while True:
        got = cond()
        if got or time.monotonic() > end:
            return got
        time.sleep(step)


def page_has_no_secrets(stack, r):
    secret = read_text(os.path.join(stack.run_dir, "client-secret"))
    check(secret not in r.text, "the page shows the client secret")
    check(fake_pc.ACCESS_TOKEN_PREFIX not in r.text, "the page shows an access token")
    for name in ("Trace ID", "Timestamp:", "Invalid client secret provided"):
        check(name not in r.text, "the page shows Entra's error_description (%r)" % name)
    for e in signin_entries(stack):
        if e.get("trace_id"):
            check(e["trace_id"] not in r.text, "the page shows Entra's trace ID")


# --- the tests -----------------------------------------------------------------

# 1. A fresh server meeting a crowd signs in once (the fake sign-in answers in 300 ms,
# so every request arrives while the first sign-in is in flight): a stack of its own, as
# it counts every call the stack ever made.
@test("crowd")
def concurrent_first_requests_sign_in_once(s):
    before = signin_stats(s)
    check(before["token_calls"] == 0, "token endpoint called %d times before any page"
          % before["token_calls"])
    paths = [new_batch() for _ in range(40)]
    out = harness.statuses_at_once(s, paths)
    check(out == [404] * len(paths), "40 different batches at once: answers %r" % out)
    st = signin_stats(s)
    check(st["token_calls"] == 1, "40 concurrent requests made %d token calls" % st["token_calls"])
    check(st["by_grant"]["client_credentials"] == 1, "grants %r" % st["by_grant"])
    # The batch calls; beside them, one call for their customer's name (all 40 share it).
    pcs = [e for e in pc_entries(s) if "/batchJobStatus/" in e.get("path", "")]
    check(len(pcs) == 40, "Partner Center saw %d calls for 40 batches" % len(pcs))
    names = [e for e in pc_entries(s) if "/batchJobStatus/" not in e.get("path", "")]
    check(len(names) <= 1, "%d calls for the one customer's name" % len(names))
    bad = [e.get("auth") for e in pcs if e.get("auth") != "ok"]
    check(not bad, "Partner Center saw tokens %r" % bad)
    e = only_signin_entry(s)
    check(e["endpoint"] == "v1" and e["status"] == 200, "token call: %r" % e)
    form = e["form"]
    check(form.get("grant_type") == "client_credentials" and form.get("client_id") == CLIENT
          and form.get("resource") == PC_RESOURCE and form.get("client_secret") == "<ok>",
          "token request form %r" % form)
    log = os.path.join(s.run_dir, "logs", "batchstatus.log")
    check(wait_until(lambda: "token" in read_text(log).lower(), 3),
          "batchstatus.log never mentions the token renewal")


# 4. A token Partner Center rejects is renewed and the call retried, once.
@test("app")
def revoked_token_is_renewed_and_retried_once(s):
    expect_status(s.get(batch_path(T["processing"])), 200, "before revoking: ")
    s0 = signin_stats(s)
    signin_control(s, revoke_all=True)
    r = s.get(batch_path(T["processing"]))
    expect_status(r, 200, "after revoke_all: ")
    s1 = signin_stats(s)
    check(s1["pc_401"] == s0["pc_401"] + 1, "Partner Center answered 401 %d times (want 1)"
          % (s1["pc_401"] - s0["pc_401"]))
    check(s1["token_calls"] == s0["token_calls"] + 1, "%d token calls after the 401 (want 1)"
          % (s1["token_calls"] - s0["token_calls"]))
    auths = [e.get("auth") for e in pc_entries(s)][-2:]
    check(auths == ["revoked", "ok"], "Partner Center saw %r (want revoked, then ok)" % auths)

    signin_control(s, revoke_all=True, fail="invalid_client")
    try:
        r = s.get(batch_path(T["processing"]))
        s2 = signin_stats(s)
    finally:
        signin_control(s, fail=None)
    expect_status(r, 502, "revoked and sign-in failing: ")
    check(s2["pc_401"] == s1["pc_401"] + 1, "Partner Center answered 401 %d times for one page "
          "(retry once, not more)" % (s2["pc_401"] - s1["pc_401"]))
    check(s2["token_calls"] == s1["token_calls"] + 1, "%d token calls for one page (want 1)"
          % (s2["token_calls"] - s1["token_calls"]))
    check(wait_until(lambda: s.get(batch_path(T["processing"])).status == 200, 2 * BOUNDED_WAIT, 0.5),
          "no 200 within %ds after the sign-in works again" % (2 * BOUNDED_WAIT))


# 5. A sign-in failure is a 502 naming Entra's code, with a backoff, and heals.
@test("app")
def signin_failure_is_502_with_backoff_and_recovers(s):
    signin_control(s, revoke_all=True, fail="invalid_client")
    s0 = signin_stats(s)
    t0 = time.monotonic()
    answers = []
    try:
        while time.monotonic() - t0 < 1.0 or len(answers) < 3:
            answers.append(s.get(new_batch()))
            if len(answers) >= 30:
                break
        s1 = signin_stats(s)
    finally:
        took = time.monotonic() - t0
        signin_control(s, fail=None)
    statuses = [r.status for r in answers]
    check(statuses == [502] * len(answers), "statuses while sign-in fails: %r" % statuses)
    first = answers[0]
    check("AADSTS7000215" in first.text, "the 502 page does not show AADSTS7000215: %s" % first.where())
    check("invalid_client" in first.text, "the 502 page does not show the error invalid_client")
    for r in answers:
        page_has_no_secrets(s, r)
    calls = s1["token_calls"] - s0["token_calls"]
    check(1 <= calls <= 2, "%d token calls for %d requests in %.1fs (want 1 or 2: a backoff)"
          % (calls, len(answers), took))
    check(wait_until(lambda: s.get(batch_path(T["processing"])).status == 200, BOUNDED_WAIT, 0.5),
          "still no 200 %ds after the sign-in works again" % BOUNDED_WAIT)
    j = s.get(batch_path(T["processing"], ".json"))
    expect_status(j, 200, "JSON after recovery: ")


# 5b. The sign-in answering an HTML 500 page: a 502 that shows none of that page.
@test("app")
def signin_html_500_is_502(s):
    signin_control(s, revoke_all=True, fail="500")
    try:
        r = s.get(new_batch())
    finally:
        signin_control(s, fail=None)
    expect_status(r, 502, "sign-in answering 500: ")
    check("trouble signing you in" not in r.text and "AADSTS90033" not in r.text,
          "the page shows the sign-in's HTML error page")
    page_has_no_secrets(s, r)
    check(wait_until(lambda: s.get(new_batch()).status == 404, BOUNDED_WAIT, 0.5),
          "still failing %ds after the sign-in works again" % BOUNDED_WAIT)


# 2. Renewal before expiry: tokens live 6 s; a request every 0.5 s for 10 s.
@test("renew")
def token_is_renewed_before_it_expires(s):
    statuses = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10.0:
        statuses.append(s.get(new_batch()).status)
        time.sleep(0.5)
    st = signin_stats(s)
    check(statuses == [404] * len(statuses), "statuses %r" % statuses)
    check(st["token_calls"] >= 2, "%d token call(s) in 10 s with 6 s tokens" % st["token_calls"])
    check(st["token_calls"] <= 6, "%d token calls in 10 s with 6 s tokens (one per request?)"
          % st["token_calls"])
    bad = [(e["time"], e.get("auth")) for e in pc_entries(s) if e.get("auth") != "ok"]
    check(not bad, "Partner Center saw expired/bad tokens: %r" % bad[:5])
    check(st["pc_401"] == 0, "Partner Center answered 401 %d times" % st["pc_401"])


# 3. App+User: the rotated refresh token is saved (0600) and is what the server uses next.
@test("user")
def refresh_token_rotation_is_saved(s):
    path = os.path.join(s.run_dir, "refresh-token")
    # Whatever token the server holds is refused: the next page needs a sign-in with the
    # file's refresh token (a fresh server's first, or a later one).
    signin_control(s, revoke_all=True)
    initial = sha256_file(path)
    s0, n0 = signin_stats(s), len(signin_entries(s))
    expect_status(s.get(batch_path(T["processing"])), 200)
    st = signin_stats(s)
    grants = {k: st["by_grant"][k] - s0["by_grant"][k] for k in st["by_grant"]}
    check(grants["refresh_token"] == 1 and grants["client_credentials"] == 0,
          "grants %r (want one refresh_token)" % grants)
    check(st["refresh_token_sha256"] != initial, "the fake did not rotate the refresh token")
    check(wait_until(lambda: sha256_file(path) == st["refresh_token_sha256"], 3),
          "the server's refresh-token file is not the new refresh token")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    check(mode == 0o600, "refresh-token file mode %o (want 600)" % mode)

    # A second sign-in in the same server uses the rotated token.
    signin_control(s, revoke_all=True)
    expect_status(s.get(batch_path(T["processing"])), 200, "after revoke_all: ")
    st2 = signin_stats(s)
    check(st2["by_grant"]["refresh_token"] == s0["by_grant"]["refresh_token"] + 2,
          "grants %r, before this test %r" % (st2["by_grant"], s0["by_grant"]))
    check(st2["refresh_token_sha256"] != st["refresh_token_sha256"], "no second rotation")
    check(wait_until(lambda: sha256_file(path) == st2["refresh_token_sha256"], 3),
          "after the second sign-in the file is not the newest refresh token")
    failed = [e for e in signin_entries(s)[n0:] if e["status"] != 200]
    check(not failed, "failed sign-ins: %r" % [(e.get("error"), e["form"].get("refresh_token"))
                                              for e in failed])


# 3b. App+User with a refresh token Entra no longer accepts: 502 naming AADSTS700082.
@test("user")
def expired_refresh_token_is_502(s):
    path = os.path.join(s.run_dir, "refresh-token")
    saved = sha256_file(path)
    signin_control(s, revoke_all=True, fail="invalid_grant")
    try:
        r = s.get(batch_path(T["processing"]))
    finally:
        signin_control(s, fail=None)
    expect_status(r, 502, "refresh token refused: ")
    check("AADSTS700082" in r.text and "invalid_grant" in r.text,
          "the 502 page does not show AADSTS700082 / invalid_grant: %s" % r.where())
    page_has_no_secrets(s, r)
    check(read_text(path) not in r.text, "the page shows the refresh token")
    check(sha256_file(path) == saved, "a refused sign-in changed the refresh-token file")
    check(wait_until(lambda: s.get(batch_path(T["processing"])).status == 200, BOUNDED_WAIT, 0.5),
          "still failing %ds after the sign-in works again" % BOUNDED_WAIT)
    check(wait_until(lambda: sha256_file(path) == signin_stats(s)["refresh_token_sha256"], 3),
          "after recovering, the file is not the newest refresh token")


# 3c. A restarted server (a second process with the same settings) starts from the file.
@test("user")
def restarted_server_signs_in_from_the_file(s):
    path = os.path.join(s.run_dir, "refresh-token")
    before = signin_stats(s)
    sock = os.path.join(s.run_dir, "restart.sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
    env.update({
        "BATCHSTATUS_LISTEN": "unix:" + sock,
        "BATCHSTATUS_TEMPLATES_DIR": os.path.join(ROOT, "templates"),
        "BATCHSTATUS_PC_BASE_URL": "https://127.0.0.1:%s" % read_text(os.path.join(s.run_dir, "fake-pc.port")),
        "BATCHSTATUS_CA_FILE": os.path.join(s.run_dir, "tls", "ca.pem"),
        "BATCHSTATUS_AUTHORITY_URL": "https://127.0.0.1:%s"
        % read_text(os.path.join(s.run_dir, "fake-signin.port")),
        "BATCHSTATUS_TENANT_ID": TENANT, "BATCHSTATUS_CLIENT_ID": CLIENT,
        "BATCHSTATUS_CLIENT_SECRET_FILE": os.path.join(s.run_dir, "client-secret"),
        "BATCHSTATUS_REFRESH_TOKEN_FILE": path,
    })
    with open(os.path.join(s.run_dir, "logs", "batchstatus-restarted.log"), "ab") as log:
        proc = subprocess.Popen([BIN], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        check(wait_until(lambda: os.path.exists(sock) or proc.poll() is not None, 10)
              and proc.poll() is None, "the restarted server did not come up (exit %r)" % proc.poll())
        out = harness.fcgi(sock, batch_path(T["processing"]))
        check(out.startswith("Status: 200"), "restarted server: %s" % short(out, 300))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    st3 = signin_stats(s)
    check(st3["by_grant"]["refresh_token"] == before["by_grant"]["refresh_token"] + 1,
          "grants before the restart %r, after %r" % (before["by_grant"], st3["by_grant"]))
    check(sha256_file(path) == st3["refresh_token_sha256"],
          "after the restarted server's sign-in the file is not the newest refresh token")


# 6. The v2 endpoint: scope instead of resource, expires_in a number.
@test("v2")
def v2_endpoint_works(s):
    expect_status(s.get(batch_path(T["processing"])), 200)
    expect_status(s.get(new_batch()), 404)
    st = signin_stats(s)
    check(st["token_calls"] == 1, "%d token calls" % st["token_calls"])
    e = only_signin_entry(s)
    check(e["path"] == "/%s/oauth2/v2.0/token" % TENANT and e["status"] == 200,
          "token call %s -> %s %s" % (e["path"], e["status"], e.get("error")))
    check(e["form"].get("scope") == PC_RESOURCE + "/.default" and "resource" not in e["form"],
          "v2 form %r" % e["form"])


# 7. Secret files others can read stop the start (the server and --check-config).
def secret_setup(tmp):
    """A client secret, a refresh token and a static token file under tmp (0600), and the
    environment of an App-only server reading the secret."""
    files = {n: os.path.join(tmp, n) for n in ("client-secret", "refresh-token", "token")}
    for p in files.values():
        with open(p, "w") as f:
            f.write("not-" + os.urandom(12).hex() + "\n")
        os.chmod(p, 0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}
    env.update({"BATCHSTATUS_TEMPLATES_DIR": os.path.join(ROOT, "templates"),
                "BATCHSTATUS_PC_BASE_URL": "https://127.0.0.1:1",
                "BATCHSTATUS_AUTHORITY_URL": "https://127.0.0.1:1",
                "BATCHSTATUS_TENANT_ID": TENANT, "BATCHSTATUS_CLIENT_ID": CLIENT,
                "BATCHSTATUS_CLIENT_SECRET_FILE": files["client-secret"],
                "BATCHSTATUS_LISTEN": "unix:" + os.path.join(tmp, "s.sock")})
    return files, env


def check_config(args, env):
    return subprocess.run([BIN] + args, env=env, capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL)


def make_refused_test(which, mode, args):
    def fn():
        with tempfile.TemporaryDirectory(prefix="bs-tokens-") as tmp:
            files, env = secret_setup(tmp)
            path = files[which]
            os.chmod(path, mode)
            if which == "refresh-token":
                env["BATCHSTATUS_REFRESH_TOKEN_FILE"] = path
            if which == "token":  # a static token file instead of the sign-in
                env["BATCHSTATUS_TOKEN_FILE"] = path
                for k in ("BATCHSTATUS_CLIENT_ID", "BATCHSTATUS_CLIENT_SECRET_FILE",
                          "BATCHSTATUS_TENANT_ID", "BATCHSTATUS_AUTHORITY_URL"):
                    env.pop(k)
            try:
                p = check_config(args, env)
            except subprocess.TimeoutExpired:
                raise Failure("still running after 10 s (it started)")
            check(p.returncode == 2 and path in p.stderr and "chmod 600" in p.stderr,
                  "exit %s, stderr %r" % (p.returncode, short(p.stderr.strip(), 400)))
            value = harness.read_token(path)
            check(value not in p.stderr and value not in p.stdout, "the secret is in its output")
    return fn


for _what, _which, _mode in (("client secret 0644", "client-secret", 0o644),
                             ("client secret 0660", "client-secret", 0o660),
                             ("refresh token 0604", "refresh-token", 0o604),
                             ("static token file 0640", "token", 0o640)):
    for _args in ([], ["--check-config"]):
        test(name="%s: %s refused" % (_what, " ".join(["batchstatus"] + _args)))(
            make_refused_test(_which, _mode, _args))


@test(name="client secret 0600: --check-config passes")
def private_secret_passes_check_config():
    with tempfile.TemporaryDirectory(prefix="bs-tokens-") as tmp:
        _, env = secret_setup(tmp)
        p = check_config(["--check-config"], env)
        check(p.returncode == 0, "exit %s, stderr %r" % (p.returncode, short(p.stderr.strip(), 400)))


@test(name="token_file with client_id: a configuration error")
def token_file_and_client_id_conflict():
    with tempfile.TemporaryDirectory(prefix="bs-tokens-") as tmp:
        files, env = secret_setup(tmp)
        p = check_config(["--check-config"], dict(env, BATCHSTATUS_TOKEN_FILE=files["client-secret"]))
        check(p.returncode != 0, "--check-config accepted both")


def secret_hygiene(stack):
    """After stop: no client secret, refresh token or access token in any log or page."""
    secrets_ = []
    for fn in SECRET_FILES:
        p = os.path.join(stack.run_dir, fn)
        if os.path.exists(p):
            secrets_.append((fn, read_text(p)))
    problems = []
    needles = [(n, v.encode()) for n, v in secrets_ if v] + \
        [("an access token", fake_pc.ACCESS_TOKEN_PREFIX.encode())]
    for r in stack.responses:
        blob = r.body + "".join("%s: %s\n" % h for h in r.headers).encode()
        for name, v in needles:
            if v in blob:
                problems.append("a page (HTTP %d %s) contains %s" % (r.status, r.path, name))
    files = [stack.stdout_path]
    for dirpath, dirs, fns in os.walk(stack.run_dir):
        dirs[:] = [d for d in dirs if d != "tls"]
        files += [os.path.join(dirpath, f) for f in fns
                  if not (dirpath == stack.run_dir and f in SECRET_FILES)]
    for p in files:
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            continue
        for name, v in needles:
            if v in data:
                problems.append("%s contains %s" % (os.path.relpath(p, ROOT), name))
    leaks = [e for e in log_entries(stack) if e.get("token_leak") or e.get("secret_leak")]
    if leaks:
        problems.append("a secret was sent outside its field (%s)" % leaks[0]["path"])
    if not secrets_:
        problems.append("no client-secret file in %s" % stack.run_dir)
    return problems


# 8. One deadline per request (issue 11): the call, a sign-in for a refused token and the
# retry together stay within BATCHSTATUS_UPSTREAM_TIMEOUT_MS (2000 ms here); none of them
# starts a deadline of its own.
def upstream_lines(stack, cid):
    """The server's log lines for one request's upstream calls, and its request line."""
    log = read_text(os.path.join(stack.run_dir, "logs", "batchstatus.log"))
    calls = [l for l in log.splitlines() if "upstream corr=%s" % cid in l]
    req = [l for l in log.splitlines() if "request corr=%s" % cid in l]
    return calls, req


@test("first-signin")
def a_signin_slower_than_the_deadline_ends_at_the_deadline(s):
    # The first request of a stack of its own: no token yet, and the sign-in takes 3 s.
    signin_control(s, fail="slow", slow_ms=3000)
    try:
        r = s.get(batch_path(T["seed"]))
    finally:
        signin_control(s, fail=None)
    expect_status(r, 504, "waiting on a 3 s sign-in with a 2 s deadline: ")
    cid = r.header("X-Correlation-Id")
    calls, req = upstream_lines(s, cid)
    check(any("no token within the deadline" in l for l in calls),
          "the log does not say the token did not come in time: %r" % calls)
    check(not any("request=" in l for l in calls), "a call was made without a token: %r" % calls)
    m = re.search(r" ms=(\d+)$", req[0]) if req else None
    check(m and int(m.group(1)) < 2000 + 800, "the request line: %r" % req)
    # The sign-in went on: the next request finds its token.
    check(wait_until(lambda: signin_stats(s)["token_calls"] == 1 and
                     s.get(batch_path(T["seed"])).status == 200, BOUNDED_WAIT, 0.3),
          "the sign-in that outlived the deadline did not serve the next request")


@test("deadline")
def refused_token_signin_and_retry_share_one_deadline(s):
    # The token is refused (revoked), its renewal takes 1.2 s, and the retried call hangs:
    # the retry gets what is left of the 2 s, not 2 s of its own. A page first, so that the
    # server holds a token to be refused (a fresh server would only sign in).
    expect_status(s.get(batch_path(T["seed"])), 200, "a token first: ")
    signin_control(s, revoke_all=True, fail="slow", slow_ms=1200)
    try:
        r = s.get(batch_path(T["slow"]))
    finally:
        signin_control(s, fail=None)
    expect_status(r, 504, "refused, slow sign-in, slow call: ")
    cid = r.header("X-Correlation-Id")
    calls, req = upstream_lines(s, cid)
    budgets = [int(m.group(1)) for m in (re.search(r"budget_ms=(\d+)", l) for l in calls) if m]
    check(len(budgets) == 2, "want the refused call and its retry, got %r" % calls)
    check(budgets and budgets[0] <= 2000 and budgets[-1] <= 2000 - 1200 + 150,
          "the retry's budget %r: a deadline of its own" % budgets)
    check(any("-> timeout" in l for l in calls[-1:]), "the retry did not end at the deadline: %r"
          % calls)
    m = re.search(r" ms=(\d+)$", req[0]) if req else None
    check(m and int(m.group(1)) < 2000 + 800, "the request line: %r" % req)


# --- run ---------------------------------------------------------------------

def no_secret_anywhere(stack):
    """After stop: the check that no secret or token is in any log file or page."""
    p = secret_hygiene(stack)
    return [("%s: no secret or token in any log file or page" % stack.name, "; ".join(p) if p else None)]


def main():
    # Nothing kept, not even for stale answers: every failure shows (test_budget covers stale ones).
    no_cache = {"BATCHSTATUS_CACHE_FINISHED_SECONDS": "0", "BATCHSTATUS_CACHE_RUNNING_SECONDS": "0",
                "BATCHSTATUS_STALE_SECONDS": "0"}
    stacks = [
        ("crowd", dict(no_cache, DEMO_SIGNIN="app", FAKE_SIGNIN_LATENCY_MS="300")),
        ("app", dict(no_cache, DEMO_SIGNIN="app")),
        ("renew", dict(no_cache, DEMO_SIGNIN="app", FAKE_SIGNIN_LIFETIME="6")),
        ("user", dict(no_cache, DEMO_SIGNIN="user")),
        ("v2", dict(no_cache, DEMO_SIGNIN="app", BATCHSTATUS_TOKEN_ENDPOINT="v2")),
        ("first-signin", dict(no_cache, DEMO_SIGNIN="app")),
        ("deadline", dict(no_cache, DEMO_SIGNIN="app")),
    ]
    return harness.main("tokens", [
        Group(name, lambda name=name, env=env: Stack("tokens-" + name, env, after_stop=[no_secret_anywhere]))
        for name, env in stacks])


if __name__ == "__main__":
    sys.exit(main())
