#!/usr/bin/env node
// The browser suite: batchstatus through scripts/run.sh (nginx + the server + the fake
// Partner Center), driven in Debian's headless Chromium by playwright-core.
//
//     node tests/browser/test_browser.mjs [-v] [-k SUBSTRING]
//
// Prints `ok  name` / `FAIL name: reason` per check, then `browser: N passed, N failed`;
// exits 1 when any failed. Chromium or node_modules missing is a failure, not a skip
// (`make test` installs both: Debian's chromium, and `npm ci` in tests/browser).
//
// Environment: BATCHSTATUS_BIN and BLACKBOX_RUN_ROOT as for the black-box suites;
// CHROMIUM_PATH (default /usr/bin/chromium); BROWSER_SCREENSHOT_DIR (default
// BLACKBOX_RUN_ROOT/../screenshots, so build/screenshots); BROWSER_UPDATE_DOCS=1 also
// writes docs/batch-page.png.
import fs from 'node:fs';
import path from 'node:path';
import { HERE, ROOT, RUN_ROOT, Stack, killAllSync, startPortal } from './stack.mjs';

const argv = process.argv.slice(2);
const VERBOSE = argv.includes('-v');
const ONLY = argv.includes('-k') ? argv[argv.indexOf('-k') + 1] : null;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.BROWSER_SCREENSHOT_DIR || path.join(path.dirname(RUN_ROOT), 'screenshots'));
const SUITE_TIMEOUT_MS = 8 * 60 * 1000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
// The flags this machine needs (see the project's machine notes): no network of Chromium's own.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const table = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'scenarios.json'), 'utf8'));
const C = table.customer;
const T = Object.fromEntries(table.scenarios.map((s) => [s.name, s.tracking]));
const seed = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'seed.json'), 'utf8'));
const batchPath = (t, c = C) => `/customers/${c}/batches/${t}`;

// --- reporting ------------------------------------------------------------------

const results = [];
const oneLine = (s, n = 600) => {
  const t = String(s).replace(/\s+/g, ' ').trim();
  return t.length <= n ? t : `${t.slice(0, n)}...`;
};
function report(name, err) {
  results.push(!err);
  console.log(err ? `FAIL ${name}: ${oneLine(err)}` : `ok  ${name}`);
}
class Failure extends Error {}
function check(cond, msg) { if (!cond) throw new Failure(msg); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs one named check; its exception is its failure. Details go to stderr.
async function test(name, fn) {
  if (ONLY && !name.includes(ONLY)) return;
  const t0 = Date.now();
  try {
    await fn();
    report(name, null);
  } catch (e) {
    report(name, e instanceof Failure ? e.message : `${e.name}: ${e.message}`);
    if (e.details) process.stderr.write(`${e.details}\n`);
  }
  if (VERBOSE) process.stderr.write(`  (${name} ${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
}

function finish(code) {
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed ? 1 : 0));
}

// --- page helpers ----------------------------------------------------------------

// The refresh interval a response asks for: the HTTP Refresh header, else a
// <meta http-equiv="refresh"> in the body; null when neither.
function refreshOf(headers, body) {
  const h = headers.refresh;
  if (h !== undefined) {
    const m = /^\s*(\d+)/.exec(h);
    return m ? Number(m[1]) : NaN;
  }
  const meta = /<meta\s[^>]*http-equiv\s*=\s*["']?refresh["']?[^>]*>/i.exec(body || '');
  if (!meta) return null;
  const content = /content\s*=\s*["']?\s*(\d+)/i.exec(meta[0]);
  return content ? Number(content[1]) : NaN;
}

// A page that does not reload itself (the Refresh header removed) for the checks
// that look at a running batch's page for longer than its interval.
async function noHeaderRefresh(page) {
  await page.route((u) => u.pathname.startsWith('/customers/'), async (route) => {
    const resp = await route.fetch({ maxRedirects: 0 });
    const headers = { ...resp.headers() };
    delete headers.refresh;
    await route.fulfill({ response: resp, headers });
  });
}

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160),
        summary: (n.failureSummary || '').split('\n').slice(0, 3).join(' ') })),
    }));
  });
}

function describeViolations(where, vs) {
  return vs.map((v) => `  ${where}: ${v.id} (${v.impact}) ${v.help}\n${
    v.nodes.slice(0, 5).map((n) => `      ${n.target}  ${n.html}\n        ${n.summary}`).join('\n')}`).join('\n');
}

async function expectVisibleText(loc, what) {
  try {
    await loc.first().waitFor({ state: 'visible', timeout: 5000 });
  } catch {
    throw new Failure(`${what} is not visible`);
  }
  const t = (await loc.first().innerText()).trim();
  check(t.length > 0, `${what} is empty`);
  return t;
}

// --- the pages every page-level check visits --------------------------------------

const PAGES = [
  { name: 'form', path: '/', status: 200 },
  { name: 'form-error', path: `/?customer=not-a-guid&tracking=${T.seed}`, status: 400 },
  { name: 'batch-finished', path: batchPath(T.seed), status: 200 },
  { name: 'batch-processing', path: batchPath(T.processing), status: 200 },
  { name: 'batch-errors', path: batchPath(T.large), status: 200 },
  { name: 'error-404', path: batchPath(T.notfound), status: 404 },
  { name: 'error-502', path: batchPath(T.servererror), status: 502 },
  { name: 'form-both-errors', path: '/?customer=not-a-guid&tracking=%2Fcustomers%2Fx%2FbatchJobStatus%2F', status: 400 },
  { name: 'form-filled-in', path: `/?customer=${C}&tracking=${T.notfound}&edit=1`, status: 200 },
];

// --- the checks --------------------------------------------------------------------

async function formChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const page = await ctx.newPage();
  try {
    await test('form: submit customer + tracking lands on the batch page', async () => {
      const r = await page.goto(`${s.base}/`);
      check(r.status() === 200, `GET / answered ${r.status()}`);
      await page.fill('#customer', C);
      await page.fill('#tracking', T.seed);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/', { timeout: 15000 }),
        page.click('form button[type=submit], form [type=submit]')]);
      const u = new URL(page.url());
      check(u.pathname === batchPath(T.seed), `landed on ${u.pathname}`);
      const status = await expectVisibleText(page.locator('#batch-status'), 'the batch status');
      const cls = await page.locator('#batch-status').getAttribute('class');
      check(/\bstatus-finished\b/.test(cls || ''), `the status badge is "${status}" (class ${cls}), not finished`);
      await expectVisibleText(page.locator('table#devices'), 'the device table');
      const rows = await page.locator('table#devices tbody tr').count();
      check(rows === seed.devicesStatus.length, `${rows} device rows, not ${seed.devicesStatus.length}`);
      const tableText = await page.locator('table#devices').innerText();
      const dev = seed.devicesStatus[0];
      check(tableText.includes(dev.serialNumber) && tableText.includes(dev.errorCode),
        `the table does not show serial ${dev.serialNumber} with error ${dev.errorCode}`);
    });

    await test('form: a whole Location value with the customer empty lands on the batch page', async () => {
      await page.goto(`${s.base}/`);
      await page.fill('#customer', '');
      await page.fill('#tracking', `https://api.partnercenter.microsoft.com/v1/customers/${C}/batchJobStatus/${T.seed}`);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/', { timeout: 15000 }),
        page.press('#tracking', 'Enter')]);
      const u = new URL(page.url());
      check(u.pathname === batchPath(T.seed), `landed on ${u.pathname}${u.search}`);
      await expectVisibleText(page.locator('#batch-status'), 'the batch status');
    });

    await test('form: a bad ID gives the form again, HTTP 400, the message, aria-invalid and focus', async () => {
      await page.goto(`${s.base}/`);
      await page.fill('#customer', 'not-a-guid');
      await page.fill('#tracking', T.seed);
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
          { timeout: 15000 }),
        page.click('form [type=submit]')]);
      await page.waitForLoadState('load');
      check(resp.status() === 400, `HTTP ${resp.status()}, not 400`);
      check(new URL(page.url()).pathname === '/', `at ${page.url()}, not the form`);
      await expectVisibleText(page.locator('#form-message'), 'the error message');
      check(await page.locator('#customer').getAttribute('aria-invalid') === 'true', '#customer has no aria-invalid="true"');
      check(await page.locator('#tracking').getAttribute('aria-invalid') !== 'true', '#tracking (valid) is marked invalid');
      check(await page.inputValue('#customer') === 'not-a-guid', 'the typed value is not kept');
      const described = await page.locator('#customer').getAttribute('aria-describedby');
      check((described || '').split(/\s+/).includes('customer-message'), `aria-describedby is ${described}`);
      await expectVisibleText(page.locator('#customer-message'), "the customer field's own message");
      check(await page.locator('#tracking-message').count() === 0, 'the valid tracking field has a message');
      try {
        await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'customer',
          null, { timeout: 5000 });
      } catch {
        const active = await page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
        throw new Failure(`the focus is on ${active}, not on the invalid field`);
      }
    });

    await test('form: both fields bad: each marked, each described by its own message, focus on the first', async () => {
      await page.goto(`${s.base}/`);
      await page.fill('#customer', 'not-a-guid');
      await page.fill('#tracking', 'not-one-either');
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
          { timeout: 15000 }),
        page.click('form [type=submit]')]);
      await page.waitForLoadState('load');
      check(resp.status() === 400, `HTTP ${resp.status()}, not 400`);
      for (const f of ['customer', 'tracking']) {
        check(await page.locator(`#${f}`).getAttribute('aria-invalid') === 'true', `#${f} has no aria-invalid="true"`);
        const d = await page.locator(`#${f}`).getAttribute('aria-describedby');
        check(d === `${f}-message`, `#${f} aria-describedby is ${d}`);
        await expectVisibleText(page.locator(`#${f}-message`), `the ${f} field's message`);
      }
      await expectVisibleText(page.locator('#form-message'), 'the summary');
      try {
        await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'customer',
          null, { timeout: 5000 });
      } catch {
        const active = await page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
        throw new Failure(`the focus is on ${active}, not on the first invalid field`);
      }
    });

    await test('404: the swapped lookup is a link, and the way back fills the form in', async () => {
      const r = await page.goto(`${s.base}${batchPath(T.notfound)}`);
      check(r.status() === 404, `HTTP ${r.status()}, not 404`);
      const swapped = await page.locator('#swapped-link').getAttribute('href');
      check(swapped === `/customers/${T.notfound}/batches/${C}`, `the swapped link is ${swapped}`);
      await expectVisibleText(page.locator('#likely-causes'), 'the likely causes');
      await Promise.all([page.waitForLoadState('load'), page.click('#back-to-form')]);
      await page.waitForFunction(() => location.search.includes('edit=1'), null, { timeout: 5000 });
      check(await page.inputValue('#customer') === C, `the customer field holds ${await page.inputValue('#customer')}`);
      check(await page.inputValue('#tracking') === T.notfound, 'the tracking field does not hold the tracking ID');
      check(await page.locator('#form-message').count() === 0, 'the filled-in form shows an error');
    });

    await test('focus is visible on every control (form, form with an error, batch page), by keyboard', async () => {
      const bad = [];
      for (const p of [PAGES[0], PAGES[1], PAGES[2]]) {
        await page.goto(`${s.base}${p.path}`);
        await page.evaluate(() => { if (document.activeElement) document.activeElement.blur(); });
        const seen = new Set();
        for (let i = 0; i < 40; i++) {
          await page.keyboard.press('Tab');
          const f = await page.evaluate(() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const cs = getComputedStyle(el);
            const r = el.getBoundingClientRect();
            return {
              key: `${el.tagName}#${el.id}.${el.getAttribute('class') || ''}[${el.getAttribute('href') || el.name || ''}]${el.textContent.trim().slice(0, 30)}`,
              outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
              visible: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
                (cs.outlineStyle === 'auto') || (cs.boxShadow && cs.boxShadow !== 'none'),
              onScreen: r.width > 0 && r.height > 0,
            };
          });
          if (!f || seen.has(f.key)) break;
          seen.add(f.key);
          if (!f.visible) bad.push(`${p.name}: ${f.key} (outline ${f.outline})`);
          if (!f.onScreen) bad.push(`${p.name}: ${f.key} is focused but not on screen`);
        }
        check(seen.size > 0, `${p.name}: Tab reaches no control`);
      }
      check(bad.length === 0, `no visible focus on: ${bad.join('; ')}`);
    });
  } finally {
    await ctx.close();
  }
}

// Switching language from the footer, and a chosen language kept while one clicks on.
async function languageChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
  const page = await ctx.newPage();
  try {
    await test('language: the footer switches the page to ja-JP and the choice follows the links', async () => {
      await page.goto(`${s.base}${batchPath(T.large)}`);
      check(await page.getAttribute('html', 'lang') === 'en-US', 'the default page is not en-US');
      await Promise.all([page.waitForURL(/lang=ja-JP/, { timeout: 15000 }),
        page.click('footer a[hreflang="ja-JP"]')]);
      check(await page.getAttribute('html', 'lang') === 'ja-JP', `lang is ${await page.getAttribute('html', 'lang')}`);
      const heading = await page.locator('#devices th').nth(1).innerText();
      check(heading.trim() === 'シリアル番号', `the serial number column reads "${heading}"`);
      await Promise.all([page.waitForURL((u) => u.pathname === '/', { timeout: 15000 }),
        page.click('header a.brand')]);
      check(new URL(page.url()).searchParams.get('lang') === 'ja-JP', `the home link dropped the language: ${page.url()}`);
      check(await page.getAttribute('html', 'lang') === 'ja-JP', 'the form is not in ja-JP');
      await page.fill('#customer', C);
      await page.fill('#tracking', T.seed);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/', { timeout: 15000 }),
        page.click('form button[type=submit]')]);
      check(await page.getAttribute('html', 'lang') === 'ja-JP', `the form's answer is ${await page.getAttribute('html', 'lang')}`);
    });
    await test('language: Accept-Language picks hu-HU when the URL names none', async () => {
      const hu = await browser.newContext({ viewport: DESKTOP, locale: 'hu-HU' });
      try {
        const p2 = await hu.newPage();
        await p2.goto(`${s.base}/`);
        check(await p2.getAttribute('html', 'lang') === 'hu-HU', `lang is ${await p2.getAttribute('html', 'lang')}`);
      } finally {
        await hu.close();
      }
    });
  } finally {
    await ctx.close();
  }
}

// The device table's filter links and serial number search, as a reader uses them.
async function tableChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const page = await ctx.newPage();
  const serials = async () => page.locator('#devices td.serial').allInnerTexts();
  try {
    await test('table: exactly one chip is current, and it alone looks it (?status=FAILED, devices without a status)', async () => {
      const bad = [];
      for (const q of [`${batchPath(T.large)}`, `${batchPath(T.large)}?status=FAILED`, `${batchPath(T.odd)}`,
        `${batchPath(T.odd)}?status=none`]) {
        await page.goto(`${s.base}${q}`);
        const chips = await page.$$eval('nav.filters a', (as) => as.map((a) => ({
          current: a.getAttribute('aria-current') === 'true', weight: getComputedStyle(a).fontWeight,
          text: a.textContent.trim() })));
        const cur = chips.filter((c) => c.current);
        if (cur.length !== 1) bad.push(`${q}: ${cur.length} current chips`);
        else if (chips.some((c) => !c.current && c.weight === cur[0].weight)) bad.push(`${q}: another chip looks current`);
        const rows = await page.locator('#devices tbody tr').count();
        if (rows === 0) bad.push(`${q}: the current chip shows no device`);
      }
      check(bad.length === 0, bad.join('; '));
    });

    await test('table: the "with an error" filter, then a serial number search, then clear, then all', async () => {
      await page.goto(`${s.base}${batchPath(T.large)}`);
      const all = (await serials()).length;
      check(all === 400, `${all} rows at first`);
      const firstCode = await page.locator('#devices td.code').first().innerText();
      check(firstCode.trim() !== '', 'the first row has no error: failed devices do not come first');
      await Promise.all([page.waitForURL(/status=failed/, { timeout: 15000 }),
        page.click('nav.filters a[href*="status=failed"]')]);
      const codes = await page.locator('#devices td.code').allInnerTexts();
      const descs = await page.locator('#devices td.desc').allInnerTexts();
      check(codes.length > 0 && codes.length < all, `${codes.length} rows with the filter`);
      check(codes.every((c, i) => c.trim() || descs[i].trim()), 'a device without an error is listed');
      const pick = (await serials())[0].trim();
      await page.fill('#q', pick.toLowerCase());
      await Promise.all([page.waitForURL(/q=/, { timeout: 15000 }), page.press('#q', 'Enter')]);
      const u = new URL(page.url());
      check(u.searchParams.get('status') === 'failed', `the search dropped the filter: ${page.url()}`);
      const found = await serials();
      check(found.length === 1 && found[0].trim() === pick, `search "${pick}" shows ${JSON.stringify(found.slice(0, 3))}`);
      await Promise.all([page.waitForURL((x) => !x.search.includes('q='), { timeout: 15000 }),
        page.click('form.search a.clear')]);
      // Clear takes the search away and keeps the filter; "All" brings every device back.
      check(new URL(page.url()).searchParams.get('status') === 'failed', `clear dropped the filter: ${page.url()}`);
      check((await serials()).length === codes.length, 'clear does not bring the filtered devices back');
      await Promise.all([page.waitForURL((x) => !x.search.includes('status='), { timeout: 15000 }),
        page.click('nav.filters a.status-all')]);
      check((await serials()).length === all, '"All" does not bring every device back');
    });
  } finally {
    await ctx.close();
  }
}

async function refreshCheck(browser, s) {
  await test('a processing batch page refreshes on its own without JavaScript, and stops once finished', async () => {
    // No JavaScript at all: the refresh is the server's (HTTP Refresh or <meta http-equiv>).
    const ctx = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    const page = await ctx.newPage();
    const url = `${s.base}${batchPath(T.finishing)}`;
    const navs = [];      // one per main-frame document load of the batch page
    const pending = [];
    page.on('response', (r) => {
      if (!r.request().isNavigationRequest() || r.frame() !== page.mainFrame()) return;
      if (!new URL(r.url()).pathname.startsWith(batchPath(T.finishing))) return;
      const entry = { t: Date.now(), status: r.status(), headers: r.headers() };
      navs.push(entry);
      pending.push(r.text().then((b) => { entry.refresh = refreshOf(entry.headers, b); },
        () => { entry.refresh = refreshOf(entry.headers, ''); }));
    });
    const badgeClass = async () => (await page.locator('#batch-status').getAttribute('class', { timeout: 5000 })) || '';
    try {
      const r = await page.goto(url);
      check(r.status() === 200, `HTTP ${r.status()}`);
      await Promise.all(pending);
      check(navs.length === 1, `${navs.length} loads after the first`);
      const first = navs[0].refresh;
      check(/\bstatus-processing\b/.test(await badgeClass()), `the first view is not processing (${await badgeClass()})`);
      check(Number.isInteger(first) && first > 0,
        `the processing page asks for no refresh (Refresh header ${navs[0].headers.refresh}, no <meta http-equiv=refresh>)`);
      check(first <= 60, `it refreshes after ${first} s, more than 60`);
      // The fake turns the batch finished 8 s after its first request; every interval may
      // back off, so wait for a few of them (bounded), then for the finished view.
      const deadline = Date.now() + Math.min(180, 8 + 3 * Math.max(first, 5) + 20) * 1000;
      while (Date.now() < deadline) {
        await Promise.all(pending);
        const last = navs[navs.length - 1];
        if (navs.length > 1 && last.refresh === null && /\bstatus-finished\b/.test(await badgeClass().catch(() => ''))) break;
        await sleep(250);
      }
      await Promise.all(pending);
      const seq = navs.map((n) => `${n.status}/${n.refresh === null ? 'none' : n.refresh}`).join(' ');
      check(navs.length > 1, `the page did not reload on its own within ${Math.round((deadline - navs[0].t) / 1000)} s`);
      const last = navs[navs.length - 1];
      check(/\bstatus-finished\b/.test(await badgeClass()), `still not finished after the reloads (loads: ${seq})`);
      check(last.refresh === null, `the finished page still asks for a refresh after ${last.refresh} s (loads: ${seq})`);
      check(navs.slice(0, -1).every((n) => Number.isInteger(n.refresh) && n.refresh > 0),
        `a processing view without a refresh (loads: ${seq})`);
      // And it stays put: wait longer than the last interval asked for.
      const before = navs.length;
      const prev = navs[navs.length - 2].refresh;
      await sleep(Math.min(prev + 3, 35) * 1000);
      check(navs.length === before, `it reloaded again after finishing (loads: ${seq} ...)`);
    } finally {
      await ctx.close();
    }
  });
}

async function embedChecks(browser, s, portal) {
  const portalOrigin = `http://127.0.0.1:${portal.port}`;
  // Loads the portal page (from `origin`) framing `src`; tells what the frame shows.
  async function framed(origin, src) {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    const csp = [];
    page.on('console', (m) => { if (/frame-ancestors|Refused to frame/i.test(m.text())) csp.push(m.text()); });
    try {
      await page.goto(`${origin}/portal?src=${encodeURIComponent(src)}`);
      await page.waitForFunction(() => window.frameLoads >= 1, null, { timeout: 15000 }).catch(() => {});
      const frame = page.frames().find((f) => f !== page.mainFrame());
      let status = null;
      if (frame) {
        try {
          status = (await frame.locator('#batch-status').innerText({ timeout: 3000 })).trim();
        } catch { status = null; }
      }
      return { frameUrl: frame ? frame.url() : null, status, csp };
    } finally {
      await ctx.close();
    }
  }

  await test("embedding: by default (frame-ancestors 'self') another origin's iframe is blocked", async () => {
    const src = `${s.base}${batchPath(T.seed)}`;
    const resp = await fetch(src);
    const policy = resp.headers.get('content-security-policy') || '';
    check(/frame-ancestors\s+'self'\s*(;|$)/.test(policy), `CSP is "${policy}"`);
    const f = await framed(portalOrigin, src);
    check(f.frameUrl !== null, 'the portal page has no frame');
    check(f.status === null, `the frame shows the batch (status "${f.status}") from ${portalOrigin}`);
    if (VERBOSE) process.stderr.write(`  frame: ${f.frameUrl}; console: ${f.csp.join(' | ')}\n`);
  });
  return portalOrigin;
}

async function embedAllowedChecks(browser, s, portal) {
  const portalOrigin = `http://127.0.0.1:${portal.port}`;
  const otherOrigin = `http://localhost:${portal.port}`;   // same server, another origin
  async function framed(origin, src) {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    try {
      await page.goto(`${origin}/portal?src=${encodeURIComponent(src)}`);
      await page.waitForFunction(() => window.frameLoads >= 1, null, { timeout: 15000 }).catch(() => {});
      const frame = page.frames().find((f) => f !== page.mainFrame());
      let status = null;
      if (frame) {
        try { status = (await frame.locator('#batch-status').innerText({ timeout: 5000 })).trim(); } catch { status = null; }
      }
      return { frame, status, page, ctx };
    } catch (e) {
      await ctx.close();
      throw e;
    }
  }
  const src = `${s.base}${batchPath(T.seed)}`;

  await test('embedding: BATCHSTATUS_FRAME_ANCESTORS=<portal origin> lets that portal frame the page', async () => {
    const resp = await fetch(src);
    const policy = resp.headers.get('content-security-policy') || '';
    check(policy.includes(portalOrigin), `CSP "${policy}" does not name ${portalOrigin}` +
      (fs.readFileSync(path.join(ROOT, 'src', 'config.c'), 'utf8').includes('frame_ancestors') ? ''
        : ' (BATCHSTATUS_FRAME_ANCESTORS is not implemented in src/config.c yet)'));
    const f = await framed(portalOrigin, src);
    try {
      check(f.status, `the frame shows no batch status (frame at ${f.frame ? f.frame.url() : 'none'})`);
      check(f.frame.url().startsWith(s.base), `the frame is at ${f.frame.url()}`);
      const rows = await f.frame.locator('table#devices tbody tr').count();
      check(rows === seed.devicesStatus.length, `the framed page shows ${rows} device rows`);
      fs.mkdirSync(SHOTS, { recursive: true });
      await f.page.screenshot({ path: path.join(SHOTS, 'embedded-desktop.png'), fullPage: true });
    } finally {
      await f.ctx.close();
    }
  });

  await test('embedding: with BATCHSTATUS_FRAME_ANCESTORS set, an origin not in it is still blocked', async () => {
    const f = await framed(otherOrigin, src);
    try {
      check(f.frame, 'the portal page has no frame');
      check(f.status === null, `the frame shows the batch (status "${f.status}") from ${otherOrigin}`);
    } finally {
      await f.ctx.close();
    }
  });
}

// The headline: one sentence and one colour from the devices, for each kind of batch.
const HEADLINES = [
  { name: 'seed', outcome: 'all_failed', text: /its one device failed/, colour: 'bad' },
  { name: 'large', outcome: 'some_failed', text: /37 of 400 devices failed/, colour: 'warn' },
  { name: 'allregistered', outcome: 'all_registered', text: /all 3 devices registered/, colour: 'ok' },
  { name: 'alreadyassigned', outcome: 'all_registered', text: /^Finished — all 2 devices registered/, colour: 'ok' },
  { name: 'processing', outcome: 'running', text: /of 5 devices done/, colour: 'run' },
];

async function headlineChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const page = await ctx.newPage();
  await noHeaderRefresh(page);
  fs.mkdirSync(SHOTS, { recursive: true });
  try {
    for (const scheme of ['light', 'dark']) {
      await test(`headline: each kind of batch has its sentence and colour (${scheme})`, async () => {
        await page.emulateMedia({ media: 'screen', colorScheme: scheme });
        const bad = [];
        for (const h of HEADLINES) {
          await page.goto(`${s.base}${batchPath(T[h.name])}`);
          const got = await page.evaluate((want) => {
            const el = document.querySelector('#headline');
            const probe = document.createElement('span');
            probe.style.color = `var(--${want}-bg)`;
            document.body.appendChild(probe);
            const expect = getComputedStyle(probe).color;
            probe.remove();
            return el && { cls: el.className, text: el.textContent.trim(), bg: getComputedStyle(el).backgroundColor, expect };
          }, h.colour);
          if (!got) { bad.push(`${h.name}: no headline`); continue; }
          if (!got.cls.split(' ').includes(`outcome-${h.outcome}`)) bad.push(`${h.name}: class "${got.cls}"`);
          if (!h.text.test(got.text)) bad.push(`${h.name}: "${got.text}"`);
          if (got.bg !== got.expect) bad.push(`${h.name}: background ${got.bg}, not --${h.colour}-bg (${got.expect})`);
          if (scheme === 'light') {
            const box = await page.locator('section.batch').boundingBox();
            await page.screenshot({ path: path.join(SHOTS, `headline-${h.name}.png`),
              clip: { x: 0, y: 0, width: DESKTOP.width, height: Math.min(900, Math.round(box.y + 420)) } });
          }
        }
        check(bad.length === 0, bad.join('; '));
      });
    }
  } finally {
    await ctx.close();
  }
}

// The layout at the widths people read it at, in every language: nothing wider than the
// screen, no table cut off in its wrapper, headers whole words, the chart's words readable.
const WIDTHS = [320, 375, 768, 1366];
const LANGS = ['en-US', 'hu-HU', 'ja-JP', 'zh-TW'];
const LAYOUT_PAGES = [
  { name: 'form', path: '/' },
  { name: 'form-error', path: `/?customer=not-a-guid&tracking=${T.seed}` },
  { name: 'batch-errors', path: batchPath(T.large) },
  { name: 'batch-processing', path: batchPath(T.processing) },
  { name: 'error-404', path: batchPath(T.notfound) },
];

// What does not fit, measured in the page: the document, each table's wrapper, each header, the chart.
async function measureLayout(page) {
  return page.evaluate(() => {
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('class') ? `.${el.getAttribute('class').split(' ')[0]}` : ''}`;
    const out = [];
    const win = window.innerWidth;
    const doc = document.documentElement.scrollWidth;
    if (doc > win) {
      const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > win + 1
        && !el.closest('.table-wrap')).slice(0, 3).map(name);
      out.push(`the page is ${doc} px wide (${wide.join(', ')})`);
    }
    for (const w of document.querySelectorAll('.table-wrap')) {
      if (w.scrollWidth > w.clientWidth + 1) out.push(`${name(w.querySelector('table'))} is ${w.scrollWidth} px in a ${w.clientWidth} px wrapper`);
    }
    // A header broken inside a word: a line of its text that is one or two characters (CJK broken per character).
    for (const th of document.querySelectorAll('thead th')) {
      if (getComputedStyle(th).display === 'none' || th.getBoundingClientRect().width === 0) continue;
      const r = document.createRange();
      r.selectNodeContents(th);
      const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
      if (tops.size > 2) out.push(`header "${th.textContent.trim()}" takes ${tops.size} lines`);
    }
    for (const t of document.querySelectorAll('.chart svg text')) {
      const h = t.getBoundingClientRect().height;
      if (h > 0 && h < 11) { out.push(`the chart's words are ${h.toFixed(1)} px high`); break; }
    }
    return out;
  });
}

// The pages axe reads at every width, in light and dark.
const AXE_PAGES = ['form-error', 'batch-errors', 'batch-processing'];

async function layoutChecks(browser, s) {
  // bypassCSP: axe is injected as an inline script (see pageChecks).
  const ctx = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
  const page = await ctx.newPage();
  await noHeaderRefresh(page);
  fs.mkdirSync(SHOTS, { recursive: true });
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const axeAt = async (where) => {
    const found = [];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ media: 'screen', colorScheme: scheme });
      for (const v of await axeViolations(page)) found.push(`${where} (${scheme}): ${v.id} on ${v.nodes.map((n) => n.target).slice(0, 2).join(', ')}`);
    }
    await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
    return found;
  };
  try {
    for (const width of WIDTHS) {
      await test(`layout: every page fits ${width} px in four languages`, async () => {
        await page.setViewportSize({ width, height: 900 });
        const bad = [];
        for (const lang of LANGS) {
          for (const p of LAYOUT_PAGES) {
            await page.goto(`${s.base}${p.path}${p.path.includes('?') ? '&' : '?'}lang=${lang}`);
            for (const m of await measureLayout(page)) bad.push(`${p.name} ${lang}: ${m}`);
            if (p.name === 'batch-errors') await shot(`layout-${width}-${lang}`);
          }
        }
        check(bad.length === 0, bad.slice(0, 6).join('; '));
      });
      await test(`axe: no violations at ${width} px (light and dark)`, async () => {
        await page.setViewportSize({ width, height: 900 });
        const bad = [];
        for (const p of LAYOUT_PAGES.filter((x) => AXE_PAGES.includes(x.name))) {
          await page.goto(`${s.base}${p.path}`);
          bad.push(...await axeAt(p.name));
        }
        check(bad.length === 0, bad.slice(0, 6).join('; '));
      });
    }
    await test('layout: embedded at 1000 px, the batch fits in four languages', async () => {
      await page.setViewportSize({ width: 1000, height: 900 });
      const bad = [];
      for (const lang of LANGS) {
        for (const t of [T.large, T.processing]) {
          await page.goto(`${s.base}${batchPath(t)}?embed=1&lang=${lang}`);
          for (const m of await measureLayout(page)) bad.push(`${lang}: ${m}`);
          if (t === T.large) await shot(`layout-1000-embed-${lang}`);
        }
      }
      check(bad.length === 0, bad.slice(0, 6).join('; '));
    });
    await test('axe: no violations embedded at 1000 px (light and dark)', async () => {
      await page.setViewportSize({ width: 1000, height: 900 });
      await page.goto(`${s.base}${batchPath(T.large)}?embed=1`);
      const bad = await axeAt('batch-errors embedded');
      check(bad.length === 0, bad.slice(0, 6).join('; '));
    });
    await test('what to fix: each row links its devices as CSV, and the failed-only CSV is ready for re-upload', async () => {
      await page.setViewportSize(DESKTOP);
      await page.goto(`${s.base}${batchPath(T.large)}?lang=ja-JP`);
      const links = await page.$$eval('#fixes td.fix-csv a', (as) => as.map((a) => a.href));
      const counts = await page.$$eval('#fixes td.fix-n', (tds) => tds.map((td) => Number(td.textContent.trim())));
      check(links.length >= counts.length - 1 && links.length > 0, `${links.length} CSV links for ${counts.length} rows`);
      const r = await fetch(links[0]);
      const body = await r.text();
      check(r.status === 200 && /^attachment; filename="batch-.*\.csv"$/.test(r.headers.get('content-disposition') || ''),
        `${links[0]}: ${r.status} ${r.headers.get('content-disposition')}`);
      check(body.trim().split(/\r?\n/).length - 1 === counts[0], `the first row says ${counts[0]} devices, its CSV has ${body.trim().split(/\r?\n/).length - 1}`);
      const failed = await page.getAttribute('#failed-csv', 'href');
      check(failed && /status=failed/.test(failed), `the failed CSV link is ${failed}`);
      const doc = await page.$$eval('#fixes a.doc', (as) => as.map((a) => a.href));
      check(doc.length === counts.length && doc.every((h) => h.startsWith('https://learn.microsoft.com/ja-jp/')), `Microsoft's pages: ${doc.slice(0, 2)}`);
      const box = await page.locator('#what-to-fix').boundingBox();
      await page.screenshot({ path: path.join(SHOTS, 'what-to-fix.png'),
        clip: { x: 0, y: Math.max(0, box.y - 10), width: DESKTOP.width, height: Math.min(700, box.height + 20) } });
    });
  } finally {
    await ctx.close();
  }
}

// static/batchstatus.js, under the pages' own CSP (no bypass): copy buttons, "ago" kept true, no script errors.
async function scriptChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    await test('script: a copy button by each ID copies it, in the page\'s language', async () => {
      await page.goto(`${s.base}${batchPath(T.seed)}?lang=ja-JP`);
      const b = page.locator('#customer-id + button.copy');
      await b.waitFor({ timeout: 5000 });
      check((await b.textContent()) === 'コピー', `the button says ${await b.textContent()}`);
      await b.click();
      const got = await page.evaluate(() => navigator.clipboard.readText());
      check(got === C, `the clipboard holds ${got}, not the customer ID`);
      await page.waitForFunction(() => document.querySelector('#customer-id + button.copy').textContent === 'コピーしました');
      check(await page.locator('#tracking-id + button.copy').count() === 1, 'no copy button by the tracking ID');
      check(errors.length === 0, `script errors: ${errors.join('; ')}`);
    });

    await test('script: "how long ago" is worked out again from <time datetime> on a kept page', async () => {
      await page.goto(`${s.base}${batchPath(T.seed)}`);
      const r = await page.evaluate(() => {
        const t = document.querySelector('#started time');
        const ago = document.querySelector('#started time + span.ago');
        return { dt: t && t.getAttribute('datetime'), ago: ago && ago.textContent };
      });
      check(r.dt && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.dt), `#started has no <time datetime> (${r.dt})`);
      check(r.ago && /^\(\d+ (min|h|d) ago\)$|^\(just now\)$/.test(r.ago), `the started time says ${r.ago}`);
    });

    await test('skip link: the first Tab reaches it, it shows, and it leads to the content', async () => {
      await page.goto(`${s.base}${batchPath(T.seed)}`);
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const a = document.activeElement;
        const r = a.getBoundingClientRect();
        return { cls: a.className, href: a.getAttribute('href'), top: r.top, h: r.height };
      });
      check(f.cls === 'skip' && f.href === '#main', `the first Tab is on ${f.cls} ${f.href}`);
      check(f.top >= 0 && f.h > 0, `the focused skip link is out of sight (top ${f.top})`);
    });
  } finally {
    await ctx.close();
  }
}

async function pageChecks(browser, s) {
  // bypassCSP: axe is injected as an inline script, which the pages' CSP (rightly) refuses.
  const ctx = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
  const page = await ctx.newPage();
  await noHeaderRefresh(page);
  const all = [];
  fs.mkdirSync(SHOTS, { recursive: true });
  try {
    for (const p of PAGES) {
      const load = async () => {
        const r = await page.goto(`${s.base}${p.path}`);
        check(r.status() === p.status, `${p.path}: HTTP ${r.status()}, not ${p.status}`);
      };

      await test(`axe: ${p.name} has no violations (light and dark)`, async () => {
        const found = [];
        for (const scheme of ['light', 'dark']) {
          await page.setViewportSize(DESKTOP);
          await page.emulateMedia({ media: 'screen', colorScheme: scheme });
          await load();
          const vs = await axeViolations(page);
          for (const v of vs) found.push({ where: `${p.name} (${scheme})`, v });
        }
        all.push(...found);
        if (found.length) {
          const e = new Failure(found.map((f) => `${f.where}: ${f.v.id} on ${f.v.nodes.map((n) => n.target).slice(0, 3).join(', ')}`).join('; '));
          e.details = found.map((f) => describeViolations(f.where, [f.v])).join('\n');
          throw e;
        }
      });

      await test(`styles: ${p.name} loads its stylesheet`, async () => {
        const sheets = [];
        const onResp = (r) => { if (r.request().resourceType() === 'stylesheet') sheets.push(`${r.url()} ${r.status()}`); };
        page.on('response', onResp);
        try {
          await page.setViewportSize(DESKTOP);
          await load();
          await page.waitForLoadState('load');
        } finally {
          page.off('response', onResp);
        }
        check(sheets.length > 0, 'no stylesheet requested');
        const bad = sheets.filter((x) => !/ (200|304)$/.test(x));
        check(bad.length === 0, `stylesheet not loaded: ${bad.join(', ')}`);
      });

      await test(`375 px: ${p.name} fits the width (no sideways page scroll)`, async () => {
        await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
        await page.setViewportSize(PHONE);
        await load();
        const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth,
          wide: [...document.querySelectorAll('body *')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.right > window.innerWidth + 1 && !el.closest('.table-wrap');
          }).slice(0, 3).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('class') ? `.${el.getAttribute('class')}` : ''}`) }));
        check(w.doc <= w.win, `the page is ${w.doc} px wide at ${w.win} px (${w.wide.join(', ')})`);
      });

      await test(`screenshots: ${p.name} (desktop, 375 px)`, async () => {
        await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
        for (const [label, vp] of [['desktop', DESKTOP], ['375', PHONE]]) {
          await page.setViewportSize(vp);
          await load();
          const file = path.join(SHOTS, `${p.name}-${label}.png`);
          await page.screenshot({ path: file, fullPage: true });
          check(fs.statSync(file).size > 1000, `${file} is empty`);
        }
        if (p.name === 'batch-errors' && process.env.BROWSER_UPDATE_DOCS === '1') {
          await page.setViewportSize(DESKTOP);
          await load();
          fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
          await page.screenshot({ path: path.join(ROOT, 'docs', 'batch-page.png') });
        }
      });
    }

    await test('print: the device table prints whole (every row and column on A4 portrait)', async () => {
      await page.setViewportSize({ width: 700, height: 1000 });   // A4's width less margins, at 96 dpi
      await page.emulateMedia({ media: 'print', colorScheme: 'light' });
      await page.goto(`${s.base}${batchPath(T.large)}`);
      const m = await page.evaluate(() => {
        const t = document.querySelector('table#devices');
        const wrap = t.parentElement;
        const cs = getComputedStyle(wrap);
        return {
          tableRight: t.getBoundingClientRect().right, docWidth: document.documentElement.scrollWidth,
          win: window.innerWidth, wrapOverflow: `${cs.overflowX}/${cs.overflowY}`,
          wrapClips: wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1,
          rows: t.querySelectorAll('tbody tr').length,
          thead: getComputedStyle(t.tHead).display,
        };
      });
      check(m.rows === 400, `${m.rows} rows, not 400`);
      check(!m.wrapClips, `the table's container clips it (overflow ${m.wrapOverflow})`);
      check(m.tableRight <= m.win + 1 && m.docWidth <= m.win + 1,
        `the table is ${Math.round(m.tableRight)} px wide on a ${m.win} px page: columns are cut off`);
      check(m.thead === 'table-header-group', `thead is display: ${m.thead} (no header on each page)`);
      await page.pdf({ path: path.join(SHOTS, 'batch-errors-print.pdf'), format: 'A4', printBackground: true });
    });

    await test('print: the filters, search, pager and copy buttons stay off the paper', async () => {
      await page.setViewportSize({ width: 700, height: 1000 });
      await page.emulateMedia({ media: 'print', colorScheme: 'light' });
      await page.goto(`${s.base}${batchPath(T.large)}`);
      const shown = await page.evaluate(() => ['nav.filters', 'form.search', 'a.skip', 'button.copy', '.downloads']
        .filter((q) => [...document.querySelectorAll(q)].some((el) => getComputedStyle(el).display !== 'none')));
      check(shown.length === 0, `printed: ${shown.join(', ')}`);
      await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
    });
  } finally {
    await ctx.close();
  }
  return all;
}

// --- main ----------------------------------------------------------------------------

// Finding a batch without its GUIDs (issue 15): search -> customer -> device batches ->
// devices -> a batch's status, by clicks, in four languages, on a phone; axe in light and dark.
// Notifications (issue 16): the follow button on a running batch, its 303 back to a page that
// says "followed", /following and the customer page's list, in every language at 375 px, axe clean.
async function followChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await noHeaderRefresh(page);
  fs.mkdirSync(SHOTS, { recursive: true });
  const look = async (where, bad) => {
    for (const m of await measureLayout(page)) bad.push(`${where}: ${m}`);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ media: 'screen', colorScheme: scheme });
      for (const v of await axeViolations(page)) bad.push(`${where} (${scheme}): ${v.id} on ${v.nodes.map((n) => n.target).slice(0, 2).join(', ')}`);
    }
    await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
  };
  try {
    for (const [i, lang] of LANGS.entries()) {
      await test(`follow: the button, "followed", /following and the customer's list in ${lang} (375 px, axe)`, async () => {
        const bad = [];
        await page.goto(`${s.base}${batchPath(T.processing)}?lang=${lang}`);
        if (i === 0) {
          check(await page.isVisible('#follow-button'), 'a running batch has no visible follow button');
          await look('batch with the follow button', bad);
          await page.screenshot({ path: path.join(SHOTS, 'follow-button.png') });
          await Promise.all([page.waitForNavigation(), page.click('#follow-button')]);
          const u = new URL(page.url());
          check(u.pathname === batchPath(T.processing) && u.searchParams.get('lang') === lang,
            `the follow went back to ${page.url()}`);
        }
        check(await page.isVisible('#followed'), 'the followed batch\'s page does not say it is followed');
        check(!(await page.isVisible('#follow-button')), 'a followed batch still offers the button');
        await look('batch, followed', bad);
        if (i === 0) await page.screenshot({ path: path.join(SHOTS, 'follow-followed.png') });
        await page.goto(`${s.base}/following?lang=${lang}`);
        const rows = await page.$$eval('#following tbody tr', (trs) => trs.map((t) => t.textContent));
        check(rows.some((r) => r.includes(T.processing)), `/following lists ${JSON.stringify(rows)}`);
        await look('following', bad);
        await page.screenshot({ path: path.join(SHOTS, `follow-following-${lang}.png`), fullPage: true });
        await page.goto(`${s.base}/customers/${C}?lang=${lang}`);
        const mine = await page.$$eval('#following tbody tr', (trs) => trs.map((t) => t.textContent));
        check(mine.some((r) => r.includes(T.processing)), 'the customer page does not list its followed batch');
        check(await page.isVisible('#feed-link'), 'the customer page has no feed link');
        await look('customer with followed batches', bad);
        check(bad.length === 0, bad.slice(0, 6).join('; '));
      });
    }
  } finally {
    await ctx.close();
  }
}

async function findChecks(browser, s) {
  const ctx = await browser.newContext({ viewport: PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await noHeaderRefresh(page);
  fs.mkdirSync(SHOTS, { recursive: true });
  const look = async (where, bad) => {
    for (const m of await measureLayout(page)) bad.push(`${where}: ${m}`);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ media: 'screen', colorScheme: scheme });
      for (const v of await axeViolations(page)) bad.push(`${where} (${scheme}): ${v.id} on ${v.nodes.map((n) => n.target).slice(0, 2).join(', ')}`);
    }
    await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
  };
  const go = async (click) => { await Promise.all([page.waitForNavigation(), click()]); };
  try {
    for (const lang of LANGS) {
      await test(`find: search, customer, device batches, devices, a batch's status in ${lang} (375 px, axe)`, async () => {
        const bad = [];
        await page.setViewportSize(PHONE);
        await page.goto(`${s.base}/?lang=${lang}`);
        await go(() => page.click('#find-customer'));
        await page.fill('#q', 'cont');
        await go(() => page.click('form.customer-search button'));
        check(new URL(page.url()).searchParams.get('q') === 'cont', `the search went to ${page.url()}`);
        check(new URL(page.url()).searchParams.get('lang') === lang, `the search lost the language: ${page.url()}`);
        const rows = await page.$$eval('#customers tbody tr', (trs) => trs.length);
        check(rows >= 3, `${rows} customers found for "cont"`);
        await look('customers', bad);
        await page.screenshot({ path: path.join(SHOTS, `find-customers-${lang}.png`), fullPage: true });
        await go(() => page.click(`#customers a[href*="${C}"]`));
        check((await page.textContent('#customer-name')).trim() === 'Contoso', 'the customer page is not Contoso\'s');
        const batches = await page.$$eval('#device-batches tbody tr', (trs) => trs.length);
        check(batches === 4, `${batches} device batches listed`);
        await look('customer', bad);
        await page.screenshot({ path: path.join(SHOTS, `find-customer-${lang}.png`), fullPage: true });
        await go(() => page.locator('#device-batches a', { hasText: '2024-Q3 laptops' }).click());
        const devices = await page.$$eval('#devices tbody tr', (trs) => trs.length);
        check(devices === 250, `${devices} devices shown, not 250`);
        await look('devices', bad);
        await page.screenshot({ path: path.join(SHOTS, `find-devices-${lang}.png`) });
        // Back on the customer page: its lookup form opens a batch with the customer filled in.
        await go(() => page.click('#customer-link'));
        await page.fill('#tracking', T.seed);
        await go(() => page.click('form.lookup-form button'));
        check(new URL(page.url()).pathname === batchPath(T.seed), `the lookup went to ${page.url()}`);
        check((await page.textContent('#customer-name')).trim() === 'Contoso', 'the batch page does not name its customer');
        await look('batch', bad);
        await page.screenshot({ path: path.join(SHOTS, `find-batch-${lang}.png`) });
        // The form now lists the batch just opened.
        await page.goto(`${s.base}/?lang=${lang}`);
        const recent = await page.$$eval('#recent a', (as) => as.map((a) => new URL(a.href).pathname));
        check(recent.includes(batchPath(T.seed)), `the form's recent list is ${JSON.stringify(recent)}`);
        await look('form with recent lookups', bad);
        if (lang === 'en-US') await page.screenshot({ path: path.join(SHOTS, 'find-recent.png') });
        check(bad.length === 0, bad.slice(0, 6).join('; '));
      });
    }
  } finally {
    await ctx.close();
  }
}

async function main() {
  const watchdog = setTimeout(() => {
    report('the browser suite finishes within 8 minutes', 'timed out');
    killAllSync();
    finish(1);
  }, SUITE_TIMEOUT_MS);
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => { report('the browser suite runs to the end', `interrupted by ${sig}`); killAllSync(); finish(1); });
  }
  process.on('exit', killAllSync);

  // Loud, not skipped: make test installs both.
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
    check(fs.existsSync(AXE), `${AXE} is missing`);
  } catch (e) {
    report('node modules (playwright-core, axe-core) installed', `${e.message}: run "npm ci" in tests/browser (make test does)`);
    finish(1);
  }
  if (!fs.existsSync(CHROMIUM)) {
    report('chromium installed', `${CHROMIUM} is missing: install Debian's chromium (make test does)`);
    finish(1);
  }

  let browser;
  const stacks = [];
  let portal;
  try {
    // launch() gives Chromium a fresh, empty --user-data-dir of its own (removed on close).
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
        args: CHROMIUM_ARGS, timeout: 60000 });
      report('chromium starts headless', null);
    } catch (e) {
      report('chromium starts headless', e.message);
      return;
    }
    portal = await startPortal();

    const main = new Stack('browser');
    stacks.push(main);
    let up = null;
    try { await main.start(); } catch (e) { up = e.message; }
    report('browser: stack starts (scripts/run.sh, ready file)', up);
    if (!up) {
      await formChecks(browser, main);
      await languageChecks(browser, main);
      await tableChecks(browser, main);
      await refreshCheck(browser, main);
      await embedChecks(browser, main, portal);
      await pageChecks(browser, main);
      await scriptChecks(browser, main);
      await layoutChecks(browser, main);
      await headlineChecks(browser, main);
      await findChecks(browser, main);
    }

    if (!ONLY || 'follow'.includes(ONLY) || ONLY.includes('follow')) {
      const notifying = new Stack('browser-notify', { DEMO_NOTIFY: '1', DEMO_SIGNIN: 'file' });
      stacks.push(notifying);
      let up3 = null;
      try { await notifying.start(); } catch (e) { up3 = e.message; }
      report('browser-notify: stack starts with notifications on (DEMO_NOTIFY=1)', up3);
      if (!up3) await followChecks(browser, notifying);
    }

    if (!ONLY || 'embedding'.includes(ONLY) || ONLY.includes('embedding')) {
      const framing = new Stack('browser-frames', {
        BATCHSTATUS_FRAME_ANCESTORS: `http://127.0.0.1:${portal.port}` });
      stacks.push(framing);
      let up2 = null;
      try { await framing.start(); } catch (e) { up2 = e.message; }
      report('browser-frames: stack starts with BATCHSTATUS_FRAME_ANCESTORS', up2);
      if (!up2) await embedAllowedChecks(browser, framing, portal);
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (portal) await portal.close();
    for (const s of stacks) {
      if (!s.proc) continue;
      const took = await s.stop();
      report(`${s.name}: run.sh stops on SIGTERM within 10s`, took === null ? 'had to be killed' : null);
      if (results.includes(false) && took !== null) {
        process.stderr.write(`logs of the ${s.name} stack (${path.relative(ROOT, s.runDir)}):\n${s.logTail(12)}\n`);
      }
    }
  }
}

main().then(() => finish(), (e) => {
  report('the browser suite runs', `${e.name}: ${e.message}`);
  killAllSync();
  finish(1);
});
