// Pairing an iPad over the store LAN (issue 24), real backend, two browser contexts:
// the manager switches the LAN on in 局域网 and shows a pairing QR on the till (loopback,
// plain HTTP); a second context, the "iPad", opens the QR's https:// address (the LAN
// listener, on 127.0.0.1 here) with the store CA trusted — Chromium is told the CA's key
// (`--ignore-certificate-errors-spki-list`, the nearest to installing it: any other
// certificate is still refused) — pairs, signs in with a PIN; the manager revokes it in
// 设备 and the iPad is sent back to pairing. Then the installed app with the till gone.
// Screenshots of 局域网 / 设备 at 1280×800 and 820×1180 go to /tmp/shots24/ (or SHOTS_DIR).
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, newPage } from './browser.mjs';
import { freePort, startStorepos } from './serve.mjs';
import { loginUi, waitFor } from './stack.mjs';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots24';
let server;
let browser;
let lanPort;
let till;
before(async () => {
  lanPort = await freePort();
  server = await startStorepos({ extraArgs: ['--lan-listen', `127.0.0.1:${lanPort}`] });
  // `storepos init` made the store CA; trust it (its key) and nothing else.
  const ca = new X509Certificate(readFileSync(join(server.dataDir, 'store.db', 'lan-ca.crt')));
  const spki = createHash('sha256').update(ca.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spki}`] });
  mkdirSync(SHOTS, { recursive: true });
}, { timeout: 60000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30000 });

async function snap(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

test('manager shows a QR, the iPad pairs and signs in, the manager revokes it', { timeout: 120000 }, async () => {
  till = await newPage(browser, { width: 1280, height: 800 });
  const page = till.page;
  page.setDefaultTimeout(15000);
  await loginUi(page, server.url, 'manager', '9999');
  await page.getByRole('tab', { name: '局域网' }).click();
  const lan = page.getByTestId('manager-lan');
  await lan.waitFor();
  assert.equal(await page.getByTestId('lan-state').innerText(), '未开启');
  await snap(page, 'lan-off-1280x800');
  await page.getByTestId('lan-toggle').click();
  await waitFor(async () => (await page.getByTestId('lan-state').innerText()) === '已开启', { what: 'LAN on' });
  const url = await page.getByTestId('lan-url').innerText();
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/, 'the tab shows the https address');
  assert.match(await page.getByTestId('lan-fingerprint').getAttribute('data-fingerprint'), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await page.getByTestId('pair-start').click();
  const qr = page.getByTestId('pair-qr');
  await qr.waitFor();
  const pairUrl = await qr.getAttribute('data-url');
  assert.ok(pairUrl.startsWith(`${url}/?pair=`), pairUrl);
  await snap(page, 'lan-qr-1280x800');
  await page.setViewportSize({ width: 820, height: 1180 });
  await snap(page, 'lan-qr-820x1180');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The iPad: its own context (own storage), the QR's address.
  const ipadCtx = await browser.newContext({ viewport: { width: 820, height: 1180 }, locale: 'zh-CN' });
  const ipad = await ipadCtx.newPage();
  ipad.setDefaultTimeout(15000);
  const ipadErrors = [];
  ipad.on('pageerror', (e) => ipadErrors.push(e.message));
  await ipad.goto(pairUrl);
  await ipad.getByTestId('pairing').waitFor();
  assert.equal(await ipad.getByTestId('pair-code').inputValue(), pairUrl.split('pair=')[1], 'the QR filled in the code');
  await ipad.getByTestId('pair-name').fill('前台 iPad');
  await snap(ipad, 'ipad-pairing-820x1180');
  await ipad.getByTestId('pair-submit').click();
  await ipad.getByTestId('login').waitFor();
  assert.ok(!ipad.url().includes('pair='), 'the used code leaves the address bar');
  // People sign in with their PIN on the device.
  await loginUi(ipad, url, 'clerk', '2222');
  await ipad.getByTestId('statusbar').waitFor();

  // The manager sees it in 设备 and revokes it.
  await page.getByRole('tab', { name: '设备' }).click();
  const row = page.getByTestId('device-row').filter({ hasText: '前台 iPad' });
  await row.waitFor();
  await snap(page, 'devices-1280x800');
  await page.setViewportSize({ width: 820, height: 1180 });
  await snap(page, 'devices-820x1180');
  await row.getByTestId('device-revoke').click();
  await page.getByRole('button', { name: '确定' }).click();
  await waitFor(async () => (await row.innerText()).includes('已撤销'), { what: 'the device to show revoked' });
  await snap(page, 'devices-revoked-820x1180');

  // The iPad's event stream closes; it finds out and goes back to pairing by itself.
  await ipad.getByTestId('pairing').waitFor({ timeout: 20000 });
  await ipad.getByTestId('pair-notice').waitFor();
  await snap(ipad, 'ipad-revoked-820x1180');
  assert.equal(await ipad.evaluate(() => localStorage.getItem('storepos.device')), null, 'the credential is forgotten');
  assert.deepEqual(ipadErrors, [], 'no page errors on the iPad');
  assert.deepEqual(till.problems, [], 'no console errors or failed requests on the till');
  await ipadCtx.close();
});

/** A code from the till's API as the logged-in manager page would get it. */
async function pairingUrl() {
  const session = await till.page.evaluate(() => sessionStorage.getItem('storepos.session'));
  const r = await fetch(`${server.url}/api/device_pairing_start`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Storepos-Session': session },
    body: '{}',
  });
  const j = await r.json();
  assert.ok(j.ok, JSON.stringify(j));
  return j.data.url;
}

test('the installed iPad says plainly when the till is gone, keeps retrying, and comes back paired', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 820, height: 1180 }, locale: 'zh-CN' });
  const ipad = await ctx.newPage();
  ipad.setDefaultTimeout(15000);
  const pairUrl = await pairingUrl();
  const base = pairUrl.split('/?')[0];
  await ipad.goto(pairUrl);
  await ipad.getByTestId('pairing').waitFor();
  await ipad.getByTestId('pair-name').fill('后厨 iPad');
  await ipad.getByTestId('pair-submit').click();
  // The pairing answer stores the device credential: only then is a reload still paired
  // (loginUi navigates; going there before the credential is kept lands back on pairing).
  await ipad.getByTestId('login').waitFor({ timeout: 30000 });
  await ipad.locator('.user-tile').first().waitFor({ timeout: 30000 });
  await loginUi(ipad, base, 'cashier', '1111');

  // Installable: a manifest and a service worker that keeps the shell (never /api answers).
  const manifest = await ipad.evaluate(() => document.querySelector('link[rel=manifest]')?.getAttribute('href'));
  assert.ok(manifest?.endsWith('manifest.webmanifest'), String(manifest));
  const active = await ipad.evaluate(() =>
    Promise.race([navigator.serviceWorker.ready.then((r) => Boolean(r.active)), new Promise((ok) => setTimeout(() => ok(false), 10000))]),
  );
  assert.equal(active, true, 'the service worker is active');
  // One more navigation so the page is under the worker's control and the shell is cached.
  await ipad.reload();
  await ipad.getByTestId('statusbar').getByTestId('logout').waitFor();

  const dataDir = server.dataDir;
  const port = Number(new URL(server.url).port);
  await server.stop();
  const banner = ipad.getByTestId('till-unreachable');
  await banner.waitFor({ timeout: 20000 });
  assert.match(await banner.innerText(), /无法连接收银台/);
  await snap(ipad, 'ipad-till-unreachable-820x1180');
  // A reload while the till is gone: the shell comes from the worker, the banner again.
  await ipad.reload();
  await banner.waitFor({ timeout: 20000 });
  const cached = await ipad.evaluate(async () => {
    const out = [];
    for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) out.push(new URL(r.url).pathname);
    return out;
  });
  assert.ok(cached.includes('/'), `the shell is cached: ${cached}`);
  // The whole build is precached at install, the camera's barcode reader (never fetched
  // by this page, whose camera was never opened) included.
  assert.ok(cached.some((p) => /^\/assets\/zxing_reader-[\w-]+\.wasm$/.test(p)), `the barcode reader's wasm is cached: ${cached}`);
  assert.ok(cached.some((p) => /^\/assets\/index-[\w-]+\.js$/.test(p)), `the app's script is cached: ${cached}`);
  assert.ok(!cached.some((p) => p.startsWith('/api/') || p.startsWith('/lan/')), `no API answer is ever cached: ${cached}`);

  // The till comes back (same ports, same data): the iPad finds it by itself, still paired.
  server = await startStorepos({ port, dataDir, extraArgs: ['--lan-listen', `127.0.0.1:${lanPort}`] });
  await banner.waitFor({ state: 'detached', timeout: 20000 });
  await ipad.getByTestId('login').or(ipad.getByTestId('statusbar').getByTestId('logout')).first().waitFor();
  assert.equal(await ipad.getByTestId('pairing').count(), 0, 'the device credential survived the restart');
  await ctx.close();
});
