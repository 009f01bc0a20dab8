// 100,000 products at the counter: the grid is virtualised, search and categories come
// from the backend, and a scan lands in the cart whatever the screen is doing.
// No simulator: a store without a platform keeps its synthetic catalog (a linked store
// would deactivate products the platform does not list). The ledger is seeded in seconds
// by `storepos init --synthetic-skus`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { launch, newPage } from './browser.mjs';
import { startStorepos } from './serve.mjs';
import { BIN, shot, waitFor } from './stack.mjs';

const SYNTHETIC = Number(process.env.E2E_BIG_SKUS ?? 99_778);
const barcode = (k) => `68${String(k).padStart(11, '0')}`;
const code = (k) => `CSP${String(k).padStart(6, '0')}`;

let srv;
let browser;
let ui;
before(async () => {
  const t = Date.now();
  srv = await startStorepos({ initArgs: ['--synthetic-skus', String(SYNTHETIC)] });
  console.log(`# ledger with ${SYNTHETIC} synthetic products ready in ${Date.now() - t} ms`);
  browser = await launch();
  ui = await newPage(browser);
}, { timeout: 120000 });
after(async () => {
  if (ui) await shot(ui.page, 'big-catalog-final').catch(() => {});
  await browser?.close().catch(() => {});
  await srv?.stop();
}, { timeout: 30000 });

async function login(page) {
  await page.goto(srv.url);
  await page.locator('.user-tile[data-username="cashier"]').click();
  const dots = page.getByTestId('pin-dots');
  await dots.waitFor();
  await waitFor(async () => {
    if ((await dots.getAttribute('aria-label')) === '4') return true;
    await page.locator('.pin-aux').first().click();
    for (const d of '1111') await page.keyboard.press(d);
    return (await dots.getAttribute('aria-label')) === '4';
  }, { timeout: 10000, interval: 100, what: 'the PIN' });
  await page.keyboard.press('Enter');
  await page.getByTestId('cashier').waitFor();
  await page.locator('.product[data-product-id]').first().waitFor();
}

test('the grid holds only what is on screen', { timeout: 60000 }, async () => {
  const { page } = ui;
  await login(page);
  const grid = page.getByTestId('product-grid');
  assert.ok(Number(await grid.getAttribute('data-total')) >= SYNTHETIC, 'the whole catalog is reachable');
  const tiles = await page.locator('.product').count();
  assert.ok(tiles > 0 && tiles < 200, `only on-screen tiles in the DOM (${tiles})`);
  // the far end of the catalog: the grid runs by category, then id; synthetic product k is
  // in the (k % 8)-th synthetic category, the last one holds the last tile
  const lastK = SYNTHETIC - 1 - ((((SYNTHETIC - 1 - 7) % 8) + 8) % 8);
  await grid.evaluate((g) => (g.scrollTop = g.scrollHeight));
  await page.locator('.product .product-name').filter({ hasText: code(lastK) }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator('.product-slot').count(), 0);
  assert.ok((await page.locator('.product').count()) < 200);
});

test('a scan while the grid scrolls', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const grid = page.getByTestId('product-grid');
  await grid.evaluate((g) => (g.scrollTop = 0));
  // keep the grid scrolling (as a finger would) while the scanner sends its keys
  await grid.evaluate((g) => {
    window.__scrolling = setInterval(() => (g.scrollTop += 180), 16);
  });
  const before = await page.locator('.cart-line').count();
  const k = 54_321 % SYNTHETIC;
  await page.keyboard.type(barcode(k), { delay: 5 });
  await page.keyboard.press('Enter');
  await page.locator('.cart-line').filter({ hasText: code(k) }).waitFor({ timeout: 10000 });
  const scrolled = await grid.evaluate((g) => {
    clearInterval(window.__scrolling);
    return g.scrollTop;
  });
  assert.ok(scrolled > 0, 'the grid was scrolling');
  assert.equal(await page.locator('.cart-line').count(), before + 1);
  assert.ok((await page.locator('.product').count()) < 200);
  await shot(page, 'big-catalog-scan-while-scrolling');
  assert.deepEqual(problems, [], 'no console errors');
});

test('a search while a scan arrives', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const search = page.getByTestId('search');
  await search.click();
  const wanted = code(77_777 % SYNTHETIC).toLowerCase();
  // a person types the search (slowly), and a scan arrives in the middle of it
  await page.keyboard.type(wanted.slice(0, 5), { delay: 120 });
  await page.waitForTimeout(250); // (a scanner burst right after a typed key would absorb it)
  const before = await page.locator('.cart-line').count();
  const k = 12_345 % SYNTHETIC;
  await page.keyboard.type(barcode(k), { delay: 5 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(250);
  await page.keyboard.type(wanted.slice(5), { delay: 120 });
  await page.locator('.cart-line').filter({ hasText: code(k) }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.cart-line').count(), before + 1, 'the scan added one line');
  await waitFor(async () => (await search.inputValue()) === wanted, { what: `the search field to read ${wanted}`, timeout: 10000 });
  // the search result: the one product whose code was typed
  const hit = page.locator('.product .product-name').filter({ hasText: wanted.toUpperCase() });
  await hit.waitFor({ timeout: 10000 });
  await waitFor(async () => (await page.locator('.product[data-product-id]').count()) === 1, { what: 'a single search hit' });
  // Enter adds a single hit
  await page.keyboard.press('Enter');
  await page.locator('.cart-line').filter({ hasText: wanted.toUpperCase() }).waitFor();
  assert.equal(await search.inputValue(), '');
  await shot(page, 'big-catalog-search-and-scan');
  assert.deepEqual(problems, [], 'no console errors');
});
