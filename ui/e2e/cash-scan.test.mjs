// A cash sale rung up with a (wedge) barcode scanner, against the real backend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { businessDay, loginUi, openBrowser, shot, startStack, waitFor } from './stack.mjs';

let stack;
let ui;
before(async () => {
  stack = await startStack();
  ui = await openBrowser(stack);
});
after(async () => {
  if (ui) await shot(ui.page, 'cash-scan-final').catch(() => {});
  await stack?.stop();
});

test('cash sale with a scanned barcode', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const products = await stack.api('catalog_products', {});
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
  const list = await stack.api('orders_list', { day });
  assert.equal(list.orders.length, 1);
  const order = list.orders[0];
  assert.equal(order.status, 'CLOSED_CONFIRMED');
  assert.equal(order.payment_method, 'CASH');
  const jobs = await waitFor(async () => {
    const js = await stack.api('print_jobs', { client_ref: order.client_ref });
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
  assert.deepEqual(problems, [], 'no console errors');
});
