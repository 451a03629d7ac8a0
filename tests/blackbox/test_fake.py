#!/usr/bin/env python3
"""Black-box tests of the fake Partner Center's issue-15 calls, against the API doc
(/work/shared/partner-center-api.md): customer search, one customer, a customer's device
batches and a batch's devices, as scripts/run.sh starts the fake.

Talks to the fake directly over TLS (its port in RUN_DIR/fake-pc.port, the CA in
RUN_DIR/tls/ca.pem) and reads its request log (RUN_DIR/fake-requests.jsonl). Two stacks:
"fake-file" (a static token, which counts as App+User) and "fake-app" (App-only tokens
from the fake sign-in, FAKE_PC_APP_USER_ONLY=devices, 400 ms of latency).

    python3 tests/blackbox/test_fake.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `fake: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import json
import os
import sys
import time
import urllib.parse

import harness
from harness import C, OTHER_CUSTOMER, T, Failure, Group, Stack, check, fake_pc, fixture_json, short, test

TENANT = "8f1c2d3e-0000-4000-8000-00000000d3e0"     # what scripts/run.sh gives both sides
CLIENT = "1950a258-227b-4e31-a9cf-717495945fc2"
LATENCY_MS = 400

DOC = fixture_json("customers.json")
FABRIKAM = next(c["id"] for c in DOC["customers"] if c["companyProfile"]["companyName"] == "Fabrikam")
HOSTILE = next(c for c in DOC["customers"] if "<script>" in c["companyProfile"]["companyName"])
BIG_BATCH = "2024-Q3 laptops"
ODD_BATCH = "Árvíz 東京 100% kész"
UNKNOWN_CUSTOMER = "c0570000-0000-4000-8000-999999999999"

for _k in list(os.environ):
    if _k in ("DEMO_SIGNIN",):
        del os.environ[_k]


# --- talking to the fake ------------------------------------------------------

class Reply:
    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as e:
            raise Failure("not JSON (%s): %s" % (e, short(self.body)))


def https(stack, method, path, headers=None, body=None, port_file="fake-pc.port"):
    t0 = time.monotonic()
    status, hdrs, data = harness.fake_request(stack, port_file, method, path, headers, body, timeout=15)
    return Reply(status, hdrs, data, time.monotonic() - t0)


def token_of(stack):
    """A bearer token the stack's fake accepts: the static one, or an App-only one."""
    if stack.extra_env.get("DEMO_SIGNIN") == "file":
        return harness.read_token(stack.token_path())
    if not hasattr(stack, "app_token"):
        secret = harness.read_token(os.path.join(stack.run_dir, "client-secret"))
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": CLIENT,
                                       "client_secret": secret, "resource": fake_pc.PC_RESOURCE})
        r = https(stack, "POST", "/%s/oauth2/token" % TENANT,
                  {"Content-Type": "application/x-www-form-urlencoded"}, form.encode(),
                  port_file="fake-signin.port")
        check(r.status == 200, "the fake sign-in: HTTP %d %s" % (r.status, short(r.body)))
        stack.app_token = r.json()["access_token"]
    return stack.app_token


def pc(stack, path, token=True, headers=None, method="GET"):
    h = {"Accept": "application/json", "MS-CorrelationId": "11111111-2222-4333-8444-555555555555"}
    if token:
        h["Authorization"] = "Bearer " + (token if isinstance(token, str) else token_of(stack))
    h.update(headers or {})
    return https(stack, method, path, h)


def ok_json(r, what=""):
    check(r.status == 200, "%sHTTP %d %s" % (what, r.status, short(r.body)))
    check((r.header("Content-Type") or "").startswith("application/json"),
          "%sContent-Type %r" % (what, r.header("Content-Type")))
    return r.json()


def expect_error(r, status, what=""):
    """An error answer as the doc has it: the status and {code, description, data, source}."""
    check(r.status == status, "%swanted HTTP %d, got %d %s" % (what, status, r.status, short(r.body)))
    doc = r.json()
    check(isinstance(doc, dict) and {"code", "description", "data", "source"} <= set(doc),
          "%serror body lacks code/description/data/source: %s" % (what, short(r.body)))
    check(isinstance(doc["description"], str) and doc["description"], "%sempty description" % what)
    return doc


def filter_param(field, value, op="starts_with"):
    return urllib.parse.quote(json.dumps({"Field": field, "Value": value, "Operator": op}), safe="")


def search(stack, field, value, size=None):
    q = "filter=" + filter_param(field, value)
    if size is not None:
        q = "size=%d&%s" % (size, q)
    return pc(stack, "/v1/customers?" + q)


def seg(batch):
    return urllib.parse.quote(batch, safe="")


def devices_path(customer, batch):
    return "/v1/customers/%s/deviceBatches/%s/devices" % (customer, seg(batch))


def names(doc):
    return [c["companyProfile"]["companyName"] for c in doc["items"]]


def follow_customers(stack, first, limit=20):
    """Every page of a search, following links.next as the doc says; the pages' bodies."""
    pages = [ok_json(first, "page 1: ")]
    while "next" in pages[-1].get("links", {}):
        check(len(pages) < limit, "more than %d pages" % limit)
        nxt = pages[-1]["links"]["next"]
        check(nxt.get("method") == "GET", "links.next method %r" % nxt.get("method"))
        hdrs = {h["key"]: h["value"] for h in nxt.get("headers", [])}
        check(set(hdrs) == {"MS-ContinuationToken"}, "links.next headers %r" % nxt.get("headers"))
        check(hdrs["MS-ContinuationToken"] == pages[-1].get("continuationToken"),
              "links.next's MS-ContinuationToken is not the page's continuationToken")
        uri = nxt["uri"]
        check(uri.startswith("/customers?") and "seekOperation=Next" in uri,
              "links.next uri %r: wanted /customers?...seekOperation=Next" % uri)
        r = pc(stack, "/v1" + uri, headers=hdrs)
        pages.append(ok_json(r, "page %d: " % (len(pages) + 1)))
    check("continuationToken" not in pages[-1], "the last page has a continuationToken")
    return pages


def follow_devices(stack, customer, batch, limit=10):
    path = devices_path(customer, batch)
    pages = [ok_json(pc(stack, path), "devices page 1: ")]
    while pages[-1].get("continuationToken"):
        check(len(pages) < limit, "more than %d pages" % limit)
        tok = pages[-1]["continuationToken"]
        nxt = pages[-1].get("links", {}).get("next")
        check(nxt and {"key": "MS-ContinuationToken", "value": tok} in nxt.get("headers", []),
              "a page with a continuationToken has no links.next carrying it: %s" % short(nxt))
        pages.append(ok_json(pc(stack, path, headers={"MS-ContinuationToken": tok}),
                             "devices page %d: " % (len(pages) + 1)))
    check("next" not in pages[-1].get("links", {}), "the last page has links.next")
    return pages


def log_since(stack, before):
    return stack.fake_entries()[before:]


def hdr(entry, name):
    for k, v in entry.get("headers", {}).items():
        if k.lower() == name.lower():
            return v
    return None


FILE_ENV = {"DEMO_SIGNIN": "file"}
APP_ENV = {"DEMO_SIGNIN": "app", "FAKE_PC_APP_USER_ONLY": "devices",
           "FAKE_PC_LATENCY_MS": str(LATENCY_MS)}


# --- customer search --------------------------------------------------------------------

@test("file")
def search_by_name_is_case_insensitive_starts_with(s):
    doc = ok_json(search(s, "CompanyName", "cONtOSO"))
    check(sorted(names(doc)) == ["CONTOSO BANK", "Contoso", "Contoso Pharmaceuticals"],
          "names %r" % names(doc))
    check(doc["totalCount"] == 3 and doc["attributes"] == {"objectType": "Collection"},
          "collection shape: %s" % short(doc))
    check("next" not in doc["links"] and "continuationToken" not in doc, "one page has a next")
    for c in doc["items"]:
        p = c["companyProfile"]
        check(p["tenantId"] == c["id"] and p["domain"].endswith(".onmicrosoft.com"),
              "profile %s" % short(p))
        check(c["relationshipToPartner"] and c["links"]["self"]["uri"] == "/customers/" + c["id"],
              "customer %s" % short(c))
        check(c["attributes"]["objectType"] == "Customer", "objectType %r" % c["attributes"])
    check(C in [c["id"] for c in doc["items"]], "the demo customer %s is not Contoso" % C)
    none = ok_json(search(s, "CompanyName", "soft"))
    check(none["items"] == [] and none["totalCount"] == 0, "'soft' is in no name's start: %r" % names(none))


@test("file")
def search_by_domain(s):
    doc = ok_json(search(s, "Domain", "CONTOSO"))
    check(sorted(names(doc)) == ["CONTOSO BANK", "Contoso", "Contoso Pharmaceuticals", "Tailspin Toys"],
          "by domain: %r" % names(doc))
    doc = ok_json(search(s, "Domain", "fabrikam.onmicrosoft.com"))
    check(names(doc) == ["Fabrikam"], "the whole domain: %r" % names(doc))


@test("file")
def search_non_ascii_names(s):
    check(names(ok_json(search(s, "CompanyName", "ÁRVÍZ"))) == ["Árvíztűrő Tükörfúrógép Kft."],
          "Árvíz... not found case-insensitively")
    check(names(ok_json(search(s, "CompanyName", "株式"))) == ["株式会社テスト"], "株式会社テスト not found")
    doc = ok_json(search(s, "CompanyName", "<script>"))
    check(names(doc) == [HOSTILE["companyProfile"]["companyName"]], "hostile name: %r" % names(doc))


@test("file")
def search_pages_to_the_end(s):
    before = s.fake_count()
    pages = follow_customers(s, search(s, "CompanyName", "northwind", size=50))
    check([len(p["items"]) for p in pages] == [50, 50, 20],
          "page sizes %r" % [len(p["items"]) for p in pages])
    ids = [c["id"] for p in pages for c in p["items"]]
    check(len(set(ids)) == 120, "%d distinct customers over the pages" % len(set(ids)))
    got = sorted(n for p in pages for n in names(p))
    check(got == ["Northwind Branch %03d" % i for i in range(1, 121)], "not every branch once")
    log = log_since(s, before)
    check([e.get("route") for e in log] == ["customers"] * 3, "log routes %r" % [e.get("route") for e in log])
    want_filter = {"Field": "CompanyName", "Value": "northwind", "Operator": "starts_with"}
    check(log[0]["filter"] == want_filter and log[0]["seek_operation"] is None
          and log[0]["continuation_token"] is None, "first entry %s" % short(log[0], 400))
    for i, e in enumerate(log[1:]):
        check(e["seek_operation"] == "Next", "entry %d seek %r" % (i + 2, e.get("seek_operation")))
        check(e["continuation_token"] == pages[i]["continuationToken"]
              == hdr(e, "MS-ContinuationToken"), "entry %d: the token received is not page %d's"
              % (i + 2, i + 1))
        check(e["filter"] == want_filter and e["size"] == 50, "entry %d: filter %r size %r"
              % (i + 2, e.get("filter"), e.get("size")))


@test("file")
def search_page_boundaries(s):
    one = follow_customers(s, search(s, "CompanyName", "NORTH", size=120))
    check([len(p["items"]) for p in one] == [120], "size=120 for 120: %r" % [len(p["items"]) for p in one])
    two = follow_customers(s, search(s, "Domain", "north", size=119))
    check([len(p["items"]) for p in two] == [119, 1], "size=119: %r" % [len(p["items"]) for p in two])
    all_ = follow_customers(s, pc(s, "/v1/customers?size=100"))
    check(sum(len(p["items"]) for p in all_) == len(DOC["customers"]),
          "no filter: %d customers" % sum(len(p["items"]) for p in all_))


@test("file")
def search_bad_filter_is_400(s):
    before = s.fake_count()
    bad = ["not json", json.dumps(["CompanyName"]),
           json.dumps({"Field": "Country", "Value": "x", "Operator": "starts_with"}),
           json.dumps({"Field": "CompanyName", "Value": "x", "Operator": "contains"}),
           json.dumps({"Field": "CompanyName", "Value": "", "Operator": "starts_with"}),
           json.dumps({"Field": "CompanyName", "Value": 7, "Operator": "starts_with"}),
           json.dumps({"Field": "CompanyName", "Value": "x", "Operator": "starts_with", "Extra": 1})]
    for f in bad:
        expect_error(pc(s, "/v1/customers?size=10&filter=" + urllib.parse.quote(f, safe="")), 400,
                     "filter %r: " % f)
    log = log_since(s, before)
    check(log[0]["filter"] == {"unparsed": "not json"}, "unparsable filter logged as %r" % log[0].get("filter"))
    check(log[2]["filter"]["Field"] == "Country", "decoded filter logged as %r" % log[2].get("filter"))
    for q in ("size=0", "size=501", "size=ten"):
        expect_error(pc(s, "/v1/customers?" + q), 400, q + ": ")


@test("file")
def search_continuation_is_checked(s):
    expect_error(pc(s, "/v1/customers?size=50&seekOperation=Next"), 400, "Next without a token: ")
    expect_error(pc(s, "/v1/customers?size=50&seekOperation=Next",
                    headers={"MS-ContinuationToken": "made-up"}), 400, "a made-up token: ")
    first = ok_json(search(s, "CompanyName", "north", size=50))
    tok = first["continuationToken"]
    expect_error(pc(s, "/v1/customers?size=50&seekOperation=Next",
                    headers={"MS-ContinuationToken": tok[:-2] + ("AA" if tok[-2:] != "AA" else "BB")}),
                 400, "a tampered token: ")
    dev = ok_json(pc(s, devices_path(C, BIG_BATCH)))
    expect_error(pc(s, "/v1/customers?size=50&seekOperation=Next",
                    headers={"MS-ContinuationToken": dev["continuationToken"]}), 400,
                 "a devices token for customers: ")
    expect_error(pc(s, "/v1/customers?seekOperation=Previous", headers={"MS-ContinuationToken": tok}),
                 400, "seekOperation=Previous: ")


# --- one customer ----------------------------------------------------------------------

@test("file")
def customer_by_id(s):
    doc = ok_json(pc(s, "/v1/customers/" + C))
    p = doc["companyProfile"]
    check(doc["id"] == C and p["companyName"] == "Contoso" and p["domain"] == "contoso.onmicrosoft.com"
          and p["tenantId"] == C, "Contoso: %s" % short(doc, 400))
    check(doc["links"]["self"]["uri"] == "/customers/" + C and doc["attributes"]["objectType"] == "Customer",
          "links/attributes: %s" % short(doc, 400))
    up = ok_json(pc(s, "/v1/customers/" + C.upper()))
    check(up["id"] == C, "an upper-case GUID finds the customer")
    h = ok_json(pc(s, "/v1/customers/" + HOSTILE["id"]))
    check(h["companyProfile"]["companyName"] == HOSTILE["companyProfile"]["companyName"],
          "the hostile name is not served as it is")


@test("file")
def customer_unknown_is_404(s):
    for cust in (UNKNOWN_CUSTOMER, OTHER_CUSTOMER, "not-a-guid", "%3Cscript%3E"):
        for path in ("/v1/customers/%s" % cust, "/v1/customers/%s/deviceBatches" % cust,
                     "/v1/customers/%s/deviceBatches/%s/devices" % (cust, seg(BIG_BATCH))):
            expect_error(pc(s, path), 404, path + ": ")


# --- device batches -------------------------------------------------------------------

@test("file")
def device_batches_of_a_customer(s):
    doc = ok_json(pc(s, "/v1/customers/%s/deviceBatches" % C))
    check(doc["attributes"] == {"objectType": "Collection"} and doc["totalCount"] == len(doc["items"]) == 4,
          "collection: totalCount %r, %d items" % (doc.get("totalCount"), len(doc.get("items", []))))
    spellings = set()
    for b in doc["items"]:
        check(isinstance(b["id"], str) and b["createdBy"] and b["creationDate"], "batch %s" % short(b))
        has = {"devicesCount", "deviceCount"} & set(b)
        check(len(has) == 1, "batch %r has %r" % (b["id"], sorted(has)))
        spellings |= has
        link = b["devicesLink"]["uri"]
        check(link == "/customers/%s/deviceBatches/%s/devices" % (C, seg(b["id"])),
              "devicesLink %r for %r" % (link, b["id"]))
    check(spellings == {"devicesCount", "deviceCount"}, "both count spellings: %r" % spellings)
    by_id = {b["id"]: b for b in doc["items"]}
    check(by_id[BIG_BATCH].get("devicesCount") == 250, "%s: %s" % (BIG_BATCH, short(by_id[BIG_BATCH])))
    check(by_id[ODD_BATCH].get("deviceCount") == 3, "%s: %s" % (ODD_BATCH, short(by_id[ODD_BATCH])))
    fab = ok_json(pc(s, "/v1/customers/%s/deviceBatches" % FABRIKAM))
    check([b.get("deviceCount") for b in fab["items"]] == [5], "Fabrikam: %s" % short(fab))
    none = ok_json(pc(s, "/v1/customers/%s/deviceBatches" % DOC["customers"][10]["id"]))
    check(none["items"] == [] and none["totalCount"] == 0, "a customer without batches: %s" % short(none))


# --- devices of a batch -------------------------------------------------------------------

DEVICE_KEYS = {"id", "serialNumber", "productKey", "modelName", "oemManufacturerName", "policies",
               "uploadedDate", "allowedOperations"}


@test("file")
def devices_250_in_three_pages(s):
    before = s.fake_count()
    pages = follow_devices(s, C, BIG_BATCH)
    check([len(p["items"]) for p in pages] == [100, 100, 50], "pages %r" % [len(p["items"]) for p in pages])
    devs = [d for p in pages for d in p["items"]]
    check(len({d["id"] for d in devs}) == 250, "distinct device ids: %d" % len({d["id"] for d in devs}))
    check([d["serialNumber"] for d in devs] == ["CTS-Q3-%04d" % i for i in range(1, 251)],
          "serial numbers not 0001..0250 in order")
    for d in devs:
        check(DEVICE_KEYS <= set(d), "device %s lacks %r" % (d.get("id"), sorted(DEVICE_KEYS - set(d))))
        check(all(set(p) == {"key", "value"} for p in d["policies"]), "policies %r" % d["policies"])
    with_hash = sum(1 for d in devs if "hardwareHash" in d)
    check(0 < with_hash < 250, "%d of 250 with a hardwareHash: wanted some with, some without" % with_hash)
    check(any(d["policies"] == [] for d in devs) and any(d["policies"] for d in devs),
          "wanted devices with and without a profile")
    log = log_since(s, before)
    check([e.get("route") for e in log] == ["devices"] * 3, "routes %r" % [e.get("route") for e in log])
    check(log[0]["continuation_token"] is None and hdr(log[0], "MS-ContinuationToken") is None,
          "the first page was asked with a token")
    for i in (1, 2):
        check(hdr(log[i], "MS-ContinuationToken") == log[i]["continuation_token"]
              == pages[i - 1]["continuationToken"], "page %d: the fake did not get page %d's token"
              % (i + 1, i))
    check(all(e["batch_id"] == BIG_BATCH and e["customer_id"] == C for e in log),
          "batch/customer ids logged %r" % [(e.get("customer_id"), e.get("batch_id")) for e in log])


@test("file")
def batch_id_is_decoded_exactly_once(s):
    before = s.fake_count()
    doc = ok_json(pc(s, devices_path(C, ODD_BATCH)))
    check([d["serialNumber"] for d in doc["items"]] == ["CTS-ODD-0001", "CTS-ODD-0002", "CTS-ODD-0003"],
          "odd batch devices %r" % [d.get("serialNumber") for d in doc["items"]])
    check("continuationToken" not in doc, "one page has a token")
    e = log_since(s, before)[0]
    check(e["batch_id"] == ODD_BATCH, "logged batch id %r" % e.get("batch_id"))
    twice = "/v1/customers/%s/deviceBatches/%s/devices" % (C, urllib.parse.quote(seg(ODD_BATCH), safe=""))
    expect_error(pc(s, twice), 404, "encoded twice: ")
    raw_pct = devices_path(C, ODD_BATCH).replace("100%25", "100%")
    expect_error(pc(s, raw_pct), 400, "a bare '%': ")
    expect_error(pc(s, "/v1/customers/%s/deviceBatches/%s/devices" % (C, "%FF%FE")), 400, "not UTF-8: ")
    spaced = devices_path(C, "spring kiosks")
    check(len(ok_json(pc(s, spaced))["items"]) == 12, "'spring kiosks' (a space)")


@test("file")
def devices_errors(s):
    expect_error(pc(s, devices_path(C, "no such batch")), 404, "unknown batch: ")
    expect_error(pc(s, devices_path(FABRIKAM, BIG_BATCH)), 404, "another customer's batch: ")
    empty = ok_json(pc(s, devices_path(C, "empty batch")))
    check(empty["items"] == [] and "continuationToken" not in empty, "empty batch: %s" % short(empty))
    first = ok_json(pc(s, devices_path(C, BIG_BATCH)))
    expect_error(pc(s, devices_path(C, "spring kiosks"),
                    headers={"MS-ContinuationToken": first["continuationToken"]}), 400,
                 "another batch's token: ")
    expect_error(pc(s, devices_path(C, BIG_BATCH), headers={"MS-ContinuationToken": "x.y"}), 400,
                 "a made-up token: ")


@test("file")
def hostile_strings_served_verbatim(s):
    batches = ok_json(pc(s, "/v1/customers/%s/deviceBatches" % HOSTILE["id"]))["items"]
    check(len(batches) == 1 and "<img" in batches[0]["id"] and "<script>" in batches[0]["createdBy"],
          "hostile batch %s" % short(batches))
    link = batches[0]["devicesLink"]["uri"]
    devs = ok_json(pc(s, "/v1" + link))["items"]
    check(devs and all("<script>" in d["serialNumber"] and "<img" in d["modelName"] for d in devs),
          "hostile devices %s" % short(devs))


# --- the knobs shared with the batch path ----------------------------------------------

NEW_PATHS = ["/v1/customers?size=5&filter=" + filter_param("CompanyName", "c"), "/v1/customers/" + C,
             "/v1/customers/%s/deviceBatches" % C, devices_path(C, BIG_BATCH)]


@test("file")
def no_or_wrong_token_is_401(s):
    before = s.fake_count()
    for path in NEW_PATHS:
        for tok in (False, "wrong-token"):
            r = pc(s, path, token=tok)
            expect_error(r, 401, "%s (token %s): " % (path, tok or "missing"))
            check(r.header("WWW-Authenticate") == "Bearer", "WWW-Authenticate %r" % r.header("WWW-Authenticate"))
    log = log_since(s, before)
    check([e["auth"] for e in log] == ["missing", "wrong"] * 4, "auth logged %r" % [e["auth"] for e in log])
    check(all(e["status"] == 401 for e in log), "statuses logged %r" % [e["status"] for e in log])


@test("file")
def answers_carry_partner_center_headers(s):
    for path in NEW_PATHS:
        r = pc(s, path)
        ok_json(r, path + ": ")
        check(r.header("MS-CorrelationId") == "11111111-2222-4333-8444-555555555555",
              "%s: MS-CorrelationId %r" % (path, r.header("MS-CorrelationId")))
        for h in ("MS-RequestId", "MS-CV", "MS-ServerId"):
            check(r.header(h), "%s: no %s" % (path, h))
    expect_error(pc(s, "/v1/customers", method="POST"), 405, "POST /v1/customers: ")


@test("file")
def route_throttling_and_failures_steered(s):
    dp = devices_path(C, BIG_BATCH)
    try:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc",
                            {"route": "devices", "fail": 429, "retry_after": "7"})
        r = pc(s, dp)
        check(r.status == 429 and r.header("Retry-After") == "7", "429: %d %r" % (r.status, r.header("Retry-After")))
        check(r.json() == json.loads(fake_pc.THROTTLE_BODY), "the throttle body %s" % short(r.body))
        check(pc(s, "/v1/customers/" + C).status == 200, "another route throttled too")
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": "devices", "fail": 503})
        expect_error(pc(s, dp), 503, "steered 503: ")
        listed = harness._fake_https(s, "fake-pc.port", "GET", "/_fake/pc/routes")
        check(listed.get("devices", {}).get("fail") == 503, "GET /_fake/pc/routes: %r" % listed)
    finally:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc",
                            {"route": "devices", "fail": None, "retry_after": None})
    ok_json(pc(s, dp), "after the reset: ")


@test("file")
def static_token_counts_as_app_user(s):
    try:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": "customer", "app_only": "forbid"})
        before = s.fake_count()
        ok_json(pc(s, "/v1/customers/" + C), "App+User with the route App+User only: ")
        check(log_since(s, before)[0]["token_kind"] == "user", "token kind %r" % log_since(s, before)[0])
    finally:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": "customer", "app_only": None})


@test("file")
def batch_status_path_unchanged(s):
    r = pc(s, "/v1/customers/%s/batchJobStatus/%s" % (C, T["seed"]))
    check(r.status == 200, "seed: HTTP %d" % r.status)
    with open(os.path.join(harness.FIXTURES, "seed.json"), "rb") as f:
        check(r.body == f.read(), "the seed batch's body is not seed.json byte for byte")
    expect_error(pc(s, "/v1/customers/%s/batchJobStatus/%s" % (OTHER_CUSTOMER, T["seed"])), 404,
                 "another customer's batch: ")
    expect_error(pc(s, "/v1/customers/%s/batchJobStatus/%s" % (FABRIKAM, T["seed"])), 404,
                 "Fabrikam's batch status (only the demo customer has batches): ")
    expect_error(pc(s, "/v1/nothing"), 404, "an unknown path: ")
    expect_error(pc(s, "/v1/customers/%s/deviceBatches/x/devices/more" % C), 404, "past devices: ")


# --- App-only tokens, latency (FAKE_PC_APP_USER_ONLY=devices, FAKE_PC_LATENCY_MS) ------

@test("app")
def app_only_token_refused_where_switched(s):
    before = s.fake_count()
    doc = expect_error(pc(s, devices_path(C, BIG_BATCH)), 403, "devices, App-only: ")
    check(fake_pc.DETAIL_MARKER in doc["description"], "403 body %s" % short(doc))
    ok_json(pc(s, "/v1/customers/" + C), "a customer, App-only (not switched): ")
    ok_json(search(s, "CompanyName", "contoso"), "search, App-only (not switched): ")
    log = log_since(s, before)
    check([e.get("token_kind") for e in log] == ["app"] * 3, "token kinds %r" % [e.get("token_kind") for e in log])
    check([e["status"] for e in log] == [403, 200, 200], "statuses %r" % [e["status"] for e in log])
    try:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": "deviceBatches", "app_only": "forbid"})
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": "devices", "app_only": "allow"})
        expect_error(pc(s, "/v1/customers/%s/deviceBatches" % C), 403, "deviceBatches forbidden: ")
        ok_json(pc(s, devices_path(C, "spring kiosks")), "devices allowed: ")
    finally:
        for route in ("deviceBatches", "devices"):
            harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": route, "app_only": None})
    expect_error(pc(s, devices_path(C, BIG_BATCH)), 403, "devices, back to the switch: ")
    r = pc(s, devices_path(C, BIG_BATCH), token=False)
    expect_error(r, 401, "no token still comes first: ")


@test("app")
def latency_applies_to_the_new_calls(s):
    for path in NEW_PATHS[:3]:
        r = pc(s, path)
        ok_json(r, path + ": ")
        check(r.elapsed >= LATENCY_MS / 1000.0, "%s answered in %.3f s, under the %d ms latency"
              % (path, r.elapsed, LATENCY_MS))


def main():
    return harness.main("fake", [
        Group("file", lambda: Stack("fake-file", dict(FILE_ENV))),
        Group("app", lambda: Stack("fake-app", dict(APP_ENV))),
    ])


if __name__ == "__main__":
    sys.exit(main())
