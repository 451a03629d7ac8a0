#!/usr/bin/env python3
"""A fake Partner Center: GET /v1/customers/{c}/batchJobStatus/{t} over HTTPS, and
optionally a fake Microsoft Entra ID sign-in (the OAuth2 token endpoint) beside it.

Partner Center answers from the scenario table in tests/fixtures/scenarios.json (by
tracking id). It accepts a bearer token that is either the content of --token-file
(re-read on every request) or an access token the fake sign-in issued and that has
neither expired nor been revoked. One JSON line per request goes to --request-log,
with every token and secret masked. Some scenarios break the transfer itself (for
tests/blackbox/test_faults.py): a reset mid-body, a stall after the headers, one byte a
second, 100 MiB generated while sent, invalid chunked encoding, headers past libcurl's
limits (one line of 200 KiB, eight of 50 KiB).

The sign-in (--signin-listen) answers POST /{tenant}/oauth2/token (v1, `resource=`)
and /{tenant}/oauth2/v2.0/token (v2, `scope=`) for grant_type=client_credentials and
refresh_token as Entra does, errors included (AADSTSnnnnnnn codes); the refresh token
rotates on every use. Tests steer it on the sign-in listener only:
POST /_fake/control {"fail": null|"invalid_client"|"invalid_grant"|"500"|"slow",
"slow_ms": N, "lifetime": N, "revoke_all": true} and GET /_fake/stats.

The "steer" family (tracking IDs starting 57ee0000-, see scenarios.json) is steered on
the Partner Center listener: POST /_fake/pc {"tracking": T, "status": "processing"|...,
"fail": null|429|500|502|503|504|"hang", "retry_after": "raw header value"|null}
sets what that batch answers from now on (under the scenarios' customer or any of
customers.json) (a seed-like batch of T in that status, or the
failure); keys left out keep their value. GET /_fake/pc lists the settings.

Customers, device batches and devices (issue 15) come from tests/fixtures/customers.json:
GET /v1/customers?size=N&filter=<URL-encoded {"Field":"CompanyName"|"Domain","Value":..,
"Operator":"starts_with"}> (case-insensitive; a bad filter or size is a 400), paged: a page
with more after it carries "continuationToken" and links.next (uri
/customers?size=N&seekOperation=Next, its headers MS-ContinuationToken); GET
/v1/customers/{c}; GET /v1/customers/{c}/deviceBatches (a Collection, devicesCount or
deviceCount); GET /v1/customers/{c}/deviceBatches/{batch-id}/devices, 100 a page, the next
asked for with the page's token in the MS-ContinuationToken header. Path segments are
percent-decoded once. The request log adds route, customer_id, batch_id, filter (decoded),
size, seek_operation, offset, continuation_token and token_kind for these. Steered with
POST /_fake/pc {"route": R, "fail": .., "retry_after": .., "app_only": "forbid"|"allow"|null}
(GET /_fake/pc/routes lists them); --app-user-only ROUTES makes those routes answer an
App-only token (from client credentials) 403 from the start.

    python3 tests/fake_pc.py --cert DIR/server.pem --key DIR/server.key \\
        --ready-file READY --request-log LOG.jsonl [--token-file TOKEN] \\
        [--listen 127.0.0.1:0] [--latency-ms N] [--slow-ms N] \\
        [--signin-listen 127.0.0.1:0 --signin-ready-file READY2 --tenant T \\
         --client-id ID --client-secret-file F [--refresh-token-init F] \\
         [--token-lifetime SECONDS] [--signin-latency-ms N]] \\
        [--app-user-only customers,customer,deviceBatches,devices|all] [--token-file-kind app|user]

stdlib only. Exits 0 on SIGTERM/SIGINT.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

KNOWN_CUSTOMER = "47021739-3426-40bf-9601-61b4b6d7c793"
SERVER_ID = "030020344"
PATH_RE = re.compile(r"^/v1/customers/([^/]+)/batchjobstatus/([^/]+)$", re.IGNORECASE)

# Every error description carries this marker so that tests can assert that no
# part of an upstream error body reaches a user.
DETAIL_MARKER = "fakepc-upstream-detail"


def load_scenarios():
    with open(os.path.join(FIXTURES, "scenarios.json"), encoding="utf-8") as f:
        table = json.load(f)
    return (table["customer"], {s["tracking"].lower(): s for s in table["scenarios"]},
            {f["prefix"]: f["name"] for f in table.get("families", [])})


def read_fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def error_body(code, description):
    return json.dumps({"code": code,
                       "description": "%s (%s)" % (description, DETAIL_MARKER),
                       "data": [], "source": "PartnerFD"}).encode("utf-8")


THROTTLE_BODY = json.dumps({"statusCode": 429,
                            "message": "Rate limit is exceeded. Try again in 57 seconds."}
                           ).encode("utf-8")

ERRORS = {
    401: (900, "Authentication failed: the bearer token is missing, invalid or expired"),
    403: (2001, "Forbidden: the partner is not authorized to access this customer"),
    404: (600039, "The batch job was not found"),
    500: (5000, "Internal server error. Something unexpected happened at PartnerFD"),
    502: (5002, "Bad gateway: PartnerFD could not reach a backend"),
    503: (5003, "Service unavailable: PartnerFD is temporarily overloaded"),
    504: (5004, "Gateway timeout: a backend of PartnerFD did not answer in time"),
}


class Answer:
    """What to send: status, extra headers, body as bytes or a (length, chunk iterator)."""

    def __init__(self, status, body=b"", headers=None, content_type="application/json; charset=utf-8",
                 stream=None, delay_ms=0, hangup=False, fault=None, no_latency=False):
        self.status = status
        self.no_latency = no_latency  # answers at once, whatever --latency-ms says
        self.fault = fault            # a callable(handler, answer) that sends a broken answer
        self.body = body
        self.headers = headers or []
        self.content_type = content_type
        self.stream = stream          # (content_length, callable returning an iterator)
        self.delay_ms = delay_ms
        self.hangup = hangup


def error_answer(status):
    code, desc = ERRORS[status]
    headers = [("WWW-Authenticate", "Bearer")] if status == 401 else []
    return Answer(status, error_body(code, desc), headers)


# --- generated bodies -------------------------------------------------------

def oversized_stream(tracking, target=40 * 1024 * 1024, dev_size=64 * 1024):
    """A valid ~40 MiB batch, produced device by device; returns (length, factory)."""
    head = ('{"batchTrackingId": "%s", "status": "finished", '
            '"startedTime": "2024-03-01T08:00:00", "completedTime": "2024-03-01T08:10:00", '
            '"devicesStatus": [' % tracking).encode()
    tail = b'], "attributes": {"objectType": "BatchUploadDetails"}}\n'
    template = ('{"serialNumber": "BIG-%06d-%s", "productKey": "", "status": "finished", '
                '"errorCode": "", "errorDescription": ""}')
    pad = dev_size - len((template % (0, "")).encode())
    count = max(1, (target - len(head) - len(tail)) // (dev_size + 1))

    def device(i):
        return (template % (i, "A" * pad)).encode()

    length = len(head) + len(tail) + count * dev_size + (count - 1)

    def chunks():
        yield head
        for i in range(count):
            yield (b"," if i else b"") + device(i + 1)
        yield tail

    return length, chunks


_deep_body = None


def deep_body():
    global _deep_body
    if _deep_body is None:
        _deep_body = b'{"x":' + b"[" * 100000 + b"]" * 100000 + b"}"
    return _deep_body


def processing_body(fixture):
    doc = json.loads(fixture.decode("utf-8"))
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=4)
    doc["startedTime"] = started.strftime("%Y-%m-%dT%H:%M:%S")
    return (json.dumps(doc, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


# "finishing": started at this process's first request for it, processing for
# FINISHING_SECONDS, finished afterwards (for the browser suite's auto-refresh test).
# A scenario's "finish_after" (seconds) makes it one of these with its own time
# ("demo-finishing": two minutes, to follow it in the demo and be notified).
FINISHING_SECONDS = 8.0
_finishing_first = {}
_finishing_lock = threading.Lock()


def finishing_body(fixture, tracking, finish_after=FINISHING_SECONDS):
    now = datetime.datetime.now(datetime.timezone.utc)
    with _finishing_lock:
        first, started = _finishing_first.setdefault(tracking, (time.monotonic(), now))
    doc = json.loads(fixture.decode("utf-8"))
    doc["batchTrackingId"] = tracking
    doc["startedTime"] = started.strftime("%Y-%m-%dT%H:%M:%S")
    if time.monotonic() - first >= finish_after:
        doc["status"] = "finished"
        doc["completedTime"] = now.strftime("%Y-%m-%dT%H:%M:%S")
        for d in doc["devicesStatus"]:
            if d["status"] == "in-progress":
                d["status"] = "finished"
    return (json.dumps(doc, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def slow_body(fixture, tracking):
    doc = json.loads(fixture.decode("utf-8"))
    doc["batchTrackingId"] = tracking
    return (json.dumps(doc, indent=4) + "\n").encode("utf-8")


EMPTY_OBJECTS_BYTES = 4 * 1024 * 1024
_generated = {}
_generated_lock = threading.Lock()


def empty_objects_body(tracking):
    """{"status": ..., "devicesStatus": [{},{},...]}: 4 MiB, about 1.4 million empty devices."""
    with _generated_lock:
        if "empty" not in _generated:
            head = ('{"batchTrackingId": "%s", "status": "finished", "devicesStatus": ['
                    % tracking).encode()
            tail = b"]}\n"
            n = (EMPTY_OBJECTS_BYTES - len(head) - len(tail) + 1) // 3
            _generated["empty"] = head + b",".join([b"{}"] * n) + tail
        return _generated["empty"]


def hundredk_body(tracking, n=100000):
    """A finished_with_errors batch of n realistic devices (about 13 MB), made once."""
    with _generated_lock:
        if "hundredk" not in _generated:
            codes = [("", "", "finished"), ("808", "ZtdDeviceAssignedToOtherTenant",
                                            "finished_with_errors"),
                     ("806", "ZtdDeviceAlreadyAssigned", "finished_with_errors")]
            devices = []
            for i in range(n):
                code, desc, st = codes[0] if i % 20 else codes[1 + (i // 20) % 2]
                devices.append('{"deviceId": "%08x-0000-4000-8000-%012d", "serialNumber": '
                               '"SN-%07d", "productKey": "%05d-%05d-%05d-%05d-%05d", '
                               '"status": "%s", "errorCode": "%s", "errorDescription": "%s", '
                               '"attributes": {"objectType": "DeviceUploadDetails"}}'
                               % (i, i, i, i % 99999, i % 7919, i % 104729, i % 31337, i % 65521,
                                  st, code, desc))
            _generated["hundredk"] = (
                ('{"batchTrackingId": "%s", "status": "finished_with_errors", '
                 '"startedTime": "2024-03-01T08:00:00", "completedTime": "2024-03-01T09:10:00", '
                 '"devicesStatus": [' % tracking) + ",".join(devices) +
                '], "attributes": {"objectType": "BatchUploadDetails"}}\n').encode()
        return _generated["hundredk"]


def family_of(families, tracking):
    t = tracking.lower()
    for prefix, name in families.items():
        if t.startswith(prefix):
            return name
    return None


# The steer family: what each tracking ID answers now, set by POST /_fake/pc.
STEER_FAILS = (None, 429, 500, 502, 503, 504, "hang")
_steer = {}
_steer_lock = threading.Lock()


def _control(doc, name, settings, lock, store, key, defaults):
    """One POST /_fake/pc: doc's settings checked (the common fail and retry_after, and
    the caller's own), then merged into store[key] (from defaults); what is in force now."""
    unknown = set(doc) - {name} - set(defaults)
    if unknown:
        raise ValueError("unknown keys %s" % sorted(unknown))
    if "fail" in doc and doc["fail"] not in STEER_FAILS:
        raise ValueError("fail must be one of %r" % (STEER_FAILS,))
    if "retry_after" in doc and doc["retry_after"] is not None and not isinstance(doc["retry_after"], str):
        raise ValueError("retry_after must be a string or null")
    for k, (ok, what) in settings.items():
        if k in doc and not ok(doc[k]):
            raise ValueError("%s must be %s" % (k, what))
    with lock:
        cur = store.setdefault(key, dict(defaults))
        for k in defaults:
            if k in doc:
                cur[k] = doc[k]
        return dict(cur)


STEER_DEFAULTS = {"status": "finished", "fail": None, "retry_after": None}


def steer_control(doc):
    if not isinstance(doc, dict) or not isinstance(doc.get("tracking"), str):
        raise ValueError("a JSON object with a tracking ID is wanted")
    return _control(doc, "tracking", {"status": (lambda v: isinstance(v, str), "a string")},
                    _steer_lock, _steer, doc["tracking"].lower(), STEER_DEFAULTS)


def steer_answer(tracking):
    with _steer_lock:
        cur = dict(_steer.get(tracking, STEER_DEFAULTS))
    fail = cur["fail"]
    if fail == "hang":
        return Answer(200, b"", fault=fault_hang)
    if fail == 429:
        return Answer(429, THROTTLE_BODY,
                      [("Retry-After", cur["retry_after"])] if cur["retry_after"] is not None else [])
    if fail in ERRORS:
        return error_answer(fail)
    doc = json.loads(read_fixture("seed.json").decode("utf-8"))
    doc["batchTrackingId"] = tracking
    doc["status"] = cur["status"]
    if cur["status"] not in ("finished", "finished_with_errors"):
        doc["completedTime"] = None
        started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2)
        doc["startedTime"] = started.strftime("%Y-%m-%dT%H:%M:%S")
    return Answer(200, (json.dumps(doc, indent=4) + "\n").encode("utf-8"))


def family_answer(name, tracking, slow_ms):
    if name == "hang":
        return Answer(200, b"", fault=fault_hang)
    if name == "steer":
        return steer_answer(tracking)
    body = slow_body(read_fixture("seed.json"), tracking)
    if name == "slowfamily":
        return Answer(200, body, delay_ms=slow_ms)
    return Answer(200, body, no_latency=True)


# --- faults: answers that break the transfer (tests/blackbox/test_faults.py) ----------

HUGE_BYTES = 100 * 1024 * 1024


def peer_gone(handler, wait):
    """Waits up to `wait` seconds; True once the client has closed its side."""
    sock = handler.connection
    try:
        if sock.pending():
            return False
        ready, _, _ = select.select([sock], [], [], wait)
        if not ready:
            return False
        return sock.recv(1) == b""
    except (OSError, ValueError, ssl.SSLError):
        return True


def fault_reset(handler, ans):
    """Headers with the whole body's length, half of the body, then a TCP reset."""
    handler.send_fault_headers(ans, [("Content-Length", str(len(ans.body)))])
    handler.wfile.write(ans.body[:len(ans.body) // 2])
    handler.wfile.flush()
    time.sleep(0.2)
    # SO_LINGER 0 on the TCP socket under TLS: its close (when the handler finishes, no
    # shutdown and no TLS close_notify first) is abortive, the kernel sends a RST.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def fault_stall(handler, ans):
    """Headers (with the whole body's length), then nothing until the client gives up."""
    handler.send_fault_headers(ans, [("Content-Length", str(len(ans.body)))])
    handler.wfile.flush()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not peer_gone(handler, 0.5):
        pass


def fault_hang(handler, ans):
    """Nothing at all, not even the status line, until the client gives up (at most 2 min)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not peer_gone(handler, 0.5):
        pass


def fault_drip(handler, ans):
    """Headers, then the body one byte a second while the client listens."""
    handler.send_fault_headers(ans, [("Content-Length", str(len(ans.body)))])
    handler.wfile.flush()
    for i in range(len(ans.body)):
        handler.wfile.write(ans.body[i:i + 1])
        handler.wfile.flush()
        if peer_gone(handler, 1.0):
            return


def fault_huge(chunked):
    """A valid batch of HUGE_BYTES, generated while sent (never held in memory)."""
    def send(handler, ans):
        length, chunks = oversized_stream(ans.body.decode(), target=HUGE_BYTES)
        if chunked:
            handler.send_fault_headers(ans, [("Transfer-Encoding", "chunked")])
            for chunk in chunks():
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.write(b"0\r\n\r\n")
        else:
            handler.send_fault_headers(ans, [("Content-Length", str(length))])
            for chunk in chunks():
                handler.wfile.write(chunk)
        handler.wfile.flush()
    return send


def fault_badchunked(handler, ans):
    """Transfer-Encoding: chunked, the first chunk's size not hexadecimal."""
    handler.send_fault_headers(ans, [("Transfer-Encoding", "chunked")])
    handler.wfile.write(b"zz\r\n" + ans.body + b"\r\n0\r\n\r\n")
    handler.wfile.flush()


def fault_bigheaders(lines, size):
    """`lines` header lines of `size` bytes each before the batch: past libcurl's limits."""
    def send(handler, ans):
        pad = [("X-Padding-%d" % i, "a" * size) for i in range(lines)]
        handler.send_fault_headers(ans, pad + [("Content-Length", str(len(ans.body)))])
        handler.wfile.write(ans.body)
        handler.wfile.flush()
    return send


def http_date(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%a, %d %b %Y %H:%M:%S GMT")


THROTTLE_DATE_SECONDS = 4


def scenario_answer(s, slow_ms):
    name = s["name"]
    if name == "hangup":
        return Answer(None, hangup=True)
    if name == "throttled":
        return Answer(429, THROTTLE_BODY, [("Retry-After", "57")])
    if name == "throttled_noretry":
        return Answer(429, THROTTLE_BODY)
    if name == "throttled_date":
        return Answer(429, THROTTLE_BODY,
                      [("Retry-After", http_date(time.time() + THROTTLE_DATE_SECONDS))])
    if name in ("reset", "stall", "drip", "badchunked"):
        faults = {"reset": fault_reset, "stall": fault_stall, "drip": fault_drip,
                  "badchunked": fault_badchunked}
        return Answer(200, slow_body(read_fixture(s["fixture"]), s["tracking"]),
                      fault=faults[name])
    if name == "bigheader":
        return Answer(200, read_fixture(s["fixture"]), fault=fault_bigheaders(1, 200 * 1024))
    if name == "bigheaders":
        return Answer(200, read_fixture(s["fixture"]), fault=fault_bigheaders(8, 50 * 1024))
    if name in ("huge", "hugechunked"):
        return Answer(200, s["tracking"].encode(), fault=fault_huge(name == "hugechunked"))
    if name == "htmlerror":
        return Answer(200, read_fixture(s["fixture"]))
    if s["upstream_status"] in ERRORS:
        return error_answer(s["upstream_status"])
    if name == "processing":
        return Answer(200, processing_body(read_fixture(s["fixture"])))
    if name == "finishing" or "finish_after" in s:
        return Answer(200, finishing_body(read_fixture(s["fixture"]), s["tracking"],
                                          float(s.get("finish_after", FINISHING_SECONDS))))
    if name == "slow":
        return Answer(200, slow_body(read_fixture(s["fixture"]), s["tracking"]), delay_ms=slow_ms)
    if name == "oversized":
        return Answer(200, stream=oversized_stream(s["tracking"]))
    if name == "emptyobjects":
        return Answer(200, empty_objects_body(s["tracking"]))
    if name == "hundredk":
        return Answer(200, hundredk_body(s["tracking"]))
    if name == "deep":
        return Answer(200, deep_body())
    if name == "html":
        return Answer(200, read_fixture(s["fixture"]), content_type="text/html; charset=utf-8")
    return Answer(200, read_fixture(s["fixture"]))


# --- customers, device batches, devices (issue 15) ----------------------------------
# GET /v1/customers?size=N&filter=<URL-encoded JSON>[&seekOperation=Next]  (search, paged)
# GET /v1/customers/{customer-id}
# GET /v1/customers/{customer-id}/deviceBatches
# GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices  (100 a page)
# from tests/fixtures/customers.json. Paging as shared/partner-center-api.md says: a page
# that is not the last carries "continuationToken" and links.next, whose headers hold
# MS-ContinuationToken; customers are followed with ?seekOperation=Next and that header,
# devices with the same URL and that header. Tokens are opaque, signed by this process.

CUSTOMERS_RE = re.compile(r"^/v1/customers$", re.IGNORECASE)
CUSTOMER_RE = re.compile(r"^/v1/customers/([^/]+)$", re.IGNORECASE)
BATCHES_RE = re.compile(r"^/v1/customers/([^/]+)/devicebatches$", re.IGNORECASE)
DEVICES_RE = re.compile(r"^/v1/customers/([^/]+)/devicebatches/([^/]+)/devices$", re.IGNORECASE)
ROUTES = ("customers", "customer", "deviceBatches", "devices")
BAD_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
DEVICES_PAGE = 100
SEARCH_SIZE_DEFAULT = 100
SEARCH_SIZE_MAX = 500
FILTER_FIELDS = {"companyname": "companyName", "domain": "domain"}
FILTER_WIRE = {"companyName": "CompanyName", "domain": "Domain"}
APP_USER_ONLY_BODY = (2001, "Forbidden: this operation supports App+User credentials only; "
                            "the request came with an App-only token")


def load_customers():
    with open(os.path.join(FIXTURES, "customers.json"), encoding="utf-8") as f:
        doc = json.load(f)
    customers = {c["id"].lower(): c for c in doc["customers"]}
    batches = {k.lower(): v for k, v in doc["deviceBatches"].items()}
    devices = {k.lower(): v for k, v in doc["devices"].items()}
    return doc["customers"], customers, batches, devices


def bad_request(description, code=2000):
    return Answer(400, error_body(code, description))


def collection(items, self_uri, token=None, next_uri=None):
    links = {"self": {"uri": self_uri, "method": "GET", "headers": []}}
    doc = {"totalCount": len(items), "items": items, "links": links}
    if token:
        links["next"] = {"uri": next_uri, "method": "GET",
                         "headers": [{"key": "MS-ContinuationToken", "value": token}]}
        doc["continuationToken"] = token
    doc["attributes"] = {"objectType": "Collection"}
    return Answer(200, (json.dumps(doc, indent=4, ensure_ascii=False) + "\n").encode("utf-8"))


class Continuations:
    """Opaque continuation tokens: the state of a listing, signed with this process's key."""

    def __init__(self):
        self.key = secrets.token_bytes(32)

    def make(self, state):
        raw = b64url(json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        sig = b64url(hmac.new(self.key, raw.encode(), hashlib.sha256).digest()[:18])
        return raw + "." + sig

    def read(self, token):
        """The state, or None for a token this process did not make."""
        raw, _, sig = (token or "").strip().partition(".")
        want = b64url(hmac.new(self.key, raw.encode("utf-8", "replace"), hashlib.sha256).digest()[:18])
        if not raw or not hmac.compare_digest(sig.encode("utf-8", "replace"), want.encode()):
            return None
        try:
            return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None


def parse_filter(text):
    """(field key in companyProfile, value) from the filter JSON, or raises ValueError."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise ValueError("The filter is not valid JSON")
    if not isinstance(doc, dict):
        raise ValueError("The filter must be a JSON object")
    low = {str(k).lower(): v for k, v in doc.items()}
    unknown = set(low) - {"field", "value", "operator"}
    if unknown:
        raise ValueError("The filter has unknown members: %s" % ", ".join(sorted(unknown)))
    field, value, op = low.get("field"), low.get("value"), low.get("operator")
    if not isinstance(field, str) or field.lower() not in FILTER_FIELDS:
        raise ValueError("The filter's Field must be CompanyName or Domain")
    if not isinstance(op, str) or op.lower() != "starts_with":
        raise ValueError("The filter's Operator must be starts_with")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("The filter's Value must be a non-empty string")
    return FILTER_FIELDS[field.lower()], value


# Tests' control of the new routes (POST /_fake/pc {"route": R, ...}, GET /_fake/pc/routes):
# "fail" as the steer family's (429 with "retry_after", 5xx, "hang"), and "app_only":
# "forbid" answers an App-only token 403, "allow" serves it, null falls back to
# --app-user-only.
_routes = {}
_routes_lock = threading.Lock()
ROUTE_APP_ONLY = (None, "forbid", "allow")


ROUTE_DEFAULTS = {"fail": None, "retry_after": None, "app_only": None}


def route_control(doc):
    if doc.get("route") not in ROUTES:
        raise ValueError("route must be one of %r" % (ROUTES,))
    return _control(doc, "route", {"app_only": (lambda v: v in ROUTE_APP_ONLY,
                                                "one of %r" % (ROUTE_APP_ONLY,))},
                    _routes_lock, _routes, doc["route"], ROUTE_DEFAULTS)


def route_setting(route):
    with _routes_lock:
        return dict(_routes.get(route, ROUTE_DEFAULTS))


def route_fail_answer(cur):
    fail = cur["fail"]
    if fail == "hang":
        return Answer(200, b"", fault=fault_hang)
    if fail == 429:
        return Answer(429, THROTTLE_BODY,
                      [("Retry-After", cur["retry_after"])] if cur["retry_after"] is not None else [])
    return error_answer(fail)


# --- the fake sign-in (Microsoft Entra ID's OAuth2 token endpoint) ------------

PC_RESOURCE = "https://api.partnercenter.microsoft.com"
TOKEN_PATH_RE = re.compile(r"^/([^/]+)/oauth2/(v2\.0/)?token$")
# Every access token issued starts like this (a JWT's header), so that tests can look
# for any of them in logs and pages without knowing them.
ACCESS_TOKEN_PREFIX = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIs"
SECRET_FIELDS = ("client_secret", "refresh_token", "client_assertion", "assertion",
                 "code", "password")
CONTROL_FAILS = (None, "invalid_client", "invalid_grant", "500", "slow")

ERROR_500_PAGE = (b"<!DOCTYPE html>\r\n<html><head><title>Sign in to your account</title></head>"
                  b"<body><h1>Sorry, but we're having trouble signing you in.</h1>"
                  b"<p>AADSTS90033: A transient error has occurred. Please try again.</p>"
                  b"</body></html>\r\n")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sha256_hex(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def read_secret(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().strip()


def entra_time(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


class TokenAuthority:
    """What the fake sign-in has issued, and what the fake Partner Center accepts."""

    def __init__(self, opts):
        self.lock = threading.Lock()
        self.tenant = (opts.tenant or "").lower()
        self.client_id = (opts.client_id or "").lower()
        self.secret = read_secret(opts.client_secret_file) if opts.client_secret_file else None
        self.refresh_token = (read_secret(opts.refresh_token_init)
                              if opts.refresh_token_init else None) or None
        self.redeemed = set()         # sha256 of refresh tokens that were rotated away
        self.lifetime = opts.token_lifetime
        self.latency_ms = opts.signin_latency_ms
        self.fail = None
        self.slow_ms = 3000
        self.access = {}              # access token -> [expires_at (unix), revoked]
        self.kind = {}                # access token -> "app" (client credentials) or "user"
        self.stats = {"token_calls": 0,
                      "by_grant": {"client_credentials": 0, "refresh_token": 0},
                      "failures": 0, "issued": 0, "pc_401": 0}

    # Partner Center's side
    def check_access(self, token):
        """'ok', 'expired', 'revoked', or None for a token never issued."""
        with self.lock:
            got = self.access.get(token)
        if got is None:
            return None
        if got[1]:
            return "revoked"
        return "ok" if time.time() < got[0] else "expired"

    def secrets_known(self):
        """Every secret value that must never travel outside its field."""
        with self.lock:
            out = list(self.access)
            if self.secret:
                out.append(self.secret)
            if self.refresh_token:
                out.append(self.refresh_token)
        return out

    def token_kind(self, token):
        """'app' for an access token from client credentials, 'user' from a refresh token."""
        with self.lock:
            return self.kind.get(token)

    def count(self, key):
        with self.lock:
            self.stats[key] += 1

    # sign-in side
    def snapshot(self):
        with self.lock:
            st = json.loads(json.dumps(self.stats))
            st["refresh_token_sha256"] = sha256_hex(self.refresh_token) if self.refresh_token else None
            st["lifetime"] = self.lifetime
            st["fail"] = self.fail
            st["valid_access_tokens"] = sum(1 for e, r in self.access.values()
                                            if not r and e > time.time())
        return st

    def control(self, doc):
        if not isinstance(doc, dict):
            raise ValueError("a JSON object is wanted")
        unknown = set(doc) - {"fail", "slow_ms", "lifetime", "revoke_all"}
        if unknown:
            raise ValueError("unknown keys %s" % sorted(unknown))
        if "fail" in doc and doc["fail"] not in CONTROL_FAILS:
            raise ValueError("fail must be one of %r" % (CONTROL_FAILS,))
        for k in ("slow_ms", "lifetime"):
            if k in doc and (not isinstance(doc[k], int) or isinstance(doc[k], bool) or doc[k] < 1):
                raise ValueError("%s must be a positive integer" % k)
        with self.lock:
            if "fail" in doc:
                self.fail = doc["fail"]
            if "slow_ms" in doc:
                self.slow_ms = doc["slow_ms"]
            if "lifetime" in doc:
                self.lifetime = doc["lifetime"]
            if doc.get("revoke_all"):
                for entry in self.access.values():
                    entry[1] = True

    def new_access_token(self, now, lifetime):
        header = {"typ": "JWT", "alg": "RS256", "x5t": b64url(secrets.token_bytes(20)),
                  "kid": b64url(secrets.token_bytes(20))}
        claims = {"aud": PC_RESOURCE, "iss": "https://sts.windows.net/%s/" % self.tenant,
                  "iat": now, "nbf": now, "exp": now + lifetime,
                  "aio": b64url(secrets.token_bytes(60)), "appid": self.client_id,
                  "appidacr": "1", "idp": "https://sts.windows.net/%s/" % self.tenant,
                  "oid": str(uuid.uuid4()), "rh": b64url(secrets.token_bytes(40)),
                  "sub": str(uuid.uuid4()), "tid": self.tenant,
                  "uti": b64url(secrets.token_bytes(16)), "ver": "1.0"}
        return "%s.%s.%s" % (b64url(json.dumps(header, separators=(",", ":")).encode()),
                             b64url(json.dumps(claims, separators=(",", ":")).encode()),
                             b64url(secrets.token_bytes(256)))


class SigninError(Exception):
    def __init__(self, status, error, code, text):
        super().__init__(text)
        self.status, self.error, self.code, self.text = status, error, code, text


def signin_error_body(err, trace_id, corr_id):
    now = time.time()
    desc = "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
        err.code, err.text, trace_id, corr_id, entra_time(now))
    return json.dumps({"error": err.error, "error_description": desc, "error_codes": [err.code],
                       "timestamp": entra_time(now), "trace_id": trace_id,
                       "correlation_id": corr_id,
                       "error_uri": "https://login.microsoftonline.com/error?code=%d" % err.code}
                      ).encode("utf-8")


# --- the servers ------------------------------------------------------------

def random_cv():
    raw = base64.b64encode(secrets.token_bytes(12)).decode().replace("+", "A").replace("/", "B")
    return raw[:16] + ".0"


class RequestLog:
    """One JSON line per request, from both listeners, to one file."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a", encoding="utf-8")

    def write(self, entry):
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock:
            self.f.write(line + "\n")
            self.f.flush()


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's backlog of 5 drops connections when a crowd of requests that waited
    # for one token reaches Partner Center at once; the SYN retry then costs a second.
    request_queue_size = 128

    def __init__(self, addr, opts, ssl_ctx, authority, request_log, handler=None):
        super().__init__(addr, handler or Handler)
        self.opts = opts
        self.ssl_ctx = ssl_ctx
        self.authority = authority
        self.request_log = request_log
        self.customer, self.scenarios, self.families = load_scenarios()
        (self.customer_list, self.customers, self.device_batches,
         self.devices) = load_customers()
        self.continuations = Continuations()
        self.app_user_only = set(getattr(opts, "app_user_only", None) or ())

    def token(self):
        if not self.opts.token_file:
            return ""
        try:
            with open(self.opts.token_file, encoding="utf-8", errors="replace") as f:
                return f.read().strip()
        except OSError:
            return ""

    def log_request_line(self, entry):
        self.request_log.write(entry)

    def note(self, line):
        sys.stderr.write(line)

    def handle_error(self, request, client_address):
        # TLS handshake failures, resets, timeouts: one short line, no traceback.
        exc = sys.exc_info()[1]
        sys.stderr.write("fake-pc: connection error: %s\n" % type(exc).__name__)


class TLSHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = 120  # idle keep-alive connections

    # --- connection plumbing: TLS handshake in the worker thread, quiet errors
    def setup(self):
        self.request.settimeout(30)
        self.request = self.server.ssl_ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (OSError, ValueError):
            self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        try:
            self.request.close()
        except OSError:
            pass

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's name
        pass

    def read_body(self, limit=1 << 20):
        """The request body (Content-Length only), or None when it cannot be read."""
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            n = -1
        if 0 <= n <= limit:
            return self.rfile.read(n)
        self.close_connection = True
        return None


class Handler(TLSHandler):
    server_version = "PartnerCenterFake/1.0"

    # --- requests
    def do_GET(self):
        self.answer_request(get=True)

    def do_other(self):
        self.answer_request(get=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_other

    def auth_state(self, token):
        """missing, ok (the static token or an issued one), expired, revoked, wrong."""
        got = self.headers.get("Authorization")
        if got is None:
            return "missing"
        if token and hmac.compare_digest(got.encode("utf-8", "replace"),
                                         ("Bearer " + token).encode("utf-8")):
            return "ok"
        if got.startswith("Bearer "):
            return self.server.authority.check_access(got[len("Bearer "):]) or "wrong"
        return "wrong"

    def answer_request(self, get):
        opts = self.server.opts
        token = self.server.token()
        auth = self.auth_state(token)

        # Drain a request body so the connection stays usable (the steer control reads it).
        self._steer_body = self.read_body() or b""

        path = self.path.split("?", 1)[0]
        if path == "/_fake/pc":
            return self.steer(get)
        if path == "/_fake/pc/routes" and get:
            with _routes_lock:
                return self.send_answer(Answer(200, json.dumps(_routes).encode()))
        self._log_extra = {}
        m = PATH_RE.match(path)
        if not get:
            ans = Answer(405, error_body(3000, "The requested method is not allowed"),
                         [("Allow", "GET")])
        elif auth != "ok":
            ans = error_answer(401)
        elif not m:
            ans = (self.listing_answer(path, token) or
                   Answer(404, error_body(404, "The requested resource was not found")))
        elif m.group(1).lower() != self.server.customer and not (
                family_of(self.server.families, m.group(2)) == "steer" and
                m.group(1).lower() in self.server.customers):
            # (A steer batch belongs to any customer of customers.json, for names.)
            ans = Answer(404, error_body(600016, "The customer was not found"))
        elif family_of(self.server.families, m.group(2)):
            ans = family_answer(family_of(self.server.families, m.group(2)), m.group(2).lower(),
                                opts.slow_ms)
        elif m.group(2).lower() not in self.server.scenarios:
            ans = error_answer(404)
        else:
            ans = scenario_answer(self.server.scenarios[m.group(2).lower()], opts.slow_ms)

        if ans.status == 401:
            self.server.authority.count("pc_401")
        self.record(auth, token, ans)
        delay = (0 if ans.no_latency else opts.latency_ms) + ans.delay_ms
        if delay > 0:
            time.sleep(delay / 1000.0)
        if ans.hangup:
            self.close_connection = True
            return
        if ans.fault:
            self.close_connection = True
            try:
                ans.fault(self, ans)
            except (OSError, ValueError, ssl.SSLError):
                pass  # the client gave up: that is the point
            return
        self.send_answer(ans)

    # --- customers, device batches, devices
    def listing_answer(self, path, token):
        """The answer of one of the issue-15 routes, or None when the path is none of them."""
        route, groups = None, ()
        for name, rx in (("customers", CUSTOMERS_RE), ("customer", CUSTOMER_RE),
                         ("deviceBatches", BATCHES_RE), ("devices", DEVICES_RE)):
            m = rx.match(path)
            if m:
                route, groups = name, m.groups()
                break
        if route is None:
            return None
        extra = self._log_extra
        extra["route"] = route
        extra["continuation_token"] = self.headers.get("MS-ContinuationToken")
        cur = route_setting(route)
        kind = self.token_kind(token)
        forbid = cur["app_only"] == "forbid" or (cur["app_only"] is None and
                                                  route in self.server.app_user_only)
        extra["token_kind"] = kind
        if kind == "app" and forbid:
            return Answer(403, error_body(*APP_USER_ONLY_BODY))
        if cur["fail"] is not None:
            return route_fail_answer(cur)
        if any(BAD_ESCAPE_RE.search(g) for g in groups):
            return bad_request("The path has a '%' that starts no percent-escape")
        try:
            segs = [urllib.parse.unquote(g, encoding="utf-8", errors="strict") for g in groups]
        except UnicodeDecodeError:
            return bad_request("The path is not valid percent-encoded UTF-8")
        if segs:
            extra["customer_id"] = segs[0]
        if route == "customers":
            return self.search_answer()
        customer = self.server.customers.get(segs[0].lower())
        if customer is None:
            return Answer(404, error_body(600016, "The customer was not found"))
        if route == "customer":
            return Answer(200, (json.dumps(customer, indent=4, ensure_ascii=False) + "\n").encode("utf-8"))
        batches = self.server.device_batches.get(customer["id"].lower(), [])
        if route == "deviceBatches":
            return collection(batches, "/customers/%s/deviceBatches" % customer["id"])
        extra["batch_id"] = segs[1]
        devices = self.server.devices.get(customer["id"].lower(), {}).get(segs[1])
        if devices is None:
            return Answer(404, error_body(600040, "The device batch was not found"))
        offset = 0
        given = self.headers.get("MS-ContinuationToken")
        if given is not None:
            state = self.server.continuations.read(given)
            if (not isinstance(state, dict) or state.get("r") != "devices" or
                    state.get("c") != customer["id"] or state.get("b") != segs[1]):
                return bad_request("The continuation token is invalid or belongs to another listing")
            offset = state["o"]
        uri = "/customers/%s/deviceBatches/%s/devices" % (customer["id"],
                                                         urllib.parse.quote(segs[1], safe=""))
        page = devices[offset:offset + DEVICES_PAGE]
        nxt = offset + DEVICES_PAGE
        tok = (self.server.continuations.make({"r": "devices", "c": customer["id"], "b": segs[1],
                                               "o": nxt}) if nxt < len(devices) else None)
        extra["offset"] = offset
        return collection(page, uri, tok, uri)

    def search_answer(self):
        """GET /v1/customers: every customer, or those a starts_with filter picks, paged."""
        extra = self._log_extra
        query = self.path.partition("?")[2]
        params = {}
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            params.setdefault(k.lower(), v)
        seek = params.get("seekoperation")
        extra["seek_operation"] = seek
        if seek is not None:
            if seek.lower() != "next":
                return bad_request("seekOperation must be Next")
            given = self.headers.get("MS-ContinuationToken")
            state = self.server.continuations.read(given) if given else None
            if not isinstance(state, dict) or state.get("r") != "customers":
                return bad_request("seekOperation=Next needs the MS-ContinuationToken header of "
                                   "the page before" if not given else
                                   "The continuation token is invalid or belongs to another listing")
            field, value, size, offset = state["f"], state["v"], state["s"], state["o"]
            extra["filter"] = ({"Field": FILTER_WIRE[field], "Value": value, "Operator": "starts_with"}
                               if field else None)
        else:
            size_text = params.get("size")
            if size_text is None:
                size = SEARCH_SIZE_DEFAULT
            elif not re.fullmatch(r"[0-9]{1,4}", size_text) or not 1 <= int(size_text) <= SEARCH_SIZE_MAX:
                return bad_request("size must be a whole number from 1 to %d" % SEARCH_SIZE_MAX)
            else:
                size = int(size_text)
            field = value = None
            if "filter" in params:
                try:
                    extra["filter"] = json.loads(params["filter"])
                except ValueError:
                    extra["filter"] = {"unparsed": params["filter"]}
                try:
                    field, value = parse_filter(params["filter"])
                except ValueError as e:
                    return bad_request(str(e))
            offset = 0
        extra["size"] = size
        if field:
            want = value.casefold()
            matched = [c for c in self.server.customer_list
                       if c["companyProfile"][field].casefold().startswith(want)]
        else:
            matched = self.server.customer_list
        page = matched[offset:offset + size]
        nxt = offset + size
        tok = (self.server.continuations.make({"r": "customers", "f": field, "v": value,
                                               "s": size, "o": nxt}) if nxt < len(matched) else None)
        extra["offset"] = offset
        self_uri = "/customers?" + query if query else "/customers"
        return collection(page, self_uri, tok, "/customers?size=%d&seekOperation=Next" % size)

    def token_kind(self, token):
        """'app' or 'user' for the request's bearer token; the static --token-file one
        counts as --token-file-kind says."""
        got = self.headers.get("Authorization") or ""
        if token and hmac.compare_digest(got.encode("utf-8", "replace"),
                                         ("Bearer " + token).encode("utf-8")):
            return getattr(self.server.opts, "token_file_kind", "user")
        return self.server.authority.token_kind(got[len("Bearer "):])

    def steer(self, get):
        """The tests' control of the steer family (no token needed: tests only)."""
        try:
            if get:
                with _steer_lock:
                    body = json.dumps(_steer).encode()
            else:
                doc = json.loads(self._steer_body.decode("utf-8"))
                if isinstance(doc, dict) and "route" in doc and "tracking" not in doc:
                    body = json.dumps(route_control(doc)).encode()
                else:
                    body = json.dumps(steer_control(doc)).encode()
                sys.stderr.write("fake-pc: steer %s\n" % body.decode()[:200])
            ans = Answer(200, body)
        except (ValueError, UnicodeDecodeError, AttributeError) as e:
            ans = Answer(400, json.dumps({"error": str(e)}).encode())
        self.send_answer(ans)

    def send_fault_headers(self, ans, framing):
        """The status line and headers of a broken answer; framing: Content-Length or TE."""
        self.send_response(ans.status)
        self.send_header("MS-CorrelationId", self.headers.get("MS-CorrelationId") or str(uuid.uuid4()))
        self.send_header("MS-RequestId", self.headers.get("MS-RequestId") or str(uuid.uuid4()))
        self.send_header("MS-CV", random_cv())
        self.send_header("MS-ServerId", SERVER_ID)
        self.send_header("Content-Type", ans.content_type)
        for name, value in framing:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def record(self, auth, token, ans):
        leak = False
        known = [t for t in [token] + self.server.authority.secrets_known() if t]

        def scrub(value):
            nonlocal leak
            for t in known:
                if t in value:
                    leak = True
                    value = value.replace(t, "<token>")
            return value

        headers = {}
        for name, value in self.headers.items():
            if name.lower() == "authorization":
                value = "Bearer <%s>" % auth
            else:
                value = scrub(value)
            headers[name] = headers[name] + ", " + value if name in headers else value
        if auth == "missing":
            headers["Authorization"] = "<missing>"
        entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "method": self.command,
            "path": scrub(self.path),
            "headers": headers,
            "auth": auth,
            "status": ans.status,
        }
        entry.update(getattr(self, "_log_extra", None) or {})
        if leak:
            entry["token_leak"] = True
        self.server.log_request_line(entry)
        self.server.note("fake-pc: %s %s -> %s%s\n" % (
            self.command, entry["path"][:200], ans.status if ans.status else "hangup",
            "" if auth == "ok" else " (token %s)" % auth))

    def send_answer(self, ans):
        corr = self.headers.get("MS-CorrelationId") or str(uuid.uuid4())
        reqid = self.headers.get("MS-RequestId") or str(uuid.uuid4())
        if ans.stream:
            length, chunks = ans.stream
        else:
            length, chunks = len(ans.body), None
        self.send_response(ans.status)
        for name, value in ans.headers:
            self.send_header(name, value)
        self.send_header("MS-CorrelationId", corr)
        self.send_header("MS-RequestId", reqid)
        self.send_header("MS-CV", random_cv())
        self.send_header("MS-ServerId", SERVER_ID)
        self.send_header("Content-Type", ans.content_type)
        self.send_header("Content-Length", str(length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunks:
            for chunk in chunks():
                self.wfile.write(chunk)
        else:
            self.wfile.write(ans.body)


class SigninHandler(TLSHandler):
    """login.microsoftonline.com's token endpoint, and the tests' control."""
    server_version = ""  # Entra sends no Server header worth imitating

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def send_header(self, keyword, value):
        if keyword.lower() == "server" and not value:
            return
        super().send_header(keyword, value)

    def dispatch(self):
        body = self.read_body(64 * 1024)
        path = self.path.split("?", 1)[0]
        auth = self.server.authority
        if path == "/_fake/stats" and self.command == "GET":
            return self.send_json(200, json.dumps(auth.snapshot()).encode())
        if path == "/_fake/control" and self.command == "POST":
            try:
                auth.control(json.loads((body or b"").decode("utf-8")))
            except (ValueError, UnicodeDecodeError) as e:
                return self.send_json(400, json.dumps({"error": str(e)}).encode())
            sys.stderr.write("fake-signin: control %s\n" % (body or b"").decode("utf-8", "replace")[:200])
            return self.send_json(200, json.dumps(auth.snapshot()).encode())
        m = TOKEN_PATH_RE.match(path)
        if not m:
            return self.send_json(404, b'{"error":"not_found"}')
        self.token_request(m.group(1), "v2" if m.group(2) else "v1", body)

    def token_request(self, tenant, endpoint, body):
        auth = self.server.authority
        trace_id, corr_id = str(uuid.uuid4()), self.headers.get("client-request-id") or str(uuid.uuid4())
        form, note = {}, {}
        html_500 = False
        answer = None
        try:
            if self.command != "POST":
                self.log_signin(endpoint, form, 405, "invalid_request", 900561, note)
                body405 = signin_error_body(SigninError(
                    405, "invalid_request", 900561,
                    "The endpoint only accepts POST, OPTIONS requests. Received a %s request."
                    % self.command), trace_id, corr_id)
                return self.send_json(405, body405, [("Allow", "POST, OPTIONS")], trace_id)
            auth.count("token_calls")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if body is not None and ctype == "application/x-www-form-urlencoded":
                try:
                    pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                                   strict_parsing=False)
                except UnicodeDecodeError:
                    pairs = []
                for k, v in pairs:
                    if k in form:
                        note["duplicate"] = k
                    form.setdefault(k, v)
            grant = form.get("grant_type")
            with auth.lock:
                if grant in auth.stats["by_grant"]:
                    auth.stats["by_grant"][grant] += 1
                elif grant:
                    auth.stats["by_grant"][grant] = 1
                fail, slow_ms, lifetime = auth.fail, auth.slow_ms, auth.lifetime
            if auth.latency_ms > 0:
                time.sleep(auth.latency_ms / 1000.0)
            if fail == "slow":
                time.sleep(slow_ms / 1000.0)
            answer = self.grant(tenant, endpoint, form, fail, lifetime, note)
            status = 200
        except SigninError as err:
            status = err.status
            if err.status == 500:
                html_500 = True
            else:
                answer = signin_error_body(err, trace_id, corr_id)
            note["error"] = err.error
            note["aadsts"] = err.code
        if status != 200:
            auth.count("failures")
        note["trace_id"] = trace_id
        self.log_signin(endpoint, form, status, note.pop("error", None), note.pop("aadsts", None), note)
        if html_500:
            return self.send_body(500, ERROR_500_PAGE, "text/html; charset=utf-8", [], trace_id)
        self.send_json(status, answer, [], trace_id)

    def client_secret_given(self, form):
        if "client_secret" in form:
            return form.get("client_id"), form["client_secret"]
        basic = self.headers.get("Authorization") or ""
        if basic.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(basic[6:]).decode("utf-8").partition(":")
                return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(pw)
            except (ValueError, UnicodeDecodeError):
                pass
        return form.get("client_id"), None

    def grant(self, tenant, endpoint, form, fail, lifetime, note):
        auth = self.server.authority
        if tenant.lower() != auth.tenant:
            raise SigninError(400, "invalid_request", 90002,
                              "Tenant '%s' not found. Check to make sure you have the correct "
                              "tenant ID and are signing into the correct cloud. Check with your "
                              "subscription administrator, this may happen if there are no active "
                              "subscriptions for the tenant." % tenant)
        if fail == "500":
            raise SigninError(500, "server_error", 90033, "A transient error has occurred.")
        if fail == "invalid_client":
            raise SigninError(401, "invalid_client", 7000215,
                              "Invalid client secret provided. Ensure the secret being sent in "
                              "the request is the client secret value, not the client secret ID, "
                              "for a secret added to app '%s'." % auth.client_id)
        grant = form.get("grant_type")
        if not grant:
            raise SigninError(400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'grant_type'.")
        if grant not in ("client_credentials", "refresh_token"):
            raise SigninError(400, "unsupported_grant_type", 70003,
                              "The app requested an unsupported grant type '%s'." % grant[:100])
        client_id, secret = self.client_secret_given(form)
        if not client_id:
            raise SigninError(400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'client_id'.")
        if client_id.lower() != auth.client_id:
            raise SigninError(400, "unauthorized_client", 700016,
                              "Application with identifier '%s' was not found in the directory "
                              "'%s'. This can happen if the application has not been installed by "
                              "the administrator of the tenant or consented to by any user in the "
                              "tenant. You may have sent your authentication request to the wrong "
                              "tenant." % (client_id[:100], tenant))
        if secret is None:
            note["secret"] = "missing"
            raise SigninError(401, "invalid_client", 7000218,
                              "The request body must contain the following parameter: "
                              "'client_assertion' or 'client_secret'.")
        if not (auth.secret and hmac.compare_digest(secret.encode("utf-8"), auth.secret.encode("utf-8"))):
            note["secret"] = "wrong"
            raise SigninError(401, "invalid_client", 7000215,
                              "Invalid client secret provided. Ensure the secret being sent in "
                              "the request is the client secret value, not the client secret ID, "
                              "for a secret added to app '%s'." % auth.client_id)
        note["secret"] = "ok"
        if endpoint == "v1":
            if form.get("resource") != PC_RESOURCE:
                raise SigninError(400, "invalid_resource", 500011,
                                  "The resource principal named %s was not found in the tenant "
                                  "named %s. This can happen if the application has not been "
                                  "installed by the administrator of the tenant or consented to "
                                  "by any user in the tenant. You might have sent your "
                                  "authentication request to the wrong tenant."
                                  % ((form.get("resource") or "")[:200], tenant))
        else:
            scopes = (form.get("scope") or "").split()
            allowed = {PC_RESOURCE + "/.default"}
            if grant == "refresh_token":
                allowed.add(PC_RESOURCE + "/user_impersonation")
            if not allowed & set(scopes):
                raise SigninError(400, "invalid_resource", 500011,
                                  "The resource principal named %s was not found in the tenant "
                                  "named %s. This can happen if the application has not been "
                                  "installed by the administrator of the tenant or consented to "
                                  "by any user in the tenant. You might have sent your "
                                  "authentication request to the wrong tenant."
                                  % ((form.get("scope") or "")[:200], tenant))
        if grant == "refresh_token":
            rt = form.get("refresh_token")
            if not rt:
                raise SigninError(400, "invalid_request", 900144,
                                  "The request body must contain the following parameter: "
                                  "'refresh_token'.")
            if fail == "invalid_grant":
                note["refresh_token"] = "expired"
                raise SigninError(400, "invalid_grant", 700082,
                                  "The refresh token has expired due to inactivity. The token was "
                                  "issued on %s and was inactive for 90.00:00:00."
                                  % entra_time(time.time() - 90 * 86400))
        elif fail == "invalid_grant":
            raise SigninError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")

        now = int(time.time())
        access = auth.new_access_token(now, lifetime)
        new_rt = None
        with auth.lock:
            if grant == "refresh_token":
                rt = form["refresh_token"]
                if not (auth.refresh_token and hmac.compare_digest(rt.encode("utf-8"),
                                                                   auth.refresh_token.encode("utf-8"))):
                    note["refresh_token"] = "old" if sha256_hex(rt) in auth.redeemed else "unknown"
                    raise SigninError(400, "invalid_grant", 70000,
                                      "Provided grant is invalid or malformed.")
                note["refresh_token"] = "current"
                new_rt = "0.A" + b64url(secrets.token_bytes(640))
                auth.redeemed.add(sha256_hex(auth.refresh_token))
                auth.refresh_token = new_rt
            auth.access[access] = [now + lifetime, False]
            auth.kind[access] = "user" if grant == "refresh_token" else "app"
            auth.stats["issued"] += 1
        if endpoint == "v1":
            doc = {"token_type": "Bearer", "expires_in": str(lifetime),
                   "ext_expires_in": str(lifetime), "expires_on": str(now + lifetime),
                   "not_before": str(now), "resource": PC_RESOURCE}
            if new_rt:
                doc["scope"] = "user_impersonation"
        else:
            doc = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                   "scope": (PC_RESOURCE + "/user_impersonation") if new_rt
                   else (PC_RESOURCE + "/.default")}
        doc["access_token"] = access
        if new_rt:
            doc["refresh_token"] = new_rt
        return json.dumps(doc).encode("utf-8")

    def log_signin(self, endpoint, form, status, error, code, note):
        known = self.server.authority.secrets_known()
        leak = False

        def scrub(value):
            nonlocal leak
            for t in known:
                if t and t in value:
                    leak = True
                    value = value.replace(t, "<secret>")
            return value

        masked = {}
        for k, v in form.items():
            if k == "client_secret":
                masked[k] = "<%s>" % note.get("secret", "not checked")
            elif k == "refresh_token":
                masked[k] = "<%s>" % note.get("refresh_token", "not checked")
            elif k in SECRET_FIELDS:
                masked[k] = "<masked>"
            else:
                masked[k] = scrub(v)
        headers = {}
        for name, value in self.headers.items():
            if name.lower() == "authorization":
                value = value.split(" ", 1)[0] + " <masked>"
            else:
                value = scrub(value)
            headers[name] = headers[name] + ", " + value if name in headers else value
        entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "listener": "signin",
            "endpoint": endpoint,
            "method": self.command,
            "path": scrub(self.path),
            "headers": headers,
            "form": masked,
            "status": status,
        }
        if error:
            entry["error"] = error
            entry["aadsts"] = code
            if note.get("trace_id"):
                entry["trace_id"] = note["trace_id"]
        if note.get("duplicate"):
            entry["duplicate_parameter"] = note["duplicate"]
        if leak:
            entry["secret_leak"] = True
        self.server.log_request_line(entry)
        sys.stderr.write("fake-signin: %s %s %s -> %s%s\n" % (
            self.command, entry["path"][:120], form.get("grant_type", "-")[:40], status,
            " AADSTS%s %s" % (code, error) if error else ""))

    def send_json(self, status, body, headers=(), trace_id=None):
        self.send_body(status, body, "application/json; charset=utf-8", headers, trace_id)

    def send_body(self, status, body, ctype, headers, trace_id):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store, no-cache")
        self.send_header("Pragma", "no-cache")
        self.send_header("Expires", "-1")
        self.send_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("x-ms-request-id", trace_id or str(uuid.uuid4()))
        self.send_header("x-ms-ests-server", "2.1.fake - SCUS ProdSlices")
        if self.headers.get("client-request-id"):
            self.send_header("client-request-id", self.headers["client-request-id"][:100])
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def parse_listen(value):
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("--listen wants HOST:PORT, got %r" % value)
    return host.strip("[]"), int(port)


def parse_routes(value):
    names = [v.strip() for v in value.split(",") if v.strip()]
    if names == ["all"]:
        return set(ROUTES)
    bad = [n for n in names if n not in ROUTES]
    if bad:
        raise argparse.ArgumentTypeError("unknown routes %s (known: %s)" % (bad, ", ".join(ROUTES)))
    return set(names)


def write_ready(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="fake Partner Center batch status API and sign-in")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--token-file", help="a static bearer token Partner Center accepts")
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--request-log", required=True)
    ap.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 0))
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--slow-ms", type=int, default=30000)
    ap.add_argument("--signin-listen", type=parse_listen, default=None)
    ap.add_argument("--signin-ready-file")
    ap.add_argument("--tenant")
    ap.add_argument("--client-id")
    ap.add_argument("--client-secret-file")
    ap.add_argument("--refresh-token-init")
    ap.add_argument("--token-lifetime", type=int, default=3599)
    ap.add_argument("--signin-latency-ms", type=int, default=0)
    ap.add_argument("--app-user-only", type=parse_routes, default=set(),
                    help="comma-separated routes (%s, or all) that answer an App-only token "
                         "403; the API doc marks none of them so" % ",".join(ROUTES))
    ap.add_argument("--token-file-kind", choices=("app", "user"), default="user",
                    help="what the static --token-file token counts as (default user)")
    opts = ap.parse_args(argv)
    if opts.signin_listen:
        for need in ("signin_ready_file", "tenant", "client_id", "client_secret_file"):
            if not getattr(opts, need):
                ap.error("--signin-listen needs --%s" % need.replace("_", "-"))
    if opts.token_lifetime < 1:
        ap.error("--token-lifetime must be at least 1")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(opts.cert, opts.key)

    authority = TokenAuthority(opts)
    log = RequestLog(opts.request_log)
    servers = [FakeServer(opts.listen, opts, ctx, authority, log)]
    if opts.signin_listen:
        servers.append(FakeServer(opts.signin_listen, opts, ctx, authority, log, SigninHandler))
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
    if opts.signin_listen:
        port = servers[1].server_address[1]
        write_ready(opts.signin_ready_file, port)
        sys.stderr.write("fake-signin: listening on https://%s:%d/%s/oauth2/token\n"
                         % (opts.signin_listen[0], port, opts.tenant))
    port = servers[0].server_address[1]
    write_ready(opts.ready_file, port)
    sys.stderr.write("fake-pc: listening on https://%s:%d/\n" % (opts.listen[0], port))
    sys.stderr.flush()

    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    for path in (opts.ready_file, opts.signin_ready_file):
        try:
            if path:
                os.unlink(path)
        except OSError:
            pass
    sys.stderr.write("fake-pc: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
