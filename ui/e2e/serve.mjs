// Start the real backend (`storepos serve`) for end-to-end tests.
//
// Env:
//   STOREPOS_BIN         path to the storepos binary (default: <repo>/target/debug/storepos)
//   STOREPOS_SERVE_ARGS  extra args, split on spaces (default: none)
// Runs `storepos init --data <db>` (demo catalog and users) and then
// `storepos serve --data <db> --listen 127.0.0.1:<port> --ui ui/dist` (flags from src/cli.rs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

const REPO = resolve(new URL('../..', import.meta.url).pathname);

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

export async function waitForHttp(url, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (r.status < 500) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not come up at ${url}: ${last}`);
}

/** Start `storepos serve`; returns { url, stop }. */
export async function startStorepos({ port, dataDir, extraArgs = [], initArgs = [] } = {}) {
  const bin = process.env.STOREPOS_BIN ?? join(REPO, 'target', 'debug', 'storepos');
  port ??= await freePort();
  dataDir ??= mkdtempSync(join(tmpdir(), 'storepos-e2e-'));
  const db = join(dataDir, 'store.db');
  const init = spawnSync(bin, ['init', '--data', db, ...initArgs, ...(process.env.STOREPOS_INIT_ARGS ?? '').split(' ').filter(Boolean)], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`storepos init failed (${init.status}): ${init.stderr || init.stdout || init.error}`);
  const envArgs = (process.env.STOREPOS_SERVE_ARGS ?? '').split(' ').filter(Boolean);
  const args = ['serve', '--data', db, '--listen', `127.0.0.1:${port}`, '--ui', join(REPO, 'ui', 'dist'), ...envArgs, ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info' } });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/api/user_list`);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`${e.message}\n--- storepos log ---\n${log}`);
  }
  return {
    url,
    dataDir,
    log: () => log,
    stop: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
