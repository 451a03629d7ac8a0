#!/usr/bin/env python3
"""Fault injection through real nginx (issue 6): a failing Partner Center, and hostile clients.

Stacks and the runner are tests/blackbox/harness.py's.

Partner Center's faults are scenarios of tests/fake_pc.py (tests/fixtures/scenarios.json):
a reset mid-body, a stall after the headers, one byte a second, 100 MiB (with a length and
chunked), broken chunked encoding, an HTML error page with a 200, JSON of another shape,
429 with and without Retry-After, 502 and 504. Refused connections and an unresolvable host
need no fake (BATCHSTATUS_PC_BASE_URL points at a closed port, at a `.invalid` name); the
TLS faults (wrong host name, expired, unknown CA) are served by the fake's own server class
run in this process with certificates made by openssl under the stack's directory.

For each fault: the documented status and error page (with its correlation ID) within a
generous bound, the server still answers /healthz and a good batch afterwards, and nothing
was kept (the same batch asked again makes a new upstream call).

From the client side: methods other than GET/HEAD, HEAD everywhere, request bodies, very
long URLs and headers, thousands of query parameters, invalid percent-encoding and UTF-8,
and CR/LF in every input: a 4xx or a normal page, never a CR/LF in a response header or a
log line, never an upstream call for bad input.

    python3 tests/blackbox/test_faults.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `faults: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import argparse
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

import harness
from harness import (C, HTTP_TIMEOUT, ROOT, T, Failure, Group, Stack, batch_path, check,
                     correlation_id, expect_html, expect_status, fake_pc, free_port, hdr, new_upstream,
                     no_upstream_leak, page_text, short, test, upstream_calls)

UPSTREAM_TIMEOUT_MS = 3000
# No speed assertions: only a bound so that nothing hangs (the deadline is 3 s).
BOUND = 15.0
TS_RE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")
HEADER_LINE_RE = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \t]*[^\r\n]*$")
EVIL = "%0d%0aX-Evil:%20injected"


def calls_for(s, name, before):
    """Partner Center calls for the scenario `name` since the first `before` log entries."""
    return upstream_calls(s, T[name], before)


def upstream_calls_total(s):
    """The sum of batchstatus_upstream_calls_total over every outcome."""
    r = s.get("/metrics")
    expect_status(r, 200)
    return sum(int(m) for m in re.findall(r"^batchstatus_upstream_calls_total\{[^}]*\} (\d+)",
                                         r.text, re.M))


def timed_get(s, path, **kw):
    r = s.get(path, **kw)
    check(r.elapsed < BOUND, "%s took %.1fs (bound %.0fs, upstream deadline %d ms)"
          % (short(path, 80), r.elapsed, BOUND, UPSTREAM_TIMEOUT_MS))
    return r


def error_page(s, path, status):
    """The documented status, an HTML error page with its correlation ID (also the header)."""
    r = timed_get(s, path)
    expect_status(r, status, "%s: " % short(path, 90))
    expect_html(r)
    cid = correlation_id(r)
    check(r.header("X-Correlation-Id") == cid, "X-Correlation-Id %r, page says %s"
          % (r.header("X-Correlation-Id"), cid))
    no_upstream_leak(r)
    return r, cid


def still_serving(s, good="processing"):
    """/healthz answers, and a good batch is fetched from upstream again."""
    r = s.get("/healthz")
    check(r.status == 200 and r.body.strip() == b"ok", "/healthz afterwards: " + r.where())
    if good is None:
        return
    before = s.fake_count()
    r = timed_get(s, batch_path(T[good]))
    expect_status(r, 200, "a good batch afterwards: ")
    check(len(calls_for(s, good, before)) == 1, "the good batch afterwards made %d upstream calls"
          % len(calls_for(s, good, before)))


# --- raw HTTP: the header block as bytes -----------------------------------------------

def raw_request(s, data, timeout=HTTP_TIMEOUT):
    """Sends bytes as they are; returns (status, [header lines as bytes], body)."""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=timeout)
    try:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                b = sock.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
    except OSError as e:
        raise Failure("raw request %r: %s" % (short(data, 80), e))
    finally:
        sock.close()
    raw = b"".join(chunks)
    head, sep, body = raw.partition(b"\r\n\r\n")
    check(sep, "no complete header block in the answer to %r: %r" % (short(data, 80), short(raw, 200)))
    lines = head.split(b"\r\n")
    m = re.match(rb"^HTTP/1\.[01] (\d{3}) ", lines[0])
    check(m, "status line %r" % lines[0])
    return int(m.group(1)), lines[1:], body


def header_problems(lines):
    """CR or LF inside a header, a line that is not `Name: value`, or an injected header."""
    p = []
    for line in lines:
        if b"\r" in line or b"\n" in line:
            p.append("CR/LF inside header %r" % short(line, 100))
        elif not HEADER_LINE_RE.match(line):
            p.append("not a header line: %r" % short(line, 100))
        elif line.lower().startswith(b"x-evil"):
            p.append("injected header %r" % short(line, 100))
    return p


def raw_get(s, target, headers=(), method="GET"):
    req = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, target)).encode("latin-1")
    for h in headers:
        req += h + b"\r\n"
    return raw_request(s, req + b"\r\n")


def expect_clean(s, target, headers=(), ok=(200, 303, 304), what=""):
    """A 4xx or a normal answer, never a 5xx, and clean response headers."""
    status, lines, body = raw_get(s, target, headers)
    check(status in ok or 400 <= status < 500, "%s%s: HTTP %d, expected a 4xx or %s"
          % (what, short(target, 80), status, ok))
    p = header_problems(lines)
    check(not p, "%s%s: %s" % (what, short(target, 80), "; ".join(p[:3])))
    if status == 200 and any(l.lower().startswith(b"content-type: text/html") for l in lines):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise Failure("%s%s: the page is not UTF-8 (%s)" % (what, short(target, 80), e))
    return status, lines, body


def log_problems(s):
    """Lines of the server's log that do not start with a timestamp."""
    path = os.path.join(s.run_dir, "logs", "batchstatus.log")
    with open(path, "rb") as f:
        data = f.read()
    bad = [l for l in data.split(b"\n") if l and not TS_RE.match(l)]
    if b"\r" in data:
        bad.append(b"(a CR in the log)")
    return bad


# --- the tests ---------------------------------------------------------------------------

def keep_seed(s):
    """The seed batch fetched (once) so that the app keeps it: later views of it need no
    upstream call, whichever tests ran before."""
    expect_status(s.get(batch_path(T["seed"])), 200, "the seed batch, kept first: ")


# 1. Partner Center breaks the answer (stack "faults": the fake, deadline 3 s, cache on)
FAULTS = [
    ("reset", 502, "a reset mid-body"),
    ("stall", 504, "a stall after the headers"),
    ("drip", 504, "one byte a second"),
    ("huge", 502, "100 MiB with a Content-Length"),
    ("hugechunked", 502, "100 MiB chunked"),
    ("badchunked", 502, "an invalid chunk size"),
    ("htmlerror", 502, "an HTML error page with a 200 (labelled JSON)"),
    ("html", 502, "an HTML page with a 200 (text/html)"),
    ("wrongshape", 502, "valid JSON, an array"),
    ("wrongobject", 502, "valid JSON, an object of another shape"),
    ("badgateway", 502, "Partner Center 502"),
    ("gatewaytimeout", 502, "Partner Center 504"),
    ("hangup", 502, "a hang-up without an answer"),
    ("bigheader", 502, "a header line over libcurl's 100 KiB"),
    ("bigheaders", 502, "a header section over libcurl's 300 KiB"),
]


def make_fault_test(name, status):
    def fn(s):
        path = batch_path(T[name])

        def view(suffix=""):
            # One view, one upstream call carrying its correlation ID; libcurl may retry a
            # request once on a fresh connection when a reused one closes unanswered (hangup).
            before = s.fake_count()
            if suffix:
                r = timed_get(s, path + suffix)
                expect_status(r, status, "as JSON: ")
                cid = r.header("X-Correlation-Id")
            else:
                r, cid = error_page(s, path, status)
            calls = calls_for(s, name, before)
            check(1 <= len(calls) <= 2, "one view of %s made %d upstream calls%s" % (
                name, len(calls), " (an error was kept)" if not calls else ""))
            ids = {hdr(e, "MS-CorrelationId") for e in calls}
            check(ids == {cid}, "correlation id %s, the fake got %s" % (cid, sorted(map(str, ids))))
            return r

        r = view()
        if status == 504:
            check("time" in page_text(r).lower(), "the 504 page does not say it timed out")
        # As JSON: the same status, an error as JSON with its own correlation ID.
        j = view(".json")
        check((j.header("Content-Type") or "").startswith("application/json"),
              "JSON error Content-Type %r" % j.header("Content-Type"))
        try:
            doc = json.loads(j.body.decode("utf-8"))
        except ValueError as e:
            raise Failure("the JSON error is not JSON: %s" % e)
        check(j.header("X-Correlation-Id") and j.header("X-Correlation-Id") in json.dumps(doc),
              "the JSON error lacks its correlation ID")
        # Nothing kept: the page again goes upstream again (neither the app nor nginx kept it).
        view()
        still_serving(s)
    fn.__name__ = "fault_%s_%d" % (name, status)
    return fn


for _name, _status, _what in FAULTS:
    test("faults")(make_fault_test(_name, _status))


@test("faults")
def huge_body_is_not_held(s):
    # The server caps at BATCHSTATUS_MAX_BODY_BYTES (32 MiB): its memory stays well below 100 MiB
    # after both 100 MiB answers (asked for here, whatever ran before).
    for name in ("huge", "hugechunked"):
        expect_status(timed_get(s, batch_path(T[name])), 502, "%s: " % name)
    with open(os.path.join(s.run_dir, "batchstatus.pid")) as f:
        pid = int(f.read().strip())
    with open("/proc/%d/status" % pid) as f:
        hwm = [int(l.split()[1]) for l in f if l.startswith("VmHWM:")]
    check(hwm, "no VmHWM for pid %d" % pid)
    # Under AddressSanitizer (make test-asan) freed buffers sit in its quarantine (up to
    # 256 MiB) and shadow memory adds an eighth: the plain build (make test) keeps the
    # tight bound; the ASan one only shows that 2 x 100 MiB were never held.
    asan = "/asan/" in os.path.abspath(os.environ.get("BATCHSTATUS_BIN", ""))
    bound = (90 if not asan else 480) * 1024
    check(hwm[0] < bound, "the server's peak RSS is %d KiB after the 100 MiB answers (bound %d KiB)"
          % (hwm[0], bound))


@test("faults")
def overlong_headers_are_bad_header_not_internal(s):
    # libcurl 7.88 fails a header line over its limit as "Out of memory": it is Partner
    # Center's answer that is at fault, a 502 with its own error word, and the log says why.
    for name in ("bigheader", "bigheaders"):
        r = timed_get(s, batch_path(T[name], ".json"))
        expect_status(r, 502, "%s as JSON: " % name)
        try:
            doc = json.loads(r.body.decode("utf-8"))
        except ValueError as e:
            raise Failure("%s: the JSON error is not JSON: %s" % (name, e))
        check(doc.get("error") == "bad_header", "%s: error %r, want \"bad_header\""
              % (name, doc.get("error")))
        cid = r.header("X-Correlation-Id")
        with open(os.path.join(s.run_dir, "logs", "batchstatus.log"), encoding="utf-8") as f:
            lines = [l for l in f if "upstream corr=%s " % cid in l]
        check(lines and all(l.rstrip().endswith("-> bad_header") and "header over" in l
                            for l in lines),
              "%s: the log says %r" % (name, [short(l, 200) for l in lines]))


# 2. the client side (stack "faults")
METHOD_PATHS = ["/", "/healthz", batch_path(T["seed"]), batch_path(T["seed"], ".json"),
                batch_path(T["seed"], ".csv"), "/?customer=%s&tracking=%s" % (C, T["seed"]),
                "/v1/customers/%s/batchJobStatus/%s" % (C, T["seed"]), "/nope"]


@test("faults")
def other_methods_405_with_allow(s):
    before = s.fake_count()
    bad = []
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "FOO", "TRACE", "CONNECT"):
        for path in METHOD_PATHS:
            if method == "CONNECT":
                path = "127.0.0.1:80"
            status, lines, body = raw_get(s, path, method=method)
            allow = [l for l in lines if l.lower().startswith(b"allow:")]
            p = header_problems(lines)
            if method == "CONNECT":  # a proxy's request form: nginx refuses it as malformed
                if not 400 <= status < 500 or p:
                    bad.append("CONNECT: HTTP %d %s" % (status, p[:1]))
                break
            if status != 405 or not allow or b"GET" not in allow[0] or b"HEAD" not in allow[0] or p:
                bad.append("%s %s: HTTP %d, %r%s" % (method, short(path, 40), status,
                                                     allow[0] if allow else "no Allow",
                                                     " " + p[0] if p else ""))
    check(not bad, "%d answers: %s" % (len(bad), " | ".join(bad[:10])))
    check(s.fake_count() == before, "another method caused an upstream call")


@test("faults")
def head_works_wherever_get_does(s):
    paths = METHOD_PATHS + [batch_path(T["processing"]), batch_path(T["large"], ".csv"),
                            batch_path(T["notfound"]), batch_path(T["servererror"]),
                            "/customers/not-a-guid/batches/%s" % T["seed"], "/metrics",
                            "/?lang=ja"]
    bad = []
    for path in paths:
        g_status, g_lines, g_body = raw_get(s, path)
        h_status, h_lines, h_body = raw_get(s, path, method="HEAD")
        ctype = lambda lines: [l.split(b":", 1)[1].strip() for l in lines
                               if l.lower().startswith(b"content-type:")]
        if h_status != g_status:
            bad.append("%s: GET %d, HEAD %d" % (path, g_status, h_status))
        elif h_body:
            bad.append("%s: HEAD with a body of %d bytes" % (path, len(h_body)))
        elif ctype(h_lines) != ctype(g_lines):
            bad.append("%s: Content-Type GET %r, HEAD %r" % (path, ctype(g_lines), ctype(h_lines)))
    check(not bad, " | ".join(bad[:5]))


@test("faults")
def request_bodies_are_refused(s):
    before = s.fake_count()
    cases = [("POST", "/", b"customer=%s&tracking=%s" % (C.encode(), T["seed"].encode()),
              [b"Content-Type: application/x-www-form-urlencoded"]),
             ("POST", batch_path(T["processing"]), b'{"a": 1}', [b"Content-Type: application/json"]),
             ("POST", batch_path(T["processing"]), b"x" * 100000, []),
             ("PUT", batch_path(T["processing"]), b"x" * 10, []),
             ("GET", batch_path(T["processing"]), b"x" * 10, []),
             ("GET", "/", b"customer=x", [b"Content-Type: application/x-www-form-urlencoded"])]
    bad = []
    for method, path, body, headers in cases:
        req = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, path)).encode()
        req += b"".join(h + b"\r\n" for h in headers)
        req += b"Content-Length: %d\r\n\r\n" % len(body) + body
        status, lines, _ = raw_request(s, req)
        if status not in (400, 405, 411, 413):
            bad.append("%s %s with a %d-byte body: HTTP %d" % (method, short(path, 40), len(body), status))
    # A chunked body as well.
    req = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
           "5\r\nhello\r\n0\r\n\r\n" % batch_path(T["processing"])).encode()
    status, _, _ = raw_request(s, req)
    if status not in (400, 405, 411, 413):
        bad.append("POST with a chunked body: HTTP %d" % status)
    check(not bad, " | ".join(bad))
    check(s.fake_count() == before, "a request with a body made %d upstream call(s)"
          % (s.fake_count() - before))


@test("faults")
def very_long_urls_and_headers(s):
    keep_seed(s)
    before = s.fake_count()
    targets = ["/customers/%s/batches/%s" % ("a" * 9000, T["seed"]),
               "/" + "x" * 9000,
               "/?customer=%s&tracking=%s" % (C, "b" * 9000),
               batch_path(T["seed"]) + "?q=" + "c" * 9000,
               batch_path(T["seed"]) + "?lang=" + "d" * 9000,
               "/" + "y" * 40000,
               "/?tracking=" + "%41" * 12000]
    for t in targets:
        expect_clean(s, t, ok=(200,), what="long URL ")
    heads = [b"Accept-Language: " + b"en;q=0.1," * 2000, b"If-None-Match: " + b'"x",' * 4000,
             b"X-Long: " + b"z" * 20000, b"X-Longer: " + b"z" * 40000,
             b"Cookie: " + b"a=b; " * 3000]
    for h in heads:
        expect_clean(s, batch_path(T["seed"]), headers=[h], ok=(200, 304), what="%s... " % h[:12].decode())
    many = [b"X-H%d: v" % i for i in range(1000)]
    expect_clean(s, "/", headers=many, ok=(200,), what="1000 headers ")
    check(s.fake_count() == before, "long input made %d upstream call(s)" % (s.fake_count() - before))
    still_serving(s)


@test("faults")
def thousands_of_query_parameters(s):
    before = s.fake_count()
    for t in ["/?" + "&".join("p%d=%d" % (i, i) for i in range(3000)),
              "/?" + "&".join(["customer=%s" % C] * 1000 + ["tracking=%s" % T["seed"]] * 1000),
              batch_path(T["seed"]) + "?" + "&".join(["status=failed", "lang=ja", "q=1", "page=2",
                                                      "embed=1"] * 600),
              batch_path(T["seed"]) + "?" + "&" * 5000,
              batch_path(T["seed"]) + "?" + "=" * 5000]:
        expect_clean(s, t, ok=(200, 303), what="many parameters ")
    calls = new_upstream(s, before)
    check(all(T["seed"] in e["path"].lower() for e in calls), "unexpected upstream calls %r"
          % [e["path"] for e in calls][:3])
    still_serving(s)


BAD_ENCODING = ["/?customer=%zz&tracking=" + T["seed"], "/?customer=" + C + "&tracking=%",
                "/?customer=" + C + "&tracking=%4", "/?customer=%ff%fe&tracking=" + T["seed"],
                "/?customer=" + C + "&tracking=%c0%af" + T["seed"],
                "/?customer=" + C + "&tracking=%ed%a0%80",
                "/customers/%zz/batches/" + T["seed"], "/customers/" + C + "/batches/%",
                "/customers/%ff%fe/batches/" + T["seed"], "/customers/" + C + "/batches/%c0%ae%c0%ae",
                "/customers/" + C + "/batches/" + T["seed"] + "%ff",
                "/%ff", "/%", "/customers/%E2%80%AE" + C + "/batches/" + T["seed"]]


@test("faults")
def invalid_percent_encoding_and_utf8_are_4xx(s):
    before = s.fake_count()
    bad = []
    for t in BAD_ENCODING:
        status, lines, body = expect_clean(s, t, ok=(), what="")
        if status not in (400, 404):
            bad.append("%s: HTTP %d" % (t, status))
        elif b"<center>nginx</center>" not in body and not re.search(rb'id="correlation-id"', body):
            bad.append("%s: HTTP %d without the error page" % (t, status))
    # Raw bytes that are not UTF-8 in the request line itself.
    for t in (b"/?customer=\xff\xfe&tracking=" + T["seed"].encode(),
              b"/customers/\xc0\xaf/batches/" + T["seed"].encode()):
        status, lines, _ = raw_request(s, b"GET " + t + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        p = header_problems(lines)
        if status not in (400, 404) or p:
            bad.append("%r: HTTP %d %s" % (t, status, p[:1]))
    check(not bad, " | ".join(bad[:5]))
    check(s.fake_count() == before, "bad encoding made %d upstream call(s)" % (s.fake_count() - before))


@test("faults")
def invalid_utf8_in_view_options_is_harmless(s):
    # lang, q, status, page: ignored or searched for, never an error, never broken UTF-8 out.
    for opt in ("lang=%ff%fe", "q=%ff%fe", "q=%c0%af", "status=%ff", "page=%ff", "q=%", "q=%zz",
                "embed=%ff", "lang=%"):
        expect_clean(s, batch_path(T["seed"]) + "?" + opt, ok=(200,), what="")
    still_serving(s, good=None)


CRLF_ID_TARGETS = [
    "/?customer=%s%s&tracking=%s" % (C, EVIL, T["seed"]),
    "/?customer=%s&tracking=%s%s" % (C, T["seed"], EVIL),
    "/?customer=%s&tracking=%%2Fcustomers%%2F%s%%2FbatchJobStatus%%2F%s%s" % (C, C, T["seed"], EVIL),
    "/customers/%s%s/batches/%s" % (C, EVIL, T["seed"]),
    "/customers/%s/batches/%s%s" % (C, T["seed"], EVIL),
    "/customers/%s/batches/%s%s.json" % (C, T["seed"], EVIL),
    "/v1/customers/%s/batchJobStatus/%s%s" % (C, T["seed"], EVIL),
    "/%s" % EVIL, "/healthz%s" % EVIL, "/%0d%0a", "/%0a", "/%0d",
]
CRLF_OPTIONS = ["lang=%s" % EVIL, "lang=ja%s" % EVIL, "q=%s" % EVIL, "status=failed%s" % EVIL,
                "page=2%s" % EVIL, "embed=1%s" % EVIL, "x=%s" % EVIL, "%s=1" % EVIL]


@test("faults")
def crlf_in_ids_and_paths(s):
    before = s.fake_count()
    for t in CRLF_ID_TARGETS:
        status, _, _ = expect_clean(s, t, ok=(), what="")
        check(400 <= status < 500, "%s: HTTP %d" % (t, status))
    for t in CRLF_ID_TARGETS[:3]:  # the form again, with the lang kept
        expect_clean(s, t + "&lang=hu%0d%0aX-Evil:%201", ok=(), what="")
    check(s.fake_count() == before, "bad input made %d upstream call(s)" % (s.fake_count() - before))


@test("faults")
def crlf_in_view_options(s):
    # On a kept batch (no upstream call needed) and on one that goes upstream every time:
    # whatever reaches Partner Center (X-Locale ...) carries no CR/LF either.
    keep_seed(s)
    before = s.fake_count()
    for tracking in (T["seed"], T["processing"]):
        for opt in CRLF_OPTIONS:
            for suffix in ("", ".json", ".csv"):
                expect_clean(s, batch_path(tracking, suffix) + "?" + opt, ok=(200,), what="")
        expect_clean(s, "/?" + CRLF_OPTIONS[0], ok=(200,), what="")
        expect_clean(s, "/?customer=%s&tracking=%s&%s" % (C, tracking, CRLF_OPTIONS[1]), ok=(303,), what="")
    for e in new_upstream(s, before):
        check(T["processing"] in e["path"].lower(), "unexpected upstream call %s" % e["path"])
        for k, v in e["headers"].items():
            check("\r" not in v and "\n" not in v and "evil" not in v.lower(),
                  "upstream header %s: %r" % (k, short(v)))
        check("\r" not in e["path"] and "\n" not in e["path"] and "evil" not in e["path"].lower(),
              "upstream path %r" % e["path"])


@test("faults")
def crlf_in_request_headers(s):
    keep_seed(s)
    tag = s.get(batch_path(T["seed"])).header("ETag") or '"x"'
    before = s.fake_count()
    heads = [b"Accept-Language: ja\r\nX-Evil: injected",                # two headers to nginx
             b"Accept-Language: ja%0d%0aX-Evil:%20injected",
             b"Accept-Language: ja\rX-Evil: injected",                  # a bare CR
             b"Accept-Language: ja,\r\n X-Evil: injected",              # obsolete line folding
             b"Accept-Language: ja\nX-Evil: injected",                  # a bare LF
             b"If-None-Match: " + tag.encode() + b"\r\nX-Evil: injected",
             b"If-None-Match: " + tag.encode()[:-1] + b"%0d%0aX-Evil:%20injected\"",
             b"If-None-Match: \"a\rX-Evil: injected\"",
             b"If-None-Match: \"a\x00b\"", b"Accept-Language: \x00ja",
             b"Accept-Language: \xff\xfe, ja"]
    for h in heads:
        for path in (batch_path(T["seed"]), "/", batch_path(T["seed"], ".json"), "/nope"):
            expect_clean(s, path, headers=[h], ok=(200, 304), what="%r " % short(h, 50))
    check(s.fake_count() == before, "these requests made %d upstream call(s)" % (s.fake_count() - before))


@test("faults")
def no_log_line_is_broken(s):
    # Every request so far (faults and hostile input alike, last in the stack), and at
    # least CR/LF in every kind of input asked for here.
    for t in CRLF_ID_TARGETS + [batch_path(T["seed"]) + "?" + o for o in CRLF_OPTIONS]:
        expect_clean(s, t, ok=(200,), what="")
    raw_get(s, "/", headers=[b"Accept-Language: ja%0d%0aX-Evil:%20injected"])
    bad = log_problems(s)
    check(not bad, "%d log lines do not start with a timestamp: %s"
          % (len(bad), " | ".join(repr(short(l, 120)) for l in bad[:3])))
    check(s.proc.poll() is None, "scripts/run.sh has exited (a crash?)")
    still_serving(s)


# 3. 429 (stack "throttle": a 429 pauses every call of the server)
def throttle_case(s, name, ra_range, last=False):
    expect_status(s.get(batch_path(T["seed"])), 200, "warming the cache: ")
    before = s.fake_count()
    r, cid = error_page(s, batch_path(T[name]), 503)
    ra = r.header("Retry-After")
    check(ra and ra.isdigit() and ra_range[0] <= int(ra) <= ra_range[1],
          "Retry-After %r, expected seconds in %s" % (ra, ra_range))
    ra = int(ra)
    check(len(calls_for(s, name, before)) == 1, "the 429 was not one upstream call")
    # Paused: no call for another batch; kept batches still serve; the server answers.
    paused = timed_get(s, batch_path(T["processing"]))
    expect_status(paused, 503, "while paused: ")
    check(paused.header("Retry-After"), "the paused answer has no Retry-After")
    expect_status(s.get(batch_path(T["seed"])), 200, "a kept batch while paused: ")
    expect_status(s.get("/healthz"), 200, "/healthz while paused: ")
    check(len(new_upstream(s, before)) == 1, "%d calls while paused" % (len(new_upstream(s, before)) - 1))
    time.sleep(ra + 1.2)
    still_serving(s)
    # Not kept: the same batch goes upstream again (and pauses again).
    before = s.fake_count()
    r = timed_get(s, batch_path(T[name]))
    expect_status(r, 503, "the throttled batch again: ")
    check(len(calls_for(s, name, before)) == 1, "the throttled batch again made no upstream call")
    if not last:  # the next test needs the pause over
        time.sleep(int(r.header("Retry-After") or "0") + 1.2)


@test("throttle")
def throttled_with_http_date_retry_after(s):
    throttle_case(s, "throttled_date", (1, fake_pc.THROTTLE_DATE_SECONDS + 1))


@test("throttle")
def throttled_without_retry_after(s):
    throttle_case(s, "throttled_noretry", (1, 120), last=True)


# 4. TLS faults (stack "tls": the fake's server class in this process, its certificate switched)
class InProcessFake:
    """fake_pc.FakeServer in this process: the same scenarios, request log and token check."""

    def __init__(self, port, ctx, token_file, log_path):
        opts = argparse.Namespace(token_file=token_file, latency_ms=0, slow_ms=1000, tenant=None,
                                  client_id=None, client_secret_file=None, refresh_token_init=None,
                                  token_lifetime=3599, signin_latency_ms=0)
        self.connections = 0
        outer = self

        class Server(fake_pc.FakeServer):
            def verify_request(self, request, client_address):
                outer.connections += 1
                return True

            def handle_error(self, request, client_address):
                pass  # failed handshakes are the point

            def note(self, line):
                pass  # this process's output is the tests' report

        self.server = Server(("127.0.0.1", port), opts, ctx, fake_pc.TokenAuthority(opts),
                             fake_pc.RequestLog(log_path))
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def use(self, ctx):
        self.server.ssl_ctx = ctx

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def openssl(*args, cwd):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args[:2]), p.stdout.decode(errors="replace")[-300:]))


EXT_SAN = """basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=%s
"""

CA_CNF = """[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
unique_subject = no
[ any ]
commonName = supplied
[ ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
"""


def make_certs(pki):
    """pki/tls: the test CA (tests/make_ca.sh) and a good server certificate; beside it
    wronghost.pem (our CA, another name), expired.pem (our CA, 2020), unknownca.pem
    (the right names, signed by a CA the server does not trust)."""
    subprocess.run([os.path.join(ROOT, "tests", "make_ca.sh"), os.path.join(pki, "tls")], check=True,
                   timeout=60)
    ca, cakey = os.path.join("tls", "ca.pem"), os.path.join("tls", "ca.key")
    with open(os.path.join(pki, "wronghost.ext"), "w") as f:
        f.write(EXT_SAN % "DNS:wrong.example,DNS:www.wrong.example")
    for name, subj in (("wronghost", "/CN=wrong.example"), ("expired", "/CN=localhost"),
                       ("unknownca", "/CN=localhost")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", subj,
                "-keyout", name + ".key", "-out", name + ".csr", cwd=pki)
    openssl("x509", "-req", "-sha256", "-days", "30", "-in", "wronghost.csr", "-CA", ca, "-CAkey", cakey,
            "-CAcreateserial", "-extfile", "wronghost.ext", "-out", "wronghost.pem", cwd=pki)
    with open(os.path.join(pki, "ca.cnf"), "w") as f:
        f.write(CA_CNF)
    open(os.path.join(pki, "index.txt"), "w").close()
    with open(os.path.join(pki, "serial"), "w") as f:
        f.write("1000\n")
    openssl("ca", "-batch", "-config", "ca.cnf", "-cert", ca, "-keyfile", cakey, "-notext",
            "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
            "-in", "expired.csr", "-out", "expired.pem", cwd=pki)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
            "-subj", "/CN=another test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", "other-ca.key", "-out", "other-ca.pem", cwd=pki)
    with open(os.path.join(pki, "good.ext"), "w") as f:
        f.write(EXT_SAN % "DNS:localhost,IP:127.0.0.1")
    openssl("x509", "-req", "-sha256", "-days", "30", "-in", "unknownca.csr", "-CA", "other-ca.pem",
            "-CAkey", "other-ca.key", "-CAcreateserial", "-extfile", "good.ext",
            "-out", "unknownca.pem", cwd=pki)
    ctxs = {}
    for name, cert, key in (("good", "tls/server.pem", "tls/server.key"),
                            ("wronghost", "wronghost.pem", "wronghost.key"),
                            ("expired", "expired.pem", "expired.key"),
                            ("unknownca", "unknownca.pem", "unknownca.key")):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(os.path.join(pki, cert), os.path.join(pki, key))
        ctxs[name] = ctx
    return ctxs


class ExtStack(Stack):
    """A stack whose Partner Center is not run.sh's fake: BATCHSTATUS_PC_BASE_URL is given,
    with a token file and a CA file made here (in RUN_DIR.pki, which run.sh does not wipe)."""

    def __init__(self, name, base_url=None, extra_env=None):
        super().__init__(name, extra_env)
        self.pki = self.run_dir + ".pki"
        shutil.rmtree(self.pki, ignore_errors=True)
        os.makedirs(self.pki)
        self.token_file = os.path.join(self.pki, "token")
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, ("fault-" + os.urandom(24).hex() + "\n").encode())
        os.close(fd)
        self.ctxs = make_certs(self.pki)
        self.upstream_port = free_port()
        self.fake = None
        self.extra_env.update({
            "BATCHSTATUS_PC_BASE_URL": base_url or "https://127.0.0.1:%d" % self.upstream_port,
            "BATCHSTATUS_TOKEN_FILE": self.token_file,
            "BATCHSTATUS_CA_FILE": os.path.join(self.pki, "tls", "ca.pem"),
        })

    def fake_log_path(self):
        return os.path.join(self.pki, "fake-requests.jsonl")

    def start_fake(self, mode):
        self.fake = InProcessFake(self.upstream_port, self.ctxs[mode], self.token_file, self.fake_log_path())

    def stop(self):
        took = super().stop()
        if self.fake:
            self.fake.close()
            self.fake = None
        return took

    def teardown(self):
        checks = super().teardown()
        shutil.rmtree(self.pki, ignore_errors=True)
        return checks


def tls_case(s, mode):
    if s.fake is None:
        s.start_fake("good")
    s.fake.use(s.ctxs[mode])
    for attempt in (1, 2):  # the second: nothing was kept, the server tries again
        conns, before = s.fake.connections, s.fake_count()
        r, _ = error_page(s, batch_path(T["processing"]), 502)
        check(s.fake.connections > conns, "try %d: the server did not connect (%d connections)"
              % (attempt, s.fake.connections - conns))
        check(s.fake_count() == before, "try %d: an HTTP request (and the token) went to a server "
              "with a bad certificate" % attempt)
    still_serving(s, good=None)


@test("tls")
def tls_wrong_host_name(s):
    tls_case(s, "wronghost")


@test("tls")
def tls_expired_certificate(s):
    tls_case(s, "expired")


@test("tls")
def tls_unknown_ca(s):
    tls_case(s, "unknownca")


@test("tls")
def tls_good_certificate_afterwards(s):
    if s.fake is None:
        s.start_fake("good")
    s.fake.use(s.ctxs["good"])
    before = s.fake_count()
    expect_status(timed_get(s, batch_path(T["seed"])), 200, "with the right certificate: ")
    check(len(calls_for(s, "seed", before)) == 1, "no upstream call for the seed")
    still_serving(s)


# 5. nothing listens / no such host (stacks "refused" and "unresolvable")
def unreachable_case(s):
    for attempt in (1, 2):
        before = upstream_calls_total(s)
        error_page(s, batch_path(T["processing"]), 502)
        # The batch's call and, beside it, its customer's name: one each, no retry.
        check(upstream_calls_total(s) == before + 2, "try %d: upstream calls counted %d, want 2"
              % (attempt, upstream_calls_total(s) - before))
    still_serving(s, good=None)
    expect_status(s.get("/"), 200, "the form: ")


@test("refused")
def connection_refused(s):
    unreachable_case(s)


@test("refused")
def refused_then_listening(s):
    # Partner Center comes back on that port: the very next view reaches it.
    s.start_fake("good")
    before = s.fake_count()
    expect_status(timed_get(s, batch_path(T["seed"])), 200, "once something listens: ")
    check(len(calls_for(s, "seed", before)) == 1, "no upstream call")
    still_serving(s)
    # Nothing listens again, as before this test.
    s.fake.close()
    s.fake = None


@test("unresolvable")
def unresolvable_host(s):
    unreachable_case(s)


# --- run -----------------------------------------------------------------------------------

def main():
    # Failures must show: no stale answers here (test_budget covers those).
    base = {"BATCHSTATUS_UPSTREAM_TIMEOUT_MS": str(UPSTREAM_TIMEOUT_MS),
            "BATCHSTATUS_CACHE_RUNNING_SECONDS": "0", "BATCHSTATUS_STALE_SECONDS": "0"}
    return harness.main("faults", [
        # The throttle stack mostly waits out Retry-After: it runs beside the others.
        Group("throttle", lambda: Stack("faults-throttle", dict(base)), background=True),
        Group("faults", lambda: Stack("faults", dict(base))),
        Group("tls", lambda: ExtStack("faults-tls", extra_env=dict(base))),
        Group("refused", lambda: ExtStack("faults-refused", extra_env=dict(base))),
        Group("unresolvable", lambda: ExtStack("faults-unresolvable", "https://batchstatus-fault-test.invalid",
                                               extra_env=dict(base)))])


if __name__ == "__main__":
    sys.exit(main())
