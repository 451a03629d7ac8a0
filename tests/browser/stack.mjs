// stack.mjs: one scripts/run.sh stack (nginx + batchstatus + the fake Partner Center),
// started and stopped the way tests/blackbox/harness.py's Stack does it, and a tiny
// second-origin HTTP server for the embedding tests. Node built-ins only.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
// BLACKBOX_RUN_SH: another launcher with run.sh's contract (for testing the tests).
export const RUN_SH = process.env.BLACKBOX_RUN_SH || path.join(ROOT, 'scripts', 'run.sh');
// BLACKBOX_RUN_ROOT: where the stacks' RUN_DIRs go (run_all.sh passes $build/test-run).
export const RUN_ROOT = path.resolve(ROOT, process.env.BLACKBOX_RUN_ROOT || path.join('build', 'test-run'));
// Settings inherited from the caller that would point the stack elsewhere.
const DROP_ENV = ['BATCHSTATUS_PC_BASE_URL', 'BATCHSTATUS_TOKEN_FILE', 'BATCHSTATUS_CA_FILE',
  'BATCHSTATUS_LISTEN', 'BATCHSTATUS_MAX_BODY_BYTES', 'BATCHSTATUS_UPSTREAM_TIMEOUT_MS',
  'BATCHSTATUS_CONFIG', 'BATCHSTATUS_FRAME_ANCESTORS', 'PORT', 'RUN_DIR'];
const READY_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 10000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Every stack started and not yet stopped, for the last-resort cleanup on exit.
const live = new Set();

export class Stack {
  constructor(name, extraEnv = {}) {
    this.name = name;
    this.extraEnv = extraEnv;
    this.proc = null;
    this.exitCode = undefined;
    this.port = 0;
    this.runDir = '';
    this.stdoutPath = '';
  }

  get base() { return `http://127.0.0.1:${this.port}`; }

  // Resolves when $RUN_DIR/ready exists; throws with the reason (and the logs' tails) otherwise.
  async start() {
    if (!fs.existsSync(RUN_SH)) throw new Error(`${RUN_SH} does not exist`);
    this.port = await freePort();
    this.runDir = path.join(RUN_ROOT, `${this.name}-${this.port}`);
    this.removeOldRuns();
    fs.rmSync(this.runDir, { recursive: true, force: true });
    fs.mkdirSync(this.runDir, { recursive: true });
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!DROP_ENV.includes(k) && !k.startsWith('FAKE_PC_')) env[k] = v;
    }
    Object.assign(env, {
      PORT: String(this.port),
      RUN_DIR: this.runDir,
      FAKE_PC_LATENCY_MS: '0',
      FAKE_PC_SLOW_MS: '10000',
      BATCHSTATUS_UPSTREAM_TIMEOUT_MS: '2000',
    }, this.extraEnv);
    this.stdoutPath = path.join(RUN_ROOT, `${this.name}-${this.port}.run-sh.out`);
    const out = fs.openSync(this.stdoutPath, 'w');
    // detached: its own process group, so that a last resort can reach all of it.
    this.proc = spawn(RUN_SH, [], { cwd: ROOT, env, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    live.add(this);
    this.proc.on('exit', (code, signal) => { this.exitCode = code ?? signal; });
    const ready = path.join(this.runDir, 'ready');
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (fs.existsSync(ready)) return;
      if (this.exitCode !== undefined) {
        throw new Error(`scripts/run.sh exited with ${this.exitCode} before ready\n${this.logTail()}`);
      }
      await sleep(100);
    }
    throw new Error(`no ${ready} after ${READY_TIMEOUT_MS / 1000}s\n${this.logTail()}`);
  }

  // Earlier runs of this stack name: removed once stopped and 10 minutes old.
  removeOldRuns(ageMs = 600000) {
    if (!fs.existsSync(RUN_ROOT)) return;
    const re = new RegExp(`^${this.name}-\\d+(\\.run-sh\\.out)?$`);
    for (const fn of fs.readdirSync(RUN_ROOT)) {
      if (!re.test(fn)) continue;
      const p = path.join(RUN_ROOT, fn);
      try {
        if (Date.now() - fs.statSync(p).mtimeMs < ageMs || fs.existsSync(path.join(p, 'ready'))) continue;
        fs.rmSync(p, { recursive: true, force: true });
      } catch { /* gone meanwhile */ }
    }
  }

  // SIGTERM to run.sh (it stops its children); SIGKILL to its process group if it hangs.
  // Resolves to the milliseconds it took, or null when it had to be killed.
  async stop() {
    if (!this.proc) return 0;
    live.delete(this);
    if (this.exitCode !== undefined) return 0;
    const t0 = Date.now();
    const exited = new Promise((r) => this.proc.once('exit', r));
    try { process.kill(this.proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    const done = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (done) return Date.now() - t0;
    try { process.kill(-this.proc.pid, 'SIGKILL'); } catch { /* already gone */ }
    await Promise.race([exited, sleep(5000)]);
    return null;
  }

  logTail(n = 15) {
    const out = [];
    const paths = this.stdoutPath ? [this.stdoutPath] : [];
    const logs = path.join(this.runDir, 'logs');
    if (this.runDir && fs.existsSync(logs)) {
      for (const f of fs.readdirSync(logs).sort()) paths.push(path.join(logs, f));
    }
    for (const p of paths) {
      let lines;
      try { lines = fs.readFileSync(p, 'utf8').split('\n').filter(Boolean).slice(-n); } catch { continue; }
      out.push(`--- ${path.relative(ROOT, p)}`, ...lines.map((l) => `    ${l}`));
    }
    return out.join('\n');
  }
}

// Last resort (an exception, a signal): no stack outlives this process.
export function killAllSync() {
  for (const s of live) {
    if (s.proc && s.exitCode === undefined) {
      try { process.kill(s.proc.pid, 'SIGTERM'); } catch { /* gone */ }
    }
  }
}

// A second origin: GET /portal?src=URL answers a page that frames URL.
export async function startPortal() {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    if (u.pathname !== '/portal') { res.writeHead(404); res.end('not found'); return; }
    const src = u.searchParams.get('src') || '';
    const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A partner portal</title></head>
<body><h1>A partner portal</h1>
<iframe id="frame" title="Batch status" src="${esc(src)}" width="1000" height="700"
 onload="window.frameLoads = (window.frameLoads || 0) + 1"></iframe></body></html>`);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}
