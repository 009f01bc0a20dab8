// Counter sales against the real backend and the platform simulator: a cash sale rung
// up with a (wedge) barcode scanner, a WeChat sale paid through the simulator, then the
// manager's day figures over both. The tests run in order on one stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { businessDay, loginUi, logoutUi, openBrowser, shot, startStack, waitFor } from './stack.mjs';

let stack;
let ui;
before(async () => {
  stack = await startStack();
  // Money is taken only in an open shift (money-control.test.mjs opens one through the screen).
  await stack.api('shift_open', { float: '0' }, 'cashier');
  ui = await openBrowser(stack);
}, { timeout: 60000 });
after(async () => {
  if (ui) await shot(ui.page, 'counter-sales-final').catch(() => {});
  await stack?.stop();
}, { timeout: 30000 });

test('cash sale with a scanned barcode', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const products = await stack.api('catalog_product_list', {});
  const product = products.find((p) => p.barcode && p.barcode.length === 13 && p.specifications.length === 0);
  assert.ok(product, 'a demo product with a 13-digit barcode');

  await loginUi(page, stack.url, 'cashier', '1111');
  await page.getByTestId('cashier').waitFor();
  await page.locator('.product').first().waitFor();

  // The scanner types into whatever has focus: here the search field.
  const search = page.getByTestId('search');
  await search.click();
  await page.keyboard.type(product.barcode, { delay: 5 });
  await page.keyboard.press('Enter');
  const line = page.locator('.cart-line').filter({ hasText: product.name });
  await line.waitFor();
  assert.equal(await search.inputValue(), '', 'the search field did not receive the scanned digits');
  assert.equal(await page.locator('.cart-line').count(), 1);
  await shot(page, '01-cashier-scanned');

  // A second product by tapping, so the total is not a round number.
  const other = products.find((p) => p.id !== product.id && p.specifications.length === 0 && p.category_id === product.category_id);
  await page.locator(`.product[data-product-id="${other.id}"]`).click();
  await waitFor(async () => (await page.locator('.cart-line').count()) === 2, { what: 'two cart lines' });

  await page.getByTestId('pay-cash').click();
  const modal = page.getByTestId('cash-modal');
  await modal.waitFor();
  const due = (await page.getByTestId('cash-due').innerText()).replace(/[^\d.]/g, '');
  assert.ok(Number(due) > 0, `amount due shown (${due})`);
  await page.getByTestId('cash-tendered').fill('100');
  await waitFor(async () => /\d/.test(await page.getByTestId('cash-change-preview').innerText()), { what: 'change preview' });
  await shot(page, '02-cash-modal');
  await page.getByTestId('cash-submit').click();
  await page.getByTestId('paid-modal').waitFor();
  const change = (await page.getByTestId('paid-change').innerText()).replace(/[^\d.]/g, '');
  assert.equal(Number(change).toFixed(2), (100 - Number(due)).toFixed(2), 'change = tendered − due');
  await shot(page, '03-paid');

  // The order in the ledger and its receipt.
  const day = businessDay();
  const list = await stack.api('order_list', { day });
  assert.equal(list.orders.length, 1);
  const order = list.orders[0];
  assert.equal(order.status, 'CLOSED_CONFIRMED');
  assert.equal(order.payment_method, 'CASH');
  const jobs = await waitFor(async () => {
    const js = await stack.api('print_job_list', { client_ref: order.client_ref });
    return js.some((j) => j.kind === 'receipt') && js;
  }, { what: 'a receipt print job' });
  assert.ok(jobs.find((j) => j.kind === 'receipt'));

  // Today's orders screen shows it as 已完成.
  await page.getByTestId('next-sale').click();
  await page.locator('[data-nav="orders"]').click();
  await page.getByTestId('orders').waitFor();
  const row = page.locator('.orders-table tbody tr').filter({ hasText: order.local_number });
  await row.waitFor();
  assert.match(await row.innerText(), /已完成/);
  await shot(page, '04-orders');
  await row.click();
  await page.getByTestId('order-detail').waitFor();
  await page.getByTestId('print-state').waitFor();
  await shot(page, '05-order-detail');
  await page.keyboard.press('Escape');
  await page.getByTestId('order-detail').waitFor({ state: 'detached' });
  assert.deepEqual(problems, [], 'no console errors');
});

test('WeChat sale paid through the simulator', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  await page.locator('[data-nav="cashier"]').click();
  await page.getByTestId('cashier').waitFor();
  const products = await stack.api('catalog_product_list', {});
  const p = products.find((x) => x.specifications.length === 0 && Number(x.price) >= 5);
  await page.locator(`.product[data-product-id="${p.id}"]`).click();
  await page.locator(`.product[data-product-id="${p.id}"]`).click();
  await waitFor(async () => (await page.getByTestId('cart-total').innerText()).includes((Number(p.price) * 2).toFixed(2)), { what: 'cart total' });
  await page.getByTestId('pay-wechat').click();
  await page.getByTestId('wechat-modal').waitFor();
  const img = page.getByTestId('wechat-qr');
  await img.waitFor({ timeout: 20000 });
  const src = await img.getAttribute('src');
  assert.match(src, /^data:image\/svg\+xml/, 'the QR is an <img> with a data: SVG');
  assert.equal(await page.getByTestId('wechat-state').getAttribute('data-state'), 'waiting');
  await shot(page, '06-wechat-qr');

  // The sale's platform number, read back through the API, and its live code.
  const { orders } = await stack.api('order_list', { day: businessDay(), statuses: ['CREATED_PAY_PENDING'] });
  assert.equal(orders.length, 1);
  const order = await stack.api('order_get', { client_ref: orders[0].client_ref });
  assert.match(order.order_number ?? '', /^\d{16}$/, 'the sale reached the platform');
  const state = await stack.sim('/sim/state');
  const code = state.codes.find((c) => c.order_number === order.order_number && !c.superseded && !c.used);
  assert.ok(code, 'a live code for the order');
  assert.equal(await img.getAttribute('alt'), code.code_url, 'the page shows that code');
  await stack.sim(`/sim/pay/${order.order_number}`, { code_url: code.code_url });

  // The modal turns to paid within a few seconds (status is polled every 2 s).
  await page.getByTestId('paid-modal').waitFor({ timeout: 15000 });
  await shot(page, '07-wechat-paid');
  const after = await stack.api('order_get', { client_ref: order.client_ref });
  assert.equal(after.status, 'CLOSED_CONFIRMED');
  assert.equal(after.payment_method, 'WECHAT');
  await page.getByTestId('next-sale').click();
  assert.deepEqual(problems, [], 'no console errors');
});

test("manager's day figures", { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  await logoutUi(page);
  await loginUi(page, stack.url, 'manager', '9999');
  await page.getByTestId('manager').waitFor();
  const day = await page.getByTestId('manager-day');
  await day.waitFor();
  const stats = await stack.api('stats_day_get', { day: businessDay() });
  assert.ok(Number(stats.gross) > 0, 'there were sales');
  assert.equal(stats.order_count, 2);
  const gross = page.getByTestId('kpi-gross');
  await gross.waitFor();
  assert.equal((await gross.locator('.kpi-value').innerText()).replace(/[^\d.]/g, ''), stats.gross, 'gross on screen = stats_day.gross');
  // both charts drawn, with data
  await page.getByTestId('chart-hourly').locator('svg').waitFor();
  await page.getByTestId('chart-mix').locator('svg').waitFor();
  const bars = await page.getByTestId('chart-hourly').locator('rect[data-value]').evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute('data-value')) > 0).length);
  assert.ok(bars >= 1, 'an hourly bar with sales');
  const mix = await page.getByTestId('chart-mix').innerText();
  assert.match(mix, /现金/);
  assert.match(mix, /微信/);
  await shot(page, '08-manager-day');
  assert.deepEqual(problems, [], 'no console errors');
});
