#!/usr/bin/env python3
"""Notifications (issue 16), through real nginx, the fake Partner Center and the webhook
receiver (tests/webhook_receiver.py, HTTPS with the test CA) as the json, slack and teams
targets: the follow button and its CSRF checks, one notification per target when a
followed batch finishes, retries with one Idempotency-Key, no retry after a 4xx, the
follower's budget beside viewers, /following, the Atom feed, and a restart mid-follow.

    python3 tests/blackbox/test_notify.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test, then `notify: N passed, N failed`;
exits 1 when any failed. stdlib only.
"""
import os
import re
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

import harness
from harness import C, Group, Stack, batch_path, check, expect_status, page_text, test

ATOM = "{http://www.w3.org/2005/Atom}"
FORMATS = ("/json", "/slack", "/teams")
FINAL = "finished_with_errors"


def notify_stack(name, **env):
    return Stack(name, dict({"DEMO_SIGNIN": "file", "DEMO_NOTIFY": "1"}, **env))


def follow_form(s, tracking, customer=C):
    """The follow button's form on a running batch's page: (action, token)."""
    r = s.get(batch_path(tracking, customer=customer))
    expect_status(r, 200, "the running batch's page: ")
    forms = r.tree.root.find_all("form", id="follow")
    check(len(forms) == 1, "the running batch's page has no follow form")
    f = forms[0]
    check((f.attrs.get("method") or "").lower() == "post", "the follow form is not a POST")
    tokens = [i.attrs.get("value") for i in f.find_all("input") if i.attrs.get("name") == "token"]
    check(len(tokens) == 1 and tokens[0], "the follow form has no token")
    return f.attrs.get("action"), tokens[0]


def post_follow(s, action, body, origin=True, site="same-origin", extra=None):
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        h["Origin"] = origin if isinstance(origin, str) else "http://127.0.0.1:%d" % s.port
    if site:
        h["Sec-Fetch-Site"] = site
    h.update(extra or {})
    return s.request(action, method="POST", headers=h, body=body.encode())


def follow(s, tracking, customer=C):
    """Follows a running steer batch by its page's button, as a browser would."""
    harness.steer(s, tracking, status="processing")
    action, token = follow_form(s, tracking, customer)
    r = post_follow(s, action, "token=" + urllib.parse.quote(token))
    expect_status(r, 303, "the follow POST: ")
    check(r.header("Location") == batch_path(tracking, customer=customer),
          "the follow POST sends back to %r" % r.header("Location"))
    return token


def deliveries_for(s, tracking, path=None):
    out = []
    for d in s.receiver_deliveries(path):
        if tracking in (d.get("body") or ""):
            out.append(d)
    return out


def wait_deliveries(s, tracking, want, timeout=40, path=None):
    """Waits until want(deliveries) is true; the deliveries then (or the last seen)."""
    end = time.time() + timeout
    while True:
        got = deliveries_for(s, tracking, path)
        if want(got) or time.time() > end:
            return got
        time.sleep(0.5)


def one_each(got):
    return all(sum(1 for d in got if d["path"] == p and d["answered"] == 200) >= 1 for p in FORMATS)


# --- the button and its checks ------------------------------------------------------

@test("notify")
def a_running_batch_has_the_button_and_a_finished_one_not(s):
    t = harness.steer_id()
    harness.steer(s, t, status="processing")
    follow_form(s, t)
    r = s.get(batch_path(harness.T["seed"]))
    expect_status(r, 200)
    check(not r.tree.root.find_all("form", id="follow"), "a finished batch offers the follow button")


@test("notify")
def follow_requests_without_a_valid_token_or_from_elsewhere_are_refused(s):
    t = harness.steer_id()
    harness.steer(s, t, status="processing")
    action, token = follow_form(s, t)
    hour, mac = token.split(".")
    forged = "%s.%s" % (hour, ("0" if mac[0] != "0" else "1") + mac[1:])
    stale = "%d.%s" % (int(hour) - 30, mac)
    cases = [
        ("no token", post_follow(s, action, "")),
        ("a forged token", post_follow(s, action, "token=" + forged)),
        ("a stale token", post_follow(s, action, "token=" + stale)),
        ("another origin", post_follow(s, action, "token=" + token, origin="https://evil.example")),
        ("a null origin", post_follow(s, action, "token=" + token, origin="null")),
        ("a cross-site fetch", post_follow(s, action, "token=" + token, origin=False, site="cross-site")),
        ("an oversized body", post_follow(s, action, "token=" + token + "&pad=" + "x" * 2000)),
    ]
    # Another batch's token does not follow this one.
    t2 = harness.steer_id()
    harness.steer(s, t2, status="processing")
    _, token2 = follow_form(s, t2)
    cases.append(("another batch's token", post_follow(s, action, "token=" + token2)))
    for what, r in cases:
        check(r.status == 403, "%s: HTTP %d, not 403" % (what, r.status))
        check("refused" in page_text(r).lower(), "%s: the page does not say it was refused" % what)
        check(r.header("X-Correlation-Id"), "%s: no correlation ID" % what)
    r = s.get("/following")
    expect_status(r, 200)
    check(t not in r.text and t2 not in r.text, "a refused follow is listed as followed")
    r = s.get(action)
    expect_status(r, 405, "GET on the follow URL: ")
    check(r.header("Allow") == "POST", "Allow: %r" % r.header("Allow"))
    # Still serving, and a good POST still works.
    r = post_follow(s, action, "token=" + token)
    expect_status(r, 303, "the same token from this site: ")


@test("notify")
def a_followed_batch_is_told_once_per_target_when_it_finishes(s):
    t = harness.steer_id()
    follow(s, t)
    r = s.get(batch_path(t))
    check(r.tree.root.find_all(id="followed"), "the followed batch's page does not say it is followed")
    check(not r.tree.root.find_all("form", id="follow"), "a followed batch still offers the button")
    r = s.get("/following")
    check(t in r.text, "/following does not list the followed batch")
    time.sleep(1)
    check(not deliveries_for(s, t), "told before it finished")
    harness.steer(s, t, status=FINAL)
    got = wait_deliveries(s, t, one_each)
    check(one_each(got), "not every target was told: %s" % sorted(d["path"] for d in got))
    time.sleep(3)
    got = deliveries_for(s, t)
    for p in FORMATS:
        n = [d for d in got if d["path"] == p]
        check(len(n) == 1, "%s got %d notifications" % (p, len(n)))
        check(n[0]["headers"].get("idempotency-key"), "%s: no Idempotency-Key" % p)
        check((n[0]["headers"].get("content-type") or "").startswith("application/json"),
              "%s: Content-Type %r" % (p, n[0]["headers"].get("content-type")))
    j = next(d for d in got if d["path"] == "/json")["json"]
    check(j["event"] == "batch.finished" and j["trackingId"] == t and j["customerId"] == C,
          "the JSON notification: %r" % j)
    check(j["customerName"] == "Contoso", "customerName %r" % j.get("customerName"))
    check(j["status"] == FINAL and j["counts"]["total"] == 1 and j["counts"]["failed"] == 1,
          "counts %r" % j.get("counts"))
    check("failed" in j["headline"], "headline %r" % j["headline"])
    check(j["topErrors"] and j["topErrors"][0]["code"] == "808" and j["topErrors"][0]["explanation"],
          "topErrors %r" % j.get("topErrors"))
    check(j["url"] == "http://127.0.0.1:%d/customers/%s/batches/%s" % (s.port, C, t),
          "url %r" % j.get("url"))
    text = next(d for d in got if d["path"] == "/slack")["json"]["text"]
    check(j["headline"] in text and j["url"] in text and "808" in text, "slack text %r" % text)
    card = next(d for d in got if d["path"] == "/teams")["json"]
    check(card["type"] == "message", "teams: %r" % card)
    att = card["attachments"][0]
    check(att["contentType"] == "application/vnd.microsoft.card.adaptive" and
          att["content"]["type"] == "AdaptiveCard", "teams attachment %r" % att)
    check(any(a.get("url") == j["url"] for a in att["content"].get("actions", [])),
          "the card does not link the batch")
    r = s.get("/following")
    row = [tr for tr in r.tree.root.find_all("tr") if t in tr.text()]
    check(row and "follow-notified" in (row[0].attrs.get("class") or ""),
          "/following does not show it finished and told")
    m = s.get("/metrics").text
    sent = re.search(r'batchstatus_notifications_total\{result="sent"\} (\d+)', m)
    check(sent and int(sent.group(1)) >= 3, "metrics: %s" % (sent.group(0) if sent else "no sent counter"))
    check("batchstatus_followed " in m, "metrics has no batchstatus_followed gauge")


@test("notify")
def only_the_operators_targets_are_ever_called(s):
    t = harness.steer_id()
    harness.steer(s, t, status="processing")
    action, token = follow_form(s, t)
    evil = "https://127.0.0.1:%d/evil" % s.receiver_port
    r = post_follow(s, action + "?url=" + urllib.parse.quote(evil),
                    "token=%s&url=%s&target=%s" % (token, urllib.parse.quote(evil), urllib.parse.quote(evil)))
    check(r.status in (303, 400, 403), "HTTP %d" % r.status)
    harness.steer(s, t, status=FINAL)
    wait_deliveries(s, t, one_each, timeout=30)
    paths = {d["path"] for d in s.receiver_deliveries()}
    check(paths <= set(FORMATS), "the server called %s" % sorted(paths - set(FORMATS)))
    hosts = {e.get("path", "").split("?")[0] for e in s.fake_entries()}
    check(not any("evil" in h for h in hosts), "the fake saw a URL from the request")


@test("notify")
def a_failing_target_is_retried_with_one_key_and_a_4xx_is_not(s):
    s.receiver_control({"path": "/slack", "fail": [503, 503, 503]})
    s.receiver_control({"path": "/teams", "status": 400})
    try:
        t = harness.steer_id()
        follow(s, t)
        harness.steer(s, t, status=FINAL)
        got = wait_deliveries(s, t, lambda g: any(d["path"] == "/slack" and d["answered"] == 200
                                                  for d in g), timeout=60)
        slack = [d for d in got if d["path"] == "/slack"]
        check([d["answered"] for d in slack] == [503, 503, 503, 200],
              "slack answers %s" % [d["answered"] for d in slack])
        keys = {d["headers"].get("idempotency-key") for d in slack}
        check(len(keys) == 1 and None not in keys, "the retries' keys: %s" % keys)
        time.sleep(5)
        teams = deliveries_for(s, t, "/teams")
        check(len(teams) == 1 and teams[0]["answered"] == 400,
              "a 400 target was tried %d times" % len(teams))
        check(len(deliveries_for(s, t, "/slack")) == 4, "slack was tried again after it accepted")
        check(len(deliveries_for(s, t, "/json")) == 1, "json was told more than once")
    finally:
        s.receiver_control({"reset": True})
    m = s.get("/metrics").text
    for result in ("retried", "failed"):
        v = re.search(r'batchstatus_notifications_total\{result="%s"\} (\d+)' % result, m)
        check(v and int(v.group(1)) >= 1, "metrics %s: %s" % (result, v.group(0) if v else "none"))


@test("notify")
def the_follower_spends_no_more_than_the_viewers(s):
    t = harness.steer_id()
    follow(s, t)
    start = time.time()
    before = [e for e in s.fake_entries() if t in e.get("path", "")]
    stop = threading.Event()

    def viewer():
        while not stop.is_set():
            s.get(batch_path(t))
            time.sleep(0.2)

    threads = [threading.Thread(target=viewer) for _ in range(20)]
    for th in threads:
        th.start()
    time.sleep(12)
    stop.set()
    for th in threads:
        th.join()
    took = time.time() - start
    calls = [e for e in s.fake_entries() if t in e.get("path", "")][len(before):]
    # One call per cache interval (BATCHSTATUS_CACHE_RUNNING_SECONDS, 5 s), and one at the edges.
    check(len(calls) <= took / 5 + 2, "%d calls in %.1f s for a batch 20 viewers and the follower watch"
          % (len(calls), took))


@test("notify")
def the_customer_page_and_its_atom_feed_list_followed_batches(s):
    t = harness.steer_id()
    follow(s, t)
    r = s.get("/customers/%s" % C)
    expect_status(r, 200)
    check(t in r.text, "the customer page does not list its followed batch")
    feeds = [a.attrs.get("href") for a in r.tree.root.find_all("a", id="feed-link")]
    check(feeds == ["/customers/%s/feed.atom" % C], "feed link %r" % feeds)
    r = s.get(feeds[0])
    expect_status(r, 200)
    check((r.header("Content-Type") or "").startswith("application/atom+xml"),
          "Content-Type %r" % r.header("Content-Type"))
    root = ET.fromstring(r.body)
    check(root.tag == ATOM + "feed", "root %r" % root.tag)
    for el in ("id", "title", "updated"):
        check(root.find(ATOM + el) is not None and (root.find(ATOM + el).text or "").strip(),
              "the feed has no %s" % el)
    check(root.find(ATOM + "author/" + ATOM + "name") is not None, "the feed has no author")
    entries = root.findall(ATOM + "entry")
    check(entries, "the feed has no entry")
    ids = set()
    for e in entries:
        for el in ("id", "title", "updated"):
            check(e.find(ATOM + el) is not None, "an entry has no %s" % el)
        ids.add(e.find(ATOM + "id").text)
        links = e.findall(ATOM + "link")
        check(links and links[0].get("href"), "an entry has no link")
    check(len(ids) == len(entries), "entries share an id")
    check(any(t in (l.get("href") or "") for e in entries for l in e.findall(ATOM + "link")),
          "no entry links the followed batch")
    check(root.find(ATOM + "title").text.endswith("Contoso"), "title %r" % root.find(ATOM + "title").text)


@test("notify")
def a_hostile_customer_name_stays_text_in_the_feed(s):
    hostile = next(c for c in harness.fixture_json("customers.json")["customers"]
                   if "<script>" in c["companyProfile"]["companyName"])
    t = harness.steer_id()
    follow(s, t, customer=hostile["id"])
    # The follower asks for the name on its first poll.
    end = time.time() + 15
    while time.time() < end:
        r = s.get("/customers/%s/feed.atom" % hostile["id"])
        if b"script" in r.body:
            break
        time.sleep(0.5)
    expect_status(r, 200)
    root = ET.fromstring(r.body)
    title = root.find(ATOM + "title").text
    check(hostile["companyProfile"]["companyName"].strip() in title or "<script>" in title,
          "the name is not in the title as text: %r" % title)
    check(b"<script>" not in r.body, "the name's markup came through unescaped")


@test("off")
def notifications_off_says_nothing_of_them(s):
    t = harness.steer_id()
    harness.steer(s, t, status="processing")
    r = s.get(batch_path(t))
    expect_status(r, 200)
    check(not r.tree.root.find_all("form", id="follow"), "a follow button without targets")
    expect_status(s.get("/following"), 404)
    expect_status(s.get("/customers/%s/feed.atom" % C), 404)
    r = s.request(batch_path(t) + "/follow", method="POST", body=b"token=x",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    expect_status(r, 404)
    check("batchstatus_notifications_total" not in s.get("/metrics").text,
          "metrics count notifications that are off")


# --- three nodes sharing Redis ---------------------------------------------------------

@test("nodes")
def three_nodes_send_one_notification_for_a_batch_viewed_on_each(s):
    t = harness.steer_id()
    harness.steer(s, t, status="processing")
    # BATCHSTATUS_FOLLOW_VIEWED=1: a view follows it, no click; nginx spreads the views.
    for _ in range(9):
        r = s.get(batch_path(t))
        expect_status(r, 200)
        check(not r.tree.root.find_all("form", id="follow"),
              "with every viewed batch followed, a page still offers the button")
    time.sleep(3)
    for _ in range(3):
        r = s.get("/following")
        check(t in r.text, "a node does not list the batch the others follow")
    harness.steer(s, t, status=FINAL)
    got = wait_deliveries(s, t, one_each, timeout=40)
    check(one_each(got), "not every target was told: %s" % sorted(d["path"] for d in got))
    time.sleep(6)
    for p in FORMATS:
        n = len(deliveries_for(s, t, p))
        check(n == 1, "three nodes sent %s %d notifications" % (p, n))
    calls = [e for e in s.fake_entries() if t in e.get("path", "")]
    check(len(calls) <= 15, "%d Partner Center calls for one followed batch" % len(calls))


# --- a restart mid-follow ------------------------------------------------------------------

STATE = os.path.join(harness.RUN_ROOT, "notify-restart-state")


def restart_stacks():
    return notify_stack("notify-restart", BATCHSTATUS_STATE_DIR=STATE)


@test("restart")
def a_restart_mid_follow_still_tells_once(s):
    t = harness.steer_id()
    follow(s, t)
    time.sleep(1)
    check(s.stop() is not None, "the first stack did not stop")
    # The same state directory, a fresh fake: the batch answers finished there at once.
    s2 = restart_stacks()
    check(s2.start(), "the second stack did not start: %s" % s2.start_error)
    try:
        got = wait_deliveries(s2, t, one_each, timeout=30)
        check(one_each(got), "after the restart not every target was told: %s"
              % sorted(d["path"] for d in got))
        time.sleep(3)
        for p in FORMATS:
            n = len(deliveries_for(s2, t, p))
            check(n == 1, "%s got %d notifications after the restart" % (p, n))
        r = s2.get("/following")
        check(t in r.text, "the follow did not survive the restart")
    finally:
        s2.stop()
        s2.kill_leftovers()


def main():
    if os.path.isdir(STATE):
        for f in os.listdir(STATE):
            os.unlink(os.path.join(STATE, f))
    else:
        os.makedirs(STATE, mode=0o700)
    return harness.main("notify", [
        Group("notify", lambda: notify_stack("notify")),
        Group("off", lambda: Stack("notify-off", {"DEMO_SIGNIN": "file"})),
        Group("restart", restart_stacks, background=True),
        Group("nodes", lambda: notify_stack("notify-nodes", NODES="3",
                                            BATCHSTATUS_FOLLOW_VIEWED="1"), background=True),
    ])


if __name__ == "__main__":
    sys.exit(main())
