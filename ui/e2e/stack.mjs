// The whole product on loopback for one e2e test file: the platform simulator
// (`storepos sim`, field mode), a store linked to it (`storepos init --central …`) and
// `storepos serve` with the built UI. Every process is killed at the end (and on
// process exit, whatever happened).
//
// Env: STOREPOS_BIN (default <repo>/target/debug/storepos).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitForHttp } from './serve.mjs';
import { launch, newPage } from './browser.mjs';

export const REPO = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = process.env.STOREPOS_BIN ?? join(REPO, 'target', 'debug', 'storepos');
export const ARTIFACTS = join(REPO, 'test-artifacts', 'e2e');

const live = new Set();
// A signal (Ctrl-C, the test runner giving up) must not leave servers behind.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(130));
process.on('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws with the last value/error on timeout. */
export async function waitFor(fn, { timeout = 20000, interval = 250, what = 'condition' } = {}) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(interval);
  }
}

function spawnLogged(args, name) {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const proc = { child, name, log: '' };
  child.stdout.on('data', (d) => (proc.log += d));
  child.stderr.on('data', (d) => (proc.log += d));
  return proc;
}

function stopProc(proc, signal = 'SIGTERM') {
  return new Promise((ok) => {
    const c = proc.child;
    if (c.exitCode !== null || c.signalCode !== null) return ok();
    c.once('exit', () => ok());
    c.kill(signal);
    setTimeout(() => c.kill('SIGKILL'), 3000).unref();
  });
}

/** `storepos sim` on `port`, state persisted in `stateFile`. Resolves once it listens. */
export async function startSim({ port, stateFile }) {
  const proc = spawnLogged(['sim', '--mode', 'field', '--listen', `127.0.0.1:${port}`, '--state', stateFile], 'sim');
  await waitFor(() => proc.log.includes('listening on') || proc.child.exitCode !== null, { timeout: 20000, interval: 50, what: 'sim to listen' });
  if (proc.child.exitCode !== null) throw new Error(`storepos sim exited ${proc.child.exitCode}:\n${proc.log}`);
  return proc;
}

/**
 * Starts sim + store + serve. Returns helpers:
 *   url, simUrl, api(cmd, body) (as the manager), sim(path, body?), killSim(), restartSim(),
 *   browser / page helpers, stop().
 */
export async function startStack() {
  if (!existsSync(BIN)) throw new Error(`no storepos binary at ${BIN}: run \`cargo build --bin storepos\` (or set STOREPOS_BIN)`);
  if (!existsSync(join(REPO, 'ui', 'dist', 'index.html'))) throw new Error('no built UI in ui/dist: run `npm run build` in ui/');
  const dir = mkdtempSync(join(tmpdir(), 'storepos-e2e-'));
  const data = join(dir, 'store');
  const stateFile = join(dir, 'sim-state.json');
  const simPort = await freePort();
  const simUrl = `http://127.0.0.1:${simPort}`;
  const stack = { dir, data, stateFile, simPort, simUrl, procs: {} };
  try {
    stack.procs.sim = await startSim({ port: simPort, stateFile });
    const init = spawnSync(BIN, ['init', '--data', data, '--central', simUrl, '--username', 'store1', '--password', 'store1pass'], { encoding: 'utf8', timeout: 30000 });
    if (init.status !== 0) throw new Error(`storepos init failed (${init.status}): ${init.stderr || init.stdout || init.error}`);
    const port = await freePort();
    stack.url = `http://127.0.0.1:${port}`;
    stack.procs.serve = spawnLogged(['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--ui', join(REPO, 'ui', 'dist')], 'serve');
    await waitForHttp(`${stack.url}/api/user_list`, 30000);
  } catch (e) {
    await stopAll(stack);
    throw new Error(`${e.message}\n--- logs ---\n${Object.values(stack.procs).map((p) => `[${p.name}]\n${p.log}`).join('\n')}`);
  }

  const tokens = {};
  /** POST /api/<cmd> as `user` (default manager); returns data or throws with the error body. */
  stack.api = async (cmd, body = {}, user = 'manager') => {
    if (!tokens[user]) {
      const pins = { cashier: '1111', clerk: '2222', manager: '9999' };
      const r = await fetch(`${stack.url}/api/session_login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, pin: pins[user] }) });
      const j = await r.json();
      if (!j.ok) throw new Error(`login ${user}: ${JSON.stringify(j.error)}`);
      tokens[user] = j.data.token;
    }
    const r = await fetch(`${stack.url}/api/${cmd}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Storepos-Session': tokens[user] },
      body: JSON.stringify(body),
    });
    const j = await r.json();
    if (!j.ok) throw new Error(`${cmd}: ${JSON.stringify(j.error)}`);
    return j.data;
  };
  /** The simulator's control API: GET when body is undefined, else POST JSON. */
  stack.sim = async (path, body) => {
    const r = await fetch(`${simUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    let j;
    try {
      j = JSON.parse(text);
    } catch {
      j = text;
    }
    if (!r.ok) throw new Error(`sim ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
    return j;
  };
  stack.killSim = async () => {
    await stopProc(stack.procs.sim, 'SIGKILL');
  };
  stack.restartSim = async () => {
    stack.procs.sim = await startSim({ port: simPort, stateFile });
  };
  stack.logs = () => Object.values(stack.procs).map((p) => `[${p.name}]\n${p.log.slice(-4000)}`).join('\n');
  stack.stop = () => stopAll(stack);
  return stack;
}

async function stopAll(stack) {
  try {
    await stack.browser?.close();
  } catch {
    /* already closed */
  }
  await Promise.all(Object.values(stack.procs).map((p) => stopProc(p)));
  if (!process.env.E2E_KEEP) rmSync(stack.dir, { recursive: true, force: true });
}

/** Browser + page on the stack; problems collects console errors / page errors.
 *  `opts.args`: extra Chromium switches (the fake camera); the rest goes to newPage. */
export async function openBrowser(stack, opts = {}) {
  const { args = [], ...pageOpts } = opts;
  stack.browser = await launch(args);
  const { page, problems, context } = await newPage(stack.browser, pageOpts);
  page.setDefaultTimeout(15000);
  return { page, problems, context };
}

/** Log in through the UI as a person would: user tile, PIN on the keyboard, Enter. */
export async function loginUi(page, url, username, pin) {
  await page.goto(url);
  await page.getByTestId('login').waitFor();
  await page.locator(`.user-tile[data-username="${username}"]`).click();
  const dots = page.getByTestId('pin-dots');
  await dots.waitFor();
  // The pad listens for keys once it has rendered; type until the dots show the PIN.
  await waitFor(async () => {
    if ((await dots.getAttribute('aria-label')) === String(pin.length)) return true;
    await page.locator('.pin-aux').first().click(); // 清除
    for (const d of pin) await page.keyboard.press(d);
    return (await dots.getAttribute('aria-label')) === String(pin.length);
  }, { timeout: 10000, interval: 100, what: 'the PIN to be entered' });
  await page.keyboard.press('Enter');
  await page.getByTestId('statusbar').getByTestId('logout').waitFor();
}

export async function logoutUi(page) {
  await page.getByTestId('statusbar').getByTestId('logout').click();
  await page.locator('.user-tile').first().waitFor();
}

/** Full-page screenshot into test-artifacts/e2e/<name>.png. */
export async function shot(page, name) {
  if (!existsSync(ARTIFACTS)) mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

/** The business day the backend uses (Asia/Shanghai, cutoff 0) for "today". */
export function businessDay(d = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
