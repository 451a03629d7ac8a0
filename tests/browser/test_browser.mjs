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
      check((described || '').split(/\s+/).includes('form-message'), `aria-describedby is ${described}`);
      try {
        await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'customer',
          null, { timeout: 5000 });
      } catch {
        const active = await page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
        throw new Failure(`the focus is on ${active}, not on the invalid field`);
      }
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
  } finally {
    await ctx.close();
  }
  return all;
}

// --- main ----------------------------------------------------------------------------

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
