#!/usr/bin/env python3
"""One Partner Center budget (issue 12), through real nginx: stale answers instead of error pages, a throttle nobody can abuse, one call per batch however it is asked for.

Batches of the fake's "steer" family (tracking IDs 57ee0000-...) answer what a test sets
(harness.steer): a status, or a failure (429 with any Retry-After, 5xx, a call that hangs).
Stacks and the runner are tests/blackbox/harness.py's.

    python3 tests/blackbox/test_budget.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `budget: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import email.utils
import json
import os
import re
import shutil
import signal
import sys
import threading
import time

import harness
from harness import (C, ROOT, RUN_ROOT, T, Failure, Group, Stack, batch_path, check, expect_html,
                     expect_status, hdr, html_lang, metric, norm_ws, page_text, short, steer, steer_id,
                     test, upstream_calls)


def calls(s, tracking):
    """Partner Center calls for this batch so far (the fake's request log)."""
    return len(upstream_calls(s, tracking))


def stale_notice(r):
    """The notice of a held answer (its text), or None."""
    for n in r.tree.root.iter():
        if n.attrs.get("id") == "stale":
            return norm_ws(n.text())
    return None


def json_of(r):
    try:
        return json.loads(r.body.decode("utf-8"))
    except ValueError as e:
        raise Failure("%s: not JSON (%s): %s" % (r.where(), e, short(r.text)))


def iso_z(s):
    return isinstance(s, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) is not None


# 1. stale rather than nothing (stack "stale": running batches kept 2 s, finished 1 s)
def fresh(s, tracking, status):
    steer(s, tracking, status=status, fail=None)
    r = s.get(batch_path(tracking))
    expect_status(r, 200, "the first view: ")
    check(stale_notice(r) is None, "a fresh answer has a stale notice")
    j = json_of(s.get(batch_path(tracking, ".json")))
    check(j.get("stale") is False, "fresh JSON: stale is %r, not false" % j.get("stale"))
    check(iso_z(j.get("asOf")), "fresh JSON: asOf %r is not an ISO time" % j.get("asOf"))
    return j["asOf"]


@test("stale")
def a_running_batch_after_a_500_shows_what_was_held(s):
    t = steer_id()
    as_of = fresh(s, t, "processing")
    steer(s, t, fail=500)
    time.sleep(2.3)
    before = calls(s, t)
    r = s.get(batch_path(t))
    expect_status(r, 200, "a 500 with an earlier answer held: ")
    expect_html(r)
    check(calls(s, t) == before + 1, "the refresh made %d calls, not 1" % (calls(s, t) - before))
    note = stale_notice(r)
    check(note is not None, "no stale notice on the page")
    check("cannot be reached" in note and "UTC" in note and "ago" in note,
          "the notice does not say why, when and how long ago: %r" % note)
    check(re.search(r"again in \d+ s", note), "the notice does not say when we try again: %r" % note)
    check(r.header("Refresh"), "a running batch's stale page lost its Refresh")
    check(not r.header("ETag"), "a stale page has an ETag")
    j = json_of(s.get(batch_path(t, ".json")))
    check(j.get("stale") == "unavailable", "JSON stale is %r" % j.get("stale"))
    check(j.get("asOf") == as_of, "JSON asOf %r is not the first answer's %r" % (j.get("asOf"), as_of))
    check(isinstance(j.get("retryAfter"), int) and 1 <= j["retryAfter"] <= 30,
          "JSON retryAfter %r" % j.get("retryAfter"))
    check(j.get("status") == "processing" and j.get("running") is True, "JSON lost the held data")
    # Partner Center is back: the next try after the pause is fresh again.
    steer(s, t, fail=None, status="finished")
    time.sleep(2.3)
    r = s.get(batch_path(t))
    expect_status(r, 200, "after Partner Center is back: ")
    check(stale_notice(r) is None, "still stale after Partner Center answered")
    check(r.tree.root.find_all(id="batch-status")[0].text().strip() == "Finished", "not the new status")


@test("stale")
def a_finished_batch_after_a_timeout_shows_what_was_held(s):
    t = steer_id()
    as_of = fresh(s, t, "finished")
    steer(s, t, fail="hang")
    time.sleep(2.2)  # past our 1 s and nginx's (whole seconds: up to 2 s)
    r = s.get(batch_path(t))
    expect_status(r, 200, "a timeout with an earlier answer held: ")
    note = stale_notice(r)
    check(note is not None and "did not answer in time" in note, "notice %r" % note)
    check(not r.header("Refresh"), "a finished batch's stale page reloads itself")
    check("no-store" in (r.header("Cache-Control") or "") or not r.header("ETag"),
          "a stale page may be kept")
    j = json_of(s.get(batch_path(t, ".json")))
    check(j.get("stale") == "timeout" and j.get("asOf") == as_of, "JSON stale %r asOf %r"
          % (j.get("stale"), j.get("asOf")))
    steer(s, t, fail=None)


@test("stale")
def nothing_held_the_error_page_reloads_itself(s):
    t = steer_id()
    steer(s, t, fail=503)
    r = s.get(batch_path(t))
    expect_status(r, 502, "a 503 from Partner Center, nothing held: ")
    check(r.header("Refresh") == "30", "Refresh %r, not 30" % r.header("Refresh"))
    r = s.get(batch_path(t, ".json"))
    expect_status(r, 502, "the JSON: ")
    j = json_of(r)
    check("asOf" in j and j["asOf"] is None and j.get("stale") is False,
          "the JSON error lacks asOf null / stale false: %s" % short(r.text))
    check(not r.header("Refresh"), "a JSON answer has a Refresh")
    steer(s, t, fail=None)


@test("stale")
def a_429_shows_what_was_held_and_the_pause_applied(s):
    # The pause holds every call of the server for 3 s: waited out before its last checks.
    t, other = steer_id(), steer_id()
    fresh(s, t, "processing")
    steer(s, t, fail=429, retry_after="3")
    time.sleep(2.3)
    r = s.get(batch_path(t))
    expect_status(r, 200, "a 429 with an earlier answer held: ")
    note = stale_notice(r)
    check(note is not None and "rate-limiting" in note, "notice %r" % note)
    m = re.search(r"again in (\d+) s", note or "")
    check(m and 1 <= int(m.group(1)) <= 3, "the notice does not say the applied pause: %r" % note)
    check(r.header("Refresh"), "a running batch's stale page lost its Refresh")
    j = json_of(s.get(batch_path(t, ".json")))
    check(j.get("stale") == "throttled", "JSON stale %r" % j.get("stale"))
    # A batch not held gets the pause, with a Refresh of its Retry-After.
    before = calls(s, other)
    r = s.get(batch_path(other))
    expect_status(r, 503, "another batch while paused: ")
    ra = r.header("Retry-After")
    check(ra and ra.isdigit() and 1 <= int(ra) <= 3, "Retry-After %r" % ra)
    check(r.header("Refresh") == ra, "Refresh %r is not the Retry-After %r" % (r.header("Refresh"), ra))
    check(calls(s, other) == before, "a call while paused")
    check("Try again in %s s." % ra in page_text(r), "the page does not say the pause applied")
    time.sleep(int(ra) + 0.5)
    steer(s, t, fail=None)
    r = s.get(batch_path(t))
    expect_status(r, 200, "after the pause: ")
    check(stale_notice(r) is None, "still stale after the pause")


# 2. the throttle (stack "retry": BATCHSTATUS_MAX_RETRY_AFTER=4)
MAX_RA = 4


def http_date(offset):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


@test("retry")
def retry_after_is_clamped_and_the_words_match(s):
    cases = [("99999999999999999999", MAX_RA), ("0", 1), ("-5", MAX_RA),
             ("Thu, 01 Jan 2015 00:00:00 GMT", MAX_RA), ("soon", MAX_RA), ("", MAX_RA),
             ("2", 2), (None, MAX_RA), ("date+3", 3)]
    for raw, want in cases:
        t = steer_id()
        value = http_date(3) if raw == "date+3" else raw
        steer(s, t, fail=429, retry_after=value)
        r = s.get(batch_path(t))
        expect_status(r, 503, "Retry-After %r: " % value)
        ra = r.header("Retry-After")
        check(ra and ra.isdigit(), "Retry-After %r: our header is %r" % (value, ra))
        lo = want - 2 if raw == "date+3" else want - 1
        check(max(lo, 1) <= int(ra) <= want, "Retry-After %r: we said %s, expected %d" % (value, ra, want))
        check("Try again in %s s." % ra in page_text(r), "Retry-After %r: the page does not say %s s"
              % (value, ra))
        check(r.header("Refresh") == ra, "Retry-After %r: Refresh %r" % (value, r.header("Refresh")))
        logged = re.findall(r"every call pauses (\d+) s", s.logs_text())
        check(logged and int(logged[-1]) == (want if raw != "date+3" else int(logged[-1])) and
              int(logged[-1]) <= want, "Retry-After %r: the log says %s" % (value, logged[-1:]))
        steer(s, t, fail=None)
        time.sleep(int(ra) + 0.4)
    # The pause is over: calls are made again.
    t = steer_id()
    steer(s, t, status="finished")
    expect_status(s.get(batch_path(t)), 200, "after the pauses: ")


# 3. one call per batch per interval, however it is asked for (stack "retry", before the pauses)
VARIATIONS = [
    ("GET", "", {}), ("GET", "", {"Accept-Language": "ja"}),
    ("GET", "?lang=hu-HU", {}), ("GET", "?lang=zh-TW&embed=1", {}),
    ("GET", "?page=2", {}), ("GET", "?status=failed", {}), ("GET", "?q=SN", {}),
    ("GET", "?embed=1", {}), ("GET", "?foo=bar", {}), ("GET", ".json", {}), ("GET", ".csv", {}),
    ("HEAD", "", {}), ("HEAD", ".json", {}), ("GET", ".json?lang=ja", {}),
    ("GET", "", {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"}),
] + [("GET", "", {"Accept-Language": "en;q=0.%d" % q}) for q in range(1, 10)]


def twenty_variations(s, status):
    t = steer_id()
    steer(s, t, status=status)
    for method, tail, headers in VARIATIONS:
        path = batch_path(t) + tail if tail.startswith("?") else batch_path(t, tail.split("?")[0]) + (
            "?" + tail.split("?", 1)[1] if "?" in tail else "")
        r = s.request(path, method=method, headers=headers)
        expect_status(r, 200, "%s %s %s: " % (method, tail, headers))
    n = calls(s, t)
    check(n == 1, "%d variations of one %s batch made %d calls" % (len(VARIATIONS), status, n))


@test("retry")
def twenty_variations_of_a_running_batch_one_call(s):
    twenty_variations(s, "processing")


@test("retry")
def twenty_variations_of_a_finished_batch_one_call(s):
    twenty_variations(s, "finished")


# 5. language: Partner Center is asked in one locale; the first reader decides nothing
@test("retry")
def the_first_readers_language_decides_nothing(s):
    t = steer_id()
    steer(s, t, status="processing")
    first = s.get(batch_path(t), headers={"Accept-Language": "ja-JP"})
    expect_status(first, 200, "the first reader (ja-JP): ")
    first_label = first.tree.root.find_all(id="batch-status")[0].text().strip()
    for lang in ("en-US", "hu-HU", "zh-TW"):
        r = s.get(batch_path(t) + "?lang=" + lang)
        expect_status(r, 200, "a %s reader: " % lang)
        check(html_lang(r) == lang, "a %s reader got %r" % (lang, html_lang(r)))
        label = r.tree.root.find_all(id="batch-status")[0].text().strip()
        check(label != first_label, "a %s reader got the first reader's words %r" % (lang, label))
        if lang == "en-US":
            check(label == "Processing", "an en-US reader got %r" % label)
    calls_made = [e for e in s.fake_entries() if t in e.get("path", "").lower()]
    check(len(calls_made) == 1, "%d calls for four languages" % len(calls_made))
    check(hdr(calls_made[0], "X-Locale") == "en-US", "X-Locale %r" % hdr(calls_made[0], "X-Locale"))


# 6. HEAD: the status and headers of GET, nothing rendered (the log says "head")
@test("retry")
def head_answers_headers_without_rendering(s):
    for status in ("processing", "finished"):
        t = steer_id()
        steer(s, t, status=status)
        g = s.get(batch_path(t))
        expect_status(g, 200, "GET: ")
        for suffix in ("", ".json", ".csv"):
            h = s.request(batch_path(t, suffix), method="HEAD")
            expect_status(h, 200, "HEAD %s: " % suffix)
            check(not h.body, "HEAD %s has a body" % suffix)
            g2 = s.get(batch_path(t, suffix))
            for name in ("Content-Type", "ETag", "Refresh", "Cache-Control", "Content-Disposition"):
                check(h.header(name) == g2.header(name), "HEAD %s %s: %r, GET: %r"
                      % (suffix, name, h.header(name), g2.header(name)))
        heads = [l for l in s.logs_text().splitlines()
                 if " request corr=" in l and "HEAD /customers/%s/batches/%s" % (C, t) in l]
        check(len(heads) >= 1 and all("-> 200 head" in l for l in heads),
              "the log does not show HEAD unrendered: %s" % short(" | ".join(heads), 300))


# 3b. nginx's language map against the application's own choice (through its socket)
def app_language(s, path, accept_language):
    out = harness.fcgi(os.path.join(s.run_dir, "batchstatus.sock"), path,
                       extra=(("HTTP_ACCEPT_LANGUAGE", accept_language),))
    m = re.search(r'<html lang="([^"]+)"', out)
    return m.group(1) if m else None


def accept_language_samples():
    import random
    rnd = random.Random(12)
    tags = ["en", "en-US", "EN-gb", "ja", "ja-JP", "hu", "hu-HU", "zh", "zh-TW", "zh-Hant",
            "zh-Hant-TW", "zh-CN", "zh-hk", "fr", "fr-FR", "de", "*", "es-419", "en_US", "x-klingon",
            "ja-JP-x-a-very-long-private-use-tag", "i-default", ""]
    fixed = ["", " ", "ja", "ja;q=1", "ja;q=0", "fr, ja", "en;q=0.5, ja;q=0.6", "ja, en;q=0.1",
             " , ja", "hu,,en", "zh-CN,zh;q=0.9", "en-US;q=0.8", "de-CH, de;q=0.9", "*;q=0.1",
             "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "zh-Hant-TW , en", "JA", "en-\u00e9"]
    out = list(fixed)
    for _ in range(120):
        parts = []
        for _ in range(rnd.randint(1, 4)):
            t = rnd.choice(tags)
            if rnd.random() < 0.4:
                t += ";q=%s" % rnd.choice(["0", "0.1", "0.5", "0.9", "1", "1.0", "x"])
            parts.append(t)
        out.append(rnd.choice([",", ", ", " ,"]).join(parts))
    return out


@test("retry")
def nginx_keys_pages_on_the_language_the_application_chooses(s):
    t = steer_id()
    steer(s, t, status="finished")
    path = batch_path(t)
    for lang in ("en-US", "ja-JP", "hu-HU", "zh-TW"):  # nginx keeps a page per plain language
        for _ in range(2):
            expect_status(s.get(path, headers={"Accept-Language": lang}), 200)
    wrong = []
    for al in accept_language_samples():
        al = al.encode("utf-8", "replace").decode("latin-1") if not al.isascii() else al
        want = app_language(s, path, al)
        got = html_lang(s.get(path, headers={"Accept-Language": al}))
        if got != want:
            wrong.append("%r: nginx gave %s, the application %s" % (al, got, want))
    check(not wrong, "%d headers got another language through nginx: %s" % (len(wrong), "; ".join(wrong[:4])))


# 4. honest accounting (stack "retry", before the pauses): the default bound holds them all
@test("retry")
def a_thousand_batches_and_one_of_100000_devices_are_held(s):
    small = ["f00d0000-0000-4000-8000-%012d" % i for i in range(1000)]
    big = T["hundredk"]
    errors = []

    def view(ids):
        for t in ids:
            r = s.get(batch_path(t))
            if r.status != 200:
                errors.append("%s: %d" % (t, r.status))

    r = s.get(batch_path(big), timeout=60)
    expect_status(r, 200, "the 100,000-device batch: ")
    threads = [threading.Thread(target=view, args=(small[i::8],)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    check(not errors, "%d small batches failed: %s" % (len(errors), errors[:3]))
    check(metric(s, "batchstatus_cache_entries") >= 1001, "only %d batches held"
          % metric(s, "batchstatus_cache_entries"))
    check(metric(s, "batchstatus_cache_evictions_total") == 0, "batches were evicted")
    before = s.fake_count()
    expect_status(s.get(batch_path(big) + "?page=3", timeout=60), 200, "the big one again: ")
    view(small[:50])
    check(s.fake_count() == before, "viewing them again made %d calls" % (s.fake_count() - before))


# 7. SIGHUP (stack "reload": a config file, an allow-list and a copy of the templates)
FILES = os.path.join(RUN_ROOT, "budget-reload-files")
OTHER = "aaaaaaaa-0000-4000-8000-000000000001"


def write(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path + ".tmp", 0o600)
    os.replace(path + ".tmp", path)


def reload_files():
    """The stack's settings file, allow-list and templates, outside its RUN_DIR (made before it starts)."""
    shutil.rmtree(FILES, ignore_errors=True)
    os.makedirs(FILES)
    shutil.copytree(os.path.join(ROOT, "templates"), os.path.join(FILES, "templates"))
    write(os.path.join(FILES, "allowed"), "# customers\n%s\n%s\n" % (C, OTHER))
    write(os.path.join(FILES, "batchstatus.conf"), settings())
    return {"BATCHSTATUS_CONFIG": os.path.join(FILES, "batchstatus.conf"),
            "BATCHSTATUS_TEMPLATES_DIR": os.path.join(FILES, "templates")}


def settings(**extra):
    lines = ["allowed_customers = %s" % os.path.join(FILES, "allowed"), "log_level = info"]
    lines += ["%s = %s" % kv for kv in extra.items()]
    return "\n".join(lines) + "\n"


def reload_ends(text):
    return [l for l in text.splitlines() if "reload: done" in l or "nothing was changed" in l]


def sighup(s, expect="reload: done"):
    """Sends SIGHUP to the server; waits for the log to say the reload ended (done or refused)."""
    before = len(reload_ends(s.log()))
    with open(os.path.join(s.run_dir, "batchstatus.pid"), encoding="ascii") as f:
        os.kill(int(f.read().strip()), signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = s.log()
        if len(reload_ends(text)) > before:
            said = text[text.rindex("SIGHUP: reloading"):]
            check(expect in said, "the reload's log says %r, not %r" % (short(said, 400), expect))
            return said
        time.sleep(0.05)
    raise Failure("no end of the reload in the log within 10 s")


def app_lines(s, needle):
    return len([l for l in s.logs_text().splitlines() if " request corr=" in l and needle in l])


@test("reload")
def a_customer_removed_on_reload_gets_403_at_once_kept_pages_included(s):
    t = steer_id()
    steer(s, t, status="finished")
    for suffix in ("", ".json"):
        expect_status(s.get(batch_path(t, suffix)), 200, "allowed, first view: ")
        n = app_lines(s, t + suffix + " ")
        expect_status(s.get(batch_path(t, suffix)), 200, "allowed, second view: ")
        check(app_lines(s, t + suffix + " ") == n, "the second view was not nginx's kept page")
    check(C in os.listdir(os.path.join(s.run_dir, "page-gate")), "no gate file for the customer")
    write(os.path.join(FILES, "allowed"), "%s\n" % OTHER)
    sighup(s)
    check(C not in os.listdir(os.path.join(s.run_dir, "page-gate")), "the gate file stayed")
    before = s.fake_count()
    for suffix in ("", ".json"):
        r = s.get(batch_path(t, suffix))
        expect_status(r, 403, "removed, %s: " % (suffix or "the page"))
    check(s.fake_count() == before, "a removed customer's request reached Partner Center")
    # Put back: allowed again, no restart.
    write(os.path.join(FILES, "allowed"), "%s\n%s\n" % (C, OTHER))
    sighup(s)
    expect_status(s.get(batch_path(t)), 200, "allowed again: ")


@test("reload")
def a_broken_configuration_on_reload_keeps_the_running_one(s):
    t = steer_id()
    steer(s, t, status="finished")
    cases = [(settings(cache_running_seconds="99999"), "BATCHSTATUS_CACHE_RUNNING_SECONDS"),
             (settings(frobnicate="1"), "frobnicate"),
             (None, os.path.join(FILES, "allowed") + ":2")]
    for conf, named in cases:
        if conf is None:
            write(os.path.join(FILES, "batchstatus.conf"), settings())
            write(os.path.join(FILES, "allowed"), "%s\nnot-a-guid\n" % C)
        else:
            write(os.path.join(FILES, "batchstatus.conf"), conf)
        said = sighup(s, expect="nothing was changed")
        check(named.lower() in said.lower(), "the log does not name %s: %s" % (named, short(said, 300)))
        check(s.proc.poll() is None, "the server stopped")
        expect_status(s.get(batch_path(t)), 200, "after a refused reload: ")
        expect_status(s.get(batch_path(t, customer=OTHER)), 404, "the other customer still allowed: ")
    write(os.path.join(FILES, "allowed"), "%s\n%s\n" % (C, OTHER))
    write(os.path.join(FILES, "batchstatus.conf"), settings())
    sighup(s)


@test("reload")
def a_broken_template_on_reload_keeps_the_running_pages(s):
    cat = os.path.join(FILES, "templates", "i18n", "en-US.catalog")
    with open(cat, encoding="utf-8") as f:
        original = f.read()
    write(cat, original.replace("site.name = Autopilot batch status", "site.name = Reloaded batch status"))
    sighup(s)
    check("Reloaded batch status" in s.get("/").text, "the new catalog is not in force")
    tpl = os.path.join(FILES, "templates", "form.tpl")
    with open(tpl, encoding="utf-8") as f:
        form = f.read()
    write(tpl, form.replace('{{%AUTOESCAPE context="HTML"}}', ""))
    write(cat, original)
    said = sighup(s, expect="nothing was changed")
    check("form.tpl" in said, "the log does not name the template: %s" % short(said, 300))
    r = s.get("/")
    expect_status(r, 200, "the form after a refused reload: ")
    check("Reloaded batch status" in r.text, "a refused reload changed the catalog")
    write(tpl, form)
    sighup(s)
    check("Autopilot batch status" in s.get("/").text, "the catalog did not come back")


@test("reload")
def settings_apply_live_or_say_they_wait_for_a_restart(s):
    write(os.path.join(FILES, "batchstatus.conf"), settings(threads="3", max_retry_after="7"))
    said = sighup(s)
    check("BATCHSTATUS_THREADS changed: it takes effect at the next restart" in said,
          "a restart-only change is not said: %s" % short(said, 300))
    check("BATCHSTATUS_MAX_RETRY_AFTER changed" in said, "a live change is not said")
    t = steer_id()
    steer(s, t, fail=429, retry_after="600")
    r = s.get(batch_path(t))
    expect_status(r, 503, "a 429 after the reload: ")
    check(r.header("Retry-After") in ("6", "7"), "max_retry_after 7 is not in force: Retry-After %r"
          % r.header("Retry-After"))
    write(os.path.join(FILES, "batchstatus.conf"), settings(log_level="warn"))
    sighup(s)
    n = app_lines(s, "GET / ")
    expect_status(s.get("/"), 200)
    check(app_lines(s, "GET / ") == n, "log_level warn still logs every request")
    write(os.path.join(FILES, "batchstatus.conf"), settings())
    sighup(s)
    time.sleep(7.5)  # the pause above


@test("reload")
def no_request_is_dropped_by_reloads(s):
    t = steer_id()
    steer(s, t, status="processing")
    stop, bad, count = threading.Event(), [], [0]

    def viewer(path):
        while not stop.is_set():
            try:
                r = s.get(path)
                count[0] += 1
                if r.status != 200:
                    bad.append("%s: %d" % (path, r.status))
            except Failure as e:
                bad.append(str(e))

    threads = [threading.Thread(target=viewer, args=(p,)) for p in
               ("/", batch_path(t), batch_path(t, ".json"), "/healthz")]
    for th in threads:
        th.start()
    try:
        for _ in range(5):
            sighup(s)
    finally:
        stop.set()
        for th in threads:
            th.join()
    check(not bad, "%d of %d requests failed during reloads: %s" % (len(bad), count[0], bad[:3]))
    check(count[0] > 20, "only %d requests ran during the reloads" % count[0])


def main():
    # The stacks mostly wait (pauses, expiries): they run side by side.
    return harness.main("budget", [
        Group("reload", lambda: Stack("budget-reload", reload_files()), background=True),
        Group("retry", lambda: Stack("budget-retry", {"BATCHSTATUS_MAX_RETRY_AFTER": str(MAX_RA)}),
              background=True),
        Group("stale", lambda: Stack("budget-stale", {"BATCHSTATUS_CACHE_RUNNING_SECONDS": "2",
                                                     "BATCHSTATUS_CACHE_FINISHED_SECONDS": "1"}))])


if __name__ == "__main__":
    sys.exit(main())
