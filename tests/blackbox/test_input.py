#!/usr/bin/env python3
"""Forgiving input (issue 14), through real nginx: every paste people really paste goes to the batch page, every bad field is flagged at once, and a batch Partner Center does not know says what probably happened.

Each paste form is sent as the form sends it (GET /?customer=...&tracking=...): accepted
ones answer 303 to the canonical /customers/{c}/batches/{t}; refused ones the form again
(400) with both fields marked; neither asks the fake Partner Center anything (its request
log). Stacks and the runner are tests/blackbox/harness.py's.

    python3 tests/blackbox/test_input.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `input: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import re
import sys
import urllib.parse

import harness
from harness import (C, OTHER_CUSTOMER, T, Group, Stack, batch_path, check, correlation_id,
                     expect_html, expect_status, location_path, page_text, short, test)

SEED = T["seed"]
LOC = "/customers/%s/batchJobStatus/%s" % (C, SEED)
PC_LOC = "https://api.partnercenter.microsoft.com/v1" + LOC
OURS = "https://our-host/customers/%s/batches/%s" % (C, SEED)
OURS_MOUNTED = "https://our-host/tools/batchstatus/customers/%s/batches/%s" % (C, SEED)
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
NO_BREAK = ["\u00a0", "\u202f"]


def lookup(s, customer=None, tracking=None):
    """The form's GET with these fields (None: not sent)."""
    fields = {k: v for k, v in (("customer", customer), ("tracking", tracking)) if v is not None}
    return s.get("/?" + urllib.parse.urlencode(fields))


def expect_canonical(s, customer, tracking, what):
    before = s.fake_count()
    r = lookup(s, customer, tracking)
    expect_status(r, 303, "%s: " % what)
    got = location_path(r)
    check(got == batch_path(SEED), "%s: Location %r, expected %r" % (what, got, batch_path(SEED)))
    check(s.fake_count() == before, "%s: the redirect asked Partner Center" % what)


def expect_both_flagged(s, customer, tracking, what):
    """400, the form again: each input marked and described by its own message; nothing upstream."""
    before = s.fake_count()
    r = lookup(s, customer, tracking)
    expect_status(r, 400, "%s: " % what)
    expect_html(r)
    correlation_id(r)
    root = r.tree.root
    for field, typed in (("customer", customer), ("tracking", tracking)):
        inputs = root.find_all("input", id=field)
        check(len(inputs) == 1, "%s: %d inputs #%s" % (what, len(inputs), field))
        a = inputs[0].attrs
        check(a.get("aria-invalid") == "true", "%s: #%s is not aria-invalid" % (what, field))
        check(a.get("aria-describedby") == field + "-message",
              "%s: #%s aria-describedby=%r" % (what, field, a.get("aria-describedby")))
        msgs = root.find_all(id=field + "-message")
        check(len(msgs) == 1 and msgs[0].text().strip(),
              "%s: no message #%s-message" % (what, field))
    check(root.find_all(id="form-message"), "%s: no #form-message summary" % what)
    focused = [i.attrs.get("id") for i in root.find_all("input") if "autofocus" in i.attrs]
    check(focused == ["customer"], "%s: autofocus on %r, expected the customer field" % (what, focused))
    check(s.fake_count() == before, "%s: bad input asked Partner Center (%d calls)"
          % (what, s.fake_count() - before))
    return r


def field_message(r, field):
    msgs = r.tree.root.find_all(id=field + "-message")
    return msgs[0].text().strip() if msgs else None


# --- every paste form is taken ---------------------------------------------------

# (what, customer field, tracking field): each must land on the canonical batch URL.
PASTES = [
    ("header line", "", "Location: " + LOC),
    ("lower-case header with host and /v1", "", "location: " + PC_LOC),
    ("header line, CR LF and all", None, "Location: %s\r\n" % PC_LOC),
    ("Location with a query", "", LOC + "?api-version=1.0"),
    ("Location with a fragment", "", PC_LOC + "#status"),
    ("JSON member", "", '"Location": "%s"' % LOC),
    ("JSON member with its comma", "", '"Location": "%s",' % PC_LOC),
    ("JSON object", "", '{"Location":"%s"}' % LOC),
    ("our batch URL", "", OURS),
    ("our batch URL with the mount point", "", OURS_MOUNTED),
    ("our batch URL .json", "", OURS + ".json"),
    ("our batch URL .csv with a query", "", OURS_MOUNTED + ".csv?lang=ja-JP&status=failed"),
    ("Location in quotes", "", '"%s"' % LOC),
    ("Location in curly quotes", "", "\u201c%s\u201d" % PC_LOC),
    ("Location in angle brackets", "", "<%s>" % LOC),
    ("IDs in straight quotes", '"%s"' % C, "'%s'" % SEED),
    ("IDs in curly quotes", "\u201c%s\u201d" % C, "\u2018%s\u2019" % SEED),
    ("IDs in angle brackets", "<%s>" % C, "<%s>" % SEED),
    ("urn:uuid:", "urn:uuid:" + C, "URN:UUID:" + SEED.upper()),
    ("braces", "{%s}" % C.upper(), "{%s}" % SEED),
    ("no dashes", C.replace("-", ""), SEED.replace("-", "").upper()),
    ("tabs and newlines around", "\t%s\n" % C, "\r\n %s\t\r\n" % SEED),
    ("a block of response headers", "", "HTTP/1.1 202 Accepted\r\nLocation: %s\r\n"
     "Retry-After: 10\r\nContent-Length: 0\r\n" % LOC),
    ("a JSON object over lines", "", '{\n  "batchId": "b1",\n  "Location": "%s",\n  "n": 1\n}' % PC_LOC),
    ("ideographic spaces around", "\u3000" + C + "\u3000", "\u3000" + SEED),
    ("Location in the customer field, tracking empty", "Location: " + LOC, ""),
    ("Location in the customer field, no tracking field", PC_LOC, None),
    ("Location in the customer field, the same tracking ID", LOC, SEED.upper()),
    ("a Location in each field", LOC, PC_LOC),
]
for zw in ZERO_WIDTH:
    PASTES.append(("U+%04X at the ends and inside" % ord(zw), zw + C[:8] + zw + C[8:] + zw,
                   zw + SEED + zw))
for nb in NO_BREAK:
    PASTES.append(("U+%04X around" % ord(nb), nb + C + nb, nb + nb + SEED + nb))
PASTES.append(("all at once", "\ufeff\u201c{%s}\u201d\u00a0" % C.upper(),
               "\u200b  Location:\u00a0<%s?x=1>\u2060\n" % PC_LOC))


def make_paste_test(what, customer, tracking):
    def fn(s):
        expect_canonical(s, customer, tracking, what)
    fn.__name__ = "paste_" + re.sub(r"[^a-z0-9]+", "_", what.lower()).strip("_")
    return fn


for _what, _c, _t in PASTES:
    test("input")(make_paste_test(_what, _c, _t))


# --- every bad field at once --------------------------------------------------------

# (what, customer field, tracking field): both fields wrong, each must be flagged.
BOTH_BAD = [
    ("neither is a GUID", "not-a-guid", "not-one-either"),
    ("both empty", "", ""),
    ("a GUID a digit short in each", C[:-1], SEED[:-1]),
    ("33 hex digits in each", C.replace("-", "") + "0", SEED.replace("-", "") + "0"),
    ("a space inside each", C[:8] + " " + C[8:], SEED[:8] + " " + SEED[8:]),
    ("a cut-short Location and junk", "x", LOC[:-12]),
    ("a device batch URL and junk", "nope",
     "https://api.partnercenter.microsoft.com/v1/customers/%s/deviceBatches/my-batch/devices" % C),
    ("another page's address and a bad GUID", "%s-x" % C, LOC + "/devices"),
    ("hostile text in each", '"><script>alert(1)</script>', "' onfocus='alert(1)"),
    ("a control character in each", C + "\x01", SEED + "\x7f"),
]


def make_both_bad_test(what, customer, tracking):
    def fn(s):
        r = expect_both_flagged(s, customer, tracking, what)
        check("<script>alert(1)" not in r.text, "%s: a value is echoed unescaped" % what)
    fn.__name__ = "both_bad_" + re.sub(r"[^a-z0-9]+", "_", what.lower()).strip("_")
    return fn


for _what, _c, _t in BOTH_BAD:
    test("input")(make_both_bad_test(_what, _c, _t))


# --- what the messages say --------------------------------------------------------

@test("input")
def device_batch_url_says_it_is_no_status_location(s):
    before = s.fake_count()
    url = "https://api.partnercenter.microsoft.com/v1/customers/%s/deviceBatches/my-batch/devices" % C
    r = lookup(s, "", url)
    expect_status(r, 400)
    msg = field_message(r, "tracking")
    check(msg and "device batch" in msg.lower() and "batchJobStatus" in msg,
          "the message %r does not say it is a device batch URL, not a status Location" % short(msg))
    # The empty customer field is not what is wrong.
    check(field_message(r, "customer") is None, "the empty customer field is flagged beside a Location")
    check(s.fake_count() == before, "a device batch URL asked Partner Center")


@test("input")
def failed_location_says_why_not_paste_it(s):
    r = lookup(s, "", LOC[:-12])
    expect_status(r, 400)
    msg = field_message(r, "tracking") or ""
    check("could not be read" in msg and "cut short" in msg,
          "the message %r does not say why the Location could not be read" % short(msg))
    check("paste" not in msg.lower(), "the message %r tells the user to paste what they pasted" % short(msg))
    check(field_message(r, "customer") is None, "the empty customer field is flagged beside a Location")


@test("input")
def location_beside_another_customer_is_still_a_mismatch(s):
    before = s.fake_count()
    r = lookup(s, OTHER_CUSTOMER, "Location: " + PC_LOC)
    expect_status(r, 400)
    msg = field_message(r, "customer") or ""
    check("not the one in the Location" in msg, "customer message %r" % short(msg))
    check(field_message(r, "tracking") is None, "the good Location is flagged too")
    # ...and the same for a Location in the customer field beside another tracking ID.
    r = lookup(s, LOC, T["queued"])
    expect_status(r, 400)
    check("not the one in the Location" in (field_message(r, "tracking") or ""),
          "tracking message %r" % short(field_message(r, "tracking")))
    check(s.fake_count() == before, "a mismatch asked Partner Center")


# --- Partner Center's 404 ---------------------------------------------------------

@test("input")
def not_found_says_what_probably_happened(s):
    nf = T["notfound"]
    r = s.get(batch_path(nf) + "?lang=hu")
    expect_status(r, 404)
    expect_html(r)
    root = r.tree.root
    check(root.find_all(id="likely-causes"), "the 404 page lists no likely causes")
    text = page_text(r)
    check("felcserélődött" in text, "the 404 page does not say the IDs may be swapped (in Hungarian)")
    links = root.find_all("a", id="swapped-link")
    check(len(links) == 1, "%d swapped links" % len(links))
    want = "/customers/%s/batches/%s?lang=hu-HU" % (nf, C)
    check(links[0].attrs.get("href") == want, "swapped link %r, expected %r" % (links[0].attrs.get("href"), want))
    # The form again, filled in; and the way back fills it in too.
    for field, value in (("customer", C), ("tracking", nf)):
        inputs = root.find_all("input", id=field)
        check(len(inputs) == 1 and inputs[0].attrs.get("value") == value,
              "the 404 page's form does not hold the %s ID" % field)
    back = root.find_all("a", id="back-to-form")
    href = back[0].attrs.get("href") if back else None
    want = "/?lang=hu-HU&customer=%s&tracking=%s&edit=1" % (C, nf)
    check(href == want, "back link %r, expected %r" % (href, want))
    before = s.fake_count()
    r = s.get(href)
    expect_status(r, 200, "following the back link: ")
    for field, value in (("customer", C), ("tracking", nf)):
        inputs = r.tree.root.find_all("input", id=field)
        check(inputs and inputs[0].attrs.get("value") == value, "the form from the back link lacks the %s ID" % field)
    check(not r.tree.root.find_all(id="form-message"), "the filled-in form shows an error")
    check(s.fake_count() == before, "the filled-in form asked Partner Center")


@test("input")
def other_errors_have_no_such_hints_but_keep_the_ids(s):
    r = s.get(batch_path(T["servererror"]))
    expect_status(r, 502)
    check(not r.tree.root.find_all(id="swapped-link"), "a 502 offers the swapped lookup")
    back = r.tree.root.find_all("a", id="back-to-form")
    href = back[0].attrs.get("href") if back else None
    check(href == "/?customer=%s&tracking=%s&edit=1" % (C, T["servererror"]), "back link %r" % href)


def main():
    # Nothing kept: every batch view reaches the fake, so its log shows every call.
    env = {"DEMO_SIGNIN": "file", "BATCHSTATUS_CACHE_FINISHED_SECONDS": "0",
           "BATCHSTATUS_CACHE_RUNNING_SECONDS": "0", "BATCHSTATUS_STALE_SECONDS": "0"}
    return harness.main("input", [Group("input", lambda: Stack("input", env))])


if __name__ == "__main__":
    sys.exit(main())
