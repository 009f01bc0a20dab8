// The customer display (客显) in a real browser next to the till: paired from the cashier
// screen, opened in its own browser context with only the display token, it follows a cash
// sale (lines, total, change, 谢谢惠顾) and a WeChat sale (the same QR as the till's, for the
// code the platform issued); the display token is refused by ledger-changing commands.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newPage } from './browser.mjs';
import { businessDay, loginUi, openBrowser, shot, startStack, waitFor } from './stack.mjs';

let stack;
let ui;
let display;
let displayToken;
before(async () => {
  stack = await startStack();
  // Money is taken only in an open shift (money-control.test.mjs opens one through the screen).
  await stack.api('shift_open', { float: '0' }, 'cashier');
  ui = await openBrowser(stack);
}, { timeout: 60000 });
after(async () => {
  if (display) await shot(display.page, 'customer-display-final').catch(() => {});
  await stack?.stop();
}, { timeout: 30000 });

const digits = (s) => s.replace(/[^\d.]/g, '');
const phase = async () => display.page.getByTestId('customer-display').getAttribute('data-phase');

test('pair a display from the cashier screen', { timeout: 60000 }, async () => {
  const { page } = ui;
  await loginUi(page, stack.url, 'cashier', '1111');
  await page.getByTestId('cashier').waitFor();
  await page.getByTestId('display-pair').click();
  const link = (await page.getByTestId('display-link').innerText()).trim();
  assert.match(link, /\/display\?token=[0-9a-f]{64}$/);
  displayToken = new URL(link).searchParams.get('token');
  await page.getByTestId('display-pair-modal').locator('.modal-x').click();
  await page.getByTestId('display-pair-modal').waitFor({ state: 'detached' });

  // Its own browser context: no cookie, no storage, no session of the till.
  display = await newPage(stack.browser, { width: 1024, height: 600 });
  await display.page.goto(link);
  await display.page.getByTestId('customer-display').waitFor();
  await waitFor(async () => (await phase()) === 'idle', { what: 'the display to show the idle screen' });
  assert.match(await display.page.innerText('body'), /欢迎光临/);
  await shot(display.page, 'display-01-idle');
});

test('the display follows a cash sale', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const products = await stack.api('catalog_product_list', {});
  const simple = products.filter((p) => p.specifications.length === 0);
  await page.locator(`.product[data-product-id="${simple[0].id}"]`).click();
  await page.locator(`.product[data-product-id="${simple[1].id}"]`).click();
  await page.locator(`.product[data-product-id="${simple[1].id}"]`).click();
  await waitFor(async () => (await page.locator('.cart-line').count()) === 2, { what: 'two cart lines' });
  const tillTotal = digits(await page.getByTestId('cart-total').innerText());

  await waitFor(async () => (await phase()) === 'cart' && (await display.page.locator('.cd-line').count()) === 2, { what: 'the display to show two lines' });
  await waitFor(async () => digits(await display.page.getByTestId('display-total').innerText()) === tillTotal, { what: 'the display total = the till total' });
  const lines = await display.page.getByTestId('display-lines').innerText();
  assert.ok(lines.includes(simple[0].name) && lines.includes(simple[1].name), lines);
  assert.match(lines, /×2/);
  await shot(display.page, 'display-02-cart');

  await page.getByTestId('pay-cash').click();
  await page.getByTestId('cash-modal').waitFor();
  await page.getByTestId('cash-tendered').fill('100');
  await page.getByTestId('cash-submit').click();
  await page.getByTestId('paid-modal').waitFor();
  const change = digits(await page.getByTestId('paid-change').innerText());

  await waitFor(async () => (await phase()) === 'paid', { what: 'the display to show paid' });
  assert.match(await display.page.getByTestId('display-paid').innerText(), /谢谢惠顾/);
  assert.equal(digits(await display.page.getByTestId('display-change').innerText()), change, 'change on the display = change on the till');
  await shot(display.page, 'display-03-cash-paid');

  await page.getByTestId('next-sale').click();
  await waitFor(async () => (await phase()) === 'idle', { what: 'the display back to idle' });
  assert.deepEqual(problems, [], 'no console errors on the till');
  assert.deepEqual(display.problems, [], 'no console errors on the display');
});

test('the display follows a WeChat sale and shows the same QR', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  const products = await stack.api('catalog_product_list', {});
  const p = products.find((x) => x.specifications.length === 0 && Number(x.price) >= 5);
  await page.locator(`.product[data-product-id="${p.id}"]`).click();
  await page.getByTestId('pay-wechat').click();
  const img = page.getByTestId('wechat-qr');
  await img.waitFor({ timeout: 20000 });
  const tillCode = await img.getAttribute('alt');
  assert.match(tillCode, /^weixin:\/\/wxpay\/bizpayurl\?pr=/);

  const dimg = display.page.getByTestId('display-qr');
  await dimg.waitFor({ timeout: 10000 });
  assert.equal(await phase(), 'wechat');
  assert.equal(await dimg.getAttribute('data-code-url'), tillCode, 'the display carries the code the till shows');
  const dsrc = await dimg.getAttribute('src');
  assert.match(dsrc, /^data:image\/svg\+xml;base64,/);
  // Both pictures are drawn by the server from the code: the same SVG, so the same QR.
  assert.equal(dsrc, await img.getAttribute('src'), 'the display QR is the till QR');
  const svg = Buffer.from(dsrc.split(',')[1], 'base64').toString('utf8');
  assert.match(svg, /<svg[\s\S]*<path|<svg[\s\S]*<rect/, 'an SVG drawing');
  await shot(display.page, 'display-04-wechat-qr');

  // The platform's live code for this order is the one on both screens; pay it.
  const { orders } = await stack.api('order_list', { day: businessDay(), statuses: ['CREATED_PAY_PENDING'] });
  const order = await stack.api('order_get', { client_ref: orders[0].client_ref });
  const state = await stack.sim('/sim/state');
  const code = state.codes.find((c) => c.order_number === order.order_number && !c.superseded && !c.used);
  assert.equal(code.code_url, tillCode);
  await stack.sim(`/sim/pay/${order.order_number}`, { code_url: code.code_url });
  await page.getByTestId('paid-modal').waitFor({ timeout: 15000 });
  await waitFor(async () => (await phase()) === 'paid', { what: 'the display to show paid' });
  assert.match(await display.page.getByTestId('display-paid').innerText(), /谢谢惠顾/);
  await shot(display.page, 'display-05-wechat-paid');
  await page.getByTestId('next-sale').click();
  await waitFor(async () => (await phase()) === 'idle', { what: 'the display back to idle' });
  assert.deepEqual(problems, [], 'no console errors on the till');
  assert.deepEqual(display.problems, [], 'no console errors on the display');
});

test('the display token cannot change the ledger', { timeout: 30000 }, async () => {
  const before = await stack.api('order_list', { day: businessDay() });
  for (const [cmd, body] of [
    ['sale_create', { lines: [{ product_id: 1, quantity: 1 }] }],
    ['order_cancel', { client_ref: before.orders[0].client_ref }],
    ['sale_cash_pay', { client_ref: before.orders[0].client_ref, tendered: '100.00' }],
    ['display_update', { phase: 'idle' }],
    ['display_pair', {}],
    ['settings_set', { key: 'store_name', value: 'x' }],
    ['backup_create', {}],
  ]) {
    const r = await fetch(`${stack.url}/api/${cmd}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Storepos-Session': displayToken }, body: JSON.stringify(body) });
    const j = await r.json();
    assert.equal(r.status, 401, `${cmd} with the display token: ${JSON.stringify(j)}`);
    assert.equal(j.error.code, 'unauthenticated');
  }
  // Nor does it open the till's event stream.
  const ev = await fetch(`${stack.url}/api/events?session=${displayToken}`);
  assert.equal(ev.status, 401);
  const afterList = await stack.api('order_list', { day: businessDay() });
  assert.equal(afterList.orders.length, before.orders.length);
});
