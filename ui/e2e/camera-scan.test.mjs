// Camera scanning (issue 24 item 5) with Chromium's fake camera: the "camera" films a
// barcode this test renders (barcode-video.mjs). A demo product's EAN-13 goes into the
// cart through the same path as the wedge scanner, once however long it is held in view;
// a SELF_PICK order's number as Code 128 opens that order on the clerk board; a refused
// camera says so and typing still works; the camera is released when the overlay closes.
//
// Screenshots of the overlay at 820×1180, 1024×768 and 1280×800 in zh and en go to
// /tmp/shots/camera-*.png (E2E_SHOTS to change).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { code128Modules, ean13Modules, writeBarcodeY4m } from './barcode-video.mjs';
import { newPage } from './browser.mjs';
import { loginUi, openBrowser, sleep, startStack, waitFor } from './stack.mjs';

const SHOTS = process.env.E2E_SHOTS ?? '/tmp/shots';
const SIZES = [
  [820, 1180],
  [1024, 768],
  [1280, 800],
];
const fakeCamera = (file) => ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${file}`];

let stack;
let product;
let pickup; // the SELF_PICK order waiting to be picked up
const videos = mkdtempSync(join(tmpdir(), 'storepos-camera-'));

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack();
  await stack.api('shift_open', { float: '0' }, 'cashier');
  const products = await stack.api('catalog_product_list', {});
  product = products.find((p) => /^\d{13}$/.test(p.barcode ?? '') && p.specifications.length === 0 && p.stock !== 0);
  assert.ok(product, 'a demo product with an EAN-13 and no specifications');
  writeBarcodeY4m(join(videos, 'product.y4m'), ean13Modules(product.barcode));

  const created = await stack.sim('/sim/online-order', { delivery_type: 'SELF_PICK' });
  const number = created.data.order_number;
  const local = await waitFor(async () => {
    const { orders } = await stack.api('order_list', { text: number, limit: 5 }, 'clerk');
    return orders.find((o) => o.order_number === number);
  }, { timeout: 30000, interval: 500, what: `order ${number} pulled by sync` });
  pickup = await stack.api('order_action_apply', { client_ref: local.client_ref, action: 'accept' }, 'clerk');
  assert.equal(pickup.status, 'CONFIRMED_PICK_PENDING');
  writeBarcodeY4m(join(videos, 'pickup.y4m'), await code128Modules(number), { module: 3 });
}, { timeout: 120000 });
after(async () => {
  await stack?.stop();
}, { timeout: 30000 });

/** Record every stream the page opens (to check the rear camera was asked for, and that
 *  closing the overlay stops it). */
async function watchStreams(page) {
  await page.addInitScript(() => {
    const md = navigator.mediaDevices;
    if (!md?.getUserMedia) return;
    const orig = md.getUserMedia.bind(md);
    window.__streams = [];
    window.__constraints = [];
    md.getUserMedia = async (c) => {
      window.__constraints.push(c);
      const s = await orig(c);
      window.__streams.push(s);
      return s;
    };
  });
}
const liveTracks = (page) => page.evaluate(() => (window.__streams ?? []).flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length);

async function setLang(page, lang) {
  await waitFor(async () => {
    const now = await page.evaluate(() => document.documentElement.lang || 'zh-CN');
    if ((lang === 'en') === now.startsWith('en')) return true;
    await page.getByTestId('lang-switch').click();
    return false;
  }, { timeout: 5000, interval: 200, what: `language ${lang}` });
}

/** No sideways scroll, and the overlay's box, video and typing field wholly in view. */
async function overlayProblems(page, testId) {
  return page.evaluate((testId) => {
    const W = window.innerWidth;
    const H = window.innerHeight;
    const out = [];
    if (document.documentElement.scrollWidth > W) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${W}`);
    for (const sel of [`[data-testid=${testId}]`, '.camera-box', '[data-testid=camera-typed]', `[data-testid=${testId}] button[type=submit]`]) {
      const el = document.querySelector(sel);
      if (!el) {
        out.push(`missing ${sel}`);
        continue;
      }
      const r = el.getBoundingClientRect();
      if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1 || r.width === 0) out.push(`not in view: ${sel} [${r.left},${r.top} → ${r.right},${r.bottom}] in ${W}×${H}`);
    }
    for (const b of document.querySelectorAll(`[data-testid=${testId}] button`)) if (b.scrollWidth > b.clientWidth + 1) out.push(`text spills out of a button: ${b.innerText}`);
    return out;
  }, testId);
}

test('the camera reads a product barcode into the cart, once', { timeout: 180000 }, async () => {
  const ui = await openBrowser(stack, { args: fakeCamera(join(videos, 'product.y4m')), width: 820, height: 1180 });
  try {
    const { page, problems } = ui;
    await watchStreams(page);
    await loginUi(page, stack.url, 'cashier', '1111');
    await page.getByTestId('cashier').waitFor();
    await page.getByTestId('camera-open').click();
    await page.getByTestId('camera-scanner').waitFor();

    const line = page.locator('.cart-line').filter({ hasText: product.name });
    await line.waitFor({ timeout: 30000 });
    await page.getByTestId('camera-last').filter({ hasText: product.barcode }).waitFor();
    const asked = await page.evaluate(() => window.__constraints[0]);
    assert.deepEqual(asked.video.facingMode, { ideal: 'environment' }, 'the rear camera is asked for');
    assert.equal(asked.audio, false);

    // The code stays in front of the camera: still one line of quantity 1 (one scan per code).
    await sleep(3000);
    assert.equal(await page.locator('.cart-line').count(), 1);
    assert.equal(await line.locator('.qty-input').inputValue(), '1');

    // The overlay at the three sizes, in Chinese and English, with a code just read.
    const found = [];
    for (const lang of ['zh', 'en']) {
      await page.keyboard.press('Escape');
      await page.getByTestId('camera-scanner').waitFor({ state: 'detached' });
      await setLang(page, lang);
      await page.getByTestId('camera-open').click();
      await page.getByTestId('camera-scanner').waitFor();
      await page.locator('.camera-box[data-state=live]').waitFor({ timeout: 30000 });
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, `camera-product-${width}x${height}-${lang}.png`) });
        for (const p of await overlayProblems(page, 'camera-scanner')) found.push(`[${width}×${height} ${lang}] ${p}`);
      }
    }
    assert.deepEqual(found, [], `layout problems:\n${found.join('\n')}`);
    // Reopening with the same code in view is a new scan session: a second one of it is added.
    assert.equal(await line.locator('.qty-input').inputValue(), '3', 'each opening of the camera read the code once');

    // Closing the overlay stops the camera.
    assert.ok((await liveTracks(page)) > 0, 'the camera is live while the overlay is open');
    await page.keyboard.press('Escape');
    await page.getByTestId('camera-scanner').waitFor({ state: 'detached' });
    await waitFor(async () => (await liveTracks(page)) === 0, { timeout: 5000, what: 'every camera track stopped' });
    assert.deepEqual(problems, []);
  } finally {
    await stack.browser.close();
  }
});

test('a refused camera says so, and the code can be typed', { timeout: 90000 }, async () => {
  // a camera is there (the fake one), but the person said no
  const ui = await openBrowser(stack, { args: fakeCamera(join(videos, 'product.y4m')), width: 1024, height: 768 });
  try {
    const { page } = ui;
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await loginUi(page, stack.url, 'cashier', '1111');
    await page.getByTestId('cashier').waitFor();
    for (const lang of ['zh', 'en']) {
      await setLang(page, lang);
      await page.getByTestId('camera-open').click();
      const err = page.getByTestId('camera-error');
      await err.waitFor();
      const text = await err.innerText();
      assert.match(text, lang === 'zh' ? /没有摄像头权限/ : /No permission to use the camera/);
      await page.screenshot({ path: join(SHOTS, `camera-denied-1024x768-${lang}.png`) });
      assert.deepEqual(await overlayProblems(page, 'camera-scanner'), []);
      await page.keyboard.press('Escape');
      await page.getByTestId('camera-scanner').waitFor({ state: 'detached' });
    }
    // typing the code in the overlay goes the same way as a scan
    const before = await page.locator('.cart-line').filter({ hasText: product.name }).count();
    await page.getByTestId('camera-open').click();
    await page.getByTestId('camera-error').waitFor();
    await page.getByTestId('camera-typed').fill(product.barcode);
    await page.getByTestId('camera-typed').press('Enter');
    await page.getByTestId('camera-last').filter({ hasText: product.barcode }).waitFor();
    await page.locator('.cart-line').filter({ hasText: product.name }).waitFor();
    assert.equal(before, 0, 'the product was not in this cart before');
    // an unknown code is refused the same way as from the wedge scanner
    await page.getByTestId('camera-typed').fill('6900000000000');
    await page.getByTestId('camera-typed').press('Enter');
    await page.locator('.toast').filter({ hasText: '6900000000000' }).waitFor();
  } finally {
    await stack.browser.close();
  }
});

test('the camera reads a pickup code and opens that order on the clerk board', { timeout: 180000 }, async () => {
  const ui = await openBrowser(stack, { args: fakeCamera(join(videos, 'pickup.y4m')), width: 820, height: 1180 });
  try {
    const { page, problems } = ui;
    await watchStreams(page);
    await loginUi(page, stack.url, 'clerk', '2222');
    await page.locator('[data-nav="clerk"]').click();
    await page.getByTestId('clerk').waitFor();
    await page.locator(`[data-client-ref="${pickup.client_ref}"]`).waitFor();
    for (const lang of ['zh', 'en']) {
      await setLang(page, lang);
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(300);
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(sideways <= 0, `the board with the pickup field scrolls sideways at ${width}×${height} (${lang})`);
        await page.screenshot({ path: join(SHOTS, `camera-clerk-board-${width}x${height}-${lang}.png`) });
      }
    }
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.getByTestId('pickup-camera').click();
    // The code is read, the overlay closes by itself and the order's details open.
    const detail = page.getByTestId('order-detail');
    await detail.waitFor({ timeout: 30000 });
    await detail.getByTestId('od-platform-no').filter({ hasText: pickup.order_number }).waitFor();
    await page.getByTestId('pickup-scanner').waitFor({ state: 'detached' });
    assert.ok(await detail.locator('[data-action=complete]').isVisible(), 'the clerk can hand it over from here');
    assert.ok(await page.locator(`[data-client-ref="${pickup.client_ref}"].card-found`).count(), 'its card is marked');
    await page.screenshot({ path: join(SHOTS, 'camera-pickup-found-820x1180-en.png') });
    await waitFor(async () => (await liveTracks(page)) === 0, { timeout: 5000, what: 'every camera track stopped' });
    await page.keyboard.press('Escape');

    // Typed: the W- number works too; an unknown code says so.
    await page.getByTestId('pickup-code').fill(pickup.local_number);
    await page.getByTestId('pickup-code').press('Enter');
    await detail.getByTestId('od-platform-no').filter({ hasText: pickup.order_number }).waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    await page.getByTestId('pickup-code').fill('9999999999999999');
    await page.getByTestId('pickup-check').click();
    await page.locator('.toast').filter({ hasText: '9999999999999999' }).waitFor();
    assert.equal(await detail.count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await stack.browser.close();
  }
});

test('a till without a camera shows no camera button', { timeout: 60000 }, async () => {
  const ui = await openBrowser(stack, { width: 1280, height: 800 }); // no fake camera: no video device
  try {
    const { page } = ui;
    await loginUi(page, stack.url, 'cashier', '1111');
    await page.getByTestId('search').waitFor();
    await page.locator('.product').first().waitFor();
    assert.equal(await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput').length), 0);
    assert.equal(await page.getByTestId('camera-open').count(), 0);
  } finally {
    await stack.browser.close();
  }
});
