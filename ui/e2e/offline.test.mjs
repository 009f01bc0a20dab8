// A sale made while the platform (simulator) is down syncs, exactly once, when it is back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loginUi, logoutUi, openBrowser, shot, startStack, waitFor } from './stack.mjs';

let stack;
let ui;
before(async () => {
  stack = await startStack();
  // Money is taken only in an open shift (money-control.test.mjs opens one through the screen).
  await stack.api('shift_open', { float: '0' }, 'cashier');
  ui = await openBrowser(stack);
}, { timeout: 60000 });
after(async () => {
  if (ui) await shot(ui.page, 'offline-final').catch(() => {});
  await stack?.stop();
}, { timeout: 30000 });

test('a cash sale while the platform is down syncs when it comes back', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  await loginUi(page, stack.url, 'cashier', '1111');
  await page.getByTestId('cashier').waitFor();
  const link = page.getByTestId('sb-link');
  const outbox = page.getByTestId('sb-outbox');
  await waitFor(async () => (await link.innerText()).includes('在线'), { what: 'status bar online' });

  await stack.killSim();

  const products = await stack.api('catalog_product_list', {});
  const p = products.find((x) => x.specifications.length === 0);
  await page.locator(`.product[data-product-id="${p.id}"]`).click();
  await page.getByTestId('pay-cash').click();
  await page.getByTestId('cash-modal').waitFor();
  await page.locator('.quick').first().click();
  await page.getByTestId('cash-submit').click();
  await page.getByTestId('paid-modal').waitFor();
  await page.getByTestId('next-sale').click();

  const { orders } = await stack.api('order_list', {});
  assert.equal(orders.length, 1);
  const sale = orders[0];
  assert.equal(sale.status, 'CLOSED_CONFIRMED', 'the till works offline');

  // The status bar says so: offline, one order waiting.
  await waitFor(async () => (await link.innerText()).includes('离线') && /待同步\s*1\b/.test(await outbox.innerText()), {
    timeout: 20000,
    what: 'status bar offline with 1 waiting',
  });
  await shot(page, '09-offline');

  await stack.restartSim();

  // Back online, nothing waiting.
  await waitFor(async () => (await link.innerText()).includes('在线') && (await outbox.innerText()).includes('已全部同步'), {
    timeout: 30000,
    interval: 500,
    what: 'status bar online with 0 waiting',
  });
  await shot(page, '10-back-online');

  const state = await stack.sim('/sim/state');
  const marker = `[spos:${sale.client_ref}]`;
  const mine = state.orders.filter((o) => (o.remark ?? '').includes(marker));
  assert.equal(mine.length, 1, 'the sale reached the platform exactly once');
  assert.equal(mine[0].status, 'CLOSED_CONFIRMED');
  const synced = await stack.api('order_get', { client_ref: sale.client_ref });
  assert.equal(synced.sync_state, 'synced');
  assert.equal(synced.order_number, mine[0].order_number);

  // The manager's Sync screen: the platform's order_count beside this ledger's, each
  // figure matching or saying why not.
  await logoutUi(page);
  await loginUi(page, stack.url, 'manager', '9999');
  await page.getByTestId('manager').waitFor();
  await page.getByRole('tab', { name: '同步' }).click();
  const totalRow = page.locator('[data-testid="sync-counts"] tr[data-field="total"]');
  await totalRow.waitFor({ timeout: 20000 });
  const counts = await stack.api('stats_reconcile', {});
  assert.equal(counts.source, 'sync', 'the sync engine kept the platform counts');
  const cells = await totalRow.locator('td').allInnerTexts();
  assert.equal(cells[1].trim(), String(counts.platform.total));
  assert.equal(await page.getByTestId('counts-explained').count(), 1);
  await shot(page, 'sync-counts');
  assert.deepEqual(problems, [], 'no console errors');
});
