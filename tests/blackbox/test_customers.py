#!/usr/bin/env python3
"""Finding a batch without its GUIDs (issue 15), through real nginx and the fake Partner
Center: the customer search, a customer's page with its device batches, a device batch's
devices (every page of them) and their exports, names on the batch page, and the errors of
these calls, each checked against what the fake received (its request log).

    python3 tests/blackbox/test_customers.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `customers: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import csv
import io
import json
import os
import sys
import threading
import time
import urllib.parse

import harness
from harness import (C, T, Group, Stack, batch_path, check, correlation_id,
                     expect_html, expect_status, fixture_json, page_text, short, test)

DOC = fixture_json("customers.json")
BY_NAME = {c["companyProfile"]["companyName"]: c for c in DOC["customers"]}
FABRIKAM = BY_NAME["Fabrikam"]["id"]
ARVIZ = BY_NAME["Árvíztűrő Tükörfúrógép Kft."]["id"]
HOSTILE = next(c for c in DOC["customers"] if "<script>" in c["companyProfile"]["companyName"])
BIG_BATCH = "2024-Q3 laptops"
ODD_BATCH = "Árvíz 東京 100% kész"
HOSTILE_BATCH = next(iter(DOC["deviceBatches"][HOSTILE["id"]]))["id"]
UNKNOWN_CUSTOMER = "c0570000-0000-4000-8000-999999999999"


def seg(name):
    """A device batch's name as one path segment, as the pages link it."""
    return urllib.parse.quote(name, safe="-._~")


def device_batch_path(name, suffix="", customer=C):
    return "/customers/%s/device-batches/%s%s" % (customer, seg(name), suffix)


def calls(s, route, before=0):
    """The fake's log entries of one issue-15 route (customers, customer, deviceBatches, devices)."""
    return [e for e in s.fake_entries()[before:] if e.get("route") == route]


def links_to(r, prefix):
    return [a.attrs.get("href") for a in r.tree.root.find_all("a")
            if (a.attrs.get("href") or "").startswith(prefix)]


def table_rows(r, table_id):
    tables = r.tree.root.find_all("table", id=table_id)
    check(len(tables) == 1, "expected one table#%s, found %d" % (table_id, len(tables)))
    return tables[0].find_all("tr")[1:]


# --- the customer search -------------------------------------------------------

@test("customers")
def the_form_links_the_customer_search(s):
    r = s.get("/?lang=hu-HU")
    expect_status(r, 200)
    a = r.tree.root.find_all("a", id="find-customer")
    check(a and a[0].attrs.get("href") == "/customers?lang=hu-HU", "find-customer link %r"
          % (a[0].attrs.get("href") if a else None))
    before = s.fake_count()
    r = s.get("/customers")
    expect_status(r, 200)
    expect_html(r)
    check(r.tree.root.find_all("input", id="q"), "the search page has no search field")
    check(s.fake_count() == before, "the empty search page asked Partner Center")


@test("customers")
def search_by_name_sends_a_starts_with_filter(s):
    before = s.fake_count()
    r = s.get("/customers?q=cont")
    expect_status(r, 200)
    expect_html(r)
    got = calls(s, "customers", before)
    check(len(got) == 1, "%d search calls, expected 1" % len(got))
    check(got[0].get("filter") == {"Field": "CompanyName", "Value": "cont", "Operator": "starts_with"},
          "the fake got filter %r" % got[0].get("filter"))
    check(got[0].get("size") == 100, "size %r" % got[0].get("size"))
    text = page_text(r)
    for name in ("Contoso", "Contoso Pharmaceuticals", "CONTOSO BANK"):
        check(name in text, "%r is not listed" % name)
    check("Fabrikam" not in text, "Fabrikam is listed for 'cont'")
    check("/customers/%s" % C in links_to(r, "/customers/"), "no link to Contoso's page")
    check(C in text and "contoso.onmicrosoft.com" in text, "no tenant ID or domain in the results")


@test("customers")
def search_with_a_dot_is_by_domain(s):
    before = s.fake_count()
    r = s.get("/customers?q=" + urllib.parse.quote("FABRIKAM.on"))
    expect_status(r, 200)
    got = calls(s, "customers", before)
    check(len(got) == 1 and got[0].get("filter") == {"Field": "Domain", "Value": "FABRIKAM.on",
                                                    "Operator": "starts_with"},
          "the fake got %r" % [g.get("filter") for g in got])
    check("/customers/%s" % FABRIKAM in links_to(r, "/customers/"), "Fabrikam is not linked")


@test("customers")
def search_follows_every_page(s):
    before = s.fake_count()
    r = s.get("/customers?q=northwind")
    expect_status(r, 200)
    rows = table_rows(r, "customers")
    check(len(rows) == 120, "%d customers shown, expected the 120 Northwind branches" % len(rows))
    got = calls(s, "customers", before)
    check(len(got) == 2, "%d search calls, expected 2 pages" % len(got))
    check(got[1].get("seek_operation") == "Next" and got[1].get("continuation_token"),
          "the second page was not asked with seekOperation=Next and its token: %r" % got[1])
    check(not got[0].get("continuation_token"), "the first page carried a continuation token")


@test("customers")
def non_ascii_names_are_found(s):
    r = s.get("/customers?q=" + urllib.parse.quote("árvíz"))
    expect_status(r, 200)
    check("Árvíztűrő Tükörfúrógép Kft." in page_text(r), "the Hungarian name is not found by 'árvíz'")


@test("customers")
def a_search_is_kept_and_asked_once_at_a_time(s):
    before = s.fake_count()
    out = []
    threads = [threading.Thread(target=lambda: out.append(s.get("/customers?q=tail").status))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(out == [200] * 6, "statuses %r" % out)
    r = s.get("/customers?q=TAIL")
    expect_status(r, 200)
    got = calls(s, "customers", before)
    check(len(got) == 1, "%d search calls for 7 searches of one text, expected 1" % len(got))


@test("customers")
def hostile_names_are_escaped(s):
    r = s.get("/customers?q=" + urllib.parse.quote("<script>"))
    expect_status(r, 200)
    check("<script>alert" not in r.text and "<b>bold" not in r.text, "a customer's name is not escaped")
    check("&lt;script&gt;alert" in r.text, "the hostile name is not shown escaped")
    r = s.get("/customers/%s" % HOSTILE["id"])
    expect_status(r, 200)
    check("<script>alert" not in r.text and "<img src=x" not in r.text,
          "the customer page does not escape its name or its batch's name")
    r = s.get(device_batch_path(HOSTILE_BATCH, customer=HOSTILE["id"]))
    expect_status(r, 200)
    check("<img src=x" not in r.text and "<script>alert" not in r.text,
          "the device batch page does not escape")


# --- a customer ------------------------------------------------------------------

@test("customers")
def the_customer_page_lists_its_device_batches_newest_first(s):
    before = s.fake_count()
    r = s.get("/customers/%s" % C)
    expect_status(r, 200)
    expect_html(r)
    h1 = r.tree.root.find_all("h1", id="customer-name")
    check(h1 and h1[0].text().strip() == "Contoso", "heading %r" % (h1[0].text() if h1 else None))
    check("contoso.onmicrosoft.com" in page_text(r), "no domain")
    rows = table_rows(r, "device-batches")
    names = [row.find_all("a")[0].text().strip() for row in rows]
    check(names == [ODD_BATCH, BIG_BATCH, "spring kiosks", "empty batch"],
          "device batches %r, expected newest first" % names)
    check(device_batch_path(BIG_BATCH) in links_to(r, "/customers/"), "no link to %r" % BIG_BATCH)
    check("250" in rows[1].text(), "the device count of %r is not shown" % BIG_BATCH)
    # The lookup form: the customer filled in, a tracking ID to type.
    hidden = [i for i in r.tree.root.find_all("input") if i.attrs.get("name") == "customer"]
    check(hidden and hidden[0].attrs.get("value") == C, "the lookup form does not carry the customer")
    check(len(calls(s, "deviceBatches", before)) == 1 and len(calls(s, "customer", before)) == 1,
          "the customer page made calls %r" % [e.get("route") for e in s.fake_entries()[before:]])


@test("customers")
def the_customer_page_is_kept(s):
    s.get("/customers/%s" % FABRIKAM)
    before = s.fake_count()
    r = s.get("/customers/%s" % FABRIKAM)
    expect_status(r, 200)
    check(s.fake_count() == before, "the second view asked Partner Center again")


@test("customers")
def an_unknown_customer_is_a_404(s):
    r = s.get("/customers/%s" % UNKNOWN_CUSTOMER)
    expect_status(r, 404)
    correlation_id(r)
    r = s.get("/customers/not-a-guid")
    expect_status(r, 400)


@test("customers")
def a_customer_id_in_another_spelling_redirects(s):
    r = s.get("/customers/%s" % C.upper())
    expect_status(r, 303)
    check(harness.location_path(r) == "/customers/%s" % C, "Location %r" % r.header("Location"))


# --- a device batch --------------------------------------------------------------

@test("customers")
def all_250_devices_over_three_pages_are_shown(s):
    before = s.fake_count()
    r = s.get(device_batch_path(BIG_BATCH))
    expect_status(r, 200)
    expect_html(r)
    rows = table_rows(r, "devices")
    check(len(rows) == 250, "%d devices shown, expected 250" % len(rows))
    got = calls(s, "devices", before)
    check(len(got) == 3, "%d device calls, expected 3 pages" % len(got))
    check([e.get("offset") for e in got] == [0, 100, 200], "pages asked %r" % [e.get("offset") for e in got])
    check(not got[0].get("continuation_token") and got[1].get("continuation_token") and
          got[2].get("continuation_token"), "continuation tokens not sent as the fake gave them")
    check(got[0].get("batch_id") == BIG_BATCH, "the fake got batch %r" % got[0].get("batch_id"))
    text = page_text(r)
    check("CTS-Q3-0001" in text and "CTS-Q3-0250" in text, "first or last serial missing")
    check("Surface Laptop 5" in text, "no model")
    dev = DOC["devices"][C][BIG_BATCH][0]
    check(dev["hardwareHash"] not in r.text, "the hardware hash is on the page")


@test("customers")
def the_exports_hold_every_device(s):
    r = s.get(device_batch_path(BIG_BATCH, ".csv"))
    expect_status(r, 200)
    check((r.header("Content-Type") or "").startswith("text/csv"), "CSV type %r" % r.header("Content-Type"))
    check("attachment" in (r.header("Content-Disposition") or ""), "no attachment disposition")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    check(len(rows) == 251, "%d CSV lines, expected a header and 250 devices" % len(rows))
    check(rows[0][:2] == ["serialNumber", "productKey"], "CSV header %r" % rows[0])
    hashes = {d["hardwareHash"] for d in DOC["devices"][C][BIG_BATCH] if d.get("hardwareHash")}
    check(not any(h in r.text for h in hashes), "the CSV holds a hardware hash")
    r = s.get(device_batch_path(BIG_BATCH, ".json"))
    expect_status(r, 200)
    doc = json.loads(r.text)
    check(len(doc["devices"]) == 250 and doc["deviceCount"] == 250 and doc["complete"] is True,
          "JSON holds %d devices (%r)" % (len(doc["devices"]), {k: doc[k] for k in doc if k != "devices"}))
    want = [bool(d.get("hardwareHash")) for d in DOC["devices"][C][BIG_BATCH]]
    check([d["hasHardwareHash"] for d in doc["devices"]] == want, "hasHardwareHash wrong")
    check("hardwareHash" not in r.text, "the JSON holds a hardware hash")


@test("customers")
def searching_devices_filters_the_page_and_exports(s):
    r = s.get(device_batch_path(BIG_BATCH) + "?q=q3-0012")
    expect_status(r, 200)
    rows = table_rows(r, "devices")
    check(len(rows) == 1 and "CTS-Q3-0012" in rows[0].text(), "%d rows for q3-0012" % len(rows))
    r = s.get(device_batch_path(BIG_BATCH, ".json") + "?q=q3-001")
    doc = json.loads(r.text)
    check(len(doc["devices"]) == 10, "the JSON export holds %d devices for q3-001" % len(doc["devices"]))


@test("customers")
def names_with_spaces_percent_and_unicode_reach_partner_center_as_one_segment(s):
    before = s.fake_count()
    r = s.get(device_batch_path(ODD_BATCH))
    expect_status(r, 200)
    check(len(table_rows(r, "devices")) == 3, "the odd batch's devices are not all shown")
    got = calls(s, "devices", before)
    check(got and got[0].get("batch_id") == ODD_BATCH, "the fake got %r" % (got[0].get("batch_id") if got else None))
    check(got and "/deviceBatches/" + urllib.parse.quote(ODD_BATCH, safe="") + "/devices" in got[0]["path"]
          .replace("%c3", "%C3"), "the name went upstream as %r" % (got[0]["path"] if got else None))
    names = r.tree.root.find_all(id="batch-name")
    check(names and names[0].text().strip() == ODD_BATCH, "the page names the batch %r"
          % (names[0].text() if names else None))


@test("customers")
def bad_batch_names_are_400_without_a_call(s):
    before = s.fake_count()
    # nginx itself refuses an encoded NUL; the rest reach the server, which says why.
    r = s.get("/customers/%s/device-batches/%%00x" % C)
    expect_status(r, 400, "%00: ")
    for raw in ("%2E%2E", "%zz"):
        r = s.get("/customers/%s/device-batches/%s" % (C, raw))
        expect_status(r, 400, "%s: " % raw)
    for raw in ("a%0Ab", "%FF%FE", "x" * 300, "%C3", "%2E%2E"):
        r = s.get("/customers/%s/device-batches/%s" % (C, raw))
        expect_status(r, 400, "%r: " % raw[:20])
        correlation_id(r)
        check("device batch" in page_text(r).lower(), "%r: the 400 does not name a device batch" % raw[:20])
    check(s.fake_count() == before, "a bad batch name reached Partner Center")


@test("customers")
def an_unknown_device_batch_is_a_404(s):
    r = s.get(device_batch_path("no such batch"))
    expect_status(r, 404)
    check("device batch" in page_text(r).lower(), "the 404 does not say it is about a device batch")


@test("customers")
def the_empty_batch_says_so(s):
    r = s.get(device_batch_path("empty batch"))
    expect_status(r, 200)
    check(r.tree.root.find_all(id="no-devices"), "the empty batch does not say it is empty")


# --- names on the batch page -------------------------------------------------------

@test("customers")
def the_batch_page_names_its_customer(s):
    r = s.get(batch_path(T["seed"]))
    expect_status(r, 200)
    a = r.tree.root.find_all("a", id="customer-name")
    check(a and a[0].text().strip() == "Contoso", "the batch page names the customer %r"
          % (a[0].text() if a else None))
    check(a[0].attrs.get("href") == "/customers/%s" % C, "the name links %r" % a[0].attrs.get("href"))
    r = s.get(batch_path(T["seed"], ".json"))
    check(json.loads(r.text).get("customerName") == "Contoso", "JSON customerName missing")


@test("customers")
def a_batch_of_an_unknown_customer_still_shows(s):
    r = s.get(batch_path(T["seed"], customer=harness.OTHER_CUSTOMER))
    check(r.status in (200, 404), "status %d" % r.status)
    check(not r.tree.root.find_all("a", id="customer-name"), "a name shown for a customer nobody has")


# --- recent lookups ------------------------------------------------------------------

BROWSER = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}


def set_cookie(r):
    v = r.header("Set-Cookie")
    check(v, "no Set-Cookie")
    return v


def cookie_pair(v):
    return v.split(";", 1)[0]


@test("customers")
def the_form_lists_recent_lookups(s):
    r = s.get(batch_path(T["seed"]), headers=BROWSER)
    expect_status(r, 200)
    v = set_cookie(r)
    attrs = [a.strip().lower() for a in v.split(";")[1:]]
    check("httponly" in attrs and "samesite=lax" in attrs and "path=/" in attrs,
          "cookie attributes %r" % attrs)
    check("secure" not in attrs, "Secure over plain http")
    pair = cookie_pair(v)
    r2 = s.get(batch_path(T["large"]), headers=dict(BROWSER, Cookie=pair))
    pair = cookie_pair(set_cookie(r2))
    r = s.get("/", headers={"Cookie": pair})
    expect_status(r, 200)
    items = r.tree.root.find_all("ul", id="recent")
    check(items, "the form lists no recent lookups")
    links = [a.attrs.get("href") for a in items[0].find_all("a")]
    check(links == [batch_path(T["large"]), batch_path(T["seed"])], "recent links %r" % links)
    text = items[0].text()
    check("Contoso" in text, "the recent list does not name the customer: %r" % short(text))
    check("some devices failed" in text or "every device failed" in text, "no outcome in %r" % short(text))
    # Viewing the first one again only moves it up.
    r3 = s.get(batch_path(T["seed"]), headers=dict(BROWSER, Cookie=pair))
    pair2 = cookie_pair(set_cookie(r3))
    r = s.get("/", headers={"Cookie": pair2})
    links = [a.attrs.get("href") for a in r.tree.root.find_all("ul", id="recent")[0].find_all("a")]
    check(links == [batch_path(T["seed"]), batch_path(T["large"])], "after a repeat: %r" % links)


@test("customers")
def a_tampered_or_oversized_recent_cookie_is_ignored(s):
    r = s.get(batch_path(T["seed"]), headers=BROWSER)
    pair = cookie_pair(set_cookie(r))
    name, value = pair.split("=", 1)
    flipped = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    for bad in (name + "=" + flipped, name + "=" + value[:-4], name + "=" + "A" * 5000, name + "=<script>"):
        r = s.get("/", headers={"Cookie": bad})
        expect_status(r, 200, "%s: " % bad[:30])
        check(not r.tree.root.find_all("ul", id="recent"), "a bad cookie was listed: %r" % bad[:40])
    # A script's request (no Sec-Fetch-Dest) keeps no list and sets no cookie.
    r = s.get(batch_path(T["seed"]))
    check(r.header("Set-Cookie") is None, "a script's request got a cookie")


@test("customers")
def forget_clears_the_recent_list(s):
    r = s.get(batch_path(T["seed"]), headers=BROWSER)
    pair = cookie_pair(set_cookie(r))
    r = s.get("/", headers={"Cookie": pair})
    a = r.tree.root.find_all("a", id="forget-recent")
    check(a and a[0].attrs.get("href") == "/recent/forget", "forget link %r" % (a[0].attrs.get("href") if a else None))
    r = s.get("/recent/forget", headers={"Cookie": pair})
    expect_status(r, 303)
    v = set_cookie(r)
    check(cookie_pair(v) == "bs_recent=" and "max-age=0" in v.lower(), "the forget cookie is %r" % v)


# --- the budget rules on the new calls --------------------------------------------

def route_fail(s, route, fail):
    harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc", {"route": route, "fail": fail})


@test("budget")
def devices_are_asked_once_for_a_crowd(s):
    before = s.fake_count()
    path = device_batch_path("spring kiosks")
    out = harness.statuses_at_once(s, [path] * 8)
    check(out == [200] * 8, "statuses %r" % out)
    got = calls(s, "devices", before)
    check(len(got) == 1, "%d device calls for 8 viewers at once, expected 1" % len(got))


@test("budget")
def a_failed_listing_call_shows_what_was_held(s):
    path = device_batch_path("spring kiosks", customer=C)
    expect_status(s.get("/customers/%s" % C), 200)
    expect_status(s.get(path), 200)
    time.sleep(1.3)     # both kept 1 s here: the next views call again
    try:
        route_fail(s, "devices", 503)
        route_fail(s, "deviceBatches", 503)
        r = s.get(path)
        expect_status(r, 200, "devices, Partner Center failing: ")
        check(r.tree.root.find_all(id="stale"), "no notice that the devices are an earlier answer")
        check(len(table_rows(r, "devices")) == 12, "the held devices are not all shown")
        r = s.get("/customers/%s" % C)
        expect_status(r, 200, "the customer page, Partner Center failing: ")
        check(r.tree.root.find_all(id="stale"), "no stale notice on the customer page")
        r = s.get(device_batch_path("fabrikam-2024-06", customer=FABRIKAM))
        expect_status(r, 502, "nothing held: ")
        correlation_id(r)
    finally:
        route_fail(s, "devices", None)
        route_fail(s, "deviceBatches", None)


@test("budget")
def a_throttled_listing_pauses_every_call(s):
    try:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc",
                            {"route": "customers", "fail": 429, "retry_after": "2"})
        r = s.get("/customers?q=fab")
        expect_status(r, 503, "a throttled search: ")
        check(r.header("Retry-After"), "no Retry-After")
        before = s.fake_count()
        r = s.get(batch_path(T["large"]))
        check(s.fake_count() == before, "a call was made during the 429 pause")
    finally:
        harness._fake_https(s, "fake-pc.port", "POST", "/_fake/pc",
                            {"route": "customers", "fail": None, "retry_after": None})


# --- an App-only sign-in ---------------------------------------------------------

@test("apponly")
def an_app_only_sign_in_is_explained_and_batches_still_work(s):
    for path in ("/customers?q=cont", "/customers/%s" % C, device_batch_path(BIG_BATCH)):
        r = s.get(path)
        expect_status(r, 502, "%s: " % path)
        correlation_id(r)
        check("App+User" in page_text(r), "%s does not say which sign-in is needed" % path)
    r = s.get(batch_path(T["seed"]))
    expect_status(r, 200, "the batch page with an App-only sign-in: ")


# --- the allow-list ------------------------------------------------------------------

def allow_stack():
    allowed = harness.allow_list("customers-allow", C)
    return Stack("customers-allow", {"DEMO_SIGNIN": "file", "BATCHSTATUS_ALLOWED_CUSTOMERS": allowed})


@test("allow")
def only_allowed_customers_are_listed_or_shown(s):
    r = s.get("/customers?q=cont")
    expect_status(r, 200)
    rows = table_rows(r, "customers")
    check(len(rows) == 1 and "Contoso" in rows[0].text(), "%d customers listed" % len(rows))
    check(r.tree.root.find_all(id="hidden"), "no note that some customers are not listed")
    before = s.fake_count()
    r = s.get("/customers/%s" % FABRIKAM)
    expect_status(r, 403)
    r = s.get(device_batch_path("fabrikam-2024-06", customer=FABRIKAM))
    expect_status(r, 403)
    check(s.fake_count() == before, "a customer not allowed reached Partner Center")


def main():
    return harness.main("customers", [
        Group("customers", lambda: Stack("customers", {"DEMO_SIGNIN": "file"})),
        Group("apponly", lambda: Stack("customers-apponly", {"FAKE_PC_APP_USER_ONLY": "all"})),
        Group("allow", allow_stack),
        Group("budget", lambda: Stack("customers-budget", {
            "DEMO_SIGNIN": "file", "BATCHSTATUS_CACHE_DEVICES_SECONDS": "1",
            "BATCHSTATUS_CACHE_BATCH_LIST_SECONDS": "1"})),
    ])


if __name__ == "__main__":
    sys.exit(main())
