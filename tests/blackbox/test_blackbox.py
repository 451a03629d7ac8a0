#!/usr/bin/env python3
"""Black-box tests of the whole application: real nginx + the batchstatus FastCGI server + the fake Partner Center over TLS (stacks of tests/blackbox/harness.py), driven over HTTP like a browser.

    python3 tests/blackbox/test_blackbox.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then
`blackbox: N passed, N failed`; exits 1 when any failed. stdlib only.
"""
import csv
import html
import io
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid

import harness
from harness import (C, GUID_RE, HTTP_TIMEOUT, OTHER_CUSTOMER, ROOT, T, Failure, Group, Node,
                     Stack, batch_path, check, correlation_id, expect_html, expect_status, fixture_json,
                     hdr, html_lang, location_path, metric, new_upstream, no_upstream_leak, norm_ws,
                     page_text, query, security_header_problems, short, steer, steer_id, test,
                     text_chunks, upstream_calls)

KNOWN_ERRORS = {
    "801": "InvalidZtdRequestBody", "802": "InvalidZtdHardwareHash",
    "803": "MissingZtdSerialNumberAndProductKey", "806": "ZtdDeviceAlreadyAssigned",
    "807": "ZtdDeviceIsNotRegistered", "808": "ZtdDeviceAssignedToOtherTenant",
    "809": "ZtdProfileIsNotRegistered", "810": "ZtdProfileAssignedToOtherTenant",
    "811": "ZtdDeviceRegisteredByOtherTenant", "812": "ZtdDeviceNotFound",
    "813": "ZtdDeviceIsNotUnique", "814": "ZtdDeviceAlreadyAadRegistered",
}
KNOWN_NAMES_WITHOUT_CODE = ["ZtdDeviceDuplicated", "StorageError"]
DEVICE_FIELDS = ["serialNumber", "productKey", "status", "errorCode", "errorDescription"]


# --- assertions of this suite ------------------------------------------------

def expect_redirect(r, tracking=None, customer=C):
    expect_status(r, 303)
    want = batch_path(tracking or T["seed"], customer=customer)
    got = location_path(r)
    check(got == want, "Location %r, expected %r" % (r.header("Location"), want))


def devices_table(r):
    tables = r.tree.root.find_all("table", id="devices")
    check(len(tables) == 1, '<table id="devices"> found %d times' % len(tables))
    return tables[0]


def device_rows(r):
    """The rows of the devices table that hold data cells."""
    return [tr for tr in devices_table(r).find_all("tr") if tr.find_all("td")]


def row_cells(tr):
    return [td.text() for td in tr.find_all("td")]


def explanation(tr):
    tds = [td for td in tr.find_all("td") if "explanation" in td.classes()]
    check(len(tds) == 1, 'row %r has %d <td class="explanation">'
          % (short(" | ".join(norm_ws(c) for c in row_cells(tr))), len(tds)))
    return norm_ws(tds[0].text())


def row_with(rows, needle):
    found = [tr for tr in rows if any(norm_ws(c) == needle for c in row_cells(tr))]
    check(found, "no device row with a cell %r" % needle)
    return found[0]


def badge_classes(r):
    out = set()
    for n in r.tree.root.iter():
        out.update(c for c in n.classes() if c.startswith("status-"))
    return out


def text_outside_devices(r):
    root = r.tree.root
    tables = root.find_all("table", id="devices")
    parts = []

    def walk(n):
        for c in n.children:
            if isinstance(c, Node):
                if c in tables or c.tag in ("script", "style", "head"):
                    continue
                walk(c)
            else:
                parts.append(c)
    walk(root)
    return norm_ws(" ".join(parts))


# --- the tests ---------------------------------------------------------------

# 0. languages
LANG_WORDS = {"en-US": "Show status", "ja-JP": "\u72b6\u614b\u3092\u8868\u793a",
              "hu-HU": "\u00c1llapot megjelen\u00edt\u00e9se", "zh-TW": "\u986f\u793a\u72c0\u614b"}


@test("main")
def language_from_query_accept_language_or_default(s):
    with open(os.path.join(ROOT, "templates", "i18n", "ja-JP.catalog"), encoding="utf-8") as f:
        submit = {k.strip(): v.strip() for k, _, v in (l.partition("=") for l in f) if _}.get("form.submit")
    cases = [("/", {}, "en-US"), ("/?lang=ja-JP", {}, "ja-JP"), ("/?lang=hu", {}, "hu-HU"),
             ("/?lang=zh-Hant", {}, "zh-TW"), ("/?lang=xx", {}, "en-US"),
             ("/", {"Accept-Language": "hu-HU,hu;q=0.9,en;q=0.8"}, "hu-HU"),
             ("/", {"Accept-Language": "fr, ja;q=0.5"}, "ja-JP"),
             ("/", {"Accept-Language": "zh-Hant-TW"}, "zh-TW"),
             ("/", {"Accept-Language": "de, fr"}, "en-US"),
             ("/?lang=en-US", {"Accept-Language": "ja"}, "en-US")]
    for path, headers, want in cases:
        r = s.get(path, headers=headers)
        expect_status(r, 200)
        check(html_lang(r) == want, "%s %s: <html lang=%r>, want %s" % (path, headers, html_lang(r), want))
        check(r.header("Content-Language") == want, "Content-Language %r" % r.header("Content-Language"))
        check("Accept-Language" in (r.header("Vary") or ""), "no Vary: Accept-Language")
    r = s.get("/?lang=ja-JP")
    check(submit and submit in r.text, "the ja-JP page lacks the catalog's submit text %r" % submit)
    check("Show status" not in r.text, "English left on the ja-JP form")


@test("main")
def chosen_language_is_kept_in_every_link(s):
    r = s.get("/?lang=hu-HU")
    check('name="lang" value="hu-HU"' in r.text, "the form does not carry lang")
    r = s.get("/?lang=hu-HU&customer=%s&tracking=%s" % (C, T["seed"]))
    expect_status(r, 303)
    check((r.header("Location") or "").endswith("?lang=hu-HU"), "Location %r" % r.header("Location"))
    r = s.get(batch_path(T["seed"]) + "?lang=hu-HU")
    expect_status(r, 200)
    check(html_lang(r) == "hu-HU", "lang %r" % html_lang(r))
    links = [a.attrs.get("href", "") for a in r.tree.root.find_all("a")]
    own = [h for h in links if h.startswith("/") and not h.startswith("/static")
           and not h.endswith((".csv", ".json")) and "lang=" not in h]
    check(not own, "links without lang: %r" % own)
    # The language switcher names every language in itself.
    names = [a.attrs.get("hreflang") for a in r.tree.root.find_all("a") if a.attrs.get("hreflang")]
    check(sorted(names) == ["en-US", "ja-JP", "zh-TW"], "switcher links %r" % names)
    # Error pages speak it too.
    r = s.get("/customers/%s/batches/%s?lang=ja" % (C, T["notfound"]))
    expect_status(r, 404)
    check(html_lang(r) == "ja-JP", "404 page lang %r" % html_lang(r))


@test("main")
def nginx_keeps_a_page_per_language(s):
    # A finished batch's page is kept by nginx: it must not hand one language's page to another.
    path = batch_path(T["seed"])
    for al, want in (("ja", "ja-JP"), ("hu", "hu-HU"), ("ja", "ja-JP"), ("en", "en-US")):
        r = s.get(path, headers={"Accept-Language": al})
        expect_status(r, 200)
        check(html_lang(r) == want, "Accept-Language %s: got a %r page" % (al, html_lang(r)))


@test("main")
def upstream_is_asked_in_one_locale(s):
    # One answer per batch serves every language: Partner Center is always asked in en-US,
    # and the reader's words come from our catalogs.
    for lang in ("zh-TW", "ja-JP", "hu-HU"):
        before = s.fake_count()
        r = s.get(batch_path(str(uuid.uuid4())) + "?lang=" + lang)  # unknown: never cached
        expect_status(r, 404)
        check(html_lang(r) == lang, "the page is in %r, not %s" % (html_lang(r), lang))
        new = new_upstream(s, before)
        check(len(new) == 1 and hdr(new[0], "X-Locale") == "en-US",
              "X-Locale %r for a %s reader" % ([hdr(e, "X-Locale") for e in new], lang))


# 0b. the device table: failed first, filters, search; the chart; embedding
@test("main")
def failed_devices_first_filters_and_search(s):
    path = batch_path(T["large"])
    rows = device_rows(s.get(path))

    def failed_row(tr):
        # An error, but not 806 (already this tenant's: registered all the same).
        code, desc = cell(tr, "code"), cell(tr, "desc")
        return (code or desc) and code != "806" and desc.lower() != "ztddevicealreadyassigned"
    failed = [i for i, tr in enumerate(rows) if failed_row(tr)]
    check(failed and failed == list(range(len(failed))), "failed devices are not first: %r" % failed[:5])
    r = s.get(path + "?status=failed")
    rows = device_rows(r)
    check(rows and all(failed_row(tr) for tr in rows),
          "?status=failed shows a device without an error, or one with 806")
    check(len(rows) == len(failed), "?status=failed: %d rows, %d failed devices" % (len(rows), len(failed)))
    r = s.get(path + "?status=finished")
    check(all(norm_ws(row_cells(tr)[4]) == "Finished" for tr in device_rows(r)), "?status=finished mixes")
    serial = cell(device_rows(s.get(path))[-1], "serial")
    r = s.get(path + "?q=" + urllib.parse.quote(serial.lower()))
    rows = device_rows(r)
    check(len(rows) == 1 and cell(rows[0], "serial") == serial,
          "search %r: %r" % (serial, [cell(t, "serial") for t in rows][:3]))
    r = s.get(path + "?q=no-such-serial&status=failed&lang=hu")
    expect_status(r, 200)
    check(not device_rows(r) and 'id="none-match"' in r.text, "no match is not said")
    check('name="status" value="failed"' in r.text and 'name="lang" value="hu-HU"' in r.text,
          "the search form drops the filter or the language")
    # Garbage in the view options is ignored, never an error, never echoed unescaped.
    r = s.get(path + "?status=%3Cscript%3E&page=-3&q=%3Cb%3E")
    expect_status(r, 200)
    check("<script>" not in r.text and "<b>" not in r.text, "an option reached the page unescaped")
    # The exports carry every device unless asked for fewer; ?q= is the page's alone.
    check(len(json.loads(s.get(path + ".json?q=SN-000001").text)["devices"]) == 400, "JSON searched")
    check(len(json.loads(s.get(path + ".json?status=failed").text)["devices"]) == len(failed),
          "JSON ?status=failed is not the failed devices")


def cell(tr, cls):
    """The text of a row's cell of this class (serial, pkey, device-id, code, desc)."""
    tds = [td for td in tr.find_all("td") if cls in td.classes()]
    check(len(tds) == 1, "row has %d <td class=%r>" % (len(tds), cls))
    return norm_ws(tds[0].text())


def current_chips(r):
    """The filter chips marked current (aria-current), as (label, href)."""
    navs = [n for n in r.tree.root.find_all("nav") if "filters" in n.classes()]
    check(len(navs) == 1, "%d filter bars" % len(navs))
    return [(norm_ws(a.text()), a.attrs.get("href", "")) for a in navs[0].find_all("a")
            if a.attrs.get("aria-current")]


@test("main")
def status_filter_in_any_case(s):
    # ?status=FAILED is the failed view: the rows, the chip and the links all agree.
    path = batch_path(T["large"])
    want = [cell(tr, "serial") for tr in device_rows(s.get(path + "?status=failed"))]
    for spelling in ("FAILED", "Failed", "failed%20", "%09failed"):
        r = s.get(path + "?status=" + spelling)
        expect_status(r, 200)
        got = [cell(tr, "serial") for tr in device_rows(r)]
        check(got == want, "?status=%s shows %d rows, ?status=failed %d" % (spelling, len(got), len(want)))
        chips = current_chips(r)
        check(len(chips) == 1 and chips[0][1].endswith("?status=failed"),
              "?status=%s: current chips %r" % (spelling, chips))
    # Partner Center's "finished_with_errors" devices; those with 806 carry their own label (registered).
    r = s.get(path + "?status=FINISHED_WITH_ERRORS")
    check(device_rows(r) and all(badge_classes_of(tr) & {"status-finished_with_errors", "status-already_registered"}
                                 for tr in device_rows(r)), "?status=FINISHED_WITH_ERRORS mixes")
    check(all(("status-already_registered" in badge_classes_of(tr)) == (cell(tr, "code") == "806")
              for tr in device_rows(r)), "the 806 devices' own label")
    check(len(current_chips(r)) == 1, "?status=FINISHED_WITH_ERRORS: %r" % current_chips(r))


def badge_classes_of(tr):
    return {c for sp in tr.find_all("span") for c in sp.classes()}


@test("main")
def one_chip_is_current(s):
    # The odd batch has devices without a status: their chip is not All's, so All alone is current.
    path = batch_path(T["odd"])
    r = s.get(path)
    chips = current_chips(r)
    check(len(chips) == 1 and "?" not in chips[0][1], "current chips %r" % chips)
    none = catalog("en-US")["status.none"]
    links = [a for n in r.tree.root.find_all("nav") if "filters" in n.classes() for a in n.find_all("a")]
    none_links = [a.attrs.get("href") for a in links if norm_ws(a.text()).startswith(none)]
    check(len(none_links) == 1 and none_links[0].endswith("?status=none"), "the (none) chip %r" % none_links)
    r = s.get(path + "?status=none")
    chips = current_chips(r)
    check(len(chips) == 1 and chips[0][0].startswith(none), "?status=none: current chips %r" % chips)
    rows = device_rows(r)
    check(rows and all(none in norm_ws(row_cells(tr)[4]) for tr in rows),
          "?status=none shows devices with a status: %r" % [norm_ws(row_cells(t)[4]) for t in rows])
    check(not any(cell(tr, "serial") in ("ODD-1", "ODD-3") for tr in rows), "?status=none shows ODD-1/3")


@test("main")
def search_trimmed_and_over_serial_key_code_and_device_id(s):
    path = batch_path(T["large"])
    doc = json.loads(s.get(path + ".json").text)
    d = [x for x in doc["devices"] if x["deviceId"] and x["productKey"]][5]
    # What a spreadsheet cell brings along: a trailing space, a tab, a no-break space.
    for q in (d["serialNumber"] + " ", "\t" + d["serialNumber"], d["serialNumber"] + "\u00a0",
              d["serialNumber"].lower() + " \t"):
        rows = device_rows(s.get(path + "?q=" + urllib.parse.quote(q)))
        check([cell(tr, "serial") for tr in rows] == [d["serialNumber"]], "?q=%r: %d rows" % (q, len(rows)))
    r = s.get(path + "?q=" + urllib.parse.quote(d["serialNumber"] + "\u00a0"))
    check(('value="%s"' % d["serialNumber"]) in r.text, "the search box does not show the trimmed search")
    rows = device_rows(s.get(path + "?q=" + urllib.parse.quote(d["productKey"].lower())))
    check([cell(tr, "serial") for tr in rows] == [d["serialNumber"]], "by product key: %d rows" % len(rows))
    rows = device_rows(s.get(path + "?q=" + d["deviceId"].upper()))
    check([cell(tr, "serial") for tr in rows] == [d["serialNumber"]], "by device ID: %d rows" % len(rows))
    check(cell(rows[0], "device-id") == d["deviceId"] if rows else False, "the device ID column")
    rows = device_rows(s.get(path + "?q=808"))
    with_808 = {x["serialNumber"] for x in doc["devices"] if x["errorCode"] == "808"}
    got = {cell(tr, "serial") for tr in rows}
    check(with_808 and with_808 <= got, "?q=808 misses devices with 808: %r" % sorted(with_808 - got))
    check(all("808" in (cell(tr, "code") + cell(tr, "serial") + cell(tr, "pkey") + cell(tr, "device-id"))
              for tr in rows), "?q=808 shows a device without 808")


@test("main")
def clear_keeps_the_status(s):
    path = batch_path(T["large"])
    r = s.get(path + "?status=failed&q=SN-&lang=ja")
    clears = [a.attrs.get("href", "") for a in r.tree.root.find_all("a") if "clear" in a.classes()]
    check(len(clears) == 1, "%d Clear links" % len(clears))
    check(clears and clears[0] == path + "?lang=ja-JP&status=failed", "Clear goes to %r" % clears)
    r = s.get(path + "?status=failed")
    check(not [a for a in r.tree.root.find_all("a") if "clear" in a.classes()],
          "a Clear link without a search")


@test("main")
def chart_of_devices_by_status(s):
    r = s.get(batch_path(T["large"]))
    svgs = r.tree.root.find_all("svg")
    check(len(svgs) == 1, "expected one inline SVG chart, got %d" % len(svgs))
    bars = [g for g in svgs[0].iter() if g.tag == "g" and "bar" in g.classes()] if svgs else []
    check(len(bars) >= 2, "bars %d" % len(bars))
    for g in bars:
        texts = [c for c in g.iter() if c.tag == "text"]
        check(len(texts) == 2, "a bar without its label and number")
        check(any(c.startswith("status-") for c in g.classes()), "a bar without its status colour class")
    scripts = r.tree.root.find_all("script")
    check(all(sc.attrs.get("src", "").endswith("/static/batchstatus.js") and not sc.text().strip() for sc in scripts),
          "a script that is not static/batchstatus.js: %r" % [sc.attrs for sc in scripts])


@test("main")
def embed_mode_drops_the_site_chrome(s):
    r = s.get(batch_path(T["large"]) + "?embed=1&lang=ja")
    expect_status(r, 200)
    check('<header class="site"' not in r.text, "the site header is shown embedded")
    check(not r.tree.root.find_all("form", **{"class": "lookup-form"}), "the lookup form is shown embedded")
    anchors = r.tree.root.find_all("a")
    links = [a.attrs.get("href", "") for a in anchors if a.attrs.get("target") != "_top"]
    own = [h for h in links if h.startswith("/") and not h.endswith((".csv", ".json")) and "embed=1" not in h]
    check(not own, "links leave embed mode: %r" % own[:3])
    # "Link to this batch" is the one that leaves: the page itself, outside the portal's frame.
    top = [a for a in anchors if a.attrs.get("target") == "_top"]
    check(len(top) == 1 and top[0].attrs.get("id") == "self-link" and "embed=1" not in top[0].attrs.get("href", "")
          and top[0].attrs.get("href", "").startswith(batch_path(T["large"])),
          "the embedded link to this batch: %r" % [a.attrs for a in top])
    check("frame-ancestors 'self'" in (r.header("Content-Security-Policy") or ""),
          "CSP %r" % r.header("Content-Security-Policy"))
    check('<header class="site"' in s.get(batch_path(T["large"])).text, "no header without embed")


# 1. the form
@test("main")
def form_page(s):
    r = s.get("/")
    expect_status(r, 200)
    expect_html(r)
    forms = r.tree.root.find_all("form")
    check(len(forms) == 1, "expected one <form>, found %d" % len(forms))
    f = forms[0]
    check(f.attrs.get("method", "get").lower() == "get", "form method %r" % f.attrs.get("method"))
    check(f.attrs.get("action") == "/", "form action %r" % f.attrs.get("action"))
    names = [i.attrs.get("name") for i in f.find_all("input")]
    check("customer" in names and "tracking" in names, "form inputs %r" % names)


# 2. redirects
@test("main")
def redirect_from_form(s):
    before = s.fake_count()
    expect_redirect(s.get(query(customer=C, tracking=T["seed"])))
    check(s.fake_count() == before, "a redirect called upstream")


@test("main")
def redirect_follows_to_batch_page(s):
    r = s.get(query(customer=C, tracking=T["seed"]))
    expect_status(r, 303)
    r2 = s.get(location_path(r))
    expect_status(r2, 200, "following the redirect: ")
    check(T["seed"] in r2.text, "the batch page does not show the tracking id")


@test("main")
def redirect_lowercases_upper_case(s):
    expect_redirect(s.get(query(customer=C.upper(), tracking=T["seed"].upper())))


@test("main")
def redirect_accepts_braces_and_spaces(s):
    expect_redirect(s.get(query(customer="  {%s} " % C.upper(), tracking=" {%s}  " % T["seed"])))


@test("main")
def redirect_from_location_value(s):
    loc = "/customers/%s/batchJobStatus/%s" % (C, T["seed"])
    expect_redirect(s.get(query(customer="", tracking=loc)))
    expect_redirect(s.get("/?" + urllib.parse.urlencode({"tracking": loc})))


@test("main")
def redirect_from_full_location_url(s):
    loc = "https://api.partnercenter.microsoft.com/v1/customers/%s/batchJobStatus/%s" % (C, T["seed"])
    expect_redirect(s.get(query(customer="", tracking=loc)))


@test("main")
def redirect_from_location_with_same_customer(s):
    loc = "/customers/%s/batchJobStatus/%s" % (C, T["seed"])
    expect_redirect(s.get(query(customer=C.upper(), tracking=loc)))


@test("main")
def redirect_from_partner_center_path(s):
    for word in ("batchJobStatus", "batchjobstatus", "BATCHJOBSTATUS"):
        before = s.fake_count()
        r = s.get("/v1/customers/%s/%s/%s" % (C, word, T["seed"].upper()))
        check(r.status == 303, "/v1/.../%s/..: %s" % (word, r.where()))
        expect_redirect(r)
        check(s.fake_count() == before, "the /v1 redirect called upstream")


# 3. bad input
_form_text_cache = {}


def form_chunks(s):
    if s.name not in _form_text_cache:
        _form_text_cache[s.name] = set(text_chunks(s.get("/").tree.root))
    return _form_text_cache[s.name]


MESSAGE_RE = re.compile(r"invalid|\bnot\b|never|missing|required|must|too long|conflict|"
                        r"doesn't|malformed|empty|enter|guid|check|control",
                        re.IGNORECASE)


def expect_bad_input(s, params=None, raw_query=None, echo=True):
    before = s.fake_count()
    path = raw_query if raw_query is not None else "/?" + urllib.parse.urlencode(params)
    r = s.get(path)
    expect_status(r, 400)
    expect_html(r)
    forms = r.tree.root.find_all("form")
    check(len(forms) == 1, "the 400 page has %d forms, expected the form again" % len(forms))
    inputs = {i.attrs.get("name"): i for i in forms[0].find_all("input")}
    check("customer" in inputs and "tracking" in inputs,
          "the 400 form lacks the customer/tracking inputs")
    if echo and params:
        for k in ("customer", "tracking"):
            want = params.get(k, "")
            got = inputs[k].attrs.get("value", "")
            check(got == want, "input %s shows %r, submitted %r" % (k, short(got), short(want)))
    fresh = [c for c in text_chunks(r.tree.root) if c not in form_chunks(s)]
    check(any(MESSAGE_RE.search(c) for c in fresh),
          "no message saying what is wrong (new text: %r)" % short(" / ".join(fresh), 200))
    check(s.fake_count() == before, "bad input caused %d upstream request(s)"
          % (s.fake_count() - before))
    return r


@test("main")
def bad_customer_not_guid(s):
    expect_bad_input(s, {"customer": "not-a-guid", "tracking": T["seed"]})


@test("main")
def bad_input_is_escaped_in_form(s):
    evil = '"><script>alert(1)</script>'
    r = expect_bad_input(s, {"customer": evil, "tracking": T["seed"]})
    check("<script>alert(1)" not in r.text, "the submitted value is echoed unescaped")


@test("main")
def bad_tracking_missing(s):
    expect_bad_input(s, {"customer": C})
    expect_bad_input(s, {"customer": C, "tracking": ""})


@test("main")
def bad_dotdot(s):
    expect_bad_input(s, {"customer": C, "tracking": "../../../etc/passwd"})
    expect_bad_input(s, {"customer": "..", "tracking": T["seed"]})


@test("main")
def bad_encoded_slash(s):
    expect_bad_input(s, {"customer": C, "tracking": T["seed"] + "/../x"})
    expect_bad_input(s, raw_query="/?customer=%s&tracking=%s%%2F" % (C, T["seed"]), echo=False)


@test("main")
def bad_nul(s):
    expect_bad_input(s, raw_query="/?customer=%s&tracking=%s%%00" % (C, T["seed"]), echo=False)


@test("main")
def bad_newline(s):
    # A line break around a pasted ID is forgiven (test_input.py); one that splits a value is not.
    expect_bad_input(s, raw_query="/?customer=%s&tracking=%s%%0ax" % (C, T["seed"]), echo=False)
    r = expect_bad_input(s, raw_query="/?customer=%s%%0d%%0aX-Evil:%%201&tracking=%s" % (C, T["seed"]),
                         echo=False)
    check(r.header("X-Evil") is None, "CR LF in a value made a response header")


@test("main")
def bad_very_long_value(s):
    expect_bad_input(s, {"customer": C, "tracking": "a" * 10000}, echo=False)


@test("main")
def bad_location_conflicts_with_customer(s):
    loc = "/customers/%s/batchJobStatus/%s" % (C, T["seed"])
    expect_bad_input(s, {"customer": OTHER_CUSTOMER, "tracking": loc})


NGINX_PAGE = b"<hr><center>nginx</center>"


def expect_no_route(s, path, statuses, nginx_may_answer=False):
    before = s.fake_count()
    r = s.get(path)
    check(r.status in statuses, "%s: expected %s, got %s" % (path, statuses, r.where()))
    expect_status(r, r.status, "%s: " % short(path, 80))  # its standard phrase (nginx's pages too)
    if not (nginx_may_answer and NGINX_PAGE in r.body):
        expect_html(r)
    check(s.fake_count() == before, "%s caused an upstream request" % path)
    return r


@test("main")
def unknown_paths_404(s):
    expect_no_route(s, "/nope", (404,))
    expect_no_route(s, batch_path(T["seed"], "/extra"), (404,))
    expect_no_route(s, batch_path(T["seed"], ".xml"), (400, 404))
    expect_no_route(s, "/customers/%s/nothing" % C, (404,))


@test("main")
def bad_guid_in_canonical_path_400(s):
    expect_no_route(s, "/customers/not-a-guid/batches/%s" % T["seed"], (400,))
    expect_no_route(s, "/customers/%s/batches/%s" % (C, "zz" + T["seed"][2:]), (400,))


@test("main")
def path_tricks_rejected(s):
    expect_no_route(s, "/customers/%s/batches/%s%%2Fx" % (C, T["seed"]), (400, 404))
    expect_no_route(s, "/customers/%s/batches/%%2e%%2e" % C, (400, 404))
    # nginx itself refuses a %00 in the path with its own 400 page
    expect_no_route(s, "/customers/%s/batches/%s%%00" % (C, T["seed"]), (400, 404), nginx_may_answer=True)


@test("main")
def correlation_id_on_400_and_404(s):
    for path, status in ((query(customer="not-a-guid", tracking=T["seed"]), 400),
                         ("/customers/not-a-guid/batches/%s" % T["seed"], 400),
                         ("/nope", 404)):
        r = s.get(path)
        expect_status(r, status, "%s: " % short(path, 60))
        try:
            correlation_id(r)
        except Failure as e:
            raise Failure("HTTP %d page: %s" % (status, str(e).split(" in HTTP")[0]))


@test("main")
def post_is_405(s):
    before = s.fake_count()
    r = s.request("/", method="POST", body=b"customer=x&tracking=y",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    expect_status(r, 405, "POST /: ")
    r = s.request(batch_path(T["seed"]), method="POST", body=b"")
    expect_status(r, 405, "POST batch page: ")
    check(s.fake_count() == before, "a POST caused an upstream request")


# 4. the seed batch
@test("main")
def seed_page(s):
    r = s.get(batch_path(T["seed"]))
    expect_status(r, 200)
    expect_html(r)
    text = page_text(r)
    check(T["seed"] in text, "tracking id not shown")
    check("status-finished" in badge_classes(r),
          "no status badge with class status-finished (status-* classes: %s)" % sorted(badge_classes(r)))
    outside = text_outside_devices(r)
    check("2017-07-25 10:00" in outside, "started time 2017-07-25 10:00 not shown: %r" % short(outside, 400))
    check("10:10" in outside, "completed time 10:10 not shown")
    check("UTC" in outside, "times not marked UTC")
    check(re.search(r"\b10\s*min", outside), "duration 10 min not shown: %r" % short(outside, 400))
    rows = device_rows(r)
    check(len(rows) == 1, "expected 1 device row, got %d" % len(rows))
    cells = [norm_ws(c) for c in row_cells(rows[0])]
    for want in ("1234567890", "12345-67890-09876-54321-13579", "808", "ZtdDeviceAssignedToOtherTenant"):
        check(want in cells, "device row lacks %r: %r" % (want, cells))
    check(explanation(rows[0]), "the 808 row has an empty explanation")


@test("main")
def seed_device_counts(s):
    r = s.get(batch_path(T["processing"]))
    expect_status(r, 200)
    outside = text_outside_devices(r)

    def near(count, label):
        pat = r"(\b%d\b\D{0,40}%s)|(%s\D{0,40}\b%d\b)" % (count, label, label, count)
        return re.search(pat, outside, re.IGNORECASE)
    check(near(5, r"devices?"), "total of 5 devices not shown: %r" % short(outside, 500))
    check(near(2, r"in[- _]progress"), "count of 2 in-progress not shown")
    check(near(1, r"finished[ _]with[ _]errors|errors?|failed"), "count of 1 with errors not shown")


@test("main")
def seed_json(s):
    r = s.get(batch_path(T["seed"], ".json"))
    expect_status(r, 200)
    ct = r.header("Content-Type") or ""
    check(ct.startswith("application/json"), "Content-Type %r" % ct)
    try:
        doc = json.loads(r.body.decode("utf-8"))
    except ValueError as e:
        raise Failure("not JSON: %s" % e)
    check(isinstance(doc, dict), "top level is not an object")
    check(doc.get("batchTrackingId") == T["seed"], "batchTrackingId %r" % doc.get("batchTrackingId"))
    check(doc.get("status") == "finished", "status %r" % doc.get("status"))
    check(doc.get("startedTime") == "2017-07-25T10:00:00Z", "startedTime %r" % doc.get("startedTime"))
    check(doc.get("completedTime") == "2017-07-25T10:10:00Z", "completedTime %r" % doc.get("completedTime"))
    check(doc.get("durationSeconds") == 600, "durationSeconds %r" % doc.get("durationSeconds"))
    devs = doc.get("devices")
    check(isinstance(devs, list) and len(devs) == 1, "devices %r" % short(devs))
    d = devs[0]
    want = {"serialNumber": "1234567890", "productKey": "12345-67890-09876-54321-13579",
            "status": "finished_with_errors", "errorCode": "808",
            "errorDescription": "ZtdDeviceAssignedToOtherTenant"}
    for k, v in want.items():
        check(d.get(k) == v, "devices[0].%s = %r, expected %r" % (k, d.get(k), v))
    check(isinstance(d.get("explanation"), str) and d["explanation"].strip(),
          "devices[0].explanation %r" % d.get("explanation"))
    # Partner Center says "finished"; its only device failed: the outcome says so.
    check(doc.get("outcome") == "all_failed", "outcome %r" % doc.get("outcome"))
    check(doc.get("registeredCount") == 0 and doc.get("failedCount") == 1,
          "registeredCount %r failedCount %r" % (doc.get("registeredCount"), doc.get("failedCount")))


@test("main")
def what_to_fix_counts_each_kind_of_failure(s):
    # The large batch's failures by code, most devices first, each saying what to do;
    # together they are every failed device (806 is none).
    r = s.get(batch_path(T["large"]))
    expect_status(r, 200)
    tables = r.tree.root.find_all("table", id="fixes")
    check(tables, "no what-to-fix table")
    rows = [tr for tr in tables[0].find_all("tr") if tr.find_all("td")]
    counts = [int(norm_ws(tr.find_all("td")[2].text())) for tr in rows]
    check(counts == sorted(counts, reverse=True), "not most devices first: %r" % counts)
    doc = json.loads(s.get(batch_path(T["large"], ".json")).body.decode("utf-8"))
    check(sum(counts) == doc["failedCount"], "%d in what-to-fix, %d failed" % (sum(counts), doc["failedCount"]))
    codes = [norm_ws(tr.find_all("td")[0].text()) for tr in rows]
    check("806" not in codes, "806 listed as something to fix")
    check(all(norm_ws(tr.find_all("td")[3].text()) for tr in rows), "a row says nothing of what to do")


@test("main")
def the_headline_comes_from_the_devices(s):
    # The seed batch is "finished" with its one device failed (808): red, and it says so.
    r = s.get(batch_path(T["seed"]))
    expect_status(r, 200)
    h = r.tree.root.find_all("p", id="headline")
    check(h, "no headline")
    check("outcome-all_failed" in h[0].classes(), "headline classes %r" % h[0].classes())
    check("failed" in h[0].text(), "headline %r" % h[0].text())
    # A running batch: how many are done; its 806 device counts as registered, not failed.
    r = s.get(batch_path(T["processing"]))
    h = r.tree.root.find_all("p", id="headline")
    check(h and "outcome-running" in h[0].classes(), "running headline %r" % (h and h[0].classes()))
    doc = json.loads(s.get(batch_path(T["processing"], ".json")).body.decode("utf-8"))
    check(doc.get("outcome") == "running", "processing outcome %r" % doc.get("outcome"))
    check(doc.get("failedCount") == 0, "the 806 device counted as failed: %r" % doc.get("failedCount"))


def csv_rows(r):
    expect_status(r, 200)
    ct = (r.header("Content-Type") or "").lower().replace(" ", "")
    check(ct.split(";")[0] == "text/csv" and "charset=utf-8" in ct.split(";")[1:],
          "Content-Type %r" % r.header("Content-Type"))
    try:
        text = r.body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure("CSV is not UTF-8: %s" % e)
    if text.startswith("\ufeff"):
        text = text[1:]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(rows, "empty CSV")
    return rows


def csv_columns(header):
    """Map our field names to column indexes from the header row."""
    cols = {}
    keys = [re.sub(r"[^a-z]", "", h.lower()) for h in header]
    for i, k in enumerate(keys):
        if "serial" in k:
            cols.setdefault("serialNumber", i)
        elif "product" in k:
            cols.setdefault("productKey", i)
        elif k in ("status", "devicestatus"):
            cols.setdefault("status", i)
        elif "code" in k:
            cols.setdefault("errorCode", i)
        elif "description" in k or k in ("error", "errorname"):
            cols.setdefault("errorDescription", i)
        elif "deviceid" in k:
            cols.setdefault("deviceId", i)
    missing = [f for f in DEVICE_FIELDS if f not in cols]
    check(not missing, "CSV header %r lacks columns for %s" % (header, missing))
    return cols


@test("main")
def seed_csv(s):
    rows = csv_rows(s.get(batch_path(T["seed"], ".csv")))
    cols = csv_columns(rows[0])
    check(len(rows) == 2, "expected header + 1 row, got %d rows" % len(rows))
    check(rows[1][cols["serialNumber"]] == "1234567890", "row %r" % rows[1])
    check(rows[1][cols["errorCode"]] == "808", "row %r" % rows[1])
    check(rows[1][cols["errorDescription"]] == "ZtdDeviceAssignedToOtherTenant", "row %r" % rows[1])


def catalog(tag):
    """The catalog of one language, key -> text."""
    with open(os.path.join(ROOT, "templates", "i18n", tag + ".catalog"), encoding="utf-8") as f:
        return {k.strip(): v.strip() for k, _, v in (l.partition("=") for l in f if not l.startswith("#")) if _}


@test("main")
def exports_speak_the_readers_language(s):
    # ?lang=ja-JP: the JSON's label and explanation, and the CSV's explanation, in Japanese;
    # the fields, codes and statuses stay as they are. Accept-Language chooses too.
    ja, en = catalog("ja-JP"), catalog("en-US")
    r = s.get(batch_path(T["seed"], ".json") + "?lang=ja-JP")
    expect_status(r, 200)
    doc = json.loads(r.body.decode("utf-8"))
    check(doc.get("statusLabel") == ja["status.finished"], "statusLabel %r" % doc.get("statusLabel"))
    d = doc["devices"][0]
    check(d.get("explanation") == ja["err.808"], "explanation %r" % d.get("explanation"))
    check(d.get("status") == "finished_with_errors", "status %r" % d.get("status"))
    rows = csv_rows(s.get(batch_path(T["seed"], ".csv") + "?lang=ja-JP"))
    check(ja["err.808"] in rows[1], "CSV row %r lacks the Japanese explanation" % rows[1])
    check(en["err.808"] not in rows[1], "CSV row %r explains in English" % rows[1])
    r = s.get(batch_path(T["seed"], ".json"), headers={"Accept-Language": "hu"})
    doc = json.loads(r.body.decode("utf-8"))
    check(doc["devices"][0].get("explanation") == catalog("hu-HU")["err.808"],
          "Accept-Language: hu explanation %r" % doc["devices"][0].get("explanation"))
    r = s.get(batch_path(T["seed"], ".json"))
    doc = json.loads(r.body.decode("utf-8"))
    check(doc["devices"][0].get("explanation") == en["err.808"], "default explanation %r"
          % doc["devices"][0].get("explanation"))


def disposition_name(r):
    m = re.fullmatch(r'(attachment|inline); filename="([A-Za-z0-9._-]+)"', r.header("Content-Disposition") or "")
    check(m, "Content-Disposition %r" % r.header("Content-Disposition"))
    return m.group(1), m.group(2)


@test("main")
def exports_filtered_named_and_marked(s):
    # ?lang=ja-JP CSV: a BOM first, Japanese words, saved under the customer, batch and date.
    ja = catalog("ja-JP")
    r = s.get(batch_path(T["large"], ".csv") + "?lang=ja-JP")
    expect_status(r, 200)
    check(r.body.startswith(b"\xef\xbb\xbfserialNumber,productKey,"), "CSV start %r" % r.body[:40])
    kind, name = disposition_name(r)
    check(kind == "attachment" and re.fullmatch(r"batch-%s-%s-\d{8}\.csv" % (C, T["large"]), name),
          "CSV name %r" % name)
    rows = csv_rows(r)
    check(any(ja["err.808"] in row for row in rows), "no Japanese explanation in the CSV")
    header = rows[0]
    check(header[-2:] == ["batchTrackingId", "batchStatus"], "CSV header %r" % header)
    check(all(row[-2:] == [T["large"], "finished_with_errors"] for row in rows[1:]), "batch columns")
    all_etag = r.header("ETag")
    # ?status=failed: the failed devices only, named so, another ETag.
    doc = json.loads(s.get(batch_path(T["large"], ".json")).text)
    failed = [d for d in doc["devices"] if (d["errorCode"] or d["errorDescription"])
              and d["errorCode"] != "806"]
    r = s.get(batch_path(T["large"], ".csv") + "?status=failed&lang=ja-JP")
    rows = csv_rows(r)
    cols = csv_columns(rows[0])
    check([row[cols["serialNumber"]] for row in rows[1:]] == [d["serialNumber"] for d in failed],
          "?status=failed CSV: %d rows, %d failed" % (len(rows) - 1, len(failed)))
    check(rows[0][:2] == ["serialNumber", "productKey"], "re-upload columns first: %r" % rows[0][:2])
    check(disposition_name(r)[1].endswith("-failed.csv"), "name %r" % disposition_name(r)[1])
    failed_etag = r.header("ETag")
    # ?code=808 (or its name): its devices only.
    r = s.get(batch_path(T["large"], ".csv") + "?code=808&lang=ja-JP")
    rows = csv_rows(r)
    cols = csv_columns(rows[0])
    check(len(rows) > 1 and all(row[cols["errorCode"]] == "808" for row in rows[1:]), "?code=808 rows")
    check(len(rows) - 1 == len([d for d in doc["devices"] if d["errorCode"] == "808"]), "?code=808 count")
    check(disposition_name(r)[1].endswith("-808.csv"), "name %r" % disposition_name(r)[1])
    code_etag = r.header("ETag")
    r2 = s.get(batch_path(T["large"], ".csv") + "?code=ZtdDeviceAssignedToOtherTenant&lang=ja-JP")
    check(r2.body == r.body and r2.header("ETag") == code_etag, "?code= by name is not ?code=808")
    check(len({all_etag, failed_etag, code_etag}) == 3 and None not in (all_etag, failed_etag, code_etag),
          "ETags %r" % [all_etag, failed_etag, code_etag])
    # Each validates only itself.
    expect_status(s.get(batch_path(T["large"], ".csv") + "?code=808&lang=ja-JP",
                        headers={"If-None-Match": code_etag}), 304)
    expect_status(s.get(batch_path(T["large"], ".csv") + "?status=failed&lang=ja-JP",
                        headers={"If-None-Match": code_etag}), 200)
    # JSON: shown inline, named the same way, filtered the same way, in Japanese.
    r = s.get(batch_path(T["large"], ".json") + "?status=failed&code=808&lang=ja-JP")
    kind, name = disposition_name(r)
    check(kind == "inline" and name.endswith("-failed-808.json"), "JSON %s %r" % (kind, name))
    jd = json.loads(r.body.decode("utf-8"))
    check(jd["filter"] == {"status": "failed", "code": "808"}, "filter %r" % jd.get("filter"))
    check(jd["devices"] and all(d["errorCode"] == "808" for d in jd["devices"]), "JSON ?code=808")
    check(jd["devices"][0]["explanation"] == ja["err.808"], "JSON explanation not Japanese")
    check(jd["deviceCount"] == 400, "deviceCount is the batch's: %r" % jd["deviceCount"])
    # The default stays every device, unfiltered.
    jd = json.loads(s.get(batch_path(T["large"], ".json")).text)
    check(len(jd["devices"]) == 400 and jd["filter"] == {"status": None, "code": None}, "default JSON")


@test("main")
def json_null_for_every_missing_value(s):
    # The odd batch has null, missing and empty fields: the JSON has null for each, never "".
    for name in ("odd", "large", "queued", "unknownstatus"):
        doc = json.loads(s.get(batch_path(T[name], ".json")).text)
        empty = []

        def walk(x, where):
            if x == "":
                empty.append(where)
            elif isinstance(x, dict):
                for k, v in x.items():
                    walk(v, where + "." + k)
            elif isinstance(x, list):
                for i, v in enumerate(x):
                    walk(v, "%s[%d]" % (where, i))
        walk(doc, name)
        check(not empty, '"" in the JSON at %r' % empty[:5])
    doc = json.loads(s.get(batch_path(T["odd"], ".json")).text)
    blank = [d for d in doc["devices"] if d["serialNumber"] is None]
    check(blank and all(blank[0][k] is None for k in ("deviceId", "productKey", "status", "errorCode",
                                                       "errorDescription", "explanation")),
          "a device of nulls: %r" % (blank[:1],))
    check(doc["deviceCounts"].get("none") == len(blank), "deviceCounts %r" % doc["deviceCounts"])


@test("main")
def what_to_fix_links_its_devices(s):
    path = batch_path(T["large"])
    r = s.get(path + "?lang=hu")
    tables = r.tree.root.find_all("table", id="fixes")
    check(len(tables) == 1, "no table#fixes")
    rows = [tr for tr in tables[0].find_all("tr") if tr.find_all("td")]
    linked = 0
    for tr in rows:
        code = cell(tr, "fix-code") or cell(tr, "fix-name")
        n = int(cell(tr, "fix-n"))
        # Microsoft's page about the error, in the reader's language, on every row.
        docs = [a.attrs.get("href", "") for a in tr.find_all("a") if "doc" in a.classes()]
        check(len(docs) == 1 and docs[0].startswith("https://learn.microsoft.com/hu-hu/"),
              "row %s: Microsoft's page %r" % (code, docs))
        links = [a.attrs.get("href", "") for a in tr.find_all("a") if "doc" not in a.classes()]
        if not links:
            continue
        linked += 1
        check(len(links) == 1 and links[0].startswith(batch_path(T["large"], ".csv") + "?lang=hu-HU&code="),
              "row %s links %r" % (code, links))
        got = csv_rows(s.get(links[0]))
        check(len(got) - 1 == n, "row %s says %d devices, its CSV has %d" % (code, n, len(got) - 1))
    check(linked >= len(rows) - 1, "%d of %d rows link their devices" % (linked, len(rows)))
    failed = r.tree.root.find_all("a", id="failed-csv")
    check(len(failed) == 1 and failed[0].attrs.get("href") == batch_path(T["large"], ".csv") +
          "?lang=hu-HU&status=failed", "failed CSV link %r" % [a.attrs for a in failed])
    check(norm_ws(failed[0].text()) == catalog("hu-HU")["batch.fix.failed_csv"], "its words")
    total = sum(int(cell(tr, "fix-n")) for tr in rows)
    check(len(csv_rows(s.get(failed[0].attrs["href"]))) - 1 == total, "the failed CSV is not the rows' sum")


# 5. other batches
@test("main")
def queued_page(s):
    r = s.get(batch_path(T["queued"]))
    expect_status(r, 200)
    check("status-queued" in badge_classes(r), "no status-queued badge: %s" % sorted(badge_classes(r)))
    check(len(device_rows(r)) == 3, "expected 3 device rows, got %d" % len(device_rows(r)))


@test("main")
def processing_page(s):
    r = s.get(batch_path(T["processing"]))
    expect_status(r, 200)
    # It reloads itself (HTTP Refresh, no JavaScript), every 5 s at first, 60 s at most.
    refresh = r.header("Refresh") or ""
    check(re.fullmatch(r"\d+", refresh) and 5 <= int(refresh) <= 60, "Refresh %r" % refresh)
    check(r.tree.root.find_all("progress"), "no <progress> bar on a running batch")
    check(r.tree.root.find_all("a", id="check-now"), "no check-now link")
    check(s.get(batch_path(T["seed"])).header("Refresh") is None, "a finished batch's page refreshes")
    check("status-processing" in badge_classes(r), "no status-processing badge: %s" % sorted(badge_classes(r)))
    rows = device_rows(r)
    check(len(rows) == 5, "expected 5 device rows, got %d" % len(rows))
    outside = text_outside_devices(r)
    check(re.search(r"\b[45]\s*min", outside), "running time (~4 min) not shown: %r" % short(outside, 400))
    row = row_with(rows, "P-SERIAL-5")
    check(explanation(row), "the 806 row has no explanation")
    in_progress = [tr for tr in rows
                   if any(re.fullmatch(r"in[- _]progress", norm_ws(c), re.I) for c in row_cells(tr))]
    check(len(in_progress) == 2, "expected 2 rows shown as in-progress, got %d" % len(in_progress))


@test("main")
def large_page(s):
    r = s.get(batch_path(T["large"]))
    expect_status(r, 200)
    rows = device_rows(r)
    check(len(rows) == 400, "expected 400 device rows, got %d" % len(rows))
    fixture = fixture_json("large.json")["devicesStatus"]
    by_serial = {norm_ws(row_cells(tr)[0]): tr for tr in rows}
    explanations = {}
    for d in fixture:
        if d["status"] != "finished_with_errors":
            continue
        tr = row_with(rows, d["serialNumber"]) if d["serialNumber"] not in by_serial else by_serial[d["serialNumber"]]
        cells = [norm_ws(c) for c in row_cells(tr)]
        check(d["errorDescription"] in cells, "%s: %s not shown" % (d["serialNumber"], d["errorDescription"]))
        if d["errorCode"] not in ("", "0"):
            check(d["errorCode"] in cells, "%s: code %s not shown" % (d["serialNumber"], d["errorCode"]))
        if d["errorDescription"] == "SomethingNew":
            continue
        exp = explanation(tr)
        check(exp, "%s (%s) has no explanation" % (d["serialNumber"], d["errorDescription"]))
        explanations.setdefault(d["errorDescription"], exp)
    want = set(KNOWN_ERRORS.values()) | set(KNOWN_NAMES_WITHOUT_CODE)
    check(set(explanations) == want, "explained: %s" % sorted(explanations))
    distinct = set(explanations.values())
    check(len(distinct) == len(want),
          "%d known errors share %d different explanations" % (len(want), len(distinct)))
    text = page_text(r)
    for word in ("paused", "999", "SomethingNew"):
        check(word in text, "unknown value %r not shown as it came" % word)


@test("main")
def large_json_and_csv(s):
    r = s.get(batch_path(T["large"], ".json"))
    expect_status(r, 200)
    doc = json.loads(r.body.decode("utf-8"))
    devs = doc.get("devices")
    check(isinstance(devs, list) and len(devs) == 400, "json devices: %s" % short(devs))
    unknown = [d for d in devs if d.get("errorCode") == "999"]
    check(len(unknown) >= 1 and unknown[0].get("errorDescription") == "SomethingNew",
          "999/SomethingNew not in the JSON as it came")
    check(any(d.get("status") == "paused" for d in devs), "status 'paused' not in the JSON as it came")
    rows = csv_rows(s.get(batch_path(T["large"], ".csv")))
    check(len(rows) == 401, "CSV: expected header + 400 rows, got %d" % len(rows))
    cols = csv_columns(rows[0])
    check(rows[1][cols["serialNumber"]] == "SN-000001", "first CSV row %r" % rows[1])


@test("main")
def odd_page(s):
    r = s.get(batch_path(T["odd"]))
    expect_status(r, 200)
    check("status-finished_with_errors" in badge_classes(r),
          "odd casing not normalised: status-* classes %s" % sorted(badge_classes(r)))
    outside = text_outside_devices(r)
    check("2024-03-01 08:00" in outside, "started time not shown: %r" % short(outside, 300))
    check("09:30" in outside, "completed time not shown")
    rows = device_rows(r)
    check(len(rows) >= 3, "expected at least the 3 object devices, got %d rows" % len(rows))
    row_with(rows, "ODD-1")
    tr = row_with(rows, "ODD-3")
    check("808" in [norm_ws(c) for c in row_cells(tr)], "numeric errorCode 808 not shown")
    check(explanation(tr), "numeric errorCode 808 gets no explanation")


@test("main")
def odd_json(s):
    r = s.get(batch_path(T["odd"], ".json"))
    expect_status(r, 200)
    doc = json.loads(r.body.decode("utf-8"))
    check(doc.get("status") == "finished_with_errors", "status %r" % doc.get("status"))
    check(doc.get("durationSeconds") in (5404, 5405), "durationSeconds %r (08:00:00.12 to 09:30:05)"
          % doc.get("durationSeconds"))


@test("main")
def nodevices_page(s):
    r = s.get(batch_path(T["nodevices"]))
    expect_status(r, 200)
    check("status-finished" in badge_classes(r), "no status-finished badge")
    tables = r.tree.root.find_all("table", id="devices")
    rows = device_rows(r) if tables else []
    check(len(rows) == 0, "an empty batch shows %d device rows" % len(rows))
    rows = csv_rows(s.get(batch_path(T["nodevices"], ".csv")))
    check(len(rows) == 1, "CSV of an empty batch: expected just the header, got %d rows" % len(rows))


@test("main")
def unknownstatus_page(s):
    r = s.get(batch_path(T["unknownstatus"]))
    expect_status(r, 200)
    outside = text_outside_devices(r)
    check("archived" in outside, "unknown status 'archived' not shown as it came")
    # Said to be one this page does not know, in the reader's words, not bare.
    badge = r.tree.root.find_all("span", id="batch-status")
    check(badge and norm_ws(badge[0].text()) == "Unknown status: archived", "badge %r" % (badge and badge[0].text()))
    r = s.get(batch_path(T["unknownstatus"]) + "?lang=hu-HU")
    badge = r.tree.root.find_all("span", id="batch-status")
    check(badge and norm_ws(badge[0].text()) == "Ismeretlen állapot: archived", "hu badge %r" % (badge and badge[0].text()))
    doc = json.loads(s.get(batch_path(T["unknownstatus"], ".json")).body.decode("utf-8"))
    check(doc.get("status") == "archived", "json status %r" % doc.get("status"))
    check(doc.get("statusLabel") == "Unknown status: archived", "json statusLabel %r" % doc.get("statusLabel"))


# 7. what Partner Center receives
@test("main")
def upstream_request_headers(s):
    before = s.fake_count()
    r1 = s.get(batch_path(T["processing"]))
    r2 = s.get(batch_path(T["queued"]))
    expect_status(r1, 200)
    expect_status(r2, 200)
    new = new_upstream(s, before)
    check(len(new) == 2, "expected 2 upstream calls for 2 page views, fake saw %d" % len(new))
    for e, name in zip(new, ("processing", "queued")):
        want_path = "/v1/customers/%s/batchJobStatus/%s" % (C, T[name])
        check(e["method"] == "GET", "method %r" % e["method"])
        check(e["path"] == want_path, "path %r, expected %r" % (e["path"], want_path))
        check(hdr(e, "Authorization") == "Bearer <ok>", "Authorization %r" % hdr(e, "Authorization"))
        check((hdr(e, "Accept") or "").startswith("application/json"), "Accept %r" % hdr(e, "Accept"))
        check(GUID_RE.match(hdr(e, "MS-RequestId") or ""), "MS-RequestId %r" % hdr(e, "MS-RequestId"))
        check(GUID_RE.match(hdr(e, "MS-CorrelationId") or ""),
              "MS-CorrelationId %r" % hdr(e, "MS-CorrelationId"))
        check(hdr(e, "X-Locale") == "en-US", "X-Locale %r" % hdr(e, "X-Locale"))
        app = hdr(e, "MS-PartnerCenter-Application") or ""
        check(app.startswith("batchstatus/") and len(app) > len("batchstatus/"),
              "MS-PartnerCenter-Application %r" % app)
    check(hdr(new[0], "MS-RequestId") != hdr(new[1], "MS-RequestId"), "MS-RequestId reused")
    check(hdr(new[0], "MS-CorrelationId") != hdr(new[1], "MS-CorrelationId"),
          "MS-CorrelationId reused across user requests")


# 9. hostile text
@test("main")
def hostile_html(s):
    r = s.get(batch_path(T["hostile"]))
    expect_status(r, 200)
    body = r.text
    for bad in ("<script>alert", "<img src=x", "<b>plus</b>", "</td></tr></table>"):
        check(bad not in body, "raw %r in the page" % bad)
    for tag, attrs in r.tree.all_tags:
        check(not (tag == "img" and dict(attrs).get("src") == "x"), "an <img src=x> came from upstream data")
        for k, _ in attrs:
            check(not k.lower().startswith("on"), "an event handler attribute %r on <%s>" % (k, tag))
    for sc in r.tree.root.find_all("script"):
        check("alert" not in "".join(c for c in sc.children if isinstance(c, str)),
              "a <script> with upstream text")
    text = html.unescape(page_text(r))
    for want in ("{{X}}", "{{%AUTOESCAPE", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
                 '=HYPERLINK("http://x")', "設備", "😀", "ő"):
        check(want in text, "hostile text %r is not shown literally (escaped) on the page" % want)
    rows = device_rows(r)
    check(len(rows) == 3, "expected 3 device rows, got %d" % len(rows))


@test("main")
def hostile_json(s):
    r = s.get(batch_path(T["hostile"], ".json"))
    expect_status(r, 200)
    try:
        doc = json.loads(r.body.decode("utf-8"))
    except ValueError as e:
        raise Failure("not valid JSON: %s" % e)
    devs = doc.get("devices")
    fixture = fixture_json("hostile.json")["devicesStatus"]
    check(isinstance(devs, list) and len(devs) == len(fixture), "devices %s" % short(devs))
    for i, (got, want) in enumerate(zip(devs, fixture)):
        for f in DEVICE_FIELDS + (["deviceId"] if "deviceId" in got else []):
            check(got.get(f) == want[f], "devices[%d].%s = %r, expected %r" % (i, f, got.get(f), want[f]))


@test("main")
def hostile_csv(s):
    rows = csv_rows(s.get(batch_path(T["hostile"], ".csv")))
    cols = csv_columns(rows[0])
    fixture = fixture_json("hostile.json")["devicesStatus"]
    check(len(rows) == 1 + len(fixture), "expected %d rows, got %d" % (1 + len(fixture), len(rows)))
    for i, want in enumerate(fixture):
        row = rows[i + 1]
        for f, col in cols.items():
            v = want[f]
            exp = "'" + v if v[:1] in ("=", "+", "-", "@") else v
            got = row[col] if col < len(row) else None
            check(got == exp, "row %d %s: got %r, expected %r" % (i + 1, f, got, exp))


# 8. the error table
ERROR_TABLE = [
    ("notfound", 404), ("unauthorized", 502), ("forbidden", 502),
    ("servererror", 502), ("unavailable", 502), ("malformed", 502), ("wrongshape", 502),
    ("wrongtypes", 502), ("empty", 502), ("html", 502), ("badutf8", 502), ("deep", 502),
    ("hangup", 502), ("oversized", 502), ("slow", 504),
]


def error_page(s, name, status):
    before = s.fake_count()
    r = s.get(batch_path(T[name]))
    expect_status(r, status, "%s: " % name)
    expect_html(r)
    cid = correlation_id(r)
    no_upstream_leak(r)
    new = [e for e in new_upstream(s, before) if T[name] in e["path"].lower()]
    check(new, "the fake saw no request for %s" % name)
    ids = {hdr(e, "MS-CorrelationId") for e in new}
    check(ids == {cid}, "page correlation id %s, fake got %s" % (cid, sorted(map(str, ids))))
    return r


def make_error_test(name, status):
    def fn(s):
        r = error_page(s, name, status)
        text = page_text(r).lower()
        if name == "notfound":
            check("no such batch" in text, "404 page does not say 'no such batch'")
        if name in ("unauthorized", "forbidden"):
            check("credentials" in text and "rejected" in text,
                  "page does not say the credentials were rejected")
        if name == "slow":
            check(r.elapsed < 3.5, "504 took %.1fs with a 2000 ms upstream deadline" % r.elapsed)
    fn.__name__ = "error_%s_%d" % (name, status)
    return fn


for _name, _status in ERROR_TABLE:
    test("main")(make_error_test(_name, _status))


@test("main")
def slow_upstream_does_not_block_others(s):
    result = {}

    def slow():
        try:
            result["slow"] = s.get(batch_path(T["slow"]))
        except Failure as e:
            result["slow_err"] = str(e)
    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.3)
    r = s.get(batch_path(T["processing"]))
    th.join(HTTP_TIMEOUT)
    expect_status(r, 200)
    check(r.elapsed < 1.5, "a fast page took %.1fs while a slow upstream call was pending" % r.elapsed)
    check(result.get("slow") is not None and result["slow"].status == 504,
          "the slow one: %s" % (result.get("slow_err") or result["slow"].where()))


@test("main")
def parallel_requests(s):
    out, errs = [], []

    def one(i):
        try:
            out.append(s.get(batch_path(T["processing"] if i % 2 else T["seed"])).status)
        except Failure as e:
            errs.append(str(e))
    ths = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(HTTP_TIMEOUT + 5)
    check(not errs, "; ".join(errs[:3]))
    check(out.count(200) == 12, "12 parallel page views: statuses %s" % out)


# 11. static files
@test("main")
def static_css(s):
    r = s.get("/static/style.css")
    expect_status(r, 200)
    check((r.header("Content-Type") or "").startswith("text/css"), "Content-Type %r" % r.header("Content-Type"))
    check(len(r.body) > 0, "empty stylesheet")
    check(not re.search(r"nginx/\d", r.header("Server") or ""), "Server %r" % r.header("Server"))


@test("main")
def static_script_is_javascript_the_policy_allows(s):
    r = s.get("/static/batchstatus.js")
    expect_status(r, 200)
    # nosniff: a browser runs it only with a JavaScript type.
    check((r.header("Content-Type") or "").startswith("text/javascript"), "Content-Type %r" % r.header("Content-Type"))
    check((r.header("X-Content-Type-Options") or "") == "nosniff", "no nosniff")
    page = s.get(batch_path(T["seed"]))
    check("script-src" not in (page.header("Content-Security-Policy") or "")
          and "default-src 'self'" in (page.header("Content-Security-Policy") or ""),
          "the page's policy does not allow its own script: %r" % page.header("Content-Security-Policy"))


# 10. token rotation
@test("main")
def token_rotation(s):
    path = s.token_path()
    check(os.path.exists(path), "no token file at %s" % path)
    new = "rotated-" + os.urandom(18).hex()
    time.sleep(1.1)  # a new mtime even on second-resolution stat checks
    with open(path, "w") as f:
        f.write(new + "\n")
    s.tokens.add(new)
    before = s.fake_count()
    r = s.get(batch_path(T["processing"]))
    expect_status(r, 200, "after rotating the token: ")
    new_entries = new_upstream(s, before)
    check(new_entries and hdr(new_entries[-1], "Authorization") == "Bearer <ok>",
          "upstream did not get the new token: %s" % [hdr(e, "Authorization") for e in new_entries])


# 6. headers on every HTML answer: pages of every kind asked for here, and every other
# HTML answer this stack gave so far.
HTML_PAGES = ["/", "/?lang=ja-JP", "/?lang=hu", "/?lang=zh-TW",
              query(customer="not-a-guid", tracking=T["seed"]), query(customer=C, tracking=""),
              "/nope", batch_path(T["seed"], "/extra"), "/customers/not-a-guid/batches/%s" % T["seed"],
              batch_path(T["notfound"]), batch_path(T["seed"]), batch_path(T["seed"]) + "?lang=ja",
              batch_path(T["processing"]), batch_path(T["queued"]),
              batch_path(T["large"]) + "?status=failed", batch_path(T["large"]) + "?embed=1",
              batch_path(T["hostile"]), batch_path(T["odd"]), batch_path(T["servererror"]),
              batch_path(T["malformed"]), batch_path(T["unauthorized"])]


@test("main")
def security_headers_on_every_html_answer(s):
    own = [s.get(p) for p in HTML_PAGES]
    checked = 0
    bad = []
    for r in own + [r for r in s.responses if r not in own]:
        if r.method != "GET" or r.status in (303, 405) or NGINX_PAGE in r.body:
            continue  # a redirect has no page; nginx's own pages are other tests' findings
        path = r.path.split("?")[0]
        if path.endswith((".json", ".csv")) or path.startswith("/static/"):
            continue
        checked += 1
        p = security_header_problems(r)
        if p:
            bad.append("HTTP %d: %s" % (r.status, "; ".join(p)))
    check(checked >= len(HTML_PAGES), "only %d HTML answers seen" % checked)
    check(not bad, "%d of %d HTML answers: %s" % (len(bad), checked, " | ".join(sorted(set(bad))[:4])))


# throttled last in its stack: the fake's Retry-After: 57 pauses every upstream call of the
# server, and no test after it could reach Partner Center.
@test("main")
def error_throttled_503(s):
    r = error_page(s, "throttled", 503)
    check(r.header("Retry-After") == "57", "Retry-After %r, expected '57'" % r.header("Retry-After"))
    check(re.search(r"\b57\b", page_text(r)), "the page does not say 57 (seconds)")


@test("main")
def still_alive_after_errors(s):
    r = s.get("/")
    expect_status(r, 200)
    check(s.proc.poll() is None, "scripts/run.sh has exited")


# --- the size-cap stack -----------------------------------------------------

@test("cap")
def max_body_bytes_is_applied(s):
    expect_status(s.get(batch_path(T["seed"])), 200, "seed under a 64 KiB cap: ")
    r = error_page(s, "large", 502)
    check(r.status == 502, r.where())


# 12. many viewers, few upstream calls (the "cache" stack: running batches kept 2 s,
# upstream latency 300 ms so that concurrent requests overlap)
@test("cache")
def coalescing_one_call_for_many_viewers(s):
    # A running batch no one asked for yet: nothing kept, so the 24 share the one call.
    t = steer_id()
    steer(s, t, status="processing")
    out = harness.statuses_at_once(s, [batch_path(t)] * 24)
    check(out == [200] * len(out), "answers %r" % out)
    calls = upstream_calls(s, t)
    check(len(calls) == 1, "24 concurrent viewers made %d upstream calls" % len(calls))
    check(metric(s, 'batchstatus_cache_requests_total{result="coalesced"}') >= 1,
          "no coalesced requests counted")


@test("cache")
def running_batch_is_fetched_again_after_its_interval(s):
    s.get(batch_path(T["queued"]))
    before = s.fake_count()
    expect_status(s.get(batch_path(T["queued"])), 200)
    check(not upstream_calls(s, T["queued"], before), "a second view within 2 s went upstream")
    time.sleep(2.3)
    expect_status(s.get(batch_path(T["queued"])), 200)
    check(len(upstream_calls(s, T["queued"], before)) == 1, "after 2 s the batch was not fetched again")


@test("cache")
def finished_batch_is_kept(s):
    # The app keeps the batch (JSON and CSV come from its cache), and nginx keeps
    # the finished pages it has seen (the repeated HTML never reaches the app).
    first = s.get(batch_path(T["seed"]))
    expect_status(first, 200)
    check(first.header("X-Accel-Expires") is None, "X-Accel-Expires leaked to the browser")
    before = s.fake_count()
    hits = metric(s, 'batchstatus_cache_requests_total{result="hit"}')
    served = metric(s, 'batchstatus_requests_total{route="batch_html",status="200"}')
    time.sleep(2.3)
    for suffix in (".json", ".csv"):
        expect_status(s.get(batch_path(T["seed"], suffix)), 200)
    check(metric(s, 'batchstatus_cache_requests_total{result="hit"}') == hits + 2,
          "JSON and CSV were not served from the app's cache")
    for _ in range(3):
        r = s.get(batch_path(T["seed"]))
        expect_status(r, 200)
        check(r.body == first.body, "a kept page differs from the first")
    check(metric(s, 'batchstatus_requests_total{route="batch_html",status="200"}') == served,
          "nginx did not keep the finished page: the app rendered it again")
    check(not upstream_calls(s, T["seed"], before), "a finished batch went upstream again")


@test("cache")
def etag_and_304(s):
    r = s.get(batch_path(T["seed"]))
    expect_status(r, 200)
    tag = r.header("ETag")
    check(tag and tag.startswith('"') and tag.endswith('"'), "ETag %r" % tag)
    expect_html(r)
    r2 = s.get(batch_path(T["seed"]), headers={"If-None-Match": tag})
    expect_status(r2, 304)
    check(r2.body == b"", "304 with a body of %d bytes" % len(r2.body))
    check(r2.header("ETag") == tag, "304 ETag %r, want %r" % (r2.header("ETag"), tag))
    r3 = s.get(batch_path(T["seed"]), headers={"If-None-Match": 'W/"other", ' + tag})
    expect_status(r3, 304)
    r4 = s.get(batch_path(T["seed"]), headers={"If-None-Match": '"something-else"'})
    expect_status(r4, 200)
    j = s.get(batch_path(T["seed"], ".json"))
    check(j.header("ETag") and j.header("ETag") != tag, "JSON shares the HTML's ETag %r" % tag)
    p = s.get(batch_path(T["processing"]))
    check(p.header("ETag") is None, "a running batch's page (its times move) has an ETag")
    check("no-store" in (p.header("Cache-Control") or ""), "running page Cache-Control %r"
          % p.header("Cache-Control"))


@test("cache")
def a_304_is_never_kept_by_nginx(s):
    # A browser revalidating a page nginx does not hold yet reaches the app, which
    # answers 304. nginx must not keep that and hand an empty 304 to the next visitor.
    tag = s.get(batch_path(T["large"])).header("ETag") or ""
    check(re.search(r'-h\d"$', tag), "ETag %r" % tag)
    # The exports speak the reader's language too: their ETags carry it as the page's does.
    csv_tag = re.sub(r'-h(\d)"$', r'-c\1"', tag)
    r = s.get(batch_path(T["large"], ".csv"), headers={"If-None-Match": csv_tag})
    expect_status(r, 304)
    r = s.get(batch_path(T["large"], ".csv"))
    expect_status(r, 200)
    check(len(r.body) > 1000, "a plain GET after a 304 got %d bytes" % len(r.body))


@test("cache")
def errors_are_not_cached(s):
    before = s.fake_count()
    for _ in range(2):
        expect_status(s.get(batch_path(T["servererror"])), 502)
    check(len(upstream_calls(s, T["servererror"], before)) == 2, "an upstream error was kept")


@test("cache")
def health_and_metrics_do_not_call_upstream(s):
    # A batch no one asked for yet first: the series named below then have a sample.
    expect_status(s.get(batch_path(family_id("f00d0000-"))), 200, "a new batch first: ")
    before = s.fake_count()
    r = s.get("/healthz")
    expect_status(r, 200)
    r = s.get("/metrics")
    expect_status(r, 200)
    check((r.header("Content-Type") or "").startswith("text/plain"), "metrics Content-Type")
    for name in ("batchstatus_requests_total{route=\"batch_html\",status=\"200\"}",
                 "batchstatus_upstream_calls_total{outcome=\"ok\"}",
                 "batchstatus_upstream_latency_seconds_bucket{le=\"+Inf\"}",
                 "batchstatus_cache_requests_total{result=\"miss\"}",
                 "batchstatus_threads_busy", "batchstatus_cache_entries"):
        check(name in r.text, "/metrics lacks %s" % name)
    check(s.fake_count() == before, "health or metrics called upstream")


@test("cache")
def throttled_pauses_all_calls(s):
    # Last in this stack: the fake's 429 says Retry-After: 57, which pauses every call
    # (no test after it could reach Partner Center).
    s.get(batch_path(T["seed"]))
    before = s.fake_count()
    r = s.get(batch_path(T["throttled"]))
    expect_status(r, 503)
    check(r.header("Retry-After") == "57", "Retry-After %r" % r.header("Retry-After"))
    r = s.get(batch_path(T["nodevices"]))
    expect_status(r, 503)
    ra = int(r.header("Retry-After") or "0")
    check(50 <= ra <= 57, "Retry-After while paused %r" % r.header("Retry-After"))
    check("rate-limiting" in r.text, "the paused answer does not say why")
    check(len(new_upstream(s, before)) == 1, "calls made while paused: %d"
          % (len(new_upstream(s, before)) - 1))
    expect_status(s.get(batch_path(T["seed"])), 200)

# 13. The event-driven core (issue 11): a request waiting on Partner Center is parked, not a
# thread; everything else answers meanwhile; admission; memory bounded by structure.
def family_id(prefix):
    """A fresh tracking ID of one of the fake's families (tests/fixtures/scenarios.json)."""
    return prefix + str(uuid.uuid4())[len(prefix):]


def server_pid(stack):
    with open(os.path.join(stack.run_dir, "batchstatus.pid")) as f:
        return int(f.read().strip())


def peak_rss_mib(stack):
    """The server's peak resident memory (VmHWM) so far; None for a sanitizer or valgrind
    build, whose shadow memory and quarantine say nothing of the server's own."""
    pid = server_pid(stack)
    with open("/proc/%d/maps" % pid) as f:
        if re.search(r"lib[at]san|vgpreload|valgrind", f.read()):
            return None
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) / 1024.0


def wait_for_metric(stack, name, at_least, seconds=15.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if metric(stack, name) >= at_least:
            return True
        time.sleep(0.1)
    return False


def fire(stack, paths):
    """GETs every path from a thread of its own; returns (threads, results: path -> Resp or error)."""
    out = {}

    def one(path):
        try:
            out[path] = stack.get(path, timeout=30)
        except Failure as e:
            out[path] = str(e)
    threads = [threading.Thread(target=one, args=(p,), daemon=True) for p in paths]
    for t in threads:
        t.start()
    return threads, out


@test("core")
def brownout_parked_requests_do_not_hold_up_the_rest(s):
    # 40 distinct batches held unanswered by the fake: health, a cache hit, a 400 and a batch
    # whose upstream answers at once all get their answers while the 40 are still pending.
    expect_status(s.get(batch_path(T["seed"])), 200, "warming the cache: ")
    hung = [batch_path(family_id("deadbeef-")) for _ in range(40)]
    threads, out = fire(s, hung)
    check(wait_for_metric(s, "batchstatus_requests_waiting", 40),
          "the 40 requests were never parked (waiting %d)" % metric(s, "batchstatus_requests_waiting"))
    hits = metric(s, 'batchstatus_cache_requests_total{result="hit"}')
    expect_status(s.get("/healthz"), 200, "/healthz during the brownout: ")
    # Another language: a URL nginx has not kept, so the app answers from its own cache.
    expect_status(s.get(batch_path(T["seed"]) + "?lang=ja"), 200, "a kept batch: ")
    check(metric(s, 'batchstatus_cache_requests_total{result="hit"}') == hits + 1,
          "the kept batch was not a cache hit of the app's")
    expect_status(s.get("/?customer=nope&tracking=" + T["seed"]), 400, "bad input: ")
    expect_status(s.get(batch_path(family_id("f00d0000-"))), 200, "a new batch answered at once: ")
    expect_status(s.get("/metrics"), 200, "/metrics: ")
    pending = [p for p in hung if p not in out]
    check(len(pending) == 40, "%d of the 40 hung requests were answered meanwhile: %r"
          % (40 - len(pending), [out[p] for p in hung if p in out][:2]))
    check(metric(s, "batchstatus_requests_waiting") >= 40, "the hung ones are no longer parked")
    check(metric(s, "batchstatus_upstream_in_flight") >= 40, "the hung calls are not in flight")
    check(metric(s, "batchstatus_threads") <= os.cpu_count(), "more CPU threads than cores: %d"
          % metric(s, "batchstatus_threads"))
    # Each ends at the upstream deadline with the usual 504 page.
    for t in threads:
        t.join(30)
    got = [out.get(p) for p in hung]
    bad = [g if isinstance(g, str) else g.where() for g in got
           if isinstance(g, str) or g.status != 504]
    check(not bad, "hung requests at their deadline: %r" % bad[:3])
    check(wait_for_metric(s, "batchstatus_upstream_in_flight", 0) and
          metric(s, "batchstatus_requests_waiting") == 0, "requests still parked after their deadline")


@test("core")
def empty_objects_body_is_too_large_and_memory_stays_bounded(s):
    r = s.get(batch_path(T["emptyobjects"]))
    expect_status(r, 502, "4 MiB of empty device objects: ")
    check("too large" in page_text(r).lower(), "the page does not say the answer is too large")
    r = s.get(batch_path(T["emptyobjects"], ".json"))
    expect_status(r, 502, "as JSON: ")
    check(json.loads(r.text).get("error") == "too_large", r.where())
    log = open(os.path.join(s.run_dir, "logs", "batchstatus.log"), encoding="utf-8").read()
    check(re.search(r"body too large: .*100000", log), "the device limit is not logged")
    rss = peak_rss_mib(s)
    check(rss is None or rss < 256, "peak RSS %.0f MiB on the empty-objects body (bound 256)"
          % (rss or 0))
    expect_status(s.get(batch_path(T["seed"])), 200, "after it: ")


@test("core")
def hundred_thousand_devices_fit(s):
    r = s.get(batch_path(T["hundredk"], ".json"), timeout=60)
    expect_status(r, 200, "100,000 devices: ")
    check(len(json.loads(r.text)["devices"]) == 100000, "not every device in the export")
    r = s.get(batch_path(T["hundredk"]) + "?status=failed", timeout=60)
    expect_status(r, 200, "its page: ")
    rss = peak_rss_mib(s)
    check(rss is None or rss < 384, "peak RSS %.0f MiB with a 100,000-device batch (bound 384)"
          % (rss or 0))


@test("admission")
def over_max_devices_is_too_large(s):
    # This stack allows 300 devices; the 400-device fixture is over it (and under the body cap).
    r = error_page(s, "large", 502)
    check("too large" in page_text(r).lower(), "the page does not say the answer is too large")
    expect_status(s.get(batch_path(T["seed"])), 200, "the server keeps serving: ")


@test("admission")
def past_max_waiting_a_quick_503_and_the_others_complete(s):
    # BATCHSTATUS_MAX_WAITING=3: three requests parked on slow batches (1.5 s), then a fourth.
    slow = [batch_path(family_id("5105e000-")) for _ in range(3)]
    before = s.fake_count()
    threads, out = fire(s, slow)
    check(wait_for_metric(s, "batchstatus_requests_waiting", 3), "the three were never parked")
    end = time.monotonic() + 5
    while s.fake_count() < before + 3 and time.monotonic() < end:
        time.sleep(0.05)
    before = s.fake_count()
    shed0 = metric(s, "batchstatus_requests_shed_total")
    r = s.get(batch_path(family_id("5105e000-")))
    expect_status(r, 503, "past the bound: ")
    check((r.header("Retry-After") or "").isdigit() and int(r.header("Retry-After")) > 0,
          "Retry-After %r" % r.header("Retry-After"))
    expect_html(r)
    correlation_id(r)
    check("busy" in page_text(r).lower(), "the 503 page does not say the server is busy")
    j = s.get(batch_path(family_id("5105e000-"), ".json"))
    expect_status(j, 503, "as JSON: ")
    check(json.loads(j.text).get("error") == "busy", j.where())
    check(s.fake_count() == before, "a shed request reached Partner Center")
    check(metric(s, "batchstatus_requests_shed_total") >= shed0 + 2, "shed requests not counted")
    # Nothing else slows down: no upstream call needed, no bound.
    expect_status(s.get("/healthz"), 200, "/healthz at the bound: ")
    expect_status(s.get("/"), 200, "the form at the bound: ")
    for t in threads:
        t.join(20)
    got = [out.get(p) for p in slow]
    check(all(not isinstance(g, str) and g.status == 200 for g in got),
          "the parked ones: %r" % [g if isinstance(g, str) else g.status for g in got])
    check(metric(s, "batchstatus_requests_admitted_total") >= 3, "admitted not counted")


# 9. mounted under a prefix of a larger site (nginx passes it as SCRIPT_NAME)
PREFIX = "/tools/batchstatus"


@test("prefix")
def mounted_under_a_prefix_every_url_carries_it(s):
    r = s.get(PREFIX + "/?lang=hu")
    expect_status(r, 200)
    check('action="%s/"' % PREFIX in r.text, "the form's action lacks the prefix")
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', r.text)
    check(css and css.group(1) == PREFIX + "/static/style.css", "stylesheet %r" % (css and css.group(1)))
    expect_status(s.get(PREFIX + "/static/style.css"), 200)
    r = s.get(PREFIX + "/?lang=hu&customer=%s&tracking=%s" % (C, T["seed"]))
    expect_status(r, 303)
    loc = r.header("Location") or ""
    check(loc == PREFIX + batch_path(T["seed"]) + "?lang=hu-HU", "Location %r" % loc)
    r = s.get(loc)
    expect_status(r, 200)
    hrefs = [a.attrs.get("href", "") for a in r.tree.root.find_all("a")]
    outside = [h for h in hrefs if h.startswith("/") and not h.startswith(PREFIX + "/")]
    check(not outside, "links outside the mount point: %r" % outside[:3])
    check(len(device_rows(r)) == 1, "the batch page has no device table")
    # Only the mount point is served; the counters stay local.
    check(s.get("/customers/%s/batches/%s" % (C, T["seed"])).status == 404, "served outside the prefix")
    expect_status(s.get(PREFIX + "/metrics"), 200)


# 14. Every status the application sends, through nginx, with its standard reason phrase:
# nginx passes the application's status line on as it comes, so a wrong or missing phrase
# ("403 Unknown") reaches the browser. The "statuses" stack has an allow-list (this
# customer only) and a static token file.
def statuses_stack():
    allowed = harness.allow_list("statuses-files", C)
    return Stack("statuses", {"DEMO_SIGNIN": "file", "BATCHSTATUS_ALLOWED_CUSTOMERS": allowed})


@test("statuses")
def every_status_has_its_reason_phrase(s):
    seen = []  # (what, expected status, Resp)
    seen.append(("the form", 200, s.get("/")))
    seen.append(("the form's redirect", 303, s.get(query(customer=C, tracking=T["seed"]))))
    # A language that is not plain keeps nginx's page cache out: the application itself
    # answers the revalidation of a finished batch.
    mixed = {"Accept-Language": "fr, ja;q=0.5"}
    t = family_id("f00d0000-")
    first = s.get(batch_path(t), headers=mixed)
    expect_status(first, 200, "a finished batch: ")
    check(first.header("ETag"), "a finished batch's page has no ETag: %s" % first.where())
    seen.append(("a finished batch revalidated by its ETag", 304,
                 s.get(batch_path(t), headers=dict(mixed, **{"If-None-Match": first.header("ETag")}))))
    seen.append(("bad input", 400, s.get(query(customer="not-a-guid", tracking=T["seed"]))))
    seen.append(("a customer not on the allow-list", 403,
                 s.get(batch_path(T["seed"], customer=OTHER_CUSTOMER))))
    seen.append(("no route", 404, s.get("/nope")))
    seen.append(("no such batch (Partner Center's 404)", 404, s.get(batch_path(T["notfound"]))))
    seen.append(("POST", 405, s.request("/", method="POST", body=b"")))
    seen.append(("Partner Center's 500", 502, s.get(batch_path(T["servererror"]))))
    seen.append(("Partner Center slower than the deadline", 504, s.get(batch_path(T["slow"]))))
    # The token file made readable by others: the server refuses to use it (500), until it
    # is private again.
    path = s.token_path()
    os.chmod(path, 0o644)
    try:
        seen.append(("a token file the server refuses", 500, s.get(batch_path(family_id("f00d0000-")))))
    finally:
        os.chmod(path, 0o600)
    # Last: a 429 from Partner Center pauses every call for its Retry-After (1 s here),
    # waited out so that the stack is left as it was found.
    u = steer_id()
    steer(s, u, fail=429, retry_after="1")
    try:
        seen.append(("Partner Center rate-limiting", 503, s.get(batch_path(u))))
    finally:
        steer(s, u, fail=None)
        time.sleep(1.5)
    bad = ["%s: %r, expected %d %s" % (what, r.status_line, want, harness.REASONS[want])
           for what, want, r in seen if (r.status, r.reason) != (want, harness.REASONS[want])]
    check(not bad, "; ".join(bad))
    missed = sorted(set(harness.REASONS) - {want for _, want, _ in seen})
    check(not missed, "statuses the application sends that this test does not provoke: %s" % missed)


def main():
    # main and cap see every page view reach upstream (cache off); cache has it on.
    # Nothing kept, not even for stale answers (test_budget covers those).
    no_cache = {"BATCHSTATUS_CACHE_FINISHED_SECONDS": "0", "BATCHSTATUS_CACHE_RUNNING_SECONDS": "0",
                "BATCHSTATUS_STALE_SECONDS": "0"}
    # main runs on run.sh's static token file (token_rotation rewrites it); the others sign in.
    stacks = [("main", dict(no_cache, DEMO_SIGNIN="file")),
              ("cap", dict(no_cache, BATCHSTATUS_MAX_BODY_BYTES="65536")),
              ("cache", {"BATCHSTATUS_CACHE_RUNNING_SECONDS": "2", "FAKE_PC_LATENCY_MS": "300"}),
              # The event-driven core: hung calls live 5 s; admission at 3 parked requests.
              ("core", {"BATCHSTATUS_UPSTREAM_TIMEOUT_MS": "5000", "FAKE_PC_SLOW_MS": "1500"}),
              ("admission", {"BATCHSTATUS_MAX_WAITING": "3", "FAKE_PC_SLOW_MS": "1500",
                             "BATCHSTATUS_UPSTREAM_TIMEOUT_MS": "5000",
                             "BATCHSTATUS_MAX_DEVICES": "300"}),
              ("prefix", {"MOUNT_PREFIX": PREFIX})]
    groups = [Group(name, lambda name=name, env=env: Stack(name, env)) for name, env in stacks]
    groups.append(Group("statuses", statuses_stack))
    return harness.main("blackbox", groups)


if __name__ == "__main__":
    sys.exit(main())
