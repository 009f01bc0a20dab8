// Online (FLASH) orders from the platform simulator: the clerk works one through the
// board, then an exchange on another through the after-sales wizard.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loginUi, openBrowser, shot, startStack, waitFor } from './stack.mjs';

let stack;
let ui;
before(async () => {
  stack = await startStack();
  ui = await openBrowser(stack);
  await loginUi(ui.page, stack.url, 'clerk', '2222');
}, { timeout: 60000 });
after(async () => {
  if (ui) await shot(ui.page, 'online-orders-final').catch(() => {});
  await stack?.stop();
}, { timeout: 30000 });

/** A FLASH order on the simulator, and its local copy once sync has pulled it. */
async function flashOrder() {
  const created = await stack.sim('/sim/online-order', { delivery_type: 'FLASH' });
  const number = created.data.order_number;
  assert.match(number, /^\d+$/);
  const local = await waitFor(async () => {
    const { orders } = await stack.api('order_list', { text: number, limit: 5 }, 'clerk');
    return orders.find((o) => o.order_number === number);
  }, { timeout: 30000, interval: 500, what: `order ${number} pulled by sync` });
  return { number, local };
}

async function simOrder(number) {
  const s = await stack.sim('/sim/state');
  return s.orders.find((o) => o.order_number === number);
}

test('a clerk accepts, delivers and completes a FLASH order', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  await page.getByTestId('clerk').waitFor();
  const { number, local } = await flashOrder();
  const card = (col) => page.locator(`[data-column="${col}"] [data-client-ref="${local.client_ref}"]`);

  await card('new').waitFor({ timeout: 15000 });
  await shot(page, '11-clerk-new');
  await card('new').locator('[data-action="accept"]').click();
  await card('deliver').waitFor();
  await card('deliver').locator('[data-action="delivering"]').click();
  await card('delivering').waitFor();
  await shot(page, '12-clerk-delivering');
  await card('delivering').locator('[data-action="complete"]').click();
  await card('done').waitFor();

  const o = await waitFor(async () => {
    const s = await simOrder(number);
    return s?.status === 'CLOSED_CONFIRMED' && s;
  }, { timeout: 30000, interval: 500, what: 'the platform order to be CLOSED_CONFIRMED' });
  assert.equal(o.status, 'CLOSED_CONFIRMED');
  await shot(page, '13-clerk-done');
  assert.deepEqual(problems, [], 'no console errors');
});

test('an exchange on a FLASH order in delivery, quoted before it is confirmed', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const { number, local } = await flashOrder();
  await stack.api('order_action_apply', { client_ref: local.client_ref, action: 'accept' }, 'clerk');
  await stack.api('order_action_apply', { client_ref: local.client_ref, action: 'delivering' }, 'clerk');
  // field mode takes after-sales only once the platform has the order in DELIVERING
  await waitFor(async () => (await simOrder(number))?.status === 'DELIVERING', { timeout: 30000, interval: 500, what: 'DELIVERING on the platform' });

  const full = await stack.api('order_get', { client_ref: local.client_ref }, 'clerk');
  const line = full.lines[0];
  const products = await stack.api('catalog_product_list', {}, 'clerk');
  const swap = products.find((p) => p.id !== line.product_id && p.specifications.length === 0 && p.price !== line.unit_price);

  await page.locator('[data-nav="aftersales"]').click();
  const wizard = page.getByTestId('as-wizard');
  await wizard.waitFor();
  await wizard.locator('input[type="search"]').fill(number);
  await wizard.locator('.as-order').filter({ hasText: number }).click();
  await wizard.locator('.as-picked').waitFor();
  await wizard.getByRole('button', { name: '换货' }).click();
  await wizard.locator('input[type="text"]').first().fill('口味不对，换一个');
  const row = wizard.locator('tr').filter({ hasText: line.name });
  await row.getByRole('button', { name: '全部' }).click();
  await wizard.locator('input[type="search"]').fill(swap.name);
  await wizard.locator('.as-products button').filter({ hasText: swap.name }).first().click();
  await wizard.locator('tr').filter({ hasText: swap.name }).waitFor();

  await page.getByTestId('as-quote').click();
  const quote = page.getByTestId('as-quote-view');
  await quote.waitFor();
  const expected = await stack.api('after_sales_quote', {
    client_ref: local.client_ref,
    service_type: 'EXCHANGE',
    reason: '口味不对，换一个',
    returns: [{ line_no: line.line_no, quantity: line.quantity }],
    exchanges: [{ product_id: swap.id, quantity: 1 }],
  }, 'clerk');
  const fee = expected.refund_fee ?? expected.supplementary_fee;
  assert.ok(fee, 'an exchange for a different price has a refund or a supplement');
  assert.ok((await quote.innerText()).includes(fee), `the quote on screen shows ${fee}`);
  assert.match(await quote.innerText(), expected.refund_fee ? /应退顾客/ : /顾客需补/);
  await shot(page, '14-exchange-quote');

  await page.getByTestId('as-submit').click();
  await page.getByTestId('as-created').waitFor();
  const services = await stack.api('after_sales_list', {}, 'clerk');
  assert.equal(services.length, 1);
  assert.equal(services[0].service_type, 'EXCHANGE');
  const listRow = page.locator('.as-list tr').filter({ hasText: '换货' });
  await listRow.waitFor();
  await shot(page, '15-exchange-created');
  // the platform records the service once sync has sent it
  await waitFor(async () => (await stack.sim('/sim/state')).services.length === 1, { timeout: 30000, interval: 500, what: 'the service on the platform' });
  assert.deepEqual(problems, [], 'no console errors');
});
